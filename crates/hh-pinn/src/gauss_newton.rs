//! Levenberg–Marquardt (damped Gauss–Newton) on the PINN's residuals, in f64 on the host.
//!
//! The loss of a fixed set of collocation points is a sum of squares `L(θ) = ‖r(θ)‖²`, one row per
//! interior point and component (scaled so that `L` is the objective of [`crate::loss`]), plus the
//! rows of the soft boundary and initial terms. A step solves
//!
//! ```text
//! (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr,      J = ∂r/∂θ   (P × P, dense, Cholesky),
//! ```
//!
//! and is taken only when it lowers `L`; otherwise `λ` grows and the step is solved again. A step
//! with a non-finite entry, or whose loss is not finite, counts as a rejection: nothing
//! non-finite ever reaches `θ`. On acceptance `λ` shrinks by Nielsen's rule
//! `λ ← λ · max(1/3, 1 − (2ρ − 1)³)` with `ρ` the ratio of actual to predicted decrease.
//!
//! **The Jacobian is exact.** Each residual row is a linear combination of the network's Taylor
//! streams at its point, `r = Σ_s c_s N_s + Σ_j g_j N_j + const` (the ansatz `u = A + B N` and the
//! reaction's Jacobian give the coefficients), so one reverse pass through the Taylor-mode
//! forward — seeded with those coefficients — gives the row's gradient. With the forward
//! `z_s = W h_s (+ b)`, `h = σ(z)`, `h_{x,t} = σ' z_{x,t}`, `h_xx = σ'' z_x² + σ' z_xx`, the
//! adjoints go back as
//!
//! ```text
//! z̄_xx = h̄_xx σ',   z̄_x = h̄_x σ' + 2 h̄_xx σ'' z_x,   z̄_t = h̄_t σ',
//! z̄ = h̄ σ' + (h̄_x z_x + h̄_t z_t) σ'' + h̄_xx (σ''' z_x² + σ'' z_xx),
//! W̄ = Σ_s z̄_s h_sᵀ,   b̄ = z̄,   h̄_s = Wᵀ z̄_s,
//! ```
//!
//! batched over all rows at once. Written here rather than with candle because candle has no
//! per-sample gradients; the streams are nalgebra matrices, and the normal equations are faer's
//! (a symmetric rank-`R` update and a blocked, parallel Cholesky factorisation: several times
//! faster at these sizes than nalgebra's general product and unblocked Cholesky).
//!
//! Dense normal equations cost `O(R P²)` per Jacobian and `O(P³)` per solve: meant for networks
//! of a few thousand parameters or fewer, with more rows than parameters.

use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};
use hh_core::{BoundaryMode, Jet};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

use crate::ansatz::Fields;
use crate::dense::LayerShape;
use crate::kernels::{Activation, derivatives};
use crate::kink::{self, Branches, Interfaces};
use crate::loss::Objective;
use crate::network::InputMap;
use crate::sampler::Batch;

/// The four Taylor streams of one layer's values at every point (`n × width` each).
pub(crate) struct Streams {
    pub v: DMatrix<f64>,
    pub x: DMatrix<f64>,
    pub t: DMatrix<f64>,
    pub xx: DMatrix<f64>,
}

/// The streams `(v, x, t, xx)` of an `n × width` layer whose entry `k` (column-major) is
/// `entry(k)`, computed on all cores: the activation's derivatives at every entry are most of
/// a residual evaluation's cost.
fn pointwise(n: usize, width: usize, entry: impl Fn(usize) -> [f64; 4] + Sync + Send) -> Streams {
    let entries: Vec<[f64; 4]> = (0..n * width)
        .into_par_iter()
        .with_min_len(4096)
        .map(&entry)
        .collect();
    let stream = |s: usize| DMatrix::from_iterator(n, width, entries.iter().map(|e| e[s]));
    Streams {
        v: stream(0),
        x: stream(1),
        t: stream(2),
        xx: stream(3),
    }
}

/// The network in f64 on the host: shapes, activation, input map.
pub(crate) struct HostNet<'a> {
    pub layers: &'a [LayerShape],
    pub act: Activation,
    pub inputs: InputMap,
}

/// What the forward pass keeps for the reverse pass.
struct Forward {
    /// Input streams of every layer.
    inputs: Vec<Streams>,
    /// Pre-activation streams of every hidden layer.
    pre: Vec<Streams>,
    /// The outputs `N_s` (`n × m`).
    out: Streams,
}

