//! The kink-aware ansatz's settings ([`crate::kink`]).

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::invalid;

/// Enrich the network across the levels where the model's reaction switches
/// ([`hh_core::Reaction::switches`]): `u = A + B (N + E N_e)`, with `E` the sum over the curves
/// `x = s(t)` where `u = ℓ` of a function with exactly the jump the equation implies there
/// ([`crate::kink`]). The curves are the network's own level sets, located on `time_nodes + 1`
/// times by scanning `scan_points` points in `x` and refining every bracketed root; they are
/// located again every `relocate_every` Levenberg–Marquardt iterations. Needs a second-order phase and one
/// time window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Kink {
    pub enabled: bool,
    /// Intervals of the uniform time grid on which the curves are located (they are
    /// interpolated between its nodes by cubic Hermite polynomials).
    pub time_nodes: usize,
    /// Points of the uniform scan in `x` that brackets the roots at each node (two roots closer
    /// than its spacing are not seen).
    pub scan_points: usize,
    /// Levenberg–Marquardt iterations between two locations of the curves.
    pub relocate_every: usize,
}

impl Default for Kink {
    fn default() -> Self {
        Self {
            enabled: false,
            time_nodes: 512,
            scan_points: 128,
            relocate_every: 10,
        }
    }
}

impl Kink {
    /// The most nodes or scan points: a location evaluates the network at
    /// `(time_nodes + 1) · scan_points` points.
    pub const MAX_NODES: usize = 65_536;

    pub fn validate(&self) -> Result<(), ConfigError> {
        let range = format!("an integer in 4..={}", Self::MAX_NODES);
        for (field, v) in [
            ("kink.time_nodes", self.time_nodes),
            ("kink.scan_points", self.scan_points),
        ] {
            if !(4..=Self::MAX_NODES).contains(&v) {
                return Err(invalid(field, &range, v));
            }
        }
        if !(1..=1_000_000).contains(&self.relocate_every) {
            return Err(invalid(
                "kink.relocate_every",
                "an integer in 1..=1e6",
                self.relocate_every,
            ));
        }
        Ok(())
    }
}
