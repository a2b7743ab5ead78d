//! Verification of the finite-difference solver against exact solutions, observed orders of
//! convergence, the comparison principle and travelling-front speeds (`docs/model.md`, "Finite
//! differences").

use hh_fd::{GridConfig, Solution, max_abs_diff, solve};
use hh_model::{
    BoundaryMode, Domain, EvalGrid, InitialCondition, MonotoneSplit, NerveProblem, ProblemConfig,
    Reaction, ReactionDiffusion, Regularisation, Slope,
};
use ndarray::Array2;
use std::f64::consts::PI;

fn problem(cfg: ProblemConfig) -> NerveProblem {
    cfg.build().unwrap()
}

fn grid(nx: usize, nt: usize, theta: f64) -> GridConfig {
    GridConfig {
        nx,
        nt,
        theta,
        ..Default::default()
    }
}

/// Max error of component 0 against `exact(t, x)` over all grid points.
fn error_vs(sol: &Solution, exact: impl Fn(f64, f64) -> f64) -> f64 {
    let u = sol.values(0);
    let mut e: f64 = 0.0;
    for (r, &t) in sol.t().iter().enumerate() {
        for (c, &x) in sol.x().iter().enumerate() {
            e = e.max((u[[r, c]] - exact(t, x)).abs());
        }
    }
    e
}

fn sine_problem() -> NerveProblem {
    // a above max u: H ≡ 0, u = e^{−2t} sin x.
    problem(ProblemConfig {
        a: 2.0,
        ic: InitialCondition::Sin,
        ..Default::default()
    })
}

#[test]
fn exact_decay_of_sine_data() {
    let sol = solve(&sine_problem(), &grid(128, 256, 0.5)).unwrap();
    let e = error_vs(&sol, |t, x| (-2.0 * t).exp() * x.sin());
    assert!(e < 5e-5, "error {e}");
}

#[test]
fn exact_relaxation_when_h_is_one() {
    // a below min u: H_k ≡ 1 and constant data c relaxes as 1 + (c − 1) e^{−t} (neumann).
    let p = problem(ProblemConfig {
        a: -1.0,
        bc: BoundaryMode::Neumann,
        ic: InitialCondition::Const(0.3),
        ..Default::default()
    });
    for theta in [0.5, 1.0] {
        let sol = solve(&p, &grid(16, 400, theta)).unwrap();
        let e = error_vs(&sol, |t, _| 1.0 + (0.3 - 1.0) * (-t).exp());
        // CN's error here comes from its two Rannacher start-up steps (backward Euler halves).
        let tol = if theta == 1.0 { 2e-3 } else { 1e-5 };
        assert!(e < tol, "theta {theta}: error {e}");
    }
}

/// `u₀ ≡ a` with zero flux: the minimal solution is `a e^{−t}`, the maximal `1 − (1 − a) e^{−t}`,
/// and every value in between is reached by some solution (the non-uniqueness envelope).
#[test]
fn envelope_of_constant_threshold_data() {
    let a = 0.3;
    for (reg, exact) in [
        (
            Regularisation::Lower,
            Box::new(move |t: f64| a * (-t).exp()) as Box<dyn Fn(f64) -> f64>,
        ),
        (
            Regularisation::Upper,
            Box::new(move |t: f64| 1.0 - (1.0 - a) * (-t).exp()),
        ),
    ] {
        let p = problem(ProblemConfig {
            a,
            k: Slope::Infinite,
            regularisation: reg,
            bc: BoundaryMode::Neumann,
            ic: InitialCondition::Const(a),
            ..Default::default()
        });
        let sol = solve(&p, &grid(16, 800, 0.5)).unwrap();
        let e = error_vs(&sol, |t, _| exact(t));
        assert!(e < 1e-6, "{reg}: error {e}");
    }
}

