//! `chainrule check`: backprop's grads against finite differences, and the grads the
//! program set by hand (`x.grad = 4`) against backprop, with the correction, its
//! derivation and the diagnosis of each wrong one. Exit code 1 when anything is wrong.
//! `--json` gives the same as one JSON object, for tools and autograders.

use super::Failure;
use crate::input::Input;
use crate::report::HandRow;
use crate::{output, report, EXIT_WRONG_GRADIENT};
use chainrule::json::Json;
use chainrule::{CheckOptions, GradCheck, Graph, Verdict};
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule check                                  the notebook's hand-derived grads
  chainrule check -e 'x = 3; y = x**2; x.grad = 5' a wrong one: says 6, and why
  chainrule check prog.cr --eps 1e-5 --tol 1e-4    a coarser step and tolerance
  chainrule check --json prog.cr                   the same as JSON, for an autograder

Exit codes: 0 every grad is right (a kink, like relu at 0, is reported but is not a
failure), 1 a grad is wrong or not finite, 2 bad input or usage.";

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: Input,
    /// Relative step of the finite differences: h = EPS·max(1, |x|).
    #[arg(long, default_value = "1e-6", value_parser = positive, allow_hyphen_values = true)]
    pub eps: f64,
    /// How far backprop and finite differences may differ: relative for grads above 1,
    /// absolute below.
    #[arg(long, default_value = "1e-6", value_parser = positive, allow_hyphen_values = true)]
    pub tol: f64,
    /// Print one JSON object (the checks, each hand grad's diagnosis, the verdict and the
    /// exit code) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A finite number above 0, for `--eps` and `--tol`.
fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err(format!("`{s}` must be a finite number above 0, e.g. 1e-6")),
        Err(_) => Err(format!("`{s}` is not a number; write e.g. 1e-6")),
    }
}

/// Runs the checks, prints them and a verdict, and exits 1 if anything is wrong.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let result = checked(args);
    if let (true, Err(f)) = (args.json, &result) {
        // A tool reading stdout learns of bad input too; stderr has the full message.
        output::print(&error_json(f))?;
    }
    let (ok, s) = result?;
    output::print(&s)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_WRONG_GRADIENT)
    })
}

/// Whether everything is right, and the report (text or JSON) to print.
fn checked(args: &Args) -> Result<(bool, String), Failure> {
    let loaded = args.input.load()?;
    let g = Graph::new();
    let run = loaded.evaluate(&g)?;
    let colour = output::colour_stdout() && !args.json;
    let opts = CheckOptions {
        eps: args.eps,
        tol: args.tol,
    };
    let check = run.output.grad_check_with(opts);
    let hand = report::hand_rows_with(&run, opts);
    let wrong_hand = hand.iter().filter(|h| !h.check.right).count();
    let (ok, verdict) = verdict(check.counts(), hand.len(), wrong_hand);
    if args.json {
        let output = (report::output_name(&run), run.output.data());
        return Ok((
            ok,
            answer(&loaded.name, output, &check, &hand, ok, &verdict),
        ));
    }
    let mut s = report::grad_check(&check, colour);
    if !hand.is_empty() {
        s += "\n";
        s += &report::hand_grads(&hand, &report::output_name(&run), colour);
    }
    s += "\n";
    s += &output::paint(colour, if ok { "1;32" } else { "1;31" }, &verdict);
    s += "\n";
    Ok((ok, s))
}

