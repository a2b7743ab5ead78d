//! The `hh-pinn` command-line tool: byte-identical runs, outputs, refusals.

use std::process::Command;

fn hh_pinn(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hh-pinn"))
        .args(args)
        .output()
        .unwrap()
}

/// Two runs of the same command write the same bytes (weights, grid, losses), and a checkpoint
/// directory equal to or inside `--out` is refused (it would be swapped away with the results).
#[test]
fn cli_runs_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = dir.path().join(name);
        let o = hh_pinn(&[
            "train",
            "--preset",
            "seed",
            "--steps",
            "4",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let (a, b) = (run("a"), run("b"));
    for f in ["model.safetensors", "eval.npy", "loss.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    for ck in [a.clone(), a.join("ck")] {
        let o = hh_pinn(&[
            "train",
            "--preset",
            "seed",
            "--steps",
            "2",
            "--quiet",
            "--checkpoint-every",
            "1",
            "--checkpoint-dir",
            ck.to_str().unwrap(),
            "--out",
            a.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("`checkpoint-dir`"), "{err}");
    }
    assert!(!a.join("ck").exists());
}

#[test]
fn cli_writes_outputs_and_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = hh_pinn(&[
        "train",
        "--preset",
        "seed",
        "--steps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let u: ndarray::Array2<f64> = ndarray_npy::read_npy(out.join("eval.npy")).unwrap();
    assert_eq!(u.dim(), (128, 128));
    assert!(u.iter().all(|v| v.is_finite()));
    let csv = std::fs::read_to_string(out.join("loss.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["seed"], 0);
    assert!(m["timings"]["ms_per_step"].as_f64().unwrap() > 0.0);
    assert!(out.join("model.safetensors").is_file());

    for (args, field) in [
        (vec!["--a", "nan"], "`a`"),
        (vec!["--k", "0"], "`k`"),
        (vec!["--steps", "0"], "`steps`"),
        (vec!["--windows", "0"], "`march.windows`"),
        (vec!["--windows", "4"], "`march.windows`"),
        (
            vec!["--preset", "march", "--windows", "1000000"],
            "`march.windows`",
        ),
        (vec!["--amplitude", "nan"], "`amplitude`"),
        (vec!["--preset", "fast"], "`preset`"),
        (vec!["--bc", "periodic"], "bc"),
        (vec!["--device", "gpu"], "device"),
        (vec!["--a", "-inf"], "`a`"),
        // found by the property test: the pinning term overflowed the loss (exit 1)
        (vec!["--steps", "2", "--a", "1e308", "--pin", "0.1"], "`a`"),
        (vec!["--k", "1e300"], "`k`"),
        (vec!["--resume", "/nonexistent"], "`resume`"),
        (vec!["--ic", "plateau:9"], "`ic`"),
        (vec!["--steer", "up"], "`steer`"),
        (vec!["--preset", "inclusion", "--pin", "7"], "`loss.pin.t`"),
        (vec!["--t-end", "0"], "`t_end`"),
        (vec!["--boundary-weight", "1e308"], "`loss.boundary`"),
        (
            vec!["--preset", "seed", "--resume", "/nonexistent"],
            "`resume`",
        ),
        (vec!["--steps", "-5"], "--steps"),
        (
            vec!["--checkpoint-every", "1", "--checkpoint-dir", "/dev/null"],
            "`checkpoint-dir`",
        ),
    ] {
        let bad = dir.path().join("bad");
        let mut all = vec!["train", "--quiet", "--out", bad.to_str().unwrap()];
        all.extend(&args);
        let o = hh_pinn(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(!bad.exists(), "{args:?} wrote output");
    }
    if !cfg!(feature = "cuda") {
        let bad = dir.path().join("bad");
        let o = hh_pinn(&["train", "--device", "cuda", "--out", bad.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("`device`") && err.contains("--features cuda"),
            "{err}"
        );
        assert!(!bad.exists());
    }
}

#[test]
fn cli_trains_the_inclusion_and_writes_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inclusion");
    let o = hh_pinn(&[
        "train",
        "--preset",
        "inclusion",
        "--ic",
        "plateau:0.5",
        "--steer",
        "max",
        "--pin",
        "0.2",
        "--steps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["eval.npy", "eval_d.npy"] {
        let v: ndarray::Array2<f64> = ndarray_npy::read_npy(out.join(name)).unwrap();
        assert_eq!(v.dim(), (128, 128), "{name}");
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let config = &m["config"];
    assert_eq!(config["problem"]["formulation"], "inclusion");
    assert_eq!(config["train"]["loss"]["steer"]["direction"], "max");
    assert_eq!(config["train"]["loss"]["steer"]["from"], 0.2);
    assert_eq!(config["train"]["loss"]["pin"]["value"], 0.1);
    let csv = std::fs::read_to_string(out.join("loss.csv")).unwrap();
    assert!(csv.starts_with("window,step,loss,pde,residual,initial,boundary,steer,pin,lr"));
}
