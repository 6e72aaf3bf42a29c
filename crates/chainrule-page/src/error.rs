//! A question refused: what kind of refusal (each transport maps it to its own code, the
//! HTTP server to a status) and the answer's JSON body, which is the same everywhere.

use chainrule::lang::{ErrorKind as LangErrorKind, LangError};
use serde_json::{json, Value};

/// Why a question was refused, whatever carried it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request is malformed or asks for something that is not allowed (HTTP 400).
    BadRequest,
    /// The request came from somewhere the transport does not answer (HTTP 403).
    Refused,
    /// It names something that is not there: a training session that ended (HTTP 404).
    NotFound,
    /// The request or the work it asks for is over a bound (HTTP 413).
    TooLarge,
    /// The program does not parse or evaluate (HTTP 422).
    BadProgram,
    /// Too many training sessions are alive (HTTP 429).
    Busy,
    /// The engine failed to answer (HTTP 500).
    Failed,
    /// Part of the engine did not answer in time (HTTP 503).
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status a transport that speaks HTTP answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Refused => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::TooLarge => 413,
            ErrorKind::BadProgram => 422,
            ErrorKind::Busy => 429,
            ErrorKind::Failed => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// A refused question: its kind and the answer's body, `{"ok": false, "error": {...}}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// What kind of refusal.
    pub kind: ErrorKind,
    /// The JSON body: `{"ok": false, "error": {"message": ...}}`, plus, for a program, its
    /// `help`, `line`, `column` and `kind`.
    pub body: Value,
}

impl ApiError {
    /// A refusal with a plain message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            body: json!({"ok": false, "error": {"message": message.into()}}),
        }
    }

    /// A malformed or disallowed request.
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadRequest, message)
    }

    /// A program that does not parse or evaluate: the engine's message, help, and where
    /// in `source` (line, column, and the length of the problem, for a caret under it);
    /// [`ErrorKind::TooLarge`] for a program past a bound, [`ErrorKind::BadProgram`] for a
    /// mistake.
    pub(crate) fn lang(e: &LangError, source: &str) -> ApiError {
        let (line, column) = match e.line_col() {
            Some((l, c)) => (json!(l), json!(c)),
            None => (Value::Null, Value::Null),
        };
        let length = e.span().map(|span| caret_width(source, span));
        let kind = match e.kind() {
            LangErrorKind::TooManyValues
            | LangErrorKind::GradTooDeep
            | LangErrorKind::ProgramTooLong
            | LangErrorKind::Stopped => ErrorKind::TooLarge,
            _ => ErrorKind::BadProgram,
        };
        ApiError {
            kind,
            body: json!({"ok": false, "error": {
                "message": e.message(),
                "help": e.help_text(),
                "line": line,
                "column": column,
                "length": length,
                "kind": format!("{:?}", e.kind()),
            }}),
        }
    }
}

/// How many characters of its line the byte range `span` of `source` covers, at least 1:
/// the width of the caret under a problem (the whole token, not its first character).
fn caret_width(source: &str, span: std::ops::Range<usize>) -> usize {
    let start = span.start.min(source.len());
    let Some(rest) = source.get(start..) else {
        return 1;
    };
    let end = span
        .end
        .clamp(start, start + rest.find('\n').unwrap_or(rest.len()));
    source
        .get(start..end)
        .map_or(1, |t| t.chars().count().max(1))
}
