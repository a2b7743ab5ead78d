//! Non-uniqueness made visible: the solution set of the inclusion `u_t − u_xx + u ∈ H(u − a)`.
//!
//! 1. The envelope: the minimal and maximal solutions `u⁻`, `u⁺` (finite differences, `k = ∞`,
//!    `lower`/`upper`) of plateau data `u₀ = a` on `|x − π/2| ≤ W` in all three boundary modes,
//!    their width against `t`, the set where they differ, and `u_k → u^∓` as `k` doubles.
//! 2. The exact family from `u₀ ≡ a` (stay at `a` until `τ`, then leave up or down): finite
//!    differences give its extremal members; the inclusion PINN (outputs `u`, `d`; the distance to
//!    the graph of `H` as a constraint) steered up or down, with `u(τ, ·) = a` pinned, gives
//!    `u⁺`, `u⁻` and the members in between.
//! 3. Which solution does a PINN find? Regularised presets (`lower`/`upper`, `k = 5, 20, ∞`,
//!    several seeds) and the unsteered and steered inclusion PINN on the plateau data: the
//!    position `p` of each inside the envelope (0 minimal, 1 maximal) and whether it satisfies
//!    the inclusion.
//!
//! Writes the report directory `results/nonuniqueness/`: `README.md`, its tables (CSV/JSON),
//! figures (PNG/SVG) and grids (`.npy`).

use hh_eval::nonuniqueness::{
    Envelope, Member, envelope, family_problem, family_table, fd_on, inclusion_defect, k_sequence,
    rel_l2, train_inclusion, width_rows,
};
use hh_eval::plot::{self, LinePanel, Series};
use hh_eval::{Cell, Report, Table};
use hh_fd::GridConfig;
use hh_model::inclusion::Leave;
use hh_model::{
    BoundaryMode, EvalGrid, InitialCondition, ProblemConfig, ReactionDiffusion, Regularisation,
    Slope,
};
use hh_pinn::{Direction, TrainOptions};
use ndarray::Array2;
use std::path::PathBuf;
use std::time::Instant;

/// The report's settings: the flags of its binary.
#[derive(clap::Args)]
pub struct Options {
    /// Half-width W of the plateau data (the paper's problem otherwise: a = 0.1, dirichlet, T = 1).
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub plateau: f64,
    /// FD intervals and steps (nx = nt) of the envelope solves.
    #[arg(long, allow_hyphen_values = true, default_value_t = 1024)]
    pub fd: usize,
    /// Steps of each inclusion PINN (the preset `inclusion` has 8000).
    #[arg(long, allow_hyphen_values = true, default_value_t = 8000)]
    pub inclusion_steps: usize,
    /// Steps of each `accurate` PINN (the preset has 10 000).
    #[arg(long, allow_hyphen_values = true, default_value_t = 5000)]
    pub accurate_steps: usize,
    /// Seeds of the unsteered PINNs on the plateau data.
    #[arg(long, allow_hyphen_values = true, default_value_t = 3)]
    pub seeds: u64,
    /// The report's directory, replaced whole on success.
    #[arg(long, default_value = "results/nonuniqueness")]
    pub out: PathBuf,
}

/// Threshold and final time of the exact family.
const FAMILY_A: f64 = 0.25;
const FAMILY_T: f64 = 2.0;
/// Times of the envelope table and of the figure's slices.
const TIMES: [f64; 6] = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0];
const SLICES: [f64; 3] = [0.25, 0.5, 1.0];
/// Slopes of the k-sequences (each the double of the one before).
const KS: [f64; 7] = [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0];

fn invalid(field: &str, allowed: &str, got: impl std::fmt::Display) -> anyhow::Error {
    hh_model::ConfigError::invalid(field, allowed, got).into()
}

