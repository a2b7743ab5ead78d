//! Initial conditions `u(0, x) = u₀(x)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::f64::consts::FRAC_PI_2;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::finite;
use crate::{ConfigError, Jet};

/// The initial condition as written in configs and on the command line:
/// `paper`, `sin`, `const:C`, `step:X0` or `npy:PATH`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum InitialCondition {
    /// The paper's pulse `φ(x) = 2 / cosh(10 (x − π/2))`.
    #[default]
    Paper,
    /// `sin x` (with `a > 1` and dirichlet on (0, π) the solution is `e^{−2t} sin x`).
    Sin,
    /// The constant `C`.
    Const(f64),
    /// 1 left of `X0` and 0 from `X0` on: a front that travels when `k = ∞`.
    Step(f64),
    /// Samples from a one-dimensional `.npy` file (f64 or f32) on the uniform grid
    /// `linspace(x_min, x_max, n)`, interpolated linearly and held constant outside it.
    Npy(PathBuf),
}

/// The paper's initial pulse `φ(x) = 2 / cosh(10 (x − π/2))`.
#[inline]
pub fn phi(x: f64) -> f64 {
    2.0 / (10.0 * (x - FRAC_PI_2)).cosh()
}

impl fmt::Display for InitialCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Paper => f.write_str("paper"),
            Self::Sin => f.write_str("sin"),
            Self::Const(c) => write!(f, "const:{c}"),
            Self::Step(x0) => write!(f, "step:{x0}"),
            Self::Npy(p) => write!(f, "npy:{}", p.display()),
        }
    }
}

impl FromStr for InitialCondition {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        const ALLOWED: &str =
            "one of paper, sin, const:C, step:X0, npy:PATH (C, X0 finite numbers)";
        let number = |v: &str| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| ConfigError::invalid("ic", ALLOWED, s))
        };
        match s.split_once(':') {
            None if s == "paper" => Ok(Self::Paper),
            None if s == "sin" => Ok(Self::Sin),
            None if s.ends_with(".npy") => Ok(Self::Npy(s.into())),
            Some(("const", v)) => number(v).map(Self::Const),
            Some(("step", v)) => number(v).map(Self::Step),
            Some(("npy", p)) if !p.is_empty() => Ok(Self::Npy(p.into())),
            _ => Err(ConfigError::invalid("ic", ALLOWED, s)),
        }
    }
}

impl Serialize for InitialCondition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for InitialCondition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An initial condition ready to evaluate (files read, values checked).
#[derive(Clone, Debug, PartialEq)]
pub enum Profile {
    Paper,
    Sin,
    Const(f64),
    Step(f64),
    /// Uniform samples on `[x0, x1]`.
    Samples {
        x0: f64,
        x1: f64,
        values: Vec<f64>,
    },
}

impl InitialCondition {
    /// Reads sample files (interpreted on `[x_min, x_max]`) and checks every value.
    pub fn load(&self, x_min: f64, x_max: f64) -> Result<Profile, ConfigError> {
        Ok(match self {
            Self::Paper => Profile::Paper,
            Self::Sin => Profile::Sin,
            Self::Const(c) => Profile::Const(finite("ic", *c)?),
            Self::Step(x0) => Profile::Step(finite("ic", *x0)?),
            Self::Npy(path) => {
                let unreadable = |reason: String| ConfigError::Unreadable {
                    field: "ic".into(),
                    path: path.clone(),
                    reason,
                };
                let values: Vec<f64> = match ndarray_npy::read_npy::<_, ndarray::Array1<f64>>(path)
                {
                    Ok(v) => v.to_vec(),
                    Err(_) => ndarray_npy::read_npy::<_, ndarray::Array1<f32>>(path)
                        .map_err(|e| unreadable(format!("{e} (expected a 1-D f64 or f32 array)")))?
                        .iter()
                        .map(|&v| f64::from(v))
                        .collect(),
                };
                if values.len() < 2 {
                    return Err(unreadable(format!(
                        "{} samples, at least 2 needed",
                        values.len()
                    )));
                }
                if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                    return Err(unreadable(format!("sample {i} is {}", values[i])));
                }
                Profile::Samples {
                    x0: x_min,
                    x1: x_max,
                    values,
                }
            }
        })
    }
}

