//! The linear part of the nerve equation in closed form.
//!
//! `u_lin` solves `u_t = u_xx − u`, `u(0) = u₀`, with the problem's boundary mode:
//!
//! ```text
//! dirichlet  u_lin = Σ_{n≥1} b_n e^{−(1+ω_n²) t} sin(ω_n (x − x_min)),   ω_n = nπ / L
//! neumann    u_lin = a_0/2 e^{−t} + Σ_{n≥1} a_n e^{−(1+ω_n²) t} cos(ω_n (x − x_min))
//! free       u_lin = e^{−t} ∫ G_t(x − y) u₀(y) dy,   G_t the heat kernel of variance 2t
//! ```
//!
//! with `L = x_max − x_min` and `b_n, a_n` the sine/cosine coefficients of `u₀` on `(x_min, x_max)`.
//! The whole-line (`free`) solution is summed as the neumann series on `(x_min − M, x_max + M)`:
//! on `[x_min, x_max]` the reflected images change it by `O(e^{−M²/T})`, and with
//! `M = 12 max(1, √T)` that is below 1e-60 (the tests check it against the heat-kernel integral).
//! The solution of the full problem is `u = u_lin + w` with `w(0) = 0` and
//! `w_t − w_xx + w = H_k(u_lin + w)`: a bounded source and no initial spike, which is what makes an
//! accurate PINN possible (`docs/model.md`, "The linear part").

use std::f64::consts::PI;

use crate::initial::Profile;
use crate::{BoundaryMode, Domain, Jet, LinearSolution};

/// `u_lin(t, x)` for one initial profile, domain and boundary mode.
#[derive(Clone, Debug)]
pub struct LinearPart {
    /// The series summed: `dirichlet` (sines) or `neumann` (cosines, also for `free`).
    series: BoundaryMode,
    x_min: f64,
    length: f64,
    /// Sine (dirichlet) or cosine (neumann) coefficients; index 0 is `a_0 / 2` for neumann.
    coefficients: Vec<f64>,
    profile: Profile,
}

impl LinearPart {
    /// Number of modes and quadrature points on an interval of length π (scaled with the length
    /// beyond): the paper's `φ` (width 0.1) has coefficients below 1e-14 after about 70 modes on (0, π).
    const MODES: usize = 256;
    const QUADRATURE: usize = 8192;

    /// The margin `M` of the whole-line series for final time `T`: `12 max(1, √T)`.
    pub fn free_margin(t_end: f64) -> f64 {
        12.0 * t_end.sqrt().max(1.0)
    }

    pub fn new(profile: &Profile, domain: &Domain, mode: BoundaryMode) -> Self {
        if mode == BoundaryMode::Free {
            let m = Self::free_margin(domain.t_end);
            let extended = Domain {
                x_min: domain.x_min - m,
                x_max: domain.x_max + m,
                ..*domain
            };
            return Self::new(profile, &extended, BoundaryMode::Neumann);
        }
        let (x_min, length) = (domain.x_min, domain.length());
        // As many modes per unit length as on (0, π), at least that many.
        let scale = (length / PI).max(1.0);
        let modes = (Self::MODES as f64 * scale).ceil() as usize;
        // Trapezoid rule on the uniform grid: spectrally accurate for the even/odd extension.
        let q = (Self::QUADRATURE as f64 * scale).ceil() as usize;
        let h = length / q as f64;
        let samples: Vec<f64> = (0..=q)
            .map(|i| profile.eval(x_min + i as f64 * h))
            .collect();
        let trapezoid = |basis: &dyn Fn(f64) -> f64| {
            let mut s = 0.0;
            for (i, &v) in samples.iter().enumerate() {
                let w = if i == 0 || i == q { 0.5 } else { 1.0 };
                s += w * v * basis(i as f64 * h);
            }
            2.0 / length * s * h
        };
        let coefficients = match mode {
            BoundaryMode::Dirichlet => (0..=modes)
                .map(|n| {
                    let w = n as f64 * PI / length;
                    if n == 0 {
                        0.0
                    } else {
                        trapezoid(&|y| (w * y).sin())
                    }
                })
                .collect(),
            BoundaryMode::Neumann => (0..=modes)
                .map(|n| {
                    let w = n as f64 * PI / length;
                    let c = trapezoid(&|y| (w * y).cos());
                    if n == 0 { 0.5 * c } else { c }
                })
                .collect(),
            BoundaryMode::Free => unreachable!("summed as a neumann series"),
        };
        Self {
            series: mode,
            x_min,
            length,
            coefficients,
            profile: profile.clone(),
        }
    }

