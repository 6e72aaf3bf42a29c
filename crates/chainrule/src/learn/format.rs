//! The lesson file: Markdown text, one program, and tasks, read into a [`Lesson`]. The
//! format is documented in `docs/lessons.md`; every mistake in a file is refused with its
//! line and column.

use crate::lang::{ErrorKind, LangError, Program};
use crate::show::mistakes::Mistake;

/// A lesson: text, a program and tasks, as its file gives them (the numbers as written;
/// [`Lesson::variant`] gives a seeded variant).
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Its short name (`nudge`), from the file name.
    pub name: String,
    /// Its title, the file's first line.
    pub title: String,
    /// The program, in chainrule's language, as written.
    pub program: String,
    /// What the lesson shows, in order: text, the program, code to compare, tasks.
    pub parts: Vec<Part>,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
    /// Which leaves a seed changes, and to what.
    pub(crate) vary: Vec<Vary>,
}

/// One part of a lesson, in the order it is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Markdown text.
    Text(String),
    /// The lesson's program (its text is [`Lesson::program`]).
    Program,
    /// PyTorch code that does what the program does, shown beside it and run where torch
    /// is installed.
    Torch(String),
    /// The task at this index of [`Lesson::tasks`].
    Task(usize),
}

/// What a task asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// The grads of the names in `ask`, in order, each checked and diagnosed as entered.
    Grads,
    /// A prediction: the output's value after `nudge` moves by `h`, before it is shown.
    Nudge,
    /// The values of the names in `ask` (a forward pass).
    Value,
    /// A `_backward` (or an op) written in Python, run on the lesson's graph; the grads it
    /// gives are checked and diagnosed.
    Python,
    /// The line of a bug in the code shown.
    Bug,
}

impl TaskKind {
    /// The word a lesson file uses: `grads`, `nudge`, `value`, `python`, `bug`.
    pub fn word(self) -> &'static str {
        match self {
            TaskKind::Grads => "grads",
            TaskKind::Nudge => "nudge",
            TaskKind::Value => "value",
            TaskKind::Python => "python",
            TaskKind::Bug => "bug",
        }
    }

    const ALL: [TaskKind; 5] = [
        TaskKind::Grads,
        TaskKind::Nudge,
        TaskKind::Value,
        TaskKind::Python,
        TaskKind::Bug,
    ];

    /// The keys a task of this kind takes, the required ones first.
    fn keys(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            TaskKind::Grads => (&["ask"], &["of", "tol", "mistakes"]),
            TaskKind::Nudge => (&["nudge"], &["ask", "h", "tol", "mistakes"]),
            TaskKind::Value => (&["ask"], &["tol"]),
            TaskKind::Python => (&[], &["ask", "of", "tol"]),
            TaskKind::Bug => (&["answer", "why"], &["hint"]),
        }
    }

    /// The code blocks a task of this kind takes (`python ROLE`), the required ones first.
    fn blocks(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            TaskKind::Python => (&["template", "graph", "solution"], &["mistake"]),
            TaskKind::Bug => (&["code"], &["setup", "solution"]),
            _ => (&[], &[]),
        }
    }
}

/// A mistake a task is built to show, at the value where it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    /// The mistake.
    pub mistake: Mistake,
    /// The name whose grad shows it.
    pub at: String,
}

