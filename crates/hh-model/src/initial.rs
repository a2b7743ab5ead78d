//! Initial conditions `u(0, x) = u₀(x)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::f64::consts::FRAC_PI_2;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::error::finite;
use crate::{ConfigError, Jet};
use ndarray::ArrayView1;
use ndarray_npy::ViewNpyExt;

/// The initial condition as written in configs and on the command line:
/// `paper`, `sin`, `const:C`, `step:X0`, `plateau:W` or `npy:PATH`.
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
    /// The exact travelling front of `k = ∞` on the whole line, `U(x − X0)` with `U(0) = a`
    /// ([`crate::waves::front_profile`]; needs `0 < a < 1`): C¹, its `u_xx` jumps by 1 at `X0`.
    Front(f64),
    /// The threshold `a` on the centred interval `|x − c| ≤ W`, joined to 0 at both ends of the
    /// interval by the quintic smoothstep `S(z) = z³ (10 − 15 z + 6 z²)` (C², so `u₀` has the jet a
    /// hard initial constraint needs), 0 outside `(x_min, x_max)`. Where the solution sits at the
    /// threshold the inclusion has many solutions: the data that make non-uniqueness O(1).
    Plateau(f64),
    /// Samples from a one-dimensional `.npy` file (f64 or f32) on the uniform grid
    /// `linspace(x_min, x_max, n)`, interpolated linearly and held constant outside it.
    Npy(PathBuf),
}

/// The largest `.npy` profile read: 256 MiB.
pub const MAX_NPY_BYTES: u64 = 256 << 20;

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
            Self::Front(x0) => write!(f, "front:{x0}"),
            Self::Plateau(w) => write!(f, "plateau:{w}"),
            Self::Npy(p) => write!(f, "npy:{}", p.display()),
        }
    }
}

impl FromStr for InitialCondition {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        const ALLOWED: &str = "one of paper, sin, const:C, step:X0, front:X0, plateau:W, npy:PATH (C, X0, W finite numbers)";
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
            Some(("front", v)) => number(v).map(Self::Front),
            Some(("plateau", v)) => number(v).map(Self::Plateau),
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
    /// The front `U(x − x0)` of threshold `a`.
    Front {
        a: f64,
        x0: f64,
    },
    /// `amplitude · profile` (an amplitude other than 1).
    Scaled {
        amplitude: f64,
        profile: Box<Profile>,
    },
    /// `level` on `[centre − half_width, centre + half_width]`, smoothstep ramps to 0 at `x_min`
    /// and `x_max`.
    Plateau {
        level: f64,
        half_width: f64,
        x_min: f64,
        x_max: f64,
    },
    /// Uniform samples on `[x0, x1]`.
    Samples {
        x0: f64,
        x1: f64,
        values: Vec<f64>,
    },
}

/// The largest `|amplitude|` accepted: beyond it no dimensionless potential is meaningful, and
/// squares of the data overflow nothing below it.
pub const MAX_AMPLITUDE: f64 = 1e6;

impl InitialCondition {
    /// The profile scaled by `amplitude` ([`InitialCondition::load_unscaled`] otherwise);
    /// `amplitude` must lie in `[0, MAX_AMPLITUDE]` (field `amplitude`).
    pub fn load(
        &self,
        x_min: f64,
        x_max: f64,
        threshold: f64,
        amplitude: f64,
    ) -> Result<Profile, ConfigError> {
        if !(0.0..=MAX_AMPLITUDE).contains(&amplitude) {
            return Err(ConfigError::invalid(
                "amplitude",
                &format!("a number in [0, {MAX_AMPLITUDE:e}]"),
                amplitude,
            ));
        }
        let profile = self.load_unscaled(x_min, x_max, threshold)?;
        Ok(if amplitude == 1.0 {
            profile
        } else {
            Profile::Scaled {
                amplitude,
                profile: Box::new(profile),
            }
        })
    }