#[test]
fn plateau_at_the_threshold_has_an_envelope_of_order_one_in_every_mode() {
    // u₀ = a on |x − π/2| ≤ 0.5: the minimal solution decays, the maximal one rises. Nodes
    // exactly at the level take the selection's value uncorrected, so the corrected scheme picks
    // the same extremal solutions; its u⁻ ≤ u⁺ holds up to its error, the plain scheme's exactly.
    for (interface, tolerance) in [(false, 1e-12), (true, 1e-4)] {
        for bc in BoundaryMode::ALL {
            let solve_side = |reg| {
                let p = problem(ProblemConfig {
                    k: Slope::Infinite,
                    regularisation: reg,
                    bc,
                    ic: InitialCondition::Plateau(0.5),
                    ..Default::default()
                });
                let g = GridConfig {
                    interface,
                    ..grid(256, 256, 0.5)
                };
                let sol = solve(&p, &g).unwrap();
                sol.on_grid(&EvalGrid::paper(&p.domain()), 0)
            };
            let (lower, upper) = (
                solve_side(Regularisation::Lower),
                solve_side(Regularisation::Upper),
            );
            let width = max_abs_diff(&upper, &lower);
            assert!(width > 0.1, "{bc}: u⁺ − u⁻ reaches only {width}");
            let violation = upper
                .iter()
                .zip(&lower)
                .map(|(u, l)| l - u)
                .fold(f64::MIN, f64::max);
            assert!(
                violation <= tolerance,
                "{bc}, interface {interface}: u⁻ ≤ u⁺ violated by {violation}"
            );
        }
    }
}

