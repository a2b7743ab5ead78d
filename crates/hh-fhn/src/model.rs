//! The validated model and what the solvers see of it.

use hh_model::{
    BoundaryMode, ConfigError, Domain, Interaction, Jet, MonotoneSplit, Reaction,
    ReactionDiffusion, Side, error::finite,
};

use crate::config::{FhnConfig, Initial, Kind, Shape};

/// A validated FitzHugh–Nagumo problem: `m = 2` (`u`, `v`), `D = (1, 0)`.
#[derive(Clone, Debug, PartialEq)]
pub struct FhnModel {
    config: FhnConfig,
    domain: Domain,
    u0: Shape,
    v0: Shape,
    /// `H_k` of the `mckean` interaction.
    h: Interaction,
}

impl FhnModel {
    pub(crate) fn new(config: FhnConfig, domain: Domain, u0: Shape, v0: Shape) -> Self {
        let h = Interaction {
            a: config.a,
            k: config.k,
            regularisation: config.regularisation,
        };
        Self {
            config,
            domain,
            u0,
            v0,
            h,
        }
    }

    pub fn config(&self) -> &FhnConfig {
        &self.config
    }

    /// `f(u)` and `f'(u)`.
    #[inline]
    fn interaction(&self, u: f64) -> (f64, f64) {
        let a = self.config.a;
        match self.config.interaction {
            Kind::Cubic => (
                u * (1.0 - u) * (u - a),
                -3.0 * u * u + 2.0 * (1.0 + a) * u - a,
            ),
            Kind::Mckean => (-u + self.h.value(u), -1.0 + self.h.derivative(u)),
        }
    }
}

impl Reaction for FhnModel {
    fn components(&self) -> usize {
        2
    }

    #[inline]
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        let c = &self.config;
        f[0] = self.interaction(u[0]).0 - u[1];
        f[1] = c.eps * (u[0] - c.gamma * u[1]);
    }

    #[inline]
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        let c = &self.config;
        jac[0] = self.interaction(u[0]).1;
        jac[1] = -1.0;
        jac[2] = c.eps;
        jac[3] = -c.eps * c.gamma;
    }

    fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
        (self.config.interaction == Kind::Mckean && self.config.k.is_infinite())
            .then_some(self as &dyn MonotoneSplit)
    }

    /// `mckean`: where `H_k(u − a)` switches (the cubic is smooth).
    fn switches(&self) -> Vec<hh_core::Switch> {
        match self.config.interaction {
            Kind::Cubic => Vec::new(),
            Kind::Mckean => self.h.switches(),
        }
    }
}

/// `mckean`, `k = ∞`: `f = L (u, v) + g(u)` with `L = [[−1, −1], [ε, −εγ]]` and
/// `g = (H(u − a), 0)`; `v` (no diffusion, constant `g_v`) is eliminated by the solver.
impl MonotoneSplit for FhnModel {
    fn linear(&self) -> Vec<f64> {
        let c = &self.config;
        vec![-1.0, -1.0, c.eps, -c.eps * c.gamma]
    }

    fn monotone(&self, u: &[f64], g: &mut [f64]) {
        g[0] = self.h.value(u[0]);
        g[1] = 0.0;
    }

    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 0.0])
    }

    fn side(&self) -> Side {
        match self.config.regularisation {
            hh_model::Regularisation::Lower => Side::Below,
            hh_model::Regularisation::Upper => Side::Above,
        }
    }
}

impl ReactionDiffusion for FhnModel {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0, 0.0]
    }

    fn domain(&self) -> Domain {
        self.domain
    }

    fn boundary(&self) -> BoundaryMode {
        self.config.bc
    }

    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = self.config.amplitude * self.u0.eval(x);
        u0[1] = self.v0.eval(x);
    }

    /// `max(1, sup |u₀|, sup |v₀|)`: the excited state is `u ≈ 1`, and `v` stays of the size of `u`.
    fn bound(&self) -> f64 {
        let d = &self.domain;
        (self.config.amplitude * self.u0.sup_abs(d.x_min, d.x_max))
            .max(self.v0.sup_abs(d.x_min, d.x_max))
            .max(1.0)
    }

    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        match (self.u0.jet(x), self.v0.jet(x)) {
            (Some(u), Some(v)) => {
                let l = self.config.amplitude;
                out[0] = Jet::of_x(l * u.value, l * u.x, l * u.xx);
                out[1] = v;
                true
            }
            _ => false,
        }
    }

    /// The [`FhnConfig`].
    fn describe(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).expect("configs serialise")
    }
}

impl hh_core::ModelConfig for FhnConfig {
    type Model = FhnModel;
    fn build_model(&self) -> Result<FhnModel, ConfigError> {
        self.build()
    }
}

