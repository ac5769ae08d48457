//! Boot timeline: one row per unit of interest, its activations as bars
//! coloured by state, a dot per start coloured by why it started, and
//! vertical lines for boot start, startup finished, and the shutdown or the
//! point where the journal stops.
//!
//! The input is plain rows of bars and marks so that any stage's result (the
//! lifecycles of a boot, a test's hand-made rows) can be drawn the same way.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{AXIS_HEIGHT, Clock, TimeScale};
use super::draw::{self, Heading, LABEL_SIZE, Legend, MARGIN, SMALL_SIZE, Swatch, palette};
use super::{Chart, Result};
use crate::cause::Cause;
use crate::present::time::Zone;

/// What a unit was doing during a bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// A start job was running (ExecStartPre, waiting for readiness).
    Starting,
    Active,
    /// Failed and stayed down (no restart scheduled).
    Failed,
    /// Failed, with a `Restart=` pending.
    WaitingRestart,
}

impl State {
    fn color(self) -> RGBColor {
        match self {
            State::Starting => RGBColor(246, 200, 110),
            State::Active => RGBColor(110, 190, 160),
            State::Failed => palette::RED,
            State::WaitingRestart => RGBColor(205, 170, 220),
        }
    }

    fn label(self) -> &'static str {
        match self {
            State::Starting => "starting",
            State::Active => "active",
            State::Failed => "failed",
            State::WaitingRestart => "waiting to restart",
        }
    }

    const ALL: [State; 4] = [
        State::Starting,
        State::Active,
        State::WaitingRestart,
        State::Failed,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub from_usec: u64,
    pub to_usec: u64,
    pub state: State,
}

/// A start, drawn as a dot whose colour says why the unit started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartMark {
    pub at_usec: u64,
    pub cause: Cause,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub unit: String,
    /// The unit has a finding: its row is highlighted.
    pub flagged: bool,
    /// Shown right of the plot, e.g. "3 starts, 2 failed".
    pub note: String,
    pub bars: Vec<Bar>,
    pub starts: Vec<StartMark>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    BootStart,
    StartupFinished,
    /// A shutdown sequence began.
    Shutdown,
    /// The journal stops without a shutdown: power cut or crash.
    PowerCut,
}

impl LineKind {
    fn color(self) -> RGBColor {
        match self {
            LineKind::BootStart => palette::BLACK,
            LineKind::StartupFinished => palette::BLUE,
            LineKind::Shutdown => palette::GREEN,
            LineKind::PowerCut => palette::RED,
        }
    }

    fn dashed(self) -> bool {
        matches!(self, LineKind::StartupFinished | LineKind::Shutdown)
    }
}

/// A vertical line across all rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub at_usec: u64,
    pub kind: LineKind,
    pub label: String,
}

#[derive(Clone, Debug)]
pub struct Timeline {
    pub title: String,
    pub notes: Vec<String>,
    pub zone: Zone,
    /// The window drawn, wall clock.
    pub from_usec: u64,
    pub to_usec: u64,
    pub rows: Vec<Row>,
    /// Units left out by [`select_rows`]; said under the title.
    pub omitted: usize,
    pub lines: Vec<Line>,
}

/// Each cause's colour and its place in the legend (the order people scan
/// it in: boot, by hand, restarts, triggers, the rest). Kept apart from the
/// state colours; a new cause must be given both here.
fn cause_look(cause: Cause) -> (u8, RGBColor) {
    match cause {
        Cause::Boot => (0, palette::LIGHT_GREY),
        Cause::Manual => (1, palette::ORANGE),
        Cause::FailureRestart => (2, palette::RED),
        Cause::PolicyRestart => (3, palette::PURPLE),
        Cause::Socket => (4, palette::SKY),
        Cause::Dependency => (5, palette::NAVY),
        Cause::Timer => (6, palette::OLIVE),
        Cause::OnFailure => (7, palette::BROWN),
        Cause::OnSuccess => (8, RGBColor(110, 170, 50)),
        Cause::AdminRestart => (9, RGBColor(100, 60, 160)),
        Cause::Transient => (10, RGBColor(0, 90, 90)),
        Cause::Unknown => (11, palette::BLACK),
    }
}

fn cause_color(cause: Cause) -> RGBColor {
    cause_look(cause).1
}

