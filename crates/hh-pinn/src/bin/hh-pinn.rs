//! `hh-pinn`: train a PINN/DGM network for the nerve-impulse problem.
//!
//! ```text
//! hh-pinn train --preset seed --a 0.2 --out runs/seed-a0.2
//! hh-pinn train --config my.toml --steps 5000 --checkpoint-every 500 --out runs/x
//! hh-pinn train --resume runs/x.checkpoint --steps 10000 --out runs/x
//! hh-pinn presets                 # list the presets
//! hh-pinn config --preset seed    # print a preset as TOML (a starting point for --config)
//! ```
//!
//! Output directory (written all at once, replacing an existing one only on success):
//! `model.safetensors`, `eval.npy` (128 × 128 f64, rows t = linspace(0, T, 128), columns
//! x = linspace(x_min, x_max, 128)), `loss.csv`, `manifest.json`. Invalid input exits with 2.

use anyhow::Context;
use clap::{Parser, Subcommand};
use hh_model::{
    BoundaryMode, ConfigError, EvalGrid, ReactionDiffusion, Regularisation, Slope, read_config,
};
use hh_pinn::checkpoint;
use hh_pinn::{Kernel, LossRecord, SamplerKind, TrainConfig, TrainError, TrainOptions, Trainer};
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "hh-pinn",
    version,
    about = "PINN/DGM trainer for u_t - u_xx + u ∈ H(u - a)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a network and write model, evaluation grid, loss history and manifest.
    Train(Box<TrainArgs>),
    /// List the presets.
    Presets,
    /// Print the config of a preset (TOML).
    Config {
        #[arg(long, default_value = "seed")]
        preset: String,
    },
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Config file (TOML, or JSON for *.json); unknown keys are errors.
    #[arg(long, conflicts_with = "preset")]
    config: Option<PathBuf>,
    /// A preset: seed, seed-fixed, dgm, hard (default: seed, or the checkpoint's config with --resume).
    #[arg(long)]
    preset: Option<String>,
    /// Threshold a.
    #[arg(long)]
    a: Option<f64>,
    /// Ramp slope k > 0, or `inf`.
    #[arg(long)]
    k: Option<String>,
    /// lower or upper.
    #[arg(long)]
    regularisation: Option<String>,
    /// Boundary mode: dirichlet, neumann or free.
    #[arg(long)]
    bc: Option<String>,
    /// Weight of the soft boundary term (the seed presets use 0, as the paper's code).
    #[arg(long)]
    boundary_weight: Option<f64>,
    /// Sampler: pinn or dgm.
    #[arg(long)]
    sampler: Option<String>,
    /// Optimiser steps.
    #[arg(long)]
    steps: Option<usize>,
    /// Random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory.
    #[arg(long, default_value = "hh-pinn-out")]
    out: PathBuf,
    /// Write a checkpoint every N steps (and at the end) into --checkpoint-dir.
    #[arg(long)]
    checkpoint_every: Option<usize>,
    /// Checkpoint directory (default: OUT.checkpoint when --checkpoint-every is given).
    #[arg(long)]
    checkpoint_dir: Option<PathBuf>,
    /// Resume from a checkpoint directory (its config is used unless --config/--preset is given;
    /// only --steps may differ).
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Threads for the batch chunks (0: automatic). Does not change the results.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Use plain candle ops instead of the fused layer op.
    #[arg(long)]
    plain: bool,
    /// cpu, cuda or cuda:N (a GPU needs a build with `--features cuda`; the Taylor streams then
    /// use plain candle ops).
    #[arg(long, default_value = "cpu")]
    device: hh_pinn::DeviceChoice,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    hh_io::keep_freed_memory();
    let cli = Cli::parse();
    hh_io::exit_code(match cli.command {
        Command::Train(args) => train(*args),
        Command::Presets => {
            for p in hh_pinn::PRESETS {
                println!("{p}");
            }
            Ok(())
        }
        Command::Config { preset } => TrainConfig::preset(&preset)
            .map_err(anyhow::Error::new)
            .and_then(|c| {
                print!("{}", toml::to_string(&c)?);
                Ok(())
            }),
    })
}

