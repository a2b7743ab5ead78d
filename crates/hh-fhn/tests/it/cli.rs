//! The `hh-fhn` command line: outputs, config files, and bad input refused with exit code 2,
//! naming the field, with nothing written.

use std::path::Path;
use std::process::{Command, Output};

fn hh_fhn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hh-fhn"))
        .args(args)
        .output()
        .unwrap()
}

fn read(path: &Path) -> ndarray::ArrayD<f64> {
    ndarray_npy::read_npy(path).unwrap()
}

#[test]
fn solve_writes_both_components_axes_evaluation_grids_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = hh_fhn(&[
        "solve",
        "--t-end",
        "5",
        "--x-max",
        "20",
        "--nx",
        "40",
        "--nt",
        "25",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["u", "v"] {
        assert_eq!(read(&out.join(format!("{name}.npy"))).shape(), &[26, 41]);
        let e = read(&out.join(format!("eval_{name}.npy")));
        assert_eq!(e.shape(), &[128, 128]);
        assert!(e.iter().all(|v| v.is_finite()));
    }
    assert_eq!(read(&out.join("t.npy")).shape(), &[26]);
    assert_eq!(read(&out.join("x.npy")).shape(), &[41]);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["config"]["problem"]["interaction"], "cubic");
    assert_eq!(m["config"]["problem"]["ic"], "nagumo:5");
    // v grows where u is excited (ε > 0)
    let v = read(&out.join("v.npy"));
    assert!(v[[25, 0]] > 0.0);
}

#[test]
fn config_file_is_read_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("fhn.toml");
    std::fs::write(
        &cfg,
        "[problem]\ninteraction = \"mckean\"\nk = \"inf\"\neps = 0.0\nic = \"step:3\"\nt_end = 1.0\nx_max = 10.0\n[grid]\nnx = 50\nnt = 20\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = hh_fhn(&[
        "solve",
        "--config",
        cfg.to_str().unwrap(),
        "--a",
        "0.3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["config"]["problem"]["interaction"], "mckean");
    assert_eq!(m["config"]["problem"]["a"], 0.3);
    assert_eq!(m["config"]["grid"]["nx"], 50);
    assert!(m["stats"]["iterations"]["newton"].as_u64().unwrap() > 0);
}

#[test]
fn train_writes_fields_model_loss_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pinn");
    let o = hh_fhn(&[
        "train",
        "--steps",
        "3",
        "--t-end",
        "2",
        "--x-max",
        "10",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in ["eval_u.npy", "eval_v.npy"] {
        assert_eq!(read(&out.join(name)).shape(), &[128, 128]);
    }
    assert!(out.join("model.safetensors").is_file());
    assert_eq!(
        std::fs::read_to_string(out.join("loss.csv"))
            .unwrap()
            .lines()
            .count(),
        4
    );
}

#[test]
fn bad_input_exits_2_naming_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad");
    for (cmd, args, field) in [
        ("solve", vec!["--eps", "-1"], "`eps`"),
        ("solve", vec!["--gamma", "nan"], "`gamma`"),
        ("solve", vec!["--a", "-inf"], "`a`"),
        ("solve", vec!["--k", "0"], "`k`"),
        ("solve", vec!["--interaction", "quartic"], "interaction"),
        ("solve", vec!["--ic", "nagumo:x"], "`ic`"),
        ("solve", vec!["--v0", "npy:/no/such.npy"], "`v0`"),
        ("solve", vec!["--nx", "2"], "`nx`"),
        ("solve", vec!["--x-max", "-5"], "`x_max`"),
        ("train", vec!["--preset", "fast"], "`preset`"),
        ("train", vec!["--steps", "0"], "`steps`"),
        ("train", vec!["--ic", "step:3"], "constraints.hard_initial"),
    ] {
        let mut all = vec![cmd, "--out", bad.to_str().unwrap()];
        all.extend(&args);
        let o = hh_fhn(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
        assert!(!bad.exists(), "{args:?} wrote output");
    }
}
