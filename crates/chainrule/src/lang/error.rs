//! Errors of the expression language: what went wrong, where (file, line, column) and
//! what to do about it, rendered with the source line and a caret under the problem.

use std::fmt;
use std::ops::Range;

/// What kind of mistake a [`LangError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A name that is never bound (`e = a*bb` with no `bb`).
    UnknownName,
    /// A call to a function the language does not have (`tanhh(x)`).
    UnknownFunction,
    /// A name used on a line above the one that first binds it.
    UsedBeforeBound,
    /// An operator or `=` with nothing on one side (`a = 2 *`).
    MissingOperand,
    /// A `(` that is never closed, or a `)` that closes nothing.
    UnbalancedParen,
    /// A number that does not parse (`1.2.3`, `2e`, `1e999`).
    BadNumber,
    /// A program with no statements (only blanks and comments).
    EmptyProgram,
    /// Input that is not valid UTF-8.
    InvalidUtf8,
    /// Input with NUL bytes: a binary file, not a program.
    BinaryInput,
    /// An expression nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH) levels.
    TooDeep,
    /// A character the language does not use (`@`, `!`, `%`).
    UnexpectedChar,
    /// Tokens in an order the grammar does not allow (`a = 2 3`, `2 = a`).
    Syntax,
    /// A function called with the wrong number of arguments (`tanh(x, y)`).
    WrongArgCount,
    /// `--set` on a name that is not a leaf (bound to a computed value).
    NotALeaf,
    /// A value where a plain number belongs, or a number where a value belongs
    /// (`leaky_relu(x, a)` with `a` a value; `grad(L, 2)`).
    WrongArgKind,
    /// A program longer than [`Limits::program_bytes`](crate::Limits::program_bytes).
    ProgramTooLong,
    /// A program that makes more than [`Limits::values`](crate::Limits::values) values.
    TooManyValues,
    /// A derivative of a higher order than [`Limits::grad_depth`](crate::Limits::grad_depth).
    GradTooDeep,
    /// Evaluation stopped by the caller's check (a time limit, a cancellation).
    Stopped,
    /// A lesson file whose structure is wrong (an unknown block or key, a name the
    /// program does not have): see [`crate::learn`].
    Lesson,
}

/// An error in a program: its kind, where it is, and a message that says what to do.
///
/// Positions are 1-based; columns count characters, not bytes. [`LangError::render`]
/// shows `file:line:col: error: message`, the source line and a caret under the problem.
///
/// ```
/// use chainrule::lang::{ErrorKind, Program};
/// let src = "a = 2\nb = a*c";
/// let err = Program::parse(src).unwrap().eval(&chainrule::Graph::new(), &Default::default()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownName);
/// assert_eq!(err.line_col(), Some((2, 7)));
/// let shown = err.in_file("prog.txt").render(src);
/// assert!(shown.starts_with("prog.txt:2:7: error: unknown name `c`"));
/// assert!(shown.contains("b = a*c\n"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LangError {
    // Boxed so that a `Result<_, LangError>` stays small on the stack.
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    help: Option<String>,
    file: Option<String>,
    span: Option<Range<usize>>,
    line_col: Option<(usize, usize)>,
}

impl LangError {
    /// An error at byte range `span` of `src`.
    pub(crate) fn at(kind: ErrorKind, src: &[u8], span: Range<usize>, message: String) -> Self {
        let line_col = Some(line_col(src, span.start));
        LangError {
            inner: Box::new(Inner {
                kind,
                message,
                help: None,
                file: None,
                span: Some(span),
                line_col,
            }),
        }
    }

    /// An error that belongs to no place in the source (a bad `--set` or `--of`).
    pub(crate) fn nowhere(kind: ErrorKind, message: String) -> Self {
        LangError {
            inner: Box::new(Inner {
                kind,
                message,
                help: None,
                file: None,
                span: None,
                line_col: None,
            }),
        }
    }

