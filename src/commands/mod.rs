//! One function per subcommand: open the source, run the library, print.
//!
//! Read planning (which boots, neighbours and windows, read how, on which
//! threads) is `jforensics::session`'s; a [`Context`] is a session with the
//! output flags, and what the session has to say goes to stderr here.

mod boots;
mod completions;
mod error;
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

use std::io::{IsTerminal, Write};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

use jforensics::journal::{self, Filter, SourceSpec, StreamInput, Strictness};
use jforensics::present::color::{self, When};
use jforensics::present::time::Zone;
use jforensics::report::terminal::Style;
use jforensics::session::{self, Observer, Session, Tick};

use jforensics::findings::Finding;

use crate::cli::{Cli, ColorChoice, Command, FailOnArg, OutputArgs, SourceArgs};
use progress::Progress;

pub use error::{Error, Exit, Result};

pub fn run(cli: Cli) -> Result<Exit> {
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
    Ok(ctx.session.single_host()?.map(|s| ctx.wrap(s)))
}

/// A session of the source the flags name, with how to print.
pub struct Context {
    pub session: Session,
    pub output: OutputArgs,
}

impl Deref for Context {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
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
        let strictness = if source.strict {
            Strictness::Strict
        } else {
            Strictness::Lenient
        };
        Ok(Context {
            session: Session::new(
                spec,
                strictness,
                time_filter,
                source.machine.clone(),
                Arc::new(Stderr),
            ),
            output: output.clone(),
        })
    }

    /// Another session with the same output flags.
    fn wrap(&self, session: Session) -> Context {
        Context {
            session,
            output: self.output.clone(),
        }
    }

    /// With `-M`, a view of that machine; with several machines, a view of
    /// each; else [`Hosts::One`].
    pub fn hosts(&self) -> Result<Hosts> {
        Ok(match self.session.hosts()? {
            session::Hosts::One => Hosts::One,
            session::Hosts::Many(views) => {
                Hosts::Many(views.into_iter().map(|v| self.wrap(v)).collect())
            }
        })
    }

    /// A view of one machine, with the same output flags.
    pub fn view(&self, machine: &jforensics::machines::Machine) -> Context {
        self.wrap(self.session.view(machine))
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
}

/// What a session says goes to stderr, so it never mixes with the output;
/// counters are live only on a terminal.
struct Stderr;

impl Observer for Stderr {
    fn say(&self, line: &str) {
        eprintln!("{line}");
    }

    fn progress(&self, what: &'static str) -> Box<dyn Tick> {
        Box::new(Progress::new(what))
    }

    fn counted(&self, what: &str, done: usize, total: usize) {
        if std::io::stderr().is_terminal() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rfleet: {done}/{total} {what}\x1b[K");
            let _ = err.flush();
        }
    }

    fn counted_all(&self) {
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[K");
        }
    }
}

impl Tick for Progress {
    fn tick(&mut self) {
        Progress::tick(self);
    }
}

/// `--fail-on SEVERITY`: exit 3 when a finding is at or above it, after the
/// output was written.
pub fn fail_on(threshold: &FailOnArg, found: &[Finding]) -> Exit {
    match threshold.fail_on {
        Some(t) if found.iter().any(|f| f.severity >= t) => {
            eprintln!(
                "jforensics: findings at or above {t}: {}",
                found.iter().filter(|f| f.severity >= t).count()
            );
            Exit::FindingsAtOrAbove
        }
        _ => Exit::Success,
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
