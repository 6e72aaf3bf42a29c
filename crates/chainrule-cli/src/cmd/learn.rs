//! `chainrule learn`: the lessons in a terminal. Shows a lesson's text and program, asks
//! each task on stdin, and checks every answer with the library (a wrong grad is
//! diagnosed: which mistake gives it, or that it follows from an earlier answer). Works
//! the same with piped stdin, for scripts and tests: each answer is echoed then.
//!
//! A python task runs the learner's code with `python3` on the lecture's `Value` (nothing
//! to install but Python); without python3 it is explained and skipped. PyTorch code is
//! shown beside the program, and run after the tasks where `import torch` works.

use super::Failure;
use crate::output::{self, paint};
use chainrule::learn::{self, Feedback, Lesson, Part, TaskKind, Variant};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

pub const EXAMPLES: &str = "Examples:
  chainrule learn --list                 the lessons, one a line
  chainrule learn 2                      the notebook's L by hand, with new numbers
  chainrule learn notebook --seed 42     the numbers of seed 42 (share it: same numbers)
  chainrule learn 2 --seed 0             the numbers as the lesson writes them
  chainrule learn --file my-lesson.md    a lesson of your own (docs/lessons.md)

Answer each question and press Enter; a number or an expression (`-2 * 3`, `b * e.grad`).
A wrong answer gets its diagnosis and a second try; Enter alone shows the answer.

Exit codes: 0 the lesson ran to its end, 1 the input ended before it did, 2 bad input
or usage (a lesson file with an error is shown at its line and column).";

/// Arguments of `learn`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The lesson, by number or name (see --list).
    #[arg(value_name = "LESSON", required_unless_present_any = ["list", "file"])]
    pub lesson: Option<String>,
    /// List the lessons, one a line.
    #[arg(long)]
    pub list: bool,
    /// A lesson file of your own, in the format of docs/lessons.md.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The seed that picks the numbers: the same seed gives everyone the same numbers, 0
    /// the lesson's own. Without it, a new seed each time (printed, to share).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

/// Lists the lessons, or walks one.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    usage(args)?;
    if args.list {
        let mut s = String::new();
        for (k, l) in learn::builtin().iter().enumerate() {
            s += &format!("{:>2}  {:<9} {}\n", k + 1, l.name, l.title);
        }
        output::print(&s)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lesson = load(args)?;
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let stdin = std::io::stdin();
    let echo = !stdin.is_terminal();
    let mut walk = Walk {
        input: stdin.lock(),
        echo,
        colour: output::colour_stdout(),
        first_try: 0,
    };
    walk.lesson(&lesson, args, seed)
}

/// Refuses options that do not go together, saying what to write instead.
fn usage(args: &Args) -> Result<(), Failure> {
    let why = if args.list && (args.lesson.is_some() || args.file.is_some() || args.seed.is_some())
    {
        "--list takes nothing else: `chainrule learn --list` lists the lessons, `chainrule learn NAME` walks one"
    } else if args.lesson.is_some() && args.file.is_some() {
        "give a lesson or --file, not both: `chainrule learn 2`, or `chainrule learn --file my-lesson.md`"
    } else {
        return Ok(());
    };
    Err(Failure::bad_input(format!(
        "chainrule learn: error: {why}\n"
    )))
}

/// The lesson asked for: built in, or from a file (its errors at line and column).
fn load(args: &Args) -> Result<Lesson, Failure> {
    if let Some(path) = &args.file {
        let name = path.display().to_string();
        let src = read_lesson(path).map_err(|why| {
            Failure::bad_input(format!("{name}: error: cannot read the lesson: {why}\n"))
        })?;
        let stem = path
            .file_stem()
            .map_or("lesson".into(), |s| s.to_string_lossy().into_owned());
        return Lesson::parse(&stem, &src).map_err(|e| {
            Failure::bad_input(e.in_file(name).render_with(&src, output::colour_stderr()))
        });
    }
    let key = args.lesson.as_deref().unwrap_or("");
    learn::find(key).ok_or_else(|| {
        let names: Vec<String> = learn::names()
            .iter()
            .enumerate()
            .map(|(k, n)| format!("{} {n}", k + 1))
            .collect();
        Failure::bad_input(format!(
            "chainrule: error: no lesson `{key}`\nhelp: give a number or a name: {} (chainrule learn --list)\n",
            names.join(", ")
        ))
    })
}

/// The largest lesson file read: a lesson is a page of text, so a mistaken path to a big
/// file fails fast.
const MAX_LESSON: u64 = 1 << 20;