/// Keeps at most `limit` rows: flagged units first, then units with a start
/// not caused by the boot or a failure, then services, then the rest (targets,
/// sockets, mounts), each group in order of first start.
/// Returns the kept rows in order of first activity and how many were dropped.
pub fn select_rows(mut rows: Vec<Row>, limit: usize) -> (Vec<Row>, usize) {
    let first = |r: &Row| {
        r.bars
            .iter()
            .map(|b| b.from_usec)
            .chain(r.starts.iter().map(|s| s.at_usec))
            .min()
            .unwrap_or(u64::MAX)
    };
    let interest = |r: &Row| {
        if r.flagged {
            0
        } else if r.starts.iter().any(|s| s.cause != Cause::Boot)
            || r.bars
                .iter()
                .any(|b| matches!(b.state, State::Failed | State::WaitingRestart))
        {
            1
        } else if r.unit.contains(".service") {
            2
        } else {
            3
        }
    };
    rows.sort_by(|a, b| (interest(a), first(a), &a.unit).cmp(&(interest(b), first(b), &b.unit)));
    let omitted = rows.len().saturating_sub(limit);
    rows.truncate(limit);
    rows.sort_by(|a, b| (first(a), &a.unit).cmp(&(first(b), &b.unit)));
    (rows, omitted)
}

const WIDTH: i32 = 1200;
const ROW: i32 = 22;
const BAR: i32 = 12;
const LINE_LABEL: i32 = 16;

impl Timeline {
    fn heading(&self) -> Heading {
        let mut notes = self.notes.clone();
        if self.omitted > 0 {
            notes.push(format!(
                "{} more unit{} not drawn: only units with findings or starts not caused by the boot, then the earliest others, fit.",
                self.omitted,
                if self.omitted == 1 { " is" } else { "s are" }
            ));
        }
        if self.rows.is_empty() {
            notes.push("No unit activity in this window.".to_string());
        }
        Heading {
            title: self.title.clone(),
            notes,
        }
    }

    fn legend(&self) -> Legend {
        let mut items: Vec<(Swatch, String)> = State::ALL
            .iter()
            .map(|s| (Swatch::Box(s.color()), s.label().to_string()))
            .collect();
        let mut causes: Vec<Cause> = Vec::new();
        for row in &self.rows {
            for s in &row.starts {
                if !causes.contains(&s.cause) {
                    causes.push(s.cause);
                }
            }
        }
        causes.sort_by_key(|&c| cause_look(c).0);
        for c in causes {
            items.push((Swatch::Dot(cause_color(c)), format!("started: {c}")));
        }
        let mut kinds: Vec<LineKind> = Vec::new();
        for l in &self.lines {
            if !kinds.contains(&l.kind) {
                kinds.push(l.kind);
            }
        }
        for k in kinds {
            let swatch = if k.dashed() {
                Swatch::DashedVLine(k.color())
            } else {
                Swatch::VLine(k.color())
            };
            let label = match k {
                LineKind::BootStart => "boot start",
                LineKind::StartupFinished => "startup finished",
                LineKind::Shutdown => "shutdown",
                LineKind::PowerCut => "journal stops (power cut or crash)",
            };
            items.push((swatch, label.to_string()));
        }
        if self.rows.iter().any(|r| r.flagged) {
            items.push((
                Swatch::Box(palette::HIGHLIGHT),
                "unit with a finding".to_string(),
            ));
        }
        Legend { items }
    }

    fn columns(&self) -> (i32, i32) {
        let left = self
            .rows
            .iter()
            .map(|r| draw::text_width(&r.unit, LABEL_SIZE))
            .max()
            .unwrap_or(0)
            .clamp(80, 300)
            + 14;
        let right = self
            .rows
            .iter()
            .map(|r| draw::text_width(&r.note, SMALL_SIZE))
            .max()
            .unwrap_or(0)
            .min(200)
            + 14;
        (left, right)
    }

    fn scale(&self) -> TimeScale {
        let (left, right) = self.columns();
        TimeScale::new(
            self.from_usec,
            self.to_usec,
            (MARGIN + left, WIDTH - MARGIN - right),
            Clock::Wall(self.zone),
        )
    }

