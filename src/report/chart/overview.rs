//! Journal overview: every boot on one time axis, how each ended, and the
//! downtime between them.
//!
//! When the wall clock cannot order the boots — a machine without an RTC
//! starts every boot at the same wall time — the chart says so and draws each
//! boot on its own uptime instead, in journal order, rather than piling them
//! on top of each other.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::axis::{AXIS_HEIGHT, Clock, TimeScale};
use super::draw::{self, Heading, LABEL_SIZE, Legend, MARGIN, Swatch, palette};
use super::{Chart, Result};
use crate::boots::{Boot, BootEnd, ShutdownKind};
use crate::present::time::{Zone, span, wall};

/// One boot as the overview draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootSpan {
    /// journalctl's offset: 0 newest, −1 the one before …
    pub index: i64,
    /// Short boot id.
    pub label: String,
    /// Wall clock of the first and last entry.
    pub first_usec: u64,
    pub last_usec: u64,
    /// Monotonic clock of the first and last entry (uptime).
    pub first_uptime_usec: u64,
    pub last_uptime_usec: u64,
    /// Monotonic time of "Startup finished".
    pub startup_finished_usec: Option<u64>,
    pub end: BootEnd,
    pub shutdown: Option<ShutdownKind>,
    /// Wall-clock gap to the next boot, when known.
    pub downtime_usec: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Overview {
    /// Oldest first.
    pub boots: Vec<BootSpan>,
    pub zone: Zone,
}

const WIDTH: i32 = 1100;
const ROW: i32 = 26;
const BAR: i32 = 14;

impl Overview {
    pub fn from_boots(boots: &[Boot], zone: Zone) -> Overview {
        Overview {
            boots: boots
                .iter()
                .map(|b| BootSpan {
                    index: b.index,
                    label: b.boot_id.short(),
                    first_usec: b.first_realtime_usec,
                    last_usec: b.last_realtime_usec,
                    first_uptime_usec: b.first_monotonic_usec.unwrap_or(0),
                    last_uptime_usec: b.duration_usec,
                    startup_finished_usec: b
                        .startup_finished
                        .as_ref()
                        .and_then(|s| s.monotonic_usec),
                    end: b.end,
                    shutdown: b.shutdown,
                    downtime_usec: b.downtime_usec,
                })
                .collect(),
            zone,
        }
    }

    /// The first boot whose wall clock starts before the previous one ended,
    /// if any: then wall-clock times cannot place boots on one axis.
    pub fn clock_conflict(&self) -> Option<(&BootSpan, &BootSpan)> {
        self.boots
            .windows(2)
            .find(|w| w[1].first_usec < w[0].last_usec)
            .map(|w| (&w[0], &w[1]))
    }

    fn clock(&self) -> Clock {
        match self.clock_conflict() {
            None => Clock::Wall(self.zone),
            Some(_) => Clock::Relative,
        }
    }

    /// Where boot `b`'s bar starts and ends on the axis.
    fn extent(&self, b: &BootSpan) -> (u64, u64) {
        match self.clock() {
            Clock::Wall(_) => (b.first_usec, b.last_usec),
            Clock::Relative => (b.first_uptime_usec, b.last_uptime_usec),
        }
    }

    fn startup_at(&self, b: &BootSpan) -> Option<u64> {
        let mono = b.startup_finished_usec?;
        match self.clock() {
            Clock::Wall(_) => Some(
                b.first_usec
                    .saturating_add(mono)
                    .saturating_sub(b.first_uptime_usec),
            ),
            Clock::Relative => Some(mono),
        }
    }

    fn heading(&self) -> Heading {
        let unclean = self
            .boots
            .iter()
            .filter(|b| b.end == BootEnd::Unclean)
            .count();
        let mut title = format!(
            "Journal overview: {} boot{}",
            self.boots.len(),
            plural(self.boots.len())
        );
        if let (Some(first), Some(last)) = (self.boots.first(), self.boots.last()) {
            title.push_str(&format!(
                ", {} to {}",
                wall(first.first_usec, self.zone),
                wall(last.last_usec, self.zone)
            ));
        }
        let unknown = self
            .boots
            .iter()
            .filter(|b| b.end == BootEnd::Unknown)
            .count();
        title.push_str(&match (unclean, unknown) {
            (0, 0) => ", no unclean end".to_string(),
            (n, 0) => format!(", {n} unclean end{}", plural(n)),
            // An excerpt: "no unclean end" would claim what it cannot show.
            (n, u) => format!(
                ", {n} unclean end{}, {u} end{} unknown",
                plural(n),
                plural(u)
            ),
        });
        let mut notes = Vec::new();
        if let Some((a, b)) = self.clock_conflict() {
            notes.push(format!(
                "The wall clock cannot order these boots: boot {} starts at {}, before boot {} ended at {} \
                 (no real-time clock, or the clock was reset). Boots are listed in journal order and each \
                 is drawn on its own uptime; downtime between them is unknown.",
                b.label,
                wall(b.first_usec, self.zone),
                a.label,
                wall(a.last_usec, self.zone)
            ));
        }
        if self.boots.is_empty() {
            notes.push("The journal holds no boots.".to_string());
        }
        Heading { title, notes }
    }

