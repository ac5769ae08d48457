//! Command-line definitions. Flags follow journalctl's names wherever the
//! meaning is the same, so muscle memory carries over.

pub mod duration;
pub mod findings;
pub mod fleet;
pub mod time;
pub mod watch;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Post-incident forensics for systemd hosts: boots, unit lifecycles, why each unit started, and what did not come back.";

const EXAMPLES: &str = "\
Examples:
  jforensics boots                          boots of this machine, how each ended
  jforensics boots -D /mnt/var/log/journal  boots of a journal copied from another host
  jforensics --input dump.json.zst boots    from `journalctl -o json | zstd` sent by someone else

Where entries come from (like journalctl): the local journal by default, or
-D DIR, --file PATH (repeatable, globs), --root ROOT, or --input FILE|- for a
`journalctl -o json` or `-o export` stream (zstd/xz/gzip are unpacked).";

#[derive(Parser, Debug)]
#[command(name = "jforensics", version, about = ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Journal source")]
pub struct SourceArgs {
    /// Read the journal files in DIR (and its machine-id subdirectories)
    #[arg(short = 'D', long = "directory", value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,
    /// Read these journal files (repeatable; globs allowed; .zst/.xz/.gz unpacked)
    #[arg(long = "file", value_name = "PATH", global = true)]
    pub files: Vec<String>,
    /// Read the journal of the OS tree at ROOT (ROOT/var/log/journal, ROOT/run/log/journal)
    #[arg(long, value_name = "ROOT", global = true)]
    pub root: Option<PathBuf>,
    /// Read a `journalctl -o json` or `-o export` stream from FILE, or - for stdin
    #[arg(short = 'i', long, value_name = "FILE|-", global = true)]
    pub input: Option<String>,
    /// Only this machine of a journal holding many: a machine id (8 digits will do) or a hostname
    #[arg(
        short = 'M',
        long = "machine",
        value_name = "ID|HOSTNAME",
        global = true
    )]
    pub machine: Option<String>,
    /// Fail on the first malformed record, or on a journal file that cannot be read, instead of skipping, counting and naming it
    #[arg(long, global = true)]
    pub strict: bool,
    /// Most that compressed journal files may unpack to, all together (bytes, or with K, M, G)
    #[arg(long, value_name = "SIZE", global = true, default_value = "4G", value_parser = size_syntax)]
    pub max_unpacked: u64,
    /// Say on stderr which reader answered each read of the journal (the index reader or libsystemd) and why; JFORENSICS_TRACE=1 does the same
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
    /// Only entries at or after this time (journalctl syntax: "2024-05-01 13:00", yesterday, -2h)
    #[arg(
        short = 'S',
        long,
        value_name = "TIME",
        global = true,
        allow_hyphen_values = true,
        value_parser = time_syntax
    )]
    pub since: Option<String>,
    /// Only entries at or before this time
    #[arg(
        short = 'U',
        long,
        value_name = "TIME",
        global = true,
        allow_hyphen_values = true,
        value_parser = time_syntax
    )]
    pub until: Option<String>,
}

impl Cli {
    /// Parses the command line as clap does, then refuses two journal
    /// sources as a clap usage error (exit 2). Not a clap `ArgGroup`: the
    /// source flags are global, and clap checks a group only where the
    /// flags were written, so `boots -D A --root B` would slip through.
    pub fn parse_checked() -> Cli {
        use clap::{CommandFactory, Parser};
        let cli = Cli::parse();
        let source = &cli.source;
        let given: Vec<&str> = [
            (source.directory.is_some(), "-D/--directory"),
            (!source.files.is_empty(), "--file"),
            (source.root.is_some(), "--root"),
            (source.input.is_some(), "--input"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if given.len() > 1 {
            Cli::command()
                .error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "{} were given: read one journal source at a time (-D/--directory, --file, --root or --input)",
                        given.join(" and ")
                    ),
                )
                .exit();
        }
        cli
    }
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Short, global = true)]
    pub format: Format,
    /// Show times in UTC instead of local time
    #[arg(long, global = true)]
    pub utc: bool,
    /// Show boot ids and messages in full instead of shortened
    #[arg(short = 'l', long, global = true)]
    pub full: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// When to colour terminal output.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// When standard output is a terminal and NO_COLOR is not set
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for people
    Short,
    /// JSON, as schema/jforensics.schema.json of the source describes it
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the boots in the journal, in order, with how each ended
    #[command(after_help = "\
