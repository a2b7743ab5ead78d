//! Training presets for the nerve problem: hh-pinn's, for any model, and `inclusion`, for the
//! inclusion itself (the two-component [`crate::NerveInclusion`]).

use hh_core::ConfigError;
use hh_pinn::{Causal, Preset, TrainConfig};
use std::fmt;
use std::str::FromStr;

use crate::{Formulation, ProblemConfig};

/// A training preset of the nerve problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NervePreset {
    /// One of hh-pinn's presets, for the regularised problem.
    Pinn(Preset),
    /// [`inclusion`], for the inclusion.
    Inclusion,
}

impl NervePreset {
    /// hh-pinn's presets, then `inclusion`.
    pub fn all() -> Vec<NervePreset> {
        Preset::ALL
            .into_iter()
            .map(NervePreset::Pinn)
            .chain([NervePreset::Inclusion])
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            NervePreset::Pinn(p) => p.name(),
            NervePreset::Inclusion => "inclusion",
        }
    }

    /// The names of [`NervePreset::all`], comma-separated (for messages).
    pub fn names() -> String {
        Self::all()
            .into_iter()
            .map(NervePreset::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn config(self) -> TrainConfig {
        match self {
            NervePreset::Pinn(p) => p.config(),
            NervePreset::Inclusion => inclusion(),
        }
    }

    /// The formulation the preset trains: the inclusion for `inclusion`, else the regularised
    /// problem.
    /// The problem a run of this preset starts from: the paper's, in the preset's formulation.
    pub fn problem(self) -> ProblemConfig {
        ProblemConfig {
            formulation: self.formulation(),
            ..ProblemConfig::default()
        }
    }

    pub fn formulation(self) -> Formulation {
        match self {
            NervePreset::Pinn(_) => Formulation::Regularised,
            NervePreset::Inclusion => Formulation::Inclusion,
        }
    }
}

impl fmt::Display for NervePreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NervePreset {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Self::all()
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| ConfigError::invalid("preset", &format!("one of {}", Self::names()), s))
    }
}

/// The config of the nerve preset `name` (hh-pinn's presets and `inclusion`).
pub fn config(name: &str) -> Result<TrainConfig, ConfigError> {
    Ok(name.parse::<NervePreset>()?.config())
}

/// `inclusion`: hh-pinn's `wave` network with the initial data built in, `dgm` batches of 512 with
/// `t = T r²`, no causal weights, the residuals of `u` and of the selection `d` (the distance to
/// the graph of `H`) weighted 1 each, 8000 steps; no steering unless `loss.steer.direction` is set
/// (then weight 1 annealed to 0 over the first half of the steps).
pub fn inclusion() -> TrainConfig {
    let mut c = Preset::Wave.config();
    c.steps = 8000;
    c.sampler.batch = 512;
    c.sampler.time_power = 2.0;
    c.loss.causal = Causal::default();
    c.loss.components = vec![1.0, 1.0];
    // 128 points a chunk, as `accurate`
    c.chunks = 4;
    c
}
