//! Charts drawn from real journals: the PNG and SVG of a bundle agree, the
//! PNG is a real picture (text and coloured bars drawn with the embedded
//! font), and the no-RTC journal gets the uptime axis with its explanation.

use std::path::Path;

use crate::support::fixture::Fixture;
use crate::support::*;

fn bundle(journal: &str, boot: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = jforensics(&[
        "-D",
        journal,
        "--utc",
        "report",
        "-b",
        boot,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

/// Width and height from the SVG root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn count_pixels(png: &image::RgbImage, rgb: [u8; 3]) -> usize {
    png.pixels().filter(|p| p.0 == rgb).count()
}

fn load(dir: &Path, name: &str) -> (image::RgbImage, String) {
    let png = image::load_from_memory(&std::fs::read(dir.join(format!("{name}.png"))).unwrap())
        .expect("a PNG")
        .to_rgb8();
    let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
    (png, svg)
}

#[test]
fn overview_png_and_svg_agree_and_show_every_boot() {
    for f in Fixture::all() {
        let out = bundle(f.dir_arg(), "0");
        let (png, svg) = load(out.path(), "overview");
        assert_eq!((png.width(), png.height()), svg_size(&svg), "{}", f.name);
        for b in &f.truth.boots {
            assert!(
                svg.contains(&b.boot_id[..8]),
                "{}: boot {} labelled",
                f.name,
                b.boot_id
            );
        }
        // Bars in the clean and unclean colours, and dark text from the font.
        assert!(
            count_pixels(&png, [0, 158, 115]) > 500,
            "{}: clean bars",
            f.name
        );
        assert!(
            count_pixels(&png, [213, 94, 0]) > 200,
            "{}: the unclean bar",
            f.name
        );
        let dark = png.pixels().filter(|p| p.0.iter().all(|c| *c < 90)).count();
        assert!(
            dark > 1000,
            "{}: text rendered ({dark} dark pixels)",
            f.name
        );
        assert!(
            svg.contains("wall clock (UTC)"),
            "{}: wall-clock axis",
            f.name
        );
        assert!(svg.contains("then down "), "{}: downtime shown", f.name);
    }
}

#[test]
fn the_no_rtc_overview_falls_back_to_uptime_and_says_why() {
    let out = bundle(no_rtc_dir().to_str().unwrap(), "0");
    let (png, svg) = load(out.path(), "overview");
    assert!(svg.contains("time since boot"), "uptime axis");
    assert!(
        svg.contains("cannot order these boots"),
        "the reason is on the chart"
    );
    assert!(!svg.contains("wall clock ("), "no wall-clock axis");
    assert_eq!((png.width(), png.height()), svg_size(&svg));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    assert!(
        json["notes"][0]
            .as_str()
            .unwrap()
            .contains("wall clock cannot order")
    );
}
