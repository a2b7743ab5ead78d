//! The training executor: one loop that samples, builds the loss of each batch chunk, runs one
//! backward pass per chunk, sums the gradients, steps Adam, records the loss, writes checkpoints,
//! tells its observers (a progress bar is one the caller attaches) and asks them whether to go
//! on, and stops on a non-finite loss or update.

use candle_core::{Device, Tensor};
use candle_nn::Optimizer;
use hh_core::{BoundaryMode, ConfigError, EvalGrid};
use ndarray::Array2;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::adam::Adam;
use crate::ansatz::{Ansatz, Base, Hard};
use crate::checkpoint;
use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::kink::{self, Interfaces};
use crate::loss::{Model, Objective};
use crate::march::{self, Frozen, WindowModel};
use crate::network::{InputMap, Kernel, Mlp};
use crate::phase::Plan;
use crate::record::{LossRecord, LossTerms, State};
use crate::rng::Rng;
use crate::sampler::{Batch, STREAM_INIT, Sampler};
use crate::workers::Workers;

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
    /// Write checkpoints into this directory (replaced atomically each time).
    pub checkpoint_dir: Option<PathBuf>,
    /// Checkpoint every this many steps (0: only at the end, when `checkpoint_dir` is set).
    pub checkpoint_every: usize,
    /// Resume from the checkpoint in this directory (its config must equal the given one up to
    /// `steps`, and its model description the model's).
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

/// Builds the objective of a config for a model: the hard-constraint ansatz the config asks for,
/// and the soft terms that remain. With `previous`, the model is a time window
/// ([`WindowModel`]) whose initial data is that window's end.
pub fn objective(config: &TrainConfig, model: &Model, previous: Option<Arc<Frozen>>) -> Objective {
    let c = &config.constraints;
    let d = model.domain();
    let bc = model.boundary();
    let base = if let Some(w) = previous {
        Base::Window(w)
    } else if c.linear_part {
        Base::Linear(model.linear_solution().expect("validated: a linear part"))
    } else if c.hard_initial {
        Base::Initial(model.clone())
    } else {
        Base::Zero
    };
    let dirichlet = (bc == BoundaryMode::Dirichlet && (c.hard_boundary || c.linear_part))
        .then_some((d.x_min, d.x_max));
    let ansatz = (!matches!(base, Base::Zero) || dirichlet.is_some()).then(|| {
        Arc::new(Hard {
            base,
            dirichlet,
            diffusing: model.diffusion().iter().map(|&d| d > 0.0).collect(),
            evolving: model.mass().iter().map(|&m| m > 0.0).collect(),
            t_end: d.t_end,
        }) as Arc<dyn Ansatz>
    });
    Objective::new(
        model.clone(),
        ansatz,
        config.loss.clone(),
        config.initial_active(),
        config.boundary_active(bc).then_some(bc),
    )
}

/// The objective of the next time window of a run whose windows `frozen` are trained: the model
/// itself unless the run marches ([`crate::march`]).
fn window_objective(config: &TrainConfig, model: &Model, frozen: &[Arc<Frozen>]) -> Objective {
    if !config.march.enabled() {
        return objective(config, model, None);
    }
    let j = frozen.len();
    let length = model.domain().t_end / config.march.windows as f64;
    let window: Model = Arc::new(WindowModel {
        model: model.clone(),
        index: j,
        start: j as f64 * length,
        length,
        previous: frozen.last().cloned(),
    });
    objective(config, &window, frozen.last().cloned())
}

/// The sampler of time window `j` ([`march::window_seed`]).
fn window_sampler(config: &TrainConfig, objective: &Objective, j: usize) -> Sampler {
    let seed = march::window_seed(config.seed, j);
    Sampler::new(
        &config.sampler,
        objective.model().domain(),
        seed,
        objective.boundary_mode().is_some(),
    )
}