    fn legend(&self) -> Legend {
        let has = |end: BootEnd| self.boots.iter().any(|b| b.end == end);
        let mut items = Vec::new();
        if has(BootEnd::Clean) {
            items.push((
                Swatch::Box(palette::GREEN),
                "clean shutdown logged".to_string(),
            ));
        }
        if has(BootEnd::Unclean) {
            items.push((
                Swatch::Box(palette::RED),
                "UNCLEAN: journal stops (power cut or crash)".to_string(),
            ));
        }
        if has(BootEnd::Running) {
            items.push((Swatch::Box(palette::BLUE), "running when read".to_string()));
        }
        if has(BootEnd::Unknown) {
            items.push((
                Swatch::Box(palette::GREY),
                "end unknown: entries missing (an excerpt)".to_string(),
            ));
        }
        if self.boots.iter().any(|b| b.startup_finished_usec.is_some()) {
            items.push((
                Swatch::VLine(palette::BLACK),
                "startup finished".to_string(),
            ));
        }
        if has(BootEnd::Unclean) {
            items.push((
                Swatch::Cross(palette::BLACK),
                "last entry before the cut".to_string(),
            ));
        }
        if self.clock() != Clock::Relative {
            items.push((Swatch::Dotted(palette::GREY), "downtime".to_string()));
        }
        Legend { items }
    }

    fn left_labels(&self) -> Vec<String> {
        self.boots
            .iter()
            .map(|b| format!("{:>3}  {}", b.index, b.label))
            .collect()
    }

    fn right_labels(&self) -> Vec<String> {
        self.boots
            .iter()
            .map(|b| {
                let end = match (b.end, b.shutdown) {
                    (BootEnd::Clean, Some(k)) => format!("clean {}", k.as_str()),
                    (BootEnd::Clean, None) => "clean".to_string(),
                    (BootEnd::Unclean, _) => "UNCLEAN".to_string(),
                    (BootEnd::Running, _) => "running".to_string(),
                    (BootEnd::Unknown, _) => "end unknown (entries missing)".to_string(),
                };
                let mut label = format!("{end}, up {}", span(b.last_uptime_usec));
                if let Some(d) = b.downtime_usec {
                    label.push_str(&format!(", then down {}", span(d)));
                }
                label
            })
            .collect()
    }

    fn columns(&self) -> (i32, i32) {
        let widest = |labels: Vec<String>| {
            labels
                .iter()
                .map(|l| draw::text_width(l, LABEL_SIZE))
                .max()
                .unwrap_or(0)
        };
        (
            widest(self.left_labels()).min(260) + 12,
            widest(self.right_labels()).min(260) + 12,
        )
    }

