//! The loss's weights and terms: the soft initial and boundary terms, the component and causal
//! weights, and the steering and pinning terms that select among many solutions.

use hh_core::ConfigError;
use serde::{Deserialize, Serialize};

use super::{MAX_WEIGHT, invalid};

/// How the initial misfit is averaged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitialForm {
    /// `mean_j (u(x_j, 0) − φ(x_j))²`: the intended loss.
    #[default]
    Pointwise,
    /// `mean_{i,j} (u(x_j, 0) − φ(x_i))²`: the published code's loss. There `x` has shape
    /// `(J, 1)` and `phi` adds `.unsqueeze(1)`, so `u0_pred − phi(x)` broadcasts to `(J, J, 1)`.
    /// Reproduced on purpose (preset `seed`), in O(J) by
    /// `mean_ij (u_j − φ_i)² = mean u² − 2 mean u · mean φ + mean φ²`. Its minimiser is a flat
    /// `u(·, 0) ≈ mean φ`: the paper's Figure 1 starts from a flat profile.
    Pairwise,
}

/// Weights of the loss terms. Each term sums over the model's components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossConfig {
    /// Mean squared residual `r_i = ∂_t u_i − D_i ∂_xx u_i − f_i(u)` (for the nerve equation
    /// `u_t − u_xx + u − H_k(u)`).
    pub pde: f64,
    /// Initial misfit `u_i(0, x) − u₀,i(x)` (ignored with a hard initial constraint).
    pub initial: f64,
    /// Boundary misfit of the diffusing components: `u_i` (dirichlet) or `∂_x u_i` (neumann) at
    /// both ends; none in `free` mode or with a hard dirichlet constraint.
    pub boundary: f64,
    /// Weights `c_i` of the components' residuals, `Σ_i c_i mean r_i²` (empty: all 1). A slow
    /// component, `v_t = ε (u − γ v)` with small `ε`, has a residual of size `ε` whatever `v` is,
    /// so without `c_v ~ 1/ε²` the other equations can be met by a wrong `u` with a compensating
    /// `v`.
    pub components: Vec<f64>,
    pub initial_form: InitialForm,
    pub causal: Causal,
    pub steer: Steer,
    pub pin: Pin,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self {
            pde: 1.0,
            initial: 1.0,
            boundary: 1.0,
            components: Vec::new(),
            initial_form: InitialForm::Pointwise,
            causal: Causal::default(),
            steer: Steer::default(),
            pin: Pin::default(),
        }
    }
}

/// Which way [`Steer`] pushes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// No steering term.
    #[default]
    None,
    /// Towards the minimal solution: `+w · mean u_c`.
    Min,
    /// Towards the maximal solution: `−w · mean u_c`.
    Max,
}

impl std::str::FromStr for Direction {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        match s {
            "none" => Ok(Self::None),
            "min" => Ok(Self::Min),
            "max" => Ok(Self::Max),
            _ => Err(invalid("steer", "one of none, min, max", s)),
        }
    }
}

/// A term that selects among the solutions of a problem that has many (the inclusion):
///
/// ```text
/// ± w(s) · mean_p 1[t_p ≥ t_from] u_c(t_p, x_p)   over the interior points,   w(s) = weight · max(0, 1 − s / (anneal · S))
/// ```
///
/// (`+` for `min`, `−` for `max`; `s` the step, `S` the steps). It tilts the loss towards the
/// smallest or largest `u` while the residual terms are being met, and is annealed to 0 so that
/// the network ends on a solution (zero residual and graph distance), not on a compromise.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Steer {
    pub direction: Direction,
    /// `weight ≥ 0`, in units of the squared residual per unit of `u`.
    pub weight: f64,
    /// The fraction of the steps over which the weight decays to 0, in `(0, 1]`.
    pub anneal: f64,
    /// The component `c` steered.
    pub component: usize,
    /// Only points with `t ≥ from` are steered: with a [`Pin`] at `τ`, `from = τ` leaves the
    /// solution free to stay at the pinned value before `τ` (steering there would pull it away
    /// and back, which no solution can do).
    pub from: f64,
}

impl Default for Steer {
    fn default() -> Self {
        Self {
            direction: Direction::None,
            weight: 1.0,
            anneal: 0.5,
            component: 0,
            from: 0.0,
        }
    }
}

impl Steer {
    /// The signed weight of the term at step `step` of `steps` (0 without a direction).
    pub fn weight_at(&self, step: usize, steps: usize) -> f64 {
        let sign = match self.direction {
            Direction::None => return 0.0,
            Direction::Min => 1.0,
            Direction::Max => -1.0,
        };
        let left = 1.0 - step as f64 / (self.anneal * steps as f64);
        sign * self.weight * left.max(0.0)
    }
}