    /// Reads sample files (interpreted on `[x_min, x_max]`) and checks every value; `threshold` is
    /// the model's threshold `a`, the level of `plateau:W` and of `front:X0`.
    pub fn load_unscaled(
        &self,
        x_min: f64,
        x_max: f64,
        threshold: f64,
    ) -> Result<Profile, ConfigError> {
        Ok(match self {
            Self::Paper => Profile::Paper,
            Self::Sin => Profile::Sin,
            Self::Const(c) => Profile::Const(finite("ic", *c)?),
            Self::Step(x0) => Profile::Step(finite("ic", *x0)?),
            Self::Front(x0) => {
                if !(threshold > 0.0 && threshold < 1.0) {
                    return Err(ConfigError::invalid(
                        "a",
                        "a threshold in (0, 1) for ic = front:X0",
                        threshold,
                    ));
                }
                Profile::Front {
                    a: threshold,
                    x0: finite("ic", *x0)?,
                }
            }
            Self::Plateau(w) => {
                let half = 0.5 * (x_max - x_min);
                if !(*w > 0.0 && *w < half) {
                    return Err(ConfigError::invalid(
                        "ic",
                        &format!("plateau:W with 0 < W < {half} (half the interval)"),
                        self,
                    ));
                }
                Profile::Plateau {
                    level: finite("a", threshold)?,
                    half_width: *w,
                    x_min,
                    x_max,
                }
            }
            Self::Npy(path) => {
                let unreadable = |reason: String| ConfigError::Unreadable {
                    field: "ic".into(),
                    path: path.clone(),
                    reason,
                };
                // The file is read whole (bounded) and viewed in place: nothing is allocated
                // from what its header claims, and a header whose shape disagrees with the
                // data (or repeats a key) is refused by the view.
                let bytes = crate::input::read_bytes("ic", path, MAX_NPY_BYTES)?;
                let values: Vec<f64> = match ArrayView1::<f64>::view_npy(&bytes) {
                    Ok(v) => v.to_vec(),
                    Err(_) => ArrayView1::<f32>::view_npy(&bytes)
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
            Profile::Front { a, x0 } => crate::waves::front_profile(*a, x - x0),
            Profile::Scaled { amplitude, profile } => amplitude * profile.eval(x),
            Profile::Plateau { .. } => self.plateau_jet(x).value,
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
    /// (`paper`, `sin`, `const`, `plateau`, and `front`, whose `u_xx` is that of the side of `X0`
    /// `x` lies on); `None` for steps and samples.
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
            Profile::Plateau { .. } => self.plateau_jet(x),
            Profile::Front { a, x0 } => crate::waves::front_jet(*a, x - x0),
            Profile::Scaled { amplitude, profile } => {
                let j = profile.jet(x)?;
                Jet::of_x(amplitude * j.value, amplitude * j.x, amplitude * j.xx)
            }
            Profile::Step(_) | Profile::Samples { .. } => return None,
        })
    }

    /// The plateau and its derivatives: `level · S(z)` on each ramp, `z` the position from the
    /// end of the interval (0) to the edge of the plateau (1), `S' = 30 z² (1 − z)²`,
    /// `S'' = 60 z (1 − z)(1 − 2z)`.
    fn plateau_jet(&self, x: f64) -> Jet {
        let Profile::Plateau {
            level,
            half_width,
            x_min,
            x_max,
        } = *self
        else {
            return Jet::default();
        };
        let centre = 0.5 * (x_min + x_max);
        let ramp = centre - half_width - x_min;
        // distance from the nearer end, and the sign of d(distance)/dx
        let (dist, sign) = if x < centre {
            (x - x_min, 1.0)
        } else {
            (x_max - x, -1.0)
        };
        if dist <= 0.0 {
            return Jet::default();
        }
        if dist >= ramp {
            return Jet::constant(level);
        }
        let z = dist / ramp;
        let s = z * z * z * (10.0 - 15.0 * z + 6.0 * z * z);
        let s1 = 30.0 * z * z * (1.0 - z) * (1.0 - z);
        let s2 = 60.0 * z * (1.0 - z) * (1.0 - 2.0 * z);
        Jet::of_x(
            level * s,
            level * sign * s1 / ramp,
            level * s2 / (ramp * ramp),
        )
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
            Profile::Front { .. } => 1.0,
            Profile::Scaled { amplitude, profile } => amplitude * profile.sup(x0, x1),
            Profile::Plateau { level, .. } => level.max(0.0),
            Profile::Samples { values, .. } => values.iter().copied().fold(f64::MIN, f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_strings() {
        for s in [
            "paper",
            "sin",
            "const:0.25",
            "step:1.5",
            "plateau:0.5",
            "npy:data/u0.npy",
        ] {
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
        let p = InitialCondition::Npy(path)
            .load_unscaled(0.0, 2.0, 0.1)
            .unwrap();
        assert_eq!(p.eval(0.5), 0.5);
        assert_eq!(p.eval(1.0), 1.0);
        assert_eq!(p.eval(-3.0), 0.0);
        assert_eq!(p.sup(0.0, 2.0), 1.0);
    }

    #[test]
    fn special_and_lying_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        // a FIFO would block a reader forever
        let fifo = dir.path().join("fifo.npy");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = InitialCondition::Npy(fifo.clone())
                .load_unscaled(0.0, 1.0, 0.1)
                .unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
            let e = crate::read_config::<crate::ProblemConfig>(&fifo).unwrap_err();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        // headers that claim 10¹² values: plainly, and behind a repeated `shape` key
        let path = dir.path().join("liar.npy");
        ndarray_npy::write_npy(&path, &ndarray::arr1(&[0.0f64, 1.0, 0.0])).unwrap();
        let honest = std::fs::read(&path).unwrap();
        let at = honest.windows(4).position(|w| w == b"(3,)").unwrap();
        for lie in [&b"(1000000000000,)"[..], b"(3,), 'shape': (1000000000000,)"] {
            let mut bytes = honest.clone();
            bytes.splice(at..at + 4, lie.iter().copied());
            std::fs::write(&path, &bytes).unwrap();
            let e = InitialCondition::Npy(path.clone())
                .load_unscaled(0.0, 1.0, 0.1)
                .unwrap_err();
            assert!(e.to_string().contains("`ic`"), "{e}");
        }
        // a 2-D array
        let flat = dir.path().join("flat.npy");
        ndarray_npy::write_npy(&flat, &ndarray::arr2(&[[0.0f64, 1.0], [2.0, 3.0]])).unwrap();
        let e = InitialCondition::Npy(flat)
            .load_unscaled(0.0, 1.0, 0.1)
            .unwrap_err();
        assert!(e.to_string().contains("1-D"), "{e}");
    }

    #[test]
    fn unreadable_file_is_named() {
        let e = InitialCondition::Npy("/no/such.npy".into())
            .load_unscaled(0.0, 1.0, 0.1)
            .unwrap_err();
        assert!(e.to_string().contains("/no/such.npy"), "{e}");
    }

    #[test]
    fn plateau_is_c2_at_the_threshold_and_vanishes_at_the_ends() {
        let p = InitialCondition::Plateau(0.5)
            .load_unscaled(0.0, 3.0, 0.25)
            .unwrap();
        assert_eq!(p.eval(1.5), 0.25);
        assert_eq!(p.eval(1.0), 0.25);
        assert_eq!((p.eval(0.0), p.eval(3.0), p.eval(-1.0)), (0.0, 0.0, 0.0));
        assert!(p.eval(0.5) > 0.0 && p.eval(0.5) < 0.25);
        // the jet against centred differences, on both ramps and across the joins
        let h = 1e-4;
        for x in [0.3, 0.7, 0.99, 1.01, 2.2, 2.9] {
            let j = p.jet(x).unwrap();
            let (l, r) = (p.eval(x - h), p.eval(x + h));
            assert!((j.x - (r - l) / (2.0 * h)).abs() < 1e-6, "u₀' at {x}");
            assert!(
                (j.xx - (r - 2.0 * j.value + l) / (h * h)).abs() < 1e-4,
                "u₀'' at {x}"
            );
        }
        // C²: value, slope and curvature continuous at the edge of the plateau x = 1
        let (a, b) = (p.jet(1.0 - 1e-9).unwrap(), p.jet(1.0 + 1e-9).unwrap());
        assert!((a.value - b.value).abs() < 1e-9 && a.x.abs() < 1e-9 && a.xx.abs() < 1e-6);
        for w in [0.0, 1.5, -1.0] {
            let e = InitialCondition::Plateau(w)
                .load_unscaled(0.0, 3.0, 0.25)
                .unwrap_err();
            assert!(e.to_string().contains("`ic`"), "{e}");
        }
    }

    #[test]
    fn phi_peaks_at_two() {
        assert!((phi(FRAC_PI_2) - 2.0).abs() < 1e-15);
        assert!(phi(0.0) < 1e-5);
    }
}
