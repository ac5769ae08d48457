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
//! The stages up to the findings are the crates in crates/ (`jforensics-core`,
//! which reads through `jforensics-journal`; `present` is its own leaf), so a
//! detector's tests build without polars or plotters; this crate re-exports
//! them under their module names and adds what prints and plans.
//!
//! The command-line front end (`src/main.rs`, `src/cli/`, `src/commands/`)
//! wires a source to a command and a report format; nothing in this library
//! knows about flags or terminals.

pub use jforensics_core::{
    boots, cause, events, evidence, findings, journal, lifecycle, machines, present, stable_id,
    units, vocab,
};
pub mod fleet;
pub mod report;
pub mod session;
pub mod tables;
#[cfg(test)]
use jforensics_core::testkit;
pub mod watch;