/// Runs the report and publishes it in `options.out`.
pub fn run(cli: Options) -> anyhow::Result<()> {
    let half_pi = 0.5 * std::f64::consts::PI;
    if !(cli.plateau > 0.0 && cli.plateau < half_pi) {
        return Err(invalid("plateau", "a half-width in (0, π/2)", cli.plateau));
    }
    if !(64..=8192).contains(&cli.fd) {
        return Err(invalid("fd", "an integer in 64..=8192", cli.fd));
    }
    for (field, v) in [
        ("inclusion-steps", cli.inclusion_steps),
        ("accurate-steps", cli.accurate_steps),
    ] {
        if !(1..=1_000_000).contains(&v) {
            return Err(invalid(field, "an integer in 1..=1e6", v));
        }
    }
    if !(1..=20).contains(&cli.seeds) {
        return Err(invalid("seeds", "an integer in 1..=20", cli.seeds));
    }
    let start = Instant::now();
    hh_io::check_output("out", &cli.out)?;
    let fd = GridConfig {
        nx: cli.fd,
        nt: cli.fd,
        ..Default::default()
    };
    let plateau = ProblemConfig {
        ic: InitialCondition::Plateau(cli.plateau),
        ..Default::default()
    };
    let members = [
        Member {
            tau: 0.0,
            leave: Leave::Up,
        },
        Member {
            tau: 0.0,
            leave: Leave::Down,
        },
        Member {
            tau: 0.5,
            leave: Leave::Up,
        },
        Member {
            tau: 0.5,
            leave: Leave::Down,
        },
        Member {
            tau: 1.0,
            leave: Leave::Up,
        },
        Member {
            tau: 1.0,
            leave: Leave::Down,
        },
    ];
    let regularised = regularised_runs(cli.seeds);
    let bar = hh_cli::progress(
        (BoundaryMode::ALL.len() + members.len() + regularised.len() + cli.seeds as usize + 2)
            as u64,
        "non-uniqueness",
    );

    bar.set_message("FD envelopes and k-sequences");
    let mut widths = Table::new(
        "envelope_width",
        &format!(
            "Width of the envelope u⁺ − u⁻ of plateau:{} data (a = {}, k = ∞, FD {n} × {n})",
            cli.plateau,
            plateau.a,
            n = cli.fd
        ),
        "all",
        "lower, upper",
        &["bc", "t", "max", "l2", "measure"],
    )
    .note(
        "max and l2: of u⁺(t, ·) − u⁻(t, ·) over x; measure: the length of the set where they differ \
         by more than 1e-3. Every solution of the inclusion lies between u⁻ and u⁺.",
    );
    let mut ksequences = Vec::new();
    let mut envelopes = Vec::new();
    for bc in BoundaryMode::ALL {
        let cfg = ProblemConfig {
            bc,
            ..plateau.clone()
        };
        let env = envelope(&cfg, &fd)?;
        for row in width_rows(&env, bc, &TIMES) {
            widths.push(row);
        }
        ksequences.push(k_sequence(&cfg, &KS, &fd, &format!("k_sequence_{bc}"))?);
        envelopes.push((bc, env));
        bar.inc(1);
    }

    bar.set_message("exact family: FD and the steered inclusion PINN");
    let family_fd = family_fd_table(&fd)?;
    let (family, family_runs) =
        family_table(FAMILY_A, FAMILY_T, &members, cli.inclusion_steps, &bar)?;

    bar.set_message("which solution does a PINN find?");
    let dirichlet = &envelopes
        .iter()
        .find(|(bc, _)| *bc == BoundaryMode::Dirichlet)
        .ok_or_else(|| anyhow::anyhow!("the dirichlet envelope"))?
        .1;
    let found = plateau_runs(&cli, &plateau, dirichlet, &regularised, &bar)?;
    bar.finish_and_clear();
    let who = who_finds_what(&found, &family);

    let report = Report {
        name: "nonuniqueness".into(),
        title: "Non-uniqueness made visible: the solution set of the inclusion".into(),
        preamble: vec![
            "Generated by `cargo run --release -p experiments --bin nonuniqueness`; never edited by hand. \
             A solution of u_t − u_xx + u ∈ H(u − a) is a pair (u, d) with u_t − u_xx + u = d and d ∈ H(u − a) \
             almost everywhere; d is free in [0, 1] only where u = a, so solutions differ only where u sits at \
             the threshold on a set of positive measure. Finite differences with the exact selections (k = ∞) \
             give the minimal solution u⁻ (`lower`) and the maximal u⁺ (`upper`); the inclusion PINN has two \
             outputs (u, d) and the residual u_t − u_xx + u − d plus the distance of (u − a, d) to the graph of H \
             (docs/model.md, \"The inclusion and its solution set\")."
                .into(),
            format!(
                "Plateau data: u₀ = a on |x − π/2| ≤ {w}, joined C² to 0 at both ends, the paper's problem \
                 otherwise (a = {a}, T = 1, (0, π)). Position inside the envelope: p = mean over {{u⁺ − u⁻ > 1e-3}} \
                 of (u − u⁻)/(u⁺ − u⁻) (0 minimal, 1 maximal). Inclusion defect: the distance of \
                 (u − a, u_t − u_xx + u) to the graph of H, derivatives by central differences on the 128 × 128 \
                 grid (the FD solutions' own defect is the floor: d jumps across thin layers).",
                w = cli.plateau,
                a = plateau.a
            ),
        ],
        sections: vec![
            (
                "Who finds which solution".into(),
                vec![who],
            ),
            (
                "The envelope of plateau data".into(),
                std::iter::once(widths).chain(ksequences).collect(),
            ),
            (
                "The exact family from u₀ ≡ a".into(),
                vec![family_fd, family],
            ),
            (
                "Which solution does a PINN find on plateau data?".into(),
                vec![found.table.clone()],
            ),
        ],
        manifest: hh_io::Manifest::new("experiments nonuniqueness", env!("CARGO_PKG_VERSION"))
            .field("plateau", &cli.plateau)
            .field("fd", &cli.fd)
            .field("inclusion_steps", &cli.inclusion_steps)
            .field("accurate_steps", &cli.accurate_steps)
            .field("seeds", &cli.seeds)
            .field("threads", &rayon::current_num_threads())
            .timing("total_s", start.elapsed().as_secs_f64()),
    };
    let md = report.write_with(&cli.out, |dir| {
        figures(dir, dirichlet, &found, &members, &family_runs)?;
        for (bc, env) in &envelopes {
            ndarray_npy::write_npy(dir.join(format!("lower_{bc}.npy")), &env.lower)?;
            ndarray_npy::write_npy(dir.join(format!("upper_{bc}.npy")), &env.upper)?;
        }
        for (m, run) in members.iter().zip(&family_runs) {
            let stem = format!("family_tau{}_{}", m.tau, leave_name(m.leave));
            ndarray_npy::write_npy(dir.join(format!("{stem}_u.npy")), &run.u)?;
            ndarray_npy::write_npy(dir.join(format!("{stem}_d.npy")), &run.d)?;
        }
        for run in &found.runs {
            ndarray_npy::write_npy(dir.join(format!("plateau_{}.npy", run.stem)), &run.u)?;
        }
        Ok(())
    })?;
    hh_cli::note!("wrote {}", md.display());
    Ok(())
}

