//! The solution set of the inclusion `u_t − u_xx + u ∈ H(u − a)` made visible.
//!
//! - The **envelope**: the minimal solution `u⁻` and the maximal `u⁺` (finite differences with the
//!   exact selections, `k = ∞`, `lower` and `upper`); every solution lies between them
//!   (comparison principle), and they differ only where `u` sits at the threshold.
//! - The **position** of any `u` inside it: `p = mean over {u⁺ − u⁻ > 10⁻³} of (u − u⁻)/(u⁺ − u⁻)`
//!   (0: minimal, 1: maximal).
//! - The **inclusion defect** of any `u` on a grid: the distance of `(u − a, u_t − u_xx + u)` to
//!   the graph of `H` ([`hh_model::inclusion::graph_distance`]), the derivatives by central
//!   differences: zero for a solution up to the differencing error (which is O(1) only on the
//!   thin layers where `d` jumps).
//! - The **exact family** from `u₀ ≡ a` ([`hh_model::inclusion::threshold_family`]) against the
//!   steered inclusion PINN.

use hh_fd::{GridConfig, max_abs_diff, solve};
use hh_model::inclusion::{Leave, graph_distance, threshold_family};
use hh_model::{
    BoundaryMode, EvalGrid, Formulation, InitialCondition, ProblemConfig, ReactionDiffusion,
    Regularisation, Slope,
};
use hh_pinn::{Direction, Pin, TrainConfig, TrainOptions};
use ndarray::Array2;

use crate::table::{Cell, Table};

/// Columns of the table `nonuniqueness_summary`.
pub const SUMMARY_COLUMNS: [&str; 5] = ["method", "data", "bc", "measure", "value"];

/// Rows of the table `nonuniqueness_summary`: the envelope in each mode, two for each side.
pub const SUMMARY_ROWS: usize = BoundaryMode::ALL.len() + 4;

/// Where `u⁺ − u⁻` counts as a difference.
pub const DIFFER: f64 = 1e-3;

/// `u⁻` and `u⁺` on an evaluation grid (rows `t`, columns `x`).
pub struct Envelope {
    pub grid: EvalGrid,
    pub lower: Array2<f64>,
    pub upper: Array2<f64>,
}

/// The FD solution of `cfg` with slope `k` and side `reg`, on `eval`.
pub fn fd_on(
    cfg: &ProblemConfig,
    k: Slope,
    reg: Regularisation,
    fd: &GridConfig,
    eval: &EvalGrid,
) -> anyhow::Result<Array2<f64>> {
    let problem = ProblemConfig {
        k,
        regularisation: reg,
        formulation: Formulation::Regularised,
        ..cfg.clone()
    }
    .build()?;
    Ok(solve(&problem, fd)?.on_grid(eval, 0))
}

/// The envelope of `cfg`'s data on its 128 × 128 evaluation grid, from FD solves on `fd`.
pub fn envelope(cfg: &ProblemConfig, fd: &GridConfig) -> anyhow::Result<Envelope> {
    let grid = EvalGrid::paper(&cfg.build()?.domain());
    Ok(Envelope {
        lower: fd_on(cfg, Slope::Infinite, Regularisation::Lower, fd, &grid)?,
        upper: fd_on(cfg, Slope::Infinite, Regularisation::Upper, fd, &grid)?,
        grid,
    })
}

/// The size of `u⁺ − u⁻` at one time.
#[derive(Clone, Copy, Debug)]
pub struct Width {
    pub t: f64,
    /// `max_x (u⁺ − u⁻)`.
    pub max: f64,
    /// `(∫ (u⁺ − u⁻)² dx)^{1/2}` (trapezoidal rule).
    pub l2: f64,
    /// The length of `{x : u⁺ − u⁻ > 10⁻³}`.
    pub measure: f64,
}

impl Envelope {
    /// [`Width`] at every time of the grid.
    pub fn widths(&self) -> Vec<Width> {
        let h = self.grid.dx();
        let n = self.grid.x.len();
        self.grid
            .t
            .iter()
            .enumerate()
            .map(|(r, &t)| {
                let d: Vec<f64> = (0..n)
                    .map(|c| self.upper[[r, c]] - self.lower[[r, c]])
                    .collect();
                let sq: f64 = d.iter().map(|v| v * v).sum::<f64>()
                    - 0.5 * (d[0] * d[0] + d[n - 1] * d[n - 1]);
                Width {
                    t,
                    max: d.iter().copied().fold(0.0, f64::max),
                    l2: (h * sq).sqrt(),
                    measure: h * d.iter().filter(|&&v| v > DIFFER).count() as f64,
                }
            })
            .collect()
    }

