//! The immersed-interface correction of the discrete Laplacian across the levels where the
//! reaction switches (one diffusing component).
//!
//! Where `u` crosses a level `ℓ` of a [`Switch`] between nodes `x_j` and `x_{j+1}`, at
//! `s = x_j + ξh`, the solution has a jump `J₂ = [u_xx]` and `J₃ = [u_xxx]` there (see
//! [`hh_core::switch`]), so the central difference at the two nodes beside `s` is not
//! `u_xx + O(h²)` but, Taylor-expanding each side's smooth piece across `s`,
//!
//! ```text
//! (Δ_h u)_j     = u_xx⁻(x_j)     + C_j,      C_j     = J₂ (1 − ξ)²/2 + J₃ h (1 − ξ)³/6,
//! (Δ_h u)_{j+1} = u_xx⁺(x_{j+1}) + C_{j+1},  C_{j+1} = −J₂ ξ²/2       + J₃ h ξ³/6,
//! ```
//!
//! up to `O(h²)`. The scheme uses `Δ_h u − C` at those nodes: an O(h²) local error at every node,
//! so the global error is `A h² + O(h³)` with `A` smooth, and Richardson extrapolation works. The
//! uncorrected nodal scheme instead has an `O(1)` error at the two nodes whose size depends on
//! where `s` sits between them: its error is `O(h²)` at best, with a coefficient that jumps
//! with `ξ`. The corrected residual is continuous in `u` and `C¹` in `s` as the crossing passes a
//! node (the jump of the reaction there is cancelled by the jump of `C`), so Newton applies.
//!
//! `s` must be known to `O(h³)`: it is the root of the cubic through the four nodes
//! `x_{j−1} … x_{j+2}` (three at an end) of `w = u − J₂ (x − s)₊²/2 − J₃ (x − s)₊³/6`, the
//! left piece continued smoothly across `s`; `u_x = w'(s)`, `u_xx⁻ = w''(s)`, and
//! `u_t = D u_xx⁻ + f(ℓ, left piece)` give `J₃`. Its derivatives by the implicit function theorem,
//! `∂ξ/∂u_i = −L_i(ξ)/φ'(ξ)`, enter Newton's Jacobian within the tridiagonal band (the entries
//! beyond it are left out: Newton then converges linearly, at a rate of about 0.1).
//!
//! No library implements the immersed-interface method for a free boundary, so it is written here.

use hh_core::{AtLevel, Switch};

/// A crossing of one switching level between nodes `left` and `left + 1`, with the corrections
/// of both nodes and their derivatives with respect to the nodal values of the stencil.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Crossing {
    /// The component whose level is crossed.
    pub component: usize,
    /// The node left of the crossing.
    pub left: usize,
    /// The crossing's position in its cell, `ξ = (s − x_left)/h ∈ [0, 1]`.
    pub xi: f64,
    /// `C_left` and `C_{left+1}`, in units of `u_xx`.
    pub correction: [f64; 2],
    /// The first node of the stencil.
    pub first: usize,
    /// `∂C/∂u_{first + i}` (the crossed component) for the left (row 0) and right (row 1) node;
    /// unused entries are 0.
    pub derivative: [[f64; 4]; 2],
}

/// The switching levels of a model's diffusing components and where its nodal values cross them.
#[derive(Clone, Debug)]
pub(crate) struct Interface {
    switches: Vec<Switch>,
    /// Components per node.
    m: usize,
    /// `D_i` per component.
    diffusion: Vec<f64>,
    h: f64,
    /// The ends reflect (zero flux, ghost `u_{−1} = u_1`): a crossing next to an end is seen twice
    /// by the end node.
    mirrored_ends: bool,
    /// The ends are held (dirichlet): their rows are not corrected.
    fixed_ends: bool,
    pub crossings: Vec<Crossing>,
    /// Work: one component's nodal values, a state and its reaction.
    values: Vec<f64>,
    state: Vec<f64>,
    reaction: Vec<f64>,
}