fn leave_name(leave: Leave) -> &'static str {
    match leave {
        Leave::Up => "up",
        Leave::Down => "down",
    }
}

/// FD `k = ∞` against the extremal members of the exact family.
fn family_fd_table(fd: &GridConfig) -> anyhow::Result<Table> {
    let problem = family_problem(FAMILY_A, FAMILY_T);
    let grid = EvalGrid::paper(&problem.build()?.domain());
    let mut t = Table::new(
        "family_fd",
        &format!(
            "FD (k = ∞) from u₀ ≡ a = {FAMILY_A}: the extremal solutions (neumann, T = {FAMILY_T})"
        ),
        "neumann",
        "lower, upper",
        &["regularisation", "member", "rel_l2", "max_abs"],
    );
    for (reg, leave) in [
        (Regularisation::Lower, Leave::Down),
        (Regularisation::Upper, Leave::Up),
    ] {
        let m = Member { tau: 0.0, leave };
        let exact = m.on(FAMILY_A, &grid);
        let u = fd_on(&problem, Slope::Infinite, reg, fd, &grid)?;
        let max = hh_fd::max_abs_diff(&u, &exact);
        t.push(vec![
            reg.name().into(),
            m.label().into(),
            rel_l2(&u, &exact).into(),
            max.into(),
        ]);
    }
    Ok(t)
}

