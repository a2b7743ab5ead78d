//! Adam's settings and its learning-rate schedule.

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::invalid;

/// Adam (the arithmetic of candle-nn's `AdamW` with `weight_decay = 0`) and a learning-rate schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimiserConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub schedule: Schedule,
}

impl Default for OptimiserConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            schedule: Schedule::Constant,
        }
    }
}

impl OptimiserConfig {
    /// The candle-nn parameters (weight decay 0: plain Adam, as the paper's `torch.optim.Adam`).
    pub fn params(&self) -> candle_nn::ParamsAdamW {
        candle_nn::ParamsAdamW {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: 0.0,
        }
    }
}

/// Learning rate as a function of the step `s` (0-based) out of `S` steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Schedule {
    /// `lr`.
    #[default]
    Constant,
    /// `lr · gamma^s`.
    Exponential { gamma: f64 },
    /// `lr · factor^⌊s / every⌋`.
    Step { every: usize, factor: f64 },
    /// `min_lr + (lr − min_lr) (1 + cos(π s / S)) / 2`.
    Cosine { min_lr: f64 },
}

impl Schedule {
    pub fn lr(&self, lr: f64, step: usize, steps: usize) -> f64 {
        match *self {
            Schedule::Constant => lr,
            Schedule::Exponential { gamma } => lr * gamma.powi(step as i32),
            Schedule::Step { every, factor } => lr * factor.powi((step / every.max(1)) as i32),
            Schedule::Cosine { min_lr } => {
                let f = step as f64 / steps.max(1) as f64;
                min_lr + (lr - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * f).cos())
            }
        }
    }
}

impl OptimiserConfig {
    /// Checks every field (named `optimiser.*`).
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let o = self;
        let positive = |field: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(invalid(field, "a finite number > 0", v))
            }
        };
        positive("optimiser.lr", o.lr)?;
        positive("optimiser.eps", o.eps)?;
        for (field, b) in [("optimiser.beta1", o.beta1), ("optimiser.beta2", o.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(invalid(field, "a number in [0, 1)", b));
            }
        }
        match o.schedule {
            Schedule::Constant => {}
            Schedule::Exponential { gamma } => {
                if !(gamma > 0.0 && gamma <= 1.0) {
                    return Err(invalid(
                        "optimiser.schedule.gamma",
                        "a number in (0, 1]",
                        gamma,
                    ));
                }
            }
            Schedule::Step { every, factor } => {
                if every == 0 {
                    return Err(invalid("optimiser.schedule.every", "an integer ≥ 1", every));
                }
                if !(factor > 0.0 && factor <= 1.0) {
                    return Err(invalid(
                        "optimiser.schedule.factor",
                        "a number in (0, 1]",
                        factor,
                    ));
                }
            }
            Schedule::Cosine { min_lr } => {
                if !(min_lr >= 0.0 && min_lr <= o.lr) {
                    return Err(invalid(
                        "optimiser.schedule.min_lr",
                        &format!("a number in [0, lr = {}]", o.lr),
                        min_lr,
                    ));
                }
            }
        }
        Ok(())
    }
}
