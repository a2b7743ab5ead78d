//! Time marching ([`hh_pinn::march`]): a closed-form solution carried across windows, the
//! initial data each window receives, and resume across a window boundary.

use hh_core::test_models::{DampedHeat, TestModel};
use hh_core::{BoundaryMode, EvalGrid, Jet, ReactionDiffusion};
use hh_pinn::{
    Coarse, Control, LossRecord, March, Model, PointSequence, Preset, SecondOrder, TrainConfig,
    TrainOptions, Trainer, train,
};
use std::sync::Arc;

fn heat() -> Arc<DampedHeat> {
    Arc::new(DampedHeat {
        c: 1.0,
        bc: BoundaryMode::Dirichlet,
    })
}

/// `march` with a smaller budget per window.
fn marching(windows: usize, steps: usize, lm: usize) -> TrainConfig {
    let mut c = Preset::March.config();
    c.march = March { windows };
    c.steps = steps;
    c.sampler.batch = 256;
    c.second_order = SecondOrder {
        iterations: lm,
        points: 512,
        sequence: PointSequence::Sobol,
        coarse: Coarse::default(),
        ..c.second_order
    };
    c
}

/// rel_l2 of `u` against the exact solution on the 128 × 128 grid.
fn rel_l2(model: &DampedHeat, u: &ndarray::Array2<f64>, grid: &EvalGrid) -> f64 {
    let (mut diff, mut norm) = (0.0, 0.0);
    let mut jet = [Jet::default()];
    for (r, &t) in grid.t.iter().enumerate() {
        for (c, &x) in grid.x.iter().enumerate() {
            model.exact(t, x, &mut jet);
            diff += (u[(r, c)] - jet[0].value).powi(2);
            norm += jet[0].value.powi(2);
        }
    }
    (diff / norm).sqrt()
}

/// The damped heat equation `u = e^{−2t} sin x` marched over four windows of `(0, 1]`, each
/// Adam then Levenberg–Marquardt, the dirichlet ends built in: the error stays at the level of
/// one window's, 1e-6.
#[test]
fn marching_carries_a_closed_form_solution_across_windows() {
    let model = heat();
    let mut config = marching(4, 100, 100);
    config.constraints.hard_boundary = true;
    let trained = train(model.clone() as Model, &config, &Default::default()).unwrap();
    assert_eq!(trained.windows().len(), 4);
    let windows: Vec<usize> = trained.history().iter().map(|r| r.window).collect();
    assert!(windows.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    assert_eq!(windows.last(), Some(&3));
    let grid = EvalGrid::paper(&model.domain());
    let e = rel_l2(&model, &trained.evaluate(&grid)[0], &grid);
    eprintln!("rel_l2 over four windows: {e:.3e}");
    assert!(e < 1e-6, "rel_l2 {e:e}");
}

/// Window `j + 1` starts from window `j`'s end: its `u` at its start is window `j`'s at its end
/// bit for bit (the initial data is built in), and the jet it is handed is the previous
/// network's: `u_x`, `u_xx` agree with central differences of that network's values.
#[test]
fn the_jet_handed_to_the_next_window_is_the_previous_networks() {
    let model = heat();
    let trained = train(model as Model, &marching(2, 30, 0), &Default::default()).unwrap();
    let [first, second] = trained.windows() else {
        panic!("two windows")
    };
    let length = 0.5;
    let xs: Vec<f64> = (1..40).map(|i| 0.08 * i as f64).collect();
    let at = |w: &hh_pinn::march::Frozen, x: f64, t: f64| w.values(&[x], &[t])[0];
    let jets = first.end_jets(&xs);
    let h = 1e-4;
    for (&x, jet) in xs.iter().zip(&jets) {
        let u = at(first, x, length);
        assert!((at(second, x, 0.0) - u).abs() < 1e-14, "x = {x}");
        assert!((jet.value - u).abs() < 1e-14, "x = {x}");
        let (up, down) = (at(first, x + h, length), at(first, x - h, length));
        let (ux, uxx) = (
            (up - down) / (2.0 * h),
            (up - 2.0 * jet.value + down) / (h * h),
        );
        assert!(
            (jet.x - ux).abs() < 1e-7 * (1.0 + ux.abs()),
            "u_x {} {ux}",
            jet.x
        );
        assert!(
            (jet.xx - uxx).abs() < 1e-4 * (1.0 + uxx.abs()),
            "u_xx {} {uxx}",
            jet.xx
        );
        assert_eq!(jet.t, 0.0);
    }
}

/// A run stopped in its second window and resumed from its checkpoint ends with the bytes of the
/// run that was never interrupted: the trained window, the optimiser and the sampler of the
/// current one are all restored.
#[test]
fn resuming_across_a_window_boundary_is_bit_exact() {
    let config = marching(3, 6, 2);
    let opts = TrainOptions {
        threads: 1,
        ..Default::default()
    };
    let grid = EvalGrid::paper(&heat().domain());
    let straight = Trainer::new(heat() as Model, &config, &opts)
        .unwrap()
        .run(&mut [])
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ck = dir.path().join("ck");
    let mut stop = |r: &LossRecord, _: &Trainer| {
        if r.window == 1 && r.step == 2 {
            Control::Stop
        } else {
            Control::Continue
        }
    };
    let with_ck = TrainOptions {
        checkpoint_dir: Some(ck.clone()),
        ..opts.clone()
    };
    let stopped = Trainer::new(heat() as Model, &config, &with_ck)
        .unwrap()
        .run(&mut [&mut stop])
        .unwrap();
    assert_eq!(stopped.windows().len(), 1);
    let resumed = Trainer::new(
        heat() as Model,
        &config,
        &TrainOptions {
            resume: Some(ck),
            ..opts
        },
    )
    .unwrap();
    assert_eq!((resumed.window(), resumed.step_count()), (1, 3));
    let resumed = resumed.run(&mut []).unwrap();
    assert_eq!(resumed.history(), straight.history());
    for (a, b) in resumed.windows().iter().zip(straight.windows()) {
        assert_eq!(a.theta(), b.theta());
    }
    assert_eq!(resumed.evaluate(&grid), straight.evaluate(&grid));
}

/// A model's closed-form linear part may carry the first window (as `precise` does): the run
/// starts from `u₀` exactly, and the next window from the first one's end.
#[test]
fn the_linear_part_can_carry_the_first_window() {
    let model: Model = Arc::new(hh_model::ProblemConfig::default().build().unwrap());
    let mut config = marching(2, 5, 0);
    config.constraints = hh_pinn::Constraints {
        linear_part: true,
        ..Default::default()
    };
    let trained = train(model, &config, &Default::default()).unwrap();
    let [first, second] = trained.windows() else {
        panic!("two windows")
    };
    for x in [0.3, 1.5, 2.9] {
        let u0 = first.values(&[x], &[0.0])[0];
        assert!(
            (u0 - hh_model::initial::phi(x)).abs() < 1e-15,
            "u₀({x}) = {u0}"
        );
        let end = first.values(&[x], &[0.5])[0];
        assert!((second.values(&[x], &[0.0])[0] - end).abs() < 1e-14);
    }
}