impl HostNet<'_> {
    /// The network's outputs `N` and their derivatives at the points (`n × m` each).
    pub fn outputs(&self, theta: &[f64], xs: &[f64], ts: &[f64]) -> Streams {
        self.forward(theta, xs, ts).out
    }

    fn weight(&self, theta: &[f64], l: usize) -> DMatrix<f64> {
        let s = self.layers[l];
        DMatrix::from_row_slice(s.n_out, s.n_in, &theta[s.w_off..s.b_off])
    }

    fn forward(&self, theta: &[f64], xs: &[f64], ts: &[f64]) -> Forward {
        let n = xs.len();
        let m = &self.inputs;
        let (sx, st) = if *m == InputMap::IDENTITY {
            (1.0, 1.0)
        } else {
            (m.x_scale, m.t_scale)
        };
        let mut h = Streams {
            v: DMatrix::from_fn(n, 2, |p, c| {
                let (x, t) = (xs[p], ts[p]);
                if *m == InputMap::IDENTITY {
                    [x, t][c]
                } else {
                    [m.x_scale * (x - m.x_centre), m.t_scale * (t - m.t_centre)][c]
                }
            }),
            x: DMatrix::from_fn(n, 2, |_, c| if c == 0 { sx } else { 0.0 }),
            t: DMatrix::from_fn(n, 2, |_, c| if c == 1 { st } else { 0.0 }),
            xx: DMatrix::zeros(n, 2),
        };
        let (mut inputs, mut pre) = (Vec::new(), Vec::new());
        let last = self.layers.len() - 1;
        for (l, s) in self.layers.iter().enumerate() {
            let wt = self.weight(theta, l).transpose();
            let b = &theta[s.b_off..s.b_off + s.n_out];
            let mut z = Streams {
                v: &h.v * &wt,
                x: &h.x * &wt,
                t: &h.t * &wt,
                xx: &h.xx * &wt,
            };
            for (o, &bo) in b.iter().enumerate() {
                z.v.column_mut(o).add_scalar_mut(bo);
            }
            inputs.push(h);
            if l == last {
                return Forward {
                    inputs,
                    pre,
                    out: z,
                };
            }
            let next = pointwise(n, s.n_out, |k| {
                let (f, d1, d2, _) = derivatives(self.act, z.v[k]);
                [
                    f,
                    d1 * z.x[k],
                    d1 * z.t[k],
                    d2 * z.x[k] * z.x[k] + d1 * z.xx[k],
                ]
            });
            pre.push(z);
            h = next;
        }
        unreachable!("the last layer returns")
    }

    /// The transposed Jacobian `Jᵀ` (`P × R`, column `q` = `∂r_q/∂θ`, contiguous) for rows `q`
    /// at points `point[q]` seeded at the output with `seed[q]` (per output component: the
    /// coefficients of `N`, `N_x`, `N_t`, `N_xx`).
    fn jacobian(
        &self,
        theta: &[f64],
        f: &Forward,
        point: &[usize],
        seed: &[Vec<[f64; 4]>],
    ) -> DMatrix<f64> {
        let rows = point.len();
        let params = theta.len();
        let mut jt = DMatrix::zeros(params, rows);
        let m = self.layers[self.layers.len() - 1].n_out;
        let mut bar = Streams {
            v: DMatrix::from_fn(rows, m, |q, j| seed[q][j][0]),
            x: DMatrix::from_fn(rows, m, |q, j| seed[q][j][1]),
            t: DMatrix::from_fn(rows, m, |q, j| seed[q][j][2]),
            xx: DMatrix::from_fn(rows, m, |q, j| seed[q][j][3]),
        };
        for l in (0..self.layers.len()).rev() {
            let s = self.layers[l];
            // the layer's inputs point by point (`n_in × n`, a contiguous column per point)
            let h = &f.inputs[l];
            let hv = h.v.transpose();
            let hx = h.x.transpose();
            let ht = h.t.transpose();
            let hxx = h.xx.transpose();
            let adj = &bar;
            jt.as_mut_slice()
                .par_chunks_mut(params.max(1))
                .enumerate()
                .for_each(|(q, col)| {
                    let p = point[q];
                    let (iv, ix, it, ixx) =
                        (hv.column(p), hx.column(p), ht.column(p), hxx.column(p));
                    for o in 0..s.n_out {
                        let (zv, zx, zt, zxx) =
                            (adj.v[(q, o)], adj.x[(q, o)], adj.t[(q, o)], adj.xx[(q, o)]);
                        let row = s.w_off + o * s.n_in;
                        let dst = &mut col[row..row + s.n_in];
                        for (i, d) in dst.iter_mut().enumerate() {
                            *d = zv * iv[i] + zx * ix[i] + zt * it[i] + zxx * ixx[i];
                        }
                        col[s.b_off + o] = zv;
                    }
                });
            if l == 0 {
                break;
            }
            let w = self.weight(theta, l);
            let hb = Streams {
                v: &bar.v * &w,
                x: &bar.x * &w,
                t: &bar.t * &w,
                xx: &bar.xx * &w,
            };
            let z = &f.pre[l - 1];
            bar = pointwise(rows, s.n_in, |k| {
                let (q, i) = (k % rows, k / rows);
                let p = point[q];
                let (_, d1, d2, d3) = derivatives(self.act, z.v[(p, i)]);
                let (zx, zt, zxx) = (z.x[(p, i)], z.t[(p, i)], z.xx[(p, i)]);
                let (bv, bx, bt, bxx) = (hb.v[k], hb.x[k], hb.t[k], hb.xx[k]);
                [
                    bv * d1 + (bx * zx + bt * zt) * d2 + bxx * (d3 * zx * zx + d2 * zxx),
                    bx * d1 + 2.0 * bxx * d2 * zx,
                    bt * d1,
                    bxx * d1,
                ]
            });
        }
        jt
    }
}

