//! What a `convergence` run sweeps: embedded profiles or a user's TOML/JSON file.

use hh_fd::GridSize;
use hh_model::{BoundaryMode, ConfigError, ProblemConfig, Regularisation, Slope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A sweep. Every section names its boundary modes and regularisations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// Thresholds `a` of the k-convergence and PINN sections.
    pub a_values: Vec<f64>,
    /// Grid `[nx, nt]` of the FD references (centre values, PINN comparisons); absent:
    /// `hh_fd::reference` (halving h and Δt changes it by less than 1e-4; `docs/model.md`,
    /// "Measures").
    #[serde(default)]
    pub reference_grid: Option<GridSize>,
    pub grid_convergence: GridConvergence,
    pub k_convergence: KConvergence,
    pub pinn: PinnSweep,
    /// The summary of the `waves` experiment (absent: no such section).
    #[serde(default)]
    pub waves: Option<WavesSweep>,
    /// The summary of the `nonuniqueness` experiment (absent: no such section).
    #[serde(default)]
    pub nonuniqueness: Option<NonuniquenessSweep>,
}

/// The solution set of the inclusion: FD envelope of plateau data, and FD and the steered
/// inclusion PINN against the extremal members of the exact family from `u₀ ≡ a`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonuniquenessSweep {
    /// Half-width `W` of the `plateau:W` data (the paper's problem otherwise).
    pub plateau: f64,
    /// FD grid `[nx, nt]` of the envelope solves.
    pub fd: GridSize,
    /// Threshold `a` and final time of the exact family.
    pub family_a: f64,
    pub family_t_end: f64,
    /// Steps of each steered PINN.
    pub steps: usize,
}

/// The threshold `λ*(a, k)` of the paper's pulse on the whole line, for every `a` of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WavesSweep {
    pub k: Vec<Slope>,
    /// Grid spacing of the decision solves (`Δt = h/2`).
    pub h: f64,
    /// Decision horizon `T_h`.
    pub horizon: f64,
    /// Relative width of the bisection bracket.
    pub rel_tol: f64,
}

/// FD errors as `h` and `Δt` halve together, for the paper's problem at threshold `a`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridConvergence {
    pub a: f64,
    pub bc: Vec<BoundaryMode>,
    pub k: Vec<Slope>,
    /// The coarsest grid; level `i` has `nx·2^i` intervals and `nt·2^i` steps.
    pub nx: usize,
    pub nt: usize,
    pub levels: usize,
    pub theta: f64,
}

/// FD `e_k = ‖u_k − u_∞‖` for each `a`, boundary mode and side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KConvergence {
    pub bc: Vec<BoundaryMode>,
    pub regularisation: Vec<Regularisation>,
    /// Finite slopes (`∞` is always added as the limit).
    pub k: Vec<Slope>,
    pub nx: usize,
    pub nt: usize,
}

/// PINN presets against the FD reference of the same problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinnSweep {
    pub presets: Vec<String>,
    pub bc: Vec<BoundaryMode>,
    /// Step budgets that override a preset's own (`{ accurate = 4000 }`).
    #[serde(default)]
    pub steps: BTreeMap<String, usize>,
    /// Evaluate against the reference every this many steps (for the time to rel_l2 ≤ 1e-2).
    pub track_every: usize,

    /// The preset, threshold and slopes of the PINN's convergence in `k` against FD `u_∞`.
    pub k_sweep_preset: String,
    pub k_sweep_a: f64,
    pub k_sweep: Vec<Slope>,
}

