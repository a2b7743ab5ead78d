//! `hh-pinn`: train a PINN/DGM network for the nerve-impulse problem.
//!
//! ```text
//! hh-pinn train --preset seed --a 0.2 --out runs/seed-a0.2
//! hh-pinn train --config my.toml --steps 5000 --checkpoint-every 500 --out runs/x
//! hh-pinn train --resume runs/x.checkpoint --steps 10000 --out runs/x
//! hh-pinn train --preset inclusion --ic plateau:0.5 --bc neumann --steer max --out runs/max
//! hh-pinn presets                 # list the presets
//! hh-pinn config --preset seed    # print a preset as TOML (a starting point for --config)
//! ```
//!
//! Output directory (written all at once, replacing an existing one only on success):
//! `model.safetensors`, `eval.npy` (128 × 128 f64, rows t = linspace(0, T, 128), columns
//! x = linspace(x_min, x_max, 128)), `loss.csv`, `manifest.json`; for the inclusion also
//! `eval_d.npy`, the selection `d ∈ H(u − a)` on the same grid. Invalid input exits with 2.

use clap::{Parser, Subcommand};
use hh_cli::commands::{self, TrainRun};
use hh_model::cli::ProblemArgs;
use hh_model::{ConfigError, Formulation, NervePreset, ProblemConfig, read_config};
use hh_pinn::checkpoint;
use hh_pinn::{Direction, Kernel, Pin, Preset, RunConfig, SamplerKind, TrainOptions};
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
    /// Print a preset as a config file (TOML: [problem] and [train]).
    Config {
        #[arg(long, default_value = "seed")]
        preset: NervePreset,
    },
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Config file (TOML, or JSON for *.json) with [problem] and [train]; unknown keys are errors.
    #[arg(long, conflicts_with = "preset")]
    config: Option<PathBuf>,
    /// A preset: seed, seed-fixed, dgm, hard, accurate, wave, inclusion, precise, march, kink (default: seed, or the
    /// checkpoint's config with --resume). `inclusion` solves the inclusion itself: the problem's
    /// formulation becomes `inclusion` (outputs u and d, no k).
    #[arg(long)]
    preset: Option<NervePreset>,
    #[command(flatten)]
    problem: ProblemArgs,
    /// Steer towards the minimal or maximal solution: none, min or max (the inclusion).
    #[arg(long)]
    steer: Option<Direction>,
    /// Pin u(TAU, ·) = a (the threshold), softly, and steer only after TAU: the solution that
    /// stays at a until TAU.
    #[arg(long, allow_hyphen_values = true, value_name = "TAU")]
    pin: Option<f64>,
    /// Weight of the soft boundary term (the seed presets use 0, as the paper's code).
    #[arg(long, allow_hyphen_values = true)]
    boundary_weight: Option<f64>,
    /// Sampler: pinn or dgm.
    #[arg(long)]
    sampler: Option<SamplerKind>,
    /// Optimiser steps (per time window when the run marches).
    #[arg(long, allow_hyphen_values = true)]
    steps: Option<usize>,
    /// Time windows trained one after the other, each from the previous one's end (1: one
    /// network on the whole interval; more need the initial data built in, as `march` has).
    #[arg(long, allow_hyphen_values = true)]
    windows: Option<usize>,
    /// Random seed.
    #[arg(long, allow_hyphen_values = true)]
    seed: Option<u64>,
    /// Output directory (replaced atomically on success).
    #[arg(long)]
    out: PathBuf,
    /// Write a checkpoint every N steps (and at the end) into --checkpoint-dir.
    #[arg(long, allow_hyphen_values = true)]
    checkpoint_every: Option<usize>,
    /// Checkpoint directory (default: OUT.checkpoint when --checkpoint-every is given).
    #[arg(long)]
    checkpoint_dir: Option<PathBuf>,
    /// Resume from a checkpoint directory (its config is used unless --config/--preset is given;
    /// only --steps may differ).
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Threads for the batch chunks (0: automatic). Does not change the results.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
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
    hh_cli::keep_freed_memory();
    let cli = hh_cli::parse_args::<Cli>();
    hh_cli::exit_code(match cli.command {
        Command::Train(args) => train(*args),
        Command::Presets => {
            hh_cli::print_stdout(&(NervePreset::names().replace(", ", "\n") + "\n"))
        }
        Command::Config { preset } => {
            let run = RunConfig {
                problem: preset.problem(),
                train: preset.config(),
            };
            toml::to_string(&run)
                .map_err(anyhow::Error::new)
                .and_then(|text| hh_cli::print_stdout(&text))
        }
    })
}

