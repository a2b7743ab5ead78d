//! Conventions of the workspace's command-line tools, so each behaves the same way:
//!
//! - [`parse_args`]: clap, with `--help` on a closed pipe ending quietly;
//! - [`exit_code`]: bad input (a [`ConfigError`] anywhere in the error chain) exits 2, a failed
//!   run 1;
//! - [`note!`] and [`print_stdout`]: messages that never panic;
//! - [`progress`], [`solve_with_bar`], [`train_with_bar`] ([`TrainProgress`]): one style of
//!   progress bar, attached by the caller to long work (an FD solve's `on_step`, a training run's
//!   observers);
//! - [`commands`]: the `solve` and `train` commands a model crate's binary reuses, leaving it
//!   only its own flags.
//!
//! The solver libraries know none of this: they report progress to whatever observer the caller
//! attaches.

pub mod commands;
mod solve;
mod train_progress;

pub use solve::solve_with_bar;
pub use train_progress::{TrainProgress, train_error, train_with_bar};

use anyhow::Context;
use hh_core::ConfigError;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, Write};
use std::process::ExitCode;

/// Writes `text` to standard output. A reader that has gone away (a closed pipe, as in
/// `| head -0`) ends the output quietly; any other failure (a full disk) is an error naming
/// standard output. Never panics, unlike `print!`.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write to standard output"),
    }
}

/// The command line, parsed by clap: `--help` and `--version` go through [`print_stdout`] (a
/// closed pipe ends quietly, a full disk exits 1 with a message, where clap would exit 0 having
/// written nothing); a usage error is printed on stderr and exits 2, as clap does.
pub fn parse_args<C: clap::Parser>() -> C {
    match C::try_parse() {
        Ok(c) => c,
        Err(e) if e.use_stderr() => {
            let _ = write!(io::stderr().lock(), "{}", e.render());
            std::process::exit(e.exit_code())
        }
        Err(e) => match print_stdout(&e.render().to_string()) {
            Ok(()) => std::process::exit(e.exit_code()),
            Err(err) => {
                note_line(&format!("error: {err:#}"));
                std::process::exit(1)
            }
        },
    }
}

/// Writes one line of a message to standard error, ignoring failure: a closed or full stderr
/// loses the message and nothing else. What the binaries use instead of `eprintln!`, which
/// panics when stderr is a closed pipe.
pub fn note_line(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// `eprintln!` that never panics ([`note_line`]).
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::note_line(&format!($($arg)*))
    };
}

/// The error chain of `e` as one line, `a: b: c`; a message that ends with the next one in the
/// chain (an error that shows its source) is not repeated.
pub fn error_message(e: &anyhow::Error) -> String {
    let mut messages: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !messages.last().is_some_and(|m| m.ends_with(&text)) {
            messages.push(text);
        }
    }
    messages.join(": ")
}

/// Whether `e` is invalid input: a [`ConfigError`] anywhere in its chain.
pub fn is_invalid_input(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<ConfigError>().is_some())
}

/// Prints `result`'s error chain ([`error_message`]) and maps it to the exit code: 2 for invalid
/// input ([`is_invalid_input`]), 1 for a run that failed, 0 for success.
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note_line(&format!("error: {}", error_message(&e)));
            if is_invalid_input(&e) {
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

/// The binaries allocate through mimalloc, which by default returns freed memory to the OS
/// 10 ms after it is freed. After the FD references of a sweep free gigabytes, every PINN step
/// then faults its buffers back in (measured in `convergence`: 177 000 page faults, 2.9–4.5 instead
/// of 1.8–2.3 ms per `seed` step). Call at the start of `main`: freed memory stays with the process
/// (its resident size stays at its peak), and allocation stays fast. Harmless under another allocator.
pub fn keep_freed_memory() {
    // `mi_option_purge_delay` in mimalloc v2 and v3 (libmimalloc-sys names options 14 and 16
    // around it, not this one); −1: never purge.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets one integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// Refuses to publish a result holding a non-finite value: the error names `what` and the index
/// of the first such value.
pub fn ensure_finite<'a>(
    what: &str,
    values: impl IntoIterator<Item = &'a f64>,
) -> anyhow::Result<()> {
    match values.into_iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => {
            anyhow::bail!("{what} has a non-finite value (at flat index {i}); nothing was written")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_results_are_named_and_refused() {
        assert!(ensure_finite("u", [0.0, 1.5, -2.0].iter()).is_ok());
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = ensure_finite("eval.npy", [0.0, bad].iter()).unwrap_err();
            assert!(
                e.to_string().contains("eval.npy") && e.to_string().contains("index 1"),
                "{e}"
            );
        }
    }

    #[test]
    fn invalid_input_anywhere_in_the_chain_exits_2() {
        let config = anyhow::Error::new(ConfigError::invalid("nx", "≥ 4", 3)).context("solving");
        assert_eq!(exit_code(Err(config)), ExitCode::from(2));
        assert_eq!(
            exit_code(Err(anyhow::anyhow!("diverged"))),
            ExitCode::FAILURE
        );
        assert_eq!(exit_code(Ok(())), ExitCode::SUCCESS);
    }
}
