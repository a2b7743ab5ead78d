//! Direct O(N) solves of (block) tridiagonal systems.
//!
//! ```text
//! ℓ_j u_{j−1} + B_j u_j + υ_j u_{j+1} = d_j,   j = 0..n−1   (ℓ_0 = υ_{n−1} = 0)
//! ```
//!
//! with `m × m` diagonal blocks `B_j` and diagonal couplings `ℓ_j, υ_j` (one entry per component:
//! diffusion couples a component only to itself). `m = 1` is the Thomas algorithm. Block
//! elimination without pivoting is stable for the block diagonally dominant matrices of implicit
//! steps (`I − θΔt (D Δ_h + J)` with `θΔt‖J‖ < 1`), which is how the solvers use it.

/// Solves the scalar system `ℓ_j x_{j−1} + b_j x_j + υ_j x_{j+1} = d_j` in place of `d`
/// (Thomas algorithm, 8 flops and 1 division per unknown). `scratch` has length `n`.
pub fn solve_scalar(
    lower: &[f64],
    diag: &[f64],
    upper: &[f64],
    d: &mut [f64],
    scratch: &mut [f64],
) {
    let n = d.len();
    debug_assert!(lower.len() == n && diag.len() == n && upper.len() == n && scratch.len() == n);
    let mut c_prev = 0.0;
    let mut d_prev = 0.0;
    for j in 0..n {
        let inv = 1.0 / (diag[j] - lower[j] * c_prev);
        c_prev = upper[j] * inv;
        d_prev = (d[j] - lower[j] * d_prev) * inv;
        scratch[j] = c_prev;
        d[j] = d_prev;
    }
    back_substitute(&scratch[..n - 1], d);
}

/// `d_j ← d_j − c_j d_{j+1}` from the end, the running value kept in a register (no
/// store-to-load dependency through memory).
#[inline]
fn back_substitute(c: &[f64], d: &mut [f64]) {
    let mut next = d[d.len() - 1];
    for (dj, cj) in d[..c.len()].iter_mut().zip(c).rev() {
        next = *dj - cj * next;
        *dj = next;
    }
}

/// A scalar tridiagonal matrix factored once and solved many times without divisions
/// (4 flops per unknown). [`Factored::update_diag`] refactors only from the first row that changed:
/// Newton's Jacobian for the nerve equation changes only where `u` enters or leaves the ramp.
#[derive(Clone, Debug)]
pub struct Factored {
    lower: Vec<f64>,
    diag: Vec<f64>,
    upper: Vec<f64>,
    inv: Vec<f64>,
    c: Vec<f64>,
}

impl Factored {
    pub fn new(lower: &[f64], diag: &[f64], upper: &[f64]) -> Self {
        let n = diag.len();
        let mut f = Self {
            lower: lower.to_vec(),
            diag: diag.to_vec(),
            upper: upper.to_vec(),
            inv: vec![0.0; n],
            c: vec![0.0; n],
        };
        f.factor_from(0);
        f
    }

    /// Refactors for a new diagonal (same off-diagonals); rows before the first changed one keep
    /// their factors. Returns the number of rows refactored.
    pub fn update_diag(&mut self, diag: &[f64]) -> usize {
        let n = diag.len();
        let first = diag
            .iter()
            .zip(&self.diag)
            .position(|(x, y)| x != y)
            .unwrap_or(n);
        self.diag[first..].copy_from_slice(&diag[first..]);
        self.factor_from(first);
        n - first
    }

    fn factor_from(&mut self, first: usize) {
        let mut c_prev = if first > 0 { self.c[first - 1] } else { 0.0 };
        for j in first..self.diag.len() {
            self.inv[j] = 1.0 / (self.diag[j] - self.lower[j] * c_prev);
            c_prev = self.upper[j] * self.inv[j];
            self.c[j] = c_prev;
        }
    }