/// One task of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// What it asks for.
    pub kind: TaskKind,
    /// The Markdown text just before it: the question.
    pub prompt: String,
    /// The names asked about, in order (grads, values; for python the grads checked,
    /// every labelled value when empty; for nudge the output predicted).
    pub ask: Vec<String>,
    /// The output whose grads are asked (the program's last value when `None`).
    pub of: Option<String>,
    /// For a nudge: the value nudged.
    pub nudge: Option<String>,
    /// For a nudge: the step (default 0.001).
    pub h: f64,
    /// The tolerance a number is right within (relative above 1, absolute below):
    /// 0.001 by default (answers to 3 decimals), 1e-6 for python.
    pub tol: f64,
    /// The mistakes the task is built to show (a nudge's are at the value nudged).
    pub mistakes: Vec<Listed>,
    /// For a bug: the right line numbers (1-based, in `code`).
    pub answer: Vec<usize>,
    /// For a bug: why that line is the bug.
    pub why: String,
    /// For a bug: a hint after a wrong line.
    pub hint: String,
    /// For a bug: the code shown; for python: the template the learner edits.
    pub code: String,
    /// For a bug: code that makes what `code` uses (a model, data), run before it and
    /// before its fixed version where the fix is run (a notebook); empty when there is
    /// none.
    pub setup: String,
    /// For python: the lesson's graph in Python, built with the learner's code.
    pub graph: String,
    /// For python: a right version of the template; for a bug: the code fixed (run
    /// beside the learner's fix where the fix is run), or empty.
    pub solution: String,
    /// For python: wrong versions, each with the mistake it shows.
    pub wrong: Vec<(Mistake, String)>,
    /// The task block's line in the lesson file.
    pub line: usize,
}

/// A leaf a seed changes: its name and the numbers it may take.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Vary {
    pub name: String,
    pub choices: Vec<f64>,
}

/// The lesson file being read: its text and where each line starts, for errors.
pub(crate) struct Source<'a> {
    src: &'a str,
    /// Byte offset of each line's start.
    starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Source { src, starts }
    }

    /// Line `k` (0-based) without its newline.
    pub fn line(&self, k: usize) -> &'a str {
        let end = self.starts.get(k + 1).map_or(self.src.len(), |&e| e - 1);
        self.src[self.starts[k]..end].trim_end_matches('\r')
    }

    fn lines(&self) -> usize {
        if self.src.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// An error at `len` bytes from byte `col` (0-based) of line `k`.
    pub fn error(&self, k: usize, col: usize, len: usize, message: String) -> LangError {
        let at = self.starts[k] + col;
        LangError::at(
            ErrorKind::Lesson,
            self.src.as_bytes(),
            at..at + len.max(1),
            message,
        )
    }

    /// An error at `word`, a slice of line `k`.
    pub fn at(&self, k: usize, word: &str, message: String) -> LangError {
        let line = self.line(k);
        let start = (word.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
        match start.checked_add(word.len()) {
            // `word` is a slice of the line: point at it.
            Some(end) if end <= line.len() => self.error(k, start, word.len(), message),
            _ => self.error(k, 0, 1, message),
        }
    }

    /// An error at byte `offset` of the program block that starts after line `k`, from the
    /// program's own error.
    pub fn in_program(&self, k: usize, e: &LangError) -> LangError {
        let start = self.starts[k + 1];
        let span = e.span().unwrap_or(0..1);
        let err = LangError::at(
            e.kind(),
            self.src.as_bytes(),
            start + span.start..start + span.end,
            e.message().to_string(),
        );
        match e.help_text() {
            Some(h) => err.help(h),
            None => err,
        }
    }
}

/// A fenced block: its info words, first content line and content.
struct Block<'a> {
    info: Vec<&'a str>,
    /// The fence's line (0-based).
    line: usize,
    text: String,
}

impl Lesson {
    /// Reads a lesson file. `name` is its short name (the file name without `.md`, and
    /// without a leading number: `01-nudge.md` is `nudge`).
    ///
    /// ```
    /// use chainrule::learn::{Lesson, TaskKind};
    /// let src = "# Twice\n\nA value used twice.\n\n```program\nx = 3\ny = x*x\n```\n\n\
    ///            What is dy/dx?\n\n```task grads\nask: x\nmistakes: one-path at x\n```\n";
    /// let lesson = Lesson::parse("twice", src).unwrap();
    /// assert_eq!((lesson.title.as_str(), lesson.tasks[0].kind), ("Twice", TaskKind::Grads));
    /// let err = Lesson::parse("twice", &src.replace("ask: x", "ask: z")).unwrap_err();
    /// assert_eq!(err.line_col(), Some((13, 6)));
    /// assert!(err.message().contains("`z`"));
    /// ```
    pub fn parse(name: &str, src: &str) -> Result<Lesson, LangError> {
        Lesson::parse_within(name, src, &crate::Limits::LOCAL)
    }