/// The JSON answer: the program, the verdict and exit code, the gradient check's rows and
/// each hand grad with its diagnosis (the schema is in the command's README).
fn answer(
    program: &str,
    (output, value): (String, f64),
    check: &GradCheck,
    hand: &[HandRow],
    ok: bool,
    verdict: &str,
) -> String {
    let s = |x: &str| Json::Str(x.to_string());
    let lines = |v: &[String]| Json::Arr(v.iter().map(|l| s(l)).collect());
    let hand_grads: Vec<Json> = hand
        .iter()
        .map(|r| {
            let c = &r.check;
            let d = &c.diagnosis;
            Json::Obj(vec![
                ("name".into(), s(&c.name)),
                ("line".into(), Json::Int(r.line as i64)),
                ("given".into(), Json::Num(c.given)),
                ("expected".into(), Json::Num(c.correct)),
                ("right".into(), Json::Bool(c.right)),
                (
                    "mistakes".into(),
                    Json::Arr(d.ids().into_iter().map(s).collect()),
                ),
                (
                    "follows_from_yours".into(),
                    Json::Bool(d.follows_from_yours),
                ),
                ("from_yours".into(), Json::Num(d.from_yours)),
                ("diagnosis".into(), lines(&d.text)),
                ("derivation".into(), lines(&c.derivation)),
            ])
        })
        .collect();
    let (pass, fail, kink, non_finite) = check.counts();
    let rows: Vec<Json> = check
        .rows
        .iter()
        .map(|r| {
            Json::Obj(vec![
                ("name".into(), s(&r.name)),
                ("id".into(), Json::Int(r.index as i64)),
                ("data".into(), Json::Num(r.data)),
                ("analytic".into(), Json::Num(r.analytic)),
                ("numeric".into(), Json::Num(r.numeric)),
                ("abs_err".into(), Json::Num(r.abs_err)),
                ("h".into(), Json::Num(r.h)),
                ("verdict".into(), s(verdict_id(r.verdict))),
                ("note".into(), r.note.as_deref().map_or(Json::Null, s)),
            ])
        })
        .collect();
    let count = |n: usize| Json::Int(n as i64);
    Json::Obj(vec![
        ("program".into(), s(program)),
        ("output".into(), s(&output)),
        ("output_value".into(), Json::Num(value)),
        ("passed".into(), Json::Bool(ok)),
        ("exit_code".into(), count(if ok { 0 } else { 1 })),
        ("verdict".into(), s(verdict)),
        (
            "gradient_check".into(),
            Json::Obj(vec![
                ("passed".into(), Json::Bool(check.passed())),
                ("eps".into(), Json::Num(check.options.eps)),
                ("tol".into(), Json::Num(check.options.tol)),
                (
                    "counts".into(),
                    Json::Obj(vec![
                        ("pass".into(), count(pass)),
                        ("fail".into(), count(fail)),
                        ("kink".into(), count(kink)),
                        ("non_finite".into(), count(non_finite)),
                    ]),
                ),
                ("rows".into(), Json::Arr(rows)),
            ]),
        ),
        ("hand_grads".into(), Json::Arr(hand_grads)),
    ])
    .pretty()
}

/// `{"passed": false, "exit_code": 2, "error": ...}` for input that could not be checked.
fn error_json(f: &Failure) -> String {
    Json::Obj(vec![
        ("passed".into(), Json::Bool(false)),
        ("exit_code".into(), Json::Int(f.code as i64)),
        ("error".into(), Json::Str(strip_ansi(f.message.trim_end()))),
    ])
    .pretty()
}

/// The text without ANSI colour codes (a message rendered for a terminal).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A verdict's stable id in JSON (as the live page's API writes it).
fn verdict_id(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Kink => "kink",
        Verdict::NonFinite => "non-finite",
    }
}

/// The last line: whether the check passed, and the counts behind it.
fn verdict(
    (pass, fail, kink, non_finite): (usize, usize, usize, usize),
    hand: usize,
    wrong_hand: usize,
) -> (bool, String) {
    let mut problems = Vec::new();
    if fail > 0 {
        problems.push(format!(
            "{} disagree with finite differences",
            count(fail, "grad", "grads")
        ));
    }
    if non_finite > 0 {
        problems.push(format!(
            "{} not finite",
            count(non_finite, "grad is", "grads are")
        ));
    }
    if wrong_hand > 0 {
        let what = count(wrong_hand, "hand-set grad is", "hand-set grads are");
        problems.push(format!("{what} wrong"));
    }
    if !problems.is_empty() {
        return (false, format!("check failed: {}", problems.join("; ")));
    }
    let mut good = vec![format!(
        "{} finite differences",
        count(pass, "grad agrees with", "grads agree with")
    )];
    if kink > 0 {
        good.push(format!(
            "{} (not a failure)",
            count(kink, "is at a kink", "are at kinks")
        ));
    }
    if hand > 0 {
        good.push(count(
            hand,
            "hand-set grad is right",
            "hand-set grads are right",
        ));
    }
    (true, format!("check passed: {}", good.join("; ")))
}

/// `1 grad is`, `3 grads are`: `n` with the singular or plural words.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
