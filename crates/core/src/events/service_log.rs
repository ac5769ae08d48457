//! What services say about themselves: readiness and upstream errors, and
//! programs that log from outside any service.
//!
//! systemd's "Started" means different things per `Type=`: for Type=simple it
//! is logged at fork, seconds before the program may serve. Only the program
//! knows when it really serves, and it says so in its own words ("Uvicorn
//! running on …", "ready to accept connections"). Likewise only a proxy knows
//! that its upstream refused a connection. Those words are text in the
//! services' own output, so they are read here, in the events layer, and
//! handed on as typed events; the findings never read message text.
//!
//! The same pass notes programs that log from a login session or a user's
//! scope (`session-N.scope`, `app-….scope`) rather than from a service: a
//! shell loop kept alive by hand there survives nothing, and after a reboot
//! its name simply stops appearing.
//!
//! Everything here is best effort by nature: a program that logs nothing
//! when it is ready has no readiness event, and that is all it means.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::Manager;
use crate::evidence::Evidence;
use crate::journal::{Entry, Id128};

/// A line that means "this program now serves".
#[derive(Clone, Debug)]
pub struct ReadyPattern {
    /// Only this unit's lines (`--ready-pattern UNIT=REGEX`); None for all.
    pub unit: Option<String>,
    pub regex: Regex,
}

impl ReadyPattern {
    /// Parses `UNIT=REGEX`; "web" means web.service, as systemctl reads it.
    pub fn parse(spec: &str) -> Result<ReadyPattern, String> {
        let (unit, regex) = spec.split_once('=').ok_or_else(|| {
            format!("'{spec}' is not a readiness pattern: write UNIT=REGEX, e.g. web.service='Listening on'")
        })?;
        if unit.is_empty() {
            return Err(format!("'{spec}': the unit before '=' is missing"));
        }
        let unit = crate::events::unit_name(unit);
        let regex =
            Regex::new(regex).map_err(|e| format!("'{regex}' is not a regular expression: {e}"))?;
        Ok(ReadyPattern {
            unit: Some(unit),
            regex,
        })
    }

    fn applies_to(&self, unit: &str) -> bool {
        self.unit.as_deref().is_none_or(|u| u == unit)
    }
}

/// What common servers print once they accept connections. Case-insensitive.
const DEFAULT_READY: &[&str] = &[
    // uvicorn / Starlette / FastAPI
    r"Application startup complete",
    r"Uvicorn running on",
    // gunicorn: "Listening at: http://0.0.0.0:8000 (1234)"
    r"Listening at: ",
    // PostgreSQL, Redis ("Ready to accept connections tcp")
    r"ready to accept connections",
    // MySQL / MariaDB: "mysqld: ready for connections."
    r"ready for connections",
    // Node, Go, sshd, many others: "Listening on :8080", "listening on port 3000",
    // "Server listening on 0.0.0.0 port 22."
    r"\blistening on\b",
    r"\blistening on port\b",
    // ASP.NET Core
    r"Now listening on:",
    // Spring Boot and embedded servers
    r"\bStarted \S+ in [0-9.]+ seconds",
    r"\b(Tomcat|Jetty|Netty|Undertow) started on port",
    // Generic words servers use
    r"\bserver started\b",
    r"\bserver is (up|ready|running)\b",
    r"\bhttp server (is )?(listening|started|running)\b",
    // waitress ("Serving on http://…"), Flask/werkzeug ("Running on http://…")
    r"\bserving on\b",
    r"\bRunning on https?://",
];

/// A client that could not reach what it talks to: nginx/haproxy/Envoy
/// upstream failures, refused connections, 502/503/504 answers.
const UPSTREAM_ERROR: &str = r#"(?i)(connection refused|ECONNREFUSED|connect\(\) failed|no live upstreams|upstream (timed out|prematurely closed|connect error)|could not connect to|\b(502|503|504) (bad gateway|service unavailable|gateway time-?out)\b|bad gateway|service unavailable|gateway time-?out|HTTP/[0-9.]+"? (502|503|504)\b|no server available)"#;

/// `host:port` (an address, a name, `localhost`, `[::1]`, `*`, or nothing
/// before a leading colon as Go prints ":8080") and "port N". Times like
/// "07:04:09" do not match: the part before their colon is only digits.
const PORT: &str = r#"(?i)(?:(?:\b(?:\d{1,3}\.){3}\d{1,3}|\blocalhost|\[[0-9a-f:.]*\]|\*|\b[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*|(?:^|[\s"'(=,]))):(\d{2,5})\b|\bport\s+(\d{2,5})\b"#;

