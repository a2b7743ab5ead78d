//! The nerve-impulse problem of McKean's caricature, as data.
//!
//! ```text
//! u_t − u_xx + u ∈ H(u − a),   t ∈ (0, T],  x ∈ (x_min, x_max)   (default (0, π)),
//! u(0, x) = φ(x) = 2 / cosh(10 (x − π/2)),
//! ```
//!
//! with the multivalued Heaviside graph `H` replaced by a Lipschitz ramp `H_k` (or one of its two
//! exact selections for `k = ∞`). Everything here is plain data with validation. The solvers
//! (`hh-fd`, `hh-pinn`) do not know this crate: they see a problem only through the traits of the
//! generic layer `hh-core` (re-exported here, so a user of the nerve model needs one import), and
//! this crate is one model among others (FitzHugh–Nagumo is `hh-fhn`).
//!
//! ```
//! use hh_model::{ProblemConfig, Reaction, ReactionDiffusion};
//! let problem = ProblemConfig::default().build().unwrap(); // the paper's problem
//! assert_eq!(problem.components(), 1);
//! let mut u0 = [0.0];
//! problem.initial(std::f64::consts::FRAC_PI_2, &mut u0);
//! assert!((u0[0] - 2.0).abs() < 1e-12);
//! ```

pub mod cli;
pub mod inclusion;
pub mod initial;
pub mod interaction;
pub mod linear;
pub mod presets;
pub mod problem;
pub mod waves;

pub use hh_core::{
    BoundaryMode, ConfigError, Domain, EvalGrid, Jet, LinearSolution, ModelConfig, MonotoneSplit,
    Reaction, ReactionDiffusion, Side, WithInitial, boundary, config, error, grid, input, jet,
    read_config, resources, system,
};
pub use inclusion::NerveInclusion;
pub use initial::InitialCondition;
pub use interaction::{Interaction, Regularisation, Slope};
pub use linear::LinearPart;
pub use presets::NervePreset;
pub use problem::{Formulation, NerveProblem, PAPER_A_VALUES, ProblemConfig};