fn config_of(args: &TrainArgs) -> anyhow::Result<TrainConfig> {
    let mut c = if let Some(path) = &args.config {
        read_config::<TrainConfig>(path)?
    } else if let Some(p) = &args.preset {
        TrainConfig::preset(p)?
    } else if let Some(dir) = &args.resume {
        let path = dir.join(checkpoint::CONFIG_FILE);
        read_config::<TrainConfig>(&path)?
    } else {
        TrainConfig::preset("seed")?
    };
    if let Some(a) = args.a {
        c.problem.a = a;
    }
    if let Some(k) = &args.k {
        c.problem.k = k.parse::<Slope>()?;
    }
    if let Some(r) = &args.regularisation {
        c.problem.regularisation = r.parse::<Regularisation>()?;
    }
    if let Some(bc) = &args.bc {
        c.problem.bc = bc.parse::<BoundaryMode>()?;
    }
    if let Some(w) = args.boundary_weight {
        c.loss.boundary = w;
    }
    if let Some(s) = &args.sampler {
        c.sampler.kind = match s.as_str() {
            "pinn" => SamplerKind::Pinn,
            "dgm" => SamplerKind::Dgm,
            _ => return Err(ConfigError::invalid("sampler", "pinn or dgm", s).into()),
        };
    }
    if let Some(s) = args.steps {
        c.steps = s;
    }
    if let Some(s) = args.seed {
        c.seed = s;
    }
    c.validate()?;
    Ok(c)
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    let config = config_of(&args)?;
    if args.checkpoint_every == Some(0) {
        return Err(ConfigError::invalid("checkpoint-every", "an integer ≥ 1", 0).into());
    }
    let checkpoint_dir = args.checkpoint_dir.clone().or_else(|| {
        args.checkpoint_every.map(|_| {
            let mut s = args.out.clone().into_os_string();
            s.push(".checkpoint");
            PathBuf::from(s)
        })
    });
    let options = TrainOptions {
        progress: !args.quiet,
        checkpoint_dir,
        checkpoint_every: args.checkpoint_every.unwrap_or(0),
        resume: args.resume.clone(),
        threads: args.threads,
        kernel: if args.plain {
            Kernel::Plain
        } else {
            Kernel::Fused
        },
        device: args.device,
    };
    let to_anyhow = |e: TrainError| match e {
        TrainError::Config(c) => anyhow::Error::new(c),
        e => anyhow::Error::new(e),
    };
    let trainer = Trainer::new(&config, &options).map_err(to_anyhow)?;
    let out = hh_io::AtomicDir::new(&args.out)
        .with_context(|| format!("cannot create output directory {}", args.out.display()))?;
    let trained = trainer.run(&mut []).map_err(to_anyhow)?;

    let problem = config.problem.build()?;
    let grid = EvalGrid::paper(&problem.domain());
    let u = trained.evaluate(&grid);
    ndarray_npy::write_npy(out.path().join("eval.npy"), &u).context("writing eval.npy")?;
    trained
        .save_model(&out.path().join("model.safetensors"))
        .map_err(to_anyhow)?;
    let mut csv = String::from(LossRecord::CSV_HEADER);
    csv.push('\n');
    for r in trained.history() {
        csv.push_str(&r.csv_row());
        csv.push('\n');
    }
    std::fs::write(out.path().join("loss.csv"), csv)?;
    let last = trained.history().last().copied();
    hh_io::Manifest::new("hh-pinn train", env!("CARGO_PKG_VERSION"))
        .config(&config)
        .seed(config.seed)
        .field("preset", &args.preset)
        .field("steps", &trained.steps())
        .field("termination", &trained.termination())
        .field("final_loss", &last.map(|r| r.loss))
        .field("parameters", &trained.network().num_params())
        .field("kernel", if args.plain { "plain" } else { "fused" })
        .field("device", &format!("{:?}", args.device))
        .field("resumed_from", &args.resume)
        .field(
            "eval_grid",
            &serde_json::json!({"rows": "t = linspace(0, t_end, 128)", "cols": "x = linspace(x_min, x_max, 128)", "dtype": "f64"}),
        )
        .field(
            "versions",
            &serde_json::json!({"hh-pinn": env!("CARGO_PKG_VERSION"), "candle-core": "0.11"}),
        )
        .timing("train_s", trained.train_seconds())
        .timing("ms_per_step", trained.ms_per_step())
        .write(out.path())?;
    let dir = out.commit()?;
    eprintln!(
        "trained {} steps ({:.3} ms/step), final loss {:.4e}; wrote {}",
        trained.steps(),
        trained.ms_per_step(),
        last.map_or(f64::NAN, |r| r.loss),
        dir.display()
    );
    Ok(())
}
