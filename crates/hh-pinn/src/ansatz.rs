//! Output ansätze `u_i = A_i(x, t) + B_i(x, t) · N_i(x, t)`, one per component: known functions
//! `A_i`, `B_i` combined with the network output `N_i` so that conditions hold by construction.
//!
//! The derivatives follow from the product rule (computed exactly from `N`'s Taylor streams):
//!
//! ```text
//! u_x  = A_x  + B_x N + B N_x,          u_t = A_t + B_t N + B N_t,
//! u_xx = A_xx + B_xx N + 2 B_x N_x + B N_xx.
//! ```
//!
//! [`Hard`] builds every combination the trainer offers from the model:
//!
//! ```text
//! A_i = w_i(t, x)  (linear part),   u₀,i(x)  (hard initial),   u_i(Δ, x) of the previous
//!       time window (marching, [`crate::march`]),   0  (none of these)
//! B_i = T(t) · D_i(x),   T = t / t_end when A carries the initial condition, else 1,
//! D_i = (x − x_min)(x_max − x)  for a diffusing component under a hard dirichlet condition, else 1.
//! ```
//!
//! With the linear part `w` (the model's closed-form solution of its linear part, see
//! [`hh_core::LinearSolution`]) the network only learns the remainder `u − w`, which starts at 0
//! and is driven by a bounded source: no initial layer to represent. A hard initial condition
//! with a dirichlet factor is exact only where `u₀` vanishes at the ends; the paper's
//! `φ = 2 / cosh(10 (x − π/2))` has `φ(0) = φ(π) = 2 / cosh(5π) ≈ 6.0e-7`, far below the accuracy of
//! any result reported.

use hh_core::{Jet, LinearSolution, ReactionDiffusion};
use std::fmt::Debug;
use std::sync::Arc;

use crate::march::Frozen;

/// `A_i` and `B_i` of one component at one point.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Fields {
    pub a: Jet,
    pub b: Jet,
}

/// A known transformation `u_i = A_i + B_i N_i` of the network outputs.
pub trait Ansatz: Send + Sync + Debug {
    /// `A_i`, `B_i` for every component at `(x, t)`.
    fn fields(&self, x: f64, t: f64, out: &mut [Fields]);
    /// [`Ansatz::fields`] at many points: `out` holds `n × m` fields, point after point.
    /// Override it where a batch is cheaper than its points (a network in `A`).
    fn fields_batch(&self, xs: &[f64], ts: &[f64], out: &mut [Fields]) {
        let m = out.len() / xs.len().max(1);
        for ((&x, &t), f) in xs.iter().zip(ts).zip(out.chunks_exact_mut(m)) {
            self.fields(x, t, f);
        }
    }
    /// True when `u(0, x) = u₀(x)` holds by construction (no initial loss term needed).
    fn imposes_initial(&self) -> bool;
}

/// What `A` is.
#[derive(Clone)]
pub enum Base {
    /// `A = 0`.
    Zero,
    /// `A = u₀(x)` ([`ReactionDiffusion::initial_jet`]).
    Initial(Arc<dyn ReactionDiffusion>),
    /// `A = w(t, x)` ([`ReactionDiffusion::linear_solution`]).
    Linear(Arc<dyn LinearSolution>),
    /// `A = u(Δ, x)` of the previous time window ([`Frozen::end_jets`]).
    Window(Arc<Frozen>),
}

impl Debug for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Base::Zero => f.write_str("Zero"),
            Base::Initial(_) => f.write_str("Initial(u₀)"),
            Base::Linear(w) => f.debug_tuple("Linear").field(w).finish(),
            Base::Window(w) => f.debug_tuple("Window").field(w).finish(),
        }
    }
}

/// `u_i = A_i + T(t) D_i(x) N_i` (see the module documentation).
#[derive(Clone, Debug)]
pub struct Hard {
    pub base: Base,
    /// `Some((x_min, x_max))`: the dirichlet factor `D_i` on the diffusing components.
    pub dirichlet: Option<(f64, f64)>,
    /// `D_i > 0`, per component.
    pub diffusing: Vec<bool>,
    /// `M_i > 0`, per component: an algebraic component (`M_i = 0`) has no initial condition and
    /// is the network's output as it is, `A_i = 0`, `B_i = 1`.
    pub evolving: Vec<bool>,
    /// `t_end` of the domain: `T = t / t_end` stays of size 1 on long time windows, where a
    /// plain `t` would scale the network's output (and its gradients) by up to `t_end`.
    pub t_end: f64,
}

impl Hard {
    /// `T(t)`: `t / t_end` when `A` carries the initial condition.
    fn time_factor(&self, t: f64) -> Jet {
        match self.base {
            Base::Zero => Jet::constant(1.0),
            Base::Initial(_) | Base::Linear(_) | Base::Window(_) => Jet {
                value: t / self.t_end,
                x: 0.0,
                t: 1.0 / self.t_end,
                xx: 0.0,
            },
        }
    }
}

impl Hard {
    /// `A` at one point (not for [`Base::Window`], which is evaluated in batches).
    fn base_at(&self, x: f64, t: f64, a: &mut [Jet]) {
        match &self.base {
            Base::Zero => {}
            Base::Initial(model) => {
                assert!(model.initial_jet(x, a), "validated: smooth u₀");
            }
            Base::Linear(w) => w.jet(t, x, a),
            Base::Window(w) => a.copy_from_slice(&w.end_jets(&[x])),
        }
    }

