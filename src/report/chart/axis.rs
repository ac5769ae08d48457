//! The time axis: maps µs to pixels and picks ticks whose labels fit.
//!
//! Ticks land on round wall-clock times (every 10 s, 5 min, 1 h …) and the
//! step is the smallest whose labels, measured in the embedded font, leave a
//! gap between neighbours — so labels never overlap, however wide the span.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::Result;
use super::draw::{self, Area, SMALL_SIZE, palette};
use crate::present::time::{Zone, wall};

/// Whether labels read as wall-clock times or as time since a start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock time in this zone.
    Wall(Zone),
    /// Time since the start of the axis ("+2min"), for boots whose wall
    /// clocks cannot be compared.
    Relative,
}

/// `from_usec..to_usec` drawn over pixels `x0..x1`.
#[derive(Clone, Copy, Debug)]
pub struct TimeScale {
    pub from_usec: u64,
    pub to_usec: u64,
    pub x0: i32,
    pub x1: i32,
    pub clock: Clock,
}

const SECOND: u64 = 1_000_000;
const STEPS_S: [u64; 22] = [
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    2 * 3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    2 * 86_400,
    7 * 86_400,
    14 * 86_400,
    28 * 86_400,
];

impl TimeScale {
    /// A scale over `from..to`, widened so that an empty span still draws.
    pub fn new(from_usec: u64, to_usec: u64, (x0, x1): (i32, i32), clock: Clock) -> TimeScale {
        let to_usec = to_usec.max(from_usec + SECOND);
        TimeScale {
            from_usec,
            to_usec,
            x0,
            x1,
            clock,
        }
    }

    /// Pixel of `usec`, clamped to the plot.
    pub fn x(&self, usec: u64) -> i32 {
        let usec = usec.clamp(self.from_usec, self.to_usec);
        let frac = (usec - self.from_usec) as f64 / (self.to_usec - self.from_usec) as f64;
        self.x0 + (frac * (self.x1 - self.x0) as f64).round() as i32
    }

    fn label(&self, usec: u64, step_s: u64) -> String {
        match self.clock {
            Clock::Wall(zone) => {
                let full = wall(usec, zone);
                let span_days = (self.to_usec - self.from_usec) / (86_400 * SECOND);
                let r = if step_s >= 86_400 {
                    5..10
                } else if span_days >= 1 {
                    5..16
                } else if step_s >= 60 {
                    11..16
                } else {
                    11..19
                };
                full.get(r).unwrap_or(&full).to_string()
            }
            Clock::Relative => relative(usec - self.from_usec),
        }
    }

    /// Ticks `(usec, label)` on round times whose labels do not collide.
    pub fn ticks(&self) -> Vec<(u64, String)> {
        let px = (self.x1 - self.x0).max(1) as f64;
        let span = (self.to_usec - self.from_usec) as f64;
        for step_s in STEPS_S {
            let step = step_s * SECOND;
            let ticks = self.ticks_every(step, step_s);
            let widest = ticks
                .iter()
                .map(|(_, l)| draw::text_width(l, SMALL_SIZE))
                .max()
                .unwrap_or(0);
            let step_px = step as f64 / span * px;
            if step_px >= (widest + 16) as f64 {
                return ticks;
            }
        }
        // Longer than the largest step can label: the two ends only.
        vec![
            (self.from_usec, self.label(self.from_usec, 86_400)),
            (self.to_usec, self.label(self.to_usec, 86_400)),
        ]
    }

    fn ticks_every(&self, step: u64, step_s: u64) -> Vec<(u64, String)> {
        let base = match self.clock {
            Clock::Wall(_) => 0,
            Clock::Relative => self.from_usec,
        };
        let first = base + (self.from_usec - base).div_ceil(step) * step;
        (0..)
            .map(|i| first + i * step)
            .take_while(|t| *t <= self.to_usec)
            .take(200)
            .map(|t| (t, self.label(t, step_s)))
            .collect()
    }

