//! The `solve` and `train` commands every model crate's binary reuses: the model crate parses
//! its own flags into its config, and these do the rest the same way for every model (output
//! checks, the model built and validated, the run with a progress bar, finite outputs written
//! as `.npy` into an atomic output directory, a manifest, a one-line summary).

use anyhow::Context;
use clap::Args;
use hh_core::{EvalGrid, ModelConfig, Reaction, ReactionDiffusion};
use hh_fd::GridConfig;
use hh_io::{AtomicDir, Manifest};
use hh_pinn::{
    LossRecord, Model, Observer, RunConfig, Termination, TrainConfig, TrainOptions, Trainer,
};
use ndarray::{Array2, ArrayRef, Dimension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The config file of `solve`: a `[problem]` and a `[grid]` section.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SolveConfig<P> {
    pub problem: P,
    pub grid: GridConfig,
}

/// The FD grid's flags (each overrides the config file).
#[derive(Args, Clone, Debug, Default)]
pub struct GridArgs {
    /// Intervals in x (≥ 4).
    #[arg(long, allow_hyphen_values = true)]
    pub nx: Option<usize>,
    /// Time steps (≥ 1).
    #[arg(long, allow_hyphen_values = true)]
    pub nt: Option<usize>,
    /// θ in [0.5, 1]: 0.5 Crank–Nicolson, 1 backward Euler.
    #[arg(long, allow_hyphen_values = true)]
    pub theta: Option<f64>,
    /// free mode: extension L of the interval on each side (default: automatic).
    #[arg(long, allow_hyphen_values = true)]
    pub margin: Option<f64>,
}

impl GridArgs {
    /// Overrides the fields of `grid` that were given.
    pub fn apply(&self, grid: &mut GridConfig) {
        if let Some(v) = self.nx {
            grid.nx = v;
        }
        if let Some(v) = self.nt {
            grid.nt = v;
        }
        if let Some(v) = self.theta {
            grid.theta = v;
        }
        if self.margin.is_some() {
            grid.margin = self.margin;
        }
    }
}

/// The files of one component: its whole solution (`solve`) and its values on the 128 × 128
/// evaluation grid (`solve` and `train`), both `.npy` names.
#[derive(Clone, Copy, Debug)]
pub struct ComponentFiles<'a> {
    pub solution: &'a str,
    pub eval: &'a str,
}

/// What the manifest says about the evaluation grid.
fn eval_grid_note() -> Value {
    serde_json::json!({
        "rows": "t = linspace(0, t_end, 128)",
        "cols": "x = linspace(x_min, x_max, 128)",
        "dtype": "f64",
    })
}

/// Writes `a` as `dir/name`, refusing a non-finite value.
pub fn write_npy<D: Dimension>(dir: &Path, name: &str, a: &ArrayRef<f64, D>) -> anyhow::Result<()> {
    crate::ensure_finite(name, a.iter())?;
    ndarray_npy::write_npy(dir.join(name), a).with_context(|| format!("writing {name}"))
}

/// `TOOL solve`: solves `config` by finite differences and publishes `out` with, per component
/// `i`, `files[i].solution` (shape `(nt+1, nx+1)`, rows are times) and `files[i].eval`, and
/// `t.npy`, `x.npy`, `manifest.json`.
pub fn solve<P: ModelConfig>(
    tool: &str,
    version: &str,
    config: &SolveConfig<P>,
    files: &[ComponentFiles],
    out: &Path,
) -> anyhow::Result<()> {
    hh_io::check_output("out", out)?;
    let model = config.problem.build_model()?;
    config.grid.validate()?;
    anyhow::ensure!(
        files.len() == model.components(),
        "{tool}: {} file names for {} components",
        files.len(),
        model.components()
    );
    let (sol, seconds) = crate::solve_with_bar(&model, &config.grid)?;
    let eval = EvalGrid::paper(&model.domain());
    let dir = AtomicDir::new(out).with_context(|| format!("creating {}", out.display()))?;
    for (i, f) in files.iter().enumerate() {
        write_npy(dir.path(), f.solution, &sol.values(i))?;
        write_npy(dir.path(), f.eval, &sol.on_grid(&eval, i))?;
    }
    write_npy(dir.path(), "t.npy", sol.t())?;
    write_npy(dir.path(), "x.npy", sol.x())?;
    Manifest::new(tool, version)
        .config(config)
        .field("components", &model.components())
        .field("stats", &sol.stats)
        .field("eval_grid", &eval_grid_note())
        .timing("solve_s", seconds)
        .timing("updates_per_s", sol.stats.updates_per_second())
        .write(dir.path())?;
    let written = dir.commit()?;
    let d = model.domain();
    let mid = 0.5 * (d.x_min + d.x_max);
    let values: Vec<String> = (0..model.components())
        .map(|i| format!("{:.6}", sol.at(d.t_end, mid, i)))
        .collect();
    crate::note!(
        "u(T, {mid:.4}) = {}   ({} x {} grid, {seconds:.2} s, {:.1} M updates/s) -> {}",
        values.join(", "),
        config.grid.nx,
        config.grid.nt,
        sol.stats.updates_per_second() / 1e6,
        written.display()
    );
    Ok(())
}

