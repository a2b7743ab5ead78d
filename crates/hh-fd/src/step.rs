//! One implicit θ-step of the method of lines
//!
//! ```text
//! U^{n+1} − θΔt (D Δ_h U^{n+1} + f(U^{n+1})) = U^n + (1 − θ)Δt (D Δ_h U^n + f(U^n)) =: R,
//! ```
//!
//! solved by Newton's method with the (generalised) Jacobian of `f` when `f` is Lipschitz, and by
//! monotone iteration `U ← (I − θΔt(DΔ_h + L))⁻¹ (R + θΔt g(U))` started at a bound of `g` when `f`
//! is an exact selection `L u + g(u)` of a multivalued graph (k = ∞): the iterates are monotone and
//! stop, exactly, at the extremal (minimal or maximal) discrete solution. Components that are
//! linear ODEs at each node (no diffusion, constant `g`) are eliminated from that iteration first
//! ([`Reduction`]).

use hh_core::{BoundaryMode, MonotoneSplit, ReactionDiffusion, Side};

use crate::FdError;
use crate::grid::Mesh;
use crate::interface::Interface;
use crate::tridiagonal::{Factored, solve_block, solve_scalar};

/// Newton stops when `‖G(U)‖∞ ≤ NEWTON_TOL · max(1, bound)`.
const NEWTON_TOL: f64 = 1e-11;
const NEWTON_MAX: usize = 50;
/// The most times a step is halved around an event of the interface (a step of `Δt / 2¹²`).
const MAX_HALVINGS: usize = 12;
/// The most sub-steps one step is cut into: an event needs about two per halving; coarse grids
/// whose crossings flicker from step to step (oscillations of Crank–Nicolson around a level)
/// would otherwise halve every step to the bottom.
const MAX_SUBSTEPS: usize = 64;
/// The most cells a crossing may move in one step before the step is halved. One cell halves the
/// steps of the stiff start as well, at different times on different grids, which spoils the
/// smoothness of the time error in `h`; two halves only the steps near events.
const MAX_CELLS_PER_STEP: f64 = 2.0;

/// Per-node stencil of the discrete Laplacian, `(Δ_h u)_j = wl_j u_{j−1} + wc_j u_j + wu_j u_{j+1}`,
/// with ghost points for zero flux (`2(u_1 − u_0)/h²` at the ends) and, for dirichlet, ends
/// that are held at zero.
#[derive(Clone, Debug)]
struct Laplacian {
    wl: Vec<f64>,
    wc: Vec<f64>,
    wu: Vec<f64>,
    /// Ends held at zero (dirichlet), for the diffusing components.
    fixed_ends: bool,
}

impl Laplacian {
    fn new(mesh: &Mesh) -> Self {
        let n = mesh.nodes;
        let ih2 = 1.0 / (mesh.h * mesh.h);
        let (mut wl, wc, mut wu) = (vec![ih2; n], vec![-2.0 * ih2; n], vec![ih2; n]);
        wl[0] = 0.0;
        wu[n - 1] = 0.0;
        if mesh.bc == BoundaryMode::Neumann {
            wu[0] = 2.0 * ih2;
            wl[n - 1] = 2.0 * ih2;
        }
        Self {
            wl,
            wc,
            wu,
            fixed_ends: mesh.bc == BoundaryMode::Dirichlet,
        }
    }
}

/// Counters of the nonlinear solves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IterationCounts {
    /// Newton iterations (linear solves) over all steps.
    pub newton: usize,
    /// Monotone-iteration sweeps over all steps.
    pub monotone: usize,
    /// Steps where Newton with the interface correction failed and the implicit part was solved
    /// without it.
    pub fallback: usize,
    /// Steps halved because a crossing of a switching level appeared, vanished or moved by more
    /// than two cells (see `Stepper::step_interface`).
    pub halvings: usize,
}

/// Implicit stepper for one problem on one mesh; owns its work buffers.
pub(crate) struct Stepper<'p, P: ReactionDiffusion + ?Sized> {
    problem: &'p P,
    m: usize,
    n: usize,
    diffusion: Vec<f64>,
    lap: Laplacian,
    tol: f64,
    // work buffers (n·m)
    rhs: Vec<f64>,
    res: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    diag: Vec<f64>,
    fbuf: Vec<f64>,
    jbuf: Vec<f64>,
    /// The reduced constant systems of monotone iteration, one per θΔt.
    reductions: Vec<Reduction>,
    /// Newton's Jacobian, refactored incrementally (m = 1), and the θΔt it was built for.
    jacobian: Option<(f64, Factored)>,
    /// The interface correction across the model's switching levels (m = 1, when asked for and
    /// the model has switches), with the Jacobian's off-diagonals it changes.
    interface: Option<Interface>,
    jl: Vec<f64>,
    ju: Vec<f64>,
    scratch: Vec<f64>,
    pub counts: IterationCounts,
}