    /// `u_lin(t, x)`, `t ≥ 0`.
    pub fn eval(&self, t: f64, x: f64) -> f64 {
        if t == 0.0 {
            return self.profile.eval(x);
        }
        self.sum(t, x)[0]
    }

    /// `u_lin` and its derivatives at `(t, x)` (`∂ₜu_lin = ∂ₓₓu_lin − u_lin`). At `t = 0` the
    /// profile's own derivatives, so `None` there for profiles that have none (steps, samples).
    pub fn jet(&self, t: f64, x: f64) -> Option<Jet> {
        let [value, dx, dxx] = if t == 0.0 {
            let j = self.profile.jet(x)?;
            [j.value, j.x, j.xx]
        } else {
            self.sum(t, x)
        };
        Some(Jet {
            value,
            x: dx,
            t: dxx - value,
            xx: dxx,
        })
    }

    /// The Fourier series and its x-derivatives (`ω_n = nπ/L`, `θ = π (x − x_min)/L`):
    ///
    /// ```text
    /// dirichlet  Σ c_n d_n [sin nθ,  ω_n cos nθ, −ω_n² sin nθ],   d_n = e^{−(1+ω_n²) t}
    /// neumann    Σ c_n d_n [cos nθ, −ω_n sin nθ, −ω_n² cos nθ]
    /// ```
    ///
    /// summed with the recurrences `e^{−(n+1)²δ} = e^{−n²δ} e^{−(2n+1)δ}` and the rotation
    /// `(cos, sin)(n+1)θ = R_θ (cos, sin) nθ` (one `exp` and one `sin_cos` per point).
    fn sum(&self, t: f64, x: f64) -> [f64; 3] {
        let delta = (PI / self.length).powi(2) * t;
        let w1 = PI / self.length;
        let (s1, c1) = (PI * (x - self.x_min) / self.length).sin_cos();
        let (mut cn, mut sn) = (1.0, 0.0); // cos 0, sin 0
        let mut decay = 1.0; // e^{−n² δ} at n = 0
        let mut step = (-delta).exp(); // e^{−(2n+1) δ} at n = 0
        let ratio = (-2.0 * delta).exp();
        let dirichlet = self.series == BoundaryMode::Dirichlet;
        let mut sum = [0.0; 3];
        for (n, &c) in self.coefficients.iter().enumerate() {
            let w = n as f64 * w1;
            let cd = c * decay;
            let (even, odd) = if dirichlet { (sn, cn) } else { (cn, -sn) };
            sum[0] += cd * even;
            sum[1] += cd * w * odd;
            sum[2] -= cd * w * w * even;
            (cn, sn) = (cn * c1 - sn * s1, sn * c1 + cn * s1);
            decay *= step;
            step *= ratio;
            if decay < 1e-17 {
                break;
            }
        }
        sum.map(|s| (-t).exp() * s)
    }
}

