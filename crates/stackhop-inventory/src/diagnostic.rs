//! Problems that point into a source text, and how they are printed.
//!
//! The inventory parser reports errors only; other readers of operator files (the importers)
//! also report warnings and notes with the same location and rendering.

use std::fmt;

use serde::Serialize;

/// How serious a diagnostic (or a pre-flight finding, which uses the same scale) is. The
/// inventory parser reports only errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// What was asked cannot be done: the input cannot be used, the scenario is blocked.
    Error,
    /// It can be done, but something was left out, guessed, or is at risk.
    Warning,
    /// Worth knowing; nothing was lost.
    Info,
}

impl Severity {
    /// The word printed before the message.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a source text, located in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset of the offending text in the source.
    pub offset: usize,
    /// Length in bytes of the offending text (0 when it points at a position).
    pub len: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The source line the diagnostic points into, without its line break, so that the
    /// diagnostic can be printed without the source at hand.
    pub source_line: String,
}

/// Every problem found in one file, sorted by position. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostics {
    /// The file name given to [`crate::parse`] (or to whichever reader made them).
    pub file: String,
    /// The problems, sorted by line and column.
    pub items: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(
                f,
                "{}:{}:{}: {}: {}",
                self.file, d.line, d.column, d.severity, d.message
            )?;
            if let Some(help) = &d.help {
                writeln!(f, "  help: {help}")?;
            }
            writeln!(f, "{:>5} | {}", d.line, d.source_line)?;
            writeln!(
                f,
                "{:>5} | {}^",
                "",
                caret_padding(&d.source_line, d.column)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    /// Whether any item is an error (rather than a warning or a note).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Keeps the tabs of the source line so the caret lines up however tabs are rendered.
fn caret_padding(line: &str, column: u32) -> String {
    let before = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let mut pad: String = line
        .chars()
        .take(before)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let missing = before.saturating_sub(pad.chars().count());
    pad.extend(std::iter::repeat_n(' ', missing));
    pad
}

/// A position and extent in the source, in the units diagnostics use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mark {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte offset in the source.
    pub offset: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Converts the parser's (line, character column) positions to byte offsets and gives back
/// source lines. The parser counts characters, but callers (miette, editors) want bytes.
///
/// Lines break at LF, CRLF and a lone CR, as YAML's do; a leading byte-order mark is not part
/// of line 1.
pub struct SourceMap<'s> {
    source: &'s str,
    /// Byte offset where each line starts; line 1 starts after a byte-order mark.
    line_starts: Vec<usize>,
}

