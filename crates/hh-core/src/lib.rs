//! The generic layer: what every solver and every model shares, and nothing of any one model.
//!
//! A model is a reaction–diffusion system of `m` components ([`system`]):
//!
//! ```text
//! M_i ∂_t u_i = D_i ∂_xx u_i + f_i(u),   i = 1..m,   x ∈ (x_min, x_max),  t ∈ (0, T],
//! ```
//!
//! with homogeneous boundary conditions of one [`BoundaryMode`] and initial data. The solvers
//! (`hh-fd`, `hh-pinn`) depend on this crate only; the nerve equation (`hh-model`) and
//! FitzHugh–Nagumo (`hh-fhn`) implement its traits. Besides the traits it holds the small
//! vocabulary they speak in: [`Domain`], [`EvalGrid`], [`Jet`], [`ConfigError`] (invalid input,
//! naming the field and the allowed range), bounded reads of untrusted files ([`input`]), the
//! memory a run may use ([`resources`]), config files ([`read_config`]), and [`WithInitial`]: any
//! model posed with other initial data; and [`test_models`], small models with closed-form
//! solutions that the tests of every solver share.
//!
//! ```
//! use hh_core::{BoundaryMode, Domain};
//! let domain = Domain::new(0.0, std::f64::consts::PI, 1.0).unwrap();
//! assert_eq!(domain.length(), std::f64::consts::PI);
//! assert_eq!("neumann".parse::<BoundaryMode>().unwrap(), BoundaryMode::Neumann);
//! ```

pub mod boundary;
pub mod config;
pub mod error;
pub mod grid;
pub mod input;
pub mod jet;
pub mod posed;
pub mod resources;
pub mod switch;
pub mod system;
pub mod test_models;

pub use boundary::BoundaryMode;
pub use config::{ModelConfig, read_config};
pub use error::ConfigError;
pub use grid::EvalGrid;
pub use jet::Jet;
pub use posed::WithInitial;
pub use switch::{AtLevel, Switch};
pub use system::{Domain, LinearSolution, MonotoneSplit, Reaction, ReactionDiffusion, Side};
