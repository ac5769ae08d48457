//! Text cut and wrapped to a width counted in characters, as a terminal
//! shows them.

/// The width every terminal text fits (`-l` may print wider).
pub const WIDTH: usize = 100;

/// Cuts `s` to `width` characters, marking the cut with "…".
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One line of at most `max` characters: control characters (a newline in a
/// logged message, a tab) become spaces, and a longer text is [`fit`].
pub fn one_line(text: &str, max: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    fit(&line, max)
}

/// Greedy word wrap to `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `s` padded with spaces to `width` characters (longer text is left whole).
/// 1204331 → "1,204,331": counts people read.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_wrapped_to_the_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        let lines = wrap("one two three four five six", 9);
        assert_eq!(lines, vec!["one two", "three", "four five", "six"]);
        assert!(lines.iter().all(|l| l.chars().count() <= 9));
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let text = "a bb ccc dddd eeeee ffffff";
        let lines = wrap(text, 8);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| l.len() <= 8));
    }

    #[test]
    fn one_line_flattens_control_characters_before_cutting() {
        assert_eq!(one_line("a\nb\tc", 10), "a b c");
        assert_eq!(one_line("abc\ndef", 5), "abc …");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("abcde", 4), "abcde");
    }
}
