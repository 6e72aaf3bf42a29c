//! The evaluator: runs a parsed program on a [`Graph`], one statement at a time.
//!
//! Each expression is one loop over its post-order nodes. A value is either a plain
//! number (numbers fold: `2*3` is `6`) or a [`Var`] on the tape; where one operand is a
//! number the engine's constant ops are used (`2*x` is `x * 2`, `x**3` is `powf`).
//!
//! The bounds of [`Limits`] hold while it works: the values made are counted after every
//! node of every expression (and a `grad()` records within what is left), each value
//! carries its derivative order (how many `grad()`s it passed through), and the caller's
//! check runs before every statement and every `grad()`.

use super::error::{did_you_mean, ErrorKind, LangError};
use super::lexer::{clip, BinOp};
use super::parser::{func, Ast, Attr, Callee, Func, Node, StmtKind};
use super::{Binding, Derivative, EvalOptions, Evaluated, HandGrad, Program};
use crate::limits::count;
use crate::{Arity, Graph, Limits, Op, Var};
use std::collections::HashMap;

/// A value during evaluation.
#[derive(Clone, Copy)]
enum Val<'g> {
    Num(f64),
    Var(Var<'g>),
}

/// Whether names in an expression are values on the tape or their plain numbers (as on
/// the right of `x.grad = ...`, which records nothing).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Tape,
    Numbers,
}

/// What the whole program does with each name, found before running it.
#[derive(Clone, Default)]
struct NameInfo {
    /// The statement that first binds the name.
    first_bound: Option<usize>,
    /// Whether some statement binds it to a plain number (a leaf).
    leaf: bool,
    /// A statement that binds it to a computed value.
    computed: Option<usize>,
}

struct Env<'p, 'g> {
    p: &'p Program,
    g: &'g Graph,
    limits: Limits,
    /// The tape's length before the program ran: the values made are what it grew by.
    start: usize,
    /// The caller's check, asked before every statement and every `grad()`.
    check: &'p mut dyn FnMut() -> Result<(), String>,
    info: Vec<NameInfo>,
    /// The current value of each name.
    vars: Vec<Option<Var<'g>>>,
    /// How many times each name has been bound.
    versions: Vec<u32>,
    /// Whether the current value of each name got its label from that name.
    owns: Vec<bool>,
    /// The derivative order of each name's current value: how many `grad()`s it
    /// passed through (0 for none).
    orders: Vec<usize>,
    sets: HashMap<u32, f64>,
    /// Each node's value and derivative order, for the expression being evaluated.
    scratch: Vec<(Val<'g>, usize)>,
    /// Every `grad(L, a)` evaluated, in program order.
    derivatives: Vec<Derivative<'g>>,
}

pub(crate) fn eval<'g>(
    p: &Program,
    g: &'g Graph,
    opts: &EvalOptions,
    check: &mut dyn FnMut() -> Result<(), String>,
) -> Result<Evaluated<'g>, LangError> {
    let ast = &p.ast;
    let info = scan(ast);
    let mut env = Env {
        p,
        g,
        limits: opts.limits,
        start: g.len(),
        check,
        sets: HashMap::new(),
        vars: vec![None; ast.names.len()],
        versions: vec![0; ast.names.len()],
        owns: vec![false; ast.names.len()],
        orders: vec![0; ast.names.len()],
        info,
        scratch: Vec::new(),
        derivatives: Vec::new(),
    };
    for (name, value) in &opts.sets {
        let id = env.leaf_name(name)?;
        env.sets.insert(id, *value);
    }
    let mut out = Run {
        output: None,
        output_name: None,
        bindings: Vec::new(),
        hand_grads: Vec::new(),
    };
    for (k, stmt) in ast.stmts.iter().enumerate() {
        env.go_on(stmt.span.clone())?;
        match stmt.kind {
            StmtKind::Assign { name, op } => {
                let before = g.len();
                let (rhs, order) = env.expr(k, Mode::Tape)?;
                let value = match op {
                    None => match rhs {
                        Val::Num(x) => g.leaf(env.sets.get(&name).copied().unwrap_or(x)),
                        Val::Var(v) => v,
                    },
                    Some(op) => {
                        let old = env.lookup(name, k, stmt.target.clone())?;
                        as_var(g, binary(g, op, Val::Var(old), rhs))
                    }
                };
                env.within_values(stmt.span.clone())?;
                let order = match op {
                    None => order,
                    Some(_) => order.max(env.orders[name as usize]),
                };
                env.orders[name as usize] = order;
                env.bind(name, value, value.index() >= before);
                let name = ast.names[name as usize].to_string();
                out.bindings.push(Binding {
                    name: name.clone(),
                    var: value,
                    line: stmt.line,
                });
                out.output = Some(value);
                out.output_name = Some(name);
            }
            StmtKind::SetGrad { name } => {
                let var = env.lookup(name, k, stmt.target.clone())?;
                let (Val::Num(value), _) = env.expr(k, Mode::Numbers)? else {
                    unreachable!("expressions in number mode give numbers")
                };
                var.set_grad(value);
                out.hand_grads.push(HandGrad {
                    name: ast.names[name as usize].to_string(),
                    var,
                    value,
                    line: stmt.line,
                });
            }
            StmtKind::Expr => {
                let value = as_var(g, env.expr(k, Mode::Tape)?.0);
                env.within_values(stmt.span.clone())?;
                out.output = Some(value);
                out.output_name = match ast.nodes[stmt.nodes.clone()] {
                    [Node::Name(id)] => Some(ast.names[id as usize].to_string()),
                    _ => None,
                };
            }
        }
    }
    if let Some(of) = &opts.of {
        let id = env.bound_name(of, "--of")?;
        out.output = env.vars[id as usize];
        out.output_name = Some(of.clone());
    }
    let Some(output) = out.output else {
        let at = ast.stmts.last().map_or(0, |s| s.span.start);
        // Unreachable in practice: a grad line needs a bound name, and binding one is
        // a value. Kept as an error rather than a panic.
        return Err(LangError::at(
            ErrorKind::EmptyProgram,
            p.src.as_bytes(),
            at..at,
            "the program computes no value".into(),
        )
        .help("it only sets grads; bind or write the expression to compute, as in `L = d*f`"));
    };
    Ok(Evaluated {
        output,
        output_name: out.output_name,
        bindings: out.bindings,
        hand_grads: out.hand_grads,
        derivatives: env.derivatives,
    })
}

