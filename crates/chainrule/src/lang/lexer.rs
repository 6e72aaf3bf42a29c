//! The lexer: source text to tokens, one at a time, with byte spans.

use super::error::{ErrorKind, LangError};

/// A binary operator of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Name,
    /// `+ - * / **` (and `^`, the same as `**`).
    Op(BinOp),
    LParen,
    RParen,
    Comma,
    Dot,
    /// `=`
    Assign,
    /// `+= -= *= /= **=`
    OpAssign(BinOp),
    /// A newline or `;`: the end of a statement.
    Sep,
    Eof,
}

/// A token and where it is: `src[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// Reads tokens from the source on demand, so a 10 MB program never exists as a token
/// list in memory.
pub(crate) struct Lexer<'s> {
    src: &'s str,
    pos: usize,
}

impl<'s> Lexer<'s> {
    pub fn new(src: &'s str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn error(&self, kind: ErrorKind, start: usize, end: usize, message: String) -> LangError {
        LangError::at(kind, self.src.as_bytes(), start..end, message)
    }

    /// The next token, or a lexical error (a bad number, an unexpected character).
    pub fn next_token(&mut self) -> Result<Token, LangError> {
        self.skip_blanks();
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok(Token {
                tok: Tok::Eof,
                start,
                end: start,
            });
        };
        let bytes = self.src.as_bytes();
        let next = bytes.get(start + 1).copied();
        if c.is_ascii_digit() || (c == '.' && next.is_some_and(|b| b.is_ascii_digit())) {
            return self.number();
        }
        if c.is_alphabetic() || c == '_' {
            self.pos += self.src[start..]
                .find(|c: char| !is_name_char(c))
                .unwrap_or(self.src.len() - start);
            return Ok(self.token(Tok::Name, start));
        }
        let (tok, len) = match (c, next) {
            ('*', Some(b'*')) if bytes.get(start + 2) == Some(&b'=') => {
                (Tok::OpAssign(BinOp::Pow), 3)
            }
            ('*', Some(b'*')) => (Tok::Op(BinOp::Pow), 2),
            ('^', Some(b'=')) => (Tok::OpAssign(BinOp::Pow), 2),
            ('^', _) => (Tok::Op(BinOp::Pow), 1),
            ('+' | '-' | '*' | '/', Some(b'=')) => (Tok::OpAssign(op_of(c)), 2),
            ('+' | '-' | '*' | '/', _) => (Tok::Op(op_of(c)), 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            (',', _) => (Tok::Comma, 1),
            ('.', _) => (Tok::Dot, 1),
            ('=', Some(b'=')) => {
                return Err(self
                    .error(
                        ErrorKind::Syntax,
                        start,
                        start + 2,
                        "`==` is not part of the language".into(),
                    )
                    .help("use a single `=` to bind a name, as in `a = 2`"))
            }
            ('=', _) => (Tok::Assign, 1),
            ('\n' | ';', _) => (Tok::Sep, 1),
            _ => return Err(self.unexpected_char(c, start)),
        };
        self.pos += len;
        Ok(self.token(tok, start))
    }

    fn token(&self, tok: Tok, start: usize) -> Token {
        Token {
            tok,
            start,
            end: self.pos,
        }
    }