    /// `p = mean over {u⁺ − u⁻ > 10⁻³} of (u − u⁻)/(u⁺ − u⁻)`; `None` where the envelope is thin
    /// everywhere.
    pub fn position(&self, u: &Array2<f64>) -> Option<f64> {
        let (mut sum, mut n) = (0.0, 0usize);
        for ((&v, &lo), &hi) in u.iter().zip(&self.lower).zip(&self.upper) {
            if hi - lo > DIFFER {
                sum += (v - lo) / (hi - lo);
                n += 1;
            }
        }
        (n > 0).then(|| sum / n as f64)
    }
}

/// How far `u` is from solving the inclusion, on its grid.
#[derive(Clone, Copy, Debug)]
pub struct Defect {
    /// Mean over the interior points of `dist((u − a, u_t − u_xx + u), G)`.
    pub mean: f64,
    /// The fraction of interior points where that distance exceeds 0.05.
    pub above_005: f64,
}

/// The inclusion defect of `u` (rows `t`, columns `x` of `grid`) for threshold `a`, with central
/// differences `u_t ≈ (u_{r+1} − u_{r−1}) / 2Δt`, `u_xx ≈ (u_{c+1} − 2u_c + u_{c−1}) / h²`.
pub fn inclusion_defect(u: &Array2<f64>, grid: &EvalGrid, a: f64) -> Defect {
    let (nt, nx) = grid.shape();
    let (dt, h) = (grid.t[1] - grid.t[0], grid.dx());
    let (mut sum, mut above, mut n) = (0.0, 0usize, 0usize);
    for r in 1..nt - 1 {
        for c in 1..nx - 1 {
            let ut = (u[[r + 1, c]] - u[[r - 1, c]]) / (2.0 * dt);
            let uxx = (u[[r, c + 1]] - 2.0 * u[[r, c]] + u[[r, c - 1]]) / (h * h);
            let d = ut - uxx + u[[r, c]];
            let dist = graph_distance(u[[r, c]] - a, d);
            sum += dist;
            above += usize::from(dist > 0.05);
            n += 1;
        }
    }
    Defect {
        mean: sum / n as f64,
        above_005: above as f64 / n as f64,
    }
}

/// `‖u − v‖₂ / ‖v‖₂` over all grid points.
pub fn rel_l2(u: &Array2<f64>, v: &Array2<f64>) -> f64 {
    let num: f64 = u.iter().zip(v).map(|(a, b)| (a - b).powi(2)).sum();
    let den: f64 = v.iter().map(|b| b * b).sum();
    (num / den).sqrt()
}

/// A member of the exact family from `u₀ ≡ a`: leave at `τ` (0 for the extremal solutions), up
/// or down.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Member {
    pub tau: f64,
    pub leave: Leave,
}

impl Member {
    /// `u⁺`, `u⁻`, `u_τ^+`, `u_τ^−`.
    pub fn label(&self) -> String {
        let sign = match self.leave {
            Leave::Up => "+",
            Leave::Down => "−",
        };
        if self.tau == 0.0 {
            format!("u{sign}")
        } else {
            format!("u_{}{sign}", self.tau)
        }
    }

    /// `u` on `grid`.
    pub fn on(&self, a: f64, grid: &EvalGrid) -> Array2<f64> {
        let (nt, nx) = grid.shape();
        Array2::from_shape_fn((nt, nx), |(r, _)| {
            threshold_family(a, self.tau, self.leave, grid.t[r])
        })
    }

    /// The inclusion preset steered towards this member: `min`/`max` after `τ`, and `u(τ, ·) = a`
    /// pinned with weight 10 when `τ > 0`.
    pub fn train_config(&self, a: f64, steps: usize, seed: u64) -> anyhow::Result<TrainConfig> {
        let mut c = hh_model::presets::inclusion();
        c.steps = steps;
        c.seed = seed;
        c.loss.steer.direction = match self.leave {
            Leave::Up => Direction::Max,
            Leave::Down => Direction::Min,
        };
        if self.tau > 0.0 {
            c.loss.steer.from = self.tau;
            c.loss.pin = Pin {
                weight: 10.0,
                t: self.tau,
                value: a,
                component: 0,
            };
        }
        Ok(c)
    }
}