impl<'s> SourceMap<'s> {
    #[must_use]
    pub fn new(source: &'s str) -> Self {
        let first = if source.starts_with('\u{feff}') { 3 } else { 0 };
        let mut line_starts = vec![first];
        let bytes = source.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // YAML breaks lines on LF, CRLF and a lone CR, like the parser does.
            let is_break = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if is_break {
                line_starts.push(i + 1);
            }
        }
        SourceMap {
            source,
            line_starts,
        }
    }

    /// Text of a 1-based line, without its line break; empty past the end.
    #[must_use]
    pub fn line_text(&self, line: u32) -> &'s str {
        let Some(index) = usize::try_from(line).ok().and_then(|l| l.checked_sub(1)) else {
            return "";
        };
        let Some(&start) = self.line_starts.get(index) else {
            return "";
        };
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.source.len());
        let text = self.source.get(start..end).unwrap_or("");
        text.trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of a 1-based line and 0-based character column, clamped to the text.
    #[must_use]
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = line
            .checked_sub(1)
            .and_then(|index| self.line_starts.get(index))
        else {
            return self.source.len();
        };
        let rest = self.source.get(start..).unwrap_or("");
        match rest.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => self.source.len(),
        }
    }

    /// Every line: its 1-based number, the byte offset where it starts, and its text without
    /// the line break.
    pub fn lines(&self) -> impl Iterator<Item = (u32, usize, &'s str)> + '_ {
        self.line_starts.iter().enumerate().map(|(index, &start)| {
            let line = to_u32(index.saturating_add(1));
            (line, start, self.line_text(line))
        })
    }

    /// The mark of the bytes `start..end` of the source, clamped to the text and widened to
    /// whole characters; the line is the one `start` is on.
    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Mark {
        let mut start = start.min(self.source.len());
        while !self.source.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end.clamp(start, self.source.len());
        while !self.source.is_char_boundary(end) {
            end += 1;
        }
        let index = self
            .line_starts
            .partition_point(|&s| s <= start)
            .saturating_sub(1);
        let line_start = self.line_starts.get(index).copied().unwrap_or(0).min(start);
        let before = self.source.get(line_start..start).unwrap_or("");
        Mark {
            line: to_u32(index.saturating_add(1)),
            column: to_u32(before.chars().count().saturating_add(1)),
            offset: start,
            len: end - start,
        }
    }

    pub(crate) fn mark(&self, span: saphyr_parser::Span) -> Mark {
        let offset = self.offset(span.start.line(), span.start.col());
        let end = self.offset(span.end.line(), span.end.col());
        Mark {
            line: to_u32(span.start.line()),
            column: to_u32(span.start.col().saturating_add(1)),
            offset,
            len: end.saturating_sub(offset),
        }
    }

    pub(crate) fn mark_at(&self, marker: saphyr_parser::Marker) -> Mark {
        self.mark(saphyr_parser::Span::empty(marker))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Collects the diagnostics of one reading of a source text.
pub struct Sink<'s> {
    map: SourceMap<'s>,
    items: Vec<Diagnostic>,
}

impl<'s> Sink<'s> {
    #[must_use]
    pub fn new(source: &'s str) -> Self {
        Sink {
            map: SourceMap::new(source),
            items: Vec::new(),
        }
    }

    #[must_use]
    pub fn map(&self) -> &SourceMap<'s> {
        &self.map
    }

    pub fn error(&mut self, at: Mark, message: impl Into<String>, help: Option<String>) {
        self.push(Severity::Error, at, message.into(), help);
    }

    pub fn warning(&mut self, at: Mark, message: impl Into<String>, help: Option<String>) {
        self.push(Severity::Warning, at, message.into(), help);
    }

    pub fn info(&mut self, at: Mark, message: impl Into<String>, help: Option<String>) {
        self.push(Severity::Info, at, message.into(), help);
    }

    fn push(&mut self, severity: Severity, at: Mark, message: String, help: Option<String>) {
        self.items.push(Diagnostic {
            severity,
            line: at.line,
            column: at.column,
            offset: at.offset,
            len: at.len,
            message,
            help,
            source_line: self.map.line_text(at.line).to_owned(),
        });
    }

    /// Whether nothing at all was reported.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether an error was reported.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Everything reported, sorted by position.
    #[must_use]
    pub fn finish(self, file: &str) -> Diagnostics {
        let mut items = self.items;
        // Stable, so two errors at one position keep the order they were found in.
        items.sort_by_key(|d| (d.line, d.column));
        Diagnostics {
            file: file.to_owned(),
            items,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_bytes_not_characters() {
        let map = SourceMap::new("a: é\nbé: x\r\nc: y\rd: z");
        assert_eq!(map.offset(1, 3), 3);
        assert_eq!(map.offset(2, 4), 11);
        assert_eq!(map.line_text(2), "bé: x");
        assert_eq!(map.line_text(3), "c: y");
        assert_eq!(map.line_text(4), "d: z");
        assert_eq!(map.line_text(9), "");
        assert_eq!(map.offset(9, 0), map.source.len());
    }

    #[test]
    fn byte_order_mark_is_not_part_of_line_one() {
        let map = SourceMap::new("\u{feff}a: 1\n");
        assert_eq!(map.offset(1, 0), 3);
        assert_eq!(map.line_text(1), "a: 1");
    }

    #[test]
    fn spans_and_lines_agree_with_offsets() {
        let source = "a: é\nbé: x\r\nc";
        let map = SourceMap::new(source);
        let mark = map.span(11, 12);
        assert_eq!(
            (mark.line, mark.column, mark.offset, mark.len),
            (2, 5, 11, 1)
        );
        assert_eq!(map.span(0, 0).line, 1);
        assert_eq!(map.span(99, 100).offset, source.len());
        let inside = map.span(4, 4);
        assert_eq!((inside.offset, inside.len, inside.column), (3, 2, 4));
        assert_eq!(map.span(3, 4).len, 2);
        let lines: Vec<(u32, usize, &str)> = map.lines().collect();
        assert_eq!(lines, [(1, 0, "a: é"), (2, 6, "bé: x"), (3, 14, "c")]);
    }

    #[test]
    fn caret_keeps_tabs() {
        assert_eq!(caret_padding("\tab", 3), "\t ");
        assert_eq!(caret_padding("ab", 5), "    ");
    }
}
