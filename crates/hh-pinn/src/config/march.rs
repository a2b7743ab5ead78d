//! Time marching's settings ([`crate::march`]).

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::invalid;

/// Cut `[0, T]` into `windows` windows of length `Δ = T / windows`, trained one after the other
/// ([`crate::march`]): each window runs the config's whole budget (`steps` first-order steps, then
/// the second-order iterations) on its own interval, with the previous window's solution at its
/// end as hard initial data and its weights as the start (the first window's ansatz is the
/// config's: `u₀` or the model's closed-form linear part). `windows = 1` is one network on the
/// whole interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct March {
    pub windows: usize,
}

impl Default for March {
    fn default() -> Self {
        Self { windows: 1 }
    }
}

impl March {
    /// The most windows a run may have: every window keeps its network for evaluation, and the
    /// initial data of window `j` evaluates the `j` networks before it.
    pub const MAX_WINDOWS: usize = 1000;

    /// Whether the run marches (more than one window).
    pub fn enabled(&self) -> bool {
        self.windows > 1
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=Self::MAX_WINDOWS).contains(&self.windows) {
            return Err(invalid(
                "march.windows",
                &format!("an integer in 1..={}", Self::MAX_WINDOWS),
                self.windows,
            ));
        }
        Ok(())
    }
}
