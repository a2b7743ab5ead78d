//! What a solver needs to know of a model: a reaction–diffusion system of `m` components
//!
//! ```text
//! M_i ∂_t u_i = D_i ∂_xx u_i + f_i(u),   i = 1..m,   x ∈ (x_min, x_max),  t ∈ (0, T],
//! ```
//!
//! with a diagonal mass `M_i ∈ {0, 1}` (1 unless the model says otherwise: a component with
//! `M_i = 0` is algebraic, the constraint `0 = f_i(u)`, as the selection `d` of the nerve
//! inclusion in `hh-model`),
//! with homogeneous boundary conditions of one [`BoundaryMode`] and an initial profile. The
//! nerve equation is `m = 1`, `D = 1`, `f(u) = −u + H_k(u)`; FitzHugh–Nagumo is `m = 2`,
//! `D = (1, 0)`, `f(u, v) = (g(u) − v, ε (u − γ v))`. Solvers are generic over these traits, so a new
//! model is a new implementation, never an edit of a solver.
//!
//! Optional capabilities are methods with defaults: [`Reaction::monotone_split`] (the finite
//! differences need it for discontinuous reactions), [`Reaction::switches`] (where `f` jumps or
//! kinks, for the finite differences' interface correction), [`ReactionDiffusion::initial_jet`] and
//! [`ReactionDiffusion::linear_solution`] (hard constraints and the linear-part ansatz of a PINN),
//! [`ReactionDiffusion::mass`] (algebraic components; only the PINN solves such systems),
//! [`ReactionDiffusion::describe`] (manifests and checkpoints).

use std::fmt::Debug;
use std::sync::Arc;

use crate::{BoundaryMode, ConfigError, Jet, Switch};

/// The pointwise reaction term `f: Rᵐ → Rᵐ`.
pub trait Reaction: Send + Sync {
    /// Number of components `m`.
    fn components(&self) -> usize;

    /// `f(u)`; `u` and `f` have length `m`.
    fn reaction(&self, u: &[f64], f: &mut [f64]);

    /// The Jacobian `∂f_i/∂u_j` in row-major order (`m × m`). Where `f` is only piecewise smooth it
    /// is the derivative of the piece `u` lies in (a generalised derivative, used by Newton).
    fn jacobian(&self, u: &[f64], jac: &mut [f64]);

    /// `f` at many points: `u` and `f` hold `n × m` values, point after point. Solvers call this
    /// in their inner loops; override it when a whole-slice loop vectorises better.
    fn reaction_batch(&self, u: &[f64], f: &mut [f64]) {
        let m = self.components();
        for (uj, fj) in u.chunks_exact(m).zip(f.chunks_exact_mut(m)) {
            self.reaction(uj, fj);
        }
    }

    /// The Jacobians at many points: `jac` holds `n` row-major `m × m` blocks.
    fn jacobian_batch(&self, u: &[f64], jac: &mut [f64]) {
        let m = self.components();
        for (uj, jj) in u.chunks_exact(m).zip(jac.chunks_exact_mut(m * m)) {
            self.jacobian(uj, jj);
        }
    }

    /// `Some` when `f` is discontinuous (an exact selection of a multivalued graph), so that
    /// Newton does not apply and the implicit step is solved by monotone iteration instead.
    fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
        None
    }

    /// The levels where `f` jumps or kinks ([`Switch`]); empty for a smooth reaction. The finite
    /// differences correct their stencils across them, so that the error stays smooth in `h`.
    fn switches(&self) -> Vec<Switch> {
        Vec::new()
    }
}

