//! What the property tests of both tools share: how a flag's values are drawn, the fixed seed,
//! and the one outcome every case must have.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::path::Path;
use std::process::Output;

/// The cases are drawn from this fixed seed: the same cases on every run, so CI never passes or
/// fails by chance.
pub const SEED: u64 = 0x5eed_0025;

/// A flag absent (with probability `1 − present`) or one of `values`.
pub fn one_of(
    present: f64,
    values: &'static [&'static str],
) -> impl Strategy<Value = Option<&'static str>> {
    prop::option::weighted(present, prop::sample::select(values))
}

/// The only outcomes allowed: exit 0 with the finite grid `eval` and a manifest in `out`, or exit
/// 2 naming the field (in backquotes, our validation) or the flag (clap's parser) with nothing
/// written; and no debris next to `out` either way.
pub fn finite_outputs_or_refused(
    o: &Output,
    args: &[String],
    out: &Path,
    eval: &str,
) -> Result<(), TestCaseError> {
    let stderr = String::from_utf8_lossy(&o.stderr);
    match o.status.code() {
        Some(0) => {
            let grid: ndarray::Array2<f64> = ndarray_npy::read_npy(out.join(eval)).unwrap();
            prop_assert!(grid.iter().all(|v| v.is_finite()), "{args:?}");
            prop_assert!(out.join("manifest.json").is_file());
        }
        Some(2) => {
            prop_assert!(
                stderr.contains('`') || stderr.contains("'--"),
                "{args:?}: {stderr}"
            );
            prop_assert!(!out.exists(), "{args:?} wrote output");
        }
        code => prop_assert!(false, "{args:?}: exit {code:?}: {stderr}"),
    }
    let parent = out.parent().expect("out has a parent");
    let left: Vec<_> = std::fs::read_dir(parent).unwrap().collect();
    prop_assert!(left.len() <= 1, "{args:?}: debris {left:?}");
    Ok(())
}
