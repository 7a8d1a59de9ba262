//! Positions and diagnostics shared by every layer.
//!
//! Every error in webxsl carries a [`Pos`] (1-based line and column, the column counted in
//! characters) or a byte offset that can be turned into one with [`line_col`]. The command line
//! renders them as
//!
//! ```text
//! samples/broken/web.config:3:15: error: expected 'b' end tag, found 'a'
//!     3 |   <system.web></a>
//!       |               ^
//! ```
//!
//! so that editors and CI logs can jump to the place.

use std::fmt;

/// A 1-based line and column; the column counts Unicode scalar values, as editors do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub col: u32,
}

impl Pos {
    /// A position from a line and a column, both 1-based.
    pub const fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    /// The column `n` characters to the right of this one, on the same line.
    pub fn shifted(self, n: u32) -> Pos {
        Pos {
            line: self.line,
            col: self.col + n,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The line and column of byte `offset` in `text` (clamped to the text, and to a character
/// boundary).
pub fn line_col(text: &str, offset: usize) -> Pos {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text.as_bytes()[..offset];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = 1 + text[line_start..offset].chars().count();
    Pos::new(line as u32, col as u32)
}

/// Line starts of a text, for many offset → position lookups in O(log n) each.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// Line `line` (1-based) of `text` (the text this index was built from), without its line
    /// ending: what [`line_text`] gives, without scanning the lines before it.
    pub fn line<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(text.len(), |&e| e - 1);
        let l = text.get(start..end)?;
        Some(l.strip_suffix('\r').unwrap_or(l))
    }

    /// The position of byte `offset` in `text` (the text this index was built from).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = 1 + text[start..offset].chars().count();
        Pos::new(line as u32, col as u32)
    }
}

/// Displays the position of an offset, computed only when displayed (for error messages built
/// in loops).
pub struct LazyPos<'a>(pub &'a str, pub usize);

impl fmt::Display for LazyPos<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        line_col(self.0, self.1).fmt(f)
    }
}

/// The byte offset of a position in `text`, if the line exists (the column is clamped to the
/// line's end).
pub fn offset_of(text: &str, pos: Pos) -> Option<usize> {
    let mut start = 0usize;
    for _ in 1..pos.line.max(1) {
        start += text[start..].find('\n')? + 1;
    }
    let line = line_text(text, pos.line)?;
    let col = (pos.col.max(1) - 1) as usize;
    let within = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
    Some(start + within)
}

/// The text of line `line` (1-based) without its line terminator.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    let l = text.split('\n').nth(line.checked_sub(1)? as usize)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something is wrong: the run fails.
    Error,
    /// Something is probably wrong.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The lower-case word printed after the position.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A message tied to a place in a file, ready to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The file, as the user named it.
    pub file: Option<String>,
    /// Where in the file.
    pub pos: Option<Pos>,
    /// What happened.
    pub message: String,
    /// The offending line, if known.
    pub source_line: Option<String>,
    /// How to fix it, if we know.
    pub hint: Option<String>,
    /// A rule id, printed as `warning[rule-id]`.
    pub code: Option<String>,
}

impl Diagnostic {
    /// An error with a message and nothing else.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            pos: None,
            message: message.into(),
            source_line: None,
            hint: None,
            code: None,
        }
    }

    /// Sets the file name.
    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Sets the position.
    pub fn at(mut self, pos: Pos) -> Diagnostic {
        self.pos = Some(pos);
        self
    }

    /// Sets the position (if any) and takes the offending line from `text`.
    pub fn with_source(mut self, text: &str) -> Diagnostic {
        if let Some(pos) = self.pos {
            self.source_line = line_text(text, pos.line).map(str::to_owned);
        }
        self
    }

    /// [`Diagnostic::with_source`] with the text's line index (for many diagnostics of one
    /// text).
    pub fn with_indexed_source(mut self, text: &str, index: &LineIndex) -> Diagnostic {
        if let Some(pos) = self.pos {
            self.source_line = index.line(text, pos.line).map(str::to_owned);
        }
        self
    }

    /// Sets the severity.
    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Sets the rule id.
    pub fn code(mut self, code: impl Into<String>) -> Diagnostic {
        self.code = Some(code.into());
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Renders `file:line:col: severity: message`, the source line and a caret under the column.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    /// [`Diagnostic::render`], appended to `out`.
    pub fn render_into(&self, out: &mut String) {
        DiagnosticRef {
            severity: self.severity,
            file: self.file.as_deref(),
            pos: self.pos,
            message: &self.message,
            source_line: self.source_line.as_deref(),
            hint: self.hint.as_deref(),
            code: self.code.as_deref(),
        }
        .render_into(out);
    }
}

/// A [`Diagnostic`] whose parts are borrowed: what a report of many findings renders without a
/// copy of each message, path and hint.
#[derive(Clone, Copy, Debug)]
pub struct DiagnosticRef<'a> {
    /// How serious it is.
    pub severity: Severity,
    /// The file, as the user named it.
    pub file: Option<&'a str>,
    /// Where in the file.
    pub pos: Option<Pos>,
    /// What happened.
    pub message: &'a str,
    /// The offending line, if known.
    pub source_line: Option<&'a str>,
    /// How to fix it, if we know.
    pub hint: Option<&'a str>,
    /// A rule id, printed as `warning[rule-id]`.
    pub code: Option<&'a str>,
}

