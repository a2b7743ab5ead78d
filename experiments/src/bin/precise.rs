//! The `precise` report's command line: its flags, then [`experiments::reports::precise::run`].

use clap::Parser;
use experiments::reports::precise::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "precise",
    version,
    about = "Time-to-accuracy of the PINN presets against a Richardson-extrapolated reference"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