/// A regularised PINN run on the plateau data: preset, slope, side, seed.
#[derive(Clone, Debug)]
struct Regularised {
    preset: &'static str,
    k: Slope,
    reg: Regularisation,
    seed: u64,
}

fn regularised_runs(seeds: u64) -> Vec<Regularised> {
    let mut runs = Vec::new();
    for k in [Slope::Finite(5.0), Slope::Finite(20.0), Slope::Infinite] {
        for reg in Regularisation::ALL {
            for seed in 0..seeds {
                runs.push(Regularised {
                    preset: "seed-fixed",
                    k,
                    reg,
                    seed,
                });
            }
        }
    }
    for reg in Regularisation::ALL {
        runs.push(Regularised {
            preset: "accurate",
            k: Slope::Infinite,
            reg,
            seed: 0,
        });
    }
    runs
}

/// One PINN solution of the plateau problem and where it lies.
struct Found {
    /// File stem and legend.
    stem: String,
    label: String,
    method: &'static str,
    u: Array2<f64>,
    measures: Measures,
}

/// Where a `u` lies and how well it solves the inclusion.
#[derive(Clone, Copy)]
struct Measures {
    p: f64,
    rel_lower: f64,
    rel_upper: f64,
    /// `max(u⁻ − u, u − u⁺, 0)` over the grid: how far outside the band.
    outside: f64,
    /// `max_x |u(0, x) − u₀(x)|`.
    initial: f64,
    defect: hh_eval::nonuniqueness::Defect,
}

impl Measures {
    fn of(u: &Array2<f64>, env: &Envelope, a: f64) -> Self {
        let outside = u
            .iter()
            .zip(&env.lower)
            .zip(&env.upper)
            .map(|((&v, &lo), &hi)| (lo - v).max(v - hi).max(0.0))
            .fold(0.0, f64::max);
        // u⁻(0, ·) is u₀ on the grid
        let initial = u
            .row(0)
            .iter()
            .zip(env.lower.row(0))
            .map(|(v, u0)| (v - u0).abs())
            .fold(0.0, f64::max);
        Self {
            p: env.position(u).unwrap_or(f64::NAN),
            rel_lower: rel_l2(u, &env.lower),
            rel_upper: rel_l2(u, &env.upper),
            outside,
            initial,
            defect: inclusion_defect(u, &env.grid, a),
        }
    }

    fn cells(&self) -> [Cell; 7] {
        [
            self.p.into(),
            self.rel_lower.into(),
            self.rel_upper.into(),
            self.outside.into(),
            self.initial.into(),
            self.defect.mean.into(),
            self.defect.above_005.into(),
        ]
    }

    /// Minimal or maximal: within rel_l2 ≤ 1e-2 of `u⁻` or `u⁺`.
    fn minimal(&self) -> bool {
        self.rel_lower <= EXTREMAL_TOL
    }

    fn maximal(&self) -> bool {
        self.rel_upper <= EXTREMAL_TOL
    }

