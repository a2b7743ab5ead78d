//! The integration tests of `tests`, one module per subject, in one test binary (each
//! binary links the whole dependency tree: one link per crate, not one per file).

mod campaign;
mod layering;
mod pipeline;
