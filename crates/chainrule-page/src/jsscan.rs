//! Just enough of a JavaScript lexer for the bundler: it walks a module's text, stepping
//! over comments, strings, template literals and regular expressions, and finds every
//! `import` and `export` keyword with the depth of brackets it sits in (0: the module's
//! top level). Property names (`x.import`) are not keywords.

/// An `import` or `export` keyword in a module's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Keyword {
    /// Where it starts (a byte offset).
    pub at: usize,
    /// `export`, else `import`.
    pub export: bool,
    /// How many brackets (`{`, `(`, `[`, `${`) it is inside.
    pub depth: usize,
}

/// What came last, which decides whether a `/` starts a regular expression.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// A value (a name, a number, a string, `)`, `]`): `/` divides.
    Value,
    /// An operator, an opening bracket, a keyword, or nothing: `/` starts a regex.
    Operator,
    /// A `.`: the next name is a property.
    Dot,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Bracket(u8),
    /// `${` inside a template literal.
    Template,
}

/// Keywords after which an expression (so a regex) may start.
const BEFORE_EXPRESSION: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Where a template literal's text that starts at `i` ends: `Ok((j, true))` after its
/// closing backquote, `Ok((j, false))` after a `${` that opens an expression. `quote`:
/// where the literal's opening backquote is, for the error.
fn template(b: &[u8], mut i: usize, quote: usize) -> Result<(usize, bool), (usize, String)> {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => return Ok((i + 1, true)),
            b'$' if b.get(i + 1) == Some(&b'{') => return Ok((i + 2, false)),
            _ => i += 1,
        }
    }
    Err((quote, "a template literal that never ends".into()))
}

/// Where the quoted string starting at `i` (its quote) ends.
fn string(b: &[u8], i: usize) -> Result<usize, (usize, String)> {
    let quote = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'\n' => break,
            c if c == quote => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err((i, "a string that never ends".into()))
}

/// Where the regular expression starting at `i` (its `/`) ends, flags included.
fn regex(b: &[u8], i: usize) -> Result<usize, (usize, String)> {
    let mut j = i + 1;
    let mut class = false;
    while j < b.len() && b[j] != b'\n' {
        match b[j] {
            b'\\' => j += 1,
            b'[' => class = true,
            b']' => class = false,
            b'/' if !class => {
                j += 1;
                while j < b.len() && ident_byte(b[j]) {
                    j += 1;
                }
                return Ok(j);
            }
            _ => {}
        }
        j += 1;
    }
    Err((i, "a regular expression that never ends".into()))
}

/// Every `import` and `export` keyword of `src`, in order; or where and why the text
/// cannot be read (a string, comment or bracket that is never closed).
pub(crate) fn keywords(src: &str) -> Result<Vec<Keyword>, (usize, String)> {
    let b = src.as_bytes();
    let mut found = Vec::new();
    let mut open: Vec<(Open, usize)> = Vec::new();
    let mut prev = Prev::Operator;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            _ if c.is_ascii_whitespace() => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/");
                i = end.ok_or((i, "a comment that never ends".to_string()))? + i + 4;
            }
            b'"' | b'\'' => {
                i = string(b, i)?;
                prev = Prev::Value;
            }
            b'`' => {
                let (j, closed) = template(b, i + 1, i)?;
                if !closed {
                    open.push((Open::Template, i));
                }
                i = j;
                prev = if closed { Prev::Value } else { Prev::Operator };
            }
            b'/' if prev == Prev::Operator => {
                i = regex(b, i)?;
                prev = Prev::Value;
            }
            b'{' | b'(' | b'[' => {
                open.push((Open::Bracket(c), i));
                i += 1;
                prev = Prev::Operator;
            }
            b'}' | b')' | b']' => {
                let want = match c {
                    b'}' => b'{',
                    b')' => b'(',
                    _ => b'[',
                };
                match open.pop() {
                    Some((Open::Template, quote)) if c == b'}' => {
                        let (j, closed) = template(b, i + 1, quote)?;
                        if !closed {
                            open.push((Open::Template, quote));
                        }
                        i = j;
                        prev = if closed { Prev::Value } else { Prev::Operator };
                        continue;
                    }
                    Some((Open::Bracket(o), _)) if o == want => {}
                    _ => return Err((i, format!("a `{}` that closes nothing", c as char))),
                }
                i += 1;
                prev = if c == b'}' {
                    Prev::Operator
                } else {
                    Prev::Value
                };
            }
            b'.' if b[i..].starts_with(b"...") => {
                i += 3;
                prev = Prev::Operator;
            }
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                prev = Prev::Dot;
            }
            _ if ident_byte(c) || c == b'.' => {
                let start = i;
                while i < b.len() && (ident_byte(b[i]) || (b[i] == b'.' && c.is_ascii_digit())) {
                    i += 1;
                }
                let word = &src[start..i];
                if prev != Prev::Dot && (word == "import" || word == "export") {
                    found.push(Keyword {
                        at: start,
                        export: word == "export",
                        depth: open.len(),
                    });
                }
                prev = if prev != Prev::Dot && BEFORE_EXPRESSION.contains(&word) {
                    Prev::Operator
                } else {
                    Prev::Value
                };
            }
            _ => {
                i += 1;
                prev = Prev::Operator;
            }
        }
    }
    match open.last() {
        Some(&(_, at)) => Err((at, "a bracket that is never closed".into())),
        None => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<(String, usize)> {
        keywords(src)
            .unwrap()
            .iter()
            .map(|k| (src[k.at..k.at + 6].to_string(), k.depth))
            .collect()
    }

    #[test]
    fn keywords_in_strings_comments_templates_and_regexes_are_not_keywords() {
        let src = r#"import { a } from "./a.js";
// import { b } from "./b.js";
/* export const c = 1; */
const s = "import x", t = 'export y', u = `import ${ "export" } ${ f({ k: `export` }) }`;
const r = /import|export/g, q = x / 2 / y, v = o.import, w = [/[/]export/];
export function f() { return import("./z.js"); }
"#;
        assert_eq!(
            words(src),
            [
                ("import".into(), 0),
                ("export".into(), 0),
                ("import".into(), 1)
            ]
        );
    }

    #[test]
    fn text_that_never_ends_is_an_error_at_its_start() {
        for (src, at, what) in [
            ("const s = \"abc\n", 10, "a string"),
            ("/* nothing", 0, "a comment"),
            ("f(`a ${b}", 2, "a template"),
            ("function f() {", 13, "a bracket"),
            ("x = 1)", 5, "closes nothing"),
        ] {
            let (got, why) = keywords(src).unwrap_err();
            assert_eq!(got, at, "{src}");
            assert!(why.contains(what), "{src}: {why}");
        }
    }
}
