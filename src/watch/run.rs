//! One run of `jforensics watch`: lock, load the state, send again what a
//! killed run left in the outbox, read the journal from the checkpoint,
//! save the outcome with its records in the outbox, deliver them, empty the
//! outbox (see the module above for why in that order).
//!
//! The front end only turns flags into [`Settings`] and the [`Ran`] into an
//! exit status; what the run prints goes through the `print` it is given
//! and what it has to say through the session's observer, in the order the
//! protocol reaches them.

use std::path::{Path, PathBuf};

use super::record::{Event, Gap, Record};
use super::resume::{self, BootSoFar};
use super::state::{Checkpoint, Pending, Scope, State, Store, VERSION};
use super::{alertmanager, crash_point, lock, plan, sink, textfile, webhook};
use crate::boots::Boot;
use crate::findings::{Finding, Options, Severity};
use crate::journal::{Fields, Filter, Id128, SourceSpec, StreamInput};
use crate::session::{Error, Result, Session};

/// A saved time this far ahead of the clock is not clock skew.
const FUTURE_SLACK_USEC: u64 = 10 * 60 * 1_000_000;

/// The boots the next run reads again, and so resumes: the newest, which
/// may still grow, and the one before, which "lost at reboot" compares it
/// with.
const BOOTS_RESUMED: usize = 2;

/// Set (to anything), a run says on stderr how it read each boot: whole and
/// why, or resumed after how many entries.
pub const TRACE_ENV: &str = "JFORENSICS_WATCH_TRACE";

/// What a run is asked to do (the flags of `jforensics watch`).
pub struct Settings {
    /// The state directory (`$STATE_DIRECTORY` may list several; the first
    /// is ours).
    pub state: PathBuf,
    pub jsonl: Option<PathBuf>,
    pub webhook: Option<webhook::Url>,
    pub alertmanager: Vec<webhook::Url>,
    pub alert_hold_usec: u64,
    pub textfile: Option<PathBuf>,
    pub initial_lookback_usec: u64,
    pub ttl_usec: u64,
    /// Wait for the lock instead of giving up.
    pub wait: bool,
    /// Read the boots in scope whole (no resume).
    pub full: bool,
    /// Count the new findings at or above this severity.
    pub fail_on: Option<Severity>,
    /// The detectors' thresholds.
    pub options: Options,
    /// Each record as a JSON line through `print` (`-o json`).
    pub print_records: bool,
    /// One line per record and a summary through `print` (`-o short`).
    pub print_summary: bool,
}

/// How a run ended, when it did not fail.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    /// Another run holds the lock; nothing was done.
    Busy,
    /// The run completed; `new_at_or_above` new findings (this run's or an
    /// interrupted one's) were at or above `fail_on`.
    Done { new_at_or_above: usize },
}

/// One run, start to end.
pub fn run_once(session: &Session, settings: &Settings, print: &dyn Fn(&str)) -> Result<Ran> {
    if session.time_filter.since_usec.is_some() || session.time_filter.until_usec.is_some() {
        return Err(Error::Usage(
            "watch reads from its saved checkpoint: drop -S/--since and -U/--until (--initial-lookback bounds a first run)".to_string(),
        ));
    }
    let dir = state_dir(&settings.state);
    std::fs::create_dir_all(&dir).map_err(|e| {
        format!(
            "cannot create the state directory {}: {e}; give a writable one with --state DIR",
            dir.display()
        )
    })?;
    let _lock = match lock::acquire(&dir, settings.wait)
        .map_err(|e| format!("cannot lock {}: {e}", dir.join("watch.lock").display()))?
    {
        lock::Acquired::Held(l) => l,
        lock::Acquired::Busy { path, holder } => {
            session.say(&format!(
                "jforensics: another `jforensics watch` (pid {}) holds {}; this run exits without doing anything (the timer tries again; --wait waits for it)",
                holder.as_deref().unwrap_or("unknown"),
                path.display()
            ));
            return Ok(Ran::Busy);
        }
    };
    let mut store = None;
    let run = Run {
        session,
        settings,
        print,
    };
    let outcome = run.locked(&dir, &mut store);
    let Some(path) = &settings.textfile else {
        return outcome;
    };
    // What the state on disk says now, whatever the run got to.
    let state = store.and_then(|s| s.load().state);
    let metrics = textfile::render(state.as_ref(), now_usec(), outcome.is_ok());
    match (textfile::write(path, &metrics), outcome) {
        (Ok(()), outcome) => outcome,
        (Err(e), Ok(_)) => {
            Err(format!("cannot write the metrics to {}: {e}", path.display()).into())
        }
        (Err(e), Err(first)) => {
            session.say(&format!(
                "jforensics: cannot write the metrics to {}: {e}",
                path.display()
            ));
            Err(first)
        }
    }
}

