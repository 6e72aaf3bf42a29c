//! A tiny JSON value with a writer and a strict parser, for model files.
//!
//! Numbers are `f64` and round-trip exactly: the writer prints the shortest text that
//! parses back to the same bits. The parser accepts exactly RFC 8259 JSON and reports
//! the first problem with its line and column, so a hand-edited file gets an error that
//! says where to look.
//!
//! ```
//! use chainrule::json::Json;
//! let v = Json::parse(r#"{"w": [0.5, -1e-3], "name": "moons"}"#).unwrap();
//! assert_eq!(v.get("w").unwrap().as_array().unwrap()[1].as_f64(), Some(-0.001));
//! assert_eq!(v.to_string(), r#"{"w":[0.5,-0.001],"name":"moons"}"#);
//! ```

use std::fmt::{self, Write};

/// A JSON value. Objects keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number. Written in the library's one number format (`2.0`, `0.1`, `1e-12`), so it
    /// reads back to the same bits.
    Num(f64),
    /// A whole number (a count, an id, a version), written without a fraction (`2`). The
    /// parser reads every number as [`Json::Num`].
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, keys in order.
    Obj(Vec<(String, Json)>),
}

/// Where and why a text is not JSON.
///
/// ```
/// let e = chainrule::json::Json::parse("[1,\n 2,]").unwrap_err();
/// assert_eq!((e.line, e.column), (2, 4));
/// assert_eq!(e.to_string(), "line 2, column 4: expected a value, found ']'");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for JsonError {}

/// How deep arrays and objects may nest before the parser gives up (keeps a hostile file
/// from overflowing the stack).
const MAX_DEPTH: usize = 128;

impl Json {
    /// Parses a whole text as one JSON value.
    ///
    /// ```
    /// use chainrule::json::Json;
    /// assert_eq!(Json::parse(" [true, null] ").unwrap(), Json::Arr(vec![Json::Bool(true), Json::Null]));
    /// assert!(Json::parse("[1, 2").unwrap_err().message.contains("end of the text"));
    /// ```
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut p = Parser {
            s: text.as_bytes(),
            text,
            pos: 0,
        };
        p.ws();
        let v = p.value(0)?;
        p.ws();
        if p.pos < p.s.len() {
            return Err(p.error("expected the end of the text after the value"));
        }
        Ok(v)
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(x) => Some(*x),
            Json::Int(n) => Some(*n as f64),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// The value under `key`, if this is an object that has it.
    ///
    /// ```
    /// let v = chainrule::json::Json::parse(r#"{"a": 1}"#).unwrap();
    /// assert_eq!(v.get("a").and_then(|a| a.as_f64()), Some(1.0));
    /// assert!(v.get("b").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(kv) => kv.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the kind of value, for error messages ("a number", "an array").
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) | Json::Int(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }

    /// Indented text: objects one key per line, except that arrays of plain values and
    /// objects whose values are all plain (or arrays of plain values) stay on one line.
    /// Non-finite numbers (which JSON cannot hold) are written as `null`.
    ///
    /// ```
    /// let v = chainrule::json::Json::parse(r#"{"a":[1,2],"b":{"c":null},"d":[{"e":[]}]}"#).unwrap();
    /// assert_eq!(
    ///     v.pretty(),
    ///     "{\n  \"a\": [1.0, 2.0],\n  \"b\": {\"c\": null},\n  \"d\": [\n    {\"e\": []}\n  ]\n}\n"
    /// );
    /// ```
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0);
        out.push('\n');
        out
    }

    /// A plain value, or an array of plain values: written on one line.
    fn is_flat(&self) -> bool {
        match self {
            Json::Arr(a) => a.iter().all(|v| !matches!(v, Json::Arr(_) | Json::Obj(_))),
            Json::Obj(_) => false,
            _ => true,
        }
    }

    /// An object of flat values: also written on one line.
    fn is_flat_object(&self) -> bool {
        matches!(self, Json::Obj(kv) if kv.iter().all(|(_, v)| v.is_flat()))
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| out.extend(std::iter::repeat_n("  ", d));
        match self {
            _ if self.is_flat() => {
                if let Json::Arr(a) = self {
                    out.push('[');
                    for (i, v) in a.iter().enumerate() {
                        out.push_str(if i > 0 { ", " } else { "" });
                        let _ = write!(out, "{v}");
                    }
                    out.push(']');
                } else {
                    let _ = write!(out, "{self}");
                }
            }
            Json::Obj(kv) if self.is_flat_object() => {
                out.push('{');
                for (i, (k, v)) in kv.iter().enumerate() {
                    out.push_str(if i > 0 { ", " } else { "" });
                    write_str(out, k);
                    out.push_str(": ");
                    v.write_pretty(out, depth + 1);
                }
                out.push('}');
            }
            Json::Arr(a) => {
                out.push_str("[\n");
                for (i, v) in a.iter().enumerate() {
                    pad(out, depth + 1);
                    v.write_pretty(out, depth + 1);
                    out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
                }
                pad(out, depth);
                out.push(']');
            }
            Json::Obj(kv) => {
                out.push_str("{\n");
                for (i, (k, v)) in kv.iter().enumerate() {
                    pad(out, depth + 1);
                    write_str(out, k);
                    out.push_str(": ");
                    v.write_pretty(out, depth + 1);
                    out.push_str(if i + 1 < kv.len() { ",\n" } else { "\n" });
                }
                pad(out, depth);
                out.push('}');
            }
            _ => unreachable!("scalars are flat"),
        }
    }
}

