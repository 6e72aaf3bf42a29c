//! The sections that `explain`, `check` and the no-argument command print: the values
//! table, the chain rule, the gradient check and the hand-set grads, as terminal text
//! (coloured when asked) or as Markdown. The numbers and words come from the library;
//! this file only lays them out.

use crate::output::paint;
use chainrule::lang::Evaluated;
use chainrule::number::{shortest, Numbers};
use chainrule::{CheckOptions, Explanation, GradCheck, HandCheck};

const BOLD: &str = "1";
const GREEN: &str = "32";
const RED: &str = "1;31";
const YELLOW: &str = "33";

/// A hand-set grad (`b.grad = -3` on some line) and its verdict.
pub struct HandRow {
    /// The 1-based line of the statement.
    pub line: usize,
    /// The verdict from the library's `check_hand_grads`.
    pub check: HandCheck,
}

/// Checks every hand-set grad of the program against the chain rule from its output.
pub fn hand_rows(run: &Evaluated) -> Vec<HandRow> {
    hand_rows_with(run, CheckOptions::default())
}

/// [`hand_rows`] with the check's tolerance.
pub fn hand_rows_with(run: &Evaluated, options: CheckOptions) -> Vec<HandRow> {
    let pairs: Vec<_> = run.hand_grads.iter().map(|h| (h.var, h.value)).collect();
    let checks = run
        .output
        .check_hand_grads_with(&pairs, options, Numbers::Shortest);
    run.hand_grads
        .iter()
        .zip(checks)
        .map(|(h, check)| HandRow {
            line: h.line,
            check: HandCheck {
                // The name as written (`a.grad = ...`), not a versioned label like `a₁`.
                name: h.name.clone(),
                ..check
            },
        })
        .collect()
}

/// The output's name for headings: `L`, or when the program leaves it unnamed (a bare
/// number or expression as its last statement) the stand-in the chain rule calls it
/// (`v0`, `(a*b)`), so that every section names it alike.
pub fn output_name(run: &Evaluated) -> String {
    match &run.output_name {
        Some(n) => n.clone(),
        None => run.output.display_name(),
    }
}

/// `dL/dx` for the output `l`: `dL/dx`, `d(a*b)/dx`, `d tanh(n)/dx`.
pub fn d_by_dx(l: &str) -> String {
    let function = l.starts_with(char::is_alphabetic) && l.ends_with(')');
    format!("d{}{l}/dx", if function { " " } else { "" })
}

/// A section heading, bold on a terminal.
pub fn heading(colour: bool, text: &str) -> String {
    paint(colour, BOLD, text) + "\n"
}

/// The library's explanation, with the node headers in bold.
pub fn explanation(ex: &Explanation, colour: bool) -> String {
    let text = ex.to_string();
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        let painted = if k == 0 {
            paint(colour, BOLD, line)
        } else if line.starts_with("Not finite") || line.contains("not finite") {
            paint(colour, YELLOW, line)
        } else if !line.is_empty() && !line.starts_with(' ') {
            if line.contains(" is NaN") || line.contains(" is inf") || line.contains("follows from")
            {
                paint(colour, YELLOW, line)
            } else {
                paint(colour, BOLD, line)
            }
        } else {
            line.to_string()
        };
        out += &painted;
        out.push('\n');
    }
    out
}

/// The gradient check: a short title, the library's table with coloured verdicts, its
/// summary and notes, numbers written exactly as the values table writes them.
pub fn grad_check(check: &GradCheck, colour: bool) -> String {
    let check = check.clone().with_numbers(Numbers::Shortest);
    let l = &check.output_name;
    let mut out = heading(
        colour,
        &format!("Gradient check: backprop's grads of {l} against finite differences"),
    );
    out += &format!(
        "  numeric = ({l}(x+h) - {l}(x-h)) / 2h, h = {:e}·max(1, |x|), tolerance {:e}\n",
        check.options.eps, check.options.tol
    );
    let text = check.to_string();
    // The library's first line is its own long title, said above in two lines.
    for line in text.lines().skip(1) {
        out += &verdict_colour(colour, line);
        out.push('\n');
    }
    out
}

/// A table row ends with its verdict word: colour that word.
fn verdict_colour(colour: bool, line: &str) -> String {
    for (word, code) in [
        ("ok", GREEN),
        ("WRONG", RED),
        ("kink", YELLOW),
        ("not finite", YELLOW),
    ] {
        if let Some(head) = line.strip_suffix(word) {
            if head.ends_with("  ") {
                return head.to_string() + &paint(colour, code, word);
            }
        }
    }
    if line.starts_with("Not finite") || line.starts_with("  ") {
        return paint(colour, YELLOW, line);
    }
    line.to_string()
}