struct Run<'a> {
    session: &'a Session,
    settings: &'a Settings,
    print: &'a dyn Fn(&str),
}

/// What the detectors found, with what the next run needs to resume.
struct Detected {
    findings: Vec<Finding>,
    /// The boots the next run reads, as far as this one read them.
    so_far: Vec<BootSoFar>,
    /// The entries reads resumed after (each found in the journal).
    resumed_after: Vec<String>,
}

impl Run<'_> {
    /// The run proper, under the lock; `store` is set once the state's file is
    /// known, so the metrics can describe it however the run ends.
    fn locked(&self, dir: &Path, store_out: &mut Option<Store>) -> Result<Ran> {
        let (session, settings) = (self.session, self.settings);
        let now = now_usec();
        let all = session.boots()?;
        let (machine, hostname) = journal_host(session, &all)?;
        let scope = Scope {
            machine_id: machine.to_string(),
            source: source_key(&session.spec),
            settings: settings_key(&settings.options),
        };
        let store = store_out.insert(Store::new(dir, &scope));
        let loaded = store.load();
        for note in &loaded.notes {
            session.say(&format!("jforensics: warning: {note}"));
        }
        if loaded.both_bad {
            session.say(&format!(
                "jforensics: warning: starting afresh from the last {} of the journal (--initial-lookback); findings in it may be sent again",
                human_duration(settings.initial_lookback_usec)
            ));
        }
        let before = loaded.state;
        let empty = Default::default();
        let sender = |reported| alertmanager::Sender {
            instance: &hostname,
            now_usec: now,
            hold_usec: settings.alert_hold_usec,
            reported,
        };
        if let Some(s) = &before {
            check_state(s, &scope, &store.path(), now)?;
        }
        // The state already counts these as delivered: send them before anything
        // the next records could contradict (a `resolved` after its `new`).
        let resent = before.as_ref().map_or(&[][..], |s| &s.outbox[..]);
        if !resent.is_empty() {
            session.say(&format!(
                "jforensics: warning: the last run was interrupted while delivering; sending its {} record(s) again (receivers drop repeats by fingerprint and event)",
                resent.len()
            ));
            let bodies: Vec<&str> = resent.iter().map(|p| p.record.as_str()).collect();
            let reported = before.as_ref().map_or(&empty, |s| &s.reported);
            self.deliver(&bodies, &[], &sender(reported), "replay")?;
        }
        let checkpoint = before.as_ref().and_then(|s| s.checkpoint.clone());
        let newest = all.iter().map(|b| b.last_realtime_usec).max().unwrap_or(0);
        let since = newest.saturating_sub(settings.initial_lookback_usec);
        let selected = super::boots_to_analyse(&all, checkpoint.as_ref(), since);
        let saved = match &before {
            Some(s) if !settings.full => &s.boots[..],
            _ => &[],
        };
        let detected = self.detect(&all, &selected, saved)?;
        let mut found = detected.findings;
        // A read resumed after the checkpoint's entry found it still there.
        let gap = match &checkpoint {
            Some(cp)
                if !detected
                    .resumed_after
                    .iter()
                    .any(|c| super::same_entry(c, &cp.cursor)) =>
            {
                lost_time(session, &all, cp)?
            }
            _ => None,
        };
        if checkpoint.is_none() {
            found.retain(|f| f.end_realtime_usec >= since);
        }
        let seen = plan::Seen {
            machine_id: Id128::parse(&scope.machine_id).unwrap_or_default(),
            findings: &found,
            boots: &all,
            gap: gap.as_ref(),
            now_usec: now,
            ttl_usec: settings.ttl_usec,
            restored: loaded.both_bad || !loaded.notes.is_empty(),
        };
        let (records, reported) =
            plan::plan(before.as_ref().map_or(&empty, |s| &s.reported), &seen);
        let firing: Vec<serde_json::Value> = if settings.alertmanager.is_empty() {
            Vec::new()
        } else {
            plan::still_firing(&reported, &seen)
                .iter()
                .map(Record::to_json)
                .collect()
        };
        let mut state = State {
            version: VERSION,
            scope,
            checkpoint: super::checkpoint_of(&all).or(checkpoint),
            reported,
            outbox: records.iter().map(Record::pending).collect(),
            boots: detected.so_far,
            committed_at_usec: now,
            totals: before
                .as_ref()
                .map(|s| s.totals.clone())
                .unwrap_or_default(),
        };
        state.count_new(
            records
                .iter()
                .filter(|r| r.event == Event::New)
                .map(|r| (r.kind.as_str(), r.severity.as_str())),
        );
        if records.is_empty() {
            // Nothing to commit first: keeping alerts active changes no state,
            // and a refused repeat fails the run before its checkpoint moves.
            self.alert(&[], &firing, &sender(&state.reported))?;
        } else {
            // Saved before a receiver can see any of them: whatever instant this
            // run dies at, the state either knows nothing of these records and
            // none was sent, or holds them in the outbox for the next run.
            store
                .commit(&state, |step| crash_point(&format!("outbox-{step}")))
                .map_err(|e| format!("cannot save the records about to be sent ({e}); nothing was sent, the next run tries again"))?;
            let bodies: Vec<&str> = state.outbox.iter().map(|p| p.record.as_str()).collect();
            self.deliver(&bodies, &firing, &sender(&state.reported), "deliver")?;
            state.outbox.clear();
        }
        store
            .commit(&state, crash_point)
            .map_err(|e| format!("records were delivered but the state was not saved ({e}); the next run sends them again"))?;
        if settings.print_summary {
            (self.print)(&summary(&records, resent.len(), &state, &store.path()));
        }
        Ok(Ran::Done {
            new_at_or_above: self.new_at_or_above(&records, resent),
        })
    }

    /// The detectors over `selected` (and the boot before each), as
    /// `findings` runs them; the newest boot and the one before, which the next
    /// run reads again, are resumed from `saved` where it fits and kept.
    fn detect(&self, all: &[Boot], selected: &[Id128], saved: &[BootSoFar]) -> Result<Detected> {
        let session = self.session;
        let options = &self.settings.options;
        let kept: Vec<Id128> = all
            .iter()
            .rev()
            .take(BOOTS_RESUMED)
            .map(|b| b.boot_id)
            .collect();
        let trace = std::env::var_os(TRACE_ENV).is_some();
        let mut so_far = Vec::new();
        let mut resumed_after = Vec::new();
        let findings =
            crate::session::detect_with(all, selected, options, |chunk, options| -> Result<_> {
                let others: Vec<&Boot> = chunk
                    .iter()
                    .filter(|b| !kept.contains(&b.boot_id))
                    .copied()
                    .collect();
                let mut others = session.read_boots(&others, options)?.into_iter();
                let mut out = Vec::with_capacity(chunk.len());
                for boot in chunk {
                    if !kept.contains(&boot.boot_id) {
                        out.push(others.next().ok_or("a boot was not read")?.0);
                        continue;
                    }
                    let id = boot.boot_id.to_string();
                    let before = saved.iter().find(|s| s.boot_id == id);
                    let read = resume::read_boot(boot, before, options, |f| session.open(f))?;
                    if trace {
                        let how = match &read.how {
                            resume::How::Whole(why) => format!("read whole ({why})"),
                            resume::How::Resumed { new, read } => format!(
                                "resumed after {} entries, {new} new, {read} read",
                                before.map_or(0, |b| b.entries)
                            ),
                        };
                        session.say(&format!(
                            "jforensics: watch: boot {}: {how}",
                            boot.boot_id.short()
                        ));
                    }
                    if let (resume::How::Resumed { .. }, Some(b)) = (&read.how, before) {
                        resumed_after.push(b.through.clone());
                    }
                    so_far.extend(read.so_far);
                    out.push(read.data);
                }
                Ok(out)
            })?;
        Ok(Detected {
            findings,
            so_far,
            resumed_after,
        })
    }

    /// Every sink gets every record before the outbox is emptied. `phase`
    /// names the crash points: `deliver` for this run's records, `replay` for
    /// the outbox a killed run left.
    fn deliver(
        &self,
        bodies: &[&str],
        firing: &[serde_json::Value],
        sender: &alertmanager::Sender,
        phase: &str,
    ) -> Result<()> {
        let settings = self.settings;
        let step = |at: &str| crash_point(&format!("{at}-{phase}"));
        step("before");
        if let Some(path) = &settings.jsonl {
            sink::append(path, bodies, || step("mid")).map_err(|e| {
                format!(
                    "cannot append to {}: {e}; the records stay in the outbox, the next run sends them again",
                    path.display()
                )
            })?;
        }
        if let Some(url) = &settings.webhook {
            for body in bodies {
                webhook::post(url, body).map_err(|e| {
                    format!("{e}; the records stay in the outbox, the next run sends them again")
                })?;
                step("mid");
            }
        }
        if !settings.alertmanager.is_empty() {
            // Records are parsed back from their text: a replayed outbox becomes
            // the same alerts as when it was first sent.
            let records: Vec<serde_json::Value> = bodies
                .iter()
                .filter_map(|b| serde_json::from_str(b).ok())
                .collect();
            self.alert(&records, firing, sender)?;
            step("mid");
        }
        if settings.print_records {
            for body in bodies {
                (self.print)(&format!("{body}\n"));
            }
        }
        step("after");
        Ok(())
    }

    /// One POST per Alertmanager; each must take the whole batch.
    fn alert(
        &self,
        records: &[serde_json::Value],
        firing: &[serde_json::Value],
        sender: &alertmanager::Sender,
    ) -> Result<()> {
        if records.is_empty() && firing.is_empty() {
            return Ok(());
        }
        let alerts = alertmanager::alerts(records, firing, sender);
        let then = if records.is_empty() {
            "the alerts still going on were not renewed; the next run sends them again"
        } else {
            "the records stay in the outbox, the next run sends them again"
        };
        for url in &self.settings.alertmanager {
            alertmanager::post(url, &alerts).map_err(|e| format!("{e}; {then}"))?;
        }
        Ok(())
    }

    /// A `new` record the interrupted run did not live to exit for counts as
    /// this run's: the timer's unit may never have shown it as failed.
    fn new_at_or_above(&self, records: &[Record], resent: &[Pending]) -> usize {
        let Some(t) = self.settings.fail_on else {
            return 0;
        };
        let n = records
            .iter()
            .filter(|r| r.event == Event::New && r.severity >= t)
            .count()
            + resent
                .iter()
                .filter(|p| {
                    p.event == Event::New.as_str()
                        && Severity::parse(&p.severity).is_some_and(|s| s >= t)
                })
                .count();
        if n > 0 {
            self.session
                .say(&format!("jforensics: new findings at or above {t}: {n}"));
        }
        n
    }
}

