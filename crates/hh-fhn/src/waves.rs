//! The exact Nagumo front of the cubic interaction.

use std::f64::consts::SQRT_2;

/// The Nagumo front profile `1 / (1 + e^{z/√2})` (from 1 at `z → −∞` to 0 at `+∞`).
pub fn nagumo_front(z: f64) -> f64 {
    1.0 / (1.0 + (z / SQRT_2).exp())
}

/// The speed `c = (1 − 2a)/√2` of the Nagumo front `u = nagumo_front(x − x₀ − c t)`, exact for
/// `u_t = u_xx + u(1 − u)(u − a)`.
pub fn nagumo_speed(a: f64) -> f64 {
    (1.0 - 2.0 * a) / SQRT_2
}