    /// The stagger level of each line's label, so that labels never overlap.
    fn label_levels(&self, scale: &TimeScale) -> (Vec<usize>, usize) {
        let mut order: Vec<usize> = (0..self.lines.len()).collect();
        order.sort_by_key(|i| (self.lines[*i].at_usec, *i));
        let mut level_end: Vec<i32> = Vec::new();
        let mut levels = vec![0; self.lines.len()];
        for i in order {
            let x = scale.x(self.lines[i].at_usec);
            let w = draw::text_width(&self.lines[i].label, SMALL_SIZE);
            let (start, end) = label_span(x, w, scale);
            let level = match level_end.iter().position(|e| *e + 8 <= start) {
                Some(l) => l,
                None => {
                    level_end.push(i32::MIN);
                    level_end.len() - 1
                }
            };
            level_end[level] = end;
            levels[i] = level;
        }
        (levels, level_end.len())
    }
}

/// Horizontal extent of a label centred on `x`, kept inside the plot.
fn label_span(x: i32, w: i32, scale: &TimeScale) -> (i32, i32) {
    let start = (x - w / 2).clamp(scale.x0 - 40, (scale.x1 + 40 - w).max(scale.x0 - 40));
    (start, start + w)
}

impl Chart for Timeline {
    fn size(&self) -> (u32, u32) {
        let w = WIDTH - 2 * MARGIN;
        let (_, label_rows) = self.label_levels(&self.scale());
        let h = MARGIN
            + self.heading().height(w)
            + label_rows as i32 * LINE_LABEL
            + 4
            + self.rows.len().max(1) as i32 * ROW
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
        let (_, right) = self.columns();
        let (levels, label_rows) = self.label_levels(&scale);
        let labels_top = MARGIN + heading.height(w);
        let top = labels_top + label_rows as i32 * LINE_LABEL + 4;
        let bottom = top + self.rows.len().max(1) as i32 * ROW;

        for (i, row) in self.rows.iter().enumerate() {
            let y = top + i as i32 * ROW;
            let band = if row.flagged {
                Some(palette::HIGHLIGHT)
            } else if i % 2 == 0 {
                Some(palette::BAND)
            } else {
                None
            };
            if let Some(c) = band {
                draw::rect(area, (MARGIN, y), (WIDTH - MARGIN, y + ROW), &c, true)?;
            }
        }
        scale.draw(area, (top, bottom))?;

        for (i, row) in self.rows.iter().enumerate() {
            let cy = top + i as i32 * ROW + ROW / 2;
            let name = draw::fit(&row.unit, LABEL_SIZE, scale.x0 - MARGIN - 14);
            draw::text(
                area,
                &name,
                (scale.x0 - 8, cy),
                LABEL_SIZE,
                &palette::TEXT,
                (HPos::Right, VPos::Center),
            )?;
            let note = draw::fit(&row.note, SMALL_SIZE, right - 14);
            draw::text(
                area,
                &note,
                (scale.x1 + 8, cy),
                SMALL_SIZE,
                &palette::MUTED,
                (HPos::Left, VPos::Center),
            )?;
            let mut bars: Vec<&Bar> = row.bars.iter().collect();
            bars.sort_by_key(|b| (b.from_usec, b.state));
            for bar in bars {
                let bx0 = scale.x(bar.from_usec);
                let bx1 = scale.x(bar.to_usec).max(bx0 + 2);
                draw::rect(
                    area,
                    (bx0, cy - BAR / 2),
                    (bx1, cy + BAR / 2),
                    &bar.state.color(),
                    true,
                )?;
            }
            for start in &row.starts {
                draw::dot(
                    area,
                    (scale.x(start.at_usec), cy),
                    5,
                    &cause_color(start.cause),
                )?;
            }
        }

        for (i, line) in self.lines.iter().enumerate() {
            let x = scale.x(line.at_usec);
            let color = line.kind.color();
            let y_label = labels_top + levels[i] as i32 * LINE_LABEL;
            if line.kind.dashed() {
                draw::dashed_vline(area, x, (y_label + LINE_LABEL, bottom), &color, 2)?;
            } else {
                draw::line(area, (x, y_label + LINE_LABEL), (x, bottom), &color, 2)?;
            }
            let tw = draw::text_width(&line.label, SMALL_SIZE);
            let (start, _) = label_span(x, tw, &scale);
            draw::text(
                area,
                &line.label,
                (start, y_label + LINE_LABEL / 2),
                SMALL_SIZE,
                &color,
                (HPos::Left, VPos::Center),
            )?;
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

    fn row(unit: &str, at: u64, cause: Cause, flagged: bool) -> Row {
        Row {
            unit: unit.to_string(),
            flagged,
            note: "1 start".to_string(),
            bars: vec![
                Bar {
                    from_usec: T0 + at * S,
                    to_usec: T0 + (at + 2) * S,
                    state: State::Starting,
                },
                Bar {
                    from_usec: T0 + (at + 2) * S,
                    to_usec: T0 + (at + 30) * S,
                    state: State::Active,
                },
            ],
            starts: vec![StartMark {
                at_usec: T0 + at * S,
                cause,
            }],
        }
    }

    #[test]
    fn every_cause_has_a_colour_and_a_legend_place_of_its_own() {
        let looks: Vec<(u8, RGBColor)> = Cause::ALL.iter().map(|&c| cause_look(c)).collect();
        for (i, (place, colour)) in looks.iter().enumerate() {
            for (other, (p, c)) in looks.iter().enumerate().skip(i + 1) {
                assert_ne!(
                    place,
                    p,
                    "{} and {} share a legend place",
                    Cause::ALL[i],
                    Cause::ALL[other]
                );
                assert_ne!(
                    colour,
                    c,
                    "{} and {} share a colour",
                    Cause::ALL[i],
                    Cause::ALL[other]
                );
            }
        }
    }

    #[test]
    fn selection_keeps_flagged_then_non_boot_starts_then_services_and_orders_by_time() {
        let rows = vec![
            row("a-boot.target", 1, Cause::Boot, false),
            row("b-boot.service", 2, Cause::Boot, false),
            row("c-boot.service", 3, Cause::Boot, false),
            row("manual.service", 50, Cause::Manual, false),
            row("flagged.service", 90, Cause::Boot, true),
        ];
        let (kept, omitted) = select_rows(rows, 3);
        assert_eq!(omitted, 2);
        let names: Vec<&str> = kept.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(
            names,
            ["b-boot.service", "manual.service", "flagged.service"],
            "the target and the later boot service make way"
        );
    }

    #[test]
    fn close_lines_get_their_labels_on_separate_levels() {
        let t = Timeline {
            title: "t".into(),
            notes: vec![],
            zone: Zone::Utc,
            from_usec: T0,
            to_usec: T0 + 3600 * S,
            rows: vec![row("x.service", 1, Cause::Boot, false)],
            omitted: 0,
            lines: vec![
                Line {
                    at_usec: T0,
                    kind: LineKind::BootStart,
                    label: "boot start".into(),
                },
                Line {
                    at_usec: T0 + S,
                    kind: LineKind::StartupFinished,
                    label: "startup finished".into(),
                },
                Line {
                    at_usec: T0 + 3000 * S,
                    kind: LineKind::Shutdown,
                    label: "shutdown".into(),
                },
            ],
        };
        let (levels, rows) = t.label_levels(&t.scale());
        assert_eq!(rows, 2);
        assert_ne!(levels[0], levels[1]);
        assert_eq!(levels[2], 0);
    }

    #[test]
    fn fifty_units_fit_without_overlap_and_the_legend_names_causes() {
        let rows: Vec<Row> = (0..50)
            .map(|i| {
                row(
                    &format!("unit-{i:02}-with-a-long-descriptive-name.service"),
                    i,
                    if i % 3 == 0 {
                        Cause::Manual
                    } else {
                        Cause::Boot
                    },
                    i == 7,
                )
            })
            .collect();
        let t = Timeline {
            title: "Boot 0".into(),
            notes: vec![],
            zone: Zone::Utc,
            from_usec: T0,
            to_usec: T0 + 120 * S,
            rows,
            omitted: 0,
            lines: vec![],
        };
        let (_, h) = t.size();
        assert!(h as i32 >= 50 * ROW);
        let legend: Vec<String> = t.legend().items.into_iter().map(|(_, l)| l).collect();
        assert!(
            legend.contains(&"started: manual".to_string()),
            "{legend:?}"
        );
        assert!(legend.contains(&"unit with a finding".to_string()));
        let svg = super::super::to_svg(&t).unwrap();
        assert!(svg.contains("unit-49"));
    }
}