    /// [`Lesson::parse`] with its program held to `limits` (its size, the values it makes,
    /// the order of its derivatives) while it is read: a page reads lessons from anyone
    /// with [`Limits::PAGE`](crate::Limits::PAGE).
    ///
    /// ```
    /// use chainrule::{learn::Lesson, Limits};
    /// let src = "# Many\n\n```program\nx = 1\ny = x+x+x+x+x+x\n```\n\n```task grads\nask: x\n```\n";
    /// let tight = Limits { values: 4, ..Limits::PAGE };
    /// let err = Lesson::parse_within("many", src, &tight).unwrap_err();
    /// assert_eq!(err.line_col(), Some((5, 5)));
    /// assert!(Lesson::parse_within("many", src, &Limits::PAGE).is_ok());
    /// ```
    pub fn parse_within(
        name: &str,
        src: &str,
        limits: &crate::Limits,
    ) -> Result<Lesson, LangError> {
        let r = Source::new(src);
        let mut lesson = Lesson {
            name: name.to_string(),
            title: title(&r)?,
            program: String::new(),
            parts: Vec::new(),
            tasks: Vec::new(),
            vary: Vec::new(),
        };
        let mut names: Option<Names> = None;
        let mut text = String::new();
        let mut k = 1;
        while k < r.lines() {
            let line = r.line(k);
            let Some(fence) = fence(line) else {
                placeholders(&r, k, names.as_ref())?;
                text.push_str(line);
                text.push('\n');
                k += 1;
                continue;
            };
            let (block, next) = read_block(&r, k, fence)?;
            if !matches!(block.info.as_slice(), ["program"] | ["vary"]) {
                for j in k + 1..next - 1 {
                    placeholders(&r, j, names.as_ref())?;
                }
            }
            k = next;
            let word = |i: usize| r.line(block.line).split_whitespace().nth(i).unwrap_or("");
            let needs_program = |what: &str| {
                r.at(
                    block.line,
                    word(0),
                    format!("{what} before the ```program block"),
                )
                .help("put the ```program block first: the rest refers to its names")
            };
            match (block.info.as_slice(), &names) {
                (["program"], Some(_)) => {
                    return Err(r.at(block.line, word(0), "a second ```program block".into())
                        .help("a lesson has one program; put the rest in the same block"))
                }
                (["program"], None) => {
                    flush(&mut text, &mut lesson.parts);
                    names = Some(Names::of(&r, block.line, &block.text, limits)?);
                    lesson.program = block.text;
                    lesson.parts.push(Part::Program);
                }
                (["vary"], Some(n)) => lesson.vary = vary(&r, &block, n)?,
                (["python", "torch"], _) => {
                    flush(&mut text, &mut lesson.parts);
                    lesson.parts.push(Part::Torch(block.text));
                }
                (["task", kind], Some(n)) => {
                    complete(&r, &lesson.tasks)?;
                    let task = task(&r, &block, kind, std::mem::take(&mut text), n)?;
                    lesson.parts.push(Part::Task(lesson.tasks.len()));
                    lesson.tasks.push(task);
                }
                (["task"], _) => {
                    return Err(r.at(block.line, word(0), "a task needs its kind".into()).help(
                        "write ```task grads, ```task nudge, ```task value, ```task python or ```task bug",
                    ))
                }
                (["vary"] | ["task", ..], None) => return Err(needs_program("a ```vary or ```task block")),
                (["python", role, rest @ ..], _) if is_role(role) => {
                    attach(&r, &mut lesson.tasks, &block, role, rest)?
                }
                // Any other block is part of the text, as written.
                _ => text.push_str(&fenced(&block)),
            }
        }
        flush(&mut text, &mut lesson.parts);
        complete(&r, &lesson.tasks)?;
        if names.is_none() {
            return Err(r.error(0, 0, r.line(0).len(), "this lesson has no ```program block".into())
                .help("add the program the lesson is about: ```program, then `x = 3` and `y = x*x`, then ```"));
        }
        if lesson.tasks.is_empty() {
            return Err(r
                .error(0, 0, r.line(0).len(), "this lesson has no task".into())
                .help("add a ```task block, e.g. ```task grads with `ask: x`"));
        }
        crate::learn::variant::check_listed(&lesson).map_err(|(t, listed)| {
            let k = lesson.tasks[t].line - 1;
            let line = (k..r.lines()).map(|j| r.line(j)).position(|l| l.trim_start().starts_with("mistakes:")).map_or(k, |d| k + d);
            let id = listed.mistake.id();
            let word = r.line(line).find(id).map_or(r.line(line), |i| &r.line(line)[i..i + id.len()]);
            let at = if listed.at.is_empty() { String::new() } else { format!(" at {}", listed.at) };
            r.at(line, word, format!("with the lesson's own numbers, no answer{at} is `{id}` alone"))
                .help("its number is the right one or another mistake's too: change the numbers, or list another mistake")
        })?;
        Ok(lesson)
    }
}

