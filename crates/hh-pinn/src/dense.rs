//! The fused Taylor-mode dense layer as one candle custom op (forward and analytic backward).
//!
//! `TaylorDense(h, θ)` computes `σ(h Wᵀ + b)` on the stacked streams of [`crate::kernels`], with
//! `W` (`n_out × n_in`, row-major) and `b` read from the flat parameter vector `θ`. One matmul
//! serves all streams; the bias is added to the value rows only. The backward returns the gradient
//! with respect to `h` (unless the input is data) and a full-length gradient for `θ` holding this
//! layer's `dW` and `db` (candle sums the layers' contributions).

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Result, Shape, Tensor};
use std::sync::Mutex;

use crate::kernels::{self, Activation, Elem};

/// Where a layer's parameters live in the flat vector `θ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerShape {
    pub n_in: usize,
    pub n_out: usize,
    /// Offset of `W` (`n_out × n_in`, row-major) in `θ`.
    pub w_off: usize,
    /// Offset of `b` (`n_out`) in `θ`.
    pub b_off: usize,
}

impl LayerShape {
    pub fn params(&self) -> usize {
        self.n_out * (self.n_in + 1)
    }
}

/// Row layout of the stacked streams: four Taylor blocks of `nt` rows, then `nv` value rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub nt: usize,
    pub nv: usize,
}

impl Rows {
    pub fn total(&self) -> usize {
        4 * self.nt + self.nv
    }
    /// Whether row `r` is a value row (the bias applies).
    fn value_ranges(&self) -> [std::ops::Range<usize>; 2] {
        [0..self.nt, 4 * self.nt..self.total()]
    }
}

/// One fused hidden (or output, with [`Activation::Identity`]) layer.
pub struct TaylorDense {
    pub shape: LayerShape,
    pub rows: Rows,
    pub act: Activation,
    /// False for the first layer, whose input is data: no input gradient is formed.
    pub input_grad: bool,
    /// Pre-activations kept from the forward pass for the backward pass.
    cache: Mutex<Option<CpuStorage>>,
}

impl TaylorDense {
    pub fn new(shape: LayerShape, rows: Rows, act: Activation, input_grad: bool) -> Self {
        Self {
            shape,
            rows,
            act,
            input_grad,
            cache: Mutex::new(None),
        }
    }

    fn fwd<T: Elem>(&self, h: &[T], theta: &[T]) -> (Vec<T>, Vec<T>) {
        let LayerShape {
            n_in,
            n_out,
            w_off,
            b_off,
        } = self.shape;
        let r = self.rows.total();
        let mut pre = vec![T::zero(); r * n_out];
        let w = &theta[w_off..w_off + n_in * n_out];
        // pre = h · Wᵀ: Wᵀ[i, o] = W[o, i] (row stride 1, column stride n_in).
        kernels::matmul(r, n_out, n_in, &mut pre, h, (n_in, 1), w, (1, n_in));
        let b = &theta[b_off..b_off + n_out];
        for range in self.rows.value_ranges() {
            for row in pre[range.start * n_out..range.end * n_out].chunks_exact_mut(n_out) {
                row.iter_mut().zip(b).for_each(|(z, &b)| *z += b);
            }
        }
        let mut out = vec![T::zero(); r * n_out];
        kernels::forward(self.act, &pre, &mut out, n_out, self.rows.nt);
        (pre, out)
    }

    fn bwd_impl<T: Elem>(
        &self,
        h: &[T],
        theta: &[T],
        pre: &[T],
        mut g: Vec<T>,
    ) -> (Option<Vec<T>>, Vec<T>) {
        let LayerShape {
            n_in,
            n_out,
            w_off,
            b_off,
        } = self.shape;
        let r = self.rows.total();
        kernels::backward(self.act, pre, &mut g, n_out, self.rows.nt);
        let mut dtheta = vec![T::zero(); theta.len()];
        // dW (n_out × n_in) = gᵀ · h.
        kernels::matmul(
            n_out,
            n_in,
            r,
            &mut dtheta[w_off..w_off + n_out * n_in],
            &g,
            (1, n_out),
            h,
            (n_in, 1),
        );
        let db = &mut dtheta[b_off..b_off + n_out];
        for range in self.rows.value_ranges() {
            for row in g[range.start * n_out..range.end * n_out].chunks_exact(n_out) {
                db.iter_mut().zip(row).for_each(|(d, &g)| *d += g);
            }
        }
        let dh = self.input_grad.then(|| {
            let mut dh = vec![T::zero(); r * n_in];
            let w = &theta[w_off..w_off + n_in * n_out];
            kernels::matmul(r, n_in, n_out, &mut dh, &g, (n_out, 1), w, (n_in, 1));
            dh
        });
        (dh, dtheta)
    }
}

fn contiguous<'a, T: Elem>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&s.as_slice::<T>()?[a..b]),
        None => candle_core::bail!("taylor-dense: non-contiguous input"),
    }
}

impl CustomOp2 for TaylorDense {
    fn name(&self) -> &'static str {
        "taylor-dense"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let r = self.rows.total();
        if l1.dims() != [r, self.shape.n_in] {
            candle_core::bail!(
                "taylor-dense: input {:?}, expected [{r}, {}]",
                l1.dims(),
                self.shape.n_in
            );
        }
        let (pre, out) = match candle_core::backend::BackendStorage::dtype(s1) {
            DType::F32 => {
                let (p, o) = self.fwd::<f32>(contiguous(s1, l1)?, contiguous(s2, l2)?);
                (CpuStorage::F32(p), CpuStorage::F32(o))
            }
            DType::F64 => {
                let (p, o) = self.fwd::<f64>(contiguous(s1, l1)?, contiguous(s2, l2)?);
                (CpuStorage::F64(p), CpuStorage::F64(o))
            }
            d => candle_core::bail!("taylor-dense: unsupported dtype {d:?}"),
        };
        *self.cache.lock().expect("cache lock") = Some(pre);
        Ok((out, Shape::from((r, self.shape.n_out))))
    }

    fn bwd(
        &self,
        arg1: &Tensor,
        arg2: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let cache = self.cache.lock().expect("cache lock");
        let Some(pre) = cache.as_ref() else {
            candle_core::bail!("taylor-dense: backward before forward")
        };
        let grad = grad_res.contiguous()?;
        let (h, theta) = (arg1.contiguous()?, arg2.contiguous()?);
        let (hs, hl) = h.storage_and_layout();
        let (ts, tl) = theta.storage_and_layout();
        let (gs, gl) = grad.storage_and_layout();
        let (
            candle_core::Storage::Cpu(hs),
            candle_core::Storage::Cpu(ts),
            candle_core::Storage::Cpu(gs),
        ) = (&*hs, &*ts, &*gs)
        else {
            candle_core::bail!("taylor-dense: CPU only")
        };
        macro_rules! run {
            ($t:ty, $p:expr) => {{
                let g = contiguous::<$t>(gs, gl)?.to_vec();
                let (dh, dt) = self.bwd_impl::<$t>(contiguous(hs, hl)?, contiguous(ts, tl)?, $p, g);
                let dev = arg1.device();
                let dh = match dh {
                    Some(v) => Some(Tensor::from_vec(v, arg1.shape(), dev)?),
                    None => None,
                };
                (dh, Tensor::from_vec(dt, arg2.shape(), dev)?)
            }};
        }
        let (dh, dt) = match pre {
            CpuStorage::F32(p) => run!(f32, p),
            CpuStorage::F64(p) => run!(f64, p),
            _ => candle_core::bail!("taylor-dense: unsupported dtype"),
        };
        Ok((dh, Some(dt)))
    }
}
