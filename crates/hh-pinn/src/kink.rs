//! The kink-aware ansatz: a network that knows where the reaction switches.
//!
//! Where `f_i` jumps or kinks across a level `u_i = ℓ` ([`hh_core::Reaction::switches`]), the
//! solution is not smooth across the curve `x = s(t)` on which `u_i(t, s(t)) = ℓ`: the equation
//! `u_t = D u_xx + f(u)` fixes its jumps ([`hh_core::switch`]), `D [u_xx] = −σ [f]` where `f`
//! jumps and `D [u_xxx] = −σ [f'] u_x` where only its slope does. A smooth network can only round
//! such a kink off. With the enrichment
//!
//! ```text
//! u_i = A_i + B_i (N_i + E_i N_e(i)),    E_i(x, t) = Σ_curves ψ(x − s(t)),
//! ψ(z) = z|z| / 2   where f jumps   (ψ, ψ' continuous, ψ'' = sign z jumps by 2),
//! ψ(z) = |z|³ / 6   where f kinks   (ψ, ψ', ψ'' continuous, ψ''' jumps by 2),
//! ```
//!
//! with `N_e(i)` one more output of the same network, smooth `N` and `N_e` represent a function
//! whose jump across each curve is any smooth multiple `2 B N_e` of the profile's, so the exact
//! jump is in reach (`[u_xx] = 2 B N_e` at a jump of `f`; at a kink `[u_xxx] = 2 B N_e`, and
//! `E_t = −s' ψ'` carries the jump of `u_tx`).
//!
//! **The curves are the network's own level sets, learned with it.** On a uniform grid of times
//! `t_n` the roots of `u_i(t_n, ·) = ℓ` are bracketed by a scan in `x`, refined by safeguarded
//! Newton ([`Interfaces::locate`]) and then moved, all roots of a node at once, to the level
//! sets of `u` *with its own enrichment* ([`Interfaces::track`]: Newton on `u(s_i; s) = ℓ_i`,
//! whose matrix [`Interfaces::coupling`] has `u_x` on its diagonal and the other curves' terms
//! off it). Between nodes each curve is the cubic Hermite interpolant of its roots, with slopes
//! from differences of third order or more, so `s` is `C¹` and `s'` enters `E_t`. A node interval
//! whose two ends see different numbers of roots (a curve is born or dies in it) has no
//! enrichment for that level, and the enrichment fades out over the intervals before it and in
//! after it, so that `u` stays continuous in time when a curve is born, dies or leaves the
//! interval.
//!
//! Levenberg–Marquardt treats the roots as functions of the parameters: every evaluation of the
//! residuals tracks them to the level sets of `u(θ)`, and the Jacobian has the implicit
//! derivative `∂s/∂θ = −M⁻¹ ∂u/∂θ` at the roots chained through the interpolation
//! ([`Interfaces::sensitivities`]). Within one iteration each collocation point keeps the
//! branch it was on at the iteration's start ([`Branches`]: the side of every curve, and the
//! reaction's piece), so the residuals are smooth in `θ` even where a curve moves across a point;
//! the next iteration takes its own branches. A full scan runs every `kink.relocate_every`
//! iterations (curves born or dead), and the final evaluation starts from training's last
//! curves.
//!
//! What it does not carry: where `u₀` crosses a level at `t = 0`, the jump of `u_xx` appears at
//! once while `B = O(t)`, so near `(s(0), 0)` the exact jump needs `N_e ∼ 1/t`; the heat layer of
//! width `√t` that grows from that corner is left to the network.

use hh_core::{Domain, Jet, ReactionDiffusion, Switch};

use crate::ansatz::Fields;
use crate::config::{Kink, TrainConfig};
use crate::gauss_newton::HostNet;
use crate::loss::Objective;
use crate::network::Mlp;

/// The shape `ψ` of the enrichment across one switching level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// `ψ = z|z|/2`: the reaction jumps, `u_xx` jumps.
    Jump,
    /// `ψ = |z|³/6`: the reaction's slope jumps, `u_xxx` jumps.
    Slope,
}

impl Profile {
    pub fn of(switch: &Switch) -> Self {
        if switch.jump != 0.0 {
            Profile::Jump
        } else {
            Profile::Slope
        }
    }

    /// `ψ'(z)`.
    pub fn slope(self, z: f64) -> f64 {
        self.eval(z, z.signum())[1]
    }

    /// `(ψ, ψ', ψ'', ψ''')` at `z` on the side `side = ±1` of the curve: the polynomial of that
    /// side, `side · z²/2` or `side · z³/6`, continued past `z = 0`; with `side = sign z` it is
    /// `ψ` itself (`ψ'''` of `z|z|/2` is a point mass at 0, left out).
    fn eval(self, z: f64, side: f64) -> [f64; 4] {
        match self {
            Profile::Jump => [0.5 * side * z * z, side * z, side, 0.0],
            Profile::Slope => [side * z * z * z / 6.0, 0.5 * side * z * z, side * z, side],
        }
    }
}

