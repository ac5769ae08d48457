//! Who depended on whom: the dependency edges the record shows, and how
//! they compare with what the unit files declare.
//!
//! Nothing in the journal says "A depends on B". What it does hold is what
//! the earlier stages already infer from PID 1's lines: a start pulled into
//! another unit's transaction (job ids, debug lines), a start by a socket,
//! timer or path unit, "Dependency failed for" (a start job failed because
//! a required unit's did), and a crash loop that ended when another unit
//! came up or began when one went down. Each becomes an [`Edge`] from the
//! dependant to the dependency, with the lines it rests on and, where it is
//! inferred, a confidence. Edges are read from the stages above only; no
//! entry or message text is read here.
//!
//! With declarations ([`crate::units::UnitTree`]), each edge says which
//! settings declare it, and the difference becomes findings (`diff.rs`):
//! a dependency the record shows but no file declares, a `Requires=`
//! without the `After=` that would have kept its dependant from starting
//! first, a dependency that nothing starts at boot. A finding from the
//! absence of a declaration needs the declarations: without unit files,
//! there are edges and no findings.

mod diff;
mod fate;
mod observed;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::evidence::Evidence;
use crate::journal::Id128;
use crate::units::{DepKind, UnitTree};

use super::{BootData, Finding, Options};

pub use diff::{DependencyDetails, findings};

crate::vocab::words! {
    "kebab-case",
    /// How an edge shows in the record.
    pub enum EdgeKind {
        /// Started in the dependant's job transaction (Wants=, Requires=, …).
        Pull,
        /// Started by its `.socket`, `.timer` or `.path` unit: the dependant
        /// is the unit started, the dependency the unit that started it.
        Trigger,
        /// "Dependency failed for": the dependant's start job failed because
        /// the dependency's did.
        DependencyFailed,
        /// The dependant kept failing while the dependency was down or not
        /// yet up, and stopped failing when it came up.
        Fate,
    }
}

/// Most evidence lines kept per edge: enough to check it with journalctl,
/// not a copy of the log.
const MAX_EVIDENCE: usize = 8;

/// One dependency the record shows.
#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    /// The unit that needed the other one.
    pub dependant: String,
    /// The unit it needed.
    pub dependency: String,
    pub kind: EdgeKind,
    /// "system", or "user:UID".
    pub manager: String,
    /// How many times the record shows it, over the boots read.
    pub count: u32,
    pub boots: Vec<Id128>,
    pub first_realtime_usec: u64,
    pub last_realtime_usec: u64,
    /// 0..1: the surest of its occurrences.
    pub confidence: f64,
    /// One sentence for people (from the first occurrence).
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// The settings that declare it (`Wants`, `After`, `TriggeredBy`, …),
    /// from the dependant's side or the dependency's; None when no unit
    /// files were read or they do not hold the dependant.
    pub declared: Option<Vec<DepKind>>,
    /// For a `fate` edge: when the failures fell.
    pub fate: Option<FateCounts>,
}

/// The counts a `fate` edge rests on.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct FateCounts {
    /// Failures while the dependency was not yet up (it came up and they stopped).
    pub before_start: u32,
    /// Failures after the dependency went down.
    pub after_stop: u32,
}

impl Edge {
    /// Whether the unit files declare the dependant needs the dependency
    /// (not just ordering): a pulling setting or a trigger.
    pub fn declared_need(&self) -> Option<bool> {
        self.declared.as_ref().map(|d| {
            d.iter()
                .any(|k| k.pulls() || matches!(k, DepKind::TriggeredBy | DepKind::Triggers))
        })
    }

    pub fn declared_order(&self) -> Option<bool> {
        self.declared.as_ref().map(|d| d.contains(&DepKind::After))
    }

    pub fn touches(&self, unit: &str) -> bool {
        self.dependant == unit || self.dependency == unit
    }
}

/// One sighting of an edge, before sightings are merged.
#[derive(Clone, Debug)]
struct Sighting {
    dependant: String,
    dependency: String,
    kind: EdgeKind,
    manager: String,
    boot_id: Id128,
    realtime_usec: u64,
    confidence: f64,
    explanation: String,
    evidence: Vec<Evidence>,
    fate: Option<FateCounts>,
}

/// Every edge the boots show (oldest boot first), merged per dependant,
/// dependency, kind and manager.
pub fn observe(boots: &[BootData], options: &Options) -> Vec<Edge> {
    let mut sightings = Vec::new();
    for data in boots {
        sightings.extend(observed::sightings(data));
    }
    sightings.extend(fate::sightings(boots, options));
    merge(sightings)
}

