//! Every kind of bad input gives an error that names the line and column, shows the
//! line with a caret under the problem, and says what to do.

use chainrule::lang::{ErrorKind, EvalOptions, LangError, Program};
use chainrule::Graph;

/// Parses and evaluates `src`, expecting an error.
fn fail_with(src: &str, opts: &EvalOptions) -> LangError {
    let g = Graph::new();
    match Program::parse(src) {
        Err(e) => e,
        Ok(p) => p.eval(&g, opts).expect_err("an error"),
    }
}

fn fail(src: &str) -> LangError {
    fail_with(src, &EvalOptions::default())
}

/// Checks kind, position, and that the rendering has the position, the line and a caret
/// under `col` spanning `width` characters.
fn check(
    src: &str,
    kind: ErrorKind,
    line: usize,
    col: usize,
    width: usize,
    words: &[&str],
) -> String {
    let err = fail(src);
    assert_eq!(err.kind(), kind, "{src:?}: {err}");
    assert_eq!(err.line_col(), Some((line, col)), "{src:?}: {err}");
    let shown = err.clone().in_file("prog.cr").render(src);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[0].starts_with(&format!("prog.cr:{line}:{col}: error: ")),
        "{shown}"
    );
    let src_line = src.split('\n').nth(line - 1).unwrap();
    assert_eq!(
        lines[1],
        format!("{line} | {src_line}").trim_end_matches('\r'),
        "{shown}"
    );
    let pad = line.to_string().len() + 3;
    let caret = format!("{}{}", " ".repeat(pad + col - 1), "^".repeat(width));
    assert_eq!(
        lines[2].trim_start_matches(' ').len() + lines[2].len()
            - lines[2].trim_start_matches(' ').len(),
        lines[2].len()
    );
    assert_eq!(lines[2].replace('|', " "), caret, "{shown}");
    assert!(lines.last().unwrap().starts_with("help: "), "{shown}");
    for w in words {
        assert!(shown.contains(w), "{w:?} not in\n{shown}");
    }
    shown
}

#[test]
fn unknown_name_suggests_a_close_one() {
    let shown = check(
        "a = 2\nb = -3\ne = a*bb",
        ErrorKind::UnknownName,
        3,
        7,
        2,
        &["unknown name `bb`", "did you mean `b`?"],
    );
    assert_eq!(
        shown,
        "prog.cr:3:7: error: unknown name `bb`\n3 | e = a*bb\n  |       ^^\nhelp: did you mean `b`?\n"
    );
    check(
        "x = 1\ny = zzz + x",
        ErrorKind::UnknownName,
        2,
        5,
        3,
        &["bind it first"],
    );
    check(
        "x = 1\ny = tanh + x",
        ErrorKind::UnknownName,
        2,
        5,
        4,
        &["`tanh` is a function: call it as `tanh(x)`"],
    );
}

#[test]
fn unknown_function_lists_the_known_ones() {
    check(
        "x = 1\ny = tanhh(x)",
        ErrorKind::UnknownFunction,
        2,
        5,
        5,
        &[
            "unknown function `tanhh`",
            "did you mean `tanh`?",
            &chainrule::lang::functions().join(", "),
        ],
    );
    check(
        "x = 1\ny = x(2)",
        ErrorKind::UnknownFunction,
        2,
        5,
        1,
        &["`x` is a value, not a function"],
    );
}

#[test]
fn name_used_before_it_is_bound() {
    check(
        "a = 2\nd = e + 1\ne = a*3",
        ErrorKind::UsedBeforeBound,
        2,
        5,
        1,
        &[
            "`e` is used before it is bound (on line 3)",
            "move the line",
        ],
    );
    check(
        "c += 1\nc = 2",
        ErrorKind::UsedBeforeBound,
        1,
        1,
        1,
        &["on line 2"],
    );
    check(
        "a.grad = 1\na = 2",
        ErrorKind::UsedBeforeBound,
        1,
        1,
        6,
        &["`a` is used before"],
    );
}