/// The extra output `N_e(i)` of every component, `None` where the component has no switch:
/// components with switches get outputs `m, m + 1, …` in order.
pub fn extra_outputs(switches: &[Switch], m: usize) -> Vec<Option<usize>> {
    let mut next = m;
    (0..m)
        .map(|i| {
            switches.iter().any(|s| s.component == i).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// The network's outputs for `config` and `model`: `m`, and one more per component with a switch
/// under the kink-aware ansatz.
pub fn outputs(config: &TrainConfig, model: &dyn ReactionDiffusion) -> usize {
    let m = model.components();
    if !config.kink.enabled {
        return m;
    }
    m + extra_outputs(&model.switches(), m).iter().flatten().count()
}

/// `u` at the points (`n × m` values, point after point) of a network trained with the
/// kink-aware ansatz: the curves located from `start` (training's last curves; else from the
/// smooth part alone) and tracked to the level sets of `u` itself ([`Interfaces::locate`]).
pub(crate) fn evaluate(
    objective: &Objective,
    net: &Mlp,
    config: &TrainConfig,
    start: Option<&Interfaces>,
    xs: &[f64],
    ts: &[f64],
) -> Vec<f64> {
    let theta: Vec<f64> = net
        .theta()
        .as_tensor()
        .to_dtype(candle_core::DType::F64)
        .and_then(|t| t.to_vec1())
        .expect("the network's parameters are on the host");
    let host = HostNet {
        layers: net.layers(),
        act: config.network.activation,
        inputs: net.input_map(),
    };
    let model = objective.model();
    let domain = model.domain();
    let none = Interfaces::none(&model.switches(), model.components(), domain, &config.kink);
    let u = |k: &Interfaces, x: &[f64], t: &[f64]| {
        host_samples(objective, &host, &theta, Some(k), x, t)
    };
    let curves = start.unwrap_or(&none).locate(domain, &config.kink, &u);
    host_samples(objective, &host, &theta, Some(&curves), xs, ts)
        .iter()
        .map(|s| s.u.value)
        .collect()
}

/// The curves of one switching level: the sorted roots at every time node.
#[derive(Clone, Debug)]
struct Level {
    switch: Switch,
    profile: Profile,
    roots: Vec<Vec<f64>>,
}

/// The located curves `x = s(t)` of every switching level.
#[derive(Clone, Debug)]
pub struct Interfaces {
    dt: f64,
    /// The largest move of a root in one step of [`Interfaces::track`]: half the scan's spacing.
    max_step: f64,
    levels: Vec<Level>,
    /// [`extra_outputs`].
    extra: Vec<Option<usize>>,
}

/// `u` at one point of one component, and the coefficient `B N_e` of the enrichment `E` in it
/// (0 where the component has no switch): how `u` moves when another curve moves.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    pub u: Jet,
    pub coefficient: f64,
}

/// `u` at points, `n × m` [`Sample`]s point after point, with the enrichment of the given curves.
pub type Evaluate<'a> = dyn Fn(&Interfaces, &[f64], &[f64]) -> Vec<Sample> + 'a;

/// One root of [`Interfaces::roots`]: curve `index` of `level` at time node `node`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Root {
    pub level: usize,
    pub node: usize,
    pub index: usize,
    pub x: f64,
    pub t: f64,
}

/// Newton iterations (or bisections) that refine one bracketed root at most.
const MAX_REFINE: usize = 80;
/// Time nodes evaluated in one batch of the scan (bounds the memory of a location).
const NODES_PER_BATCH: usize = 32;
/// Node intervals over which a level's enrichment fades out before, and in after, a change of
/// its number of curves ([`Interfaces::fade`]).
const FADE_NODES: usize = 8;
/// Newton iterations of [`Interfaces::track`] at most.
const MAX_TRACK: usize = 12;

impl Interfaces {
    /// No curves (the enrichment is zero): the start of the fixed point.
    pub fn none(switches: &[Switch], m: usize, domain: Domain, cfg: &Kink) -> Self {
        Self {
            dt: domain.t_end / cfg.time_nodes as f64,
            max_step: 0.5 * (domain.x_max - domain.x_min) / (cfg.scan_points - 1) as f64,
            levels: switches
                .iter()
                .map(|s| Level {
                    switch: *s,
                    profile: Profile::of(s),
                    roots: vec![Vec::new(); cfg.time_nodes + 1],
                })
                .collect(),
            extra: extra_outputs(switches, m),
        }
    }

    /// [`extra_outputs`] of these curves' switches.
    pub fn extra(&self) -> &[Option<usize>] {
        &self.extra
    }

    /// The curves of `u`: every level's roots at every time node, bracketed by the scan of `u`
    /// with these curves' enrichment and refined, then [`Interfaces::track`]ed to the level
    /// sets of `u` with its own enrichment.
    pub fn locate(&self, domain: Domain, cfg: &Kink, u: &Evaluate) -> Self {
        let m = self.extra.len();
        let nodes = self.levels.first().map_or(0, |l| l.roots.len());
        let ts: Vec<f64> = (0..nodes).map(|n| n as f64 * self.dt).collect();
        let sp = cfg.scan_points;
        let dx = (domain.x_max - domain.x_min) / (sp - 1) as f64;
        let xs: Vec<f64> = (0..sp).map(|i| domain.x_min + i as f64 * dx).collect();
        // brackets: (level, node, lo, hi, whether lo is above the level)
        let mut brackets = Vec::new();
        for first in (0..nodes).step_by(NODES_PER_BATCH) {
            let last = (first + NODES_PER_BATCH).min(nodes);
            let (mut bx, mut bt) = (Vec::new(), Vec::new());
            for &t in &ts[first..last] {
                bx.extend_from_slice(&xs);
                bt.extend(std::iter::repeat_n(t, sp));
            }
            let jets = u(self, &bx, &bt);
            for (l, level) in self.levels.iter().enumerate() {
                let c = level.switch.component;
                for n in first..last {
                    let row = (n - first) * sp;
                    let above = |i: usize| level.switch.above(jets[(row + i) * m + c].u.value);
                    for i in 0..sp - 1 {
                        if above(i) != above(i + 1) {
                            brackets.push((l, n, xs[i], xs[i + 1], above(i)));
                        }
                    }
                }
            }
        }
        let roots = refine(&self.levels, &brackets, m, &ts, &|x, t| {
            u(self, x, t).into_iter().map(|s| s.u).collect()
        });
        let mut out = self.clone();
        for level in &mut out.levels {
            level.roots.iter_mut().for_each(Vec::clear);
        }
        for (&(l, n, ..), x) in brackets.iter().zip(roots) {
            out.levels[l].roots[n].push(x);
        }
        out.track(u)
    }

    /// Every root, node after node (and level after level within a node).
    pub fn roots(&self) -> Vec<Root> {
        let mut out = Vec::new();
        let nodes = self.levels.first().map_or(0, |l| l.roots.len());
        for n in 0..nodes {
            for (l, level) in self.levels.iter().enumerate() {
                for (j, &x) in level.roots[n].iter().enumerate() {
                    out.push(Root {
                        level: l,
                        node: n,
                        index: j,
                        x,
                        t: n as f64 * self.dt,
                    });
                }
            }
        }
        out
    }

    /// Where each level's roots at each node start in [`Interfaces::roots`]:
    /// `offsets[level][node]`.
    pub(crate) fn offsets(&self) -> Vec<Vec<usize>> {
        let nodes = self.levels.first().map_or(0, |l| l.roots.len());
        let mut out = vec![vec![0; nodes]; self.levels.len()];
        let mut next = 0;
        for n in 0..nodes {
            for (l, level) in self.levels.iter().enumerate() {
                out[l][n] = next;
                next += level.roots[n].len();
            }
        }
        out
    }

    /// The switch of a level.
    pub fn switch(&self, level: usize) -> Switch {
        self.levels[level].switch
    }

    /// These curves moved to the level sets of `u` with its own enrichment: Newton on the roots
    /// of each node at once, `M Δs = −(u(s) − ℓ)` with `M` of [`Interfaces::coupling`] (a
    /// curve's own term and its slope vanish at its root; the other curves' terms couple them),
    /// until no root moves by 1e-14 or after [`MAX_TRACK`] iterations. A step is at most half the
    /// scan's spacing (near a tangency, where two roots merge, Newton overshoots); the roots of a
    /// node whose step is not finite stay.
    pub fn track(&self, u: &Evaluate) -> Self {
        let mut current = self.clone();
        let roots = self.roots();
        if roots.is_empty() {
            return current;
        }
        let ts: Vec<f64> = roots.iter().map(|r| r.t).collect();
        for _ in 0..MAX_TRACK {
            let listed = current.roots();
            let xs: Vec<f64> = listed.iter().map(|r| r.x).collect();
            let samples = u(&current, &xs, &ts);
            let mut moved: f64 = 0.0;
            for (first, n) in nodes(&listed) {
                let mat = current.coupling(&listed[first..first + n], &samples[first * self.m()..]);
                let f = nalgebra::DVector::from_fn(n, |i, _| {
                    let r = listed[first + i];
                    let sw = current.levels[r.level].switch;
                    samples[(first + i) * self.m() + sw.component].u.value - sw.level
                });
                let Some(step) = mat
                    .lu()
                    .solve(&f)
                    .filter(|d| d.iter().all(|v| v.is_finite()))
                else {
                    continue;
                };
                for (i, d) in step.iter().enumerate() {
                    let d = d.clamp(-self.max_step, self.max_step);
                    let r = listed[first + i];
                    current.levels[r.level].roots[r.node][r.index] -= d;
                    moved = moved.max(d.abs());
                }
            }
            if moved < 1e-14 {
                break;
            }
        }
        current
    }

    /// Components `m`.
    fn m(&self) -> usize {
        self.extra.len()
    }

    /// `M_ij = ∂(u(s_i) − ℓ_i)/∂s_j` for the roots of one node (`samples` from the node's first
    /// root on): `u_x(s_i)` on the diagonal and, between two curves of one component that the
    /// enrichment holds at that time, `−B N_e ψ_j'(s_i − s_j)` (how the other curve's
    /// enrichment moves `u` at `s_i`).
    pub(crate) fn coupling(&self, roots: &[Root], samples: &[Sample]) -> nalgebra::DMatrix<f64> {
        let m = self.m();
        let n = roots.len();
        let mut weights = Vec::new();
        // each root's curve's weight in the enrichment at its time (0 where it has none)
        let enriched: Vec<f64> = roots
            .iter()
            .map(|r| {
                let level = &self.levels[r.level];
                self.weights(level, r.t, &mut weights);
                if weights.is_empty() {
                    0.0
                } else {
                    self.fade(level, r.t).0
                }
            })
            .collect();
        nalgebra::DMatrix::from_fn(n, n, |i, j| {
            let (ri, rj) = (roots[i], roots[j]);
            let c = self.levels[ri.level].switch.component;
            let sample = samples[i * m + c];
            if i == j {
                sample.u.x
            } else if enriched[j] != 0.0 && self.levels[rj.level].switch.component == c {
                -enriched[j] * sample.coefficient * self.levels[rj.level].profile.slope(ri.x - rj.x)
            } else {
                0.0
            }
        })
    }

    /// The number of curves of each level at each node, for reports: `(level, max, min)` counts.
    pub fn counts(&self) -> Vec<(f64, usize, usize)> {
        self.levels
            .iter()
            .map(|l| {
                let c = l.roots.iter().map(Vec::len);
                (
                    l.switch.level,
                    c.clone().max().unwrap_or(0),
                    c.min().unwrap_or(0),
                )
            })
            .collect()
    }

    /// The weights of the node roots in `s(t)` and `s'(t)` of `level`'s curves on the node
    /// interval holding `t`: `(node, w_s, w_s')` (the same for every curve of the level), or
    /// nothing where the interval's two ends see different numbers of roots. `s` is the cubic
    /// Hermite interpolant of the two end nodes with slopes from differences of third order or
    /// more where the neighbours have the curve (centred, else one-sided), else the secant.
    fn weights(&self, level: &Level, t: f64, out: &mut Vec<(usize, f64, f64)>) {
        out.clear();
        let last = level.roots.len() - 1;
        let u = (t / self.dt).clamp(0.0, last as f64);
        let n = (u.floor() as usize).min(last.saturating_sub(1));
        let count = level.roots[n].len();
        if count == 0 || level.roots[n + 1].len() != count {
            return;
        }
        let has =
            |lo: usize, hi: usize| hi <= last && (lo..=hi).all(|k| level.roots[k].len() == count);
        // the slope at node k (per node interval) as weights of nodes
        let slope = |k: usize| -> Vec<(usize, f64)> {
            if k >= 2 && has(k - 2, k + 2) {
                [(k - 2, 1.0), (k - 1, -8.0), (k + 1, 8.0), (k + 2, -1.0)]
                    .map(|(i, w)| (i, w / 12.0))
                    .to_vec()
            } else if has(k, k + 3) {
                [(k, -11.0), (k + 1, 18.0), (k + 2, -9.0), (k + 3, 2.0)]
                    .map(|(i, w)| (i, w / 6.0))
                    .to_vec()
            } else if k >= 3 && has(k - 3, k) {
                [(k, 11.0), (k - 1, -18.0), (k - 2, 9.0), (k - 3, -2.0)]
                    .map(|(i, w)| (i, w / 6.0))
                    .to_vec()
            } else {
                vec![(n + 1, 1.0), (n, -1.0)]
            }
        };
        let th = u - n as f64;
        let (th2, th3) = (th * th, th * th * th);
        let h = [
            2.0 * th3 - 3.0 * th2 + 1.0,
            th3 - 2.0 * th2 + th,
            -2.0 * th3 + 3.0 * th2,
            th3 - th2,
        ];
        let dh = [
            6.0 * th2 - 6.0 * th,
            3.0 * th2 - 4.0 * th + 1.0,
            -6.0 * th2 + 6.0 * th,
            3.0 * th2 - 2.0 * th,
        ]
        .map(|d| d / self.dt);
        let mut add = |k: usize, ws: f64, wd: f64| match out.iter_mut().find(|e| e.0 == k) {
            Some(e) => {
                e.1 += ws;
                e.2 += wd;
            }
            None => out.push((k, ws, wd)),
        };
        add(n, h[0], dh[0]);
        add(n + 1, h[2], dh[2]);
        for (k, c) in [(n, 1), (n + 1, 3)] {
            for (i, w) in slope(k) {
                add(i, h[c] * w, dh[c] * w);
            }
        }
    }

    /// The weight `w(t)` of `level`'s curves in the enrichment and `w'(t)`: 1, except over the
    /// [`FADE_NODES`] node intervals next to a time where the number of curves changes (a curve is
    /// born, dies or leaves the interval), where it goes to 0 as `3r² − 2r³`, so that `E` stays
    /// continuous in time across such events (in the interval of the event itself there is no
    /// enrichment).
    fn fade(&self, level: &Level, t: f64) -> (f64, f64) {
        let last = level.roots.len() - 1;
        let n =
            ((t / self.dt).clamp(0.0, last as f64).floor() as usize).min(last.saturating_sub(1));
        let count = level.roots[n].len();
        let mut start = n;
        while start > 0 && level.roots[start - 1].len() == count {
            start -= 1;
        }
        let mut end = n + 1;
        while end < last && level.roots[end + 1].len() == count {
            end += 1;
        }
        let width = FADE_NODES as f64 * self.dt;
        let step = |r: f64| -> (f64, f64) {
            let r = r.clamp(0.0, 1.0);
            (r * r * (3.0 - 2.0 * r), 6.0 * r * (1.0 - r))
        };
        let (a, da) = if start > 0 {
            let (v, d) = step((t - start as f64 * self.dt) / width);
            (v, d / width)
        } else {
            (1.0, 0.0)
        };
        let (b, db) = if end < last {
            let (v, d) = step((end as f64 * self.dt - t) / width);
            (v, -d / width)
        } else {
            (1.0, 0.0)
        };
        (a * b, da * b + a * db)
    }

    /// `(s, s')` of every curve of `level` defined at `t`.
    pub fn curves(&self, level: usize, t: f64) -> Vec<(f64, f64)> {
        let (mut weights, mut out) = (Vec::new(), Vec::new());
        self.weights(&self.levels[level], t, &mut weights);
        self.positions(&self.levels[level], &weights, &mut out);
        out
    }

    /// `(s, s')` of every curve of `level` from [`Interfaces::weights`] at some `t`.
    fn positions(&self, level: &Level, weights: &[(usize, f64, f64)], out: &mut Vec<(f64, f64)>) {
        out.clear();
        let Some(&(first, ..)) = weights.first() else {
            return;
        };
        for j in 0..level.roots[first].len() {
            let (mut s, mut ds) = (0.0, 0.0);
            for &(k, ws, wd) in weights {
                s += ws * level.roots[k][j];
                ds += wd * level.roots[k][j];
            }
            out.push((s, ds));
        }
    }

    /// The sensitivities `∂r/∂s_k` of a row with coefficients `c` of the streams
    /// `(v, x, t, xx)` of `N_i + E_i N_e` at `(x, t)` (component `i`, `N_e`'s jet `ne`) to the
    /// roots `s_k` ([`Interfaces::roots`] order, `offsets` from [`Interfaces::offsets`]),
    /// appended to `out`. With `z = x − s`:
    ///
    /// ```text
    /// ∂(E N_e)/∂s = −ψ' N_e,   ∂(E N_e)_x/∂s = −ψ'' N_e − ψ' N_e,x,
    /// ∂(E N_e)_t/∂s = s' ψ'' N_e − ψ' N_e,t,   ∂(E N_e)_t/∂s' = −ψ' N_e,
    /// ∂(E N_e)_xx/∂s = −ψ''' N_e − 2 ψ'' N_e,x − ψ' N_e,xx,
    /// ```
    ///
    /// and `s(t)`, `s'(t)` are linear in the roots ([`Interfaces::weights`]). `sides` (the point's
    /// [`Branches`]) fixes the side of each curve.
    pub(crate) fn sensitivities(
        &self,
        component: usize,
        (x, t): (f64, f64),
        ne: Jet,
        c: [f64; 4],
        offsets: &[Vec<usize>],
        sides: Option<&[f64]>,
        out: &mut Vec<(usize, f64)>,
    ) {
        let (mut weights, mut curves) = (Vec::new(), Vec::new());
        let mut k = 0;
        for (l, level) in self.levels.iter().enumerate() {
            self.weights(level, t, &mut weights);
            self.positions(level, &weights, &mut curves);
            k += curves.len();
            if level.switch.component != component {
                continue;
            }
            let first = k - curves.len();
            let (w, dw) = self.fade(level, t);
            for (j, &(s, ds)) in curves.iter().enumerate() {
                let side = sides.map_or((x - s).signum(), |sd| sd[first + j]);
                let [_, d1, d2, d3] = level.profile.eval(x - s, side);
                // ∂(w E)/∂s for the streams (v, x, t, xx), and ∂(w E)_t/∂s'
                let d = [-w * d1, -w * d2, w * ds * d2 - dw * d1, -w * d3];
                let dr_ds = c[0] * (d[0] * ne.value)
                    + c[1] * (d[1] * ne.value + d[0] * ne.x)
                    + c[2] * (d[2] * ne.value + d[0] * ne.t)
                    + c[3] * (d[3] * ne.value + 2.0 * d[1] * ne.x + d[0] * ne.xx);
                let dr_dds = c[2] * (-w * d1 * ne.value);
                for &(k, ws, wd) in &weights {
                    out.push((offsets[l][k] + j, dr_ds * ws + dr_dds * wd));
                }
            }
        }
    }

    /// `E_i` at every point: `n × m` jets, point after point (zero where a component has no
    /// switch); with `branches`, each curve's polynomial of the side the point was on then.
    pub fn enrichment(&self, xs: &[f64], ts: &[f64], branches: Option<&Branches>) -> Vec<Jet> {
        let m = self.extra.len();
        let mut out = vec![Jet::default(); xs.len() * m];
        let (mut weights, mut curves) = (Vec::new(), Vec::new());
        for (p, (&x, &t)) in xs.iter().zip(ts).enumerate() {
            let mut k = 0;
            for level in &self.levels {
                self.weights(level, t, &mut weights);
                self.positions(level, &weights, &mut curves);
                if curves.is_empty() {
                    continue;
                }
                let (w, dw) = self.fade(level, t);
                let e = &mut out[p * m + level.switch.component];
                for &(s, ds) in &curves {
                    let side = branches.map_or((x - s).signum(), |b| b.sides[p][k]);
                    k += 1;
                    let [v, d1, d2, _] = level.profile.eval(x - s, side);
                    e.value += w * v;
                    e.x += w * d1;
                    e.t += dw * v - w * ds * d1;
                    e.xx += w * d2;
                }
            }
        }
        out
    }

    /// The branches of the points (`samples` of `u` at them, `n × m`): the side of every curve
    /// defined at each point's time, and whether `u` is above each level.
    pub fn branches(&self, xs: &[f64], ts: &[f64], samples: &[Sample]) -> Branches {
        let m = self.m();
        let mut curves = Vec::new();
        let mut weights = Vec::new();
        let mut sides = Vec::with_capacity(xs.len());
        let mut above = Vec::with_capacity(xs.len());
        for (p, (&x, &t)) in xs.iter().zip(ts).enumerate() {
            let mut sd = Vec::new();
            for level in &self.levels {
                self.weights(level, t, &mut weights);
                self.positions(level, &weights, &mut curves);
                sd.extend(curves.iter().map(|&(s, _)| (x - s).signum()));
            }
            sides.push(sd);
            above.push(
                self.levels
                    .iter()
                    .map(|l| l.switch.above(samples[p * m + l.switch.component].u.value))
                    .collect(),
            );
        }
        Branches { sides, above }
    }

    /// `f` at point `p` on the branch it was on ([`Branches`]): where `u_i` has since crossed a
    /// level across which `f_i` jumps, the jump is added back (`f(ℓ⁺) − f(ℓ⁻)`, the same on
    /// the whole branch for a reaction that jumps by a constant there).
    pub fn on_branch(&self, p: usize, u: &[f64], branches: &Branches, f: &mut [f64]) {
        for (level, &was) in self.levels.iter().zip(&branches.above[p]) {
            let sw = level.switch;
            if level.profile == Profile::Jump && sw.above(u[sw.component]) != was {
                f[sw.component] += if was { sw.jump } else { -sw.jump };
            }
        }
    }
}

/// The branch of the solution each collocation point is on at the start of a Levenberg–Marquardt
/// iteration: the side of every curve (the enrichment's polynomials on that side are continued
/// past the curve) and whether `u` is above each level (the reaction's piece). Within an
/// iteration the residuals are then smooth in the parameters, curves that move included; the
/// next iteration takes the branches of its own start.
#[derive(Clone, Debug, Default)]
pub struct Branches {
    sides: Vec<Vec<f64>>,
    above: Vec<Vec<bool>>,
}

impl Branches {
    /// The sides of point `p`'s curves.
    pub fn sides(&self, p: usize) -> &[f64] {
        &self.sides[p]
    }
}

/// The roots grouped by time node: `(first, count)` of each node's run in `roots`
/// ([`Interfaces::roots`] order).
pub(crate) fn nodes(roots: &[Root]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (q, r) in roots.iter().enumerate() {
        match out.last_mut() {
            Some((first, n)) if roots[*first].node == r.node && *first + *n == q => *n += 1,
            _ => out.push((q, 1)),
        }
    }
    out
}

/// The roots of the brackets `(level, node, lo, hi, lo above)` at once: safeguarded Newton on
/// `u_c(t_node, x) − ℓ`, a bisection wherever the Newton step leaves the bracket.
fn refine(
    levels: &[Level],
    brackets: &[(usize, usize, f64, f64, bool)],
    m: usize,
    ts: &[f64],
    u: &dyn Fn(&[f64], &[f64]) -> Vec<Jet>,
) -> Vec<f64> {
    let mut lo: Vec<f64> = brackets.iter().map(|b| b.2).collect();
    let mut hi: Vec<f64> = brackets.iter().map(|b| b.3).collect();
    let mut x: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| 0.5 * (a + b)).collect();
    let mut active: Vec<usize> = (0..brackets.len()).collect();
    let bt: Vec<f64> = brackets.iter().map(|b| ts[b.1]).collect();
    for _ in 0..MAX_REFINE {
        if active.is_empty() {
            break;
        }
        let px: Vec<f64> = active.iter().map(|&k| x[k]).collect();
        let pt: Vec<f64> = active.iter().map(|&k| bt[k]).collect();
        let jets = u(&px, &pt);
        let mut still = Vec::with_capacity(active.len());
        for (q, &k) in active.iter().enumerate() {
            let (l, _, _, _, lo_above) = brackets[k];
            let sw = levels[l].switch;
            let jet = jets[q * m + sw.component];
            let g = jet.value - sw.level;
            if g == 0.0 {
                continue;
            }
            if sw.above(jet.value) == lo_above {
                lo[k] = x[k];
            } else {
                hi[k] = x[k];
            }
            let newton = x[k] - g / jet.x;
            let (a, b) = (lo[k].min(hi[k]), lo[k].max(hi[k]));
            let next = if newton.is_finite() && newton > a && newton < b {
                newton
            } else {
                0.5 * (a + b)
            };
            let done = (next - x[k]).abs() <= 1e-15 * (1.0 + x[k].abs()) || b - a <= 1e-15;
            x[k] = next;
            if !done {
                still.push(k);
            }
        }
        active = still;
    }
    x
}

