//! The inclusion PINN finds more than one solution of one Cauchy problem: from `u₀ ≡ a` with
//! zero-flux ends, steered up it finds the maximal solution `u⁺ = 1 − (1 − a) e^{−t}`, and steered
//! down with `u(τ, ·) = a` pinned the member `u_τ^−` that stays at `a` until `τ` (exact family:
//! `hh_model::inclusion::threshold_family`).

use hh_model::inclusion::{Leave, graph_distance, threshold_family};
use hh_model::{BoundaryMode, EvalGrid, Formulation, InitialCondition, ProblemConfig};
use hh_pinn::{Direction, Pin, TrainOptions, train};

const A: f64 = 0.25;
const T_END: f64 = 2.0;

/// `(rel_l2 of u against the exact member, mean graph distance of (u − a, d))`.
fn steered(direction: Direction, pin: Option<f64>, leave: Leave, steps: usize) -> (f64, f64) {
    let problem = ProblemConfig {
        a: A,
        bc: BoundaryMode::Neumann,
        ic: InitialCondition::Const(A),
        t_end: T_END,
        formulation: Formulation::Inclusion,
        ..Default::default()
    };
    let model = problem.model().unwrap();
    assert_eq!(model.components(), 2);
    let mut c = hh_model::presets::inclusion();
    c.steps = steps;
    c.loss.steer.direction = direction;
    if let Some(tau) = pin {
        c.loss.steer.from = tau;
        c.loss.pin = Pin {
            weight: 10.0,
            t: tau,
            value: A,
            component: 0,
        };
    }
    let trained = train(model.clone(), &c, &TrainOptions::default()).unwrap();
    let grid = EvalGrid::paper(&model.domain());
    let fields = trained.evaluate(&grid);
    let (u, d) = (&fields[0], &fields[1]);
    let tau = pin.unwrap_or(0.0);
    let (mut err, mut norm, mut dist) = (0.0, 0.0, 0.0);
    for (r, &t) in grid.t.iter().enumerate() {
        let exact = threshold_family(A, tau, leave, t);
        for col in 0..grid.x.len() {
            err += (u[[r, col]] - exact).powi(2);
            norm += exact * exact;
            dist += graph_distance(u[[r, col]] - A, d[[r, col]]);
        }
    }
    ((err / norm).sqrt(), dist / u.len() as f64)
}

#[test]
fn steered_up_it_finds_the_maximal_solution() {
    let (rel, dist) = steered(Direction::Max, None, Leave::Up, 4000);
    eprintln!("u⁺: rel_l2 {rel:.3e}, mean graph distance {dist:.3e}");
    assert!(rel < 1e-2, "rel_l2 {rel}");
    assert!(dist < 1e-2, "graph distance {dist}");
}

#[test]
fn steered_down_after_a_pinned_time_it_finds_an_intermediate_solution() {
    let (rel, dist) = steered(Direction::Min, Some(0.5), Leave::Down, 8000);
    eprintln!("u_0.5⁻: rel_l2 {rel:.3e}, mean graph distance {dist:.3e}");
    assert!(rel < 1e-2, "rel_l2 {rel}");
    assert!(dist < 1e-2, "graph distance {dist}");
}
