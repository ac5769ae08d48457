//! Integration tests: one test crate (with modules) so the suite links once.
//!
//! They run on real journals: systemd's own test journals (`tests/fixtures/systemd/`)
//! and the scenario recordings in `tests/fixtures/`, whose truth manifests
//! come from what the recorder did, not from the journal.

mod support;

mod alerting;
mod boots;
mod charts;
mod cli_habits;
mod damage_corpus;
mod damage_said;
mod damaged;
mod deb;
mod excerpts;
mod findings;
mod fixture_boots;
mod fleet;
mod golden;
mod impact;
mod layers;
mod live_soak;
mod many_hosts;
mod query;
mod remote;
mod report;
mod root_both_ways;
mod schema;
mod starts_fixtures;
mod starts_nortc;
mod vocabulary;
mod watch;
mod watch_kills;
mod watch_resume;
