//! `hh-kpp solve|train`: the generic commands of `hh-cli`; only the problem's flags are its own.

use clap::{Args, Parser};
use hh_cli::commands::{self, ComponentFiles, GridArgs, SolveConfig, TrainRun};
use hh_core::{BoundaryMode, ModelConfig};
use hh_kpp::KppConfig;
use hh_pinn::{RunConfig, TrainConfig};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "hh-kpp",
    version,
    about = "Fisher–KPP u_t = u_xx + u(1 − u): FD and PINN"
)]
enum Cli {
    /// Solve by finite differences: DIR/{solution,eval,t,x}.npy and DIR/manifest.json.
    Solve {
        #[command(flatten)]
        problem: Problem,
        #[command(flatten)]
        grid: GridArgs,
    },
    /// Train a PINN: DIR/{eval.npy,model.safetensors,loss.csv,manifest.json}.
    Train {
        #[command(flatten)]
        problem: Problem,
        #[command(flatten)]
        train: commands::TrainArgs,
    },
}

/// The problem's flags; each overrides the config file (`[problem]`, with `[grid]` or `[train]`).
#[derive(Args)]
struct Problem {
    #[arg(long)]
    config: Option<PathBuf>,
    /// Position of the initial front.
    #[arg(long, allow_hyphen_values = true)]
    x0: Option<f64>,
    /// dirichlet, neumann or free.
    #[arg(long)]
    bc: Option<BoundaryMode>,
    #[arg(long, allow_hyphen_values = true)]
    x_min: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    x_max: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    t_end: Option<f64>,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
}

impl Problem {
    fn apply(&self, p: &mut KppConfig) {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = self.$field { p.$field = v; })* };
        }
        set!(x0, bc, x_min, x_max, t_end);
    }
}

fn main() -> std::process::ExitCode {
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    match cli {
        Cli::Solve { problem, grid } => {
            let mut config = commands::read_or_default::<SolveConfig<KppConfig>>(&problem.config)?;
            problem.apply(&mut config.problem);
            grid.apply(&mut config.grid);
            let files = [ComponentFiles {
                solution: "solution.npy",
                eval: "eval.npy",
            }];
            commands::solve("hh-kpp solve", version, &config, &files, &problem.out)
        }
        Cli::Train { problem, train } => {
            let mut run = match &problem.config {
                Some(path) => hh_core::read_config(path)?,
                None => RunConfig {
                    problem: KppConfig::default(),
                    train: TrainConfig::preset(train.preset.as_deref().unwrap_or("seed-fixed"))?,
                },
            };
            problem.apply(&mut run.problem);
            train.apply(&mut run.train);
            let model = Arc::new(run.problem.build_model()?);
            commands::train(
                TrainRun::new("hh-kpp train", version, model, &run, &train),
                &problem.out,
            )
        }
    }
}