/// A lesson file's text, or why it cannot be read (with what to do).
fn read_lesson(path: &std::path::Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LESSON + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{e}\nhelp: check the path"))?;
    if bytes.len() as u64 > MAX_LESSON {
        return Err("it is larger than 1 MiB, which no lesson is\nhelp: check the path".into());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (byte {})\nhelp: save the lesson as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A seed for a learner without one: small, so it is easy to pass on.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64 ^ d.as_secs());
    (nanos ^ std::process::id() as u64) % 9999 + 1
}

/// How a task ended.
#[derive(PartialEq)]
enum Outcome {
    /// Every item right, and at the first try.
    FirstTry,
    /// Done, with a second try or a revealed answer.
    Done,
    /// Not checked here (python3 missing, or skipped).
    Skipped,
    /// The input ended.
    Ended,
}

/// A walk through one lesson on stdin and stdout.
struct Walk<R: BufRead> {
    input: R,
    /// Whether to echo each answer (stdin is not a terminal, which would show it).
    echo: bool,
    colour: bool,
    first_try: usize,
}

impl<R: BufRead> Walk<R> {
    fn say(&self, s: &str) -> Result<(), Failure> {
        output::print(s)
    }

    /// Prints `prompt` and reads one line; `None` at the end of the input.
    fn ask(&mut self, prompt: &str) -> Result<Option<String>, Failure> {
        self.say(&paint(self.colour, "1", prompt))?;
        let mut line = String::new();
        let n = self.input.read_line(&mut line).map_err(|e| {
            Failure::bad_input(format!("chainrule: error: cannot read the answer: {e}\n"))
        })?;
        if n == 0 {
            self.say("\n")?;
            return Ok(None);
        }
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if self.echo {
            self.say(&format!("{line}\n"))?;
        }
        Ok(Some(line))
    }

    fn lesson(&mut self, lesson: &Lesson, args: &Args, seed: u64) -> Result<ExitCode, Failure> {
        let v = lesson.variant(seed);
        let how = match &args.file {
            Some(p) => format!("--file {}", p.display()),
            None => v.lesson.clone(),
        };
        let mut s = paint(self.colour, "1", &format!("# {}", v.title)) + "\n";
        s += &if seed == 0 {
            "(the lesson's own numbers; another --seed gives new ones, the same for everyone with it)\n".to_string()
        } else {
            format!("(seed {seed}: `chainrule learn {how} --seed {seed}` gives these numbers again; --seed 0 the lesson's own)\n")
        };
        self.say(&s)?;
        let mut torch = Vec::new();
        for (k, part) in v.parts.iter().enumerate() {
            match part {
                Part::Text(t) => self.say(&format!("\n{t}\n"))?,
                // PyTorch's code right after it shows the program beside it.
                Part::Program if matches!(v.parts.get(k + 1), Some(Part::Torch(_))) => {}
                Part::Program => self.say(&format!("\n{}", numbered(&v.program)))?,
                Part::Torch(code) => {
                    self.say(&format!("\n{}", beside(&v.program, code)))?;
                    torch.push(code.clone());
                }
                Part::Task(t) => {
                    let outcome = self.task(&v, *t)?;
                    if outcome == Outcome::Ended {
                        self.say(&format!(
                            "The input ended at task {} of {}; the lesson stops here.\n",
                            t + 1,
                            v.tasks.len()
                        ))?;
                        return Ok(ExitCode::from(crate::EXIT_WRONG_GRADIENT));
                    }
                }
            }
        }
        for code in &torch {
            self.say(&run_torch(code))?;
        }
        let n = v.tasks.len();
        let mut end = format!(
            "\nLesson done: {} of {n} tasks right at the first try.\n",
            self.first_try
        );
        if args.file.is_none() {
            let names = learn::names();
            if let Some(k) = names.iter().position(|x| *x == v.lesson) {
                if let Some(next) = learn::builtin().get(k + 1) {
                    end += &format!("Next: chainrule learn {} ({})\n", k + 2, next.title);
                }
            }
        }
        self.say(&end)?;
        Ok(ExitCode::SUCCESS)
    }

    /// One task: its question, then its items.
    fn task(&mut self, v: &Variant, t: usize) -> Result<Outcome, Failure> {
        let task = &v.tasks[t];
        let head = format!("Task {} of {}", t + 1, v.tasks.len());
        self.say(&format!("\n{}\n", paint(self.colour, "1;36", &head)))?;
        if !task.prompt.is_empty() {
            self.say(&format!("{}\n", task.prompt))?;
        }
        let outcome = match task.kind {
            TaskKind::Python => self.python(v, t)?,
            TaskKind::Bug => {
                self.say(&format!("\n{}\n", numbered(&task.code)))?;
                self.items(v, t)?
            }
            _ => self.items(v, t)?,
        };
        if outcome == Outcome::FirstTry {
            self.first_try += 1;
        }
        Ok(outcome)
    }

