//! Shared pieces of the cross-crate tests in `tests/tests/it/`: small problems and budgets that run
//! in seconds, built only from the public APIs (the way a user's crate would build them).

use hh_model::{BoundaryMode, ProblemConfig};

/// The README's code, compiled and run as doc tests (its "Adding a model" walk-through).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The paper's problem (`k = 5`, lower) at threshold `a` in mode `bc`.
pub fn paper(a: f64, bc: BoundaryMode) -> ProblemConfig {
    ProblemConfig {
        a,
        bc,
        ..Default::default()
    }
}

/// An FD grid coarse enough for a test and fine enough that its error (about 1e-3 in
/// max norm on the paper's problem) is far below the PINN errors it judges.
pub const TEST_GRID: hh_fd::GridSize = hh_fd::GridSize { nx: 128, nt: 1024 };
