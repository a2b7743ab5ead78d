//! Conventions of the command-line tools.

use hh_model::ConfigError;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;

/// Prints `result`'s error chain and maps it to the exit code: 2 for invalid input (a
/// [`ConfigError`] anywhere in the chain), 1 for a run that failed, 0 for success.
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.chain().any(|c| c.downcast_ref::<ConfigError>().is_some()) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal) for `len` units of work.
pub fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {per_sec} eta {eta} {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}
