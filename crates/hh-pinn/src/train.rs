//! The training executor: one loop that samples, builds the loss of each batch chunk, runs one
//! backward pass per chunk, sums the gradients, steps Adam, records the loss, reports progress,
//! writes checkpoints, asks observers whether to go on, and stops on a non-finite loss.

use candle_core::{DType, Device, Tensor};
use candle_nn::Optimizer;
use hh_model::{BoundaryMode, ConfigError, EvalGrid, NerveProblem, ReactionDiffusion};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::adam::Adam;
use crate::ansatz::{Ansatz, Constrained, LinearPartAnsatz};
use crate::checkpoint;
use crate::config::TrainConfig;
use crate::loss::{Model, Objective};
use crate::network::{Kernel, Mlp};
use crate::rng::Rng;
use crate::sampler::{STREAM_INIT, Sampler};

/// One step's loss (before that step's update, as PyTorch's `loss.item()`): the weighted total and
/// the unweighted terms (0 where a term is not used), and the learning rate applied.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossRecord {
    pub step: usize,
    pub loss: f64,
    pub pde: f64,
    pub initial: f64,
    pub boundary: f64,
    pub lr: f64,
}

impl LossRecord {
    pub const CSV_HEADER: &'static str = "step,loss,pde,initial,boundary,lr";

    pub fn csv_row(&self) -> String {
        format!(
            "{},{:e},{:e},{:e},{:e},{:e}",
            self.step, self.loss, self.pde, self.initial, self.boundary, self.lr
        )
    }
}

/// Where the trainer runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceChoice {
    #[default]
    Cpu,
    /// A CUDA GPU (needs the `cuda` feature; the Taylor streams then use plain candle ops).
    Cuda(usize),
}

impl std::str::FromStr for DeviceChoice {
    type Err = ConfigError;

    /// `cpu`, `cuda` (GPU 0) or `cuda:N`.
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let bad = || ConfigError::invalid("device", "cpu, cuda or cuda:N (N a GPU index ≥ 0)", s);
        match s {
            "cpu" => Ok(Self::Cpu),
            "cuda" => Ok(Self::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(Self::Cuda)
                .ok_or_else(bad),
        }
    }
}

impl DeviceChoice {
    /// The candle device; `Cuda` fails with candle's message unless built with `--features cuda`.
    pub fn device(self) -> candle_core::Result<Device> {
        match self {
            Self::Cpu => Ok(Device::Cpu),
            Self::Cuda(i) => Device::new_cuda(i),
        }
    }
}

/// How to run (nothing here changes the numbers, except `kernel` in the last bits).
#[derive(Clone, Debug, Default)]
pub struct TrainOptions {
    /// Show a progress bar (loss, steps/s) on stderr.
    pub progress: bool,
    /// Write checkpoints into this directory (replaced atomically each time).
    pub checkpoint_dir: Option<PathBuf>,
    /// Checkpoint every this many steps (0: only at the end, when `checkpoint_dir` is set).
    pub checkpoint_every: usize,
    /// Resume from the checkpoint in this directory (its config must equal the given one up to
    /// `steps`).
    pub resume: Option<PathBuf>,
    /// Threads for the batch chunks (0: as many as chunks and cores allow).
    pub threads: usize,
    pub kernel: Kernel,
    pub device: DeviceChoice,
}

/// Why training ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// The step budget `steps` was used.
    StepBudget,
    /// An observer asked to stop.
    Observer,
}

/// What an observer tells the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Stop,
}

/// Called after every step with the step's record and the trainer (to evaluate the network,
/// e.g. against a reference: [`Trainer::evaluate`]).
pub trait Observer {
    fn observe(&mut self, record: &LossRecord, trainer: &Trainer) -> Control;
}