/// log₂ of successive error ratios.
fn orders(errors: &[f64]) -> Vec<f64> {
    errors.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

#[test]
fn second_order_in_space() {
    let p = sine_problem();
    let errors: Vec<f64> = [16, 32, 64]
        .iter()
        .map(|&nx| {
            let sol = solve(&p, &grid(nx, 2048, 0.5)).unwrap();
            error_vs(&sol, |t, x| (-2.0 * t).exp() * x.sin())
        })
        .collect();
    eprintln!("space: errors {errors:?}, orders {:?}", orders(&errors));
    for q in orders(&errors) {
        assert!(
            (1.9..2.1).contains(&q),
            "space orders {:?} (errors {errors:?})",
            orders(&errors)
        );
    }
}

/// Self-convergence in time on a smooth case (sin data, H ≡ 0): differences of successive
/// halvings of Δt on a fixed spatial grid, at the final time. (With `H_k` the kinks of the ramp
/// make the time error irregular on coarse steps.)
fn time_orders(theta: f64, startup: usize) -> Vec<f64> {
    let p = sine_problem();
    let sols: Vec<Array2<f64>> = [20, 40, 80, 160]
        .iter()
        .map(|&nt| {
            let g = GridConfig {
                startup,
                ..grid(64, nt, theta)
            };
            solve(&p, &g)
                .unwrap()
                .values(0)
                .slice(ndarray::s![-1.., ..])
                .to_owned()
        })
        .collect();
    let diffs: Vec<f64> = sols
        .windows(2)
        .map(|w| max_abs_diff(&w[0], &w[1]))
        .collect();
    eprintln!(
        "time θ = {theta}, start-up {startup}: differences {diffs:?}, orders {:?}",
        orders(&diffs)
    );
    orders(&diffs)
}

#[test]
fn first_order_in_time_for_backward_euler() {
    for q in time_orders(1.0, 0) {
        assert!(
            (0.9..1.15).contains(&q),
            "BE orders {:?}",
            time_orders(1.0, 0)
        );
    }
}

#[test]
fn second_order_in_time_for_crank_nicolson() {
    for startup in [0, 2] {
        for q in time_orders(0.5, startup) {
            assert!(
                (1.85..2.2).contains(&q),
                "CN orders {:?}",
                time_orders(0.5, startup)
            );
        }
    }
}

/// `u_5⁻ ≤ u_20⁻ ≤ u_∞⁻ ≤ u_∞⁺ ≤ u_20⁺ ≤ u_5⁺` at every grid point (backward Euler is a monotone
/// scheme, so the comparison principle holds exactly for the discrete solutions).
#[test]
fn comparison_principle_in_k_and_side() {
    let sol = |k: Slope, r: Regularisation| {
        let p = problem(ProblemConfig {
            a: 0.25,
            k,
            regularisation: r,
            ..Default::default()
        });
        // the plain nodal scheme: monotone, so the comparison principle holds exactly for the
        // discrete solutions (the interface correction keeps it only up to its error)
        let plain = GridConfig {
            interface: false,
            ..grid(200, 200, 1.0)
        };
        solve(&p, &plain).unwrap().values(0).to_owned()
    };
    use Regularisation::{Lower, Upper};
    let chain = [
        sol(Slope::Finite(5.0), Lower),
        sol(Slope::Finite(20.0), Lower),
        sol(Slope::Infinite, Lower),
        sol(Slope::Infinite, Upper),
        sol(Slope::Finite(20.0), Upper),
        sol(Slope::Finite(5.0), Upper),
    ];
    for (i, w) in chain.windows(2).enumerate() {
        let worst = w[0]
            .iter()
            .zip(&w[1])
            .map(|(a, b)| a - b)
            .fold(f64::MIN, f64::max);
        assert!(worst <= 1e-12, "link {i}: exceeds by {worst}");
    }
    // The lower and upper solutions of the paper's problem really differ for finite k.
    assert!(max_abs_diff(&chain[0], &chain[5]) > 1e-2);
}

/// `0 ≤ u ≤ max(sup φ, 1)` in every mode (Crank–Nicolson).
#[test]
fn solutions_stay_within_the_maximum_principle_bounds() {
    for bc in BoundaryMode::ALL {
        let p = problem(ProblemConfig {
            bc,
            ..Default::default()
        });
        let g = GridConfig {
            nx: 254,
            nt: 508,
            margin: Some(4.0),
            ..Default::default()
        };
        let u = solve(&p, &g).unwrap().values(0).to_owned();
        let (lo, hi) = u
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        assert!(
            lo >= -1e-9 && hi <= p.bound() + 1e-9,
            "{bc}: range [{lo}, {hi}]"
        );
    }
}

/// For k = ∞ a front joining 1 to 0 travels at `c(a) = (1 − 2a)/√(a(1 − a))`.
#[test]
fn travelling_front_speed() {
    for a in [0.1f64, 0.25, 0.4] {
        let c = hh_model::waves::front_speed(a);
        let t_end = 20.0 / c;
        let p = problem(ProblemConfig {
            a,
            k: Slope::Infinite,
            bc: BoundaryMode::Neumann,
            ic: InitialCondition::Step(5.0),
            t_end,
            x_min: 0.0,
            x_max: 40.0,
            ..Default::default()
        });
        // a step is rough data: Rannacher start-up damps CN's undamped high modes
        let sol = solve(
            &p,
            &GridConfig {
                startup: 2,
                ..grid(4000, 2000, 0.5)
            },
        )
        .unwrap();
        let u = sol.values(0);
        // position of the level set u = a (last crossing from above), after the transient
        let (mut ts, mut xs) = (Vec::new(), Vec::new());
        for (r, &t) in sol
            .t()
            .iter()
            .enumerate()
            .filter(|(_, t)| **t >= 0.3 * t_end)
        {
            let row = u.row(r);
            let j = (1..row.len())
                .rev()
                .find(|&j| row[j - 1] >= a && row[j] < a)
                .unwrap();
            let w = (row[j - 1] - a) / (row[j - 1] - row[j]);
            ts.push(t);
            xs.push(sol.x()[j - 1] + w * (sol.x()[j] - sol.x()[j - 1]));
        }
        let n = ts.len() as f64;
        let (mt, mx) = (ts.iter().sum::<f64>() / n, xs.iter().sum::<f64>() / n);
        let cov: f64 = ts.iter().zip(&xs).map(|(t, x)| (t - mt) * (x - mx)).sum();
        let var: f64 = ts.iter().map(|t| (t - mt).powi(2)).sum();
        let speed = cov / var;
        let rel = (speed - c).abs() / c;
        eprintln!("a = {a}: measured speed {speed:.5}, exact {c:.5}, relative error {rel:.2e}");
        assert!(rel < 5e-3, "a = {a}: speed {speed} vs {c}");
    }
}

/// The reference tolerance (`docs/model.md`, "Finite differences"): halving h and Δt changes the
/// default-grid solution by less than 1e-4 (max norm on the evaluation grid) for the paper's
/// problem.
#[test]
fn default_grid_is_accurate_to_1e4() {
    for bc in [BoundaryMode::Dirichlet, BoundaryMode::Neumann] {
        let p = problem(ProblemConfig {
            bc,
            ..Default::default()
        });
        let eval = EvalGrid::paper(&p.domain());
        let g = GridConfig::default();
        let coarse = solve(&p, &g).unwrap().on_grid(&eval, 0);
        let fine = solve(&p, &g.refined(2)).unwrap().on_grid(&eval, 0);
        let change = max_abs_diff(&coarse, &fine);
        assert!(change < 1e-4, "{bc}: change {change}");
    }
}

/// `reference` meets its tolerance (`REFERENCE_TOL`, 1e-4) and says by how much.
#[test]
fn reference_meets_its_stated_tolerance() {
    let p = problem(ProblemConfig::default());
    let r = hh_fd::reference(&p).unwrap();
    let e = r.stats.estimated_error.unwrap();
    assert!(e < hh_fd::REFERENCE_TOL, "{e}");
    assert!((r.at(1.0, PI / 2.0, 0) - 0.5191).abs() < 1e-4);
}

/// Two uncoupled copies of the nerve equation as one 2-component system (block path) give the
/// scalar solution twice: the solver is generic over the number of components.
struct Twice(NerveProblem);

impl Reaction for Twice {
    fn components(&self) -> usize {
        2
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        for i in 0..2 {
            self.0.reaction(&u[i..i + 1], &mut f[i..i + 1]);
        }
    }
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        jac.fill(0.0);
        self.0.jacobian(&u[0..1], &mut jac[0..1]);
        self.0.jacobian(&u[1..2], &mut jac[3..4]);
    }
    fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
        None
    }
}