/// The patterns compiled once per run, not once per boot: a `findings` run
/// over hundreds of boots spent more time compiling them than matching.
static DEFAULT_READY_COMPILED: LazyLock<Vec<ReadyPattern>> = LazyLock::new(|| {
    DEFAULT_READY
        .iter()
        .map(|p| ReadyPattern {
            unit: None,
            regex: Regex::new(&format!("(?i){p}")).expect("default readiness pattern compiles"),
        })
        .collect()
});
/// The default readiness patterns and then the upstream-error pattern as
/// one set: a service line is scanned once, not once per pattern.
static SCREEN: LazyLock<RegexSet> = LazyLock::new(|| {
    let ready = DEFAULT_READY.iter().map(|p| format!("(?i){p}"));
    RegexSet::new(ready.chain([UPSTREAM_ERROR.to_string()])).expect("service line patterns compile")
});
/// The upstream-error pattern's place in [`SCREEN`].
const UPSTREAM_IN_SCREEN: usize = DEFAULT_READY.len();
static PORT_COMPILED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PORT).expect("port pattern compiles"));

/// What a service line said.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ServiceLogKind {
    /// The program said it serves; `ports` are those the line names.
    Ready { pattern: String, ports: Vec<u16> },
    /// The program could not reach something: refused connection, bad
    /// gateway, …; `ports` are those the line names (the upstream's, mostly).
    UpstreamError { ports: Vec<u16> },
}

/// One line of a service's own output that means something.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ServiceLogEvent {
    pub kind: ServiceLogKind,
    /// The unit whose process logged it (`_SYSTEMD_UNIT`, or
    /// `_SYSTEMD_USER_UNIT` for a user manager's units).
    pub unit: String,
    pub manager: Manager,
    /// `_SYSTEMD_INVOCATION_ID`: which run of the unit logged it.
    pub invocation_id: Option<Id128>,
    pub boot_id: Id128,
    pub realtime_usec: u64,
    pub monotonic_usec: Option<u64>,
    pub evidence: Evidence,
}

impl ServiceLogEvent {
    /// Orders events within a boot, like [`super::Event::sort_key`].
    pub fn sort_key(&self) -> u64 {
        self.monotonic_usec.unwrap_or(self.realtime_usec)
    }

    pub fn ports(&self) -> &[u16] {
        match &self.kind {
            ServiceLogKind::Ready { ports, .. } | ServiceLogKind::UpstreamError { ports } => ports,
        }
    }
}

/// A program that logged from a login session or a user's scope, not from a
/// service, during one boot.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutsideProcess {
    /// `SYSLOG_IDENTIFIER`, else `_COMM`.
    pub name: String,
    /// The scope of its first line (`session-c1.scope`, `app-….scope`).
    pub scope: String,
    /// System for session scopes, the user manager for a user's scopes.
    pub manager: Manager,
    pub uid: Option<u32>,
    pub lines: u64,
    /// Distinct PIDs that logged under this name (at most [`MAX_PIDS`]): a
    /// program restarted by a loop logs from a new PID every run.
    pub pids: BTreeSet<u32>,
    pub first: Evidence,
    pub first_monotonic_usec: Option<u64>,
    pub last: Evidence,
    pub last_monotonic_usec: Option<u64>,
}

/// How many PIDs are remembered per outside process.
pub const MAX_PIDS: usize = 64;

impl OutsideProcess {
    /// µs between its first and last line (monotonic where known).
    pub fn span_usec(&self) -> u64 {
        match (self.first_monotonic_usec, self.last_monotonic_usec) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => self
                .last
                .realtime_usec
                .saturating_sub(self.first.realtime_usec),
        }
    }
}

/// Everything this module read from one boot.
#[derive(Clone, Debug, Default)]
pub struct BootServiceLog {
    pub boot_id: Id128,
    /// Readiness and upstream-error lines, in time order.
    pub events: Vec<ServiceLogEvent>,
    /// Upstream-error lines beyond [`MAX_ERRORS`] that were counted, not kept.
    pub errors_dropped: u64,
    /// Programs logging from scopes, by name.
    pub outside: Vec<OutsideProcess>,
    /// Every program name (`SYSLOG_IDENTIFIER`, `_COMM`) that logged in the
    /// boot, from anywhere: "never appears again" is checked against it.
    pub names: BTreeSet<String>,
}

impl BootServiceLog {
    pub fn ready_events(&self) -> impl Iterator<Item = &ServiceLogEvent> {
        self.events
            .iter()
            .filter(|e| matches!(e.kind, ServiceLogKind::Ready { .. }))
    }

