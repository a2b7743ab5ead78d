//! The shared test models (`hh_core::test_models`) trained with hard constraints: the PINN
//! approaches each closed-form solution, one and two components alike.

use hh_core::test_models::{Coupled, DampedHeat, TestModel};
use hh_core::{BoundaryMode, EvalGrid, Jet};
use hh_pinn::{Model, Preset, train};
use std::sync::Arc;

/// rel_l2 of each component of a `hard`-preset network after `steps` steps against the exact
/// solution on the 128 × 128 evaluation grid.
fn errors<M: TestModel + 'static>(model: M, steps: usize) -> Vec<f64> {
    let model = Arc::new(model);
    let mut config = Preset::Hard.config();
    config.steps = steps;
    let trained = train(model.clone() as Model, &config, &Default::default()).unwrap();
    let grid = EvalGrid::paper(&model.domain());
    let fields = trained.evaluate(&grid);
    let m = model.components();
    let mut jets = vec![Jet::default(); m];
    let (mut diff, mut norm) = (vec![0.0; m], vec![0.0; m]);
    for (r, &t) in grid.t.iter().enumerate() {
        for (c, &x) in grid.x.iter().enumerate() {
            model.exact(t, x, &mut jets);
            for i in 0..m {
                diff[i] += (fields[i][(r, c)] - jets[i].value).powi(2);
                norm[i] += jets[i].value.powi(2);
            }
        }
    }
    diff.iter()
        .zip(&norm)
        .map(|(d, n)| (d / n).sqrt())
        .collect()
}

#[test]
fn the_pinn_approaches_the_shared_test_models() {
    let heat = errors(
        DampedHeat {
            c: 1.0,
            bc: BoundaryMode::Dirichlet,
        },
        2000,
    );
    let coupled = errors(
        Coupled {
            eps: 0.5,
            gamma: 0.5,
        },
        2000,
    );
    eprintln!("rel_l2 after 2000 steps: heat {heat:?}, coupled {coupled:?}");
    // measured here: 1.0e-3; 3.4e-3 (u) and 1.1e-2 (v, driven by u alone)
    assert!(heat[0] < 3e-3, "heat: {heat:?}");
    assert!(coupled.iter().all(|&e| e < 3e-2), "coupled: {coupled:?}");
}
