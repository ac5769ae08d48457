//! One function per subcommand: open the source, run the library, print.

mod boots;
mod completions;
mod export;
mod findings;
mod fleet;
mod impact;
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

use std::sync::{Arc, OnceLock};

use jforensics::boots::{self as boot_scan, Boot, BootScanner};
use jforensics::journal::{
    self, EntrySource, Fields, Filter, Journal, JournalError, SourceSpec, StreamInput, Strictness,
};
use jforensics::machines::{self, Machine};
use jforensics::present::color::{self, When};
use jforensics::present::time::Zone;
use jforensics::report::terminal::Style;

use jforensics::findings::{BootData, Finding, Options as DetectorOptions, boot_filter, read_boot};

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
    journal::libsystemd::set_unpack_limit(cli.source.max_unpacked);
    if cli.source.verbose {
        journal::trace::enable();
    }
    let ctx = Context::new(&cli.source, &cli.output)?;
    match &cli.command {
        Command::Boots(args) => boots::run(&ctx, args),
        Command::SinceBoot(args) => since_boot::run(one_host(&ctx)?.as_ref().unwrap_or(&ctx), args),
        Command::Unit(args) => unit::run(one_host(&ctx)?.as_ref().unwrap_or(&ctx), args),
        Command::Impact(args) => impact::run(one_host(&ctx)?.as_ref().unwrap_or(&ctx), args),
        Command::Findings(args) => findings::run(&ctx, args),
        Command::Query(args) => query::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Report(args) => report::run(one_host(&ctx)?.as_ref().unwrap_or(&ctx), args),
        Command::Watch(args) => watch::run(one_host(&ctx)?.as_ref().unwrap_or(&ctx), args),
        Command::Fleet(args) => fleet::run(&cli.source, &cli.output, args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
    }
}

/// The view of the machine `-M` names, if any; an error when the journal
/// holds several machines and none is named.
fn one_host(ctx: &Context) -> Result<Option<Context>> {
    ctx.single_host()
}

/// What every command needs: where to read, how strictly, and how to print.
pub struct Context {
    pub spec: SourceSpec,
    pub strictness: Strictness,
    pub time_filter: Filter,
    pub output: OutputArgs,
    /// Prepared on first use (unpacked once, stdin spooled once), then read
    /// as often as the command needs; shared with the per-machine views.
    journal: Arc<OnceLock<Journal>>,
    /// `-M/--machine`, as given.
    machine_arg: Option<String>,
    /// On a per-machine view: the machine, whose boots every read is
    /// narrowed to.
    scope: Option<Machine>,
    /// On a view read through its machine's files only: the whole journal
    /// and those files, narrowed on first use (see [`Journal::narrowed`]).
    narrow: Option<(Arc<OnceLock<Journal>>, Vec<PathBuf>)>,
    /// No progress line (views read in parallel by `fleet`).
    quiet: bool,
    /// The boots, scanned once.
    scanned: OnceLock<Vec<Boot>>,
    /// What the journal's index alone tells of its boots, asked once.
    index: OnceLock<Option<IndexView>>,
    /// Every boot's last entries as the boot scan read them: the machine
    /// listing reads the same ones (see [`Context::machines`]).
    tails: Arc<Mutex<Option<Vec<journal::Entry>>>>,
    /// The machines, decided once: deciding may warn, and must warn once.
    grouped: OnceLock<Vec<Machine>>,
}

/// The machines a command works on.
pub enum Hosts {
    /// One machine and no `-M`: the command runs as it always did, on the
    /// whole context, and its output does not name the host.
    One,
    /// Several machines, or the one `-M` named: a view per machine, and the
    /// output names each host.
    Many(Vec<Context>),
}