impl<'p, P: ReactionDiffusion + ?Sized> Stepper<'p, P> {
    /// `corrected`: apply the interface correction where the model has switches.
    pub fn new(problem: &'p P, mesh: &Mesh, corrected: bool) -> Self {
        let m = problem.components();
        let n = mesh.nodes;
        let diffusion = problem.diffusion();
        let interface = corrected
            .then(|| {
                Interface::new(
                    problem.switches(),
                    diffusion.clone(),
                    mesh.h,
                    mesh.bc != BoundaryMode::Dirichlet,
                    mesh.bc == BoundaryMode::Dirichlet,
                )
            })
            .flatten();
        let work = if interface.is_some() && m == 1 { n } else { 0 };
        Self {
            problem,
            m,
            n,
            diffusion,
            lap: Laplacian::new(mesh),
            tol: NEWTON_TOL * problem.bound().max(1.0),
            rhs: vec![0.0; n * m],
            res: vec![0.0; n * m],
            lower: vec![0.0; n * m],
            upper: vec![0.0; n * m],
            diag: vec![0.0; n * m * m],
            fbuf: vec![0.0; m],
            jbuf: vec![0.0; m * m],
            reductions: Vec::new(),
            jacobian: None,
            interface,
            jl: vec![0.0; work],
            ju: vec![0.0; work],
            scratch: vec![0.0; work],
            counts: IterationCounts::default(),
        }
    }

    /// Whether component `i` at node `j` is held at zero.
    #[inline]
    fn fixed(&self, j: usize, i: usize) -> bool {
        self.lap.fixed_ends && (j == 0 || j == self.n - 1) && self.diffusion[i] > 0.0
    }

    /// `(D Δ_h u)_{j,i}`.
    #[inline]
    fn diffuse(&self, u: &[f64], j: usize, i: usize) -> f64 {
        let m = self.m;
        let mut s = self.lap.wc[j] * u[j * m + i];
        if j > 0 {
            s += self.lap.wl[j] * u[(j - 1) * m + i];
        }
        if j + 1 < self.n {
            s += self.lap.wu[j] * u[(j + 1) * m + i];
        }
        self.diffusion[i] * s
    }

    /// Advances `u` (the state at `t`, overwritten by the state at `t + dt`) by one θ-step.
    /// `guess` is the initial iterate for Newton (e.g. an extrapolation); it is overwritten.
    pub fn step(
        &mut self,
        u: &mut [f64],
        guess: &mut [f64],
        dt: f64,
        theta: f64,
    ) -> Result<(), FdError> {
        if self.interface.is_some() {
            let mut budget = MAX_SUBSTEPS;
            return self.step_interface(u, guess, dt, theta, 0, &mut budget);
        }
        self.explicit_part(u, dt, theta);
        let result = match self.problem.monotone_split() {
            None => self.newton(guess, theta * dt),
            Some(_) => self.monotone(guess, theta * dt),
        };
        u.copy_from_slice(guess);
        result
    }

