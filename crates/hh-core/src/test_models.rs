//! Small models with solutions in closed form, shared by the tests of every solver (diffsol's
//! `test_models`): a solver is checked against [`TestModel::exact`] on each of them, whatever its
//! method. Both are linear, so their exact solutions are modes `A(t) sin x` or `A(t) cos x` on
//! `(0, π)`; nothing here depends on a solver.

use std::f64::consts::PI;

use crate::{BoundaryMode, Domain, Jet, Reaction, ReactionDiffusion};

/// A model whose solution is known: `u_i(t, x)` with its derivatives.
pub trait TestModel: ReactionDiffusion {
    /// `u_i(t, x)` and its derivatives `u_x`, `u_t`, `u_xx`, one jet per component.
    fn exact(&self, t: f64, x: f64, out: &mut [Jet]);
}

/// The domain of every test model: `(0, π) × (0, 1]`.
fn domain() -> Domain {
    Domain {
        x_min: 0.0,
        x_max: PI,
        t_end: 1.0,
    }
}

/// `sin x` (dirichlet) or `cos x` (neumann) with its derivatives, times `a(t)` with `a' = rate·a`.
fn mode(bc: BoundaryMode, x: f64, a: f64, rate: f64) -> Jet {
    let (s, c) = x.sin_cos();
    let (v, vx) = match bc {
        BoundaryMode::Neumann => (c, -s),
        _ => (s, c),
    };
    Jet {
        value: a * v,
        x: a * vx,
        t: rate * a * v,
        xx: -a * v,
    }
}

/// The damped heat equation `u_t = u_xx − c u` on `(0, π)`, `u₀ = sin x` (dirichlet) or `cos x`
/// (neumann): `u = e^{−(1 + c) t} u₀`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DampedHeat {
    pub c: f64,
    /// `dirichlet` or `neumann`.
    pub bc: BoundaryMode,
}

impl Reaction for DampedHeat {
    fn components(&self) -> usize {
        1
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = -self.c * u[0];
    }
    fn jacobian(&self, _u: &[f64], jac: &mut [f64]) {
        jac[0] = -self.c;
    }
}

impl ReactionDiffusion for DampedHeat {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0]
    }
    fn domain(&self) -> Domain {
        domain()
    }
    fn boundary(&self) -> BoundaryMode {
        self.bc
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = mode(self.bc, x, 1.0, 0.0).value;
    }
    fn bound(&self) -> f64 {
        1.0
    }
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        out[0] = Jet {
            t: 0.0,
            ..mode(self.bc, x, 1.0, 0.0)
        };
        true
    }
}

impl TestModel for DampedHeat {
    fn exact(&self, t: f64, x: f64, out: &mut [Jet]) {
        let rate = -(1.0 + self.c);
        out[0] = mode(self.bc, x, (rate * t).exp(), rate);
    }
}

/// A diffusing variable coupled to a non-diffusing one (FitzHugh–Nagumo's linear part):
/// `u_t = u_xx − u − v`, `v_t = ε (u − γ v)`, `D = (1, 0)`, dirichlet, `(u₀, v₀) = (1, ½) sin x`.
/// Then `(u, v) = (A(t), B(t)) sin x` with `(A, B)' = K (A, B)`, `K = [[−2, −1], [ε, −εγ]]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coupled {
    pub eps: f64,
    pub gamma: f64,
}

impl Coupled {
    fn matrix(&self) -> [[f64; 2]; 2] {
        [[-2.0, -1.0], [self.eps, -self.eps * self.gamma]]
    }

    /// `e^{Kt} (1, ½)`, by `e^{Kt} = e^{τt/2}(c I + s (K − τ/2 I))` with `c = cosh(ωt)`,
    /// `s = sinh(ωt)/ω`, `ω² = τ²/4 − det K` (`cos`, `sin` when negative).
    fn modes(&self, t: f64) -> [f64; 2] {
        let k = self.matrix();
        let tau = k[0][0] + k[1][1];
        let det = k[0][0] * k[1][1] - k[0][1] * k[1][0];
        let disc = tau * tau / 4.0 - det;
        let w = disc.abs().sqrt();
        let (c, s) = if w == 0.0 {
            (1.0, t)
        } else if disc > 0.0 {
            ((w * t).cosh(), (w * t).sinh() / w)
        } else {
            ((w * t).cos(), (w * t).sin() / w)
        };
        let e = (tau * t / 2.0).exp();
        let x0 = [1.0, 0.5];
        let m = |i: usize, j: usize| {
            let id = if i == j { 1.0 } else { 0.0 };
            e * (c * id + s * (k[i][j] - tau / 2.0 * id))
        };
        [
            m(0, 0) * x0[0] + m(0, 1) * x0[1],
            m(1, 0) * x0[0] + m(1, 1) * x0[1],
        ]
    }
}

impl Reaction for Coupled {
    fn components(&self) -> usize {
        2
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = -u[0] - u[1];
        f[1] = self.eps * (u[0] - self.gamma * u[1]);
    }
    fn jacobian(&self, _u: &[f64], jac: &mut [f64]) {
        jac.copy_from_slice(&[-1.0, -1.0, self.eps, -self.eps * self.gamma]);
    }
}

impl ReactionDiffusion for Coupled {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }
    fn domain(&self) -> Domain {
        domain()
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
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        let (s, c) = x.sin_cos();
        out[0] = Jet::of_x(s, c, -s);
        out[1] = Jet::of_x(0.5 * s, 0.5 * c, -0.5 * s);
        true
    }
}

impl TestModel for Coupled {
    fn exact(&self, t: f64, x: f64, out: &mut [Jet]) {
        let [a, b] = self.modes(t);
        let k = self.matrix();
        // (A, B)' = K (A, B)
        let (da, db) = (k[0][0] * a + k[0][1] * b, k[1][0] * a + k[1][1] * b);
        let (s, c) = x.sin_cos();
        out[0] = Jet {
            value: a * s,
            x: a * c,
            t: da * s,
            xx: -a * s,
        };
        out[1] = Jet {
            value: b * s,
            x: b * c,
            t: db * s,
            xx: -b * s,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact solutions solve their equations: `M u_t − D u_xx − f(u) = 0` at every point.
    fn residual_vanishes(model: &dyn TestModel) {
        let m = model.components();
        let (d, mass) = (model.diffusion(), model.mass());
        let mut jets = vec![Jet::default(); m];
        let (mut u, mut f) = (vec![0.0; m], vec![0.0; m]);
        for (t, x) in [(0.0, 0.3), (0.4, 1.1), (1.0, 2.9)] {
            model.exact(t, x, &mut jets);
            for (ui, j) in u.iter_mut().zip(&jets) {
                *ui = j.value;
            }
            model.reaction(&u, &mut f);
            for i in 0..m {
                let r = mass[i] * jets[i].t - d[i] * jets[i].xx - f[i];
                assert!(r.abs() < 1e-13, "component {i} at ({t}, {x}): {r:e}");
            }
            if t == 0.0 {
                let mut u0 = vec![0.0; m];
                model.initial(x, &mut u0);
                assert!(u0.iter().zip(&u).all(|(a, b)| (a - b).abs() < 1e-15));
            }
        }
    }

    #[test]
    fn exact_solutions_solve_their_equations() {
        for bc in [BoundaryMode::Dirichlet, BoundaryMode::Neumann] {
            residual_vanishes(&DampedHeat { c: 1.0, bc });
        }
        for (eps, gamma) in [(0.5, 0.5), (2.0, 0.0), (0.08, 4.0)] {
            residual_vanishes(&Coupled { eps, gamma });
        }
    }
}
