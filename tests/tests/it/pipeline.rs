//! FD solve → PINN training → error table → report on disk, through the public APIs of hh-model,
//! hh-fd, hh-pinn and hh-eval; and a model crate (hh-fhn) through the same evaluation layer.

use hh_eval::metrics::Errors;
use hh_eval::{Report, Table};
use hh_fd::max_abs_diff;
use hh_model::{BoundaryMode, EvalGrid, ReactionDiffusion};
use hh_pinn::{TrainConfig, TrainOptions, Trainer};
use std::sync::Arc;
use tests::{TEST_GRID, paper};

#[test]
fn fd_reference_pinn_training_and_error_table_agree_end_to_end() {
    let cfg = paper(0.2, BoundaryMode::Dirichlet);
    // The evaluation layer's reference is the FD solver's solution sampled on the 128 × 128 grid.
    let reference = hh_eval::fd::reference(&cfg, Some(TEST_GRID)).unwrap();
    let problem = cfg.build().unwrap();
    let grid = EvalGrid::paper(&problem.domain());
    let hh_fd::GridSize { nx, nt } = TEST_GRID;
    let sol = hh_fd::solve(
        &problem,
        &hh_fd::GridConfig {
            nx,
            nt,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(max_abs_diff(&sol.on_grid(&grid, 0), &reference.eval), 0.0);

    // A short `accurate` training: the trainer, its evaluation and the measures.
    let mut train = TrainConfig::preset("accurate").unwrap();
    train.steps = 400;
    let trainer = Trainer::new(Arc::new(problem), &train, &TrainOptions::default()).unwrap();
    let trained = trainer.run(&mut []).unwrap();
    let u = trained.evaluate(&grid);
    let e = Errors::of(u[0].view(), reference.eval.view(), grid.dx());
    eprintln!(
        "accurate, 400 steps: rel_l2 {:.3e}, max_abs {:.3e}",
        e.rel_l2, e.max_abs
    );
    assert!(
        e.rel_l2.is_finite() && e.rel_l2 < 0.1,
        "rel_l2 {}",
        e.rel_l2
    );
    assert!(e.max_abs >= e.rel_l2 * 1e-3 && e.rel_h1 >= 0.0);

    // The table and report as the binaries write them, read back as data.
    let mut t = Table::new(
        "pipeline",
        "FD → PINN",
        "dirichlet",
        "lower",
        &["a", "rel_l2", "max_abs"],
    );
    t.push(vec![0.2.into(), e.rel_l2.into(), e.max_abs.into()]);
    let report = Report {
        name: "pipeline".into(),
        title: "Pipeline".into(),
        preamble: vec![],
        sections: vec![("PINN against FD".into(), vec![t])],
        manifest: hh_io_manifest(),
    };
    let out = tempfile::tempdir().unwrap();
    let md = report.write(out.path()).unwrap();
    assert!(std::fs::read_to_string(md).unwrap().contains("FD → PINN"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("pipeline.json")).unwrap()).unwrap();
    assert_eq!(json["rows"][0][1].as_f64().unwrap(), e.rel_l2);
    assert!(out.path().join("manifest.json").is_file());
}

fn hh_io_manifest() -> hh_io::Manifest {
    hh_io::Manifest::new("tests pipeline", env!("CARGO_PKG_VERSION"))
}

/// A model crate plugs into the evaluation layer unchanged: FitzHugh–Nagumo's FD solution on the
/// evaluation grid, refined once, converges at second order in the same measures.
#[test]
fn a_model_crate_is_measured_by_the_same_layer() {
    let cfg = hh_fhn::FhnConfig {
        t_end: 50.0,
        ..Default::default()
    };
    let model = cfg.build().unwrap();
    let grid = EvalGrid::paper(&model.domain());
    let solve = |nx: usize| {
        let sol = hh_fd::solve(
            &model,
            &hh_fd::GridConfig {
                nx,
                nt: nx / 2,
                ..Default::default()
            },
        )
        .unwrap();
        sol.on_grid(&grid, 0)
    };
    let (coarse, mid, fine) = (solve(1016), solve(2032), solve(4064));
    let d1 = Errors::of(coarse.view(), mid.view(), grid.dx()).max_abs;
    let d2 = Errors::of(mid.view(), fine.view(), grid.dx()).max_abs;
    let order = (d1 / d2).log2();
    eprintln!("FitzHugh–Nagumo, max-norm differences {d1:.3e}, {d2:.3e}: order {order:.3}");
    assert!(
        (order - 2.0).abs() < 0.3,
        "observed order {order} ({d1:e}, {d2:e})"
    );
}
