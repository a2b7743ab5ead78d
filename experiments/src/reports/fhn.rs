//! FitzHugh–Nagumo through the workspace's unchanged solvers (`hh-fhn` on `hh-fd` and
//! `hh-pinn`):
//!
//! 1. fronts (`ε = 0`): the Nagumo front (cubic) and McKean's front (`k = ∞`), measured speed
//!    against the exact `(1 − 2a)/√2` and `(1 − 2a)/√(a(1 − a))`;
//! 2. a travelling FitzHugh–Nagumo pulse launched by a supra-threshold stimulus: speed and width
//!    under grid refinement with observed orders, and for which recovery rates `ε` it exists;
//! 3. McKean's pulse (`mckean`, with recovery): its speed as `k → ∞`;
//! 4. a PINN against FD on a window that holds the pulse's formation and travel.
//!
//! Writes the report directory `results/fhn/`: `README.md`, its tables (CSV/JSON), figures
//! (PNG/SVG) and grids (`.npy`).

use hh_eval::metrics::rates;
use hh_eval::pinn::{PinnRun, train_against};
use hh_eval::plot::{self, LinePanel, Panel, Series};
use hh_eval::waves::{front_speed, pulse_width};
use hh_eval::{Cell, Report, Table};
use hh_fd::{GridConfig, GridSize, Solution, solve};
use hh_fhn::{FhnConfig, Initial, Kind, nagumo_speed, presets};
use hh_model::{BoundaryMode, EvalGrid, InitialCondition, ReactionDiffusion, Slope};
use ndarray::Array2;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The report's settings: the flags of its binary.
#[derive(clap::Args)]
pub struct Options {
    /// Training presets of the PINN, compared on one window (hh-fhn's `front`, `pulse` or
    /// hh-pinn's); the figures show the last.
    #[arg(long, value_delimiter = ',', default_value = "front,pulse")]
    pub presets: Vec<String>,
    /// PINN steps (default: each preset's).
    #[arg(long, allow_hyphen_values = true)]
    pub pinn_steps: Option<usize>,
    /// Random seed of the PINN.
    #[arg(long, allow_hyphen_values = true, default_value_t = 0)]
    pub seed: u64,
    /// Refinement levels of the pulse: h = 0.4 / 2^i, Δt = 0.4 / 2^i for i < levels (≥ 3).
    #[arg(long, allow_hyphen_values = true, default_value_t = 5)]
    pub levels: usize,
    /// The report's directory, replaced whole on success.
    #[arg(long, default_value = "results/fhn")]
    pub out: PathBuf,
}

/// Threshold, recovery rate and interval of the FitzHugh–Nagumo pulse: a = 0.1, ε = 0.005,
/// γ = 0 (a stable pulse; for ε = 0.01 the stimulus' wave dies, see the existence table), sealed
/// ends on (0, 150), T = 200, stimulus u₀ = nagumo:5.
fn pulse(eps: f64) -> FhnConfig {
    FhnConfig {
        interaction: Kind::Cubic,
        a: 0.1,
        eps,
        gamma: 0.0,
        bc: BoundaryMode::Neumann,
        ic: Initial::Nagumo(5.0),
        t_end: 200.0,
        x_min: 0.0,
        x_max: 150.0,
        ..Default::default()
    }
}
const PULSE_EPS: f64 = 0.005;

/// McKean's pulse: a = 0.25, ε = 0.05, γ = 0, sealed ends on (0, 100), T = 60, u₀ = step:5.
fn mckean_pulse(k: Slope) -> FhnConfig {
    FhnConfig {
        interaction: Kind::Mckean,
        a: 0.25,
        eps: 0.05,
        k,
        ic: Initial::Common(InitialCondition::Step(5.0)),
        t_end: 60.0,
        x_max: 100.0,
        ..pulse(0.05)
    }
}

/// The PINN's window: the FitzHugh–Nagumo pulse on (0, 60) × (0, 80], which holds the stimulus,
/// the formation of the pulse's back and its travel over about 40 space units.
fn window() -> FhnConfig {
    FhnConfig {
        t_end: 80.0,
        x_max: 60.0,
        ..pulse(PULSE_EPS)
    }
}

