//! Property test of the `hh-pinn train` command line: any combination of values either trains to
//! finite outputs (exit 0) or is refused with exit code 2 and a message naming the field; never a
//! panic, an abort or a partial output. (`precise` is left out: its second-order phase runs its
//! own iteration budget, which is minutes, whatever `--steps` says.)

use proptest::prelude::*;
use std::process::Command;

use crate::props::{SEED, finite_outputs_or_refused};

/// Values of one flag: typical ones, edges and absurd ones.
fn one_of(values: &'static [&'static str]) -> impl Strategy<Value = Option<&'static str>> {
    crate::props::one_of(0.5, values)
}

const NUMBERS: &[&str] = &[
    "0", "-1", "0.1", "0.3", "1", "2", "1e-300", "1e308", "-1e308", "inf", "-inf", "nan", "x",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("regressions"))), rng_seed: proptest::test_runner::RngSeed::Fixed(SEED), ..ProptestConfig::default() })]

    #[test]
    fn any_input_trains_to_finite_outputs_or_is_refused(
        preset in one_of(&["seed", "seed-fixed", "accurate", "dgm", "hard", "wave", "inclusion", "fast"]),
        a in one_of(NUMBERS),
        k in one_of(&["5", "inf", "0", "-2", "1e6", "nan"]),
        reg in one_of(&["lower", "upper", "middle"]),
        bc in one_of(&["dirichlet", "neumann", "free", "periodic"]),
        ic in one_of(&["paper", "sin", "const:0.2", "plateau:0.5", "plateau:9", "npy:/nonexistent.npy"]),
        t_end in one_of(NUMBERS),
        steer in one_of(&["none", "min", "max", "up"]),
        pin in one_of(NUMBERS),
        boundary_weight in one_of(NUMBERS),
        sampler in one_of(&["pinn", "dgm", "sobol"]),
        steps in one_of(&["0", "1", "2", "-1", "1e3", "2000000000"]),
        seed in one_of(&["0", "7", "-1", "18446744073709551615"]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut args: Vec<String> = vec!["train".into(), "--quiet".into(), "--out".into(), out.to_str().unwrap().into()];
        args.extend(["--steps".into(), "2".into()]);
        for (flag, v) in [
            ("--preset", preset), ("--a", a), ("--k", k), ("--regularisation", reg), ("--bc", bc),
            ("--ic", ic), ("--t-end", t_end), ("--steer", steer), ("--pin", pin),
            ("--boundary-weight", boundary_weight), ("--sampler", sampler), ("--steps", steps),
            ("--seed", seed),
        ] {
            if let Some(v) = v {
                args.extend([flag.to_owned(), v.to_owned()]);
            }
        }
        let o = Command::new(env!("CARGO_BIN_EXE_hh-pinn")).args(&args).output().unwrap();
        finite_outputs_or_refused(&o, &args, &out, "eval.npy")?;
    }
}
