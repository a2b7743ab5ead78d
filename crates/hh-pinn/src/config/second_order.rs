//! The Levenberg–Marquardt phase's settings ([`crate::phase::LevenbergMarquardt`]).

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::{Direction, InitialForm, LossConfig, invalid};

/// Levenberg–Marquardt (damped Gauss–Newton, [`crate::gauss_newton`]) on a fixed set of
/// collocation points, in f64 on the host, after the Adam steps: the network's parameters go on
/// from where Adam left them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecondOrder {
    /// Iterations (0: no second-order phase).
    pub iterations: usize,
    /// Interior collocation points (each gives one residual row per component), laid out as
    /// `sequence` says, with `sampler.time_power`'s density in time.
    pub points: usize,
    /// How the points are laid out.
    pub sequence: PointSequence,
    /// Boundary times per end (soft boundary term only).
    pub boundary_points: usize,
    /// Initial damping `λ` (relative to `diag(JᵀJ)`).
    pub lambda: f64,
    /// Draw fresh points every this many iterations (0: never).
    pub refresh: usize,
    /// A first stage on fewer points (none unless `coarse.iterations > 0`).
    pub coarse: Coarse,
}

/// The layout of the second-order phase's collocation points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointSequence {
    /// Independent uniform draws, as the `dgm` sampler draws.
    #[default]
    Random,
    /// An Owen-scrambled Sobol sequence (at most 2¹⁶ points; see [`crate::sampler`]).
    Sobol,
}

/// The first stage of the second-order phase: `iterations` on the first `points` of the
/// collocation points. An iteration costs `O(R P²)` for `R` rows and `P` parameters, and far from
/// the minimum a few rows per parameter already give good steps; the many rows that keep the
/// network from fitting the points instead of the equation matter only near it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Coarse {
    pub iterations: usize,
    pub points: usize,
}

impl SecondOrder {
    /// Iterations of both stages (0 when the phase is off).
    pub fn total_iterations(&self) -> usize {
        if self.iterations == 0 {
            0
        } else {
            self.coarse.iterations + self.iterations
        }
    }
}

impl Default for SecondOrder {
    fn default() -> Self {
        Self {
            iterations: 0,
            points: 2000,
            boundary_points: 100,
            lambda: 1e-3,
            sequence: PointSequence::Random,
            refresh: 0,
            coarse: Coarse::default(),
        }
    }
}

/// The longest Owen-scrambled Sobol sequence `sobol_burley` gives.
pub(super) const MAX_SOBOL_POINTS: usize = 1 << 16;

impl SecondOrder {
    /// Checks every field (named `second_order.*`) when the phase runs, and that the loss has no
    /// term it does not support (`initial_term`: whether a soft initial term is trained).
    pub(crate) fn validate(
        &self,
        loss: &LossConfig,
        initial_term: bool,
    ) -> Result<(), ConfigError> {
        let so = self;
        if so.iterations > 0 {
            if so.iterations > 1_000_000 {
                return Err(invalid(
                    "second_order.iterations",
                    "an integer in 0..=1e6",
                    so.iterations,
                ));
            }
            if !(1..=100_000).contains(&so.points) {
                return Err(invalid(
                    "second_order.points",
                    "an integer in 1..=1e5",
                    so.points,
                ));
            }
            if !(1..=100_000).contains(&so.boundary_points) {
                return Err(invalid(
                    "second_order.boundary_points",
                    "an integer in 1..=1e5",
                    so.boundary_points,
                ));
            }
            if so.sequence == PointSequence::Sobol && so.points > MAX_SOBOL_POINTS {
                return Err(invalid(
                    "second_order.points",
                    &format!("an integer in 1..={MAX_SOBOL_POINTS} with sequence = \"sobol\""),
                    so.points,
                ));
            }
            if so.coarse.iterations > 1_000_000 {
                return Err(invalid(
                    "second_order.coarse.iterations",
                    "an integer in 0..=1e6",
                    so.coarse.iterations,
                ));
            }
            if so.coarse.iterations > 0 && !(1..=so.points).contains(&so.coarse.points) {
                return Err(invalid(
                    "second_order.coarse.points",
                    &format!("an integer in 1..={} (second_order.points)", so.points),
                    so.coarse.points,
                ));
            }
            if !(so.lambda.is_finite() && so.lambda > 0.0) {
                return Err(invalid(
                    "second_order.lambda",
                    "a finite number > 0",
                    so.lambda,
                ));
            }
            let l = loss;
            let unsupported = [
                ("loss.causal.epsilon", l.causal.enabled()),
                (
                    "loss.initial_form",
                    l.initial_form == InitialForm::Pairwise && initial_term,
                ),
                ("loss.steer.direction", l.steer.direction != Direction::None),
                ("loss.pin.weight", l.pin.weight > 0.0),
            ];
            if let Some((field, _)) = unsupported.iter().find(|(_, on)| *on) {
                return Err(invalid(
                    field,
                    "off (0, pointwise or none) with a second-order phase (second_order.iterations > 0)",
                    "on",
                ));
            }
        }
        Ok(())
    }
}