/// The problem of the exact family: `u₀ ≡ a`, zero flux, `T = t_end`, as the inclusion.
pub fn family_problem(a: f64, t_end: f64) -> ProblemConfig {
    ProblemConfig {
        a,
        bc: BoundaryMode::Neumann,
        ic: InitialCondition::Const(a),
        t_end,
        formulation: Formulation::Inclusion,
        ..Default::default()
    }
}

/// What a trained inclusion PINN gives on the evaluation grid.
pub struct InclusionRun {
    pub u: Array2<f64>,
    pub d: Array2<f64>,
    /// Mean graph distance of the network's own `(u − a, d)`.
    pub selection_distance: f64,
    pub seconds: f64,
}

/// Trains `config` on the inclusion `problem` (formulation `inclusion`) and evaluates `u` and `d`.
pub fn train_inclusion(
    problem: &ProblemConfig,
    config: &TrainConfig,
) -> anyhow::Result<InclusionRun> {
    let model = ProblemConfig {
        formulation: Formulation::Inclusion,
        ..problem.clone()
    }
    .model()?;
    let trained = hh_pinn::train(model.clone(), config, &TrainOptions::default())?;
    let grid = EvalGrid::paper(&model.domain());
    let mut fields = trained.evaluate(&grid);
    let d = fields.remove(1);
    let u = fields.remove(0);
    let selection_distance = u
        .iter()
        .zip(&d)
        .map(|(&u, &d)| graph_distance(u - problem.a, d))
        .sum::<f64>()
        / u.len() as f64;
    Ok(InclusionRun {
        u,
        d,
        selection_distance,
        seconds: trained.train_seconds(),
    })
}

