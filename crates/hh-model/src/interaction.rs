//! The Heaviside interaction `H` and its Lipschitz regularisations `H_k` (the paper's (5)).
//!
//! ```text
//! lower  H_k⁻(u) = 0 for u < a,        k (u − a)     on [a, a + 1/k),  1 beyond   (the paper's H_k)
//! upper  H_k⁺(u) = 0 for u < a − 1/k,  k (u − a) + 1 on [a − 1/k, a),  1 beyond
//! k = ∞  H⁻(u) = 1 if u > a else 0 (lower),   H⁺(u) = 1 if u ≥ a else 0 (upper)
//! ```
//!
//! `H_k⁻ ≤ H ≤ H_k⁺`, so by the comparison principle the lower solutions increase and the upper
//! ones decrease in `k`; their limits are the minimal and maximal solutions of the inclusion.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::ConfigError;
use hh_core::{AtLevel, Switch};

/// Which side of the multivalued graph `H` the regularisation approaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Regularisation {
    /// `H_k⁻ ≤ H`, ramp on `[a, a + 1/k)`: the paper's `H_k`; its limit is the minimal solution.
    #[default]
    Lower,
    /// `H_k⁺ ≥ H`, ramp on `[a − 1/k, a)`; its limit is the maximal solution.
    Upper,
}

impl Regularisation {
    pub const ALL: [Regularisation; 2] = [Self::Lower, Self::Upper];

    pub fn name(self) -> &'static str {
        match self {
            Self::Lower => "lower",
            Self::Upper => "upper",
        }
    }
}

impl fmt::Display for Regularisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Regularisation {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| ConfigError::invalid("regularisation", "one of lower, upper", s))
    }
}

/// The slope `k > 0` of the ramp, or `∞` for an exact selection of `H`.
///
/// In configs and on the command line a positive number or `inf`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slope {
    Finite(f64),
    Infinite,
}

impl Default for Slope {
    fn default() -> Self {
        Slope::Finite(5.0)
    }
}

impl Slope {
    /// `k` as a number (`f64::INFINITY` for `∞`).
    pub fn value(self) -> f64 {
        match self {
            Slope::Finite(k) => k,
            Slope::Infinite => f64::INFINITY,
        }
    }

    pub fn is_infinite(self) -> bool {
        matches!(self, Slope::Infinite)
    }

    /// Checks `0 < k ≤` [`hh_core::error::MAX_PARAMETER`] for a finite slope.
    pub fn validate(self) -> Result<Self, ConfigError> {
        let max = hh_core::error::MAX_PARAMETER;
        match self {
            Slope::Finite(k) if !(k > 0.0 && k <= max) => Err(ConfigError::invalid(
                "k",
                &format!("a number in (0, {max:e}], or `inf`"),
                k,
            )),
            s => Ok(s),
        }
    }
}

impl fmt::Display for Slope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slope::Finite(k) => write!(f, "{k}"),
            Slope::Infinite => f.write_str("inf"),
        }
    }
}

impl FromStr for Slope {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s.trim() {
            "inf" | "infinity" | "∞" => Ok(Slope::Infinite),
            t => t
                .parse::<f64>()
                .map_err(|_| ConfigError::invalid("k", "a finite number > 0, or `inf`", s))
                .and_then(|k| Slope::Finite(k).validate()),
        }
    }
}

impl Serialize for Slope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Slope::Finite(k) => s.serialize_f64(*k),
            Slope::Infinite => s.serialize_str("inf"),
        }
    }
}

impl<'de> Deserialize<'de> for Slope {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(k) => Ok(Slope::Finite(k)),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// The interaction term `H_k(u)` with threshold `a`, slope `k` and side.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub a: f64,
    pub k: Slope,
    pub regularisation: Regularisation,
}

impl Interaction {
    /// Start of the ramp: `a` (lower) or `a − 1/k` (upper); the jump point for `k = ∞`.
    fn ramp_start(&self) -> f64 {
        match self.regularisation {
            Regularisation::Lower => self.a,
            Regularisation::Upper => self.a - 1.0 / self.k.value(),
        }
    }

