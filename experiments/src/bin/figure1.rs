//! The `figure1` report's command line: its flags, then [`experiments::reports::figure1::run`].

use clap::Parser;
use experiments::reports::figure1::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "figure1",
    version,
    about = "The paper's Figure 1: FD reference and PINN presets, side by side"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
