//! What the generator writes and what is committed in `results/` have the same structure: the
//! same tables with the same columns. The generator runs the default (`quick`) sweep on tiny
//! grids, which builds exactly the tables of the full run in seconds.

use hh_eval::{SweepConfig, run_sweep};
use std::path::Path;

fn committed(path: &str) -> serde_json::Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../results")
        .join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_results_have_the_generators_tables_and_columns() {
    let cfg = SweepConfig::profile("quick").unwrap();
    let report = run_sweep("quick", &cfg.smoke(), false).unwrap();
    assert_eq!(report.structure(), committed("convergence/structure.json"));

    // and every committed table file matches its entry
    let structure = report.structure();
    for (name, columns) in structure.as_object().unwrap() {
        let table = committed(&format!("convergence/{name}.json"));
        assert_eq!(&table["columns"], columns, "{name}");
        assert!(
            !table["rows"].as_array().unwrap().is_empty(),
            "{name} has no rows"
        );
        assert!(
            table["bc"].as_str().is_some_and(|s| !s.is_empty()),
            "{name} names no boundary mode"
        );
        assert!(
            table["regularisation"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{name} names no regularisation"
        );
    }
}

#[test]
fn a_failed_write_keeps_the_previous_report() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SweepConfig::profile("quick").unwrap().smoke();
    let report = run_sweep("quick", &cfg, false).unwrap();
    let out = dir.path().join("convergence");
    report.write(&out).unwrap();
    let before = std::fs::read_to_string(out.join("README.md")).unwrap();
    // an output path that cannot be created: the old report stays
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    assert!(
        report
            .write(&dir.path().join("blocker/convergence"))
            .is_err()
    );
    // a report whose extra files fail: the old report stays, whole
    assert!(
        report
            .write_with(&out, |_| anyhow::bail!("a figure failed"))
            .is_err()
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        before
    );
}

/// Every CSV file under `results/` reads back with the README's recipe,
/// `numpy.genfromtxt(f, delimiter=',', names=True)`: its header names are identifiers (numpy
/// keeps them as they are) and every row splits at its commas into as many fields as the header.
#[test]
fn every_committed_csv_survives_a_plain_comma_split() {
    fn csvs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                csvs(&p, out);
            } else if p.extension().is_some_and(|e| e == "csv") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    csvs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../results"),
        &mut files,
    );
    assert!(files.len() > 20, "{} CSV files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for name in &header {
            assert!(
                hh_eval::table::is_identifier(name),
                "{}: column {name:?}",
                f.display()
            );
        }
        for (i, line) in lines.enumerate() {
            assert_eq!(
                line.split(',').count(),
                header.len(),
                "{} row {i}: {line}",
                f.display()
            );
        }
    }
}
