//! An experiment run as shards and merged gives the report of the unsharded run (`precise` on
//! one threshold and one preset: its jobs are the six reference extrapolations and one training).

use std::path::Path;
use std::process::Command;

fn precise(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_precise"))
        .args(["--a", "0.3", "--presets", "seed"])
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Column `name` of table `file` of a report directory, as JSON values.
fn column(dir: &Path, file: &str, name: &str) -> Vec<serde_json::Value> {
    let t: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let i = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == name)
        .unwrap();
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[i].clone())
        .collect()
}

/// Runs `precise` five times (2.5 minutes on 2 cores), so it is left out of the default run;
/// hh-eval's `merged_shards_give_back_every_result_exactly` (the jobs' store and merge) and
/// `a_merged_sharded_sweep_equals_the_unsharded_one` (the sweep, through the binary) check the
/// same machinery quickly.
#[test]
#[ignore = "a full experiment (2.5 min): cargo test -p experiments -- --ignored"]
fn merged_shards_of_an_experiment_equal_the_unsharded_run() {
    let root = tempfile::tempdir().unwrap();
    let (all, shards, merged) = (
        root.path().join("all"),
        root.path().join("shards"),
        root.path().join("merged"),
    );
    precise(&["--out", all.to_str().unwrap()]);
    let run = shards.join("run");
    for s in ["0/3", "1/3", "2/3"] {
        precise(&["--shard", s, "--out", run.to_str().unwrap()]);
    }
    let dirs: Vec<String> = (0..3)
        .map(|i| format!("{}.shard-{i}-of-3", run.display()))
        .collect();
    let mut args = vec!["--out", merged.to_str().unwrap(), "--merge"];
    args.extend(dirs.iter().map(String::as_str));
    precise(&args);

    // Deterministic columns (not the timings) are equal to the last bit.
    let (a, b) = (all, merged);
    for col in [
        "bc",
        "k",
        "observed_order",
        "plain_change",
        "estimated_error",
    ] {
        assert_eq!(
            column(&a, "reference.json", col),
            column(&b, "reference.json", col),
            "{col}"
        );
    }
    for col in ["a", "preset", "final_rel_l2"] {
        assert_eq!(
            column(&a, "time_to_accuracy.json", col),
            column(&b, "time_to_accuracy.json", col),
            "{col}"
        );
    }
    // Two of three shards are not a merge.
    let o = Command::new(env!("CARGO_BIN_EXE_precise"))
        .args(["--a", "0.3", "--presets", "seed", "--out"])
        .arg(root.path().join("m2"))
        .arg("--merge")
        .args(&dirs[..2])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!root.path().join("m2").exists());
}
