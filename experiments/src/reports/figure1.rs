//! Figure 1 of the paper, reproduced and checked: 2 × 3 heatmaps of u(t, x) for the six
//! thresholds a (x across, t up, plasma, one colour scale), for the FD reference and for the
//! PINN presets, |PINN − FD| on one scale, loss curves, and slices u(t, ·) with PINN and FD
//! overlaid. Writes PNG and SVG into `results/figure1/`.

use crate::{fd_references, range};
use hh_eval::jobs::{Jobs, ShardArgs};
use hh_eval::pinn::{PinnSummary, train_against};
use hh_eval::plot::{self, LinePanel, Panel, Series};
use hh_model::{BoundaryMode, EvalGrid, PAPER_A_VALUES, ReactionDiffusion};
use ndarray::Array2;
use std::path::PathBuf;
use std::time::Instant;

/// The report's settings: the flags of its binary.
#[derive(clap::Args)]
pub struct Options {
    /// Boundary mode of the FD reference and the PINN runs.
    #[arg(long, default_value = "dirichlet")]
    pub bc: BoundaryMode,
    /// PINN presets to train for every a (comma-separated; empty: FD panels only).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "seed,seed-fixed,accurate"
    )]
    pub presets: Vec<String>,
    /// Output directory (replaced atomically on success; with --shard, OUT.shard-I-of-N/).
    #[arg(long, default_value = "results/figure1")]
    pub out: PathBuf,
    #[command(flatten)]
    pub sharding: ShardArgs,
}

/// What the figures need of one training: `u` on the evaluation grid (row-major), the loss of
/// every step, and the measures.
#[derive(serde::Serialize, serde::Deserialize)]
struct FigureRun {
    u: Vec<f64>,
    loss: Vec<f64>,
    summary: PinnSummary,
}

