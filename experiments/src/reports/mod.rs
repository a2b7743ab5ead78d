//! The reports, one module each: its settings ([`clap::Args`], so its binary in `src/bin` is
//! only the flags and a call) and a `run` that computes its tables and figures and publishes the
//! report directory atomically.

pub mod accurate;
pub mod fhn;
pub mod figure1;
pub mod nonuniqueness;
pub mod precise;
pub mod waves;