/// An [`Evaluated`] in the making.
struct Run<'g> {
    output: Option<Var<'g>>,
    output_name: Option<String>,
    bindings: Vec<Binding<'g>>,
    hand_grads: Vec<HandGrad<'g>>,
}

/// Finds, for every name, where it is first bound and whether it is ever a leaf.
fn scan(ast: &Ast) -> Vec<NameInfo> {
    let mut info = vec![NameInfo::default(); ast.names.len()];
    for (k, stmt) in ast.stmts.iter().enumerate() {
        if let StmtKind::Assign { name, op } = stmt.kind {
            let i = &mut info[name as usize];
            if op.is_none() {
                i.first_bound.get_or_insert(k);
            }
            let constant = op.is_none()
                && !ast.nodes[stmt.nodes.clone()]
                    .iter()
                    .any(|n| matches!(n, Node::Name(_)));
            if constant {
                i.leaf = true;
            } else {
                i.computed.get_or_insert(k);
            }
        }
    }
    info
}

impl<'g> Env<'_, 'g> {
    fn name(&self, id: u32) -> &str {
        &self.p.ast.names[id as usize]
    }

    fn id_of(&self, name: &str) -> Option<u32> {
        self.p
            .ast
            .names
            .iter()
            .position(|n| &**n == name)
            .map(|i| i as u32)
    }

    /// Names bound anywhere in the program, for suggestions.
    fn bound_names(&self) -> impl Iterator<Item = &str> {
        self.info
            .iter()
            .zip(&self.p.ast.names)
            .filter(|(i, _)| i.first_bound.is_some())
            .map(|(_, n)| &**n)
    }

    /// A name given on the command line that must be bound somewhere.
    fn bound_name(&self, name: &str, flag: &str) -> Result<u32, LangError> {
        match self.id_of(name) {
            Some(id) if self.info[id as usize].first_bound.is_some() => Ok(id),
            _ => {
                let err = LangError::nowhere(
                    ErrorKind::UnknownName,
                    format!(
                        "{flag} {}: the program binds no name `{}`",
                        clip(name),
                        clip(name)
                    ),
                );
                let names: Vec<&str> = self.bound_names().collect();
                Err(match did_you_mean(name, names.iter().copied()) {
                    Some(s) => err.help(format!("did you mean `{s}`?")),
                    None => err.help(format!("the names are: {}", clip(&names.join(", ")))),
                })
            }
        }
    }

    /// A `--set` name: it must be bound to a plain number somewhere.
    fn leaf_name(&self, name: &str) -> Result<u32, LangError> {
        let id = self.bound_name(name, "--set")?;
        let info = &self.info[id as usize];
        if info.leaf {
            return Ok(id);
        }
        let stmt = &self.p.ast.stmts[info.computed.unwrap_or(0)];
        Err(LangError::at(
            ErrorKind::NotALeaf,
            self.p.src.as_bytes(),
            stmt.span.clone(),
            format!(
                "--set {}: `{}` is not a leaf, it is computed here",
                clip(name),
                clip(name)
            ),
        )
        .help("--set changes names bound to a plain number, like `a = 2`"))
    }

    /// The current value of a name used at statement `k`.
    fn lookup(
        &self,
        id: u32,
        k: usize,
        span: std::ops::Range<usize>,
    ) -> Result<Var<'g>, LangError> {
        if let Some(v) = self.vars[id as usize] {
            return Ok(v);
        }
        let name = self.name(id);
        let src = self.p.src.as_bytes();
        if let Some(first) = self.info[id as usize].first_bound.filter(|&f| f > k) {
            let line = self.p.ast.stmts[first].line;
            return Err(LangError::at(
                ErrorKind::UsedBeforeBound,
                src,
                span,
                format!(
                    "`{}` is used before it is bound (on line {line})",
                    clip(name)
                ),
            )
            .help(format!(
                "move the line that binds `{}` above this one",
                clip(name)
            )));
        }
        let err = LangError::at(
            ErrorKind::UnknownName,
            src,
            span,
            format!("unknown name `{}`", clip(name)),
        );
        let bound = self
            .vars
            .iter()
            .zip(&self.p.ast.names)
            .filter(|(v, _)| v.is_some())
            .map(|(_, n)| &**n);
        Err(if let Some(s) = did_you_mean(name, bound) {
            err.help(format!("did you mean `{s}`?"))
        } else if func(name).is_some() {
            err.help(format!("`{name}` is a function: call it as `{name}(x)`"))
        } else {
            err.help(format!("bind it first, as in `{} = 1.0`", clip(name)))
        })
    }

    /// Binds `id` to `v`, labelling `v` with the name when it is `fresh` (made by this
    /// statement; `b = a` keeps `a`'s label). The value a rebinding replaces keeps the name with its
    /// version as a subscript: after `c = a + b; c += 1` they are `c₁` and `c`.
    fn bind(&mut self, id: u32, v: Var<'g>, fresh: bool) {
        let i = id as usize;
        self.versions[i] += 1;
        if let Some(old) = self.vars[i] {
            if self.owns[i] && old.index() != v.index() {
                old.set_label(&format!(
                    "{}{}",
                    self.name(id),
                    subscript(self.versions[i] - 1)
                ));
            }
        }
        if fresh {
            v.set_label(self.name(id));
        }
        self.owns[i] =
            fresh || (self.owns[i] && self.vars[i].is_some_and(|o| o.index() == v.index()));
        self.vars[i] = Some(v);
    }

    /// Evaluates the expression of statement `k`: its value and derivative order.
    fn expr(&mut self, k: usize, mode: Mode) -> Result<(Val<'g>, usize), LangError> {
        let ast = &self.p.ast;
        let range = ast.stmts[k].nodes.clone();
        let base = range.start;
        let mut vals = std::mem::take(&mut self.scratch);
        vals.clear();
        for (n, node) in ast.nodes[range].iter().enumerate() {
            let at = |i: u32| vals[i as usize - base].0;
            let order = |i: u32| vals[i as usize - base].1;
            let v = match *node {
                Node::Num(x) => (Val::Num(x), 0),
                Node::Name(id) => {
                    let v = self.lookup(id, k, ast.span(base + n))?;
                    match mode {
                        Mode::Tape => (Val::Var(v), self.orders[id as usize]),
                        Mode::Numbers => (Val::Num(v.data()), 0),
                    }
                }
                Node::Attr(id, attr) => {
                    let v = self.lookup(id, k, ast.span(base + n))?;
                    let x = if attr == Attr::Grad {
                        v.grad()
                    } else {
                        v.data()
                    };
                    (Val::Num(x), 0)
                }
                Node::Neg(x) => match at(x) {
                    Val::Num(v) => (Val::Num(-v), 0),
                    Val::Var(v) => (Val::Var(-v), order(x)),
                },
                Node::Bin(op, x, y) => (binary(self.g, op, at(x), at(y)), order(x).max(order(y))),
                Node::Call(f, x, y) => {
                    let args = [(at(x), order(x)), (at(y), order(y))];
                    self.call(f, args, (y, base + n), k, mode)?
                }
            };
            self.within_values(ast.span(base + n))?;
            vals.push(v);
        }
        let result = vals
            .last()
            .copied()
            .expect("an expression has at least one node");
        self.scratch = vals;
        Ok(result)
    }
}