impl ReactionDiffusion for Twice {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 1.0]
    }
    fn domain(&self) -> Domain {
        self.0.domain()
    }
    fn boundary(&self) -> BoundaryMode {
        self.0.boundary()
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        self.0.initial(x, &mut u0[0..1]);
        u0[1] = u0[0];
    }
    fn bound(&self) -> f64 {
        self.0.bound()
    }
}

#[test]
fn block_path_matches_scalar_path() {
    for bc in [BoundaryMode::Dirichlet, BoundaryMode::Neumann] {
        let p = problem(ProblemConfig {
            bc,
            ..Default::default()
        });
        // the block path has no interface correction (m = 2); compare the plain schemes
        let g = GridConfig {
            interface: false,
            ..grid(100, 100, 0.5)
        };
        let one = solve(&p, &g).unwrap();
        let two = solve(&Twice(p), &g).unwrap();
        for i in 0..2 {
            let d = max_abs_diff(&one.values(0).to_owned(), &two.values(i).to_owned());
            assert!(d < 1e-10, "{bc} component {i}: {d}");
        }
    }
}

#[test]
fn free_mode_grows_the_margin_until_the_interval_stops_changing() {
    let p = problem(ProblemConfig {
        bc: BoundaryMode::Free,
        ..Default::default()
    });
    let g = grid(127, 254, 0.5);
    let auto = solve(&p, &g).unwrap();
    let margin = auto.stats.margin.unwrap();
    assert!(margin >= 2.0, "margin {margin}");
    let wider = solve(
        &p,
        &GridConfig {
            margin: Some(2.0 * margin),
            ..g
        },
    )
    .unwrap();
    let change = max_abs_diff(&auto.values(0).to_owned(), &wider.values(0).to_owned());
    assert!(change < 1e-6, "change {change}");
    // and it lies between the dirichlet (absorbing) and neumann (sealed) solutions at the centre
    let mid = |bc| {
        let p = problem(ProblemConfig {
            bc,
            ..Default::default()
        });
        solve(&p, &grid(127, 254, 0.5))
            .unwrap()
            .at(1.0, PI / 2.0, 0)
    };
    let free = auto.at(1.0, PI / 2.0, 0);
    assert!(mid(BoundaryMode::Dirichlet) < free && free < mid(BoundaryMode::Neumann));
}