    pub fn error_events(&self) -> impl Iterator<Item = &ServiceLogEvent> {
        self.events
            .iter()
            .filter(|e| matches!(e.kind, ServiceLogKind::UpstreamError { .. }))
    }
}

/// Upstream-error lines kept per boot; a proxy in front of a dead backend
/// can log thousands, and a handful proves the point.
pub const MAX_ERRORS: usize = 5_000;

/// Every field [`ServiceLogScanner::observe`] reads (besides what
/// [`Evidence::from_entry`] reads).
pub const FIELDS: &[&str] = &[
    "MESSAGE",
    "SYSLOG_IDENTIFIER",
    "_COMM",
    "_PID",
    "_UID",
    "_TRANSPORT",
    "_SYSTEMD_UNIT",
    "_SYSTEMD_USER_UNIT",
    "_SYSTEMD_INVOCATION_ID",
    "_SYSTEMD_OWNER_UID",
];

/// Reads service output of one boot while entries stream past.
pub struct ServiceLogScanner {
    boot_id: Id128,
    /// `--ready-pattern`s, tried before the defaults.
    extra: Vec<ReadyPattern>,
    port: Regex,
    log: BootServiceLog,
    outside: HashMap<String, OutsideProcess>,
    errors_kept: usize,
}

impl ServiceLogScanner {
    /// `extra` patterns are tried before the defaults.
    pub fn new(boot_id: Id128, extra: &[ReadyPattern]) -> ServiceLogScanner {
        ServiceLogScanner {
            boot_id,
            extra: extra.to_vec(),
            port: PORT_COMPILED.clone(),
            log: BootServiceLog {
                boot_id,
                ..BootServiceLog::default()
            },
            outside: HashMap::new(),
            errors_kept: 0,
        }
    }

    /// Reads one entry; true when it changed what this scanner holds. The
    /// entries it returns false for can be left out of a later replay with
    /// the same result, which is what lets `watch` keep a boot's few telling
    /// entries instead of reading the whole boot again.
    pub fn observe(&mut self, entry: &Entry) -> bool {
        if entry.boot_id != self.boot_id {
            return false;
        }
        let name = entry
            .str("SYSLOG_IDENTIFIER")
            .or_else(|| entry.str("_COMM"))
            .filter(|n| !n.is_empty());
        let new_name = name.is_some_and(|n| !self.log.names.contains(n));
        if let Some(name) = name
            && new_name
        {
            self.log.names.insert(name.to_string());
        }
        // The managers' own lines and the kernel's are not service output.
        if entry.is_from_pid1()
            || entry.field("_TRANSPORT") == Some(b"kernel")
            || entry.field("_SYSTEMD_USER_UNIT") == Some(b"init.scope")
        {
            return new_name;
        }
        let Some((unit, manager)) = origin(entry) else {
            return new_name;
        };
        if unit.ends_with(".scope") {
            if let Some(name) = name {
                self.note_outside(entry, name, unit, manager);
                return true;
            }
            return new_name;
        }
        let message = entry.message();
        if message.is_empty() {
            return new_name;
        }
        let extra = self
            .extra
            .iter()
            .find(|p| p.applies_to(unit) && p.regex.is_match(&message));
        let screened = match extra {
            Some(_) => None,
            None => Some(SCREEN.matches(&message)),
        };
        // The first default that matches, as trying them in order finds it.
        let default = screened
            .as_ref()
            .and_then(|hits| hits.iter().next())
            .and_then(|i| DEFAULT_READY_COMPILED.get(i));
        let kind = if let Some(p) = extra.or(default) {
            ServiceLogKind::Ready {
                pattern: p.regex.as_str().trim_start_matches("(?i)").to_string(),
                ports: self.ports(&message),
            }
        } else if screened.is_some_and(|hits| hits.matched(UPSTREAM_IN_SCREEN)) {
            if self.errors_kept >= MAX_ERRORS {
                self.log.errors_dropped += 1;
                return true;
            }
            self.errors_kept += 1;
            ServiceLogKind::UpstreamError {
                ports: self.ports(&message),
            }
        } else {
            return new_name;
        };
        self.log.events.push(ServiceLogEvent {
            kind,
            unit: unit.to_string(),
            manager,
            invocation_id: entry
                .field("_SYSTEMD_INVOCATION_ID")
                .and_then(Id128::parse_bytes),
            boot_id: entry.boot_id,
            realtime_usec: entry.realtime_usec,
            monotonic_usec: entry.monotonic_usec,
            evidence: Evidence::from_entry(entry),
        });
        true
    }