/// The paper's problem, in the formulation `preset` trains.
/// The weight of `--pin` (unless the config gives a larger one).
const PIN_WEIGHT: f64 = 10.0;

fn config_of(args: &TrainArgs) -> anyhow::Result<RunConfig<ProblemConfig>> {
    let mut c = if let Some(path) = &args.config {
        read_config::<RunConfig<ProblemConfig>>(path)?
    } else if let Some(p) = args.preset {
        RunConfig {
            problem: p.problem(),
            train: p.config(),
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
            train: Preset::Seed.config(),
        }
    };
    args.problem.apply(&mut c.problem);
    let (p, t) = (&c.problem, &mut c.train);
    if let Some(s) = args.steer {
        t.loss.steer.direction = s;
    }
    if let Some(tau) = args.pin {
        t.loss.steer.from = tau;
        t.loss.pin = Pin {
            weight: t.loss.pin.weight.max(PIN_WEIGHT),
            t: tau,
            value: p.a,
            component: 0,
        };
    }
    if let Some(w) = args.boundary_weight {
        t.loss.boundary = w;
    }
    if let Some(s) = args.sampler {
        t.sampler.kind = s;
    }
    if let Some(s) = args.steps {
        t.steps = s;
    }
    if let Some(s) = args.seed {
        t.seed = s;
    }
    if let Some(w) = args.windows {
        t.march.windows = w;
    }
    Ok(c)
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    hh_io::check_output("out", &args.out)?;
    let run = config_of(&args)?;
    let model = run.problem.model()?;
    if args.checkpoint_every == Some(0) {
        return Err(ConfigError::invalid("checkpoint-every", "an integer ≥ 1", 0).into());
    }
    let checkpoint_dir = args.checkpoint_dir.clone().or_else(|| {
        args.checkpoint_every
            .map(|_| commands::checkpoint_dir_beside(&args.out))
    });
    if let Some(ck) = &checkpoint_dir {
        hh_io::check_output("checkpoint-dir", ck)?;
        hh_io::check_distinct("out", &args.out, "checkpoint-dir", ck)?;
    }
    let options = TrainOptions {
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
    let eval_files = match run.problem.formulation {
        Formulation::Regularised => vec!["eval.npy".into()],
        Formulation::Inclusion => vec!["eval.npy".into(), "eval_d.npy".into()],
    };
    let mut manifest = serde_json::Map::new();
    for (key, value) in [
        (
            "preset",
            serde_json::json!(args.preset.map(NervePreset::name)),
        ),
        (
            "kernel",
            serde_json::json!(if args.plain { "plain" } else { "fused" }),
        ),
        ("device", serde_json::json!(format!("{:?}", args.device))),
        ("resumed_from", serde_json::json!(args.resume)),
        (
            "versions",
            serde_json::json!({"hh-pinn": env!("CARGO_PKG_VERSION"), "candle-core": "0.11"}),
        ),
    ] {
        manifest.insert(key.into(), value);
    }
    let spec = TrainRun {
        tool: "hh-pinn train",
        version: env!("CARGO_PKG_VERSION"),
        model,
        run: &run,
        options,
        eval_files,
        manifest,
        quiet: args.quiet,
    };
    commands::train(spec, &args.out)
}
