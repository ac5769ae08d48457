//! Aligned plain-text tables, the one renderer for every table a terminal
//! shows (`boots`, `unit`, failures, `query` results). Cells may be
//! coloured: widths count what a terminal shows ([`visible_width`]), not
//! escape sequences.

use super::color::{Tone, paint, visible_width};

/// Column alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[(&str, Align)]) -> Table {
        Table::with_headers(headers.iter().map(|(h, a)| (h.to_string(), *a)).collect())
    }

    /// As [`Table::new`], for headers made at run time (a query's columns).
    pub fn with_headers(headers: Vec<(String, Align)>) -> Table {
        Table {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Columns separated by two spaces; the last column is not padded.
    pub fn render(&self) -> String {
        self.render_painted(false)
    }

    /// As [`Table::render`], with the header line in bold when `color`.
    pub fn render_painted(&self, color: bool) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|(h, _)| h.chars().count())
            .collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(n) {
                widths[i] = widths[i].max(visible_width(cell));
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        for cells in std::iter::once(&header).chain(self.rows.iter()) {
            let mut line = String::new();
            for (i, (_, align)) in self.headers.iter().enumerate() {
                let cell = cells.get(i).map(String::as_str).unwrap_or("");
                let pad = widths[i].saturating_sub(visible_width(cell));
                if i > 0 {
                    line.push_str("  ");
                }
                match align {
                    Align::Right => {
                        line.extend(std::iter::repeat_n(' ', pad));
                        line.push_str(cell);
                    }
                    Align::Left if i + 1 == n => line.push_str(cell),
                    Align::Left => {
                        line.push_str(cell);
                        line.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            let line = line.trim_end();
            if out.is_empty() {
                out.push_str(&paint(color, Tone::Header, line));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut t = Table::new(&[
            ("IDX", Align::Right),
            ("NAME", Align::Left),
            ("END", Align::Left),
        ]);
        t.row(vec!["-10".into(), "a".into(), "clean".into()]);
        t.row(vec!["0".into(), "longer".into(), "running".into()]);
        assert_eq!(
            t.render(),
            "IDX  NAME    END\n-10  a       clean\n  0  longer  running\n"
        );
    }
}