impl FhnConfig {
    /// Validates every field (errors name the field and its allowed range) and reads the
    /// initial-condition files, if any.
    pub fn build(&self) -> Result<FhnModel, ConfigError> {
        hh_core::error::bounded("a", self.a)?;
        let max = hh_core::error::MAX_PARAMETER;
        for (field, v) in [("eps", self.eps), ("gamma", self.gamma)] {
            if !(0.0..=max).contains(&v) {
                return Err(ConfigError::invalid(
                    field,
                    &format!("a number in [0, {max:e}]"),
                    v,
                ));
            }
        }
        self.k.validate()?;
        let domain = Domain::new(self.x_min, self.x_max, self.t_end)?;
        let max = hh_model::initial::MAX_AMPLITUDE;
        if !(0.0..=max).contains(&self.amplitude) {
            return Err(ConfigError::invalid(
                "amplitude",
                &format!("a number in [0, {max:e}]"),
                self.amplitude,
            ));
        }
        let load = |field: &str, ic: &Initial| -> Result<Shape, ConfigError> {
            Ok(match ic {
                Initial::Nagumo(x0) => Shape::Nagumo(finite(field, *x0)?),
                Initial::Common(ic) => {
                    // hh-model names its one profile `ic`; here there are two.
                    Shape::Profile(
                        ic.load_unscaled(self.x_min, self.x_max, self.a)
                            .map_err(|e| e.renamed(|_| field.to_owned()))?,
                    )
                }
            })
        };
        Ok(FhnModel::new(
            self.clone(),
            domain,
            load("ic", &self.ic)?,
            load("v0", &self.v0)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waves::{nagumo_front, nagumo_speed};
    use hh_model::{InitialCondition, Slope};

    #[test]
    fn the_nagumo_front_solves_the_travelling_wave_ode() {
        // U'' + c U' + U(1 − U)(U − a) = 0 for U(z) = nagumo_front(z), c = (1 − 2a)/√2.
        for a in [0.1, 0.25, 0.4] {
            let c = nagumo_speed(a);
            let h = 1e-4;
            for z in [-5.0, -1.0, 0.0, 0.7, 4.0] {
                let u = |z| nagumo_front(z);
                let d1 = (u(z + h) - u(z - h)) / (2.0 * h);
                let d2 = (u(z + h) - 2.0 * u(z) + u(z - h)) / (h * h);
                let r = d2 + c * d1 + u(z) * (1.0 - u(z)) * (u(z) - a);
                assert!(r.abs() < 1e-7, "a = {a}, z = {z}: {r}");
            }
        }
    }

    #[test]
    fn jacobian_matches_finite_differences() {
        for (interaction, k) in [
            (Kind::Cubic, Slope::Infinite),
            (Kind::Mckean, Slope::Finite(7.0)),
        ] {
            let m = FhnConfig {
                interaction,
                k,
                eps: 0.3,
                gamma: 0.7,
                ..Default::default()
            }
            .build()
            .unwrap();
            for u in [[0.05, 0.2], [0.13, -0.1], [0.6, 0.3]] {
                let mut j = [0.0; 4];
                m.jacobian(&u, &mut j);
                let h = 1e-7;
                for c in 0..2 {
                    let (mut up, mut um) = (u, u);
                    up[c] += h;
                    um[c] -= h;
                    let (mut fp, mut fm) = ([0.0; 2], [0.0; 2]);
                    m.reaction(&up, &mut fp);
                    m.reaction(&um, &mut fm);
                    for r in 0..2 {
                        let fd = (fp[r] - fm[r]) / (2.0 * h);
                        assert!(
                            (fd - j[r * 2 + c]).abs() < 1e-6,
                            "{interaction} {u:?} J[{r},{c}]"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn configs_round_trip_and_bad_values_name_their_field() {
        let cfg = FhnConfig {
            interaction: Kind::Mckean,
            ic: Initial::Common(InitialCondition::Step(3.0)),
            ..Default::default()
        };
        let text = toml::to_string(&cfg).unwrap();
        assert_eq!(toml::from_str::<FhnConfig>(&text).unwrap(), cfg, "{text}");
        assert!(text.contains("ic = \"step:3\""), "{text}");
        let e = toml::from_str::<FhnConfig>("epsilon = 1").unwrap_err();
        assert!(e.to_string().contains("epsilon"), "{e}");
        for (field, cfg) in [
            (
                "`eps`",
                FhnConfig {
                    eps: -1.0,
                    ..Default::default()
                },
            ),
            (
                "`gamma`",
                FhnConfig {
                    gamma: f64::NAN,
                    ..Default::default()
                },
            ),
            (
                "`a`",
                FhnConfig {
                    a: f64::INFINITY,
                    ..Default::default()
                },
            ),
            (
                "`t_end`",
                FhnConfig {
                    t_end: 0.0,
                    ..Default::default()
                },
            ),
            (
                "`x_max`",
                FhnConfig {
                    x_max: -1.0,
                    ..Default::default()
                },
            ),
            (
                "`k`",
                FhnConfig {
                    k: Slope::Finite(-2.0),
                    ..Default::default()
                },
            ),
        ] {
            let e = cfg.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("must be"), "{field}: {e}");
        }
        for bad in ["nagumo:x", "nagumo:inf", "bump"] {
            let e = bad.parse::<Initial>().unwrap_err().to_string();
            assert!(e.contains("`ic`"), "{bad}: {e}");
        }
        let v0 = FhnConfig {
            v0: Initial::Common(InitialCondition::Npy("/no/such.npy".into())),
            ..Default::default()
        };
        let e = v0.build().unwrap_err().to_string();
        assert!(e.contains("`v0`"), "{e}");
    }

    #[test]
    fn initial_jets_are_derivatives() {
        let m = FhnConfig::default().build().unwrap();
        let mut j = [Jet::default(); 2];
        let h = 1e-5;
        for x in [2.0, 5.0, 7.5] {
            assert!(m.initial_jet(x, &mut j));
            let mut up = [Jet::default(); 2];
            let mut um = [Jet::default(); 2];
            m.initial_jet(x + h, &mut up);
            m.initial_jet(x - h, &mut um);
            assert!(((up[0].value - um[0].value) / (2.0 * h) - j[0].x).abs() < 1e-8);
            assert!(((up[0].x - um[0].x) / (2.0 * h) - j[0].xx).abs() < 1e-8);
            assert_eq!(j[1], Jet::constant(0.0));
        }
    }
}
