//! Travelling waves read off a finite-difference solution: level crossings, the speed of a front
//! (least-squares slope of its position against time) and the width of a pulse.
//!
//! A right-moving front of `u` crosses a level `ℓ` downwards (`u ≥ ℓ` on its left, `u < ℓ` on its
//! right); a pulse is the interval between an upward crossing (its back) and the next downward
//! one (its front). Crossing positions are interpolated linearly between nodes, which is exact to
//! `O(h²)` like the second-order solutions they are read from.

use hh_fd::{GridConfig, Solution};
use hh_model::{
    BoundaryMode, Jet, ProblemConfig, Regularisation, Slope, WithInitial, initial::phi, waves,
};
use ndarray::ArrayView1;
use rayon::prelude::*;

use crate::table::{Cell, Table};

/// Columns of the table `critical_amplitude`.
pub const CRITICAL_AMPLITUDE_COLUMNS: [&str; 8] = [
    "a",
    "k",
    "lambda_lo",
    "lambda_hi",
    "lambda_star",
    "pinned_band",
    "paper_pulse",
    "front_speed_c_k",
];

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

/// A stimulus: `model` with its first component's initial data replaced ([`WithInitial`]).
pub type Stimulus<M, F> = WithInitial<M, F>;

/// What a stimulus of the nerve equation does on the whole line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// `u(T_h, centre) < a`: below threshold everywhere near the centre, it dies out.
    Decays,
    /// `u(T_h, centre) > (1 + a)/2`: excited behind two fronts that move out.
    Propagates,
    /// Neither by the horizon: still near the unstable standing pulse.
    Undecided,
}

/// How [`fate`] and [`critical_amplitude`] decide: the whole line (`free`) emulated by sealed
/// ends `margin = c(a) T_h + 10` beyond `(x_min, x_max)`, so that fronts moving out at most at
/// the `k = ∞` speed `c(a)` never reach them; grid spacing `h` and step `dt` (Crank–Nicolson).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Decision {
    /// Horizon `T_h`.
    pub horizon: f64,
    pub h: f64,
    pub dt: f64,
}

impl Default for Decision {
    fn default() -> Self {
        Self {
            horizon: 20.0,
            h: 0.02,
            dt: 0.01,
        }
    }
}

/// The nerve equation `problem` on the whole line from `u0`: its `bc` becomes `free` on its
/// interval, emulated as in [`Decision`], up to `T_h`, every time row kept.
pub fn whole_line(
    problem: &ProblemConfig,
    u0: &(dyn Fn(f64) -> f64 + Sync),
    d: &Decision,
) -> anyhow::Result<Solution> {
    let cfg = ProblemConfig {
        bc: BoundaryMode::Free,
        t_end: d.horizon,
        ..problem.clone()
    };
    let model = cfg.build()?;
    let sup = (0..=1000)
        .map(|i| u0(cfg.x_min + (cfg.x_max - cfg.x_min) * i as f64 / 1000.0).abs())
        .fold(0.0, f64::max);
    let stimulus = Stimulus {
        model,
        u0: |x: f64| Jet::constant(u0(x)),
        component: 0,
        smooth: false,
        bound: sup,
    };
    Ok(hh_fd::solve(&stimulus, &decision_grid(&cfg, d))?)
}

/// The grid of a decision solve on `problem`'s interval: spacing `h`, step `Δt` up to the
/// horizon, and a `free`-mode margin wide enough for a front to travel until then.
pub fn decision_grid(problem: &ProblemConfig, d: &Decision) -> GridConfig {
    GridConfig {
        // `as` saturates, so a spacing too fine to count gives a grid the solver refuses.
        nx: ((problem.x_max - problem.x_min) / d.h).ceil() as usize,
        nt: (d.horizon / d.dt).ceil() as usize,
        margin: Some(waves::front_speed(problem.a).max(0.0) * d.horizon + 10.0),
        ..Default::default()
    }
}

/// The fate read off a [`whole_line`] solution of threshold `a`: the value at the centre `x_c`
/// at its final time.
pub fn judge(sol: &Solution, a: f64, x_c: f64) -> Fate {
    let t_end = sol.t()[sol.t().len() - 1];
    let centre = sol.at(t_end, x_c, 0);
    if centre < a {
        Fate::Decays
    } else if centre > 0.5 * (1.0 + a) {
        Fate::Propagates
    } else {
        Fate::Undecided
    }
}

