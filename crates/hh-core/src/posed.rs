//! A model posed with other initial data: the same equation, domain and boundary condition, one
//! component's `u₀` replaced. Written once here so that new initial data (a stimulus, a
//! perturbed wave) needs no forwarding wrapper of its own.

use crate::{BoundaryMode, Domain, Jet, Reaction, ReactionDiffusion};

/// `model` with the initial data of `component` replaced by `u0`: `u0(x)` is `u₀(x)` with, when
/// `smooth`, its exact x-derivatives (for a PINN's hard initial condition); the other components
/// keep the model's. The model's closed-form linear part, which belongs to its own data, is not
/// offered.
///
/// ```
/// use hh_core::{Jet, ReactionDiffusion, WithInitial};
/// # use hh_core::{BoundaryMode, Domain, Reaction};
/// # struct Heat;
/// # impl Reaction for Heat {
/// #     fn components(&self) -> usize { 1 }
/// #     fn reaction(&self, _: &[f64], f: &mut [f64]) { f[0] = 0.0 }
/// #     fn jacobian(&self, _: &[f64], j: &mut [f64]) { j[0] = 0.0 }
/// # }
/// # impl ReactionDiffusion for Heat {
/// #     fn diffusion(&self) -> Vec<f64> { vec![1.0] }
/// #     fn domain(&self) -> Domain { Domain::new(0.0, 1.0, 1.0).unwrap() }
/// #     fn boundary(&self) -> BoundaryMode { BoundaryMode::Dirichlet }
/// #     fn initial(&self, _: f64, u0: &mut [f64]) { u0[0] = 0.0 }
/// #     fn bound(&self) -> f64 { 1.0 }
/// # }
/// let bump = WithInitial {
///     model: Heat,
///     component: 0,
///     u0: |x: f64| Jet::constant(0.5 * (1.0 - (2.0 * x - 1.0).powi(2))),
///     smooth: false,
///     bound: 0.5,
/// };
/// let mut u0 = [0.0];
/// bump.initial(0.5, &mut u0);
/// assert_eq!(u0[0], 0.5);
/// ```
pub struct WithInitial<M, F> {
    pub model: M,
    /// The component whose initial data is replaced.
    pub component: usize,
    pub u0: F,
    pub smooth: bool,
    /// A bound of `|u|` for the new data (see [`ReactionDiffusion::bound`]); the model's own
    /// bound is kept when it is larger.
    pub bound: f64,
}

impl<M: ReactionDiffusion, F: Fn(f64) -> Jet + Send + Sync> Reaction for WithInitial<M, F> {
    crate::forward_reaction!(model);
}

impl<M: ReactionDiffusion, F: Fn(f64) -> Jet + Send + Sync> ReactionDiffusion
    for WithInitial<M, F>
{
    fn diffusion(&self) -> Vec<f64> {
        self.model.diffusion()
    }
    fn domain(&self) -> Domain {
        self.model.domain()
    }
    fn boundary(&self) -> BoundaryMode {
        self.model.boundary()
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        self.model.initial(x, u0);
        u0[self.component] = (self.u0)(x).value;
    }
    fn bound(&self) -> f64 {
        self.bound.max(self.model.bound())
    }
    fn mass(&self) -> Vec<f64> {
        self.model.mass()
    }
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        if !(self.smooth && self.model.initial_jet(x, out)) {
            return false;
        }
        out[self.component] = (self.u0)(x);
        true
    }
}
