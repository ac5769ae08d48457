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

/// What people read at a terminal fits 100 columns: every text command, on
/// every test journal (the no-RTC one has the longest messages).
#[test]
fn terminal_output_fits_100_columns() {
    let no_rtc = no_rtc_dir();
    let mut dirs = vec![("no-rtc".to_string(), no_rtc.to_str().unwrap().to_string())];
    for f in crate::support::fixture::Fixture::all() {
        dirs.push((f.name.to_string(), f.dir_arg().to_string()));
    }
    for (name, dir) in &dirs {
        for command in [
            &["boots"][..],
            &["since-boot", "-b", "-1"],
            &["findings", "-b", "-1"],
            &["unit", "systemd-journald", "--all-boots"],
            &["impact", "systemd-journald", "--all-boots"],
        ] {
            let args = [&["-D", dir.as_str()][..], command].concat();
            let (ok, text) = run_env(&args, &[]);
            assert!(ok, "{name}: {command:?} failed");
            for line in text.lines() {
                assert!(
                    line.chars().count() <= 100,
                    "{name} {command:?}: {} columns: {line:?}",
                    line.chars().count()
                );
            }
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

/// Exit status 2 is a command line that cannot work whatever the journal
/// holds; clap's own errors and ours agree.
#[test]
fn malformed_values_and_clashing_sources_are_usage_errors() {
    let dir = no_rtc_dir();
    let dir = dir.to_str().unwrap();
    for args in [
        &["-D", dir, "boots", "-b", "zzzz"][..],
        &["-D", dir, "-S", "garbage", "boots"],
        &["-D", dir, "--root", "/", "boots"],
        // Source flags are global: a clash after the subcommand is one too.
        &["boots", "-D", dir, "--root", "/"],
        &["-D", dir, "findings", "--fail-on", "bad"],
        &["-D", dir, "findings", "--loop-window", "1 parsec"],
    ] {
        let out = jforensics(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    // One duration syntax everywhere: weeks read for every duration option.
    for args in [
        &["-D", dir, "findings", "--loop-window", "1w"][..],
        &["-D", dir, "-S", "-1w", "boots"],
    ] {
        let out = jforensics(args);
        assert_ne!(out.status.code(), Some(2), "{args:?}");
    }
    // A well-formed boot the journal does not have is not a usage error.
    let out = jforensics(&["-D", dir, "boots", "-b", "-9"]);
    assert_eq!(out.status.code(), Some(1));
    // journalctl's relative times start with a minus and are values, not flags.
    let out = jforensics(&["-D", dir, "-U", "-1h", "boots"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_unit_that_never_ran_is_said_so_with_near_names() {
    let f = crate::support::fixture::Fixture::load("debian12");
    let out = jforensics(&["-D", f.dir_arg(), "unit", "backen", "--all-boots"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "backen.service does not appear in these boots; did you mean backend.service"
        ),
        "{stderr}"
    );
    let out = jforensics(&["-D", f.dir_arg(), "unit", "backend"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
