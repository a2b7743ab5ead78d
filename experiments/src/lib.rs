//! The experiments: each report is a module of [`reports`] (its settings and its run), and each
//! binary in `src/bin` parses its flags and calls it. Pieces several reports share live here.

pub mod reports;

use hh_model::{BoundaryMode, ProblemConfig};
use ndarray::Array2;
use rayon::prelude::*;

/// FD references (`docs/model.md`, "Measures") of the paper's problem for each `a`, on the
/// 128 × 128 evaluation grid.
pub fn fd_references(a_values: &[f64], bc: BoundaryMode) -> anyhow::Result<Vec<Array2<f64>>> {
    a_values
        .par_iter()
        .map(|&a| {
            let cfg = ProblemConfig {
                a,
                bc,
                ..Default::default()
            };
            Ok(hh_eval::fd::reference(&cfg, None)?.eval.clone())
        })
        .collect()
}

/// `(min, max)` over several grids.
pub fn range<'a>(grids: impl IntoIterator<Item = &'a Array2<f64>>) -> (f64, f64) {
    grids
        .into_iter()
        .flat_map(|g| g.iter())
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}
