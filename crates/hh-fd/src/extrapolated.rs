//! A high-accuracy reference by Richardson extrapolation in `h` and `Δt` together.
//!
//! Crank–Nicolson with second-order central differences has the error expansion
//! `u_h = u + C h² + O(h⁴)` on grids with `Δt ∝ h` (for smooth solutions and compatible data).
//! With `u₀, u₁, u₂` the solutions on `h`, `h/2`, `h/4` (sampled at common nodes),
//!
//! ```text
//! R₁ = (4u₁ − u₀)/3,   R₂ = (4u₂ − u₁)/3,   error(R₂) ≈ ‖R₂ − R₁‖ / 2^q,
//! ```
//!
//! and `‖R₂ − R₁‖` is returned as a conservative error estimate of `R₂`; the observed order
//! `log₂(‖u₀ − u₁‖ / ‖u₁ − u₂‖)` says whether the expansion holds (2 for smooth problems; lower
//! where the solution has a kink, as at `u = a` for `k = ∞`).
//!
//! The grids have `nx` and `nt` multiples of 127, so the 128 × 128 evaluation grid lies on their
//! nodes and no interpolation error enters; the Rannacher start-up is off (the paper's data are
//! smooth and compatible), and in `free` mode every level uses the margin of the coarsest, found
//! to `margin_tol = 1e-10`.

use hh_core::{EvalGrid, ReactionDiffusion};
use ndarray::Array2;

use crate::{FdError, GridConfig, max_abs_diff, solve};

/// The extrapolated reference on the 128 × 128 evaluation grid.
#[derive(Clone, Debug)]
pub struct Extrapolated {
    /// `R₂` per component (rows `t`, columns `x`).
    pub eval: Vec<Array2<f64>>,
    /// `max ‖R₂ − R₁‖` over the components: a conservative bound of the error of `R₂`.
    pub estimated_error: f64,
    /// `log₂(‖u₀ − u₁‖ / ‖u₁ − u₂‖)` (max norms, worst component).
    pub observed_order: f64,
    /// `‖u₁ − u₂‖`: the plain solution's own change at the finest level.
    pub finest_change: f64,
    /// The three grids, coarse to fine.
    pub grids: [GridConfig; 3],
}

/// The coarsest grid of [`extrapolated`]: `nx = 1270`, `nt = 2 nx`, Crank–Nicolson, no start-up.
pub fn extrapolation_base() -> GridConfig {
    GridConfig {
        nx: 127 * 10,
        nt: 127 * 20,
        theta: 0.5,
        startup: 0,
        margin_tol: 1e-10,
        ..GridConfig::default()
    }
}

/// Richardson extrapolation from `base`, `base` refined twice and four times (see the module
/// documentation). `base.nx` and `base.nt` must be multiples of 127 (refused otherwise: the
/// evaluation grid must lie on the nodes).
pub fn extrapolated<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    base: &GridConfig,
) -> Result<Extrapolated, FdError> {
    for (field, n) in [("nx", base.nx), ("nt", base.nt)] {
        if n % 127 != 0 {
            return Err(hh_core::ConfigError::invalid(
                field,
                "a multiple of 127 (the evaluation grid must lie on the nodes)",
                n,
            )
            .into());
        }
    }
    let eval = EvalGrid::paper(&problem.domain());
    let first = solve(problem, base)?;
    let margin = first.stats.margin;
    let at = |factor: usize| -> Result<_, FdError> {
        let grid = GridConfig {
            margin,
            ..base.refined(factor)
        };
        let sol = if factor == 1 {
            first.clone()
        } else {
            solve(problem, &grid)?
        };
        let fields: Vec<Array2<f64>> = (0..sol.components())
            .map(|i| sol.on_grid(&eval, i))
            .collect();
        Ok((grid, fields))
    };
    let (g0, u0) = at(1)?;
    let (g1, u1) = at(2)?;
    let (g2, u2) = at(4)?;
    let extrapolate = |fine: &Array2<f64>, coarse: &Array2<f64>| (fine * 4.0 - coarse) / 3.0;
    let (mut estimate, mut order, mut finest): (f64, f64, f64) = (0.0, f64::INFINITY, 0.0);
    let mut eval_r2 = Vec::new();
    for i in 0..u0.len() {
        let r1 = extrapolate(&u1[i], &u0[i]);
        let r2 = extrapolate(&u2[i], &u1[i]);
        estimate = estimate.max(max_abs_diff(&r2, &r1));
        let (d01, d12) = (max_abs_diff(&u0[i], &u1[i]), max_abs_diff(&u1[i], &u2[i]));
        if d12 > 0.0 {
            order = order.min((d01 / d12).log2());
        }
        finest = finest.max(d12);
        eval_r2.push(r2);
    }
    Ok(Extrapolated {
        eval: eval_r2,
        estimated_error: estimate,
        observed_order: order,
        finest_change: finest,
        grids: [g0, g1, g2],
    })
}
