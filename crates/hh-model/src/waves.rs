//! Exact and semi-exact waves of the nerve equation on the whole line,
//! `u_t = u_xx − u + H(u − a)` (`docs/model.md`, "Waves").
//!
//! For `k = ∞` (`H` the Heaviside graph) the travelling-wave equation
//! `U'' + c U' − U + H(U − a) = 0` is linear on each side of the point where `U = a`, so the
//! waves are exponentials glued `C¹` there:
//!
//! ```text
//! front (1 on the left, 0 on the right, U(0) = a):
//!   U(ξ) = a e^{−μξ} (ξ > 0),   1 − (1 − a) e^{ξ/μ} (ξ < 0),   μ = √((1 − a)/a),
//!   c(a) = μ − 1/μ = (1 − 2a)/√(a(1 − a))                       (a ∈ (0, 1))
//! standing pulse (c = 0, the critical nucleus):
//!   U(x) = 1 − e^{−L} cosh x (|x| < L),   sinh L e^{−|x|} (|x| ≥ L),
//!   L = −½ ln(1 − 2a),   peak 1 − √(1 − 2a)                      (a ∈ (0, ½))
//! ```
//!
//! The standing pulse is unstable: linearised, `λ v = v'' − v + (δ(x − L) + δ(x + L)) v / a`
//! (the jump of `H` at `U = a`, where `|U'| = a`), whose even eigenfunction
//! `cosh(κx)` inside, `e^{−κ|x|}` outside with `κ = √(1 + λ)` gives
//! `κ (1 + tanh κL) = 1/a`: one positive eigenvalue `λ = κ² − 1`.
//!
//! For a finite ramp `H_k` the front speed `c_k(a)` has no closed form; [`front_speed_k`] finds
//! it by shooting.

use crate::{Interaction, Jet, Regularisation, Slope};

/// `μ = √((1 − a)/a)`, the decay rate of the front ahead of its threshold point.
fn mu(a: f64) -> f64 {
    ((1.0 - a) / a).sqrt()
}

/// The front speed `c(a) = (1 − 2a)/√(a(1 − a))` for `k = ∞` (`a ∈ (0, 1)`; negative for
/// `a > ½`: the front recedes).
pub fn front_speed(a: f64) -> f64 {
    (1.0 - 2.0 * a) / (a * (1.0 - a)).sqrt()
}

/// The front profile `U(ξ)`, `ξ = x − c t`, with `U(0) = a`: 1 at `−∞`, 0 at `+∞`.
pub fn front_profile(a: f64, xi: f64) -> f64 {
    let m = mu(a);
    if xi > 0.0 {
        a * (-m * xi).exp()
    } else {
        1.0 - (1.0 - a) * (xi / m).exp()
    }
}

/// [`front_profile`] and its first two derivatives in `ξ` (`U''` jumps at `ξ = 0`, where the
/// right-hand value is returned).
pub fn front_jet(a: f64, xi: f64) -> Jet {
    let m = mu(a);
    if xi >= 0.0 {
        let u = a * (-m * xi).exp();
        Jet::of_x(u, -m * u, m * m * u)
    } else {
        let w = (1.0 - a) * (xi / m).exp();
        Jet::of_x(1.0 - w, -w / m, -w / (m * m))
    }
}

/// The half-width `L = −½ ln(1 − 2a)` of the standing pulse (`a ∈ (0, ½)`): `U(±L) = a`.
pub fn standing_pulse_half_width(a: f64) -> f64 {
    -0.5 * (1.0 - 2.0 * a).ln()
}

/// The standing pulse `U(x)` centred at 0 (`a ∈ (0, ½)`); its peak is `1 − √(1 − 2a)`.
pub fn standing_pulse(a: f64, x: f64) -> f64 {
    let l = standing_pulse_half_width(a);
    if x.abs() < l {
        1.0 - (-l).exp() * x.cosh()
    } else {
        l.sinh() * (-x.abs()).exp()
    }
}

/// The unstable eigenvalue `λ = κ² − 1 > 0` of the linearisation about the standing pulse:
/// the root `κ > 1` of `κ (1 + tanh κL) = 1/a` (bisection to machine precision; the left side
/// increases in `κ`, is `< 1/a` at `κ = 1` for `a < ½` and `≥ 1/a` at `κ = 1/a`).
pub fn standing_pulse_eigenvalue(a: f64) -> f64 {
    let l = standing_pulse_half_width(a);
    let g = |k: f64| k * (1.0 + (k * l).tanh()) - 1.0 / a;
    let (mut lo, mut hi) = (1.0, 1.0 / a);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let k = 0.5 * (lo + hi);
    k * k - 1.0
}