impl SweepConfig {
    /// The embedded profiles: `quick` (the default) and `full`.
    pub fn profile(name: &str) -> Result<Self, ConfigError> {
        let text = match name {
            "quick" => include_str!("../profiles/quick.toml"),
            "full" => include_str!("../profiles/full.toml"),
            _ => return Err(ConfigError::invalid("profile", "one of quick, full", name)),
        };
        let cfg: Self = toml::from_str(text).expect("embedded profiles parse");
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the values a sweep needs (the solvers check the rest).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let nonempty = |field: &str, n: usize| {
            if n == 0 {
                Err(ConfigError::invalid(field, "a non-empty list", "[]"))
            } else {
                Ok(())
            }
        };
        nonempty("a_values", self.a_values.len())?;
        nonempty("grid_convergence.bc", self.grid_convergence.bc.len())?;
        nonempty("k_convergence.bc", self.k_convergence.bc.len())?;
        nonempty("k_convergence.k", self.k_convergence.k.len())?;
        for (field, v) in [
            ("a_values", &self.a_values),
            ("grid_convergence.a", &vec![self.grid_convergence.a]),
        ] {
            if let Some(a) = v.iter().find(|a| !a.is_finite()) {
                return Err(ConfigError::invalid(field, "finite numbers", a));
            }
        }
        for k in self
            .k_convergence
            .k
            .iter()
            .chain(&self.grid_convergence.k)
            .chain(&self.pinn.k_sweep)
        {
            k.validate()?;
        }
        if self.k_convergence.k.iter().any(|k| k.is_infinite()) {
            return Err(ConfigError::invalid(
                "k_convergence.k",
                "finite slopes (∞ is always added)",
                "inf",
            ));
        }
        for (field, presets) in [
            ("pinn.presets", self.pinn.presets.clone()),
            (
                "pinn.k_sweep_preset",
                vec![self.pinn.k_sweep_preset.clone()],
            ),
            ("pinn.steps", self.pinn.steps.keys().cloned().collect()),
        ] {
            if let Some(p) = presets
                .iter()
                .find(|p| p.parse::<hh_model::NervePreset>().is_err())
            {
                return Err(ConfigError::invalid(
                    field,
                    &format!("presets among {}", hh_model::NervePreset::names()),
                    p,
                ));
            }
        }
        if let Some((p, _)) = self.pinn.steps.iter().find(|(_, s)| **s == 0) {
            return Err(ConfigError::invalid("pinn.steps", "step budgets ≥ 1", p));
        }
        if self.pinn.track_every == 0 {
            return Err(ConfigError::invalid(
                "pinn.track_every",
                "an integer ≥ 1",
                0,
            ));
        }
        if let Some(w) = &self.waves {
            nonempty("waves.k", w.k.len())?;
            for k in &w.k {
                k.validate()?;
            }
            for (field, v, allowed, ok) in [
                (
                    "waves.h",
                    w.h,
                    "a number in (0, 0.2]",
                    w.h > 0.0 && w.h <= 0.2,
                ),
                (
                    "waves.horizon",
                    w.horizon,
                    "a number in [1, 1000]",
                    (1.0..=1000.0).contains(&w.horizon),
                ),
                (
                    "waves.rel_tol",
                    w.rel_tol,
                    "a number in [1e-8, 0.5)",
                    (1e-8..0.5).contains(&w.rel_tol),
                ),
            ] {
                if !ok {
                    return Err(ConfigError::invalid(field, allowed, v));
                }
            }
        }
        if let Some(n) = &self.nonuniqueness {
            let half_pi = 0.5 * std::f64::consts::PI;
            if !(n.plateau > 0.0 && n.plateau < half_pi) {
                return Err(ConfigError::invalid(
                    "nonuniqueness.plateau",
                    "a half-width in (0, π/2)",
                    n.plateau,
                ));
            }
            if [n.fd.nx, n.fd.nt]
                .iter()
                .any(|v| !(8..=1 << 16).contains(v))
            {
                return Err(ConfigError::invalid(
                    "nonuniqueness.fd",
                    "[nx, nt] with both in 8..=65536",
                    format!("[{}, {}]", n.fd.nx, n.fd.nt),
                ));
            }
            if !(n.family_a > 0.0 && n.family_a < 1.0) {
                return Err(ConfigError::invalid(
                    "nonuniqueness.family_a",
                    "a number in (0, 1)",
                    n.family_a,
                ));
            }
            if !(n.family_t_end > 0.0 && n.family_t_end <= 100.0) {
                return Err(ConfigError::invalid(
                    "nonuniqueness.family_t_end",
                    "a number in (0, 100]",
                    n.family_t_end,
                ));
            }
            if !(1..=1_000_000).contains(&n.steps) {
                return Err(ConfigError::invalid(
                    "nonuniqueness.steps",
                    "an integer in 1..=1e6",
                    n.steps,
                ));
            }
        }
        if !(2..=8).contains(&self.grid_convergence.levels) {
            return Err(ConfigError::invalid(
                "grid_convergence.levels",
                "an integer in [2, 8]",
                self.grid_convergence.levels,
            ));
        }
        self.validate_problems_and_grids()
    }

