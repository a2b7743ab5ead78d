//! What a solver needs to know of a model: a reaction–diffusion system of `m` components
//!
//! ```text
//! ∂_t u_i = D_i ∂_xx u_i + f_i(u),   i = 1..m,   x ∈ (x_min, x_max),  t ∈ (0, T],
//! ```
//!
//! with homogeneous boundary conditions of one [`BoundaryMode`] and an initial profile. The
//! nerve equation is `m = 1`, `D = 1`, `f(u) = −u + H_k(u)`; FitzHugh–Nagumo is `m = 2`,
//! `D = (1, 0)`, `f(u, v) = (g(u) − v, ε (u − γ v))`. Solvers are generic over these traits, so a new
//! model is a new implementation, never an edit of a solver.

use crate::BoundaryMode;

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
pub trait MonotoneSplit {
    /// `L` in row-major order (`m × m`); off-diagonal entries must be ≥ 0.
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
}
