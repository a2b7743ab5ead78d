//! The `accurate` PINN preset measured against FD (`docs/model.md`, "Measures"): rel_l2 per
//! paper value of `a`, the wall time to reach rel_l2 ≤ 1e-2 next to the paper's recipe, an
//! ablation (each technique of the preset removed in turn), the other boundary modes, and
//! growing `k`. Writes
//! the report directory `results/accurate/`: `README.md` and its tables as CSV/JSON.

use hh_eval::jobs::{Jobs, ShardArgs};
use hh_eval::pinn::{PinnRun, PinnSummary, nerve_model, train_against};
use hh_eval::{Cell, Report, Table};
use hh_model::{BoundaryMode, PAPER_A_VALUES, ProblemConfig, Slope};
use hh_pinn::{Activation, Constraints, SamplerKind, Schedule, TrainConfig};
use std::path::PathBuf;
use std::time::Instant;

/// The report's settings: the flags of its binary.
#[derive(clap::Args)]
pub struct Options {
    /// Step budget of the per-a, mode and k runs (default: the preset's).
    #[arg(long, allow_hyphen_values = true)]
    pub steps: Option<usize>,
    /// Step budget of each ablation run.
    #[arg(long, allow_hyphen_values = true, default_value_t = 4000)]
    pub ablation_steps: usize,
    /// Evaluate against FD every this many steps (time to rel_l2 ≤ 1e-2).
    #[arg(long, allow_hyphen_values = true, default_value_t = 100)]
    pub track_every: usize,
    /// The report's directory, replaced whole on success (or, with --shard,
    /// OUT.shard-I-of-N/).
    #[arg(long, default_value = "results/accurate")]
    pub out: PathBuf,
    #[command(flatten)]
    pub sharding: ShardArgs,
}