/// `u_i = A_i + B_i (N_i + E_i N_e)` at one point, from the fields `A_i, B_i`, the jet of `N_i`
/// and, under the kink-aware ansatz, those of `E_i` and `N_e` (the product rule, in the order of
/// [`crate::ansatz`]'s formulas).
pub(crate) fn compose(f: Fields, n: Jet, enriched: Option<(Jet, Jet)>) -> Jet {
    let n = match enriched {
        None => n,
        Some((e, ne)) => {
            let en = product(e, ne);
            Jet {
                value: n.value + en.value,
                x: n.x + en.x,
                t: n.t + en.t,
                xx: n.xx + en.xx,
            }
        }
    };
    let (a, b) = (f.a, f.b);
    Jet {
        value: a.value + b.value * n.value,
        x: a.x + b.x * n.value + b.value * n.x,
        t: a.t + b.t * n.value + b.value * n.t,
        xx: a.xx + b.xx * n.value + 2.0 * b.x * n.x + b.value * n.xx,
    }
}

/// `u = A + B (N + E N_e)` and its derivatives at the points, with the coefficient `B N_e` of
/// `E`: `n × m` [`Sample`]s point after point, from the network in f64 on the host (in chunks of
/// [`EVAL_CHUNK`] points).
pub(crate) fn host_samples(
    objective: &Objective,
    net: &HostNet,
    theta: &[f64],
    kinks: Option<&Interfaces>,
    xs: &[f64],
    ts: &[f64],
) -> Vec<Sample> {
    let m = objective.components();
    let mut samples = Vec::with_capacity(xs.len() * m);
    for (cx, ct) in xs.chunks(EVAL_CHUNK).zip(ts.chunks(EVAL_CHUNK)) {
        let out = net.outputs(theta, cx, ct);
        let fields = objective.fields_batch(cx, ct);
        let enrichment = kinks.map(|k| (k.enrichment(cx, ct, None), k.extra()));
        let stream = |p: usize, j: usize| Jet {
            value: out.v[(p, j)],
            x: out.x[(p, j)],
            t: out.t[(p, j)],
            xx: out.xx[(p, j)],
        };
        for p in 0..cx.len() {
            for j in 0..m {
                let f = fields[p * m + j];
                let enriched = enrichment
                    .as_ref()
                    .and_then(|(e, extra)| extra[j].map(|o| (e[p * m + j], stream(p, o))));
                samples.push(Sample {
                    u: compose(f, stream(p, j), enriched),
                    coefficient: enriched.map_or(0.0, |(_, ne)| f.b.value * ne.value),
                });
            }
        }
    }
    samples
}