    /// Overwrites `d` with the solution.
    pub fn solve(&self, d: &mut [f64]) {
        let mut d_prev = 0.0;
        for ((dj, l), inv) in d.iter_mut().zip(&self.lower).zip(&self.inv) {
            d_prev = (*dj - l * d_prev) * inv;
            *dj = d_prev;
        }
        back_substitute(&self.c[..d.len() - 1], d);
    }
}

/// Block tridiagonal solve: `diag` holds `n` row-major `m × m` blocks, `lower`/`upper` `n × m`
/// diagonal couplings, `d` the `n × m` right-hand side (overwritten by the solution).
pub fn solve_block(m: usize, lower: &[f64], diag: &[f64], upper: &[f64], d: &mut [f64]) {
    if m == 1 {
        let mut scratch = vec![0.0; d.len()];
        return solve_scalar(lower, diag, upper, d, &mut scratch);
    }
    let n = d.len() / m;
    // C'_j (n blocks m×m) and the running block M = B_j − diag(ℓ_j) C'_{j−1}.
    let mut cp = vec![0.0; n * m * m];
    let mut block = vec![0.0; m * m];
    let mut rhs = vec![0.0; m * (m + 1)];
    for j in 0..n {
        let (l, u) = (&lower[j * m..(j + 1) * m], &upper[j * m..(j + 1) * m]);
        block.copy_from_slice(&diag[j * m * m..(j + 1) * m * m]);
        if j > 0 {
            for r in 0..m {
                for c in 0..m {
                    block[r * m + c] -= l[r] * cp[(j - 1) * m * m + r * m + c];
                }
            }
        }
        // Solve M [C'_j | d'_j] = [diag(υ_j) | d_j − ℓ_j d'_{j−1}] (m + 1 right-hand sides).
        for r in 0..m {
            for c in 0..m {
                rhs[r * (m + 1) + c] = if r == c { u[r] } else { 0.0 };
            }
            let prev = if j > 0 { d[(j - 1) * m + r] } else { 0.0 };
            rhs[r * (m + 1) + m] = d[j * m + r] - l[r] * prev;
        }
        dense_solve(m, m + 1, &mut block, &mut rhs);
        for r in 0..m {
            cp[j * m * m + r * m..j * m * m + (r + 1) * m]
                .copy_from_slice(&rhs[r * (m + 1)..r * (m + 1) + m]);
            d[j * m + r] = rhs[r * (m + 1) + m];
        }
    }
    for j in (0..n - 1).rev() {
        for r in 0..m {
            let mut s = 0.0;
            for c in 0..m {
                s += cp[j * m * m + r * m + c] * d[(j + 1) * m + c];
            }
            d[j * m + r] -= s;
        }
    }
}

