//! The `convergence` binary end to end on a tiny sweep: unsharded, sharded and merged, and its
//! refusals.

use std::path::Path;
use std::process::{Command, Output};

fn convergence(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convergence"))
        .args(args)
        .output()
        .expect("runs")
}

/// The tables of a report directory (their JSON), without the columns that are timings of this
/// run.
fn tables_without_timings(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let mut tables: Vec<(String, serde_json::Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !["manifest.json", "structure.json"]
                    .contains(&p.file_name().unwrap().to_str().unwrap())
        })
        .map(|p| {
            let mut t: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            let columns: Vec<String> = t["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            let timing = |c: &str| c.ends_with("_s") || c == "ms_per_step";
            for row in t["rows"].as_array_mut().unwrap() {
                let kept: Vec<serde_json::Value> = row
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(&columns)
                    .filter(|(_, c)| !timing(c))
                    .map(|(v, _)| v.clone())
                    .collect();
                *row = kept.into();
            }
            (p.file_name().unwrap().to_string_lossy().into_owned(), t)
        })
        .collect();
    tables.sort_by(|a, b| a.0.cmp(&b.0));
    tables
}

#[test]
fn a_merged_sharded_sweep_equals_the_unsharded_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tiny.toml");
    let tiny = hh_eval::SweepConfig::profile("quick").unwrap().smoke();
    std::fs::write(&cfg, toml::to_string(&tiny).unwrap()).unwrap();
    let cfg = cfg.to_str().unwrap();
    let whole = dir.path().join("whole");
    let o = convergence(&["--config", cfg, "--out", whole.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let shards = dir.path().join("shards");
    let n = 3;
    for i in 0..n {
        let s = format!("{i}/{n}");
        let o = convergence(&[
            "--config",
            cfg,
            "--shard",
            &s,
            "--out",
            shards.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let shard_dirs: Vec<String> = (0..n)
        .map(|i| {
            shards
                .join(format!("convergence.shard-{i}-of-{n}"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let merged = dir.path().join("merged");
    let mut args = vec!["--out", merged.to_str().unwrap(), "--merge"];
    args.extend(shard_dirs.iter().map(String::as_str));
    let o = convergence(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let (a, b) = (
        tables_without_timings(&whole.join("convergence")),
        tables_without_timings(&merged.join("convergence")),
    );
    assert!(a.len() > 10, "{} tables", a.len());
    assert_eq!(a, b, "merged tables differ from the unsharded run's");

    // A merge with a shard missing, or twice, is refused, naming `merge`.
    let partial = convergence(&[
        "--out",
        dir.path().join("m2").to_str().unwrap(),
        "--merge",
        &shard_dirs[0],
        &shard_dirs[0],
        &shard_dirs[1],
    ]);
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert_eq!(partial.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("missing or repeated"), "{stderr}");
    assert!(!dir.path().join("m2").exists());
}

#[test]
fn bad_sweeps_exit_2_naming_the_field_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = toml::to_string(&hh_eval::SweepConfig::profile("quick").unwrap()).unwrap();
    let cases = [
        ("theta = 0.5", "theta = 7.0", "`grid_convergence.theta`"),
        ("nx = 127", "nx = 3", "`grid_convergence.nx`"),
        ("nx = 127", "nx = 4000000", "`grid_convergence.n"),
        ("nx = 1016", "nx = \"many\"", "`k_convergence.nx`"),
        ("a_values = [", "a_values = [1e400, ", "a_values"),
    ];
    for (from, to, field) in cases {
        assert!(base.contains(from), "{from}");
        let cfg = dir.path().join("bad.toml");
        std::fs::write(&cfg, base.replacen(from, to, 1)).unwrap();
        let out = dir.path().join("out");
        let o = convergence(&[
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to}: {stderr}");
        assert!(stderr.contains(field), "{to}: {stderr}");
        assert!(!out.exists(), "{to} wrote output");
    }
    for shard in ["3/3", "x", "-1/2"] {
        let o = convergence(&[
            "--shard",
            shard,
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{shard}");
    }
    let o = convergence(&[
        "--merge",
        dir.path().to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}
