//! The `hh-fd solve` command line: outputs, and bad input rejected with exit code 2 and nothing
//! written.

use std::path::Path;
use std::process::{Command, Output};

fn hh_fd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hh-fd"))
        .args(args)
        .output()
        .expect("runs")
}

fn read(path: &Path) -> ndarray::ArrayD<f64> {
    ndarray_npy::read_npy(path).expect("npy")
}

#[test]
fn writes_solution_axes_evaluation_grid_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = hh_fd(&[
        "solve",
        "--a",
        "0.2",
        "--bc",
        "neumann",
        "--nx",
        "40",
        "--nt",
        "30",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read(&out.join("solution.npy")).shape(), &[31, 41]);
    assert_eq!(read(&out.join("t.npy")).shape(), &[31]);
    assert_eq!(read(&out.join("x.npy")).shape(), &[41]);
    assert_eq!(read(&out.join("eval.npy")).shape(), &[128, 128]);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["config"]["problem"]["a"], 0.2);
    assert_eq!(manifest["config"]["problem"]["bc"], "neumann");
    assert_eq!(manifest["config"]["grid"]["nx"], 40);
    assert!(manifest["timings"]["solve_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn config_file_is_read_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("run.toml");
    std::fs::write(
        &cfg,
        "[problem]\na = 0.3\nk = \"inf\"\n[grid]\nnx = 20\nnt = 10\n",
    )
    .unwrap();
    let out = dir.path().join("run");
    let o = hh_fd(&[
        "solve",
        "--config",
        cfg.to_str().unwrap(),
        "--nt",
        "12",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"k\": \"inf\"") && manifest.contains("\"nt\": 12"),
        "{manifest}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad_cfg = dir.path().join("bad.toml");
    std::fs::write(&bad_cfg, "[problem]\nkappa = 3\n").unwrap();
    let inclusion = dir.path().join("inclusion.toml");
    std::fs::write(&inclusion, "[problem]\nformulation = \"inclusion\"\n").unwrap();
    let cases: [(&[&str], &str); 14] = [
        (&["--nx", "1000000000000"], "`nx`"),
        (&["--nx", "64", "--nt", "1000000000000"], "`nt`"),
        (
            &[
                "--nx", "64", "--nt", "64", "--bc", "free", "--margin", "1e308",
            ],
            "`margin`",
        ),
        (
            &["--config", inclusion.to_str().unwrap()],
            "`problem.formulation`",
        ),
        (&["--ic", "plateau:2"], "`ic`"),
        (&["--k", "0"], "`k`"),
        (&["--k", "-2"], "`k`"),
        (&["--t-end", "0"], "`t_end`"),
        (&["--a", "nan"], "`a`"),
        (&["--nx", "3"], "`nx`"),
        (&["--nt", "0"], "`nt`"),
        (&["--theta", "0.3"], "`theta`"),
        (&["--config", bad_cfg.to_str().unwrap()], "kappa"),
        (&["--ic", "npy:/no/such/file.npy"], "/no/such/file.npy"),
    ];
    for (args, field) in cases {
        let out = dir.path().join("out");
        let mut all = vec!["solve", "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = hh_fd(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(field), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote output");
    }
    // nothing else (no staging directories) was left behind
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn a_failed_run_keeps_the_previous_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let ok = hh_fd(&[
        "solve",
        "--nx",
        "20",
        "--nt",
        "10",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok.status.success());
    let before = std::fs::read(out.join("eval.npy")).unwrap();
    let bad = hh_fd(&["solve", "--nx", "2", "--out", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(std::fs::read(out.join("eval.npy")).unwrap(), before);
}
