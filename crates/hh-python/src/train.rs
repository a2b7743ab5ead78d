//! `hhpinn.pinn.train` and `hhpinn.fhn.train`: a training run as `hh-pinn train` and
//! `hh-fhn train` run it (a preset or a config, the same validation, the same published
//! directory), returning the network on the evaluation grid and the loss history as well.
//!
//! Training runs with the GIL released. After every step the run takes the GIL for a moment to
//! let Python handle signals: Ctrl-C stops it after that step, publishes what was trained (and
//! its last checkpoint, when checkpoints are asked for), then raises `KeyboardInterrupt`.

use crate::config::{Which, base, fhn_run, json, merge, nerve_run, to_json, typed};
use hh_cli::commands::{self, Published, TrainRun};
use hh_core::EvalGrid;
use hh_fhn::FhnConfig;
use hh_model::ProblemConfig;
use hh_pinn::{Control, LossRecord, Model, Observer, RunConfig, TrainOptions, Trainer};
use numpy::IntoPyArray;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Stops the run when Python has a pending signal (Ctrl-C), keeping the exception it raised.
#[derive(Default)]
struct Interrupt {
    raised: Option<PyErr>,
}

impl Observer for Interrupt {
    fn observe(&mut self, _: &LossRecord, _: &Trainer) -> Control {
        match Python::attach(|py| py.check_signals()) {
            Ok(()) => Control::Continue,
            Err(e) => {
                self.raised = Some(e);
                Control::Stop
            }
        }
    }
}

/// How to run, besides the config.
struct Options {
    threads: usize,
    quiet: bool,
    checkpoint_every: Option<usize>,
}

/// Trains `model` (`"nerve"` or `"fhn"`) and publishes `out`. The run is the `preset` (the
/// model's default when neither it nor `config` is given) or `config` (a dict shaped like a
/// config file, or its path), with `overrides` (`{"problem": {…}, "train": {…}}`) merged on top.
/// Returns a dict: `evals` (one 128 × 128 array per component), `eval_t`, `eval_x`, `loss`
/// (a dict of columns, as `loss.csv`), `out` (the directory written), `termination`, `steps`
/// and `config` (JSON text).
#[pyfunction]
#[pyo3(signature = (model, out, preset, config, overrides, threads=0, quiet=true, checkpoint_every=None))]
#[allow(clippy::too_many_arguments)]
pub fn train<'py>(
    py: Python<'py>,
    model: &str,
    out: PathBuf,
    preset: Option<String>,
    config: Option<Bound<'py, PyAny>>,
    overrides: Bound<'py, PyDict>,
    threads: usize,
    quiet: bool,
    checkpoint_every: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    if preset.is_some() && config.is_some() {
        return Err(PyValueError::new_err(
            "invalid `preset`: give a preset or a config, not both",
        ));
    }
    let overrides = to_json(overrides.as_any(), "")?;
    let options = Options {
        threads,
        quiet,
        checkpoint_every,
    };
    let preset = preset.as_deref();
    match Which::parse(model)? {
        Which::Nerve => {
            let mut value = base(config.as_ref(), || nerve_run(preset))?;
            merge(&mut value, overrides);
            let run: RunConfig<ProblemConfig> = typed(value)?;
            publish(py, &out, &run, preset, &options, |p| {
                let files = match p.formulation {
                    hh_model::Formulation::Regularised => vec!["eval.npy".into()],
                    hh_model::Formulation::Inclusion => {
                        vec!["eval.npy".into(), "eval_d.npy".into()]
                    }
                };
                Ok((p.model()?, files))
            })
        }
        Which::Fhn => {
            // FitzHugh–Nagumo's presets depend on the problem: pose it first.
            let run: RunConfig<FhnConfig> = match config {
                Some(c) => {
                    let mut value = base(Some(&c), || fhn_run(None, FhnConfig::default()))?;
                    merge(&mut value, overrides);
                    typed(value)?
                }
                None => {
                    let mut problem = json(&FhnConfig::default());
                    merge(
                        &mut problem,
                        overrides.get("problem").cloned().unwrap_or(Value::Null),
                    );
                    let mut value = json(&fhn_run(preset, typed(problem)?)?);
                    merge(&mut value, overrides);
                    typed(value)?
                }
            };
            publish(py, &out, &run, preset, &options, |p| {
                let files = vec!["eval_u.npy".into(), "eval_v.npy".into()];
                Ok((Arc::new(p.build()?) as Model, files))
            })
        }
    }
}

