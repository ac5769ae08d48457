//! The `jforensics` command: parse arguments, run one command, exit.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("jforensics: error: {e}");
            ExitCode::from(1)
        }
    }
}