fn columns(first: &[&'static str]) -> Vec<&'static str> {
    first.iter().copied().chain(PinnRun::COLUMNS).collect()
}

struct Runner {
    steps: Option<usize>,
    track_every: usize,
    bar: indicatif::ProgressBar,
    jobs: Jobs,
}

/// The paper's problem with threshold `a`, mode `bc` and slope `k`.
fn problem(a: f64, bc: BoundaryMode, k: Slope) -> ProblemConfig {
    ProblemConfig {
        a,
        bc,
        k,
        ..Default::default()
    }
}

impl Runner {
    /// The `accurate` preset with this run's step budget.
    fn config(&self) -> anyhow::Result<TrainConfig> {
        let mut c = TrainConfig::preset("accurate")?;
        if let Some(s) = self.steps {
            c.steps = s;
        }
        Ok(c)
    }

    /// One training (the job `what`) against the FD reference of `p`: its table cells, or `None`
    /// when another shard runs it.
    fn run(
        &mut self,
        what: &str,
        p: &ProblemConfig,
        c: &TrainConfig,
    ) -> anyhow::Result<Option<Vec<Cell>>> {
        self.bar.set_message(what.to_owned());
        let track_every = self.track_every;
        let summary = self.jobs.run(what, || {
            // Memoised: the ablation and the a = 0.1 runs share one problem.
            let reference = hh_eval::fd::reference(p, None)?;
            let r = train_against(
                nerve_model(p)?,
                c,
                std::slice::from_ref(&reference.eval),
                track_every,
            )?;
            Ok(r.summary(0))
        })?;
        self.bar.inc(1);
        Ok(summary.as_ref().map(PinnSummary::cells))
    }
}

/// Runs the report and publishes it in `options.out`.
pub fn run(cli: Options) -> anyhow::Result<()> {
    let start = Instant::now();
    let ablations = ablations(cli.ablation_steps)?;
    let (modes, slopes) = (
        [BoundaryMode::Neumann, BoundaryMode::Free],
        [Slope::Finite(20.0), Slope::Finite(80.0), Slope::Infinite],
    );
    let total = PAPER_A_VALUES.len() + 2 + ablations.len() + modes.len() + slopes.len();
    let plan = cli.sharding.plan()?;
    let target = plan.output(&cli.out);
    hh_io::check_output("out", &target)?;
    let mut runner = Runner {
        steps: cli.steps,
        track_every: cli.track_every,
        bar: hh_cli::progress(total as u64, "accurate"),
        jobs: Jobs::new("accurate", plan)?,
    };
    let k5 = Slope::Finite(5.0);
    let dirichlet = BoundaryMode::Dirichlet;

    // The jobs, in a fixed order: every training, each a table row.
    let mut rows_per_a = Vec::new();
    for &a in &PAPER_A_VALUES {
        let c = runner.config()?;
        rows_per_a.push((
            a,
            runner.run(&format!("a = {a}"), &problem(a, dirichlet, k5), &c)?,
        ));
    }
    let mut rows_speed = Vec::new();
    for preset in ["seed", "seed-fixed"] {
        let c = TrainConfig::preset(preset)?;
        rows_speed.push((
            preset,
            runner.run(preset, &problem(0.1, dirichlet, k5), &c)?,
        ));
    }
    let mut rows_ablation = Vec::new();
    for (name, change, c) in &ablations {
        let r = runner.run(name, &problem(0.1, dirichlet, k5), c)?;
        rows_ablation.push((*name, *change, r));
    }
    let mut rows_other = Vec::new();
    for &bc in &modes {
        let c = runner.config()?;
        let r = runner.run(&format!("{bc}"), &problem(0.1, bc, k5), &c)?;
        rows_other.push((bc.name().to_owned(), "5".to_owned(), r));
    }
    for &k in &slopes {
        let c = runner.config()?;
        let r = runner.run(&format!("k = {k}"), &problem(0.1, dirichlet, k), &c)?;
        rows_other.push(("dirichlet".to_owned(), k.to_string(), r));
    }
    runner.bar.finish_and_clear();
    let manifest = hh_io::Manifest::new("experiments accurate", env!("CARGO_PKG_VERSION"))
        .config(&hh_pinn::RunConfig {
            problem: problem(0.1, dirichlet, k5),
            train: TrainConfig::preset("accurate")?,
        })
        .seed(0)
        .field("steps_override", &cli.steps)
        .field("ablation_steps", &cli.ablation_steps)
        .field("threads", &rayon::current_num_threads())
        .timing("total_s", start.elapsed().as_secs_f64());
    if runner.jobs.is_shard() {
        runner.jobs.finish_shard(&target, manifest)?;
        hh_cli::note!("wrote {}", target.display());
        return Ok(());
    }
    let cells = hh_eval::jobs::ran::<Vec<Cell>>;

    let mut per_a = Table::new(
        "accurate_per_a",
        "The accurate preset against FD, dirichlet, k = 5",
        "dirichlet",
        "lower",
        &columns(&["a"]),
    )
    .note(
        "Preset `accurate` (seed 0) against the FD reference of the same problem. train_s excludes the evaluations \
         that find time_to_1e_2_s (training seconds until rel_l2 ≤ 1e-2 was first seen).",
    );
    let mut accurate_a01 = None;
    for (a, r) in rows_per_a {
        let r = cells(r)?;
        if a == 0.1 {
            accurate_a01 = Some(r.clone());
        }
        per_a.push([vec![a.into()], r].concat());
    }

    let mut speed = Table::new(
        "time_to_accuracy",
        "Wall time to rel_l2 ≤ 1e-2, a = 0.1, dirichlet, k = 5",
        "dirichlet",
        "lower",
        &columns(&["preset"]),
    )
    .note(
        "The paper's recipe (`seed`: as published, `seed-fixed`: its initial loss corrected) never reaches 1e-2 (–); \
         `accurate` does within the time shown.",
    );
    for (p, r) in rows_speed {
        speed.push([vec![p.into()], cells(r)?].concat());
    }
    if let Some(r) = accurate_a01 {
        speed.push([vec!["accurate".into()], r].concat());
    }

    let mut ablation = Table::new(
        "ablation",
        &format!("Ablation, a = 0.1, dirichlet, k = 5, {} steps each", cli.ablation_steps),
        "dirichlet",
        "lower",
        &columns(&["variant", "change"]),
    )
    .note(
        "Each row removes one technique from `accurate` (same seed and step budget): the loss in rel_l2 is that \
         technique's contribution at this budget.",
    );
    for (name, change, r) in rows_ablation {
        ablation.push([vec![name.into(), change.into()], cells(r)?].concat());
    }

    let mut other = Table::new(
        "accurate_modes_and_k",
        "The accurate preset in the other boundary modes and for growing k, a = 0.1",
        "dirichlet, neumann, free",
        "lower",
        &columns(&["bc", "k"]),
    )
    .note(
        "Against the FD reference of the same problem (k = ∞: the minimal solution). neumann: u = u_lin + t·N with \
         a soft u_x boundary term; free: u_lin the whole-line heat semigroup, no boundary term. As k grows the \
         interaction H_k steepens into a jump and the solution develops a kink where u crosses a.",
    );
    for (bc, k, r) in rows_other {
        other.push([vec![bc.into(), Cell::Text(k)], cells(r)?].concat());
    }

    let report = Report {
        name: "accurate".into(),
        title: "An accurate PINN for the nerve-impulse problem".into(),
        preamble: vec![
            "Generated by `cargo run --release -p experiments --bin accurate`; never edited by hand. Preset `accurate` \
             (`hh-pinn config --preset accurate`): the network learns w = u − u_lin under u = u_lin + t·x(π − x)·N, \
             with u_lin the closed-form solution of u_t = u_xx − u from φ (docs/model.md, \"The linear part\"), \
             so the initial and dirichlet conditions hold exactly and the initial spike is not the network's to \
             learn; tanh 4×64; fresh samples (DGM) of 1024 points a step with t = T·r² (r uniform); Adam 2e-3 \
             with a cosine decay to 1e-5. Errors on the 128 × 128 grid against the FD reference of the same \
             problem (docs/model.md, \"Measures\")."
                .into(),
        ],
        sections: vec![
            ("Accuracy for the paper's thresholds".into(), vec![per_a, speed]),
            ("Ablation".into(), vec![ablation]),
            ("Other boundary modes and growing k".into(), vec![other]),
        ],
        manifest,
    };
    let md = report.write(&target)?;
    hh_cli::note!("wrote {}", md.display());
    Ok(())
}

/// `(name, what changed, config)`: the preset, then each technique removed in turn (a = 0.1).
fn ablations(steps: usize) -> anyhow::Result<Vec<(&'static str, &'static str, TrainConfig)>> {
    let mut base = TrainConfig::preset("accurate")?;
    base.steps = steps;
    let with = |f: &dyn Fn(&mut TrainConfig)| {
        let mut c = base.clone();
        f(&mut c);
        c
    };
    Ok(vec![
        ("accurate", "—", base.clone()),
        (
            "no linear part",
            "u = φ + t·x(π − x)·N (hard initial and dirichlet conditions, u_lin not subtracted)",
            with(&|c| {
                c.constraints = Constraints {
                    hard_initial: true,
                    hard_boundary: true,
                    linear_part: false,
                }
            }),
        ),
        (
            "silu",
            "SiLU instead of tanh",
            with(&|c| c.network.activation = Activation::Silu),
        ),
        (
            "width 50",
            "4×50 instead of 4×64",
            with(&|c| c.network.width = 50),
        ),
        (
            "fixed pool",
            "pinn sampler: 2000 points drawn once",
            with(&|c| c.sampler.kind = SamplerKind::Pinn),
        ),
        (
            "uniform t",
            "t ~ U(0, T) instead of T·r²",
            with(&|c| c.sampler.time_power = 1.0),
        ),
        (
            "constant lr",
            "Adam 1e-3, no decay",
            with(&|c| {
                c.optimiser.lr = 1e-3;
                c.optimiser.schedule = Schedule::Constant;
            }),
        ),
        (
            "batch 256",
            "256 points a step",
            with(&|c| c.sampler.batch = 256),
        ),
    ])
}