/// The fate of the nerve equation `problem` on the whole line from `u0` ([`whole_line`],
/// [`judge`] at the interval's centre).
pub fn fate(
    problem: &ProblemConfig,
    u0: &(dyn Fn(f64) -> f64 + Sync),
    d: &Decision,
) -> anyhow::Result<Fate> {
    let sol = whole_line(problem, u0, d)?;
    Ok(judge(
        &sol,
        problem.a,
        0.5 * (problem.x_min + problem.x_max),
    ))
}

/// The critical amplitude `λ*` of `u₀ = λ · shape`: `λ_lo` decays, `λ_hi` propagates, and
/// every `λ` found in between is undecided at the (once doubled) horizon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub lo: f64,
    pub hi: f64,
    /// An undecided `λ` was met: the grid holds a nearly critical profile (a discrete standing
    /// pulse that neither grows nor decays; the plain nodal scheme's node-by-node switch of `H`
    /// did so at `k = ∞`), so
    /// `(lo, hi)` is that pinned band (each end bisected to `rel_tol`), not a bracket of one
    /// value.
    pub pinned: bool,
}

impl Threshold {
    /// The midpoint of the bracket.
    pub fn star(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }
}

/// [`Threshold`] of `u₀ = λ · shape` by bisection to `hi − lo ≤ rel_tol · hi` (the upper end
/// doubles from 1 until it propagates); `None` if not even `λ = 1024` propagates. An undecided
/// stimulus is judged again at twice the horizon; still undecided, it splits the bisection into
/// one for the last decaying and one for the first propagating amplitude.
pub fn critical_amplitude(
    problem: &ProblemConfig,
    shape: &(dyn Fn(f64) -> f64 + Sync),
    d: &Decision,
    rel_tol: f64,
) -> anyhow::Result<Option<Threshold>> {
    let judge = |lambda: f64| -> anyhow::Result<Fate> {
        let u0 = |x: f64| lambda * shape(x);
        match fate(problem, &u0, d)? {
            Fate::Undecided => {
                let longer = Decision {
                    horizon: 2.0 * d.horizon,
                    ..*d
                };
                fate(problem, &u0, &longer)
            }
            f => Ok(f),
        }
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    loop {
        match judge(hi)? {
            Fate::Propagates => break,
            _ if hi >= 1024.0 => return Ok(None),
            Fate::Decays => lo = hi,
            Fate::Undecided => {}
        }
        hi *= 2.0;
    }
    // [lo, hi]: lo decays, hi propagates; `band` is an undecided amplitude once one is met
    let mut band: Option<f64> = None;
    let (mut b_lo, mut b_hi) = (f64::NAN, f64::NAN);
    while hi - lo > rel_tol * hi {
        let mid = match band {
            None => 0.5 * (lo + hi),
            // two bisections: lo .. b_lo for the decay edge, b_hi .. hi for propagation
            Some(_) if b_lo - lo > rel_tol * hi => 0.5 * (lo + b_lo),
            Some(_) => 0.5 * (b_hi + hi),
        };
        match judge(mid)? {
            Fate::Decays => lo = mid,
            Fate::Propagates => hi = mid,
            Fate::Undecided => match band {
                None => {
                    band = Some(mid);
                    (b_lo, b_hi) = (mid, mid);
                }
                Some(_) if mid < b_lo => b_lo = mid,
                Some(_) => b_hi = mid,
            },
        }
        if band.is_some() && b_lo - lo <= rel_tol * hi && hi - b_hi <= rel_tol * hi {
            break;
        }
    }
    Ok(Some(Threshold {
        lo,
        hi,
        pinned: band.is_some(),
    }))
}

/// `λ*(a, k)` of the paper's pulse `u₀ = λ φ` on the whole line for every `a` and `k`
/// ([`critical_amplitude`], cases in parallel), with the front speed `c_k(a)` and the fate of the
/// paper's pulse (`λ = 1`); also the brackets, in the order `a` major, `k` minor.
pub fn threshold_table(
    a_values: &[f64],
    slopes: &[Slope],
    d: &Decision,
    rel_tol: f64,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<(Table, Vec<Option<Threshold>>)> {
    let cases: Vec<(f64, Slope)> = a_values
        .iter()
        .flat_map(|&a| slopes.iter().map(move |&k| (a, k)))
        .collect();
    let found: Vec<Option<Threshold>> = cases
        .par_iter()
        .map(|&(a, k)| {
            let problem = ProblemConfig {
                a,
                k,
                ..Default::default()
            };
            let r = critical_amplitude(&problem, &phi, d, rel_tol);
            bar.inc(1);
            r
        })
        .collect::<anyhow::Result<_>>()?;
    let mut t = Table::new(
        "critical_amplitude",
        "Critical amplitude λ* of the stimulus u₀ = λ φ, φ = 2/cosh(10(x − π/2)), on the whole line",
        "free",
        "lower",
        &CRITICAL_AMPLITUDE_COLUMNS,
    )
    .note(&format!(
        "Bisection to (λ_hi − λ_lo) ≤ {rel_tol:e} λ_hi: λ_lo decays, λ_hi propagates. Decision at the centre \
         x = π/2 at T_h = {} (doubled while undecided): u < a decays, u > (1 + a)/2 propagates (two fronts move \
         out). Crank–Nicolson, h = {}, Δt = {}, sealed ends c(a)·T_h + 10 beyond (0, π). paper_pulse: the fate of \
         the paper's pulse (λ = 1). pinned_band: yes where amplitudes between λ_lo and λ_hi stay undecided \
         (the grid holds a nearly critical profile at the nucleus, as the plain nodal scheme's node-by-node \
         switch of H did at k = ∞; λ_lo and λ_hi then bound that band, each to the tolerance); the scheme \
         corrects its Laplacian at u = a and at the ramp's ends. front_speed_c_k: by shooting (exact for k = ∞).",
        d.horizon, d.h, d.dt
    ));
    for (&(a, k), f) in cases.iter().zip(&found) {
        let (lo, hi) = f.map_or((f64::NAN, f64::NAN), |t| (t.lo, t.hi));
        let verdict = match f {
            Some(t) if t.hi <= 1.0 => "propagates",
            Some(t) if t.lo >= 1.0 => "decays",
            Some(_) => "at the threshold",
            None => "decays (no λ ≤ 1024 propagates)",
        };
        t.push(vec![
            a.into(),
            Cell::Text(k.to_string()),
            lo.into(),
            hi.into(),
            (0.5 * (lo + hi)).into(),
            (if f.is_some_and(|t| t.pinned) {
                "yes"
            } else {
                "no"
            })
            .into(),
            verdict.into(),
            waves::front_speed_k(a, k, Regularisation::Lower).into(),
        ]);
    }
    Ok((t, found))
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

    /// The standing pulse is the threshold: scaled up by 5 % it propagates, down by 5 % it decays;
    /// the paper's pulse has a threshold amplitude between the two (coarse grid).
    #[test]
    fn the_standing_pulse_separates_decay_from_propagation() {
        let problem = ProblemConfig {
            a: 0.25,
            k: hh_model::Slope::Infinite,
            ..Default::default()
        };
        let d = Decision {
            horizon: 8.0,
            h: 0.04,
            dt: 0.02,
        };
        let centre = std::f64::consts::FRAC_PI_2;
        for (scale, expected) in [(1.05, Fate::Propagates), (0.95, Fate::Decays)] {
            let u0 = move |x: f64| scale * waves::standing_pulse(0.25, x - centre);
            assert_eq!(fate(&problem, &u0, &d).unwrap(), expected, "scale {scale}");
        }
        let Threshold { lo, hi, .. } =
            critical_amplitude(&problem, &hh_model::initial::phi, &d, 1e-2)
                .unwrap()
                .expect("a threshold");
        assert!(hi - lo <= 1e-2 * hi && lo > 0.0, "({lo}, {hi})");
        let u0 = |x: f64| lo * hh_model::initial::phi(x);
        assert_eq!(fate(&problem, &u0, &d).unwrap(), Fate::Decays);
    }
}
