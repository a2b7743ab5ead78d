//! The native part of the Python package `hhpinn` (`python/`): the workspace's FD solvers, PINN
//! training, error measures and exact waves, behind the same configs and the same validation as
//! the command-line tools. The Python modules (`hhpinn.fd`, `hhpinn.fhn`, `hhpinn.pinn`,
//! `hhpinn.measures`, `hhpinn.waves`) give these functions their keywords, defaults and types.
//!
//! Errors: invalid input (a [`hh_core::ConfigError`] anywhere in the chain, or a config that does
//! not parse) raises `ValueError` naming the field; a run that fails raises `RuntimeError`.
//! Long work runs with the GIL released.

mod config;
mod measures;
mod solve;
mod train;
mod waves;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// An error of the workspace as Python sees it: `ValueError` for invalid input, `RuntimeError`
/// for a failed run; the message is the error chain, as the command-line tools print it.
pub(crate) fn to_py(e: anyhow::Error) -> PyErr {
    let text = hh_cli::error_message(&e);
    if hh_cli::is_invalid_input(&e) {
        PyValueError::new_err(text)
    } else {
        PyRuntimeError::new_err(text)
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(solve::solve, m)?)?;
    m.add_function(wrap_pyfunction!(train::train, m)?)?;
    m.add_function(wrap_pyfunction!(config::default_config, m)?)?;
    m.add_function(wrap_pyfunction!(config::presets, m)?)?;
    m.add_function(wrap_pyfunction!(measures::errors, m)?)?;
    m.add_function(wrap_pyfunction!(waves::front_speed, m)?)?;
    m.add_function(wrap_pyfunction!(waves::front_profile, m)?)?;
    m.add_function(wrap_pyfunction!(waves::standing_pulse, m)?)?;
    m.add_function(wrap_pyfunction!(waves::standing_pulse_eigenvalue, m)?)?;
    m.add_function(wrap_pyfunction!(waves::nagumo_speed, m)?)?;
    m.add_function(wrap_pyfunction!(waves::nagumo_front, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
