//! The PINN objective built from a reaction–diffusion problem.
//!
//! For one scalar component with diffusion `D` and reaction `f` (the nerve equation: `D = 1`,
//! `f(u) = H_k(u) − u`):
//!
//! ```text
//! loss = w_pde · mean r²  +  w_init · initial  +  w_bnd · boundary,     r = u_t − D u_xx − f(u)
//! ```
//!
//! with the initial misfit [`InitialForm::Pointwise`] or the published [`InitialForm::Pairwise`],
//! and the boundary misfit `u` (dirichlet) or `u_x` (neumann) at both ends. The reaction enters
//! through the model's [`hh_model::Reaction`] trait (a custom op whose backward is the model's
//! Jacobian), so another model plugs in unchanged. For `k = ∞` the Jacobian of `H` is 0.
//!
//! A batch may be split into chunks; each chunk's terms are sums normalised by the full batch
//! sizes (and, for the pairwise form, the full-batch means of φ), so the chunks' losses and
//! gradients add up to those of the whole batch.

use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};
use hh_model::{BoundaryMode, ReactionDiffusion};
use std::sync::Arc;

use crate::ansatz::Ansatz;
use crate::config::{InitialForm, LossConfig};
use crate::network::{Kernel, Mlp, split_streams};
use crate::sampler::Batch;

/// A reaction–diffusion model with one component, shareable across threads.
pub type Model = Arc<dyn ReactionDiffusion>;

/// `f(u)` pointwise with backward `f'(u)` (the model's Jacobian).
struct ReactionOp(Model);

impl CustomOp1 for ReactionOp {
    fn name(&self) -> &'static str {
        "reaction"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let (a, b) = l
            .contiguous_offsets()
            .ok_or_else(|| candle_core::Error::Msg("reaction: non-contiguous".into()))?;
        let apply = |u: Vec<f64>| {
            let mut f = vec![0.0; u.len()];
            self.0.reaction_batch(&u, &mut f);
            f
        };
        let out = match s {
            CpuStorage::F32(v) => CpuStorage::F32(
                apply(v[a..b].iter().map(|&u| f64::from(u)).collect())
                    .into_iter()
                    .map(|f| f as f32)
                    .collect(),
            ),
            CpuStorage::F64(v) => CpuStorage::F64(apply(v[a..b].to_vec())),
            _ => candle_core::bail!("reaction: unsupported dtype"),
        };
        Ok((out, l.shape().clone()))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let u = arg
            .to_dtype(candle_core::DType::F64)?
            .flatten_all()?
            .to_vec1::<f64>()?;
        let mut jac = vec![0.0; u.len()];
        self.0.jacobian_batch(&u, &mut jac);
        let jac = Tensor::from_vec(jac, arg.shape(), arg.device())?.to_dtype(arg.dtype())?;
        Ok(Some((grad * jac)?))
    }
}

/// Full-batch normalisers shared by the chunks of one step.
#[derive(Clone, Copy, Debug)]
pub struct Norms {
    pub interior: usize,
    pub boundary: usize,
    /// `mean φ` and `mean φ²` over the whole batch (pairwise form).
    pub mean_phi: f64,
    pub mean_phi2: f64,
}

/// Values of one chunk's loss terms: the graph's total, and the unweighted parts (sums over the
/// chunk normalised by the full batch).
pub struct ChunkLoss {
    pub total: Tensor,
    pub pde: Tensor,
    pub initial: Option<Tensor>,
    pub boundary: Option<Tensor>,
}

/// The objective: model, ansatz, weights.
#[derive(Clone)]
pub struct Objective {
    pub model: Model,
    pub ansatz: Option<Arc<dyn Ansatz>>,
    pub weights: LossConfig,
    /// Soft initial term computed.
    pub initial: bool,
    /// Soft boundary term computed, and which.
    pub boundary: Option<BoundaryMode>,
    diffusion: f64,
}

impl Objective {
    pub fn new(
        model: Model,
        ansatz: Option<Arc<dyn Ansatz>>,
        weights: LossConfig,
        initial: bool,
        boundary: Option<BoundaryMode>,
    ) -> Self {
        assert_eq!(model.components(), 1, "the PINN handles one component");
        let diffusion = model.diffusion()[0];
        Self {
            model,
            ansatz,
            weights,
            initial,
            boundary,
            diffusion,
        }
    }

    fn phi(&self, x: f64) -> f64 {
        let mut u = [0.0];
        self.model.initial(x, &mut u);
        u[0]
    }

    /// Full-batch normalisers for `batch`.
    pub fn norms(&self, batch: &Batch) -> Norms {
        let n = batch.x.len().max(1) as f64;
        let (mut s1, mut s2) = (0.0, 0.0);
        if self.initial && self.weights.initial_form == InitialForm::Pairwise {
            for &x in &batch.x {
                let p = self.phi(x);
                s1 += p;
                s2 += p * p;
            }
        }
        Norms {
            interior: batch.x.len(),
            boundary: 2 * batch.bt.len(),
            mean_phi: s1 / n,
            mean_phi2: s2 / n,
        }
    }

    /// `u = A + B N` on a vector of points (value only).
    pub fn apply_values(&self, x: &[f64], t: &[f64], n: &[f64]) -> Vec<f64> {
        match &self.ansatz {
            None => n.to_vec(),
            Some(a) => x
                .iter()
                .zip(t)
                .zip(n)
                .map(|((&x, &t), &n)| {
                    let f = a.fields(x, t);
                    f[0] + f[4] * n
                })
                .collect(),
        }
    }