impl Interface {
    /// The switches of the diffusing components (`diffusion[component] > 0`); `None` when there
    /// are none.
    pub fn new(
        switches: Vec<Switch>,
        diffusion: Vec<f64>,
        h: f64,
        mirrored_ends: bool,
        fixed_ends: bool,
    ) -> Option<Self> {
        let switches: Vec<Switch> = switches
            .into_iter()
            .filter(|s| diffusion.get(s.component).is_some_and(|&d| d > 0.0))
            .collect();
        let m = diffusion.len();
        (!switches.is_empty()).then(|| Self {
            switches,
            m,
            diffusion,
            h,
            mirrored_ends,
            fixed_ends,
            crossings: Vec::new(),
            values: Vec::new(),
            state: vec![0.0; m],
            reaction: vec![0.0; m],
        })
    }

    /// Finds every crossing of `u` (`n × m` nodal values, node after node) and its corrections;
    /// `reaction(state, f)` is the model's `f`.
    pub fn locate(&mut self, u: &[f64], reaction: impl Fn(&[f64], &mut [f64])) {
        self.crossings.clear();
        let (m, n) = (self.m, u.len() / self.m);
        for switch in &self.switches {
            let c = switch.component;
            self.values.clear();
            self.values.extend((0..n).map(|j| u[j * m + c]));
            let values = &self.values;
            for j in 0..n - 1 {
                // Only a change of side is a crossing: on a plateau u ≡ ℓ every node is on the
                // selection's side, so there the selection alone decides the reaction, as in the
                // plain scheme.
                let (l, r) = (switch.above(values[j]), switch.above(values[j + 1]));
                if l == r {
                    continue;
                }
                let sigma = if r { 1.0 } else { -1.0 };
                // f of the left piece at the level, the other components interpolated to the
                // crossing (linearly: J₃ needs it to O(h) only)
                let xi = (switch.level - values[j]) / (values[j + 1] - values[j]);
                for (i, s) in self.state.iter_mut().enumerate() {
                    *s = u[j * m + i] + xi * (u[(j + 1) * m + i] - u[j * m + i]);
                }
                self.state[c] = switch.level;
                reaction(&self.state, &mut self.reaction);
                let below = match switch.at_level {
                    AtLevel::Below => self.reaction[c],
                    AtLevel::Above => self.reaction[c] - switch.jump,
                };
                let f_left = if r { below } else { below + switch.jump };
                let crossing = crossing(
                    values,
                    j,
                    switch,
                    sigma,
                    f_left,
                    self.diffusion[c],
                    self.h,
                    self.mirrored_ends,
                );
                // a degenerate crossing (a vanishing slope at a corner of the data) keeps the
                // plain scheme in its cell
                let finite = crossing.correction.iter().all(|c| c.is_finite())
                    && crossing.derivative.iter().flatten().all(|d| d.is_finite());
                if finite {
                    self.crossings.push(crossing);
                }
            }
        }
        // Two kinks in one cell: a ramp of H_k narrower than the cell, which acts there as a
        // jump the single-crossing expansion does not describe; that cell keeps the plain scheme.
        let cells: Vec<(usize, usize)> = self
            .crossings
            .iter()
            .map(|c| (c.component, c.left))
            .collect();
        self.crossings.retain(|c| {
            cells
                .iter()
                .filter(|&&cell| cell == (c.component, c.left))
                .count()
                == 1
        });
    }

    /// Adds `scale · D_c · C_i` to the entry of node `i`, component `c`, of `out` (`n × m`) for
    /// every corrected node (not a held end).
    pub fn add_corrections(&self, scale: f64, out: &mut [f64]) {
        let n = out.len() / self.m;
        for c in &self.crossings {
            let d = self.diffusion[c.component];
            for (side, node) in [c.left, c.left + 1].into_iter().enumerate() {
                if !self.held(node, n) {
                    out[node * self.m + c.component] += scale * d * c.correction[side];
                }
            }
        }
    }