#[test]
fn invalid_grids_are_rejected_naming_the_field() {
    let p = problem(ProblemConfig::default());
    for (field, g) in [
        (
            "`nx`",
            GridConfig {
                nx: 3,
                ..Default::default()
            },
        ),
        (
            "`nt`",
            GridConfig {
                nt: 0,
                ..Default::default()
            },
        ),
        (
            "`theta`",
            GridConfig {
                theta: 0.4,
                ..Default::default()
            },
        ),
        (
            "`margin`",
            GridConfig {
                margin: Some(f64::NAN),
                ..Default::default()
            },
        ),
    ] {
        let e = solve(&p, &g).unwrap_err().to_string();
        assert!(e.contains(field), "{e}");
    }
}

/// With an increasing reaction term the implicit step is uniquely solvable only for
/// `θΔt · sup f' < 1`. Too coarse a step for a steep ramp is reported as such (with the `nt` that
/// works), and that `nt` does work.
#[test]
fn steep_ramps_need_small_steps_and_say_so() {
    let p = problem(ProblemConfig {
        k: Slope::Finite(1280.0),
        ..Default::default()
    });
    let err = solve(&p, &grid(32, 32, 0.5)).unwrap_err();
    let hh_fd::FdError::StepTooLarge {
        stiffness,
        nt_needed,
        ..
    } = err
    else {
        panic!("{err}")
    };
    assert!(
        stiffness >= 1.0 && nt_needed > 32,
        "{stiffness} {nt_needed}"
    );
    assert_eq!(nt_needed, 640); // θ T (k − 1) = 639.5
    assert!(
        solve(&p, &grid(32, 32, 0.5))
            .unwrap_err()
            .to_string()
            .contains("use nt ≥ 640")
    );
    if let Err(e) = solve(&p, &grid(32, nt_needed, 0.5)) {
        panic!("{e}");
    }
}

/// `u_t = u_xx − u − v + H(u − a)`, `v_t = ε(u − γv)`, `D = (1, 0)` (McKean's caricature with a
/// recovery variable): the coupling `L_uv = −1 < 0` is not order preserving, so monotone
/// iteration (`k = ∞`) must eliminate `v` first. With `a` above every `u` the reaction is linear,
/// `H ≡ 0`, and `u = A(t) sin x`, `v = B(t) sin x` with `(A, B)' = K (A, B)`,
/// `K = [[−2, −1], [ε, −εγ]]`.
struct Recovery {
    k: Slope,
    eps: f64,
    gamma: f64,
}

impl Recovery {
    const A: f64 = 5.0;

    /// `(u, v)` at `(t, x)`: while `H ≡ 0` the model is the shared linear test model
    /// [`Coupled`](hh_core::test_models::Coupled) with the same `ε`, `γ` and data.
    fn exact(&self, t: f64, x: f64) -> [f64; 2] {
        use hh_core::test_models::{Coupled, TestModel};
        let mut jets = [hh_core::Jet::default(); 2];
        Coupled {
            eps: self.eps,
            gamma: self.gamma,
        }
        .exact(t, x, &mut jets);
        jets.map(|j| j.value)
    }

    fn h(&self, u: f64) -> f64 {
        match self.k {
            Slope::Finite(k) => (k * (u - Self::A)).clamp(0.0, 1.0),
            Slope::Infinite => f64::from(u > Self::A),
        }
    }
}

