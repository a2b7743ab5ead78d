//! `convergence`: the workspace's main job. Runs a sweep (the embedded `quick` profile by
//! default) and writes the report directory `results/convergence/`: `README.md` with CSV and
//! JSON for every table and the run's manifest, swapped in as one unit.
//!
//! On a cluster: `convergence --shard I/N --out DIR` runs the I-th of N parts of the sweep
//! (`0 ≤ I < N`; one array task each, see `scripts/slurm_sweep.sh`) into
//! `DIR.shard-I-of-N/`, and `convergence --merge DIR.shard-* --out DIR` assembles the report,
//! which equals that of an unsharded run.

use clap::Parser;
use hh_eval::SweepConfig;
use hh_eval::jobs::Plan;
use hh_eval::shard::{self, Shard};
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
    /// The report's directory: new, empty, or one these tools wrote (replaced whole on success).
    #[arg(long, default_value = "results/convergence")]
    out: PathBuf,
    /// Run only the I-th of N shards of the sweep (0 ≤ I < N) and write its tables to
    /// OUT.shard-I-of-N/ for `--merge`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    shard: Option<Shard>,
    /// Assemble the report from the shard directories of one sweep (all N of them).
    #[arg(long, num_args = 1.., value_name = "DIR", conflicts_with_all = ["shard", "config"])]
    merge: Vec<PathBuf>,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let plan = Plan::from_args(cli.shard, cli.merge.clone())?;
    let target = plan.output(&cli.out);
    hh_io::check_output("out", &target)?;
    if let Plan::Merge(dirs) = &plan {
        let (name, cfg, results) = shard::read(dirs)?;
        let report = hh_eval::sweep::assemble(&name, &cfg, results)?;
        let md = report.write(&target)?;
        hh_cli::note!("merged {} shards; wrote {}", dirs.len(), md.display());
        return Ok(());
    }
    let (name, cfg) = match &cli.config {
        Some(path) => {
            let cfg: SweepConfig = hh_model::read_config(path)?;
            cfg.validate()?;
            (path.display().to_string(), cfg)
        }
        None => (cli.profile.clone(), SweepConfig::profile(&cli.profile)?),
    };
    if let Plan::Shard(s) = plan {
        let chosen = s.select(hh_eval::sweep::parts(&cfg).len());
        let results = hh_eval::sweep::run_parts(&cfg, &chosen, true)?;
        shard::write(&target, &name, &cfg, s, &results)?;
        hh_cli::note!(
            "shard {s}: {} parts; wrote {}",
            chosen.len(),
            target.display()
        );
    } else {
        let report = hh_eval::run_sweep(&name, &cfg, true)?;
        let md = report.write(&target)?;
        hh_cli::note!("wrote {}", md.display());
    }
    Ok(())
}
