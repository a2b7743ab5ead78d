//! Configs: a model's problem as plain data ([`ModelConfig`]), read from TOML or JSON files.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;

use crate::{ConfigError, ReactionDiffusion};

/// A model's problem as plain data (the `[problem]` section of a config file), which validates
/// itself into the model. The generic commands of the command-line tools (`hh-cli`) take any
/// such config.
pub trait ModelConfig: Serialize + DeserializeOwned + Default + Clone {
    type Model: ReactionDiffusion + 'static;
    /// Checks every field (the [`ConfigError`] names the first bad one and its allowed range)
    /// and builds the model.
    fn build_model(&self) -> Result<Self::Model, ConfigError>;
}

/// The largest config file read: 16 MiB.
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Reads a config from `path`: JSON for `.json`, TOML otherwise. Unknown keys are errors when the
/// type says `#[serde(deny_unknown_fields)]`, as every config type of this workspace does.
pub fn read_config<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = crate::input::read_text("config", path, MAX_CONFIG_BYTES)?;
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