    /// The items of a task, each with two tries; a revealed item counts as its right
    /// answer for the items after it.
    fn items(&mut self, v: &Variant, t: usize) -> Result<Outcome, Failure> {
        let task = &v.tasks[t];
        let right = v.right_answers(t);
        let count = match task.kind {
            TaskKind::Grads | TaskKind::Value => task.ask.len(),
            _ => 1,
        };
        let mut answers: Vec<String> = Vec::new();
        let mut first = true;
        for k in 0..count {
            let prompt = match task.kind {
                TaskKind::Bug => "line: ".to_string(),
                _ => format!("{} = ", v.question(t, k)),
            };
            let mut tries = 0;
            loop {
                let Some(a) = self.ask(&prompt)? else {
                    return Ok(Outcome::Ended);
                };
                let revealed = a.trim().is_empty() && tries > 0;
                let f = if revealed {
                    None
                } else {
                    answers.push(a.clone());
                    let f = v.check(t, &answers).pop();
                    answers.pop();
                    f
                };
                match f {
                    Some(f) if f.value.is_none() => {
                        self.say(&format!("  {}\n", f.text.join("\n  ")))?
                    }
                    Some(f) if f.right => {
                        self.say(&format!("  {}\n", paint(self.colour, "32", "right")))?;
                        if !f.reveal.is_empty() && task.kind != TaskKind::Grads {
                            self.say(&format!("  {}\n", f.reveal.join("\n  ")))?;
                        }
                        answers.push(a);
                        break;
                    }
                    Some(f) => {
                        tries += 1;
                        first = false;
                        self.wrong(&f)?;
                        if tries < 2 {
                            self.say("  Try again, or press Enter to see the answer.\n")?;
                            continue;
                        }
                        self.reveal(&f.expected, &f.reveal)?;
                        answers.push(right.get(k).cloned().unwrap_or_default());
                        break;
                    }
                    None => {
                        let f = self.reveal_of(v, t, &answers, &right, k);
                        self.reveal(&f.expected, &f.reveal)?;
                        answers.push(right.get(k).cloned().unwrap_or_default());
                        break;
                    }
                }
            }
        }
        Ok(if first {
            Outcome::FirstTry
        } else {
            Outcome::Done
        })
    }

    /// The feedback on the right answer to item `k`, for its written-out step.
    fn reveal_of(
        &self,
        v: &Variant,
        t: usize,
        answers: &[String],
        right: &[String],
        k: usize,
    ) -> Feedback {
        let mut all = answers.to_vec();
        all.push(right.get(k).cloned().unwrap_or_default());
        v.check(t, &all).pop().unwrap_or_default()
    }

    fn wrong(&self, f: &Feedback) -> Result<(), Failure> {
        let mut s = format!("  {}\n", paint(self.colour, "1;31", "not right"));
        for line in &f.text {
            s += &format!("  {}\n", paint(self.colour, "33", line));
        }
        self.say(&s)
    }

    fn reveal(&self, expected: &str, steps: &[String]) -> Result<(), Failure> {
        let mut s = format!("  The answer is {expected}:\n");
        for line in steps {
            s += &format!("    {line}\n");
        }
        self.say(&s)
    }

