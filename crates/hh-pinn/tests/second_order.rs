//! The Levenberg–Marquardt phase on a problem whose least-squares minimum is zero and lies in
//! reach: within ten iterations it must lower the loss by four orders of magnitude (first-order
//! training needs thousands of steps for that), at every iteration, and never publish a
//! non-finite parameter.

use hh_pinn::{SecondOrder, TrainConfig, TrainOptions, train};
use std::sync::Arc;

#[test]
fn levenberg_marquardt_converges_in_a_few_iterations() {
    // a = 2.5 lies above every value of u (≤ sup φ = 2), so H ≡ 0 and the closed-form linear
    // part is the solution: the remainder N ≡ 0 has zero residual (the output layer set to 0)
    let model = Arc::new(
        hh_model::ProblemConfig {
            a: 2.5,
            ..Default::default()
        }
        .build()
        .unwrap(),
    );
    let mut config = TrainConfig::preset("precise").unwrap();
    config.network.width = 8;
    config.network.depth = 2;
    config.steps = 50;
    config.second_order = SecondOrder {
        iterations: 10,
        points: 300,
        ..SecondOrder::default()
    };
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
