//! The `accurate` report's command line: its flags, then [`experiments::reports::accurate::run`].

use clap::Parser;
use experiments::reports::accurate::{Options, run};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "accurate",
    version,
    about = "The accurate PINN preset: accuracy per a, ablation, boundary modes, growing k"
)]
struct Cli {
    #[command(flatten)]
    options: Options,
}

fn main() -> ExitCode {
    hh_cli::keep_freed_memory();
    hh_cli::exit_code(run(hh_cli::parse_args::<Cli>().options))
}