impl<F: FnMut(&LossRecord, &Trainer) -> Control> Observer for F {
    fn observe(&mut self, record: &LossRecord, trainer: &Trainer) -> Control {
        self(record, trainer)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "non-finite loss ({value}) at step {step}: training stopped before updating the weights; {}",
        match checkpoint {
            Some((dir, s)) => format!("the last good checkpoint is {} (step {s})", dir.display()),
            None => "no checkpoint was written".into(),
        }
    )]
    NonFinite {
        step: usize,
        value: f64,
        checkpoint: Option<(PathBuf, usize)>,
    },
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: PathBuf, reason: String },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the objective of a validated config.
pub fn objective(config: &TrainConfig, problem: &NerveProblem) -> Objective {
    let c = &config.constraints;
    let d = problem.domain();
    let ansatz: Option<Arc<dyn Ansatz>> = if c.linear_part {
        Some(Arc::new(LinearPartAnsatz::new(
            problem.profile(),
            &d,
            problem.boundary(),
        )))
    } else {
        (c.hard_initial || c.hard_boundary).then(|| {
            Arc::new(Constrained {
                initial: c.hard_initial.then(|| problem.profile().clone()),
                dirichlet: c.hard_boundary.then_some((d.x_min, d.x_max)),
            }) as Arc<dyn Ansatz>
        })
    };
    let boundary = config.boundary_active().then_some(problem.boundary());
    let model: Model = Arc::new(problem.clone());
    Objective::new(
        model,
        ansatz,
        config.loss.clone(),
        config.initial_active(),
        boundary.filter(|b| *b != BoundaryMode::Free),
    )
}

/// The stateful executor. [`train`] is `Trainer::new` + [`Trainer::run`].
pub struct Trainer {
    config: TrainConfig,
    objective: Objective,
    net: Mlp,
    adam: Adam,
    sampler: Sampler,
    step: usize,
    history: Vec<LossRecord>,
    threads: usize,
    kernel: Kernel,
    options: TrainOptions,
    last_checkpoint: Option<(PathBuf, usize)>,
}

impl Trainer {
    /// Validates the config, initialises (or resumes) the network, optimiser and sampler.
    pub fn new(config: &TrainConfig, options: &TrainOptions) -> Result<Self, TrainError> {
        config.validate()?;
        let problem = config.problem.build()?;
        if let (DeviceChoice::Cuda(i), false) = (options.device, cfg!(feature = "cuda")) {
            return Err(ConfigError::invalid(
                "device",
                "cpu in this build (CUDA needs `--features cuda`)",
                format!("cuda:{i}"),
            )
            .into());
        }
        let device = options.device.device()?;
        let dtype = config.dtype.dtype();
        let mut init = Rng::new(config.seed, STREAM_INIT);
        let net = Mlp::init(&config.network, &mut init, dtype, &device)?;
        let adam = Adam::new(vec![net.theta().clone()], config.optimiser.params())?;
        let sampler = Sampler::new(
            &config.sampler,
            problem.domain(),
            config.seed,
            config.boundary_active() && problem.boundary() != BoundaryMode::Free,
        );
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .min(config.chunks)
        .max(1);
        let mut trainer = Self {
            config: config.clone(),
            objective: objective(config, &problem),
            net,
            adam,
            sampler,
            step: 0,
            history: Vec::new(),
            threads,
            kernel: options.kernel,
            options: options.clone(),
            last_checkpoint: None,
        };
        if let Some(dir) = &options.resume {
            trainer.restore(dir)?;
        }
        Ok(trainer)
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Steps taken so far.
    pub fn step_count(&self) -> usize {
        self.step
    }

    pub fn history(&self) -> &[LossRecord] {
        &self.history
    }

    /// The current network's `u` on the grid (rows `t`, columns `x`).
    pub fn evaluate(&self, grid: &EvalGrid) -> Array2<f64> {
        evaluate(&self.net, &self.objective, grid)
    }

    /// One optimiser step. On a non-finite loss the weights are left unchanged.
    pub fn step(&mut self) -> Result<LossRecord, TrainError> {
        let o = &self.config.optimiser;
        let lr = o.schedule.lr(o.lr, self.step, self.config.steps);
        self.adam.set_learning_rate(lr);
        let batch = self.sampler.next_batch();
        let norms = self.objective.norms(&batch);
        let chunks = batch.split(self.config.chunks);
        let run = |c: &crate::sampler::Batch| -> candle_core::Result<(Tensor, [f64; 4])> {
            let l = self
                .objective
                .chunk_loss(&self.net, c, &norms, self.kernel)?;
            let grads = l.total.backward()?;
            let g = grads
                .get(self.net.theta())
                .cloned()
                .ok_or_else(|| candle_core::Error::Msg("no gradient for θ".into()))?;
            let val = |t: &Option<Tensor>| -> candle_core::Result<f64> {
                t.as_ref()
                    .map_or(Ok(0.0), |t| t.to_dtype(DType::F64)?.to_scalar::<f64>())
            };
            Ok((
                g,
                [
                    val(&Some(l.total))?,
                    val(&Some(l.pde))?,
                    val(&l.initial)?,
                    val(&l.boundary)?,
                ],
            ))
        };
        let results: Vec<candle_core::Result<(Tensor, [f64; 4])>> = if self.threads > 1 {
            let per = chunks.len().div_ceil(self.threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = chunks[per..]
                    .chunks(per)
                    .map(|group| s.spawn(move || group.iter().map(run).collect::<Vec<_>>()))
                    .collect();
                let mut out: Vec<_> = chunks[..per].iter().map(run).collect();
                for h in handles {
                    out.extend(h.join().expect("chunk thread panicked"));
                }
                out
            })
        } else {
            chunks.iter().map(run).collect()
        };
        let mut grad: Option<Tensor> = None;
        let mut parts = [0.0; 4];
        for r in results {
            let (g, p) = r?;
            grad = Some(match grad {
                None => g,
                Some(acc) => (acc + g)?,
            });
            parts.iter_mut().zip(p).for_each(|(a, b)| *a += b);
        }
        let record = LossRecord {
            step: self.step,
            loss: parts[0],
            pde: parts[1],
            initial: parts[2],
            boundary: parts[3],
            lr,
        };
        if !record.loss.is_finite() {
            return Err(TrainError::NonFinite {
                step: self.step,
                value: record.loss,
                checkpoint: self.last_checkpoint.clone(),
            });
        }
        self.adam.step_with(&[grad])?;
        self.step += 1;
        self.history.push(record);
        Ok(record)
    }

