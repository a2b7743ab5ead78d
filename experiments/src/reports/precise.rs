//! Precision: time-to-accuracy of the PINN presets against a reference that can judge 1e-5.
//!
//! 1. The reference: Richardson extrapolation of Crank–Nicolson in `h` and `Δt` together
//!    (`hh_fd::extrapolated`) for `k = 5` and `k = ∞` in all three boundary modes, with its
//!    observed order and error estimate.
//! 2. rel_l2 against it over training time (evaluations excluded) for `seed`, `seed-fixed`,
//!    `accurate` and `precise` (Adam, then Levenberg–Marquardt in f64) at each `a`: the times to
//!    1e-2, 1e-3, 1e-4 and 1e-5 and a figure of the curves.
//!
//! Writes the report directory `results/precise/` (`README.md`, tables as CSV/JSON, figures); another
//! mode or slope `results/precise_<bc>_k<k>/`.

use hh_eval::jobs::{Jobs, ShardArgs};
use hh_eval::pinn::time_to_accuracy;
use hh_eval::plot::{self, LinePanel, Series};
use hh_eval::{Report, Table};
use hh_fd::{extrapolated, extrapolation_base};
use hh_model::{BoundaryMode, PAPER_A_VALUES, ProblemConfig, Slope};
use hh_pinn::TrainConfig;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The report's settings: the flags of its binary.
#[derive(clap::Args)]
pub struct Options {
    /// Thresholds a (default: the paper's six).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub a: Vec<f64>,
    /// Presets to time.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "seed,seed-fixed,accurate,precise"
    )]
    pub presets: Vec<String>,
    /// Boundary mode of the timed problems (the reference table covers all three).
    #[arg(long, default_value = "dirichlet")]
    pub bc: BoundaryMode,
    /// Slope k of the timed problems, or `inf`.
    #[arg(long, default_value = "5", allow_hyphen_values = true)]
    pub k: Slope,
    /// A training config (TOML or JSON, the `[train]` fields) used instead of the preset
    /// `precise`.
    #[arg(long)]
    pub precise_config: Option<PathBuf>,
    /// The report's directory, replaced whole on success (or, with --shard, OUT.shard-I-of-N/);
    /// default `results/precise`, or `results/precise_<bc>_k<k>` for another mode or slope.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub sharding: ShardArgs,
}

/// The accuracies whose times are tabulated.
const TARGETS: [f64; 4] = [1e-2, 1e-3, 1e-4, 1e-5];