    /// [`Stepper::step`] with the interface correction: the explicit part's Laplacian corrected at
    /// `U^n`, Newton on the corrected residual, and, should Newton fail (the correction degenerates
    /// where two crossings meet with a vanishing slope, or where a ramp of `H_k` is far narrower
    /// than a cell), the step's implicit part solved without the correction (monotone iteration
    /// or plain Newton), counted in [`IterationCounts::fallback`].
    ///
    /// Where the crossings do not move smoothly during the step (one appears or disappears, as
    /// when a bump of `u` above a level shrinks to nothing or a crossing leaves through a
    /// reflecting end, or one moves by more than [`MAX_CELLS_PER_STEP`] cells), the step is
    /// redone as two half-steps, recursively up to [`MAX_HALVINGS`] times and [`MAX_SUBSTEPS`]
    /// sub-steps in all: near such an event a
    /// crossing moves as `√(t* − t)`, faster than any fixed step resolves, and the time error it
    /// leaves is not smooth in `h`.
    fn step_interface(
        &mut self,
        u: &mut [f64],
        guess: &mut [f64],
        dt: f64,
        theta: f64,
        halvings: usize,
        budget: &mut usize,
    ) -> Result<(), FdError> {
        *budget = budget.saturating_sub(1);
        let start = u.to_vec();
        // locates the crossings of U^n, which the explicit part's correction uses
        let before = self.crossing_positions(u);
        self.explicit_part(u, dt, theta);
        let w = (1.0 - theta) * dt;
        if w != 0.0 {
            let interface = self.interface.as_ref().expect("checked by the caller");
            interface.add_corrections(-w, &mut self.rhs);
        }
        let result = match self.newton_interface(guess, theta * dt) {
            Err(_) => {
                self.counts.fallback += 1;
                guess.copy_from_slice(u);
                match self.problem.monotone_split() {
                    None => self.newton(guess, theta * dt),
                    Some(_) => self.monotone(guess, theta * dt),
                }
            }
            ok => ok,
        };
        u.copy_from_slice(guess);
        result?;
        let after = self.crossing_positions(u);
        let smooth = before.len() == after.len()
            && before
                .iter()
                .zip(&after)
                .all(|(b, a)| (b - a).abs() <= MAX_CELLS_PER_STEP);
        if smooth || halvings == MAX_HALVINGS || *budget < 2 {
            return Ok(());
        }
        self.counts.halvings += 1;
        u.copy_from_slice(&start);
        for _ in 0..2 {
            guess.copy_from_slice(u);
            self.step_interface(u, guess, 0.5 * dt, theta, halvings + 1, budget)?;
        }
        Ok(())
    }

    /// The crossings of `u`, each as `left + ξ` (in cells), in the interface's order.
    fn crossing_positions(&mut self, u: &[f64]) -> Vec<f64> {
        let problem = self.problem;
        let interface = self.interface.as_mut().expect("called with an interface");
        interface.locate(u, |s, f| problem.reaction(s, f));
        interface
            .crossings
            .iter()
            .map(|c| c.left as f64 + c.xi)
            .collect()
    }

    /// Newton on `G(U) = U − θΔt (D (Δ_h U − C(U)) + f(U)) − R` with the interface corrections `C`
    /// (see [`crate::interface`]).
    fn newton_interface(&mut self, u: &mut [f64], tdt: f64) -> Result<(), FdError> {
        let mut residual = self.interface_residual(u, tdt);
        for _ in 0..NEWTON_MAX {
            if residual <= self.tol {
                return Ok(());
            }
            self.counts.newton += 1;
            if self.m == 1 {
                let (jl, ju) = (&self.jl, &self.ju);
                solve_scalar(jl, &self.diag, ju, &mut self.res, &mut self.scratch);
            } else {
                solve_block(self.m, &self.lower, &self.diag, &self.upper, &mut self.res);
            }
            for (v, r) in u.iter_mut().zip(&self.res) {
                *v -= r;
            }
            residual = self.interface_residual(u, tdt);
            if !residual.is_finite() {
                break;
            }
        }
        Err(FdError::NoConvergence {
            method: "Newton with the interface correction",
            iterations: NEWTON_MAX,
            residual,
        })
    }

    /// Fills `res = G(U)` and the Jacobian of the corrected residual (`m = 1`: `(jl, diag, ju)`,
    /// the constant off-diagonals kept in `lower`, `upper`; otherwise the block arrays); returns
    /// `‖G‖∞`.
    fn interface_residual(&mut self, u: &[f64], tdt: f64) -> f64 {
        let n = self.n;
        if self.m == 1 {
            self.residual_scalar(u, tdt);
            let scale = tdt * self.diffusion[0];
            for j in 0..n {
                self.jl[j] = -scale * self.lap.wl[j];
                self.ju[j] = -scale * self.lap.wu[j];
            }
            if self.fixed(0, 0) {
                for j in [0, n - 1] {
                    self.jl[j] = 0.0;
                    self.ju[j] = 0.0;
                }
            }
        } else {
            self.residual_and_jacobian(u, tdt);
        }
        let problem = self.problem;
        let interface = self.interface.as_mut().expect("called with an interface");
        interface.locate(u, |s, f| problem.reaction(s, f));
        interface.add_corrections(tdt, &mut self.res);
        if self.m == 1 {
            interface.add_jacobian(tdt, &mut self.jl, &mut self.diag, &mut self.ju);
        } else {
            interface.add_jacobian(tdt, &mut self.lower, &mut self.diag, &mut self.upper);
        }
        max_norm(&self.res)
    }

