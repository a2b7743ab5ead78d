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
use crate::table::is_identifier;
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

/// Checks that `shards` (each with the file it was read from) belong to one split and name each
/// shard at most once: a repeat, or a shard of another split, is refused naming its file.
/// Returns the split's shard count and the indices missing from it (the caller says what a
/// missing shard costs). What the sweep and the sharded experiments both check of a merge.
pub fn check_set(shards: &[(PathBuf, Shard)]) -> Result<(usize, Vec<usize>), ConfigError> {
    let refuse = |path: &Path, reason: String| ConfigError::Unreadable {
        field: "merge".into(),
        path: path.to_owned(),
        reason,
    };
    let Some((_, first)) = shards.first() else {
        return Err(ConfigError::invalid(
            "merge",
            "one or more shard directories",
            "none",
        ));
    };
    for (k, (path, shard)) in shards.iter().enumerate() {
        if shard.count != first.count {
            return Err(refuse(
                path,
                format!("shard {shard} belongs to another split than {first}"),
            ));
        }
        if let Some((other, _)) = shards[..k].iter().find(|(_, s)| s == shard) {
            return Err(refuse(
                path,
                format!("shard {shard} is given twice (also {})", other.display()),
            ));
        }
    }
    let missing = (0..first.count)
        .filter(|&i| !shards.iter().any(|(_, s)| s.index == i))
        .collect();
    Ok((first.count, missing))
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
    /// The table, if it is well formed: identifiers for its name and columns (a name is never
    /// used as a path unless it is one), rows as long as the header, numbers that parse.
    fn into_table(self) -> Result<Table, String> {
        if !is_identifier(&self.name) {
            return Err(format!(
                "a table named {:?}, which is not an identifier",
                self.name
            ));
        }
        if let Some(c) = self.columns.iter().find(|c| !is_identifier(c)) {
            return Err(format!("table {}: a column named {c:?}", self.name));
        }
        let columns: Vec<&str> = self.columns.iter().map(String::as_str).collect();
        let mut t = Table::new(
            &self.name,
            &self.title,
            &self.bc,
            &self.regularisation,
            &columns,
        )
        .note(&self.note);
        for (i, row) in self.rows.into_iter().enumerate() {
            if row.len() != t.columns.len() {
                return Err(format!(
                    "table {}, row {i}: {} cells for {} columns",
                    t.name,
                    row.len(),
                    t.columns.len()
                ));
            }
            let cells = row
                .into_iter()
                .zip(&t.columns)
                .map(|(c, column)| match c {
                    StoredCell::Number(s) => s.parse::<f64>().map(Cell::Number).map_err(|_| {
                        format!(
                            "table {}, row {i}, column {column}: {s:?} is not a number",
                            self.name
                        )
                    }),
                    StoredCell::Text(s) => Ok(Cell::Text(s)),
                })
                .collect::<Result<_, _>>()?;
            t.push(cells);
        }
        Ok(t)
    }
}

/// The largest shard store read: 1 GiB.
pub const MAX_SHARD_BYTES: u64 = 1 << 30;

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

/// Reads the shard directories `dirs`, checks that they ran the same sweep, are its `N` shards
/// each once, and hold exactly what each of its parts computes (the part's label, and tables of
/// the part's [`Shape`](crate::sweep::Shape)s: names, columns, rows, finite numbers), and returns
/// the sweep's name, config and part results. A store is untrusted input: anything else is
/// refused, naming the shard's file and the part, table, row and column at fault.
pub fn read(dirs: &[PathBuf]) -> anyhow::Result<(String, SweepConfig, Vec<PartResult>)> {
    let refuse = |path: &Path, reason: String| ConfigError::Unreadable {
        field: "merge".into(),
        path: path.to_owned(),
        reason,
    };
    let mut stores: Vec<(PathBuf, Shard, ShardFile)> = Vec::new();
    for dir in dirs {
        let path = dir.join(PARTS_FILE);
        let text = hh_model::input::read_text("merge", &path, MAX_SHARD_BYTES)?;
        let file: ShardFile = serde_json::from_str(&text)
            .map_err(|e| refuse(&path, format!("not a shard of a convergence sweep: {e}")))?;
        let shard: Shard = file
            .shard
            .parse()
            .map_err(|e| refuse(&path, format!("its shard {:?}: {e}", file.shard)))?;
        if let Some((first, _, first_file)) = stores.first()
            && (first_file.config != file.config || first_file.profile != file.profile)
        {
            return Err(refuse(
                &path,
                format!(
                    "its sweep differs from that of {} (shards of one sweep must be merged)",
                    first.display()
                ),
            )
            .into());
        }
        stores.push((path, shard, file));
    }
    let set: Vec<(PathBuf, Shard)> = stores.iter().map(|(p, s, _)| (p.clone(), *s)).collect();
    let (count, missing) = check_set(&set)?;
    let (first, _, first_file) = &stores[0];
    let profile = first_file.profile.clone();
    let cfg: SweepConfig = toml::from_str(&first_file.config)
        .map_err(|e| refuse(first, format!("its sweep config does not parse: {e}")))?;
    cfg.validate()
        .map_err(|e| refuse(first, format!("its sweep config is invalid: {e}")))?;
    let all = parts(&cfg);
    if !missing.is_empty() {
        let parts_missing: Vec<usize> = missing
            .iter()
            .flat_map(|&index| Shard { index, count }.select(all.len()))
            .collect();
        return Err(ConfigError::invalid(
            "merge",
            &format!("all {count} shards of one sweep"),
            format!("a set without shard(s) {missing:?}, so without parts {parts_missing:?}"),
        )
        .into());
    }
    let mut results = Vec::new();
    for (path, shard, file) in stores {
        let expected = shard.select(all.len());
        let held: Vec<usize> = file.parts.iter().map(|p| p.index).collect();
        if held != expected {
            return Err(refuse(
                &path,
                format!("it holds parts {held:?}; shard {shard} of this sweep has {expected:?}"),
            )
            .into());
        }
        for p in file.parts {
            let part = &all[p.index];
            let at = |reason: String| {
                refuse(
                    &path,
                    format!("part {} ({}): {reason}", p.index, part.label()),
                )
            };
            if p.label != part.label() {
                return Err(at(format!("its label is {:?}", p.label)).into());
            }
            if !(p.seconds.is_finite() && p.seconds >= 0.0) {
                return Err(at(format!("its wall time is {} s", p.seconds)).into());
            }
            let shapes = part.shapes(&cfg);
            if p.tables.len() != shapes.len() {
                return Err(at(format!(
                    "{} tables, the part computes {}",
                    p.tables.len(),
                    shapes.len()
                ))
                .into());
            }
            let tables = p
                .tables
                .into_iter()
                .zip(&shapes)
                .map(|(t, shape)| {
                    let t = t.into_table()?;
                    shape.check(&t)?;
                    Ok(t)
                })
                .collect::<Result<Vec<Table>, String>>()
                .map_err(at)?;
            results.push(PartResult {
                index: p.index,
                seconds: p.seconds,
                tables,
            });
        }
    }
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
