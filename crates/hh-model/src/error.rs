//! Configuration errors: each names the offending field and the range it must lie in.

use std::path::PathBuf;

/// An invalid or unreadable configuration. Binaries print it and exit with code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value outside its allowed range.
    #[error("invalid `{field}` = {got}: must be {allowed}")]
    Invalid {
        field: String,
        allowed: String,
        got: String,
    },
    /// A file that cannot be read.
    #[error("cannot read `{field}` file {path}: {reason}")]
    Unreadable {
        field: String,
        path: PathBuf,
        reason: String,
    },
    /// A config file that does not parse (syntax, unknown keys, wrong types).
    #[error("cannot parse config {path}: {reason}")]
    Parse { path: PathBuf, reason: String },
}

impl ConfigError {
    /// A value of `field` outside `allowed`.
    pub fn invalid(field: &str, allowed: &str, got: impl std::fmt::Display) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            allowed: allowed.to_owned(),
            got: got.to_string(),
        }
    }
}

/// Checks that `value` is finite, naming `field` otherwise.
pub fn finite(field: &str, value: f64) -> Result<f64, ConfigError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ConfigError::invalid(field, "a finite number", value))
    }
}
