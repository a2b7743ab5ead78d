//! The fused Taylor-mode network as one candle custom op (forward and analytic backward).
//!
//! `TaylorMlp(h₀, θ)` applies every layer's `σ(h Wᵀ + b)` to the stacked streams of
//! [`crate::kernels`], with `W` (`n_out × n_in`, row-major) and `b` read from the flat parameter
//! vector `θ`. One matmul per layer serves all streams; the bias is added to the value rows only.
//! The backward returns the gradient of `θ` (the input is data and gets none).

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Result, Shape, Tensor};
use std::any::Any;
use std::sync::{Arc, Mutex};

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

/// Work buffers of [`TaylorMlp`] kept from one pass to the next: each forward pass would
/// otherwise allocate and zero (calloc) a fresh `R × width` buffer twice per layer, and each
/// backward pass two more, only to overwrite them. A buffer handed out holds stale values;
/// every user overwrites it whole.
#[derive(Default)]
pub struct Buffers(Mutex<Vec<Box<dyn Any + Send>>>);

impl std::fmt::Debug for Buffers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map_or(0, |b| b.len());
        write!(f, "Buffers({n} kept)")
    }
}

impl Buffers {
    /// A buffer of `len` elements with unspecified (finite or not) contents.
    fn take<T: Elem>(&self, len: usize) -> Vec<T> {
        let mut kept = self.0.lock().expect("buffer lock");
        let mut v = match kept.iter().rposition(|b| b.is::<Vec<T>>()) {
            Some(i) => *kept
                .swap_remove(i)
                .downcast::<Vec<T>>()
                .expect("checked type"),
            None => Vec::new(),
        };
        v.resize(len, T::zero());
        v
    }

    fn give<T: Elem>(&self, v: Vec<T>) {
        self.0.lock().expect("buffer lock").push(Box::new(v));
    }
}

/// The whole network `N(h₀; θ)` as one candle custom op: every layer's `σ(h Wᵀ + b)` on the
/// stacked streams, then one analytic backward pass that writes the gradient of all of `θ` into
/// a single buffer. Per layer candle ops would allocate, zero and sum a full-length `θ` gradient
/// for every layer and keep a graph node each; here the backward reuses two buffers for the
/// back-propagated `g`, and the input `h₀` (data) gets no gradient.
pub struct TaylorMlp {
    layers: Vec<LayerShape>,
    rows: Rows,
    /// Activation of the hidden layers (the output layer's is the identity).
    act: Activation,
    /// What the forward pass keeps for the backward pass.
    cache: Mutex<Option<Saved>>,
    buffers: Arc<Buffers>,
}

/// One hidden layer's intermediates from the forward pass.
struct Hidden<T> {
    /// Pre-activations `z` (`R × n_out`).
    pre: Vec<T>,
    /// Output `h = σ(z)` on the streams: the next layer's input.
    out: Vec<T>,
}

/// The hidden layers' intermediates, in the op's float type.
enum Saved {
    F32(Vec<Hidden<f32>>),
    F64(Vec<Hidden<f64>>),
}

impl TaylorMlp {
    /// The op for a network's layers; its work buffers come from and go back to `buffers`.
    pub fn new(
        layers: Vec<LayerShape>,
        rows: Rows,
        act: Activation,
        buffers: Arc<Buffers>,
    ) -> Self {
        Self {
            layers,
            rows,
            act,
            cache: Mutex::new(None),
            buffers,
        }
    }

    fn act_of(&self, i: usize) -> Activation {
        if i + 1 == self.layers.len() {
            Activation::Identity
        } else {
            self.act
        }
    }

    /// `z = h Wᵀ + b` of one layer (`b` on the value rows only), written over `pre` (`R × n_out`).
    fn pre_activation<T: Elem>(
        &self,
        l: LayerShape,
        h: &[T],
        theta: &[T],
        mut pre: Vec<T>,
    ) -> Vec<T> {
        let r = self.rows.total();
        debug_assert_eq!(pre.len(), r * l.n_out);
        let w = &theta[l.w_off..l.w_off + l.n_in * l.n_out];
        // pre = h · Wᵀ: Wᵀ[i, o] = W[o, i] (row stride 1, column stride n_in).
        kernels::matmul(r, l.n_out, l.n_in, &mut pre, h, (l.n_in, 1), w, (1, l.n_in));
        let b = &theta[l.b_off..l.b_off + l.n_out];
        for range in self.rows.value_ranges() {
            for row in pre[range.start * l.n_out..range.end * l.n_out].chunks_exact_mut(l.n_out) {
                row.iter_mut().zip(b).for_each(|(z, &b)| *z += b);
            }
        }
        pre
    }

    /// The network's output, and the hidden layers' `(z, h)`.
    fn fwd<T: Elem>(&self, input: &[T], theta: &[T]) -> (Vec<T>, Vec<Hidden<T>>) {
        let (hidden, last) = self.layers.split_at(self.layers.len() - 1);
        let mut saved: Vec<Hidden<T>> = Vec::with_capacity(hidden.len());
        for (i, &l) in hidden.iter().enumerate() {
            let h = saved.last().map_or(input, |s| &s.out);
            let pre = self.buffers.take(self.rows.total() * l.n_out);
            let pre = self.pre_activation(l, h, theta, pre);
            let mut out = self.buffers.take(pre.len());
            kernels::forward(self.act_of(i), &pre, &mut out, l.n_out, self.rows.nt);
            saved.push(Hidden { pre, out });
        }
        let h = saved.last().map_or(input, |s| &s.out);
        let out = vec![T::zero(); self.rows.total() * last[0].n_out];
        (self.pre_activation(last[0], h, theta, out), saved)
    }