/// The residual rows of a fixed batch, with their scalings and kinds.
pub(crate) struct Rows<'a> {
    pub objective: &'a Objective,
    pub net: HostNet<'a>,
    pub batch: &'a Batch,
    /// The kink-aware ansatz's curves ([`crate::kink`]): `u = A + B (N + E N_e)`, tracked to the
    /// level sets of `u(θ)` at every evaluation.
    pub kinks: Option<&'a Interfaces>,
    /// The points' branches at the start of the iteration ([`Rows::branches`]).
    pub branches: Option<&'a Branches>,
}

/// The loss terms of a residual vector.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Terms {
    pub pde: f64,
    pub initial: f64,
    pub boundary: f64,
}

impl Rows<'_> {
    /// Points: interior `(x_j, t_j)`, then the initial points `(x_j, 0)` when the initial term is
    /// soft, then both ends at the boundary times.
    fn points(&self) -> (Vec<f64>, Vec<f64>) {
        let b = self.batch;
        let (mut x, mut t) = (b.x.clone(), b.t.clone());
        if self.objective.initial_active() {
            x.extend_from_slice(&b.x);
            t.extend(std::iter::repeat_n(0.0, b.x.len()));
        }
        if self.objective.boundary_mode().is_some() {
            let d = self.objective.model().domain();
            for end in [d.x_min, d.x_max] {
                x.extend(std::iter::repeat_n(end, b.bt.len()));
                t.extend_from_slice(&b.bt);
            }
        }
        (x, t)
    }

    /// `r(θ)`, its terms, and with `jacobian` also `Jᵀ(θ)` (`P × R`).
    pub fn evaluate(
        &self,
        theta: &[f64],
        jacobian: bool,
    ) -> (DVector<f64>, Terms, Option<DMatrix<f64>>) {
        let obj = self.objective;
        let model = obj.model();
        let m = obj.components();
        let (xs, ts) = self.points();
        let f = self.net.forward(theta, &xs, &ts);
        let ni = self.batch.x.len();
        let nb = self.batch.bt.len();
        let diffusion = model.diffusion();
        let mass = model.mass();
        let weights = obj.weights();
        let comp = |i: usize| weights.components.get(i).copied().unwrap_or(1.0);
        let all_fields = obj.fields_batch(&xs, &ts);
        let mut fields = vec![Fields::default(); m];
        let mut r = Vec::new();
        let mut point = Vec::new();
        let mut seed: Vec<Vec<[f64; 4]>> = Vec::new();
        let mut terms = Terms::default();
        let (mut u, mut fu, mut jac_f) = (vec![0.0; m], vec![0.0; m], vec![0.0; m * m]);
        // u_s = A_s + (B N)_s at point p, with N_s + E_s N_e(s) under the kink-aware ansatz
        let outputs = self.net.layers[self.net.layers.len() - 1].n_out;
        // the curves where the reaction switches, tracked to the level sets of u(θ)
        let tracked = self.kinks.map(|k| {
            k.track(&|c: &Interfaces, x: &[f64], t: &[f64]| {
                kink::host_samples(obj, &self.net, theta, Some(c), x, t)
            })
        });
        let branches = self.branches;
        let enrichment = tracked
            .as_ref()
            .map(|k| (k.enrichment(&xs, &ts, branches), k.extra()));
        let offsets = tracked.as_ref().map(Interfaces::offsets);
        let mut jets = vec![Jet::default(); m];
        let out = |p: usize, j: usize| Jet {
            value: f.out.v[(p, j)],
            x: f.out.x[(p, j)],
            t: f.out.t[(p, j)],
            xx: f.out.xx[(p, j)],
        };
        let at = |p: usize, fields: &mut [Fields], jets: &mut [Jet]| {
            fields.copy_from_slice(&all_fields[p * m..(p + 1) * m]);
            for j in 0..m {
                let enriched = enrichment
                    .as_ref()
                    .and_then(|(e, extra)| extra[j].map(|o| (e[p * m + j], out(p, o))));
                jets[j] = kink::compose(fields[j], out(p, j), enriched);
            }
        };
        // a row's coefficients of the streams of N_s + E_s N_e(s), spread onto the outputs
        // a row's sensitivities to the roots of the curves ([`Interfaces::sensitivities`])
        let mut sens: Vec<Vec<(usize, f64)>> = Vec::new();
        let sensitivity = |p: usize, row: &[[f64; 4]]| -> Vec<(usize, f64)> {
            let mut list = Vec::new();
            if let (Some(k), Some(offsets)) = (&tracked, &offsets) {
                for (j, c) in row.iter().enumerate() {
                    if let Some(o) = k.extra()[j] {
                        let sides = branches.map(|b| b.sides(p));
                        k.sensitivities(
                            j,
                            (xs[p], ts[p]),
                            out(p, o),
                            *c,
                            offsets,
                            sides,
                            &mut list,
                        );
                    }
                }
            }
            list
        };
        let seeded = |p: usize, mut row: Vec<[f64; 4]>| -> Vec<[f64; 4]> {
            row.resize(outputs, [0.0; 4]);
            if let Some((e, extra)) = &enrichment {
                for j in 0..m {
                    if let Some(o) = extra[j] {
                        row[o] = kink::chain(row[j], e[p * m + j]);
                    }
                }
            }
            row
        };
        let scale_pde = (weights.pde / ni as f64).sqrt();
        for p in 0..ni {
            at(p, &mut fields, &mut jets);
            for j in 0..m {
                u[j] = jets[j].value;
            }
            model.reaction(&u, &mut fu);
            if let (Some(k), Some(b)) = (&tracked, branches) {
                k.on_branch(p, &u, b, &mut fu);
            }
            model.jacobian(&u, &mut jac_f);
            for i in 0..m {
                let s = scale_pde * comp(i).sqrt();
                let res = mass[i] * jets[i].t - diffusion[i] * jets[i].xx - fu[i];
                r.push(s * res);
                terms.pde += (s * res).powi(2);
                if jacobian {
                    let mut row = vec![[0.0; 4]; m];
                    for (j, rj) in row.iter_mut().enumerate() {
                        let b = fields[j].b;
                        let g = -jac_f[i * m + j] * b.value;
                        rj[0] = s * g;
                        if j == i {
                            rj[0] += s * (mass[i] * b.t - diffusion[i] * b.xx);
                            rj[1] = s * (-2.0 * diffusion[i] * b.x);
                            rj[2] = s * mass[i] * b.value;
                            rj[3] = s * (-diffusion[i] * b.value);
                        }
                    }
                    point.push(p);
                    sens.push(sensitivity(p, &row));
                    seed.push(seeded(p, row));
                }
            }
        }
        let mut p = ni;
        if obj.initial_active() {
            let s = (weights.initial / ni as f64).sqrt();
            for _ in 0..ni {
                at(p, &mut fields, &mut jets);
                let mut u0 = vec![0.0; m];
                model.initial(xs[p], &mut u0);
                for i in (0..m).filter(|&i| mass[i] > 0.0) {
                    let res = s * (jets[i].value - u0[i]);
                    r.push(res);
                    terms.initial += res * res;
                    if jacobian {
                        let mut row = vec![[0.0; 4]; m];
                        row[i][0] = s * fields[i].b.value;
                        point.push(p);
                        sens.push(sensitivity(p, &row));
                        seed.push(seeded(p, row));
                    }
                }
                p += 1;
            }
        }
        if let Some(mode) = obj.boundary_mode() {
            let s = (weights.boundary / (2 * nb).max(1) as f64).sqrt();
            for _ in 0..2 * nb {
                at(p, &mut fields, &mut jets);
                for i in (0..m).filter(|&i| diffusion[i] > 0.0) {
                    let b = fields[i].b;
                    let (res, coef) = match mode {
                        BoundaryMode::Neumann => (jets[i].x, [b.x, b.value, 0.0, 0.0]),
                        _ => (jets[i].value, [b.value, 0.0, 0.0, 0.0]),
                    };
                    r.push(s * res);
                    terms.boundary += (s * res).powi(2);
                    if jacobian {
                        let mut row = vec![[0.0; 4]; m];
                        row[i] = coef.map(|c| s * c);
                        point.push(p);
                        sens.push(sensitivity(p, &row));
                        seed.push(seeded(p, row));
                    }
                }
                p += 1;
            }
        }
        // the loss terms are reported unweighted, as the first-order executor does
        terms.pde /= weights.pde.max(f64::MIN_POSITIVE);
        terms.initial /= weights.initial.max(f64::MIN_POSITIVE);
        terms.boundary /= weights.boundary.max(f64::MIN_POSITIVE);
        let jac = jacobian.then(|| {
            let mut jt = self.net.jacobian(theta, &f, &point, &seed);
            if let Some(k) = &tracked {
                self.through_roots(theta, k, &sens, &mut jt);
            }
            jt
        });
        (DVector::from_vec(r), terms, jac)
    }
}

