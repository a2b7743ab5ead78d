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

use clap::{Args, Parser, Subcommand};
use hh_cli::commands::{self, ComponentFiles, GridArgs, SolveConfig, TrainRun};
use hh_fhn::{FhnConfig, Initial, Kind};
use hh_model::{BoundaryMode, Regularisation, Slope, read_config};
use hh_pinn::RunConfig;
use std::path::PathBuf;
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
    Train(Box<TrainCommand>),
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
    /// u₀: nagumo:X0, paper, sin, const:C, step:X0, front:X0, npy:PATH, ...
    #[arg(long, allow_hyphen_values = true)]
    ic: Option<Initial>,
    /// Amplitude λ ≥ 0 of u₀: u₀ = λ · (the profile of --ic).
    #[arg(long, allow_hyphen_values = true)]
    amplitude: Option<f64>,
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
            amplitude,
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
    #[command(flatten)]
    grid: GridArgs,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct TrainCommand {
    /// TOML or JSON file with [problem] and [train] sections; flags override it.
    #[arg(long, conflicts_with = "preset")]
    config: Option<PathBuf>,
    #[command(flatten)]
    problem: ProblemArgs,
    /// The training flags; `--preset`: front (default), pulse, or one of hh-pinn's.
    #[command(flatten)]
    train: commands::TrainArgs,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(match hh_cli::parse_args::<Cli>().command {
        Command::Solve(args) => solve(*args),
        Command::Train(args) => train(*args),
    })
}

fn solve(args: SolveArgs) -> anyhow::Result<()> {
    let mut cfg: SolveConfig<FhnConfig> = match &args.config {
        Some(path) => read_config(path)?,
        None => SolveConfig::default(),
    };
    args.problem.apply(&mut cfg.problem);
    args.grid.apply(&mut cfg.grid);
    let files = [
        ComponentFiles {
            solution: "u.npy",
            eval: "eval_u.npy",
        },
        ComponentFiles {
            solution: "v.npy",
            eval: "eval_v.npy",
        },
    ];
    commands::solve(
        "hh-fhn solve",
        env!("CARGO_PKG_VERSION"),
        &cfg,
        &files,
        &args.out,
    )
}

fn train(args: TrainCommand) -> anyhow::Result<()> {
    hh_io::check_output("out", &args.out)?;
    let mut run: RunConfig<FhnConfig> = match &args.config {
        Some(path) => read_config(path)?,
        None => {
            let mut problem = FhnConfig::default();
            args.problem.apply(&mut problem);
            let preset = args.train.preset.as_deref().unwrap_or("front");
            RunConfig {
                train: hh_fhn::presets::preset(preset, &problem)?,
                problem,
            }
        }
    };
    args.problem.apply(&mut run.problem);
    args.train.apply(&mut run.train);
    let model = Arc::new(run.problem.build()?);
    let version = env!("CARGO_PKG_VERSION");
    let mut spec = TrainRun::new("hh-fhn train", version, model, &run, &args.train);
    spec.eval_files = vec!["eval_u.npy".into(), "eval_v.npy".into()];
    commands::train(spec, &args.out)
}