/// The speed `c_k(a)` of the front joining 1 (left) to 0 (right) of
/// `u_t = u_xx − u + H_k(u − a)` for a finite ramp (`regularisation` picks `H_k⁻` or `H_k⁺`), by
/// shooting on the travelling-wave equation written as `U' = P`, `P' = −c P + U − H_k(U − a)`.
///
/// From the rest state 1 (a saddle: `U − 1 ∝ −e^{ν ξ}` with `ν = (−c + √(c² + 4))/2`), the
/// orbit is integrated (classical RK4, step `h`) until `U` falls below 0 (`c` too small: the
/// orbit overshoots) or `P` turns positive (`c` too large: it turns back); `c` is bisected
/// between those outcomes. `k = ∞` returns [`front_speed`].
pub fn front_speed_k(a: f64, k: Slope, regularisation: Regularisation) -> f64 {
    if k == Slope::Infinite {
        return front_speed(a);
    }
    let h = Interaction {
        a,
        k,
        regularisation,
    };
    // overshoot (true) or turn back (false) for a trial speed
    let overshoots = |c: f64| -> bool {
        let nu = 0.5 * (-c + (c * c + 4.0).sqrt());
        let (mut u, mut p) = (1.0 - 1e-9, -1e-9 * nu);
        let rhs = |u: f64, p: f64| (p, -c * p + u - h.value(u));
        let step = 1e-3;
        for _ in 0..2_000_000 {
            let (k1u, k1p) = rhs(u, p);
            let (k2u, k2p) = rhs(u + 0.5 * step * k1u, p + 0.5 * step * k1p);
            let (k3u, k3p) = rhs(u + 0.5 * step * k2u, p + 0.5 * step * k2p);
            let (k4u, k4p) = rhs(u + step * k3u, p + step * k3p);
            u += step / 6.0 * (k1u + 2.0 * k2u + 2.0 * k3u + k4u);
            p += step / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p);
            if u < 0.0 {
                return true;
            }
            if p > 0.0 {
                return false;
            }
        }
        false
    };
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if overshoots(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `U'' + c U' − U + H(U − a)` by central differences at `ξ` (away from the glue point).
    fn residual(u: impl Fn(f64) -> f64, c: f64, a: f64, xi: f64) -> f64 {
        let h = 1e-4;
        let (um, u0, up) = (u(xi - h), u(xi), u(xi + h));
        let heaviside = if u0 > a { 1.0 } else { 0.0 };
        (up - 2.0 * u0 + um) / (h * h) + c * (up - um) / (2.0 * h) - u0 + heaviside
    }

    #[test]
    fn the_front_solves_the_travelling_wave_equation_and_is_c1() {
        for a in [0.1, 0.25, 0.4, 0.6] {
            let c = front_speed(a);
            let u = |xi| front_profile(a, xi);
            for xi in [-6.0, -1.0, -0.2, 0.3, 2.0, 7.0] {
                let r = residual(u, c, a, xi);
                assert!(r.abs() < 1e-6, "a = {a}, ξ = {xi}: {r}");
            }
            assert!((u(0.0) - a).abs() < 1e-15);
            let h = 1e-7;
            let (left, right) = ((u(0.0) - u(-h)) / h, (u(h) - u(0.0)) / h);
            assert!((left - right).abs() < 1e-5, "a = {a}: U' {left} {right}");
            assert!(u(-80.0) > 1.0 - 1e-6 && u(80.0) < 1e-6);
            for xi in [-3.0, -0.5, 0.5, 2.0] {
                let j = front_jet(a, xi);
                let d1 = (u(xi + 1e-5) - u(xi - 1e-5)) / 2e-5;
                let d2 = (u(xi + 1e-4) - 2.0 * u(xi) + u(xi - 1e-4)) / 1e-8;
                assert!((j.value - u(xi)).abs() < 1e-15 && (j.x - d1).abs() < 1e-8);
                assert!((j.xx - d2).abs() < 1e-5, "{} {d2}", j.xx);
            }
        }
        // c(¼) = (1 − ½)/√(3/16) = 2/√3
        assert!((front_speed(0.25) - 2.0 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn the_standing_pulse_solves_the_steady_equation() {
        for a in [0.1, 0.2, 0.3, 0.45] {
            let l = standing_pulse_half_width(a);
            let u = |x| standing_pulse(a, x);
            assert!((u(l) - a).abs() < 1e-14 && (u(-l) - a).abs() < 1e-14);
            assert!((u(0.0) - (1.0 - (1.0 - 2.0 * a).sqrt())).abs() < 1e-14);
            for x in [-5.0, -l - 0.5, -0.3, 0.0, 0.5 * l, l + 0.2, 3.0] {
                let r = residual(u, 0.0, a, x);
                assert!(r.abs() < 1e-6, "a = {a}, x = {x}: {r}");
            }
        }
    }

    #[test]
    fn the_standing_pulse_has_one_unstable_eigenvalue() {
        for a in [0.1, 0.25, 0.4] {
            let l = standing_pulse_half_width(a);
            let lambda = standing_pulse_eigenvalue(a);
            let k = (1.0 + lambda).sqrt();
            assert!(lambda > 0.0);
            assert!((k * (1.0 + (k * l).tanh()) - 1.0 / a).abs() < 1e-12);
        }
    }

    #[test]
    fn shooting_speeds_converge_to_the_exact_speed_at_rate_one() {
        let a = 0.25;
        let ck = |k| front_speed_k(a, Slope::Finite(k), Regularisation::Lower);
        for (k, expected) in [
            (10.0, 0.877),
            (30.0, 1.056),
            (100.0, 1.124),
            (1000.0, 1.152),
        ] {
            let c = ck(k);
            assert!((c - expected).abs() < 1e-3, "k = {k}: {c} vs {expected}");
        }
        let exact = front_speed(a);
        let gaps: Vec<f64> = [100.0, 200.0, 400.0, 800.0]
            .into_iter()
            .map(|k| (ck(k) - exact).abs())
            .collect();
        for w in gaps.windows(2) {
            let rate = (w[0] / w[1]).log2();
            assert!((rate - 1.0).abs() < 0.1, "rate {rate} ({gaps:?})");
        }
        assert_eq!(
            front_speed_k(a, Slope::Infinite, Regularisation::Lower),
            exact
        );
        // the upper ramp approaches from above
        assert!(front_speed_k(a, Slope::Finite(100.0), Regularisation::Upper) > exact);
    }
}