    /// Adds a line of advice, shown after the source.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.inner.help = Some(help.into());
        self
    }

    /// The same error, naming the file it is in.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.inner.file = Some(file.into());
        self
    }

    /// What kind of mistake this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without position or advice.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The advice, when there is some beyond the message.
    pub fn help_text(&self) -> Option<&str> {
        self.inner.help.as_deref()
    }

    /// The file name given with [`LangError::in_file`].
    pub fn file(&self) -> Option<&str> {
        self.inner.file.as_deref()
    }

    /// The byte range of the problem in the source, when it has a place.
    pub fn span(&self) -> Option<Range<usize>> {
        self.inner.span.clone()
    }

    /// The 1-based line and column (in characters) of the problem, when it has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.inner.line_col
    }

    /// The error as a user should see it: `file:line:col: error: message`, the source
    /// line, a caret under the problem, and the advice. `src` is the text the program was
    /// parsed from (for bytes that were not UTF-8, pass `String::from_utf8_lossy`).
    /// A very long line is shown as a window around the column.
    pub fn render(&self, src: &str) -> String {
        self.render_with(src, false)
    }

    /// As [`LangError::render`], with ANSI colours when `colour` is true.
    pub fn render_with(&self, src: &str, colour: bool) -> String {
        let paint = |code: &str, s: &str| {
            if colour {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let file = self.inner.file.as_deref().unwrap_or("<input>");
        let mut out = match self.inner.line_col {
            Some((l, c)) => format!("{file}:{l}:{c}: "),
            None => format!("{file}: "),
        };
        out += &paint("1;31", "error");
        out += &format!(": {}\n", paint("1", &self.inner.message));
        if let (Some(span), Some((line, _))) = (&self.inner.span, self.inner.line_col) {
            let (text, caret_at, width) = excerpt(src, span.clone());
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            out += &format!("{} {text}\n", paint("34", &format!("{num} |")));
            let carets = "^".repeat(width.max(1));
            out += &format!(
                "{} {}{}\n",
                paint("34", &format!("{pad} |")),
                " ".repeat(caret_at),
                paint("1;31", &carets)
            );
        }
        if let Some(h) = &self.inner.help {
            out += &format!("{}: {h}\n", paint("1;36", "help"));
        }
        out
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.inner.file.as_deref().unwrap_or("<input>");
        match self.inner.line_col {
            Some((l, c)) => write!(f, "{file}:{l}:{c}: {}", self.inner.message)?,
            None => write!(f, "{file}: {}", self.inner.message)?,
        }
        if let Some(h) = &self.inner.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for LangError {}

/// Characters shown on each side of the column on a very long line.
const WINDOW: usize = 60;

/// The line holding `span.start`, made safe to print (control characters become `?`,
/// tabs a space), cut to a window around the column when long; with the caret's
/// character offset and width.
fn excerpt(src: &str, span: Range<usize>) -> (String, usize, usize) {
    let start = floor_boundary(src, span.start.min(src.len()));
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
    let line = &src[line_start..line_end];
    let col = src[line_start..start].chars().count();
    let end = floor_boundary(src, span.end.clamp(start, line_end));
    let width = src[start..end].chars().count();
    let total = col + line[start - line_start..].chars().count();
    let (from, to) = if total > 2 * WINDOW {
        let from = col.saturating_sub(WINDOW);
        (from, (col + WINDOW).min(total))
    } else {
        (0, total)
    };
    let mut text = String::new();
    if from > 0 {
        text.push('…');
    }
    text.extend(line.chars().skip(from).take(to - from).map(printable));
    if to < total {
        text.push('…');
    }
    let caret_at = col - from + usize::from(from > 0);
    let width = width.min(to.saturating_sub(col).max(1));
    (text, caret_at, width)
}

fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        c if c.is_control() => '?',
        c => c,
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and character column of byte offset `off` in `src` (which may hold
/// bytes that are not UTF-8: each invalid sequence counts as one column).
pub(crate) fn line_col(src: &[u8], off: usize) -> (usize, usize) {
    let off = off.min(src.len());
    let before = &src[..off];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = 1 + String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count();
    (line, col)
}

/// The edit distance between `a` and `b` in characters: insertions, deletions,
/// substitutions and swaps of two neighbours (`tahn` is one edit from `tanh`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut two_up = vec![0; b.len() + 1];
    let mut up: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (up[j - 1] + cost).min(up[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(two_up[j - 2] + 1);
            }
        }
        two_up = std::mem::replace(&mut up, row);
    }
    up[b.len()]
}

/// The candidate closest to `name` by edit distance, if one is close enough to be a
/// likely typo (at most a third of the name's length, between 1 and 3 edits).
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    const LONGEST: usize = 64;
    let n = name.chars().count();
    if n > LONGEST {
        return None;
    }
    let limit = (n / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| c.len() <= 4 * LONGEST && c.chars().count().abs_diff(n) <= limit)
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= limit && d > 0 && d < n)
        .min_by_key(|&(d, c)| (d, c.len(), c.to_string()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("tanh", "tanh"), 0);
        assert_eq!(distance("tahn", "tanh"), 1);
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("tanhh", ["tanh", "exp"]), Some("tanh"));
        assert_eq!(did_you_mean("bb", ["a", "b", "c"]), Some("b"));
        assert_eq!(did_you_mean("zzz", ["a", "b"]), None);
    }

    #[test]
    fn positions() {
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col("é = 1\nx".as_bytes(), 4), (1, 4));
        assert_eq!(line_col(b"a\xff\nb", 2), (1, 3));
    }

    #[test]
    fn colour_only_when_asked() {
        let src = "a = 1 @";
        let err = LangError::at(
            ErrorKind::UnexpectedChar,
            src.as_bytes(),
            6..7,
            "unexpected".into(),
        )
        .help("h");
        let plain = err.render(src);
        let coloured = err.render_with(src, true);
        assert!(!plain.contains('\x1b'));
        assert!(coloured.contains("\x1b[1;31merror\x1b[0m"));
        let stripped = coloured
            .replace("\x1b[0m", "")
            .replace("\x1b[1;31m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[34m", "")
            .replace("\x1b[1;36m", "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn long_lines_show_a_window() {
        let src = format!("x = {}@", "1+".repeat(500_000));
        let err = LangError::at(
            ErrorKind::UnexpectedChar,
            src.as_bytes(),
            src.len() - 1..src.len(),
            "unexpected character `@`".into(),
        );
        let shown = err.render(&src);
        assert!(shown.len() < 600, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let caret = lines[2].find('^').unwrap();
        let at = lines[1].char_indices().position(|(_, c)| c == '@').unwrap();
        let caret_chars = lines[2][..caret].chars().count();
        assert_eq!(caret_chars, at);
    }
}