/// Checks every `{{name}}` (or `{{name:4}}`) on line `k` names a value of the program.
fn placeholders(r: &Source<'_>, k: usize, names: Option<&Names>) -> Result<(), LangError> {
    let line = r.line(k);
    let mut from = 0;
    while let Some(i) = line[from..].find("{{").map(|i| i + from) {
        let Some(j) = line[i..].find("}}").map(|j| j + i) else {
            return Ok(());
        };
        let inner = &line[i + 2..j];
        let name = inner.split(':').next().unwrap_or("").trim();
        let at = &line[i..j + 2];
        match names {
            None => {
                return Err(r
                    .at(k, at, format!("`{at}` before the ```program block"))
                    .help("values can be shown only after the program that makes them"))
            }
            Some(n) if !n.all.iter().any(|x| x == name) => {
                return Err(r
                    .at(k, at, format!("`{at}`: the program has no value `{name}`"))
                    .help(format!("its names are: {}", n.all.join(", "))))
            }
            _ => {}
        }
        from = j + 2;
    }
    Ok(())
}

/// Adds the text gathered so far as a part, if there is any.
fn flush(text: &mut String, parts: &mut Vec<Part>) {
    let t = std::mem::take(text).trim().to_string();
    if !t.is_empty() {
        parts.push(Part::Text(t));
    }
}

/// The names a lesson's program binds, and which of them are leaves bound to numbers.
pub(crate) struct Names {
    all: Vec<String>,
    leaves: Vec<String>,
}

impl Names {
    /// Parses and runs the program of the block on line `k`, within `limits`.
    fn of(
        r: &Source<'_>,
        k: usize,
        text: &str,
        limits: &crate::Limits,
    ) -> Result<Names, LangError> {
        let at = |e: LangError| r.in_program(k, &e);
        limits.check_source(text.as_bytes()).map_err(at)?;
        let program = Program::parse(text).map_err(at)?;
        let g = crate::Graph::new();
        let opts = crate::lang::EvalOptions {
            limits: *limits,
            ..Default::default()
        };
        let run = program.eval(&g, &opts).map_err(at)?;
        let all = run.names().iter().map(|(n, _)| n.to_string()).collect();
        let leaves = run
            .names()
            .iter()
            .filter(|(_, v)| v.is_leaf() && v.constant().is_none())
            .map(|(n, _)| n.to_string())
            .collect();
        Ok(Names { all, leaves })
    }

    /// An error unless `name` is bound by the program.
    fn check(&self, r: &Source<'_>, k: usize, name: &str) -> Result<(), LangError> {
        if self.all.iter().any(|n| n == name) {
            return Ok(());
        }
        Err(r
            .at(k, name, format!("the program has no value `{name}`"))
            .help(format!("its names are: {}", self.all.join(", "))))
    }
}

/// Checks that the task before the next one has the code blocks its kind needs.
fn complete(r: &Source<'_>, tasks: &[Task]) -> Result<(), LangError> {
    let Some(t) = tasks.last() else {
        return Ok(());
    };
    let (required, _) = t.kind.blocks();
    let have = |role: &str| match role {
        "template" | "code" => !t.code.is_empty(),
        "graph" => !t.graph.is_empty(),
        _ => !t.solution.is_empty(),
    };
    match required.iter().find(|role| !have(role)) {
        None => Ok(()),
        Some(role) => {
            let k = t.line - 1;
            let kind = r.line(k).split_whitespace().nth(1).unwrap_or("");
            Err(r
                .at(
                    k,
                    kind,
                    format!("this {} task has no ```python {role} block", t.kind.word()),
                )
                .help(blocks_help(t.kind)))
        }
    }
}

