//! The integration tests of `hh-pinn`, one module per subject, in one test binary (each
//! binary links the whole dependency tree: one link per crate, not one per file).

mod derivatives;
mod inclusion;
mod march;
mod presets;
mod second_order;
mod test_models;
mod training;