    fn ports(&self, message: &str) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .port
            .captures_iter(message)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .filter_map(|m| m.as_str().parse().ok())
            .collect();
        ports.dedup();
        ports
    }

    fn note_outside(&mut self, entry: &Entry, name: &str, scope: &str, manager: Manager) {
        let pid = entry.number("_PID").and_then(|p| u32::try_from(p).ok());
        let evidence = Evidence::from_entry(entry);
        let p = self
            .outside
            .entry(name.to_string())
            .or_insert_with(|| OutsideProcess {
                name: name.to_string(),
                scope: scope.to_string(),
                manager,
                uid: entry.number("_UID").and_then(|u| u32::try_from(u).ok()),
                lines: 0,
                pids: BTreeSet::new(),
                first: evidence.clone(),
                first_monotonic_usec: entry.monotonic_usec,
                last: evidence.clone(),
                last_monotonic_usec: entry.monotonic_usec,
            });
        p.lines += 1;
        if let Some(pid) = pid
            && p.pids.len() < MAX_PIDS
        {
            p.pids.insert(pid);
        }
        p.last = evidence;
        p.last_monotonic_usec = entry.monotonic_usec;
    }

    pub fn finish(mut self) -> BootServiceLog {
        self.log.events.sort_by_key(ServiceLogEvent::sort_key);
        let mut outside: BTreeMap<u64, Vec<OutsideProcess>> = BTreeMap::new();
        for p in self.outside.into_values() {
            outside.entry(p.first.realtime_usec).or_default().push(p);
        }
        self.log.outside = outside.into_values().flatten().collect();
        self.log
    }
}

