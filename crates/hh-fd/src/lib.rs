//! Implicit finite-difference reference solver for reaction–diffusion systems
//!
//! ```text
//! ∂_t u_i = D_i ∂_xx u_i + f_i(u)   on (x_min, x_max) × (0, T]
//! ```
//!
//! given by any [`hh_core::ReactionDiffusion`] (the nerve equation `u_t = u_xx − u + H_k(u)` is
//! one). Method of lines on a uniform grid (second-order central differences, ghost points for
//! zero flux), θ-scheme in time (backward Euler θ = 1, Crank–Nicolson θ = 1/2, with Rannacher
//! start-up), O(N) (block) tridiagonal solves; Newton for Lipschitz `f`, monotone iteration for
//! the exact selections of `H` (k = ∞) giving the minimal (`lower`) or maximal (`upper`) discrete
//! solution. Where the model declares levels at which its reaction switches
//! ([`hh_core::Reaction::switches`]), the Laplacian is corrected at the nodes beside each crossing
//! of a level (an immersed-interface method, `interface`), so that the error stays smooth in `h`
//! and Richardson extrapolation works at `k = ∞`; the steps are then solved by Newton. `free` mode solves on `(x_min − L, x_max + L)` with `L` grown until `[x_min, x_max]`
//! stops changing.
//!
//! ```
//! use hh_model::{InitialCondition, ProblemConfig};
//! // a above max u: H ≡ 0 and u = e^{−2t} sin x.
//! let problem = ProblemConfig { a: 2.0, ic: InitialCondition::Sin, ..Default::default() }
//!     .build()
//!     .unwrap();
//! let grid = hh_fd::GridConfig { nx: 64, nt: 64, ..Default::default() };
//! let u = hh_fd::solve(&problem, &grid).unwrap();
//! let exact = (-2.0f64).exp() * (std::f64::consts::FRAC_PI_2).sin();
//! assert!((u.at(1.0, std::f64::consts::FRAC_PI_2, 0) - exact).abs() < 1e-3);
//! ```

mod extrapolated;
mod grid;
mod interface;
mod solution;
mod step;
pub mod tridiagonal;

pub use extrapolated::{Extrapolated, extrapolated, extrapolation_base};
pub use grid::{GridConfig, GridSize};
pub use solution::{Solution, SolveStats};
pub use step::IterationCounts;

use hh_core::{BoundaryMode, ConfigError, EvalGrid, ReactionDiffusion};
use ndarray::{Array1, Array2};
use std::time::Instant;

use grid::Mesh;
use step::Stepper;

/// Why a solve failed.
#[derive(Debug, thiserror::Error)]
pub enum FdError {
    /// Invalid input; a source of the error, so every binary maps it to exit code 2.
    #[error("invalid input: {0}")]
    Config(#[from] ConfigError),
    #[error("{method} did not converge in {iterations} iterations (residual {residual:e})")]
    NoConvergence {
        method: &'static str,
        iterations: usize,
        residual: f64,
    },
    /// A time step too large for the implicit step: invalid input (an error on `nt`, its source),
    /// so that a command-line tool exits with code 2.
    #[error(
        "the implicit step is not uniquely solvable: θΔt · sup f'(u) = {stiffness:.3} ≥ 1 (the \
         increasing reaction term outweighs the identity); use nt ≥ {nt_needed}"
    )]
    StepTooLarge {
        /// `θΔt · sup f'(u)` (must be < 1).
        stiffness: f64,
        /// The smallest `nt` that works.
        nt_needed: usize,
        nt: usize,
        #[source]
        invalid: ConfigError,
    },
    #[error(
        "free mode: the solution on the interval still changes by {change:e} > {tol:e} with margin {margin}"
    )]
    MarginNotFound { change: f64, tol: f64, margin: f64 },
    #[error(
        "reference: halving h and Δt still changes the solution by {change:e} ≥ {tol:e} at nx = {nx}, nt = {nt}"
    )]
    ReferenceNotConverged {
        change: f64,
        tol: f64,
        nx: usize,
        nt: usize,
    },
    #[error("non-finite value at t = {t}")]
    NonFinite { t: f64 },
    #[error("monotone iteration does not apply: {what}")]
    NotOrderPreserving { what: String },
    #[error(
        "component {component} is algebraic (mass 0): finite differences integrate evolution equations only"
    )]
    Algebraic { component: usize },
}