impl Context {
    pub fn new(source: &SourceArgs, output: &OutputArgs) -> Result<Context> {
        // clap's `source` group has already refused more than one source.
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
            journal: Arc::new(OnceLock::new()),
            machine_arg: source.machine.clone(),
            scope: None,
            narrow: None,
            quiet: false,
            scanned: OnceLock::new(),
            index: OnceLock::new(),
            tails: Arc::default(),
            grouped: OnceLock::new(),
        })
    }

    /// The same journal, narrowed to one machine's boots, and read through
    /// the files that hold them when the journal can tell which do: one
    /// host's reads then cost the same however many hosts the journal holds.
    pub fn view(&self, machine: &Machine) -> Context {
        let own = (self.journal.get())
            .and_then(|j| j.files_holding(&machine.boots))
            .map(|files| (self.journal.clone(), files));
        Context {
            spec: self.spec.clone(),
            strictness: self.strictness,
            time_filter: self.time_filter.clone(),
            output: self.output.clone(),
            journal: match own {
                Some(_) => Arc::new(OnceLock::new()),
                None => self.journal.clone(),
            },
            machine_arg: None,
            scope: Some(machine.clone()),
            narrow: own,
            quiet: self.quiet,
            scanned: OnceLock::new(),
            index: OnceLock::new(),
            tails: Arc::default(),
            grouped: OnceLock::new(),
        }
    }

    /// The same settings over another source (nothing read yet).
    pub fn with_spec(&self, spec: SourceSpec) -> Context {
        Context {
            spec,
            strictness: self.strictness,
            time_filter: self.time_filter.clone(),
            output: self.output.clone(),
            journal: Arc::new(OnceLock::new()),
            machine_arg: None,
            scope: None,
            narrow: None,
            quiet: self.quiet,
            scanned: OnceLock::new(),
            index: OnceLock::new(),
            tails: Arc::default(),
            grouped: OnceLock::new(),
        }
    }

    /// Without the progress line, for reading several views at once.
    pub fn quiet(mut self) -> Context {
        self.quiet = true;
        self
    }

    /// The machine of a view.
    pub fn machine(&self) -> Option<&Machine> {
        self.scope.as_ref()
    }

    /// Every machine in the selection (one, with no id, when the entries
    /// carry no `_MACHINE_ID`), decided from the data alone (see
    /// [`machines`]): the boots' last entries as the scan read them, then
    /// the whole of any boot those do not place, then the headers of its
    /// files. A boot still undecided is named on stderr with its files.
    pub fn machines(&self) -> Result<Vec<Machine>> {
        if let Some(m) = self.grouped.get() {
            return Ok(m.clone());
        }
        let boots = ids(&self.boots()?);
        let kept = self
            .tails
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut owners = machines::Owners::default();
        match kept {
            // The same boots' same last entries: the scan read every boot
            // the listing has, with the same time bounds.
            Some(entries) => owners.read(&mut Replay(entries.into_iter()))?,
            None => owners.read(self.open(machines::tails_filter(&boots))?.as_mut())?,
        }
        // With one machine or none named, an unnamed boot is that one's
        // (see `Owners::group`): only among several is it worth a read.
        let unnamed = owners.unnamed(&boots);
        if !unnamed.is_empty() && owners.known().len() > 1 {
            owners.read(self.open(machines::whole_boots_filter(&unnamed))?.as_mut())?;
        }
        let mut grouping = owners.group(&boots);
        let mut holders = std::collections::BTreeMap::new();
        if !grouping.undecided.is_empty() {
            let known = owners.known();
            for boot in &grouping.undecided {
                let files = self.files_holding(*boot);
                let headers: Vec<Option<journal::Id128>> = files
                    .iter()
                    .map(|f| journal::libsystemd::header_machine_id(f))
                    .collect();
                // Only a header id the entries also name: a journal-remote
                // file's header names the receiver, not the senders.
                if let Some(Some(id)) = headers.first()
                    && headers.iter().all(|h| h == &Some(*id))
                    && known.contains(id)
                {
                    owners.assign(*boot, *id);
                }
                holders.insert(*boot, files);
            }
            grouping = owners.group(&boots);
        }
        for boot in &grouping.undecided {
            let files = holders.get(boot).cloned().unwrap_or_default();
            let why = if files.is_empty() {
                format!(
                    "in {}, none of its entries names a machine",
                    self.spec.describe()
                )
            } else {
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                format!(
                    "none of its entries names a machine, nor does the header of its files ({}) name one the entries name",
                    names.join(", ")
                )
            };
            eprintln!(
                "jforensics: warning: boot {boot}: {why}; the journal holds several machines, so it is listed under machine 'unknown'"
            );
        }
        for c in &grouping.conflicts {
            eprintln!(
                "jforensics: warning: boot {} names {} machines ({}); it is listed under {}, the one its newest entry names",
                c.boot,
                c.ids.len(),
                c.ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                c.chosen
            );
        }
        Ok(self.grouped.get_or_init(|| grouping.machines).clone())
    }

    /// The journal files of the selection that hold entries of `boot`, for
    /// a warning that must name them (empty for other sources): one read
    /// of one entry per file, on the rare path of an undecided boot.
    fn files_holding(&self, boot: journal::Id128) -> Vec<PathBuf> {
        let files = match &self.spec {
            SourceSpec::Files(files) => files.clone(),
            SourceSpec::Directory(dir) => {
                journal::libsystemd::journal_files_in(dir, &self.spec.describe())
                    .unwrap_or_default()
            }
            _ => return Vec::new(),
        };
        let filter = Filter {
            boots: vec![boot],
            last: Some(1),
            fields: Fields::HeaderOnly,
            ..Filter::all()
        };
        files
            .into_iter()
            .filter(|f| {
                journal::open(
                    &SourceSpec::Files(vec![f.clone()]),
                    &filter,
                    self.strictness,
                )
                .and_then(|mut s| s.next_entry())
                .is_ok_and(|e| e.is_some())
            })
            .collect()
    }

    /// With `-M`, a view of that machine; with several machines, a view of
    /// each; else [`Hosts::One`].
    pub fn hosts(&self) -> Result<Hosts> {
        // Once the boots are scanned, their last entries are at hand and the
        // listing below reads nothing; the index check would read them again.
        let scanned = self.scanned.get().is_some();
        if self.machine_arg.is_none() && !scanned && self.one_machine_by_index()? {
            return Ok(Hosts::One);
        }
        let all = self.machines()?;
        if let Some(spec) = &self.machine_arg {
            let m = machines::resolve(&all, spec)?;
            return Ok(Hosts::Many(vec![self.view(m)]));
        }
        if all.len() <= 1 {
            return Ok(Hosts::One);
        }
        Ok(Hosts::Many(all.iter().map(|m| self.view(m)).collect()))
    }

    /// For the commands about one boot (`since-boot`, `unit`, `report`): the
    /// machine `-M` names, or None when the journal holds one machine.
    pub fn single_host(&self) -> Result<Option<Context>> {
        match self.hosts()? {
            Hosts::One => Ok(None),
            Hosts::Many(mut views) if views.len() == 1 => Ok(views.pop()),
            Hosts::Many(views) => {
                let all: Vec<Machine> = views.iter().filter_map(|v| v.scope.clone()).collect();
                Err(UsageError(format!(
                    "the journal holds {} machines ({}): pick one with -M ID|HOSTNAME",
                    all.len(),
                    machines::listing(&all)
                ))
                .into())
            }
        }
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
        // The whole journal said its damage when it was opened.
        if let Some((whole, files)) = &self.narrow
            && let Some(whole) = whole.get()
        {
            let narrowed = whole.narrowed(files.clone())?;
            return Ok(self.journal.get_or_init(|| narrowed));
        }
        let prepared = Journal::prepare(&self.spec)?;
        let journal = self.journal.get_or_init(|| prepared);
        // Said once, when the journal is opened: every answer lacks these files.
        for line in journal.damage() {
            eprintln!("jforensics: warning: {line}");
        }
        if self.strictness == Strictness::Strict && !journal.damage().is_empty() {
            return Err(JournalError::Refused {
                what: self.spec.describe(),
                files: journal.damage().len(),
            });
        }
        Ok(journal)
    }

    /// The files of the source that cannot be read at all (see
    /// [`Journal::damage`]), for the documents' `coverage`.
    pub fn damage(&self) -> Result<Vec<String>> {
        Ok(self.journal()?.damage().to_vec())
    }

    /// The time bounds, and on a view the machine's boots, added to `filter`.
    fn with_time(&self, filter: Filter) -> Filter {
        let mut filter = with_time(&self.time_filter, filter);
        if let Some(m) = &self.scope
            && filter.boots.is_empty()
        {
            filter.boots = m.boots.clone();
        }
        filter
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
        let boots = match self.scanned.get() {
            Some(b) => b.clone(),
            None => {
                let scanned = self.scan_boots()?;
                self.scanned.get_or_init(|| scanned).clone()
            }
        };
        self.say_coverage(&boots);
        let bounded =
            self.time_filter.since_usec.is_some() || self.time_filter.until_usec.is_some();
        if boots.is_empty() && bounded {
            return Err("no entries between -S/--since and -U/--until: widen the range (`jforensics boots` without them shows when each boot began and ended)".into());
        }
        Ok(boots)
    }

    /// What the journal's index alone tells of its boots, on a whole
    /// journal without time bounds; `None` elsewhere or when the index
    /// cannot tell.
    fn index(&self) -> Option<&IndexView> {
        self.index
            .get_or_init(|| {
                let whole = self.scope.is_none() && self.time_filter == Filter::all();
                // A damaged file can make the index and the entry headers
                // disagree on which boots there are (a torn entry, a
                // sequence number out of order): every command then counts
                // boots from the full scan, so all of them number alike.
                let journal = self
                    .journal()
                    .ok()
                    .filter(|j| whole && j.indexed() && j.damage().is_empty())?;
                let outline = journal.outline(&Filter::all())?;
                Some(IndexView {
                    machine_ids: outline.machine_ids,
                    order: boot_scan::outline_order(&outline),
                })
            })
            .as_ref()
    }

    /// Whether the index shows one machine without a scan of every boot:
    /// one `_MACHINE_ID` value in the whole journal, or boots the index
    /// orders whose last lines (all `machines::group` reads) name one.
    fn one_machine_by_index(&self) -> Result<bool> {
        let Some(index) = self.index() else {
            return Ok(false);
        };
        if index.machine_ids <= 1 {
            return Ok(true);
        }
        let Some(order) = &index.order else {
            return Ok(false);
        };
        let mut tails = self.open(Filter {
            fields: Fields::Named(vec!["_MACHINE_ID".into(), "_HOSTNAME".into()]),
            ..machines::tails_filter(order)
        })?;
        Ok(machines::group(order, tails.as_mut())?.len() <= 1)
    }

    /// The boot `boot` names (the newest by default) with the boots just
    /// before and after it, oldest first, and its position among them: what a
    /// command about one boot needs. Where the index orders the boots alone
    /// (see [`boot_scan::outline_order`]) only these are read; otherwise
    /// every boot is, as [`Context::boots`] does.
    pub fn boot_with_neighbours(&self, boot: &BootArg) -> Result<(Vec<Boot>, usize)> {
        let order = match (self.scanned.get(), self.index()) {
            (None, Some(IndexView { order: Some(o), .. })) => o,
            _ => return self.all_boots_and_position(boot),
        };
        let at = match boot.spec() {
            Some(spec) => boot_scan::position(order, spec)?,
            None => order.len().checked_sub(1).ok_or(NO_BOOT)?,
        };
        let from = at.saturating_sub(1);
        let near = &order[from..(at + 2).min(order.len())];
        let (scanner, diagnostics) = self.scan_indexed(near)?;
        print_diagnostics(&diagnostics);
        if self.distrusts_index(&scanner)? {
            return self.all_boots_and_position(boot);
        }
        let boots = scanner.finish_within(order);
        if boots.len() != near.len() {
            // A boot the index names but no read finds: let the full scan say.
            return self.all_boots_and_position(boot);
        }
        self.say_coverage(&boots);
        Ok((boots, at - from))
    }

    /// Says once on stderr what the boots' coverage withholds (see
    /// [`boot_scan::coverage::describe`]): an excerpt must not pass for a
    /// journal in which nothing happened.
    fn say_coverage(&self, boots: &[Boot]) {
        static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let Some(sentence) = boot_scan::coverage::describe(boots) else {
            return;
        };
        let line = match self.machine() {
            Some(m) => format!("jforensics: note: host {}: {sentence}", m.label()),
            None => format!("jforensics: note: {sentence}"),
        };
        let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
        if !said.contains(&line) {
            eprintln!("{line}");
            said.push(line);
        }
    }

    fn all_boots_and_position(&self, boot: &BootArg) -> Result<(Vec<Boot>, usize)> {
        let all = self.boots()?;
        let at = match boot.spec() {
            Some(spec) => boot_scan::position(&ids(&all), spec)?,
            None => all.len().checked_sub(1).ok_or(NO_BOOT)?,
        };
        Ok((all, at))
    }

    fn scan_boots(&self) -> Result<Vec<Boot>> {
        let journal = self.journal()?;
        if journal.indexed() {
            let (scanner, diagnostics) = self.scan_indexed(&[])?;
            print_diagnostics(&diagnostics);
            if !self.distrusts_index(&scanner)? {
                return Ok(scanner.finish());
            }
        }
        let mut progress = if self.quiet {
            Progress::silent()
        } else {
            Progress::new("reading the journal")
        };
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

    /// Whether a scan through the index missed what the entry headers hold
    /// (a boot counted, but its last entries not found by its boot id): a
    /// damaged index, which would hide shutdown lines and make clean
    /// reboots look like power cuts. Then the journal is told to walk its
    /// entries from now on, and that is said.
    fn distrusts_index(&self, scanner: &BootScanner) -> Result<bool> {
        let missed = scanner.boots_without_tail();
        if missed.is_empty() {
            return Ok(false);
        }
        let blamed = self.journal()?.index_misses();
        let whose = match blamed {
            [] => (
                self.spec.describe(),
                "a damaged hash table or file id, or an entry header naming a boot its entry is not of",
            ),
            [one] => (
                format!("journal file {one}"),
                "a damaged hash table or file id",
            ),
            many => (
                format!("journal files {}", many.join(", ")),
                "a damaged hash table or file id",
            ),
        };
        let (whose, why) = whose;
        eprintln!(
            "jforensics: warning: the index of {whose} does not find the entries of {} boot(s) ({}) that the files hold ({why}): reading every entry instead, which is slower",
            missed.len(),
            missed
                .iter()
                .map(|b| b.short())
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.journal()?.distrust_index();
        Ok(true)
    }

    /// [`boot_scan::scan_indexed`] over this context's journal: `only` these
    /// boots, or all. A journal of several hosts is scanned a part at a time
    /// (see [`journal::Parts`]), so that the scan grows with the hosts, not
    /// their square.
    fn scan_indexed(&self, only: &[journal::Id128]) -> Result<(BootScanner, journal::Diagnostics)> {
        let journal = self.journal()?;
        let parts = self.scope.is_none().then(|| journal.parts()).flatten();
        Ok(boot_scan::scan_indexed(
            only,
            |filter| match &parts {
                Some(parts) => parts.boot_headers(&self.with_time(filter), self.strictness),
                None => journal.boot_headers(&self.with_time(filter), self.strictness),
            },
            |filter| {
                let tails = filter.last_per_boot;
                let source = match &parts {
                    Some(parts) => parts.open(&self.with_time(filter), self.strictness),
                    None => journal.open(&self.with_time(filter), self.strictness)?,
                };
                Ok(if tails {
                    Box::new(Keep {
                        source,
                        into: self.tails.clone(),
                        kept: Vec::new(),
                    })
                } else {
                    source
                })
            },
        )?)
    }
}

/// The variable that sets how many threads read at once, for every command.
pub const THREADS_ENV: &str = "JFORENSICS_THREADS";

/// How many reads run at once: `JFORENSICS_THREADS` when it is a positive
/// number, else one per CPU. The one place that decides it, so a test can
/// run a command with 1, 2 or 8 threads and hold the outputs to be equal:
/// results are kept in the order of the data, never of finishing.
pub fn threads() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What a journal's index tells of its boots (see [`journal::Outline`]).
struct IndexView {
    machine_ids: usize,
    /// Every boot, oldest first, when sequence numbers alone order them.
    order: Option<Vec<journal::Id128>>,
}

const NO_BOOT: &str = "the journal holds no boot; check the source with `jforensics boots`";

fn ids(boots: &[Boot]) -> Vec<journal::Id128> {
    boots.iter().map(|b| b.boot_id).collect()
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
            let filter = with_time(time, boot_filter(boot.boot_id));
            let mut source = journal.open(&filter, strictness)?;
            let data = read_boot(boot, source.as_mut(), options)?;
            Ok((data, source.diagnostics().clone()))
        };
        let threads = threads().min(boots.len());
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

/// Entries read once and handed out again.
struct Replay(std::vec::IntoIter<journal::Entry>);

impl EntrySource for Replay {
    fn next_entry(&mut self) -> std::result::Result<Option<journal::Entry>, JournalError> {
        Ok(self.0.next())
    }
    fn diagnostics(&self) -> &journal::Diagnostics {
        static NONE: OnceLock<journal::Diagnostics> = OnceLock::new();
        NONE.get_or_init(journal::Diagnostics::default)
    }
}

/// A source that keeps a copy of what it read, stored when it ends cleanly.
struct Keep {
    source: Box<dyn EntrySource>,
    into: Arc<Mutex<Option<Vec<journal::Entry>>>>,
    kept: Vec<journal::Entry>,
}

impl EntrySource for Keep {
    fn next_entry(&mut self) -> std::result::Result<Option<journal::Entry>, JournalError> {
        let next = self.source.next_entry()?;
        match &next {
            Some(entry) => self.kept.push(entry.clone()),
            None => {
                *self.into.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(std::mem::take(&mut self.kept));
            }
        }
        Ok(next)
    }
    fn diagnostics(&self) -> &journal::Diagnostics {
        self.source.diagnostics()
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
        None => Ok(all.last().ok_or(NO_BOOT)?),
    }
}

/// Exit status when `--fail-on` is met (docs/manual.md, "Exit codes").
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

/// "Host web-1, machine 4f1c…": the line above each host's part of the output.
pub fn host_heading(view: &Context) -> String {
    match view.machine() {
        Some(m) => format!(
            "Host {}, machine {}\n",
            m.hostname.as_deref().unwrap_or("(no hostname)"),
            m.id_text()
        ),
        None => String::new(),
    }
}

/// Adds `machine_id` and `hostname` to a JSON object of a view's output.
pub fn name_host(mut value: serde_json::Value, view: &Context) -> serde_json::Value {
    if let (Some(m), serde_json::Value::Object(map)) = (view.machine(), &mut value) {
        map.insert("machine_id".into(), m.id.map(|i| i.to_string()).into());
        map.insert("hostname".into(), m.hostname.clone().into());
    }
    value
}
