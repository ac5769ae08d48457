//! systemd's shutdown vocabulary: the units whose start means the system is
//! going down, written once. The boot scanner reads a boot's end from them
//! (and asks the index for them), the detectors tell the shutdown's stop
//! jobs from a person's by them.

/// Each unit whose start means the system is going down, with the kind of
/// shutdown it names (`None`: any kind). The `.target`s are what
/// `systemctl reboot` & co. start; the `systemd-*.service`s are what those
/// targets pull in to do it.
pub const UNITS: [(&str, Option<&str>); 10] = [
    ("shutdown.target", None),
    ("final.target", None),
    ("reboot.target", Some("reboot")),
    ("systemd-reboot.service", Some("reboot")),
    ("poweroff.target", Some("poweroff")),
    ("systemd-poweroff.service", Some("poweroff")),
    ("halt.target", Some("halt")),
    ("systemd-halt.service", Some("halt")),
    ("kexec.target", Some("kexec")),
    ("systemd-kexec.service", Some("kexec")),
];

/// Whether starting `unit` means the system is going down.
pub fn is_shutdown_unit(unit: &str) -> bool {
    UNITS.iter().any(|(u, _)| *u == unit)
}

/// The kind of shutdown starting `unit` names ("reboot", "poweroff",
/// "halt", "kexec"), if it names one.
pub fn kind_of(unit: &str) -> Option<&'static str> {
    UNITS.iter().find(|(u, _)| *u == unit).and_then(|(_, k)| *k)
}
