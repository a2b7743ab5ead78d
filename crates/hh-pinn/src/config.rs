//! Training configuration (serde: TOML or JSON, unknown keys rejected) and presets.
//!
//! A [`TrainConfig`] says how to train, not what: the model comes separately, as any
//! [`hh_core::ReactionDiffusion`]. Config files of the command-line tools pair the two as a
//! [`RunConfig`] (`[problem]` and `[train]` sections).

use hh_core::{BoundaryMode, ConfigError, ReactionDiffusion};
use serde::{Deserialize, Serialize};

use crate::network::NetworkConfig;

/// The names [`TrainConfig::preset`] accepts.
pub const PRESETS: &[&str] = &[
    "seed",
    "seed-fixed",
    "dgm",
    "hard",
    "accurate",
    "wave",
    "inclusion",
    "precise",
];

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
}

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

/// Where the collocation points come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SamplerKind {
    /// `points` points drawn once (x ~ U(x_min, x_max), t ~ U(0, T)); each step `batch` of them,
    /// drawn with replacement (the paper's code).
    #[default]
    Pinn,
    /// `batch` fresh points every step (the deep Galerkin method).
    Dgm,
}

impl std::str::FromStr for SamplerKind {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "pinn" => Ok(Self::Pinn),
            "dgm" => Ok(Self::Dgm),
            _ => Err(invalid("sampler", "pinn or dgm", s)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    pub kind: SamplerKind,
    /// Size `M` of the fixed pool (`pinn` only).
    pub points: usize,
    /// Interior points per step `J`. The initial loss uses the same `x` at `t = 0` (as the paper).
    pub batch: usize,
    /// Points per end and step for a soft boundary term.
    pub boundary_batch: usize,
    /// Interior times are drawn as `t = T r^p`, `r ~ U(0, 1)`: 1 is uniform (the paper's), `p > 1`
    /// puts more points at small `t` where the initial pulse collapses.
    pub time_power: f64,
    /// A curriculum in time: over the first `horizon_ramp · steps` steps the sampled times are
    /// scaled into `[0, h]` with the horizon `h` growing linearly from `T / (horizon_ramp · steps)`
    /// to `T`; 0 samples `[0, T]` from the start. A PINN trained on the whole interval at once
    /// can settle on a wave that does not travel (information must flow forward from `t = 0`);
    /// a growing horizon makes it learn early times first.
    pub horizon_ramp: f64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self {
            kind: SamplerKind::Pinn,
            points: 2000,
            batch: 256,
            boundary_batch: 64,
            time_power: 1.0,
            horizon_ramp: 0.0,
        }
    }
}

/// Adam (the arithmetic of candle-nn's `AdamW` with `weight_decay = 0`) and a learning-rate schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimiserConfig {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub schedule: Schedule,
}

impl Default for OptimiserConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            schedule: Schedule::Constant,
        }
    }
}

impl OptimiserConfig {
    /// The candle-nn parameters (weight decay 0: plain Adam, as the paper's `torch.optim.Adam`).
    pub fn params(&self) -> candle_nn::ParamsAdamW {
        candle_nn::ParamsAdamW {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: 0.0,
        }
    }
}

/// Learning rate as a function of the step `s` (0-based) out of `S` steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Schedule {
    /// `lr`.
    #[default]
    Constant,
    /// `lr · gamma^s`.
    Exponential { gamma: f64 },
    /// `lr · factor^⌊s / every⌋`.
    Step { every: usize, factor: f64 },
    /// `min_lr + (lr − min_lr) (1 + cos(π s / S)) / 2`.
    Cosine { min_lr: f64 },
}

impl Schedule {
    pub fn lr(&self, lr: f64, step: usize, steps: usize) -> f64 {
        match *self {
            Schedule::Constant => lr,
            Schedule::Exponential { gamma } => lr * gamma.powi(step as i32),
            Schedule::Step { every, factor } => lr * factor.powi((step / every.max(1)) as i32),
            Schedule::Cosine { min_lr } => {
                let f = step as f64 / steps.max(1) as f64;
                min_lr + (lr - min_lr) * 0.5 * (1.0 + (std::f64::consts::PI * f).cos())
            }
        }
    }
}