/// Compact text, no spaces. Non-finite numbers are written as `null`.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Num(x) if x.is_finite() => {
                f.write_str(&super::number::json(*x).unwrap_or_default())
            }
            Json::Num(_) => f.write_str("null"),
            Json::Int(n) => write!(f, "{n}"),
            Json::Str(s) => {
                let mut out = String::new();
                write_str(&mut out, s);
                f.write_str(&out)
            }
            Json::Arr(a) => {
                f.write_char('[')?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_char(']')
            }
            Json::Obj(kv) => {
                f.write_char('{')?;
                for (i, (k, v)) in kv.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    let mut key = String::new();
                    write_str(&mut key, k);
                    write!(f, "{key}:{v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// Appends `s` as a quoted JSON string.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// An error at the current position.
    fn error(&self, message: &str) -> JsonError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: &str) -> JsonError {
        let before = &self.text[..pos];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[start..].chars().count() + 1;
        JsonError {
            line,
            column,
            message: message.to_string(),
        }
    }

    /// "found 'x'" or "found the end of the text", for messages.
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            Some(c) => format!("found {c:?}"),
            None => "found the end of the text (is the file truncated?)".to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {what}, {}", self.found())))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested more than {MAX_DEPTH} levels deep")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error(&format!("expected a value, {}", self.found()))),
        }
    }

    fn word(&mut self, word: &str, v: Json) -> Result<Json, JsonError> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error(&format!("expected a value, {}", self.found())))
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        self.ws();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(self.error(&format!("expected ',' or ']', {}", self.found()))),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.pos += 1;
        self.ws();
        let mut kv: Vec<(String, Json)> = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Obj(kv));
        }
        loop {
            self.ws();
            let at = self.pos;
            if self.peek() != Some(b'"') {
                return Err(self.error(&format!("expected a key in quotes, {}", self.found())));
            }
            let key = self.string()?;
            if kv.iter().any(|(k, _)| *k == key) {
                return Err(self.error_at(at, &format!("duplicate key {key:?}")));
            }
            self.ws();
            self.expect(b':', "':' after the key")?;
            self.ws();
            let v = self.value(depth + 1)?;
            kv.push((key, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Obj(kv));
                }
                _ => return Err(self.error(&format!("expected ',' or '}}', {}", self.found()))),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(self.error(&format!("expected a digit, {}", self.found()))),
            n if n > 1 && self.s[int_start] == b'0' => {
                return Err(self.error_at(int_start, "a number may not start with 0 unless it is 0"))
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(&format!("expected a digit after '.', {}", self.found())));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(&format!(
                    "expected a digit in the exponent, {}",
                    self.found()
                )));
            }
        }
        let text = &self.text[start..self.pos];
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Json::Num(x)),
            _ => Err(self.error_at(start, &format!("the number {text} is too large for f64"))),
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(
                    self.error("unterminated string: the text ends before the closing '\"'")
                );
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                c if (c as u32) < 0x20 => {
                    return Err(
                        self.error("control character in a string (write \\n, \\t or \\u00XX)")
                    )
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let c = self.peek();
        self.pos += 1;
        Ok(match c {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode(),
            _ => {
                self.pos -= 1;
                return Err(self.error(&format!("unknown escape in a string, {}", self.found())));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        match u32::from_str_radix(h, 16) {
            Ok(v) if h.len() == 4 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.pos += 4;
                Ok(v)
            }
            _ => Err(self.error("expected 4 hex digits after \\u")),
        }
    }

    fn unicode(&mut self) -> Result<char, JsonError> {
        let at = self.pos - 2;
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !self.s[self.pos..].starts_with(b"\\u") {
                return Err(
                    self.error_at(at, "a high surrogate \\uD8xx must be followed by a low one")
                );
            }
            self.pos += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.error_at(at, "invalid surrogate pair"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.error_at(at, "invalid unicode escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_exactly() {
        for x in [0.1, -1e-300, 1.0 / 3.0, 123456789.0, 5e-324, f64::MAX] {
            let s = Json::Num(x).to_string();
            assert_eq!(Json::parse(&s).unwrap(), Json::Num(x), "{s}");
        }
    }

    #[test]
    fn strings_round_trip() {
        let s = "a\"b\\c\nd\te\u{1}é😀";
        let text = Json::Str(s.into()).to_string();
        assert_eq!(Json::parse(&text).unwrap(), Json::Str(s.into()));
        assert_eq!(
            Json::parse(r#""\ud83d\ude00\u00e9""#).unwrap(),
            Json::Str("😀é".into())
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            (
                "",
                1,
                1,
                "expected a value, found the end of the text (is the file truncated?)",
            ),
            ("{\"a\": 1,\n  \"a\": 2}", 2, 3, "duplicate key \"a\""),
            ("[01]", 1, 2, "a number may not start with 0 unless it is 0"),
            ("[1.]", 1, 4, "expected a digit after '.', found ']'"),
            ("[1e999]", 1, 2, "the number 1e999 is too large for f64"),
            ("{\"a\" 1}", 1, 6, "expected ':' after the key, found '1'"),
            ("[nul]", 1, 2, "expected a value, found 'n'"),
            (
                "\"abc",
                1,
                5,
                "unterminated string: the text ends before the closing '\"'",
            ),
            (
                "[1] 2",
                1,
                5,
                "expected the end of the text after the value",
            ),
            ("{\"é\": x}", 1, 7, "expected a value, found 'x'"),
        ];
        for (text, line, column, message) in cases {
            let e = Json::parse(text).unwrap_err();
            assert_eq!(
                e,
                JsonError {
                    line,
                    column,
                    message: message.into()
                },
                "{text:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let e = Json::parse(&text).unwrap_err();
        assert!(e.message.contains("nested"), "{e}");
    }
}
