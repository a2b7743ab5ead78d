//! PINN sections of the report: each preset against the FD reference of the same problem, and
//! the PINN's convergence in `k` against the FD minimal solution `u_∞`.
//!
//! Every PINN number is `u_PINN − u_FD` on the 128 × 128 evaluation grid (`docs/model.md`,
//! "Measures"), with `u_FD` from [`hh_fd::reference`] (halving `h` and `Δt` changes it by less
//! than 1e-4 in max norm) or, for smoke runs, from a given grid.

use std::time::Instant;

use hh_fd::GridSize;
use hh_model::{BoundaryMode, EvalGrid, ProblemConfig, Regularisation, Slope};
use hh_pinn::{Control, LossRecord, Model, Observer, TrainConfig, TrainOptions, Trainer};
use ndarray::Array2;
use std::sync::Arc;

use crate::config::PinnSweep;
use crate::metrics::{Errors, rates};
use crate::table::{Cell, Table};

/// Columns of the table `pinn_k_convergence_dirichlet`.
pub const K_TABLE_COLUMNS: [&str; 8] = [
    "preset",
    "a",
    "k",
    "rel_l2_vs_fd_u_inf",
    "max_abs_vs_fd_u_inf",
    "rate_rel_l2",
    "rel_l2_vs_fd_u_k",
    "fd_rel_l2_u_k_vs_u_inf",
];

/// Columns of the tables `pinn_accuracy_<bc>`: preset, `a` and [`PinnRun::COLUMNS`].
pub fn accuracy_columns() -> Vec<&'static str> {
    [&["preset", "a"][..], &PinnRun::COLUMNS].concat()
}

/// The accuracy a "time to reach" column refers to (wall time to rel_l2 ≤ 1e-2; `docs/model.md`,
/// "Measures").
pub const TARGET_REL_L2: f64 = 1e-2;

/// The nerve problem `cfg` as a model for the trainer.
pub fn nerve_model(cfg: &ProblemConfig) -> anyhow::Result<Model> {
    Ok(Arc::new(cfg.build()?))
}

/// The largest rel_l2 over the components of `u` against `reference` (one grid per component).
pub fn worst_rel_l2(u: &[Array2<f64>], reference: &[Array2<f64>]) -> f64 {
    u.iter()
        .zip(reference)
        // rel_l2 does not depend on the grid spacing
        .map(|(u, r)| Errors::of(u.view(), r.view(), 1.0).rel_l2)
        .fold(0.0, f64::max)
}

/// Every `every` steps: rel_l2 of the current network against a reference (the worst
/// component's), and the training time (evaluations excluded) at which it first reached
/// [`TARGET_REL_L2`].
pub struct Tracker<'a> {
    reference: &'a [Array2<f64>],
    grid: EvalGrid,
    every: usize,
    start: Instant,
    paused: f64,
    /// `(step, rel_l2)` at each evaluation.
    pub curve: Vec<(usize, f64)>,
    /// `(step, seconds)` when rel_l2 ≤ [`TARGET_REL_L2`] was first seen.
    pub reached: Option<(usize, f64)>,
}

impl<'a> Tracker<'a> {
    /// Starts the clock; `reference` holds one grid per component.
    pub fn new(reference: &'a [Array2<f64>], grid: EvalGrid, every: usize) -> Self {
        Self {
            reference,
            grid,
            every: every.max(1),
            start: Instant::now(),
            paused: 0.0,
            curve: Vec::new(),
            reached: None,
        }
    }
}

impl Observer for Tracker<'_> {
    fn observe(&mut self, record: &LossRecord, trainer: &Trainer) -> Control {
        let step = record.step + 1;
        if step % self.every == 0 {
            let clock = self.start.elapsed().as_secs_f64() - self.paused;
            let t0 = Instant::now();
            let u = trainer.evaluate(&self.grid);
            let rel_l2 = worst_rel_l2(&u, self.reference);
            self.curve.push((step, rel_l2));
            if self.reached.is_none() && rel_l2 <= TARGET_REL_L2 {
                self.reached = Some((step, clock));
            }
            self.paused += t0.elapsed().as_secs_f64();
        }
        Control::Continue
    }
}

