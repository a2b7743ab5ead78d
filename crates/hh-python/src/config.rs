//! Configs from Python: a config (`None`, a dict shaped like a config file, or the path of a
//! TOML/JSON config file, read as the tools read `--config`) with keyword overrides merged
//! on top, then typed and validated by the same serde types the tools use.

use hh_cli::commands::SolveConfig;
use hh_fhn::FhnConfig;
use hh_model::{NervePreset, ProblemConfig};
use hh_pinn::RunConfig;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// The models the package poses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The nerve equation (`hh-model`).
    Nerve,
    /// FitzHugh–Nagumo (`hh-fhn`).
    Fhn,
}

impl Which {
    pub fn parse(name: &str) -> PyResult<Self> {
        match name {
            "nerve" => Ok(Self::Nerve),
            "fhn" => Ok(Self::Fhn),
            _ => Err(PyValueError::new_err(format!(
                "invalid `model` = {name}: must be nerve or fhn"
            ))),
        }
    }
}

/// A Python value as JSON: `None`, bools, ints, floats (`±inf` as the strings `"inf"`,
/// `"-inf"`, which `k` accepts; NaN refused), strings, path-like objects (as strings), lists,
/// tuples and dicts with string keys. `field` names the value in errors.
pub fn to_json(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Value> {
    let invalid = |what: &str| {
        PyValueError::new_err(format!(
            "invalid `{field}` = {}: {what}",
            obj.repr().map_or_else(|_| "?".into(), |r| r.to_string())
        ))
    };
    Ok(if obj.is_none() {
        Value::Null
    } else if obj.is_instance_of::<PyBool>() {
        Value::Bool(obj.extract()?)
    } else if obj.is_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::from(obj.extract::<u64>().map_err(|_| invalid("too large"))?),
        }
    } else if obj.is_instance_of::<PyFloat>() {
        let v: f64 = obj.extract()?;
        match v {
            f64::INFINITY => Value::from("inf"),
            f64::NEG_INFINITY => Value::from("-inf"),
            v if v.is_nan() => return Err(invalid("must be a number, not NaN")),
            v => Value::from(v),
        }
    } else if obj.is_instance_of::<PyString>() {
        Value::String(obj.extract()?)
    } else if obj.hasattr("dtype")? && obj.hasattr("item")? {
        // a numpy scalar (or a 0-d array): its Python value
        to_json(&obj.call_method0("item")?, field)?
    } else if obj.hasattr("__fspath__")? {
        let p: PathBuf = obj.extract()?;
        Value::String(p.to_string_lossy().into_owned())
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| invalid("dict keys must be strings"))?;
            let path = if field.is_empty() {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            map.insert(key, to_json(&v, &path)?);
        }
        Value::Object(map)
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: PyResult<Vec<Value>> = obj
            .try_iter()?
            .enumerate()
            .map(|(i, v)| to_json(&v?, &format!("{field}[{i}]")))
            .collect();
        Value::Array(items?)
    } else {
        return Err(invalid("not a number, string, bool, list or dict"));
    })
}

/// Merges `over` into `base`: objects key by key (recursively), anything else replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, o) => *b = o,
    }
}

/// `value` as a `T`, an error naming the field (`problem.a: invalid type …`) when it does not fit.
pub fn typed<T: DeserializeOwned>(value: Value) -> PyResult<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let reason = e.into_inner().to_string();
        PyValueError::new_err(if path.is_empty() || path == "." {
            format!("invalid config: {reason}")
        } else {
            format!("invalid `{path}`: {reason}")
        })
    })
}

/// `value` as JSON (the configs here always serialise).
pub fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The config the caller gave: `None` (then `default`), a dict shaped like the config file, or
/// the path of a TOML/JSON config file; missing fields take their defaults.
pub fn base<T: Serialize + DeserializeOwned>(
    config: Option<&Bound<'_, PyAny>>,
    default: impl FnOnce() -> PyResult<T>,
) -> PyResult<Value> {
    let typed_config: T = match config {
        None => default()?,
        Some(c) if c.is_instance_of::<PyDict>() => typed(to_json(c, "config")?)?,
        Some(c) => {
            let path: PathBuf = c.extract().map_err(|_| {
                PyValueError::new_err(
                    "invalid `config`: must be a dict or the path of a config file",
                )
            })?;
            hh_core::read_config(&path).map_err(|e| crate::to_py(e.into()))?
        }
    };
    Ok(json(&typed_config))
}

/// The config of a solve: `config` (see [`base`]) with the `problem` and `grid` overrides.
pub fn solve_value<P: Serialize + DeserializeOwned + Default>(
    config: Option<&Bound<'_, PyAny>>,
    overrides: Value,
) -> PyResult<SolveConfig<P>> {
    let mut value = base::<SolveConfig<P>>(config, || Ok(SolveConfig::default()))?;
    merge(&mut value, overrides);
    typed(value)
}

/// The default config of `model` for `kind` (`"solve"` or `"train"`, the latter for `preset`
/// or the model's default preset) as JSON text: what `hhpinn.*.defaults()` shows.
#[pyfunction]
#[pyo3(signature = (model, kind, preset=None))]
pub fn default_config(model: &str, kind: &str, preset: Option<&str>) -> PyResult<String> {
    let value = match (Which::parse(model)?, kind) {
        (Which::Nerve, "solve") => json(&SolveConfig::<ProblemConfig>::default()),
        (Which::Fhn, "solve") => json(&SolveConfig::<FhnConfig>::default()),
        (Which::Nerve, "train") => json(&nerve_run(preset)?),
        (Which::Fhn, "train") => json(&fhn_run(preset, FhnConfig::default())?),
        _ => {
            return Err(PyValueError::new_err(format!(
                "invalid `kind` = {kind}: must be solve or train"
            )));
        }
    };
    Ok(value.to_string())
}

/// The nerve problem's run for a preset (default `seed`), as `hh-pinn train --preset` poses it.
pub fn nerve_run(preset: Option<&str>) -> PyResult<RunConfig<ProblemConfig>> {
    let p: NervePreset = preset
        .unwrap_or("seed")
        .parse()
        .map_err(|e: hh_core::ConfigError| crate::to_py(e.into()))?;
    Ok(RunConfig {
        problem: p.problem(),
        train: p.config(),
    })
}

/// FitzHugh–Nagumo's run for a preset (default `front`) and a problem, as `hh-fhn train`
/// poses it (its presets depend on the problem).
pub fn fhn_run(preset: Option<&str>, problem: FhnConfig) -> PyResult<RunConfig<FhnConfig>> {
    let train = hh_fhn::presets::preset(preset.unwrap_or("front"), &problem)
        .map_err(|e| crate::to_py(e.into()))?;
    Ok(RunConfig { problem, train })
}

/// The names of `model`'s training presets (FitzHugh–Nagumo's own first, then hh-pinn's).
#[pyfunction]
pub fn presets(model: &str) -> PyResult<Vec<String>> {
    let pinn = hh_pinn::Preset::ALL
        .into_iter()
        .map(|p| p.name().to_owned());
    Ok(match Which::parse(model)? {
        Which::Nerve => NervePreset::all()
            .into_iter()
            .map(|p| p.name().to_owned())
            .collect(),
        Which::Fhn => hh_fhn::presets::PRESETS
            .iter()
            .map(|p| (*p).to_owned())
            .chain(pinn)
            .collect(),
    })
}