Examples:
  jforensics boots                   like `journalctl --list-boots`, plus how each boot ended
  jforensics boots -o json           the documented JSON array
  jforensics boots -b -1             only the boot before the current one

END is `clean reboot|poweroff|halt|kexec` when a shutdown was logged, UNCLEAN
when the journal just stops and a later boot exists (power loss, crash), and
`running` for the newest boot without a shutdown.")]
    Boots(BootsArgs),
    /// The story of one boot: every start after boot, grouped by why it happened
    #[command(after_help = SINCE_BOOT_HELP)]
    SinceBoot(SinceBootArgs),
    /// One unit's timeline: each activation, why it started, how it ended
    #[command(after_help = UNIT_HELP)]
    Unit(UnitArgs),
    /// Who depended on a unit and what it depended on, against the unit files
    #[command(after_help = IMPACT_HELP)]
    Impact(ImpactArgs),
    /// What went wrong: crash loops, units lost at reboot, kills, readiness gaps, …
    #[command(after_help = findings::FINDINGS_HELP)]
    Findings(findings::FindingsArgs),
    /// Run SQL over tables of what was found: boots, events, activations, starts, findings
    #[command(after_help = QUERY_HELP)]
    Query(QueryArgs),
    /// Write one table to a file for DuckDB, Spark or a notebook
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// Write a postmortem bundle for one boot: report.md, report.json and charts
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// For a timer: report each new finding once, to JSON lines or a webhook
    #[command(after_help = watch::WATCH_HELP)]
    Watch(watch::WatchArgs),
    /// Many hosts at once: each host's findings and what hosts share
    #[command(after_help = fleet::FLEET_HELP)]
    Fleet(fleet::FleetArgs),
    /// Print a shell completion script (bash, zsh, fish, …)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) for man(1)
    #[command(after_help = MAN_HELP)]
    Man,
}

#[derive(Args, Debug)]
pub struct BootsArgs {
    #[command(flatten)]
    pub boot: BootArg,
}

/// `-b/--boot`, read as journalctl reads it; every command that works on one
/// boot takes it.
#[derive(Args, Debug, Clone, Default)]
pub struct BootArg {
    /// The boot: 0 the newest, -1 the one before, 1 the oldest; a boot id (its first 8 digits will do) or ID±N
    #[arg(
        short = 'b',
        long = "boot",
        value_name = "ID|OFFSET",
        allow_hyphen_values = true,
        value_parser = boot_syntax
    )]
    pub boot: Option<String>,
}

/// A `-b` value's form is checked with the other flags (exit status 2);
/// whether the journal has that boot is known only after reading it.
/// "4G", "512M", "100K" or plain bytes, in powers of 1024.
fn size_syntax(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'K' | 'k')) => (&text[..at], 10),
        Some((at, 'M' | 'm')) => (&text[..at], 20),
        Some((at, 'G' | 'g')) => (&text[..at], 30),
        Some((at, 'T' | 't')) => (&text[..at], 40),
        _ => (text, 0),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1u64 << shift))
        .ok_or_else(|| "give a size in bytes, or with K, M, G or T (e.g. 4G)".to_string())
}

fn boot_syntax(text: &str) -> Result<String, String> {
    jforensics::boots::check_spec(text).map(|()| text.to_string())
}

/// The form of a `--since`/`--until` value; it is resolved against the clock
/// and `--utc` later.
fn time_syntax(text: &str) -> Result<String, String> {
    time::parse(text, true, chrono::Utc::now()).map(|_| text.to_string())
}

impl BootArg {
    pub fn spec(&self) -> Option<&str> {
        self.boot.as_deref()
    }
}

/// `--fail-on`, for the commands that report findings.
#[derive(Args, Debug, Clone, Default)]
pub struct FailOnArg {
    /// Exit with status 3 when a finding is at least this severe (after printing)
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    pub fail_on: Option<jforensics::findings::Severity>,
}

const SINCE_BOOT_HELP: &str = "\
Examples:
  jforensics since-boot                     the newest boot: what started after it came up, and why
  jforensics since-boot -b -1 -u nginx      the boot before, only nginx.service
  jforensics since-boot --all -o json       every start, boot ones too, as the documented JSON

