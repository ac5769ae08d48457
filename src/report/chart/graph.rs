//! The dependency graph of `impact --all`: units as boxes in columns, each
//! dependant left of what it needs, edges coloured by how the record shows
//! them, and an edge no unit file declares drawn dashed with a red mark.
//!
//! Columns are the longest chain of dependencies below a unit (a unit that
//! needs nothing is rightmost), so every arrow of an acyclic graph points
//! right; a cycle (which systemd's ordering forbids but a fate coincidence
//! could make) is cut after as many rounds as there are units.

use std::collections::BTreeMap;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Heading, LABEL_SIZE, Legend, MARGIN, Swatch, palette};
use super::{Chart, Result};
use crate::findings::impact::{Edge, EdgeKind};

const ROW: i32 = 34;
const BOX_H: i32 = 24;
const COLUMN_GAP: i32 = 120;
const PAD: i32 = 10;
const WIDTH_MIN: i32 = 640;

pub fn kind_colour(kind: EdgeKind) -> RGBColor {
    match kind {
        EdgeKind::Pull => palette::BLUE,
        EdgeKind::Trigger => palette::GREEN,
        EdgeKind::DependencyFailed => palette::PURPLE,
        EdgeKind::Fate => palette::ORANGE,
    }
}

struct Node {
    name: String,
    column: usize,
    row: usize,
}

struct Arrow {
    from: usize,
    to: usize,
    kind: EdgeKind,
    undeclared: bool,
}

pub struct DependencyGraph {
    nodes: Vec<Node>,
    arrows: Vec<Arrow>,
    column_x: Vec<i32>,
    column_w: Vec<i32>,
    rows: usize,
    heading: Heading,
    legend: Legend,
}

