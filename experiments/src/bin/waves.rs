//! The `waves` report's command line: its flags, then [`experiments::reports::waves::run`].

use clap::Parser;
use experiments::reports::waves::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "waves",
    version,
    about = "Threshold and travelling waves of the nerve equation against its exact waves"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
