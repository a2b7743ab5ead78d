//! The fully connected network `N(x, t) ∈ Rᵐ` and its Taylor-mode forward pass.
//!
//! All parameters live in one flat candle [`Var`] `θ` (layer after layer: `W` row-major
//! `n_out × n_in`, then `b`), so the optimiser updates a single buffer. The forward pass takes the
//! stacked inputs `[(x̂,t̂); (s_x,0); (0,s_t); (0,0); (x̂_v,t̂_v)]` — the value and the three
//! derivative seeds of `nt` Taylor points, then `nv` value-only points, with `(x̂, t̂)` the inputs
//! after the [`InputMap`] and `(s_x, s_t)` its slopes (the chain rule of the affine map) — and
//! returns the stacked outputs `[N; N_x; N_t; N_xx; N_v]` (`4 nt + nv` rows, one column per
//! component).

use candle_core::{DType, Device, Result, Tensor, Var};
use hh_core::Domain;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::dense::{Buffers, LayerShape, Rows, TaylorMlp};
use crate::kernels::Activation;
use crate::rng::Rng;

/// Architecture: `depth` hidden layers of `width` units; inputs `(x, t)`, one output per
/// component of the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub depth: usize,
    pub width: usize,
    pub activation: Activation,
    /// Map the inputs onto `[−1, 1]²` first ([`InputMap::onto_unit_square`]): needed when the
    /// domain is long (travelling waves); the paper's network takes `(x, t)` as they are.
    pub normalise: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            depth: 4,
            width: 50,
            activation: Activation::Silu,
            normalise: false,
        }
    }
}

/// The affine input map `x̂ = s_x (x − x_c)`, `t̂ = s_t (t − t_c)` applied before the first layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputMap {
    pub x_centre: f64,
    pub x_scale: f64,
    pub t_centre: f64,
    pub t_scale: f64,
}

impl InputMap {
    /// The identity.
    pub const IDENTITY: InputMap = InputMap {
        x_centre: 0.0,
        x_scale: 1.0,
        t_centre: 0.0,
        t_scale: 1.0,
    };

    /// `[x_min, x_max] × [0, T]` onto `[−1, 1]²`.
    pub fn onto_unit_square(d: &Domain) -> Self {
        Self {
            x_centre: 0.5 * (d.x_min + d.x_max),
            x_scale: 2.0 / d.length(),
            t_centre: 0.5 * d.t_end,
            t_scale: 2.0 / d.t_end,
        }
    }

    /// The map a config asks for on a domain.
    pub fn for_config(cfg: &NetworkConfig, d: &Domain) -> Self {
        if cfg.normalise {
            Self::onto_unit_square(d)
        } else {
            Self::IDENTITY
        }
    }

    fn apply(&self, x: f64, t: f64) -> [f64; 2] {
        if *self == Self::IDENTITY {
            return [x, t];
        }
        [
            self.x_scale * (x - self.x_centre),
            self.t_scale * (t - self.t_centre),
        ]
    }
}

/// The stacked outputs of [`Mlp::forward`] split by stream: each `rows × m` (`nt` rows for the
/// Taylor streams, `nv` for the value points).
#[derive(Clone, Debug)]
pub struct Streams {
    pub value: Tensor,
    pub x: Tensor,
    pub t: Tensor,
    pub xx: Tensor,
    /// `N` at the value-only points.
    pub points: Tensor,
}

/// How the Taylor streams are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// One fused custom op for the whole network (CPU); falls back to `plain` on other devices.
    #[default]
    Fused,
    /// Ordinary candle ops (any device; the reference the fused op is tested against).
    Plain,
}

/// The network: shapes, activation, input map and the flat parameter vector.
#[derive(Clone, Debug)]
pub struct Mlp {
    layers: Vec<LayerShape>,
    act: Activation,
    inputs: InputMap,
    theta: Var,
    /// The fused op's work buffers, reused from step to step.
    buffers: Arc<Buffers>,
}

impl Mlp {
    /// Layer shapes for a config with `outputs` components.
    pub fn shapes(cfg: &NetworkConfig, outputs: usize) -> Vec<LayerShape> {
        let mut dims = vec![2];
        dims.extend(std::iter::repeat_n(cfg.width, cfg.depth));
        dims.push(outputs);
        let mut off = 0;
        dims.windows(2)
            .map(|w| {
                let s = LayerShape {
                    n_in: w[0],
                    n_out: w[1],
                    w_off: off,
                    b_off: off + w[0] * w[1],
                };
                off += s.params();
                s
            })
            .collect()
    }