/// The flags of a training run every model shares (each overrides the config file).
#[derive(Args, Clone, Debug)]
pub struct TrainArgs {
    /// A training preset, when no config file is given (default: the model's own; hh-pinn's are
    /// seed, seed-fixed, dgm, hard, accurate, wave, precise, march).
    #[arg(long)]
    pub preset: Option<String>,
    /// Optimiser steps (per time window when the run marches).
    #[arg(long, allow_hyphen_values = true)]
    pub steps: Option<usize>,
    /// Time windows trained one after the other, each from the previous one's solution (1: one
    /// network on the whole interval; needs a preset with the initial data built in, as `march`).
    #[arg(long, allow_hyphen_values = true)]
    pub windows: Option<usize>,
    /// Random seed.
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Threads for the batch chunks (0: automatic). Does not change the results.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    pub threads: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

impl TrainArgs {
    /// Overrides the fields of `train` that were given.
    pub fn apply(&self, train: &mut TrainConfig) {
        if let Some(v) = self.steps {
            train.steps = v;
        }
        if let Some(v) = self.seed {
            train.seed = v;
        }
        if let Some(v) = self.windows {
            train.march.windows = v;
        }
    }
}

/// Where a run's checkpoints go when only their interval is given: `OUT.checkpoint`, beside the
/// output directory.
pub fn checkpoint_dir_beside(out: &Path) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(".checkpoint");
    PathBuf::from(s)
}

/// The config in `path`, or the default one when no path is given.
pub fn read_or_default<T: DeserializeOwned + Default>(path: &Option<PathBuf>) -> anyhow::Result<T> {
    Ok(match path {
        Some(path) => hh_core::read_config(path)?,
        None => T::default(),
    })
}

/// A `train` run: what it trains, how, and what it writes besides the network.
pub struct TrainRun<'a, P> {
    /// `"TOOL train"`, as the manifest names it.
    pub tool: &'a str,
    pub version: &'a str,
    /// The model built from `run.problem`.
    pub model: Model,
    pub run: &'a RunConfig<P>,
    pub options: TrainOptions,
    /// `.npy` names of the first components on the evaluation grid (the others are not written).
    pub eval_files: Vec<String>,
    /// More manifest fields (the preset, the kernel, …).
    pub manifest: Map<String, Value>,
    /// No progress bar.
    pub quiet: bool,
}

impl<'a, P> TrainRun<'a, P> {
    /// The run of [`TrainArgs`]: `eval.npy` for one component, `eval_0.npy`, `eval_1.npy`, …
    /// for several (a model may name them), and the preset in the manifest.
    pub fn new(
        tool: &'a str,
        version: &'a str,
        model: Model,
        run: &'a RunConfig<P>,
        args: &TrainArgs,
    ) -> Self {
        let m = model.components();
        Self {
            tool,
            version,
            model,
            run,
            options: TrainOptions {
                threads: args.threads,
                ..Default::default()
            },
            eval_files: match m {
                1 => vec!["eval.npy".into()],
                _ => (0..m).map(|i| format!("eval_{i}.npy")).collect(),
            },
            manifest: Map::from_iter([("preset".into(), Value::from(args.preset.clone()))]),
            quiet: args.quiet,
        }
    }
}

/// What a published training run leaves besides its files: the network on the evaluation grid,
/// its loss history, why it ended and where it was written.
pub struct Published {
    /// One `(128, 128)` array per component of the model (rows t, columns x).
    pub eval: Vec<Array2<f64>>,
    pub history: Vec<LossRecord>,
    pub termination: Termination,
    pub steps: usize,
    /// The output directory, resolved.
    pub dir: PathBuf,
}

/// `TOOL train`: trains a network for `run` and publishes `out` with the evaluation files,
/// `model.safetensors`, `loss.csv` and `manifest.json`. `out` (and any checkpoint directory of
/// the options) must have passed [`hh_io::check_output`].
pub fn train<P: Serialize>(spec: TrainRun<P>, out: &Path) -> anyhow::Result<()> {
    train_observed(spec, out, &mut []).map(|_| ())
}

/// [`train`] with more observers beside the progress bar (one that answers [`hh_pinn::Control::Stop`]
/// ends the run early, and what was trained is published as usual), returning what it published.
pub fn train_observed<P: Serialize>(
    spec: TrainRun<P>,
    out: &Path,
    observers: &mut [&mut dyn Observer],
) -> anyhow::Result<Published> {
    let (model, config) = (spec.model.clone(), &spec.run.train);
    let trainer = Trainer::new(model.clone(), config, &spec.options).map_err(crate::train_error)?;
    let dir = AtomicDir::new(out).with_context(|| format!("creating {}", out.display()))?;
    let trained = crate::train_with_bar(trainer, spec.quiet, observers)?;

    let fields = trained.evaluate(&EvalGrid::paper(&model.domain()));
    for (field, name) in fields.iter().zip(&spec.eval_files) {
        write_npy(dir.path(), name, field)?;
    }
    trained
        .save_model(&dir.path().join("model.safetensors"))
        .map_err(crate::train_error)?;
    std::fs::write(
        dir.path().join("loss.csv"),
        LossRecord::csv(trained.history()),
    )
    .context("writing loss.csv")?;
    let last = trained.history().last().copied();
    let mut manifest = Manifest::new(spec.tool, spec.version)
        .config(spec.run)
        .seed(config.seed)
        .field("steps", &trained.steps())
        .field("termination", &trained.termination())
        .field("final_loss", &last.map(|r| r.loss))
        .field("parameters", &trained.network().num_params())
        .field("eval_grid", &eval_grid_note());
    for (key, value) in &spec.manifest {
        manifest = manifest.field(key, value);
    }
    manifest
        .timing("train_s", trained.train_seconds())
        .timing("ms_per_step", trained.ms_per_step())
        .write(dir.path())?;
    let written = dir.commit()?;
    crate::note!(
        "trained {} steps ({:.3} ms/step), final loss {:.4e}; wrote {}",
        trained.steps(),
        trained.ms_per_step(),
        last.map_or(f64::NAN, |r| r.loss),
        written.display()
    );
    Ok(Published {
        eval: fields,
        history: trained.history().to_vec(),
        termination: trained.termination(),
        steps: trained.steps(),
        dir: written,
    })
}
