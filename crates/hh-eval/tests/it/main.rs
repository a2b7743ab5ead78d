//! The integration tests of `hh-eval`, one module per subject, in one test binary (each
//! binary links the whole dependency tree: one link per crate, not one per file).

mod accurate_guard;
mod config_props;
mod convergence_cli;
mod results_structure;
