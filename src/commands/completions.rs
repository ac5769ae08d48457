//! `jforensics completions SHELL` and `jforensics man`: generated from the
//! clap definitions, so they can never disagree with the real flags.

use super::Exit;
use std::io::Write;

use clap::CommandFactory;
use roff::{Roff, bold, roman};

use super::Result;
use crate::cli::{Cli, CompletionsArgs};

pub fn completions(args: &CompletionsArgs) -> Result<Exit> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "jforensics", &mut out);
    std::io::stdout().write_all(&out)?;
    Ok(Exit::Success)
}

/// One page for the command and its subcommands, as small tools do: the
/// global options first, then a section per subcommand with its own options
/// and examples.
pub fn man() -> Result<Exit> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    let page = clap_mangen::Man::new(cmd.clone());
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    if let Some(after) = cmd.get_after_help() {
        roff.control("SH", ["EXAMPLES"]);
        preformatted(&mut roff, &after.to_string());
    }
    for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
        subcommand_section(&mut roff, sub);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for exit in <Exit as strum::VariantArray>::VARIANTS {
        roff.control("TP", []);
        roff.text([bold(exit.code().to_string())]);
        roff.text([roman(exit.meaning().to_string())]);
    }
    roff.to_writer(&mut out)?;
    page.render_version_section(&mut out)?;
    std::io::stdout().write_all(&out)?;
    Ok(Exit::Success)
}

fn subcommand_section(roff: &mut Roff, sub: &mut clap::Command) {
    let name = format!("jforensics {}", sub.get_name());
    roff.control("SH", [name.to_uppercase().as_str()]);
    if let Some(about) = sub.get_about() {
        roff.text([roman(about.to_string())]);
    }
    let usage = sub.clone().bin_name(name).render_usage().to_string();
    roff.control("PP", []);
    roff.text([roman(usage.trim_start_matches("Usage: ").to_string())]);
    for arg in sub
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set())
    {
        let mut flags = Vec::new();
        if let Some(s) = arg.get_short() {
            flags.push(format!("-{s}"));
        }
        if let Some(l) = arg.get_long() {
            flags.push(format!("--{l}"));
        }
        let value = arg
            .get_value_names()
            .map(|v| v.iter().map(|n| format!(" <{n}>")).collect::<String>())
            .unwrap_or_default();
        let head = if flags.is_empty() {
            value.trim().to_string()
        } else {
            format!("{}{value}", flags.join(", "))
        };
        roff.control("TP", []);
        roff.text([bold(head)]);
        let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && arg.get_action().takes_values() {
            help.push_str(&format!(" [possible values: {}]", values.join(", ")));
        }
        roff.text([roman(help)]);
    }
    if let Some(after) = sub.get_after_help() {
        roff.control("PP", []);
        preformatted(roff, &after.to_string());
    }
}

/// Examples keep their columns: no filling, no hyphenation.
fn preformatted(roff: &mut Roff, text: &str) {
    roff.control("nf", []);
    for line in text.lines() {
        roff.text([roman(line.to_string())]);
    }
    roff.control("fi", []);
}
