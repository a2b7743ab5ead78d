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
    BoundaryMode, ConfigError, EvalGrid, ProblemConfig, ReactionDiffusion, Regularisation, Slope,
    read_config,
};
use hh_pinn::checkpoint;
use hh_pinn::{
    Kernel, LossRecord, RunConfig, SamplerKind, TrainConfig, TrainError, TrainOptions, Trainer,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
    /// Print a preset as a config file (TOML: [problem] and [train]).
    Config {
        #[arg(long, default_value = "seed")]
        preset: String,
    },
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Config file (TOML, or JSON for *.json) with [problem] and [train]; unknown keys are errors.
    #[arg(long, conflicts_with = "preset")]
    config: Option<PathBuf>,
    /// A preset: seed, seed-fixed, dgm, hard, accurate (default: seed, or the checkpoint's config
    /// with --resume).
    #[arg(long)]
    preset: Option<String>,
    /// Threshold a.
    #[arg(long, allow_hyphen_values = true)]
    a: Option<f64>,
    /// Ramp slope k > 0, or `inf`.
    #[arg(long, allow_hyphen_values = true)]
    k: Option<String>,
    /// lower or upper.
    #[arg(long)]
    regularisation: Option<String>,
    /// Boundary mode: dirichlet, neumann or free.
    #[arg(long)]
    bc: Option<String>,
    /// Weight of the soft boundary term (the seed presets use 0, as the paper's code).
    #[arg(long, allow_hyphen_values = true)]
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
    /// Output directory (replaced atomically on success).
    #[arg(long)]
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
            .and_then(|train| {
                let run = RunConfig {
                    problem: ProblemConfig::default(),
                    train,
                };
                print!("{}", toml::to_string(&run)?);
                Ok(())
            }),
    })
}

fn config_of(args: &TrainArgs) -> anyhow::Result<RunConfig<ProblemConfig>> {
    let mut c = if let Some(path) = &args.config {
        read_config::<RunConfig<ProblemConfig>>(path)?
    } else if let Some(p) = &args.preset {
        RunConfig {
            problem: ProblemConfig::default(),
            train: TrainConfig::preset(p)?,
        }
    } else if let Some(dir) = &args.resume {
        let saved = checkpoint::load_config(dir).map_err(|e| ConfigError::Unreadable {
            field: "resume".into(),
            path: dir.clone(),
            reason: e.to_string(),
        })?;
        let problem = serde_json::from_value(saved.model).map_err(|e| ConfigError::Unreadable {
            field: "resume".into(),
            path: dir.clone(),
            reason: format!("not a checkpoint of the nerve problem: {e}"),
        })?;
        RunConfig {
            problem,
            train: saved.train,
        }
    } else {
        RunConfig {
            problem: ProblemConfig::default(),
            train: TrainConfig::preset("seed")?,
        }
    };
    let (p, t) = (&mut c.problem, &mut c.train);
    if let Some(a) = args.a {
        p.a = a;
    }
    if let Some(k) = &args.k {
        p.k = k.parse::<Slope>()?;
    }
    if let Some(r) = &args.regularisation {
        p.regularisation = r.parse::<Regularisation>()?;
    }
    if let Some(bc) = &args.bc {
        p.bc = bc.parse::<BoundaryMode>()?;
    }
    if let Some(w) = args.boundary_weight {
        t.loss.boundary = w;
    }
    if let Some(s) = &args.sampler {
        t.sampler.kind = match s.as_str() {
            "pinn" => SamplerKind::Pinn,
            "dgm" => SamplerKind::Dgm,
            _ => return Err(ConfigError::invalid("sampler", "pinn or dgm", s).into()),
        };
    }
    if let Some(s) = args.steps {
        t.steps = s;
    }
    if let Some(s) = args.seed {
        t.seed = s;
    }
    Ok(c)
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    let run = config_of(&args)?;
    let model = Arc::new(run.problem.build()?);
    let config = run.train;
    config.validate_for(model.as_ref())?;
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
    let trainer = Trainer::new(model.clone(), &config, &options).map_err(to_anyhow)?;
    let out = hh_io::AtomicDir::new(&args.out)
        .with_context(|| format!("cannot create output directory {}", args.out.display()))?;
    let trained = trainer.run(&mut []).map_err(to_anyhow)?;

    let grid = EvalGrid::paper(&model.domain());
    let u = trained.evaluate(&grid).remove(0);
    ndarray_npy::write_npy(out.path().join("eval.npy"), &u).context("writing eval.npy")?;
    trained
        .save_model(&out.path().join("model.safetensors"))
        .map_err(to_anyhow)?;
    std::fs::write(
        out.path().join("loss.csv"),
        LossRecord::csv(trained.history()),
    )?;
    let last = trained.history().last().copied();
    hh_io::Manifest::new("hh-pinn train", env!("CARGO_PKG_VERSION"))
        .config(&RunConfig {
            problem: run.problem,
            train: config.clone(),
        })
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