/// `$STATE_DIRECTORY` may list several directories (colon-separated); the
/// first is ours.
fn state_dir(given: &Path) -> PathBuf {
    let text = given.to_string_lossy();
    match text.split_once(':') {
        Some((first, _)) if !first.is_empty() => PathBuf::from(first),
        _ => given.to_path_buf(),
    }
}

fn now_usec() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_micros()).unwrap_or(0)
}

/// The journal's own machine id and host name: its newest entry's
/// `_MACHINE_ID` and `_HOSTNAME` (the machine id when no name was logged).
/// Asked of the newest boot, the index reader answers from that boot's
/// entry list; the last entry of the whole journal is libsystemd's, which
/// opens every file to find it.
fn journal_host(session: &Session, all: &[Boot]) -> Result<(Id128, String)> {
    let newest = Filter {
        last: Some(1),
        ..Filter::all()
    };
    let mut source = session.open(match all.last() {
        Some(boot) => newest.boot(boot.boot_id),
        None => newest,
    })?;
    let newest = source.next_entry()?;
    let machine = newest
        .as_ref()
        .and_then(|e| e.machine_id())
        .unwrap_or_default();
    let host = newest
        .as_ref()
        .and_then(|e| e.str("_HOSTNAME").map(str::to_string))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| machine.to_string());
    Ok((machine, host))
}

