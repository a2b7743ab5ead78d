//! The nerve-impulse problem: its config (serde) and the validated model.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::sync::Arc;

use crate::initial::Profile;
use crate::{
    BoundaryMode, ConfigError, Domain, InitialCondition, Interaction, Jet, LinearPart,
    LinearSolution, MonotoneSplit, Reaction, ReactionDiffusion, Regularisation, Side, Slope,
};
use hh_core::Switch;

/// The six thresholds of the paper's Figure 1.
pub const PAPER_A_VALUES: [f64; 6] = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35];

/// `u_t − u_xx + u ∈ H(u − a)` as written in a config file (every field optional; the defaults are
/// the paper's problem: `a = 0.1`, `k = 5`, `lower`, `dirichlet`, `T = 1`, `(0, π)`, `φ`).
///
/// ```toml
/// a = 0.25
/// k = "inf"
/// regularisation = "upper"
/// bc = "neumann"
/// ic = "step:1.0"
/// t_end = 2.0
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemConfig {
    /// Excitation threshold `a` (dimensionless potential).
    pub a: f64,
    /// Ramp slope `k > 0`, or `"inf"` for an exact selection.
    pub k: Slope,
    /// `lower` (the paper's `H_k`, below `H`) or `upper` (above `H`).
    pub regularisation: Regularisation,
    /// Boundary mode at both ends.
    pub bc: BoundaryMode,
    /// Initial condition (before `amplitude`).
    pub ic: InitialCondition,
    /// `λ ≥ 0`: `u₀` is `λ` times the profile of `ic` (a stimulus of amplitude `λ`).
    pub amplitude: f64,
    /// Final time `T > 0`.
    pub t_end: f64,
    /// Left end of the interval.
    pub x_min: f64,
    /// Right end of the interval (`> x_min`).
    pub x_max: f64,
    /// `regularised` (the default: `H` replaced by `H_k`) or `inclusion` (the pair `(u, d)` with
    /// `d ∈ H(u − a)`, no `k`; see [`crate::inclusion`]).
    pub formulation: Formulation,
}

/// What is solved: the regularised equation or the inclusion itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Formulation {
    /// `u_t − u_xx + u = H_k(u − a)` (`k` and `regularisation` apply).
    #[default]
    Regularised,
    /// `u_t − u_xx + u = d ∈ H(u − a)`: two unknowns `(u, d)` ([`crate::NerveInclusion`]), solved by
    /// a PINN only; `k` and `regularisation` play no part.
    Inclusion,
}

impl Default for ProblemConfig {
    fn default() -> Self {
        Self {
            a: 0.1,
            k: Slope::default(),
            regularisation: Regularisation::Lower,
            bc: BoundaryMode::Dirichlet,
            ic: InitialCondition::Paper,
            amplitude: 1.0,
            t_end: 1.0,
            x_min: 0.0,
            x_max: PI,
            formulation: Formulation::Regularised,
        }
    }
}

impl ProblemConfig {
    /// The model the config describes: the [`NerveProblem`] of [`ProblemConfig::build`], or for
    /// `formulation = "inclusion"` the [`crate::NerveInclusion`] built on it.
    pub fn model(&self) -> Result<Arc<dyn ReactionDiffusion>, ConfigError> {
        let problem = self.build()?;
        Ok(match self.formulation {
            Formulation::Regularised => Arc::new(problem),
            Formulation::Inclusion => Arc::new(crate::NerveInclusion::new(problem)),
        })
    }

    /// The paper's problem with threshold `a`, mode `bc`, slope `k` and side `regularisation`.
    pub fn paper(a: f64, bc: BoundaryMode, k: Slope, regularisation: Regularisation) -> Self {
        Self {
            a,
            bc,
            k,
            regularisation,
            ..Default::default()
        }
    }

    /// Validates every field and reads the initial-condition file, if any (the regularised
    /// problem, whatever `formulation` says; [`hh_core::ModelConfig`] refuses the inclusion).
    pub fn build(&self) -> Result<NerveProblem, ConfigError> {
        hh_core::error::bounded("a", self.a)?;
        self.k.validate()?;
        Domain::new(self.x_min, self.x_max, self.t_end)?;
        Ok(NerveProblem {
            interaction: Interaction {
                a: self.a,
                k: self.k,
                regularisation: self.regularisation,
            },
            profile: self
                .ic
                .load(self.x_min, self.x_max, self.a, self.amplitude)?,
            config: self.clone(),
        })
    }
}

/// A validated nerve-impulse problem: `m = 1`, `D = 1`, `f(u) = −u + H_k(u)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NerveProblem {
    config: ProblemConfig,
    interaction: Interaction,
    profile: Profile,
}

impl NerveProblem {
    pub fn config(&self) -> &ProblemConfig {
        &self.config
    }

    pub fn interaction(&self) -> &Interaction {
        &self.interaction
    }

    /// The initial profile `u₀`.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }
}

impl Reaction for NerveProblem {
    fn components(&self) -> usize {
        1
    }

    #[inline]
    fn reaction(&self, u: &[f64], f: &mut [f64]) {
        f[0] = self.interaction.value(u[0]) - u[0];
    }

    #[inline]
    fn jacobian(&self, u: &[f64], jac: &mut [f64]) {
        jac[0] = self.interaction.derivative(u[0]) - 1.0;
    }

    fn reaction_batch(&self, u: &[f64], f: &mut [f64]) {
        self.interaction.value_batch(u, f);
        f.iter_mut().zip(u).for_each(|(f, u)| *f -= u);
    }

    fn jacobian_batch(&self, u: &[f64], jac: &mut [f64]) {
        self.interaction.derivative_batch(u, jac);
        jac.iter_mut().for_each(|j| *j -= 1.0);
    }

