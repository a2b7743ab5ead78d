//! Candle PINN/DGM trainer for any reaction–diffusion model (`docs/model.md`, "PINN"), with
//! exact derivatives by forward Taylor-mode propagation.
//!
//! A run is a model — any [`hh_core::ReactionDiffusion`] with `m` components, shared as an
//! `Arc` — and a [`TrainConfig`] saying how to train it: [`Trainer::new`]`(model, &config, &options)`.
//!
//! - [`network`]: the fully connected network `N(x, t) ∈ Rᵐ`; value and the exact derivatives
//!   `N_x, N_t, N_xx` as stacked streams sharing one matmul per layer ([`dense::TaylorMlp`], the whole network as one
//!   fused candle custom op with an analytic backward; plain candle ops elsewhere).
//! - [`loss`]: the PINN objective of the model (residual `∂_t u_i − D_i ∂_xx u_i − f_i(u)` through
//!   the model's [`hh_core::Reaction`] and its Jacobian), initial term (pointwise, or the paper's
//!   pairwise one), boundary terms of the diffusing components; [`ansatz`]: hard constraints,
//!   including the linear-part ansatz of models with a [`hh_core::LinearSolution`].
//! - [`sampler`]: `pinn` and `dgm` collocation, seeded ([`rng`]).
//! - [`train`]: the executor — one loop over the phases of a run's [`Plan`] ([`phase`]:
//!   first-order steps with Adam ([`adam`], candle-nn's `AdamW` arithmetic with
//!   `weight_decay = 0`) and its schedule, then Levenberg–Marquardt ([`gauss_newton`]), for each
//!   time window when the run marches in time ([`march`])); with [`kink`] the second-order
//!   phase enriches the network across the curves where the model's reaction switches), with chunked data parallelism
//!   ([`workers`]), checkpoints, resume and [`Observer`]s.
//! - [`config`]: [`TrainConfig`], one file per concern (network, sampler, optimiser, loss,
//!   second order), each part validating itself; the [`Preset`]s (`seed` reproduces the paper's
//!   code including its broadcasting bug; `seed-fixed` is the intended loss).
//!
//! Results are bit-reproducible for a config (seed included) on a given machine and build.

pub mod adam;
pub mod ansatz;
pub mod checkpoint;
pub mod config;
pub mod dense;
pub mod error;
pub mod gauss_newton;
pub mod kernels;
pub mod kink;
pub mod loss;
pub mod march;
pub mod network;
pub mod phase;
pub mod record;
pub mod rng;
pub mod sampler;
pub mod train;
pub mod workers;

pub use config::{
    Causal, Coarse, Constraints, Direction, InitialForm, Kink, LossConfig, March, OptimiserConfig,
    Pin, PointSequence, Precision, Preset, RunConfig, SamplerConfig, SamplerKind, Schedule,
    SecondOrder, Steer, TrainConfig,
};
pub use error::TrainError;
pub use kernels::Activation;
pub use loss::Model;
pub use network::{InputMap, Kernel, Mlp, NetworkConfig};
pub use phase::{Phase, PhaseKind, Plan, Planned};
pub use record::{LossRecord, LossTerms};
pub use train::{
    Control, DeviceChoice, Observer, Termination, TrainOptions, Trained, Trainer, train,
};
