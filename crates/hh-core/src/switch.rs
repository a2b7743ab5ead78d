//! Where a reaction is not smooth: the levels `u_i = ℓ` across which `f_i` jumps or kinks.
//!
//! A solver that knows them can follow the interface `x = s(t)` where `u_i(t, s) = ℓ` instead of
//! rounding it off. Across that curve the equation `u_t = D u_xx + f(u)` fixes the jumps of the
//! solution's derivatives (brackets: right side minus left side, `σ = ±1` as the side above `ℓ`
//! is the right or the left one):
//!
//! ```text
//! [u] = [u_x] = [u_t] = 0,   D [u_xx] = −σ [f],   [u_tx] = −s' [u_xx] = (u_t / u_x) [u_xx],
//! D [u_xxx] = [u_tx] − σ [f'] u_x,
//! ```
//!
//! with `[f] = f(ℓ⁺) − f(ℓ⁻)` the jump of the reaction and `[f'] = ∂f_i/∂u_i(ℓ⁺) − ∂f_i/∂u_i(ℓ⁻)`
//! the jump of its slope (the tangential derivative of `u` along the curve is continuous, hence
//! `[u_t] = −s'[u_x]` and `[u_tx] = −s'[u_xx]`). For the nerve equation at `k = ∞` the level is
//! `a`, `[f] = 1`, `[f'] = 0`; for `H_k` the two ends of the ramp are kinks, `[f] = 0`,
//! `[f'] = ±k`.

/// Which piece the value at the level itself belongs to: `f(ℓ) = f(ℓ⁻)` or `f(ℓ⁺)`. For an exact
/// selection of a multivalued graph this is the selection (`lower` takes the piece below,
/// `upper` the piece above); for a continuous reaction it does not matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtLevel {
    Below,
    Above,
}

/// A level `u_component = level` across which the reaction `f_component` jumps by `jump` and its
/// slope `∂f/∂u` by `slope_jump` (both from below the level to above it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Switch {
    pub component: usize,
    pub level: f64,
    /// `f(ℓ⁺) − f(ℓ⁻)`.
    pub jump: f64,
    /// `f'(ℓ⁺) − f'(ℓ⁻)`.
    pub slope_jump: f64,
    pub at_level: AtLevel,
}

impl Switch {
    /// Whether the value `u` lies on the piece above the level (the level itself as
    /// [`Switch::at_level`] says).
    #[inline]
    pub fn above(&self, u: f64) -> bool {
        match self.at_level {
            AtLevel::Below => u > self.level,
            AtLevel::Above => u >= self.level,
        }
    }
}