/// Builds the model (`pose` gives it and its evaluation files), trains it with the GIL released
/// and publishes `out` as the tools do; converts the result for Python.
fn publish<'py, P: Serialize + Sync>(
    py: Python<'py>,
    out: &Path,
    run: &RunConfig<P>,
    preset: Option<&str>,
    options: &Options,
    pose: impl FnOnce(&P) -> anyhow::Result<(Model, Vec<String>)> + Send,
) -> PyResult<Bound<'py, PyDict>> {
    let mut interrupt = Interrupt::default();
    let (published, grid) = py
        .detach(|| -> anyhow::Result<(Published, EvalGrid)> {
            hh_io::check_output("out", out)?;
            let (model, eval_files) = pose(&run.problem)?;
            let grid = EvalGrid::paper(&model.domain());
            let checkpoint_dir = match options.checkpoint_every {
                Some(0) => {
                    return Err(hh_core::ConfigError::invalid(
                        "checkpoint_every",
                        "an integer ≥ 1",
                        0,
                    )
                    .into());
                }
                Some(_) => {
                    let dir = commands::checkpoint_dir_beside(out);
                    hh_io::check_output("checkpoint_dir", &dir)?;
                    Some(dir)
                }
                None => None,
            };
            let mut manifest = serde_json::Map::new();
            manifest.insert("preset".into(), Value::from(preset));
            manifest.insert("interface".into(), Value::from("python (hhpinn)"));
            let spec = TrainRun {
                tool: "hhpinn train",
                version: env!("CARGO_PKG_VERSION"),
                model,
                run,
                options: TrainOptions {
                    checkpoint_dir,
                    checkpoint_every: options.checkpoint_every.unwrap_or(0),
                    threads: options.threads,
                    ..Default::default()
                },
                eval_files,
                manifest,
                quiet: options.quiet,
            };
            Ok((
                commands::train_observed(spec, out, &mut [&mut interrupt])?,
                grid,
            ))
        })
        .map_err(crate::to_py)?;
    if let Some(raised) = interrupt.raised {
        return Err(if raised.is_instance_of::<PyKeyboardInterrupt>(py) {
            PyKeyboardInterrupt::new_err(format!(
                "training stopped after {} steps; what was trained is in {}",
                published.steps,
                published.dir.display()
            ))
        } else {
            raised
        });
    }
    to_python(py, published, grid, run)
}

/// The published run as the dict [`train`] returns.
fn to_python<'py, P: Serialize>(
    py: Python<'py>,
    published: Published,
    grid: EvalGrid,
    run: &RunConfig<P>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let evals = PyList::new(py, published.eval.into_iter().map(|a| a.into_pyarray(py)))?;
    out.set_item("evals", evals)?;
    out.set_item("eval_t", grid.t.into_pyarray(py))?;
    out.set_item("eval_x", grid.x.into_pyarray(py))?;
    let loss = PyDict::new(py);
    let rows: Vec<_> = published.history.iter().map(LossRecord::values).collect();
    for (j, name) in LossRecord::COLUMNS.iter().enumerate() {
        let column: Vec<f64> = rows.iter().map(|r| r[j]).collect();
        loss.set_item(*name, column.into_pyarray(py))?;
    }
    out.set_item("loss", loss)?;
    out.set_item("out", published.dir)?;
    out.set_item(
        "termination",
        json(&published.termination).as_str().unwrap_or_default(),
    )?;
    out.set_item("steps", published.steps)?;
    out.set_item("config", json(run).to_string())?;
    Ok(out)
}