impl Profile {
    /// `u₀(x)`.
    pub fn eval(&self, x: f64) -> f64 {
        match self {
            Profile::Paper => phi(x),
            Profile::Sin => x.sin(),
            Profile::Const(c) => *c,
            Profile::Step(x0) => f64::from(x < *x0),
            Profile::Samples { x0, x1, values } => {
                let n = values.len() - 1;
                let s = ((x - x0) / (x1 - x0) * n as f64).clamp(0.0, n as f64);
                let i = (s.floor() as usize).min(n - 1);
                let w = s - i as f64;
                (1.0 - w) * values[i] + w * values[i + 1]
            }
        }
    }

    /// `u₀` and its x-derivatives at `x` (a function of `x` alone) for the smooth profiles
    /// (`paper`, `sin`, `const`); `None` for steps and samples.
    pub fn jet(&self, x: f64) -> Option<Jet> {
        Some(match self {
            Profile::Paper => {
                // φ = 2 sech y, y = 10 (x − π/2): φ' = −20 sech y tanh y, φ'' = 200 sech y (tanh² y − sech² y)
                let y = 10.0 * (x - FRAC_PI_2);
                let (sech, tanh) = (1.0 / y.cosh(), y.tanh());
                Jet::of_x(
                    2.0 * sech,
                    -20.0 * sech * tanh,
                    200.0 * sech * (tanh * tanh - sech * sech),
                )
            }
            Profile::Sin => Jet::of_x(x.sin(), x.cos(), -x.sin()),
            Profile::Const(c) => Jet::constant(*c),
            Profile::Step(_) | Profile::Samples { .. } => return None,
        })
    }

    /// `sup u₀` over `[x0, x1]`: bounds the solution by the maximum principle, `u ≤ max(sup u₀, 1)`.
    pub fn sup(&self, x0: f64, x1: f64) -> f64 {
        match self {
            Profile::Paper => phi(FRAC_PI_2.clamp(x0, x1)),
            Profile::Sin => {
                let peaks = ((x1 - FRAC_PI_2) / std::f64::consts::TAU).floor()
                    >= ((x0 - FRAC_PI_2) / std::f64::consts::TAU).ceil();
                if peaks { 1.0 } else { x0.sin().max(x1.sin()) }
            }
            Profile::Const(c) => *c,
            Profile::Step(s) => {
                if x0 < *s {
                    1.0
                } else {
                    0.0
                }
            }
            Profile::Samples { values, .. } => values.iter().copied().fold(f64::MIN, f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_strings() {
        for s in ["paper", "sin", "const:0.25", "step:1.5", "npy:data/u0.npy"] {
            assert_eq!(s.parse::<InitialCondition>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_strings_naming_the_field() {
        for s in ["", "cos", "const:x", "step:inf", "npy:"] {
            let e = s.parse::<InitialCondition>().unwrap_err().to_string();
            assert!(e.contains("`ic`"), "{e}");
        }
    }

    #[test]
    fn samples_interpolate_linearly_and_clamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u0.npy");
        ndarray_npy::write_npy(&path, &ndarray::arr1(&[0.0f64, 1.0, 0.0])).unwrap();
        let p = InitialCondition::Npy(path).load(0.0, 2.0).unwrap();
        assert_eq!(p.eval(0.5), 0.5);
        assert_eq!(p.eval(1.0), 1.0);
        assert_eq!(p.eval(-3.0), 0.0);
        assert_eq!(p.sup(0.0, 2.0), 1.0);
    }

    #[test]
    fn unreadable_file_is_named() {
        let e = InitialCondition::Npy("/no/such.npy".into())
            .load(0.0, 1.0)
            .unwrap_err();
        assert!(e.to_string().contains("/no/such.npy"), "{e}");
    }

    #[test]
    fn phi_peaks_at_two() {
        assert!((phi(FRAC_PI_2) - 2.0).abs() < 1e-15);
        assert!(phi(0.0) < 1e-5);
    }
}
