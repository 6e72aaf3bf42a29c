//! `chainrule predict`: a saved model's outputs and predicted class for new points, given
//! with `--point` or as CSV lines (a file or stdin). With a label column, the accuracy too.

use super::Failure;
use crate::{json, output};
use chainrule::nn::{loss, Mlp, Module};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule train --save model.json
  chainrule predict --model model.json --point 0.5,0.25 --point -1,0.5
  chainrule predict --model model.json --data points.csv      one point per line
  cat points.csv | chainrule predict --model model.json --data - --json

A CSV line holds the model's inputs, optionally followed by a class label (then the
accuracy is printed too); a first line that is not numbers is a header and skipped.
With --json, one line per point: {\"point\":[0.5,0.25],\"score\":1.93,\"class\":1}
(\"scores\": [...] instead of \"score\" for a model with one output per class).";

/// Arguments of `predict`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model file written by `chainrule train --save`.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// A point, its coordinates separated by commas (repeatable), e.g. --point 0.5,-1.
    #[arg(long, value_name = "X,Y", allow_hyphen_values = true)]
    pub point: Vec<String>,
    /// Points as CSV lines from FILE, or from stdin with `-`.
    #[arg(long, value_name = "FILE.csv|-")]
    pub data: Option<PathBuf>,
    /// Print one JSON line per point (and the accuracy line when labels are given).
    #[arg(long)]
    pub json: bool,
}

/// One point to score, with its label when the input had one.
struct Point {
    x: Vec<f64>,
    label: Option<usize>,
}

/// Loads the model, reads the points and prints each one's outputs and class.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let model = Mlp::load(&args.model).map_err(|e| {
        Failure::bad_input(format!(
            "chainrule: error: --model {}: {e}\nhelp: give a file written by `chainrule train --save FILE`\n",
            args.model.display()
        ))
    })?;
    let n = model.inputs();
    let mut points = Vec::new();
    for p in &args.point {
        let x = numbers(p).map_err(|why| bad(&format!("--point {p}"), why))?;
        if x.len() != n {
            let why = format!("the model takes {n} inputs, the point has {}", x.len());
            return Err(bad(&format!("--point {p}"), why));
        }
        points.push(Point { x, label: None });
    }
    if let Some(path) = &args.data {
        points.extend(read_csv(path, n)?);
    }
    if points.is_empty() {
        return Err(bad(
            "predict",
            "no points: give --point X,Y (repeatable) or --data FILE.csv".into(),
        ));
    }
    output::print(&answer(&model, &points, args.json))?;
    Ok(ExitCode::SUCCESS)
}

fn bad(what: &str, why: String) -> Failure {
    Failure::bad_input(format!("chainrule: error: {what}: {why}\n"))
}

/// Comma-separated finite numbers.
fn numbers(s: &str) -> Result<Vec<f64>, String> {
    s.split(',')
        .map(|f| match f.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("`{}` is not a finite number", f.trim())),
        })
        .collect()
}

/// Points from CSV lines: `inputs` numbers, or `inputs` numbers and a class label.
fn read_csv(path: &std::path::Path, inputs: usize) -> Result<Vec<Point>, Failure> {
    let name = path.display().to_string();
    let mut text = String::new();
    let read = if name == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| bad(&format!("--data {name}"), format!("cannot read it: {e}")))?;
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("--data {name}: line {}", i + 1);
        let x = match numbers(line) {
            Ok(x) => x,
            Err(_) if points.is_empty() && i == first_line(&text) => continue, // a header
            Err(why) => return Err(bad(&at, why)),
        };
        let label = match x.len() {
            n if n == inputs => None,
            n if n == inputs + 1 => {
                let c = x[inputs];
                if c < 0.0 || c.fract() != 0.0 {
                    return Err(bad(&at, format!("the label {c} is not a class 0, 1, 2, …")));
                }
                Some(c as usize)
            }
            n => {
                let why = format!(
                    "expected {inputs} inputs (and optionally a class label), found {n} fields"
                );
                return Err(bad(&at, why));
            }
        };
        points.push(Point {
            x: x[..inputs].to_vec(),
            label,
        });
    }
    Ok(points)
}

/// The index of the first non-blank line.
fn first_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

/// One line per point, then the accuracy when every point has a label.
fn answer(model: &Mlp, points: &[Point], as_json: bool) -> String {
    let mut out = String::new();
    let mut right = 0;
    for p in points {
        let y = model.predict(&p.x);
        let class = loss::class_of(&y);
        right += usize::from(p.label == Some(class));
        let coords: Vec<String> = p.x.iter().map(|&v| json::number(v)).collect();
        let outs: Vec<String> = y.iter().map(|&v| json::number(v)).collect();
        let (key, value) = match outs.len() {
            1 => ("score", outs[0].clone()),
            _ => ("scores", format!("[{}]", outs.join(","))),
        };
        out += &if as_json {
            format!(
                "{{\"point\":[{}],\"{key}\":{value},\"class\":{class}}}\n",
                coords.join(",")
            )
        } else {
            format!("{}  {key} {value}  class {class}\n", coords.join(","))
        };
    }
    if points.iter().all(|p| p.label.is_some()) {
        let acc = right as f64 / points.len() as f64;
        out += &if as_json {
            format!(
                "{{\"summary\":true,\"points\":{},\"accuracy\":{}}}\n",
                points.len(),
                json::number(acc)
            )
        } else {
            format!("accuracy {:.1}% ({right}/{})\n", acc * 100.0, points.len())
        };
    }
    out
}
