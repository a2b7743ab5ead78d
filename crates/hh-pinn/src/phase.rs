//! The phases of a training run, in the shape of argmin's `Solver::next_iter`: a phase holds its
//! own state and takes one iteration at a time on the trainer's network; the executor
//! ([`crate::Trainer::run`]) drives every phase with one loop, which tells the observers after
//! each iteration and stops them all at an observer's request.
//!
//! A run is the plan [`Plan::of`] its config: first-order steps ([`FirstOrder`], Adam with the
//! config's schedule, `steps` in all, resumable from checkpoints), then, when
//! `second_order.iterations > 0`, Levenberg–Marquardt ([`LevenbergMarquardt`], in f64 on a fixed
//! point set, [`crate::gauss_newton`]). A run that marches in time ([`crate::march`]) repeats
//! these for every window, each window ended by [`Freeze`].

use candle_core::Tensor;
use hh_core::Domain;

use crate::config::{PointSequence, SamplerConfig, SamplerKind, SecondOrder, TrainConfig};
use crate::error::TrainError;
use crate::gauss_newton::{HostNet, Lm, Rows};
use crate::kernels::Activation;
use crate::kink::{self, Interfaces};
use crate::record::{LossRecord, LossTerms};
use crate::sampler::{self, Batch, Sampler};
use crate::train::Trainer;

/// One phase of a run.
pub trait Phase {
    /// The next iteration's record (already in the trainer's history), or `None` when the phase
    /// has used its budget or can make no more progress.
    fn next_iter(&mut self, trainer: &mut Trainer) -> Result<Option<LossRecord>, TrainError>;
}

/// The kinds of phase a run is made of, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhaseKind {
    /// Adam steps on fresh batches ([`FirstOrder`]).
    FirstOrder,
    /// Levenberg–Marquardt iterations on a fixed point set ([`LevenbergMarquardt`]).
    LevenbergMarquardt,
    /// The end of a time window ([`Freeze`]).
    Freeze,
}

/// One phase of a plan: what it is, in which time window, and its iterations (records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Planned {
    pub window: usize,
    pub kind: PhaseKind,
    pub iterations: usize,
}

/// The phases of a run, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub phases: Vec<Planned>,
}

impl Plan {
    /// The plan of a (validated) config: for each time window, `steps` first-order steps, then
    /// the second-order iterations if there are any, then (when the run marches) the window's
    /// [`Freeze`].
    pub fn of(config: &TrainConfig) -> Self {
        let second = config.second_order.total_iterations();
        let mut phases = Vec::new();
        for window in 0..config.march.windows {
            let mut add = |kind, iterations| {
                phases.push(Planned {
                    window,
                    kind,
                    iterations,
                })
            };
            add(PhaseKind::FirstOrder, config.steps);
            if second > 0 {
                add(PhaseKind::LevenbergMarquardt, second);
            }
            if config.march.enabled() {
                add(PhaseKind::Freeze, 0);
            }
        }
        Self { phases }
    }

    /// Iterations of all phases together.
    pub fn total(&self) -> usize {
        self.phases.iter().map(|p| p.iterations).sum()
    }

    /// Starts the phase `kind` on the trainer's current state.
    pub(crate) fn start(kind: PhaseKind, trainer: &Trainer) -> Result<Box<dyn Phase>, TrainError> {
        Ok(match kind {
            PhaseKind::FirstOrder => Box::new(FirstOrder),
            PhaseKind::LevenbergMarquardt => Box::new(LevenbergMarquardt::new(trainer)?),
            PhaseKind::Freeze => Box::new(Freeze),
        })
    }
}

/// Ends the current time window ([`crate::march`]): the window's network is kept, and the next
/// window starts from its weights. No iterations, no record.
pub struct Freeze;

impl Phase for Freeze {
    fn next_iter(&mut self, trainer: &mut Trainer) -> Result<Option<LossRecord>, TrainError> {
        trainer.freeze()?;
        Ok(None)
    }
}

/// Adam steps until `steps` are taken in all (a resumed run continues its count), with a
/// checkpoint every `checkpoint_every` steps.
pub struct FirstOrder;

impl Phase for FirstOrder {
    fn next_iter(&mut self, trainer: &mut Trainer) -> Result<Option<LossRecord>, TrainError> {
        let total = trainer.config().steps;
        if trainer.step_count() >= total {
            return Ok(None);
        }
        let record = trainer.step()?;
        let every = trainer.options().checkpoint_every;
        let step = trainer.step_count();
        if every > 0 && step % every == 0 && step < total {
            trainer.checkpoint_now()?;
        }
        Ok(Some(record))
    }
}

/// Mixed into the seed for the second-order phase's collocation points.
const SECOND_ORDER_SEED: u64 = 0x5ec0_4d0d_e4a1_3b11;