    /// Strictly inside the band, on the initial data, and solving the inclusion to PINN accuracy.
    fn intermediate(&self) -> bool {
        self.p > 0.05
            && self.p < 0.95
            && self.outside <= SOLUTION_TOL
            && self.initial <= SOLUTION_TOL
            && self.defect.mean <= SOLUTION_TOL
    }
}

/// rel_l2 within which a run is the minimal or maximal solution.
const EXTREMAL_TOL: f64 = 1e-2;
/// How far outside the band, off the initial data, and how large a mean inclusion defect a run
/// may have to count as a solution (a PINN's accuracy, not FD's).
const SOLUTION_TOL: f64 = 0.03;

struct Plateau {
    table: Table,
    runs: Vec<Found>,
}

fn plateau_runs(
    cli: &Options,
    plateau: &ProblemConfig,
    env: &Envelope,
    regularised: &[Regularised],
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Plateau> {
    let a = plateau.a;
    let mut table = Table::new(
        "plateau_pinn",
        &format!(
            "Where each method lands inside the envelope: plateau:{} data, a = {a}, dirichlet",
            cli.plateau
        ),
        "dirichlet",
        "lower, upper, inclusion",
        &[
            "method",
            "k",
            "regularisation",
            "steer",
            "seed",
            "steps",
            "p",
            "rel_l2_vs_lower",
            "rel_l2_vs_upper",
            "outside",
            "initial_misfit",
            "defect_mean",
            "defect_above_0_05",
            "train_s",
        ],
    )
    .note(
        "p: position inside the envelope (0 minimal, 1 maximal); outside: max over the grid of how far u \
         leaves the band [u⁻, u⁺]; initial_misfit: max |u(0, ·) − u₀|; defect: distance of \
         (u − a, u_t − u_xx + u) to the graph of H by central differences (mean, and the fraction of grid \
         points above 0.05). The FD rows are the floor of the defect measure.",
    );
    let nan = f64::NAN;
    let push = |table: &mut Table, cells: [Cell; 6], u: &Array2<f64>, secs: f64| {
        let m = Measures::of(u, env, a);
        let mut row = cells.to_vec();
        row.extend(m.cells());
        row.push(secs.into());
        table.push(row);
        m
    };
    let mut runs = Vec::new();
    push(
        &mut table,
        [
            "FD".into(),
            "inf".into(),
            "lower".into(),
            "–".into(),
            nan.into(),
            cli.fd.into(),
        ],
        &env.lower,
        nan,
    );
    push(
        &mut table,
        [
            "FD".into(),
            "inf".into(),
            "upper".into(),
            "–".into(),
            nan.into(),
            cli.fd.into(),
        ],
        &env.upper,
        nan,
    );
    for r in regularised {
        let mut config = hh_model::presets::config(r.preset)?;
        config.seed = r.seed;
        if r.preset == "accurate" {
            config.steps = cli.accurate_steps;
        }
        let problem = ProblemConfig {
            k: r.k,
            regularisation: r.reg,
            ..plateau.clone()
        };
        let model = problem.model()?;
        let trained = hh_pinn::train(model.clone(), &config, &TrainOptions::default())?;
        let u = trained.evaluate(&env.grid).remove(0);
        let measures = push(
            &mut table,
            [
                r.preset.into(),
                r.k.to_string().into(),
                r.reg.name().into(),
                "–".into(),
                (r.seed as f64).into(),
                config.steps.into(),
            ],
            &u,
            trained.train_seconds(),
        );
        runs.push(Found {
            stem: format!("{}_k{}_{}_seed{}", r.preset, r.k, r.reg, r.seed),
            label: format!("{} k = {} {}", r.preset, r.k, r.reg),
            method: if r.preset == "accurate" {
                "regularised PINN (accurate)"
            } else {
                "regularised PINN (seed-fixed)"
            },
            u,
            measures,
        });
        bar.inc(1);
    }
    let inclusion_runs = (0..cli.seeds)
        .map(|s| (Direction::None, s))
        .chain([(Direction::Min, 0), (Direction::Max, 0)]);
    for (direction, seed) in inclusion_runs {
        let mut config = hh_model::presets::inclusion();
        config.steps = cli.inclusion_steps;
        config.seed = seed;
        config.loss.steer.direction = direction;
        let run = train_inclusion(plateau, &config)?;
        let steer = format!("{direction:?}").to_lowercase();
        let measures = push(
            &mut table,
            [
                "inclusion PINN".into(),
                "–".into(),
                "–".into(),
                steer.clone().into(),
                (seed as f64).into(),
                config.steps.into(),
            ],
            &run.u,
            run.seconds,
        );
        runs.push(Found {
            stem: format!("inclusion_steer{steer}_seed{seed}"),
            label: format!("inclusion, steer {steer}"),
            method: if direction == Direction::None {
                "inclusion PINN"
            } else {
                "steered inclusion PINN"
            },
            u: run.u,
            measures,
        });
        bar.inc(1);
    }
    Ok(Plateau { table, runs })
}

/// Per method: can it find the minimal, the maximal, an intermediate solution (the criteria of
/// [`Measures`]); for the steered inclusion PINN also the members of the exact family, which
/// count when within rel_l2 ≤ 1e-2.
fn who_finds_what(found: &Plateau, family: &Table) -> Table {
    let mut t = Table::new(
        "who_finds_what",
        "Can it find the minimal, the maximal, an intermediate solution?",
        "dirichlet (plateau), neumann (exact family)",
        "all",
        &["method", "minimal", "maximal", "intermediate", "evidence"],
    )
    .note(&format!(
        "From the tables below. A run is the minimal (maximal) solution when within rel_l2 ≤ {EXTREMAL_TOL} \
         of u⁻ (u⁺); an intermediate solution when 0.05 < p < 0.95, it leaves the band by at most \
         {SOLUTION_TOL}, misses u₀ by at most {SOLUTION_TOL} and its mean inclusion defect is at most \
         {SOLUTION_TOL}. For the steered inclusion PINN the members of the exact family from u₀ ≡ a count \
         too (τ = 0 for the extremal ones, τ > 0 intermediate)."
    ));
    let yes = |b: bool| Cell::from(if b { "yes" } else { "no" });
    t.push(vec![
        "FD k = ∞ lower".into(),
        yes(true),
        yes(false),
        yes(false),
        "u⁻ by construction (monotone iteration from below)".into(),
    ]);
    t.push(vec![
        "FD k = ∞ upper".into(),
        yes(false),
        yes(true),
        yes(false),
        "u⁺ by construction (monotone iteration from above)".into(),
    ]);
    for method in [
        "regularised PINN (seed-fixed)",
        "regularised PINN (accurate)",
        "inclusion PINN",
        "steered inclusion PINN",
    ] {
        let runs: Vec<&Found> = found.runs.iter().filter(|r| r.method == method).collect();
        let mut min = runs.iter().any(|r| r.measures.minimal());
        let mut max = runs.iter().any(|r| r.measures.maximal());
        let mut mid = runs.iter().any(|r| r.measures.intermediate());
        let ps: Vec<String> = runs
            .iter()
            .map(|r| {
                let m = &r.measures;
                format!("{:.2} ({:.1e}/{:.1e})", m.p, m.rel_lower, m.rel_upper)
            })
            .collect();
        let mut evidence = format!("plateau p (rel_l2 to u⁻/u⁺) = {}", ps.join(", "));
        if method == "steered inclusion PINN" {
            let rel = family.column("rel_l2");
            let tau = family.column("tau");
            let member = family.column_text("member");
            let ok = |pred: &dyn Fn(&str, f64) -> bool| {
                (0..rel.len()).any(|i| pred(&member[i], tau[i]) && rel[i] <= EXTREMAL_TOL)
            };
            mid |= ok(&|_, tau| tau > 0.0);
            min |= ok(&|m, tau| tau == 0.0 && m.ends_with('−'));
            max |= ok(&|m, tau| tau == 0.0 && m.ends_with('+'));
            evidence += &format!(
                "; exact family rel_l2 = {}",
                rel.iter()
                    .map(|r| format!("{r:.1e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        t.push(vec![
            method.into(),
            yes(min),
            yes(max),
            yes(mid),
            evidence.into(),
        ]);
    }
    t
}

/// `u(t, centre)` against `t`: the middle column of `u` on `grid`.
fn centre_over_time(grid: &EvalGrid, u: &Array2<f64>, label: String, dashed: bool) -> Series {
    let centre = grid.x.len() / 2;
    Series {
        label,
        points: grid
            .t
            .iter()
            .zip(u.column(centre))
            .map(|(&t, &v)| (t, v))
            .collect(),
        dashed,
    }
}

fn figures(
    dir: &std::path::Path,
    env: &Envelope,
    found: &Plateau,
    members: &[Member],
    family_runs: &[hh_eval::nonuniqueness::InclusionRun],
) -> anyhow::Result<()> {
    let grid = &env.grid;
    let row = |t: f64| {
        let n = grid.t.len() - 1;
        ((t / grid.t[n]) * n as f64).round() as usize
    };
    let shown: Vec<&Found> = found
        .runs
        .iter()
        .filter(|r| {
            r.stem.starts_with("inclusion")
                || r.stem == "seed-fixed_k5_lower_seed0"
                || r.stem == "accurate_kinf_upper_seed0"
        })
        .filter(|r| !r.stem.contains("none_seed1") && !r.stem.contains("none_seed2"))
        .collect();
    let panels: Vec<LinePanel> = SLICES
        .iter()
        .map(|&t| {
            let r = row(t);
            let mut series = vec![
                Series::profile(&grid.x, &env.lower, r, "u⁻ (FD)".into(), true),
                Series::profile(&grid.x, &env.upper, r, "u⁺ (FD)".into(), true),
            ];
            for f in &shown {
                series.push(Series::profile(&grid.x, &f.u, r, f.label.clone(), false));
            }
            LinePanel {
                title: format!("t = {t}"),
                series,
            }
        })
        .collect();
    plot::lines(
        &dir.join("band"),
        "The band u⁻ … u⁺ (FD, dashed) and PINN solutions inside it, plateau data",
        &panels,
        "x",
        "u",
        false,
    )?;
    let over_t = |u: &Array2<f64>, label: String, dashed| centre_over_time(grid, u, label, dashed);
    let mut series = vec![
        over_t(&env.lower, "u⁻ (FD)".into(), true),
        over_t(&env.upper, "u⁺ (FD)".into(), true),
    ];
    for f in &shown {
        series.push(over_t(&f.u, f.label.clone(), false));
    }
    plot::lines(
        &dir.join("centre"),
        "u(t, π/2) inside the band, plateau data",
        &[LinePanel {
            title: "centre value".into(),
            series,
        }],
        "t",
        "u(t, π/2)",
        false,
    )?;
    let fgrid = EvalGrid::paper(&family_problem(FAMILY_A, FAMILY_T).build()?.domain());
    let mut series = Vec::new();
    for (m, run) in members.iter().zip(family_runs) {
        let exact = m.on(FAMILY_A, &fgrid);
        series.push(centre_over_time(
            &fgrid,
            &run.u,
            format!("PINN {}", m.label()),
            false,
        ));
        series.push(centre_over_time(&fgrid, &exact, String::new(), true));
    }
    plot::lines(
        &dir.join("family"),
        &format!(
            "Steered inclusion PINN (solid) and the exact family (dashed) from u₀ ≡ {FAMILY_A}"
        ),
        &[LinePanel {
            title: "u(t, π/2)".into(),
            series,
        }],
        "t",
        "u",
        false,
    )
}
