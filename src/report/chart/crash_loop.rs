//! Crash loops: for each looping unit, its failures counted up over time,
//! each one a dot coloured by how the process ended (exit status or signal).
//!
//! One panel per unit on a shared wall-clock axis, so the slope shows the
//! restart rate and panels can be compared; the colours show whether a loop
//! keeps failing the same way.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{AXIS_HEIGHT, Clock, TimeScale};
use super::draw::{self, Heading, LABEL_SIZE, Legend, MARGIN, SMALL_SIZE, Swatch, palette};
use super::{Chart, Result};
use crate::present::time::Zone;

/// One failure of a looping unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub at_usec: u64,
    /// How the process ended, as people read it: "exit 1", "SIGSEGV",
    /// "timeout", or "?" when the journal did not say.
    pub exit: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loop {
    pub unit: String,
    /// In time order.
    pub failures: Vec<Failure>,
}

#[derive(Clone, Debug)]
pub struct CrashLoops {
    pub title: String,
    pub notes: Vec<String>,
    pub zone: Zone,
    pub loops: Vec<Loop>,
}

const WIDTH: i32 = 1100;
const PANEL: i32 = 78;
const PANEL_GAP: i32 = 8;
/// Room either side of the first and last failure so their dots are drawn
/// whole: a share of the span (1/40) …
const EDGE_PAD_SHARE: u64 = 40;
/// … plus half a second, so a single failure still gets a scale.
const EDGE_PAD_USEC: u64 = 500_000;
/// Exit kinds beyond the palette share the last colour under "other".
const MAX_KINDS: usize = 7;

impl CrashLoops {
    /// Exit kinds in order of first appearance; the first [`MAX_KINDS`] get
    /// their own colour.
    fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = Vec::new();
        for f in self.loops.iter().flat_map(|l| &l.failures) {
            if !kinds.contains(&f.exit.as_str()) {
                kinds.push(&f.exit);
            }
        }
        kinds
    }

    fn color(&self, exit: &str) -> RGBColor {
        let kinds = self.kinds();
        let i = kinds.iter().position(|k| *k == exit).unwrap_or(usize::MAX);
        palette::CATEGORIES[i.min(MAX_KINDS)]
    }

    fn legend(&self) -> Legend {
        let kinds = self.kinds();
        let mut items: Vec<(Swatch, String)> = kinds
            .iter()
            .take(MAX_KINDS)
            .map(|k| (Swatch::Dot(self.color(k)), format!("ended: {k}")))
            .collect();
        if kinds.len() > MAX_KINDS {
            items.push((
                Swatch::Dot(palette::CATEGORIES[MAX_KINDS]),
                "ended: other".to_string(),
            ));
        }
        items.push((Swatch::VLine(palette::MUTED), "failures so far".to_string()));
        Legend { items }
    }

    fn heading(&self) -> Heading {
        let mut notes = self.notes.clone();
        if self.loops.is_empty() {
            notes.push("No crash loops.".to_string());
        }
        Heading {
            title: self.title.clone(),
            notes,
        }
    }

    fn left_width(&self) -> i32 {
        self.loops
            .iter()
            .map(|l| draw::text_width(&l.unit, LABEL_SIZE))
            .max()
            .unwrap_or(0)
            .clamp(100, 280)
            + 16
    }

    fn scale(&self) -> TimeScale {
        let times = self
            .loops
            .iter()
            .flat_map(|l| &l.failures)
            .map(|f| f.at_usec);
        let from = times.clone().min().unwrap_or(0);
        let to = times.max().unwrap_or(0);
        let pad = (to - from) / EDGE_PAD_SHARE + EDGE_PAD_USEC;
        TimeScale::new(
            from.saturating_sub(pad),
            to + pad,
            (MARGIN + self.left_width(), WIDTH - MARGIN - 20),
            Clock::Wall(self.zone),
        )
    }
}