#[test]
fn missing_operands() {
    check(
        "a = 2 *",
        ErrorKind::MissingOperand,
        1,
        7,
        1,
        &["missing operand after `*`"],
    );
    check(
        "a = 2\nb = * a",
        ErrorKind::MissingOperand,
        2,
        5,
        1,
        &["missing operand before `*`"],
    );
    check(
        "a = ",
        ErrorKind::MissingOperand,
        1,
        3,
        1,
        &["missing value after `=`"],
    );
    check(
        "a = 1\na +=\n",
        ErrorKind::MissingOperand,
        2,
        3,
        2,
        &["missing value after `+=`"],
    );
    check(
        "a = pow(2,)",
        ErrorKind::MissingOperand,
        1,
        11,
        1,
        &["missing argument"],
    );
    check(
        "a = ()",
        ErrorKind::MissingOperand,
        1,
        5,
        2,
        &["empty parentheses"],
    );
}

#[test]
fn unbalanced_parentheses_point_at_the_opening_one() {
    check(
        "a = 1\nb = (a + (2 * a)\nc = 3",
        ErrorKind::UnbalancedParen,
        2,
        5,
        1,
        &["this `(` is never closed", "add a `)`"],
    );
    check(
        "b = tanh(2",
        ErrorKind::UnbalancedParen,
        1,
        9,
        1,
        &["never closed"],
    );
    check(
        "b = (",
        ErrorKind::UnbalancedParen,
        1,
        5,
        1,
        &["never closed"],
    );
    check(
        "a = 1\nb = a + 2)",
        ErrorKind::UnbalancedParen,
        2,
        10,
        1,
        &["unmatched `)`"],
    );
    check(")", ErrorKind::UnbalancedParen, 1, 1, 1, &["unmatched `)`"]);
}

#[test]
fn numbers_that_do_not_parse() {
    check(
        "a = 1.2.3",
        ErrorKind::BadNumber,
        1,
        5,
        5,
        &["`1.2.3` is not a number"],
    );
    check(
        "a = 2\nb = 3a",
        ErrorKind::BadNumber,
        2,
        5,
        2,
        &["`3a` is not a number", "`3*a`"],
    );
    check("a = 1e999", ErrorKind::BadNumber, 1, 5, 5, &["too large"]);
    check("a = 2e", ErrorKind::BadNumber, 1, 5, 2, &["not a number"]);
}

#[test]
fn empty_programs() {
    for src in ["", "   \n\n", "# only a comment\n", ";;;\n; "] {
        let err = fail(src);
        assert_eq!(err.kind(), ErrorKind::EmptyProgram, "{src:?}");
        assert!(err.render(src).contains("error: the program is empty"));
        assert!(err.help_text().unwrap().contains("a = 2"));
    }
    assert_eq!(fail("# c\n\n").line_col(), Some((3, 1)));
}

#[test]
fn invalid_utf8_and_binary_files() {
    let bytes = b"a = 2\nb = a \xff\xfe 1\n";
    let err = Program::parse_bytes(bytes).unwrap_err();
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::InvalidUtf8, Some((2, 7)))
    );
    let shown = err.render(&String::from_utf8_lossy(bytes));
    assert!(
        shown.starts_with("<input>:2:7: error: the input is not valid UTF-8 (byte 12)"),
        "{shown}"
    );
    assert!(shown.contains("\n  |       ^\n"), "{shown}");

    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
    let err = Program::parse_bytes(elf).unwrap_err();
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::BinaryInput, Some((1, 8)))
    );
    let shown = err.render(&String::from_utf8_lossy(elf));
    assert!(shown.contains("binary file"), "{shown}");
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "no raw control characters: {shown:?}"
    );
}

#[test]
fn other_mistakes_say_what_to_do() {
    check(
        "a = 2 3",
        ErrorKind::Syntax,
        1,
        7,
        1,
        &[
            "expected an operator or the end of the statement, found the number `3`",
            "operator missing",
        ],
    );
    check(
        "a = 2 @ 3",
        ErrorKind::UnexpectedChar,
        1,
        7,
        1,
        &["unexpected character `@`"],
    );
    check(
        "a = 2\nb = tanh(a, a)",
        ErrorKind::WrongArgCount,
        2,
        5,
        10,
        &["`tanh` takes 1 argument, not 2", "tanh(x)"],
    );
    check("2 = a", ErrorKind::Syntax, 1, 1, 1, &["cannot assign"]);
    check(
        "a = 1\na.foo = 2",
        ErrorKind::Syntax,
        2,
        3,
        3,
        &["unknown attribute"],
    );
    check(
        "a = 1\nb = a ==",
        ErrorKind::Syntax,
        2,
        7,
        2,
        &["`==` is not part of the language"],
    );
    check(
        "a = 1\nb = a = 2",
        ErrorKind::Syntax,
        2,
        7,
        1,
        &["bind one name per statement"],
    );
}

