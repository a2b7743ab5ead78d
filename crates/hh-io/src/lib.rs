//! Output discipline shared by the solvers and every tool, so each behaves the same way:
//!
//! - [`AtomicDir`], [`write_atomic`]: results appear all at once or not at all; what the user had
//!   is kept on failure, and an output that is not ours is refused ([`check_output`]);
//! - [`Manifest`]: config, seed, versions, machine and timings next to every result.
//!
//! The conventions of the command-line tools (parsing, exit codes, progress bars) are `hh-cli`'s.

mod atomic;
mod manifest;

pub use atomic::{AtomicDir, OURS_MARKERS, check_distinct, check_output, write_atomic};
pub use manifest::{Manifest, git_revision};
