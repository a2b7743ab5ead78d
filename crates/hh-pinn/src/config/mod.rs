//! Training configuration (serde: TOML or JSON, unknown keys rejected) and presets.
//!
//! A [`TrainConfig`] says how to train, not what: the model comes separately, as any
//! [`hh_core::ReactionDiffusion`]. Config files of the command-line tools pair the two as a
//! [`RunConfig`] (`[problem]` and `[train]` sections). Each part lives in its own file with its
//! validation (the network's in [`crate::network`]): [`sampler`], [`optimiser`] (with the
//! learning-rate schedule), [`loss`] (with the causal weights and the steering weight),
//! [`second_order`], [`preset`]. [`TrainConfig::validate`] checks the parts in that order, and
//! [`TrainConfig::validate_for`] what depends on the model.

use hh_core::{BoundaryMode, ConfigError, ReactionDiffusion};
use serde::{Deserialize, Serialize};

use crate::network::NetworkConfig;

pub mod kink;
pub mod loss;
pub mod march;
pub mod optimiser;
pub mod preset;
pub mod sampler;
pub mod second_order;

pub use kink::Kink;
pub use loss::{Causal, Direction, InitialForm, LossConfig, Pin, Steer};
pub use march::March;
pub use optimiser::{OptimiserConfig, Schedule};
pub use preset::Preset;
pub use sampler::{SamplerConfig, SamplerKind};
pub use second_order::{Coarse, PointSequence, SecondOrder};

/// A config file of a training run: the problem (any model's config type `P`) and the training.
///
/// ```toml
/// [problem]
/// a = 0.1
/// [train]
/// seed = 0
/// steps = 2000
/// [train.network]
/// depth = 4
/// width = 50
/// activation = "silu"
/// [train.sampler]
/// kind = "pinn"
/// points = 2000
/// batch = 256
/// [train.optimiser]
/// lr = 1e-3
/// schedule = { kind = "constant" }
/// [train.loss]
/// initial_form = "pointwise"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig<P> {
    pub problem: P,
    pub train: TrainConfig,
}

/// Everything that determines a training run for a given model (with the seed: bit for bit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Seed of the initialisation and of the sampler.
    pub seed: u64,
    /// Number of optimiser steps.
    pub steps: usize,
    pub network: NetworkConfig,
    pub sampler: SamplerConfig,
    pub optimiser: OptimiserConfig,
    pub loss: LossConfig,
    pub constraints: Constraints,
    /// Floating-point type of the network and the training: `f32` (as PyTorch) or `f64`.
    pub dtype: Precision,
    /// The batch is split into this many chunks whose gradients are summed (in this order); they
    /// run on up to as many threads. Changes the rounding, so it is part of the config. Keep a
    /// chunk's hidden tensors (4 · points · width elements) under 65 536: candle hands larger
    /// elementwise ops (the gradient sums of its backward pass) to its own spinning thread pool,
    /// which fights the chunk threads for the cores (measured: 27 vs 10 ms per `accurate` step).
    pub chunks: usize,
    /// A second-order phase after the `steps` first-order ones (off unless `iterations > 0`).
    pub second_order: SecondOrder,
    /// Time windows trained one after the other (one unless `march.windows > 1`).
    pub march: March,
    /// The kink-aware ansatz of the second-order phase ([`crate::kink`]; off by default).
    pub kink: Kink,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            steps: 2000,
            network: NetworkConfig::default(),
            sampler: SamplerConfig::default(),
            optimiser: OptimiserConfig::default(),
            loss: LossConfig::default(),
            constraints: Constraints::default(),
            dtype: Precision::F32,
            chunks: 2,
            second_order: SecondOrder::default(),
            march: March::default(),
            kink: Kink::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F64,
}

impl Precision {
    pub fn dtype(self) -> candle_core::DType {
        match self {
            Self::F32 => candle_core::DType::F32,
            Self::F64 => candle_core::DType::F64,
        }
    }
}