impl Chart for CrashLoops {
    fn size(&self) -> (u32, u32) {
        let w = WIDTH - 2 * MARGIN;
        let h = MARGIN
            + self.heading().height(w)
            + self.loops.len().max(1) as i32 * (PANEL + PANEL_GAP)
            + AXIS_HEIGHT
            + 12
            + self.legend().height(w)
            + MARGIN;
        (WIDTH as u32, h as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<()> {
        let w = WIDTH - 2 * MARGIN;
        let heading = self.heading();
        heading.draw(area, w)?;
        let scale = self.scale();
        let top = MARGIN + heading.height(w);
        let bottom = top + self.loops.len().max(1) as i32 * (PANEL + PANEL_GAP);
        scale.draw(area, (top, bottom))?;

        for (i, l) in self.loops.iter().enumerate() {
            let py0 = top + i as i32 * (PANEL + PANEL_GAP) + 6;
            let py1 = py0 + PANEL - 6;
            draw::rect(
                area,
                (scale.x0, py0),
                (scale.x1, py1),
                &palette::LIGHT_GREY,
                false,
            )?;
            let name = draw::fit(&l.unit, LABEL_SIZE, scale.x0 - MARGIN - 16);
            draw::text(
                area,
                &name,
                (scale.x0 - 10, py0 + 14),
                LABEL_SIZE,
                &palette::TEXT,
                (HPos::Right, VPos::Center),
            )?;
            let n = l.failures.len();
            let count = format!("{n} failure{}", if n == 1 { "" } else { "s" });
            draw::text(
                area,
                &count,
                (scale.x0 - 10, py0 + 32),
                SMALL_SIZE,
                &palette::MUTED,
                (HPos::Right, VPos::Center),
            )?;
            // Count axis: 0 at the bottom of the panel, n at the top.
            let y =
                |k: usize| py1 - 6 - ((py1 - py0 - 14) as f64 * k as f64 / n.max(1) as f64) as i32;
            draw::text(
                area,
                &n.to_string(),
                (scale.x0 + 4, py0 + 2),
                SMALL_SIZE,
                &palette::MUTED,
                (HPos::Left, VPos::Top),
            )?;
            let mut points = Vec::with_capacity(2 * n + 1);
            let mut prev_y = y(0);
            points.push((scale.x0, prev_y));
            for (k, f) in l.failures.iter().enumerate() {
                let x = scale.x(f.at_usec);
                points.push((x, prev_y));
                prev_y = y(k + 1);
                points.push((x, prev_y));
            }
            points.push((scale.x1, prev_y));
            area.draw(&PathElement::new(points, palette::MUTED.stroke_width(1)))?;
            for (k, f) in l.failures.iter().enumerate() {
                draw::dot(
                    area,
                    (scale.x(f.at_usec), y(k + 1)),
                    4,
                    &self.color(&f.exit),
                )?;
            }
        }
        self.legend()
            .draw(area, (MARGIN, bottom + AXIS_HEIGHT + 12), w)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_666_569_600_000_000;
    const S: u64 = 1_000_000;

    fn looping(unit: &str, exits: &[&str]) -> Loop {
        Loop {
            unit: unit.to_string(),
            failures: exits
                .iter()
                .enumerate()
                .map(|(i, e)| Failure {
                    at_usec: T0 + i as u64 * 2 * S,
                    exit: e.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn exit_kinds_get_colours_in_order_and_the_rest_share_other() {
        let many: Vec<String> = (1..=10).map(|i| format!("exit {i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let c = CrashLoops {
            title: "loops".into(),
            notes: vec![],
            zone: Zone::Utc,
            loops: vec![looping("a.service", &refs)],
        };
        assert_eq!(c.color("exit 1"), palette::CATEGORIES[0]);
        assert_eq!(c.color("exit 9"), c.color("exit 10"));
        let legend: Vec<String> = c.legend().items.into_iter().map(|(_, l)| l).collect();
        assert!(legend.contains(&"ended: other".to_string()), "{legend:?}");
        assert_eq!(legend.len(), MAX_KINDS + 2);
    }

    #[test]
    fn each_loop_gets_a_panel() {
        let c = CrashLoops {
            title: "loops".into(),
            notes: vec![],
            zone: Zone::Utc,
            loops: vec![
                looping("a.service", &["exit 1", "exit 1", "SIGSEGV"]),
                looping("b.service", &["exit 3"]),
            ],
        };
        let (_, h) = c.size();
        let one = CrashLoops {
            loops: c.loops[..1].to_vec(),
            ..c.clone()
        };
        assert_eq!(h - one.size().1, (PANEL + PANEL_GAP) as u32);
        let svg = super::super::to_svg(&c).unwrap();
        assert!(
            svg.contains("\n3 failures\n") && svg.contains("\n1 failure\n"),
            "counts shown"
        );
    }
}
