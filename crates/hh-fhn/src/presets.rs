//! Training recipes for FitzHugh–Nagumo problems.
//!
//! A pulse or front crosses a long space–time window, so the recipes map the inputs onto
//! `[−1, 1]²` and build the (smooth) initial data into the network, `u_i = u₀,i + (t/T) N_i`; `u`'s
//! sealed ends are a soft term. The recovery residual `v_t − ε(u − γv)` is of size `ε` whatever
//! `v` is, so it is weighted by `1/ε²` (for `ε > 0`): unweighted, the `u` equation can be met by
//! a wrong `u` with a compensating `v`. A pulse that must travel across a long window also
//! needs causal weights in time (`pulse`): without them the network settles on a standing
//! profile whose residual is small everywhere at once. Any of hh-pinn's presets can be used as
//! well.

use hh_model::ConfigError;

use crate::FhnConfig;
use hh_pinn::{
    Activation, Causal, Constraints, LossConfig, NetworkConfig, OptimiserConfig, SamplerConfig,
    SamplerKind, Schedule, TrainConfig,
};

/// The names [`preset`] accepts besides hh-pinn's [`hh_pinn::PRESETS`].
pub const PRESETS: &[&str] = &["front", "pulse"];

/// `front`: tanh 4×64 on normalised inputs, hard initial condition, soft boundary term, fresh
/// batches of 1024 points a step, Adam 2e-3 with a cosine decay to 1e-5, 10 000 steps, the
/// residuals weighted `(1, 1/ε²)`. `pulse`: `front` with causal weights (ε_c = 10⁴ over 32
/// time slices) and 30 000 steps. Other names are hh-pinn's presets.
pub fn preset(name: &str, problem: &FhnConfig) -> Result<TrainConfig, ConfigError> {
    let components = if problem.eps > 0.0 {
        vec![1.0, problem.eps.powi(-2)]
    } else {
        Vec::new()
    };
    match name {
        "pulse" => {
            let mut c = preset("front", problem)?;
            c.steps = 30_000;
            c.loss.causal = Causal {
                epsilon: 1e4,
                bins: 32,
            };
            Ok(c)
        }
        "front" => Ok(TrainConfig {
            steps: 10_000,
            network: NetworkConfig {
                depth: 4,
                width: 64,
                activation: Activation::Tanh,
                normalise: true,
            },
            sampler: SamplerConfig {
                kind: SamplerKind::Dgm,
                batch: 1024,
                ..SamplerConfig::default()
            },
            optimiser: OptimiserConfig {
                lr: 2e-3,
                schedule: Schedule::Cosine { min_lr: 1e-5 },
                ..OptimiserConfig::default()
            },
            loss: LossConfig {
                components,
                ..LossConfig::default()
            },
            constraints: Constraints {
                hard_initial: true,
                ..Constraints::default()
            },
            chunks: 8,
            ..TrainConfig::default()
        }),
        _ if hh_pinn::PRESETS.contains(&name) => TrainConfig::preset(name),
        _ => Err(ConfigError::invalid(
            "preset",
            &format!(
                "one of {}, {}",
                PRESETS.join(", "),
                hh_pinn::PRESETS.join(", ")
            ),
            name,
        )),
    }
}
