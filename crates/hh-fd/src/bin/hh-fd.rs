//! `hh-fd solve`: the finite-difference reference solution of one problem, written as numpy files.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hh_fd::GridConfig;
use hh_model::{
    BoundaryMode, EvalGrid, InitialCondition, ProblemConfig, Reaction, ReactionDiffusion,
    Regularisation, Slope, read_config,
};
use serde::{Deserialize, Serialize};
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

/// The config file of `hh-fd solve`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FdConfig {
    problem: ProblemConfig,
    grid: GridConfig,
}

fn main() -> ExitCode {
    let Command::Solve(args) = hh_io::parse_args::<Cli>().command;
    hh_io::exit_code(solve(args))
}

fn solve(args: SolveArgs) -> anyhow::Result<()> {
    hh_io::check_output("out", &args.out)?;
    let mut cfg: FdConfig = match &args.config {
        Some(path) => read_config(path)?,
        None => FdConfig::default(),
    };
    let p = &mut cfg.problem;
    macro_rules! set {
        ($($dst:expr => $src:expr),*) => { $(if let Some(v) = $src { $dst = v; })* };
    }
    set!(p.a => args.a, p.k => args.k, p.regularisation => args.regularisation, p.bc => args.bc,
         p.ic => args.ic, p.t_end => args.t_end, p.x_min => args.x_min, p.x_max => args.x_max,
         cfg.grid.nx => args.nx, cfg.grid.nt => args.nt, cfg.grid.theta => args.theta);
    if args.margin.is_some() {
        cfg.grid.margin = args.margin;
    }
    if cfg.problem.formulation != hh_model::Formulation::Regularised {
        return Err(hh_model::ConfigError::invalid(
            "problem.formulation",
            "regularised for finite differences (the extremal solutions of the inclusion are k = inf with regularisation lower and upper)",
            "inclusion",
        )
        .into());
    }
    let problem = cfg.problem.build()?;
    cfg.grid.validate()?;

    let (sol, seconds) =
        hh_fd::solve_with_progress(&problem, &cfg.grid).map_err(hh_fd::FdError::into_cli)?;

    let eval = EvalGrid::paper(&problem.domain());
    let on_eval = sol.on_grid(&eval, 0);
    hh_io::ensure_finite("the solution", sol.values(0).iter())?;
    hh_io::ensure_finite("the solution on the evaluation grid", on_eval.iter())?;
    let dir = hh_io::AtomicDir::new(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let write =
        |name: &str, a: &dyn Fn(&std::path::Path) -> Result<(), ndarray_npy::WriteNpyError>| {
            a(&dir.path().join(name)).with_context(|| format!("writing {name}"))
        };
    write("solution.npy", &|p| {
        ndarray_npy::write_npy(p, &sol.values(0))
    })?;
    write("t.npy", &|p| ndarray_npy::write_npy(p, sol.t()))?;
    write("x.npy", &|p| ndarray_npy::write_npy(p, sol.x()))?;
    write("eval.npy", &|p| ndarray_npy::write_npy(p, &on_eval))?;
    hh_io::Manifest::new("hh-fd solve", env!("CARGO_PKG_VERSION"))
        .config(&cfg)
        .field("components", &problem.components())
        .field("stats", &sol.stats)
        .field("eval_grid", &serde_json::json!({"rows": "t = linspace(0, T, 128)", "cols": "x = linspace(x_min, x_max, 128)"}))
        .timing("solve_s", seconds)
        .timing("updates_per_s", sol.stats.updates_per_second())
        .write(dir.path())?;
    let out = dir.commit()?;
    let mid = 0.5 * (cfg.problem.x_min + cfg.problem.x_max);
    hh_io::note!(
        "u(T, {mid:.4}) = {:.6}   ({} x {} grid, {:.2} s, {:.1} M updates/s) -> {}",
        sol.at(cfg.problem.t_end, mid, 0),
        cfg.grid.nx,
        cfg.grid.nt,
        seconds,
        sol.stats.updates_per_second() / 1e6,
        out.display()
    );
    Ok(())
}
