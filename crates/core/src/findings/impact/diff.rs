//! What the record shows against what the unit files declare, as findings.
//!
//! Only `fate` edges are judged for a missing declaration: a pull, a
//! trigger and "Dependency failed" are systemd acting on a declaration, so
//! if the files read do not hold it, the files are incomplete (a generator,
//! a runtime drop-in), not the unit. And a unit whose file is not in the
//! tree read is never accused: absence of a declaration is concluded only
//! where the declarations were read.

use crate::findings::{Details, Finding, Kind, Severity, finding_id};
use crate::units::UnitTree;

use super::{Edge, EdgeKind};

#[derive(Clone, Debug, serde::Serialize)]
pub struct DependencyDetails {
    pub dependant: String,
    pub dependency: String,
    /// How the record shows the edge (`fate`, …).
    pub edge_kind: EdgeKind,
    /// The settings that do declare something between the two (`After`, …).
    pub declared: Vec<crate::units::DepKind>,
    /// Times the record shows it.
    pub count: u32,
}

/// The findings the difference makes. `edges` must have been
/// [`super::declare`]d with `tree`.
pub fn findings(edges: &[Edge], tree: &UnitTree) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::Fate) {
        let (Some(need), Some(order)) = (e.declared_need(), e.declared_order()) else {
            continue;
        };
        let (d, u) = (&e.dependant, &e.dependency);
        if !need {
            out.push(finding(
                e,
                Kind::UndeclaredDependency,
                Severity::Warning,
                format!(
                    "{d} depends on {u} ({}), but no unit file declares it",
                    times(e)
                ),
                format!(
                    "Add Wants={u} (or Requires={u}) and After={u} to {d}, or make {d} retry until {u} answers."
                ),
            ));
        } else if !order && e.fate.is_some_and(|f| f.before_start > 0) {
            out.push(finding(
                e,
                Kind::MissingOrdering,
                Severity::Warning,
                format!(
                    "{d} declares it needs {u} but not After={u}, and failed while {u} was not yet up ({})",
                    times(e)
                ),
                format!("Add After={u} to {d} so it starts only once {u} is up."),
            ));
        }
    }
    out.extend(not_enabled(edges, tree));
    out
}

/// Dependencies that units failed without, which nothing starts at boot.
fn not_enabled(edges: &[Edge], tree: &UnitTree) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for e in edges
        .iter()
        .filter(|e| matches!(e.kind, EdgeKind::Fate | EdgeKind::DependencyFailed))
    {
        let u = e.dependency.as_str();
        if e.manager != "system"
            || seen.contains(&u)
            || !tree.knows(u)
            || tree.started_at_boot(u)
            || !tree.started_at_boot(&e.dependant)
        {
            continue;
        }
        seen.push(u);
        let dependants: Vec<&str> = edges
            .iter()
            .filter(|x| {
                x.dependency == u
                    && matches!(x.kind, EdgeKind::Fate | EdgeKind::DependencyFailed)
                    && tree.started_at_boot(&x.dependant)
            })
            .map(|x| x.dependant.as_str())
            .collect();
        let mut f = finding(
            e,
            Kind::UnitNotEnabledButNeeded,
            Severity::Error,
            format!(
                "{u} is needed by {} (started at boot), but nothing starts {u} at boot",
                dependants.join(", ")
            ),
            format!(
                "Enable {u} (systemctl enable {u}), or have {} pull it in with Wants={u} and After={u}.",
                e.dependant
            ),
        );
        f.unit = Some(u.to_string());
        f.id = finding_id(f.kind, u, f.boot_id, f.start_realtime_usec);
        out.push(f);
    }
    out
}

fn times(e: &Edge) -> String {
    match (e.count, e.boots.len()) {
        (1, _) => "seen once".to_string(),
        (n, 1) => format!("seen {n} times"),
        (n, b) => format!("seen {n} times in {b} boots"),
    }
}

fn finding(e: &Edge, kind: Kind, severity: Severity, summary: String, hint: String) -> Finding {
    let boot_id = e.boots[0];
    let subject = format!("{}->{}", e.dependant, e.dependency);
    Finding {
        id: finding_id(kind, &subject, boot_id, e.first_realtime_usec),
        kind,
        severity,
        unit: Some(e.dependant.clone()),
        manager: e.manager.clone(),
        boot_id,
        start_realtime_usec: e.first_realtime_usec,
        end_realtime_usec: e.last_realtime_usec,
        summary,
        hint,
        confidence: Some(e.confidence),
        evidence: e.evidence.clone(),
        details: Details::Dependency(DependencyDetails {
            dependant: e.dependant.clone(),
            dependency: e.dependency.clone(),
            edge_kind: e.kind,
            declared: e.declared.clone().unwrap_or_default(),
            count: e.count,
        }),
    }
}
