//! What a learner coming from micrograd or Karpathy's lecture writes, and what to write
//! instead: `x.tanh()` is `tanh(x)`, `ReLU(x)` is `relu(x)`, `Value(2.0)` is `2.0`,
//! `L.backward()` and `import` lines are not needed. The parser asks these functions for a
//! message and advice when it meets such a spelling.

use super::lexer::clip;
use super::parser::{func, Func};
use std::ops::Range;

/// Module names a lecture or notebook puts before a function (`math.exp(x)`).
const MODULES: [&str; 6] = ["math", "np", "numpy", "torch", "F", "cmath"];

/// The byte range of the arguments of a call that starts at the first `(` after `from`
/// (blanks allowed before it), up to its matching `)` on the same line.
pub(crate) fn call_args(src: &str, from: usize) -> Option<Range<usize>> {
    let rest = &src[from..];
    let open = from + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if !src[open..].starts_with('(') {
        return None;
    }
    let mut depth = 0usize;
    for (k, c) in src[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 1 => return Some(open + 1..open + k),
            ')' => depth -= 1,
            '\n' | ';' => return None,
            _ => {}
        }
    }
    None
}

/// Message and advice for `receiver.attr` or `receiver.attr(args)` written as in Python:
/// a function called as a method (`x.tanh()`, `(2*n).exp()`), through a module
/// (`math.exp(x)`), an operator's method (`x.__pow__(2)`), or micrograd's `Value` API
/// (`L.backward()`, `x.label`). `None` for anything else.
pub(crate) fn python_attr(
    receiver: &str,
    attr: &str,
    args: Option<Range<usize>>,
    src: &str,
) -> Option<(String, String)> {
    let args = args.map(|r| src[r].trim());
    let x = if receiver.contains(|c: char| !super::lexer::is_name_char(c)) {
        format!("({receiver})")
    } else {
        receiver.to_string()
    };
    if let Some(f) = func(attr).or_else(|| func(&attr.to_ascii_lowercase())) {
        let written = match args {
            Some(a) => format!("{x}.{attr}({a})"),
            None => format!("{x}.{attr}"),
        };
        let (message, advice) = if MODULES.contains(&receiver) {
            (
                format!(
                    "`{}` names a module; here `{}` is built in",
                    clip(&written),
                    f.name
                ),
                format!("write `{}({})`", f.name, args.unwrap_or("x")),
            )
        } else {
            (
                format!(
                    "`{}` is a method call; here `{}` is a function",
                    clip(&written),
                    f.name
                ),
                format!(
                    "write `{}`, the value inside the parentheses",
                    method_call(f, receiver, &x, args)
                ),
            )
        };
        return Some((message, advice));
    }
    let (message, help) = match attr {
        "__pow__" | "__mul__" | "__add__" | "__sub__" | "__truediv__" | "__rmul__"
        | "__radd__" => {
            let op = match attr {
                "__pow__" => "**",
                "__mul__" | "__rmul__" => "*",
                "__add__" | "__radd__" => "+",
                "__sub__" => "-",
                _ => "/",
            };
            (
                format!("`.{attr}` is Python's name for `{op}`"),
                format!("write the operator: `{x} {op} {}`", args.unwrap_or("y")),
            )
        }
        "backward" | "_backward" | "zero_grad" => (
            format!("there is no `.{attr}()` to call"),
            "backward runs by itself, from the output (the last statement); delete this call, \
             and set a grad by hand with `x.grad = 4` if you want to check one"
                .into(),
        ),
        "label" => (
            "a value's label is the name it is bound to".into(),
            format!("bind it to the name instead, as in `{x} = ...`"),
        ),
        "_prev" | "_op" | "_children" => (
            format!("`.{attr}` is micrograd's; the language has no attribute for it"),
            "`chainrule eval --json` lists every node's op and children, `chainrule graph` draws them"
                .into(),
        ),
        _ => return None,
    };
    Some((message, help))
}

/// `f(x)` or `f(x, args)` for `x.f(args)`; `x**2` for `x.pow(2)` (`grouped` is `x`
/// in parentheses when it is not a plain name).
fn method_call(f: Func, x: &str, grouped: &str, args: Option<&str>) -> String {
    match args.filter(|a| !a.is_empty()) {
        None => format!("{}({x})", f.name),
        Some(a) if f.name == "pow" => format!("{grouped}**{a}` or `pow({x}, {a})"),
        Some(a) => format!("{}({x}, {a})", f.name),
    }
}

/// Advice for a call of `name(args)` that is not a function of the language but is
/// micrograd's or Python's: `ReLU(x)` (micrograd's op name), `Value(2.0)`, `print(x)`,
/// `draw_dot(L)`. `None` for anything else.
pub(crate) fn python_function(name: &str, args: Option<&str>) -> Option<String> {
    let arg = args.filter(|a| !a.is_empty()).unwrap_or("x");
    if let Some(f) = super::parser::funcs().find(|f| f.name.eq_ignore_ascii_case(name)) {
        return Some(format!(
            "did you mean `{}`? Names are case-sensitive: the functions are in lower case",
            f.name
        ));
    }
    let first = arg.split(',').next().unwrap_or(arg).trim();
    Some(match name {
        "Value" => format!(
            "a number is a value already: write `{first}` (as in `a = {first}`: a name bound to a number is a leaf labelled with the name)"
        ),
        "print" => "nothing needs printing: every name's value and grad is shown (`chainrule eval`, `chainrule explain`)".into(),
        "draw_dot" | "trace" => "`chainrule graph -o graph.svg` draws the graph".into(),
        _ => return None,
    })
}

/// Python's statement keywords a learner may paste from a notebook.
const KEYWORDS: [&str; 12] = [
    "import", "from", "def", "class", "for", "while", "if", "return", "lambda", "with", "print",
    "del",
];

/// Message and advice when a statement starts with Python's `keyword` followed by more
/// words (`import math`, `from micrograd.engine import Value`, `def f(x):`); `None` when
/// `keyword` is not one.
pub(crate) fn python_statement(keyword: &str) -> Option<(String, String)> {
    if !KEYWORDS.contains(&keyword) {
        return None;
    }
    Some(match keyword {
        "import" | "from" => (
            format!("`{keyword}` lines are Python's; a program here needs no imports"),
            "delete this line: numbers, + - * / **, and the functions (tanh, exp, relu, ...) are built in"
                .into(),
        ),
        _ => (
            format!("`{keyword}` is Python's; a program here is a list of statements, one value each"),
            "write each step as `name = expression`, one per line (`n = x1*w1 + x2*w2 + b`, `o = tanh(n)`)"
                .into(),
        ),
    })
}
