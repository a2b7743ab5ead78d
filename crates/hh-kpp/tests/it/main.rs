//! The integration tests of `hh-kpp`, one module per subject, in one test binary (each
//! binary links the whole dependency tree: one link per crate, not one per file).

mod kpp;