/// The methods of [`Reaction`], each forwarded to the field `$inner` (a model wrapped with other
/// data: other initial data, another domain): written once for every such wrapper. The trait
/// must be in scope where it is used.
///
/// ```
/// use hh_core::Reaction;
/// struct Tagged<M> {
///     model: M,
///     tag: &'static str,
/// }
/// impl<M: Reaction> Reaction for Tagged<M> {
///     hh_core::forward_reaction!(model);
/// }
/// ```
#[macro_export]
macro_rules! forward_reaction {
    ($inner:ident) => {
        fn components(&self) -> usize {
            self.$inner.components()
        }
        fn reaction(&self, u: &[f64], f: &mut [f64]) {
            self.$inner.reaction(u, f)
        }
        fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
            self.$inner.jacobian(u, jac)
        }
        fn reaction_batch(&self, u: &[f64], f: &mut [f64]) {
            self.$inner.reaction_batch(u, f)
        }
        fn jacobian_batch(&self, u: &[f64], jac: &mut [f64]) {
            self.$inner.jacobian_batch(u, jac)
        }
        fn monotone_split(&self) -> Option<&dyn $crate::MonotoneSplit> {
            self.$inner.monotone_split()
        }
        fn switches(&self) -> Vec<$crate::Switch> {
            self.$inner.switches()
        }
    };
}

/// Where a monotone iteration starts, and so which discrete solution it converges to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// From below (`g = g_lo`): increasing iterates, the minimal solution (needs `g` left-continuous).
    Below,
    /// From above (`g = g_hi`): decreasing iterates, the maximal solution (needs `g` right-continuous).
    Above,
}

/// A splitting `f(u) = L u + g(u)` with a constant matrix `L` and an order-preserving `g`
/// (nondecreasing in every argument, bounded by `g_lo ≤ g ≤ g_hi`).
///
/// Then each implicit step `(I − θΔt (D Δ_h + L)) U = R + θΔt g(U)` is a fixed point of an order
/// preserving map (the resolvent of an M-matrix is nonnegative), and the iteration started at the
/// bound of [`MonotoneSplit::side`] converges monotonically to the extremal discrete solution.
///
/// Components that do not diffuse (`D_i = 0`) and whose `g_i` is constant (`g_lo,i = g_hi,i`) are
/// linear ODEs at each node: a solver eliminates them from the implicit step. With `E` those
/// components and `K` the others, `U_E = M (R_E + θΔt (g_E + L_EK U_K))`, `M = (I − θΔt L_EE)⁻¹`,
/// and the kept ones see the Schur complement `L_eff = L_KK + θΔt L_KE M L_EK`. So `L` need not be
/// cooperative: FitzHugh–Nagumo's `L = [[−1, −1], [ε, −εγ]]` has `L_uv = −1 < 0`, yet eliminating
/// `v` leaves the scalar `L_eff = −1 − θΔt ε / (1 + θΔt εγ)`.
pub trait MonotoneSplit {
    /// `L` in row-major order (`m × m`). After the elimination above, the off-diagonal entries of
    /// `L_eff` must be ≥ 0 (a solver refuses the step otherwise), and `g_K` must be nondecreasing
    /// in `U_K` with `U_E` eliminated (it is when `g_K` depends on `U_K` alone).
    fn linear(&self) -> Vec<f64>;
    /// `g(u)`.
    fn monotone(&self, u: &[f64], g: &mut [f64]);
    /// `(g_lo, g_hi)`, bounds of `g` over all `u`, one entry per component.
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);
    /// The side the iteration starts from.
    fn side(&self) -> Side;
}

/// Space–time domain `(x_min, x_max) × (0, t_end]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    pub x_min: f64,
    pub x_max: f64,
    pub t_end: f64,
}

impl Domain {
    /// The largest `|x|` and `t_end` accepted.
    pub const MAX_COORDINATE: f64 = 1e6;
    /// The shortest interval length and time accepted.
    pub const MIN_SPAN: f64 = 1e-6;

