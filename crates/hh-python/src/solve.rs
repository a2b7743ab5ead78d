//! `hhpinn.fd.solve` and `hhpinn.fhn.solve`: an FD solve as `hh-fd solve` and `hh-fhn solve` run
//! it (the same config, the same validation), returning arrays instead of files.

use crate::config::{Which, json, solve_value, to_json};
use hh_cli::commands::SolveConfig;
use hh_core::{EvalGrid, ModelConfig, Reaction, ReactionDiffusion};
use hh_fhn::FhnConfig;
use hh_model::ProblemConfig;
use ndarray::{Array1, Array2};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::time::Instant;

/// What a solve returns, before it becomes Python objects.
struct Solved {
    /// Per component, shape `(nt + 1, nx + 1)`, rows are times.
    fields: Vec<Array2<f64>>,
    /// Per component, on the 128 × 128 evaluation grid.
    evals: Vec<Array2<f64>>,
    t: Array1<f64>,
    x: Array1<f64>,
    grid: EvalGrid,
    stats: serde_json::Value,
    seconds: f64,
}

/// Solves `model` (`"nerve"` or `"fhn"`) posed by `config` with `overrides` (`{"problem": {…},
/// "grid": {…}}`) merged on top. Returns a dict: `fields` and `evals` (a list of arrays, one per
/// component), `t`, `x`, `eval_t`, `eval_x`, `config` (the validated config, as JSON text),
/// `stats` (JSON text) and `seconds`.
#[pyfunction]
#[pyo3(signature = (model, config, overrides))]
pub fn solve<'py>(
    py: Python<'py>,
    model: &str,
    config: Option<Bound<'py, PyAny>>,
    overrides: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyDict>> {
    let overrides = to_json(overrides.as_any(), "")?;
    match Which::parse(model)? {
        Which::Nerve => run(
            py,
            solve_value::<ProblemConfig>(config.as_ref(), overrides)?,
        ),
        Which::Fhn => run(py, solve_value::<FhnConfig>(config.as_ref(), overrides)?),
    }
}

/// Builds and validates the model and solves it with the GIL released.
fn run<P: ModelConfig + Sync>(
    py: Python<'_>,
    config: SolveConfig<P>,
) -> PyResult<Bound<'_, PyDict>> {
    let solved = py
        .detach(|| -> anyhow::Result<Solved> {
            let model = config.problem.build_model()?;
            config.grid.validate()?;
            let start = Instant::now();
            let sol = hh_fd::solve(&model, &config.grid)?;
            let seconds = start.elapsed().as_secs_f64();
            let grid = EvalGrid::paper(&model.domain());
            let m = model.components();
            let fields: Vec<Array2<f64>> = (0..m).map(|i| sol.values(i).to_owned()).collect();
            let evals: Vec<Array2<f64>> = (0..m).map(|i| sol.on_grid(&grid, i)).collect();
            for (i, (f, e)) in fields.iter().zip(&evals).enumerate() {
                hh_cli::ensure_finite(&format!("component {i}"), f.iter().chain(e.iter()))?;
            }
            Ok(Solved {
                fields,
                evals,
                t: sol.t().clone(),
                x: sol.x().clone(),
                grid,
                stats: json(&sol.stats),
                seconds,
            })
        })
        .map_err(crate::to_py)?;
    let out = PyDict::new(py);
    let arrays =
        |list: Vec<Array2<f64>>| PyList::new(py, list.into_iter().map(|a| a.into_pyarray(py)));
    out.set_item("fields", arrays(solved.fields)?)?;
    out.set_item("evals", arrays(solved.evals)?)?;
    out.set_item("t", solved.t.into_pyarray(py))?;
    out.set_item("x", solved.x.into_pyarray(py))?;
    out.set_item("eval_t", solved.grid.t.into_pyarray(py))?;
    out.set_item("eval_x", solved.grid.x.into_pyarray(py))?;
    out.set_item("config", json(&config).to_string())?;
    out.set_item("stats", solved.stats.to_string())?;
    out.set_item("seconds", solved.seconds)?;
    Ok(out)
}