/// The unit whose process logged the entry, and which manager runs it.
fn origin(entry: &Entry) -> Option<(&str, Manager)> {
    let system_unit = entry.str("_SYSTEMD_UNIT")?;
    if let Some(user_unit) = entry.str("_SYSTEMD_USER_UNIT") {
        let uid = system_unit
            .strip_prefix("user@")
            .and_then(|u| u.strip_suffix(".service"))
            .and_then(|u| u.parse().ok())
            .or_else(|| {
                entry
                    .number("_SYSTEMD_OWNER_UID")
                    .and_then(|u| u32::try_from(u).ok())
            });
        if let Some(uid) = uid {
            return Some((user_unit, Manager::User(uid)));
        }
    }
    Some((system_unit, Manager::System))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOT: Id128 = Id128([3; 16]);

    fn line(mono: u64, fields: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(1_000_000 + mono, BOOT);
        e.monotonic_usec = Some(mono);
        e.cursor = format!("s=1;i={mono:x}");
        for (n, v) in fields {
            e.push_field(n, v.as_bytes());
        }
        e
    }

    fn service(mono: u64, unit: &str, message: &str) -> Entry {
        line(
            mono,
            &[
                ("_SYSTEMD_UNIT", unit),
                ("_TRANSPORT", "stdout"),
                ("_PID", "233"),
                ("SYSLOG_IDENTIFIER", "python3"),
                ("_SYSTEMD_INVOCATION_ID", "777401b3caa544b0b6279e793c576563"),
                ("MESSAGE", message),
            ],
        )
    }

    #[test]
    fn readiness_lines_of_common_servers_are_recognised_with_their_port() {
        let mut s = ServiceLogScanner::new(BOOT, &[]);
        for (i, (unit, text)) in [
            ("webapp.service", "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)"),
            ("db.service", "database system is ready to accept connections on 127.0.0.1:5432"),
            ("redis.service", "Ready to accept connections tcp"),
            ("api.service", "2024/05/01 listening on :8080"),
            ("gunicorn.service", "[2024-05-01 10:00:00 +0000] [12] [INFO] Listening at: http://0.0.0.0:9000 (12)"),
            ("mysql.service", "/usr/sbin/mysqld: ready for connections. Version: '8.0'  socket: '/run/mysqld/mysqld.sock'  port: 3306"),
            ("shop.service", "Started ShopApplication in 4.213 seconds (process running for 4.9)"),
        ]
        .into_iter()
        .enumerate()
        {
            s.observe(&service(i as u64 * 10, unit, text));
        }
        let log = s.finish();
        let ready: Vec<(&str, Vec<u16>)> = log
            .ready_events()
            .map(|e| (e.unit.as_str(), e.ports().to_vec()))
            .collect();
        assert_eq!(
            ready,
            vec![
                ("webapp.service", vec![8000]),
                ("db.service", vec![5432]),
                ("redis.service", vec![]),
                ("api.service", vec![8080]),
                ("gunicorn.service", vec![9000]),
                ("mysql.service", vec![]),
                ("shop.service", vec![]),
            ]
        );
        assert_eq!(
            log.events[0].invocation_id.unwrap().to_string(),
            "777401b3caa544b0b6279e793c576563"
        );
    }

    #[test]
    fn a_proxys_refused_upstream_names_the_upstream_port_not_the_time() {
        let mut s = ServiceLogScanner::new(BOOT, &[]);
        s.observe(&service(
            1,
            "proxy.service",
            r#"2026/11/21 07:04:09 [error] 229#229: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8000/", host: "localhost""#,
        ));
        s.observe(&service(
            2,
            "lb.service",
            r#"127.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET /api HTTP/1.1" 502 157"#,
        ));
        s.observe(&service(
            3,
            "proxy.service",
            "upstream http://127.0.0.1:8000/ is answering",
        ));
        let log = s.finish();
        let errors: Vec<(&str, Vec<u16>)> = log
            .error_events()
            .map(|e| (e.unit.as_str(), e.ports().to_vec()))
            .collect();
        assert_eq!(
            errors,
            vec![("proxy.service", vec![8000]), ("lb.service", vec![])]
        );
        assert_eq!(log.ready_events().count(), 0);
    }

    #[test]
    fn ordinary_lines_and_the_managers_own_lines_are_no_events() {
        let mut s = ServiceLogScanner::new(BOOT, &[]);
        s.observe(&service(1, "worker.service", "worker.service: up, pid 234"));
        // PID 1's "Listening on" is a socket unit starting, not a server.
        s.observe(&line(
            2,
            &[
                ("_PID", "1"),
                ("_SYSTEMD_UNIT", "init.scope"),
                ("MESSAGE", "Listening on echo.socket - Socket."),
            ],
        ));
        s.observe(&line(
            3,
            &[
                ("_TRANSPORT", "kernel"),
                ("MESSAGE", "listening on port 22"),
            ],
        ));
        let log = s.finish();
        assert!(log.events.is_empty(), "{:?}", log.events);
    }

    #[test]
    fn a_ready_pattern_for_one_unit_applies_to_that_unit_only() {
        let extra = ReadyPattern::parse("worker=up, pid").unwrap();
        assert_eq!(extra.unit.as_deref(), Some("worker.service"));
        let mut s = ServiceLogScanner::new(BOOT, &[extra]);
        s.observe(&service(1, "worker.service", "worker.service: up, pid 234"));
        s.observe(&service(2, "keeper.service", "keeper.service: up, pid 228"));
        let log = s.finish();
        let units: Vec<&str> = log.ready_events().map(|e| e.unit.as_str()).collect();
        assert_eq!(units, vec!["worker.service"]);
        assert!(ReadyPattern::parse("nounit").is_err());
        assert!(ReadyPattern::parse("x=(").is_err());
    }

    #[test]
    fn programs_in_session_and_user_scopes_are_outside_processes() {
        let mut s = ServiceLogScanner::new(BOOT, &[]);
        for (mono, pid) in [(10, "478"), (20, "484"), (30, "490")] {
            s.observe(&line(
                mono,
                &[
                    ("_SYSTEMD_UNIT", "session-c1.scope"),
                    ("_TRANSPORT", "syslog"),
                    ("SYSLOG_IDENTIFIER", "batchjob"),
                    ("_COMM", "logger"),
                    ("_PID", pid),
                    ("_UID", "1000"),
                    ("MESSAGE", "run started"),
                ],
            ));
        }
        s.observe(&line(
            40,
            &[
                ("_SYSTEMD_UNIT", "user@1000.service"),
                (
                    "_SYSTEMD_USER_UNIT",
                    "app-gnome-org.gnome.Software-1923.scope",
                ),
                ("_COMM", "gnome-software"),
                ("_PID", "1923"),
                ("MESSAGE", "refreshing"),
            ],
        ));
        let log = s.finish();
        let seen: Vec<(&str, &str, Manager, u64, usize)> = log
            .outside
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.scope.as_str(),
                    p.manager,
                    p.lines,
                    p.pids.len(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("batchjob", "session-c1.scope", Manager::System, 3, 3),
                (
                    "gnome-software",
                    "app-gnome-org.gnome.Software-1923.scope",
                    Manager::User(1000),
                    1,
                    1
                ),
            ]
        );
        assert_eq!(log.outside[0].span_usec(), 20);
        assert!(log.names.contains("batchjob") && log.names.contains("gnome-software"));
    }
}