impl Reaction for Recovery {
    fn components(&self) -> usize {
        2
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = -u[0] - u[1] + self.h(u[0]);
        f[1] = self.eps * (u[0] - self.gamma * u[1]);
    }
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        let dh = match self.k {
            Slope::Finite(k) if (0.0..1.0 / k).contains(&(u[0] - Self::A)) => k,
            _ => 0.0,
        };
        jac.copy_from_slice(&[-1.0 + dh, -1.0, self.eps, -self.eps * self.gamma]);
    }
    fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
        self.k.is_infinite().then_some(self as &dyn MonotoneSplit)
    }
}

impl MonotoneSplit for Recovery {
    fn linear(&self) -> Vec<f64> {
        vec![-1.0, -1.0, self.eps, -self.eps * self.gamma]
    }
    fn monotone(&self, u: &[f64], g: &mut [f64]) {
        g[0] = self.h(u[0]);
        g[1] = 0.0;
    }
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 0.0])
    }
    fn side(&self) -> hh_model::Side {
        hh_model::Side::Below
    }
}

impl ReactionDiffusion for Recovery {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }
    fn domain(&self) -> Domain {
        Domain {
            x_min: 0.0,
            x_max: PI,
            t_end: 1.0,
        }
    }
    fn boundary(&self) -> BoundaryMode {
        BoundaryMode::Dirichlet
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = x.sin();
        u0[1] = 0.5 * x.sin();
    }
    fn bound(&self) -> f64 {
        1.0
    }
}

#[test]
fn monotone_iteration_eliminates_the_recovery_variable() {
    let (eps, gamma) = (0.5, 0.5);
    let exact = Recovery {
        k: Slope::Infinite,
        eps,
        gamma,
    };
    let errors: Vec<f64> = [32, 64, 128]
        .iter()
        .map(|&n| {
            let g = GridConfig {
                startup: 0,
                ..grid(n, n, 0.5)
            };
            let sol = solve(&exact, &g).unwrap();
            (0..2)
                .map(|i| {
                    let u = sol.values(i);
                    let mut e: f64 = 0.0;
                    for (r, &t) in sol.t().iter().enumerate() {
                        for (c, &x) in sol.x().iter().enumerate() {
                            e = e.max((u[[r, c]] - exact.exact(t, x)[i]).abs());
                        }
                    }
                    e
                })
                .fold(0.0, f64::max)
        })
        .collect();
    let o = orders(&errors);
    eprintln!("eliminated monotone iteration: errors {errors:?}, orders {o:?}");
    assert!(errors[2] < 1e-4, "{errors:?}");
    assert!(o.iter().all(|&o| (o - 2.0).abs() < 0.1), "{o:?}");

    // The same discrete problem by Newton (finite k, H ≡ 0 here too): the same solution.
    let g = grid(64, 64, 0.5);
    let by_iteration = solve(&exact, &g).unwrap();
    let by_newton = solve(
        &Recovery {
            k: Slope::Finite(3.0),
            eps,
            gamma,
        },
        &g,
    )
    .unwrap();
    for i in 0..2 {
        let d = max_abs_diff(
            &by_iteration.values(i).to_owned(),
            &by_newton.values(i).to_owned(),
        );
        assert!(d < 1e-12, "component {i}: {d}");
    }
    assert!(by_iteration.stats.iterations.monotone > 0);
}