/// The hand-set grads, one line each; a wrong one with what it should be and why.
pub fn hand_grads(rows: &[HandRow], output: &str, colour: bool) -> String {
    let mut out = heading(
        colour,
        &format!("Grads set by hand, checked against the chain rule from {output}"),
    );
    let stmt = |r: &HandRow| format!("{}.grad = {}", r.check.name, shortest(r.check.given));
    let width = rows
        .iter()
        .map(|r| stmt(r).chars().count())
        .max()
        .unwrap_or(0);
    let lw = rows
        .iter()
        .map(|r| r.line.to_string().len())
        .max()
        .unwrap_or(1);
    for r in rows {
        let verdict = if r.check.right {
            paint(colour, GREEN, "right")
        } else {
            let why = format!("WRONG: it should be {}, because", shortest(r.check.correct));
            paint(colour, RED, &why)
        };
        out += &format!("  line {:>lw$}  {:<width$}  {verdict}\n", r.line, stmt(r));
        if !r.check.right {
            for d in &r.check.derivation {
                out += &format!("      {d}\n");
            }
            for d in &r.check.diagnosis.text {
                out += &format!("      {}\n", paint(colour, YELLOW, d));
            }
        }
    }
    if rows.last().is_some_and(|r| !r.check.right) {
        out.push('\n');
    }
    out += &hand_summary(rows);
    out.push('\n');
    out
}

/// `All 7 hand-set grads are right.` or `1 of 7 hand-set grads is wrong: b (line 15).`
pub fn hand_summary(rows: &[HandRow]) -> String {
    let wrong: Vec<String> = rows
        .iter()
        .filter(|r| !r.check.right)
        .map(|r| format!("{} (line {})", r.check.name, r.line))
        .collect();
    let n = rows.len();
    match (wrong.len(), n) {
        (0, 1) => "The hand-set grad is right.".to_string(),
        (0, _) => format!("All {n} hand-set grads are right."),
        (1, 1) => format!("The hand-set grad is wrong: {}.", wrong[0]),
        (1, _) => format!("1 of {n} hand-set grads is wrong: {}.", wrong[0]),
        (w, _) => format!("{w} of {n} hand-set grads are wrong: {}.", wrong.join(", ")),
    }
}

/// The hand-set grads as a Markdown list.
pub fn hand_grads_markdown(rows: &[HandRow], output: &str) -> String {
    let mut s = format!("### Grads set by hand, checked against the chain rule from {output}\n\n");
    for r in rows {
        let stmt = format!("{}.grad = {}", r.check.name, shortest(r.check.given));
        if r.check.right {
            s += &format!("- line {}: `{stmt}`: right\n", r.line);
        } else {
            s += &format!(
                "- line {}: `{stmt}`: **wrong**, it should be {}, because\n",
                r.line,
                shortest(r.check.correct)
            );
            for d in &r.check.derivation {
                let indent = if d.starts_with(' ') { "    " } else { "  " };
                s += &format!("{indent}- `{}`\n", d.trim_start());
            }
            for d in &r.check.diagnosis.text {
                s += &format!("  - {d}\n");
            }
        }
    }
    s + "\n" + &hand_summary(rows) + "\n"
}

/// The derivatives a program recorded with `grad(L, a)`: each one's value and the chain
/// rule over L's graph that gives it (the recorded value equals the grad backward gives
/// there). Empty when the program has none.
pub fn derivatives(run: &Evaluated, markdown: bool, colour: bool) -> String {
    if run.derivatives.is_empty() {
        return String::new();
    }
    let title = "Derivatives recorded with grad(L, a): each is dL/da as a value on the tape, which can be differentiated again";
    let mut s = if markdown {
        format!("### {title}\n\n")
    } else {
        heading(colour, title)
    };
    for d in &run.derivatives {
        let ex = d.of.explain().with_numbers(Numbers::Shortest);
        let of = ex.output_name.clone();
        let node = ex.node(d.wrt.index());
        let wrt = node.map_or_else(
            || {
                d.wrt
                    .label()
                    .unwrap_or_else(|| format!("v{}", d.wrt.index()))
            },
            |n| n.name.clone(),
        );
        let name = run
            .bindings
            .iter()
            .find(|b| b.line == d.line && b.var.index() == d.value.index())
            .map_or_else(|| "grad".to_string(), |b| format!("{} = grad", b.name));
        let head = format!(
            "line {}: {name}({of}, {wrt}) = d{of}/d{wrt} = {}",
            d.line,
            shortest(d.value.data())
        );
        let lines = match node {
            Some(n) => n.derivation(&of),
            None => vec![format!(
                "{of} does not depend on {wrt}, so d{of}/d{wrt} = 0"
            )],
        };
        if markdown {
            s += &format!("- `{head}`, by the chain rule over {of}'s graph:\n");
            for l in lines {
                s += &format!("  - `{}`\n", l.trim_start());
            }
        } else {
            s += &format!("\n{head}\n  by the chain rule over {of}'s graph:\n");
            for l in lines {
                s += &format!("    {l}\n");
            }
        }
    }
    s
}