/// Gaussian elimination with partial pivoting: `a` (`m × m`) `X = b` (`m × k`), `b` overwritten.
fn dense_solve(m: usize, k: usize, a: &mut [f64], b: &mut [f64]) {
    for col in 0..m {
        let p = (col..m)
            .max_by(|&i, &j| a[i * m + col].abs().total_cmp(&a[j * m + col].abs()))
            .expect("m ≥ 1");
        if p != col {
            for c in 0..m {
                a.swap(p * m + c, col * m + c);
            }
            for c in 0..k {
                b.swap(p * k + c, col * k + c);
            }
        }
        let inv = 1.0 / a[col * m + col];
        for r in col + 1..m {
            let f = a[r * m + col] * inv;
            for c in col..m {
                a[r * m + c] -= f * a[col * m + c];
            }
            for c in 0..k {
                b[r * k + c] -= f * b[col * k + c];
            }
        }
    }
    for col in (0..m).rev() {
        let inv = 1.0 / a[col * m + col];
        for c in 0..k {
            let mut s = b[col * k + c];
            for j in col + 1..m {
                s -= a[col * m + j] * b[j * k + c];
            }
            b[col * k + c] = s * inv;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Dense product of the block tridiagonal matrix with `x`.
    fn apply(m: usize, lower: &[f64], diag: &[f64], upper: &[f64], x: &[f64]) -> Vec<f64> {
        let n = x.len() / m;
        let mut y = vec![0.0; x.len()];
        for j in 0..n {
            for r in 0..m {
                let mut s: f64 = (0..m)
                    .map(|c| diag[j * m * m + r * m + c] * x[j * m + c])
                    .sum();
                if j > 0 {
                    s += lower[j * m + r] * x[(j - 1) * m + r];
                }
                if j + 1 < n {
                    s += upper[j * m + r] * x[(j + 1) * m + r];
                }
                y[j * m + r] = s;
            }
        }
        y
    }

    fn system(m: usize, n: usize, vals: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut it = vals.iter().cycle().copied();
        let mut lower: Vec<f64> = (0..n * m).map(|_| it.next().unwrap()).collect();
        let mut upper: Vec<f64> = (0..n * m).map(|_| it.next().unwrap()).collect();
        lower[..m].fill(0.0);
        upper[(n - 1) * m..].fill(0.0);
        let mut diag = vec![0.0; n * m * m];
        for j in 0..n {
            for r in 0..m {
                let mut off = lower[j * m + r].abs() + upper[j * m + r].abs();
                for c in 0..m {
                    if c != r {
                        let v = 0.3 * it.next().unwrap();
                        diag[j * m * m + r * m + c] = v;
                        off += v.abs();
                    }
                }
                // strictly diagonally dominant
                diag[j * m * m + r * m + r] = off + 0.5 + it.next().unwrap().abs();
            }
        }
        let x: Vec<f64> = (0..n * m).map(|_| it.next().unwrap()).collect();
        (lower, diag, upper, x)
    }

    proptest! {
        /// Random diagonally dominant systems: the solve recovers `x` from `A x`.
        #[test]
        fn block_and_scalar_solves_invert_the_matrix(
            m in 1usize..4, n in 2usize..60,
            vals in prop::collection::vec(-1.0f64..1.0, 50..200),
        ) {
            let (lower, diag, upper, x) = system(m, n, &vals);
            let mut d = apply(m, &lower, &diag, &upper, &x);
            solve_block(m, &lower, &diag, &upper, &mut d);
            for (a, b) in d.iter().zip(&x) {
                prop_assert!((a - b).abs() < 1e-10, "{a} vs {b}");
            }
            if m == 1 {
                let mut d = apply(1, &lower, &diag, &upper, &x);
                let mut f = Factored::new(&lower, &diag, &upper);
                f.solve(&mut d);
                for (a, b) in d.iter().zip(&x) {
                    prop_assert!((a - b).abs() < 1e-10);
                }
                // change the tail of the diagonal: the partial refactorisation solves the new system
                let mut diag2 = diag.clone();
                for v in &mut diag2[n / 2..] { *v += 0.25; }
                let refactored = f.update_diag(&diag2);
                prop_assert_eq!(refactored, n - n / 2);
                let mut d = apply(1, &lower, &diag2, &upper, &x);
                f.solve(&mut d);
                for (a, b) in d.iter().zip(&x) {
                    prop_assert!((a - b).abs() < 1e-10);
                }
            }
        }
    }

    #[test]
    fn matches_a_dense_solve() {
        // −x'' = 1 on (0,1), x(0) = x(1) = 0, n interior points: exact at the nodes.
        let n = 9;
        let h = 1.0 / (n + 1) as f64;
        let (mut lower, diag, mut upper) = (vec![-1.0; n], vec![2.0; n], vec![-1.0; n]);
        lower[0] = 0.0;
        upper[n - 1] = 0.0;
        let mut d = vec![h * h; n];
        let mut scratch = vec![0.0; n];
        solve_scalar(&lower, &diag, &upper, &mut d, &mut scratch);
        for (j, v) in d.iter().enumerate() {
            let x = (j + 1) as f64 * h;
            assert!((v - 0.5 * x * (1.0 - x)).abs() < 1e-14);
        }
    }
}
