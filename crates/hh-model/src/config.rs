//! Reading configs from TOML or JSON files.

use serde::de::DeserializeOwned;
use std::path::Path;

use crate::ConfigError;

/// The largest config file read: 16 MiB.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Checks that `path` (followed through links) is a regular file of at most `max_bytes`, and
/// returns its size: a FIFO, device or directory would block or mislead a reader, and an
/// oversized file would be read whole. The error names `field`.
pub fn regular_file(field: &str, path: &Path, max_bytes: u64) -> Result<u64, ConfigError> {
    let refuse = |reason: String| ConfigError::Unreadable {
        field: field.into(),
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    if meta.len() > max_bytes {
        return Err(refuse(format!(
            "{} bytes, at most {max_bytes} allowed",
            meta.len()
        )));
    }
    Ok(meta.len())
}

/// Reads a config from `path`: JSON for `.json`, TOML otherwise. Unknown keys are errors when the
/// type says `#[serde(deny_unknown_fields)]`, as every config type of this workspace does.
pub fn read_config<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    regular_file("config", path, MAX_CONFIG_BYTES)?;
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        field: "config".into(),
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let parse = |reason: String| ConfigError::Parse {
        path: path.to_owned(),
        reason,
    };
    // serde_path_to_error names the field a type error is in (`train.steps: invalid type …`).
    let located = |field: String, reason: String| {
        if field.is_empty() || field == "." {
            reason
        } else {
            format!("`{field}`: {reason}")
        }
    };
    if path.extension().is_some_and(|e| e == "json") {
        let mut de = serde_json::Deserializer::from_str(&text);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| parse(located(e.path().to_string(), e.into_inner().to_string())))?;
        de.end().map_err(|e| parse(e.to_string()))?;
        Ok(value)
    } else {
        let de = toml::Deserializer::parse(&text).map_err(|e| parse(e.to_string()))?;
        serde_path_to_error::deserialize(de)
            .map_err(|e| parse(located(e.path().to_string(), e.into_inner().to_string())))
    }
}