/// How the initial misfit is averaged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitialForm {
    /// `mean_j (u(x_j, 0) − φ(x_j))²`: the intended loss.
    #[default]
    Pointwise,
    /// `mean_{i,j} (u(x_j, 0) − φ(x_i))²`: the published code's loss. There `x` has shape
    /// `(J, 1)` and `phi` adds `.unsqueeze(1)`, so `u0_pred − phi(x)` broadcasts to `(J, J, 1)`.
    /// Reproduced on purpose (preset `seed`), in O(J) by
    /// `mean_ij (u_j − φ_i)² = mean u² − 2 mean u · mean φ + mean φ²`. Its minimiser is a flat
    /// `u(·, 0) ≈ mean φ`: the paper's Figure 1 starts from a flat profile.
    Pairwise,
}

/// Weights of the loss terms. Each term sums over the model's components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossConfig {
    /// Mean squared residual `r_i = ∂_t u_i − D_i ∂_xx u_i − f_i(u)` (for the nerve equation
    /// `u_t − u_xx + u − H_k(u)`).
    pub pde: f64,
    /// Initial misfit `u_i(0, x) − u₀,i(x)` (ignored with a hard initial constraint).
    pub initial: f64,
    /// Boundary misfit of the diffusing components: `u_i` (dirichlet) or `∂_x u_i` (neumann) at
    /// both ends; none in `free` mode or with a hard dirichlet constraint.
    pub boundary: f64,
    /// Weights `c_i` of the components' residuals, `Σ_i c_i mean r_i²` (empty: all 1). A slow
    /// component, `v_t = ε (u − γ v)` with small `ε`, has a residual of size `ε` whatever `v` is,
    /// so without `c_v ~ 1/ε²` the other equations can be met by a wrong `u` with a compensating
    /// `v`.
    pub components: Vec<f64>,
    pub initial_form: InitialForm,
    pub causal: Causal,
    pub steer: Steer,
    pub pin: Pin,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self {
            pde: 1.0,
            initial: 1.0,
            boundary: 1.0,
            components: Vec::new(),
            initial_form: InitialForm::Pointwise,
            causal: Causal::default(),
            steer: Steer::default(),
            pin: Pin::default(),
        }
    }
}

/// Which way [`Steer`] pushes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// No steering term.
    #[default]
    None,
    /// Towards the minimal solution: `+w · mean u_c`.
    Min,
    /// Towards the maximal solution: `−w · mean u_c`.
    Max,
}

impl std::str::FromStr for Direction {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "none" => Ok(Self::None),
            "min" => Ok(Self::Min),
            "max" => Ok(Self::Max),
            _ => Err(invalid("steer", "one of none, min, max", s)),
        }
    }
}

/// A term that selects among the solutions of a problem that has many (the inclusion):
///
/// ```text
/// ± w(s) · mean_p 1[t_p ≥ t_from] u_c(t_p, x_p)   over the interior points,   w(s) = weight · max(0, 1 − s / (anneal · S))
/// ```
///
/// (`+` for `min`, `−` for `max`; `s` the step, `S` the steps). It tilts the loss towards the
/// smallest or largest `u` while the residual terms are being met, and is annealed to 0 so that
/// the network ends on a solution (zero residual and graph distance), not on a compromise.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Steer {
    pub direction: Direction,
    /// `weight ≥ 0`, in units of the squared residual per unit of `u`.
    pub weight: f64,
    /// The fraction of the steps over which the weight decays to 0, in `(0, 1]`.
    pub anneal: f64,
    /// The component `c` steered.
    pub component: usize,
    /// Only points with `t ≥ from` are steered: with a [`Pin`] at `τ`, `from = τ` leaves the
    /// solution free to stay at the pinned value before `τ` (steering there would pull it away
    /// and back, which no solution can do).
    pub from: f64,
}

