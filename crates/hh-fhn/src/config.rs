//! The FitzHugh–Nagumo problem as written in a config file (TOML or JSON), and its validation.

use hh_model::initial::Profile;
use hh_model::{BoundaryMode, ConfigError, InitialCondition, Jet, Regularisation, Slope};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::waves::nagumo_front;

/// The interaction `f(u)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `f(u) = u (1 − u)(u − a)`.
    #[default]
    Cubic,
    /// `f(u) = −u + H_k(u − a)`.
    Mckean,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Kind::Cubic, Kind::Mckean];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Cubic => "cubic",
            Kind::Mckean => "mckean",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| ConfigError::invalid("interaction", "one of cubic, mckean", s))
    }
}

/// An initial profile of `u` or `v`: `nagumo:X0` (the Nagumo front
/// `1 / (1 + e^{(x − X0)/√2})`, a smooth stimulus of the left part of the interval), or any of
/// hh-model's (`paper`, `sin`, `const:C`, `step:X0`, `npy:PATH`, ...).
#[derive(Clone, Debug, PartialEq)]
pub enum Initial {
    Nagumo(f64),
    Common(InitialCondition),
}

impl fmt::Display for Initial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Initial::Nagumo(x0) => write!(f, "nagumo:{x0}"),
            Initial::Common(ic) => ic.fmt(f),
        }
    }
}

impl FromStr for Initial {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.strip_prefix("nagumo:") {
            Some(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Initial::Nagumo)
                .ok_or_else(|| ConfigError::invalid("ic", "nagumo:X0 with X0 a finite number", s)),
            None => s.parse().map(Initial::Common),
        }
    }
}

impl Serialize for Initial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Initial {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An initial profile ready to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Nagumo(f64),
    Profile(Profile),
}

impl Shape {
    pub(crate) fn eval(&self, x: f64) -> f64 {
        match self {
            Shape::Nagumo(x0) => nagumo_front(x - x0),
            Shape::Profile(p) => p.eval(x),
        }
    }

    /// `u₀` and its x-derivatives, for smooth profiles.
    pub(crate) fn jet(&self, x: f64) -> Option<Jet> {
        match self {
            Shape::Nagumo(x0) => {
                // u = 1/(1 + e^{z/√2}): u' = −u(1 − u)/√2, u'' = u(1 − u)(1 − 2u)/2
                let u = nagumo_front(x - x0);
                let s = u * (1.0 - u);
                Some(Jet::of_x(
                    u,
                    -s / std::f64::consts::SQRT_2,
                    0.5 * s * (1.0 - 2.0 * u),
                ))
            }
            Shape::Profile(p) => p.jet(x),
        }
    }

    /// An upper bound of `|u₀|` on `[x0, x1]`.
    pub(crate) fn sup_abs(&self, x0: f64, x1: f64) -> f64 {
        match self {
            Shape::Nagumo(_) => 1.0,
            Shape::Profile(p) => p.sup(x0, x1).abs(),
        }
    }
}

/// The FitzHugh–Nagumo problem (every field optional). The defaults launch the travelling pulse
/// of the `fhn` experiment: cubic, `a = 0.1`, `ε = 0.005`, `γ = 0` (for `ε = 0.01` the
/// stimulus' wave dies out), sealed ends (neumann) on `(0, 100)`, `T = 100`, the smooth stimulus
/// `u₀ = nagumo:5`, `v₀ = 0`.
///
/// ```toml
/// interaction = "mckean"
/// a = 0.25
/// eps = 0.0
/// k = "inf"
/// ic = "step:10"
/// t_end = 20.0
/// x_min = 0.0
/// x_max = 60.0
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FhnConfig {
    pub interaction: Kind,
    /// Threshold `a`.
    pub a: f64,
    /// Recovery rate `ε ≥ 0` (`0`: `v` stays `v₀`).
    pub eps: f64,
    /// Recovery damping `γ ≥ 0`.
    pub gamma: f64,
    /// `mckean`: ramp slope `k > 0` or `inf`.
    pub k: Slope,
    /// `mckean`: `lower` or `upper` (see hh-model's `H_k`).
    pub regularisation: Regularisation,
    /// Boundary mode of `u` (`v` does not diffuse and takes none).
    pub bc: BoundaryMode,
    /// `u₀` (before `amplitude`).
    pub ic: Initial,
    /// `λ ≥ 0`: `u₀` is `λ` times the profile of `ic` (`v₀` is not scaled).
    pub amplitude: f64,
    /// `v₀`.
    pub v0: Initial,
    pub t_end: f64,
    pub x_min: f64,
    pub x_max: f64,
}

impl Default for FhnConfig {
    fn default() -> Self {
        Self {
            interaction: Kind::Cubic,
            a: 0.1,
            eps: 0.005,
            gamma: 0.0,
            k: Slope::Infinite,
            regularisation: Regularisation::Lower,
            bc: BoundaryMode::Neumann,
            ic: Initial::Nagumo(5.0),
            amplitude: 1.0,
            v0: Initial::Common(InitialCondition::Const(0.0)),
            t_end: 100.0,
            x_min: 0.0,
            x_max: 100.0,
        }
    }
}