/// Constraints built into the network output, per component (see [`crate::ansatz`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Constraints {
    /// `u_i = u₀,i(x) + t · N_i`: the initial condition holds exactly (the model must give the
    /// derivatives of `u₀`: [`ReactionDiffusion::initial_jet`]).
    pub hard_initial: bool,
    /// `u_i = (x − x_min)(x_max − x) · N_i` for the diffusing components (dirichlet mode only).
    pub hard_boundary: bool,
    /// `u_i = w_i + t · D_i(x) · N_i` with `w` the model's closed-form solution of its linear part
    /// ([`ReactionDiffusion::linear_solution`]): the initial condition holds exactly and, in
    /// dirichlet mode, so does the boundary condition (`D_i` as for `hard_boundary`). Overrides
    /// `hard_initial` and `hard_boundary`.
    pub linear_part: bool,
}

/// The largest loss weight: a loss of order one, weighted, stays far from overflow in `f32`.
pub const MAX_WEIGHT: f64 = 1e6;

pub(crate) fn invalid(field: &str, allowed: &str, got: impl std::fmt::Display) -> ConfigError {
    ConfigError::invalid(field, allowed, got)
}

impl TrainConfig {
    /// Checks every field; errors name the field and its allowed range. What depends on the
    /// model is checked by [`TrainConfig::validate_for`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.steps == 0 || self.steps > 1_000_000_000 {
            return Err(invalid("steps", "an integer in 1..=1e9", self.steps));
        }
        self.network.validate()?;
        let s = &self.sampler;
        s.validate(self.loss.boundary > 0.0)?;
        self.optimiser.validate()?;
        self.loss.validate()?;
        self.second_order
            .validate(&self.loss, self.initial_active())?;
        self.march.validate()?;
        self.kink.validate()?;
        if self.kink.enabled && (self.second_order.iterations == 0 || self.march.enabled()) {
            return Err(invalid(
                "kink.enabled",
                "false unless second_order.iterations > 0 and march.windows = 1 (the enrichment is trained by Levenberg–Marquardt on one network)",
                true,
            ));
        }
        if self.march.enabled() && !(self.constraints.hard_initial || self.constraints.linear_part)
        {
            return Err(invalid(
                "march.windows",
                "1 unless constraints.hard_initial or constraints.linear_part is true (each window starts from the previous one's solution, built into its network)",
                self.march.windows,
            ));
        }
        if !(1..=64).contains(&self.chunks) || self.chunks > s.batch {
            return Err(invalid(
                "chunks",
                &format!("an integer in 1..=min(64, sampler.batch = {})", s.batch),
                self.chunks,
            ));
        }
        Ok(())
    }

    /// [`TrainConfig::validate`], and what the constraints need of the model: the derivatives
    /// of `u₀` (`hard_initial`), a closed-form linear part (`linear_part`), dirichlet mode
    /// (`hard_boundary`).
    pub fn validate_for(&self, model: &dyn ReactionDiffusion) -> Result<(), ConfigError> {
        self.validate()?;
        let m = model.components();
        let weights = self.loss.components.len();
        if weights != 0 && weights != m {
            return Err(invalid(
                "loss.components",
                &format!("empty or one weight per component ({m})"),
                format!("{weights} weights"),
            ));
        }
        for (field, c) in [
            ("loss.steer.component", self.loss.steer.component),
            ("loss.pin.component", self.loss.pin.component),
        ] {
            if c >= m {
                return Err(invalid(field, &format!("a component index in 0..{m}"), c));
            }
        }
        let d = model.domain();
        let pin = &self.loss.pin;
        if pin.weight > 0.0 && !(0.0..=d.t_end).contains(&pin.t) {
            return Err(invalid(
                "loss.pin.t",
                &format!("a time in [0, t_end = {}]", d.t_end),
                pin.t,
            ));
        }
        let windows = self.march.windows;
        if d.t_end / (windows as f64) < hh_core::Domain::MIN_SPAN {
            return Err(invalid(
                "march.windows",
                &format!(
                    "at most t_end / {:e} = {} (a window's length)",
                    hh_core::Domain::MIN_SPAN,
                    (d.t_end / hh_core::Domain::MIN_SPAN).floor()
                ),
                windows,
            ));
        }
        if model.mass().contains(&0.0)
            && self.initial_active()
            && self.loss.initial_form == InitialForm::Pairwise
        {
            return Err(invalid(
                "loss.initial_form",
                "pointwise for a model with algebraic components",
                "pairwise",
            ));
        }
        if self.kink.enabled && model.switches().is_empty() {
            return Err(invalid(
                "kink.enabled",
                "false unless the model declares levels where its reaction switches (the nerve equation, FitzHugh–Nagumo with McKean's interaction)",
                true,
            ));
        }
        let c = &self.constraints;
        let mut jets = vec![hh_core::Jet::default(); model.components()];
        if c.hard_initial && !c.linear_part && !model.initial_jet(d.x_min, &mut jets) {
            return Err(invalid(
                "constraints.hard_initial",
                "false unless the initial condition is smooth (problem.ic paper, sin, const or another profile with known derivatives)",
                true,
            ));
        }
        if c.linear_part && model.linear_solution().is_none() {
            return Err(invalid(
                "constraints.linear_part",
                "false unless the model has a closed-form linear part (the nerve equation with a smooth problem.ic: paper, sin, const)",
                true,
            ));
        }
        if c.hard_boundary && model.boundary() != BoundaryMode::Dirichlet {
            return Err(invalid(
                "constraints.hard_boundary",
                "false unless problem.bc = dirichlet",
                true,
            ));
        }
        self.check_memory(m)
    }

    /// Refuses, before anything is allocated, a training whose memory does not fit in what this
    /// process may still use ([`hh_core::resources`]), naming the field of the largest term.
    /// An upper estimate, in elements of the training's float type:
    ///
    /// - network: `P = 3w + (depth − 1)(w² + w) + (w + 1)m` parameters, four copies (weights,
    ///   gradient, Adam's two moments);
    /// - batch: `8 · batch · w · depth` (four Taylor streams u, u_x, u_t, u_xx per unit and
    ///   layer, kept for the backward pass, and their adjoints);
    /// - pool: `points` pairs (t, x) of f64 (the `pinn` sampler's fixed pool);
    /// - second order (f64): the Jacobian `R × P` with `R = m · points + 2 boundary_points`
    ///   rows, and `JᵀJ` with its damped copy, `2P²`.
    fn check_memory(&self, m: usize) -> Result<(), ConfigError> {
        let n = &self.network;
        // the enrichment's extra outputs: at most one per component
        let m = if self.kink.enabled { 2 * m } else { m };
        let (w, depth, m) = (n.width as u128, n.depth as u128, m as u128);
        let elem = self.dtype.dtype().size_in_bytes() as u128;
        let params = 3 * w + (depth - 1) * (w * w + w) + (w + 1) * m;
        let s = &self.sampler;
        let so = &self.second_order;
        let rows = m * so.points as u128 + 2 * so.boundary_points as u128;
        let terms = [
            ("network.width", n.width, 4 * params * elem),
            (
                "sampler.batch",
                s.batch,
                8 * (s.batch.max(s.boundary_batch) as u128) * w * depth * elem,
            ),
            (
                "sampler.points",
                s.points,
                if s.kind == SamplerKind::Pinn {
                    16 * s.points as u128
                } else {
                    0
                },
            ),
            (
                "second_order.points",
                so.points,
                if so.iterations > 0 {
                    (rows * params + 2 * params * params) * 8
                } else {
                    0
                },
            ),
        ];
        let total = terms.iter().map(|t| t.2).sum();
        let (field, got, _) = terms.into_iter().max_by_key(|t| t.2).expect("four terms");
        hh_core::resources::check_memory(
            field,
            got,
            total,
            "the network, its optimiser state, a batch's Taylor streams and the collocation points",
        )
    }

    /// Whether a soft boundary term is computed in boundary mode `bc`.
    pub fn boundary_active(&self, bc: BoundaryMode) -> bool {
        self.loss.boundary > 0.0
            && match bc {
                BoundaryMode::Dirichlet => {
                    !(self.constraints.hard_boundary || self.constraints.linear_part)
                }
                BoundaryMode::Neumann => true,
                BoundaryMode::Free => false,
            }
    }

    /// Whether a soft initial term is computed.
    pub fn initial_active(&self) -> bool {
        self.loss.initial > 0.0 && !(self.constraints.hard_initial || self.constraints.linear_part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_weights_decay_with_the_residual_of_earlier_slices() {
        let c = Causal {
            epsilon: 2.0,
            bins: 4,
        };
        // slices of [0, 1): [0, ¼) has mean residual 0.5, [¼, ½) none, [½, ¾) 1.0, [¾, 1] 3.0
        let ts = [0.1, 0.2, 0.6, 0.9, 1.0];
        let r2 = [0.25, 0.75, 1.0, 3.0, 3.0];
        let w = c.weights(&ts, &r2, 1.0);
        let e = |s: f64| (-2.0 * s).exp();
        assert_eq!(w[..2], [1.0, 1.0]);
        assert!((w[2] - e(0.5)).abs() < 1e-15);
        assert!((w[3] - e(1.5)).abs() < 1e-15 && w[3] == w[4]);
        let off = Causal::default();
        assert!(!off.enabled());
        let mut bad = TrainConfig::default();
        bad.loss.causal.bins = 0;
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("loss.causal.bins")
        );
    }

    #[test]
    fn presets_validate_and_round_trip() {
        for p in Preset::ALL {
            let c = p.config();
            c.validate().unwrap();
            let run = RunConfig {
                problem: hh_model::ProblemConfig::default(),
                train: c,
            };
            let t = toml::to_string(&run).unwrap();
            assert_eq!(toml::from_str::<RunConfig<_>>(&t).unwrap(), run, "{t}");
            let j = serde_json::to_string(&run).unwrap();
            assert_eq!(serde_json::from_str::<RunConfig<_>>(&j).unwrap(), run);
        }
        assert!(
            TrainConfig::preset("nope")
                .unwrap_err()
                .to_string()
                .contains("`preset`")
        );
    }

    #[test]
    fn seed_presets_are_the_papers_settings() {
        let s = TrainConfig::preset("seed").unwrap();
        assert_eq!((s.network.depth, s.network.width), (4, 50));
        assert_eq!(
            (s.sampler.points, s.sampler.batch, s.steps),
            (2000, 256, 2000)
        );
        assert_eq!(s.optimiser.lr, 1e-3);
        assert_eq!(s.loss.initial_form, InitialForm::Pairwise);
        assert!(!s.boundary_active(BoundaryMode::Dirichlet) && s.initial_active());
        let f = TrainConfig::preset("seed-fixed").unwrap();
        assert_eq!(f.loss.initial_form, InitialForm::Pointwise);
        assert_eq!(
            TrainConfig {
                loss: s.loss.clone(),
                ..f
            },
            s
        );
    }

    #[test]
    fn weight_decay_is_zero() {
        for p in Preset::ALL {
            assert_eq!(p.config().optimiser.params().weight_decay, 0.0);
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_rejected() {
        let e = toml::from_str::<TrainConfig>("steps = 3\nstepz = 4").unwrap_err();
        assert!(e.to_string().contains("stepz"), "{e}");
        let e = toml::from_str::<TrainConfig>("[network]\ndepht = 4").unwrap_err();
        assert!(e.to_string().contains("depht"), "{e}");
        let bad: Vec<(&str, TrainConfig)> = vec![
            (
                "`steps`",
                TrainConfig {
                    steps: 0,
                    ..Default::default()
                },
            ),
            ("`network.width`", {
                let mut c = TrainConfig::default();
                c.network.width = 0;
                c
            }),
            ("`optimiser.lr`", {
                let mut c = TrainConfig::default();
                c.optimiser.lr = -1.0;
                c
            }),
            ("`optimiser.beta2`", {
                let mut c = TrainConfig::default();
                c.optimiser.beta2 = 1.0;
                c
            }),
            ("`loss.initial`", {
                let mut c = TrainConfig::default();
                c.loss.initial = f64::NAN;
                c
            }),
            (
                "`chunks`",
                TrainConfig {
                    chunks: 0,
                    ..Default::default()
                },
            ),
        ];
        for (field, c) in bad {
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("must be"), "{field}: {e}");
        }
    }

    #[test]
    fn constraints_are_checked_against_the_model() {
        let problem = |bc, ic| {
            hh_model::ProblemConfig {
                bc,
                ic,
                ..Default::default()
            }
            .build()
            .unwrap()
        };
        let paper = hh_model::InitialCondition::Paper;
        let step = hh_model::InitialCondition::Step(1.0);
        let cases = [
            (
                "`constraints.hard_boundary`",
                problem(BoundaryMode::Neumann, paper.clone()),
                Constraints {
                    hard_boundary: true,
                    ..Default::default()
                },
            ),
            (
                "`constraints.hard_initial`",
                problem(BoundaryMode::Dirichlet, step.clone()),
                Constraints {
                    hard_initial: true,
                    ..Default::default()
                },
            ),
            (
                "`constraints.linear_part`",
                problem(BoundaryMode::Dirichlet, step),
                Constraints {
                    linear_part: true,
                    ..Default::default()
                },
            ),
        ];
        for (field, model, constraints) in cases {
            let c = TrainConfig {
                constraints,
                ..Default::default()
            };
            let e = c.validate_for(&model).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("must be"), "{field}: {e}");
        }
        let ok = TrainConfig::preset("accurate").unwrap();
        ok.validate_for(&problem(BoundaryMode::Free, paper))
            .unwrap();
    }

    /// The kink-aware ansatz needs a second-order phase, one window and a model that declares
    /// where its reaction switches; each refusal names `kink.enabled`, and its sizes are bounded.
    #[test]
    fn the_kink_ansatz_is_checked_against_the_config_and_the_model() {
        let kink = TrainConfig::preset("kink").unwrap();
        let mut no_second_order = kink.clone();
        no_second_order.second_order.iterations = 0;
        let mut marched = kink.clone();
        marched.constraints.hard_initial = true;
        marched.march.windows = 2;
        for c in [no_second_order, marched] {
            let e = c.validate().unwrap_err().to_string();
            assert!(e.contains("`kink.enabled`"), "{e}");
        }
        let mut tiny = kink.clone();
        tiny.kink.scan_points = 2;
        assert!(
            tiny.validate()
                .unwrap_err()
                .to_string()
                .contains("`kink.scan_points`")
        );
        let heat = hh_core::test_models::DampedHeat {
            c: 1.0,
            bc: BoundaryMode::Dirichlet,
        };
        let mut smooth = kink.clone();
        smooth.constraints.linear_part = false;
        let e = smooth.validate_for(&heat).unwrap_err().to_string();
        assert!(e.contains("`kink.enabled`"), "{e}");
        let nerve = hh_model::ProblemConfig::default().build().unwrap();
        kink.validate_for(&nerve).unwrap();
    }

    #[test]
    fn schedules() {
        assert_eq!(Schedule::Constant.lr(1e-3, 500, 1000), 1e-3);
        assert!((Schedule::Exponential { gamma: 0.5 }.lr(1.0, 3, 10) - 0.125).abs() < 1e-15);
        assert_eq!(
            Schedule::Step {
                every: 10,
                factor: 0.1
            }
            .lr(1.0, 25, 100),
            0.1f64.powi(2)
        );
        let c = Schedule::Cosine { min_lr: 0.0 };
        assert_eq!(c.lr(1.0, 0, 100), 1.0);
        assert!((c.lr(1.0, 50, 100) - 0.5).abs() < 1e-12);
        assert!(c.lr(1.0, 100, 100).abs() < 1e-12);
    }
}
