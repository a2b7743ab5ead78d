//! Fisher–KPP as a model crate: only its maths. The solvers take it unchanged, and its binary
//! (`hh-kpp solve`, `hh-kpp train`) is the generic commands of `hh-cli` with its own flags.
//!
//! ```text
//! u_t = u_xx + u (1 − u),   x ∈ (x_min, x_max),  t ∈ (0, T],   u(0, x) = U(x − x0),
//! ```
//!
//! with `U` the exact travelling wave of Ablowitz and Zeppetella (1979), which moves right at
//! speed `c = 5/√6`: `u(t, x) = U(x − x0 − c t)`, `U(s) = (1 + e^{s/√6})^{−2}` ([`exact`]).
//!
//! ```
//! use hh_core::{ModelConfig, Reaction, ReactionDiffusion};
//! let model = hh_kpp::KppConfig::default().build_model().unwrap();
//! let mut u0 = [0.0];
//! model.initial(0.0, &mut u0);
//! assert_eq!(u0[0], 0.25); // U(0) = 1/4
//! ```

use hh_core::{BoundaryMode, ConfigError, Domain, Jet, ModelConfig, Reaction, ReactionDiffusion};
use serde::{Deserialize, Serialize};

/// The wave speed `c = 5/√6`.
pub const SPEED: f64 = 2.041_241_452_319_315;

/// The exact wave and its x-derivatives at `(t, x)`: `U(s)`, `s = x − x0 − c t`. Written with
/// `w = 1/(1 + e^{s/√6})` (no overflow for any `s`): `U = w²`, `U' = −2w²(1 − w)/√6`,
/// `U'' = (6w²(1 − w)² − 2w²(1 − w))/6`, `U_t = −c U'`.
pub fn exact(t: f64, x: f64, x0: f64) -> Jet {
    let s = (x - x0 - SPEED * t) / 6f64.sqrt();
    let w = if s > 0.0 {
        let e = (-s).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + s.exp())
    };
    let (w2, v) = (w * w, 1.0 - w);
    let ux = -2.0 * w2 * v / 6f64.sqrt();
    Jet {
        value: w2,
        x: ux,
        t: -SPEED * ux,
        xx: (6.0 * w2 * v * v - 2.0 * w2 * v) / 6.0,
    }
}

/// The problem as written in a config file (`[problem]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KppConfig {
    /// Where the initial front `u₀ = U(x − x0)` is at its quarter value.
    pub x0: f64,
    pub bc: BoundaryMode,
    pub x_min: f64,
    pub x_max: f64,
    pub t_end: f64,
}

impl Default for KppConfig {
    /// A front at 0 on (−40, 40), sealed ends, T = 5 (it travels about 10; the wave is flat to
    /// 1e-7 at both ends, so sealing them costs no accuracy).
    fn default() -> Self {
        Self {
            x0: 0.0,
            bc: BoundaryMode::Neumann,
            x_min: -40.0,
            x_max: 40.0,
            t_end: 5.0,
        }
    }
}

impl ModelConfig for KppConfig {
    type Model = Kpp;
    fn build_model(&self) -> Result<Kpp, ConfigError> {
        let domain = Domain::new(self.x_min, self.x_max, self.t_end)?;
        hh_core::error::finite("x0", self.x0)?;
        Ok(Kpp {
            config: self.clone(),
            domain,
        })
    }
}

/// The validated model.
#[derive(Clone, Debug)]
pub struct Kpp {
    config: KppConfig,
    domain: Domain,
}

impl Reaction for Kpp {
    fn components(&self) -> usize {
        1
    }
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = u[0] * (1.0 - u[0]);
    }
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        jac[0] = 1.0 - 2.0 * u[0];
    }
}

impl ReactionDiffusion for Kpp {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0]
    }
    fn domain(&self) -> Domain {
        self.domain
    }
    fn boundary(&self) -> BoundaryMode {
        self.config.bc
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = exact(0.0, x, self.config.x0).value;
    }
    fn bound(&self) -> f64 {
        1.0
    }
    /// `0 ≤ u ≤ 1`: the data lie there, and the maximum principle keeps them there.
    fn state_range(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        out[0] = Jet {
            t: 0.0,
            ..exact(0.0, x, self.config.x0)
        };
        true
    }
    fn describe(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).unwrap_or_default()
    }
}
