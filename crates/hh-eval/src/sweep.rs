//! Runs a sweep as a list of independent parts and assembles the report.
//!
//! A sweep is cut into [`Part`]s, each computing some rows of some tables from the config alone,
//! so the parts can run in any process in any order: [`run_sweep`] runs them all here; a
//! [`Shard`](crate::shard::Shard) runs every `N`-th of them (on a cluster, one array task per shard), and
//! [`assemble`] puts the tables of all parts back together, in the order of [`parts`]. The
//! report of a merged run therefore equals the unsharded one, row for row.

use std::time::Instant;

use hh_model::{BoundaryMode, ProblemConfig};

use crate::table::Cell;
use crate::{Report, SweepConfig, Table, fd, pinn};

/// The report's sections, in the order they appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    FdGridConvergence,
    FdKConvergence,
    Pinn,
    Waves,
    Nonuniqueness,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::FdGridConvergence,
        Section::FdKConvergence,
        Section::Pinn,
        Section::Waves,
        Section::Nonuniqueness,
    ];

    /// The key of the section's wall time in the manifest.
    pub fn timing_key(self) -> &'static str {
        match self {
            Section::FdGridConvergence => "fd_grid_convergence_s",
            Section::FdKConvergence => "fd_k_convergence_s",
            Section::Pinn => "pinn_s",
            Section::Waves => "waves_s",
            Section::Nonuniqueness => "nonuniqueness_s",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::FdGridConvergence => "FD reference and grid convergence",
            Section::FdKConvergence => "FD convergence in k and the non-uniqueness envelope",
            Section::Pinn => "PINN/DGM against the FD reference",
            Section::Waves => "Threshold and travelling waves (summary of results/waves/)",
            Section::Nonuniqueness => {
                "Non-uniqueness: the solution set of the inclusion (summary of results/nonuniqueness/)"
            }
        }
    }
}

/// One independently computable part of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// `u(T, centre)` of the FD references of one mode, every `a`.
    CentreValues { bc: BoundaryMode },
    /// Grid convergence in one mode.
    GridConvergence { bc: BoundaryMode },
    /// Convergence in `k` (and the envelope) in one mode.
    KConvergence { bc: BoundaryMode },
    /// One row of a PINN accuracy table: one preset at one threshold in one mode.
    PinnAccuracy {
        bc: BoundaryMode,
        preset: String,
        a: f64,
    },
    /// The PINN's convergence in `k` (one table: its rates need every slope).
    PinnK,
    /// The threshold table of the waves summary.
    Waves,
    /// The non-uniqueness summary.
    Nonuniqueness,
}

/// The parts of `cfg`, in the order in which their rows appear in the report.
pub fn parts(cfg: &SweepConfig) -> Vec<Part> {
    let mut parts: Vec<Part> = BoundaryMode::ALL
        .iter()
        .map(|&bc| Part::CentreValues { bc })
        .collect();
    parts.extend(
        cfg.grid_convergence
            .bc
            .iter()
            .map(|&bc| Part::GridConvergence { bc }),
    );
    parts.extend(
        cfg.k_convergence
            .bc
            .iter()
            .map(|&bc| Part::KConvergence { bc }),
    );
    for &bc in &cfg.pinn.bc {
        for preset in &cfg.pinn.presets {
            for &a in &cfg.a_values {
                parts.push(Part::PinnAccuracy {
                    bc,
                    preset: preset.clone(),
                    a,
                });
            }
        }
    }
    parts.push(Part::PinnK);
    if cfg.waves.is_some() {
        parts.push(Part::Waves);
    }
    if cfg.nonuniqueness.is_some() {
        parts.push(Part::Nonuniqueness);
    }
    parts
}

impl Part {
    /// The section of the report it belongs to.
    pub fn section(&self) -> Section {
        match self {
            Part::CentreValues { .. } | Part::GridConvergence { .. } => Section::FdGridConvergence,
            Part::KConvergence { .. } => Section::FdKConvergence,
            Part::PinnAccuracy { .. } | Part::PinnK => Section::Pinn,
            Part::Waves => Section::Waves,
            Part::Nonuniqueness => Section::Nonuniqueness,
        }
    }

    /// A short human-readable name (progress messages, shard files).
    pub fn label(&self) -> String {
        match self {
            Part::CentreValues { bc } => format!("FD references, {bc}"),
            Part::GridConvergence { bc } => format!("FD grid convergence, {bc}"),
            Part::KConvergence { bc } => format!("FD convergence in k, {bc}"),
            Part::PinnAccuracy { bc, preset, a } => format!("PINN {preset}, {bc}, a = {a}"),
            Part::PinnK => "PINN convergence in k".into(),
            Part::Waves => "threshold λ*".into(),
            Part::Nonuniqueness => "non-uniqueness".into(),
        }
    }

