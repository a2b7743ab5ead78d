//! Reading configs from TOML or JSON files.

use serde::de::DeserializeOwned;
use std::path::Path;

use crate::ConfigError;

/// Reads a config from `path`: JSON for `.json`, TOML otherwise. Unknown keys are errors when the
/// type says `#[serde(deny_unknown_fields)]`, as every config type of this workspace does.
pub fn read_config<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        field: "config".into(),
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let parse = |reason: String| ConfigError::Parse {
        path: path.to_owned(),
        reason,
    };
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| parse(e.to_string()))
    } else {
        toml::from_str(&text).map_err(|e| parse(e.to_string()))
    }
}
