//! `hhpinn.waves`: the exact waves of the nerve equation at `k = ∞`, the front speed `c_k` of a
//! ramp by shooting (`hh_model::waves`), and the Nagumo front of FitzHugh–Nagumo's cubic
//! (`hh_fhn::waves`). Parameters are checked here, naming the field, because the formulas
//! themselves assume them valid.

use crate::config::to_json;
use hh_core::ConfigError;
use hh_model::waves as nerve;
use hh_model::{Regularisation, Slope};
use numpy::{IntoPyArray, PyArrayDyn, PyReadonlyArrayDyn};
use pyo3::prelude::*;
use serde_json::Value;

fn check(field: &str, value: f64, lo: f64, hi: f64) -> PyResult<f64> {
    if value > lo && value < hi {
        Ok(value)
    } else {
        let e = ConfigError::invalid(field, &format!("a number in ({lo}, {hi})"), value);
        Err(crate::to_py(e.into()))
    }
}

/// `k`: a number in `(0, 1e6]`, `inf` (a float or the string `"inf"`).
fn slope(k: &Bound<'_, PyAny>) -> PyResult<Slope> {
    let slope = match to_json(k, "k")? {
        Value::String(s) => s.parse::<Slope>(),
        Value::Number(n) => Slope::Finite(n.as_f64().unwrap_or(f64::NAN)).validate(),
        other => Err(ConfigError::invalid(
            "k",
            "a number in (0, 1e6], or `inf`",
            other,
        )),
    };
    slope.map_err(|e| crate::to_py(e.into()))
}

/// `f` applied to every element of `x`, in its shape.
fn map<'py>(
    py: Python<'py>,
    x: PyReadonlyArrayDyn<'py, f64>,
    f: impl Fn(f64) -> f64,
) -> Bound<'py, PyArrayDyn<f64>> {
    x.as_array().mapv(f).into_pyarray(py)
}

/// The speed of the front joining 1 (left) to 0 (right): at `k = ∞` the exact
/// `c(a) = (1 − 2a)/√(a(1 − a))`; for a ramp `H_k` (`regularisation` lower or upper), `c_k(a)`
/// by shooting on `U'' + c U' − U + H_k(U − a) = 0`. `a ∈ (0, 1)`.
#[pyfunction]
#[pyo3(signature = (a, k, regularisation="lower"))]
pub fn front_speed(a: f64, k: &Bound<'_, PyAny>, regularisation: &str) -> PyResult<f64> {
    let a = check("a", a, 0.0, 1.0)?;
    let k = slope(k)?;
    let r: Regularisation = regularisation
        .parse()
        .map_err(|e: ConfigError| crate::to_py(e.into()))?;
    Ok(nerve::front_speed_k(a, k, r))
}

/// The exact `k = ∞` front profile `U(ξ)` (`U(0) = a`, 1 at `−∞`, 0 at `+∞`) at every `ξ`;
/// the solution is `U(x − x₀ − c t)`. `a ∈ (0, 1)`.
#[pyfunction]
pub fn front_profile<'py>(
    py: Python<'py>,
    a: f64,
    xi: PyReadonlyArrayDyn<'py, f64>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let a = check("a", a, 0.0, 1.0)?;
    Ok(map(py, xi, |v| nerve::front_profile(a, v)))
}

/// The standing pulse `U(x)` centred at 0 (the critical nucleus at `k = ∞`), `a ∈ (0, ½)`.
#[pyfunction]
pub fn standing_pulse<'py>(
    py: Python<'py>,
    a: f64,
    x: PyReadonlyArrayDyn<'py, f64>,
) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
    let a = check("a", a, 0.0, 0.5)?;
    Ok(map(py, x, |v| nerve::standing_pulse(a, v)))
}

/// The standing pulse's one unstable eigenvalue `λ > 0`, `a ∈ (0, ½)`.
#[pyfunction]
pub fn standing_pulse_eigenvalue(a: f64) -> PyResult<f64> {
    Ok(nerve::standing_pulse_eigenvalue(check("a", a, 0.0, 0.5)?))
}

/// The Nagumo front's speed `c = (1 − 2a)/√2` for `u_t = u_xx + u(1 − u)(u − a)`, `a ∈ (0, 1)`.
#[pyfunction]
pub fn nagumo_speed(a: f64) -> PyResult<f64> {
    Ok(hh_fhn::nagumo_speed(check("a", a, 0.0, 1.0)?))
}

/// The Nagumo front profile `1 / (1 + e^{z/√2})` at every `z`; the solution is
/// `nagumo_front(x − x₀ − c t)`.
#[pyfunction]
pub fn nagumo_front<'py>(
    py: Python<'py>,
    z: PyReadonlyArrayDyn<'py, f64>,
) -> Bound<'py, PyArrayDyn<f64>> {
    map(py, z, hh_fhn::nagumo_front)
}