/// rel_l2 against a reference at geometrically spaced training times (evaluations excluded from
/// the clock): the time-to-accuracy curve of a run.
pub struct TimeCurve<'a> {
    reference: &'a [Array2<f64>],
    grid: EvalGrid,
    start: Instant,
    paused: f64,
    next: f64,
    factor: f64,
    /// `(training seconds, step, rel_l2)` at each evaluation.
    pub curve: Vec<(f64, usize, f64)>,
}

impl<'a> TimeCurve<'a> {
    /// Evaluates first after `first` seconds of training, then each time the clock has grown by
    /// `factor` (> 1).
    pub fn new(reference: &'a [Array2<f64>], grid: EvalGrid, first: f64, factor: f64) -> Self {
        Self {
            reference,
            grid,
            start: Instant::now(),
            paused: 0.0,
            next: first,
            factor: factor.max(1.01),
            curve: Vec::new(),
        }
    }

    /// Training seconds so far.
    pub fn clock(&self) -> f64 {
        self.start.elapsed().as_secs_f64() - self.paused
    }

    /// The first training time at which rel_l2 ≤ `target` was seen.
    pub fn time_to(&self, target: f64) -> Option<f64> {
        self.curve
            .iter()
            .find(|(_, _, e)| *e <= target)
            .map(|(t, _, _)| *t)
    }

    fn measure(&mut self, step: usize, trainer: &Trainer) {
        let clock = self.clock();
        let t0 = Instant::now();
        let u = trainer.evaluate(&self.grid);
        self.curve
            .push((clock, step, worst_rel_l2(&u, self.reference)));
        self.paused += t0.elapsed().as_secs_f64();
    }
}

impl Observer for TimeCurve<'_> {
    fn observe(&mut self, record: &LossRecord, trainer: &Trainer) -> Control {
        if self.clock() >= self.next {
            self.measure(record.step + 1, trainer);
            self.next = self.clock() * self.factor;
        }
        Control::Continue
    }
}

/// Trains `model` with `config` and records its [`TimeCurve`] against `reference`, ending with
/// the final network's error; returns the curve and the training seconds (evaluations excluded).
pub fn time_to_accuracy(
    model: Model,
    config: &TrainConfig,
    reference: &[Array2<f64>],
) -> anyhow::Result<(Vec<(f64, usize, f64)>, f64)> {
    let grid = EvalGrid::paper(&model.domain());
    let trainer = Trainer::new(model, config, &TrainOptions::default())?;
    let mut curve = TimeCurve::new(reference, grid.clone(), 0.05, 1.2);
    let trained = trainer.run(&mut [&mut curve])?;
    let seconds = trained.train_seconds() - curve.paused;
    let u = trained.evaluate(&grid);
    curve
        .curve
        .push((seconds, trained.steps(), worst_rel_l2(&u, reference)));
    Ok((curve.curve, seconds))
}

/// One trained network measured against its reference.
pub struct PinnRun {
    pub config: TrainConfig,
    /// `u_i` on the evaluation grid (rows t, columns x), one per component.
    pub u: Vec<Array2<f64>>,
    /// The measures of each component.
    pub errors: Vec<Errors>,
    pub steps: usize,
    pub train_seconds: f64,
    pub ms_per_step: f64,
    pub history: Vec<LossRecord>,
    /// `(step, rel_l2)` every `track_every` steps.
    pub curve: Vec<(usize, f64)>,
    /// Training seconds (evaluations excluded) to reach rel_l2 ≤ [`TARGET_REL_L2`].
    pub time_to_target: Option<f64>,
}

impl PinnRun {
    /// The measures of [`PinnRun::cells`], as table columns.
    pub const COLUMNS: [&'static str; 7] = [
        "rel_l2",
        "max_abs",
        "rel_h1",
        "steps",
        "train_s",
        "ms_per_step",
        "time_to_1e_2_s",
    ];

