//! The training presets of hh-pinn, for any model.

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::*;
use crate::network::NetworkConfig;

/// The training presets, for any model (a model crate may add its own: the nerve model's
/// `inclusion`, FitzHugh–Nagumo's `front` and `pulse`). Written in kebab case in configs and on
/// the command line; [`Preset::config`] documents each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Seed,
    SeedFixed,
    Dgm,
    Hard,
    Accurate,
    Wave,
    Precise,
    March,
    Kink,
}

impl Preset {
    pub const ALL: [Preset; 9] = [
        Preset::Seed,
        Preset::SeedFixed,
        Preset::Dgm,
        Preset::Hard,
        Preset::Accurate,
        Preset::Wave,
        Preset::Precise,
        Preset::March,
        Preset::Kink,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Seed => "seed",
            Preset::SeedFixed => "seed-fixed",
            Preset::Dgm => "dgm",
            Preset::Hard => "hard",
            Preset::Accurate => "accurate",
            Preset::Wave => "wave",
            Preset::Precise => "precise",
            Preset::March => "march",
            Preset::Kink => "kink",
        }
    }

    /// The names of [`Preset::ALL`], comma-separated (for messages).
    pub fn names() -> String {
        Self::ALL.map(Preset::name).join(", ")
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Preset {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| invalid("preset", &format!("one of {}", Self::names()), s))
    }
}

impl TrainConfig {
    /// The preset `name` ([`Preset`]).
    pub fn preset(name: &str) -> Result<TrainConfig, ConfigError> {
        Ok(name.parse::<Preset>()?.config())
    }
}

impl Preset {
    /// The preset's config:
    ///
    /// - `seed`: the paper's code — 4×50 SiLU, `pinn` sampler (M = 2000, J = 256), Adam 1e-3,
    ///   2000 steps, soft initial condition with the published *pairwise* initial loss (the
    ///   broadcasting bug, [`InitialForm::Pairwise`]), no boundary term (the paper's problem is
    ///   `k = 5`, `lower`: the nerve model's default problem);
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
    ///   first 2048 of them ([`Coarse`]), then 260 on all.
    /// - `march`: time marching ([`March`], [`crate::march`]) for waves that travel: 10 windows,
    ///   each `u = u(t_j) + ((t − t_j)/Δ)·N` with the previous window's end built in, the
    ///   network tanh 3×24 in f64 on inputs mapped to `[−1, 1]²` and warm-started from the
    ///   previous window; per window 200 Adam steps on `dgm` batches of 1024 (2e-3, cosine to
    ///   1e-4), then Levenberg–Marquardt on 4096 Sobol points (20 iterations on the first 1024,
    ///   then 60 on all); a soft boundary term in dirichlet and neumann modes. Any model whose
    ///   initial data has derivatives; the budget is per window, so `--windows W` scales the time.
    /// - `kink`: `precise` with the kink-aware ansatz in its Levenberg–Marquardt phase
    ///   ([`crate::kink`]): the network gains an output `N_e` per switching component, and
    ///   `u = A + B (N + E N_e)` carries the jump the equation implies across the curves where
    ///   the model's reaction switches (`u = a` at `k = ∞`; `u = a` and `u = a + 1/k` for `H_k`).
    ///   Any model that declares its switching levels.
    pub fn config(self) -> TrainConfig {
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
        match self {
            Preset::Seed => seed,
            Preset::SeedFixed => fixed,
            Preset::Dgm => TrainConfig {
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
            Preset::Accurate => TrainConfig {
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
            Preset::Wave => {
                // `accurate`'s network, batches, optimiser and budget
                let mut c = Preset::Accurate.config();
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
            Preset::Precise => {
                // `accurate`'s ansatz and batches, a smaller f64 network, then Levenberg–Marquardt
                let mut c = Preset::Accurate.config();
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
            Preset::March => {
                let mut c = Preset::Precise.config();
                c.network.normalise = true;
                c.sampler.time_power = 1.0;
                c.constraints = Constraints {
                    hard_initial: true,
                    ..Constraints::default()
                };
                c.steps = 200;
                c.second_order = SecondOrder {
                    iterations: 60,
                    points: 4096,
                    sequence: PointSequence::Sobol,
                    coarse: Coarse {
                        iterations: 20,
                        points: 1024,
                    },
                    ..SecondOrder::default()
                };
                c.march = March { windows: 10 };
                c
            }
            Preset::Kink => {
                let mut c = Preset::Precise.config();
                c.kink.enabled = true;
                c
            }
            Preset::Hard => TrainConfig {
                constraints: Constraints {
                    hard_initial: true,
                    hard_boundary: true,
                    ..Constraints::default()
                },
                ..fixed
            },
        }
    }
}
