//! FitzHugh–Nagumo through the unchanged finite-difference solver, against exact solutions:
//! the Nagumo front (`ε = 0`), McKean's front (`ε = 0`, `k = ∞`), and a linear coupled system
//! with off-diagonal coupling and a non-diffusing component (`D = (1, 0)`) in all three boundary
//! modes, with observed orders.

use hh_fd::{GridConfig, Solution, solve};
use hh_fhn::{FhnConfig, Initial, Kind, nagumo_front, nagumo_speed};
use hh_model::{BoundaryMode, InitialCondition, Slope};
use std::f64::consts::{FRAC_PI_2, PI};

fn grid(nx: usize, nt: usize) -> GridConfig {
    GridConfig {
        nx,
        nt,
        startup: 0, // smooth, compatible data: plain Crank–Nicolson
        ..Default::default()
    }
}

fn orders(errors: &[f64]) -> Vec<f64> {
    errors.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

/// Max error of component `i` against `exact(t, x)` over the whole grid.
fn error_vs(sol: &Solution, i: usize, exact: impl Fn(f64, f64) -> f64) -> f64 {
    let u = sol.values(i);
    let mut e: f64 = 0.0;
    for (r, &t) in sol.t().iter().enumerate() {
        for (c, &x) in sol.x().iter().enumerate() {
            e = e.max((u[[r, c]] - exact(t, x)).abs());
        }
    }
    e
}

/// The speed of the leading front of `u` at `level` over the second half of the run.
fn speed(sol: &Solution, level: f64) -> f64 {
    let t_end = sol.t()[sol.t().len() - 1];
    hh_eval::waves::front_speed(sol, 0, level, t_end / 2.0).expect("a front at every time")
}

/// `ε = 0`, `v ≡ 0`, cubic: the Nagumo equation; sealed ends 30 away from the front, where the
/// exact front's flux is below 1e-9.
fn nagumo(a: f64) -> FhnConfig {
    FhnConfig {
        interaction: Kind::Cubic,
        a,
        eps: 0.0,
        bc: BoundaryMode::Neumann,
        ic: Initial::Nagumo(0.0),
        t_end: 4.0,
        x_min: -30.0,
        x_max: 30.0,
        ..Default::default()
    }
}

#[test]
fn nagumo_front_second_order_in_space_and_time() {
    let a = 0.25;
    let model = nagumo(a).build().unwrap();
    let c = nagumo_speed(a);
    let exact = |t: f64, x: f64| nagumo_front(x - c * t);
    // space: Δt small enough that the time error is negligible
    let space: Vec<f64> = [150, 300, 600]
        .iter()
        .map(|&nx| error_vs(&solve(&model, &grid(nx, 1600)).unwrap(), 0, exact))
        .collect();
    // time: at a fixed h, against the same h with Δt / 32 (isolates the time error)
    let fine = solve(&model, &grid(600, 640)).unwrap();
    let time: Vec<f64> = [20, 40, 80]
        .iter()
        .map(|&nt| {
            let sol = solve(&model, &grid(600, nt)).unwrap();
            error_vs(&sol, 0, |t, x| fine.at(t, x, 0))
        })
        .collect();
    let (os, ot) = (orders(&space), orders(&time));
    eprintln!(
        "Nagumo front: space errors {space:?} orders {os:?}; time errors {time:?} orders {ot:?}"
    );
    assert!(
        os.iter().all(|o| (o - 2.0).abs() < 0.1),
        "space orders {os:?}"
    );
    assert!(
        ot.iter().all(|o| (o - 2.0).abs() < 0.15),
        "time orders {ot:?}"
    );
    // v stays 0 when ε = 0
    let sol = solve(&model, &grid(150, 100)).unwrap();
    assert_eq!(error_vs(&sol, 1, |_, _| 0.0), 0.0);
}

#[test]
fn nagumo_front_speed_within_a_tenth_of_a_percent() {
    for a in [0.1, 0.25, 0.4] {
        let model = FhnConfig {
            t_end: 20.0,
            x_min: -40.0,
            x_max: 40.0,
            ..nagumo(a)
        }
        .build()
        .unwrap();
        let sol = solve(&model, &grid(1600, 800)).unwrap();
        let (measured, exact) = (speed(&sol, 0.5), nagumo_speed(a));
        let rel = (measured - exact).abs() / exact;
        eprintln!("Nagumo a = {a}: speed {measured:.6} vs {exact:.6} (relative {rel:.1e})");
        assert!(rel < 1e-3, "a = {a}: {measured} vs {exact}");
    }
}

#[test]
fn mckean_front_speed_at_k_infinity() {
    for a in [0.1, 0.25, 0.4] {
        let model = FhnConfig {
            interaction: Kind::Mckean,
            a,
            eps: 0.0,
            k: Slope::Infinite,
            bc: BoundaryMode::Neumann,
            ic: Initial::Common(InitialCondition::Step(-12.0)),
            t_end: 10.0,
            x_min: -20.0,
            x_max: 25.0,
            ..Default::default()
        }
        .build()
        .unwrap();
        // A step is rough data: Rannacher start-up damps Crank–Nicolson's undamped high modes.
        // With the interface correction at u = a, h = 0.01 and Δt = 0.01 measure 2.5e-5, 7.4e-6
        // and 1.5e-5 for a = 0.1, 0.25, 0.4 (the plain scheme, switching H node by node: 1.5e-3
        // for a = 0.25 on this grid, and still 2.7e-4, 8.7e-4 for a = 0.25, 0.4 at h = 0.005).
        let g = GridConfig {
            startup: 2,
            ..grid(4500, 1000)
        };
        let sol = solve(&model, &g).unwrap();
        let measured = speed(&sol, a);
        let exact = hh_model::waves::front_speed(a); // McKean at k = ∞
        let rel = (measured - exact).abs() / exact;
        eprintln!("McKean a = {a}: speed {measured:.6} vs {exact:.6} (relative {rel:.1e})");
        assert!(rel < 5e-5, "a = {a}: {measured} vs {exact}");
        assert!(sol.stats.iterations.newton > 0);
    }
}

/// `mckean` with `a` above every `u` is linear, `f(u, v) = (−u − v, ε(u − γv))`; for
/// `u₀ = sin x`, `v₀ = sin x` on `(−π/2, π/2)` — an eigenfunction of `∂ₓₓ` for dirichlet ends at
/// `±π` (use `(0, π)`), for sealed ends at `±π/2`, and on the whole line — the solution is
/// `(A(t), B(t)) sin x` with `(A, B)' = K (A, B)`, `K = [[−2, −1], [ε, −εγ]]`, `A₀ = B₀ = 1`.
struct Linear {
    eps: f64,
    gamma: f64,
}

impl Linear {
    /// `e^{Kt} (1, 1)` by `e^{Kt} = e^{τt/2}(c I + s (K − τ/2 I))`, `c = cosh ωt`,
    /// `s = sinh(ωt)/ω`, `ω² = τ²/4 − det K` (`cos`, `sin` when negative).
    fn modes(&self, t: f64) -> [f64; 2] {
        let k = [[-2.0, -1.0], [self.eps, -self.eps * self.gamma]];
        let tau = k[0][0] + k[1][1];
        let det = k[0][0] * k[1][1] - k[0][1] * k[1][0];
        let disc = tau * tau / 4.0 - det;
        let w = disc.abs().sqrt();
        let (c, s) = if disc >= 0.0 {
            ((w * t).cosh(), (w * t).sinh() / w)
        } else {
            ((w * t).cos(), (w * t).sin() / w)
        };
        let e = (tau * t / 2.0).exp();
        let m = |i: usize, j: usize| {
            let id = f64::from(i == j);
            e * (c * id + s * (k[i][j] - tau / 2.0 * id))
        };
        [m(0, 0) + m(0, 1), m(1, 0) + m(1, 1)]
    }
}

#[test]
fn coupled_linear_system_second_order_in_every_mode() {
    let (eps, gamma) = (0.8, 2.0); // complex eigenvalues: K has τ²/4 < det
    let lin = Linear { eps, gamma };
    for bc in BoundaryMode::ALL {
        let (x_min, x_max) = match bc {
            BoundaryMode::Dirichlet => (0.0, PI),
            _ => (-FRAC_PI_2, FRAC_PI_2),
        };
        for k in [Slope::Finite(4.0), Slope::Infinite] {
            let model = FhnConfig {
                interaction: Kind::Mckean,
                a: 5.0,
                eps,
                gamma,
                k,
                bc,
                ic: Initial::Common(InitialCondition::Sin),
                v0: Initial::Common(InitialCondition::Sin),
                t_end: 1.0,
                x_min,
                x_max,
                ..Default::default()
            }
            .build()
            .unwrap();
            let errors: Vec<f64> = [16, 32, 64]
                .iter()
                .map(|&n| {
                    let g = GridConfig {
                        // free: sealed far ends at ±(π/2 + 2π), where sin is flat
                        margin: (bc == BoundaryMode::Free).then_some(2.0 * PI),
                        ..grid(n, n)
                    };
                    let sol = solve(&model, &g).unwrap();
                    (0..2)
                        .map(|i| error_vs(&sol, i, |t, x| lin.modes(t)[i] * x.sin()))
                        .fold(0.0, f64::max)
                })
                .collect();
            let o = orders(&errors);
            eprintln!("linear coupled, {bc}, k = {k}: errors {errors:?} orders {o:?}");
            assert!(errors[2] < 2e-4, "{bc} {k}: {errors:?}");
            assert!(o.iter().all(|o| (o - 2.0).abs() < 0.1), "{bc} {k}: {o:?}");
        }
    }
}