impl DiagnosticRef<'_> {
    /// Appends the rendering of [`Diagnostic::render`] to `out`.
    pub fn render_into(&self, out: &mut String) {
        use fmt::Write as _;
        let line_len = self.source_line.map_or(0, |l| 2 * l.len().min(400) + 16);
        out.reserve(
            64 + self.message.len()
                + self.file.map_or(0, str::len)
                + self.hint.map_or(0, str::len)
                + line_len,
        );
        // Writing into a String cannot fail.
        match (self.file, self.pos) {
            (Some(f), Some(p)) => {
                let _ = write!(out, "{f}:{}:{}: ", p.line, p.col);
            }
            (Some(f), None) => {
                out.push_str(f);
                out.push_str(": ");
            }
            (None, Some(p)) => {
                let _ = write!(out, "{}:{}: ", p.line, p.col);
            }
            (None, None) => {}
        }
        out.push_str(self.severity.as_str());
        if let Some(code) = self.code {
            out.push('[');
            out.push_str(code);
            out.push(']');
        }
        out.push_str(": ");
        out.push_str(self.message);
        out.push('\n');
        if let (Some(line), Some(pos)) = (self.source_line, self.pos) {
            // Show the line as printable text: tabs stay (so the caret lines up), controls go.
            let printable = |c: char| !c.is_control() || c == '\t';
            let shown: std::borrow::Cow<'_, str> = if line.chars().all(printable) {
                line.into()
            } else {
                line.chars()
                    .map(|c| if printable(c) { c } else { ' ' })
                    .collect::<String>()
                    .into()
            };
            let (shown, skipped) = clip_line(&shown, pos.col as usize);
            let _ = writeln!(out, " {} | {shown}", pos.line);
            out.push(' ');
            let digits = pos.line.checked_ilog10().unwrap_or(0) + 1;
            out.extend(std::iter::repeat_n(' ', digits as usize));
            out.push_str(" | ");
            let caret_col = (pos.col as usize).saturating_sub(1).saturating_sub(skipped);
            out.extend(
                shown
                    .chars()
                    .take(caret_col)
                    .map(|c| if c == '\t' { '\t' } else { ' ' }),
            );
            out.push_str("^\n");
        }
        if let Some(hint) = self.hint {
            out.push_str("  = hint: ");
            out.push_str(hint);
            out.push('\n');
        }
    }
}

/// Long lines (minified configs) are clipped to a window around the column; returns the clipped
/// line and how many characters were cut from its start.
pub(crate) fn clip_line(line: &str, col: usize) -> (std::borrow::Cow<'_, str>, usize) {
    const WINDOW: usize = 120;
    // At most WINDOW characters: a byte count that small says so without counting.
    if line.len() <= WINDOW {
        return (line.into(), 0);
    }
    let n = line.chars().count();
    if n <= WINDOW {
        return (line.into(), 0);
    }
    let start = col.saturating_sub(WINDOW / 2).min(n - WINDOW);
    let mut s: String = line.chars().skip(start).take(WINDOW).collect();
    if start > 0 {
        s.insert(0, '…');
    }
    if start + WINDOW < n {
        s.push('…');
    }
    // The ellipsis at the start takes one column: account for it.
    (s.into(), start.saturating_sub(usize::from(start > 0)))
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_lines_are_the_lines() {
        for text in ["", "a", "a\n", "a\r\nbé\r\n\nc", "\n\n", "x\ry\nz"] {
            let index = LineIndex::new(text);
            for line in 0..6 {
                assert_eq!(
                    index.line(text, line),
                    line_text(text, line),
                    "{text:?} {line}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\ncé\r\nxyz";
        assert_eq!(line_col(t, 0), Pos::new(1, 1));
        assert_eq!(line_col(t, 3), Pos::new(2, 1));
        // 'é' is two bytes: the offset after it is column 3.
        assert_eq!(line_col(t, 6), Pos::new(2, 3));
        assert_eq!(line_col(t, 8), Pos::new(3, 1));
        assert_eq!(line_col(t, 999), Pos::new(3, 4));
        // Inside a multi-byte character: clamped back to its start.
        assert_eq!(line_col(t, 5), Pos::new(2, 2));
    }

    #[test]
    fn line_index_agrees_with_line_col() {
        let t = "ab\ncé\r\nxyz\n";
        let idx = LineIndex::new(t);
        for off in 0..=t.len() + 2 {
            assert_eq!(idx.pos(t, off), line_col(t, off), "offset {off}");
        }
    }

    #[test]
    fn offset_of_inverts_line_col() {
        let t = "ab\ncé\r\nxyz";
        for off in [0, 1, 3, 4, 6, 8, 10] {
            assert_eq!(offset_of(t, line_col(t, off)), Some(off), "offset {off}");
        }
        assert_eq!(offset_of(t, Pos::new(9, 1)), None);
    }

    #[test]
    fn line_text_strips_cr() {
        assert_eq!(line_text("a\r\nb\r\n", 1), Some("a"));
        assert_eq!(line_text("a\r\nb\r\n", 2), Some("b"));
        assert_eq!(line_text("a", 2), None);
    }

    #[test]
    fn render_has_position_snippet_and_caret() {
        let d = Diagnostic::error("bad thing")
            .in_file("web.config")
            .at(Pos::new(2, 3))
            .with_source("<a>\n  <b></a>\n")
            .with_hint("close it");
        assert_eq!(
            d.render(),
            "web.config:2:3: error: bad thing\n 2 |   <b></a>\n   |   ^\n  = hint: close it\n"
        );
    }

    #[test]
    fn render_clips_long_lines_around_the_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let d = Diagnostic::error("x")
            .at(Pos::new(1, 501))
            .with_source(&line);
        let r = d.render();
        let lines: Vec<&str> = r.lines().collect();
        let snippet = lines[1];
        let caret = lines[2];
        let x = snippet.chars().position(|c| c == 'X').unwrap();
        let c = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(x, c, "{r}");
        assert!(snippet.chars().count() < 140);
    }
}