    fn monotone_split(&self) -> Option<&dyn MonotoneSplit> {
        self.interaction
            .k
            .is_infinite()
            .then_some(self as &dyn MonotoneSplit)
    }

    fn switches(&self) -> Vec<Switch> {
        self.interaction.switches()
    }
}

/// `f(u) = −u + H(u)`: `L = −1`, `g = H` (a selection, nondecreasing, in [0, 1]).
impl MonotoneSplit for NerveProblem {
    fn linear(&self) -> Vec<f64> {
        vec![-1.0]
    }

    #[inline]
    fn monotone(&self, u: &[f64], g: &mut [f64]) {
        g[0] = self.interaction.value(u[0]);
    }

    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0], vec![1.0])
    }

    fn side(&self) -> Side {
        match self.interaction.regularisation {
            Regularisation::Lower => Side::Below,
            Regularisation::Upper => Side::Above,
        }
    }
}

impl ReactionDiffusion for NerveProblem {
    fn diffusion(&self) -> Vec<f64> {
        vec![1.0]
    }

    fn domain(&self) -> Domain {
        Domain {
            x_min: self.config.x_min,
            x_max: self.config.x_max,
            t_end: self.config.t_end,
        }
    }

    fn boundary(&self) -> BoundaryMode {
        self.config.bc
    }

    fn initial(&self, x: f64, u0: &mut [f64]) {
        u0[0] = self.profile.eval(x);
    }

    /// `max(sup u₀, 1)`: `0 ≤ H ≤ 1` and the maximum principle bound `u` by it (and below by
    /// `min(inf u₀, 0)`, which for nonnegative data is 0).
    fn bound(&self) -> f64 {
        self.profile
            .sup(self.config.x_min, self.config.x_max)
            .abs()
            .max(1.0)
    }

    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        match self.profile.jet(x) {
            Some(j) => {
                out[0] = j;
                true
            }
            None => false,
        }
    }

    /// `u_lin` of `u_t = u_xx − u` ([`LinearPart`]) for the smooth profiles.
    fn linear_solution(&self) -> Option<Arc<dyn LinearSolution>> {
        self.profile.jet(self.config.x_min)?;
        Some(Arc::new(LinearPart::new(
            &self.profile,
            &self.domain(),
            self.config.bc,
        )))
    }

    /// The [`ProblemConfig`].
    fn describe(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).expect("configs serialise")
    }
}

/// The regularised problem, for the generic commands (the FD solve of `hh-fd`): the inclusion
/// formulation is refused, since finite differences compute its extremal solutions as `k = inf`
/// with `regularisation` lower and upper.
impl hh_core::ModelConfig for ProblemConfig {
    type Model = NerveProblem;
    fn build_model(&self) -> Result<NerveProblem, ConfigError> {
        if self.formulation != Formulation::Regularised {
            return Err(ConfigError::invalid(
                "problem.formulation",
                "regularised for finite differences (the extremal solutions of the inclusion are \
                 k = inf with regularisation lower and upper)",
                "inclusion",
            ));
        }
        self.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_papers_problem() {
        let p = ProblemConfig::default().build().unwrap();
        assert_eq!(p.interaction().a, 0.1);
        assert_eq!(p.interaction().k, Slope::Finite(5.0));
        assert_eq!(p.boundary(), BoundaryMode::Dirichlet);
        assert_eq!(
            p.domain(),
            Domain {
                x_min: 0.0,
                x_max: PI,
                t_end: 1.0
            }
        );
        assert!(p.monotone_split().is_none());
        assert_eq!(p.bound(), 2.0);
    }

    #[test]
    fn toml_and_json_round_trip() {
        let cfg = ProblemConfig {
            a: 0.25,
            k: Slope::Infinite,
            regularisation: Regularisation::Upper,
            bc: BoundaryMode::Free,
            ic: InitialCondition::Step(1.0),
            ..Default::default()
        };
        let toml_text = toml::to_string(&cfg).unwrap();
        assert_eq!(toml::from_str::<ProblemConfig>(&toml_text).unwrap(), cfg);
        let json = serde_json::to_string(&cfg).unwrap();
        assert_eq!(serde_json::from_str::<ProblemConfig>(&json).unwrap(), cfg);
        assert!(json.contains("\"k\":\"inf\""), "{json}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<ProblemConfig>("a = 0.2\nkappa = 3").unwrap_err();
        assert!(e.to_string().contains("kappa"), "{e}");
    }

    #[test]
    fn invalid_values_name_field_and_range() {
        let cases: [(&str, ProblemConfig); 5] = [
            (
                "`a`",
                ProblemConfig {
                    a: f64::NAN,
                    ..Default::default()
                },
            ),
            (
                "`k`",
                ProblemConfig {
                    k: Slope::Finite(0.0),
                    ..Default::default()
                },
            ),
            (
                "`t_end`",
                ProblemConfig {
                    t_end: -1.0,
                    ..Default::default()
                },
            ),
            (
                "`x_max`",
                ProblemConfig {
                    x_max: -1.0,
                    ..Default::default()
                },
            ),
            (
                "`x_min`",
                ProblemConfig {
                    x_min: f64::INFINITY,
                    ..Default::default()
                },
            ),
        ];
        for (field, cfg) in cases {
            let e = cfg.build().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("must be"), "{e}");
        }
    }

    #[test]
    fn infinite_k_selects_monotone_iteration_from_the_right_side() {
        for (r, side) in [
            (Regularisation::Lower, Side::Below),
            (Regularisation::Upper, Side::Above),
        ] {
            let p = ProblemConfig {
                k: Slope::Infinite,
                regularisation: r,
                ..Default::default()
            }
            .build()
            .unwrap();
            assert_eq!(p.monotone_split().unwrap().side(), side);
        }
    }
}
