//! The inclusion itself, `u_t − u_xx + u ∈ H(u − a)`, without a regularisation: its solutions
//! are pairs `(u, d)` (the paper's (3)–(4)),
//!
//! ```text
//! u_t − u_xx + u = d,    d(t, x) ∈ H(u(t, x) − a)   almost everywhere,
//! ```
//!
//! with `H` the multivalued Heaviside graph `G = {(s, 0): s ≤ 0} ∪ {0} × [0, 1] ∪ {(s, 1): s ≥ 0}`.
//! The selection `d` is free in `[0, 1]` only where `u = a`, so solutions differ only where `u`
//! sits at the threshold on a set of positive measure. [`NerveInclusion`] writes this as a system
//! of two components with a diagonal mass `M = (1, 0)`:
//!
//! ```text
//! ∂_t u = ∂_xx u − u + d,      0 = dist((u − a, d), G),
//! ```
//!
//! the second an algebraic constraint (see [`crate::ReactionDiffusion::mass`]) whose residual is
//! the distance to the graph ([`graph_distance`]): continuous, 1-Lipschitz, zero exactly on
//! solutions. No `k` enters. A PINN trains both outputs on it; finite differences compute the
//! extremal solutions instead (`k = ∞`, `lower` and `upper`).
//!
//! For `u₀ ≡ a` with zero-flux ends the solution set is explicit ([`threshold_family`]): stay at
//! `a` until any `τ ≥ 0` (with `d = a`), then leave up (`d = 1`) or down (`d = 0`).

use crate::initial::Profile;
use crate::{BoundaryMode, Domain, Formulation, Jet, NerveProblem, Reaction, ReactionDiffusion};

/// The point of the graph `G` of `H` nearest to `(s, y)` (`s = u − a`, `y = d`): the nearest of
/// the projections onto the left ray `(min(s, 0), 0)`, the segment `(0, clamp(y, 0, 1))` and the
/// right ray `(max(s, 0), 1)`.
pub fn nearest_on_graph(s: f64, y: f64) -> (f64, f64) {
    let candidates = [
        (s.min(0.0), 0.0),
        (0.0, y.clamp(0.0, 1.0)),
        (s.max(0.0), 1.0),
    ];
    let d2 = |(p, q): (f64, f64)| (s - p).powi(2) + (y - q).powi(2);
    candidates
        .into_iter()
        .min_by(|&a, &b| d2(a).total_cmp(&d2(b)))
        .unwrap_or((0.0, 0.0))
}

/// The Euclidean distance of `(s, y)` to the graph `G` of `H`: 0 exactly on `G`, 1-Lipschitz
/// (a distance to a closed set). On the left ray's side it is `|y|` for `s ≤ 0`, on the right
/// ray's `|y − 1|` for `s ≥ 0`, and `|s|` off the segment's ends for `y ∈ [0, 1]`.
pub fn graph_distance(s: f64, y: f64) -> f64 {
    let (p, q) = nearest_on_graph(s, y);
    (s - p).hypot(y - q)
}

/// Which way a solution leaves the threshold `a`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// Towards 1 (`d = 1`).
    Up,
    /// Towards 0 (`d = 0`).
    Down,
}

/// The solution `u_τ^±(t)` of the inclusion from `u₀ ≡ a` (zero flux or the whole line): `a` for
/// `t ≤ τ`, then `1 − (1 − a) e^{−(t − τ)}` (up) or `a e^{−(t − τ)}` (down). `τ = 0` gives the
/// maximal solution `u⁺` (up) and the minimal `u⁻` (down); every `τ ≥ 0` and direction is a
/// solution, so the Cauchy problem has a continuum of them.
pub fn threshold_family(a: f64, tau: f64, leave: Leave, t: f64) -> f64 {
    if t <= tau {
        return a;
    }
    let e = (-(t - tau)).exp();
    match leave {
        Leave::Up => 1.0 - (1.0 - a) * e,
        Leave::Down => a * e,
    }
}

/// The nerve-impulse inclusion as a two-component system `(u, d)` with mass `(1, 0)` (see the
/// module documentation): the threshold, boundary mode, initial condition and domain of a
/// [`NerveProblem`]; its `k` and regularisation play no part.
#[derive(Clone, Debug, PartialEq)]
pub struct NerveInclusion {
    problem: NerveProblem,
}

impl NerveInclusion {
    pub fn new(problem: NerveProblem) -> Self {
        Self { problem }
    }

    /// The threshold `a`.
    pub fn a(&self) -> f64 {
        self.problem.interaction().a
    }

    pub fn profile(&self) -> &Profile {
        self.problem.profile()
    }
}

impl Reaction for NerveInclusion {
    fn components(&self) -> usize {
        2
    }

    /// `f = (d − u, −dist((u − a, d), G))`.
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = u[1] - u[0];
        f[1] = -graph_distance(u[0] - self.a(), u[1]);
    }

    /// `∂f₀ = (−1, 1)`; `∂f₁ = −(p − π(p)) / |p − π(p)|` with `p = (u − a, d)` and `π` the nearest
    /// point of `G` (0 on `G`, where the distance has no gradient but its square has gradient 0).
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        let (s, y) = (u[0] - self.a(), u[1]);
        let (p, q) = nearest_on_graph(s, y);
        let dist = (s - p).hypot(y - q);
        jac[0] = -1.0;
        jac[1] = 1.0;
        if dist > 0.0 {
            jac[2] = -(s - p) / dist;
            jac[3] = -(y - q) / dist;
        } else {
            jac[2] = 0.0;
            jac[3] = 0.0;
        }
    }
}

