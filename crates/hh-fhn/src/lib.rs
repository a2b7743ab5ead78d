//! FitzHugh–Nagumo, the first model crate: written against the public APIs of `hh-model`,
//! `hh-fd`, `hh-pinn` and `hh-io` only, and solved and trained by them unchanged.
//!
//! ```text
//! u_t = u_xx + f(u) − v,    v_t = ε (u − γ v),    x ∈ (x_min, x_max),  t ∈ (0, T],
//! cubic    f(u) = u (1 − u)(u − a)                 (FitzHugh–Nagumo proper)
//! mckean   f(u) = −u + H_k(u − a)                  (McKean's caricature with a recovery variable)
//! ```
//!
//! `D = (1, 0)`: `v` does not diffuse, so boundary conditions apply to `u` alone. `H_k` is the
//! nerve equation's regularised Heaviside graph (`lower`/`upper`, `k` finite or `inf`). For
//! `k = ∞` the finite differences use monotone iteration, which works although the coupling
//! `∂f_u/∂v = −1` is not order preserving: `v` is a linear ODE at each node, and the solver
//! eliminates it from the implicit step ([`hh_model::MonotoneSplit`]).
//!
//! With `ε = 0` and `v ≡ 0` the cubic model is the Nagumo equation, whose front
//! `u = 1 / (1 + e^{(x − x₀ − c t)/√2})`, `c = (1 − 2a)/√2`, is exact ([`nagumo_front`]); the
//! McKean model's front moves at `(1 − 2a)/√(a(1 − a))`, as for the nerve equation.
//!
//! ```
//! use hh_fhn::FhnConfig;
//! use hh_model::{Reaction, ReactionDiffusion};
//! let model = FhnConfig::default().build().unwrap();
//! assert_eq!((model.components(), model.diffusion()), (2, vec![1.0, 0.0]));
//! let grid = hh_fd::GridConfig { nx: 200, nt: 400, ..Default::default() };
//! let sol = hh_fd::solve(&model, &grid).unwrap(); // u and v, rows are times
//! assert_eq!(sol.components(), 2);
//! ```

pub mod config;
pub mod model;
pub mod presets;
pub mod waves;

pub use config::{FhnConfig, Initial, Kind};
pub use model::FhnModel;
pub use waves::{nagumo_front, nagumo_speed};
