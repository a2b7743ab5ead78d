//! Why training fails.

use hh_core::ConfigError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Invalid input; a source of the error, so every binary maps it to exit code 2.
    #[error("invalid input: {0}")]
    Config(#[from] ConfigError),
    #[error(
        "non-finite {what} at step {step}: training stopped and the weights were not updated; {}",
        match checkpoint {
            Some((dir, s)) => format!("the last good checkpoint is {} (step {s})", dir.display()),
            None => "no checkpoint was written".into(),
        }
    )]
    NonFinite {
        step: usize,
        /// What became non-finite: the loss (with its value), or the parameters after the update.
        what: String,
        /// The last checkpoint written, whose parameters are finite.
        checkpoint: Option<(PathBuf, usize)>,
    },
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: PathBuf, reason: String },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}
