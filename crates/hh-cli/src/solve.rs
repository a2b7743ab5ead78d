//! An FD solve as the command-line tools run it.

use hh_core::ReactionDiffusion;
use hh_fd::{GridConfig, Solution, SolveOptions};
use std::time::Instant;

/// [`hh_fd::solve`] with a progress bar on stderr (one tick per time step), and its wall time in
/// seconds.
pub fn solve_with_bar<P: ReactionDiffusion + ?Sized>(
    problem: &P,
    grid: &GridConfig,
) -> Result<(Solution, f64), hh_fd::FdError> {
    let bar = crate::progress(grid.nt as u64, "solving");
    let mut on_step = |step: usize, _nt: usize| bar.set_position(step as u64);
    let start = Instant::now();
    let sol = hh_fd::solve_with(
        problem,
        grid,
        SolveOptions {
            on_step: Some(&mut on_step),
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    Ok((sol, seconds))
}
