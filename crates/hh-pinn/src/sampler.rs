//! Collocation points: `pinn` (a fixed pool, batches drawn with replacement) and `dgm` (fresh
//! points every step). Seeded and deterministic; the state is one [`Rng`].

use hh_core::Domain;

use crate::config::{SamplerConfig, SamplerKind};
use crate::rng::Rng;

/// RNG streams derived from the seed.
pub(crate) const STREAM_INIT: u64 = 1;
pub(crate) const STREAM_POOL: u64 = 2;
pub(crate) const STREAM_BATCH: u64 = 3;

/// One step's points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Batch {
    /// Interior points (the initial loss uses the same `x` at `t = 0`).
    pub x: Vec<f64>,
    pub t: Vec<f64>,
    /// Boundary times, each used at both ends.
    pub bt: Vec<f64>,
    /// Weights of the interior points' residuals (empty: all 1; see [`crate::Causal`]).
    pub weight: Vec<f64>,
}

impl Batch {
    /// The first `n` interior points (with their weights) and every boundary time.
    pub fn first(&self, n: usize) -> Batch {
        let n = n.min(self.x.len());
        Batch {
            x: self.x[..n].to_vec(),
            t: self.t[..n].to_vec(),
            bt: self.bt.clone(),
            weight: self.weight[..n.min(self.weight.len())].to_vec(),
        }
    }

    /// Splits into `n` contiguous parts (interior and boundary alike).
    pub fn split(&self, n: usize) -> Vec<Batch> {
        let part = |v: &[f64], i: usize| {
            let (a, b) = (i * v.len() / n, (i + 1) * v.len() / n);
            v[a..b].to_vec()
        };
        (0..n)
            .map(|i| Batch {
                x: part(&self.x, i),
                t: part(&self.t, i),
                bt: part(&self.bt, i),
                weight: part(&self.weight, i),
            })
            .collect()
    }
}

/// `t = T r^p`, `r ~ U(0, 1)`: density `∝ t^{1/p − 1}`, uniform for `p = 1`, crowding toward
/// `t = 0` (where the initial pulse collapses) for `p > 1`.
fn time(rng: &mut Rng, t_end: f64, power: f64) -> f64 {
    let r = rng.uniform_in(0.0, 1.0);
    if power == 1.0 {
        t_end * r
    } else {
        t_end * r.powf(power)
    }
}

/// `n` interior points of an Owen-scrambled Sobol sequence (Burley's hash-based scramble,
/// [`sobol_burley`]), `x` uniform and `t = T r^p` as [`time`] maps, and `boundary` boundary times
/// from its third dimension. Its prefixes of `2^m` points are `(0, m, 2)`-nets: every
/// `2^{-i} × 2^{i-m}` box of the unit square holds exactly one point, so a quadrature of a
/// function of bounded variation over them errs by `O(n⁻¹ log n)` against `O(n^{-1/2})` for
/// independent draws. `scramble` picks the scramble (same value, same points).
pub(crate) fn sobol(domain: Domain, n: usize, power: f64, boundary: usize, scramble: u64) -> Batch {
    let seed = (scramble ^ (scramble >> 32)) as u32;
    let unit = |i: usize, d: u32| f64::from(sobol_burley::sample(i as u32, d, seed));
    let (x, t) = (0..n)
        .map(|i| {
            let x = domain.x_min + (domain.x_max - domain.x_min) * unit(i, 0);
            let r = unit(i, 1);
            (
                x,
                domain.t_end * if power == 1.0 { r } else { r.powf(power) },
            )
        })
        .unzip();
    Batch {
        x,
        t,
        bt: (0..boundary).map(|i| domain.t_end * unit(i, 2)).collect(),
        weight: Vec::new(),
    }
}

#[derive(Clone, Debug)]
pub struct Sampler {
    cfg: SamplerConfig,
    domain: Domain,
    boundary: bool,
    pool: Vec<(f64, f64)>,
    rng: Rng,
}

impl Sampler {
    /// `boundary`: whether boundary times are drawn.
    pub fn new(cfg: &SamplerConfig, domain: Domain, seed: u64, boundary: bool) -> Self {
        let pool = match cfg.kind {
            SamplerKind::Pinn => {
                let mut r = Rng::new(seed, STREAM_POOL);
                (0..cfg.points)
                    .map(|_| {
                        let x = r.uniform_in(domain.x_min, domain.x_max);
                        (x, time(&mut r, domain.t_end, cfg.time_power))
                    })
                    .collect()
            }
            SamplerKind::Dgm => Vec::new(),
        };
        Self {
            cfg: cfg.clone(),
            domain,
            boundary,
            pool,
            rng: Rng::new(seed, STREAM_BATCH),
        }
    }

    pub fn rng(&self) -> &Rng {
        &self.rng
    }

    pub fn set_rng(&mut self, rng: Rng) {
        self.rng = rng;
    }

    /// The horizon factor `h / T ∈ (0, 1]` at step `step` of `steps` ([`SamplerConfig::horizon_ramp`]).
    pub fn horizon(&self, step: usize, steps: usize) -> f64 {
        let ramp = self.cfg.horizon_ramp * steps as f64;
        if ramp <= 0.0 {
            1.0
        } else {
            ((step + 1) as f64 / ramp).min(1.0)
        }
    }