impl ReactionDiffusion for NerveInclusion {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }

    fn mass(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }

    fn domain(&self) -> Domain {
        self.problem.domain()
    }

    fn boundary(&self) -> BoundaryMode {
        self.problem.boundary()
    }

    /// `(u₀(x), 0)`: `d` is algebraic and has no initial condition; the 0 is never imposed.
    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = self.profile().eval(x);
        u0[1] = 0.0;
    }

    fn bound(&self) -> f64 {
        self.problem.bound()
    }

    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        match self.profile().jet(x) {
            Some(j) => {
                out[0] = j;
                out[1] = Jet::default();
                true
            }
            None => false,
        }
    }

    /// The problem's config with `formulation = "inclusion"`.
    fn describe(&self) -> serde_json::Value {
        let mut config = self.problem.config().clone();
        config.formulation = Formulation::Inclusion;
        serde_json::to_value(&config).unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InitialCondition, ProblemConfig};

    #[test]
    fn graph_distance_is_zero_exactly_on_the_graph() {
        for (s, y) in [(-2.0, 0.0), (0.0, 0.0), (0.0, 0.3), (0.0, 1.0), (3.0, 1.0)] {
            assert_eq!(graph_distance(s, y), 0.0, "({s}, {y})");
        }
        for (s, y) in [(-1.0, 0.5), (1.0, 0.5), (0.1, 0.0), (-0.1, 1.0), (0.0, 1.5)] {
            assert!(graph_distance(s, y) > 0.0, "({s}, {y})");
        }
    }

    #[test]
    fn graph_distance_values_off_the_graph() {
        let cases = [
            // left ray, above it: |y|
            ((-2.0, 0.25), 0.25),
            // right of the segment, between the rays: min(|s|, 1 − y, y) in the strip
            ((0.1, 0.5), 0.1),
            ((0.5, 0.9), 0.1),
            // above the segment's top, left of the right ray: √(s² + (y − 1)²)
            ((-0.3, 1.4), 0.5),
            // below the left ray: |y|
            ((-1.0, -0.5), 0.5),
            // the corner (0, 0) from below right
            ((0.3, -0.4), 0.5),
        ];
        for ((s, y), want) in cases {
            let got = graph_distance(s, y);
            assert!(
                (got - want).abs() < 1e-15,
                "dist({s}, {y}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn graph_distance_is_one_lipschitz() {
        let mut worst: f64 = 0.0;
        let n = 41;
        let p = |i: usize| -> f64 { -1.0 + 3.0 * i as f64 / (n - 1) as f64 };
        for i in 0..n {
            for j in 0..n {
                for (di, dj) in [(1usize, 0usize), (0, 1), (1, 1), (3, 2)] {
                    if i + di >= n || j + dj >= n {
                        continue;
                    }
                    let (a, b) = ((p(i), p(j)), (p(i + di), p(j + dj)));
                    let ratio = (graph_distance(a.0, a.1) - graph_distance(b.0, b.1)).abs()
                        / (a.0 - b.0).hypot(a.1 - b.1);
                    worst = worst.max(ratio);
                }
            }
        }
        assert!(worst <= 1.0 + 1e-12, "Lipschitz constant {worst}");
        assert!(worst > 0.99, "the bound is attained: {worst}");
    }

    #[test]
    fn the_jacobian_is_the_gradient() {
        let model = NerveInclusion::new(ProblemConfig::default().build().unwrap());
        let h = 1e-7;
        for (u, d) in [(0.3, 0.2), (0.05, 0.5), (0.12, 1.3), (-0.2, -0.1)] {
            let mut jac = [0.0; 4];
            model.jacobian(&[u, d], &mut jac);
            let f = |u: f64, d: f64| {
                let mut f = [0.0; 2];
                model.reaction(&[u, d], &mut f);
                f[1]
            };
            let du = (f(u + h, d) - f(u - h, d)) / (2.0 * h);
            let dd = (f(u, d + h) - f(u, d - h)) / (2.0 * h);
            assert!((jac[2] - du).abs() < 1e-6 && (jac[3] - dd).abs() < 1e-6);
            assert_eq!(jac[..2], [-1.0, 1.0]);
        }
    }

    #[test]
    fn every_member_of_the_threshold_family_solves_the_inclusion() {
        // u' + u = d with d ∈ H(u − a), checked by differences in t away from the kink at τ
        let a = 0.25;
        for leave in [Leave::Up, Leave::Down] {
            for tau in [0.0f64, 0.3, 0.7] {
                for t in [0.1, 0.5, 0.9, 1.5] {
                    if (t - tau).abs() < 1e-3 {
                        continue;
                    }
                    let u = |t| threshold_family(a, tau, leave, t);
                    let h = 1e-6;
                    let d = (u(t + h) - u(t - h)) / (2.0 * h) + u(t);
                    assert!(
                        graph_distance(u(t) - a, d) < 1e-8,
                        "{leave:?} τ {tau} t {t}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_model_has_an_algebraic_selection() {
        let p = ProblemConfig {
            ic: InitialCondition::Const(0.1),
            ..Default::default()
        };
        let model = NerveInclusion::new(p.build().unwrap());
        assert_eq!(model.mass(), [1.0, 0.0]);
        assert_eq!(model.diffusion(), [1.0, 0.0]);
        assert_eq!(model.describe()["formulation"], "inclusion");
    }
}
