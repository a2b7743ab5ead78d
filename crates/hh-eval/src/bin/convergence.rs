//! `convergence`: the workspace's main job. Runs a sweep (the embedded `quick` profile by
//! default) and writes `results/convergence.md` with CSV and JSON for every table.

use clap::Parser;
use hh_eval::SweepConfig;
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "convergence",
    version,
    about = "FD grid convergence, convergence in k, PINN accuracy: the report in results/"
)]
struct Cli {
    /// Embedded sweep: quick (default, minutes) or full (paper quality).
    #[arg(long, default_value = "quick", conflicts_with = "config")]
    profile: String,
    /// A sweep file (TOML or JSON) with the fields of the profiles in crates/hh-eval/profiles/.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "results")]
    out: PathBuf,
}

fn main() -> ExitCode {
    hh_io::keep_freed_memory();
    hh_io::exit_code(run(Cli::parse()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let (name, cfg) = match &cli.config {
        Some(path) => {
            let cfg: SweepConfig = hh_model::read_config(path)?;
            cfg.validate()?;
            (path.display().to_string(), cfg)
        }
        None => (cli.profile.clone(), SweepConfig::profile(&cli.profile)?),
    };
    let report = hh_eval::run_sweep(&name, &cfg, true)?;
    let md = report.write(&cli.out)?;
    eprintln!("wrote {}", md.display());
    Ok(())
}
