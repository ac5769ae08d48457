//! What systemd's naming rules say: which units can trigger a unit by
//! name, and the short forms the explanations quote.

use crate::lifecycle::Activation;

/// The units that can trigger `unit` by name: `foo.socket` for `foo.service`
/// and for `foo@instance.service` (Accept=yes), `foo@instance.socket` too.
pub(super) fn trigger_names(unit: &str, suffix: &str) -> Vec<String> {
    let Some(stem) = unit.strip_suffix(".service") else {
        return Vec::new();
    };
    let mut names = vec![format!("{stem}{suffix}")];
    if let Some((template, _)) = stem.split_once('@') {
        names.push(format!("{template}{suffix}"));
    }
    names
}

/// Whether `unit` is the per-connection instance an Accept=yes `socket`
/// spawns: `foo@N-…` for `foo.socket`, N being the connection number
/// (`N-LOCALIP:PORT-REMOTEIP:PORT`, or `N-PID-UID` on AF_UNIX).
pub(super) fn is_connection_instance(unit: &str, socket: &str) -> bool {
    let (Some(template), Some(stem)) = (unit.split_once('@'), socket.strip_suffix(".socket"))
    else {
        return false;
    };
    let (name, instance) = template;
    name == stem
        && instance.split_once('-').is_some_and(|(n, rest)| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty()
        })
}

/// "exit-code, status=1", "core-dump, signal=11 (core dumped)", "success".
pub(super) fn describe_end(activation: &Activation) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &activation.result {
        parts.push(r.clone());
    }
    if let Some(x) = &activation.exit {
        parts.push(x.describe());
    }
    if parts.is_empty() {
        "end not logged".to_string()
    } else {
        parts.join(", ")
    }
}

/// "/usr/bin/systemctl start adhoc.service" → "systemctl start adhoc.service".
pub(super) fn short_command(command: &str) -> String {
    let (program, rest) = command.split_once(' ').unwrap_or((command, ""));
    let program = program.rsplit('/').next().unwrap_or(program);
    if rest.is_empty() {
        program.to_string()
    } else {
        format!("{program} {rest}")
    }
}
