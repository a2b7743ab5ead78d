//! Result tables: one type, written as Markdown (for the report), CSV and JSON.

use serde::Serialize;
use std::fmt::Write as _;

/// A cell: a number (printed with 4 significant digits in Markdown, full precision in CSV/JSON)
/// or text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Number(f64),
    Text(String),
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Cell::Number(v as f64)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl Cell {
    fn markdown(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(v) if v.is_nan() => "–".into(),
            Cell::Number(v) if v.fract() == 0.0 && v.abs() < 1e9 => format!("{v:.0}"),
            Cell::Number(v) if (1e-3..1e4).contains(&v.abs()) => format!("{v:.4}"),
            Cell::Number(v) => format!("{v:.3e}"),
        }
    }

    /// The cell in a CSV file. A text's commas become semicolons, its double quotes single
    /// ones and its line breaks spaces, so that every line splits at its commas into the columns,
    /// as `numpy.genfromtxt` (which knows no quoting) splits it; the JSON file keeps the text.
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.replace(',', ";").replace('"', "'").replace('\n', " "),
            Cell::Number(v) => format!("{v}"),
        }
    }
}

/// A table with the boundary mode and regularisation it refers to.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// File stem: `tables/<name>.csv` and `.json`.
    pub name: String,
    pub title: String,
    /// Boundary mode(s) of the rows, e.g. `dirichlet`.
    pub bc: String,
    /// Regularisation(s) of the rows, e.g. `lower`, or `lower and upper`.
    pub regularisation: String,
    /// A sentence on how to read it.
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Whether `s` is a plain identifier: ASCII letters, digits and `_`, not empty. Table names (file
/// stems) and column names are such identifiers, so that a name never reaches outside its
/// directory and a CSV header survives `numpy.genfromtxt(f, delimiter=',', names=True)` as it
/// is (numpy drops punctuation from names, and the delimiter inside a name splits it).
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Table {
    /// A table without rows. Panics unless `name` and every column are identifiers
    /// ([`is_identifier`]): they are the program's own constants (tables read from a file are
    /// checked before they are built, see [`crate::shard`]).
    pub fn new(name: &str, title: &str, bc: &str, regularisation: &str, columns: &[&str]) -> Self {
        assert!(
            is_identifier(name),
            "table name {name:?} is not an identifier"
        );
        for c in columns {
            assert!(
                is_identifier(c),
                "column {c:?} of table {name} is not an identifier"
            );
        }
        Self {
            name: name.into(),
            title: title.into(),
            bc: bc.into(),
            regularisation: regularisation.into(),
            note: String::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table's file in a report directory: `NAME.ext`.
    pub fn file_name(&self, ext: &str) -> String {
        debug_assert!(is_identifier(&self.name));
        format!("{}.{ext}", self.name)
    }

    pub fn note(mut self, note: &str) -> Self {
        self.note = note.into();
        self
    }

    /// The numbers of column `name`, one per row (NaN for text or a missing column).
    pub fn column(&self, name: &str) -> Vec<f64> {
        let i = self.columns.iter().position(|c| c == name);
        self.rows
            .iter()
            .map(|row| match i.map(|i| &row[i]) {
                Some(Cell::Number(v)) => *v,
                _ => f64::NAN,
            })
            .collect()
    }

    /// The texts of column `name`, one per row (numbers printed, empty for a missing column).
    pub fn column_text(&self, name: &str) -> Vec<String> {
        let i = self.columns.iter().position(|c| c == name);
        self.rows
            .iter()
            .map(|row| match i.map(|i| &row[i]) {
                Some(Cell::Text(s)) => s.clone(),
                Some(Cell::Number(v)) => v.to_string(),
                None => String::new(),
            })
            .collect()
    }

    /// Appends a row; panics if its length differs from the number of columns (a bug).
    pub fn push(&mut self, row: Vec<Cell>) {
        assert_eq!(
            row.len(),
            self.columns.len(),
            "table {}: row length",
            self.name
        );
        self.rows.push(row);
    }

    pub fn to_markdown(&self) -> String {
        let mut s = format!("### {}\n\n", self.title);
        let _ = writeln!(
            s,
            "Boundary mode: **{}**; regularisation: **{}**.",
            self.bc, self.regularisation
        );
        if !self.note.is_empty() {
            let _ = writeln!(s, "{}", self.note);
        }
        let _ = writeln!(s, "\n| {} |", self.columns.join(" | "));
        let _ = writeln!(s, "|{}|", vec![" --- "; self.columns.len()].join("|"));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::markdown).collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s
    }

    pub fn to_csv(&self) -> String {
        let mut s = self.columns.join(",") + "\n";
        for row in &self.rows {
            s += &row.iter().map(Cell::csv).collect::<Vec<_>>().join(",");
            s.push('\n');
        }
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("tables serialise") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_three_formats() {
        let mut t = Table::new("demo", "Demo", "dirichlet", "lower", &["a", "rel_l2"]);
        t.push(vec![0.1.into(), 0.012345678.into()]);
        t.push(vec!["x, y".into(), f64::NAN.into()]);
        let md = t.to_markdown();
        assert!(
            md.contains("| 0.1000 | 0.0123 |") && md.contains("**dirichlet**"),
            "{md}"
        );
        assert_eq!(t.to_csv(), "a,rel_l2\n0.1,0.012345678\nx; y,NaN\n");
        let json: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
        assert_eq!(json["columns"][1], "rel_l2");
        assert_eq!(json["regularisation"], "lower");
    }
}
