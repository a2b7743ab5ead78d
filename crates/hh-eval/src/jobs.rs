//! Sharded experiments: the expensive jobs of an experiment binary (one training, one reference)
//! run here, on one shard of a cluster, or are read back from the shards' stores.
//!
//! An experiment computes every job through [`Jobs::run`], in a fixed order, before it builds
//! its report. With [`Plan::All`] each job runs here. With [`Plan::Shard`] a job runs only when its
//! position is this shard's (`position mod N = I`); its result is kept, the others are `None`,
//! and [`Jobs::finish_shard`] stores the kept results in `OUT.shard-I-of-N/jobs.json` (next to
//! where the report would go) instead of writing a report. With [`Plan::Merge`] no job runs: each result is read back from the
//! shards' stores by its key, so the report is built from exactly the numbers the shards
//! computed. Results are stored as JSON; every `f64` in them must be finite.

use hh_model::ConfigError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

use crate::shard::Shard;

/// The file of a shard directory that holds its job results.
pub const JOBS_FILE: &str = "jobs.json";

/// The command-line flags of a sharded experiment (`#[command(flatten)]` into its arguments).
#[derive(Clone, Debug, clap::Args)]
pub struct ShardArgs {
    /// Run only the I-th of N shards of the jobs (0 ≤ I < N) and store their results in
    /// OUT.shard-I-of-N/ for `--merge`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    pub shard: Option<Shard>,
    /// Build the report from the stores of all N shards (run with the same options).
    #[arg(long, num_args = 1.., value_name = "DIR", conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
}

impl ShardArgs {
    /// The plan these flags ask for.
    pub fn plan(&self) -> Result<Plan, ConfigError> {
        Plan::from_args(self.shard, self.merge.clone())
    }
}

/// Where the jobs of a run are computed.
#[derive(Clone, Debug)]
pub enum Plan {
    /// Every job, here.
    All,
    /// The jobs at positions `I mod N` only; the others are left to the other shards.
    Shard(Shard),
    /// None: the results are read from these shard directories.
    Merge(Vec<PathBuf>),
}

impl Plan {
    /// The plan of a command line's `--shard I/N` and `--merge DIR…` (at most one of them).
    pub fn from_args(shard: Option<Shard>, merge: Vec<PathBuf>) -> Result<Self, ConfigError> {
        match (shard, merge.is_empty()) {
            (None, true) => Ok(Plan::All),
            (Some(s), true) => Ok(Plan::Shard(s)),
            (None, false) => Ok(Plan::Merge(merge)),
            (Some(s), false) => Err(ConfigError::invalid(
                "shard",
                "absent when merging (--merge)",
                s,
            )),
        }
    }

    /// Where this run writes, for a report that otherwise goes to `base`: `base` itself, or
    /// `base.shard-I-of-N` for a shard.
    pub fn output(&self, base: &Path) -> PathBuf {
        match self {
            Plan::Shard(s) => {
                let mut name = base.as_os_str().to_owned();
                name.push(format!(".shard-{}-of-{}", s.index, s.count));
                PathBuf::from(name)
            }
            _ => base.to_owned(),
        }
    }
}

/// The jobs of one experiment run (see the module documentation).
pub struct Jobs {
    experiment: String,
    plan: Plan,
    position: usize,
    results: Map<String, Value>,
}

impl Jobs {
    /// The jobs of `experiment` under `plan`; when merging, reads and checks the shards' stores
    /// (all of one experiment, each shard once, all `N` of them).
    pub fn new(experiment: &str, plan: Plan) -> anyhow::Result<Self> {
        let mut results = Map::new();
        if let Plan::Merge(dirs) = &plan {
            let mut seen: Vec<(PathBuf, Shard)> = Vec::new();
            for dir in dirs {
                let path = dir.join(JOBS_FILE);
                let refuse = |reason: String| ConfigError::Unreadable {
                    field: "merge".into(),
                    path: path.clone(),
                    reason,
                };
                let bytes =
                    hh_model::input::read_bytes("merge", &path, crate::shard::MAX_SHARD_BYTES)?;
                let mut store: Map<String, Value> = serde_json::from_slice(&bytes)
                    .map_err(|e| refuse(format!("not a job store: {e}")))?;
                if store.get("experiment") != Some(&Value::from(experiment)) {
                    return Err(
                        refuse(format!("not a shard of the `{experiment}` experiment")).into(),
                    );
                }
                let shard: Shard = store
                    .get("shard")
                    .and_then(Value::as_str)
                    .ok_or_else(|| refuse("no shard".into()))?
                    .parse()
                    .map_err(|e| refuse(format!("its shard: {e}")))?;
                seen.push((path.clone(), shard));
                crate::shard::check_set(&seen)?;
                if let Some(Value::Object(r)) = store.remove("results") {
                    results.extend(r);
                }
            }
            let (count, missing) = crate::shard::check_set(&seen)?;
            if !missing.is_empty() {
                return Err(ConfigError::invalid(
                    "merge",
                    &format!("all {count} shard directories"),
                    format!("a set without shard(s) {missing:?}"),
                )
                .into());
            }
        }
        Ok(Self {
            experiment: experiment.to_owned(),
            plan,
            position: 0,
            results,
        })
    }