    /// The FD references it compares against (solved in parallel before the parts run).
    fn references(&self, cfg: &SweepConfig) -> Vec<ProblemConfig> {
        match self {
            Part::CentreValues { bc } => fd::centre_problems(&cfg.a_values, &[*bc]),
            Part::PinnAccuracy { bc, a, .. } => vec![pinn::accuracy_problem(*a, *bc)],
            Part::PinnK => pinn::k_problems(&cfg.pinn),
            _ => Vec::new(),
        }
    }

    /// Units of progress it reports.
    fn jobs(&self, cfg: &SweepConfig) -> usize {
        match self {
            Part::CentreValues { .. } => cfg.a_values.len(),
            Part::GridConvergence { .. } => {
                cfg.grid_convergence.k.len() * cfg.grid_convergence.levels
            }
            Part::KConvergence { .. } => {
                cfg.a_values.len()
                    * cfg.k_convergence.regularisation.len()
                    * (cfg.k_convergence.k.len() + 1)
            }
            Part::PinnAccuracy { .. } => 1,
            Part::PinnK => cfg.pinn.k_sweep.len(),
            Part::Waves => cfg.a_values.len() * cfg.waves.as_ref().map_or(0, |w| w.k.len()),
            Part::Nonuniqueness => BoundaryMode::ALL.len() + 2,
        }
    }

    /// Computes its tables (each holding only this part's rows).
    pub fn run(
        &self,
        cfg: &SweepConfig,
        bar: &indicatif::ProgressBar,
    ) -> anyhow::Result<Vec<Table>> {
        let grid = cfg.reference_grid;
        Ok(match self {
            Part::CentreValues { bc } => {
                vec![fd::centre_values(&cfg.a_values, &[*bc], grid, bar)?]
            }
            Part::GridConvergence { bc } => {
                let gc = crate::config::GridConvergence {
                    bc: vec![*bc],
                    ..cfg.grid_convergence.clone()
                };
                fd::grid_convergence(&gc, bar)?
            }
            Part::KConvergence { bc } => {
                let kc = crate::config::KConvergence {
                    bc: vec![*bc],
                    ..cfg.k_convergence.clone()
                };
                fd::k_convergence(&kc, &cfg.a_values, bar)?
            }
            Part::PinnAccuracy { bc, preset, a } => vec![pinn::accuracy_table(
                &cfg.pinn,
                *bc,
                std::slice::from_ref(preset),
                &[*a],
                grid,
                bar,
            )?],
            Part::PinnK => vec![pinn::k_table(&cfg.pinn, grid, bar)?],
            Part::Waves => {
                let w = cfg.waves.as_ref().expect("a waves part has a waves config");
                let d = crate::waves::Decision {
                    horizon: w.horizon,
                    h: w.h,
                    dt: 0.5 * w.h,
                };
                vec![crate::waves::threshold_table(&cfg.a_values, &w.k, &d, w.rel_tol, bar)?.0]
            }
            Part::Nonuniqueness => {
                let n = cfg
                    .nonuniqueness
                    .as_ref()
                    .expect("a non-uniqueness part has its config");
                vec![crate::nonuniqueness::summary_table(n, bar)?]
            }
        })
    }
}

/// What one of a part's tables must look like: a merge checks every stored table against it
/// ([`Shape::check`]), so a shard can add, drop or rename nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub name: String,
    pub columns: Vec<&'static str>,
    pub rows: usize,
    /// Columns whose numbers may be NaN ("does not apply", `–` in the report); the slope `k`
    /// may also be +∞. Every other number must be finite.
    pub may_be_missing: &'static [&'static str],
}

impl Shape {
    fn new(name: String, columns: &[&'static str], rows: usize) -> Self {
        Self {
            name,
            columns: columns.to_vec(),
            rows,
            may_be_missing: &[],
        }
    }

    fn missing(mut self, columns: &'static [&'static str]) -> Self {
        self.may_be_missing = columns;
        self
    }