/// The smooth profiles' `u_lin` as a [`LinearSolution`] of the one-component nerve equation.
impl LinearSolution for LinearPart {
    fn jet(&self, t: f64, x: f64, out: &mut [Jet]) {
        out[0] = LinearPart::jet(self, t, x).expect("built for a smooth profile");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initial::phi;

    /// `e^{−t} E[u₀(x + σ Z)]`, `σ = √(2t)`, and its x-derivatives by Gaussian integration by
    /// parts, `e^{−t} E[u₀(x + σZ) Z] / σ` and `e^{−t} E[u₀(x + σZ)(Z² − 1)] / σ²`; the trapezoid
    /// rule over `±9σ` with a step that resolves both the kernel and the paper's pulse (width 0.1).
    fn heat_kernel(profile: &Profile, t: f64, x: f64) -> [f64; 3] {
        let sigma = (2.0 * t).sqrt();
        let dz = (0.02 / sigma).min(0.125);
        let n = (9.0 / dz).ceil() as i64;
        let mut s = [0.0; 3];
        for i in -n..=n {
            let z = i as f64 * dz;
            let v = (-0.5 * z * z).exp() * profile.eval(x + sigma * z);
            s[0] += v;
            s[1] += v * z;
            s[2] += v * (z * z - 1.0);
        }
        let c = (-t).exp() * dz / (2.0 * PI).sqrt();
        [c * s[0], c * s[1] / sigma, c * s[2] / (sigma * sigma)]
    }

    fn domain() -> Domain {
        Domain {
            x_min: 0.0,
            x_max: PI,
            t_end: 1.0,
        }
    }

    #[test]
    fn sine_data_decays_as_exp_minus_2t() {
        let u = LinearPart::new(&Profile::Sin, &domain(), BoundaryMode::Dirichlet);
        for (t, x) in [(0.1, 0.3), (0.5, 1.5), (1.0, 3.0)] {
            assert!((u.eval(t, x) - (-2.0 * t).exp() * x.sin()).abs() < 1e-12);
        }
    }

    #[test]
    fn constant_data_decays_as_exp_minus_t_without_flux() {
        for mode in [BoundaryMode::Neumann, BoundaryMode::Free] {
            let u = LinearPart::new(&Profile::Const(0.7), &domain(), mode);
            for (t, x) in [(0.01, 0.0), (0.5, 1.5), (1.0, PI)] {
                let err = (u.eval(t, x) - 0.7 * (-t).exp()).abs();
                assert!(err < 1e-10, "{mode}: {err}");
            }
        }
    }

    #[test]
    fn series_reproduce_the_pulse_at_small_time() {
        for mode in BoundaryMode::ALL {
            let u = LinearPart::new(&Profile::Paper, &domain(), mode);
            for x in [0.5, 1.4, PI / 2.0, 1.8] {
                let err = (u.eval(1e-9, x) - phi(x)).abs();
                assert!(err < 1e-6, "{mode} at x = {x}: {err}");
            }
        }
    }

    /// The three modes agree in the interior while the pulse has not felt the boundary, and each
    /// satisfies `u_t = u_xx − u` (checked by central differences).
    #[test]
    fn modes_agree_early_and_satisfy_the_equation() {
        let us = BoundaryMode::ALL.map(|m| LinearPart::new(&Profile::Paper, &domain(), m));
        let (t, x) = (0.02, 1.3);
        let d = us[0].eval(t, x);
        for u in &us {
            assert!((u.eval(t, x) - d).abs() < 1e-8);
            let (ht, hx) = (1e-5, 1e-3);
            let u_t = (u.eval(t + ht, x) - u.eval(t - ht, x)) / (2.0 * ht);
            let u_xx = (u.eval(t, x + hx) - 2.0 * u.eval(t, x) + u.eval(t, x - hx)) / (hx * hx);
            let r = u_t - u_xx + u.eval(t, x);
            assert!(r.abs() < 1e-4 * u_xx.abs().max(1.0), "residual {r}");
        }
    }

    /// The x-derivatives agree with central differences in every mode, and at `t = 0` they are
    /// the profile's.
    #[test]
    fn derivatives_match_central_differences() {
        for mode in BoundaryMode::ALL {
            let u = LinearPart::new(&Profile::Paper, &domain(), mode);
            for (t, x) in [(0.003, 1.45), (0.05, 1.3), (0.4, 0.2), (1.0, 2.9)] {
                let j = u.jet(t, x).unwrap();
                assert!((j.value - u.eval(t, x)).abs() < 1e-14);
                assert_eq!(j.t, j.xx - j.value);
                let h = 2e-5;
                let num_x = (u.eval(t, x + h) - u.eval(t, x - h)) / (2.0 * h);
                let num_xx = (u.jet(t, x + h).unwrap().x - u.jet(t, x - h).unwrap().x) / (2.0 * h);
                let tol = 1e-6 * (1.0 + j.xx.abs());
                assert!(
                    (num_x - j.x).abs() < tol,
                    "{mode} u_x at ({t}, {x}): {num_x} vs {}",
                    j.x
                );
                assert!(
                    (num_xx - j.xx).abs() < tol,
                    "{mode} u_xx at ({t}, {x}): {num_xx} vs {}",
                    j.xx
                );
            }
            let at0 = u.jet(0.0, 1.4).unwrap();
            let p = Profile::Paper.jet(1.4).unwrap();
            assert_eq!((at0.value, at0.x, at0.xx), (p.value, p.x, p.xx));
        }
    }

    /// The whole-line solution, summed as a neumann series on the extended interval, is the
    /// heat-kernel integral on `(0, π)`, derivatives included.
    #[test]
    fn free_series_is_the_heat_kernel_integral() {
        let free = LinearPart::new(&Profile::Paper, &domain(), BoundaryMode::Free);
        for (t, x) in [(0.01, 1.5), (0.3, 0.0), (1.0, PI)] {
            let j = free.jet(t, x).unwrap();
            let k = heat_kernel(&Profile::Paper, t, x);
            for (a, b) in [(j.value, k[0]), (j.x, k[1]), (j.xx, k[2])] {
                assert!((a - b).abs() < 1e-9, "({t}, {x}): {a} vs {b}");
            }
        }
    }
}