    /// The fields of one point from its `A`.
    fn combine(&self, x: f64, t: f64, a: &[Jet], out: &mut [Fields]) {
        let time = self.time_factor(t);
        let factor = match self.dirichlet {
            Some((x0, x1)) => Jet::of_x((x - x0) * (x1 - x), x0 + x1 - 2.0 * x, -2.0),
            None => Jet::constant(1.0),
        };
        for (((f, &a), &diffusing), &evolving) in out
            .iter_mut()
            .zip(a)
            .zip(&self.diffusing)
            .zip(&self.evolving)
        {
            if !evolving {
                *f = Fields {
                    a: Jet::default(),
                    b: Jet::constant(1.0),
                };
                continue;
            }
            f.a = a;
            f.b = if diffusing {
                time.product(factor)
            } else {
                time
            };
        }
    }
}

impl Ansatz for Hard {
    fn fields(&self, x: f64, t: f64, out: &mut [Fields]) {
        let mut a = vec![Jet::default(); out.len()];
        self.base_at(x, t, &mut a);
        self.combine(x, t, &a, out);
    }

    fn fields_batch(&self, xs: &[f64], ts: &[f64], out: &mut [Fields]) {
        let m = self.diffusing.len();
        let a = match &self.base {
            Base::Window(w) => w.end_jets(xs),
            _ => {
                let mut a = vec![Jet::default(); xs.len() * m];
                for ((&x, &t), a) in xs.iter().zip(ts).zip(a.chunks_exact_mut(m)) {
                    self.base_at(x, t, a);
                }
                a
            }
        };
        for (((&x, &t), a), f) in xs
            .iter()
            .zip(ts)
            .zip(a.chunks_exact(m))
            .zip(out.chunks_exact_mut(m))
        {
            self.combine(x, t, a, f);
        }
    }

    fn imposes_initial(&self) -> bool {
        !matches!(self.base, Base::Zero)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hh_model::{BoundaryMode, ProblemConfig};

    fn model(bc: BoundaryMode) -> Arc<dyn ReactionDiffusion> {
        Arc::new(
            ProblemConfig {
                bc,
                ..Default::default()
            }
            .build()
            .unwrap(),
        )
    }

    fn fields(a: &Hard, x: f64, t: f64) -> Fields {
        let mut f = [Fields::default()];
        a.fields(x, t, &mut f);
        f[0]
    }

    /// The `x`, `t`, `xx` entries of `A` and `B` are their derivatives (central differences).
    #[test]
    fn fields_are_derivatives() {
        let pi = std::f64::consts::PI;
        for bc in BoundaryMode::ALL {
            let m = model(bc);
            let bases = [
                Base::Zero,
                Base::Initial(m.clone()),
                Base::Linear(m.linear_solution().unwrap()),
            ];
            for base in bases {
                let an = Hard {
                    base,
                    dirichlet: (bc == BoundaryMode::Dirichlet).then_some((0.0, pi)),
                    diffusing: vec![true],
                    evolving: vec![true],
                    t_end: 2.0,
                };
                let h = 1e-5;
                for &(x, t) in &[(0.3, 0.2), (1.5, 0.7), (2.9, 1.0)] {
                    let f = fields(&an, x, t);
                    let (xp, xm) = (fields(&an, x + h, t), fields(&an, x - h, t));
                    let (tp, tm) = (fields(&an, x, t + h), fields(&an, x, t - h));
                    for (j, jxp, jxm, jtp, jtm) in
                        [(f.a, xp.a, xm.a, tp.a, tm.a), (f.b, xp.b, xm.b, tp.b, tm.b)]
                    {
                        let num_x = (jxp.value - jxm.value) / (2.0 * h);
                        let num_xx = (jxp.x - jxm.x) / (2.0 * h);
                        let num_t = (jtp.value - jtm.value) / (2.0 * h);
                        let tol = |d: f64| 1e-5 * (1.0 + d.abs());
                        assert!((num_x - j.x).abs() < tol(j.x), "{bc} x: {num_x} {}", j.x);
                        assert!(
                            (num_xx - j.xx).abs() < tol(j.xx),
                            "{bc} xx: {num_xx} {}",
                            j.xx
                        );
                        assert!((num_t - j.t).abs() < tol(j.t), "{bc} t: {num_t} {}", j.t);
                    }
                }
                // At t = 0 the initial condition holds whatever N is.
                if an.imposes_initial() {
                    let f = fields(&an, 1.2, 0.0);
                    assert!((f.a.value - hh_model::initial::phi(1.2)).abs() < 1e-15);
                    assert_eq!(f.b.value, 0.0);
                }
            }
        }
    }

    /// With the linear part, `A` solves the linear equation: `A_t − A_xx + A = 0`.
    #[test]
    fn linear_base_solves_the_linear_part() {
        for bc in BoundaryMode::ALL {
            let m = model(bc);
            let an = Hard {
                base: Base::Linear(m.linear_solution().unwrap()),
                dirichlet: None,
                diffusing: vec![true],
                evolving: vec![true],
                t_end: 1.0,
            };
            for &(x, t) in &[(0.3, 0.2), (1.5, 0.01), (2.9, 1.0)] {
                let a = fields(&an, x, t).a;
                assert!((a.t - a.xx + a.value).abs() < 1e-12);
            }
        }
    }

    /// Non-diffusing components get no dirichlet factor.
    #[test]
    fn dirichlet_factor_only_on_diffusing_components() {
        let an = Hard {
            base: Base::Zero,
            dirichlet: Some((0.0, 1.0)),
            diffusing: vec![true, false],
            evolving: vec![true, true],
            t_end: 1.0,
        };
        let mut f = [Fields::default(); 2];
        an.fields(0.0, 0.5, &mut f);
        assert_eq!(f[0].b.value, 0.0);
        assert_eq!(f[1].b, Jet::constant(1.0));
    }
}