/// Options of a solve that do not change its result.
#[derive(Default)]
pub struct SolveOptions<'a> {
    /// Called after every time step with `(step, nt)`.
    pub on_step: Option<&'a mut dyn FnMut(usize, usize)>,
}

/// Solves `problem` on `grid`.
pub fn solve<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
) -> Result<Solution, FdError> {
    solve_with(problem, grid, SolveOptions::default())
}

/// [`solve`] with a progress callback.
pub fn solve_with<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
    mut options: SolveOptions<'_>,
) -> Result<Solution, FdError> {
    grid.validate()?;
    if let Some(component) = problem.mass().iter().position(|&m| m != 1.0) {
        return Err(FdError::Algebraic { component });
    }
    check_resources(problem, grid)?;
    check_step_solvability(problem, grid)?;
    let start = Instant::now();
    let mut sol = match (problem.boundary(), grid.margin) {
        (BoundaryMode::Free, None) => auto_margin(problem, grid, &mut options)?,
        (BoundaryMode::Free, Some(l)) => march(problem, grid, l, &mut options)?,
        _ => march(problem, grid, 0.0, &mut options)?,
    };
    sol.stats.seconds = start.elapsed().as_secs_f64();
    Ok(sol)
}

/// The most values a solve may store (`(nt + 1)(nx + 1) m`): 2²⁸ f64, 2 GiB.
pub const MAX_STORED_VALUES: u128 = 1 << 28;

/// Refuses, before anything is allocated, a grid whose stored solution exceeds
/// [`MAX_STORED_VALUES`] or the memory this process may still use
/// ([`hh_core::resources::available_memory`]: the machine's, its `ulimit` and its cgroup's), and
/// a `free`-mode margin beyond the automatic search's limit ([`MARGIN_MAX_LENGTHS`] interval
/// lengths).
pub fn check_resources<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
) -> Result<(), ConfigError> {
    let values = (grid.nt as u128 + 1) * (grid.nx as u128 + 1) * problem.components() as u128;
    let available = hh_core::resources::available_memory().map_or(u128::MAX, |b| u128::from(b) / 8);
    let limit = MAX_STORED_VALUES.min(available);
    if values > limit {
        let (field, value, other) = if grid.nt > grid.nx {
            ("nt", grid.nt, format!("nx = {}", grid.nx))
        } else {
            ("nx", grid.nx, format!("nt = {}", grid.nt))
        };
        return Err(ConfigError::invalid(
            field,
            &format!(
                "such that (nt + 1)(nx + 1)·m ≤ {limit} stored values ({} MiB) with {other}",
                limit * 8 / (1 << 20)
            ),
            value,
        ));
    }
    let max_margin = MARGIN_MAX_LENGTHS * problem.domain().length();
    if let Some(l) = grid.margin.filter(|&l| l > max_margin) {
        return Err(ConfigError::invalid(
            "margin",
            &format!("at most {MARGIN_MAX_LENGTHS} interval lengths ({max_margin})"),
            l,
        ));
    }
    check_mesh_memory(problem, grid, grid.margin.unwrap_or(0.0))?;
    Ok(())
}

/// Values a step keeps per mesh node and component (iterate, right-hand side, residual, the
/// three diagonals and the solver's scratch, with room to spare), and per node and pair of
/// components (the blocks of a block-tridiagonal Jacobian).
const WORK_VALUES_PER_NODE: f64 = 16.0;
const WORK_VALUES_PER_BLOCK: f64 = 4.0;

/// Refuses a mesh (the interval plus a `free`-mode margin on each side) whose working vectors do
/// not fit in the memory this process may still use, before they are allocated.
fn check_mesh_memory<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
    margin: f64,
) -> Result<(), ConfigError> {
    let m = problem.components() as f64;
    let h = problem.domain().length() / grid.nx as f64;
    let nodes = grid.nx as f64 + 1.0 + 2.0 * (margin / h).ceil();
    let bytes = nodes * (WORK_VALUES_PER_NODE * m + WORK_VALUES_PER_BLOCK * m * m) * 8.0;
    let (field, got) = if margin > 0.0 {
        ("margin", margin.to_string())
    } else {
        ("nx", grid.nx.to_string())
    };
    // `as` saturates: a mesh too large to count is refused like one too large to hold.
    hh_core::resources::check_memory(field, got, bytes as u128, "the mesh's working vectors")
}