    /// Adds `scale · D_c · ∂C_i/∂u_k` to the (block) tridiagonal Jacobian for the entries within
    /// the band (`k ∈ {i − 1, i, i + 1}`): `lower` and `upper` hold `n × m` couplings of a
    /// component to itself, `diag` `n` row-major `m × m` blocks.
    pub fn add_jacobian(&self, scale: f64, lower: &mut [f64], diag: &mut [f64], upper: &mut [f64]) {
        let (m, n) = (self.m, lower.len() / self.m);
        for c in &self.crossings {
            let (comp, d) = (c.component, self.diffusion[c.component]);
            for (side, row) in [c.left, c.left + 1].into_iter().enumerate() {
                if self.held(row, n) {
                    continue;
                }
                let k = row * m + comp;
                for (i, &dc) in c.derivative[side].iter().enumerate() {
                    let col = c.first + i;
                    if col + 1 == row {
                        lower[k] += scale * d * dc;
                    } else if col == row {
                        diag[k * m + comp] += scale * d * dc;
                    } else if col == row + 1 {
                        upper[k] += scale * d * dc;
                    }
                }
            }
        }
    }

    fn held(&self, node: usize, n: usize) -> bool {
        self.fixed_ends && (node == 0 || node == n - 1)
    }
}

/// The most passes of the joint solve for `s` and `J₃`.
const PASSES: usize = 8;

/// The crossing of `switch` between nodes `j` and `j + 1` (see the module documentation).
#[allow(clippy::too_many_arguments)]
fn crossing(
    u: &[f64],
    j: usize,
    switch: &Switch,
    sigma: f64,
    f_left: f64,
    diffusion: f64,
    h: f64,
    mirrored_ends: bool,
) -> Crossing {
    let n = u.len();
    let first = j.saturating_sub(1);
    let last = (j + 2).min(n - 1);
    let count = last - first + 1;
    // Offsets of the stencil's nodes from x_j, in units of h.
    let mut offsets = [0.0; 4];
    for (i, o) in offsets.iter_mut().enumerate().take(count) {
        *o = (first + i) as f64 - j as f64;
    }
    let offsets = &offsets[..count];
    let values = &u[first..=last];
    let j2 = -sigma * switch.jump / diffusion;
    let mut j3 = 0.0;
    let mut xi = 0.0;
    let mut phi_slope = 0.0;
    let mut basis = Basis::default();
    // J₃ depends on s and s (slightly) on J₃: a few passes settle both.
    for _ in 0..PASSES {
        let w = |xi: f64, i: usize| -> (f64, f64) {
            // w_i and ∂w_i/∂ξ: the jump terms for the nodes right of the crossing.
            let d = offsets[i] - xi;
            if d > 0.0 {
                let (hd, h2) = (h * d, h * h);
                (
                    values[i] - j2 * hd * hd / 2.0 - j3 * hd * hd * hd / 6.0,
                    j2 * h2 * d + j3 * h2 * h * d * d / 2.0,
                )
            } else {
                (values[i], 0.0)
            }
        };
        let phi = |xi: f64, basis: &mut Basis| -> (f64, f64) {
            basis.at(offsets, xi);
            let (mut p, mut dp) = (-switch.level, 0.0);
            for i in 0..count {
                let (wi, dwi) = w(xi, i);
                p += basis.value[i] * wi;
                dp += basis.slope[i] * wi + basis.value[i] * dwi;
            }
            (p, dp)
        };
        let previous = xi;
        xi = root(
            &mut basis,
            &phi,
            u[j] - switch.level,
            u[j + 1] - switch.level,
        );
        let (_, slope) = phi(xi, &mut basis);
        phi_slope = slope;
        // u_x and u_xx of the left piece at s.
        let (mut ux, mut uxx) = (0.0, 0.0);
        for i in 0..count {
            let (wi, _) = w(xi, i);
            ux += basis.slope[i] * wi;
            uxx += basis.curvature[i] * wi;
        }
        let (ux, uxx) = (ux / h, uxx / (h * h));
        let ut = diffusion * uxx + f_left;
        // [u_tx] = −s'·J₂ with s' = −u_t/u_x; where two crossings meet (u_x → 0) the speed
        // diverges and the expansion fails: |s'| is capped at D/h, beyond any speed a grid of
        // spacing h resolves.
        let speed = (-ut / ux).clamp(-diffusion / h, diffusion / h);
        let tangential = if speed.is_finite() { -speed * j2 } else { 0.0 };
        j3 = (tangential - sigma * switch.slope_jump * ux) / diffusion;
        if (xi - previous).abs() <= 4.0 * f64::EPSILON {
            break;
        }
    }
    let (a, b) = (1.0 - xi, xi);
    let mut correction = [
        j2 * a * a / 2.0 + j3 * h * a * a * a / 6.0,
        -j2 * b * b / 2.0 + j3 * h * b * b * b / 6.0,
    ];
    let mut dc_dxi = [
        -j2 * a - j3 * h * a * a / 2.0,
        -j2 * b + j3 * h * b * b / 2.0,
    ];
    // A reflecting end sees its neighbour's crossing twice (the ghost node mirrors it).
    if mirrored_ends {
        if j == 0 {
            correction[0] *= 2.0;
            dc_dxi[0] *= 2.0;
        }
        if j + 2 == n {
            correction[1] *= 2.0;
            dc_dxi[1] *= 2.0;
        }
    }
    let mut derivative = [[0.0; 4]; 2];
    if phi_slope != 0.0 && phi_slope.is_finite() {
        basis.at(offsets, xi);
        for (row, dc) in derivative.iter_mut().zip(dc_dxi) {
            for (d, l) in row.iter_mut().zip(&basis.value[..count]) {
                *d = dc * (-l / phi_slope);
            }
        }
    }
    Crossing {
        component: switch.component,
        left: j,
        xi,
        correction,
        first,
        derivative,
    }
}