/// Two diffusing components with a negative coupling: nothing to eliminate, and the step is not
/// order preserving, so monotone iteration is refused rather than run.
#[test]
fn monotone_iteration_refuses_a_coupling_that_is_not_order_preserving() {
    struct Competing(Recovery);
    impl Reaction for Competing {
        fn components(&self) -> usize {
            2
        }
        fn reaction(&self, u: &[f64], f: &mut [f64]) {
            self.0.reaction(u, f)
        }
        fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
            self.0.jacobian(u, jac)
        }
        fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
            Some(&self.0)
        }
    }
    impl ReactionDiffusion for Competing {
        fn diffusion(&self) -> Vec<f64> {
            vec![1.0, 1.0]
        }
        fn domain(&self) -> Domain {
            self.0.domain()
        }
        fn boundary(&self) -> BoundaryMode {
            self.0.boundary()
        }
        fn initial(&self, x: f64, u0: &mut [f64]) {
            self.0.initial(x, u0)
        }
        fn bound(&self) -> f64 {
            1.0
        }
    }
    let p = Competing(Recovery {
        k: Slope::Infinite,
        eps: 0.5,
        gamma: 0.5,
    });
    let e = solve(&p, &grid(16, 16, 0.5)).unwrap_err().to_string();
    assert!(
        e.contains("monotone iteration does not apply") && e.contains("< 0"),
        "{e}"
    );
}

#[test]
fn richardson_extrapolation_reaches_1e7_on_the_papers_problem() {
    // k = 5, dirichlet: Crank–Nicolson is second order, and R₂ = (4u₁ − u₀)/3 on grids whose
    // nodes hold the evaluation grid changes by less than 1e-7 from R₁
    let p = problem(ProblemConfig::default());
    let r = hh_fd::extrapolated(&p, &hh_fd::extrapolation_base()).unwrap();
    eprintln!(
        "order {:.3}, plain change {:.2e}, extrapolated estimate {:.2e}",
        r.observed_order, r.finest_change, r.estimated_error
    );
    assert!(
        (r.observed_order - 2.0).abs() < 0.1,
        "order {}",
        r.observed_order
    );
    assert!(r.estimated_error < 1e-7, "estimate {}", r.estimated_error);
    assert!(r.estimated_error < r.finest_change / 10.0);
    // off-node grids are refused
    let bad = GridConfig {
        nx: 1000,
        ..hh_fd::extrapolation_base()
    };
    assert!(hh_fd::extrapolated(&p, &bad).is_err());
}

/// The shared test models (`hh_core::test_models`): Crank–Nicolson converges to each exact
/// solution at order 2 (max error over every node and time step), in both boundary modes and
/// with a non-diffusing component.
#[test]
fn the_shared_test_models_converge_at_order_2() {
    use hh_core::Jet;
    use hh_core::test_models::{Coupled, DampedHeat, TestModel};
    fn max_error(model: &dyn TestModel, n: usize) -> f64 {
        let sol = solve(model, &grid(n, n, 0.5)).unwrap();
        let mut jets = vec![Jet::default(); model.components()];
        let mut err: f64 = 0.0;
        for i in 0..model.components() {
            let u = sol.values(i);
            for (r, &t) in sol.t().iter().enumerate() {
                for (c, &x) in sol.x().iter().enumerate() {
                    model.exact(t, x, &mut jets);
                    err = err.max((u[(r, c)] - jets[i].value).abs());
                }
            }
        }
        err
    }
    let models: [(&str, &dyn TestModel); 3] = [
        (
            "heat, dirichlet",
            &DampedHeat {
                c: 1.0,
                bc: BoundaryMode::Dirichlet,
            },
        ),
        (
            "heat, neumann",
            &DampedHeat {
                c: 1.0,
                bc: BoundaryMode::Neumann,
            },
        ),
        (
            "coupled",
            &Coupled {
                eps: 0.5,
                gamma: 0.5,
            },
        ),
    ];
    for (name, model) in models {
        let (coarse, fine) = (max_error(model, 64), max_error(model, 128));
        let order = (coarse / fine).log2();
        eprintln!("{name}: {coarse:e} → {fine:e}, order {order:.3}");
        assert!(fine < 5e-4, "{name}: {fine:e}");
        assert!((order - 2.0).abs() < 0.1, "{name}: order {order}");
    }
}