/// The stateful executor. [`train`] is `Trainer::new` + [`Trainer::run`].
pub struct Trainer {
    config: TrainConfig,
    /// The model as given (a time window's is the objective's).
    model: Model,
    objective: Objective,
    /// The time windows already trained ([`crate::march`]); the current one is the next.
    frozen: Vec<Arc<Frozen>>,
    net: Mlp,
    adam: Adam,
    sampler: Sampler,
    step: usize,
    /// First-order steps taken by this process, all windows together.
    steps_taken: usize,
    history: Vec<LossRecord>,
    /// The threads besides this one for the batch chunks (none for one thread).
    workers: Option<Workers>,
    kernel: Kernel,
    options: TrainOptions,
    last_checkpoint: Option<(PathBuf, usize)>,
    /// The kink-aware ansatz's curves of the last second-order iteration ([`kink`]): where the
    /// evaluation starts locating them.
    kinks: Option<Interfaces>,
}

impl Trainer {
    /// Validates the config against the model, initialises (or resumes) the network, optimiser
    /// and sampler.
    pub fn new(
        model: Model,
        config: &TrainConfig,
        options: &TrainOptions,
    ) -> Result<Self, TrainError> {
        config.validate_for(model.as_ref())?;
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
        let objective = window_objective(config, &model, &[]);
        let domain = objective.model().domain();
        let mut init = Rng::new(config.seed, STREAM_INIT);
        let net = Mlp::init(
            &config.network,
            kink::outputs(config, model.as_ref()),
            InputMap::for_config(&config.network, &domain),
            &mut init,
            dtype,
            &device,
        )?;
        // the kink-aware ansatz's extra outputs start at zero: `u` is the smooth network's
        // until the second-order phase trains them
        net.zero_outputs_from(model.components())?;
        let adam = Adam::new(vec![net.theta().clone()], config.optimiser.params())?;
        let sampler = window_sampler(config, &objective, 0);
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
        .min(config.chunks)
        .max(1);
        let workers = Workers::new(threads)
            .map_err(|e| candle_core::Error::Msg(format!("thread pool: {e}")))?;
        let mut trainer = Self {
            config: config.clone(),
            model,
            objective,
            frozen: Vec::new(),
            net,
            adam,
            sampler,
            step: 0,
            steps_taken: 0,
            history: Vec::new(),
            workers,
            kernel: options.kernel,
            options: options.clone(),
            last_checkpoint: None,
            kinks: None,
        };
        if let Some(dir) = &options.resume {
            trainer.restore(dir)?;
        }
        Ok(trainer)
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The model as given (not a time window's).
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// First-order steps taken so far in the current window.
    pub fn step_count(&self) -> usize {
        self.step
    }

    /// The current time window (0 unless the run marches; the window count once all are
    /// trained).
    pub fn window(&self) -> usize {
        self.frozen.len()
    }

    /// The trained time windows, in order.
    pub fn frozen(&self) -> &[Arc<Frozen>] {
        &self.frozen
    }

    /// Ends the current time window: its network is frozen, and unless it was the last, the
    /// next window starts from its weights, with its own objective, sampler, step count and
    /// fresh Adam moments, and a checkpoint is written when a directory is set.
    pub(crate) fn freeze(&mut self) -> Result<(), TrainError> {
        let act = self.config.network.activation;
        let frozen = Frozen::new(self.objective.clone(), &self.net, act)?;
        self.frozen.push(Arc::new(frozen));
        let j = self.frozen.len();
        if j == self.config.march.windows {
            return Ok(());
        }
        self.objective = window_objective(&self.config, &self.model, &self.frozen);
        self.sampler = window_sampler(&self.config, &self.objective, j);
        self.adam = Adam::new(
            vec![self.net.theta().clone()],
            self.config.optimiser.params(),
        )?;
        self.step = 0;
        self.checkpoint_now()
    }

    pub fn history(&self) -> &[LossRecord] {
        &self.history
    }

    /// The current network's `u` on the grid, one array per component (rows `t`, columns `x`);
    /// when the run marches, the trained windows', and the current window's (extrapolated)
    /// beyond them.
    pub fn evaluate(&self, grid: &EvalGrid) -> Vec<Array2<f64>> {
        if !self.config.march.enabled() {
            return evaluate(
                &self.net,
                &self.objective,
                &self.config,
                self.kinks.as_ref(),
                grid,
            );
        }
        let mut windows = self.frozen.clone();
        if windows.len() < self.config.march.windows {
            let act = self.config.network.activation;
            let current = Frozen::new(self.objective.clone(), &self.net, act)
                .expect("the network's parameters are on the host");
            windows.push(Arc::new(current));
        }
        evaluate_windows(&windows, grid)
    }

    /// One chunk's gradient and loss terms.
    fn chunk(&self, c: &Batch, norms: &crate::loss::Norms) -> candle_core::Result<ChunkResult> {
        let l = self
            .objective
            .chunk_loss(&self.net, c, norms, self.kernel)?;
        let grads = l.total.backward()?;
        let grad = grads
            .get(self.net.theta())
            .cloned()
            .ok_or_else(|| candle_core::Error::Msg("no gradient for θ".into()))?;
        let total = l.total.to_dtype(candle_core::DType::F64)?.to_scalar()?;
        Ok(ChunkResult {
            grad,
            total,
            terms: l.terms()?,
        })
    }

    /// `f` on every chunk, on the trainer's threads; results in chunk order.
    fn on_chunks<T: Send>(&self, chunks: &[Batch], f: impl Fn(&Batch) -> T + Sync) -> Vec<T> {
        match &self.workers {
            None => chunks.iter().map(f).collect(),
            Some(w) => w.map(chunks, f),
        }
    }

    /// One optimiser step. On a non-finite loss, or an update that would make the parameters
    /// non-finite, the weights are left unchanged and training stops with an error.
    pub fn step(&mut self) -> Result<LossRecord, TrainError> {
        let o = &self.config.optimiser;
        let lr = o.schedule.lr(o.lr, self.step, self.config.steps);
        self.adam.set_learning_rate(lr);
        let mut batch = self.sampler.next_batch(self.step, self.config.steps);
        let causal = self.config.loss.causal;
        if causal.enabled() {
            let parts = self.on_chunks(&batch.split(self.config.chunks), |c| {
                self.objective.point_residuals(&self.net, c, self.kernel)
            });
            let r2 = parts.into_iter().collect::<candle_core::Result<Vec<_>>>()?;
            let t_end = self.objective.model().domain().t_end;
            batch.weight = causal.weights(&batch.t, &r2.concat(), t_end);
        }
        let mut norms = self.objective.norms(&batch);
        norms.steer = self
            .config
            .loss
            .steer
            .weight_at(self.step, self.config.steps);
        let results = self.on_chunks(&batch.split(self.config.chunks), |c| self.chunk(c, &norms));
        let mut grad: Option<Tensor> = None;
        let (mut loss, mut terms) = (0.0, LossTerms::default());
        for r in results {
            let r = r?;
            grad = Some(match grad {
                None => r.grad,
                Some(acc) => (acc + r.grad)?,
            });
            loss += r.total;
            terms = terms + r.terms;
        }
        let record = LossRecord {
            window: self.window(),
            step: self.step,
            loss,
            terms,
            lr,
            damping: 0.0,
        };
        if !record.loss.is_finite() {
            return Err(self.non_finite(format!("loss ({})", record.loss)));
        }
        if !self.adam.step_with(&[grad])? {
            return Err(self.non_finite("parameters after the update".into()));
        }
        self.step += 1;
        self.steps_taken += 1;
        self.history.push(record);
        Ok(record)
    }

    fn non_finite(&self, what: String) -> TrainError {
        TrainError::NonFinite {
            step: self.step,
            what,
            checkpoint: self.last_checkpoint.clone(),
        }
    }

    /// Runs the phases of the config's [`Plan`] (first-order steps, then Levenberg–Marquardt,
    /// for each time window) with one loop: after every iteration of any phase each observer
    /// sees its record, and one that answers [`Control::Stop`] ends the run. A resumed run skips
    /// the windows it has trained. A final checkpoint is written when a checkpoint directory is
    /// set.
    pub fn run(mut self, observers: &mut [&mut dyn Observer]) -> Result<Trained, TrainError> {
        let start = Instant::now();
        let mut termination = Termination::StepBudget;
        let plan = Plan::of(&self.config);
        'phases: for planned in plan.phases {
            if planned.window < self.window() {
                continue;
            }
            let mut phase = Plan::start(planned.kind, &self)?;
            while let Some(record) = phase.next_iter(&mut self)? {
                if observers
                    .iter_mut()
                    .any(|o| o.observe(&record, &self) == Control::Stop)
                {
                    termination = Termination::Observer;
                    break 'phases;
                }
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        if self.options.checkpoint_dir.is_some() {
            self.checkpoint_now()?;
        }
        let steps =
            self.window().min(self.config.march.windows - 1) * self.config.steps + self.step;
        Ok(Trained {
            config: self.config,
            model: self.model,
            objective: self.objective,
            net: self.net,
            frozen: self.frozen,
            kinks: self.kinks,
            steps_run: self.steps_taken,
            history: self.history,
            train_seconds: seconds,
            steps,
            termination,
        })
    }

    /// Adds a record of another phase to the history.
    pub(crate) fn push_record(&mut self, record: LossRecord) {
        self.history.push(record);
    }

    /// Keeps the kink-aware ansatz's current curves.
    pub(crate) fn set_kinks(&mut self, kinks: Option<Interfaces>) {
        self.kinks = kinks;
    }

    pub(crate) fn objective(&self) -> &Objective {
        &self.objective
    }

    pub fn options(&self) -> &TrainOptions {
        &self.options
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
    /// history) and `dir/config.json` (the config and the model's description), replacing `dir`
    /// atomically.
    pub fn save_checkpoint(&self, dir: &Path) -> Result<(), TrainError> {
        let (m, v) = self.adam.moments().remove(0);
        let state = State {
            theta: self.net.theta().as_tensor().clone(),
            m,
            v,
            adam_steps: self.adam.step_count(),
            step: self.step,
            frozen: self.frozen.iter().map(|w| w.theta().to_vec()).collect(),
            rng: self.sampler.rng().state(),
            history: self.history.clone(),
        };
        checkpoint::save(dir, &self.config, &self.model().describe(), &state)
    }

    /// Restores the state of the checkpoint in `dir`. A checkpoint that cannot be read, or that
    /// belongs to another run, is invalid input (a [`ConfigError`] on `resume`).
    fn restore(&mut self, dir: &Path) -> Result<(), TrainError> {
        let refuse = |reason: String| -> TrainError {
            ConfigError::Unreadable {
                field: "resume".into(),
                path: dir.to_owned(),
                reason,
            }
            .into()
        };
        let saved = checkpoint::load(dir).map_err(|e| match e {
            TrainError::Checkpoint { reason, .. } => refuse(reason),
            e => e,
        })?;
        let same = TrainConfig {
            steps: self.config.steps,
            ..saved.config
        };
        if same != self.config {
            return Err(refuse(
                "its config differs from this run's (only `steps` may change)".into(),
            ));
        }
        if saved.model != self.model().describe() {
            return Err(refuse(format!(
                "it was written for another model: {}",
                saved.model
            )));
        }
        let state = saved.state;
        if state.frozen.len() > self.config.march.windows {
            return Err(refuse(format!(
                "it holds {} trained windows, more than march.windows = {}",
                state.frozen.len(),
                self.config.march.windows
            )));
        }
        if state.step > self.config.steps {
            return Err(ConfigError::invalid(
                "steps",
                &format!("≥ the checkpoint's step {} when resuming", state.step),
                self.config.steps,
            )
            .into());
        }
        let dtype = self.net.dtype();
        let dev = self.net.device().clone();
        let theta = state.theta.to_dtype(dtype)?.to_device(&dev)?;
        self.net = Mlp::from_theta(
            &self.config.network,
            self.net.outputs(),
            self.net.input_map(),
            theta,
        )
        .map_err(|e| refuse(e.to_string()))?;
        self.adam = Adam::new(
            vec![self.net.theta().clone()],
            self.config.optimiser.params(),
        )?;
        self.adam
            .set_state(state.adam_steps, vec![(state.m, state.v)])
            .map_err(|e| refuse(e.to_string()))?;
        let act = self.config.network.activation;
        for theta in state.frozen {
            if theta.len() != self.net.num_params() {
                return Err(refuse(format!(
                    "a trained window has {} parameters, the network {}",
                    theta.len(),
                    self.net.num_params()
                )));
            }
            let objective = window_objective(&self.config, &self.model, &self.frozen);
            let (layers, inputs) = (self.net.layers(), self.net.input_map());
            let w = Frozen::from_theta(objective, layers, inputs, act, theta);
            self.frozen.push(Arc::new(w));
        }
        let j = self.window().min(self.config.march.windows - 1);
        self.objective = window_objective(&self.config, &self.model, &self.frozen[..j]);
        self.sampler = window_sampler(&self.config, &self.objective, j);
        self.sampler.set_rng(Rng::from_state(state.rng));
        self.step = state.step;
        self.history = state.history;
        Ok(())
    }
}

/// One chunk's share of a step.
struct ChunkResult {
    grad: Tensor,
    total: f64,
    terms: LossTerms,
}

/// Trains a network for `model` with `config` (see [`Trainer`] for the loop).
///
/// ```no_run
/// use std::sync::Arc;
/// let model = Arc::new(hh_model::ProblemConfig::default().build().unwrap()); // the paper's problem
/// let mut config = hh_pinn::TrainConfig::preset("seed-fixed").unwrap();
/// config.steps = 100;
/// let trained = hh_pinn::train(model.clone(), &config, &Default::default()).unwrap();
/// let grid = hh_core::EvalGrid::paper(&hh_core::ReactionDiffusion::domain(model.as_ref()));
/// let u = &trained.evaluate(&grid)[0]; // 128 × 128, rows t, columns x
/// assert_eq!(u.dim(), (128, 128));
/// ```
pub fn train(
    model: Model,
    config: &TrainConfig,
    options: &TrainOptions,
) -> Result<Trained, TrainError> {
    Trainer::new(model, config, options)?.run(&mut [])
}

/// A trained network with its history.
pub struct Trained {
    config: TrainConfig,
    model: Model,
    objective: Objective,
    net: Mlp,
    /// The time windows, when the run marched.
    frozen: Vec<Arc<Frozen>>,
    /// The kink-aware ansatz's curves at the end of training.
    kinks: Option<Interfaces>,
    history: Vec<LossRecord>,
    train_seconds: f64,
    steps_run: usize,
    steps: usize,
    termination: Termination,
}

/// `u(xs, ts)` (`n × m` values, point after point) on the grid, one array per component: rows
/// `t`, columns `x` (the layout of the FD solver's `eval.npy`).
fn on_grid(
    grid: &EvalGrid,
    m: usize,
    u: impl FnOnce(&[f64], &[f64]) -> Vec<f64>,
) -> Vec<Array2<f64>> {
    let (nt, nx) = grid.shape();
    let (mut xs, mut ts) = (Vec::with_capacity(nt * nx), Vec::with_capacity(nt * nx));
    for &t in &grid.t {
        for &x in &grid.x {
            xs.push(x);
            ts.push(t);
        }
    }
    let u = u(&xs, &ts);
    (0..m)
        .map(|i| Array2::from_shape_fn((nt, nx), |(r, c)| u[(r * nx + c) * m + i]))
        .collect()
}

/// `u = A + B N` on the grid ([`on_grid`]); under the kink-aware ansatz `u = A + B (N + E N_e)`
/// with the curves located from `kinks` (those of training) ([`kink::evaluate`]).
fn evaluate(
    net: &Mlp,
    objective: &Objective,
    config: &TrainConfig,
    kinks: Option<&Interfaces>,
    grid: &EvalGrid,
) -> Vec<Array2<f64>> {
    on_grid(grid, objective.components(), |xs, ts| {
        if config.kink.enabled {
            return kink::evaluate(objective, net, config, kinks, xs, ts);
        }
        let n = net.values(xs, ts).expect("evaluating the network");
        objective.apply_values(xs, ts, &n)
    })
}

/// A marched solution on the grid ([`march::evaluate_windows`], [`on_grid`]).
fn evaluate_windows(windows: &[Arc<Frozen>], grid: &EvalGrid) -> Vec<Array2<f64>> {
    let m = windows.first().map_or(0, |w| w.objective().components());
    on_grid(grid, m, |xs, ts| march::evaluate_windows(windows, xs, ts))
}

impl Trained {
    /// `u` on the grid, one array per component: rows `t`, columns `x` (the layout of the FD
    /// solver's `eval.npy`).
    pub fn evaluate(&self, grid: &EvalGrid) -> Vec<Array2<f64>> {
        if self.frozen.is_empty() {
            evaluate(
                &self.net,
                &self.objective,
                &self.config,
                self.kinks.as_ref(),
                grid,
            )
        } else {
            evaluate_windows(&self.frozen, grid)
        }
    }

    /// The trained time windows (empty unless the run marched).
    pub fn windows(&self) -> &[Arc<Frozen>] {
        &self.frozen
    }

    pub fn history(&self) -> &[LossRecord] {
        &self.history
    }

    /// Wall time of the training loop in this process (seconds).
    pub fn train_seconds(&self) -> f64 {
        self.train_seconds
    }

    /// Milliseconds per first-order step over the steps run in this process (the whole
    /// training time, second-order phases included, divided by those steps).
    pub fn ms_per_step(&self) -> f64 {
        1e3 * self.train_seconds / self.steps_run.max(1) as f64
    }

    /// First-order steps taken in total, all windows together (including those before a
    /// resume).
    pub fn steps(&self) -> usize {
        self.steps
    }

    pub fn termination(&self) -> Termination {
        self.termination
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn network(&self) -> &Mlp {
        &self.net
    }

    /// Writes the weights as safetensors (`layers.{i}.weight`, `layers.{i}.bias`, PyTorch's
    /// `nn.Sequential` layout) with the config and the model's description as metadata.
    /// A marched run writes every window, its names prefixed by `window.{j}.`.
    pub fn save_model(&self, path: &Path) -> Result<(), TrainError> {
        let describe = self.model().describe();
        if self.frozen.is_empty() {
            return checkpoint::save_model(path, &self.config, &describe, &[("", &self.net)]);
        }
        let (outputs, inputs) = (self.net.outputs(), self.net.input_map());
        let dtype = self.config.dtype.dtype();
        let device = self.net.device().clone();
        let nets = self
            .frozen
            .iter()
            .map(|w| {
                let theta = Tensor::from_slice(w.theta(), w.theta().len(), &device)?;
                Mlp::from_theta(
                    &self.config.network,
                    outputs,
                    inputs,
                    theta.to_dtype(dtype)?,
                )
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        let prefixes: Vec<String> = (0..nets.len()).map(|j| format!("window.{j}.")).collect();
        let named: Vec<(&str, &Mlp)> = prefixes.iter().map(String::as_str).zip(&nets).collect();
        checkpoint::save_model(path, &self.config, &describe, &named)
    }
}