impl DependencyGraph {
    pub fn new(edges: &[Edge]) -> DependencyGraph {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut names: Vec<String> = Vec::new();
        let node = |unit: &str, manager: &str| crate::report::impact::node_name(unit, manager);
        let keys: Vec<(String, String)> = edges
            .iter()
            .map(|e| {
                (
                    node(&e.dependant, &e.manager),
                    node(&e.dependency, &e.manager),
                )
            })
            .collect();
        for (a, b) in &keys {
            for n in [a, b] {
                if !index.contains_key(n.as_str()) {
                    names.push(n.clone());
                    index.insert(n.as_str(), names.len() - 1);
                }
            }
        }
        let arrows: Vec<Arrow> = edges
            .iter()
            .zip(&keys)
            .map(|(e, (a, b))| Arrow {
                from: index[a.as_str()],
                to: index[b.as_str()],
                kind: e.kind,
                undeclared: e.declared_need() == Some(false),
            })
            .collect();
        // depth[n] = longest chain of dependencies below n.
        let mut depth = vec![0usize; names.len()];
        for _ in 0..names.len() {
            let mut changed = false;
            for a in &arrows {
                if a.from != a.to && depth[a.from] < depth[a.to] + 1 {
                    depth[a.from] = depth[a.to] + 1;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let max_depth = depth.iter().copied().max().unwrap_or(0);
        let columns = max_depth + 1;
        let mut per_column = vec![0usize; columns];
        let mut nodes = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let column = max_depth - depth[i];
            nodes.push(Node {
                name,
                column,
                row: per_column[column],
            });
            per_column[column] += 1;
        }
        // One barycentre pass: each column after the first ordered by the
        // mean row of its dependants, so arrows cross less.
        for c in 1..columns {
            let mut keyed: Vec<(f64, usize)> = (0..nodes.len())
                .filter(|&i| nodes[i].column == c)
                .map(|i| {
                    let rows: Vec<f64> = arrows
                        .iter()
                        .filter(|a| a.to == i && nodes[a.from].column < c)
                        .map(|a| nodes[a.from].row as f64)
                        .collect();
                    let key = if rows.is_empty() {
                        f64::MAX
                    } else {
                        rows.iter().sum::<f64>() / rows.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (row, (_, i)) in keyed.into_iter().enumerate() {
                nodes[i].row = row;
            }
        }
        let mut column_w = vec![0i32; columns];
        for n in &nodes {
            column_w[n.column] =
                column_w[n.column].max(draw::text_width(&n.name, LABEL_SIZE) + 2 * PAD);
        }
        let mut column_x = Vec::with_capacity(columns);
        let mut x = MARGIN;
        for w in &column_w {
            column_x.push(x);
            x += w + COLUMN_GAP;
        }
        let undeclared = arrows.iter().filter(|a| a.undeclared).count();
        let mut items: Vec<(Swatch, String)> = EdgeKind::ALL
            .iter()
            .map(|k| (Swatch::Box(kind_colour(*k)), k.as_str().to_string()))
            .collect();
        items.push((
            Swatch::Cross(palette::RED),
            "undeclared (dashed)".to_string(),
        ));
        DependencyGraph {
            rows: per_column.iter().copied().max().unwrap_or(0),
            heading: Heading {
                title: "Dependencies seen in the journal".to_string(),
                notes: vec![format!(
                    "{} units, {} edges (dependant → dependency){}",
                    nodes.len(),
                    arrows.len(),
                    if undeclared > 0 {
                        format!("; {undeclared} not declared by any unit file")
                    } else {
                        String::new()
                    }
                )],
            },
            legend: Legend { items },
            nodes,
            arrows,
            column_x,
            column_w,
        }
    }

    fn width(&self) -> i32 {
        let content = self
            .column_x
            .last()
            .zip(self.column_w.last())
            .map_or(0, |(x, w)| x + w);
        (content + MARGIN).max(WIDTH_MIN)
    }

    fn top(&self) -> i32 {
        MARGIN + self.heading.height(self.width() - 2 * MARGIN)
    }

    fn node_box(&self, i: usize) -> ((i32, i32), (i32, i32)) {
        let n = &self.nodes[i];
        let x0 = self.column_x[n.column];
        let y0 = self.top() + n.row as i32 * ROW;
        ((x0, y0), (x0 + self.column_w[n.column], y0 + BOX_H))
    }
}

impl Chart for DependencyGraph {
    fn size(&self) -> (u32, u32) {
        let w = self.width();
        let h = self.top()
            + self.rows as i32 * ROW
            + MARGIN
            + self.legend.height(w - 2 * MARGIN)
            + MARGIN;
        (w as u32, h as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<()> {
        let w = self.width();
        self.heading.draw(area, w - 2 * MARGIN)?;
        for a in &self.arrows {
            let (f0, f1) = self.node_box(a.from);
            let (t0, t1) = self.node_box(a.to);
            let fy = (f0.1 + f1.1) / 2;
            let ty = (t0.1 + t1.1) / 2;
            let (from, to) = if t0.0 >= f1.0 {
                ((f1.0, fy), (t0.0, ty))
            } else {
                ((f0.0, fy), (t1.0, ty))
            };
            let colour = kind_colour(a.kind);
            if a.undeclared {
                dashed(area, from, to, &colour)?;
                let mid = ((from.0 + to.0) / 2, (from.1 + to.1) / 2);
                draw::cross(area, mid, 5, &palette::RED)?;
            } else {
                draw::line(area, from, to, &colour, 2)?;
            }
            arrow_head(area, from, to, &colour)?;
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let (p0, p1) = self.node_box(i);
            draw::rect(area, p0, p1, &palette::BAND, true)?;
            draw::rect(area, p0, p1, &palette::MUTED, false)?;
            draw::text(
                area,
                &n.name,
                (p0.0 + PAD, (p0.1 + p1.1) / 2),
                LABEL_SIZE,
                &palette::TEXT,
                (HPos::Left, VPos::Center),
            )?;
        }
        let legend_y = self.top() + self.rows as i32 * ROW + MARGIN;
        self.legend.draw(area, (MARGIN, legend_y), w - 2 * MARGIN)?;
        Ok(())
    }
}

fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    from: (i32, i32),
    to: (i32, i32),
    colour: &RGBColor,
) -> Result<()> {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let steps = (len / 8.0).ceil() as i32;
    for s in (0..steps).step_by(2) {
        let a = f64::from(s) / f64::from(steps);
        let b = (f64::from(s + 1) / f64::from(steps)).min(1.0);
        let p = |t: f64| {
            (
                from.0 + (dx * t).round() as i32,
                from.1 + (dy * t).round() as i32,
            )
        };
        draw::line(area, p(a), p(b), colour, 2)?;
    }
    Ok(())
}

fn arrow_head<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    from: (i32, i32),
    to: (i32, i32),
    colour: &RGBColor,
) -> Result<()> {
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let back = (f64::from(to.0) - ux * 9.0, f64::from(to.1) - uy * 9.0);
    let left = (
        (back.0 - uy * 5.0).round() as i32,
        (back.1 + ux * 5.0).round() as i32,
    );
    let right = (
        (back.0 + uy * 5.0).round() as i32,
        (back.1 - ux * 5.0).round() as i32,
    );
    area.draw(&Polygon::new(vec![to, left, right], colour.filled()))?;
    Ok(())
}
