//! Time marching: `[0, T]` cut into `W` windows `[t_j, t_j + Δ]`, `Δ = T / W`, trained one after
//! the other ([`crate::March`]). Window `j`'s network `N_j` learns `u` in local time
//! `τ = t − t_j ∈ [0, Δ]` under the ansatz ([`crate::ansatz`])
//!
//! ```text
//! u_j(τ, x) = u_{j−1}(Δ, x) + (τ / Δ) · D(x) · N_j(τ, x),      u_{−1}(Δ, ·) = u₀,
//! ```
//!
//! the previous window's solution at its end as *hard* initial data, with its exact
//! x-derivatives (`u`, `u_x`, `u_xx` from `N_{j−1}`'s Taylor streams through its own ansatz), so
//! the residual of window `j` is exact. `N_j` starts from `N_{j−1}`'s weights. The models are
//! autonomous, so window `j` is the model posed on `(x_min, x_max) × (0, Δ]` with that initial
//! data ([`WindowModel`]); every solver part (sampler, loss, Levenberg–Marquardt) runs on it
//! unchanged. A trained window is kept as a [`Frozen`] network in f64.
//!
//! The error of a window's initial data is the previous windows' error: it adds up along the
//! windows, damped where the problem is stable (at the rate of the rest states' relaxation, 1 for
//! the nerve equation).

use hh_core::{BoundaryMode, Domain, Jet, LinearSolution, Reaction, ReactionDiffusion};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ansatz::Fields;
use crate::dense::LayerShape;
use crate::gauss_newton::HostNet;
use crate::kernels::Activation;
use crate::loss::{Model, Objective};
use crate::network::{InputMap, Mlp};

/// The seed of time window `j`'s points: the run's for the first window (so that a run that does
/// not march draws what it always drew), mixed with `j` after it.
pub(crate) fn window_seed(seed: u64, j: usize) -> u64 {
    seed ^ (j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The most end jets a [`Frozen`] window remembers before it forgets them all: a fixed point set
/// (the second-order phase's, the `pinn` sampler's pool) is evaluated once per window.
const CACHE_ENTRIES: usize = 1 << 18;

/// A trained window: its objective (whose ansatz holds the windows before it) and its
/// parameters in f64, evaluated on the host.
pub struct Frozen {
    objective: Objective,
    theta: Vec<f64>,
    layers: Vec<LayerShape>,
    act: Activation,
    inputs: InputMap,
    /// The window's length `Δ`.
    length: f64,
    /// `u(Δ, x)`'s jets by the bits of `x`.
    cache: Mutex<HashMap<u64, Vec<Jet>>>,
}

impl std::fmt::Debug for Frozen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frozen")
            .field("params", &self.theta.len())
            .field("length", &self.length)
            .finish()
    }
}

impl Frozen {
    /// Freezes `net` trained under `objective` (whose model's domain is the window).
    pub(crate) fn new(
        objective: Objective,
        net: &Mlp,
        act: Activation,
    ) -> candle_core::Result<Self> {
        let theta = net
            .theta()
            .as_tensor()
            .to_dtype(candle_core::DType::F64)?
            .to_vec1()?;
        Ok(Self::from_theta(
            objective,
            net.layers(),
            net.input_map(),
            act,
            theta,
        ))
    }

