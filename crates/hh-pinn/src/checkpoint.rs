//! Checkpoints (safetensors + JSON config) and model files.

use candle_core::{DType, Device, Tensor};
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::HashMap;
use std::path::Path;

use crate::config::TrainConfig;
use crate::network::Mlp;
use crate::train::{LossRecord, TrainError};

/// File names inside a checkpoint directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.safetensors";
pub const CONFIG_FILE: &str = "config.json";

/// Everything needed to continue a run exactly.
pub struct State {
    pub theta: Tensor,
    pub m: Tensor,
    pub v: Tensor,
    pub adam_steps: usize,
    pub step: usize,
    pub rng: [u64; 4],
    pub history: Vec<LossRecord>,
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

fn write_safetensors(
    path: &Path,
    entries: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>,
    metadata: HashMap<String, String>,
) -> Result<(), TrainError> {
    let views = entries
        .iter()
        .map(|(n, d, s, b)| {
            Ok((
                n.clone(),
                TensorView::new(*d, s.clone(), b).map_err(|e| err(path, e))?,
            ))
        })
        .collect::<Result<Vec<_>, TrainError>>()?;
    let data = safetensors::tensor::serialize(views, Some(metadata)).map_err(|e| err(path, e))?;
    hh_io::write_atomic(path, data)?;
    Ok(())
}

fn config_json(config: &TrainConfig) -> String {
    serde_json::to_string_pretty(config).expect("config serialises")
}

/// Saves a checkpoint into `dir` (replaced atomically: a reader sees the old or the new one).
pub fn save(dir: &Path, config: &TrainConfig, s: &State) -> Result<(), TrainError> {
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
    let hist: Vec<u8> = s
        .history
        .iter()
        .flat_map(|r| [r.step as f64, r.loss, r.pde, r.initial, r.boundary, r.lr])
        .flat_map(|v| v.to_le_bytes())
        .collect();
    entries.push(("history".into(), Dtype::F64, vec![s.history.len(), 6], hist));
    let cfg = config_json(config);
    let meta = HashMap::from([("config".to_owned(), cfg.clone())]);
    write_safetensors(&out.path().join(CHECKPOINT_FILE), entries, meta)?;
    std::fs::write(out.path().join(CONFIG_FILE), cfg + "\n")?;
    out.commit()?;
    Ok(())
}

/// Loads a checkpoint saved by [`save`].
pub fn load(dir: &Path) -> Result<(TrainConfig, State), TrainError> {
    let path = dir.join(CHECKPOINT_FILE);
    let data = std::fs::read(&path).map_err(|e| err(&path, e))?;
    let cfg_path = dir.join(CONFIG_FILE);
    let cfg_text = std::fs::read_to_string(&cfg_path).map_err(|e| err(&cfg_path, e))?;
    let config: TrainConfig = serde_json::from_str(&cfg_text).map_err(|e| err(&cfg_path, e))?;
    let st = SafeTensors::deserialize(&data).map_err(|e| err(&path, e))?;
    let get = |name: &str| {
        st.tensor(name)
            .map_err(|e| err(&path, format!("{name}: {e}")))
    };
    let float = |name: &str| -> Result<Tensor, TrainError> {
        let v = get(name)?;
        let dev = Device::Cpu;
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
    let u64s = |name: &str| -> Result<Vec<u64>, TrainError> {
        let v = get(name)?;
        if v.dtype() != Dtype::U64 {
            return Err(err(&path, format!("{name}: expected u64")));
        }
        Ok(v.data()
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    };
    let rng: [u64; 4] = u64s("rng.sampler")?
        .try_into()
        .map_err(|_| err(&path, "rng.sampler: expected 4 values"))?;
    let h = f64s(get("history")?.data());
    let history = h
        .chunks_exact(6)
        .map(|r| LossRecord {
            step: r[0] as usize,
            loss: r[1],
            pde: r[2],
            initial: r[3],
            boundary: r[4],
            lr: r[5],
        })
        .collect();
    let state = State {
        theta: float("theta")?,
        m: float("adam.m")?,
        v: float("adam.v")?,
        adam_steps: u64s("adam.steps")?[0] as usize,
        step: u64s("step")?[0] as usize,
        rng,
        history,
    };
    Ok((config, state))
}

fn f64s(b: &[u8]) -> Vec<f64> {
    b.chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

/// Writes the network's per-layer tensors with the config as metadata.
pub fn save_model(path: &Path, config: &TrainConfig, net: &Mlp) -> Result<(), TrainError> {
    let mut entries = Vec::new();
    for (name, t) in net.named_tensors()? {
        let (d, shape, b) = bytes(&t)?;
        entries.push((name, d, shape, b));
    }
    let meta = HashMap::from([
        ("config".to_owned(), config_json(config)),
        ("format".to_owned(), "hh-pinn mlp: layers.{i}.weight (n_out x n_in), layers.{i}.bias; inputs (x, t); hidden activation network.activation; output u = A + B N per constraints".to_owned()),
    ]);
    write_safetensors(path, entries, meta)
}