/// An interior condition at one time, imposed softly:
///
/// ```text
/// weight · mean_j (u_c(t, x_j) − value)²    at the interior points' x_j
/// ```
///
/// With the inclusion and `u₀ ≡ a` it targets the member `u_τ^±` of the threshold family that
/// leaves `a` at `τ = t`: a solution through `u(τ, ·) = a` must have stayed at `a` until `τ` (one
/// that has left moves away monotonically), and a [`Steer`] picks the direction it leaves in.
/// `weight = 0` (the default) turns it off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Pin {
    pub weight: f64,
    /// The time `t ∈ [0, T]`.
    pub t: f64,
    pub value: f64,
    /// The component `c`.
    pub component: usize,
}

/// Causal weights of the residual (Wang, Sankaran & Perdikaris, "Respecting causality for
/// training physics-informed neural networks", CMAME 2024): `[0, T]` is cut into `bins` slices,
/// `L_b` is the mean (component-weighted) squared residual of the batch's points in slice `b`,
/// and a point in slice `b` is weighted by
///
/// ```text
/// w_b = exp(−ε Σ_{b' < b} L_{b'})      (no gradient flows through w)
/// ```
///
/// so later times count only once the earlier ones are resolved: a travelling wave is learned
/// from `t = 0` forward instead of being fitted by a standing profile that meets the residual
/// everywhere at once. The weights come from a forward pass over the whole batch before the
/// step's gradient (one more forward per step). `epsilon = 0` (the default) turns them off.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Causal {
    /// `ε ≥ 0`, in units of 1 / (mean squared residual).
    pub epsilon: f64,
    /// Number of time slices (≥ 1).
    pub bins: usize,
}

impl Default for Causal {
    fn default() -> Self {
        Self {
            epsilon: 0.0,
            bins: 32,
        }
    }
}

impl Causal {
    pub fn enabled(&self) -> bool {
        self.epsilon > 0.0
    }

    /// The weight of every point with time `t` in `ts` (`t ∈ [0, t_end]`) given the points'
    /// squared residuals `r2`.
    pub fn weights(&self, ts: &[f64], r2: &[f64], t_end: f64) -> Vec<f64> {
        let bin = |t: f64| ((t / t_end * self.bins as f64) as usize).min(self.bins - 1);
        let (mut sum, mut count) = (vec![0.0; self.bins], vec![0usize; self.bins]);
        for (&t, &r) in ts.iter().zip(r2) {
            sum[bin(t)] += r;
            count[bin(t)] += 1;
        }
        let mut before = 0.0;
        let w: Vec<f64> = sum
            .iter()
            .zip(&count)
            .map(|(s, &c)| {
                let w = (-self.epsilon * before).exp();
                before += s / c.max(1) as f64;
                w
            })
            .collect();
        ts.iter().map(|&t| w[bin(t)]).collect()
    }
}

impl LossConfig {
    /// Checks every field (named `loss.*`) that does not depend on the model.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        for (field, w) in [
            ("loss.pde", self.pde),
            ("loss.initial", self.initial),
            ("loss.boundary", self.boundary),
            ("loss.steer.weight", self.steer.weight),
            ("loss.pin.weight", self.pin.weight),
        ] {
            if !(0.0..=MAX_WEIGHT).contains(&w) {
                return Err(invalid(field, "a number in [0, 1e6]", w));
            }
        }
        let causal = &self.causal;
        if !(causal.epsilon.is_finite() && causal.epsilon >= 0.0) {
            return Err(invalid(
                "loss.causal.epsilon",
                "a finite number ≥ 0",
                causal.epsilon,
            ));
        }
        if !(1..=100_000).contains(&causal.bins) {
            return Err(invalid(
                "loss.causal.bins",
                "an integer in [1, 100000]",
                causal.bins,
            ));
        }
        let (steer, pin) = (&self.steer, &self.pin);
        if !(steer.anneal > 0.0 && steer.anneal <= 1.0) {
            return Err(invalid(
                "loss.steer.anneal",
                "a number in (0, 1]",
                steer.anneal,
            ));
        }
        if !(steer.from.is_finite() && steer.from >= 0.0) {
            return Err(invalid("loss.steer.from", "a finite time ≥ 0", steer.from));
        }
        if !pin.value.is_finite() {
            return Err(invalid("loss.pin.value", "a finite number", pin.value));
        }
        if let Some(w) = self
            .components
            .iter()
            .find(|w| !(0.0..=MAX_WEIGHT).contains(*w))
        {
            return Err(invalid("loss.components", "numbers in [0, 1e6]", w));
        }
        Ok(())
    }
}
