//! Error measures (`docs/model.md`, "Measures"), on a grid `u[t_i, x_j]` (rows t, columns x).
//!
//! ```text
//! rel_l2  = ‖u − u_ref‖₂ / ‖u_ref‖₂
//! max_abs = max |u − u_ref|
//! rel_h1  = √(Σ e² + Σ e_x²) / √(Σ u_ref² + Σ u_ref,x²),   e = u − u_ref
//! ```
//!
//! `e_x` is the central difference `(e_{j+1} − e_{j−1}) / (2h)` at the interior columns and the
//! one-sided difference `±(e_1 − e_0)/h` at the two boundary columns (h = the x-spacing).

use ndarray::{Array2, ArrayView2, Zip};

/// The three measures of one approximation against a reference.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Errors {
    pub rel_l2: f64,
    pub max_abs: f64,
    pub rel_h1: f64,
}

impl Errors {
    /// `u` against `reference` on a grid with x-spacing `h`.
    pub fn of(u: ArrayView2<f64>, reference: ArrayView2<f64>, h: f64) -> Self {
        assert_eq!(u.shape(), reference.shape(), "grids differ");
        let e = &u - &reference;
        let (ex, rx) = (dx(e.view(), h), dx(reference, h));
        let sq = |a: &Array2<f64>| a.iter().map(|v| v * v).sum::<f64>();
        let ref2 = reference.iter().map(|v| v * v).sum::<f64>();
        Self {
            rel_l2: (sq(&e) / ref2).sqrt(),
            max_abs: e.iter().fold(0.0, |m, v| m.max(v.abs())),
            rel_h1: ((sq(&e) + sq(&ex)) / (ref2 + sq(&rx))).sqrt(),
        }
    }
}

/// ∂/∂x along the rows: central differences inside, one-sided at the ends.
pub fn dx(u: ArrayView2<f64>, h: f64) -> Array2<f64> {
    let n = u.ncols();
    let mut d = Array2::zeros(u.raw_dim());
    Zip::from(d.rows_mut()).and(u.rows()).for_each(|mut d, u| {
        d[0] = (u[1] - u[0]) / h;
        d[n - 1] = (u[n - 1] - u[n - 2]) / h;
        for j in 1..n - 1 {
            d[j] = (u[j + 1] - u[j - 1]) / (2.0 * h);
        }
    });
    d
}

/// Observed rate `log₂(e_k / e_2k)` of successive errors (`NaN` where an error is 0).
pub fn rates(errors: &[f64]) -> Vec<f64> {
    errors
        .windows(2)
        .map(|w| {
            if w[0] > 0.0 && w[1] > 0.0 {
                (w[0] / w[1]).log2()
            } else {
                f64::NAN
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn measures_of_a_hand_computed_case() {
        let r = array![[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]];
        let u = array![[1.0, 2.0, 4.0], [0.0, 0.0, 0.0]];
        let e = Errors::of(u.view(), r.view(), 1.0);
        assert!((e.rel_l2 - (1.0f64 / 14.0).sqrt()).abs() < 1e-15);
        assert_eq!(e.max_abs, 1.0);
        // e_x = (0, 0.5, 1), r_x = (1, 1, 1): (1 + 1.25) / (14 + 3)
        assert!((e.rel_h1 - (2.25f64 / 17.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn derivative_of_a_linear_profile_is_exact() {
        let u = Array2::from_shape_fn((2, 5), |(_, j)| 3.0 * j as f64 * 0.5);
        assert!(dx(u.view(), 0.5).iter().all(|v| (v - 3.0).abs() < 1e-14));
    }

    #[test]
    fn rates_of_halving_errors() {
        assert_eq!(rates(&[4.0, 2.0, 0.5]), vec![1.0, 2.0]);
        assert!(rates(&[1.0, 0.0])[0].is_nan());
    }
}
