//! Plumbing shared by every binary of the workspace, so each tool behaves the same way:
//!
//! - [`AtomicDir`]: results appear all at once or not at all; what the user had is kept on failure;
//! - [`Manifest`]: config, seed, versions, machine and timings next to every result;
//! - [`progress`]: one style of progress bar for long work;
//! - [`exit_code`]: bad input exits with 2, a failed run with 1.

mod atomic;
mod cli;
mod manifest;

pub use atomic::{AtomicDir, OURS_MARKERS, check_distinct, check_output, write_atomic};
pub use cli::{
    ensure_finite, exit_code, keep_freed_memory, note_line, parse_args, print_stdout, progress,
};
pub use manifest::{Manifest, git_revision};
