//! `hh-fhn`: FitzHugh–Nagumo by finite differences (`solve`) or by a PINN (`train`).
//!
//! ```text
//! hh-fhn solve --a 0.1 --eps 0.005 --ic nagumo:5 --t-end 100 --x-max 100 --nx 1000 --nt 2000 --out runs/pulse
//! hh-fhn solve --interaction mckean --k inf --eps 0 --ic step:10 --out runs/front
//! hh-fhn train --preset front --eps 0 --a 0.25 --ic nagumo:0 --x-min -15 --x-max 15 --t-end 4 --out runs/pinn
//! ```
//!
//! `solve` writes `u.npy`, `v.npy` (each `(nt+1, nx+1)`, rows are times), `t.npy`, `x.npy`,
//! `eval_u.npy`, `eval_v.npy` (128 × 128 over `[0, T] × [x_min, x_max]`) and `manifest.json`;
//! `train` writes `eval_u.npy`, `eval_v.npy`, `model.safetensors`, `loss.csv` and
//! `manifest.json`. Output directories appear whole or not at all; invalid input exits with 2,
//! naming the field, and writes nothing.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hh_fd::GridConfig;
use hh_fhn::{FhnConfig, Initial, Kind};
use hh_model::{BoundaryMode, EvalGrid, ReactionDiffusion, Regularisation, Slope, read_config};
use hh_pinn::{LossRecord, RunConfig, TrainError, TrainOptions, Trainer};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hh-fhn",
    version,
    about = "FitzHugh–Nagumo u_t = u_xx + f(u) − v, v_t = ε(u − γv): finite differences and PINN"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve by finite differences: DIR/{u,v,t,x,eval_u,eval_v}.npy and DIR/manifest.json.
    Solve(Box<SolveArgs>),
    /// Train a PINN: DIR/{eval_u,eval_v}.npy, model.safetensors, loss.csv, manifest.json.
    Train(Box<TrainArgs>),
}

/// The problem flags (each overrides the config file).
#[derive(Args)]
struct ProblemArgs {
    /// cubic (u(1 − u)(u − a)) or mckean (−u + H_k(u − a)).
    #[arg(long)]
    interaction: Option<Kind>,
    /// Threshold a.
    #[arg(long, allow_hyphen_values = true)]
    a: Option<f64>,
    /// Recovery rate ε ≥ 0.
    #[arg(long, allow_hyphen_values = true)]
    eps: Option<f64>,
    /// Recovery damping γ ≥ 0.
    #[arg(long, allow_hyphen_values = true)]
    gamma: Option<f64>,
    /// mckean: ramp slope k > 0, or `inf`.
    #[arg(long, allow_hyphen_values = true)]
    k: Option<Slope>,
    /// mckean: lower or upper.
    #[arg(long)]
    regularisation: Option<Regularisation>,
    /// Boundary mode of u: dirichlet, neumann or free.
    #[arg(long)]
    bc: Option<BoundaryMode>,
    /// u₀: nagumo:X0, paper, sin, const:C, step:X0, npy:PATH, ...
    #[arg(long, allow_hyphen_values = true)]
    ic: Option<Initial>,
    /// v₀ (default const:0).
    #[arg(long, allow_hyphen_values = true)]
    v0: Option<Initial>,
    #[arg(long, allow_hyphen_values = true)]
    t_end: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    x_min: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    x_max: Option<f64>,
}

impl ProblemArgs {
    fn apply(&self, p: &mut FhnConfig) {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = &self.$field { p.$field = v.clone(); })* };
        }
        set!(
            interaction,
            a,
            eps,
            gamma,
            k,
            regularisation,
            bc,
            ic,
            v0,
            t_end,
            x_min,
            x_max
        );
    }
}

#[derive(Args)]
struct SolveArgs {
    /// TOML or JSON file with [problem] and [grid] sections; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    problem: ProblemArgs,
    /// Intervals in x (≥ 4).
    #[arg(long, allow_hyphen_values = true)]
    nx: Option<usize>,
    /// Time steps (≥ 1).
    #[arg(long, allow_hyphen_values = true)]
    nt: Option<usize>,
    /// θ in [0.5, 1]: 0.5 Crank–Nicolson, 1 backward Euler.
    #[arg(long, allow_hyphen_values = true)]
    theta: Option<f64>,
    /// free mode: extension L of the interval on each side (default: automatic).
    #[arg(long, allow_hyphen_values = true)]
    margin: Option<f64>,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct TrainArgs {
    /// TOML or JSON file with [problem] and [train] sections; flags override it.
    #[arg(long, conflicts_with = "preset")]
    config: Option<PathBuf>,
    /// A training preset: front (default), or one of hh-pinn's (seed, seed-fixed, dgm, hard, accurate).
    #[arg(long)]
    preset: Option<String>,
    #[command(flatten)]
    problem: ProblemArgs,
    /// Optimiser steps.
    #[arg(long, allow_hyphen_values = true)]
    steps: Option<usize>,
    /// Random seed.
    #[arg(long, allow_hyphen_values = true)]
    seed: Option<u64>,
    /// Threads for the batch chunks (0: automatic). Does not change the results.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    threads: usize,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
}

/// The config file of `hh-fhn solve`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SolveConfig {
    problem: FhnConfig,
    grid: GridConfig,
}