/// The exact `k = ∞` front `U(x − ct)` (a = 0.25) on a line long enough that its tails are
/// below 1e-11 at the zero-flux ends: with the interface correction the error is `A h² + O(h³)`,
/// so successive errors fall by 4 and the Richardson extrapolation of two grids is accurate to
/// 1e-7; the plain nodal scheme's error jumps with where the front sits between nodes
/// (lattice effects), and its extrapolation gains little.
#[test]
fn the_exact_front_converges_smoothly_with_the_interface_correction() {
    let a = 0.25;
    let (x_min, x_max, t_end) = (-45.0, 15.0, 2.0);
    let p = problem(ProblemConfig {
        a,
        k: Slope::Infinite,
        bc: BoundaryMode::Neumann,
        ic: InitialCondition::Front(0.0),
        x_min,
        x_max,
        t_end,
        ..Default::default()
    });
    let c = hh_model::waves::front_speed(a);
    let exact = |x: f64| hh_model::waves::front_profile(a, x - c * t_end);
    let base = 2400;
    let finals = |interface: bool| -> Vec<Vec<f64>> {
        [1, 2, 4]
            .iter()
            .map(|&f| {
                let g = GridConfig {
                    nx: base * f,
                    nt: base * f / 10,
                    theta: 0.5,
                    startup: 0,
                    interface,
                    ..Default::default()
                };
                let sol = solve(&p, &g).unwrap();
                let last = sol.values(0).row(g.nt).to_vec();
                last.into_iter().step_by(f).collect()
            })
            .collect()
    };
    let x = |j: usize| x_min + (x_max - x_min) * j as f64 / base as f64;
    let error = |u: &[f64]| {
        u.iter()
            .enumerate()
            .map(|(j, v)| (v - exact(x(j))).abs())
            .fold(0.0, f64::max)
    };
    let richardson = |fine: &[f64], coarse: &[f64]| -> Vec<f64> {
        fine.iter()
            .zip(coarse)
            .map(|(f, c)| (4.0 * f - c) / 3.0)
            .collect()
    };
    let corrected = finals(true);
    let e: Vec<f64> = corrected.iter().map(|u| error(u)).collect();
    for w in e.windows(2) {
        let ratio = w[0] / w[1];
        assert!((ratio - 4.0).abs() < 0.2, "errors {e:?}: ratio {ratio}");
    }
    let extrapolated = error(&richardson(&corrected[2], &corrected[1]));
    assert!(
        extrapolated < 1e-7,
        "extrapolated error {extrapolated:e} (plain errors {e:?})"
    );
    let plain = finals(false);
    let plain_extrapolated = error(&richardson(&plain[2], &plain[1]));
    assert!(
        plain_extrapolated > 10.0 * extrapolated,
        "plain {plain_extrapolated:e} vs corrected {extrapolated:e}"
    );
}

/// The paper's problem at `k = ∞` (dirichlet, a = 0.1): with the interface correction the
/// observed order is 2 and Richardson extrapolation gains two orders of magnitude over the
/// finest plain solution; without it the order wanders and extrapolation gains little.
#[test]
fn the_paper_problem_at_k_infinity_extrapolates() {
    let p = problem(ProblemConfig {
        k: Slope::Infinite,
        ..Default::default()
    });
    let base = |interface| GridConfig {
        nx: 127 * 4,
        nt: 127 * 8,
        interface,
        ..hh_fd::extrapolation_base()
    };
    let corrected = hh_fd::extrapolated(&p, &base(true)).unwrap();
    let plain = hh_fd::extrapolated(&p, &base(false)).unwrap();
    eprintln!(
        "corrected: order {:.4}, estimate {:.3e}, finest change {:.3e}; plain: order {:.4}, estimate {:.3e}",
        corrected.observed_order,
        corrected.estimated_error,
        corrected.finest_change,
        plain.observed_order,
        plain.estimated_error
    );
    assert!((corrected.observed_order - 2.0).abs() < 0.05);
    assert!(corrected.estimated_error < corrected.finest_change / 50.0);
    assert!(plain.estimated_error > 10.0 * corrected.estimated_error);
}