    /// Builds the loss graph of one chunk.
    pub fn chunk_loss(
        &self,
        net: &Mlp,
        batch: &Batch,
        norms: &Norms,
        kernel: Kernel,
    ) -> Result<ChunkLoss> {
        let d = self.model.domain();
        let j = batch.x.len();
        let nb = batch.bt.len();
        let neumann = self.boundary == Some(BoundaryMode::Neumann);
        let dirichlet = self.boundary == Some(BoundaryMode::Dirichlet);
        // Taylor points: interior (+ neumann boundary); value points: initial (+ dirichlet boundary).
        let (mut tx, mut tt) = (batch.x.clone(), batch.t.clone());
        let (mut vx, mut vt) = (Vec::new(), Vec::new());
        if self.initial {
            vx.extend_from_slice(&batch.x);
            vt.extend(std::iter::repeat_n(0.0, j));
        }
        let bx: Vec<f64> = std::iter::repeat_n(d.x_min, nb)
            .chain(std::iter::repeat_n(d.x_max, nb))
            .collect();
        let bt: Vec<f64> = batch.bt.iter().chain(&batch.bt).copied().collect();
        if neumann {
            tx.extend(&bx);
            tt.extend(&bt);
        } else if dirichlet {
            vx.extend(&bx);
            vt.extend(&bt);
        }
        let (input, rows) = net.stack_inputs(&tx, &tt, &vx, &vt)?;
        let out = net.forward(&input, rows, kernel)?;
        let [n, nx, nt, nxx, nv] = split_streams(&out, rows)?;
        let (u, ux, ut, uxx, uv) = match &self.ansatz {
            None => (n, nx, nt, nxx, nv),
            Some(a) => {
                let fields = |xs: &[f64], ts: &[f64]| -> Result<Tensor> {
                    let mut data = vec![0.0; 8 * xs.len()];
                    for (i, (&x, &t)) in xs.iter().zip(ts).enumerate() {
                        for (k, v) in a.fields(x, t).into_iter().enumerate() {
                            data[k * xs.len() + i] = v;
                        }
                    }
                    Tensor::from_vec(data, (8, xs.len()), net.device())?.to_dtype(net.dtype())
                };
                let f = fields(&tx, &tt)?;
                let g = |k: usize| f.get(k);
                let (a0, ax, at, axx, b, bx, bt, bxx) =
                    (g(0)?, g(1)?, g(2)?, g(3)?, g(4)?, g(5)?, g(6)?, g(7)?);
                let u = (&a0 + (&b * &n)?)?;
                let ux = ((&ax + (&bx * &n)?)? + (&b * &nx)?)?;
                let ut = ((&at + (&bt * &n)?)? + (&b * &nt)?)?;
                let uxx = (((&axx + (&bxx * &n)?)? + ((&bx * &nx)? * 2.0)?)? + (&b * &nxx)?)?;
                let fv = fields(&vx, &vt)?;
                let uv = (fv.get(0)? + (fv.get(4)? * &nv)?)?;
                (u, ux, ut, uxx, uv)
            }
        };
        let ni = batch.x.len();
        let interior = |t: &Tensor| t.narrow(0, 0, ni);
        let (ui, uti, uxxi) = (interior(&u)?, interior(&ut)?, interior(&uxx)?);
        // The model's f runs on the host; on other devices the values travel there and back.
        let f = if ui.device().is_cpu() {
            ui.apply_op1(ReactionOp(self.model.clone()))?
        } else {
            ui.to_device(&candle_core::Device::Cpu)?
                .apply_op1(ReactionOp(self.model.clone()))?
                .to_device(ui.device())?
        };
        let r = ((uti - (uxxi * self.diffusion)?)? - f)?;
        let pde = (r.sqr()?.sum_all()? * (1.0 / norms.interior as f64))?;
        let mut total = (&pde * self.weights.pde)?;
        let mut initial = None;
        if self.initial {
            let u0 = uv.narrow(0, 0, j)?;
            let inv = 1.0 / norms.interior as f64;
            let term = match self.weights.initial_form {
                InitialForm::Pointwise => {
                    let phi: Vec<f64> = batch.x.iter().map(|&x| self.phi(x)).collect();
                    let phi = Tensor::from_vec(phi, j, net.device())?.to_dtype(net.dtype())?;
                    ((u0 - phi)?.sqr()?.sum_all()? * inv)?
                }
                InitialForm::Pairwise => {
                    // mean_ij (u_j − φ_i)² = mean u² − 2 mean u mean φ + mean φ² (chunk share).
                    let s2 = u0.sqr()?.sum_all()?;
                    let s1 = u0.sum_all()?;
                    let c = norms.mean_phi2 * j as f64 * inv;
                    ((s2 * inv)? - (s1 * (2.0 * norms.mean_phi * inv))?)?.affine(1.0, c)?
                }
            };
            total = (total + (&term * self.weights.initial)?)?;
            initial = Some(term);
        }
        let mut boundary = None;
        if nb > 0 && (neumann || dirichlet) {
            let v = if neumann {
                ux.narrow(0, ni, 2 * nb)?
            } else {
                let off = if self.initial { j } else { 0 };
                uv.narrow(0, off, 2 * nb)?
            };
            let term = (v.sqr()?.sum_all()? * (1.0 / norms.boundary.max(1) as f64))?;
            total = (total + (&term * self.weights.boundary)?)?;
            boundary = Some(term);
        }
        Ok(ChunkLoss {
            total,
            pde,
            initial,
            boundary,
        })
    }
}
