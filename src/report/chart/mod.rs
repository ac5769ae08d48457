//! Charts for a postmortem, drawn with plotters as SVG (for Markdown and
//! HTML) and PNG (for tickets and chat).
//!
//! Each chart is a small input struct — rows of bars, markers and lines — that
//! a report builds from what earlier stages computed, so the drawing code can
//! be tested without a journal and never reads one. Layout is done here, not
//! by plotters' chart builder: rows, labels, ticks and legends are measured
//! with the embedded font and placed so that they cannot overlap, whatever
//! the number of units.
//!
//! Text comes from DejaVu Sans embedded in the binary (`assets/fonts/`):
//! plotters' bitmap backend panics on text without a registered font, and an
//! embedded one needs no fontconfig and renders the same everywhere.

mod axis;
pub mod crash_loop;
mod draw;
mod from_analysis;
pub mod graph;
pub mod overview;
pub mod timeline;

use std::fmt;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

pub use axis::TimeScale;

/// The family name charts ask for; [`ensure_font`] registers it.
pub(crate) const FONT: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font once per process. Drawing calls it first.
pub fn ensure_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_err() {
            // The bytes are part of the binary; a test parses them.
            panic!("the embedded DejaVu Sans font does not parse");
        }
    });
}

/// A chart that can be drawn on any plotters backend.
pub trait Chart {
    /// Width and height in pixels; they depend on the content (rows, legend).
    fn size(&self) -> (u32, u32);
    /// Draws on a white area of [`Chart::size`].
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<()>;
}

/// Which image file to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// Draws `chart` as an SVG document.
pub fn to_svg(chart: &impl Chart) -> Result<String> {
    ensure_font();
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        area.fill(&WHITE)?;
        chart.draw(&area)?;
        area.present()?;
    }
    Ok(svg)
}

/// Draws `chart` into an RGB pixel buffer (3 bytes a pixel, rows top down).
pub fn to_pixels(chart: &impl Chart) -> Result<Vec<u8>> {
    ensure_font();
    let (w, h) = chart.size();
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let area = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        area.fill(&WHITE)?;
        draw::with_raster_text(|| chart.draw(&area))?;
        area.present()?;
    }
    Ok(buf)
}

/// Draws `chart` as PNG file bytes.
pub fn to_png(chart: &impl Chart) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let (w, h) = chart.size();
    let pixels = to_pixels(chart)?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pixels, w, h, image::ColorType::Rgb8)
        .map_err(|e| Error(format!("encoding PNG: {e}")))?;
    Ok(png)
}

/// Draws `chart` in `format` as file bytes.
pub fn render(chart: &impl Chart, format: ImageFormat) -> Result<Vec<u8>> {
    match format {
        ImageFormat::Svg => to_svg(chart).map(String::into_bytes),
        ImageFormat::Png => to_png(chart),
    }
}

/// Drawing failed: a backend error (I/O, font) with its description.
#[derive(Debug)]
pub struct Error(String);

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "drawing a chart: {}", self.0)
    }
}

impl std::error::Error for Error {}

impl<E: std::error::Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>>
    for Error
{
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Error {
        Error(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_measures_text() {
        ensure_font();
        let (w, h) = draw::text_size("startup finished", 13);
        assert!(w > 60 && w < 200, "width {w}");
        assert!(h > 8 && h < 30, "height {h}");
    }
}
