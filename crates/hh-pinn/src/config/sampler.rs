//! Where the collocation points come from ([`crate::sampler`]).

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::invalid;

/// Where the collocation points come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SamplerKind {
    /// `points` points drawn once (x ~ U(x_min, x_max), t ~ U(0, T)); each step `batch` of them,
    /// drawn with replacement (the paper's code).
    #[default]
    Pinn,
    /// `batch` fresh points every step (the deep Galerkin method).
    Dgm,
}

impl std::str::FromStr for SamplerKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "pinn" => Ok(Self::Pinn),
            "dgm" => Ok(Self::Dgm),
            _ => Err(invalid("sampler", "pinn or dgm", s)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    pub kind: SamplerKind,
    /// Size `M` of the fixed pool (`pinn` only).
    pub points: usize,
    /// Interior points per step `J`. The initial loss uses the same `x` at `t = 0` (as the paper).
    pub batch: usize,
    /// Points per end and step for a soft boundary term.
    pub boundary_batch: usize,
    /// Interior times are drawn as `t = T r^p`, `r ~ U(0, 1)`: 1 is uniform (the paper's), `p > 1`
    /// puts more points at small `t` where the initial pulse collapses.
    pub time_power: f64,
    /// A curriculum in time: over the first `horizon_ramp · steps` steps the sampled times are
    /// scaled into `[0, h]` with the horizon `h` growing linearly from `T / (horizon_ramp · steps)`
    /// to `T`; 0 samples `[0, T]` from the start. A PINN trained on the whole interval at once
    /// can settle on a wave that does not travel (information must flow forward from `t = 0`);
    /// a growing horizon makes it learn early times first.
    pub horizon_ramp: f64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self {
            kind: SamplerKind::Pinn,
            points: 2000,
            batch: 256,
            boundary_batch: 64,
            time_power: 1.0,
            horizon_ramp: 0.0,
        }
    }
}

impl SamplerConfig {
    /// Checks every field (named `sampler.*`); `boundary_term`: whether a soft boundary term
    /// is trained (it needs boundary points).
    pub(crate) fn validate(&self, boundary_term: bool) -> Result<(), ConfigError> {
        let s = self;
        if !(1..=1_000_000).contains(&s.batch) {
            return Err(invalid("sampler.batch", "an integer in 1..=1e6", s.batch));
        }
        if s.kind == SamplerKind::Pinn && !(1..=100_000_000).contains(&s.points) {
            return Err(invalid("sampler.points", "an integer in 1..=1e8", s.points));
        }
        if !(s.time_power.is_finite() && (0.1..=10.0).contains(&s.time_power)) {
            return Err(invalid(
                "sampler.time_power",
                "a number in [0.1, 10]",
                s.time_power,
            ));
        }
        if !(0.0..1.0).contains(&s.horizon_ramp) {
            return Err(invalid(
                "sampler.horizon_ramp",
                "a number in [0, 1)",
                s.horizon_ramp,
            ));
        }
        if boundary_term && !(1..=1_000_000).contains(&s.boundary_batch) {
            return Err(invalid(
                "sampler.boundary_batch",
                "an integer in 1..=1e6 when loss.boundary > 0",
                s.boundary_batch,
            ));
        }
        Ok(())
    }
}