    /// A python task: the template, the learner's code (a file or pasted), a run with
    /// python3, and the grads it gives checked.
    fn python(&mut self, v: &Variant, t: usize) -> Result<Outcome, Failure> {
        let task = &v.tasks[t];
        let mut s = format!("\n{}\n", indent(&task.code));
        s += "It runs on the lecture's Value with python3 and the lesson's graph; the grads it\n\
              gives are checked. Give the path of a .py file with your version, or paste it and\n\
              end with a line `end`; Enter alone skips the task.\n";
        self.say(&s)?;
        let mut first = true;
        for tries in 1..=2 {
            let Some(code) = self.code()? else {
                return Ok(Outcome::Ended);
            };
            if code.trim().is_empty() {
                self.say("  Skipped. A right version:\n")?;
                self.say(&format!("{}\n", indent(&task.solution)))?;
                return Ok(Outcome::Skipped);
            }
            let Some((out, err)) = run_python(&v.python_script(t, &code))? else {
                self.say("  python3 is not on PATH, so this task cannot be checked here (the lesson's\n  page and notebooks check it too). Skipped.\n")?;
                return Ok(Outcome::Skipped);
            };
            let feedback = v.check_python(t, &out, &err);
            if !feedback.is_empty() && feedback.iter().all(|f| f.right) {
                self.say(&format!(
                    "  {}: every grad your code gives is right.\n",
                    paint(self.colour, "32", "right")
                ))?;
                return Ok(if first {
                    Outcome::FirstTry
                } else {
                    Outcome::Done
                });
            }
            first = false;
            for f in feedback
                .iter()
                .filter(|f| !f.right && !f.follows_from_yours)
            {
                self.say(&format!("  {}: {}\n", f.question, f.answer))?;
                self.wrong(f)?;
            }
            let follow: Vec<&str> = feedback
                .iter()
                .filter(|f| f.follows_from_yours)
                .map(|f| f.name.as_str())
                .collect();
            if !follow.is_empty() {
                self.say(&format!(
                    "  The grads of {} are wrong too, but right given the ones above: they follow from it.\n",
                    follow.join(", ")
                ))?;
            }
            if tries < 2 {
                self.say("  Try again (a path, or the code and `end`; Enter alone shows a right version).\n")?;
            }
        }
        self.say(&format!("  A right version:\n{}\n", indent(&task.solution)))?;
        Ok(Outcome::Done)
    }

    /// The learner's code: a path to a file, or lines up to `end`; `None` at the end of
    /// the input.
    fn code(&mut self) -> Result<Option<String>, Failure> {
        let Some(first) = self.ask("your code> ")? else {
            return Ok(None);
        };
        let path = first.trim();
        if path.ends_with(".py") && std::path::Path::new(path).is_file() {
            return std::fs::read_to_string(path).map(Some).map_err(|e| {
                Failure::bad_input(format!("chainrule: error: cannot read {path}: {e}\n"))
            });
        }
        if path.is_empty() {
            return Ok(Some(String::new()));
        }
        let mut code = format!("{first}\n");
        loop {
            let mut line = String::new();
            let n = self.input.read_line(&mut line).map_err(|e| {
                Failure::bad_input(format!("chainrule: error: cannot read the code: {e}\n"))
            })?;
            if n == 0 || line.trim_end() == "end" {
                return Ok(Some(code));
            }
            code += &line;
        }
    }
}

/// The text with each line numbered, as the program and code are shown.
fn numbered(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(k, l)| format!("{:>4} | {l}\n", k + 1).replace(" | \n", " |\n"))
        .collect()
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The program and the PyTorch code side by side.
fn beside(program: &str, torch: &str) -> String {
    let left: Vec<&str> = program.lines().collect();
    let right: Vec<&str> = torch.lines().collect();
    let w = left
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(9);
    let mut s = format!(
        "{:<w$} | PyTorch\n{} | {}\n",
        "chainrule",
        "-".repeat(w),
        "-".repeat(7)
    );
    for k in 0..left.len().max(right.len()) {
        let l = left.get(k).copied().unwrap_or("");
        let r = right.get(k).copied().unwrap_or("");
        s += format!("{l:<w$} | {r}").trim_end();
        s.push('\n');
    }
    s
}

/// Runs `script` with python3 (at most 30 s): its stdout and stderr, or `None` when
/// python3 is not there.
fn run_python(script: &str) -> Result<Option<(String, String)>, Failure> {
    let child = Command::new("python3")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::bad_input(format!(
                "chainrule: error: cannot run python3: {e}\n"
            )))
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(script.as_bytes());
    }
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            let why = "your code ran for more than 30 s and was stopped".to_string();
            return Ok(Some((String::new(), why)));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let text = |h: std::thread::JoinHandle<String>| h.join().unwrap_or_default();
    Ok(Some((text(out), text(err))))
}

/// PyTorch's own run of the lesson's code, or why it cannot run here.
fn run_torch(code: &str) -> String {
    let has_torch = Command::new("python3")
        .args(["-c", "import torch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_torch {
        return "\nPyTorch is not installed here (`pip install torch`), so its code above is shown\nbut not run; it prints the grads you worked out.\n".into();
    }
    match run_python(code) {
        Ok(Some((out, err))) if err.trim().is_empty() || !out.is_empty() => {
            format!(
                "\nPyTorch's own run of the code above:\n{}",
                indent(&out) + "\n"
            )
        }
        Ok(Some((_, err))) => format!(
            "\nPyTorch's run failed: {}\n",
            err.lines().last().unwrap_or("")
        ),
        _ => String::new(),
    }
}