impl Rows<'_> {
    /// The branches of the rows' points at `θ` ([`Branches`]; `None` without kinks).
    pub fn branches(&self, theta: &[f64]) -> Option<Branches> {
        let kinks = self.kinks?;
        let obj = self.objective;
        let u = |c: &Interfaces, x: &[f64], t: &[f64]| {
            kink::host_samples(obj, &self.net, theta, Some(c), x, t)
        };
        let tracked = kinks.track(&u);
        let (xs, ts) = self.points();
        let samples = u(&tracked, &xs, &ts);
        Some(tracked.branches(&xs, &ts, &samples))
    }

    /// Adds to `Jᵀ` what moves with the curves (the kink-aware ansatz, [`crate::kink`]): the
    /// roots are the level sets of `u(θ)`, `u(t_n, s_i) = ℓ_i`, so `∂s/∂θ = −M⁻¹ ∂u/∂θ` at the
    /// roots, node by node, with `M_ii = u_x(s_i)` and, between two curves of one component,
    /// `M_ij = ∂u(s_i)/∂s_j = −B N_e ψ_j'(s_i − s_j)`; a row `q` gains
    /// `Σ_k (∂r_q/∂s_k) ∂s_k/∂θ` (`sens[q]`).
    fn through_roots(
        &self,
        theta: &[f64],
        kinks: &Interfaces,
        sens: &[Vec<(usize, f64)>],
        jt: &mut DMatrix<f64>,
    ) {
        let roots = kinks.roots();
        if roots.is_empty() {
            return;
        }
        let obj = self.objective;
        let m = obj.components();
        let outputs = self.net.layers[self.net.layers.len() - 1].n_out;
        let (xs, ts): (Vec<f64>, Vec<f64>) = roots.iter().map(|r| (r.x, r.t)).unzip();
        let f = self.net.forward(theta, &xs, &ts);
        let fields = obj.fields_batch(&xs, &ts);
        let e = kinks.enrichment(&xs, &ts, None);
        let samples = kink::host_samples(obj, &self.net, theta, Some(kinks), &xs, &ts);
        // ∂u_c(root)/∂θ: the value of N_c + E_c N_e, scaled by B
        let seed: Vec<Vec<[f64; 4]>> = roots
            .iter()
            .enumerate()
            .map(|(q, r)| {
                let c = kinks.switch(r.level).component;
                let b = fields[q * m + c].b.value;
                let mut row = vec![[0.0; 4]; outputs];
                row[c][0] = b;
                if let Some(o) = kinks.extra()[c] {
                    row[o][0] = b * e[q * m + c].value;
                }
                row
            })
            .collect();
        let all: Vec<usize> = (0..roots.len()).collect();
        let g = self.net.jacobian(theta, &f, &all, &seed);
        // ∂s/∂θ = −M⁻¹ ∂u/∂θ (P × roots), node by node
        let mut ds = DMatrix::<f64>::zeros(g.nrows(), roots.len());
        for (first, n) in kink::nodes(&roots) {
            let mat = kinks.coupling(&roots[first..first + n], &samples[first * m..]);
            let rhs = -g.columns(first, n).transpose();
            if let Some(sol) = mat.lu().solve(&rhs)
                && sol.iter().all(|v| v.is_finite())
            {
                ds.columns_mut(first, n).copy_from(&sol.transpose());
            }
        }
        for (q, list) in sens.iter().enumerate() {
            let mut col = jt.column_mut(q);
            for &(k, w) in list {
                col.axpy(w, &ds.column(k), 1.0);
            }
        }
    }
}

