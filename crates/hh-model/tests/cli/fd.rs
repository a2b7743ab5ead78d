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
    let wrong_type = dir.path().join("wrong.json");
    std::fs::write(&wrong_type, r#"{"grid": {"nx": "many"}}"#).unwrap();
    let cases: [(&[&str], &str); 25] = [
        (&["--x-min", "-1e308", "--x-max", "1e308"], "`x_min`"),
        (&["--x-min", "0", "--x-max", "1e-300"], "`x_max`"),
        (&["--t-end", "5e-324"], "`t_end`"),
        (&["--t-end", "1e308"], "`t_end`"),
        (&["--nx", "-1"], "--nx"),
        (&["--a", "-inf"], "`a`"),
        (&["--config", wrong_type.to_str().unwrap()], "`grid.nx`"),
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
        (&["--ic", "front:x"], "`ic`"),
        (&["--ic", "front:0", "--a", "1.5"], "`a`"),
        (&["--amplitude", "-1"], "`amplitude`"),
        (&["--amplitude", "1e308"], "`amplitude`"),
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
    assert_eq!(left.len(), 3, "{left:?}");
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

/// `--out` naming a file, a device, a foreign directory, `.` or a path below a file is refused
/// with exit code 2 before the solve, and what was there is left exactly as it was.
#[test]
fn an_out_that_is_not_ours_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.txt");
    std::fs::write(&file, "precious").unwrap();
    let foreign = dir.path().join("thesis");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("chapter1.tex"), "text").unwrap();
    for out in [
        file.clone(),
        foreign.clone(),
        file.join("sub"),
        dir.path().join("."),
        dir.path().join(".."),
        "/dev/null".into(),
    ] {
        let o = hh_fd(&[
            "solve",
            "--nx",
            "8",
            "--nt",
            "8",
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {stderr}", out.display());
        assert!(stderr.contains("refusing `out`"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(foreign.join("chapter1.tex")).unwrap(),
        "text"
    );
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// A run killed at any moment leaves the previous results complete; the next run on the same
/// output sweeps the killed run's staging directory away.
#[test]
fn a_killed_run_leaves_the_previous_results_and_no_lasting_debris() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let args = |nx: &str, nt: &str| {
        vec![
            "solve".to_owned(),
            "--nx".into(),
            nx.into(),
            "--nt".into(),
            nt.into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    assert!(
        hh_fd(&[
            "solve",
            "--nx",
            "16",
            "--nt",
            "16",
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let before = std::fs::read(out.join("eval.npy")).unwrap();
    // The solve takes about a second and writing its 64 MB another: kills land in both.
    let mut killed = 0;
    for delay_ms in [20, 150, 400, 700, 1000, 1400] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hh-fd"))
            .args(args("2000", "4000"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL: no destructor runs
        let status = child.wait().unwrap();
        let eval = std::fs::read(out.join("eval.npy")).unwrap();
        if status.success() {
            // It finished before the kill: the new results are complete.
            assert!(out.join("manifest.json").exists());
            break;
        }
        killed += 1;
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        if eval != before {
            // Killed after the swap, while deleting the old results: the new ones are complete.
            assert_eq!(
                manifest["config"]["grid"]["nx"], 2000,
                "killed after {delay_ms} ms"
            );
            break;
        }
        assert_eq!(
            manifest["config"]["grid"]["nx"], 16,
            "killed after {delay_ms} ms"
        );
    }
    assert!(killed > 0, "no run was killed");
    let o = hh_fd(
        &args("16", "16")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(o.status.success());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["run"], "debris of killed runs remains");
}
