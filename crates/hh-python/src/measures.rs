//! `hhpinn.measures`: the error measures of every report (`hh_eval::metrics::Errors`) for
//! arrays from Python.

use hh_core::ConfigError;
use hh_eval::metrics::Errors;
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;

/// `(rel_l2, max_abs, rel_h1)` of `u` against `reference` (both `(n_t, n_x)`, rows are times,
/// `n_x ≥ 2`) on a grid of x-spacing `h > 0`:
///
/// ```text
/// rel_l2  = ‖u − ref‖₂ / ‖ref‖₂,   max_abs = max |u − ref|,
/// rel_h1  = √(Σ e² + Σ e_x²) / √(Σ ref² + Σ ref_x²),   e = u − ref
/// ```
/// (`e_x` by central differences inside, one-sided at the two ends).
#[pyfunction]
pub fn errors(
    u: PyReadonlyArray2<'_, f64>,
    reference: PyReadonlyArray2<'_, f64>,
    h: f64,
) -> PyResult<(f64, f64, f64)> {
    let (u, reference) = (u.as_array(), reference.as_array());
    let invalid = |field: &str, allowed: &str, got: String| {
        crate::to_py(ConfigError::invalid(field, allowed, got).into())
    };
    if u.shape() != reference.shape() {
        return Err(invalid(
            "u",
            &format!("the shape of ref, {:?}", reference.shape()),
            format!("an array of shape {:?}", u.shape()),
        ));
    }
    if u.ncols() < 2 {
        return Err(invalid(
            "u",
            "at least 2 points in x (columns)",
            u.ncols().to_string(),
        ));
    }
    if !(h.is_finite() && h > 0.0) {
        return Err(invalid("h", "a finite number > 0", h.to_string()));
    }
    for (name, a) in [("u", &u), ("ref", &reference)] {
        if let Some(i) = a.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                name,
                "finite values",
                format!("a non-finite value at flat index {i}"),
            ));
        }
    }
    if reference.iter().all(|&v| v == 0.0) {
        return Err(invalid(
            "ref",
            "not zero everywhere (the measures are relative)",
            "0".into(),
        ));
    }
    let e = Errors::of(u, reference, h);
    Ok((e.rel_l2, e.max_abs, e.rel_h1))
}
