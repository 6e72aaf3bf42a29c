//! The parser: tokens to a flat syntax tree.
//!
//! Expressions are parsed by precedence climbing with an explicit nesting limit
//! ([`MAX_DEPTH`]), so no input can overflow the stack. The tree is a flat vector in
//! post-order (operands before the node that uses them): evaluating it is one loop and
//! dropping it is one deallocation, however deep the expression.

use super::error::{did_you_mean, ErrorKind, LangError};
use super::lexer::{clip, BinOp, Lexer, Tok, Token};
use super::micrograd::{call_args, python_attr, python_function, python_statement};
use std::collections::HashMap;
use std::ops::Range;

/// The deepest nesting of parentheses, unary minus, `**` chains and calls an
/// expression may have.
pub const MAX_DEPTH: usize = 256;

/// What a call computes: an op of the table, or the gradient `grad(L, x)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callee {
    /// An op of the table.
    Op(crate::Op),
    /// `grad(L, x)`: dL/dx, recorded on the tape.
    Grad,
}

/// A function of the language: its name, how many arguments it takes, what it computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Func {
    pub name: &'static str,
    pub arity: usize,
    pub callee: Callee,
}

impl Func {
    /// A call that shows how to use it: `tanh(x)`, `leaky_relu(x, 0.01)`, `grad(L, a)`.
    pub fn example(&self) -> String {
        match self.callee {
            Callee::Grad => "grad(L, a)".to_string(),
            Callee::Op(op) => match op.arity() {
                crate::Arity::Unary => format!("{}(x)", self.name),
                crate::Arity::UnaryConst => format!("{}(x, 0.1)", self.name),
                _ => format!("{}(x, 2)", self.name),
            },
        }
    }
}

/// Every function a program can call: the op table's ([`Op::calls`](crate::Op::calls):
/// one argument for a unary op, a value and a number for an op with a constant, two
/// values for a binary op) and `grad(L, x)`.
pub(crate) fn funcs() -> impl Iterator<Item = Func> {
    crate::Op::ALL
        .into_iter()
        .flat_map(|op| {
            op.calls().iter().map(move |&name| Func {
                name,
                arity: if op.arity() == crate::Arity::Unary {
                    1
                } else {
                    2
                },
                callee: Callee::Op(op),
            })
        })
        .chain([Func {
            name: "grad",
            arity: 2,
            callee: Callee::Grad,
        }])
}

/// The function called `name`.
pub(crate) fn func(name: &str) -> Option<Func> {
    funcs().find(|f| f.name == name)
}

/// The names of every function, comma-separated, for messages.
pub(crate) fn known_functions() -> String {
    funcs().map(|f| f.name).collect::<Vec<_>>().join(", ")
}

/// Which attribute of a value `name.attr` reads or sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attr {
    Data,
    Grad,
}

/// A node of an expression. Operand fields are indices into [`Ast::nodes`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Node {
    Num(f64),
    /// A name, by its index in [`Ast::names`].
    Name(u32),
    /// `name.data` or `name.grad`: the plain number, as in Python.
    Attr(u32, Attr),
    Neg(u32),
    Bin(BinOp, u32, u32),
    /// A call; one-argument functions leave the second operand unused.
    Call(Func, u32, u32),
}

/// What a statement does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum StmtKind {
    /// `name = expr`, or with `op`, `name op= expr`.
    Assign { name: u32, op: Option<BinOp> },
    /// `name.grad = expr`
    SetGrad { name: u32 },
    /// A bare expression.
    Expr,
}

/// One statement: its kind, the span of its target (the name, or the whole statement
/// for an expression) and the node range of its expression (the root is last).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stmt {
    pub kind: StmtKind,
    pub target: Range<usize>,
    pub span: Range<usize>,
    pub nodes: Range<usize>,
    /// The 1-based line the statement starts on.
    pub line: usize,
}

/// The parsed program: statements, the nodes of their expressions (with spans), and
/// the names they use.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Ast {
    pub stmts: Vec<Stmt>,
    pub nodes: Vec<Node>,
    pub spans: Vec<(u32, u32)>,
    pub names: Vec<Box<str>>,
}

impl Ast {
    pub fn span(&self, node: usize) -> Range<usize> {
        let (s, e) = self.spans[node];
        s as usize..e as usize
    }
}

