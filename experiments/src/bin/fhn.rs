//! The `fhn` report's command line: its flags, then [`experiments::reports::fhn::run`].

use clap::Parser;
use experiments::reports::fhn::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fhn",
    version,
    about = "FitzHugh–Nagumo: exact fronts, a travelling pulse under refinement, McKean's pulse as k → ∞, PINN against FD"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