    /// Every problem and FD grid the sweep will build, checked before any work starts (the finest
    /// grid of each section against the solver's memory limit), errors named inside their section.
    fn validate_problems_and_grids(&self) -> Result<(), ConfigError> {
        use hh_fd::GridConfig;
        let k5 = Slope::Finite(5.0);
        for &a in &self.a_values {
            ProblemConfig::paper(a, BoundaryMode::Dirichlet, k5, Regularisation::Lower)
                .build()
                .map_err(|e| e.within("a_values"))?;
        }
        let gc = &self.grid_convergence;
        let finest = |nx: usize, nt: usize, levels: usize, theta: f64| {
            let shift = |n: usize| n.checked_shl(levels as u32).filter(|m| m >> levels == n);
            GridConfig {
                nx: shift(nx).unwrap_or(usize::MAX),
                nt: shift(nt).unwrap_or(usize::MAX),
                theta,
                ..Default::default()
            }
        };
        let checks = [
            (
                "grid_convergence",
                gc.a,
                finest(gc.nx, gc.nt, 0, gc.theta),
                finest(gc.nx, gc.nt, gc.levels - 1, gc.theta),
            ),
            (
                "k_convergence",
                self.a_values[0],
                finest(self.k_convergence.nx, self.k_convergence.nt, 0, 0.5),
                finest(self.k_convergence.nx, self.k_convergence.nt, 0, 0.5),
            ),
        ];
        for (section, a, coarsest, finest) in checks {
            coarsest.validate().map_err(|e| e.within(section))?;
            let problem =
                ProblemConfig::paper(a, BoundaryMode::Dirichlet, k5, Regularisation::Lower)
                    .build()
                    .map_err(|e| e.within(section))?;
            hh_fd::check_resources(&problem, &finest).map_err(|e| e.within(section))?;
        }
        if let Some(g) = self.reference_grid {
            let problem = ProblemConfig::paper(
                self.a_values[0],
                BoundaryMode::Dirichlet,
                k5,
                Regularisation::Lower,
            )
            .build()
            .map_err(|e| e.within("a_values"))?;
            check_grid_field("reference_grid", &problem, finest(g.nx, g.nt, 0, 0.5))?;
        }
        if let Some(n) = &self.nonuniqueness {
            let problem = ProblemConfig::default()
                .build()
                .map_err(|e| e.within("nonuniqueness"))?;
            check_grid_field(
                "nonuniqueness.fd",
                &problem,
                finest(n.fd.nx, n.fd.nt, 0, 0.5),
            )?;
        }
        if let Some(w) = &self.waves {
            // The decision solves' grid follows from `waves.h` and `waves.horizon`: a spacing so
            // fine that it does not fit is refused here, naming them, not mid-run.
            let d = crate::waves::Decision {
                horizon: w.horizon,
                h: w.h,
                dt: 0.5 * w.h,
            };
            for &a in &self.a_values {
                let problem = ProblemConfig {
                    a,
                    bc: BoundaryMode::Free,
                    t_end: w.horizon,
                    ..Default::default()
                };
                let grid = crate::waves::decision_grid(&problem, &d);
                let model = problem.build().map_err(|e| e.within("waves"))?;
                grid.validate()
                    .and_then(|()| hh_fd::check_resources(&model, &grid))
                    .map_err(|e| e.renamed(|f| format!("waves.h (the decision grid's {f})")))?;
            }
        }
        Ok(())
    }

    /// The same sweep on tiny grids and budgets: same tables and columns, seconds to run (tests).
    pub fn smoke(&self) -> Self {
        let mut s = self.clone();
        s.grid_convergence.nx = 16;
        s.grid_convergence.nt = 8;
        s.grid_convergence.levels = s.grid_convergence.levels.min(3);
        s.k_convergence.nx = 32;
        // θΔt·k < 1 for k up to 1280 (the implicit step's solvability limit)
        s.k_convergence.nt = 1024;
        s.pinn.steps = s.pinn.presets.iter().map(|p| (p.clone(), 2)).collect();
        s.pinn.steps.insert(s.pinn.k_sweep_preset.clone(), 2);
        s.pinn.track_every = 1;
        s.reference_grid = Some(GridSize { nx: 32, nt: 1024 });
        if let Some(w) = &mut s.waves {
            w.h = 0.1;
            w.horizon = 10.0;
            w.rel_tol = 0.2;
        }
        if let Some(n) = &mut s.nonuniqueness {
            n.fd = GridSize { nx: 32, nt: 32 };
            n.steps = 2;
        }
        s
    }
}

/// Checks the FD grid that the config field `field = [nx, nt]` gives for `problem` (its ranges
/// and its memory), naming `field[0] (nx)` or `field[1] (nt)` as the user wrote it.
fn check_grid_field(
    field: &str,
    problem: &dyn hh_model::ReactionDiffusion,
    grid: hh_fd::GridConfig,
) -> Result<(), ConfigError> {
    grid.validate()
        .and_then(|()| hh_fd::check_resources(problem, &grid))
        .map_err(|e| {
            e.renamed(|f| match f {
                "nx" => format!("{field}[0] (nx)"),
                "nt" => format!("{field}[1] (nt)"),
                f => format!("{field}.{f}"),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_are_valid() {
        for p in ["quick", "full"] {
            SweepConfig::profile(p).unwrap();
        }
        assert!(
            SweepConfig::profile("fast")
                .unwrap_err()
                .to_string()
                .contains("`profile`")
        );
    }
}
