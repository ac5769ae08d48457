//! jforensics: post-incident forensics for hosts run by systemd.
//!
//! The data flows one way through the modules, each knowing only the ones
//! before it (`tests/it/layers.rs` checks the imports):
//!
//! ```text
//! journal ──► events ──► boots, lifecycle ──► cause ──► findings ──► report, tables
//! (read)      (typed)    (per boot, per unit)  (why)     (detectors)  (terminal, JSON, charts, SQL)
//! ```
//!
//! Beside the pipeline: `session` (read planning: which boots, neighbours
//! and windows to read, on one thread pool), `machines` (which boots belong to which host),
//! `fleet` (what many hosts share) and `watch` (one scheduled run that
//! reports each incident once). `present` (times, widths, tables, colour)
//! and `vocab` are leaves every stage may use. docs/ARCHITECTURE.md tells
//! where each stage lives and the invariants the tests defend.
//!
//! The command-line front end (`src/main.rs`, `src/cli/`, `src/commands/`)
//! wires a source to a command and a report format; nothing in this library
//! knows about flags or terminals.

pub mod boots;
pub mod cause;
pub mod events;
pub mod evidence;
pub mod findings;
pub mod fleet;
pub mod journal;
pub mod lifecycle;
pub mod machines;
pub mod present;
pub mod report;
pub mod session;
pub mod stable_id;
pub mod tables;
#[cfg(test)]
mod testkit;
/// Declared dependencies read from unit files (a read stage beside `journal`).
pub mod units;
pub mod vocab;
pub mod watch;