    /// `R = U^n + (1 − θ)Δt (D Δ_h U^n + f(U^n))`, zero at held nodes.
    ///
    /// One component (the nerve equation) takes the scalar twins `explicit_part_scalar`,
    /// `newton_scalar` and `residual_scalar`: batch calls over the whole array and a Jacobian
    /// refactored only from its first changed row. The block path computes the same numbers for
    /// `m = 1` but several times more slowly, so the twins stay; `block_path_matches_scalar_path`
    /// keeps the two in agreement.
    fn explicit_part(&mut self, u: &[f64], dt: f64, theta: f64) {
        let (m, w) = (self.m, (1.0 - theta) * dt);
        if m == 1 {
            return self.explicit_part_scalar(u, w);
        }
        for j in 0..self.n {
            if w != 0.0 {
                self.problem
                    .reaction(&u[j * m..(j + 1) * m], &mut self.fbuf);
            }
            for i in 0..m {
                self.rhs[j * m + i] = if self.fixed(j, i) {
                    0.0
                } else if w == 0.0 {
                    u[j * m + i]
                } else {
                    u[j * m + i] + w * (self.diffuse(u, j, i) + self.fbuf[i])
                };
            }
        }
    }

    /// `m = 1` version of [`Stepper::explicit_part`] with `w = (1 − θ)Δt`.
    fn explicit_part_scalar(&mut self, u: &[f64], w: f64) {
        let (n, d) = (self.n, self.diffusion[0]);
        if w == 0.0 {
            self.rhs.copy_from_slice(u);
        } else {
            self.problem.reaction_batch(u, &mut self.res);
            let lap = &self.lap;
            let (rhs, f) = (&mut self.rhs, &self.res);
            rhs[0] = u[0] + w * (d * (lap.wc[0] * u[0] + lap.wu[0] * u[1]) + f[0]);
            let l = n - 1;
            rhs[l] = u[l] + w * (d * (lap.wl[l] * u[l - 1] + lap.wc[l] * u[l]) + f[l]);
            let (wl, wc, wu) = (lap.wl[1], lap.wc[1], lap.wu[1]);
            let (um, uc, up) = (&u[..l - 1], &u[1..l], &u[2..]);
            let (r, f) = (&mut rhs[1..l], &f[1..l]);
            for i in 0..l - 1 {
                r[i] = uc[i] + w * (d * (wl * um[i] + wc * uc[i] + wu * up[i]) + f[i]);
            }
        }
        if self.lap.fixed_ends && d > 0.0 {
            self.rhs[0] = 0.0;
            self.rhs[n - 1] = 0.0;
        }
    }

    /// Newton on `G(U) = U − θΔt (DΔ_h U + f(U)) − R`.
    fn newton(&mut self, u: &mut [f64], tdt: f64) -> Result<(), FdError> {
        if self.m == 1 {
            return self.newton_scalar(u, tdt);
        }
        let mut residual = self.residual_and_jacobian(u, tdt);
        for _ in 0..NEWTON_MAX {
            if residual <= self.tol {
                return Ok(());
            }
            self.counts.newton += 1;
            solve_block(self.m, &self.lower, &self.diag, &self.upper, &mut self.res);
            for (v, d) in u.iter_mut().zip(&self.res) {
                *v -= d;
            }
            residual = self.residual_and_jacobian(u, tdt);
        }
        Err(FdError::NoConvergence {
            method: "Newton",
            iterations: NEWTON_MAX,
            residual,
        })
    }

