//! One function per subcommand: open the source, run the library, print.

mod boots;
mod completions;
mod export;
mod findings;
mod progress;
mod query;
mod report;
mod since_boot;
mod unit;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use std::cell::OnceCell;

use jforensics::boots::{self as boot_scan, Boot, BootScanner};
use jforensics::journal::{
    self, EntrySource, Filter, Journal, JournalError, SourceSpec, StreamInput, Strictness,
};
use jforensics::present::color::{self, When};
use jforensics::present::time::Zone;
use jforensics::report::terminal::Style;

use jforensics::findings::{BootData, Finding, Options as DetectorOptions, read_boot};

use crate::cli::{BootArg, Cli, ColorChoice, Command, FailOnArg, OutputArgs, SourceArgs};
use progress::Progress;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A command line that cannot work whatever the journal holds: exit status
/// 2, like the errors clap finds.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = Context::new(&cli.source, &cli.output)?;
    match &cli.command {
        Command::Boots(args) => boots::run(&ctx, args),
        Command::SinceBoot(args) => since_boot::run(&ctx, args),
        Command::Unit(args) => unit::run(&ctx, args),
        Command::Findings(args) => findings::run(&ctx, args),
        Command::Query(args) => query::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Watch(args) => watch::run(&ctx, args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
    }
}

/// What every command needs: where to read, how strictly, and how to print.
pub struct Context {
    pub spec: SourceSpec,
    pub strictness: Strictness,
    pub time_filter: Filter,
    pub output: OutputArgs,
    /// Prepared on first use (unpacked once, stdin spooled once), then read
    /// as often as the command needs.
    journal: OnceCell<Journal>,
}

impl Context {
    fn new(source: &SourceArgs, output: &OutputArgs) -> Result<Context> {
        let given = [
            source.directory.is_some(),
            !source.files.is_empty(),
            source.root.is_some(),
            source.input.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given > 1 {
            return Err(UsageError(
                "give only one of -D/--directory, --file, --root and --input".to_string(),
            )
            .into());
        }
        let spec = if let Some(dir) = &source.directory {
            SourceSpec::Directory(dir.clone())
        } else if !source.files.is_empty() {
            SourceSpec::Files(journal::libsystemd::expand_file_patterns(&source.files)?)
        } else if let Some(root) = &source.root {
            SourceSpec::Root(root.clone())
        } else if let Some(input) = &source.input {
            SourceSpec::Stream(if input == "-" {
                StreamInput::Stdin
            } else {
                StreamInput::Path(PathBuf::from(input))
            })
        } else {
            SourceSpec::Local
        };
        let now = chrono::Utc::now();
        let time = |t: &Option<String>| -> Result<Option<u64>> {
            Ok(match t {
                Some(t) => Some(crate::cli::time::parse(t, output.utc, now)?),
                None => None,
            })
        };
        let time_filter = Filter {
            since_usec: time(&source.since)?,
            until_usec: time(&source.until)?,
            ..Filter::all()
        };
        Ok(Context {
            spec,
            strictness: if source.strict {
                Strictness::Strict
            } else {
                Strictness::Lenient
            },
            time_filter,
            output: output.clone(),
            journal: OnceCell::new(),
        })
    }

    pub fn style(&self) -> Style {
        Style {
            zone: if self.output.utc {
                Zone::Utc
            } else {
                Zone::Local
            },
            full_ids: self.output.full,
            color: color::enabled(
                match self.output.color {
                    ColorChoice::Auto => When::Auto,
                    ColorChoice::Always => When::Always,
                    ColorChoice::Never => When::Never,
                },
                std::io::stdout().is_terminal(),
                std::env::var("NO_COLOR").ok().as_deref(),
            ),
        }
    }

    fn journal(&self) -> std::result::Result<&Journal, JournalError> {
        if let Some(j) = self.journal.get() {
            return Ok(j);
        }
        let prepared = Journal::prepare(&self.spec)?;
        Ok(self.journal.get_or_init(|| prepared))
    }

    fn with_time(&self, filter: Filter) -> Filter {
        with_time(&self.time_filter, filter)
    }

    /// Opens the source with the time bounds plus `filter`.
    pub fn open(&self, filter: Filter) -> Result<Box<dyn EntrySource>> {
        Ok(self
            .journal()?
            .open(&self.with_time(filter), self.strictness)?)
    }

    /// The boots of the selection, oldest first. An indexed journal is read
    /// narrowly (headers, then marker lines, then each boot's tail); a stream
    /// is read once, whole.
    pub fn boots(&self) -> Result<Vec<Boot>> {
        let boots = self.scan_boots()?;
        let bounded =
            self.time_filter.since_usec.is_some() || self.time_filter.until_usec.is_some();
        if boots.is_empty() && bounded {
            return Err("no entries between -S/--since and -U/--until: widen the range (`jforensics boots` without them shows when each boot began and ended)".into());
        }
        Ok(boots)
    }

    fn scan_boots(&self) -> Result<Vec<Boot>> {
        let journal = self.journal()?;
        if journal.indexed() {
            let (boots, diagnostics) = boot_scan::scan_indexed(
                |filter| journal.boot_headers(&self.with_time(filter), self.strictness),
                |filter| journal.open(&self.with_time(filter), self.strictness),
            )?;
            print_diagnostics(&diagnostics);
            return Ok(boots);
        }
        let mut progress = Progress::new("reading the journal");
        let mut source = self.open(Filter::all())?;
        let mut scanner = BootScanner::new();
        journal::for_each_entry(source.as_mut(), |e| {
            progress.tick();
            scanner.observe(&e)
        })?;
        drop(progress);
        report_diagnostics(source.as_ref());
        Ok(scanner.finish())
    }
}

impl Context {
    /// Reads `boots` whole for the detectors, several at once (one reader
    /// process per thread), and returns them in the order given with what
    /// each read noticed.
    pub fn read_boots(
        &self,
        boots: &[&Boot],
        options: &DetectorOptions,
    ) -> Result<Vec<(BootData, journal::Diagnostics)>> {
        let journal = self.journal()?;
        // Not `self`, which is not shared between threads.
        let (strictness, time) = (self.strictness, &self.time_filter);
        let read = |boot: &Boot| -> std::result::Result<_, JournalError> {
            let filter = with_time(time, Filter::all().boot(boot.boot_id));
            let mut source = journal.open(&filter, strictness)?;
            let data = read_boot(boot, source.as_mut(), options)?;
            Ok((data, source.diagnostics().clone()))
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(boots.len());
        if threads <= 1 {
            return Ok(boots
                .iter()
                .map(|b| read(b))
                .collect::<std::result::Result<_, _>>()?);
        }
        let next = AtomicUsize::new(0);
        let done: Mutex<Vec<Option<std::result::Result<_, JournalError>>>> =
            Mutex::new((0..boots.len()).map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(boot) = boots.get(i) else { break };
                        let result = read(boot);
                        done.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(result);
                    }
                });
            }
        });
        let done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
        Ok(done
            .into_iter()
            .map(|r| {
                r.ok_or_else(|| JournalError::Empty {
                    what: self.spec.describe(),
                    skipped: 0,
                })?
            })
            .collect::<std::result::Result<_, _>>()?)
    }
}

