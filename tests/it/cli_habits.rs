//! Shell habits: colour only on a terminal or when asked, completions and a
//! man page generated from the CLI definition, examples in every `--help`.

use std::process::Command;

use crate::support::*;

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jforensics"));
    cmd.args(args).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = no_rtc_dir();
    let dir = dir.to_str().unwrap();
    let (ok, piped) = run_env(&["-D", dir, "boots"], &[]);
    assert!(ok && !piped.contains('\x1b'), "piped output has no colour");
    let (ok, forced) = run_env(
        &["-D", dir, "boots", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(
        ok && forced.contains("\x1b[1;31mUNCLEAN\x1b[0m"),
        "{forced}"
    );
    let (_, never) = run_env(&["-D", dir, "boots", "--color", "never"], &[]);
    assert!(!never.contains('\x1b'));
    // Colour does not move the columns.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut skipping = false;
        for c in s.chars() {
            match (skipping, c) {
                (false, '\x1b') => skipping = true,
                (true, c) if c.is_ascii_alphabetic() => skipping = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    };
    assert_eq!(strip(&forced), never);
}

#[test]
fn the_boots_table_fits_100_columns() {
    for f in crate::support::fixture::Fixture::all() {
        let (_, text) = run_env(&["-D", f.dir_arg(), "boots"], &[]);
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{}: {line:?}", f.name);
        }
    }
}

#[test]
fn completions_for_each_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let (ok, script) = run_env(&["completions", shell], &[]);
        assert!(ok, "{shell}");
        for sub in ["boots", "report", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(script.contains("color"), "{shell}: global flags too");
    }
    let bash = run_env(&["completions", "bash"], &[]).1;
    let syntax = Command::new("bash")
        .arg("-n")
        .arg("-c")
        .arg(&bash)
        .output()
        .unwrap();
    assert!(
        syntax.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&syntax.stderr)
    );
}

#[test]
fn the_man_page_covers_every_subcommand_with_examples() {
    let (ok, page) = run_env(&["man"], &[]);
    assert!(ok);
    assert!(
        page.starts_with(".ie") || page.contains(".TH jforensics 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    for section in [".SH \"JFORENSICS BOOTS\"", ".SH \"JFORENSICS REPORT\""] {
        assert!(page.contains(section), "{section} missing");
    }
    assert!(
        page.contains("report \\-\\-format html"),
        "examples included"
    );
}

#[test]
fn every_subcommand_help_has_examples() {
    let (_, top) = run_env(&["--help"], &[]);
    let subs: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(subs.len() >= 4, "{subs:?}");
    for sub in subs {
        let (ok, help) = run_env(&[&sub, "--help"], &[]);
        assert!(
            ok && help.contains("Examples:"),
            "`jforensics {sub} --help` has no examples"
        );
    }
}