/// Samples of `u` used to find `sup f'` (the ramp of `H_k` is `1/k` wide: resolved for k ≲ 5000).
const STIFFNESS_SAMPLES: usize = 40_001;

/// An increasing reaction term limits every implicit step: `U − θΔt f(U) = R` is monotone, and so
/// uniquely solvable, only for `θΔt · sup f' < 1`. Checked before solving by sampling `f'` along
/// `u = (s, …, s)`, `|s − c| ≤ 1.5 w + 1` for the model's state range `c ± w`
/// ([`ReactionDiffusion::state_range`]; `|s| ≤ 1.5 · bound + 1` by default). Exact selections of
/// `H`, solved by monotone iteration, need no check.
fn check_step_solvability<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
) -> Result<(), FdError> {
    if problem.monotone_split().is_some() {
        return Ok(());
    }
    let m = problem.components();
    let (lo, hi) = problem.state_range();
    let (c, b) = (0.5 * (lo + hi), 1.5 * (0.5 * (hi - lo)) + 1.0);
    let n = STIFFNESS_SAMPLES;
    let u: Vec<f64> = (0..n)
        .flat_map(|i| std::iter::repeat_n(c - b + 2.0 * b * i as f64 / (n - 1) as f64, m))
        .collect();
    let mut jac = vec![0.0; n * m * m];
    problem.jacobian_batch(&u, &mut jac);
    let sup = jac
        .chunks_exact(m * m)
        .flat_map(|j| (0..m).map(move |i| j[i * m + i]))
        .fold(f64::MIN, f64::max);
    let stiffness = grid.theta * problem.domain().t_end / grid.nt as f64 * sup;
    if stiffness >= 1.0 {
        let nt_needed = (grid.theta * problem.domain().t_end * sup).floor() as usize + 1;
        return Err(FdError::StepTooLarge {
            stiffness,
            nt_needed,
            nt: grid.nt,
            invalid: ConfigError::invalid("nt", &format!("≥ {nt_needed}"), grid.nt),
        });
    }
    Ok(())
}

/// First margin tried in free mode, and the largest (in units of the interval length).
const MARGIN_START: f64 = 1.0;
const MARGIN_MAX_LENGTHS: f64 = 256.0;

/// Free mode: doubles `L` from [`MARGIN_START`] until the solution on `[x_min, x_max]` (all
/// times) changes by less than `grid.margin_tol`.
fn auto_margin<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
    options: &mut SolveOptions<'_>,
) -> Result<Solution, FdError> {
    let limit = MARGIN_MAX_LENGTHS * problem.domain().length();
    let mut margin = MARGIN_START;
    let mut prev = march(problem, grid, margin, options)?;
    let mut updates = prev.stats.updates;
    loop {
        margin *= 2.0;
        let next = march(problem, grid, margin, options)?;
        updates += next.stats.updates;
        let change = (0..next.components())
            .map(|i| max_abs_diff(&next.values(i).to_owned(), &prev.values(i).to_owned()))
            .fold(0.0, f64::max);
        if change < grid.margin_tol {
            let mut sol = next;
            sol.stats.updates = updates;
            return Ok(sol);
        }
        if margin > limit {
            return Err(FdError::MarginNotFound {
                change,
                tol: grid.margin_tol,
                margin,
            });
        }
        prev = next;
    }
}