/// Runs the report and publishes it in `options.out`.
pub fn run(cli: Options) -> anyhow::Result<()> {
    let start = Instant::now();
    let plan = cli.sharding.plan()?;
    let target = plan.output(&cli.out);
    hh_io::check_output("out", &target)?;
    for preset in &cli.presets {
        hh_model::presets::config(preset)?;
    }
    let mut jobs = Jobs::new("figure1", plan)?;
    let fd = fd_references(&PAPER_A_VALUES, cli.bc)?;
    let fd_seconds = start.elapsed().as_secs_f64();
    let bar = hh_cli::progress((cli.presets.len() * PAPER_A_VALUES.len()) as u64, "PINN");
    let mut trained: Vec<(String, Vec<FigureRun>)> = Vec::new();
    for preset in &cli.presets {
        let mut runs = Vec::new();
        for (&a, reference) in PAPER_A_VALUES.iter().zip(&fd) {
            bar.set_message(format!("{preset}, a = {a}"));
            let c = hh_model::presets::config(preset)?;
            let problem = hh_model::ProblemConfig {
                a,
                bc: cli.bc,
                ..Default::default()
            };
            let run = jobs.run(&format!("{preset} a={a}"), || {
                let model = hh_eval::pinn::nerve_model(&problem)?;
                let r = train_against(model, &c, std::slice::from_ref(reference), c.steps)?;
                Ok(FigureRun {
                    u: r.u[0].iter().copied().collect(),
                    loss: r.history.iter().map(|h| h.loss).collect(),
                    summary: r.summary(0),
                })
            })?;
            runs.extend(run);
            bar.inc(1);
        }
        trained.push((preset.clone(), runs));
    }
    bar.finish_and_clear();
    let mut manifest = hh_io::Manifest::new("experiments figure1", env!("CARGO_PKG_VERSION"))
        .field("bc", &cli.bc)
        .field("a_values", &PAPER_A_VALUES)
        .field("presets", &cli.presets)
        .timing("fd_s", fd_seconds);
    if jobs.is_shard() {
        jobs.finish_shard(&target, manifest)?;
        hh_cli::note!("wrote {}", target.display());
        return Ok(());
    }

    let dir = hh_io::AtomicDir::new(&target)?;
    let domain = hh_model::ProblemConfig::default().build()?.domain();
    let extent = (domain.x_min, domain.x_max, 0.0, domain.t_end);
    let panels = |grids: &[ndarray::Array2<f64>]| -> Vec<Panel> {
        PAPER_A_VALUES
            .iter()
            .zip(grids)
            .map(|(a, g)| Panel {
                title: format!("a = {a}"),
                data: g.clone(),
            })
            .collect()
    };
    plot::heatmaps(
        &dir.path().join("fd_reference"),
        &format!("FD reference u(t, x), k = 5, lower, {}", cli.bc),
        &panels(&fd),
        3,
        extent,
        range(&fd),
        "u",
    )?;
    let grid = EvalGrid::paper(&domain);
    plot::lines(
        &dir.path().join("fd_slices"),
        &format!("FD reference slices u(t, ·), {}", cli.bc),
        &slices(&grid, &fd, None),
        "x",
        "u",
        false,
    )?;

    let mut errors = Vec::new();
    for (preset, runs) in &trained {
        let shape = (grid.t.len(), grid.x.len());
        let u: Vec<Array2<f64>> = runs
            .iter()
            .map(|r| Array2::from_shape_vec(shape, r.u.clone()))
            .collect::<Result<_, _>>()?;
        plot::heatmaps(
            &dir.path().join(format!("pinn_{preset}")),
            &format!("PINN `{preset}` u(t, x), k = 5, lower, {}", cli.bc),
            &panels(&u),
            3,
            extent,
            range(&u),
            "u",
        )?;
        let diff: Vec<Array2<f64>> = u
            .iter()
            .zip(&fd)
            .map(|(p, f)| (p - f).mapv(f64::abs))
            .collect();
        plot::heatmaps(
            &dir.path().join(format!("error_{preset}")),
            &format!("|PINN `{preset}` − FD|, k = 5, lower, {}", cli.bc),
            &panels(&diff),
            3,
            extent,
            (0.0, range(&diff).1),
            "|u − u_FD|",
        )?;
        plot::lines(
            &dir.path().join(format!("slices_{preset}")),
            &format!(
                "u(t, ·): PINN `{preset}` (solid) and FD (dashed), {}",
                cli.bc
            ),
            &slices(&grid, &u, Some(&fd)),
            "x",
            "u",
            false,
        )?;
        let loss: Vec<Series> = PAPER_A_VALUES
            .iter()
            .zip(runs)
            .map(|(a, r)| Series {
                label: format!("a = {a}"),
                points: running_mean(&r.loss, 50),
                dashed: false,
            })
            .collect();
        plot::lines(
            &dir.path().join(format!("loss_{preset}")),
            &format!(
                "Training loss (mean of 50 steps), PINN `{preset}`, {}",
                cli.bc
            ),
            &[LinePanel {
                title: "loss".into(),
                series: loss,
            }],
            "step",
            "loss",
            true,
        )?;
        for ((a, r), u) in PAPER_A_VALUES.iter().zip(runs).zip(&u) {
            ndarray_npy::write_npy(dir.path().join(format!("pinn_{preset}_a{a}.npy")), u)?;
            let (e, s) = (r.summary.errors, &r.summary);
            errors.push(serde_json::json!({
                "preset": preset, "a": a, "rel_l2": e.rel_l2, "max_abs": e.max_abs, "rel_h1": e.rel_h1,
                "steps": s.steps, "train_s": s.train_seconds,
            }));
        }
        manifest = manifest.field(
            &format!("config_{preset}"),
            &hh_model::presets::config(preset)?,
        );
    }
    for (a, u) in PAPER_A_VALUES.iter().zip(&fd) {
        ndarray_npy::write_npy(dir.path().join(format!("fd_a{a}.npy")), u)?;
    }
    manifest
        .field("errors", &errors)
        .timing("total_s", start.elapsed().as_secs_f64())
        .write(dir.path())?;
    let out = dir.commit()?;
    hh_cli::note!("wrote {}", out.display());
    Ok(())
}

/// Slices `u(t, ·)` at t = 0, 0.25, 0.5, 1 for every a, solid, with `dashed` (the FD reference)
/// overlaid in the same colours.
fn slices(grid: &EvalGrid, u: &[Array2<f64>], dashed: Option<&[Array2<f64>]>) -> Vec<LinePanel> {
    let t_end = grid.t[grid.t.len() - 1];
    [0.0, 0.25, 0.5, 1.0]
        .iter()
        .map(|&t| {
            let row = ((t / t_end) * (grid.t.len() - 1) as f64).round() as usize;
            let curve = |label: String, g: &Array2<f64>, dashed| {
                Series::profile(&grid.x, g, row, label, dashed)
            };
            let mut series = Vec::new();
            for (i, a) in PAPER_A_VALUES.iter().enumerate() {
                series.push(curve(format!("a = {a}"), &u[i], false));
                if let Some(fd) = dashed {
                    series.push(curve(String::new(), &fd[i], true));
                }
            }
            LinePanel {
                title: format!("t = {t}"),
                series,
            }
        })
        .collect()
}

/// `(step, mean of the losses of the `window` steps ending there)`, steps counted from 1.
fn running_mean(loss: &[f64], window: usize) -> Vec<(f64, f64)> {
    let mut sum = 0.0;
    let mut out = Vec::with_capacity(loss.len());
    for (i, &l) in loss.iter().enumerate() {
        sum += l;
        if i >= window {
            sum -= loss[i - window];
        }
        out.push(((i + 1) as f64, sum / (i + 1).min(window) as f64));
    }
    out
}
