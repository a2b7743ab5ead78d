//! The report: tables written as Markdown, CSV and JSON, with the run manifest, all at once.
//!
//! A report is one directory, `OUT/` (for example `results/convergence/`): the Markdown report
//! [`REPORT_FILE`], every table as `NAME.csv` and `NAME.json`, `structure.json` and
//! `manifest.json`, plus whatever figures and grids the experiment adds. The directory is staged
//! and swapped in whole ([`hh_io::AtomicDir`]), so the report and its tables always come from
//! the same run.

use std::path::{Path, PathBuf};

use crate::table::Table;

/// The Markdown file of a report directory (shown by code hosts when the directory is opened).
pub const REPORT_FILE: &str = "README.md";

/// Everything a `convergence` run produces.
pub struct Report {
    /// The report's name (`convergence`, `accurate`, …): the default directory `results/<name>/`.
    pub name: String,
    pub title: String,
    /// Paragraphs before the tables (what was run, tolerances).
    pub preamble: Vec<String>,
    /// `(section heading, tables)`.
    pub sections: Vec<(String, Vec<Table>)>,
    pub manifest: hh_io::Manifest,
}

impl Report {
    /// `{table name: columns}`: what a test compares between the generator and `results/`.
    pub fn structure(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for t in self.sections.iter().flat_map(|(_, ts)| ts) {
            map.insert(t.name.clone(), serde_json::json!(t.columns));
        }
        serde_json::Value::Object(map)
    }

    pub fn to_markdown(&self) -> String {
        let mut s = format!("# {}\n\n", self.title);
        for p in &self.preamble {
            s += p;
            s += "\n\n";
        }
        for (heading, tables) in &self.sections {
            s += &format!("## {heading}\n\n");
            for t in tables {
                s += &t.to_markdown();
                s += &format!(
                    "\nData: [`{0}.csv`]({0}.csv), [`.json`]({0}.json)\n\n",
                    t.name
                );
            }
        }
        s
    }

    /// Writes the report directory `dir` (Markdown, tables, manifest, structure), swapped in
    /// whole: a run that fails leaves the previous report as it was. `dir` must be new, empty or
    /// a directory these tools wrote ([`hh_io::check_output`]).
    pub fn write(&self, dir: &Path) -> anyhow::Result<PathBuf> {
        self.write_with(dir, |_| Ok(()))
    }

    /// [`Report::write`], with `extra` writing further files (figures, grids) into the staged
    /// directory before it is swapped in.
    pub fn write_with(
        &self,
        dir: &Path,
        extra: impl FnOnce(&Path) -> anyhow::Result<()>,
    ) -> anyhow::Result<PathBuf> {
        let staged = hh_io::AtomicDir::new(dir)?;
        extra(staged.path())?;
        for t in self.sections.iter().flat_map(|(_, ts)| ts) {
            std::fs::write(staged.path().join(t.file_name("csv")), t.to_csv())?;
            std::fs::write(staged.path().join(t.file_name("json")), t.to_json())?;
        }
        std::fs::write(
            staged.path().join("structure.json"),
            serde_json::to_string_pretty(&self.structure())? + "\n",
        )?;
        std::fs::write(staged.path().join(REPORT_FILE), self.to_markdown())?;
        self.manifest.write(staged.path())?;
        let dir = staged.commit()?;
        Ok(dir.join(REPORT_FILE))
    }
}
