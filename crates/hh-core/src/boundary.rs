//! Boundary modes on the ends of the interval.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ConfigError;

/// What is imposed at `x_min` and `x_max`. The paper states none; all three are supported and
/// every result names its mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundaryMode {
    /// `u = 0` at both ends: the H¹₀ weak formulation of the paper's theory.
    #[default]
    Dirichlet,
    /// `u_x = 0` at both ends: a sealed axon.
    Neumann,
    /// Nothing imposed: the Cauchy problem on the whole line restricted to the interval (what the
    /// paper's PINN does). Finite differences solve it on an extended interval.
    Free,
}

impl BoundaryMode {
    pub const ALL: [BoundaryMode; 3] = [Self::Dirichlet, Self::Neumann, Self::Free];

    pub fn name(self) -> &'static str {
        match self {
            Self::Dirichlet => "dirichlet",
            Self::Neumann => "neumann",
            Self::Free => "free",
        }
    }
}

impl fmt::Display for BoundaryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BoundaryMode {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| ConfigError::invalid("bc", "one of dirichlet, neumann, free", s))
    }
}