    /// `∂L/∂θ` from `g = ∂L/∂N` (`R × m`).
    fn bwd_impl<T: Elem>(
        &self,
        input: &[T],
        theta: &[T],
        saved: &[Hidden<T>],
        grad: &[T],
    ) -> Vec<T> {
        let r = self.rows.total();
        let widest = self.layers.iter().map(|l| l.n_in.max(l.n_out)).max();
        let mut g = self.buffers.take(r * widest.unwrap_or(0));
        let mut dh = self.buffers.take(g.len());
        g[..grad.len()].copy_from_slice(grad);
        let mut dtheta = vec![T::zero(); theta.len()];
        for (i, &l) in self.layers.iter().enumerate().rev() {
            let LayerShape {
                n_in,
                n_out,
                w_off,
                b_off,
            } = l;
            let g_l = &mut g[..r * n_out];
            if let Some(s) = saved.get(i) {
                kernels::backward(self.act_of(i), &s.pre, g_l, n_out, self.rows.nt);
            }
            let h = if i == 0 { input } else { &saved[i - 1].out[..] };
            // dW (n_out × n_in) = gᵀ · h.
            kernels::matmul(
                n_out,
                n_in,
                r,
                &mut dtheta[w_off..w_off + n_out * n_in],
                g_l,
                (1, n_out),
                h,
                (n_in, 1),
            );
            let db = &mut dtheta[b_off..b_off + n_out];
            for range in self.rows.value_ranges() {
                for row in g_l[range.start * n_out..range.end * n_out].chunks_exact(n_out) {
                    db.iter_mut().zip(row).for_each(|(d, &g)| *d += g);
                }
            }
            if i > 0 {
                // g of the layer below: dh (R × n_in) = g · W.
                let w = &theta[w_off..w_off + n_in * n_out];
                let dh_l = &mut dh[..r * n_in];
                kernels::matmul(r, n_in, n_out, dh_l, g_l, (n_out, 1), w, (n_in, 1));
                std::mem::swap(&mut g, &mut dh);
            }
        }
        self.buffers.give(g);
        self.buffers.give(dh);
        dtheta
    }
}

impl Drop for TaylorMlp {
    /// Hands the forward pass's buffers back for the next pass.
    fn drop(&mut self) {
        let saved = self.cache.get_mut().map(Option::take).unwrap_or_default();
        match saved {
            Some(Saved::F32(s)) => s.into_iter().for_each(|h| self.give(h)),
            Some(Saved::F64(s)) => s.into_iter().for_each(|h| self.give(h)),
            None => {}
        }
    }
}

impl TaylorMlp {
    fn give<T: Elem>(&self, h: Hidden<T>) {
        self.buffers.give(h.pre);
        self.buffers.give(h.out);
    }
}

fn contiguous<'a, T: Elem>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&s.as_slice::<T>()?[a..b]),
        None => candle_core::bail!("taylor-mlp: non-contiguous input"),
    }
}

impl CustomOp2 for TaylorMlp {
    fn name(&self) -> &'static str {
        "taylor-mlp"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let r = self.rows.total();
        let (first, last) = (self.layers[0], self.layers[self.layers.len() - 1]);
        if l1.dims() != [r, first.n_in] {
            candle_core::bail!(
                "taylor-mlp: input {:?}, expected [{r}, {}]",
                l1.dims(),
                first.n_in
            );
        }
        let (out, saved) = match candle_core::backend::BackendStorage::dtype(s1) {
            DType::F32 => {
                let (o, s) = self.fwd::<f32>(contiguous(s1, l1)?, contiguous(s2, l2)?);
                (CpuStorage::F32(o), Saved::F32(s))
            }
            DType::F64 => {
                let (o, s) = self.fwd::<f64>(contiguous(s1, l1)?, contiguous(s2, l2)?);
                (CpuStorage::F64(o), Saved::F64(s))
            }
            d => candle_core::bail!("taylor-mlp: unsupported dtype {d:?}"),
        };
        *self.cache.lock().expect("cache lock") = Some(saved);
        Ok((out, Shape::from((r, last.n_out))))
    }

    fn bwd(
        &self,
        arg1: &Tensor,
        arg2: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let cache = self.cache.lock().expect("cache lock");
        let Some(saved) = cache.as_ref() else {
            candle_core::bail!("taylor-mlp: backward before forward")
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
            candle_core::bail!("taylor-mlp: CPU only")
        };
        macro_rules! run {
            ($t:ty, $saved:expr) => {{
                let g = contiguous::<$t>(gs, gl)?;
                let (h, t) = (contiguous(hs, hl)?, contiguous(ts, tl)?);
                Tensor::from_vec(
                    self.bwd_impl::<$t>(h, t, $saved, g),
                    arg2.shape(),
                    arg2.device(),
                )?
            }};
        }
        let dtheta = match saved {
            Saved::F32(s) => run!(f32, s),
            Saved::F64(s) => run!(f64, s),
        };
        Ok((None, Some(dtheta)))
    }
}
