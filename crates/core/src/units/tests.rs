//! On real unit files: a copy of part of a Debian 12 system's
//! `/lib/systemd/system` and its whole `/etc/systemd/system`
//! (tests/fixtures/units/debian12-root), checked against what the files
//! say and against `systemctl --root` itself where it answers offline.

use std::path::PathBuf;
use std::process::Command;

use super::*;

fn root() -> PathBuf {
    // The workspace root, two levels above this crate, as a clean path:
    // `systemctl --root` does not take one with `..` in it.
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap();
    repo.join("tests/fixtures/units/debian12-root")
}

fn tree() -> UnitTree {
    UnitTree::load_root(&root())
}

#[test]
fn fragments_declare_what_their_files_say() {
    let t = tree();
    let dbus = t.get("dbus.service").unwrap();
    assert_eq!(
        dbus.fragment.as_deref(),
        Some("/lib/systemd/system/dbus.service")
    );
    assert!(dbus.declares(DepKind::Requires, "dbus.socket"));
    assert!(!dbus.declares(DepKind::Wants, "dbus.socket"));
    // journald's socket units are listed in its own Requires=/After=.
    let j = t.get("systemd-journald.service").unwrap();
    assert!(j.declares(DepKind::Requires, "systemd-journald.socket"));
    assert!(j.declares(DepKind::After, "systemd-journald.socket"));
}

#[test]
fn sockets_and_timers_trigger_their_namesakes() {
    let t = tree();
    assert!(
        t.get("dbus.socket")
            .unwrap()
            .declares(DepKind::Triggers, "dbus.service")
    );
    assert!(
        t.get("dbus.service")
            .unwrap()
            .declares(DepKind::TriggeredBy, "dbus.socket")
    );
    assert!(
        t.get("dbus.service")
            .unwrap()
            .declares(DepKind::After, "dbus.socket")
    );
    assert!(
        t.get("apt-daily.timer")
            .unwrap()
            .declares(DepKind::Triggers, "apt-daily.service")
    );
    assert!(
        t.declared("apt-daily.service", "apt-daily.timer")
            .contains(&DepKind::TriggeredBy)
    );
    assert!(
        t.get("dbus.socket")
            .unwrap()
            .listen
            .iter()
            .any(|l| l == "/run/dbus/system_bus_socket")
    );
}

#[test]
fn dropins_are_merged() {
    let t = tree();
    let rc = t.get("rc-local.service").unwrap();
    assert_eq!(
        rc.dropins,
        vec!["/lib/systemd/system/rc-local.service.d/debian.conf".to_string()]
    );
    assert!(rc.declares(DepKind::After, "network-online.target"));
    // Without the drop-in the fragment's own After= is still there.
    assert!(rc.declares(DepKind::After, "network.target"));
}

#[test]
fn aliases_and_templates_resolve_as_systemd_does() {
    let t = tree();
    assert_eq!(t.canonical("default.target"), "graphical.target");
    assert_eq!(
        t.canonical("dbus-org.freedesktop.login1.service"),
        "systemd-logind.service"
    );
    assert_eq!(t.canonical("autovt@tty2.service"), "getty@tty2.service");
    let t = t.with(["getty@tty2.service".to_string()]);
    let tty1 = t.get("getty@tty1.service").unwrap();
    assert!(tty1.enabled_by.contains("getty.target"));
    assert!(tty1.declares(DepKind::After, "systemd-user-sessions.service"));
    assert!(tty1.declares(DepKind::Before, "getty.target"));
    let tty2 = t.get("autovt@tty2.service").unwrap();
    assert_eq!(tty2.name, "getty@tty2.service");
    assert!(tty2.enabled_by.is_empty());
}

#[test]
fn boot_reaches_what_default_target_pulls() {
    let t = tree();
    for n in [
        "graphical.target",
        "multi-user.target",
        "postgresql.service",
        "dbus.service",
        "dbus.socket",
        "getty@tty1.service",
        "apt-daily.timer",
        "apt-daily.service",
    ] {
        assert!(t.started_at_boot(n), "{n} should start at boot");
    }
    for n in [
        "postgresql@15-main.service",
        "getty@tty2.service",
        "rc-local.service",
    ] {
        assert!(!t.started_at_boot(n), "{n} is not pulled in at boot");
    }
}

/// `systemctl --root` reads the same tree offline: what it calls enabled
/// has a link from /etc here, what it calls static has no [Install], what
/// it calls an alias is one.
#[test]
fn enablement_agrees_with_systemctl() {
    let t = tree();
    let dir = root().join("lib/systemd/system");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_unit_name(n))
        .collect();
    names.sort();
    let Ok(out) = Command::new("systemctl")
        .arg(format!("--root={}", root().display()))
        .arg("is-enabled")
        .args(&names)
        .env("SYSTEMD_LOG_LEVEL", "err")
        .output()
    else {
        eprintln!("systemctl not installed: skipped");
        return;
    };
    let answers: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(answers.len(), names.len(), "{answers:?}");
    let mut checked = 0;
    for (name, state) in names.iter().zip(&answers) {
        match state.as_str() {
            "alias" => assert!(t.aliases.contains_key(name), "{name}"),
            "static" if is_template(name) => assert!(t.templates.contains_key(name), "{name}"),
            "static" => assert!(!t.get(name).unwrap().installable, "{name}"),
            "enabled" if is_template(name) => {
                let prefix = name.split('@').next().unwrap();
                assert!(
                    t.units
                        .values()
                        .any(|u| u.name.starts_with(&format!("{prefix}@"))
                            && !u.enabled_by.is_empty()),
                    "{name}"
                );
            }
            "enabled" => assert!(!t.get(name).unwrap().enabled_by.is_empty(), "{name}"),
            "disabled" => {
                let prefix = name.split('@').next().unwrap();
                assert!(
                    !t.units
                        .values()
                        .any(|u| u.name.starts_with(&format!("{prefix}@"))
                            && !u.enabled_by.is_empty()),
                    "{name}"
                );
            }
            other => panic!("{name}: unexpected {other}"),
        }
        checked += 1;
    }
    assert!(checked > 30);
}

#[test]
fn parser_follows_systemd_syntax() {
    let mut s = parse::Sections::default();
    s.apply(
        "[Unit]\nAfter=a.service \\\n  b.service\n# c\nWants=x.service\nWants=\nWants=y.service\n",
        &|v: &str| v.to_string(),
    );
    assert_eq!(s.get("Unit", "After"), ["a.service", "b.service"]);
    assert_eq!(s.get("Unit", "Wants"), ["y.service"]);
    assert_eq!(
        expand_specifiers("getty@tty1.service", "serial-getty@%i.service %n %p"),
        "serial-getty@tty1.service getty@tty1.service getty"
    );
}

#[test]
fn a_missing_tree_says_so() {
    let t = UnitTree::load_root(Path::new("/nonexistent-jforensics-root"));
    assert!(t.units.is_empty());
    assert_eq!(t.problems.len(), 1);
}

#[test]
fn systemctl_show_blocks_parse() {
    // Property names and the empty-line block separator are systemctl's
    // (`systemctl show -p … a b`); the values are from this tree's files.
    let u = live::parse_show(
        "Id=dbus.service\nNames=dbus.service messagebus.service\nLoadState=loaded\nRequires=dbus.socket sysinit.target\nAfter=dbus.socket\nUnitFileState=static\n\nId=nope.service\nLoadState=not-found\n",
    );
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].aliases, ["messagebus.service"]);
    assert!(u[0].declares(DepKind::Requires, "dbus.socket"));
    assert!(!u[0].installable);
}
