//! Figure 1 of the paper, reproduced and checked: 2 × 3 heatmaps of u(t, x) for the six
//! thresholds a (x across, t up, plasma, one colour scale), for the FD reference and for the
//! PINN presets, |PINN − FD| on one scale, loss curves, and slices u(t, ·) with PINN and FD
//! overlaid. Writes PNG and SVG into `results/figure1/`.

use clap::Parser;
use experiments::{fd_references, range};
use hh_eval::plot::{self, COLORS, LinePanel, Panel, Series};
use hh_model::{BoundaryMode, EvalGrid, PAPER_A_VALUES, ReactionDiffusion};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "figure1",
    version,
    about = "The paper's Figure 1: FD reference and PINN presets, side by side"
)]
struct Cli {
    /// Boundary mode of the FD reference and the PINN runs.
    #[arg(long, default_value = "dirichlet")]
    bc: BoundaryMode,
    /// Output directory (replaced atomically on success).
    #[arg(long, default_value = "results/figure1")]
    out: PathBuf,
}

fn main() -> ExitCode {
    hh_io::exit_code(run(Cli::parse()))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let start = Instant::now();
    let dir = hh_io::AtomicDir::new(&cli.out)?;
    let fd = fd_references(&PAPER_A_VALUES, cli.bc)?;
    let fd_seconds = start.elapsed().as_secs_f64();
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
    let slices = [0.0, 0.25, 0.5, 1.0];
    let slice_panels: Vec<LinePanel> = slices
        .iter()
        .map(|&t| {
            let row = ((t / domain.t_end) * (grid.t.len() - 1) as f64).round() as usize;
            let series = PAPER_A_VALUES
                .iter()
                .zip(&fd)
                .enumerate()
                .map(|(i, (a, u))| Series {
                    label: format!("a = {a}"),
                    points: grid
                        .x
                        .iter()
                        .zip(u.row(row))
                        .map(|(&x, &v)| (x, v))
                        .collect(),
                    color: COLORS[i % COLORS.len()],
                    dashed: false,
                })
                .collect();
            LinePanel {
                title: format!("t = {t}"),
                series,
            }
        })
        .collect();
    plot::lines(
        &dir.path().join("fd_slices"),
        &format!("FD reference slices u(t, ·), {}", cli.bc),
        &slice_panels,
        "x",
        "u",
        false,
    )?;
    for (a, u) in PAPER_A_VALUES.iter().zip(&fd) {
        ndarray_npy::write_npy(dir.path().join(format!("fd_a{a}.npy")), u)?;
    }
    hh_io::Manifest::new("experiments figure1", env!("CARGO_PKG_VERSION"))
        .field("bc", &cli.bc)
        .field("a_values", &PAPER_A_VALUES)
        .timing("fd_s", fd_seconds)
        .timing("total_s", start.elapsed().as_secs_f64())
        .write(dir.path())?;
    let out = dir.commit()?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