    /// Whether this run computes only a shard (and writes no report).
    pub fn is_shard(&self) -> bool {
        matches!(self.plan, Plan::Shard(_))
    }

    /// The result of the job `key` (unique within the run): computed by `job` when this process
    /// runs it, read back when merging, `None` when another shard runs it.
    pub fn run<T: Serialize + DeserializeOwned>(
        &mut self,
        key: &str,
        job: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        let position = self.position;
        self.position += 1;
        match &self.plan {
            Plan::All => job().map(Some),
            Plan::Shard(s) if position % s.count != s.index => Ok(None),
            Plan::Shard(_) => {
                let value = job()?;
                let stored = serde_json::to_value(&value)?;
                if self.results.insert(key.to_owned(), stored).is_some() {
                    anyhow::bail!("job {key} ran twice");
                }
                Ok(Some(value))
            }
            Plan::Merge(_) => {
                let stored = self.results.get(key).ok_or_else(|| {
                    anyhow::anyhow!(
                        "no shard holds job {key} (were the shards run with other options?)"
                    )
                })?;
                Ok(Some(serde_json::from_value(stored.clone())?))
            }
        }
    }

    /// In shard mode, writes the results of this shard to `dir` (its [`Plan::output`];
    /// atomically, with `manifest`) and returns `true`; otherwise does nothing and returns
    /// `false`.
    pub fn finish_shard(self, dir: &Path, manifest: hh_io::Manifest) -> anyhow::Result<bool> {
        let Plan::Shard(shard) = self.plan else {
            return Ok(false);
        };
        let out = hh_io::AtomicDir::new(dir)?;
        let store = serde_json::json!({
            "experiment": self.experiment,
            "shard": shard.to_string(),
            "jobs": self.position,
            "results": self.results,
        });
        std::fs::write(
            out.path().join(JOBS_FILE),
            serde_json::to_string(&store)? + "\n",
        )?;
        manifest
            .field("shard", &shard.to_string())
            .write(out.path())?;
        out.commit()?;
        Ok(true)
    }
}

/// The result of a job of a run that is not a shard (where every job ran or was merged).
pub fn ran<T>(result: Option<T>) -> anyhow::Result<T> {
    result.ok_or_else(|| anyhow::anyhow!("a job of this run has no result"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn squares(plan: Plan) -> (Vec<Option<f64>>, Jobs) {
        let mut jobs = Jobs::new("demo", plan).unwrap();
        let r = (0..5)
            .map(|i| {
                jobs.run(&format!("x{i}"), || Ok(0.1 * i as f64 * i as f64))
                    .unwrap()
            })
            .collect();
        (r, jobs)
    }

    #[test]
    fn merged_shards_give_back_every_result_exactly() {
        let root = tempfile::tempdir().unwrap();
        let mut dirs = Vec::new();
        for index in 0..2 {
            let plan = Plan::Shard(Shard { index, count: 2 });
            let dir = plan.output(&root.path().join("demo"));
            let (r, jobs) = squares(plan);
            assert_eq!(r.iter().filter(|v| v.is_some()).count(), [3, 2][index]);
            let m = hh_io::Manifest::new("demo", "0");
            assert!(jobs.finish_shard(&dir, m).unwrap());
            dirs.push(dir);
        }
        assert!(dirs[1].ends_with("demo.shard-1-of-2"));
        let (all, _) = squares(Plan::All);
        let (merged, _) = squares(Plan::Merge(dirs.clone()));
        assert_eq!(merged, all);
        // A missing shard is refused.
        assert!(Jobs::new("demo", Plan::Merge(dirs[..1].to_vec())).is_err());
        assert!(Jobs::new("other", Plan::Merge(dirs)).is_err());
    }
}