impl Default for Steer {
    fn default() -> Self {
        Self {
            direction: Direction::None,
            weight: 1.0,
            anneal: 0.5,
            component: 0,
            from: 0.0,
        }
    }
}

impl Steer {
    /// The signed weight of the term at step `step` of `steps` (0 without a direction).
    pub fn weight_at(&self, step: usize, steps: usize) -> f64 {
        let sign = match self.direction {
            Direction::None => return 0.0,
            Direction::Min => 1.0,
            Direction::Max => -1.0,
        };
        let left = 1.0 - step as f64 / (self.anneal * steps as f64);
        sign * self.weight * left.max(0.0)
    }
}

/// An interior condition at one time, imposed softly:
///
/// ```text
/// weight · mean_j (u_c(t, x_j) − value)²    at the interior points' x_j
/// ```
///
/// With the inclusion and `u₀ ≡ a` it targets the member `u_τ^±` of the threshold family that
/// leaves `a` at `τ = t`: a solution through `u(τ, ·) = a` must have stayed at `a` until `τ` (one
/// that has left moves away monotonically), and a [`Steer`] picks the direction it leaves in.
/// `weight = 0` (the default) turns it off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pin {
    pub weight: f64,
    /// The time `t ∈ [0, T]`.
    pub t: f64,
    pub value: f64,
    /// The component `c`.
    pub component: usize,
}

/// Causal weights of the residual (Wang, Sankaran & Perdikaris, "Respecting causality for
/// training physics-informed neural networks", CMAME 2024): `[0, T]` is cut into `bins` slices,
/// `L_b` is the mean (component-weighted) squared residual of the batch's points in slice `b`,
/// and a point in slice `b` is weighted by
///
/// ```text
/// w_b = exp(−ε Σ_{b' < b} L_{b'})      (no gradient flows through w)
/// ```
///
/// so later times count only once the earlier ones are resolved: a travelling wave is learned
/// from `t = 0` forward instead of being fitted by a standing profile that meets the residual
/// everywhere at once. The weights come from a forward pass over the whole batch before the
/// step's gradient (one more forward per step). `epsilon = 0` (the default) turns them off.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Causal {
    /// `ε ≥ 0`, in units of 1 / (mean squared residual).
    pub epsilon: f64,
    /// Number of time slices (≥ 1).
    pub bins: usize,
}

impl Default for Causal {
    fn default() -> Self {
        Self {
            epsilon: 0.0,
            bins: 32,
        }
    }
}

impl Causal {
    pub fn enabled(&self) -> bool {
        self.epsilon > 0.0
    }