pub(crate) struct Parser<'s> {
    src: &'s str,
    lex: Lexer<'s>,
    tok: Token,
    /// The token consumed last, to say what an operand is missing after.
    prev: Option<Token>,
    ast: Ast,
    name_ids: HashMap<&'s str, u32>,
    /// Parentheses opened and not yet closed.
    open: usize,
    /// The line of the current token.
    line: usize,
}

/// Parses a whole program.
/// The parser's result.
type PResult<T> = Result<T, LangError>;

pub(crate) fn parse(src: &str) -> Result<Ast, LangError> {
    if src.len() > u32::MAX as usize {
        return Err(LangError::nowhere(
            ErrorKind::Syntax,
            "the program is larger than 4 GiB".into(),
        ));
    }
    let mut lex = Lexer::new(src);
    let tok = lex.next_token()?;
    let mut p = Parser {
        src,
        lex,
        tok,
        prev: None,
        ast: Ast::default(),
        name_ids: HashMap::new(),
        open: 0,
        line: 1,
    };
    p.statements()?;
    if p.ast.stmts.is_empty() {
        let at = src.len();
        return Err(p
            .error(
                ErrorKind::EmptyProgram,
                at..at,
                "the program is empty".into(),
            )
            .help("write at least one statement, for example `a = 2; b = -3; L = a*b`"));
    }
    Ok(p.ast)
}

impl<'s> Parser<'s> {
    fn statements(&mut self) -> PResult<()> {
        loop {
            match self.tok.tok {
                Tok::Eof => return Ok(()),
                Tok::Sep => {
                    self.bump()?;
                }
                _ => self.statement()?,
            }
        }
    }

    fn error(&self, kind: ErrorKind, span: Range<usize>, message: String) -> LangError {
        LangError::at(kind, self.src.as_bytes(), span, message)
    }