fn merge(sightings: Vec<Sighting>) -> Vec<Edge> {
    let mut by: BTreeMap<(String, String, EdgeKind, String), Edge> = BTreeMap::new();
    for s in sightings {
        let key = (
            s.dependant.clone(),
            s.dependency.clone(),
            s.kind,
            s.manager.clone(),
        );
        let e = by.entry(key).or_insert_with(|| Edge {
            dependant: s.dependant.clone(),
            dependency: s.dependency.clone(),
            kind: s.kind,
            manager: s.manager.clone(),
            count: 0,
            boots: Vec::new(),
            first_realtime_usec: s.realtime_usec,
            last_realtime_usec: s.realtime_usec,
            confidence: 0.0,
            explanation: s.explanation.clone(),
            evidence: Vec::new(),
            declared: None,
            fate: None,
        });
        e.count += 1;
        if !e.boots.contains(&s.boot_id) {
            e.boots.push(s.boot_id);
        }
        e.first_realtime_usec = e.first_realtime_usec.min(s.realtime_usec);
        e.last_realtime_usec = e.last_realtime_usec.max(s.realtime_usec);
        e.confidence = e.confidence.max(s.confidence);
        for ev in s.evidence {
            if e.evidence.len() < MAX_EVIDENCE && !e.evidence.contains(&ev) {
                e.evidence.push(ev);
            }
        }
        if let Some(f) = s.fate {
            let acc = e.fate.get_or_insert_with(FateCounts::default);
            acc.before_start += f.before_start;
            acc.after_stop += f.after_stop;
        }
    }
    let mut edges: Vec<Edge> = by.into_values().collect();
    for e in &mut edges {
        e.evidence.sort_by_key(|ev| ev.realtime_usec);
    }
    edges
}

/// Fills each edge's `declared` from the unit files.
pub fn declare(edges: &mut [Edge], tree: &UnitTree) {
    for e in edges.iter_mut() {
        if e.manager != "system" || !tree.knows(&e.dependant) {
            continue;
        }
        let mut kinds: Vec<DepKind> = tree
            .declared(&e.dependant, &e.dependency)
            .into_iter()
            .collect();
        kinds.sort();
        e.declared = Some(kinds);
    }
}

/// A declared relation between two units with no edge in the record.
#[derive(Clone, Debug, Serialize)]
pub struct Unexercised {
    pub dependant: String,
    pub dependency: String,
    pub declared: Vec<DepKind>,
}

/// One unit's dependencies and dependants.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    pub unit: String,
    /// Edges where the unit is the dependency: who needed it.
    pub dependants: Vec<Edge>,
    /// Edges where the unit is the dependant: what it needed.
    pub dependencies: Vec<Edge>,
    /// Declared (pulling) relations to or from the unit that the record
    /// never shows in use; None without unit files.
    pub declared_unexercised: Option<Vec<Unexercised>>,
    /// The findings about the unit's edges (empty without unit files).
    pub findings: Vec<Finding>,
}

/// The impact of `unit` in `edges` (already [`declare`]d when `tree` is given).
pub fn impact(unit: &str, edges: &[Edge], tree: Option<&UnitTree>, findings: &[Finding]) -> Impact {
    let dependants: Vec<Edge> = edges
        .iter()
        .filter(|e| e.dependency == unit)
        .cloned()
        .collect();
    let dependencies: Vec<Edge> = edges
        .iter()
        .filter(|e| e.dependant == unit)
        .cloned()
        .collect();
    let declared_unexercised = tree.map(|t| unexercised(unit, edges, t));
    let findings = findings
        .iter()
        .filter(|f| {
            f.unit.as_deref() == Some(unit)
                || matches!(&f.details, super::Details::Dependency(d) if d.dependency == unit)
        })
        .cloned()
        .collect();
    Impact {
        unit: unit.to_string(),
        dependants,
        dependencies,
        declared_unexercised,
        findings,
    }
}

/// Pulling relations the files declare to or from `unit` that no edge shows.
fn unexercised(unit: &str, edges: &[Edge], tree: &UnitTree) -> Vec<Unexercised> {
    let mut out = Vec::new();
    let used = |a: &str, b: &str| {
        edges.iter().any(|e| {
            (e.dependant == a && e.dependency == b) || (e.dependant == b && e.dependency == a)
        })
    };
    let pulling = |kinds: &std::collections::BTreeSet<DepKind>| -> Vec<DepKind> {
        kinds.iter().copied().filter(|k| k.pulls()).collect()
    };
    if let Some(u) = tree.get(unit) {
        for (kind, others) in &u.deps {
            if !kind.pulls() {
                continue;
            }
            for o in others {
                if !used(unit, o) && !out.iter().any(|x: &Unexercised| x.dependency == *o) {
                    let kinds = pulling(&tree.declared(unit, o));
                    out.push(Unexercised {
                        dependant: unit.to_string(),
                        dependency: o.clone(),
                        declared: kinds,
                    });
                }
            }
        }
    }
    let canonical = tree.canonical(unit);
    for other in tree.units.values() {
        if other.name == canonical || other.fragment.is_none() || other.name.ends_with(".target") {
            continue;
        }
        let kinds = pulling(&tree.declared(&other.name, unit));
        if !kinds.is_empty() && !used(&other.name, unit) {
            out.push(Unexercised {
                dependant: other.name.clone(),
                dependency: unit.to_string(),
                declared: kinds,
            });
        }
    }
    out
}
