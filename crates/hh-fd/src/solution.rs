//! Solutions on their grid, and interpolation onto other grids.

use hh_core::EvalGrid;
use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;

use crate::GridConfig;
use crate::step::IterationCounts;

/// What a solve did: grid, iterations, free-mode margin, time.
#[derive(Clone, Debug, Serialize)]
pub struct SolveStats {
    pub grid: GridConfig,
    /// `free` mode: the extension `L` used on each side.
    pub margin: Option<f64>,
    pub iterations: IterationCounts,
    /// Grid-point updates (nodes of the computational grid × steps, per component).
    pub updates: u64,
    pub seconds: f64,
    /// [`crate::reference`]: estimated max-norm error on the 128 × 128 evaluation grid.
    pub estimated_error: Option<f64>,
}

impl SolveStats {
    /// Grid-point updates per second.
    pub fn updates_per_second(&self) -> f64 {
        self.updates as f64 / self.seconds.max(1e-12)
    }
}

/// `u_i(t_n, x_j)` on the uniform grid of a solve, restricted to `[x_min, x_max]`.
#[derive(Clone, Debug)]
pub struct Solution {
    t: Array1<f64>,
    x: Array1<f64>,
    values: Vec<Array2<f64>>,
    pub stats: SolveStats,
}

impl Solution {
    pub(crate) fn new(
        t: Array1<f64>,
        x: Array1<f64>,
        values: Vec<Array2<f64>>,
        stats: SolveStats,
    ) -> Self {
        Self {
            t,
            x,
            values,
            stats,
        }
    }

    /// The `nt + 1` times.
    pub fn t(&self) -> &Array1<f64> {
        &self.t
    }

    /// The `nx + 1` points of `[x_min, x_max]`.
    pub fn x(&self) -> &Array1<f64> {
        &self.x
    }

    /// Number of components.
    pub fn components(&self) -> usize {
        self.values.len()
    }

    /// Component `i`, shape `(nt + 1, nx + 1)`, rows are times.
    pub fn values(&self, component: usize) -> ArrayView2<'_, f64> {
        self.values[component].view()
    }

    /// Component `i` at the final time.
    pub fn last(&self, component: usize) -> Array1<f64> {
        self.values[component].row(self.t.len() - 1).to_owned()
    }

    /// Component `i` interpolated onto `grid` (rows `t`, columns `x`) by tensor-product cubic
    /// Lagrange interpolation (exact at grid nodes, error O(h⁴ + Δt⁴) for smooth solutions).
    pub fn on_grid(&self, grid: &EvalGrid, component: usize) -> Array2<f64> {
        let u = &self.values[component];
        let wt: Vec<_> = grid.t.iter().map(|&t| stencil(&self.t, t)).collect();
        let wx: Vec<_> = grid.x.iter().map(|&x| stencil(&self.x, x)).collect();
        Array2::from_shape_fn(grid.shape(), |(r, c)| {
            let ((it, at), (ix, ax)) = (wt[r], wx[c]);
            weighted(u, it, &at, ix, &ax)
        })
    }

    /// `u_i(t, x)` by the same interpolation.
    pub fn at(&self, t: f64, x: f64, component: usize) -> f64 {
        let (it, at) = stencil(&self.t, t);
        let (ix, ax) = stencil(&self.x, x);
        weighted(&self.values[component], it, &at, ix, &ax)
    }
}

/// `Σ_pq wt_p wx_q u[it + p, ix + q]` over the nonzero weights.
fn weighted(u: &Array2<f64>, it: usize, wt: &[f64; 4], ix: usize, wx: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for (p, &wp) in wt.iter().enumerate().filter(|(_, w)| **w != 0.0) {
        for (q, &wq) in wx.iter().enumerate().filter(|(_, w)| **w != 0.0) {
            s += wp * wq * u[[it + p, ix + q]];
        }
    }
    s
}

/// First index and weights of the 4-point Lagrange stencil around `s` on the uniform axis `nodes`
/// (shifted inward at the ends; exact weights (1, 0, 0, 0)-style at nodes).
fn stencil(nodes: &Array1<f64>, s: f64) -> (usize, [f64; 4]) {
    let n = nodes.len();
    let (x0, h) = (nodes[0], nodes[1] - nodes[0]);
    let pos = ((s - x0) / h).clamp(0.0, (n - 1) as f64);
    if n < 4 {
        let i = (pos.floor() as usize).min(n - 2);
        let w = pos - i as f64;
        return (i, [1.0 - w, w, 0.0, 0.0]);
    }
    let near = pos.round();
    if (pos - near).abs() < 1e-9 {
        let i = near as usize;
        let first = i.saturating_sub(1).min(n - 4);
        let mut w = [0.0; 4];
        w[i - first] = 1.0;
        return (first, w);
    }
    let first = (pos.floor() as usize).saturating_sub(1).min(n - 4);
    let mut w = [1.0; 4];
    for (a, wa) in w.iter_mut().enumerate() {
        for b in 0..4 {
            if a != b {
                *wa *= (pos - (first + b) as f64) / (a as f64 - b as f64);
            }
        }
    }
    (first, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_interpolation_is_exact_for_cubics() {
        let nodes = Array1::linspace(0.0, 2.0, 11);
        let f = |x: f64| 1.0 - 2.0 * x + 0.5 * x * x * x;
        for s in [0.0, 0.05, 0.77, 1.0, 1.93, 2.0] {
            let (i, w) = stencil(&nodes, s);
            let v: f64 = (0..4).map(|p| w[p] * f(nodes[i + p])).sum();
            assert!((v - f(s)).abs() < 1e-12, "{s}: {v} vs {}", f(s));
        }
    }
}