/// `filter` within the time bounds of `time` (-S/-U).
fn with_time(time: &Filter, filter: Filter) -> Filter {
    Filter {
        since_usec: time.since_usec,
        until_usec: time.until_usec,
        ..filter
    }
}

/// The boot `-b` names, or the newest one.
pub fn pick<'a>(all: &'a [Boot], boot: &BootArg) -> Result<&'a Boot> {
    match boot.spec() {
        Some(spec) => Ok(boot_scan::select(all, spec)?),
        None => Ok(all
            .last()
            .ok_or("the journal holds no boot; check the source with `jforensics boots`")?),
    }
}

/// Exit status when `--fail-on` is met (README, "Exit codes").
pub const FINDINGS_AT_OR_ABOVE: u8 = 3;

/// `--fail-on SEVERITY`: exit 3 when a finding is at or above it, after the
/// output was written.
pub fn fail_on(threshold: &FailOnArg, found: &[Finding]) -> ExitCode {
    match threshold.fail_on {
        Some(t) if found.iter().any(|f| f.severity >= t) => {
            eprintln!(
                "jforensics: findings at or above {t}: {}",
                found.iter().filter(|f| f.severity >= t).count()
            );
            ExitCode::from(FINDINGS_AT_OR_ABOVE)
        }
        _ => ExitCode::SUCCESS,
    }
}

/// Warnings go to stderr, so damage is visible but never mixes with output.
pub fn report_diagnostics(source: &dyn EntrySource) {
    print_diagnostics(source.diagnostics());
}

fn print_diagnostics(d: &journal::Diagnostics) {
    for w in &d.warnings {
        eprintln!("jforensics: warning: {w}");
    }
    if d.skipped > 0 {
        eprintln!(
            "jforensics: warning: {} damaged record(s) skipped, {} entries read",
            d.skipped, d.entries_read
        );
    }
}