/// The root of `φ` in `[0, 1]`, where `φ(0) = phi0` and `φ(1) = phi1` have opposite signs (or one
/// is 0): Newton's method, bisecting whenever a step leaves the bracket.
fn root(
    basis: &mut Basis,
    phi: &impl Fn(f64, &mut Basis) -> (f64, f64),
    phi0: f64,
    phi1: f64,
) -> f64 {
    if phi0 == 0.0 {
        return 0.0;
    }
    if phi1 == 0.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let increasing = phi1 > phi0;
    let mut x = phi0 / (phi0 - phi1);
    for _ in 0..100 {
        let (p, dp) = phi(x, basis);
        if p == 0.0 {
            return x;
        }
        if (p > 0.0) == increasing {
            hi = x;
        } else {
            lo = x;
        }
        let newton = x - p / dp;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 4.0 * f64::EPSILON {
            return next;
        }
        x = next;
    }
    x
}

/// The Lagrange basis on up to four nodes (offsets in units of `h`) at one point, with its first
/// and second derivatives.
#[derive(Clone, Debug, Default)]
struct Basis {
    value: [f64; 4],
    slope: [f64; 4],
    curvature: [f64; 4],
}

impl Basis {
    fn at(&mut self, nodes: &[f64], x: f64) {
        let n = nodes.len();
        for i in 0..n {
            let (mut value, mut slope, mut curvature, mut denominator) = (1.0, 0.0, 0.0, 1.0);
            // the product ∏_{k≠i} (x − x_k) and its first two derivatives, factor by factor
            for k in (0..n).filter(|&k| k != i) {
                let d = x - nodes[k];
                curvature = curvature * d + 2.0 * slope;
                slope = slope * d + value;
                value *= d;
                denominator *= nodes[i] - nodes[k];
            }
            self.value[i] = value / denominator;
            self.slope[i] = slope / denominator;
            self.curvature[i] = curvature / denominator;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nerve equation's reaction at k = ∞ (lower): `f = −u + H(u − ℓ)` with `f(ℓ) = −ℓ`.
    fn nerve(u: &[f64], f: &mut [f64]) {
        f[0] = -u[0];
    }

    fn scalar(level: f64, h: f64) -> Interface {
        let switch = Switch {
            component: 0,
            level,
            jump: 1.0,
            slope_jump: 0.0,
            at_level: AtLevel::Below,
        };
        Interface::new(vec![switch], vec![1.0], h, false, false).expect("one switch")
    }

    /// The corrected Laplacian of a C¹ function whose second derivative jumps by `J₂` at `s`
    /// (a piecewise cubic with the jumps of the equation) is exact at both nodes beside `s`.
    #[test]
    fn corrected_laplacian_is_exact_on_piecewise_cubics() {
        let (h, level, s) = (0.1, 0.3, 0.537);
        // u = ℓ + p(x − s) + q(x − s)²/2 + r(x − s)³/6 on the left, plus J₂ (x − s)²/2 + J₃ (x − s)³/6
        // on the right, with f(ℓ⁻) = −ℓ (k = ∞, lower), J₂ = −1, u_t = u_xx⁻ − ℓ.
        let (p, q, r) = (0.8, 0.4, -0.3);
        let j2 = -1.0;
        let ut = q - level;
        let j3 = ut / p * j2;
        let exact = |x: f64| {
            let d = x - s;
            let left = level + p * d + q * d * d / 2.0 + r * d * d * d / 6.0;
            if d > 0.0 {
                left + j2 * d * d / 2.0 + j3 * d * d * d / 6.0
            } else {
                left
            }
        };
        let u: Vec<f64> = (0..12).map(|i| exact(i as f64 * h)).collect();
        let mut interface = scalar(level, h);
        interface.locate(&u, nerve);
        assert_eq!(interface.crossings.len(), 1);
        let c = &interface.crossings[0];
        assert_eq!(c.left, 5);
        assert!((c.xi - (s / h - 5.0)).abs() < 1e-12, "ξ = {}", c.xi);
        let lap = |i: usize| (u[i - 1] - 2.0 * u[i] + u[i + 1]) / (h * h);
        let (left, right) = (c.left as f64 * h - s, (c.left + 1) as f64 * h - s);
        let uxx_left = q + r * left;
        let uxx_right = q + j2 + (r + j3) * right;
        assert!((lap(5) - c.correction[0] - uxx_left).abs() < 1e-10);
        assert!((lap(6) - c.correction[1] - uxx_right).abs() < 1e-10);
    }

    /// `C` is continuous as the crossing passes a node once the jump of the reaction is added:
    /// `−C + f` at the node has the same value on both sides, up to the change of the stencil
    /// that estimates `J₃` (O(h²)); without the correction it would jump by 1.
    #[test]
    fn corrected_source_is_continuous_across_a_node() {
        let (h, level) = (0.05, 0.2);
        let profile = |x: f64, shift: f64| 0.3 / ((1.5 * (x - shift)).cosh());
        let node = 20;
        let source = |shift: f64| {
            let u: Vec<f64> = (0..60).map(|i| profile(i as f64 * h, shift)).collect();
            let mut interface = scalar(level, h);
            interface.locate(&u, nerve);
            let mut c = vec![0.0; u.len()];
            interface.add_corrections(1.0, &mut c);
            f64::from(u[node] > level) - c[node]
        };
        // the left crossing of the profile sits at shift − acosh(1.5)/1.5
        let at = node as f64 * h + (1.5f64).acosh() / 1.5;
        let (before, after) = (source(at - 1e-9), source(at + 1e-9));
        assert!((before - after).abs() < 1e-3, "{before} vs {after}");
        assert!((source(at - 0.3 * h) - source(at + 0.3 * h)).abs() > 0.1);
    }
}