    /// Runs until the step budget is used or an observer stops it.
    pub fn run(mut self, observers: &mut [&mut dyn Observer]) -> Result<Trained, TrainError> {
        let total = self.config.steps;
        let bar = self.options.progress.then(|| {
            let b = hh_io::progress(total as u64, "train");
            b.set_position(self.step as u64);
            b
        });
        let start_step = self.step;
        let start = Instant::now();
        let mut termination = Termination::StepBudget;
        while self.step < total {
            let record = self.step()?;
            if let Some(b) = &bar {
                b.set_position(self.step as u64);
                if self.step % 10 == 0 || self.step == total {
                    b.set_message(format!("loss {:.3e}", record.loss));
                }
            }
            let every = self.options.checkpoint_every;
            if every > 0 && self.step % every == 0 && self.step < total {
                self.checkpoint_now()?;
            }
            if observers
                .iter_mut()
                .any(|o| o.observe(&record, &self) == Control::Stop)
            {
                termination = Termination::Observer;
                break;
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        if let Some(b) = bar {
            b.finish();
        }
        if self.options.checkpoint_dir.is_some() {
            self.checkpoint_now()?;
        }
        Ok(Trained {
            config: self.config,
            objective: self.objective,
            net: self.net,
            history: self.history,
            train_seconds: seconds,
            steps_run: self.step - start_step,
            steps: self.step,
            termination,
        })
    }

    /// Writes a checkpoint into the configured directory now.
    pub fn checkpoint_now(&mut self) -> Result<(), TrainError> {
        if let Some(dir) = self.options.checkpoint_dir.clone() {
            self.save_checkpoint(&dir)?;
            self.last_checkpoint = Some((dir, self.step));
        }
        Ok(())
    }

    /// Writes `dir/checkpoint.safetensors` (weights, Adam moments and step, sampler RNG state, loss
    /// history) and `dir/config.json`, replacing `dir` atomically.
    pub fn save_checkpoint(&self, dir: &Path) -> Result<(), TrainError> {
        let (m, v) = self.adam.moments().remove(0);
        let state = checkpoint::State {
            theta: self.net.theta().as_tensor().clone(),
            m,
            v,
            adam_steps: self.adam.step_count(),
            step: self.step,
            rng: self.sampler.rng().state(),
            history: self.history.clone(),
        };
        checkpoint::save(dir, &self.config, &state)
    }

    fn restore(&mut self, dir: &Path) -> Result<(), TrainError> {
        let (config, state) = checkpoint::load(dir)?;
        let same = TrainConfig {
            steps: self.config.steps,
            ..config
        };
        if same != self.config {
            return Err(TrainError::Checkpoint {
                path: dir.to_owned(),
                reason: "its config differs from this run's (only `steps` may change)".into(),
            });
        }
        let dtype = self.net.dtype();
        let dev = self.net.device().clone();
        let theta = state.theta.to_dtype(dtype)?.to_device(&dev)?;
        self.net = Mlp::from_theta(&self.config.network, theta)?;
        self.adam = Adam::new(
            vec![self.net.theta().clone()],
            self.config.optimiser.params(),
        )?;
        self.adam
            .set_state(state.adam_steps, vec![(state.m, state.v)])?;
        self.sampler.set_rng(Rng::from_state(state.rng));
        self.step = state.step;
        self.history = state.history;
        Ok(())
    }
}

/// Trains a network for `config` (see [`Trainer`] for the loop).
///
/// ```no_run
/// let mut config = hh_pinn::TrainConfig::preset("seed-fixed").unwrap();
/// config.steps = 100;
/// let trained = hh_pinn::train(&config, &Default::default()).unwrap();
/// let grid = hh_model::EvalGrid::paper(&hh_model::ReactionDiffusion::domain(
///     &config.problem.build().unwrap(),
/// ));
/// let u = trained.evaluate(&grid); // 128 × 128, rows t, columns x
/// assert_eq!(u.dim(), (128, 128));
/// ```
pub fn train(config: &TrainConfig, options: &TrainOptions) -> Result<Trained, TrainError> {
    Trainer::new(config, options)?.run(&mut [])
}

/// A trained network with its history.
pub struct Trained {
    config: TrainConfig,
    objective: Objective,
    net: Mlp,
    history: Vec<LossRecord>,
    train_seconds: f64,
    steps_run: usize,
    steps: usize,
    termination: Termination,
}

/// `u = A + B N` on the grid: rows `t`, columns `x` (the layout of the FD solver's `eval.npy`).
fn evaluate(net: &Mlp, objective: &Objective, grid: &EvalGrid) -> Array2<f64> {
    let (nt, nx) = grid.shape();
    let mut xs = Vec::with_capacity(nt * nx);
    let mut ts = Vec::with_capacity(nt * nx);
    for &t in &grid.t {
        for &x in &grid.x {
            xs.push(x);
            ts.push(t);
        }
    }
    let n = net.values(&xs, &ts).expect("evaluating the network");
    let u = objective.apply_values(&xs, &ts, &n);
    Array2::from_shape_vec((nt, nx), u).expect("grid shape")
}

impl Trained {
    /// `u` on the grid: rows `t`, columns `x` (the layout of the FD solver's `eval.npy`).
    pub fn evaluate(&self, grid: &EvalGrid) -> Array2<f64> {
        evaluate(&self.net, &self.objective, grid)
    }

    pub fn history(&self) -> &[LossRecord] {
        &self.history
    }

    /// Wall time of the training loop in this process (seconds).
    pub fn train_seconds(&self) -> f64 {
        self.train_seconds
    }

    /// Milliseconds per step over the steps run in this process.
    pub fn ms_per_step(&self) -> f64 {
        1e3 * self.train_seconds / self.steps_run.max(1) as f64
    }

    /// Steps taken in total (including those before a resume).
    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn termination(&self) -> Termination {
        self.termination
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Writes the weights as safetensors (`layers.{i}.weight`, `layers.{i}.bias`, PyTorch's
    /// `nn.Sequential` layout) with the config as JSON metadata.
    pub fn save_model(&self, path: &Path) -> Result<(), TrainError> {
        checkpoint::save_model(path, &self.config, &self.net)
    }
}