    /// A frozen window of the given parameters.
    pub(crate) fn from_theta(
        objective: Objective,
        layers: &[LayerShape],
        inputs: InputMap,
        act: Activation,
        theta: Vec<f64>,
    ) -> Self {
        let length = objective.model().domain().t_end;
        Self {
            objective,
            theta,
            layers: layers.to_vec(),
            act,
            inputs,
            length,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The parameters `θ` (f64).
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// The objective the window was trained under.
    pub fn objective(&self) -> &Objective {
        &self.objective
    }

    fn host(&self) -> HostNet<'_> {
        HostNet {
            layers: &self.layers,
            act: self.act,
            inputs: self.inputs,
        }
    }

    /// `u = A + B N` and its derivatives at `(x, τ)` points (local times), `n × m` jets.
    fn jets(&self, xs: &[f64], ts: &[f64]) -> Vec<Jet> {
        let m = self.objective.components();
        let fields = self.objective.fields_batch(xs, ts);
        let n = self.host().outputs(&self.theta, xs, ts);
        let mut out = Vec::with_capacity(xs.len() * m);
        for (p, f) in fields.chunks_exact(m).enumerate() {
            for (i, Fields { a, b }) in f.iter().enumerate() {
                let (v, x, t, xx) = (n.v[(p, i)], n.x[(p, i)], n.t[(p, i)], n.xx[(p, i)]);
                out.push(Jet {
                    value: a.value + b.value * v,
                    x: a.x + b.x * v + b.value * x,
                    t: a.t + b.t * v + b.value * t,
                    xx: a.xx + b.xx * v + 2.0 * b.x * x + b.value * xx,
                });
            }
        }
        out
    }

    /// `u` at `(x, τ)` points (local times), `n × m` values, point after point.
    pub fn values(&self, xs: &[f64], ts: &[f64]) -> Vec<f64> {
        self.jets(xs, ts).into_iter().map(|j| j.value).collect()
    }

    /// `u(Δ, x)` with its x-derivatives at every `x` (`t` entries 0: initial data of the next
    /// window, constant in its time), `n × m` jets.
    pub fn end_jets(&self, xs: &[f64]) -> Vec<Jet> {
        let m = self.objective.components();
        let mut out = vec![Jet::default(); xs.len() * m];
        let mut missing = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            for (p, x) in xs.iter().enumerate() {
                match cache.get(&x.to_bits()) {
                    Some(j) => out[p * m..(p + 1) * m].copy_from_slice(j),
                    None => missing.push(p),
                }
            }
        }
        if missing.is_empty() {
            return out;
        }
        let mx: Vec<f64> = missing.iter().map(|&p| xs[p]).collect();
        let jets = self.jets(&mx, &vec![self.length; mx.len()]);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + mx.len() > CACHE_ENTRIES {
            cache.clear();
        }
        for (q, &p) in missing.iter().enumerate() {
            let j: Vec<Jet> = jets[q * m..(q + 1) * m]
                .iter()
                .map(|j| Jet { t: 0.0, ..*j })
                .collect();
            out[p * m..(p + 1) * m].copy_from_slice(&j);
            cache.insert(xs[p].to_bits(), j);
        }
        out
    }
}

/// Window `index` of a marching run: `model` on `(x_min, x_max) × (0, length]` (local time) with
/// the end of the `previous` window as initial data (`model`'s own for the first).
pub struct WindowModel {
    pub model: Model,
    pub index: usize,
    /// The window's start `t_j` in the model's time.
    pub start: f64,
    pub length: f64,
    pub previous: Option<Arc<Frozen>>,
}

impl Reaction for WindowModel {
    hh_core::forward_reaction!(model);
}

impl ReactionDiffusion for WindowModel {
    fn diffusion(&self) -> Vec<f64> {
        self.model.diffusion()
    }
    fn domain(&self) -> Domain {
        Domain {
            t_end: self.length,
            ..self.model.domain()
        }
    }
    fn boundary(&self) -> BoundaryMode {
        self.model.boundary()
    }
    fn initial(&self, x: f64, u0: &mut [f64]) {
        match &self.previous {
            None => self.model.initial(x, u0),
            Some(w) => {
                for (u, j) in u0.iter_mut().zip(w.end_jets(&[x])) {
                    *u = j.value;
                }
            }
        }
    }
    fn bound(&self) -> f64 {
        self.model.bound()
    }
    fn state_range(&self) -> (f64, f64) {
        self.model.state_range()
    }
    fn mass(&self) -> Vec<f64> {
        self.model.mass()
    }
    fn initial_jet(&self, x: f64, out: &mut [Jet]) -> bool {
        match &self.previous {
            None => self.model.initial_jet(x, out),
            Some(w) => {
                out.copy_from_slice(&w.end_jets(&[x]));
                true
            }
        }
    }
    /// The model's for the first window (whose local time is the model's), none after it.
    fn linear_solution(&self) -> Option<Arc<dyn LinearSolution>> {
        match self.previous {
            None => self.model.linear_solution(),
            Some(_) => None,
        }
    }
    fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "model": self.model.describe(),
            "window": self.index,
            "t_start": self.start,
            "length": self.length,
        })
    }
}

/// `u` of a marched solution at `(x, t)` points (global times), `n × m` values: each point
/// evaluated by the window holding its time (the last for `t` past the end).
pub fn evaluate_windows(windows: &[Arc<Frozen>], xs: &[f64], ts: &[f64]) -> Vec<f64> {
    let Some(first) = windows.first() else {
        return Vec::new();
    };
    let m = first.objective.components();
    let length = first.length;
    let mut out = vec![0.0; xs.len() * m];
    let window_of = |t: f64| ((t / length).floor().max(0.0) as usize).min(windows.len() - 1);
    for (j, w) in windows.iter().enumerate() {
        let points: Vec<usize> = (0..xs.len()).filter(|&p| window_of(ts[p]) == j).collect();
        if points.is_empty() {
            continue;
        }
        let px: Vec<f64> = points.iter().map(|&p| xs[p]).collect();
        let pt: Vec<f64> = points.iter().map(|&p| ts[p] - j as f64 * length).collect();
        let u = w.values(&px, &pt);
        for (q, &p) in points.iter().enumerate() {
            out[p * m..(p + 1) * m].copy_from_slice(&u[q * m..(q + 1) * m]);
        }
    }
    out
}
