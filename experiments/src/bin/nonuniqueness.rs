//! The `nonuniqueness` report's command line: its flags, then [`experiments::reports::nonuniqueness::run`].

use clap::Parser;
use experiments::reports::nonuniqueness::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "nonuniqueness",
    version,
    about = "The solution set of the inclusion: FD envelope, exact family, which solution a PINN finds"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