    /// The points of step `step` out of `steps`.
    pub fn next_batch(&mut self, step: usize, steps: usize) -> Batch {
        let j = self.cfg.batch;
        let mut b = Batch {
            x: Vec::with_capacity(j),
            t: Vec::with_capacity(j),
            bt: Vec::new(),
            weight: Vec::new(),
        };
        let d = self.domain;
        for _ in 0..j {
            let (x, t) = match self.cfg.kind {
                SamplerKind::Pinn => self.pool[self.rng.index(self.pool.len())],
                SamplerKind::Dgm => {
                    let x = self.rng.uniform_in(d.x_min, d.x_max);
                    (x, time(&mut self.rng, d.t_end, self.cfg.time_power))
                }
            };
            b.x.push(x);
            b.t.push(t);
        }
        if self.boundary {
            b.bt = (0..self.cfg.boundary_batch)
                .map(|_| self.rng.uniform_in(0.0, d.t_end))
                .collect();
        }
        let h = self.horizon(step, steps);
        if h < 1.0 {
            b.t.iter_mut().chain(&mut b.bt).for_each(|t| *t *= h);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> Domain {
        Domain {
            x_min: 0.0,
            x_max: std::f64::consts::PI,
            t_end: 1.0,
        }
    }

    #[test]
    fn pinn_draws_from_the_pool_and_is_reproducible() {
        let cfg = SamplerConfig {
            points: 10,
            batch: 64,
            ..Default::default()
        };
        let mut a = Sampler::new(&cfg, domain(), 3, true);
        let mut b = Sampler::new(&cfg, domain(), 3, true);
        let (ba, bb) = (a.next_batch(0, 10), b.next_batch(0, 10));
        assert_eq!(ba, bb);
        assert_eq!(ba.bt.len(), cfg.boundary_batch);
        for (x, t) in ba.x.iter().zip(&ba.t) {
            assert!(a.pool.contains(&(*x, *t)));
        }
        let parts = ba.split(2);
        assert_eq!(parts[0].x.len() + parts[1].x.len(), 64);
        assert_eq!([parts[0].x.clone(), parts[1].x.clone()].concat(), ba.x);
    }

    #[test]
    fn dgm_draws_fresh_points_in_the_domain() {
        let cfg = SamplerConfig {
            kind: SamplerKind::Dgm,
            batch: 100,
            ..Default::default()
        };
        let mut s = Sampler::new(&cfg, domain(), 1, false);
        let (b1, b2) = (s.next_batch(0, 10), s.next_batch(1, 10));
        assert_ne!(b1.x, b2.x);
        assert!(b1.bt.is_empty());
        assert!(
            b1.x.iter()
                .all(|&x| (0.0..std::f64::consts::PI).contains(&x))
        );
        assert!(b1.t.iter().all(|&t| (0.0..1.0).contains(&t)));
    }

    #[test]
    fn time_power_crowds_small_times() {
        let cfg = |p| SamplerConfig {
            kind: SamplerKind::Dgm,
            batch: 20_000,
            time_power: p,
            ..Default::default()
        };
        let frac = |p| {
            let b = Sampler::new(&cfg(p), domain(), 5, false).next_batch(0, 1);
            b.t.iter().filter(|&&t| t < 0.25).count() as f64 / b.t.len() as f64
        };
        // P(T r^p < 1/4) = (1/4)^{1/p}: 0.25 for p = 1, 0.5 for p = 2.
        assert!((frac(1.0) - 0.25).abs() < 0.015);
        assert!((frac(2.0) - 0.5).abs() < 0.015);
    }

    /// Every one of the 2^{10} boxes `[i/2^j, (i+1)/2^j) × [l/2^{10-j}, (l+1)/2^{10-j})` of the
    /// unit square holds one of the first 1024 points (before the time map), for every `j`.
    #[test]
    fn sobol_points_form_a_net() {
        let d = Domain {
            x_min: 0.0,
            x_max: 1.0,
            t_end: 1.0,
        };
        let b = sobol(d, 1024, 1.0, 5, 7);
        assert_eq!(b.bt.len(), 5);
        assert_ne!(b.x, sobol(d, 1024, 1.0, 5, 8).x);
        assert_eq!(b, sobol(d, 1024, 1.0, 5, 7));
        for j in 0..=10 {
            let mut count = vec![0; 1024];
            for (x, t) in b.x.iter().zip(&b.t) {
                let (i, l) = (
                    (x * (1 << j) as f64) as usize,
                    (t * (1 << (10 - j)) as f64) as usize,
                );
                count[(i << (10 - j)) + l] += 1;
            }
            assert!(count.iter().all(|&c| c == 1), "j = {j}");
        }
    }

    #[test]
    fn the_horizon_grows_to_t_over_the_ramp() {
        let cfg = SamplerConfig {
            kind: SamplerKind::Dgm,
            batch: 2000,
            horizon_ramp: 0.5,
            ..Default::default()
        };
        let mut s = Sampler::new(&cfg, domain(), 2, true);
        let max_t = |b: &Batch| b.t.iter().chain(&b.bt).copied().fold(0.0, f64::max);
        assert_eq!(s.horizon(99, 1000), 0.2);
        assert!(max_t(&s.next_batch(99, 1000)) <= 0.2);
        assert!(max_t(&s.next_batch(499, 1000)) > 0.99);
        assert_eq!(s.horizon(700, 1000), 1.0);
    }
}
