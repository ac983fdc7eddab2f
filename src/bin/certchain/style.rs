//! Terminal styling: colour only when standard output is a terminal and `NO_COLOR` is unset
//! (or empty), as <https://no-color.org> asks.

use std::io::IsTerminal;

/// How to decorate text for people.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// The style for standard output.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Red, bold.
    pub fn error(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Yellow.
    pub fn warning(self, text: &str) -> String {
        self.paint("33", text)
    }

    /// Cyan.
    pub fn info(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// Green.
    pub fn ok(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dim.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// `text` padded with spaces to `width` characters (colour codes are added after padding).
pub fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let mut s = text.to_string();
    s.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    s
}