/// One row per member: rel_l2 and max error against the exact member, the graph distance of the
/// network's selection, the defect of `u` by differences, and the training time.
pub fn family_table(
    a: f64,
    t_end: f64,
    members: &[Member],
    steps: usize,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(Table, Vec<InclusionRun>)> {
    let problem = family_problem(a, t_end);
    let grid = EvalGrid::paper(&problem.build()?.domain());
    let mut table = Table::new(
        "steered_family",
        &format!(
            "Steered inclusion PINN against the exact family from u₀ ≡ a = {a} (neumann, T = {t_end}, {steps} steps)"
        ),
        "neumann",
        "inclusion",
        &[
            "member",
            "tau",
            "steer",
            "rel_l2",
            "max_abs",
            "selection_distance",
            "defect_mean",
            "train_s",
        ],
    )
    .note(
        "τ is targeted by the soft constraint u(τ, ·) = a (weight 10) with the steering applied only \
         at t ≥ τ; τ = 0 is the extremal solution. selection_distance: mean distance of the network's \
         (u − a, d) to the graph of H; defect_mean: the same for (u − a, u_t − u_xx + u) by central \
         differences on the 128 × 128 grid.",
    );
    let mut runs = Vec::new();
    for m in members {
        let config = m.train_config(a, steps, 0)?;
        let run = train_inclusion(&problem, &config)?;
        let exact = m.on(a, &grid);
        let max_abs = max_abs_diff(&run.u, &exact);
        table.push(vec![
            m.label().into(),
            m.tau.into(),
            format!("{:?}", config.loss.steer.direction)
                .to_lowercase()
                .into(),
            rel_l2(&run.u, &exact).into(),
            max_abs.into(),
            run.selection_distance.into(),
            inclusion_defect(&run.u, &grid, a).mean.into(),
            run.seconds.into(),
        ]);
        runs.push(run);
        bar.inc(1);
    }
    Ok((table, runs))
}

/// `‖u_k − u_∞‖` (max and rel_l2) for each slope and side, with the observed rates
/// `log₂(e_k / e_{2k})` for slopes that double.
///
/// Every solve, the limits included, runs on `fd` with `nt` raised to `T · max k` where needed
/// (the implicit step is uniquely solvable for `θΔt · k < 1`), so the differences are those of
/// `k` alone.
pub fn k_sequence(
    cfg: &ProblemConfig,
    ks: &[f64],
    fd: &GridConfig,
    name: &str,
) -> anyhow::Result<Table> {
    let k_max = ks.iter().copied().fold(0.0, f64::max);
    let fd = GridConfig {
        nt: fd.nt.max((k_max * cfg.t_end).ceil() as usize),
        ..fd.clone()
    };
    let env = envelope(cfg, &fd)?;
    let mut table = Table::new(
        name,
        &format!(
            "u_k → u⁻ (lower) and u_k → u⁺ (upper), {} data, {}",
            cfg.ic, cfg.bc
        ),
        &cfg.bc.to_string(),
        "lower, upper",
        &["regularisation", "k", "max_abs", "rel_l2", "rate_max"],
    );
    for (reg, limit) in [
        (Regularisation::Lower, &env.lower),
        (Regularisation::Upper, &env.upper),
    ] {
        let mut prev: Option<(f64, f64)> = None;
        for &k in ks {
            let u = fd_on(cfg, Slope::Finite(k), reg, &fd, &env.grid)?;
            let max = max_abs_diff(&u, limit);
            let rate = match prev {
                Some((pk, pe)) if (k / pk - 2.0).abs() < 1e-9 && max > 0.0 => (pe / max).log2(),
                _ => f64::NAN,
            };
            table.push(vec![
                reg.name().into(),
                k.into(),
                max.into(),
                rel_l2(&u, limit).into(),
                rate.into(),
            ]);
            prev = Some((k, max));
        }
    }
    Ok(table)
}

/// The envelope widths at `times` (the nearest grid rows), for one boundary mode.
pub fn width_rows(env: &Envelope, bc: BoundaryMode, times: &[f64]) -> Vec<Vec<Cell>> {
    let widths = env.widths();
    let t_end = env.grid.t[env.grid.t.len() - 1];
    times
        .iter()
        .map(|&t| {
            let r = ((t / t_end) * (widths.len() - 1) as f64).round() as usize;
            let w = widths[r.min(widths.len() - 1)];
            vec![
                bc.to_string().into(),
                w.t.into(),
                w.max.into(),
                w.l2.into(),
                w.measure.into(),
            ]
        })
        .collect()
}

/// The `convergence` report's summary: the FD envelope of plateau data in every boundary mode,
/// FD and the steered inclusion PINN against the extremal members of the exact family.
pub fn summary_table(
    cfg: &crate::config::NonuniquenessSweep,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Table> {
    let fd = GridConfig {
        nx: cfg.fd.nx,
        nt: cfg.fd.nt,
        ..Default::default()
    };
    let mut table = Table::new(
        "nonuniqueness_summary",
        "More than one solution of one Cauchy problem (summary of results/nonuniqueness/)",
        "all",
        "k = ∞ and inclusion",
        &SUMMARY_COLUMNS,
    )
    .note(
        "FD k = ∞ lower/upper are the minimal and maximal solutions u⁻, u⁺; the inclusion PINN \
         (two outputs u, d; the distance to the graph of H as a constraint) is steered to the \
         minimal or maximal solution. From u₀ ≡ a: u⁻ = a e^{−t}, u⁺ = 1 − (1 − a) e^{−t}.",
    );
    let plateau = ProblemConfig {
        ic: InitialCondition::Plateau(cfg.plateau),
        ..Default::default()
    };
    for bc in BoundaryMode::ALL {
        let env = envelope(
            &ProblemConfig {
                bc,
                ..plateau.clone()
            },
            &fd,
        )?;
        let max = env.widths().iter().map(|w| w.max).fold(0.0, f64::max);
        table.push(vec![
            "FD k = ∞, upper − lower".into(),
            format!("plateau:{} (a = {})", cfg.plateau, plateau.a).into(),
            bc.to_string().into(),
            "max (u⁺ − u⁻)".into(),
            max.into(),
        ]);
        bar.inc(1);
    }
    let family = family_problem(cfg.family_a, cfg.family_t_end);
    let grid = EvalGrid::paper(&family.build()?.domain());
    for (reg, leave) in [
        (Regularisation::Lower, Leave::Down),
        (Regularisation::Upper, Leave::Up),
    ] {
        let member = Member { tau: 0.0, leave };
        let exact = member.on(cfg.family_a, &grid);
        let u = fd_on(&family, Slope::Infinite, reg, &fd, &grid)?;
        table.push(vec![
            format!("FD k = ∞, {reg}").into(),
            format!("const:{}", cfg.family_a).into(),
            "neumann".into(),
            format!("rel_l2 against {}", member.label()).into(),
            rel_l2(&u, &exact).into(),
        ]);
        let run = train_inclusion(&family, &member.train_config(cfg.family_a, cfg.steps, 0)?)?;
        table.push(vec![
            format!(
                "inclusion PINN, steer {}",
                if leave == Leave::Up { "max" } else { "min" }
            )
            .into(),
            format!("const:{}", cfg.family_a).into(),
            "neumann".into(),
            format!("rel_l2 against {}", member.label()).into(),
            rel_l2(&run.u, &exact).into(),
        ]);
        bar.inc(1);
    }
    Ok(table)
}