    /// Component `i`'s errors, steps, timings and the time to rel_l2 ≤ 1e-2 (– if never) as
    /// table cells.
    pub fn cells(&self, i: usize) -> Vec<Cell> {
        self.summary(i).cells()
    }

    /// Component `i`'s measures and timings, without the grids (what a table row needs).
    pub fn summary(&self, i: usize) -> PinnSummary {
        PinnSummary {
            errors: self.errors[i],
            steps: self.steps,
            train_seconds: self.train_seconds,
            ms_per_step: self.ms_per_step,
            time_to_target: self.time_to_target,
        }
    }
}

/// The measures and timings of one component of a [`PinnRun`]: the row of a table, small enough
/// to store (sharded experiments, [`crate::jobs`]).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PinnSummary {
    pub errors: Errors,
    pub steps: usize,
    pub train_seconds: f64,
    pub ms_per_step: f64,
    pub time_to_target: Option<f64>,
}

impl PinnSummary {
    /// The cells of [`PinnRun::COLUMNS`].
    pub fn cells(&self) -> Vec<Cell> {
        let e = &self.errors;
        vec![
            e.rel_l2.into(),
            e.max_abs.into(),
            e.rel_h1.into(),
            self.steps.into(),
            self.train_seconds.into(),
            self.ms_per_step.into(),
            self.time_to_target.unwrap_or(f64::NAN).into(),
        ]
    }
}

/// Trains `model` with `config` (no progress bar) and measures it against `reference` (one grid
/// per component), evaluating every `track_every` steps for the time-to-accuracy.
pub fn train_against(
    model: Model,
    config: &TrainConfig,
    reference: &[Array2<f64>],
    track_every: usize,
) -> anyhow::Result<PinnRun> {
    let grid = EvalGrid::paper(&model.domain());
    let trainer = Trainer::new(model, config, &TrainOptions::default())?;
    let mut tracker = Tracker::new(reference, grid.clone(), track_every);
    let trained = trainer.run(&mut [&mut tracker])?;
    let u = trained.evaluate(&grid);
    Ok(PinnRun {
        config: config.clone(),
        errors: u
            .iter()
            .zip(reference)
            .map(|(u, r)| Errors::of(u.view(), r.view(), grid.dx()))
            .collect(),
        u,
        steps: trained.steps(),
        train_seconds: trained.train_seconds() - tracker.paused,
        ms_per_step: 1e3 * (trained.train_seconds() - tracker.paused)
            / trained.steps().max(1) as f64,
        history: trained.history().to_vec(),
        curve: tracker.curve,
        time_to_target: tracker.reached.map(|(_, s)| s),
    })
}

/// The config of `preset` with the sweep's step override.
pub fn preset_config(sweep: &PinnSweep, preset: &str) -> anyhow::Result<TrainConfig> {
    let mut c = hh_model::presets::config(preset)?;
    if let Some(&s) = sweep.steps.get(preset) {
        c.steps = s;
    }
    c.validate()?;
    Ok(c)
}

/// The problem of the accuracy table: the paper's with threshold `a`, mode `bc`, `k = 5`, lower.
pub fn accuracy_problem(a: f64, bc: BoundaryMode) -> ProblemConfig {
    ProblemConfig::paper(a, bc, Slope::Finite(5.0), Regularisation::Lower)
}

/// The problems of the convergence in `k`: the listed slopes and `∞` (its limit).
pub fn k_problems(sweep: &PinnSweep) -> Vec<ProblemConfig> {
    sweep
        .k_sweep
        .iter()
        .chain([&Slope::Infinite])
        .map(|&k| {
            ProblemConfig::paper(
                sweep.k_sweep_a,
                BoundaryMode::Dirichlet,
                k,
                Regularisation::Lower,
            )
        })
        .collect()
}