    /// Newton for one component: constant off-diagonals, a diagonal that changes only where
    /// `f'` does, and a factorisation refreshed from the first changed row on.
    fn newton_scalar(&mut self, u: &mut [f64], tdt: f64) -> Result<(), FdError> {
        let (n, d) = (self.n, self.diffusion[0]);
        for j in 0..n {
            self.lower[j] = -tdt * d * self.lap.wl[j];
            self.upper[j] = -tdt * d * self.lap.wu[j];
        }
        if self.fixed(0, 0) {
            for j in [0, n - 1] {
                self.lower[j] = 0.0;
                self.upper[j] = 0.0;
            }
        }
        let mut residual = self.residual_scalar(u, tdt);
        for _ in 0..NEWTON_MAX {
            if residual <= self.tol {
                return Ok(());
            }
            self.counts.newton += 1;
            match &mut self.jacobian {
                Some((key, f)) if *key == tdt => {
                    f.update_diag(&self.diag);
                }
                slot => *slot = Some((tdt, Factored::new(&self.lower, &self.diag, &self.upper))),
            }
            self.jacobian
                .as_ref()
                .expect("just set")
                .1
                .solve(&mut self.res);
            for (v, r) in u.iter_mut().zip(&self.res) {
                *v -= r;
            }
            residual = self.residual_scalar(u, tdt);
        }
        Err(FdError::NoConvergence {
            method: "Newton",
            iterations: NEWTON_MAX,
            residual,
        })
    }

    /// `m = 1`: fills `res = G(U)` and the Jacobian's diagonal; returns `‖G‖∞`.
    fn residual_scalar(&mut self, u: &[f64], tdt: f64) -> f64 {
        let (n, d) = (self.n, self.diffusion[0]);
        // f(u) into `res`, f'(u) into `diag`, then both overwritten in place
        self.problem.reaction_batch(u, &mut self.res);
        self.problem.jacobian_batch(u, &mut self.diag);
        let (lap, rhs) = (&self.lap, &self.rhs);
        let (res, diag) = (&mut self.res, &mut self.diag);
        let mut row = |j: usize, lap_u: f64| {
            res[j] = u[j] - tdt * (d * lap_u + res[j]) - rhs[j];
            diag[j] = 1.0 - tdt * (d * lap.wc[j] + diag[j]);
        };
        let l = n - 1;
        row(0, lap.wc[0] * u[0] + lap.wu[0] * u[1]);
        row(l, lap.wl[l] * u[l - 1] + lap.wc[l] * u[l]);
        let (wl, wc, wu) = (lap.wl[1], lap.wc[1], lap.wu[1]);
        let (um, uc, up, rh) = (&u[..l - 1], &u[1..l], &u[2..], &rhs[1..l]);
        let (r, g) = (&mut res[1..l], &mut diag[1..l]);
        for i in 0..l - 1 {
            r[i] = uc[i] - tdt * (d * (wl * um[i] + wc * uc[i] + wu * up[i]) + r[i]) - rh[i];
            g[i] = 1.0 - tdt * (d * wc + g[i]);
        }
        if lap.fixed_ends && d > 0.0 {
            for j in [0, l] {
                res[j] = u[j];
                diag[j] = 1.0;
            }
        }
        max_norm(res)
    }

    /// Fills `res = G(U)` and the Jacobian `∂G/∂U` (lower, diag blocks, upper); returns `‖G‖∞`.
    fn residual_and_jacobian(&mut self, u: &[f64], tdt: f64) -> f64 {
        let m = self.m;
        let mut norm: f64 = 0.0;
        for j in 0..self.n {
            let uj = &u[j * m..(j + 1) * m];
            self.problem.reaction(uj, &mut self.fbuf);
            self.problem.jacobian(uj, &mut self.jbuf);
            for i in 0..m {
                let k = j * m + i;
                let fixed = self.fixed(j, i);
                let lap_u = if fixed { 0.0 } else { self.diffuse(u, j, i) };
                let block = &mut self.diag[k * m..(k + 1) * m];
                if fixed {
                    self.res[k] = u[k];
                    block.fill(0.0);
                    block[i] = 1.0;
                    self.lower[k] = 0.0;
                    self.upper[k] = 0.0;
                } else {
                    let d = self.diffusion[i];
                    self.res[k] = u[k] - tdt * (lap_u + self.fbuf[i]) - self.rhs[k];
                    for (c, b) in block.iter_mut().enumerate() {
                        *b = -tdt * self.jbuf[i * m + c];
                    }
                    block[i] += 1.0 - tdt * d * self.lap.wc[j];
                    self.lower[k] = -tdt * d * self.lap.wl[j];
                    self.upper[k] = -tdt * d * self.lap.wu[j];
                }
                norm = norm.max(self.res[k].abs());
            }
        }
        norm
    }