/// Levenberg–Marquardt on a fixed set of collocation points drawn from their own stream, recorded
/// as steps after the first-order ones (with their damping `λ`): first `coarse.iterations` on the
/// first `coarse.points` of them (the recorded loss is then that of those points), then
/// `iterations` on all, the points redrawn every `refresh` iterations. A stage ends early when no
/// damping lowers its loss.
pub struct LevenbergMarquardt {
    lm: Lm,
    /// The run's settings this phase uses (copied at its start).
    so: SecondOrder,
    seed: u64,
    first_order_steps: usize,
    activation: Activation,
    domain: Domain,
    sampler: Sampler,
    sampler_config: SamplerConfig,
    boundary: bool,
    batch: Batch,
    coarse_batch: Batch,
    /// The kink-aware ansatz's curves, located again before every iteration ([`crate::kink`]).
    kinks: Option<Interfaces>,
    /// Iterations taken.
    it: usize,
}

impl LevenbergMarquardt {
    fn new(trainer: &Trainer) -> Result<Self, TrainError> {
        let config = trainer.config();
        let so = config.second_order;
        let theta = trainer.network().theta().as_tensor();
        let theta: Vec<f64> = theta.to_dtype(candle_core::DType::F64)?.to_vec1()?;
        let sampler_config = SamplerConfig {
            kind: SamplerKind::Dgm,
            batch: so.points,
            boundary_batch: so.boundary_points,
            horizon_ramp: 0.0,
            ..config.sampler.clone()
        };
        // the current time window's domain and seed (the model's own unless the run marches)
        let domain = trainer.objective().model().domain();
        let boundary = trainer.objective().boundary_mode().is_some();
        let seed = crate::march::window_seed(config.seed, trainer.window());
        let sampler = Sampler::new(&sampler_config, domain, seed ^ SECOND_ORDER_SEED, boundary);
        let mut phase = Self {
            lm: Lm::new(theta, so.lambda),
            so,
            seed,
            first_order_steps: config.steps,
            activation: config.network.activation,
            domain,
            sampler,
            sampler_config,
            boundary,
            batch: Batch::default(),
            coarse_batch: Batch::default(),
            kinks: config.kink.enabled.then(|| {
                let model = trainer.objective().model();
                Interfaces::none(&model.switches(), model.components(), domain, &config.kink)
            }),
            it: 0,
        };
        phase.batch = phase.draw(0);
        phase.coarse_batch = phase.batch.first(so.coarse.points);
        Ok(phase)
    }

    /// The `k`-th point set (`k > 0` after refreshes).
    fn draw(&mut self, k: u64) -> Batch {
        let so = &self.so;
        match so.sequence {
            PointSequence::Random => self.sampler.next_batch(0, 1),
            PointSequence::Sobol => sampler::sobol(
                self.domain,
                so.points,
                self.sampler_config.time_power,
                if self.boundary { so.boundary_points } else { 0 },
                self.seed ^ SECOND_ORDER_SEED ^ k,
            ),
        }
    }
}

impl Phase for LevenbergMarquardt {
    fn next_iter(&mut self, trainer: &mut Trainer) -> Result<Option<LossRecord>, TrainError> {
        let so = self.so;
        let coarse = so.coarse.iterations;
        loop {
            if self.it >= so.total_iterations() {
                return Ok(None);
            }
            if so.refresh > 0 && self.it > coarse && (self.it - coarse) % so.refresh == 0 {
                self.batch = self.draw(((self.it - coarse) / so.refresh) as u64);
            }
            let stage = if self.it < coarse {
                &self.coarse_batch
            } else {
                &self.batch
            };
            let net = trainer.network();
            let host = HostNet {
                layers: net.layers(),
                act: self.activation,
                inputs: net.input_map(),
            };
            if let Some(previous) = &self.kinks
                && self.it % trainer.config().kink.relocate_every == 0
            {
                let theta = &self.lm.theta;
                let u = |k: &Interfaces, xs: &[f64], ts: &[f64]| {
                    kink::host_samples(trainer.objective(), &host, theta, Some(k), xs, ts)
                };
                self.kinks = Some(previous.locate(self.domain, &trainer.config().kink, &u));
            }
            let rows = Rows {
                objective: trainer.objective(),
                net: host,
                batch: stage,
                kinks: self.kinks.as_ref(),
                branches: None,
            };
            let branches = rows.branches(&self.lm.theta);
            let rows = Rows {
                branches: branches.as_ref(),
                ..rows
            };
            let Some(step) = self.lm.iterate(&rows) else {
                if self.it < coarse {
                    self.it = coarse;
                    continue;
                }
                return Ok(None);
            };
            let theta = net.theta().as_tensor();
            let (n, dtype, device) = (theta.elem_count(), theta.dtype(), theta.device().clone());
            net.theta()
                .set(&Tensor::from_vec(step.theta, n, &device)?.to_dtype(dtype)?)?;
            let record = LossRecord {
                window: trainer.window(),
                step: self.first_order_steps + self.it,
                loss: step.loss,
                terms: LossTerms {
                    pde: step.terms.pde,
                    residual: step.terms.pde,
                    initial: step.terms.initial,
                    boundary: step.terms.boundary,
                    ..LossTerms::default()
                },
                lr: 0.0,
                damping: step.lambda,
            };
            trainer.push_record(record);
            trainer.set_kinks(self.kinks.clone());
            self.it += 1;
            return Ok(Some(record));
        }
    }
}
