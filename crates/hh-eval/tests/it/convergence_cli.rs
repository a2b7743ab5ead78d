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

/// The default sweep on tiny grids and budgets (seconds), written to `dir/tiny.toml`.
fn tiny_sweep(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("tiny.toml");
    let tiny = hh_eval::SweepConfig::profile("quick").unwrap().smoke();
    std::fs::write(&cfg, toml::to_string(&tiny).unwrap()).unwrap();
    cfg
}

#[test]
fn a_merged_sharded_sweep_equals_the_unsharded_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_sweep(dir.path());
    let cfg = cfg.to_str().unwrap();
    let whole = dir.path().join("whole");
    let o = convergence(&["--config", cfg, "--out", whole.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let shards = dir.path().join("shards/run");
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
        .map(|i| format!("{}.shard-{i}-of-{n}", shards.display()))
        .collect();
    let merged = dir.path().join("merged");
    let mut args = vec!["--out", merged.to_str().unwrap(), "--merge"];
    args.extend(shard_dirs.iter().map(String::as_str));
    let o = convergence(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let (a, b) = (
        tables_without_timings(&whole),
        tables_without_timings(&merged),
    );
    assert!(a.len() > 10, "{} tables", a.len());
    assert_eq!(a, b, "merged tables differ from the unsharded run's");
    assert!(whole.join("README.md").is_file() && merged.join("README.md").is_file());

    // A merge with a shard missing, or twice, is refused as bad input, naming `merge`.
    for set in [
        vec![&shard_dirs[0], &shard_dirs[0], &shard_dirs[1]],
        vec![&shard_dirs[0], &shard_dirs[1]],
    ] {
        let m2 = dir.path().join("m2");
        let mut args = vec!["--out", m2.to_str().unwrap(), "--merge"];
        args.extend(set.iter().map(|s| s.as_str()));
        let o = convergence(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("`merge`"), "{stderr}");
        assert!(!m2.exists());
    }
}

/// The first table of the first part of a shard store.
fn table0(v: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut v["parts"][0]["tables"][0]
}

/// Every way a shard store can lie: each is refused with exit 2, naming the shard's file, and
/// nothing is written anywhere.
#[test]
fn tampered_shard_stores_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_sweep(dir.path());
    let shard = dir.path().join("s.shard-0-of-1");
    let o = convergence(&[
        "--config",
        cfg.to_str().unwrap(),
        "--shard",
        "0/1",
        "--out",
        dir.path().join("s").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let parts = shard.join("parts.json");
    let honest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&parts).unwrap()).unwrap();
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    let abs = victim.join("pwned").display().to_string();
    type Lie = Box<dyn Fn(&mut serde_json::Value)>;
    let lies: Vec<(&str, Lie)> = vec![
        (
            "a path as a table name",
            Box::new(move |v| table0(v)["name"] = abs.clone().into()),
        ),
        (
            "a relative path",
            Box::new(move |v| table0(v)["name"] = "../victim/pwned".into()),
        ),
        (
            "another table's name",
            Box::new(move |v| table0(v)["name"] = "critical_amplitude".into()),
        ),
        (
            "an extra row",
            Box::new(move |v| {
                let row = table0(v)["rows"][0].clone();
                table0(v)["rows"].as_array_mut().unwrap().push(row);
            }),
        ),
        (
            "an extra table",
            Box::new(move |v| {
                let t = table0(v).clone();
                v["parts"][0]["tables"].as_array_mut().unwrap().push(t);
            }),
        ),
        (
            "an infinite measure",
            Box::new(move |v| table0(v)["rows"][0][2] = serde_json::json!({"Number": "inf"})),
        ),
        (
            "a number that is none",
            Box::new(move |v| table0(v)["rows"][0][2] = serde_json::json!({"Number": "abc"})),
        ),
        (
            "a short row",
            Box::new(move |v| {
                table0(v)["rows"][0].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "a false label",
            Box::new(|v| v["parts"][0]["label"] = "PINN accurate, dirichlet, a = 9".into()),
        ),
        (
            "a part out of range",
            Box::new(|v| v["parts"][0]["index"] = 99999.into()),
        ),
        (
            "another column",
            Box::new(move |v| table0(v)["columns"][0] = "u(T,π/2)".into()),
        ),
    ];
    let out = dir.path().join("merged");
    for (what, lie) in lies {
        let mut v = honest.clone();
        lie(&mut v);
        std::fs::write(&parts, serde_json::to_string(&v).unwrap()).unwrap();
        let o = convergence(&[
            "--out",
            out.to_str().unwrap(),
            "--merge",
            shard.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains(&parts.display().to_string()),
            "{what}: {stderr}"
        );
        assert!(!out.exists(), "{what}");
        assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 0, "{what}");
    }
    std::fs::write(&parts, b"{\"profile\": \"\xff\"}").unwrap();
    let o = convergence(&[
        "--out",
        out.to_str().unwrap(),
        "--merge",
        shard.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not UTF-8"));
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
        ("h = 0.04", "h = 5e-324", "`waves.h"),
        ("h = 0.04", "h = 1e-7", "`waves.h"),
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
    for out in [".", "..", "/", "src"] {
        let o = convergence(&["--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out}");
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
