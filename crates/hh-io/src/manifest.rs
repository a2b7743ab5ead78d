//! Run manifests: what produced a result, so it can be reproduced.

use serde::Serialize;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// A `manifest.json` written next to every result: tool and crate versions, git revision, machine,
/// the full config, seed and timings (seconds).
///
/// ```
/// let m = hh_io::Manifest::new("hh-fd solve", env!("CARGO_PKG_VERSION"))
///     .config(&serde_json::json!({"a": 0.1}))
///     .timing("solve_s", 0.25);
/// assert_eq!(m.to_json()["timings"]["solve_s"], 0.25);
/// ```
#[derive(Clone, Debug)]
pub struct Manifest {
    fields: Map<String, Value>,
    timings: Map<String, Value>,
}

impl Manifest {
    pub fn new(tool: &str, version: &str) -> Self {
        let mut fields = Map::new();
        fields.insert("tool".into(), tool.into());
        fields.insert("version".into(), version.into());
        fields.insert("git_revision".into(), git_revision().into());
        fields.insert(
            "created_unix_s".into(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
                .into(),
        );
        fields.insert("machine".into(), machine());
        Self {
            fields,
            timings: Map::new(),
        }
    }

    /// Records the full config.
    pub fn config<C: Serialize + ?Sized>(self, config: &C) -> Self {
        self.field("config", config)
    }

    /// Records the random seed.
    pub fn seed(self, seed: u64) -> Self {
        self.field("seed", &seed)
    }

    /// Records a timing in seconds (or any measured rate, named with its unit).
    pub fn timing(mut self, name: &str, value: f64) -> Self {
        self.timings.insert(name.into(), value.into());
        self
    }

    /// Records any other field.
    pub fn field<V: Serialize + ?Sized>(mut self, name: &str, value: &V) -> Self {
        let v = serde_json::to_value(value).unwrap_or_else(|e| Value::String(e.to_string()));
        self.fields.insert(name.into(), v);
        self
    }

    pub fn to_json(&self) -> Value {
        let mut all = self.fields.clone();
        all.insert("timings".into(), Value::Object(self.timings.clone()));
        Value::Object(all)
    }

    /// Writes `dir/manifest.json`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json())?;
        crate::write_atomic(dir.join("manifest.json"), text + "\n")
    }
}

/// The git revision these binaries were built from: `git rev-parse HEAD` at build time, with
/// `-dirty` when tracked files differed from it, or `"unknown"` outside a repository (see
/// `build.rs`). Fixed at build time, so no `git` found at run time can change it.
pub fn git_revision() -> String {
    env!("HH_GIT_REVISION").to_owned()
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .map(|m| m.trim().to_owned())
    });
    json!({
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "cpus": std::thread::available_parallelism().map_or(1, |n| n.get()),
        "cpu_model": cpu,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}
