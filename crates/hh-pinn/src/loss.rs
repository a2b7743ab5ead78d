//! The PINN objective built from a reaction–diffusion model with `m` components
//! (`∂_t u_i = D_i ∂_xx u_i + f_i(u)`):
//!
//! ```text
//! loss = w_pde · Σ_i c_i mean r_i²  +  w_init · initial  +  w_bnd · boundary  [+ steer + pin],
//! r_i = M_i ∂_t u_i − D_i ∂_xx u_i − f_i(u)
//! ```
//!
//! with component weights `c_i` (default 1) and the model's mass `M_i` (1, or 0 for an algebraic
//! component, whose residual is the constraint `f_i(u)` and which has no initial condition); the
//! optional [`crate::Steer`] and [`crate::Pin`] terms select among the solutions of a problem with
//! many.
//!
//! with the initial misfit `u_i(0, x) − u₀,i(x)` ([`InitialForm::Pointwise`], or the published
//! [`InitialForm::Pairwise`]) and the boundary misfit of the diffusing components, `u_i`
//! (dirichlet) or `∂_x u_i` (neumann) at both ends, each summed over the components. The
//! reaction enters through the model's [`hh_core::Reaction`] trait as a custom op whose
//! backward is `gᵀ J` per point, with `J = ∂f/∂u` the model's `m × m` Jacobian; so any model
//! plugs in unchanged. For `k = ∞` the Jacobian of `H` is 0.
//!
//! A batch may be split into chunks; each chunk's terms are sums normalised by the full batch
//! sizes (and, for the pairwise form, the full-batch means of `u₀`), so the chunks' losses and
//! gradients add up to those of the whole batch.

use candle_core::{CpuStorage, CustomOp1, DType, Layout, Result, Shape, Tensor};
use hh_core::{BoundaryMode, ReactionDiffusion};
use std::sync::Arc;

use crate::ansatz::{Ansatz, Fields};
use crate::config::{InitialForm, LossConfig};
use crate::network::{Kernel, Mlp, split_streams};
use crate::record::LossTerms;
use crate::sampler::Batch;

/// A reaction–diffusion model shareable across threads.
pub type Model = Arc<dyn ReactionDiffusion>;

/// `f(u)` row by row (`n × m`), with backward `g ↦ gᵀ J(u)` per row.
struct ReactionOp(Model);

impl ReactionOp {
    fn m(&self) -> usize {
        self.0.components()
    }
}

/// `t`'s elements as `f64`, row-major.
fn host_f64(t: &Tensor) -> Result<Vec<f64>> {
    t.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()
}

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
        let m = self.m();
        let (u, g) = (host_f64(arg)?, host_f64(grad)?);
        let mut jac = vec![0.0; u.len() * m];
        self.0.jacobian_batch(&u, &mut jac);
        // (gᵀJ)_j = Σ_i g_i J_ij at every row.
        let mut out = vec![0.0; u.len()];
        for ((o, g), j) in out
            .chunks_exact_mut(m)
            .zip(g.chunks_exact(m))
            .zip(jac.chunks_exact(m * m))
        {
            for (c, oc) in o.iter_mut().enumerate() {
                *oc = (0..m).map(|i| g[i] * j[i * m + c]).sum();
            }
        }
        let out = Tensor::from_vec(out, arg.shape(), arg.device())?.to_dtype(arg.dtype())?;
        Ok(Some(out))
    }
}

/// Full-batch normalisers, and the step's steering weight, shared by the chunks of one step.
#[derive(Clone, Debug)]
pub struct Norms {
    /// The signed weight of the steering term at this step ([`crate::Steer::weight_at`]).
    pub steer: f64,
    pub interior: usize,
    pub boundary: usize,
    /// Per component: `mean u₀` and `mean u₀²` over the whole batch (pairwise form).
    pub mean_u0: Vec<f64>,
    pub mean_u0_sq: Vec<f64>,
}