    /// `H_k(u)` ∈ [0, 1], nondecreasing in `u`.
    #[inline]
    pub fn value(&self, u: f64) -> f64 {
        match (self.k, self.regularisation) {
            (Slope::Finite(k), _) => (k * (u - self.ramp_start())).clamp(0.0, 1.0),
            (Slope::Infinite, Regularisation::Lower) => f64::from(u > self.a),
            (Slope::Infinite, Regularisation::Upper) => f64::from(u >= self.a),
        }
    }

    /// The (generalised) derivative `H_k'(u)`: `k` on the open ramp, 0 elsewhere (and for `k = ∞`).
    #[inline]
    pub fn derivative(&self, u: f64) -> f64 {
        match self.k {
            Slope::Finite(k) => {
                let s = k * (u - self.ramp_start());
                if s > 0.0 && s < 1.0 { k } else { 0.0 }
            }
            Slope::Infinite => 0.0,
        }
    }

    /// The levels where `H_k` is not smooth: for `k = ∞` the jump at `a` (of 1, the value at `a`
    /// the selection's); for finite `k` the two ends of the ramp, kinks where the slope jumps
    /// by `+k` and `−k`.
    pub fn switches(&self) -> Vec<Switch> {
        match self.k {
            Slope::Infinite => vec![Switch {
                component: 0,
                level: self.a,
                jump: 1.0,
                slope_jump: 0.0,
                at_level: match self.regularisation {
                    Regularisation::Lower => AtLevel::Below,
                    Regularisation::Upper => AtLevel::Above,
                },
            }],
            Slope::Finite(k) => {
                let start = self.ramp_start();
                [(start, k), (start + 1.0 / k, -k)]
                    .into_iter()
                    .map(|(level, slope_jump)| Switch {
                        component: 0,
                        level,
                        jump: 0.0,
                        slope_jump,
                        at_level: AtLevel::Below,
                    })
                    .collect()
            }
        }
    }

    /// [`Interaction::value`] over a slice (the match hoisted out of a branch-free loop).
    pub fn value_batch(&self, u: &[f64], out: &mut [f64]) {
        let a = self.a;
        match (self.k, self.regularisation) {
            (Slope::Finite(k), _) => {
                let s0 = self.ramp_start();
                for (o, &v) in out.iter_mut().zip(u) {
                    *o = (k * (v - s0)).clamp(0.0, 1.0);
                }
            }
            (Slope::Infinite, Regularisation::Lower) => {
                out.iter_mut()
                    .zip(u)
                    .for_each(|(o, &v)| *o = f64::from(v > a));
            }
            (Slope::Infinite, Regularisation::Upper) => {
                out.iter_mut()
                    .zip(u)
                    .for_each(|(o, &v)| *o = f64::from(v >= a));
            }
        }
    }

