//! `impact`: one unit's dependants and dependencies as text and JSON, and a
//! boot's whole dependency graph as JSON and Graphviz DOT (the chart is
//! `chart::graph`).

use serde_json::{Value, json};

use super::json::findings::findings as findings_json;
use super::json::{SCHEMA_VERSION, evidence_list};
use crate::findings::Finding;
use crate::findings::impact::{Edge, Impact};
use crate::present::text::{WIDTH, fit, one_line, wrap};
use crate::present::time::{Zone, rfc3339, wall};
use crate::units::UnitTree;

/// Where the declarations came from, for people ("none" when not read).
pub fn declarations_source(tree: Option<&UnitTree>) -> String {
    match tree.map(|t| &t.origin) {
        None => "none (give --units DIR or --root ROOT to compare with the unit files)".into(),
        Some(crate::units::Origin::Root(p)) => format!("unit files under {}", p.display()),
        Some(crate::units::Origin::Dir(p)) => format!("unit files in {}", p.display()),
        Some(crate::units::Origin::Live) => "the running system manager (systemctl show)".into(),
    }
}

fn declared_word(e: &Edge) -> String {
    match &e.declared {
        None => "?".into(),
        Some(d) if d.is_empty() => "UNDECLARED".into(),
        Some(d) => d.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","),
    }
}

fn edge_lines(out: &mut String, edges: &[Edge], other: impl Fn(&Edge) -> &str, zone: Zone) {
    if edges.is_empty() {
        out.push_str("  (none seen)\n");
        return;
    }
    let w = edges.iter().map(|e| other(e).len()).max().unwrap_or(0);
    for e in edges {
        let head = format!(
            "  {:<17} {:<w$}  {:>3}x  conf {:.2}  declared: {}",
            e.kind.as_str(),
            other(e),
            e.count,
            e.confidence,
            declared_word(e),
        );
        out.push_str(&fit(&head, WIDTH));
        out.push('\n');
        for line in wrap(&e.explanation, WIDTH - 6) {
            out.push_str(&format!("      {line}\n"));
        }
        // The first line it rests on; `-o json` has them all, with cursors.
        if let Some(ev) = e.evidence.first() {
            let line = format!("      {}  {}", wall(ev.realtime_usec, zone), ev.message);
            out.push_str(&one_line(&line, WIDTH));
            out.push('\n');
        }
    }
}

/// The terminal form of `impact UNIT`.
pub fn text(imp: &Impact, tree: Option<&UnitTree>, boots: usize, zone: Zone) -> String {
    let head = format!(
        "{} — {} boot{} read; declarations: {}",
        imp.unit,
        boots,
        if boots == 1 { "" } else { "s" },
        declarations_source(tree),
    );
    let mut out = wrap(&head, WIDTH).join("\n    ");
    out.push_str(&format!("\n\nDepends on (what {} needed):\n", imp.unit));
    edge_lines(&mut out, &imp.dependencies, |e| &e.dependency, zone);
    out.push_str(&format!("\nDependants (what needed {}):\n", imp.unit));
    edge_lines(&mut out, &imp.dependants, |e| &e.dependant, zone);
    if let Some(list) = &imp.declared_unexercised {
        out.push_str("\nDeclared, never exercised in the boots read:\n");
        if list.is_empty() {
            out.push_str("  (none)\n");
        }
        for u in list {
            let kinds: Vec<&str> = u.declared.iter().map(|k| k.as_str()).collect();
            out.push_str(&format!(
                "  {} {} {}\n",
                u.dependant,
                kinds.join(","),
                u.dependency
            ));
        }
    }
    out.push_str("\nFindings:\n");
    if imp.findings.is_empty() {
        out.push_str(if tree.is_some() {
            "  (none)\n"
        } else {
            "  (none judged: findings about declarations need the unit files)\n"
        });
    }
    for f in &imp.findings {
        out.push_str(&format!(
            "  {:<8} {}\n",
            f.severity.as_str(),
            f.kind.as_str()
        ));
        for line in wrap(&f.summary, WIDTH - 6) {
            out.push_str(&format!("      {line}\n"));
        }
        for (i, line) in wrap(&f.hint, WIDTH - 11).iter().enumerate() {
            let lead = if i == 0 { "fix: " } else { "     " };
            out.push_str(&format!("      {lead}{line}\n"));
        }
    }
    out
}