/// The lower triangle of `A = Jᵀ J` from `Jᵀ` (`P × R`): the dominant cost, `R P² / 2`
/// multiply-adds, as one symmetric rank-`R` update on all cores (faer's triangular product, which
/// skips the upper half that the Cholesky factorisation never reads).
fn gram(jt: &DMatrix<f64>) -> Mat<f64> {
    let (p, r) = jt.shape();
    let mut a = Mat::<f64>::zeros(p, p);
    let j = MatRef::from_column_major_slice(jt.as_slice(), p, r);
    triangular::matmul(
        a.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        j,
        BlockStructure::Rectangular,
        j.transpose(),
        BlockStructure::Rectangular,
        1.0,
        Par::rayon(0),
    );
    a
}

/// One Levenberg–Marquardt iteration's outcome.
pub(crate) struct Iterate {
    pub theta: Vec<f64>,
    pub loss: f64,
    pub terms: Terms,
    pub lambda: f64,
}

/// The damped Gauss–Newton state between iterations.
pub(crate) struct Lm {
    pub theta: Vec<f64>,
    /// `λ`, relative to `diag(JᵀJ)`.
    pub lambda: f64,
    nu: f64,
}

/// Rejected steps tried per iteration before giving up (`λ` grows by `ν`, doubling, each time).
const MAX_REJECTIONS: usize = 40;

