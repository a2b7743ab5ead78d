//! The fully connected network `N(x, t)` and its Taylor-mode forward pass.
//!
//! All parameters live in one flat candle [`Var`] `θ` (layer after layer: `W` row-major
//! `n_out × n_in`, then `b`), so the optimiser updates a single buffer. The forward pass takes the
//! stacked inputs `[(x,t); (1,0); (0,1); (0,0); (x_v,t_v)]` — the value and the three derivative
//! seeds of `nt` Taylor points, then `nv` value-only points — and returns the stacked outputs
//! `[N; N_x; N_t; N_xx; N_v]` (`4 nt + nv` rows, one column).

use candle_core::{D, DType, Device, Result, Tensor, Var};
use serde::{Deserialize, Serialize};

use crate::dense::{LayerShape, Rows, TaylorDense};
use crate::kernels::Activation;
use crate::rng::Rng;

/// Architecture: `depth` hidden layers of `width` units (inputs `(x, t)`, one output).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    pub depth: usize,
    pub width: usize,
    pub activation: Activation,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            depth: 4,
            width: 50,
            activation: Activation::Silu,
        }
    }
}

/// How the Taylor streams are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// One fused custom op per layer (CPU); falls back to `plain` on other devices.
    #[default]
    Fused,
    /// Ordinary candle ops (any device; the reference the fused op is tested against).
    Plain,
}

/// The network: shapes, activation and the flat parameter vector.
#[derive(Clone, Debug)]
pub struct Mlp {
    layers: Vec<LayerShape>,
    act: Activation,
    theta: Var,
}

impl Mlp {
    /// Layer shapes for a config.
    pub fn shapes(cfg: &NetworkConfig) -> Vec<LayerShape> {
        let mut dims = vec![2];
        dims.extend(std::iter::repeat_n(cfg.width, cfg.depth));
        dims.push(1);
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
    pub fn init(cfg: &NetworkConfig, rng: &mut Rng, dtype: DType, device: &Device) -> Result<Self> {
        let layers = Self::shapes(cfg);
        let mut theta = Vec::with_capacity(layers.iter().map(LayerShape::params).sum());
        for l in &layers {
            let bound = 1.0 / (l.n_in as f64).sqrt();
            for _ in 0..l.params() {
                theta.push(rng.uniform_in(-bound, bound));
            }
        }
        let n = theta.len();
        let theta = Tensor::from_vec(theta, n, device)?.to_dtype(dtype)?;
        Self::from_theta(cfg, theta)
    }

    /// A network with given flat parameters.
    pub fn from_theta(cfg: &NetworkConfig, theta: Tensor) -> Result<Self> {
        let layers = Self::shapes(cfg);
        let n: usize = layers.iter().map(LayerShape::params).sum();
        if theta.dims() != [n] {
            candle_core::bail!("expected {n} parameters, got shape {:?}", theta.dims());
        }
        Ok(Self {
            layers,
            act: cfg.activation,
            theta: Var::from_tensor(&theta)?,
        })
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
        let mut data = Vec::with_capacity(2 * (4 * nt + nv));
        for (&x, &t) in x.iter().zip(t) {
            data.extend([x, t]);
        }
        data.extend(std::iter::repeat_n([1.0, 0.0], nt).flatten());
        data.extend(std::iter::repeat_n([0.0, 1.0], nt).flatten());
        data.extend(std::iter::repeat_n(0.0, 2 * nt));
        for (&x, &t) in xv.iter().zip(tv) {
            data.extend([x, t]);
        }
        let input =
            Tensor::from_vec(data, (4 * nt + nv, 2), self.device())?.to_dtype(self.dtype())?;
        Ok((input, Rows { nt, nv }))
    }

    /// Stacked outputs `[N; N_x; N_t; N_xx; N_v]` (`4 nt + nv` × 1).
    pub fn forward(&self, input: &Tensor, rows: Rows, kernel: Kernel) -> Result<Tensor> {
        let fused = kernel == Kernel::Fused && self.device().is_cpu();
        let theta = self.theta.as_tensor();
        let mut h = input.clone();
        for (i, &shape) in self.layers.iter().enumerate() {
            let act = self.act_of(i);
            h = if fused {
                h.apply_op2(theta, TaylorDense::new(shape, rows, act, i > 0))?
            } else {
                plain_layer(&h, theta, shape, rows, act)?
            };
        }
        Ok(h)
    }

    /// `N` at points `(x, t)` (value only, no graph kept).
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

/// The same layer as [`TaylorDense`] with ordinary candle ops.
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

/// Splits stacked outputs into `(N, N_x, N_t, N_xx, N_v)` column vectors.
pub fn split_streams(out: &Tensor, rows: Rows) -> Result<[Tensor; 5]> {
    let nt = rows.nt;
    let out = out.squeeze(D::Minus1)?;
    Ok([
        out.narrow(0, 0, nt)?,
        out.narrow(0, nt, nt)?,
        out.narrow(0, 2 * nt, nt)?,
        out.narrow(0, 3 * nt, nt)?,
        out.narrow(0, 4 * nt, rows.nv)?,
    ])
}