    /// What the axis measures, for its caption.
    pub fn caption(&self) -> String {
        match self.clock {
            Clock::Wall(zone) => {
                let name = match zone {
                    Zone::Utc => "UTC",
                    Zone::Local => "local time",
                };
                format!("wall clock ({name}), from {}", wall(self.from_usec, zone))
            }
            Clock::Relative => "time since boot (monotonic clock)".to_string(),
        }
    }

    /// Grid lines over `y0..y1`, tick labels and the caption under `y1`.
    /// Returns the height used under `y1`.
    pub fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, (y0, y1): (i32, i32)) -> Result<()> {
        for (t, label) in self.ticks() {
            let x = self.x(t);
            draw::line(area, (x, y0), (x, y1), &palette::GRID, 1)?;
            draw::line(area, (x, y1), (x, y1 + 4), &palette::MUTED, 1)?;
            draw::text(
                area,
                &label,
                (x, y1 + 6),
                SMALL_SIZE,
                &palette::TEXT,
                (HPos::Center, VPos::Top),
            )?;
        }
        draw::line(area, (self.x0, y1), (self.x1, y1), &palette::MUTED, 1)?;
        draw::text(
            area,
            &self.caption(),
            ((self.x0 + self.x1) / 2, y1 + 24),
            SMALL_SIZE,
            &palette::MUTED,
            (HPos::Center, VPos::Top),
        )
    }
}

/// Height an axis needs under the plot: ticks, labels, caption.
pub(crate) const AXIS_HEIGHT: i32 = 44;

/// "0", "30s", "2min", "1h 30min", "2d".
fn relative(usec: u64) -> String {
    let s = usec / SECOND;
    match s {
        0 => "0".to_string(),
        1..=59 => format!("{s}s"),
        60..=3599 if s.is_multiple_of(60) => format!("{}min", s / 60),
        60..=3599 => format!("{}min {}s", s / 60, s % 60),
        3600..=86_399 if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        3600..=86_399 => format!("{}h {}min", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_666_569_600_000_000; // 2022-10-24 00:00:00 UTC

    #[test]
    fn ticks_land_on_round_times_and_leave_room_for_their_labels() {
        let scale = TimeScale::new(
            T0 + 7 * SECOND,
            T0 + 245 * SECOND,
            (100, 900),
            Clock::Wall(Zone::Utc),
        );
        let ticks = scale.ticks();
        assert!(ticks.len() >= 4, "{ticks:?}");
        let step = ticks[1].0 - ticks[0].0;
        assert!(step.is_multiple_of(SECOND));
        assert!(ticks.iter().all(|(t, _)| (t - T0).is_multiple_of(step)));
        for pair in ticks.windows(2) {
            let gap = scale.x(pair[1].0) - scale.x(pair[0].0);
            let widest = draw::text_width(&pair[0].1, SMALL_SIZE)
                .max(draw::text_width(&pair[1].1, SMALL_SIZE));
            assert!(gap > widest, "{pair:?} gap {gap} label {widest}");
        }
        assert_eq!(ticks[0].1.len(), 8, "seconds shown: {ticks:?}");
    }

    #[test]
    fn a_narrow_plot_gets_fewer_ticks() {
        let wide = TimeScale::new(T0, T0 + 3600 * SECOND, (0, 1000), Clock::Wall(Zone::Utc));
        let narrow = TimeScale::new(T0, T0 + 3600 * SECOND, (0, 150), Clock::Wall(Zone::Utc));
        assert!(narrow.ticks().len() < wide.ticks().len());
        assert!(narrow.ticks().len() >= 2);
    }

    #[test]
    fn relative_labels_count_from_the_start() {
        let scale = TimeScale::new(T0 + 3, T0 + 3 + 300 * SECOND, (0, 800), Clock::Relative);
        let ticks = scale.ticks();
        assert_eq!(ticks[0], (T0 + 3, "0".to_string()));
        assert!(ticks.iter().any(|(_, l)| l == "1min"), "{ticks:?}");
    }
}