/// The source in words that stay the same while the journal grows and
/// rotates: `--file` names its files' directories, not the files.
fn source_key(spec: &SourceSpec) -> String {
    let canonical = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string()
    };
    match spec {
        SourceSpec::Local => "local".to_string(),
        SourceSpec::Directory(d) => format!("directory {}", canonical(d)),
        SourceSpec::Root(r) => format!("root {}", canonical(r)),
        SourceSpec::Files(files) => {
            let mut dirs: Vec<String> = files
                .iter()
                .map(|f| canonical(f.parent().unwrap_or(Path::new("."))))
                .collect();
            dirs.sort();
            dirs.dedup();
            format!("files in {}", dirs.join(", "))
        }
        SourceSpec::Stream(StreamInput::Path(p)) => format!("stream {}", canonical(p)),
        SourceSpec::Stream(StreamInput::Stdin) => "stdin".to_string(),
    }
}

/// The detector settings a state was written under: another set would
/// find other findings, and the reported set would not match them.
fn settings_key(o: &Options) -> String {
    let patterns: Vec<String> = o
        .ready_patterns
        .iter()
        .map(|p| format!("{}={}", p.unit.as_deref().unwrap_or("*"), p.regex.as_str()))
        .collect();
    format!(
        "loop-restarts={} loop-window={} min-readiness-gap={} ready-patterns=[{}]",
        o.loop_restarts,
        o.loop_window_usec,
        o.min_readiness_gap_usec,
        patterns.join(" ")
    )
}

