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
    /// An output path that would replace something the user had.
    #[error("refusing `{field}` {path}: {reason}")]
    Output {
        field: String,
        path: PathBuf,
        reason: String,
    },
}

impl ConfigError {
    /// A value of `field` outside `allowed`.
    pub fn invalid(field: &str, allowed: &str, got: impl std::fmt::Display) -> Self {
        // `Display` writes 1e308 with 309 digits; the shortest round-trip form is readable.
        let got = got.to_string();
        let got = match got.parse::<f64>() {
            Ok(v) if got.len() > 24 => format!("{v:?}"),
            _ => got,
        };
        Self::Invalid {
            field: field.to_owned(),
            allowed: allowed.to_owned(),
            got,
        }
    }

    /// The same error with its field named inside `section` (`theta` → `grid_convergence.theta`).
    pub fn within(self, section: &str) -> Self {
        self.renamed(|field| format!("{section}.{field}"))
    }

    /// The same error naming the field `rename(field)` instead: the name the user wrote, where a
    /// value was checked under another one (`nx` of a grid derived from `waves.h`).
    pub fn renamed(self, rename: impl FnOnce(&str) -> String) -> Self {
        match self {
            Self::Invalid {
                field,
                allowed,
                got,
            } => Self::Invalid {
                field: rename(&field),
                allowed,
                got,
            },
            Self::Unreadable {
                field,
                path,
                reason,
            } => Self::Unreadable {
                field: rename(&field),
                path,
                reason,
            },
            Self::Output {
                field,
                path,
                reason,
            } => Self::Output {
                field: rename(&field),
                path,
                reason,
            },
            e @ Self::Parse { .. } => e,
        }
    }
}

/// The largest magnitude accepted for a model's parameters (thresholds, slopes, rates): beyond it
/// a loss (in f32) or a solve overflows to non-finite values, as for the domain's
/// [`crate::Domain::MAX_COORDINATE`].
pub const MAX_PARAMETER: f64 = 1e6;

/// Checks `|value| ≤` [`MAX_PARAMETER`], naming `field` and the range otherwise.
pub fn bounded(field: &str, value: f64) -> Result<f64, ConfigError> {
    if value.abs() <= MAX_PARAMETER {
        Ok(value)
    } else {
        Err(ConfigError::invalid(
            field,
            &format!("a number in [{:e}, {MAX_PARAMETER:e}]", -MAX_PARAMETER),
            value,
        ))
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