    fn inner_width() -> i32 {
        WIDTH - 2 * MARGIN
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Chart for Overview {
    fn size(&self) -> (u32, u32) {
        let w = Self::inner_width();
        let h = MARGIN
            + self.heading().height(w)
            + self.boots.len().max(1) as i32 * ROW
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
        let w = Self::inner_width();
        let heading = self.heading();
        heading.draw(area, w)?;
        let (left, right) = self.columns();
        let top = MARGIN + heading.height(w);
        let bottom = top + self.boots.len().max(1) as i32 * ROW;
        let (x0, x1) = (MARGIN + left, WIDTH - MARGIN - right);
        let from = self
            .boots
            .iter()
            .map(|b| self.extent(b).0)
            .min()
            .unwrap_or(0);
        let to = self
            .boots
            .iter()
            .map(|b| self.extent(b).1)
            .max()
            .unwrap_or(0);
        let scale = TimeScale::new(from, to, (x0, x1), self.clock());

        for i in (0..self.boots.len()).step_by(2) {
            let y = top + i as i32 * ROW;
            draw::rect(
                area,
                (MARGIN, y),
                (WIDTH - MARGIN, y + ROW),
                &palette::BAND,
                true,
            )?;
        }
        scale.draw(area, (top, bottom))?;

        let lefts = self.left_labels();
        let rights = self.right_labels();
        for (i, b) in self.boots.iter().enumerate() {
            let cy = top + i as i32 * ROW + ROW / 2;
            let color = match b.end {
                BootEnd::Clean => palette::GREEN,
                BootEnd::Unclean => palette::RED,
                BootEnd::Running => palette::BLUE,
                BootEnd::Unknown => palette::GREY,
            };
            let left_label = draw::fit(&lefts[i], LABEL_SIZE, left - 12);
            draw::text(
                area,
                &left_label,
                (MARGIN + 4, cy),
                LABEL_SIZE,
                &palette::TEXT,
                (HPos::Left, VPos::Center),
            )?;
            let right_label = draw::fit(&rights[i], LABEL_SIZE, right - 12);
            draw::text(
                area,
                &right_label,
                (x1 + 10, cy),
                LABEL_SIZE,
                &color,
                (HPos::Left, VPos::Center),
            )?;

            let (start, end) = self.extent(b);
            let (bx0, bx1) = (scale.x(start), scale.x(end).max(scale.x(start) + 3));
            draw::rect(area, (bx0, cy - BAR / 2), (bx1, cy + BAR / 2), &color, true)?;
            if let Some(at) = self.startup_at(b) {
                let x = scale.x(at);
                draw::line(
                    area,
                    (x, cy - BAR / 2 - 3),
                    (x, cy + BAR / 2 + 3),
                    &palette::BLACK,
                    2,
                )?;
            }
            if b.end == BootEnd::Unclean {
                draw::cross(area, (bx1, cy), 5, &palette::BLACK)?;
            }
            // Downtime: a dotted line along this row to where the next boot starts.
            if self.clock() != Clock::Relative
                && let (Some(next), Some(down)) = (self.boots.get(i + 1), b.downtime_usec)
            {
                let nx = scale.x(next.first_usec);
                if nx > bx1 + 2 {
                    draw::dotted_hline(area, (bx1 + 2, nx), cy, &palette::GREY)?;
                    let label = format!("down {}", span(down));
                    if draw::text_width(&label, draw::SMALL_SIZE) + 8 < nx - bx1 {
                        draw::text(
                            area,
                            &label,
                            ((bx1 + nx) / 2, cy - 3),
                            draw::SMALL_SIZE,
                            &palette::MUTED,
                            (HPos::Center, VPos::Bottom),
                        )?;
                    }
                }
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

    fn boot(index: i64, first: u64, last: u64, end: BootEnd) -> BootSpan {
        BootSpan {
            index,
            label: format!("boot{}", -index),
            first_usec: first,
            last_usec: last,
            first_uptime_usec: 2 * S,
            last_uptime_usec: 2 * S + (last - first),
            startup_finished_usec: Some(10 * S),
            end,
            shutdown: None,
            downtime_usec: None,
        }
    }

    #[test]
    fn boots_that_restart_the_clock_are_drawn_on_uptime_and_say_so() {
        let o = Overview {
            boots: vec![
                boot(-1, T0, T0 + 300 * S, BootEnd::Unclean),
                boot(0, T0 + S, T0 + 200 * S, BootEnd::Running),
            ],
            zone: Zone::Utc,
        };
        assert_eq!(o.clock(), Clock::Relative);
        assert_eq!(o.extent(&o.boots[0]), (2 * S, 302 * S));
        let notes = o.heading().notes.join(" ");
        assert!(notes.contains("cannot order these boots"), "{notes}");
        let svg = super::super::to_svg(&o).unwrap();
        assert!(svg.contains("time since boot"));
    }

    #[test]
    fn ordered_boots_use_the_wall_clock_and_show_downtime() {
        let mut first = boot(-1, T0, T0 + 300 * S, BootEnd::Clean);
        first.downtime_usec = Some(3600 * S);
        let o = Overview {
            boots: vec![
                first,
                boot(0, T0 + 3900 * S, T0 + 4000 * S, BootEnd::Running),
            ],
            zone: Zone::Utc,
        };
        assert_eq!(o.clock(), Clock::Wall(Zone::Utc));
        assert!(o.heading().notes.is_empty());
        let svg = super::super::to_svg(&o).unwrap();
        assert!(svg.contains("down 1h 0min"), "downtime labelled");
        assert!(svg.contains("wall clock (UTC)"));
    }

    #[test]
    fn fifty_boots_get_a_taller_chart_not_overlapping_rows() {
        let boots: Vec<BootSpan> = (0..50)
            .map(|i| {
                boot(
                    i - 49,
                    T0 + i as u64 * 1000 * S,
                    T0 + i as u64 * 1000 * S + 500 * S,
                    BootEnd::Clean,
                )
            })
            .collect();
        let o = Overview {
            boots,
            zone: Zone::Utc,
        };
        let (_, h) = o.size();
        assert!(h as i32 >= 50 * ROW);
        assert_eq!(
            super::super::to_pixels(&o).unwrap().len(),
            (WIDTH as u32 * h * 3) as usize
        );
    }
}
