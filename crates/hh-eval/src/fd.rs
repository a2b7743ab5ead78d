//! Finite-difference sections of the report: grid convergence and convergence in `k`.

use hh_fd::{GridConfig, GridSize, solve};
use hh_model::{BoundaryMode, EvalGrid, ProblemConfig, ReactionDiffusion, Regularisation, Slope};
use ndarray::Array2;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use crate::config::{GridConvergence, KConvergence};
use crate::metrics::{Errors, rates};
use crate::table::{Cell, Table};

/// Columns of the grid-convergence tables `grid_convergence_<bc>`.
pub const GRID_CONVERGENCE_COLUMNS: [&str; 7] = [
    "k",
    "nx",
    "nt",
    "max_abs_diff",
    "rel_l2_diff",
    "order_max_abs",
    "order_rel_l2",
];
/// Columns of the tables `k_convergence_<bc>_<regularisation>`.
pub const K_CONVERGENCE_COLUMNS: [&str; 6] =
    ["a", "k", "rel_l2", "max_abs", "rate_rel_l2", "rate_max_abs"];
/// Columns of the tables `envelope_<bc>`.
pub const ENVELOPE_COLUMNS: [&str; 6] = [
    "a",
    "k",
    "max_abs",
    "rel_l2",
    "u_lower_centre",
    "u_upper_centre",
];
/// Columns of the table `fd_centre_values`.
pub const CENTRE_VALUES_COLUMNS: [&str; 7] = [
    "bc",
    "a",
    "u_centre",
    "nx",
    "nt",
    "margin",
    "estimated_error",
];

/// An FD solution on the 128 × 128 evaluation grid, and `u(T, centre of the interval)`.
pub struct Solved {
    pub eval: Array2<f64>,
    pub centre: f64,
    /// x-spacing of the evaluation grid (for the H¹ measure).
    pub h: f64,
}

/// Solves `cfg` on `grid`.
pub fn solve_on_eval_grid(cfg: &ProblemConfig, grid: &GridConfig) -> anyhow::Result<Solved> {
    let problem = cfg.build()?;
    let sol = solve(&problem, grid)?;
    let d = problem.domain();
    let grid = EvalGrid::paper(&d);
    Ok(Solved {
        eval: sol.on_grid(&grid, 0),
        centre: sol.at(d.t_end, 0.5 * (d.x_min + d.x_max), 0),
        h: grid.dx(),
    })
}

/// The FD reference of one problem, reduced to what the evaluation uses.
pub struct Reference {
    /// `u` on the 128 × 128 evaluation grid.
    pub eval: Array2<f64>,
    /// `u(T, centre of the interval)`.
    pub centre: f64,
    /// The grid the reference was computed on, and its error estimate.
    pub stats: hh_fd::SolveStats,
    /// x-spacing of the evaluation grid (for the H¹ measure).
    pub h: f64,
}

/// The FD reference of `cfg` (its first component): [`hh_fd::reference`] (halving `h` and `Δt`
/// changes it by less than 1e-4; `docs/model.md`, "Measures"), or a solve on `grid`
/// (smoke runs). Memoised for the life of the process, so the sections, experiments and shards
/// that compare against the same problem solve it once; [`prefetch_references`] solves many in
/// parallel.
pub fn reference(cfg: &ProblemConfig, grid: Option<GridSize>) -> anyhow::Result<Arc<Reference>> {
    static MEMO: LazyLock<Mutex<HashMap<String, Arc<Reference>>>> = LazyLock::new(Default::default);
    let key = serde_json::to_string(&(cfg, grid))?;
    if let Some(r) = MEMO.lock().expect("memo lock").get(&key) {
        return Ok(r.clone());
    }
    let problem = cfg.build()?;
    let sol = match grid {
        None => hh_fd::reference(&problem)?,
        Some(size) => solve(&problem, &size.config())?,
    };
    let d = problem.domain();
    let eval_grid = EvalGrid::paper(&d);
    let r = Arc::new(Reference {
        eval: sol.on_grid(&eval_grid, 0),
        centre: sol.at(d.t_end, 0.5 * (d.x_min + d.x_max), 0),
        stats: sol.stats,
        h: eval_grid.dx(),
    });
    MEMO.lock().expect("memo lock").insert(key, r.clone());
    Ok(r)
}

/// Any model's FD solution on its 128 × 128 evaluation grid, one array per component, with an
/// estimate of its error per component.
pub struct ModelReference {
    pub eval: Vec<Array2<f64>>,
    /// `max |FD(nx, nt) − FD(nx/2, nt/2)|` on the evaluation grid, per component.
    pub error_estimate: Vec<f64>,
}

