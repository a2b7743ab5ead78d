//! Travelling waves read off a finite-difference solution: level crossings, the speed of a front
//! (least-squares slope of its position against time) and the width of a pulse.
//!
//! A right-moving front of `u` crosses a level `ℓ` downwards (`u ≥ ℓ` on its left, `u < ℓ` on its
//! right); a pulse is the interval between an upward crossing (its back) and the next downward
//! one (its front). Crossing positions are interpolated linearly between nodes, which is exact to
//! `O(h²)` like the second-order solutions they are read from.

use hh_fd::Solution;
use ndarray::ArrayView1;

/// Positions where `u(x)` crosses `level`: `(downward, upward)` crossings in increasing `x`.
pub fn crossings(x: ArrayView1<f64>, u: ArrayView1<f64>, level: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut down, mut up) = (Vec::new(), Vec::new());
    for c in 0..x.len().saturating_sub(1) {
        let (a, b) = (u[c] - level, u[c + 1] - level);
        let at = || x[c] + a / (a - b) * (x[c + 1] - x[c]);
        if a >= 0.0 && b < 0.0 {
            down.push(at());
        } else if a < 0.0 && b >= 0.0 {
            up.push(at());
        }
    }
    (down, up)
}

/// The position of the leading (rightmost) front of component `i` at time row `row`: its last
/// downward crossing of `level`, if any.
pub fn front_position(sol: &Solution, i: usize, row: usize, level: f64) -> Option<f64> {
    crossings(sol.x().view(), sol.values(i).row(row), level)
        .0
        .last()
        .copied()
}

/// The width of the leading pulse of component `i` at time row `row`: its front (the last
/// downward crossing of `level`) minus its back (the upward crossing just left of it); `None`
/// where there is no such pair (no pulse, or a front still attached to the left end).
pub fn pulse_width(sol: &Solution, i: usize, row: usize, level: f64) -> Option<f64> {
    let (down, up) = crossings(sol.x().view(), sol.values(i).row(row), level);
    let front = *down.last()?;
    let back = up.iter().rev().find(|&&b| b < front)?;
    Some(front - back)
}

/// The speed of the leading front of component `i`: the least-squares slope of
/// [`front_position`] against `t` over the rows with `t ∈ [t_from, T]`; `None` if the front is
/// missing in any of them, or fewer than two rows qualify.
pub fn front_speed(sol: &Solution, i: usize, level: f64, t_from: f64) -> Option<f64> {
    let points: Option<Vec<(f64, f64)>> = sol
        .t()
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t >= t_from)
        .map(|(r, &t)| front_position(sol, i, r, level).map(|x| (t, x)))
        .collect();
    slope(&points?)
}

/// The least-squares slope of `y` against `x` (`None` for fewer than two distinct `x`).
pub fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let (cov, var) = points.iter().fold((0.0, 0.0), |(c, v), (x, y)| {
        (c + (x - mx) * (y - my), v + (x - mx) * (x - mx))
    });
    (var > 0.0).then(|| cov / var)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn crossings_of_a_pulse_and_the_slope_of_a_line() {
        let x = Array1::linspace(0.0, 10.0, 101);
        // a pulse 1 on (3, 7), linear flanks of width 0.2
        let u = x.mapv(|x: f64| ((x - 2.9).min(7.1 - x) / 0.2).clamp(0.0, 1.0));
        let (down, up) = crossings(x.view(), u.view(), 0.5);
        assert_eq!(down.len(), 1);
        assert_eq!(up.len(), 1);
        assert!((up[0] - 3.0).abs() < 1e-12 && (down[0] - 7.0).abs() < 1e-12);
        let line: Vec<(f64, f64)> = (0..5).map(|i| (i as f64, 2.5 * i as f64 - 1.0)).collect();
        assert!((slope(&line).unwrap() - 2.5).abs() < 1e-12);
        assert_eq!(slope(&line[..1]), None);
    }
}