/// The bounds, checked as the program runs.
impl Env<'_, '_> {
    /// How many values the program has made so far.
    fn made(&self) -> usize {
        self.g.len() - self.start
    }

    /// An error at `span` when the program has made more values than allowed.
    fn within_values(&self, span: std::ops::Range<usize>) -> Result<(), LangError> {
        match self.made() > self.limits.values {
            true => Err(self.too_many_values(span)),
            false => Ok(()),
        }
    }

    /// Asks the caller's check whether to go on; an error at `span` if not.
    fn go_on(&mut self, span: std::ops::Range<usize>) -> Result<(), LangError> {
        (self.check)().map_err(|reason| {
            LangError::at(
                ErrorKind::Stopped,
                self.p.src.as_bytes(),
                span,
                format!("evaluation was stopped here: {reason}"),
            )
            .help("make the program do less work")
        })
    }

    #[cold]
    #[inline(never)]
    fn too_many_values(&self, span: std::ops::Range<usize>) -> LangError {
        let values = count(self.limits.values);
        LangError::at(
            ErrorKind::TooManyValues,
            self.p.src.as_bytes(),
            span,
            format!("here the program makes more than {values} values, the limit (`values`)"),
        )
        .help(
            "make fewer values (each grad() makes about 3 for every value it differentiates), \
             or raise the limit: `--max-values N` on the command line, `Limits::values` in Rust",
        )
    }