    /// Why `t` is not a table of this shape, naming the row and column at fault.
    pub fn check(&self, t: &Table) -> Result<(), String> {
        if t.name != self.name {
            return Err(format!(
                "a table {:?} where {:?} belongs",
                t.name, self.name
            ));
        }
        if t.columns != self.columns {
            return Err(format!(
                "table {}: columns {:?}, expected {:?}",
                t.name, t.columns, self.columns
            ));
        }
        if t.rows.len() != self.rows {
            return Err(format!(
                "table {}: {} rows, this part of the sweep has {}",
                t.name,
                t.rows.len(),
                self.rows
            ));
        }
        for (i, row) in t.rows.iter().enumerate() {
            if row.len() != self.columns.len() {
                return Err(format!("table {}, row {i}: {} cells", t.name, row.len()));
            }
            for (cell, &column) in row.iter().zip(&self.columns) {
                let Cell::Number(v) = cell else { continue };
                let allowed = v.is_finite()
                    || (v.is_nan() && self.may_be_missing.contains(&column))
                    || (column == "k" && *v == f64::INFINITY);
                if !allowed {
                    return Err(format!(
                        "table {}, row {i}, column {column}: {v} is not a finite number",
                        t.name
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Part {
    /// The tables this part computes for `cfg`, in order, with their rows (this part's only).
    pub fn shapes(&self, cfg: &SweepConfig) -> Vec<Shape> {
        use crate::{fd, nonuniqueness, pinn, waves};
        let n_a = cfg.a_values.len();
        match self {
            Part::CentreValues { .. } => vec![
                Shape::new("fd_centre_values".into(), &fd::CENTRE_VALUES_COLUMNS, n_a)
                    .missing(&["margin", "estimated_error"]),
            ],
            Part::GridConvergence { bc } => {
                let gc = &cfg.grid_convergence;
                vec![
                    Shape::new(
                        format!("grid_convergence_{bc}"),
                        &fd::GRID_CONVERGENCE_COLUMNS,
                        gc.k.len() * (gc.levels - 1),
                    )
                    .missing(&["order_max_abs", "order_rel_l2"]),
                ]
            }
            Part::KConvergence { bc } => {
                let kc = &cfg.k_convergence;
                let mut shapes: Vec<Shape> = kc
                    .regularisation
                    .iter()
                    .map(|r| {
                        Shape::new(
                            format!("k_convergence_{bc}_{r}"),
                            &fd::K_CONVERGENCE_COLUMNS,
                            n_a * kc.k.len(),
                        )
                        .missing(&["rate_rel_l2", "rate_max_abs"])
                    })
                    .collect();
                if kc.regularisation.len() == 2 {
                    shapes.push(Shape::new(
                        format!("envelope_{bc}"),
                        &fd::ENVELOPE_COLUMNS,
                        n_a * (kc.k.len() + 1),
                    ));
                }
                shapes
            }
            Part::PinnAccuracy { bc, .. } => vec![
                Shape::new(format!("pinn_accuracy_{bc}"), &pinn::accuracy_columns(), 1)
                    .missing(&["time_to_1e_2_s"]),
            ],
            Part::PinnK => vec![
                Shape::new(
                    "pinn_k_convergence_dirichlet".into(),
                    &pinn::K_TABLE_COLUMNS,
                    cfg.pinn.k_sweep.len(),
                )
                .missing(&["rate_rel_l2"]),
            ],
            Part::Waves => vec![
                Shape::new(
                    "critical_amplitude".into(),
                    &waves::CRITICAL_AMPLITUDE_COLUMNS,
                    n_a * cfg.waves.as_ref().map_or(0, |w| w.k.len()),
                )
                .missing(&[
                    "lambda_lo",
                    "lambda_hi",
                    "lambda_star",
                    "front_speed_c_k",
                ]),
            ],
            Part::Nonuniqueness => vec![
                Shape::new(
                    "nonuniqueness_summary".into(),
                    &nonuniqueness::SUMMARY_COLUMNS,
                    nonuniqueness::SUMMARY_ROWS,
                )
                .missing(&["value"]),
            ],
        }
    }
}

/// The tables of one part, with its position in [`parts`] and its wall time.
#[derive(Clone, Debug)]
pub struct PartResult {
    pub index: usize,
    pub tables: Vec<Table>,
    pub seconds: f64,
}

/// Runs the parts of `cfg` at positions `indices`: first every FD reference they need, in
/// parallel, then the parts one after another (each PINN training uses every core).
pub fn run_parts(
    cfg: &SweepConfig,
    indices: &[usize],
    progress: bool,
) -> anyhow::Result<Vec<PartResult>> {
    let all = parts(cfg);
    let chosen: Vec<&Part> = indices.iter().map(|&i| &all[i]).collect();
    let bar = |n: usize, what: &str| {
        if progress {
            hh_cli::progress(n as u64, what)
        } else {
            indicatif::ProgressBar::hidden()
        }
    };
    let mut references: Vec<ProblemConfig> = Vec::new();
    for r in chosen.iter().flat_map(|p| p.references(cfg)) {
        if !references.contains(&r) {
            references.push(r);
        }
    }
    let b = bar(references.len(), "FD references");
    fd::prefetch_references(&references, cfg.reference_grid, &b)?;
    b.finish_and_clear();

    let b = bar(chosen.iter().map(|p| p.jobs(cfg)).sum(), "sweep");
    let mut results = Vec::new();
    for (&index, part) in indices.iter().zip(chosen) {
        b.set_message(part.label());
        let start = Instant::now();
        let tables = part.run(cfg, &b)?;
        results.push(PartResult {
            index,
            tables,
            seconds: start.elapsed().as_secs_f64(),
        });
    }
    b.finish_and_clear();
    Ok(results)
}

/// The report of `cfg` from the results of all its parts (in any order, each exactly once): the
/// rows of a table are those of its parts in the order of [`parts`].
pub fn assemble(
    name: &str,
    cfg: &SweepConfig,
    mut results: Vec<PartResult>,
) -> anyhow::Result<Report> {
    let all = parts(cfg);
    results.sort_by_key(|r| r.index);
    let indices: Vec<usize> = results.iter().map(|r| r.index).collect();
    if indices != (0..all.len()).collect::<Vec<_>>() {
        anyhow::bail!(
            "the shards hold parts {indices:?} of a sweep with {} parts: some are missing or repeated",
            all.len()
        );
    }
    let mut sections: Vec<(String, Vec<Table>)> = Vec::new();
    let mut manifest = hh_io::Manifest::new("hh-eval convergence", env!("CARGO_PKG_VERSION"))
        .field("profile", name)
        .config(cfg)
        .field("threads", &rayon::current_num_threads());
    let mut seconds = [0.0; Section::ALL.len()];
    for (part, result) in all.iter().zip(results) {
        // The tables a part computed are those it promises (what a merge checks shards against).
        let shapes = part.shapes(cfg);
        if result.tables.len() != shapes.len() {
            anyhow::bail!(
                "part {} computed {} tables, not {}",
                part.label(),
                result.tables.len(),
                shapes.len()
            );
        }
        for (t, shape) in result.tables.iter().zip(&shapes) {
            shape
                .check(t)
                .map_err(|e| anyhow::anyhow!("part {}: {e}", part.label()))?;
        }
        let title = part.section().title();
        seconds[part.section() as usize] += result.seconds;
        if sections.last().is_none_or(|(t, _)| t != title) {
            sections.push((title.to_owned(), Vec::new()));
        }
        let tables = &mut sections.last_mut().expect("pushed").1;
        for t in result.tables {
            match tables.iter_mut().find(|u| u.name == t.name) {
                Some(u) => {
                    // A table whose parts cover several modes names them all.
                    if !u.bc.split(", ").any(|b| b == t.bc) {
                        u.bc = format!("{}, {}", u.bc, t.bc);
                    }
                    u.rows.extend(t.rows);
                }
                None => tables.push(t),
            }
        }
    }
    for (section, s) in Section::ALL.into_iter().zip(seconds) {
        manifest = manifest.timing(section.timing_key(), s);
    }
    let preamble = vec![
        format!(
            "Generated by `cargo run -p hh-eval --bin convergence` (profile `{name}`); never edited by hand. \
             The problem is u_t − u_xx + u ∈ H(u − a) on (0, π) × (0, 1] with u(0, x) = 2 / cosh(10 (x − π/2)), \
             H regularised by H_k (`lower`: the paper's ramp on [a, a + 1/k); `upper`: on [a − 1/k, a)). Errors are \
             measured on the 128 × 128 evaluation grid (docs/model.md, \"Measures\"): rel_l2, max_abs, \
             rel_h1."
        ),
        "Reproducibility: the FD solver is deterministic, so a rerun on the same machine reproduces every FD \
         number bit for bit, and on another x86-64 machine to within 1e-12 relative. PINN numbers are \
         deterministic for the same seed, thread count and machine; across machines expect agreement to about \
         1e-3 relative in the errors (floating-point summation order in the matrix products)."
            .to_owned(),
    ];
    Ok(Report {
        name: "convergence".into(),
        title: "Convergence report: PINN/DGM vs finite differences".into(),
        preamble,
        sections,
        manifest,
    })
}

/// Runs every part of `cfg` (`name` is the profile or file it came from).
pub fn run_sweep(name: &str, cfg: &SweepConfig, progress: bool) -> anyhow::Result<Report> {
    let all: Vec<usize> = (0..parts(cfg).len()).collect();
    assemble(name, cfg, run_parts(cfg, &all, progress)?)
}
