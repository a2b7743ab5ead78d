//! Checkpoints (safetensors + JSON config) and model files.
//!
//! A checkpoint directory holds `checkpoint.safetensors` (`theta`, `adam.m`, `adam.v`,
//! `adam.steps`, `step`, `rng.sampler`, and the loss `history` with the columns of
//! [`LossRecord::COLUMNS`]) and `config.json` (`{"train": TrainConfig, "model": description,
//! "sha256": digest}`), which the safetensors metadata repeats. The digest is SHA-256 over every
//! tensor's name, dtype, shape and bytes ([`digest`]). A checkpoint is untrusted input: loading
//! reads both files bounded and as regular files only, checks that they agree, that the digest
//! matches the tensors (one flipped bit is refused), and every tensor's dtype and shape, so a
//! damaged or foreign checkpoint is refused with a message rather than resumed from or a panic.
//! Safetensors metadata is a single key, so the bytes of a file are the same for the same
//! contents.

use candle_core::{DType, Device, Tensor};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

use crate::config::TrainConfig;
use crate::error::TrainError;
use crate::network::Mlp;
use crate::record::{LossRecord, State};

/// File names inside a checkpoint directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
pub const CONFIG_FILE: &str = "config.json";

/// The metadata key of model and checkpoint files.
pub const METADATA_KEY: &str = "hh_pinn";

/// What `config.json` holds: the training config and the model's description
/// ([`hh_core::ReactionDiffusion::describe`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedConfig {
    pub train: TrainConfig,
    pub model: serde_json::Value,
    /// [`digest`] of the checkpoint's tensors, in hex.
    pub sha256: String,
}

/// The largest `config.json` read: 16 MiB.
const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// The largest `checkpoint.safetensors` read: 64 GiB (a 4096-wide, 64-deep f64 network with its
/// Adam moments is about 26 GiB); the memory this process may use is checked as it is read.
const MAX_CHECKPOINT_BYTES: u64 = 64 << 30;