/// Time marching on the mesh with margin `margin`.
fn march<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
    margin: f64,
    options: &mut SolveOptions<'_>,
) -> Result<Solution, FdError> {
    let domain = problem.domain();
    check_mesh_memory(problem, grid, margin)?;
    let mesh = Mesh::new(&domain, grid, problem.boundary(), margin);
    let (m, n, nt) = (problem.components(), mesh.nodes, grid.nt);
    let mut u = vec![0.0; n * m];
    for j in 0..n {
        problem.initial(mesh.x(&domain, j), &mut u[j * m..(j + 1) * m]);
    }
    if mesh.bc == BoundaryMode::Dirichlet {
        let d = problem.diffusion();
        for i in (0..m).filter(|&i| d[i] > 0.0) {
            u[i] = 0.0;
            u[(n - 1) * m + i] = 0.0;
        }
    }
    let mut values: Vec<Array2<f64>> = (0..m)
        .map(|_| Array2::zeros((nt + 1, grid.nx + 1)))
        .collect();
    let record = |values: &mut [Array2<f64>], row: usize, u: &[f64]| {
        if m == 1 {
            let window = &u[mesh.offset..mesh.offset + grid.nx + 1];
            return values[0]
                .row_mut(row)
                .as_slice_mut()
                .expect("standard layout")
                .copy_from_slice(window);
        }
        for (i, v) in values.iter_mut().enumerate() {
            for (c, x) in v.row_mut(row).iter_mut().enumerate() {
                *x = u[(mesh.offset + c) * m + i];
            }
        }
    };
    record(&mut values, 0, &u);

    let mut stepper = Stepper::new(problem, &mesh, grid.interface);
    let (mut prev, mut guess) = (u.clone(), vec![0.0; n * m]);
    for step in 0..nt {
        let extrapolate = step > 0;
        for k in 0..n * m {
            guess[k] = if extrapolate {
                2.0 * u[k] - prev[k]
            } else {
                u[k]
            };
        }
        prev.copy_from_slice(&u);
        if step < grid.startup && grid.theta < 1.0 {
            for _ in 0..2 {
                guess.copy_from_slice(&u);
                stepper.step(&mut u, &mut guess, 0.5 * mesh.dt, 1.0)?;
            }
        } else {
            stepper.step(&mut u, &mut guess, mesh.dt, grid.theta)?;
        }
        if u.iter().any(|v| !v.is_finite()) {
            return Err(FdError::NonFinite {
                t: (step + 1) as f64 * mesh.dt,
            });
        }
        record(&mut values, step + 1, &u);
        if let Some(cb) = options.on_step.as_mut() {
            cb(step + 1, nt);
        }
    }
    let stats = SolveStats {
        grid: grid.clone(),
        margin: (problem.boundary() == BoundaryMode::Free).then_some(mesh.offset as f64 * mesh.h),
        iterations: stepper.counts,
        updates: (n * nt) as u64,
        seconds: 0.0,
        estimated_error: None,
    };
    let t = Array1::linspace(0.0, domain.t_end, nt + 1);
    let x = Array1::linspace(domain.x_min, domain.x_max, grid.nx + 1);
    Ok(Solution::new(t, x, values, stats))
}

/// Accuracy criterion of [`reference`] (`docs/model.md`, "Finite differences"): halving `h` and
/// `Δt` changes the solution by less than this in max norm on the 128 × 128 evaluation grid.
pub const REFERENCE_TOL: f64 = 1e-4;

/// Refinements of [`GridConfig::default`] that [`reference`] tries before giving up.
const REFERENCE_REFINEMENTS: usize = 3;

/// The reference solution (`docs/model.md`, "Finite differences"): solved on
/// [`GridConfig::default`] and on the grid with `h` and `Δt` halved; while the two differ by
/// [`REFERENCE_TOL`] or more in max norm on the evaluation grid, both are refined again. Returns
/// the finer solution of the first pair that agrees, with that difference (a conservative error
/// estimate) in `stats.estimated_error`, or [`FdError::ReferenceNotConverged`] after
/// [`REFERENCE_REFINEMENTS`] halvings.
pub fn reference<P: ReactionDiffusion + ?Sized>(problem: &P) -> Result<Solution, FdError> {
    let eval = EvalGrid::paper(&problem.domain());
    let mut grid = GridConfig::default();
    let mut coarse = solve(problem, &grid)?;
    let mut change = f64::INFINITY;
    for _ in 0..REFERENCE_REFINEMENTS {
        grid = grid.refined(2);
        let mut fine = solve(problem, &grid)?;
        change = (0..fine.components())
            .map(|i| max_abs_diff(&fine.on_grid(&eval, i), &coarse.on_grid(&eval, i)))
            .fold(0.0, f64::max);
        if change < REFERENCE_TOL {
            fine.stats.estimated_error = Some(change);
            return Ok(fine);
        }
        coarse = fine;
    }
    Err(FdError::ReferenceNotConverged {
        change,
        tol: REFERENCE_TOL,
        nx: grid.nx,
        nt: grid.nt,
    })
}

/// `max |a − b|` over two grids of the same shape (panics on different shapes: comparing them
/// is a mistake, and zipping would hide it).
pub fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(
        a.dim(),
        b.dim(),
        "max_abs_diff of grids of different shapes"
    );
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}