/// One chunk's loss: the graph's weighted total, and the unweighted terms (sums over the chunk
/// normalised by the full batch).
pub struct ChunkLoss {
    pub total: Tensor,
    pub pde: Tensor,
    /// `pde` without the causal weights (the same tensor when there are none).
    pub residual: Tensor,
    pub initial: Option<Tensor>,
    pub boundary: Option<Tensor>,
    pub steer: Option<Tensor>,
    pub pin: Option<Tensor>,
}

impl ChunkLoss {
    /// The values of the terms.
    pub fn terms(&self) -> Result<LossTerms> {
        let val = |t: &Option<Tensor>| -> Result<f64> {
            t.as_ref()
                .map_or(Ok(0.0), |t| t.to_dtype(DType::F64)?.to_scalar::<f64>())
        };
        Ok(LossTerms {
            pde: val(&Some(self.pde.clone()))?,
            residual: val(&Some(self.residual.clone()))?,
            initial: val(&self.initial)?,
            boundary: val(&self.boundary)?,
            steer: val(&self.steer)?,
            pin: val(&self.pin)?,
        })
    }
}

/// The objective: model, ansatz, weights, and which soft terms are used.
#[derive(Clone)]
pub struct Objective {
    model: Model,
    ansatz: Option<Arc<dyn Ansatz>>,
    weights: LossConfig,
    /// Soft initial term computed.
    initial: bool,
    /// Soft boundary term computed, and which.
    boundary: Option<BoundaryMode>,
    m: usize,
    diffusion: Vec<f64>,
    /// `M_i`, when some component is algebraic (`None`: all 1).
    mass: Option<Vec<f64>>,
}

/// What [`Objective::forward`] computes.
struct Forward {
    u: Fields4,
    /// `u` at the value points: initial, dirichlet boundary, pinned (each block when used).
    uv: Tensor,
    r2: Tensor,
}

/// `u = A + B ⊙ N` and its derivatives on a batch of points, each `rows × m`.
struct Fields4 {
    u: Tensor,
    x: Tensor,
    t: Tensor,
    xx: Tensor,
}