/// The accuracy table of mode `bc`: one row per preset and `a` (in that order), each preset
/// trained with its seed against the FD [`reference`](crate::fd::reference) of the same problem.
pub fn accuracy_table(
    sweep: &PinnSweep,
    bc: BoundaryMode,
    presets: &[String],
    a_values: &[f64],
    reference_grid: Option<GridSize>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Table> {
    let mut t = Table::new(
        &format!("pinn_accuracy_{bc}"),
        &format!("PINN accuracy against FD, {bc}, k = 5"),
        bc.name(),
        "lower",
        &accuracy_columns(),
    )
    .note(&format!(
        "Each preset trained with its seed (0) for the problem with threshold a, against the FD reference of the same \
         problem (a, k = 5, lower, {bc}). train_s and ms_per_step exclude the evaluations every {} steps that find \
         time_to_1e_2_s, the training time at which rel_l2 first reached 1e-2 (– if never). Timings are of this run \
         on this machine: see the manifest.",
        sweep.track_every
    ));
    for preset in presets {
        for &a in a_values {
            bar.set_message(format!("PINN {preset}, {bc}, a = {a}"));
            let cfg = preset_config(sweep, preset)?;
            let problem = accuracy_problem(a, bc);
            let reference = crate::fd::reference(&problem, reference_grid)?;
            let run = train_against(
                nerve_model(&problem)?,
                &cfg,
                std::slice::from_ref(&reference.eval),
                sweep.track_every,
            )?;
            t.push([vec![preset.as_str().into(), a.into()], run.cells(0)].concat());
            bar.inc(1);
        }
    }
    Ok(t)
}

/// The PINN's convergence in `k` (preset `k_sweep_preset`, dirichlet, `a = k_sweep_a`) against
/// the FD minimal solution `u_∞`.
pub fn k_table(
    sweep: &PinnSweep,
    reference_grid: Option<GridSize>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Table> {
    let (a, bc) = (sweep.k_sweep_a, BoundaryMode::Dirichlet);
    let problem = |k| ProblemConfig::paper(a, bc, k, Regularisation::Lower);
    let limit = crate::fd::reference(&problem(Slope::Infinite), reference_grid)?;
    let mut t = Table::new(
        "pinn_k_convergence_dirichlet",
        &format!("PINN convergence in k, dirichlet, preset {}, a = {a}", sweep.k_sweep_preset),
        bc.name(),
        "lower",
        &K_TABLE_COLUMNS,
    )
    .note(
        "The PINN for H_k against the FD minimal solution u_∞ (k = ∞, lower): its error is the regularisation error \
         ‖u_k − u_∞‖ (the FD column) plus the network's own error (against FD u_k). rate = log₂(e_k / e_next) over \
         the listed slopes (a rate per doubling only where they double).",
    );
    let mut rows = Vec::new();
    for &k in &sweep.k_sweep {
        bar.set_message(format!("PINN {}, k = {k}", sweep.k_sweep_preset));
        let cfg = preset_config(sweep, &sweep.k_sweep_preset)?;
        let own = crate::fd::reference(&problem(k), reference_grid)?;
        let model = nerve_model(&problem(k))?;
        let run = train_against(
            model,
            &cfg,
            std::slice::from_ref(&own.eval),
            sweep.track_every,
        )?;
        let vs_limit = Errors::of(run.u[0].view(), limit.eval.view(), limit.h);
        let fd = Errors::of(own.eval.view(), limit.eval.view(), limit.h);
        rows.push((k, vs_limit, run.errors[0], fd));
        bar.inc(1);
    }
    let r = rates(&rows.iter().map(|r| r.1.rel_l2).collect::<Vec<_>>());
    for (i, (k, vs_limit, own, fd)) in rows.into_iter().enumerate() {
        t.push(vec![
            sweep.k_sweep_preset.as_str().into(),
            a.into(),
            Cell::Text(k.to_string()),
            vs_limit.rel_l2.into(),
            vs_limit.max_abs.into(),
            r.get(i).copied().unwrap_or(f64::NAN).into(),
            own.rel_l2.into(),
            fd.rel_l2.into(),
        ]);
    }
    Ok(t)
}
