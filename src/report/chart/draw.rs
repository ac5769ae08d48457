//! Drawing primitives shared by the charts: text that is measured before it
//! is placed, legends that wrap, titles with notes, and the palette.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{FONT, Result};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Colours chosen to stay apart for people with the common colour-vision
/// deficiencies (Okabe–Ito), plus greys for context.
pub(crate) mod palette {
    use plotters::style::RGBColor;

    pub const TEXT: RGBColor = RGBColor(30, 30, 30);
    pub const MUTED: RGBColor = RGBColor(110, 110, 110);
    pub const GRID: RGBColor = RGBColor(225, 225, 225);
    pub const BAND: RGBColor = RGBColor(246, 246, 246);
    pub const HIGHLIGHT: RGBColor = RGBColor(255, 244, 214);
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const RED: RGBColor = RGBColor(213, 94, 0);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const GREY: RGBColor = RGBColor(160, 160, 160);
    pub const LIGHT_GREY: RGBColor = RGBColor(200, 200, 200);
    pub const BROWN: RGBColor = RGBColor(140, 86, 75);
    pub const OLIVE: RGBColor = RGBColor(128, 128, 0);
    pub const NAVY: RGBColor = RGBColor(40, 60, 130);

    /// Distinct colours for categories without a fixed colour (exit codes).
    pub const CATEGORIES: [RGBColor; 8] = [RED, BLUE, ORANGE, PURPLE, GREEN, SKY, BROWN, NAVY];
}

pub(crate) const TITLE_SIZE: u32 = 19;
pub(crate) const LABEL_SIZE: u32 = 13;
pub(crate) const SMALL_SIZE: u32 = 12;
pub(crate) const MARGIN: i32 = 16;

fn font(size: u32) -> FontDesc<'static> {
    (FONT, size).into_font()
}

/// Width and height of `text` at `size` in the embedded font.
pub(crate) fn text_size(text: &str, size: u32) -> (u32, u32) {
    super::ensure_font();
    font(size)
        .box_size(text)
        .unwrap_or((text.chars().count() as u32 * size / 2, size))
}

pub(crate) fn text_width(text: &str, size: u32) -> i32 {
    text_size(text, size).0 as i32
}

/// `text`, cut with "…" so that it fits in `max_px`.
pub(crate) fn fit(text: &str, size: u32, max_px: i32) -> String {
    if text_width(text, size) <= max_px {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for keep in (1..chars.len()).rev() {
        let cut: String = chars[..keep].iter().collect::<String>() + "…";
        if text_width(&cut, size) <= max_px {
            return cut;
        }
    }
    "…".to_string()
}

/// Draws one line of text anchored at `(x, y)`.
///
/// Into SVG, text stays text. Into pixels it is rasterised here rather than
/// by plotters: plotters 0.3.7 drops each glyph's side bearing and rounds its
/// baseline per glyph, which leaves uneven gaps between letters and lifts
/// the dots of "nginx.service". Here glyphs sit on one baseline at their
/// true (sub-pixel) advance, with anti-aliased coverage.
pub(crate) fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    (x, y): (i32, i32),
    size: u32,
    color: &RGBColor,
    (h, v): (HPos, VPos),
) -> Result<()> {
    if RASTER_TEXT.get() {
        for ((px, py), coverage) in raster::glyph_pixels(s, (x, y), size, (h, v)) {
            area.draw_pixel((px, py), &color.mix(f64::from(coverage)))?;
        }
        return Ok(());
    }
    let style = font(size).color(color).pos(Pos::new(h, v));
    area.draw(&Text::new(s.to_string(), (x, y), style))?;
    Ok(())
}

