//! Sharded sweeps: a shard runs every `N`-th part of a sweep and stores its tables losslessly;
//! a merge checks that the shards belong to one sweep and cover it, and assembles the report.
//!
//! A shard directory `convergence.shard-I-of-N/` holds `parts.json` (the sweep's config as TOML,
//! and per part its position, label, wall time and tables, every number as the exact text of its
//! `f64`) and `manifest.json`.

use hh_model::ConfigError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::sweep::{PartResult, parts};
use crate::{Cell, SweepConfig, Table};

/// The `index`-th of `count` shards of a sweep (`0 ≤ index < count`), written `I/N`: it runs the
/// parts whose position in [`parts`] is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The positions in [`parts`] this shard runs.
    pub fn select(&self, n_parts: usize) -> Vec<usize> {
        (self.index..n_parts).step_by(self.count).collect()
    }
}

impl std::str::FromStr for Shard {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, ConfigError> {
        let bad = || ConfigError::invalid("shard", "I/N with integers 0 ≤ I < N ≤ 10000", s);
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if !(index < count && count <= 10_000) {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The file of a shard directory that holds its tables.
pub const PARTS_FILE: &str = "parts.json";

/// What a shard stores: the sweep (so a merge can check that all shards ran the same one) and
/// the tables of its parts.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardFile {
    /// The profile or config file name of the sweep.
    profile: String,
    shard: String,
    /// The sweep's config, as TOML (exact for every number).
    config: String,
    parts: Vec<StoredPart>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPart {
    index: usize,
    label: String,
    seconds: f64,
    tables: Vec<StoredTable>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredTable {
    name: String,
    title: String,
    bc: String,
    regularisation: String,
    note: String,
    columns: Vec<String>,
    rows: Vec<Vec<StoredCell>>,
}

/// A cell with its number as text: Rust prints the shortest string that parses back to the same
/// `f64` (NaN and infinities included), which JSON numbers cannot promise.
#[derive(Serialize, Deserialize)]
enum StoredCell {
    Number(String),
    Text(String),
}

impl From<&Table> for StoredTable {
    fn from(t: &Table) -> Self {
        Self {
            name: t.name.clone(),
            title: t.title.clone(),
            bc: t.bc.clone(),
            regularisation: t.regularisation.clone(),
            note: t.note.clone(),
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Cell::Number(v) => StoredCell::Number(v.to_string()),
                            Cell::Text(s) => StoredCell::Text(s.clone()),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

impl StoredTable {
    fn into_table(self) -> anyhow::Result<Table> {
        let columns: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        let mut t = Table::new(
            &self.name,
            &self.title,
            &self.bc,
            &self.regularisation,
            &columns,
        )
        .note(&self.note);
        for row in self.rows {
            if row.len() != t.columns.len() {
                anyhow::bail!("table {}: a row of {} cells", t.name, row.len());
            }
            t.push(
                row.into_iter()
                    .map(|c| match c {
                        StoredCell::Number(s) => s
                            .parse::<f64>()
                            .map(Cell::Number)
                            .map_err(|e| anyhow::anyhow!("table {}: {s:?}: {e}", self.name)),
                        StoredCell::Text(s) => Ok(Cell::Text(s)),
                    })
                    .collect::<anyhow::Result<_>>()?,
            );
        }
        Ok(t)
    }
}

/// Writes the results of `shard` into `dir` (`OUT/convergence.shard-I-of-N/`, the
/// [`Plan::output`](crate::jobs::Plan::output) of the report's directory; atomically, with a
/// manifest).
pub fn write(
    dir: &Path,
    profile: &str,
    cfg: &SweepConfig,
    shard: Shard,
    results: &[PartResult],
) -> anyhow::Result<()> {
    let all = parts(cfg);
    let file = ShardFile {
        profile: profile.to_owned(),
        shard: shard.to_string(),
        config: toml::to_string(cfg)?,
        parts: results
            .iter()
            .map(|r| StoredPart {
                index: r.index,
                label: all[r.index].label(),
                seconds: r.seconds,
                tables: r.tables.iter().map(StoredTable::from).collect(),
            })
            .collect(),
    };
    let out = hh_io::AtomicDir::new(dir)?;
    std::fs::write(
        out.path().join(PARTS_FILE),
        serde_json::to_string_pretty(&file)? + "\n",
    )?;
    let mut manifest =
        hh_io::Manifest::new("hh-eval convergence --shard", env!("CARGO_PKG_VERSION"))
            .field("profile", profile)
            .field("shard", &shard.to_string())
            .config(cfg)
            .field("threads", &rayon::current_num_threads());
    for r in results {
        manifest = manifest.timing(&format!("part_{}_s", r.index), r.seconds);
    }
    manifest.write(out.path())?;
    out.commit()?;
    Ok(())
}

/// Reads the shard directories `dirs`, checks that they ran the same sweep and together hold
/// each of its parts exactly once, and returns the sweep's name, config and part results.
pub fn read(dirs: &[PathBuf]) -> anyhow::Result<(String, SweepConfig, Vec<PartResult>)> {
    let mut first: Option<(String, String)> = None;
    let mut results = Vec::new();
    for dir in dirs {
        let path = dir.join(PARTS_FILE);
        hh_model::config::regular_file("merge", &path, 1 << 30)?;
        let text = std::fs::read_to_string(&path)?;
        let file: ShardFile = serde_json::from_str(&text).map_err(|e| ConfigError::Unreadable {
            field: "merge".into(),
            path: path.clone(),
            reason: format!("not a shard of a convergence sweep: {e}"),
        })?;
        match &first {
            None => first = Some((file.profile.clone(), file.config.clone())),
            Some((_, config)) if *config != file.config => {
                return Err(ConfigError::Unreadable {
                    field: "merge".into(),
                    path,
                    reason: format!(
                        "its sweep differs from that of {} (shards of one sweep must be merged)",
                        dirs[0].display()
                    ),
                }
                .into());
            }
            Some(_) => {}
        }
        for p in file.parts {
            results.push(PartResult {
                index: p.index,
                seconds: p.seconds,
                tables: p
                    .tables
                    .into_iter()
                    .map(StoredTable::into_table)
                    .collect::<anyhow::Result<_>>()?,
            });
        }
    }
    let Some((profile, config)) = first else {
        return Err(ConfigError::invalid("merge", "one or more shard directories", "none").into());
    };
    let cfg: SweepConfig = toml::from_str(&config)?;
    cfg.validate()?;
    Ok((profile, cfg, results))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_parts() {
        let cfg = SweepConfig::profile("quick").unwrap();
        let n = parts(&cfg).len();
        for count in [1, 2, 3, 7, n + 3] {
            let mut seen: Vec<usize> = (0..count)
                .flat_map(|index| Shard { index, count }.select(n))
                .collect();
            seen.sort();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "count {count}");
        }
        assert_eq!(
            "2/5".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 5 }
        );
        for bad in ["5/5", "1", "-1/3", "a/b", "0/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