    #[cold]
    #[inline(never)]
    fn grad_too_deep(&self, order: usize, span: std::ops::Range<usize>) -> LangError {
        LangError::at(
            ErrorKind::GradTooDeep,
            self.p.src.as_bytes(),
            span,
            format!(
                "this grad() makes a derivative of order {order}, over the limit of {} \
                 (`grad_depth`)",
                self.limits.grad_depth
            ),
        )
        .help(
            "each order multiplies the values by about 3: differentiate fewer times, or raise \
             the limit: `--max-grad-depth N` on the command line, `Limits::grad_depth` in Rust",
        )
    }
}

impl<'g> Env<'_, 'g> {
    /// A call of `f` on its arguments (each a value and its derivative order), with the
    /// nodes of its second argument and of the call itself, for errors; the result and
    /// its derivative order.
    fn call(
        &mut self,
        f: Func,
        [(x, xo), (y, yo)]: [(Val<'g>, usize); 2],
        (yn, call): (u32, usize),
        k: usize,
        mode: Mode,
    ) -> Result<(Val<'g>, usize), LangError> {
        let g = self.g;
        let op = match f.callee {
            Callee::Grad => return self.grad((x, xo), (y, yn), (k, call), mode),
            Callee::Op(op) => op,
        };
        let value = match op.arity() {
            Arity::UnaryConst => {
                let Val::Num(c) = y else {
                    return Err(self.wrong_kind(
                        yn,
                        format!(
                            "the second argument of `{}` is a constant: give a number, not a value",
                            f.name
                        ),
                        format!("write it as a number, as in `{}`", f.example()),
                    ));
                };
                match x {
                    Val::Num(x) => Val::Num(op.apply(x, 0.0, c)),
                    Val::Var(v) => Val::Var(v.record_c(op, c)),
                }
            }
            Arity::Binary if op == Op::Pow => binary(g, BinOp::Pow, x, y),
            Arity::Binary => match (x, y) {
                (Val::Num(a), Val::Num(b)) => Val::Num(op.apply(a, b, 0.0)),
                _ => Val::Var(g.record(op, &[as_value(g, x), as_value(g, y)], 0.0)),
            },
            _ => match x {
                Val::Num(x) => Val::Num(op.apply(x, 0.0, 0.0)),
                Val::Var(v) => Val::Var(v.record1(op)),
            },
        };
        Ok((value, xo.max(yo)))
    }

    /// `grad(L, a)`: dL/da recorded on the tape (0 when L is a plain number), within
    /// what is left of the values and of the derivative order; `call` is its node.
    fn grad(
        &mut self,
        (l, order): (Val<'g>, usize),
        (a, an): (Val<'g>, u32),
        (k, call): (usize, usize),
        mode: Mode,
    ) -> Result<(Val<'g>, usize), LangError> {
        if mode == Mode::Numbers {
            return Err(self.wrong_kind(
                an,
                "`grad` needs values, and names on the right of `.grad =` are plain numbers".into(),
                format!(
                    "bind the derivative first, as in `d = grad(L, a)`, then use `d` here (line {})",
                    self.p.ast.stmts[k].line
                ),
            ));
        }
        let Val::Var(a) = a else {
            return Err(self.wrong_kind(
                an,
                "`grad` differentiates with respect to a value, not a number".into(),
                "give a name bound to a value, as in `grad(L, a)`".into(),
            ));
        };
        let Val::Var(l) = l else {
            return Ok((Val::Num(0.0), 0));
        };
        let span = self.p.ast.span(call);
        if order + 1 > self.limits.grad_depth {
            return Err(self.grad_too_deep(order + 1, span));
        }
        self.go_on(span.clone())?;
        let left = self.limits.values.saturating_sub(self.made());
        let Some(value) = self.g.grad_within(l, &[a], left).map(|d| d[0]) else {
            return Err(self.too_many_values(span));
        };
        self.derivatives.push(Derivative {
            of: l,
            wrt: a,
            value,
            line: self.p.ast.stmts[k].line,
        });
        Ok((Val::Var(value), order + 1))
    }

    #[cold]
    #[inline(never)]
    fn wrong_kind(&self, node: u32, message: String, help: String) -> LangError {
        LangError::at(
            ErrorKind::WrongArgKind,
            self.p.src.as_bytes(),
            self.p.ast.span(node as usize),
            message,
        )
        .help(help)
    }
}

/// A number as a value on the tape: a constant node.
fn as_value<'g>(g: &'g Graph, v: Val<'g>) -> Var<'g> {
    match v {
        Val::Num(x) => g.constant(x),
        Val::Var(v) => v,
    }
}

/// `x op y` on the tape, or folded when both are numbers.
fn binary<'g>(g: &'g Graph, op: BinOp, x: Val<'g>, y: Val<'g>) -> Val<'g> {
    use Val::{Num, Var as V};
    Val::Var(match (op, x, y) {
        (op, Num(a), Num(b)) => return Num(fold(op, a, b)),
        (BinOp::Add, V(a), V(b)) => a + b,
        (BinOp::Add, V(a), Num(b)) => a + b,
        (BinOp::Add, Num(a), V(b)) => (a + b).written_const_first(),
        (BinOp::Sub, V(a), V(b)) => a - b,
        (BinOp::Sub, V(a), Num(b)) => a - b,
        (BinOp::Sub, Num(a), V(b)) => a - b,
        (BinOp::Mul, V(a), V(b)) => a * b,
        (BinOp::Mul, V(a), Num(b)) => a * b,
        (BinOp::Mul, Num(a), V(b)) => (a * b).written_const_first(),
        (BinOp::Div, V(a), V(b)) => a / b,
        (BinOp::Div, V(a), Num(b)) => a / b,
        (BinOp::Div, Num(a), V(b)) => a / b,
        (BinOp::Pow, V(a), V(b)) => a.pow(b),
        (BinOp::Pow, V(a), Num(b)) => a.powf(b),
        // No op takes a constant base, so the base becomes an unnamed leaf.
        (BinOp::Pow, Num(a), V(b)) => g.leaf(a).pow(b),
    })
}

/// `a op b` on plain numbers, with the engine's own formulas.
fn fold(op: BinOp, a: f64, b: f64) -> f64 {
    let op = match op {
        BinOp::Add => Op::Add,
        BinOp::Sub => Op::Sub,
        BinOp::Mul => Op::Mul,
        BinOp::Div => Op::Div,
        BinOp::Pow => Op::Pow,
    };
    op.apply(a, b, 0.0)
}

fn as_var<'g>(g: &'g Graph, v: Val<'g>) -> Var<'g> {
    match v {
        Val::Num(x) => g.leaf(x),
        Val::Var(v) => v,
    }
}

/// `n` in subscript digits: 12 is `₁₂`.
fn subscript(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|d| char::from_u32('₀' as u32 + d.to_digit(10).unwrap_or(0)).unwrap_or('?'))
        .collect()
}
