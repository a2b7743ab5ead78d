//! `hh-fd solve`: the finite-difference reference solution of one problem, written as numpy files.

use clap::{Args, Parser, Subcommand};
use hh_cli::commands::{self, ComponentFiles, GridArgs, SolveConfig};
use hh_model::cli::ProblemArgs;
use hh_model::{ProblemConfig, read_config};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hh-fd",
    version,
    about = "Implicit finite-difference reference solver for u_t − u_xx + u ∈ H(u − a)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Solve one problem and write DIR/{solution,t,x,eval}.npy and DIR/manifest.json.
    Solve(SolveArgs),
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

fn main() -> ExitCode {
    let Command::Solve(args) = hh_cli::parse_args::<Cli>().command;
    hh_cli::exit_code(solve(args))
}

fn solve(args: SolveArgs) -> anyhow::Result<()> {
    let mut cfg: SolveConfig<ProblemConfig> = match &args.config {
        Some(path) => read_config(path)?,
        None => SolveConfig::default(),
    };
    args.problem.apply(&mut cfg.problem);
    args.grid.apply(&mut cfg.grid);
    let files = [ComponentFiles {
        solution: "solution.npy",
        eval: "eval.npy",
    }];
    commands::solve(
        "hh-fd solve",
        env!("CARGO_PKG_VERSION"),
        &cfg,
        &files,
        &args.out,
    )
}