#[test]
fn bad_set_and_of_names() {
    let set = |name: &str| EvalOptions {
        sets: vec![(name.into(), 1.0)],
        of: None,
        ..Default::default()
    };
    let err = fail_with("alpha = 2\nbeta = alpha*3", &set("alpah"));
    assert_eq!((err.kind(), err.line_col()), (ErrorKind::UnknownName, None));
    assert_eq!(err.render("").trim_end(), "<input>: error: --set alpah: the program binds no name `alpah`\nhelp: did you mean `alpha`?");
    let err = fail_with("alpha = 2\nbeta = alpha*3", &set("beta"));
    assert_eq!(
        (err.kind(), err.line_col()),
        (ErrorKind::NotALeaf, Some((2, 1)))
    );
    assert!(err.message().contains("`beta` is not a leaf"));
    let err = fail_with(
        "a = 2\nb = a*3",
        &EvalOptions {
            sets: vec![],
            of: Some("c".into()),
            ..Default::default()
        },
    );
    assert_eq!(err.kind(), ErrorKind::UnknownName);
    assert!(err.help_text().unwrap().contains("a, b"), "{err}");
}

#[test]
fn grad_needs_a_value_to_differentiate_by() {
    check(
        "x = 2\ny = x*x\nd = grad(y, 2)",
        ErrorKind::WrongArgKind,
        3,
        13,
        1,
        &[
            "`grad` differentiates with respect to a value",
            "grad(L, a)",
        ],
    );
    check(
        "x = 2\ny = x*x\nx.grad = grad(y, x)",
        ErrorKind::WrongArgKind,
        3,
        18,
        1,
        &["right of `.grad =`", "d = grad(L, a)"],
    );
    check(
        "x = 2\nd = grad(x)",
        ErrorKind::WrongArgCount,
        2,
        5,
        7,
        &["`grad` takes 2 arguments, not 1", "grad(L, a)"],
    );
}

#[test]
fn micrograd_and_lecture_spellings_say_what_to_write() {
    use ErrorKind::*;
    // Methods of micrograd's Value, the lecture's `(2*n).exp()`, and a module's functions.
    let cases: [(&str, ErrorKind, usize, usize, &str); 13] = [
        ("x = 2; y = x.tanh()", Syntax, 14, 6, "write `tanh(x)`"),
        ("x = 2; y = x.exp()", Syntax, 14, 5, "write `exp(x)`"),
        ("x = 2; y = x.relu()", Syntax, 14, 6, "write `relu(x)`"),
        ("n = 2; e = (2*n).exp()", Syntax, 18, 5, "write `exp(2*n)`"),
        (
            "x = 2; y = x.pow(2)",
            Syntax,
            14,
            6,
            "write `x**2` or `pow(x, 2)`",
        ),
        (
            "x = 2; y = (x+1).__pow__(2)",
            Syntax,
            18,
            10,
            "`(x+1) ** 2`",
        ),
        (
            "x = 2; y = x.leaky_relu(0.1)",
            Syntax,
            14,
            15,
            "`leaky_relu(x, 0.1)`",
        ),
        ("x = 2; y = math.exp(x)", Syntax, 17, 6, "write `exp(x)`"),
        (
            "x = 2; L = x*3; L.backward()",
            Syntax,
            19,
            10,
            "backward runs by itself",
        ),
        (
            "x = 2; y = ReLU(x)",
            UnknownFunction,
            12,
            4,
            "did you mean `relu`?",
        ),
        ("a = Value(2.0)", UnknownFunction, 5, 5, "write `2.0`"),
        ("import math", Syntax, 1, 6, "needs no imports"),
        (
            "from micrograd.engine import Value\nx = 2",
            Syntax,
            1,
            4,
            "delete this line",
        ),
    ];
    for (src, kind, col, width, words) in cases {
        check(src, kind, 1, col, width, &[words]);
    }
    // What still works: `.data` and `.grad`, and a name that is a Python keyword.
    for src in [
        "x = 2; y = x.data * 3",
        "from = 2; y = from*2",
        "x = 2; y = tanh(x)",
    ] {
        let p = Program::parse(src).unwrap();
        assert!(
            p.eval(&Graph::new(), &EvalOptions::default()).is_ok(),
            "{src}"
        );
    }
}