Causes: boot, failure-restart, policy-restart, socket, dependency, timer,
on-failure, on-success, admin-restart, manual, transient, unknown. Each start
carries a confidence and the journal lines it rests on (journalctl --cursor).
At info level a start by hand, a D-Bus activation and a program calling
StartUnit look alike; the explanation says so instead of guessing.";

const UNIT_HELP: &str = "\
Examples:
  jforensics unit backend                   its activations in the newest boot
  jforensics unit backend.service --all-boots
  jforensics unit nginx -b -2 -o json";

/// What `impact --all` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// As `-o` says: a table, or the JSON graph with -o json
    Text,
    /// Graphviz DOT
    Dot,
}

#[derive(Args, Debug)]
pub struct ImpactArgs {
    /// The unit ("db" means db.service)
    #[arg(value_name = "UNIT", required_unless_present = "all", conflicts_with = "all", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub unit: Option<String>,
    /// Every edge of the boot(s) read: the dependency graph
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub boot: BootArg,
    /// Every boot in the journal, oldest first
    #[arg(long, conflicts_with = "boot")]
    pub all_boots: bool,
    /// Read the declarations from this directory of unit files (like /etc/systemd/system)
    #[arg(long, value_name = "DIR")]
    pub units: Option<PathBuf>,
    /// With --all: print the graph as text/JSON (per -o) or Graphviz DOT
    #[arg(long = "format", value_enum, default_value_t = GraphFormat::Text, requires = "all")]
    pub graph_format: GraphFormat,
    /// With --all: also draw the graph to FILE (.svg or .png)
    #[arg(long, value_name = "FILE", requires = "all")]
    pub chart: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SinceBootArgs {
    #[command(flatten)]
    pub boot: BootArg,
    /// Only these units (repeatable; "nginx" means nginx.service)
    #[arg(short = 'u', long = "unit", value_name = "UNIT")]
    pub units: Vec<String>,
    /// List the starts that were part of boot too
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub fail_on: FailOnArg,
}

#[derive(Args, Debug)]
pub struct UnitArgs {
    /// The unit ("nginx" means nginx.service)
    #[arg(value_name = "UNIT", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub unit: String,
    #[command(flatten)]
    pub boot: BootArg,
    /// Every boot in the journal, oldest first
    #[arg(long, conflicts_with = "boot")]
    pub all_boots: bool,
}

const IMPACT_HELP: &str = "\
Examples:
  jforensics impact db.service                        who needed db.service in the newest boot
  jforensics --root /mnt impact db --all-boots        a disk image: its journal and its unit files
  jforensics -D logs/ impact backend --units units/   a copied journal, with a copy of /etc/systemd/system
  jforensics impact --all --format dot | dot -Tsvg > deps.svg
  jforensics impact --all --chart deps.png            the graph as a chart (SVG or PNG by extension)

Edges go from the dependant to the dependency: pull (started in its job
transaction), trigger (started by its .socket/.timer/.path), dependency-failed
(\"Dependency failed for\"), fate (kept failing until the dependency came up,
or began failing when it went down). Each edge cites its journal lines. With
unit files (--units DIR, --root ROOT, or the running manager when reading the
local journal) each edge says which settings declare it, and the findings
undeclared-dependency, missing-ordering and unit-not-enabled-but-needed are
judged; without them, none are.";

const QUERY_HELP: &str = "\
Examples:
  jforensics query --list                    the built-in queries, one line each
  jforensics query crash-loops               run one of them by name
  jforensics query my.sql --format csv       a query from a file
  jforensics query --tables                  the tables and what every column means
  jforensics query --sql \"SELECT unit, COUNT(*) AS n FROM starts
      WHERE cause = 'manual' GROUP BY unit ORDER BY n DESC\"

The tables are built from what jforensics found in the journal selected with
-D/--file/--root/--input and -S/-U; -b keeps one boot's rows in every table.
Datetimes are UTC: compare them with UTC literals.";

const EXPORT_HELP: &str = "\
Examples:
  jforensics export --table starts --out starts.parquet     format from the extension
  jforensics export --table findings --format csv --out -   CSV on standard output
  duckdb -c \"SELECT cause, COUNT(*) FROM 'starts.parquet' GROUP BY cause\"
  jforensics -D /srv/logs export --dataset fleet/      every host, partitioned Parquet";

/// The formats `query` prints.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryFormat {
    /// Aligned columns (the default; `-o json` means ndjson)
    Table,
    /// CSV with a header line
    Csv,
    /// One JSON object per row
    Ndjson,
    /// Apache Parquet (to --out FILE or a pipe)
    Parquet,
}