/// Runs the report and publishes it in `options.out`.
pub fn run(cli: Options) -> anyhow::Result<()> {
    let a_values = if cli.a.is_empty() {
        PAPER_A_VALUES.to_vec()
    } else {
        cli.a.clone()
    };
    if let Some(a) = a_values
        .iter()
        .find(|a| !(a.is_finite() && **a > 0.0 && **a < 1.0))
    {
        return Err(hh_model::ConfigError::invalid("a", "numbers in (0, 1)", a).into());
    }
    for p in &cli.presets {
        hh_model::presets::config(p)?;
    }
    let precise_config = match &cli.precise_config {
        Some(path) => {
            let c: TrainConfig = hh_model::read_config(path)?;
            c.validate()?;
            Some(c)
        }
        None => None,
    };
    let plan = cli.sharding.plan()?;
    // The paper's setting writes `precise`; another mode or slope `precise_<bc>_k<k>`.
    let name = if (cli.bc, cli.k) == (BoundaryMode::Dirichlet, Slope::Finite(5.0)) {
        "precise".to_owned()
    } else {
        format!("precise_{}_k{}", cli.bc, cli.k)
    };
    cli.k.validate()?;
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| std::path::Path::new("results").join(&name));
    let target = plan.output(&out);
    hh_io::check_output("out", &target)?;
    let mut jobs = Jobs::new("precise", plan)?;
    let start = Instant::now();
    let bar = hh_cli::progress(
        (3 * (1 + a_values.len()) + a_values.len() * cli.presets.len()) as u64,
        "precise",
    );

    // The jobs: the reference table's extrapolations, then one training per a and preset
    // (against the extrapolated reference of its a, solved once per process).
    bar.set_message("Richardson references");
    // k = 5 at the first a; k = ∞, where the switch of H is hardest, at every a
    let reference_cases: Vec<(BoundaryMode, Slope, f64)> = BoundaryMode::ALL
        .into_iter()
        .flat_map(|bc| {
            std::iter::once((bc, Slope::Finite(5.0), a_values[0]))
                .chain(a_values.iter().map(move |&a| (bc, Slope::Infinite, a)))
        })
        .collect();
    let mut reference_rows = Vec::new();
    for (bc, k, a) in reference_cases {
        let row = jobs.run(&format!("reference {bc} {k} a={a}"), || {
            let t0 = Instant::now();
            let p = ProblemConfig {
                a,
                bc,
                k,
                ..Default::default()
            }
            .build()?;
            let r = extrapolated(&p, &extrapolation_base())?;
            Ok((
                r.observed_order,
                r.finest_change,
                r.estimated_error,
                t0.elapsed().as_secs_f64(),
            ))
        })?;
        reference_rows.push(((bc, k, a), row));
        bar.inc(1);
    }
    let mut references: Vec<(f64, Arc<Vec<ndarray::Array2<f64>>>)> = Vec::new();
    let mut runs = Vec::new();
    for &a in &a_values {
        for preset in &cli.presets {
            bar.set_message(format!("a = {a}: {preset}"));
            let config = match (&precise_config, preset.as_str()) {
                (Some(c), "precise") => c.clone(),
                _ => hh_model::presets::config(preset)?,
            };
            let run = jobs.run(&format!("{preset} a={a}"), || {
                let problem = ProblemConfig {
                    a,
                    bc: cli.bc,
                    k: cli.k,
                    ..Default::default()
                }
                .build()?;
                let reference = match references.iter().find(|(b, _)| *b == a) {
                    Some((_, r)) => r.clone(),
                    None => {
                        let r = Arc::new(extrapolated(&problem, &extrapolation_base())?.eval);
                        references.push((a, r.clone()));
                        r
                    }
                };
                time_to_accuracy(Arc::new(problem), &config, &reference)
            })?;
            runs.push(((a, preset.clone()), run));
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let manifest = hh_io::Manifest::new("experiments precise", env!("CARGO_PKG_VERSION"))
        .field("a_values", &a_values)
        .field("presets", &cli.presets)
        .field("bc", &cli.bc)
        .field("k", &cli.k)
        .field("precise_config", &precise_config)
        .field("threads", &rayon::current_num_threads())
        .timing("total_s", start.elapsed().as_secs_f64());
    if jobs.is_shard() {
        jobs.finish_shard(&target, manifest)?;
        hh_cli::note!("wrote {}", target.display());
        return Ok(());
    }

    let mut reference = Table::new(
        "reference",
        "The Richardson-extrapolated FD reference (nx = 1270, 2540, 5080, nt = 2 nx)",
        "all",
        "lower",
        &[
            "bc",
            "k",
            "a",
            "observed_order",
            "plain_change",
            "estimated_error",
            "seconds",
        ],
    )
    .note(
        "observed_order: log₂ of successive changes of the plain Crank–Nicolson solutions; \
         plain_change: their change at the finest level; estimated_error: max |R₂ − R₁| of the \
         extrapolations R = (4 u_{h/2} − u_h)/3, a conservative bound of the error of R₂. All on the \
         128 × 128 evaluation grid, which lies on the nodes. Crank–Nicolson with the interface \
         correction at the levels where H_k switches (u = a for k = ∞, the ramp's ends for finite k).",
    );
    for ((bc, k, a), row) in reference_rows {
        let (order, change, estimate, seconds) = hh_eval::jobs::ran(row)?;
        reference.push(vec![
            bc.to_string().into(),
            k.to_string().into(),
            a.into(),
            order.into(),
            change.into(),
            estimate.into(),
            seconds.into(),
        ]);
    }

    let mut columns = vec!["a", "preset", "final_rel_l2", "train_s"];
    let labels: Vec<String> = TARGETS
        .iter()
        .map(|t| format!("time_to_{}_s", format!("{t:e}").replace('-', "_")))
        .collect();
    columns.extend(labels.iter().map(String::as_str));
    let mut times = Table::new(
        "time_to_accuracy",
        &format!(
            "Training time to rel_l2 ≤ 1e-2 … 1e-5 against the extrapolated reference (k = {}, {})",
            cli.k, cli.bc
        ),
        cli.bc.name(),
        "lower",
        &columns,
    )
    .note(
        "Training seconds on this machine (2 cores, shared), evaluations excluded; – where the run \
         never reached the accuracy. precise: Adam in f64, then Levenberg–Marquardt.",
    );
    let mut curves = Table::new(
        "curves",
        "rel_l2 against training time",
        cli.bc.name(),
        "lower",
        &["a", "preset", "seconds", "step", "rel_l2"],
    );
    let mut panels: Vec<LinePanel> = Vec::new();
    for ((a, preset), run) in runs {
        let (curve, seconds) = hh_eval::jobs::ran(run)?;
        let time_to = |target: f64| {
            curve
                .iter()
                .find(|(_, _, e)| *e <= target)
                .map_or(f64::NAN, |(t, _, _)| *t)
        };
        let mut row = vec![
            a.into(),
            preset.as_str().into(),
            curve.last().map_or(f64::NAN, |c| c.2).into(),
            seconds.into(),
        ];
        row.extend(TARGETS.iter().map(|&t| time_to(t).into()));
        times.push(row);
        for &(t, step, e) in &curve {
            curves.push(vec![
                a.into(),
                preset.as_str().into(),
                t.into(),
                step.into(),
                e.into(),
            ]);
        }
        let title = format!("a = {a}");
        if panels.last().is_none_or(|p| p.title != title) {
            panels.push(LinePanel {
                title,
                series: Vec::new(),
            });
        }
        let Some(panel) = panels.last_mut() else {
            continue;
        };
        panel.series.push(Series {
            label: preset.clone(),
            points: curve.iter().map(|&(t, _, e)| (t, e)).collect(),
            dashed: false,
        });
    }

    let report = Report {
        name,
        title: "Precision: time to accuracy against a reference verified to 1e-7".into(),
        preamble: vec![format!(
            "Generated by `cargo run --release -p experiments --bin precise{}`; never edited by hand. The \
             problem is the paper's (k = {}, `lower`, {}, T = 1, φ) at each a; errors are rel_l2 on the \
             128 × 128 evaluation grid against the Richardson-extrapolated reference (docs/model.md, \
             \"Measures\"; its estimated error for each mode and k is in the first table).",
            if (cli.bc, cli.k) == (BoundaryMode::Dirichlet, Slope::Finite(5.0)) {
                String::new()
            } else {
                format!(" -- --bc {} --k {}", cli.bc, cli.k)
            },
            cli.k,
            cli.bc
        )],
        sections: vec![
            ("The reference".into(), vec![reference]),
            ("Time to accuracy".into(), vec![times, curves]),
        ],
        manifest,
    };
    let md = report.write_with(&target, |dir| {
        plot::lines(
            &dir.join("time_to_accuracy"),
            &format!("rel_l2 against training time (k = {}, {})", cli.k, cli.bc),
            &panels,
            "training time (s)",
            "rel_l2",
            true,
        )
    })?;
    hh_cli::note!("wrote {}", md.display());
    Ok(())
}
