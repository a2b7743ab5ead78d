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
    report.write(dir.path()).unwrap();
    let before = std::fs::read_to_string(dir.path().join("convergence.md")).unwrap();
    // an output path that cannot be created: the old report stays
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    assert!(report.write(&dir.path().join("blocker")).is_err());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("convergence.md")).unwrap(),
        before
    );
}
