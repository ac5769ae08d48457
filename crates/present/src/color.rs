//! Colour for terminal text: ANSI SGR sequences, only when asked for.
//!
//! Whether to colour is decided once, by the front end, from `--color`, the
//! `NO_COLOR` convention (<https://no-color.org>) and whether standard output
//! is a terminal ([`enabled`]); report code only asks [`paint`] to wrap a
//! piece of text, which is a no-op when colour is off. Tables measure cells
//! with [`visible_width`], so coloured cells still line up.

/// `--color`: when to colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    /// On a terminal, unless `NO_COLOR` is set to something non-empty.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether to colour, given the choice, whether stdout is a terminal and
/// `NO_COLOR`'s value. `always` beats `NO_COLOR`: it is the more explicit ask.
pub fn enabled(when: When, stdout_is_terminal: bool, no_color: Option<&str>) -> bool {
    match when {
        When::Always => true,
        When::Never => false,
        When::Auto => stdout_is_terminal && no_color.is_none_or(str::is_empty),
    }
}

/// What a piece of text means; each has one look everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something went wrong: an unclean end, a failure (bold red).
    Bad,
    /// Worth a look (yellow).
    Warn,
    /// As it should be (green).
    Good,
    /// Still going (blue).
    Live,
    /// Context that can be skimmed (dim).
    Quiet,
    /// Column headers (bold).
    Header,
}

impl Tone {
    fn sgr(self) -> &'static str {
        match self {
            Tone::Bad => "1;31",
            Tone::Warn => "33",
            Tone::Good => "32",
            Tone::Live => "34",
            Tone::Quiet => "2",
            Tone::Header => "1",
        }
    }
}

/// `text` in `tone` when `on`, else unchanged.
pub fn paint(on: bool, tone: Tone, text: &str) -> String {
    if on && !text.is_empty() {
        format!("\x1b[{}m{text}\x1b[0m", tone.sgr())
    } else {
        text.to_string()
    }
}

/// Characters a terminal shows: escape sequences (`ESC [ … letter`) take no room.
pub fn visible_width(s: &str) -> usize {
    let mut width = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            width += 1;
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_and_pipes_turn_colour_off_unless_forced() {
        assert!(enabled(When::Auto, true, None));
        assert!(
            enabled(When::Auto, true, Some("")),
            "an empty NO_COLOR does not count"
        );
        assert!(!enabled(When::Auto, true, Some("1")));
        assert!(!enabled(When::Auto, false, None), "piped");
        assert!(enabled(When::Always, false, Some("1")));
        assert!(!enabled(When::Never, true, None));
    }

    #[test]
    fn painted_text_keeps_its_visible_width() {
        let red = paint(true, Tone::Bad, "UNCLEAN");
        assert_ne!(red, "UNCLEAN");
        assert_eq!(visible_width(&red), 7);
        assert_eq!(paint(false, Tone::Bad, "UNCLEAN"), "UNCLEAN");
        assert_eq!(visible_width("naïve"), 5);
    }
}