thread_local! {
    /// Set while drawing into pixels (see [`text`]).
    static RASTER_TEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `draw` with text rasterised by [`raster`] instead of plotters.
pub(crate) fn with_raster_text<T>(draw: impl FnOnce() -> T) -> T {
    RASTER_TEXT.set(true);
    let out = draw();
    RASTER_TEXT.set(false);
    out
}

/// Text into pixels with ab_glyph, the rasteriser plotters itself uses.
mod raster {
    use std::sync::OnceLock;

    use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
    use plotters::style::text_anchor::{HPos, VPos};

    fn font() -> &'static FontRef<'static> {
        static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
        FONT.get_or_init(|| {
            FontRef::try_from_slice(super::super::DEJAVU_SANS)
                .unwrap_or_else(|_| panic!("the embedded DejaVu Sans font does not parse"))
        })
    }

    /// Pixels `((x, y), coverage)` of `text` at `size` (the same scale
    /// plotters measures with), anchored at `(x, y)`.
    pub fn glyph_pixels(
        text: &str,
        (x, y): (i32, i32),
        size: u32,
        (h, v): (HPos, VPos),
    ) -> Vec<((i32, i32), f32)> {
        let scale = PxScale::from(size as f32);
        let scaled = font().as_scaled(scale);
        let mut advances = Vec::with_capacity(text.len());
        let mut caret = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            advances.push((id, caret));
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
        let left = match h {
            HPos::Left => x as f32,
            HPos::Center => x as f32 - caret / 2.0,
            HPos::Right => x as f32 - caret,
        };
        let (ascent, descent) = (scaled.ascent(), scaled.descent());
        let baseline = match v {
            VPos::Top => y as f32 + ascent,
            VPos::Center => y as f32 + (ascent + descent) / 2.0,
            VPos::Bottom => y as f32 + descent,
        };
        let mut out = Vec::new();
        for (id, offset) in advances {
            let glyph = id.with_scale_and_position(scale, point(left + offset, baseline));
            if let Some(outline) = font().outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, coverage| {
                    if coverage > 0.0 {
                        out.push((
                            (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32),
                            coverage.min(1.0),
                        ));
                    }
                });
            }
        }
        out
    }
}

pub(crate) fn rect<DB: DrawingBackend>(
    area: &Area<DB>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: &RGBColor,
    filled: bool,
) -> Result<()> {
    let style = if filled {
        color.filled()
    } else {
        color.stroke_width(1)
    };
    area.draw(&Rectangle::new([(x0, y0), (x1, y1)], style))?;
    Ok(())
}

pub(crate) fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    from: (i32, i32),
    to: (i32, i32),
    color: &RGBColor,
    width: u32,
) -> Result<()> {
    area.draw(&PathElement::new(vec![from, to], color.stroke_width(width)))?;
    Ok(())
}

/// A vertical dashed line from `y0` to `y1`.
pub(crate) fn dashed_vline<DB: DrawingBackend>(
    area: &Area<DB>,
    x: i32,
    (y0, y1): (i32, i32),
    color: &RGBColor,
    width: u32,
) -> Result<()> {
    let mut y = y0;
    while y < y1 {
        line(area, (x, y), (x, (y + 5).min(y1)), color, width)?;
        y += 9;
    }
    Ok(())
}