/// The ```vary block: `name: 1, 2, -3..3, 0.5..2 by 0.5` per line.
fn vary(r: &Source<'_>, b: &Block<'_>, names: &Names) -> Result<Vec<Vary>, LangError> {
    let mut out = Vec::new();
    for j in b.line + 1..b.line + 1 + b.text.lines().count() {
        let line = r.line(j);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((name, spec)) = line.split_once(':') else {
            return Err(r
                .at(j, line.trim(), "expected `name: choices`".into())
                .help("e.g. `x: -3..3` (integers), `w: 0.5, 1.5`, or `b: -2..2 by 0.5`"));
        };
        let name = name.trim();
        let name_at = name;
        if !names.leaves.iter().any(|n| n == name) {
            return Err(r
                .at(j, name_at, format!("`{name}` is not a leaf of the program"))
                .help(format!(
                    "a seed can change the leaves bound to numbers: {}",
                    names.leaves.join(", ")
                )));
        }
        let mut choices = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let item_at = item;
            choices.extend(range(item).ok_or_else(|| {
                r.at(j, item_at, format!("`{item}` is not a number or a range"))
                    .help("write a number, `A..B` (A, A+1, ..., B) or `A..B by STEP`")
            })?);
        }
        out.push(Vary {
            name: name.to_string(),
            choices,
        });
    }
    Ok(out)
}

/// `3`, `-3..3` or `0.5..2 by 0.5`, as the numbers it stands for (at most 1,000).
fn range(item: &str) -> Option<Vec<f64>> {
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (span, step) = match item.split_once(" by ") {
        Some((span, step)) => (span, num(step).filter(|&s| s > 0.0)?),
        None => (item, 1.0),
    };
    let Some((lo, hi)) = span.split_once("..") else {
        return num(span).map(|v| vec![v]);
    };
    let (lo, hi) = (num(lo)?, num(hi)?);
    let n = ((hi - lo) / step + 1e-9).floor();
    if !(0.0..1000.0).contains(&n) {
        return None;
    }
    Some((0..=n as usize).map(|i| lo + i as f64 * step).collect())
}

/// The title: the first line, `# Title`.
fn title(r: &Source<'_>) -> Result<String, LangError> {
    match r.line(0).strip_prefix("# ") {
        Some(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(r
            .error(
                0,
                0,
                r.line(0).len(),
                "a lesson starts with its title".into(),
            )
            .help("make the first line `# The title`")),
    }
}

/// The backticks that open a fence on this line, if it is one.
fn fence(line: &str) -> Option<usize> {
    let n = line.len() - line.trim_start_matches('`').len();
    (n >= 3).then_some(n)
}

/// The fenced block opened on line `k` with `n` backticks, and the line after it.
fn read_block<'a>(r: &Source<'a>, k: usize, n: usize) -> Result<(Block<'a>, usize), LangError> {
    let info = r.line(k)[n..].split_whitespace().collect();
    let mut text = String::new();
    for j in k + 1..r.lines() {
        let line = r.line(j);
        if fence(line) >= Some(n) && line.trim_start_matches('`').trim().is_empty() {
            return Ok((
                Block {
                    info,
                    line: k,
                    text,
                },
                j + 1,
            ));
        }
        text.push_str(line);
        text.push('\n');
    }
    Err(r
        .error(k, 0, n, "this ``` block is never closed".into())
        .help(format!("end it with a line of {n} backticks")))
}

/// A block that is part of the text, fenced again as written.
fn fenced(b: &Block<'_>) -> String {
    format!("\n```{}\n{}```\n", b.info.join(" "), b.text)
}

fn is_role(word: &str) -> bool {
    ["template", "graph", "solution", "mistake", "code", "setup"].contains(&word)
}