/// A state that does not belong to this journal is an error, not a reset:
/// resetting would send everything again, or skip what happened meanwhile.
fn check_state(state: &State, scope: &Scope, path: &Path, now: u64) -> Result<()> {
    if state.scope.machine_id != scope.machine_id {
        return Err(format!(
            "state file {} was written for machine {}, but this journal is machine {}'s: give each machine its own --state DIR, or remove the file to start over from --initial-lookback",
            path.display(),
            state.scope.machine_id,
            scope.machine_id
        )
        .into());
    }
    if let Some(cp) = &state.checkpoint
        && cp.realtime_usec > now.saturating_add(FUTURE_SLACK_USEC)
    {
        return Err(format!(
            "state file {} saved a checkpoint at {}, which is in the future: the clock was set back, or the file was copied from elsewhere; fix the clock, or remove the file to start over from --initial-lookback",
            path.display(),
            crate::present::time::rfc3339(cp.realtime_usec)
        )
        .into());
    }
    Ok(())
}

/// Is the checkpoint's entry still in the journal? If not, the time from it
/// to the next entry the journal still holds was lost.
fn lost_time(session: &Session, all: &[Boot], cp: &Checkpoint) -> Result<Option<Gap>> {
    let boot = Id128::parse(&cp.boot_id).filter(|id| all.iter().any(|b| b.boot_id == *id));
    let check = match boot {
        Some(id) => {
            let mut source = session.open(
                Filter {
                    fields: Fields::HeaderOnly,
                    ..Filter::all()
                }
                .boot(id),
            )?;
            super::check_cursor(source.as_mut(), cp)?
        }
        None => super::CursorCheck::default(),
    };
    if check.found {
        return Ok(None);
    }
    let next_boot = all
        .iter()
        .map(|b| b.first_realtime_usec)
        .filter(|t| *t > cp.realtime_usec)
        .min();
    Ok(Some(Gap {
        saved_cursor: cp.cursor.clone(),
        saved_boot_id: cp.boot_id.clone(),
        from_usec: cp.realtime_usec,
        to_usec: [check.first_after_usec, next_boot]
            .into_iter()
            .flatten()
            .min(),
    }))
}

fn summary(records: &[Record], resent: usize, state: &State, path: &Path) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&r.brief());
        out.push('\n');
    }
    let count = |e: Event| records.iter().filter(|r| r.event == e).count();
    let at = state.checkpoint.as_ref().map_or("none".to_string(), |c| {
        crate::present::time::rfc3339(c.realtime_usec)
    });
    let again = match resent {
        0 => String::new(),
        n => format!(", {n} sent again for an interrupted run"),
    };
    out.push_str(&format!(
        "watch: {} new, {} resolved{again}; checkpoint {at}; {} finding(s) remembered in {}\n",
        count(Event::New),
        count(Event::Resolved),
        state.reported.len(),
        path.display()
    ));
    out
}

/// "30min", "24h": a duration as the flags would write it.
fn human_duration(usec: u64) -> String {
    const SECOND_USEC: u64 = 1_000_000;
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let s = usec / SECOND_USEC;
    match s {
        s if s % DAY == 0 => format!("{}d", s / DAY),
        s if s % HOUR == 0 => format!("{}h", s / HOUR),
        s if s % MINUTE == 0 => format!("{}min", s / MINUTE),
        s => format!("{s}s"),
    }
}