    /// PyTorch's default initialisation of `nn.Linear`: `W`, `b` ~ U(−1/√n_in, 1/√n_in).
    pub fn init(
        cfg: &NetworkConfig,
        outputs: usize,
        inputs: InputMap,
        rng: &mut Rng,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let layers = Self::shapes(cfg, outputs);
        let mut theta = Vec::with_capacity(layers.iter().map(LayerShape::params).sum());
        for l in &layers {
            let bound = 1.0 / (l.n_in as f64).sqrt();
            for _ in 0..l.params() {
                theta.push(rng.uniform_in(-bound, bound));
            }
        }
        let n = theta.len();
        let theta = Tensor::from_vec(theta, n, device)?.to_dtype(dtype)?;
        Self::from_theta(cfg, outputs, inputs, theta)
    }

    /// A network with given flat parameters.
    pub fn from_theta(
        cfg: &NetworkConfig,
        outputs: usize,
        inputs: InputMap,
        theta: Tensor,
    ) -> Result<Self> {
        let layers = Self::shapes(cfg, outputs);
        let n: usize = layers.iter().map(LayerShape::params).sum();
        if theta.dims() != [n] {
            candle_core::bail!("expected {n} parameters, got shape {:?}", theta.dims());
        }
        Ok(Self {
            layers,
            act: cfg.activation,
            inputs,
            theta: Var::from_tensor(&theta)?,
            buffers: Arc::default(),
        })
    }

    /// Sets the last layer's weights and biases of the outputs `first..` to zero (those outputs
    /// are then `0` everywhere).
    pub fn zero_outputs_from(&self, first: usize) -> Result<()> {
        let last = self.layers[self.layers.len() - 1];
        if first >= last.n_out {
            return Ok(());
        }
        let theta = self.theta.as_tensor();
        let mut host: Vec<f64> = theta.to_dtype(DType::F64)?.to_vec1()?;
        for o in first..last.n_out {
            let row = last.w_off + o * last.n_in;
            host[row..row + last.n_in].fill(0.0);
            host[last.b_off + o] = 0.0;
        }
        let n = host.len();
        self.theta
            .set(&Tensor::from_vec(host, n, theta.device())?.to_dtype(theta.dtype())?)
    }

    /// Number of outputs `m`.
    pub fn outputs(&self) -> usize {
        self.layers.last().expect("at least one layer").n_out
    }

    pub fn input_map(&self) -> InputMap {
        self.inputs
    }

    pub fn theta(&self) -> &Var {
        &self.theta
    }

    pub fn layers(&self) -> &[LayerShape] {
        &self.layers
    }

    pub fn num_params(&self) -> usize {
        self.theta.elem_count()
    }

    pub fn dtype(&self) -> DType {
        self.theta.dtype()
    }

    pub fn device(&self) -> &Device {
        self.theta.device()
    }

    fn act_of(&self, i: usize) -> Activation {
        if i + 1 == self.layers.len() {
            Activation::Identity
        } else {
            self.act
        }
    }

    /// Stacked inputs for `nt` Taylor points `(x, t)` and value points `(xv, tv)`.
    pub fn stack_inputs(
        &self,
        x: &[f64],
        t: &[f64],
        xv: &[f64],
        tv: &[f64],
    ) -> Result<(Tensor, Rows)> {
        let (nt, nv) = (x.len(), xv.len());
        let map = self.inputs;
        let mut data = Vec::with_capacity(2 * (4 * nt + nv));
        for (&x, &t) in x.iter().zip(t) {
            data.extend(map.apply(x, t));
        }
        data.extend(std::iter::repeat_n([map.x_scale, 0.0], nt).flatten());
        data.extend(std::iter::repeat_n([0.0, map.t_scale], nt).flatten());
        data.extend(std::iter::repeat_n(0.0, 2 * nt));
        for (&x, &t) in xv.iter().zip(tv) {
            data.extend(map.apply(x, t));
        }
        let input =
            Tensor::from_vec(data, (4 * nt + nv, 2), self.device())?.to_dtype(self.dtype())?;
        Ok((input, Rows { nt, nv }))
    }

    /// Stacked outputs `[N; N_x; N_t; N_xx; N_v]` (`4 nt + nv` × m).
    pub fn forward(&self, input: &Tensor, rows: Rows, kernel: Kernel) -> Result<Tensor> {
        let theta = self.theta.as_tensor();
        if kernel == Kernel::Fused && self.device().is_cpu() {
            let op = TaylorMlp::new(self.layers.clone(), rows, self.act, self.buffers.clone());
            return input.contiguous()?.apply_op2(theta, op);
        }
        let mut h = input.clone();
        for (i, &shape) in self.layers.iter().enumerate() {
            h = plain_layer(&h, theta, shape, rows, self.act_of(i))?;
        }
        Ok(h)
    }