impl Objective {
    /// `boundary`: the soft boundary term (`dirichlet` or `neumann`), if any.
    pub fn new(
        model: Model,
        ansatz: Option<Arc<dyn Ansatz>>,
        weights: LossConfig,
        initial: bool,
        boundary: Option<BoundaryMode>,
    ) -> Self {
        let diffusion = model.diffusion();
        let mass = model.mass();
        let mass = mass.iter().any(|&m| m != 1.0).then_some(mass);
        Self {
            m: model.components(),
            model,
            ansatz,
            weights,
            initial,
            boundary: boundary.filter(|b| *b != BoundaryMode::Free),
            diffusion,
            mass,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The loss weights.
    pub fn weights(&self) -> &LossConfig {
        &self.weights
    }

    /// Whether the soft initial term is computed.
    pub fn initial_active(&self) -> bool {
        self.initial
    }

    /// The soft boundary term's mode (`dirichlet` or `neumann`), if any.
    pub fn boundary_mode(&self) -> Option<BoundaryMode> {
        self.boundary
    }

    /// `A_i`, `B_i` of the ansatz at every point (`A = 0`, `B = 1` without one): `n × m`
    /// fields, point after point.
    pub fn fields_batch(&self, xs: &[f64], ts: &[f64]) -> Vec<Fields> {
        let mut out = vec![Fields::default(); xs.len() * self.m];
        match &self.ansatz {
            Some(a) => a.fields_batch(xs, ts, &mut out),
            None => out
                .iter_mut()
                .for_each(|f| f.b = hh_core::Jet::constant(1.0)),
        }
        out
    }

    /// Number of components `m`.
    pub fn components(&self) -> usize {
        self.m
    }

    /// `u₀(x)`, `m` values.
    fn u0(&self, x: f64) -> Vec<f64> {
        let mut u = vec![0.0; self.m];
        self.model.initial(x, &mut u);
        u
    }

    /// Full-batch normalisers for `batch`.
    pub fn norms(&self, batch: &Batch) -> Norms {
        let n = batch.x.len().max(1) as f64;
        let (mut s1, mut s2) = (vec![0.0; self.m], vec![0.0; self.m]);
        if self.initial && self.weights.initial_form == InitialForm::Pairwise {
            for &x in &batch.x {
                for (i, p) in self.u0(x).into_iter().enumerate() {
                    s1[i] += p;
                    s2[i] += p * p;
                }
            }
        }
        Norms {
            steer: 0.0,
            interior: batch.x.len(),
            boundary: 2 * batch.bt.len(),
            mean_u0: s1.into_iter().map(|s| s / n).collect(),
            mean_u0_sq: s2.into_iter().map(|s| s / n).collect(),
        }
    }

    /// `A_i`, `B_i` at every point, as the tensors `[A, A_x, A_t, A_xx, B, B_x, B_t, B_xx]`
    /// (each `n × m`).
    fn field_tensors(
        &self,
        ansatz: &dyn Ansatz,
        xs: &[f64],
        ts: &[f64],
        net: &Mlp,
    ) -> Result<Vec<Tensor>> {
        let (n, m) = (xs.len(), self.m);
        let mut data = vec![0.0; 8 * n * m];
        let mut all = vec![Fields::default(); n * m];
        ansatz.fields_batch(xs, ts, &mut all);
        for (p, f) in all.chunks_exact(m).enumerate() {
            for (i, fi) in f.iter().enumerate() {
                let (a, b) = (fi.a, fi.b);
                for (k, v) in [a.value, a.x, a.t, a.xx, b.value, b.x, b.t, b.xx]
                    .into_iter()
                    .enumerate()
                {
                    data[(k * n + p) * m + i] = v;
                }
            }
        }
        let all = Tensor::from_vec(data, (8, n, m), net.device())?.to_dtype(net.dtype())?;
        (0..8).map(|k| all.get(k)).collect()
    }

    /// `u = A + B N` on a vector of points (value only): `n × m`, point after point.
    pub fn apply_values(&self, x: &[f64], t: &[f64], n: &[f64]) -> Vec<f64> {
        if self.ansatz.is_none() {
            return n.to_vec();
        }
        let m = self.m;
        let fields = self.fields_batch(x, t);
        let mut out = Vec::with_capacity(n.len());
        for (f, np) in fields.chunks_exact(m).zip(n.chunks_exact(m)) {
            out.extend(
                f.iter()
                    .zip(np)
                    .map(|(fi, &ni)| fi.a.value + fi.b.value * ni),
            );
        }
        out
    }

    /// `Σ_i c_i r_i²` at each interior point of `batch` (forward only; for [`crate::Causal`]
    /// weights).
    pub fn point_residuals(&self, net: &Mlp, batch: &Batch, kernel: Kernel) -> Result<Vec<f64>> {
        host_f64(&self.forward(net, batch, kernel)?.r2.sum_keepdim(1)?)
    }

    /// Whether the [`crate::Pin`] term is computed.
    fn pinned(&self) -> bool {
        self.weights.pin.weight > 0.0
    }

    /// The forward pass of one chunk: `u = A + B N` and its derivatives at the Taylor points
    /// (interior, then neumann boundary), `u` at the value points (initial, dirichlet boundary,
    /// then the pinned time at the interior points' `x`), and the component-weighted squared
    /// residuals `c_i r_i²` of the interior points (`j × m`).
    fn forward(&self, net: &Mlp, batch: &Batch, kernel: Kernel) -> Result<Forward> {
        let d = self.model.domain();
        let (j, nb) = (batch.x.len(), batch.bt.len());
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
        if self.pinned() {
            vx.extend_from_slice(&batch.x);
            vt.extend(std::iter::repeat_n(self.weights.pin.t, j));
        }
        let (input, rows) = net.stack_inputs(&tx, &tt, &vx, &vt)?;
        let out = net.forward(&input, rows, kernel)?;
        let mut n = split_streams(&out, rows)?;
        if net.outputs() > self.m {
            // the kink-aware ansatz's extra outputs enter only the second-order phase
            for s in [&mut n.value, &mut n.x, &mut n.t, &mut n.xx, &mut n.points] {
                *s = s.narrow(1, 0, self.m)?;
            }
        }
        let (u, uv) = match &self.ansatz {
            None => (
                Fields4 {
                    u: n.value,
                    x: n.x,
                    t: n.t,
                    xx: n.xx,
                },
                n.points,
            ),
            Some(a) => {
                let f = self.field_tensors(a.as_ref(), &tx, &tt, net)?;
                let [a0, ax, at, axx, b, bx, bt, bxx] = &f[..] else {
                    unreachable!("eight fields")
                };
                let u = (a0 + (b * &n.value)?)?;
                let ux = ((ax + (bx * &n.value)?)? + (b * &n.x)?)?;
                let ut = ((at + (bt * &n.value)?)? + (b * &n.t)?)?;
                let uxx = (((axx + (bxx * &n.value)?)? + ((bx * &n.x)? * 2.0)?)? + (b * &n.xx)?)?;
                let fv = self.field_tensors(a.as_ref(), &vx, &vt, net)?;
                let uv = (&fv[0] + (&fv[4] * &n.points)?)?;
                (
                    Fields4 {
                        u,
                        x: ux,
                        t: ut,
                        xx: uxx,
                    },
                    uv,
                )
            }
        };
        let interior = |t: &Tensor| t.narrow(0, 0, j);
        let (ui, uti, uxxi) = (interior(&u.u)?, interior(&u.t)?, interior(&u.xx)?);
        // The model's f runs on the host; on other devices the values travel there and back.
        let op = || ReactionOp(self.model.clone());
        let f = if ui.device().is_cpu() {
            ui.apply_op1(op())?
        } else {
            ui.to_device(&candle_core::Device::Cpu)?
                .apply_op1(op())?
                .to_device(ui.device())?
        };
        let uti = match &self.mass {
            None => uti,
            Some(mass) => self.scale_columns(&uti, mass, net)?,
        };
        let r = ((uti - self.scale_columns(&uxxi, &self.diffusion, net)?)? - f)?;
        let r2 = match &self.weights.components[..] {
            [] => r.sqr()?,
            c => self.scale_columns(&r.sqr()?, c, net)?,
        };
        Ok(Forward { u, uv, r2 })
    }

    /// Builds the loss graph of one chunk.
    pub fn chunk_loss(
        &self,
        net: &Mlp,
        batch: &Batch,
        norms: &Norms,
        kernel: Kernel,
    ) -> Result<ChunkLoss> {
        let (j, nb, m) = (batch.x.len(), batch.bt.len(), self.m);
        let neumann = self.boundary == Some(BoundaryMode::Neumann);
        let dirichlet = self.boundary == Some(BoundaryMode::Dirichlet);
        let Forward { u, uv, r2 } = self.forward(net, batch, kernel)?;
        let mean = |r2: &Tensor| r2.sum_all()? * (1.0 / norms.interior as f64);
        let (pde, residual) = if batch.weight.is_empty() {
            let pde = mean(&r2)?;
            let residual = pde.detach();
            (pde, residual)
        } else {
            let w = Tensor::from_vec(batch.weight.clone(), (j, 1), net.device())?
                .to_dtype(net.dtype())?;
            (mean(&r2.broadcast_mul(&w)?)?, mean(&r2)?.detach())
        };
        let mut total = (&pde * self.weights.pde)?;
        let mut initial = None;
        if self.initial {
            let u0 = uv.narrow(0, 0, j)?;
            // algebraic components have no initial condition
            let u0 = match &self.mass {
                None => u0,
                Some(mass) => {
                    let evolving: Vec<f64> = mass.iter().map(|&m| f64::from(m > 0.0)).collect();
                    self.scale_columns(&u0, &evolving, net)?
                }
            };
            let inv = 1.0 / norms.interior as f64;
            let term = match self.weights.initial_form {
                InitialForm::Pointwise => {
                    let evolving = |i: usize| self.mass.as_ref().is_none_or(|m| m[i] > 0.0);
                    let target: Vec<f64> = batch
                        .x
                        .iter()
                        .flat_map(|&x| {
                            let u0 = self.u0(x);
                            (0..m).map(move |i| if evolving(i) { u0[i] } else { 0.0 })
                        })
                        .collect();
                    let target =
                        Tensor::from_vec(target, (j, m), net.device())?.to_dtype(net.dtype())?;
                    ((u0 - target)?.sqr()?.sum_all()? * inv)?
                }
                InitialForm::Pairwise => {
                    // Per component: mean_ij (u_j − u₀(x_i))² = mean u² − 2 mean u mean u₀ + mean u₀²
                    // (this chunk's share).
                    let s2 = u0.sqr()?.sum_all()?;
                    let c: f64 = norms.mean_u0_sq.iter().sum::<f64>() * j as f64 * inv;
                    let s1 = if m == 1 {
                        (u0.sum_all()? * (2.0 * norms.mean_u0[0] * inv))?
                    } else {
                        let w: Vec<f64> = norms.mean_u0.iter().map(|v| 2.0 * v * inv).collect();
                        self.scale_columns(&u0, &w, net)?.sum_all()?
                    };
                    ((s2 * inv)? - s1)?.affine(1.0, c)?
                }
            };
            total = (total + (&term * self.weights.initial)?)?;
            initial = Some(term);
        }
        let mut boundary = None;
        if nb > 0 && (neumann || dirichlet) {
            let v = if neumann {
                u.x.narrow(0, j, 2 * nb)?
            } else {
                let off = if self.initial { j } else { 0 };
                uv.narrow(0, off, 2 * nb)?
            };
            // Only the diffusing components carry a boundary condition.
            let mask: Vec<f64> = self.diffusion.iter().map(|&d| f64::from(d > 0.0)).collect();
            let v = self.scale_columns(&v, &mask, net)?;
            let term = (v.sqr()?.sum_all()? * (1.0 / norms.boundary.max(1) as f64))?;
            total = (total + (&term * self.weights.boundary)?)?;
            boundary = Some(term);
        }
        let inv = 1.0 / norms.interior as f64;
        let mut steer = None;
        if self.weights.steer.direction != crate::Direction::None {
            let (c, from) = (self.weights.steer.component, self.weights.steer.from);
            let steered = u.u.narrow(0, 0, j)?.narrow(1, c, 1)?;
            let steered = if from > 0.0 {
                let mask: Vec<f64> = batch.t.iter().map(|&t| f64::from(t >= from)).collect();
                let mask = Tensor::from_vec(mask, (j, 1), net.device())?.to_dtype(net.dtype())?;
                (steered * mask)?
            } else {
                steered
            };
            let term = (steered.sum_all()? * inv)?;
            total = (total + (&term * norms.steer)?)?;
            steer = Some(term);
        }
        let mut pin = None;
        if self.pinned() {
            let p = &self.weights.pin;
            let used = uv.dim(0)?;
            let misfit = uv.narrow(0, used - j, j)?.narrow(1, p.component, 1)?;
            let term = (misfit.affine(1.0, -p.value)?.sqr()?.sum_all()? * inv)?;
            total = (total + (&term * p.weight)?)?;
            pin = Some(term);
        }
        Ok(ChunkLoss {
            total,
            pde,
            residual,
            initial,
            boundary,
            steer,
            pin,
        })
    }

    /// `t` (`rows × m`) with column `i` multiplied by `w_i`; a plain scalar product when every
    /// `w_i` is the same (the one-component case).
    fn scale_columns(&self, t: &Tensor, w: &[f64], net: &Mlp) -> Result<Tensor> {
        if w.iter().all(|&v| v == w[0]) {
            return t * w[0];
        }
        let w = Tensor::from_vec(w.to_vec(), (1, w.len()), net.device())?.to_dtype(net.dtype())?;
        t.broadcast_mul(&w)
    }
}