    /// [`Interaction::derivative`] over a slice.
    pub fn derivative_batch(&self, u: &[f64], out: &mut [f64]) {
        match self.k {
            Slope::Finite(k) => {
                let s0 = self.ramp_start();
                for (o, &v) in out.iter_mut().zip(u) {
                    let s = k * (v - s0);
                    *o = if s > 0.0 && s < 1.0 { k } else { 0.0 };
                }
            }
            Slope::Infinite => out.fill(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(a: f64, k: Slope, r: Regularisation) -> Interaction {
        Interaction {
            a,
            k,
            regularisation: r,
        }
    }

    #[test]
    fn lower_is_the_papers_ramp() {
        let hk = h(0.1, Slope::Finite(5.0), Regularisation::Lower);
        assert_eq!(hk.value(0.05), 0.0);
        assert_eq!(hk.value(0.1), 0.0);
        assert!((hk.value(0.2) - 0.5).abs() < 1e-15);
        assert_eq!(hk.value(0.31), 1.0);
        assert_eq!(hk.derivative(0.2), 5.0);
        assert_eq!(hk.derivative(0.31), 0.0);
    }

    #[test]
    fn upper_ramp_ends_at_a() {
        let hk = h(0.5, Slope::Finite(4.0), Regularisation::Upper);
        assert_eq!(hk.value(0.2), 0.0);
        assert!((hk.value(0.375) - 0.5).abs() < 1e-15);
        assert_eq!(hk.value(0.5), 1.0);
    }

    #[test]
    fn exact_selections_differ_only_at_the_threshold() {
        let lo = h(0.3, Slope::Infinite, Regularisation::Lower);
        let up = h(0.3, Slope::Infinite, Regularisation::Upper);
        assert_eq!((lo.value(0.3), up.value(0.3)), (0.0, 1.0));
        assert_eq!((lo.value(0.31), up.value(0.31)), (1.0, 1.0));
        assert_eq!((lo.value(0.29), up.value(0.29)), (0.0, 0.0));
    }

    #[test]
    fn slope_parses_numbers_and_inf() {
        assert_eq!("inf".parse::<Slope>().unwrap(), Slope::Infinite);
        assert_eq!("20".parse::<Slope>().unwrap(), Slope::Finite(20.0));
        for bad in ["0", "-1", "nan", "1e300"] {
            let err = bad.parse::<Slope>().unwrap_err().to_string();
            assert!(err.contains("`k`") && err.contains("(0, 1e6]"), "{err}");
        }
        let err = "abc".parse::<Slope>().unwrap_err().to_string();
        assert!(err.contains("`k`"), "{err}");
    }

    #[test]
    fn batches_match_pointwise_values() {
        let u: Vec<f64> = (0..200).map(|i| -0.5 + 0.01 * i as f64).collect();
        for k in [Slope::Finite(7.0), Slope::Infinite] {
            for r in Regularisation::ALL {
                let hk = h(0.3, k, r);
                let (mut v, mut d) = (vec![0.0; u.len()], vec![0.0; u.len()]);
                hk.value_batch(&u, &mut v);
                hk.derivative_batch(&u, &mut d);
                for i in 0..u.len() {
                    assert_eq!((v[i], d[i]), (hk.value(u[i]), hk.derivative(u[i])));
                }
            }
        }
    }

    proptest! {
        /// `H_k⁻ ≤ H⁻ ≤ H⁺ ≤ H_k⁺`, and `H_k⁻` increases / `H_k⁺` decreases with `k`.
        #[test]
        fn ordering_and_monotonicity_in_k(u in -1.0f64..2.0, a in 0.0f64..1.0, k in 0.5f64..1e4) {
            let v = |k, r| h(a, k, r).value(u);
            let (lo, up) = (Regularisation::Lower, Regularisation::Upper);
            prop_assert!(v(Slope::Finite(k), lo) <= v(Slope::Infinite, lo));
            prop_assert!(v(Slope::Infinite, lo) <= v(Slope::Infinite, up));
            prop_assert!(v(Slope::Infinite, up) <= v(Slope::Finite(k), up));
            prop_assert!(v(Slope::Finite(k), lo) <= v(Slope::Finite(2.0 * k), lo));
            prop_assert!(v(Slope::Finite(2.0 * k), up) <= v(Slope::Finite(k), up));
        }

        /// The derivative is the slope of the secant away from the kinks.
        #[test]
        fn derivative_matches_secant(u in -1.0f64..2.0, a in 0.0f64..1.0, k in 0.5f64..100.0) {
            for r in Regularisation::ALL {
                let hk = h(a, Slope::Finite(k), r);
                let eps = 1e-7;
                let s = k * (u - hk.ramp_start());
                prop_assume!((s.abs() > 1e-4) && ((s - 1.0).abs() > 1e-4));
                let secant = (hk.value(u + eps) - hk.value(u - eps)) / (2.0 * eps);
                prop_assert!((secant - hk.derivative(u)).abs() < 1e-4 * k.max(1.0));
            }
        }
    }
}
