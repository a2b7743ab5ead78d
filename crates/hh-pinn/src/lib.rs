//! Candle PINN/DGM trainer for the nerve-impulse problem (SPEC §4), with exact derivatives by
//! forward Taylor-mode propagation.
//!
//! - [`network`]: the fully connected network `N(x, t)`; value and the exact derivatives
//!   `N_x, N_t, N_xx` as stacked streams sharing one matmul per layer ([`dense::TaylorDense`], one
//!   fused candle custom op per layer with an analytic backward; plain candle ops elsewhere).
//! - [`loss`]: the PINN objective from any one-component [`hh_model::ReactionDiffusion`] model
//!   (residual through the model's [`hh_model::Reaction`] and its Jacobian), initial term
//!   (pointwise, or the paper's pairwise one), boundary terms; [`ansatz`]: hard constraints.
//! - [`sampler`]: `pinn` and `dgm` collocation, seeded ([`rng`]).
//! - [`train`]: the executor — Adam ([`adam`], candle-nn's `AdamW` arithmetic with
//!   `weight_decay = 0`), schedules, chunked data parallelism, checkpoints, resume, observers.
//! - [`config`]: [`TrainConfig`] and the [`PRESETS`] (`seed` reproduces the paper's code including
//!   its broadcasting bug; `seed-fixed` is the intended loss).
//!
//! Results are bit-reproducible for a config (seed included) on a given machine and build.

pub mod adam;
pub mod ansatz;
pub mod checkpoint;
pub mod config;
pub mod dense;
pub mod kernels;
pub mod loss;
pub mod network;
pub mod rng;
pub mod sampler;
pub mod train;

pub use config::{
    Constraints, InitialForm, LossConfig, OptimiserConfig, PRESETS, Precision, SamplerConfig,
    SamplerKind, Schedule, TrainConfig,
};
pub use kernels::Activation;
pub use network::{Kernel, Mlp, NetworkConfig};
pub use train::{
    Control, DeviceChoice, LossRecord, Observer, Termination, TrainError, TrainOptions, Trained,
    Trainer, train,
};