/// A `python ROLE` block: code that belongs to the task above it.
fn attach(
    r: &Source<'_>,
    tasks: &mut [Task],
    b: &Block<'_>,
    role: &str,
    rest: &[&str],
) -> Result<(), LangError> {
    let line = r.line(b.line);
    let role_word = line.split_whitespace().nth(1).unwrap_or(role);
    let Some(task) = tasks.last_mut() else {
        return Err(r
            .at(
                b.line,
                role_word,
                format!("a ```python {role} block before any task"),
            )
            .help("put it after the ```task block it belongs to"));
    };
    let (required, optional) = task.kind.blocks();
    if !required.contains(&role) && !optional.contains(&role) {
        return Err(r
            .at(
                b.line,
                role_word,
                format!("a {} task has no ```python {role} block", task.kind.word()),
            )
            .help(blocks_help(task.kind)));
    }
    let text = b.text.clone();
    let numbered = role == "code";
    if let Some(&n) = task
        .answer
        .iter()
        .find(|&&n| numbered && n > text.lines().count())
    {
        return Err(r
            .at(
                b.line,
                role_word,
                format!(
                    "the answer, line {n}, is beyond this code's {} lines",
                    text.lines().count()
                ),
            )
            .help("`answer:` counts the lines of this block from 1"));
    }
    match role {
        "template" | "code" => task.code = text,
        "graph" => task.graph = text,
        "setup" => task.setup = text,
        "solution" => task.solution = text,
        _ => {
            let Some(&id) = rest.first() else {
                return Err(r
                    .at(
                        b.line,
                        role_word,
                        "which mistake does this code make?".into(),
                    )
                    .help("write ```python mistake ID, e.g. ```python mistake one-path"));
            };
            let m = Mistake::from_id(id).ok_or_else(|| unknown_mistake(r, b.line, id))?;
            task.wrong.push((m, text));
        }
    }
    Ok(())
}

fn blocks_help(kind: TaskKind) -> String {
    let (req, opt) = kind.blocks();
    let all: Vec<String> = req
        .iter()
        .chain(opt)
        .map(|b| format!("```python {b}"))
        .collect();
    if all.is_empty() {
        format!("a {} task takes no code blocks", kind.word())
    } else {
        format!("a {} task takes {}", kind.word(), all.join(", "))
    }
}

/// An unknown mistake `id` (a slice of line `k`).
fn unknown_mistake(r: &Source<'_>, k: usize, id: &str) -> LangError {
    let ids: Vec<&str> = Mistake::ALL.iter().map(|m| m.id()).collect();
    r.at(k, id, format!("unknown mistake `{id}`"))
        .help(format!("the catalogue's ids are: {}", ids.join(", ")))
}

/// A ```task KIND block: its keys, with the text before it as the prompt.
fn task(
    r: &Source<'_>,
    b: &Block<'_>,
    kind: &str,
    prompt: String,
    names: &Names,
) -> Result<Task, LangError> {
    let k = b.line;
    let kind_word = r.line(k).split_whitespace().nth(1).unwrap_or(kind);
    let Some(kind) = TaskKind::ALL.into_iter().find(|t| t.word() == kind) else {
        return Err(r
            .at(k, kind_word, format!("unknown task kind `{kind}`"))
            .help("the kinds are: grads, nudge, value, python, bug"));
    };
    let mut t = Task {
        kind,
        prompt: prompt.trim().to_string(),
        ask: Vec::new(),
        of: None,
        nudge: None,
        h: 0.001,
        tol: if kind == TaskKind::Python { 1e-6 } else { 1e-3 },
        mistakes: Vec::new(),
        answer: Vec::new(),
        why: String::new(),
        hint: String::new(),
        code: String::new(),
        setup: String::new(),
        graph: String::new(),
        solution: String::new(),
        wrong: Vec::new(),
        line: k + 1,
    };
    let (required, optional) = kind.keys();
    let mut seen = Vec::new();
    for j in k + 1..k + 1 + b.text.lines().count() {
        let line = r.line(j);
        let body = line.split(" #").next().unwrap_or("").trim_end();
        if body.trim().is_empty() || body.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = body.split_once(':') else {
            return Err(r
                .at(j, body.trim(), "expected `key: value`".into())
                .help(keys_help(kind)));
        };
        let key = key.trim();
        let key_at = key;
        if !required.contains(&key) && !optional.contains(&key) {
            return Err(r
                .at(
                    j,
                    key_at,
                    format!("a {} task has no key `{key}`", kind.word()),
                )
                .help(keys_help(kind)));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(r.at(j, key_at, format!("`{key}` has no value")));
        }
        let value_at = value;
        set_key(r, j, &mut t, key, value_at, names)?;
        seen.push(key);
    }
    if let Some(missing) = required.iter().find(|key| !seen.contains(key)) {
        return Err(r
            .at(
                k,
                kind_word,
                format!("a {} task needs `{missing}: ...`", kind.word()),
            )
            .help(keys_help(kind)));
    }
    Ok(t)
}