/// SHA-256 over the tensors `(name, dtype, shape, bytes)` in order, each field length-prefixed,
/// in hex: what a checkpoint's `sha256` holds.
pub fn digest<'a>(
    tensors: impl IntoIterator<Item = (&'a str, Dtype, &'a [usize], &'a [u8])>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    for (name, dtype, shape, data) in tensors {
        field(name.as_bytes());
        field(format!("{dtype:?}").as_bytes());
        field(
            &shape
                .iter()
                .flat_map(|d| (*d as u64).to_le_bytes())
                .collect::<Vec<u8>>(),
        );
        field(data);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A loaded checkpoint.
pub struct Saved {
    pub config: TrainConfig,
    pub model: serde_json::Value,
    pub state: State,
}

fn err(path: &Path, reason: impl std::fmt::Display) -> TrainError {
    TrainError::Checkpoint {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// Raw little-endian bytes of a float tensor, and its safetensors dtype.
fn bytes(t: &Tensor) -> candle_core::Result<(Dtype, Vec<usize>, Vec<u8>)> {
    let shape = t.dims().to_vec();
    let flat = t.flatten_all()?;
    Ok(match t.dtype() {
        DType::F32 => (
            Dtype::F32,
            shape,
            flat.to_vec1::<f32>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
        _ => (
            Dtype::F64,
            shape,
            flat.to_dtype(DType::F64)?
                .to_vec1::<f64>()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
    })
}

type Entry = (String, Dtype, Vec<usize>, Vec<u8>);

fn write_safetensors(path: &Path, entries: Vec<Entry>, metadata: String) -> Result<(), TrainError> {
    let views = entries
        .iter()
        .map(|(n, d, s, b)| {
            Ok((
                n.clone(),
                TensorView::new(*d, s.clone(), b).map_err(|e| err(path, e))?,
            ))
        })
        .collect::<Result<Vec<_>, TrainError>>()?;
    let meta = HashMap::from([(METADATA_KEY.to_owned(), metadata)]);
    let data = safetensors::tensor::serialize(views, Some(meta)).map_err(|e| err(path, e))?;
    hh_io::write_atomic(path, data)?;
    Ok(())
}

fn config_json(config: &TrainConfig, model: &serde_json::Value, sha256: String) -> String {
    let saved = SavedConfig {
        train: config.clone(),
        model: model.clone(),
        sha256,
    };
    serde_json::to_string_pretty(&saved).expect("configs serialise")
}

/// Saves a checkpoint into `dir` (replaced atomically: a reader sees the old or the new one).
pub fn save(
    dir: &Path,
    config: &TrainConfig,
    model: &serde_json::Value,
    s: &State,
) -> Result<(), TrainError> {
    let out = hh_io::AtomicDir::new(dir)?;
    let mut entries = Vec::new();
    for (name, t) in [("theta", &s.theta), ("adam.m", &s.m), ("adam.v", &s.v)] {
        let (d, shape, b) = bytes(t)?;
        entries.push((name.to_owned(), d, shape, b));
    }
    let u64s = |v: &[u64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    entries.push((
        "adam.steps".into(),
        Dtype::U64,
        vec![1],
        u64s(&[s.adam_steps as u64]),
    ));
    entries.push(("step".into(), Dtype::U64, vec![1], u64s(&[s.step as u64])));
    entries.push(("rng.sampler".into(), Dtype::U64, vec![4], u64s(&s.rng)));
    if let Some(first) = s.frozen.first() {
        let data = s
            .frozen
            .iter()
            .flatten()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        entries.push((
            "frozen".into(),
            Dtype::F64,
            vec![s.frozen.len(), first.len()],
            data,
        ));
    }
    let hist: Vec<u8> = s
        .history
        .iter()
        .flat_map(|r| r.values())
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let columns = LossRecord::COLUMNS.len();
    entries.push((
        "history".into(),
        Dtype::F64,
        vec![s.history.len(), columns],
        hist,
    ));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let sha256 = digest(
        entries
            .iter()
            .map(|(n, d, s, b)| (n.as_str(), *d, s.as_slice(), b.as_slice())),
    );
    let cfg = config_json(config, model, sha256);
    write_safetensors(&out.path().join(CHECKPOINT_FILE), entries, cfg.clone())?;
    std::fs::write(out.path().join(CONFIG_FILE), cfg + "\n")?;
    out.commit()?;
    Ok(())
}

/// Reads `dir/config.json` alone (what a command line needs to rebuild the model).
pub fn load_config(dir: &Path) -> Result<SavedConfig, TrainError> {
    Ok(read_config(dir)?.0)
}

/// `dir/config.json` and its text.
fn read_config(dir: &Path) -> Result<(SavedConfig, String), TrainError> {
    let path = dir.join(CONFIG_FILE);
    let text =
        hh_core::input::read_text("resume", &path, MAX_CONFIG_BYTES).map_err(|e| err(&path, e))?;
    let saved = serde_json::from_str(&text).map_err(|e| err(&path, e))?;
    Ok((saved, text))
}

/// Loads a checkpoint saved by [`save`], checking every tensor's dtype and shape.
pub fn load(dir: &Path) -> Result<Saved, TrainError> {
    let (
        SavedConfig {
            train,
            model,
            sha256,
        },
        text,
    ) = read_config(dir)?;
    let path = dir.join(CHECKPOINT_FILE);
    let data = hh_core::input::read_bytes("resume", &path, MAX_CHECKPOINT_BYTES)
        .map_err(|e| err(&path, e))?;
    let st = SafeTensors::deserialize(&data).map_err(|e| err(&path, e))?;
    let (_, header) = SafeTensors::read_metadata(&data).map_err(|e| err(&path, e))?;
    let metadata = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(METADATA_KEY))
        .ok_or_else(|| err(&path, "no hh_pinn metadata"))?;
    if metadata.trim_end() != text.trim_end() {
        return Err(err(
            &path,
            format!("its metadata and {CONFIG_FILE} disagree"),
        ));
    }
    let mut names: Vec<String> = st.names().into_iter().map(str::to_owned).collect();
    names.sort();
    let views: Vec<(String, TensorView<'_>)> = names
        .into_iter()
        .map(|n| st.tensor(&n).map(|v| (n, v)))
        .collect::<Result<_, _>>()
        .map_err(|e| err(&path, e))?;
    let found = digest(
        views
            .iter()
            .map(|(n, v)| (n.as_str(), v.dtype(), v.shape(), v.data())),
    );
    if found != sha256 {
        return Err(err(
            &path,
            "its tensors do not match the checksum in config.json: the checkpoint is damaged",
        ));
    }
    let get = |name: &str| {
        st.tensor(name)
            .map_err(|e| err(&path, format!("{name}: {e}")))
    };
    let float = |name: &str| -> Result<Tensor, TrainError> {
        let v = get(name)?;
        let dev = Device::Cpu;
        if v.shape().len() != 1 {
            return Err(err(
                &path,
                format!("{name}: expected a vector, shape {:?}", v.shape()),
            ));
        }
        let t = match v.dtype() {
            Dtype::F32 => {
                let x: Vec<f32> = v
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                    .collect();
                Tensor::from_vec(x, v.shape(), &dev)?
            }
            Dtype::F64 => Tensor::from_vec(f64s(v.data()), v.shape(), &dev)?,
            d => return Err(err(&path, format!("{name}: unexpected dtype {d:?}"))),
        };
        Ok(t)
    };
    let u64s = |name: &str, len: usize| -> Result<Vec<u64>, TrainError> {
        let v = get(name)?;
        if v.dtype() != Dtype::U64 || v.shape() != [len] {
            return Err(err(
                &path,
                format!(
                    "{name}: expected {len} u64 values, found {:?} of shape {:?}",
                    v.dtype(),
                    v.shape()
                ),
            ));
        }
        Ok(v.data()
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    };
    let rng: [u64; 4] = u64s("rng.sampler", 4)?.try_into().expect("length checked");
    let h = get("history")?;
    let columns = LossRecord::COLUMNS.len();
    if h.dtype() != Dtype::F64 || h.shape().len() != 2 || h.shape()[1] != columns {
        return Err(err(
            &path,
            format!(
                "history: expected f64 of shape (n, {columns}), found {:?} {:?}",
                h.dtype(),
                h.shape()
            ),
        ));
    }
    let history = f64s(h.data())
        .chunks_exact(columns)
        .map(|r| LossRecord::from_values(r.try_into().expect("row length")))
        .collect();
    let theta = float("theta")?;
    let frozen = match st.tensor("frozen") {
        Err(_) => Vec::new(),
        Ok(v) => {
            let params = theta.elem_count();
            if v.dtype() != Dtype::F64 || v.shape().len() != 2 || v.shape()[1] != params {
                return Err(err(
                    &path,
                    format!(
                        "frozen: expected f64 of shape (windows, {params}), found {:?} {:?}",
                        v.dtype(),
                        v.shape()
                    ),
                ));
            }
            let all = f64s(v.data());
            if !all.iter().all(|x| x.is_finite()) {
                return Err(err(&path, "frozen holds non-finite values"));
            }
            all.chunks_exact(params).map(<[f64]>::to_vec).collect()
        }
    };
    let state = State {
        theta,
        m: float("adam.m")?,
        v: float("adam.v")?,
        adam_steps: u64s("adam.steps", 1)?[0] as usize,
        step: u64s("step", 1)?[0] as usize,
        frozen,
        rng,
        history,
    };
    for (name, t) in [
        ("theta", &state.theta),
        ("adam.m", &state.m),
        ("adam.v", &state.v),
    ] {
        let finite = t
            .to_dtype(DType::F64)?
            .to_vec1::<f64>()?
            .iter()
            .all(|v| v.is_finite());
        if !finite {
            return Err(err(&path, format!("{name} holds non-finite values")));
        }
    }
    Ok(Saved {
        config: train,
        model,
        state,
    })
}

fn f64s(b: &[u8]) -> Vec<f64> {
    b.chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

/// Writes the networks' per-layer tensors, each name prefixed by its network's prefix (`""` for
/// a single network, `window.{j}.` for the time windows of a marched run), with the config and
/// model description as metadata (one key, [`METADATA_KEY`]: `{"format", "train", "model"}` as
/// JSON).
pub fn save_model(
    path: &Path,
    config: &TrainConfig,
    model: &serde_json::Value,
    nets: &[(&str, &Mlp)],
) -> Result<(), TrainError> {
    let mut entries = Vec::new();
    for (prefix, net) in nets {
        for (name, t) in net.named_tensors()? {
            let (d, shape, b) = bytes(&t)?;
            entries.push((format!("{prefix}{name}"), d, shape, b));
        }
    }
    let meta = serde_json::json!({
        "format": "hh-pinn mlp: layers.{i}.weight (n_out x n_in), layers.{i}.bias; inputs (x, t) mapped by train.network.normalise; hidden activation train.network.activation; one output N_i per component; u_i = A_i + B_i N_i per train.constraints; a run with train.march.windows = W > 1 holds W networks window.{j}.layers.{i}.*, window j on t in [j T/W, (j + 1) T/W] in its local time t - j T/W, A_i its previous window's u_i at its end (u0 for j = 0), B_i = ((t - j T/W) / (T/W)) D_i(x)",
        "train": config,
        "model": model,
    });
    write_safetensors(path, entries, meta.to_string())
}
