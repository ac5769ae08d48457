//! The Debian package: built by scripts/deb.sh with cargo-deb, installed on
//! this machine with dpkg, checked with the tools an admin would use (man,
//! systemd-analyze, systemctl, bash), and purged. The test machine is a
//! throwaway one (CI runs as root); a jforensics package already installed
//! is left alone and fails the test instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;

const UNITS: [&str; 2] = [
    "/usr/lib/systemd/system/jforensics-watch.service",
    "/usr/lib/systemd/system/jforensics-watch.timer",
];

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test ({e}); scripts/setup.sh installs it")
        })
}

fn ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn installed() -> bool {
    run("dpkg-query", &["-W", "-f=${Status}", "jforensics"])
        .stdout
        .ends_with(b" installed")
}

/// Purges the package when dropped, so a failing check leaves no install.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = run("dpkg", &["--purge", "jforensics"]);
    }
}

/// scripts/deb.sh on the debug build the tests run (see the script):
/// target/debug/jforensics is this test's CARGO_BIN_EXE_jforensics.
fn build() -> PathBuf {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("scripts/deb.sh"))
        .args(["--profile", "dev", "--no-build"])
        .current_dir(repo());
    // Cargo gives tests its CARGO_PKG_* and friends; cargo-deb's own cargo
    // calls need not see them.
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_") && !["CARGO_HOME", "CARGO_TARGET_DIR"].contains(&k.as_str()) {
            cmd.env_remove(k);
        }
    }
    let out = cmd.output().expect("bash");
    assert!(
        out.status.success(),
        "scripts/deb.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let deb = said
        .lines()
        .rev()
        .find(|l| l.ends_with(".deb"))
        .unwrap_or_else(|| panic!("cargo deb named no package: {said}"));
    PathBuf::from(deb.trim())
}

#[test]
fn the_debian_package_installs_documents_itself_and_purges_cleanly() {
    assert!(
        !installed(),
        "a jforensics package is already installed here; this test installs and purges its own"
    );
    let deb = build();
    let control = ok("dpkg-deb", &["--field", deb.to_str().unwrap()]);
    let depends = control
        .lines()
        .find_map(|l| l.strip_prefix("Depends: "))
        .unwrap_or_else(|| panic!("no Depends: {control}"));
    // Computed from the binary, which links libsystemd.
    assert!(
        depends.split(", ").any(|d| d.starts_with("libsystemd0")),
        "{depends}"
    );
    assert!(control.contains(&format!("Version: {}-", env!("CARGO_PKG_VERSION"))));

    let guard = Installed;
    ok("dpkg", &["--install", deb.to_str().unwrap()]);
    assert!(installed());
    let files: Vec<String> = ok("dpkg", &["--listfiles", "jforensics"])
        .lines()
        .map(str::to_string)
        .collect();

    let version = ok("/usr/bin/jforensics", &["--version"]);
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    let page = ok("man", &["-w", "jforensics"]);
    assert_eq!(page.trim(), "/usr/share/man/man1/jforensics.1.gz");
    let shown = Command::new("man")
        .arg("jforensics")
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("jforensics") && shown.contains("watch"),
        "{shown}"
    );

    // Without --man=no: Documentation=man:jforensics(1) must resolve too.
    let mut verify = vec!["verify"];
    verify.extend(UNITS);
    let out = run("systemd-analyze", &verify);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    let service = std::fs::read_to_string(UNITS[0]).unwrap();
    assert!(
        service.contains("ExecStart=/usr/bin/jforensics watch "),
        "{service}"
    );
    // Installed, not enabled: the admin picks the sinks first.
    let enabled = run("systemctl", &["is-enabled", "jforensics-watch.timer"]);
    assert_eq!(String::from_utf8_lossy(&enabled.stdout).trim(), "disabled");
    assert!(!Path::new("/etc/systemd/system/timers.target.wants/jforensics-watch.timer").exists());

    ok(
        "bash",
        &[
            "-c",
            "source /usr/share/bash-completion/completions/jforensics && complete -p jforensics",
        ],
    );
    for path in [
        "/usr/share/zsh/vendor-completions/_jforensics",
        "/usr/share/fish/vendor_completions.d/jforensics.fish",
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("watch"), "{path}");
    }
    assert_eq!(
        std::fs::read(repo().join("queries/crash-loops.sql")).unwrap(),
        std::fs::read("/usr/share/jforensics/queries/crash-loops.sql").unwrap()
    );
    assert!(Path::new("/usr/share/jforensics/queries/fleet/reboot-waves.sql").exists());

    ok("dpkg", &["--purge", "jforensics"]);
    std::mem::forget(guard);
    assert!(!installed());
    let left: Vec<&String> = files.iter().filter(|f| Path::new(f).is_file()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