/// The FD solution of any model (`m` components) on `size`, against the one on half of it for
/// the error estimate. For the nerve problem, [`reference`] picks the grid itself and memoises.
pub fn model_reference(
    model: &dyn ReactionDiffusion,
    size: GridSize,
) -> anyhow::Result<ModelReference> {
    let eval_grid = EvalGrid::paper(&model.domain());
    let on_eval = |size: GridSize| -> anyhow::Result<Vec<Array2<f64>>> {
        let sol = solve(model, &size.config())?;
        Ok((0..model.components())
            .map(|i| sol.on_grid(&eval_grid, i))
            .collect())
    };
    let eval = on_eval(size)?;
    let coarse = on_eval(GridSize {
        nx: size.nx / 2,
        nt: size.nt / 2,
    })?;
    let error_estimate = eval
        .iter()
        .zip(&coarse)
        .map(|(f, c)| hh_fd::max_abs_diff(f, c))
        .collect();
    Ok(ModelReference {
        eval,
        error_estimate,
    })
}

/// Solves the [`reference`]s of `cfgs` in parallel (each solve is deterministic, so the order
/// does not matter), ticking `bar` once per problem.
pub fn prefetch_references(
    cfgs: &[ProblemConfig],
    grid: Option<GridSize>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<()> {
    cfgs.par_iter().try_for_each(|cfg| {
        reference(cfg, grid)?;
        bar.inc(1);
        Ok(())
    })
}

fn label(k: Slope) -> Cell {
    Cell::Text(k.to_string())
}

/// Grid convergence: successive differences `d_i = ‖u_i − u_{i+1}‖` as `h` and `Δt` halve, and
/// the observed orders `log₂(d_i / d_{i+1})`, one table per boundary mode.
pub fn grid_convergence(
    cfg: &GridConvergence,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Vec<Table>> {
    let jobs: Vec<(BoundaryMode, Slope, usize)> = cfg
        .bc
        .iter()
        .flat_map(|&bc| {
            cfg.k
                .iter()
                .flat_map(move |&k| (0..cfg.levels).map(move |l| (bc, k, l)))
        })
        .collect();
    let solved: Vec<Solved> = jobs
        .par_iter()
        .map(|&(bc, k, level)| {
            let grid = GridConfig {
                nx: cfg.nx << level,
                nt: cfg.nt << level,
                theta: cfg.theta,
                ..Default::default()
            };
            let u = solve_on_eval_grid(
                &ProblemConfig::paper(cfg.a, bc, k, Regularisation::Lower),
                &grid,
            );
            bar.inc(1);
            u
        })
        .collect::<anyhow::Result<_>>()?;
    let mut tables = Vec::new();
    for (b, &bc) in cfg.bc.iter().enumerate() {
        let mut t = Table::new(
            &format!("grid_convergence_{bc}"),
            &format!("FD grid convergence, {bc}, a = {}", cfg.a),
            bc.name(),
            "lower",
            &GRID_CONVERGENCE_COLUMNS,
        )
        .note(&format!(
            "θ = {} (Crank–Nicolson with Rannacher start-up when 0.5). Row i compares the grid (nx, nt) with \
             (2nx, 2nt) on the 128 × 128 evaluation grid; the order is log₂ of the ratio of successive differences.",
            cfg.theta
        ));
        for (ki, &k) in cfg.k.iter().enumerate() {
            let first = (b * cfg.k.len() + ki) * cfg.levels;
            let u = &solved[first..first + cfg.levels];
            let diffs: Vec<Errors> = u
                .windows(2)
                .map(|w| Errors::of(w[0].eval.view(), w[1].eval.view(), w[0].h))
                .collect();
            let max: Vec<f64> = diffs.iter().map(|e| e.max_abs).collect();
            let l2: Vec<f64> = diffs.iter().map(|e| e.rel_l2).collect();
            let (om, ol) = (rates(&max), rates(&l2));
            for (i, d) in diffs.iter().enumerate() {
                t.push(vec![
                    label(k),
                    (cfg.nx << i).into(),
                    (cfg.nt << i).into(),
                    d.max_abs.into(),
                    d.rel_l2.into(),
                    om.get(i).copied().unwrap_or(f64::NAN).into(),
                    ol.get(i).copied().unwrap_or(f64::NAN).into(),
                ]);
            }
        }
        tables.push(t);
    }
    Ok(tables)
}

/// Convergence in `k`: `e_k = ‖u_k − u_∞‖` (same side) and the observed rates `log₂(e_k/e_2k)`,
/// one table per boundary mode and side; and the envelope `‖u⁺ − u⁻‖` between the two sides,
/// which for `k = ∞` measures the non-uniqueness of the inclusion.
pub fn k_convergence(
    cfg: &KConvergence,
    a_values: &[f64],
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Vec<Table>> {
    let slopes: Vec<Slope> = cfg.k.iter().copied().chain([Slope::Infinite]).collect();
    let grid = GridConfig {
        nx: cfg.nx,
        nt: cfg.nt,
        ..Default::default()
    };
    let mut jobs: Vec<(BoundaryMode, Regularisation, f64, Slope)> = Vec::new();
    for &bc in &cfg.bc {
        for &r in &cfg.regularisation {
            for &a in a_values {
                jobs.extend(slopes.iter().map(|&k| (bc, r, a, k)));
            }
        }
    }
    let solved: Vec<Solved> = jobs
        .par_iter()
        .map(|&(bc, r, a, k)| {
            let u = solve_on_eval_grid(&ProblemConfig::paper(a, bc, k, r), &grid);
            bar.inc(1);
            u
        })
        .collect::<anyhow::Result<_>>()?;
    let find = |bc, r, a: f64, k: Slope| {
        let i = jobs
            .iter()
            .position(|j| *j == (bc, r, a, k))
            .expect("solved");
        &solved[i]
    };
    let mut tables = Vec::new();
    for &bc in &cfg.bc {
        for &r in &cfg.regularisation {
            let mut t = Table::new(
                &format!("k_convergence_{bc}_{r}"),
                &format!("FD convergence in k, {bc}, {r} regularisation"),
                bc.name(),
                r.name(),
                &K_CONVERGENCE_COLUMNS,
            )
            .note(&format!(
                "e_k = ‖u_k − u_∞‖ with u_∞ the {} solution (k = ∞, same side) on the FD grid nx = {}, nt = {}; \
                 rate = log₂(e_k / e_2k).",
                if r == Regularisation::Lower { "minimal" } else { "maximal" },
                cfg.nx,
                cfg.nt
            ));
            for &a in a_values {
                let limit = find(bc, r, a, Slope::Infinite);
                let errs: Vec<Errors> = cfg
                    .k
                    .iter()
                    .map(|&k| Errors::of(find(bc, r, a, k).eval.view(), limit.eval.view(), limit.h))
                    .collect();
                let rl = rates(&errs.iter().map(|e| e.rel_l2).collect::<Vec<_>>());
                let rm = rates(&errs.iter().map(|e| e.max_abs).collect::<Vec<_>>());
                for (i, (&k, e)) in cfg.k.iter().zip(&errs).enumerate() {
                    t.push(vec![
                        a.into(),
                        label(k),
                        e.rel_l2.into(),
                        e.max_abs.into(),
                        rl.get(i).copied().unwrap_or(f64::NAN).into(),
                        rm.get(i).copied().unwrap_or(f64::NAN).into(),
                    ]);
                }
            }
            tables.push(t);
        }
        if cfg.regularisation.len() == 2 {
            let mut t = Table::new(
                &format!("envelope_{bc}"),
                &format!("Non-uniqueness envelope, {bc}: upper − lower"),
                bc.name(),
                "upper − lower",
                &ENVELOPE_COLUMNS,
            )
            .note("‖u_k⁺ − u_k⁻‖ between the upper and lower regularisations (u_lower_centre, u_upper_centre: \
                   u(T, π/2) of each). For k = ∞ it is the gap between the \
                   maximal and minimal discrete solutions: zero when the problem is (numerically) unique.");
            for &a in a_values {
                for &k in &slopes {
                    let (lo, up) = (
                        find(bc, Regularisation::Lower, a, k),
                        find(bc, Regularisation::Upper, a, k),
                    );
                    let e = Errors::of(up.eval.view(), lo.eval.view(), lo.h);
                    t.push(vec![
                        a.into(),
                        label(k),
                        e.max_abs.into(),
                        e.rel_l2.into(),
                        lo.centre.into(),
                        up.centre.into(),
                    ]);
                }
            }
            tables.push(t);
        }
    }
    Ok(tables)
}

/// The problems of [`centre_values`]: the paper's (`k = 5`, lower) for each mode and `a`.
pub fn centre_problems(a_values: &[f64], modes: &[BoundaryMode]) -> Vec<ProblemConfig> {
    modes
        .iter()
        .flat_map(|&bc| {
            a_values.iter().map(move |&a| {
                ProblemConfig::paper(a, bc, Slope::Finite(5.0), Regularisation::Lower)
            })
        })
        .collect()
}

/// `u(T, centre)` of the paper's problem (`k = 5`, lower) for each mode and `a`, from the FD
/// [`reference`] (or a given grid), with the grid and the error estimate of the reference.
pub fn centre_values(
    a_values: &[f64],
    modes: &[BoundaryMode],
    grid: Option<GridSize>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Table> {
    let problems = centre_problems(a_values, modes);
    prefetch_references(&problems, grid, bar)?;
    let names: Vec<&str> = modes.iter().map(|m| m.name()).collect();
    let mut t = Table::new(
        "fd_centre_values",
        "FD u(1, π/2), k = 5",
        &names.join(", "),
        "lower",
        &CENTRE_VALUES_COLUMNS,
    )
    .note(
        "u_centre = u(T, π/2). The FD reference (docs/model.md, \"Measures\": halving h and Δt changes it by less than 1e-4 in max \
         norm on the evaluation grid; estimated_error is that change, a conservative bound for the finer grid \
         listed). free: the interval is extended by the margin on each side.",
    );
    for p in &problems {
        let r = reference(p, grid)?;
        let s = &r.stats;
        t.push(vec![
            p.bc.name().into(),
            p.a.into(),
            r.centre.into(),
            s.grid.nx.into(),
            s.grid.nt.into(),
            s.margin.unwrap_or(f64::NAN).into(),
            s.estimated_error.unwrap_or(f64::NAN).into(),
        ]);
    }
    Ok(t)
}
