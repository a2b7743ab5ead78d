//! The evaluation grid every comparison uses (`docs/model.md`, "Measures").

use ndarray::Array1;

use crate::Domain;

/// `nt × nx` points, `t = linspace(0, T, nt)` (rows) and `x = linspace(x_min, x_max, nx)`
/// (columns); the paper's is 128 × 128.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalGrid {
    pub t: Array1<f64>,
    pub x: Array1<f64>,
}

impl EvalGrid {
    /// Points of the paper's figure and of every error in the reports.
    pub const PAPER_SIZE: usize = 128;

    pub fn new(domain: &Domain, nt: usize, nx: usize) -> Self {
        Self {
            t: Array1::linspace(0.0, domain.t_end, nt),
            x: Array1::linspace(domain.x_min, domain.x_max, nx),
        }
    }

    /// The 128 × 128 grid of the paper.
    pub fn paper(domain: &Domain) -> Self {
        Self::new(domain, Self::PAPER_SIZE, Self::PAPER_SIZE)
    }

    /// The x-spacing (`0` for a single column).
    pub fn dx(&self) -> f64 {
        match self.x.len() {
            0 | 1 => 0.0,
            n => (self.x[n - 1] - self.x[0]) / (n - 1) as f64,
        }
    }

    /// `(rows, columns)` = `(t.len(), x.len())`.
    pub fn shape(&self) -> (usize, usize) {
        (self.t.len(), self.x.len())
    }
}