    /// The weight of every point with time `t` in `ts` (`t ∈ [0, t_end]`) given the points'
    /// squared residuals `r2`.
    pub fn weights(&self, ts: &[f64], r2: &[f64], t_end: f64) -> Vec<f64> {
        let bin = |t: f64| ((t / t_end * self.bins as f64) as usize).min(self.bins - 1);
        let (mut sum, mut count) = (vec![0.0; self.bins], vec![0usize; self.bins]);
        for (&t, &r) in ts.iter().zip(r2) {
            sum[bin(t)] += r;
            count[bin(t)] += 1;
        }
        let mut before = 0.0;
        let w: Vec<f64> = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| {
                let w = (-self.epsilon * before).exp();
                before += s / c.max(1) as f64;
                w
            })
            .collect();
        ts.iter().map(|&t| w[bin(t)]).collect()
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

/// The longest Owen-scrambled Sobol sequence `sobol_burley` gives.
const MAX_SOBOL_POINTS: usize = 1 << 16;

/// The largest loss weight: a loss of order one, weighted, stays far from overflow in `f32`.
pub const MAX_WEIGHT: f64 = 1e6;

fn invalid(field: &str, allowed: &str, got: impl std::fmt::Display) -> ConfigError {
    ConfigError::invalid(field, allowed, got)
}

impl TrainConfig {
    /// A named preset (see [`PRESETS`]):
    ///
    /// - `seed`: the paper's code — 4×50 SiLU, `pinn` sampler (M = 2000, J = 256), Adam 1e-3,
    ///   2000 steps, soft initial condition with the published *pairwise* initial loss (the
    ///   broadcasting bug, [`InitialForm::Pairwise`]), no boundary term (the paper's problem is
    ///   `k = 5`, `lower`: the default [`hh_model::ProblemConfig`]);
    /// - `seed-fixed`: the same with the intended pointwise initial loss;
    /// - `dgm`: `seed-fixed` with fresh samples every step and a boundary term;
    /// - `hard`: `seed-fixed` with the initial and dirichlet conditions built into the network;
    /// - `accurate`: rel_l2 ~1e-3 against FD (results/accurate/ has its ablation): the network
    ///   learns `w = u − u_lin` under `u = u_lin + t·x(π − x)·N` (the linear part in closed form;
    ///   initial and dirichlet conditions exact; the model must have a closed-form linear part),
    ///   tanh 4×64, `dgm` batches of 1024 with
    ///   `t = T r²`, Adam 2e-3 with a cosine decay to 1e-5, 10 000 steps; in neumann mode a soft
    ///   `u_x` boundary term;
    /// - `wave`: for waves that travel across a long window — tanh 4×64 on inputs mapped to
    ///   `[−1, 1]²`, the initial data built in (`u = u₀ + (t/T)·N`, the model must give `u₀`'s
    ///   jet), `dgm` batches of 1024, causal weights (`ε_c = 10⁴` over 32 time slices), Adam 2e-3
    ///   with a cosine decay to 1e-5, 10 000 steps;
    /// - `precise`: `accurate`'s ansatz, batches and optimiser in f64 on a tanh 3×24 network, 1000
    ///   Adam steps (cosine to 1e-4), then Levenberg–Marquardt ([`SecondOrder`]) on 8192 fixed
    ///   points of a scrambled Sobol sequence ([`PointSequence::Sobol`]): 80 iterations on the
    ///   first 2048 of them ([`Coarse`]), then 260 on all;
    /// - `inclusion`: for the inclusion itself (a model with the algebraic selection `d`,
    ///   [`hh_core::NerveInclusion`]): `wave`'s network, initial data built in, `dgm` batches of
    ///   512 with `t = T r²`, no causal weights, the residual of `d` (the distance to the graph of
    ///   `H`) weighted 1, 8000 steps; no steering unless `loss.steer.direction` is set (then
    ///   weight 1 annealed to 0 over the first half of the steps).
    pub fn preset(name: &str) -> Result<TrainConfig, ConfigError> {
        let seed = TrainConfig {
            loss: LossConfig {
                boundary: 0.0,
                initial_form: InitialForm::Pairwise,
                ..LossConfig::default()
            },
            ..TrainConfig::default()
        };
        let fixed = TrainConfig {
            loss: LossConfig {
                initial_form: InitialForm::Pointwise,
                ..seed.loss.clone()
            },
            ..seed.clone()
        };
        Ok(match name {
            "seed" => seed,
            "seed-fixed" => fixed,
            "dgm" => TrainConfig {
                sampler: SamplerConfig {
                    kind: SamplerKind::Dgm,
                    ..SamplerConfig::default()
                },
                loss: LossConfig {
                    boundary: 1.0,
                    ..fixed.loss.clone()
                },
                ..fixed
            },
            "accurate" => TrainConfig {
                steps: 10_000,
                network: NetworkConfig {
                    depth: 4,
                    width: 64,
                    activation: crate::Activation::Tanh,
                    ..NetworkConfig::default()
                },
                sampler: SamplerConfig {
                    kind: SamplerKind::Dgm,
                    batch: 1024,
                    time_power: 2.0,
                    ..SamplerConfig::default()
                },
                optimiser: OptimiserConfig {
                    lr: 2e-3,
                    schedule: Schedule::Cosine { min_lr: 1e-5 },
                    ..OptimiserConfig::default()
                },
                loss: LossConfig {
                    boundary: 1.0,
                    ..fixed.loss.clone()
                },
                constraints: Constraints {
                    linear_part: true,
                    ..Constraints::default()
                },
                // 128 points a chunk: 4 · 128 · 64 = 32 768 elements per hidden tensor
                chunks: 8,
                ..fixed
            },
            "wave" => {
                // `accurate`'s network, batches, optimiser and budget
                let mut c = Self::preset("accurate")?;
                c.network.normalise = true;
                c.sampler.time_power = 1.0;
                c.loss.causal = Causal {
                    epsilon: 1e4,
                    bins: 32,
                };
                c.constraints = Constraints {
                    hard_initial: true,
                    ..Constraints::default()
                };
                c
            }
            "precise" => {
                // `accurate`'s ansatz and batches, a smaller f64 network, then Levenberg–Marquardt
                let mut c = Self::preset("accurate")?;
                c.dtype = Precision::F64;
                c.network.width = 24;
                c.network.depth = 3;
                c.steps = 1000;
                c.optimiser.schedule = Schedule::Cosine { min_lr: 1e-4 };
                // powers of two: every prefix of 2^m Sobol points is a (0, m, 2)-net
                c.second_order = SecondOrder {
                    iterations: 260,
                    points: 8192,
                    sequence: PointSequence::Sobol,
                    coarse: Coarse {
                        iterations: 80,
                        points: 2048,
                    },
                    ..SecondOrder::default()
                };
                c
            }
            "inclusion" => {
                let mut c = Self::preset("wave")?;
                c.steps = 8000;
                c.sampler.batch = 512;
                c.sampler.time_power = 2.0;
                c.loss.causal = Causal::default();
                c.loss.components = vec![1.0, 1.0];
                // 128 points a chunk, as `accurate`
                c.chunks = 4;
                c
            }
            "hard" => TrainConfig {
                constraints: Constraints {
                    hard_initial: true,
                    hard_boundary: true,
                    ..Constraints::default()
                },
                ..fixed
            },
            _ => {
                return Err(invalid(
                    "preset",
                    &format!("one of {}", PRESETS.join(", ")),
                    name,
                ));
            }
        })
    }