/// A horizontal dotted line from `x0` to `x1`.
pub(crate) fn dotted_hline<DB: DrawingBackend>(
    area: &Area<DB>,
    (x0, x1): (i32, i32),
    y: i32,
    color: &RGBColor,
) -> Result<()> {
    let mut x = x0;
    while x < x1 {
        line(area, (x, y), ((x + 2).min(x1), y), color, 1)?;
        x += 5;
    }
    Ok(())
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Swatch {
    Box(RGBColor),
    Dot(RGBColor),
    Cross(RGBColor),
    VLine(RGBColor),
    DashedVLine(RGBColor),
    Dotted(RGBColor),
}

pub(crate) fn swatch<DB: DrawingBackend>(
    area: &Area<DB>,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> Result<()> {
    // (x, y) is the centre of a 14 × 14 cell.
    match swatch {
        Swatch::Box(c) => rect(area, (x - 7, y - 5), (x + 7, y + 5), &c, true),
        Swatch::Dot(c) => dot(area, (x, y), 5, &c),
        Swatch::Cross(c) => cross(area, (x, y), 5, &c),
        Swatch::VLine(c) => line(area, (x, y - 7), (x, y + 7), &c, 2),
        Swatch::DashedVLine(c) => dashed_vline(area, x, (y - 7, y + 7), &c, 2),
        Swatch::Dotted(c) => dotted_hline(area, (x - 7, x + 7), y, &c),
    }
}

pub(crate) fn dot<DB: DrawingBackend>(
    area: &Area<DB>,
    at: (i32, i32),
    radius: i32,
    color: &RGBColor,
) -> Result<()> {
    area.draw(&Circle::new(at, radius, color.filled()))?;
    area.draw(&Circle::new(at, radius, WHITE.stroke_width(1)))?;
    Ok(())
}

pub(crate) fn cross<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    r: i32,
    color: &RGBColor,
) -> Result<()> {
    line(area, (x - r, y - r), (x + r, y + r), color, 3)?;
    line(area, (x - r, y + r), (x + r, y - r), color, 3)
}

/// Legend entries flow left to right and wrap at `max_width`.
pub(crate) struct Legend {
    pub items: Vec<(Swatch, String)>,
}

const LEGEND_ROW: i32 = 20;
const LEGEND_GAP: i32 = 22;

impl Legend {
    fn positions(&self, max_width: i32) -> (Vec<(i32, i32)>, i32) {
        let (mut x, mut y) = (0, 0);
        let mut out = Vec::new();
        for (_, label) in &self.items {
            let w = 20 + text_width(label, SMALL_SIZE);
            if x > 0 && x + w > max_width {
                x = 0;
                y += LEGEND_ROW;
            }
            out.push((x, y));
            x += w + LEGEND_GAP;
        }
        let height = if self.items.is_empty() {
            0
        } else {
            y + LEGEND_ROW
        };
        (out, height)
    }

    pub fn height(&self, max_width: i32) -> i32 {
        self.positions(max_width).1
    }

    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        (x0, y0): (i32, i32),
        max_width: i32,
    ) -> Result<()> {
        let (positions, _) = self.positions(max_width);
        for ((kind, label), (x, y)) in self.items.iter().zip(positions) {
            let cy = y0 + y + LEGEND_ROW / 2;
            swatch(area, *kind, (x0 + x + 7, cy))?;
            text(
                area,
                label,
                (x0 + x + 20, cy),
                SMALL_SIZE,
                &palette::TEXT,
                (HPos::Left, VPos::Center),
            )?;
        }
        Ok(())
    }
}

/// A title line and notes under it, wrapped to `max_width`.
pub(crate) struct Heading {
    pub title: String,
    pub notes: Vec<String>,
}

const NOTE_LINE: i32 = 17;

impl Heading {
    fn note_lines(&self, max_width: i32) -> Vec<String> {
        self.notes
            .iter()
            .flat_map(|n| wrap(n, SMALL_SIZE, max_width))
            .collect()
    }

    pub fn height(&self, max_width: i32) -> i32 {
        28 + self.note_lines(max_width).len() as i32 * NOTE_LINE + 8
    }

    pub fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, max_width: i32) -> Result<()> {
        let title = fit(&self.title, TITLE_SIZE, max_width);
        text(
            area,
            &title,
            (MARGIN, MARGIN),
            TITLE_SIZE,
            &palette::TEXT,
            (HPos::Left, VPos::Top),
        )?;
        for (i, note) in self.note_lines(max_width).iter().enumerate() {
            text(
                area,
                note,
                (MARGIN, MARGIN + 28 + i as i32 * NOTE_LINE),
                SMALL_SIZE,
                &palette::MUTED,
                (HPos::Left, VPos::Top),
            )?;
        }
        Ok(())
    }
}

/// Greedy word wrap by measured width.
pub(crate) fn wrap(text: &str, size: u32, max_px: i32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size) > max_px {
            lines.push(std::mem::replace(&mut line, fit(word, size, max_px)));
        } else {
            line = fit(&candidate, size, max_px);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_to_fit() {
        let long = "systemd-networkd-wait-online-with-a-very-long-name.service";
        let cut = fit(long, LABEL_SIZE, 150);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, LABEL_SIZE) <= 150);
        assert_eq!(fit("sshd.service", LABEL_SIZE, 150), "sshd.service");
    }

    #[test]
    fn notes_wrap_at_the_width() {
        let lines = wrap(
            "the wall clock restarts at every boot, so boots are drawn on their own uptime",
            SMALL_SIZE,
            200,
        );
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, SMALL_SIZE) <= 200));
    }

    #[test]
    fn legends_wrap_into_rows() {
        let legend = Legend {
            items: (0..12)
                .map(|i| (Swatch::Box(palette::RED), format!("item number {i}")))
                .collect(),
        };
        assert_eq!(legend.height(10_000), LEGEND_ROW);
        assert!(legend.height(300) > 3 * LEGEND_ROW);
    }
}