    /// Skips spaces, tabs, carriage returns and `#` comments (not newlines: they end
    /// statements).
    fn skip_blanks(&mut self) {
        let bytes = self.src.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' | 0x0c => self.pos += 1,
                b'#' => {
                    self.pos = self.src[self.pos..]
                        .find('\n')
                        .map_or(self.src.len(), |i| self.pos + i)
                }
                _ => break,
            }
        }
    }

    /// `12`, `3.5`, `.5`, `2.`, `1e-3`. A number glued to letters, digits, `_` or `.`
    /// (`1.2.3`, `2e`, `3x`) is one bad token, reported whole.
    fn number(&mut self) -> Result<Token, LangError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let digits = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = digits(start);
        if bytes.get(i) == Some(&b'.') {
            i = digits(i + 1);
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                i = digits(j);
            }
        }
        let glued = self.src[i..]
            .find(|c: char| !(is_name_char(c) || c == '.'))
            .unwrap_or(self.src.len() - i);
        self.pos = i + glued;
        let text = &self.src[start..self.pos];
        if glued > 0 {
            let tail = &self.src[i..self.pos];
            let help = if tail.starts_with(|c: char| c.is_alphabetic() || c == '_')
                && !tail.starts_with(['e', 'E'])
            {
                format!(
                    "a number is digits with an optional `.` and exponent (`2.5`, `1e-3`); for a product write `{}*{tail}`",
                    &self.src[start..i]
                )
            } else {
                "a number is digits with an optional `.` and exponent, like `2`, `-3.5`, `.5` or `1e-3`".to_string()
            };
            return Err(self
                .error(
                    ErrorKind::BadNumber,
                    start,
                    self.pos,
                    format!("`{}` is not a number", clip(text)),
                )
                .help(help));
        }
        let value: f64 = text.parse().map_err(|_| {
            self.error(
                ErrorKind::BadNumber,
                start,
                self.pos,
                format!("`{}` is not a number", clip(text)),
            )
        })?;
        if value.is_infinite() {
            return Err(self
                .error(
                    ErrorKind::BadNumber,
                    start,
                    self.pos,
                    format!("`{}` is too large for a 64-bit float", clip(text)),
                )
                .help("the largest finite number is about 1.8e308"));
        }
        Ok(self.token(Tok::Num(value), start))
    }

    fn unexpected_char(&self, c: char, start: usize) -> LangError {
        let shown = if c.is_control() || c.is_whitespace() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        let help = match c {
            '%' => "there is no `%` operator; the language has + - * / ** and functions such as tanh(x)",
            '[' | ']' | '{' | '}' => "group with round parentheses `( )`",
            '"' | '\'' => "the language has numbers and names, not strings",
            _ => "a program uses numbers, names, + - * / ** ^, parentheses, commas, `=` and `#` comments",
        };
        self.error(
            ErrorKind::UnexpectedChar,
            start,
            start + c.len_utf8(),
            format!("unexpected character {shown}"),
        )
        .help(help)
    }
}

/// Characters allowed after the first one of a name: letters, ASCII digits and `_`.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || c == '_'
}

fn op_of(c: char) -> BinOp {
    match c {
        '+' => BinOp::Add,
        '-' => BinOp::Sub,
        '*' => BinOp::Mul,
        _ => BinOp::Div,
    }
}

/// `s`, shortened with `…` when it is too long to quote in a message.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(src);
        let mut out = vec![];
        loop {
            let t = lx.next_token().unwrap();
            out.push(t.tok);
            if t.tok == Tok::Eof {
                return out;
            }
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("2 3.5 .5 2. 1e-3 1E+2"),
            vec![
                Tok::Num(2.0),
                Tok::Num(3.5),
                Tok::Num(0.5),
                Tok::Num(2.0),
                Tok::Num(0.001),
                Tok::Num(100.0),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn operators_and_comments() {
        use BinOp::*;
        assert_eq!(
            toks("x **= 2 ^ y # c\n;"),
            vec![
                Tok::Name,
                Tok::OpAssign(Pow),
                Tok::Num(2.0),
                Tok::Op(Pow),
                Tok::Name,
                Tok::Sep,
                Tok::Sep,
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("a.grad+=-1"),
            vec![
                Tok::Name,
                Tok::Dot,
                Tok::Name,
                Tok::OpAssign(Add),
                Tok::Op(Sub),
                Tok::Num(1.0),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bad_numbers() {
        for (bad, len) in [("1.2.3", 5), ("2e", 2), ("3x", 2), ("1e999", 5), ("1e+", 2)] {
            let err = Lexer::new(bad).next_token().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadNumber, "{bad}");
            assert_eq!(err.span(), Some(0..len), "{bad}");
        }
    }
}
