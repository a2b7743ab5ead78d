//! `hh-fd solve`: the finite-difference reference solution of one problem, written as numpy files.

use clap::{Args, Parser, Subcommand};
use hh_cli::commands::{self, ComponentFiles, GridArgs, SolveConfig};
use hh_model::{BoundaryMode, InitialCondition, ProblemConfig, Regularisation, Slope, read_config};
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
    /// Threshold a.
    #[arg(long, allow_hyphen_values = true)]
    a: Option<f64>,
    /// Ramp slope k > 0, or `inf`.
    #[arg(long, allow_hyphen_values = true)]
    k: Option<Slope>,
    /// lower (the paper's H_k) or upper.
    #[arg(long)]
    regularisation: Option<Regularisation>,
    /// dirichlet, neumann or free.
    #[arg(long)]
    bc: Option<BoundaryMode>,
    /// paper, sin, const:C, step:X0 or npy:PATH.
    #[arg(long)]
    ic: Option<InitialCondition>,
    #[arg(long, allow_hyphen_values = true)]
    t_end: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    x_min: Option<f64>,
    #[arg(long, allow_hyphen_values = true)]
    x_max: Option<f64>,
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
    let p = &mut cfg.problem;
    macro_rules! set {
        ($($dst:expr => $src:expr),*) => { $(if let Some(v) = $src { $dst = v; })* };
    }
    set!(p.a => args.a, p.k => args.k, p.regularisation => args.regularisation, p.bc => args.bc,
         p.ic => args.ic, p.t_end => args.t_end, p.x_min => args.x_min, p.x_max => args.x_max);
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