/// Points of one host evaluation (bounds its Taylor streams' memory).
const EVAL_CHUNK: usize = 4096;

/// The jet of a product `e · n`.
pub(crate) fn product(e: Jet, n: Jet) -> Jet {
    Jet {
        value: e.value * n.value,
        x: e.x * n.value + e.value * n.x,
        t: e.t * n.value + e.value * n.t,
        xx: e.xx * n.value + 2.0 * e.x * n.x + e.value * n.xx,
    }
}

/// The coefficients of `N_e`'s streams `(v, x, t, xx)` in `c · (N + E N_e)`, given those of
/// `N + E N_e`'s streams `c` (the chain rule of [`product`]).
pub(crate) fn chain(c: [f64; 4], e: Jet) -> [f64; 4] {
    [
        c[0] * e.value + c[1] * e.x + c[2] * e.t + c[3] * e.xx,
        c[1] * e.value + 2.0 * c[3] * e.x,
        c[2] * e.value,
        c[3] * e.value,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hh_core::AtLevel;

    /// A given `u(x, t)` (one component, no enrichment) as an [`Evaluate`].
    fn given(u: impl Fn(f64, f64) -> Jet) -> impl Fn(&Interfaces, &[f64], &[f64]) -> Vec<Sample> {
        move |_, xs, ts| {
            xs.iter()
                .zip(ts)
                .map(|(&x, &t)| Sample {
                    u: u(x, t),
                    coefficient: 0.0,
                })
                .collect()
        }
    }

    fn switch(level: f64, jump: f64) -> Switch {
        Switch {
            component: 0,
            level,
            jump,
            slope_jump: if jump == 0.0 { 5.0 } else { 0.0 },
            at_level: AtLevel::Below,
        }
    }

    /// `ψ`'s derivatives against differences, and the jump each profile carries.
    #[test]
    fn the_profiles_carry_their_jumps() {
        for p in [Profile::Jump, Profile::Slope] {
            for z in [-0.7, -0.1, 0.2, 1.3] {
                let h = 1e-5;
                let [v, d1, d2, d3] = p.eval(z, z.signum());
                let [vp, d1p, d2p, _] = p.eval(z + h, z.signum());
                let [vm, d1m, d2m, _] = p.eval(z - h, z.signum());
                assert!(((vp - vm) / (2.0 * h) - d1).abs() < 1e-9);
                assert!(((d1p - d1m) / (2.0 * h) - d2).abs() < 1e-9);
                assert!(((d2p - d2m) / (2.0 * h) - d3).abs() < 1e-9);
                assert!(v.is_finite());
            }
            let [v0, d10, ..] = p.eval(0.0, 1.0);
            assert_eq!((v0, d10), (0.0, 0.0));
        }
        // ψ'' jumps by 2 across 0 for a jump of f, ψ'' is continuous for a kink
        let e = 1e-12;
        let psi = |p: Profile, z: f64| p.eval(z, z.signum());
        assert!((psi(Profile::Jump, e)[2] - psi(Profile::Jump, -e)[2] - 2.0).abs() < 1e-15);
        assert!((psi(Profile::Slope, e)[2] - psi(Profile::Slope, -e)[2]).abs() < 1e-11);
    }

    /// The curves of a known moving level set `u = a` at `x = 1 + 0.3 t ± 0.5 (1 + t)`, located and
    /// interpolated between the nodes to the interpolation's accuracy, with `s'` in `E_t`.
    #[test]
    fn level_sets_are_located_and_interpolated() {
        let d = Domain {
            x_min: 0.0,
            x_max: 3.0,
            t_end: 1.0,
        };
        let cfg = Kink {
            time_nodes: 64,
            scan_points: 64,
            ..Kink::default()
        };
        let centre = |t: f64| 1.0 + 0.3 * t + 0.1 * (3.0 * t).sin();
        let width = |t: f64| 0.5 * (1.0 + t);
        // u = 1 − ((x − c)/w)², above a = 0 between the two curves c ± w
        let u = given(|x, t| {
            let (c, w) = (centre(t), width(t));
            let z = (x - c) / w;
            Jet {
                value: 1.0 - z * z,
                x: -2.0 * z / w,
                t: 0.0,
                xx: -2.0 / (w * w),
            }
        });
        let none = Interfaces::none(&[switch(0.0, 1.0)], 1, d, &cfg);
        let found = none.locate(d, &cfg, &u);
        assert_eq!(found.counts(), vec![(0.0, 2, 2)]);
        let mut worst: f64 = 0.0;
        let mut worst_speed: f64 = 0.0;
        for i in 0..=200 {
            let t = i as f64 / 200.0;
            let curves = found.curves(0, t);
            let exact = [centre(t) - width(t), centre(t) + width(t)];
            let dc = 0.3 + 0.3 * (3.0 * t).cos();
            let speed = [dc - 0.5, dc + 0.5];
            for ((s, ds), (e, de)) in curves.iter().zip(exact.iter().zip(speed)) {
                worst = worst.max((s - e).abs());
                worst_speed = worst_speed.max((ds - de).abs());
            }
        }
        assert!(worst < 1e-6, "position error {worst}");
        assert!(worst_speed < 1e-3, "speed error {worst_speed}");
        // E = ψ(x − s₁) + ψ(x − s₂), with E_t = −Σ s' ψ'
        let (x, t) = (2.0, 0.37);
        let e = found.enrichment(&[x], &[t], None)[0];
        let curves = found.curves(0, t);
        let expect: f64 = curves
            .iter()
            .map(|(s, _)| 0.5 * (x - s) * (x - s).abs())
            .sum();
        assert!((e.value - expect).abs() < 1e-15);
        let h = 1e-6;
        let et = (found.enrichment(&[x], &[t + h], None)[0].value
            - found.enrichment(&[x], &[t - h], None)[0].value)
            / (2.0 * h);
        assert!((et - e.t).abs() < 1e-6, "{et} vs {}", e.t);
    }

    /// A level that is reached only after some time: no curve before, no enrichment in the
    /// interval of birth, then two curves whose enrichment fades in continuously.
    #[test]
    fn curves_born_inside_the_window_fade_in_once_both_nodes_see_them() {
        let d = Domain {
            x_min: -1.0,
            x_max: 1.0,
            t_end: 1.0,
        };
        let cfg = Kink {
            time_nodes: 100,
            scan_points: 41,
            ..Kink::default()
        };
        // u = t − x²: above 0.25 once t > 0.25 (between ±√(t − 0.25))
        let u = given(|x, t| Jet {
            value: t - x * x,
            x: -2.0 * x,
            t: 1.0,
            xx: -2.0,
        });
        let found = Interfaces::none(&[switch(0.25, 0.0)], 1, d, &cfg).locate(d, &cfg, &u);
        assert_eq!(found.counts(), vec![(0.25, 2, 0)]);
        let e = |t: f64| found.enrichment(&[0.0], &[t], None)[0];
        let full = |t: f64| 2.0 * (t - 0.25f64).sqrt().powi(3) / 6.0;
        // none before the birth nor in its node interval, fading in over the next 8, then whole
        assert_eq!(e(0.22), Jet::default());
        assert_eq!(e(0.255), Jet::default());
        assert!(e(0.27).value > 0.0 && e(0.27).value < 0.1 * full(0.27));
        assert!(
            (e(0.85).value - full(0.85)).abs() < 1e-3,
            "{}",
            e(0.85).value
        );
        // continuous in time through the fade, E_t its derivative
        let h = 1e-6;
        let et = (e(0.3 + h).value - e(0.3 - h).value) / (2.0 * h);
        assert!(
            (et - e(0.3).t).abs() < 1e-4 * (1.0 + et.abs()),
            "{et} vs {}",
            e(0.3).t
        );
    }

    #[test]
    fn extra_outputs_follow_the_components_with_switches() {
        let mut s = switch(0.1, 1.0);
        assert_eq!(extra_outputs(&[s, s], 2), vec![Some(2), None]);
        s.component = 1;
        assert_eq!(extra_outputs(&[s], 3), vec![None, Some(3), None]);
    }

    /// [`chain`] is the derivative of [`product`]'s streams with respect to `N_e`'s.
    #[test]
    fn the_chain_rule_matches_the_product() {
        let e = Jet {
            value: 0.3,
            x: -1.1,
            t: 0.7,
            xx: 2.0,
        };
        let c = [0.5, -0.25, 2.0, 1.5];
        let dot = |j: Jet| c[0] * j.value + c[1] * j.x + c[2] * j.t + c[3] * j.xx;
        let g = chain(c, e);
        for (k, basis) in [
            Jet {
                value: 1.0,
                ..Jet::default()
            },
            Jet {
                x: 1.0,
                ..Jet::default()
            },
            Jet {
                t: 1.0,
                ..Jet::default()
            },
            Jet {
                xx: 1.0,
                ..Jet::default()
            },
        ]
        .into_iter()
        .enumerate()
        {
            assert!((dot(product(e, basis)) - g[k]).abs() < 1e-15);
        }
    }
}