fn grid(nx: usize, nt: usize) -> GridConfig {
    GridConfig {
        nx,
        nt,
        ..Default::default()
    }
}

fn solve_cfg(cfg: &FhnConfig, g: &GridConfig) -> anyhow::Result<Solution> {
    Ok(solve(&cfg.build()?, g)?)
}

/// `max u(T, ·)`.
fn peak(sol: &Solution) -> f64 {
    sol.last(0).fold(f64::MIN, |m, &v| m.max(v))
}

fn number(v: Option<f64>) -> Cell {
    v.unwrap_or(f64::NAN).into()
}

/// Successive changes `|q_i − q_{i−1}|` (row i ≥ 1) and their observed orders (row i ≥ 2).
fn changes_and_orders(q: &[f64]) -> (Vec<Cell>, Vec<Cell>) {
    let d: Vec<f64> = q.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let o = rates(&d);
    let pad = |v: &[f64], n: usize| -> Vec<Cell> {
        std::iter::repeat_n(f64::NAN, n)
            .chain(v.iter().copied())
            .map(Cell::from)
            .collect()
    };
    (pad(&d, 1), pad(&o, 2))
}

/// Runs the report and publishes it in `options.out`.
pub fn run(cli: Options) -> anyhow::Result<()> {
    if cli.levels < 3 {
        return Err(hh_model::ConfigError::invalid("levels", "an integer ≥ 3", cli.levels).into());
    }
    let start = Instant::now();
    // Refuse an `--out` we cannot write before the long solves.
    hh_io::check_output("out", &cli.out)?;
    let pinn_problem = window();
    let pinn_model = pinn_problem.build()?;
    let pinn_configs = cli
        .presets
        .iter()
        .map(|name| {
            let mut c = presets::preset(name, &pinn_problem)?;
            if let Some(s) = cli.pinn_steps {
                c.steps = s;
            }
            c.seed = cli.seed;
            c.validate_for(&pinn_model)?;
            Ok((name.clone(), c))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if pinn_configs.is_empty() {
        return Err(
            hh_model::ConfigError::invalid("presets", "at least one preset", "none").into(),
        );
    }

    let bar = hh_cli::progress(4, "fhn");
    bar.set_message("fronts");
    let fronts = fronts()?;
    bar.inc(1);
    bar.set_message("FitzHugh–Nagumo pulse");
    let (refinement, existence, pulse_fd) = pulse_tables(cli.levels)?;
    bar.inc(1);
    bar.set_message("McKean pulse");
    let mckean = mckean_table()?;
    bar.inc(1);
    let fd_seconds = start.elapsed().as_secs_f64();
    bar.set_message(format!("PINN {} against FD", cli.presets.join(", ")));
    let pinn = pinn_against_fd(&pinn_problem, &pinn_configs)?;
    bar.finish_and_clear();

    let c0 = nagumo_speed(0.1);
    let report = Report {
        name: "fhn".into(),
        title: "FitzHugh–Nagumo: fronts, a travelling pulse, and a PINN".into(),
        preamble: vec![
            "Generated by `cargo run --release -p experiments --bin fhn`; never edited by hand. The model is the crate \
             `hh-fhn` (u_t = u_xx + f(u) − v, v_t = ε(u − γv); `cubic` f = u(1 − u)(u − a), `mckean` \
             f = −u + H_k(u − a)), solved by `hh-fd` and trained by `hh-pinn` without changes to either. Speeds are \
             least-squares slopes of the position of the leading front (its downward crossing of a level, linearly \
             interpolated between nodes) against t over the second half of each run; widths are front minus back at \
             u = 0.5 at the final time."
                .into(),
        ],
        sections: vec![
            ("Fronts against exact speeds".into(), vec![fronts]),
            (
                "A travelling FitzHugh–Nagumo pulse".into(),
                vec![refinement, existence.note(&format!(
                    "The singular limit ε → 0 of the pulse speed is the Nagumo front speed c₀ = (1 − 2a)/√2 = {c0:.4} \
                     (Keener & Sneyd, Mathematical Physiology, ch. 6); recovery slows the pulse below it. A wave \
                     'propagates' when the final profile still holds a pulse above u = 0.5."
                ))],
            ),
            ("McKean's pulse as k → ∞".into(), vec![mckean]),
            ("PINN against FD".into(), vec![pinn.table.clone()]),
        ],
        manifest: hh_io::Manifest::new("experiments fhn", env!("CARGO_PKG_VERSION"))
            .config(&pinn_problem)
            .seed(cli.seed)
            .field("pinn", &pinn_configs.iter().map(|(n, c)| serde_json::json!({"preset": n, "train": c})).collect::<Vec<_>>())
            .field("pulse", &pulse(PULSE_EPS))
            .field("mckean_pulse", &mckean_pulse(Slope::Infinite))
            .field("levels", &cli.levels)
            .field("threads", &rayon::current_num_threads())
            .timing("fd_s", fd_seconds)
            .timing("total_s", start.elapsed().as_secs_f64()),
    };
    let md = report.write_with(&cli.out, |dir| {
        figures(dir, &pulse_fd, &pinn_problem, &pinn)?;
        for (name, g) in [
            ("fd_window_u", &pinn.reference[0]),
            ("fd_window_v", &pinn.reference[1]),
            ("pinn_window_u", &pinn.best()?.u[0]),
            ("pinn_window_v", &pinn.best()?.u[1]),
            ("fd_pulse_u", &pulse_fd[0]),
            ("fd_pulse_v", &pulse_fd[1]),
        ] {
            ndarray_npy::write_npy(dir.join(format!("{name}.npy")), g)?;
        }
        Ok(())
    })?;
    hh_cli::note!("wrote {}", md.display());
    Ok(())
}

/// Nagumo (cubic, the exact front as data, on (−40, 40), T = 20) and McKean (k = ∞, a step at
/// −12, on (−20, 25), T = 10) fronts with `ε = 0`, `v ≡ 0`, sealed ends far from the front.
fn fronts() -> anyhow::Result<Table> {
    let cases: Vec<(Kind, f64)> = [Kind::Cubic, Kind::Mckean]
        .into_iter()
        .flat_map(|k| [0.1, 0.25, 0.4].map(|a| (k, a)))
        .collect();
    let rows: Vec<Vec<Cell>> = cases
        .par_iter()
        .map(|&(kind, a)| -> anyhow::Result<Vec<Cell>> {
            let (cfg, g, level, exact) = match kind {
                Kind::Cubic => (
                    FhnConfig {
                        interaction: kind,
                        a,
                        eps: 0.0,
                        bc: BoundaryMode::Neumann,
                        ic: Initial::Nagumo(0.0),
                        t_end: 20.0,
                        x_min: -40.0,
                        x_max: 40.0,
                        ..Default::default()
                    },
                    GridConfig {
                        startup: 0, // smooth, compatible data: plain Crank–Nicolson
                        ..grid(1600, 800)
                    },
                    0.5,
                    nagumo_speed(a),
                ),
                Kind::Mckean => (
                    FhnConfig {
                        interaction: kind,
                        a,
                        eps: 0.0,
                        k: Slope::Infinite,
                        bc: BoundaryMode::Neumann,
                        ic: Initial::Common(InitialCondition::Step(-12.0)),
                        t_end: 10.0,
                        x_min: -20.0,
                        x_max: 25.0,
                        ..Default::default()
                    },
                    grid(9000, 4000),
                    a,
                    hh_model::waves::front_speed(a),
                ),
            };
            let sol = solve_cfg(&cfg, &g)?;
            let measured = front_speed(&sol, 0, level, cfg.t_end / 2.0)
                .ok_or_else(|| anyhow::anyhow!("{kind} a = {a}: no front"))?;
            Ok(vec![
                kind.name().into(),
                a.into(),
                exact.into(),
                measured.into(),
                ((measured - exact).abs() / exact).into(),
                ((cfg.x_max - cfg.x_min) / g.nx as f64).into(),
                (cfg.t_end / g.nt as f64).into(),
            ])
        })
        .collect::<anyhow::Result<_>>()?;
    let mut t = Table::new(
        "fronts",
        "Front speeds (ε = 0, v ≡ 0): FD against exact",
        "neumann (ends far from the front)",
        "cubic: –; mckean: lower, k = ∞",
        &["interaction", "a", "exact", "measured", "rel_error", "h", "dt"],
    )
    .note(
        "cubic: the Nagumo front u = 1/(1 + e^{(x − ct)/√2}) as initial data, c = (1 − 2a)/√2, level 0.5. mckean: \
         a step at x = −12 under f = −u + H(u − a) (Newton with the interface correction at u = a, Rannacher \
         start-up), exact speed (1 − 2a)/√(a(1 − a)), level a.",
    );
    rows.into_iter().for_each(|r| t.push(r));
    Ok(t)
}

/// The pulse under refinement and its existence in `ε`; also the pulse on the 128 × 128 grid
/// (`u`, `v`) of the h = 0.1 level, for the figures.
fn pulse_tables(levels: usize) -> anyhow::Result<(Table, Table, [Array2<f64>; 2])> {
    let cfg = pulse(PULSE_EPS);
    let t_from = cfg.t_end / 2.0;
    struct Measured {
        nx: usize,
        nt: usize,
        speed: Option<f64>,
        width: Option<f64>,
        peak: f64,
        eval: Option<[Array2<f64>; 2]>,
    }
    let measure = |cfg: &FhnConfig, nx: usize, nt: usize| -> anyhow::Result<Measured> {
        let model = cfg.build()?;
        let sol = solve(&model, &grid(nx, nt))?;
        let last = sol.t().len() - 1;
        let eval = (nx == 1500).then(|| {
            let g = EvalGrid::paper(&model.domain());
            [sol.on_grid(&g, 0), sol.on_grid(&g, 1)]
        });
        Ok(Measured {
            nx,
            nt,
            speed: front_speed(&sol, 0, 0.5, t_from),
            width: pulse_width(&sol, 0, last, 0.5),
            peak: peak(&sol),
            eval,
        })
    };
    let levels: Vec<Measured> = (0..levels)
        .into_par_iter()
        .map(|i| measure(&cfg, 375 << i, 500 << i))
        .collect::<anyhow::Result<_>>()?;
    let speeds: Vec<f64> = levels.iter().map(|m| m.speed.unwrap_or(f64::NAN)).collect();
    let widths: Vec<f64> = levels.iter().map(|m| m.width.unwrap_or(f64::NAN)).collect();
    let (ds, os) = changes_and_orders(&speeds);
    let (dw, ow) = changes_and_orders(&widths);
    let n = speeds.len();
    let extrapolated = |q: &[f64]| q[n - 1] + (q[n - 1] - q[n - 2]) / 3.0;
    let mut refinement = Table::new(
        "pulse_refinement",
        &format!("FitzHugh–Nagumo pulse under grid refinement (a = 0.1, ε = {PULSE_EPS}, γ = 0)"),
        "neumann",
        "cubic",
        &[
            "nx",
            "nt",
            "h",
            "dt",
            "speed",
            "speed_change",
            "speed_order",
            "width",
            "width_change",
            "width_order",
            "peak_u",
        ],
    )
    .note(&format!(
        "Crank–Nicolson on (0, 150), T = 200, stimulus u₀ = 1/(1 + e^{{(x − 5)/√2}}), v₀ = 0. Speed over t ∈ [100, \
         200] at u = 0.5; width at T. *_change = |q_i − q_(i−1)|, *_order = log₂ of the ratio of successive changes. \
         Richardson (order 2) from the two finest levels: speed {:.6}, width {:.5}.",
        extrapolated(&speeds),
        extrapolated(&widths)
    ));
    for (i, m) in levels.iter().enumerate() {
        refinement.push(vec![
            m.nx.into(),
            m.nt.into(),
            (cfg.x_max / m.nx as f64).into(),
            (cfg.t_end / m.nt as f64).into(),
            number(m.speed),
            ds[i].clone(),
            os[i].clone(),
            number(m.width),
            dw[i].clone(),
            ow[i].clone(),
            m.peak.into(),
        ]);
    }

    let eps_values = [0.002, 0.005, 0.01, 0.02];
    let scan: Vec<Measured> = eps_values
        .par_iter()
        .map(|&e| measure(&pulse(e), 1500, 2000))
        .collect::<anyhow::Result<_>>()?;
    let mut existence = Table::new(
        "pulse_existence",
        "Does the stimulus launch a travelling pulse? (a = 0.1, γ = 0, h = 0.1, Δt = 0.1)",
        "neumann",
        "cubic",
        &["eps", "propagates", "peak_u_at_T", "speed", "width"],
    );
    for (e, m) in eps_values.iter().zip(&scan) {
        let propagates = m.peak > 0.5 && m.width.is_some();
        existence.push(vec![
            (*e).into(),
            (if propagates { "yes" } else { "no" }).into(),
            m.peak.into(),
            number(m.speed.filter(|_| propagates)),
            number(m.width.filter(|_| propagates)),
        ]);
    }
    let eval = levels
        .into_iter()
        .find_map(|m| m.eval)
        .ok_or_else(|| anyhow::anyhow!("the h = 0.1 level is missing"))?;
    Ok((refinement, existence, eval))
}

/// McKean's pulse speed for growing `k` (h = 0.01, Δt = 0.01 ≤ 1/k keeps each implicit step
/// uniquely solvable), its limit by Richardson extrapolation in `1/k`, the grid error at the
/// largest `k`, and the `k = ∞` solver (with the interface correction) under refinement.
fn mckean_table() -> anyhow::Result<Table> {
    let ks = [5.0, 10.0, 20.0, 40.0, 80.0];
    let fine = (10_000, 6000);
    let jobs: Vec<(Slope, (usize, usize))> = ks
        .iter()
        .map(|&k| (Slope::Finite(k), fine))
        .chain([(Slope::Finite(80.0), (5000, 3000))])
        .chain([2500, 5000, 10_000].map(|nx| (Slope::Infinite, (nx, nx * 6 / 10))))
        .collect();
    let measured: Vec<(Option<f64>, Option<f64>, f64)> = jobs
        .par_iter()
        .map(|&(k, (nx, nt))| {
            let cfg = mckean_pulse(k);
            let sol = solve_cfg(&cfg, &grid(nx, nt))?;
            let last = sol.t().len() - 1;
            Ok((
                front_speed(&sol, 0, 0.5, cfg.t_end / 2.0),
                pulse_width(&sol, 0, last, 0.5),
                peak(&sol),
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let speed = |i: usize| measured[i].0.unwrap_or(f64::NAN);
    let n = ks.len();
    // c_k = c_∞ + C/k + O(1/k²): c_∞ ≈ 2 c_{2k} − c_k from the two largest k
    let limit = 2.0 * speed(n - 1) - speed(n - 2);
    let gaps: Vec<f64> = (0..n).map(|i| (speed(i) - limit).abs()).collect();
    let r = rates(&gaps);
    let mut t = Table::new(
        "mckean_pulse_k",
        "McKean's pulse speed against k (a = 0.25, ε = 0.05, γ = 0)",
        "neumann",
        "lower",
        &["k", "h", "dt", "speed", "gap_to_limit", "rate", "width", "peak_u"],
    )
    .note(&format!(
        "f = −u + H_k(u − a) on (0, 100), T = 60, u₀ = step:5, v₀ = 0; speed over t ∈ [30, 60] at u = 0.5. \
         limit = 2 c_80 − c_40 = {limit:.5} (Richardson in 1/k); gap = |c_k − limit|, rate = log₂(gap_k / gap_2k) \
         (1: first order in 1/k). Grid error at k = 80: h = 0.02 gives {:.6}, {:.1e} from h = 0.01. The k = ∞ rows \
         (Newton with the interface correction at u = a) converge at order 2 in h; the plain nodal scheme switched \
         H node by node, which locked the discrete front to rational speeds (1.1000, 1.1111, 1.1174).",
        speed(n),
        (speed(n) - speed(n - 1)).abs()
    ));
    for (i, &(k, (nx, nt))) in jobs.iter().enumerate() {
        if i == n {
            continue; // the grid-error run, in the note
        }
        let (_, width, peak) = measured[i];
        let cfg = mckean_pulse(k);
        t.push(vec![
            Cell::Text(k.to_string()),
            (cfg.x_max / nx as f64).into(),
            (cfg.t_end / nt as f64).into(),
            speed(i).into(),
            gaps.get(i).copied().unwrap_or(f64::NAN).into(),
            // the last rate is 1 by the construction of the limit
            (if (1..n - 1).contains(&i) {
                r.get(i - 1).copied()
            } else {
                None
            })
            .unwrap_or(f64::NAN)
            .into(),
            number(width),
            peak.into(),
        ]);
    }
    Ok(t)
}

/// The PINN runs (one per preset), their FD reference (`u`, `v` on the 128 × 128 grid) and
/// their table.
struct PinnResult {
    runs: Vec<PinnRun>,
    reference: Vec<Array2<f64>>,
    table: Table,
}

impl PinnResult {
    /// The run the figures show: the last preset's.
    fn best(&self) -> anyhow::Result<&PinnRun> {
        self.runs
            .last()
            .ok_or_else(|| anyhow::anyhow!("no PINN preset was trained"))
    }
}

/// Trains each `(preset, config)` on `problem` and measures it against FD (nx = 2400,
/// nt = 6400; its error is estimated against nx = 1200, nt = 3200).
/// The slope of the front's position (`u`'s last downward crossing of ½) over the second half
/// of the window.
fn pulse_speed(grid: &EvalGrid, u: &Array2<f64>) -> f64 {
    let t_end = grid.t[grid.t.len() - 1];
    let points: Vec<(f64, f64)> = grid
        .t
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t >= 0.5 * t_end)
        .filter_map(|(r, &t)| {
            hh_eval::waves::crossings(grid.x.view(), u.row(r), 0.5)
                .0
                .last()
                .map(|&x| (t, x))
        })
        .collect();
    hh_eval::waves::slope(&points).unwrap_or(f64::NAN)
}

fn pinn_against_fd(
    problem: &FhnConfig,
    configs: &[(String, hh_pinn::TrainConfig)],
) -> anyhow::Result<PinnResult> {
    let model = Arc::new(problem.build()?);
    let fd = hh_eval::fd::model_reference(model.as_ref(), GridSize { nx: 2400, nt: 6400 })?;
    let (reference, fd_error) = (fd.eval, fd.error_estimate);
    let mut table = Table::new(
        "pinn",
        "PINN against FD on the pulse's window (0, 60) × (0, 80], a = 0.1, ε = 0.005, γ = 0",
        "neumann",
        "cubic",
        &[
            &["preset", "component"][..],
            &PinnRun::COLUMNS[..],
            &[
                "fd_error_estimate",
                "windows",
                "speed",
                "speed_fd",
                "speed_rel_error",
            ][..],
        ]
        .concat(),
    );
    let grid = EvalGrid::paper(&model.domain());
    let speed_fd = pulse_speed(&grid, &reference[0]);
    let mut notes = Vec::new();
    let mut runs = Vec::new();
    for (name, config) in configs {
        let run = train_against(model.clone(), config, &reference, 250)?;
        let speed = pulse_speed(&grid, &run.u[0]);
        for (i, component) in ["u", "v"].into_iter().enumerate() {
            table.push(
                [
                    vec![name.as_str().into(), component.into()],
                    run.cells(i),
                    vec![
                        fd_error[i].into(),
                        config.march.windows.into(),
                        speed.into(),
                        speed_fd.into(),
                        ((speed - speed_fd).abs() / speed_fd).into(),
                    ],
                ]
                .concat(),
            );
        }
        let second = &config.second_order;
        notes.push(format!(
            "`{name}` (seed {}): {}×{} {:?} in {:?}, inputs mapped to [−1, 1]² {}, {} fresh points a step, Adam {} with \
             {:?}, residual weights {:?}, causal weights {:?}, {} steps{}{}.",
            config.seed,
            config.network.depth,
            config.network.width,
            config.network.activation,
            config.dtype,
            if config.network.normalise { "(yes)" } else { "(no)" },
            config.sampler.batch,
            config.optimiser.lr,
            config.optimiser.schedule,
            config.loss.components,
            config.loss.causal,
            config.steps,
            if second.iterations > 0 {
                format!(
                    ", then Levenberg–Marquardt ({} iterations on {} Sobol points, then {} on {})",
                    second.coarse.iterations, second.coarse.points, second.iterations, second.points
                )
            } else {
                String::new()
            },
            if config.march.enabled() {
                format!(
                    ", all of it in each of {} time windows, window j from window j − 1's end (u_i = u_i(t_j) + \
                     ((t − t_j)/Δ)·N_i) and its weights",
                    config.march.windows
                )
            } else {
                String::new()
            },
        ));
        runs.push(run);
    }
    notes.push(
        "Every preset builds the initial data in, u_i = u₀,i + (t/T)·N_i, with a soft sealed-end term. Errors on the \
         128 × 128 grid; time_to_1e_2_s: training seconds until the worse component first reached rel_l2 ≤ 1e-2 \
         (evaluated every 250 steps of a window, evaluations excluded; – if never). fd_error_estimate: \
         max |FD(h) − FD(2h)| of the reference. speed: least-squares slope of the position of u's last downward \
         crossing of ½ (the pulse's front) on the 128 × 128 grid over t ∈ [T/2, T]; speed_fd: the same of FD."
            .into(),
    );
    Ok(PinnResult {
        runs,
        reference,
        table: table.note(&notes.join(" ")),
    })
}

fn max_of<'a>(grids: impl IntoIterator<Item = &'a Array2<f64>>) -> f64 {
    grids
        .into_iter()
        .flat_map(|g| g.iter())
        .fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// Space–time heatmaps of the pulse (FD on its whole domain; FD, PINN and |error| on the
/// window) and profiles at a few times with the PINN solid and FD dashed.
fn figures(
    dir: &Path,
    pulse_fd: &[Array2<f64>; 2],
    window: &FhnConfig,
    pinn: &PinnResult,
) -> anyhow::Result<()> {
    let p = pulse(PULSE_EPS);
    plot::heatmaps(
        &dir.join("fd_pulse"),
        &format!("FD pulse u (left), v (right): a = 0.1, ε = {PULSE_EPS}, γ = 0"),
        &[
            Panel {
                title: "u(t, x)".into(),
                data: pulse_fd[0].clone(),
            },
            Panel {
                title: "v(t, x)".into(),
                data: pulse_fd[1].clone(),
            },
        ],
        2,
        (p.x_min, p.x_max, 0.0, p.t_end),
        (-0.3, 1.0),
        "u, v",
    )?;
    let extent = (window.x_min, window.x_max, 0.0, window.t_end);
    for (i, name) in ["u", "v"].into_iter().enumerate() {
        let (fd, nn) = (&pinn.reference[i], &pinn.best()?.u[i]);
        let scale = crate::range([fd, nn]);
        plot::heatmaps(
            &dir.join(format!("window_{name}")),
            &format!("{name}(t, x) on the PINN's window: FD (left), PINN (right)"),
            &[
                Panel {
                    title: format!("FD {name}"),
                    data: fd.clone(),
                },
                Panel {
                    title: format!("PINN {name}"),
                    data: nn.clone(),
                },
            ],
            2,
            extent,
            scale,
            name,
        )?;
        let error = (nn - fd).mapv(f64::abs);
        plot::heatmaps(
            &dir.join(format!("error_{name}")),
            &format!("|PINN − FD| of {name}"),
            &[Panel {
                title: format!("|{name}_PINN − {name}_FD|"),
                data: error.clone(),
            }],
            1,
            extent,
            (0.0, max_of([&error]).max(f64::MIN_POSITIVE)),
            &format!("|Δ{name}|"),
        )?;
        let grid = EvalGrid::paper(&hh_model::Domain::new(
            window.x_min,
            window.x_max,
            window.t_end,
        )?);
        let times: Vec<f64> = (0..5).map(|i| window.t_end * i as f64 / 4.0).collect();
        let series: Vec<Series> = times
            .iter()
            .flat_map(|&t| {
                let row = ((t / window.t_end) * (grid.t.len() - 1) as f64).round() as usize;
                let curve = |g: &Array2<f64>, label: String, dashed| {
                    Series::profile(&grid.x, g, row, label, dashed)
                };
                [
                    curve(nn, format!("t = {t}"), false),
                    curve(fd, String::new(), true),
                ]
            })
            .collect();
        plot::lines(
            &dir.join(format!("profiles_{name}")),
            &format!("{name}(t, ·): PINN (solid) and FD (dashed)"),
            &[LinePanel {
                title: name.into(),
                series,
            }],
            "x",
            name,
            false,
        )?;
    }
    Ok(())
}
