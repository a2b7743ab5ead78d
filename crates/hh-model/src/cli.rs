//! The nerve problem's flags, shared by its tools (`hh-fd solve`, `hh-pinn train`): each
//! overrides the `[problem]` section of a config file.

use clap::Args;

use crate::{BoundaryMode, InitialCondition, ProblemConfig, Regularisation, Slope};

#[derive(Args, Clone, Debug, Default)]
pub struct ProblemArgs {
    /// Threshold a.
    #[arg(long, allow_hyphen_values = true)]
    pub a: Option<f64>,
    /// Ramp slope k > 0, or `inf`.
    #[arg(long, allow_hyphen_values = true)]
    pub k: Option<Slope>,
    /// lower (the paper's H_k) or upper.
    #[arg(long)]
    pub regularisation: Option<Regularisation>,
    /// Boundary mode: dirichlet, neumann or free.
    #[arg(long)]
    pub bc: Option<BoundaryMode>,
    /// Initial condition: paper, sin, const:C, step:X0, front:X0 (the exact k = ∞ front
    /// U(x − X0)), plateau:W, npy:PATH.
    #[arg(long, allow_hyphen_values = true)]
    pub ic: Option<InitialCondition>,
    /// Amplitude λ ≥ 0 of the initial data: u₀ = λ · (the profile of --ic).
    #[arg(long, allow_hyphen_values = true)]
    pub amplitude: Option<f64>,
    /// Final time T > 0.
    #[arg(long, allow_hyphen_values = true)]
    pub t_end: Option<f64>,
    /// Left end of the interval.
    #[arg(long, allow_hyphen_values = true)]
    pub x_min: Option<f64>,
    /// Right end of the interval.
    #[arg(long, allow_hyphen_values = true)]
    pub x_max: Option<f64>,
}

impl ProblemArgs {
    /// Overrides the fields of `p` that were given.
    pub fn apply(&self, p: &mut ProblemConfig) {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = &self.$field { p.$field = v.clone(); })* };
        }
        set!(a, k, regularisation, bc, ic, amplitude, t_end, x_min, x_max);
    }
}