    /// Monotone iteration for `f = L u + g(u)`, from the bound of `g` on the split's side: each
    /// sweep solves the reduced constant system for the kept components with `g` frozen,
    /// recovers the eliminated ones, and re-evaluates `g`; it stops when `g` no longer changes
    /// (after at most one change of `g` per unknown, since the iterates are monotone).
    fn monotone(&mut self, u: &mut [f64], tdt: f64) -> Result<(), FdError> {
        let split = self
            .problem
            .monotone_split()
            .expect("called for split problems");
        let (m, n) = (self.m, self.n);
        if !self.reductions.iter().any(|r| r.tdt == tdt) {
            let r = Reduction::new(split, &self.diffusion, &self.lap, n, tdt)?;
            self.reductions.push(r);
        }
        let red = self
            .reductions
            .iter_mut()
            .find(|r| r.tdt == tdt)
            .expect("just built");
        let (lo, hi) = split.bounds();
        let start = match split.side() {
            Side::Below => lo,
            Side::Above => hi,
        };
        let (mk, me) = (red.kept.len(), red.elim.len());
        // The parts that do not change during the iteration: for each node,
        // r_E = R_E + θΔt g_E, c_K = R_K + q r_E and e_0 = M r_E.
        let mut re = vec![0.0; me];
        for j in 0..n {
            for (a, &i) in red.elim.iter().enumerate() {
                re[a] = self.rhs[j * m + i] + tdt * start[i];
            }
            for (b, &i) in red.kept.iter().enumerate() {
                let q = &red.q[b * me..(b + 1) * me];
                red.ck[j * mk + b] =
                    self.rhs[j * m + i] + q.iter().zip(&re).map(|(q, r)| q * r).sum::<f64>();
            }
            for a in 0..me {
                let row = &red.m_inv[a * me..(a + 1) * me];
                red.e0[j * me + a] = row.iter().zip(&re).map(|(x, r)| x * r).sum();
            }
        }
        let mut g: Vec<f64> = (0..n * m).map(|k| start[k % m]).collect();
        let mut gnew = vec![0.0; m];
        for _ in 0..=n * m + 1 {
            self.counts.monotone += 1;
            for j in 0..n {
                for (b, &i) in red.kept.iter().enumerate() {
                    let k = j * mk + b;
                    red.x[k] = if red.fixed[k] {
                        0.0
                    } else {
                        red.ck[k] + tdt * g[j * m + i]
                    };
                }
            }
            red.solve();
            for j in 0..n {
                for (b, &i) in red.kept.iter().enumerate() {
                    u[j * m + i] = red.x[j * mk + b];
                }
                for (a, &i) in red.elim.iter().enumerate() {
                    let p = &red.p[a * mk..(a + 1) * mk];
                    let xk = &red.x[j * mk..(j + 1) * mk];
                    u[j * m + i] =
                        red.e0[j * me + a] + p.iter().zip(xk).map(|(p, x)| p * x).sum::<f64>();
                }
            }
            let mut changed = false;
            for j in 0..n {
                split.monotone(&u[j * m..(j + 1) * m], &mut gnew);
                for i in 0..m {
                    if gnew[i] != g[j * m + i] {
                        changed = true;
                        g[j * m + i] = gnew[i];
                    }
                }
            }
            if !changed {
                return Ok(());
            }
        }
        Err(FdError::NoConvergence {
            method: "monotone iteration",
            iterations: n * m + 2,
            residual: f64::NAN,
        })
    }
}

/// The constant system of one monotone-iteration step with the linear ODE components eliminated.
///
/// `E` are the components with `D_i = 0` and constant `g_i` (`g_lo,i = g_hi,i`), `K` the others.
/// At every node `U_E = M (R_E + θΔt g_E) + P U_K` with `M = (I − θΔt L_EE)⁻¹`, `P = θΔt M L_EK`,
/// and the kept components solve the (block) tridiagonal system
///
/// ```text
/// (I − θΔt (D_K Δ_h + L_eff)) U_K = R_K + Q (R_E + θΔt g_E) + θΔt g_K(U),
/// L_eff = L_KK + θΔt L_KE M L_EK,   Q = θΔt L_KE M,
/// ```
///
/// whose matrix is an M-matrix when the off-diagonal entries of `L_eff` are ≥ 0 (checked).
struct Reduction {
    tdt: f64,
    kept: Vec<usize>,
    elim: Vec<usize>,
    /// `M` (`|E| × |E|`), `P` (`|E| × |K|`), `Q` (`|K| × |E|`), row-major.
    m_inv: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
    /// Per node and kept component: held at zero (dirichlet ends).
    fixed: Vec<bool>,
    /// The factored matrix (`|K| = 1`), or its block tridiagonal parts.
    factored: Option<Factored>,
    lower: Vec<f64>,
    diag: Vec<f64>,
    upper: Vec<f64>,
    /// Work: the constant right-hand side `c_K`, `e_0 = M (R_E + θΔt g_E)`, and the unknowns.
    ck: Vec<f64>,
    e0: Vec<f64>,
    x: Vec<f64>,
}