/// The formats `export` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Apache Parquet, types kept
    Parquet,
    /// CSV with a header line
    Csv,
    /// One JSON object per row
    Ndjson,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// A query from the built-in library (see --list) or a .sql file
    #[arg(value_name = "NAME|FILE.sql", conflicts_with_all = ["sql", "list", "tables"])]
    pub query: Option<String>,
    /// The SQL to run, instead of a name or file
    #[arg(long, value_name = "SELECT…", conflicts_with_all = ["list", "tables"])]
    pub sql: Option<String>,
    /// List the built-in queries with what each answers
    #[arg(long, conflicts_with = "tables")]
    pub list: bool,
    /// List the tables and their columns
    #[arg(long)]
    pub tables: bool,
    #[command(flatten)]
    pub boot: BootArg,
    /// Output format [default: from the --out extension, else table, or ndjson with -o json]
    #[arg(long = "format", value_name = "FORMAT", value_enum)]
    pub result_format: Option<QueryFormat>,
    /// Write the result to FILE (- for standard output, the default)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The table to write
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(jforensics::tables::Table::names()), required_unless_present = "dataset")]
    pub table: Option<String>,
    /// Format [default: from the --out extension: .parquet, .csv, .ndjson/.jsonl; ndjson with -o json]
    #[arg(long = "format", value_name = "FORMAT", value_enum)]
    pub table_format: Option<ExportFormat>,
    /// The file to write, or - for standard output
    #[arg(long, value_name = "FILE", required_unless_present = "dataset")]
    pub out: Option<PathBuf>,
    /// Write boots, starts, findings and coverage of every machine as Parquet under DIR/TABLE/dt=DAY/ (docs/tables.md)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["table", "out", "table_format"])]
    pub dataset: Option<PathBuf>,
    #[command(flatten)]
    pub boot: BootArg,
}

const REPORT_HELP: &str = "\
Examples:
  jforensics report --out pm/                  the newest boot, as pm/report.md + charts
  jforensics report -b -1 --out pm/            the boot before (after an unclean reboot)
  jforensics report --format html --out pm/    one self-contained pm/report.html
  jforensics -D /mnt/var/log/journal report -b -1 --utc --out pm/
  jforensics report --out pm/ --fail-on error  exit 3 if something went wrong (for CI, cron)

The folder gets report.md (or report.html), report.json (schema/jforensics.schema.json)
and each chart as SVG and PNG. Files of the same name are overwritten, others left
alone. The bundle holds no generation time: the same journal gives the same files.";

const COMPLETIONS_HELP: &str = "\
Examples:
  jforensics completions bash > /etc/bash_completion.d/jforensics
  jforensics completions zsh > \"${fpath[1]}/_jforensics\"
  jforensics completions fish > ~/.config/fish/completions/jforensics.fish";

const MAN_HELP: &str = "\
Examples:
  jforensics man | man -l -
  jforensics man > /usr/local/share/man/man1/jforensics.1";

/// The main document of a report bundle.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// report.md next to the chart files
    Md,
    /// one report.html with the charts inlined
    Html,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub boot: BootArg,
    /// The folder to write the bundle into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The main document's format
    #[arg(
        long = "format",
        id = "report_format",
        value_name = "FORMAT",
        value_enum,
        default_value_t = ReportFormat::Md
    )]
    pub format: ReportFormat,
    #[command(flatten)]
    pub fail_on: FailOnArg,
}

/// info < warning < error < critical, listed by clap like any other choice.
pub fn severity_parser()
-> impl clap::builder::TypedValueParser<Value = jforensics::findings::Severity> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(
        jforensics::findings::Severity::ALL.map(|s| s.as_str()),
    )
    .map(|word: String| {
        jforensics::findings::Severity::parse(&word).expect("one of the listed severities")
    })
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
