//! Training recipes for FitzHugh–Nagumo problems.
//!
//! A pulse or front crosses a long space–time window, so the recipes map the inputs onto
//! `[−1, 1]²` and build the (smooth) initial data into the network, `u_i = u₀,i + (t/T) N_i`; `u`'s
//! sealed ends are a soft term. The recovery residual `v_t − ε(u − γv)` is of size `ε` whatever
//! `v` is, so it is weighted by `1/ε²` (for `ε > 0`): unweighted, the `u` equation can be met by
//! a wrong `u` with a compensating `v`. A pulse that must travel across a long window is
//! marched in time (`pulse`, hh-pinn's `march`): one network on the whole window settles on a
//! profile that does not travel, even with causal weights. Any of hh-pinn's presets can be used
//! as well.

use hh_model::ConfigError;

use crate::FhnConfig;
use hh_pinn::{Causal, Preset, TrainConfig};

/// The names [`preset`] accepts besides hh-pinn's [`Preset`]s.
pub const PRESETS: &[&str] = &["front", "pulse"];

use hh_pinn::config::MAX_WEIGHT as MAX_COMPONENT_WEIGHT;

/// The presets that apply to `problem`: [`PRESETS`] and those of hh-pinn whose config it passes.
pub fn applicable(problem: &FhnConfig) -> Vec<&'static str> {
    let model = problem.build().ok();
    let fits = |p: &str| {
        model
            .as_ref()
            .is_some_and(|m| TrainConfig::preset(p).is_ok_and(|c| c.validate_for(m).is_ok()))
    };
    PRESETS
        .iter()
        .copied()
        .chain(
            Preset::ALL
                .map(Preset::name)
                .into_iter()
                .filter(|p| fits(p)),
        )
        .collect()
}

/// `front`: hh-pinn's `wave` (tanh 4×64 on normalised inputs, hard initial condition, soft
/// boundary term, fresh batches of 1024 points a step, Adam 2e-3 with a cosine decay to 1e-5,
/// 10 000 steps) without causal weights, the residuals weighted `(1, 1/ε²)`. `pulse`: hh-pinn's
/// `march` (time windows, each Adam then Levenberg–Marquardt in f64 from the previous window's
/// end) with 20 windows and the same residual weights. Other names are hh-pinn's presets.
///
/// The problem is checked first (its errors name its fields, `eps` say); an hh-pinn preset that
/// does not apply to it (one that needs the nerve equation's closed-form linear part, say) is
/// refused naming `preset` and the presets that do apply.
pub fn preset(name: &str, problem: &FhnConfig) -> Result<TrainConfig, ConfigError> {
    let model = problem.build()?;
    let mut c = match name {
        "front" => TrainConfig::preset("wave")?,
        "pulse" => {
            let mut c = Preset::March.config();
            c.march.windows = 20;
            c
        }
        _ if name.parse::<Preset>().is_ok() => {
            let c = TrainConfig::preset(name)?;
            return match c.validate_for(&model) {
                Ok(()) => Ok(c),
                Err(e) => Err(ConfigError::invalid(
                    "preset",
                    &format!(
                        "a preset that applies to this FitzHugh–Nagumo problem, one of {} ({name}: {e})",
                        applicable(problem).join(", ")
                    ),
                    name,
                )),
            };
        }
        _ => {
            return Err(ConfigError::invalid(
                "preset",
                &format!("one of {}", applicable(problem).join(", ")),
                name,
            ));
        }
    };
    if problem.eps > 0.0 {
        let weight = problem.eps.powi(-2);
        if weight > MAX_COMPONENT_WEIGHT {
            return Err(ConfigError::invalid(
                "eps",
                &format!(
                    "0 or ≥ {} with the {name} preset (it weights the recovery residual by 1/ε², at most {MAX_COMPONENT_WEIGHT:e})",
                    MAX_COMPONENT_WEIGHT.sqrt().recip()
                ),
                problem.eps,
            ));
        }
        c.loss.components = vec![1.0, weight];
    }
    if name == "front" {
        c.loss.causal = Causal::default();
    }
    Ok(c)
}
