//! The PINN trainer, unchanged, on a second model: the Nagumo front (`ε = 0`, `v ≡ 0`) on a
//! window of the line, against the exact solution `u = 1 / (1 + e^{(x − c t)/√2})`.

use hh_fhn::{FhnConfig, Initial, Kind, nagumo_front, nagumo_speed, presets};
use hh_model::{BoundaryMode, EvalGrid, ReactionDiffusion};
use hh_pinn::{TrainOptions, Trainer};
use std::sync::Arc;

/// The threshold of the front.
const A: f64 = 0.25;

/// The Nagumo front (`ε = 0`) from `nagumo:0` on `(−15, 15) × (0, t_end]`: sealed ends 15 from
/// the front's start, where the exact front's flux stays below 5e-5.
fn nagumo(t_end: f64) -> FhnConfig {
    FhnConfig {
        interaction: Kind::Cubic,
        a: A,
        eps: 0.0,
        bc: BoundaryMode::Neumann,
        ic: Initial::Nagumo(0.0),
        t_end,
        x_min: -15.0,
        x_max: 15.0,
        ..Default::default()
    }
}

#[test]
fn pinn_reaches_1e3_on_the_nagumo_front() {
    let (a, problem) = (A, nagumo(4.0));
    let model = Arc::new(problem.build().unwrap());
    let config = presets::preset("front", &problem).unwrap();
    let trained = Trainer::new(model.clone(), &config, &TrainOptions::default())
        .unwrap()
        .run(&mut [])
        .unwrap();
    let grid = EvalGrid::paper(&model.domain());
    let fields = trained.evaluate(&grid);
    let c = nagumo_speed(a);
    let (mut e2, mut u2, mut max_abs, mut v_max) = (0.0, 0.0, 0.0f64, 0.0f64);
    for (r, &t) in grid.t.iter().enumerate() {
        for (k, &x) in grid.x.iter().enumerate() {
            let exact = nagumo_front(x - c * t);
            let e = fields[0][[r, k]] - exact;
            e2 += e * e;
            u2 += exact * exact;
            max_abs = max_abs.max(e.abs());
            v_max = v_max.max(fields[1][[r, k]].abs());
        }
    }
    let rel_l2 = (e2 / u2).sqrt();
    eprintln!(
        "PINN on the Nagumo front: rel_l2 {rel_l2:.2e}, max_abs {max_abs:.2e}, max |v| {v_max:.1e}, \
         {:.1} s ({:.2} ms/step)",
        trained.train_seconds(),
        trained.ms_per_step()
    );
    assert!(rel_l2 <= 1e-3, "rel_l2 {rel_l2}");
    assert!(v_max <= 1e-2, "v should stay 0: {v_max}");
}

/// Time marching ([`hh_pinn::march`]) on the same front: two windows of `(0, 1]`, each
/// Adam then Levenberg–Marquardt, the second from the first one's end; rel_l2 ≤ 1e-4 of the
/// exact front.
#[test]
fn marching_carries_the_nagumo_front_to_1e4() {
    let (a, problem) = (A, nagumo(1.0));
    let model = Arc::new(problem.build().unwrap());
    let mut config = hh_pinn::Preset::March.config();
    config.march.windows = 2;
    config.steps = 100;
    config.sampler.batch = 256;
    config.second_order.points = 1024;
    config.second_order.coarse.points = 256;
    let trained = Trainer::new(model.clone(), &config, &TrainOptions::default())
        .unwrap()
        .run(&mut [])
        .unwrap();
    let grid = EvalGrid::paper(&model.domain());
    let u = &trained.evaluate(&grid)[0];
    let c = nagumo_speed(a);
    let (mut e2, mut u2) = (0.0, 0.0);
    for (r, &t) in grid.t.iter().enumerate() {
        for (k, &x) in grid.x.iter().enumerate() {
            let exact = nagumo_front(x - c * t);
            e2 += (u[[r, k]] - exact).powi(2);
            u2 += exact * exact;
        }
    }
    let rel = (e2 / u2).sqrt();
    eprintln!("marched Nagumo front: rel_l2 {rel:.3e}");
    assert!(rel < 1e-4, "rel_l2 {rel:e}");
}