    /// Checks every field; errors name the field and its allowed range. What depends on the
    /// model is checked by [`TrainConfig::validate_for`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.steps == 0 || self.steps > 1_000_000_000 {
            return Err(invalid("steps", "an integer in 1..=1e9", self.steps));
        }
        let n = &self.network;
        if !(1..=64).contains(&n.depth) {
            return Err(invalid("network.depth", "an integer in 1..=64", n.depth));
        }
        if !(1..=4096).contains(&n.width) {
            return Err(invalid("network.width", "an integer in 1..=4096", n.width));
        }
        if n.activation == crate::kernels::Activation::Identity {
            return Err(invalid("network.activation", "silu or tanh", "identity"));
        }
        let s = &self.sampler;
        if !(1..=1_000_000).contains(&s.batch) {
            return Err(invalid("sampler.batch", "an integer in 1..=1e6", s.batch));
        }
        if s.kind == SamplerKind::Pinn && !(1..=100_000_000).contains(&s.points) {
            return Err(invalid("sampler.points", "an integer in 1..=1e8", s.points));
        }
        if !(s.time_power.is_finite() && (0.1..=10.0).contains(&s.time_power)) {
            return Err(invalid(
                "sampler.time_power",
                "a number in [0.1, 10]",
                s.time_power,
            ));
        }
        if !(0.0..1.0).contains(&s.horizon_ramp) {
            return Err(invalid(
                "sampler.horizon_ramp",
                "a number in [0, 1)",
                s.horizon_ramp,
            ));
        }
        if self.loss.boundary > 0.0 && !(1..=1_000_000).contains(&s.boundary_batch) {
            return Err(invalid(
                "sampler.boundary_batch",
                "an integer in 1..=1e6 when loss.boundary > 0",
                s.boundary_batch,
            ));
        }
        let o = &self.optimiser;
        let positive = |field: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(invalid(field, "a finite number > 0", v))
            }
        };
        positive("optimiser.lr", o.lr)?;
        positive("optimiser.eps", o.eps)?;
        for (field, b) in [("optimiser.beta1", o.beta1), ("optimiser.beta2", o.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(invalid(field, "a number in [0, 1)", b));
            }
        }
        match o.schedule {
            Schedule::Constant => {}
            Schedule::Exponential { gamma } => {
                if !(gamma > 0.0 && gamma <= 1.0) {
                    return Err(invalid(
                        "optimiser.schedule.gamma",
                        "a number in (0, 1]",
                        gamma,
                    ));
                }
            }
            Schedule::Step { every, factor } => {
                if every == 0 {
                    return Err(invalid("optimiser.schedule.every", "an integer ≥ 1", every));
                }
                if !(factor > 0.0 && factor <= 1.0) {
                    return Err(invalid(
                        "optimiser.schedule.factor",
                        "a number in (0, 1]",
                        factor,
                    ));
                }
            }
            Schedule::Cosine { min_lr } => {
                if !(min_lr >= 0.0 && min_lr <= o.lr) {
                    return Err(invalid(
                        "optimiser.schedule.min_lr",
                        &format!("a number in [0, lr = {}]", o.lr),
                        min_lr,
                    ));
                }
            }
        }
        for (field, w) in [
            ("loss.pde", self.loss.pde),
            ("loss.initial", self.loss.initial),
            ("loss.boundary", self.loss.boundary),
            ("loss.steer.weight", self.loss.steer.weight),
            ("loss.pin.weight", self.loss.pin.weight),
        ] {
            if !(0.0..=MAX_WEIGHT).contains(&w) {
                return Err(invalid(field, "a number in [0, 1e6]", w));
            }
        }
        let causal = &self.loss.causal;
        if !(causal.epsilon.is_finite() && causal.epsilon >= 0.0) {
            return Err(invalid(
                "loss.causal.epsilon",
                "a finite number ≥ 0",
                causal.epsilon,
            ));
        }
        if !(1..=100_000).contains(&causal.bins) {
            return Err(invalid(
                "loss.causal.bins",
                "an integer in [1, 100000]",
                causal.bins,
            ));
        }
        let (steer, pin) = (&self.loss.steer, &self.loss.pin);
        if !(steer.anneal > 0.0 && steer.anneal <= 1.0) {
            return Err(invalid(
                "loss.steer.anneal",
                "a number in (0, 1]",
                steer.anneal,
            ));
        }
        if !(steer.from.is_finite() && steer.from >= 0.0) {
            return Err(invalid("loss.steer.from", "a finite time ≥ 0", steer.from));
        }
        if !pin.value.is_finite() {
            return Err(invalid("loss.pin.value", "a finite number", pin.value));
        }
        if let Some(w) = self
            .loss
            .components
            .iter()
            .find(|w| !(0.0..=MAX_WEIGHT).contains(*w))
        {
            return Err(invalid("loss.components", "numbers in [0, 1e6]", w));
        }
        let so = &self.second_order;
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
            let l = &self.loss;
            let unsupported = [
                ("loss.causal.epsilon", l.causal.enabled()),
                (
                    "loss.initial_form",
                    l.initial_form == InitialForm::Pairwise && self.initial_active(),
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
        for &p in PRESETS {
            let c = TrainConfig::preset(p).unwrap();
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
        for &p in PRESETS {
            assert_eq!(
                TrainConfig::preset(p)
                    .unwrap()
                    .optimiser
                    .params()
                    .weight_decay,
                0.0
            );
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