    fn text(&self, t: Token) -> &'s str {
        &self.src[t.start..t.end]
    }

    /// Moves to the next token, returning the one passed.
    fn bump(&mut self) -> PResult<Token> {
        let t = self.tok;
        match t.tok {
            Tok::LParen => self.open += 1,
            Tok::RParen => self.open = self.open.saturating_sub(1),
            Tok::Sep if self.src.as_bytes()[t.start] == b'\n' => self.line += 1,
            _ => {}
        }
        self.tok = self.lex.next_token()?;
        self.prev = Some(t);
        Ok(t)
    }

    fn push(&mut self, node: Node, span: Range<usize>) -> u32 {
        self.ast.nodes.push(node);
        self.ast.spans.push((span.start as u32, span.end as u32));
        (self.ast.nodes.len() - 1) as u32
    }

    fn name_id(&mut self, t: Token) -> u32 {
        let text = self.text(t);
        if let Some(&id) = self.name_ids.get(text) {
            return id;
        }
        let id = self.ast.names.len() as u32;
        self.ast.names.push(text.into());
        self.name_ids.insert(text, id);
        id
    }

    fn statement(&mut self) -> PResult<()> {
        let first = self.ast.nodes.len();
        let start = self.tok.start;
        let line = self.line;
        let lhs = self.expr(0)?;
        let target = start..self.ast.span(lhs as usize).end;
        if let (Node::Name(_), Tok::Name | Tok::Num(_)) =
            (self.ast.nodes[lhs as usize], self.tok.tok)
        {
            if let Some((message, help)) = python_statement(&self.src[target.clone()]) {
                return Err(self.error(ErrorKind::Syntax, target, message).help(help));
            }
        }
        let kind = match self.tok.tok {
            Tok::Assign | Tok::OpAssign(_) => {
                let kind = self.target(lhs)?;
                self.ast.nodes.truncate(first);
                self.ast.spans.truncate(first);
                kind
            }
            _ => StmtKind::Expr,
        };
        if kind != StmtKind::Expr {
            let eq = self.bump()?;
            if matches!(self.tok.tok, Tok::Sep | Tok::Eof) {
                return Err(self
                    .error(
                        ErrorKind::MissingOperand,
                        eq.start..eq.end,
                        format!("missing value after `{}`", self.text(eq)),
                    )
                    .help(format!(
                        "write an expression after it, as in `{} 2`",
                        self.text(eq)
                    )));
            }
            self.expr(0)?;
        }
        self.end_of_statement()?;
        let nodes = first..self.ast.nodes.len();
        let end = self.ast.span(nodes.end - 1).end;
        self.ast.stmts.push(Stmt {
            kind,
            target,
            span: start..end,
            nodes,
            line,
        });
        Ok(())
    }

    /// What the left side of `=` (already parsed as the expression `lhs`) binds.
    fn target(&mut self, lhs: u32) -> PResult<StmtKind> {
        let node = self.ast.nodes[lhs as usize];
        let span = self.ast.span(lhs as usize);
        let op = match self.tok.tok {
            Tok::OpAssign(op) => Some(op),
            _ => None,
        };
        match (node, op) {
            (Node::Name(name), op) => Ok(StmtKind::Assign { name, op }),
            (Node::Attr(name, Attr::Grad), None) => Ok(StmtKind::SetGrad { name }),
            (Node::Attr(_, Attr::Grad), Some(_)) => Err(self
                .error(
                    ErrorKind::Syntax,
                    self.tok.start..self.tok.end,
                    "a hand-set grad takes a plain `=`".into(),
                )
                .help("write the whole value, as in `x.grad = 4`")),
            (Node::Attr(_, Attr::Data), _) => Err(self
                .error(ErrorKind::Syntax, span, "`.data` cannot be set".into())
                .help("bind the name to a new number instead, as in `x = 3`")),
            _ => Err(self
                .error(ErrorKind::Syntax, span, "cannot assign to this".into())
                .help(
                    "the left of `=` must be a name (`a = 2`) or a hand-set grad (`a.grad = 6`)",
                )),
        }
    }

    fn end_of_statement(&mut self) -> PResult<()> {
        let t = self.tok;
        match t.tok {
            Tok::Sep | Tok::Eof => Ok(()),
            Tok::RParen => Err(self
                .error(ErrorKind::UnbalancedParen, t.start..t.end, "unmatched `)`".into())
                .help("remove it, or add the `(` it should close")),
            Tok::Assign | Tok::OpAssign(_) => Err(self
                .error(
                    ErrorKind::Syntax,
                    t.start..t.end,
                    format!("unexpected `{}`", self.text(t)),
                )
                .help("bind one name per statement, as in `a = 2; b = 2`")),
            _ => Err(self
                .error(
                    ErrorKind::Syntax,
                    t.start..t.end,
                    format!(
                        "expected an operator or the end of the statement, found {}",
                        describe(self.src, t)
                    ),
                )
                .help("is an operator missing? Put each statement on its own line or separate them with `;`")),
        }
    }

    fn expr(&mut self, depth: usize) -> PResult<u32> {
        self.binary(0, depth)
    }

    // The recursive functions below keep their stack frames small (errors are built in
    // separate cold functions), so MAX_DEPTH levels fit in a 2 MiB stack even in
    // a debug build.

    /// Precedence climbing: `+ -` (1) < `* /` (2) < unary `-` (3) < `**` (4, right
    /// associative). Only right recursion (`**`), unary minus, parentheses and calls
    /// nest deeper; the rest is a loop.
    fn binary(&mut self, min_prec: u8, depth: usize) -> PResult<u32> {
        let mut lhs = self.unary(depth)?;
        while let Tok::Op(op) = self.tok.tok {
            let prec = precedence(op);
            if prec < min_prec {
                break;
            }
            self.bump()?;
            let rhs = if op == BinOp::Pow {
                self.binary(prec, depth + 1)?
            } else {
                self.binary(prec + 1, depth)?
            };
            let span = self.ast.span(lhs as usize).start..self.ast.span(rhs as usize).end;
            lhs = self.push(Node::Bin(op, lhs, rhs), span);
        }
        Ok(lhs)
    }

    fn unary(&mut self, depth: usize) -> PResult<u32> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        match self.tok.tok {
            Tok::Op(op @ (BinOp::Sub | BinOp::Add)) => {
                let t = self.bump()?;
                let x = self.binary(3, depth + 1)?;
                if op == BinOp::Add {
                    return Ok(x);
                }
                let span = t.start..self.ast.span(x as usize).end;
                Ok(self.push(Node::Neg(x), span))
            }
            _ => self.atom(depth),
        }
    }

    fn atom(&mut self, depth: usize) -> PResult<u32> {
        let t = self.tok;
        match t.tok {
            Tok::Num(x) => {
                self.bump()?;
                Ok(self.push(Node::Num(x), t.start..t.end))
            }
            Tok::Name => {
                self.bump()?;
                match self.tok.tok {
                    Tok::LParen => self.call(t, depth),
                    Tok::Dot => self.attr(t),
                    _ => {
                        let id = self.name_id(t);
                        Ok(self.push(Node::Name(id), t.start..t.end))
                    }
                }
            }
            Tok::LParen => {
                self.bump()?;
                if self.tok.tok == Tok::RParen {
                    return Err(self.empty_parens(t));
                }
                let inner = self.expr(depth + 1)?;
                let close = self.close(t)?;
                if self.tok.tok == Tok::Dot {
                    // `(2*n).exp()`, as the lecture writes it.
                    self.bump()?;
                    return Err(self.unknown_attr(t.end..close.start, self.tok));
                }
                Ok(inner)
            }
            _ => Err(self.missing_operand()),
        }
    }

    /// Expects the `)` that closes `open`.
    fn close(&mut self, open: Token) -> PResult<Token> {
        match self.tok.tok {
            Tok::RParen => self.bump(),
            _ => Err(self.not_closed(open)),
        }
    }

    fn call(&mut self, name: Token, depth: usize) -> PResult<u32> {
        let text = self.text(name);
        let Some(func) = func(text) else {
            return Err(self.unknown_function(name));
        };
        let open = self.bump()?;
        let mut args = [0u32; 2];
        let mut count = 0;
        if self.tok.tok != Tok::RParen {
            loop {
                let arg = self.expr(depth + 1)?;
                if count < 2 {
                    args[count] = arg;
                }
                count += 1;
                if self.tok.tok != Tok::Comma {
                    break;
                }
                self.bump()?;
            }
        }
        let close = self.close(open)?;
        if count != func.arity {
            return Err(self.wrong_arg_count(func, count, name.start..close.end));
        }
        let second = if count == 2 { args[1] } else { args[0] };
        Ok(self.push(Node::Call(func, args[0], second), name.start..close.end))
    }

    fn attr(&mut self, name: Token) -> PResult<u32> {
        self.bump()?; // the dot
        let t = self.tok;
        let attr = match (t.tok, self.text(t)) {
            (Tok::Name, "grad") => Attr::Grad,
            (Tok::Name, "data") => Attr::Data,
            _ => return Err(self.unknown_attr(name.start..name.end, t)),
        };
        self.bump()?;
        let id = self.name_id(name);
        Ok(self.push(Node::Attr(id, attr), name.start..t.end))
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> LangError {
        let t = self.tok;
        self.error(
            ErrorKind::TooDeep,
            t.start..t.end,
            format!("expression nested too deeply (limit {MAX_DEPTH})"),
        )
        .help("split it into several statements, binding the inner parts to names")
    }

    #[cold]
    #[inline(never)]
    fn empty_parens(&self, open: Token) -> LangError {
        self.error(
            ErrorKind::MissingOperand,
            open.start..self.tok.end,
            "empty parentheses".into(),
        )
        .help("put an expression inside, as in `(a + b)`")
    }

    #[cold]
    #[inline(never)]
    fn not_closed(&self, open: Token) -> LangError {
        let t = self.tok;
        if matches!(t.tok, Tok::Sep | Tok::Eof) {
            return self
                .error(
                    ErrorKind::UnbalancedParen,
                    open.start..open.end,
                    "this `(` is never closed".into(),
                )
                .help("add a `)` before the end of the line");
        }
        self.error(
            ErrorKind::Syntax,
            t.start..t.end,
            format!(
                "expected `)` or an operator, found {}",
                describe(self.src, t)
            ),
        )
        .help("is an operator or a comma missing?")
    }

    #[cold]
    #[inline(never)]
    fn unknown_function(&self, name: Token) -> LangError {
        let text = self.text(name);
        let err = self.error(
            ErrorKind::UnknownFunction,
            name.start..name.end,
            format!("unknown function `{}`", clip(text)),
        );
        let known = known_functions();
        let args = call_args(self.src, name.end).map(|r| self.src[r].trim());
        if let Some(help) = python_function(text, args) {
            return err.help(format!("{help}. The functions are: {known}"));
        }
        let err = match did_you_mean(text, funcs().map(|f| f.name)) {
            Some(s) => err.help(format!("did you mean `{s}`? The functions are: {known}")),
            None if self.name_ids.contains_key(text) => err.help(format!(
                "`{}` is a value, not a function; for a product write `{}*( ... )`. The functions are: {known}",
                clip(text),
                clip(text)
            )),
            None => err.help(format!("the functions are: {known}")),
        };
        err
    }

    #[cold]
    #[inline(never)]
    fn wrong_arg_count(&self, func: Func, count: usize, span: Range<usize>) -> LangError {
        let (n, s) = (func.arity, if func.arity == 1 { "" } else { "s" });
        let example = func.example();
        self.error(
            ErrorKind::WrongArgCount,
            span,
            format!("`{}` takes {n} argument{s}, not {count}", func.name),
        )
        .help(format!("call it as `{example}`"))
    }

    #[cold]
    #[inline(never)]
    fn unknown_attr(&self, receiver: Range<usize>, t: Token) -> LangError {
        let span = t.start..t.end.max(t.start + 1);
        if t.tok != Tok::Name {
            let found = describe(self.src, t);
            return self
                .error(
                    ErrorKind::Syntax,
                    span,
                    format!("expected `grad` or `data` after `.`, found {found}"),
                )
                .help("a value has `.grad` (set it by hand: `x.grad = 4`) and `.data`");
        }
        let attr = self.text(t);
        let call = call_args(self.src, t.end);
        let (message, help) = python_attr(self.src[receiver].trim(), attr, call.clone(), self.src)
            .unwrap_or_else(|| {
                (
                    format!("unknown attribute `.{}`", clip(attr)),
                    "a value has `.grad` (set it by hand: `x.grad = 4`) and `.data`".into(),
                )
            });
        let end = call.map_or(span.end, |c| c.end + 1);
        self.error(ErrorKind::Syntax, t.start..end, message)
            .help(help)
    }

    /// The error for a token where an operand should be.
    #[cold]
    #[inline(never)]
    fn missing_operand(&self) -> LangError {
        self.missing_operand_error()
    }

    fn missing_operand_error(&self) -> LangError {
        let t = self.tok;
        let prev = self
            .prev
            .filter(|p| matches!(p.tok, Tok::Op(_) | Tok::Assign | Tok::OpAssign(_)));
        match (t.tok, prev) {
            (Tok::Op(BinOp::Mul | BinOp::Div | BinOp::Pow), _) => self
                .error(
                    ErrorKind::MissingOperand,
                    t.start..t.end,
                    format!("missing operand before `{}`", &self.src[t.start..t.end]),
                )
                .help("write a number, a name or `( ... )` before it"),
            (Tok::RParen, _) if self.open == 0 => self
                .error(
                    ErrorKind::UnbalancedParen,
                    t.start..t.end,
                    "unmatched `)`".into(),
                )
                .help("remove it, or add the `(` it should close"),
            (Tok::Sep | Tok::Eof, None) if self.prev.is_some_and(|p| p.tok == Tok::LParen) => {
                let p = self.prev.unwrap_or(t);
                self.error(
                    ErrorKind::UnbalancedParen,
                    p.start..p.end,
                    "this `(` is never closed".into(),
                )
                .help("add an expression and a `)` before the end of the line")
            }
            (_, Some(p)) => self
                .error(
                    ErrorKind::MissingOperand,
                    p.start..p.end,
                    format!("missing operand after `{}`", &self.src[p.start..p.end]),
                )
                .help(format!(
                    "write a number, a name or `( ... )` after `{}`",
                    &self.src[p.start..p.end]
                )),
            (Tok::Op(_) | Tok::Assign | Tok::OpAssign(_), None) => self
                .error(
                    ErrorKind::MissingOperand,
                    t.start..t.end,
                    format!("missing operand before `{}`", &self.src[t.start..t.end]),
                )
                .help("write a number, a name or `( ... )` before it"),
            (Tok::Comma | Tok::RParen, None) => self
                .error(
                    ErrorKind::MissingOperand,
                    t.start..t.end,
                    "missing argument".into(),
                )
                .help("write an expression for each argument, as in `pow(x, 2)`"),
            _ => self
                .error(
                    ErrorKind::Syntax,
                    t.start..t.end,
                    format!(
                        "expected a number, a name or `(`, found {}",
                        describe(self.src, t)
                    ),
                )
                .help("check the line for a stray symbol"),
        }
    }
}

fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => 1,
        BinOp::Mul | BinOp::Div => 2,
        BinOp::Pow => 4,
    }
}

/// A token as a message names it: "`x`", "the end of the line".
fn describe(src: &str, t: Token) -> String {
    match t.tok {
        Tok::Eof => "the end of the program".into(),
        Tok::Sep if &src[t.start..t.end] == "\n" => "the end of the line".into(),
        Tok::Num(_) => format!("the number `{}`", clip(&src[t.start..t.end])),
        Tok::Name => format!("the name `{}`", clip(&src[t.start..t.end])),
        _ => format!("`{}`", clip(&src[t.start..t.end])),
    }
}