/// One edge as the documented JSON object (times as µs and RFC 3339).
pub fn edge(e: &Edge) -> Value {
    json!({
        "dependant": e.dependant,
        "dependency": e.dependency,
        "kind": e.kind,
        "manager": e.manager,
        "count": e.count,
        "boots": e.boots.iter().map(|b| b.to_string()).collect::<Vec<_>>(),
        "first_realtime_usec": e.first_realtime_usec,
        "first_realtime": rfc3339(e.first_realtime_usec),
        "last_realtime_usec": e.last_realtime_usec,
        "last_realtime": rfc3339(e.last_realtime_usec),
        "confidence": (e.confidence * 100.0).round() / 100.0,
        "explanation": e.explanation,
        "evidence": evidence_list(&e.evidence),
        "declared": e.declared,
        "undeclared": e.declared_need().map(|d| !d),
        "fate": e.fate,
    })
}

fn edges(list: &[Edge]) -> Value {
    Value::Array(list.iter().map(edge).collect())
}

/// The JSON document of `impact UNIT` (schema/jforensics.schema.json
/// `impact_document`).
pub fn json(imp: &Impact, tree: Option<&UnitTree>, boot_ids: &[String], coverage: Value) -> Value {
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "impact",
        "unit": imp.unit,
        "boots": boot_ids,
        "declarations": declarations_json(tree),
        "dependencies": edges(&imp.dependencies),
        "dependants": edges(&imp.dependants),
        "declared_unexercised": imp.declared_unexercised,
        "findings": findings_json(&imp.findings),
        "coverage": coverage,
    })
}

fn declarations_json(tree: Option<&UnitTree>) -> Value {
    match tree {
        None => Value::Null,
        Some(t) => json!({
            "source": t.origin,
            "units": t.units.values().filter(|u| u.fragment.is_some()).count(),
            "problems": t.problems,
        }),
    }
}

/// The JSON document of `impact --all`: every edge, and the units they join
/// (`impact_graph_document`).
pub fn graph_json(
    list: &[Edge],
    tree: Option<&UnitTree>,
    findings: &[Finding],
    boot_ids: &[String],
    coverage: Value,
) -> Value {
    let mut units: Vec<&str> = list
        .iter()
        .flat_map(|e| [e.dependant.as_str(), e.dependency.as_str()])
        .collect();
    units.sort_unstable();
    units.dedup();
    json!({
        "schema_version": SCHEMA_VERSION,
        "document": "impact-graph",
        "boots": boot_ids,
        "declarations": declarations_json(tree),
        "units": units,
        "edges": edges(list),
        "findings": findings_json(findings),
        "coverage": coverage,
    })
}

/// Graphviz colour of each edge kind (the chart uses the same).
pub fn kind_colour(kind: crate::findings::impact::EdgeKind) -> &'static str {
    use crate::findings::impact::EdgeKind;
    match kind {
        EdgeKind::Pull => "#1f77b4",
        EdgeKind::Trigger => "#2ca02c",
        EdgeKind::DependencyFailed => "#d62728",
        EdgeKind::Fate => "#ff7f0e",
    }
}

/// `impact --all --format dot`: dependant → dependency, coloured by kind;
/// an edge no unit file declares is dashed and labelled.
pub fn dot(edges: &[Edge]) -> String {
    let mut out = String::from(
        "digraph impact {\n  rankdir=LR;\n  node [shape=box, fontname=\"DejaVu Sans\"];\n  edge [fontname=\"DejaVu Sans\", fontsize=10];\n",
    );
    for e in edges {
        let undeclared = e.declared_need() == Some(false);
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [color=\"{}\", label=\"{}{}\"{}];\n",
            escape(&node_name(&e.dependant, &e.manager)),
            escape(&node_name(&e.dependency, &e.manager)),
            kind_colour(e.kind),
            e.kind.as_str(),
            if undeclared { " (undeclared)" } else { "" },
            if undeclared {
                ", style=dashed, penwidth=2"
            } else {
                ""
            },
        ));
    }
    out.push_str("}\n");
    out
}

/// A unit's node: its name, and for a user manager's unit the manager too
/// (`exit.target (user:1000)`), as unit names are per manager.
pub fn node_name(unit: &str, manager: &str) -> String {
    if manager == "system" {
        unit.to_string()
    } else {
        format!("{unit} ({manager})")
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