    /// `N` at points `(x, t)` (value only, no graph kept): `n × m`, point after point.
    pub fn values(&self, x: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(x.len());
        for (xc, tc) in x.chunks(4096).zip(t.chunks(4096)) {
            let (input, rows) = self.stack_inputs(&[], &[], xc, tc)?;
            let y = self.forward(&input.detach(), rows, Kernel::Fused)?.detach();
            out.extend(y.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?);
        }
        Ok(out)
    }

    /// Named per-layer tensors `layers.{i}.weight` (`n_out × n_in`) and `layers.{i}.bias`, the
    /// layout of PyTorch's `nn.Sequential` of `nn.Linear`s.
    pub fn named_tensors(&self) -> Result<Vec<(String, Tensor)>> {
        let theta = self.theta.as_tensor().detach();
        let mut out = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            out.push((
                format!("layers.{i}.weight"),
                theta
                    .narrow(0, l.w_off, l.n_in * l.n_out)?
                    .reshape((l.n_out, l.n_in))?,
            ));
            out.push((
                format!("layers.{i}.bias"),
                theta.narrow(0, l.b_off, l.n_out)?,
            ));
        }
        Ok(out)
    }
}

/// One layer of [`TaylorMlp`] with ordinary candle ops.
fn plain_layer(
    h: &Tensor,
    theta: &Tensor,
    l: LayerShape,
    rows: Rows,
    act: Activation,
) -> Result<Tensor> {
    let w = theta
        .narrow(0, l.w_off, l.n_in * l.n_out)?
        .reshape((l.n_out, l.n_in))?;
    let b = theta.narrow(0, l.b_off, l.n_out)?.unsqueeze(0)?;
    let z = h.matmul(&w.t()?)?;
    let nt = rows.nt;
    let part = |i: usize, n: usize| z.narrow(0, i, n);
    let zv = part(0, nt)?.broadcast_add(&b)?;
    let zvv = part(4 * nt, rows.nv)?.broadcast_add(&b)?;
    let (zx, zt, zxx) = (part(nt, nt)?, part(2 * nt, nt)?, part(3 * nt, nt)?);
    let (s, d1, d2) = plain_act(&zv, act)?;
    let (svv, _, _) = plain_act(&zvv, act)?;
    let hx = (&d1 * &zx)?;
    let ht = (&d1 * &zt)?;
    let hxx = ((&d2 * zx.sqr()?)? + (&d1 * &zxx)?)?;
    Tensor::cat(&[&s, &hx, &ht, &hxx, &svv], 0)
}

/// `(σ, σ', σ'')` with candle ops.
fn plain_act(z: &Tensor, act: Activation) -> Result<(Tensor, Tensor, Tensor)> {
    Ok(match act {
        Activation::Silu => {
            let s = (z.neg()?.exp()? + 1.0)?.recip()?;
            let p = (&s * (1.0 - &s)?)?;
            let d1 = (&s + (z * &p)?)?;
            let d2 = (&p * ((z * (1.0 - (&s * 2.0)?)?)? + 2.0)?)?;
            ((z * &s)?, d1, d2)
        }
        Activation::Tanh => {
            let h = z.tanh()?;
            let d1 = (1.0 - h.sqr()?)?;
            let d2 = ((&h * &d1)? * -2.0)?;
            (h, d1, d2)
        }
        Activation::Identity => (z.clone(), z.ones_like()?, z.zeros_like()?),
    })
}

/// Splits stacked outputs into their [`Streams`].
pub fn split_streams(out: &Tensor, rows: Rows) -> Result<Streams> {
    let nt = rows.nt;
    Ok(Streams {
        value: out.narrow(0, 0, nt)?,
        x: out.narrow(0, nt, nt)?,
        t: out.narrow(0, 2 * nt, nt)?,
        xx: out.narrow(0, 3 * nt, nt)?,
        points: out.narrow(0, 4 * nt, rows.nv)?,
    })
}

impl NetworkConfig {
    /// Checks every field (named `network.*`).
    pub(crate) fn validate(&self) -> std::result::Result<(), hh_core::ConfigError> {
        let n = self;
        if !(1..=64).contains(&n.depth) {
            return Err(crate::config::invalid(
                "network.depth",
                "an integer in 1..=64",
                n.depth,
            ));
        }
        if !(1..=4096).contains(&n.width) {
            return Err(crate::config::invalid(
                "network.width",
                "an integer in 1..=4096",
                n.width,
            ));
        }
        if n.activation == crate::kernels::Activation::Identity {
            return Err(crate::config::invalid(
                "network.activation",
                "silu or tanh",
                "identity",
            ));
        }
        Ok(())
    }
}
