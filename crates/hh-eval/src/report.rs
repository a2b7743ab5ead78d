//! The report: tables written as Markdown, CSV and JSON, with the run manifest, all at once.

use std::path::{Path, PathBuf};

use crate::table::Table;

/// Everything a `convergence` run produces.
pub struct Report {
    /// File stem: `out/<name>.md` and the tables in `out/<name>/`.
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
                    "\nData: [`{1}/{0}.csv`]({1}/{0}.csv), [`.json`]({1}/{0}.json)\n\n",
                    t.name, self.name
                );
            }
        }
        s
    }

    /// Writes `out/<name>.md` and `out/<name>/` (tables, manifest, structure). The
    /// directory is staged and swapped in whole; the Markdown file is replaced after it, so a run
    /// that fails leaves the previous results as they were.
    pub fn write(&self, out: &Path) -> anyhow::Result<PathBuf> {
        self.write_with(out, |_| Ok(()))
    }

    /// [`Report::write`], with `extra` writing further files (figures, grids) into the staged
    /// directory before it is swapped in.
    pub fn write_with(
        &self,
        out: &Path,
        extra: impl FnOnce(&Path) -> anyhow::Result<()>,
    ) -> anyhow::Result<PathBuf> {
        let md = out.join(format!("{}.md", self.name));
        if std::fs::symlink_metadata(&md).is_ok_and(|m| !m.is_file()) {
            anyhow::bail!(
                "refusing to replace {}: it is not a regular file",
                md.display()
            );
        }
        let dir = hh_io::AtomicDir::new(out.join(&self.name))?;
        extra(dir.path())?;
        for t in self.sections.iter().flat_map(|(_, ts)| ts) {
            std::fs::write(dir.path().join(format!("{}.csv", t.name)), t.to_csv())?;
            std::fs::write(dir.path().join(format!("{}.json", t.name)), t.to_json())?;
        }
        std::fs::write(
            dir.path().join("structure.json"),
            serde_json::to_string_pretty(&self.structure())? + "\n",
        )?;
        self.manifest.write(dir.path())?;
        let markdown = self.to_markdown();
        dir.commit()?;
        hh_io::write_atomic(&md, markdown)?;
        Ok(md)
    }
}