impl Reduction {
    fn new(
        split: &dyn MonotoneSplit,
        diffusion: &[f64],
        lap: &Laplacian,
        n: usize,
        tdt: f64,
    ) -> Result<Self, FdError> {
        let m = diffusion.len();
        let l = split.linear();
        let (lo, hi) = split.bounds();
        let (elim, kept): (Vec<usize>, Vec<usize>) =
            (0..m).partition(|&i| diffusion[i] == 0.0 && lo[i] == hi[i]);
        let (mk, me) = (kept.len(), elim.len());
        let block = |rows: &[usize], cols: &[usize]| {
            nalgebra::DMatrix::from_fn(rows.len(), cols.len(), |r, c| l[rows[r] * m + cols[c]])
        };
        let m_inv = (nalgebra::DMatrix::identity(me, me) - block(&elim, &elim) * tdt)
            .try_inverse()
            .ok_or(FdError::NotOrderPreserving {
                what: "I − θΔt L_EE is singular".into(),
            })?;
        let p = &m_inv * block(&elim, &kept) * tdt;
        let q = block(&kept, &elim) * &m_inv * tdt;
        let l_eff = block(&kept, &kept) + &q * block(&elim, &kept);
        for r in 0..mk {
            for c in (0..mk).filter(|&c| c != r) {
                if l_eff[(r, c)] < 0.0 {
                    return Err(FdError::NotOrderPreserving {
                        what: format!(
                            "L_eff[{}, {}] = {:e} < 0 (components {} and {})",
                            r,
                            c,
                            l_eff[(r, c)],
                            kept[r],
                            kept[c]
                        ),
                    });
                }
            }
        }
        let row_major = |a: &nalgebra::DMatrix<f64>| -> Vec<f64> {
            (0..a.nrows())
                .flat_map(|r| (0..a.ncols()).map(move |c| a[(r, c)]))
                .collect()
        };
        let (mut lower, mut diag, mut upper) =
            (vec![0.0; n * mk], vec![0.0; n * mk * mk], vec![0.0; n * mk]);
        let mut fixed = vec![false; n * mk];
        for j in 0..n {
            for (b, &i) in kept.iter().enumerate() {
                let k = j * mk + b;
                let d = diffusion[i];
                fixed[k] = lap.fixed_ends && (j == 0 || j == n - 1) && d > 0.0;
                let blk = &mut diag[k * mk..(k + 1) * mk];
                if fixed[k] {
                    blk[b] = 1.0;
                } else {
                    for (c, v) in blk.iter_mut().enumerate() {
                        *v = -tdt * l_eff[(b, c)];
                    }
                    blk[b] += 1.0 - tdt * d * lap.wc[j];
                    lower[k] = -tdt * d * lap.wl[j];
                    upper[k] = -tdt * d * lap.wu[j];
                }
            }
        }
        let factored = (mk == 1).then(|| Factored::new(&lower, &diag, &upper));
        Ok(Self {
            tdt,
            m_inv: row_major(&m_inv),
            p: row_major(&p),
            q: row_major(&q),
            fixed,
            factored,
            lower,
            diag,
            upper,
            ck: vec![0.0; n * mk],
            e0: vec![0.0; n * me],
            x: vec![0.0; n * mk],
            kept,
            elim,
        })
    }

    /// Overwrites `x` (the right-hand side) with the solution of the kept system.
    fn solve(&mut self) {
        match &self.factored {
            Some(f) => f.solve(&mut self.x),
            None => solve_block(
                self.kept.len(),
                &self.lower,
                &self.diag,
                &self.upper,
                &mut self.x,
            ),
        }
    }
}

/// `‖r‖∞` with four independent accumulators (a single `max` chain is latency bound).
fn max_norm(r: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut chunks = r.chunks_exact(4);
    for c in &mut chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a = a.max(v.abs());
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    acc.iter().fold(tail, |m, &a| m.max(a))
}