fn keys_help(kind: TaskKind) -> String {
    let (req, opt) = kind.keys();
    let mut s = format!("a {} task takes", kind.word());
    if !req.is_empty() {
        s += &format!(" {} (required)", req.join(", "));
    }
    if !opt.is_empty() {
        s += &format!(
            "{} {}",
            if req.is_empty() { "" } else { " and" },
            opt.join(", ")
        );
    }
    s + "; see docs/lessons.md"
}

/// One `key: value` line of a task block.
fn set_key(
    r: &Source<'_>,
    j: usize,
    t: &mut Task,
    key: &str,
    value: &str,
    names: &Names,
) -> Result<(), LangError> {
    let words = || value.split([' ', ',']).filter(|w| !w.is_empty());
    let number = |w: &str| {
        w.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
            .ok_or_else(|| {
                r.at(j, w, format!("`{w}` is not a number above 0"))
                    .help(format!("write e.g. `{key}: 0.001`"))
            })
    };
    match key {
        "ask" => {
            for w in words() {
                names.check(r, j, w)?;
                t.ask.push(w.to_string());
            }
        }
        "of" => {
            names.check(r, j, value)?;
            t.of = Some(value.to_string());
        }
        "nudge" => {
            names.check(r, j, value)?;
            t.nudge = Some(value.to_string());
        }
        "h" => t.h = number(value)?,
        "tol" => t.tol = number(value)?,
        "why" => t.why = value.to_string(),
        "hint" => t.hint = value.to_string(),
        "answer" => {
            for w in value.split(['|', ',', ' ']).filter(|w| !w.is_empty()) {
                let n = w.parse::<usize>().ok().filter(|&n| n > 0).ok_or_else(|| {
                    r.at(j, w, format!("`{w}` is not a line number"))
                        .help("write the line of the bug in the code block, e.g. `answer: 7`")
                })?;
                t.answer.push(n);
            }
        }
        _ => t.mistakes = listed(r, j, t.kind, value, names)?,
    }
    Ok(())
}

/// `mistakes: one-path at x, sign at b` (a nudge's: `mistakes: sign, local-only`).
fn listed(
    r: &Source<'_>,
    j: usize,
    kind: TaskKind,
    value: &str,
    names: &Names,
) -> Result<Vec<Listed>, LangError> {
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let words: Vec<&str> = item.split_whitespace().collect();
        let id = words[0];
        let mistake = Mistake::from_id(id).ok_or_else(|| unknown_mistake(r, j, id))?;
        let at = match (kind, words.as_slice()) {
            (TaskKind::Nudge, [_]) => String::new(),
            (TaskKind::Grads, [_, "at", name]) => {
                names.check(r, j, name)?;
                name.to_string()
            }
            _ => {
                let how = if kind == TaskKind::Nudge {
                    "ID"
                } else {
                    "ID at NAME"
                };
                return Err(r
                    .at(j, item, format!("expected `{how}`, not `{item}`"))
                    .help(if kind == TaskKind::Nudge {
                        "a nudge's mistakes are at the value nudged: `mistakes: sign, local-only`"
                    } else {
                        "write e.g. `mistakes: local-only at a, one-path at x`"
                    }));
            }
        };
        out.push(Listed { mistake, at });
    }
    Ok(out)
}
