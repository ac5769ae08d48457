//! `report.html`: the same page as `report.md`, as one self-contained file
//! with the charts inlined as SVG — for mail, or a ticket system that takes
//! a single attachment.
//!
//! It is rendered from the Markdown page (one source of wording), with every
//! chart image replaced by the chart's SVG text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::report::chart::ImageFormat;
use crate::report::input::{ChartRef, ReportInput};
use crate::report::markdown;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#1e1e1e}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
pre{background:#f6f6f6;padding:.8em;overflow-x:auto}code{font-size:90%}\
figure{margin:1em 0;overflow-x:auto}svg{max-width:100%;height:auto}";

pub fn report(input: &ReportInput, charts: &[ChartRef], notes: &[String]) -> String {
    let md = markdown::report_for_single_file(input, charts, notes);
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    let mut in_image = false;
    let events = Parser::new_ext(&md, options).filter_map(|event| match event {
        Event::Start(Tag::Image { dest_url, .. }) => {
            in_image = true;
            let svg = charts
                .iter()
                .find(|c| c.file(ImageFormat::Svg) == dest_url.as_ref())
                .map(|c| format!("<figure>{}</figure>", strip_xml_declaration(&c.svg)))
                .unwrap_or_default();
            Some(Event::Html(svg.into()))
        }
        Event::End(TagEnd::Image) => {
            in_image = false;
            None
        }
        _ if in_image => None,
        other => Some(other),
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    let title = md
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .unwrap_or("jforensics report");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(title)
    )
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map(|(_, s)| s).unwrap_or(svg),
        None => svg,
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