fn main() -> ExitCode {
    hh_io::keep_freed_memory();
    hh_io::exit_code(match hh_io::parse_args::<Cli>().command {
        Command::Solve(args) => solve(*args),
        Command::Train(args) => train(*args),
    })
}

fn write_npy<D: ndarray::Dimension>(
    dir: &Path,
    name: &str,
    a: &ndarray::ArrayRef<f64, D>,
) -> anyhow::Result<()> {
    hh_io::ensure_finite(name, a.iter())?;
    ndarray_npy::write_npy(dir.join(name), a).with_context(|| format!("writing {name}"))
}

fn solve(args: SolveArgs) -> anyhow::Result<()> {
    hh_io::check_output("out", &args.out)?;
    let mut cfg: SolveConfig = match &args.config {
        Some(path) => read_config(path)?,
        None => SolveConfig::default(),
    };
    args.problem.apply(&mut cfg.problem);
    let g = &mut cfg.grid;
    macro_rules! set {
        ($($field:ident),*) => { $(if let Some(v) = args.$field { g.$field = v; })* };
    }
    set!(nx, nt, theta);
    if args.margin.is_some() {
        g.margin = args.margin;
    }
    let model = cfg.problem.build()?;
    cfg.grid.validate()?;
    let dir = hh_io::AtomicDir::new(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;

    let (sol, seconds) =
        hh_fd::solve_with_progress(&model, &cfg.grid).map_err(hh_fd::FdError::into_cli)?;

    let eval = EvalGrid::paper(&model.domain());
    for (i, name) in ["u", "v"].into_iter().enumerate() {
        write_npy(dir.path(), &format!("{name}.npy"), &sol.values(i))?;
        write_npy(
            dir.path(),
            &format!("eval_{name}.npy"),
            &sol.on_grid(&eval, i),
        )?;
    }
    write_npy(dir.path(), "t.npy", sol.t())?;
    write_npy(dir.path(), "x.npy", sol.x())?;
    hh_io::Manifest::new("hh-fhn solve", env!("CARGO_PKG_VERSION"))
        .config(&cfg)
        .field("stats", &sol.stats)
        .field(
            "eval_grid",
            &serde_json::json!({"rows": "t = linspace(0, T, 128)", "cols": "x = linspace(x_min, x_max, 128)"}),
        )
        .timing("solve_s", seconds)
        .timing("updates_per_s", sol.stats.updates_per_second())
        .write(dir.path())?;
    let out = dir.commit()?;
    hh_io::note!(
        "solved {} x {} in {seconds:.2} s -> {}",
        cfg.grid.nx,
        cfg.grid.nt,
        out.display()
    );
    Ok(())
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    hh_io::check_output("out", &args.out)?;
    let mut run: RunConfig<FhnConfig> = match &args.config {
        Some(path) => read_config(path)?,
        None => {
            let mut problem = FhnConfig::default();
            args.problem.apply(&mut problem);
            let preset = args.preset.as_deref().unwrap_or("front");
            RunConfig {
                train: hh_fhn::presets::preset(preset, &problem)?,
                problem,
            }
        }
    };
    args.problem.apply(&mut run.problem);
    if let Some(s) = args.steps {
        run.train.steps = s;
    }
    if let Some(s) = args.seed {
        run.train.seed = s;
    }
    let model = Arc::new(run.problem.build()?);
    run.train.validate_for(model.as_ref())?;
    let dir = hh_io::AtomicDir::new(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let options = TrainOptions {
        progress: !args.quiet,
        threads: args.threads,
        ..Default::default()
    };
    let to_anyhow = |e: TrainError| match e {
        TrainError::Config(c) => anyhow::Error::new(c),
        e => anyhow::Error::new(e),
    };
    let trained = Trainer::new(model.clone(), &run.train, &options)
        .and_then(|t| t.run(&mut []))
        .map_err(to_anyhow)?;

    let grid = EvalGrid::paper(&model.domain());
    let fields: Vec<Array2<f64>> = trained.evaluate(&grid);
    for (u, name) in fields.iter().zip(["eval_u.npy", "eval_v.npy"]) {
        write_npy(dir.path(), name, u)?;
    }
    trained
        .save_model(&dir.path().join("model.safetensors"))
        .map_err(to_anyhow)?;
    std::fs::write(
        dir.path().join("loss.csv"),
        LossRecord::csv(trained.history()),
    )?;
    let last = trained.history().last().copied();
    hh_io::Manifest::new("hh-fhn train", env!("CARGO_PKG_VERSION"))
        .config(&run)
        .seed(run.train.seed)
        .field("preset", &args.preset)
        .field("steps", &trained.steps())
        .field("final_loss", &last.map(|r| r.loss))
        .field("parameters", &trained.network().num_params())
        .field(
            "eval_grid",
            &serde_json::json!({"rows": "t = linspace(0, t_end, 128)", "cols": "x = linspace(x_min, x_max, 128)", "dtype": "f64"}),
        )
        .timing("train_s", trained.train_seconds())
        .timing("ms_per_step", trained.ms_per_step())
        .write(dir.path())?;
    let out = dir.commit()?;
    hh_io::note!(
        "trained {} steps ({:.3} ms/step), final loss {:.4e}; wrote {}",
        trained.steps(),
        trained.ms_per_step(),
        last.map_or(f64::NAN, |r| r.loss),
        out.display()
    );
    Ok(())
}
