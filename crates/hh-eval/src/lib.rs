//! Evaluation layer: error measures, tables, the sections of the convergence report and the
//! figures that compare PINN/DGM approximations with the finite-difference reference.
//!
//! ```
//! use hh_eval::metrics::Errors;
//! let reference = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
//! let e = Errors::of(reference.view(), reference.view(), 0.5);
//! assert_eq!(e.max_abs, 0.0);
//! ```

pub mod config;
pub mod fd;
pub mod jobs;
pub mod metrics;
pub mod nonuniqueness;
pub mod pinn;
pub mod plot;
pub mod report;
pub mod shard;
pub mod style;
pub mod sweep;
pub mod table;
pub mod waves;

pub use config::SweepConfig;
pub use report::Report;
pub use sweep::run_sweep;
pub use table::{Cell, Table};
