//! The Levenberg–Marquardt phase on a problem whose least-squares minimum is zero and lies in
//! reach: within ten iterations it must lower the loss by four orders of magnitude (first-order
//! training needs thousands of steps for that), at every iteration, and never publish a
//! non-finite parameter.

use hh_pinn::{Coarse, PointSequence, SecondOrder, TrainConfig, TrainOptions, train};
use std::sync::Arc;

/// a = 2.5 lies above every value of u (≤ sup φ = 2), so H ≡ 0 and the closed-form linear part is
/// the solution: the remainder N ≡ 0 has zero residual (the output layer set to 0).
fn linear_problem() -> hh_pinn::Model {
    Arc::new(
        hh_model::ProblemConfig {
            a: 2.5,
            ..Default::default()
        }
        .build()
        .unwrap(),
    )
}

/// `precise` on a 2×8 network after 50 Adam steps, with the given second-order phase.
fn tiny(second_order: SecondOrder) -> TrainConfig {
    let mut config = TrainConfig::preset("precise").unwrap();
    config.network.width = 8;
    config.network.depth = 2;
    config.steps = 50;
    config.second_order = second_order;
    config
}

#[test]
fn levenberg_marquardt_converges_in_a_few_iterations() {
    let model = linear_problem();
    let config = tiny(SecondOrder {
        iterations: 10,
        points: 300,
        ..SecondOrder::default()
    });
    let trained = train(model, &config, &TrainOptions::default()).unwrap();
    let history = trained.history();
    let lm: Vec<f64> = history[config.steps..].iter().map(|r| r.loss).collect();
    eprintln!("LM losses {lm:?}");
    assert!(lm.len() >= 3, "too few accepted iterations: {lm:?}");
    assert!(
        lm.windows(2).all(|w| w[1] < w[0]),
        "the loss must fall at every accepted iteration: {lm:?}"
    );
    let (first, last) = (lm[0], *lm.last().unwrap());
    assert!(last < 1e-4 * first, "{first:e} → {last:e}");
    let theta: Vec<f64> = trained.network().theta().as_tensor().to_vec1().unwrap();
    assert!(theta.iter().all(|v| v.is_finite()));
}

/// The coarse stage runs on the first points, then the phase goes on with all of them: on the
/// paper's problem (no zero-residual minimum in reach) each stage takes all its iterations, lowers
/// its own loss at every one (the fine stage's first loss is that of all the points, not the
/// coarse stage's last), and together they halve the loss where Adam left it.
#[test]
fn the_coarse_stage_hands_over_to_all_points() {
    let mut config = tiny(SecondOrder {
        iterations: 4,
        points: 300,
        coarse: Coarse {
            iterations: 4,
            points: 40,
        },
        ..SecondOrder::default()
    });
    let model = Arc::new(hh_model::ProblemConfig::default().build().unwrap());
    let trained = train(model, &config, &TrainOptions::default()).unwrap();
    let adam = trained.history()[config.steps - 1].loss;
    let lm: Vec<f64> = trained.history()[config.steps..]
        .iter()
        .map(|r| r.loss)
        .collect();
    eprintln!("Adam's last loss {adam:e}, LM losses {lm:?}");
    assert_eq!(lm.len(), 8, "both stages run all their iterations: {lm:?}");
    let (coarse, fine) = lm.split_at(4);
    for stage in [coarse, fine] {
        assert!(stage.windows(2).all(|w| w[1] < w[0]), "{lm:?}");
    }
    assert_ne!(
        fine[0], coarse[3],
        "the fine stage fits other points: {lm:?}"
    );
    assert!(fine[3] < 0.5 * adam, "{adam:e} → {lm:?}");

    // the coarse points are some of the points
    config.second_order.coarse.points = 301;
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("second_order.coarse.points"), "{err}");

    // a Sobol sequence has at most 2^16 points
    let mut config = TrainConfig::preset("precise").unwrap();
    config.second_order.points = 70_000;
    config.second_order.sequence = PointSequence::Random;
    assert!(
        config.validate().is_ok(),
        "independent draws have no such limit"
    );
    config.second_order.sequence = PointSequence::Sobol;
    let err = config.validate().unwrap_err().to_string();
    assert!(
        err.contains("second_order.points") && err.contains("65536"),
        "{err}"
    );
}

/// The kink-aware ansatz end to end on the paper's problem at `k = ∞`: the network gains an
/// output (it starts at zero and the second-order phase trains it), Levenberg–Marquardt lowers
/// the loss 10-fold from where Adam left it while the curves move with the network, and the
/// evaluation (curves located from training's last ones) is finite and obeys the maximum
/// principle's bounds `0 ≤ u ≤ sup φ = 2`.
#[test]
fn the_kink_aware_ansatz_trains_its_enrichment() {
    let model: hh_pinn::Model = Arc::new(
        hh_model::ProblemConfig {
            k: hh_model::Slope::Infinite,
            ..Default::default()
        }
        .build()
        .unwrap(),
    );
    let mut config = TrainConfig::preset("kink").unwrap();
    config.network.width = 12;
    config.steps = 200;
    config.second_order = SecondOrder {
        iterations: 40,
        points: 1024,
        sequence: PointSequence::Sobol,
        ..SecondOrder::default()
    };
    config.kink.time_nodes = 128;
    config.kink.scan_points = 64;
    let trained = train(model.clone(), &config, &TrainOptions::default()).unwrap();
    let adam = trained.history()[config.steps - 1].loss;
    let last = trained.history().last().unwrap().loss;
    assert!(last < 0.1 * adam, "Adam {adam:e} → {last:e}");
    let net = trained.network();
    assert_eq!(net.outputs(), 2, "u and the enrichment's coefficient");
    let out = net.layers()[net.layers().len() - 1];
    let theta: Vec<f64> = net.theta().as_tensor().to_vec1().unwrap();
    let extra = &theta[out.w_off + out.n_in..out.b_off];
    assert!(
        extra.iter().any(|w| w.abs() > 1e-3),
        "the enrichment is trained"
    );
    let grid = hh_core::EvalGrid::paper(&model.domain());
    let u = &trained.evaluate(&grid)[0];
    assert!(
        u.iter()
            .all(|v| v.is_finite() && (-1e-2..=2.01).contains(v))
    );
}
