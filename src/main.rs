//! The `jforensics` command: parse arguments, run one command, exit.

mod cli;
mod commands;

use std::process::ExitCode;

fn main() -> ExitCode {
    // `jforensics … | head` must end quietly like any Unix tool: Rust ignores
    // SIGPIPE, which turns a closed pipe into a panic in println!.
    // SAFETY: set before any thread or child exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    // Started again as a journal reader (see jforensics::journal): serve and exit.
    jforensics::journal::serve_if_asked();
    let cli = cli::Cli::parse_checked();
    match commands::run(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("jforensics: error: {e}");
            e.exit().into()
        }
    }
}