    /// A validated domain, each error naming its field (`x_min`, `x_max`, `t_end`) and the allowed
    /// range: `|x_min|, |x_max| ≤` [`Domain::MAX_COORDINATE`], a length `x_max − x_min` in
    /// [[`Domain::MIN_SPAN`], 2·`MAX_COORDINATE`] and `t_end` in [`MIN_SPAN`, `MAX_COORDINATE`].
    /// Beyond these scales (dimensionless units of the nerve equation, where the interval is π and
    /// the time 1) grids lose every digit to rounding or overflow to non-finite values.
    pub fn new(x_min: f64, x_max: f64, t_end: f64) -> Result<Self, ConfigError> {
        let range = format!(
            "a number in [{:e}, {:e}]",
            Self::MIN_SPAN,
            Self::MAX_COORDINATE
        );
        if !(Self::MIN_SPAN..=Self::MAX_COORDINATE).contains(&t_end) {
            return Err(ConfigError::invalid("t_end", &range, t_end));
        }
        let coordinate = format!(
            "a number in [{:e}, {:e}]",
            -Self::MAX_COORDINATE,
            Self::MAX_COORDINATE
        );
        for (field, x) in [("x_min", x_min), ("x_max", x_max)] {
            if !(x.abs() <= Self::MAX_COORDINATE) {
                return Err(ConfigError::invalid(field, &coordinate, x));
            }
        }
        if !(x_max - x_min >= Self::MIN_SPAN) {
            return Err(ConfigError::invalid(
                "x_max",
                &format!(
                    "at least x_min + {:e} = {}",
                    Self::MIN_SPAN,
                    x_min + Self::MIN_SPAN
                ),
                x_max,
            ));
        }
        Ok(Self {
            x_min,
            x_max,
            t_end,
        })
    }

    pub fn length(&self) -> f64 {
        self.x_max - self.x_min
    }
}

/// A reaction–diffusion system with its domain, boundary mode and initial condition.
pub trait ReactionDiffusion: Reaction {
    /// Diffusion coefficients `D_i ≥ 0` (dimensionless), one per component.
    fn diffusion(&self) -> Vec<f64>;
    /// The domain on which results are reported.
    fn domain(&self) -> Domain;
    /// Homogeneous boundary condition applied to every diffusing component.
    fn boundary(&self) -> BoundaryMode;
    /// `u(0, x)`, length `m`. Must be defined on the whole line: `free` mode evaluates it on an
    /// extended interval.
    fn initial(&self, x: f64, u0: &mut [f64]);
    /// An upper bound of `|u|` over the solution (maximum principle), used to scale tolerances.
    fn bound(&self) -> f64;

    /// An interval `[lo, hi]` holding the solution's values (maximum principle): `[−bound, bound]`
    /// unless the model knows a one-sided one (Fisher–KPP's `[0, 1]`). The FD solver samples the
    /// reaction's slope over it, widened, to decide whether an implicit step is solvable.
    fn state_range(&self) -> (f64, f64) {
        let b = self.bound();
        (-b, b)
    }

    /// The diagonal mass `M_i`, one per component: 1 (an evolution equation, the default) or 0
    /// (an algebraic constraint `0 = f_i(u)`, with `D_i = 0` and no initial condition).
    fn mass(&self) -> Vec<f64> {
        vec![1.0; self.components()]
    }

    /// `u₀` as a function of `(t, x)` constant in `t`, with its x-derivatives, one jet per
    /// component, when `u₀` is smooth; `false` (and `out` untouched) when it has no derivatives
    /// (steps, samples). A PINN's hard initial constraint `u = u₀ + t·N` needs it.
    fn initial_jet(&self, _x: f64, _out: &mut [Jet]) -> bool {
        false
    }

    /// A solution of the model's linear part in closed form, when the model has one (see
    /// [`LinearSolution`]): a PINN then learns only the remainder `u − w`.
    fn linear_solution(&self) -> Option<Arc<dyn LinearSolution>> {
        None
    }

    /// What the model is, as data (typically its config): recorded in manifests, and compared by
    /// checkpoints, which refuse to resume under a model with another description. `Null` when
    /// the model gives none.
    fn describe(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// A solution `w` of the model's linear part in closed form,
///
/// ```text
/// ∂_t w_i = D_i ∂_xx w_i + (L w)_i,   w(0, ·) = u₀,   the model's boundary condition,
/// ```
///
/// for some constant matrix `L` (the nerve equation: `L = −1`, `w` a sine, cosine or heat-kernel
/// series). Writing `u = w + v`, the remainder `v` starts at 0 and is driven by the nonlinear rest
/// of the reaction alone: no initial layer left for a PINN to learn. Implementations must give
/// `w(0, ·) = u₀` exactly and, in `dirichlet` mode, `w = 0` at both ends for the diffusing
/// components.
pub trait LinearSolution: Send + Sync + Debug {
    /// `w_i` and its derivatives at `(t, x)`, `t ≥ 0`, one jet per component.
    fn jet(&self, t: f64, x: f64, out: &mut [Jet]);
}