impl Lm {
    pub fn new(theta: Vec<f64>, lambda: f64) -> Self {
        Self {
            theta,
            lambda,
            nu: 2.0,
        }
    }

    /// One iteration on `rows`: `None` when no damping lowers the loss (converged or stalled).
    pub fn iterate(&mut self, rows: &Rows) -> Option<Iterate> {
        let (r, _, jt) = rows.evaluate(&self.theta, true);
        let jt = jt?;
        let loss = r.norm_squared();
        let a = gram(&jt);
        let g = &jt * &r;
        let p = g.len();
        let diag: Vec<f64> = (0..p)
            .map(|k| a[(k, k)].max(1e-12 * (1.0 + a[(k, k)])))
            .collect();
        let minus_g = Mat::<f64>::from_fn(p, 1, |k, _| -g[k]);
        for _ in 0..MAX_REJECTIONS {
            let mut damped = a.clone();
            for (k, d) in diag.iter().enumerate() {
                damped[(k, k)] += self.lambda * d;
            }
            let step = damped.llt(Side::Lower).ok().map(|c| {
                let x = c.solve(&minus_g);
                DVector::from_fn(p, |k, _| x[(k, 0)])
            });
            let accepted = step
                .filter(|d| d.iter().all(|v| v.is_finite()))
                .and_then(|d| {
                    let trial: Vec<f64> = self
                        .theta
                        .iter()
                        .zip(d.iter())
                        .map(|(t, s)| t + s)
                        .collect();
                    let (rt, terms, _) = rows.evaluate(&trial, false);
                    let new = rt.norm_squared();
                    (new.is_finite() && new < loss).then(|| {
                        // predicted decrease of the quadratic model, −(2 δ·g + δᵀAδ); with
                        // (A + λD) δ = −g it is −δ·g + λ δᵀDδ
                        let damping: f64 = diag.iter().zip(d.iter()).map(|(w, v)| w * v * v).sum();
                        let predicted = -d.dot(&g) + self.lambda * damping;
                        (
                            trial,
                            new,
                            terms,
                            (loss - new) / predicted.max(f64::MIN_POSITIVE),
                        )
                    })
                });
            match accepted {
                Some((trial, new, terms, rho)) => {
                    self.theta = trial;
                    self.lambda *= (1.0 - (2.0 * rho - 1.0).powi(3)).max(1.0 / 3.0);
                    self.lambda = self.lambda.max(1e-15);
                    self.nu = 2.0;
                    return Some(Iterate {
                        theta: self.theta.clone(),
                        loss: new,
                        terms,
                        lambda: self.lambda,
                    });
                }
                None => {
                    self.lambda *= self.nu;
                    self.nu *= 2.0;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Constraints, TrainConfig};
    use crate::network::{Mlp, NetworkConfig};
    use crate::rng::Rng;
    use crate::train::objective;
    use hh_model::{InitialCondition, ProblemConfig};
    use std::sync::Arc;

    /// A 2×5 network in f64 with `outputs` outputs, its inputs mapped onto `[−1, 1]²`.
    fn small_net(act: Activation, outputs: usize, seed: u64, d: &hh_core::Domain) -> Mlp {
        let cfg = NetworkConfig {
            depth: 2,
            width: 5,
            activation: act,
            normalise: true,
        };
        Mlp::init(
            &cfg,
            outputs,
            InputMap::for_config(&cfg, d),
            &mut Rng::new(seed, 1),
            candle_core::DType::F64,
            &candle_core::Device::Cpu,
        )
        .unwrap()
    }

    /// The largest difference of `Jᵀ` from central differences of `r(θ)` (relative to
    /// `1 + |∂r/∂θ|`), and the largest `|∂r/∂θ_k|` of each parameter.
    fn jacobian_error(rows: &Rows, theta: &[f64], jt: &DMatrix<f64>) -> (f64, Vec<f64>) {
        let h = 1e-6;
        let mut worst: f64 = 0.0;
        let mut size = Vec::with_capacity(theta.len());
        for k in 0..theta.len() {
            let mut plus = theta.to_vec();
            let mut minus = theta.to_vec();
            plus[k] += h;
            minus[k] -= h;
            let fd = (rows.evaluate(&plus, false).0 - rows.evaluate(&minus, false).0) / (2.0 * h);
            for (q, d) in fd.iter().enumerate() {
                worst = worst.max((d - jt[(k, q)]).abs() / (1.0 + d.abs()));
            }
            size.push(fd.amax());
        }
        (worst, size)
    }

    /// The rows' Jacobian against central differences of `r(θ)`, for every kind of row (interior,
    /// soft initial, neumann boundary), with and without an ansatz, for both activations.
    #[test]
    fn the_jacobian_is_exact() {
        for (bc, act, hard) in [
            (BoundaryMode::Neumann, Activation::Tanh, false),
            (BoundaryMode::Dirichlet, Activation::Silu, true),
        ] {
            let problem = ProblemConfig {
                bc,
                ic: InitialCondition::Paper,
                ..Default::default()
            };
            let model: crate::Model = Arc::new(problem.build().unwrap());
            let mut config = TrainConfig::preset("seed-fixed").unwrap();
            config.loss.boundary = 0.7;
            config.constraints = Constraints {
                hard_initial: hard,
                ..Constraints::default()
            };
            let net = small_net(act, 1, 3, &model.domain());
            let theta: Vec<f64> = net.theta().as_tensor().to_vec1().unwrap();
            let obj = objective(&config, &model, None);
            let batch = Batch {
                x: vec![0.3, 1.2, 2.9],
                t: vec![0.1, 0.5, 0.95],
                bt: vec![0.2, 0.7],
                weight: Vec::new(),
            };
            let rows = Rows {
                objective: &obj,
                net: HostNet {
                    layers: net.layers(),
                    act,
                    inputs: net.input_map(),
                },
                batch: &batch,
                kinks: None,
                branches: None,
            };
            let (r, _, jt) = rows.evaluate(&theta, true);
            let jt = jt.unwrap();
            assert_eq!(jt.shape(), (theta.len(), r.len()));
            let a = gram(&jt);
            let full = &jt * jt.transpose();
            for i in 0..theta.len() {
                for j in 0..=i {
                    assert!((a[(i, j)] - full[(i, j)]).abs() < 1e-12 * (1.0 + full.norm()));
                }
            }
            let (worst, _) = jacobian_error(&rows, &theta, &jt);
            assert!(worst < 1e-6, "{bc} {act:?}: Jacobian error {worst}");
        }
    }

    /// Under the kink-aware ansatz `u = A + B (N + E N_e)` the rows' Jacobian (the extra output's
    /// columns included) is exact too, at `k = ∞` (`ψ = z|z|/2`) and finite `k` (`ψ = |z|³/6`).
    #[test]
    fn the_jacobian_is_exact_under_the_kink_ansatz() {
        for k in [hh_model::Slope::Infinite, hh_model::Slope::Finite(5.0)] {
            let problem = ProblemConfig {
                k,
                ..Default::default()
            };
            let model: crate::Model = Arc::new(problem.build().unwrap());
            let mut config = TrainConfig::preset("kink").unwrap();
            config.kink.time_nodes = 16;
            config.kink.scan_points = 64;
            let d = model.domain();
            let net = small_net(Activation::Tanh, 2, 5, &d);
            // a small extra output, as in training (it starts at zero)
            let mut theta: Vec<f64> = net.theta().as_tensor().to_vec1().unwrap();
            let last = net.layers()[net.layers().len() - 1];
            theta[last.w_off + last.n_in..last.b_off + 2]
                .iter_mut()
                .for_each(|w| *w *= 0.05);
            let obj = objective(&config, &model, None);
            let host = HostNet {
                layers: net.layers(),
                act: Activation::Tanh,
                inputs: net.input_map(),
            };
            // the network's own level sets (u = w + t x (π − x) (N + E N_e) crosses them twice
            // while the linear part's peak is above the level)
            let kinks = Interfaces::none(&model.switches(), 1, d, &config.kink).locate(
                d,
                &config.kink,
                &|c: &Interfaces, x: &[f64], t: &[f64]| {
                    kink::host_samples(&obj, &host, &theta, Some(c), x, t)
                },
            );
            assert!(kinks.counts().iter().all(|&(_, max, _)| max == 2));
            let batch = Batch {
                x: vec![0.3, 0.95, 1.2, 2.0, 2.9, 1.4],
                t: vec![0.1, 0.5, 0.95, 0.3, 0.7, 0.02],
                bt: vec![],
                weight: Vec::new(),
            };
            let rows = Rows {
                objective: &obj,
                net: HostNet {
                    layers: net.layers(),
                    act: Activation::Tanh,
                    inputs: net.input_map(),
                },
                batch: &batch,
                kinks: Some(&kinks),
                branches: None,
            };
            let branches = rows.branches(&theta);
            let rows = Rows {
                branches: branches.as_ref(),
                ..rows
            };
            let (_, _, jt) = rows.evaluate(&theta, true);
            let (worst, size) = jacobian_error(&rows, &theta, &jt.unwrap());
            let extra_column = size[last.b_off + 1];
            assert!(worst < 1e-6, "k = {k}: Jacobian error {worst}");
            assert!(extra_column > 1e-3, "the extra output enters the residual");
        }
    }

    /// `‖r‖²` of the rows is the first-order objective's loss on the same points.
    #[test]
    fn the_rows_make_up_the_loss() {
        let model: crate::Model = Arc::new(
            ProblemConfig {
                bc: BoundaryMode::Neumann,
                ..Default::default()
            }
            .build()
            .unwrap(),
        );
        let mut config = TrainConfig::preset("dgm").unwrap();
        config.dtype = crate::Precision::F64;
        let obj = objective(&config, &model, None);
        let net = Mlp::init(
            &config.network,
            1,
            InputMap::IDENTITY,
            &mut Rng::new(0, 1),
            candle_core::DType::F64,
            &candle_core::Device::Cpu,
        )
        .unwrap();
        let batch = Batch {
            x: vec![0.3, 1.2, 2.9, 1.7],
            t: vec![0.1, 0.5, 0.95, 0.0],
            bt: vec![0.2, 0.7],
            weight: Vec::new(),
        };
        let norms = obj.norms(&batch);
        let loss = obj
            .chunk_loss(&net, &batch, &norms, crate::Kernel::Plain)
            .unwrap()
            .total
            .to_scalar::<f64>()
            .unwrap();
        let theta: Vec<f64> = net.theta().as_tensor().to_vec1().unwrap();
        let rows = Rows {
            objective: &obj,
            net: HostNet {
                layers: net.layers(),
                act: config.network.activation,
                inputs: net.input_map(),
            },
            batch: &batch,
            kinks: None,
            branches: None,
        };
        let (r, _, _) = rows.evaluate(&theta, false);
        assert!(
            (r.norm_squared() - loss).abs() < 1e-12 * (1.0 + loss),
            "{} vs {loss}",
            r.norm_squared()
        );
    }
}
