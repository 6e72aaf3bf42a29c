//! Usage errors that say what to do. clap finds the mistake; this adds a `tip:` line
//! wherever clap has none, and replaces the ones that mislead: `explain --json` names the
//! subcommands that have `--json` (not `-- --json`), `chainrule prog.cr` suggests
//! `chainrule explain prog.cr`, a missing or bad value shows an example from the
//! subcommand's `--help`.

use clap::error::{ContextKind, ContextValue, Error, ErrorKind};
use clap::{Command, Parser};
use std::path::Path;

/// The parsed command line, or the process ends with a usage error and its tips (exit
/// code 2), or with the help or version text (exit code 0).
pub fn parse<P: Parser>() -> P {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match P::try_parse_from(&args) {
        Ok(p) => p,
        Err(e) => with_tips(e, &P::command(), &args[1.min(args.len())..]).exit(),
    }
}

/// `e` with tips that say what to do, in place of clap's own where those mislead or are
/// missing. `args` are the command line's words after the program name.
pub fn with_tips(mut e: Error, cmd: &Command, args: &[String]) -> Error {
    // A program file's path is not a misspelt subcommand, whatever clap finds similar in
    // it (a path through a folder named `check` once got "a similar subcommand: check").
    // clap's error cannot drop a context, so the error is made again without it.
    let word = invalid_subcommand(&e);
    if e.kind() == ErrorKind::InvalidSubcommand && looks_like_a_file(&word) {
        e = Error::new(ErrorKind::InvalidSubcommand).with_cmd(cmd);
        e.insert(ContextKind::InvalidSubcommand, ContextValue::String(word));
        e.insert(
            ContextKind::Usage,
            ContextValue::StyledStr(cmd.clone().render_usage()),
        );
    }
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || e.get(ContextKind::SuggestedArg).is_some()
        || e.get(ContextKind::SuggestedSubcommand).is_some()
        || !context_strings(&e, ContextKind::ValidValue).is_empty()
    {
        return e;
    }
    let sub = args
        .iter()
        .find_map(|a| cmd.get_subcommands().find(|s| s.get_name() == a));
    let tips = tips(&e, cmd, sub, args);
    if !tips.is_empty() {
        let tips = tips.into_iter().map(Into::into).collect();
        e.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
    }
    e
}

/// The tips for error `e` of subcommand `sub` (none when the error is the top level's).
fn tips(e: &Error, cmd: &Command, sub: Option<&Command>, args: &[String]) -> Vec<String> {
    let invalid = context_strings(e, ContextKind::InvalidArg);
    let flag = invalid
        .first()
        .and_then(|a| a.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    let prefix = match sub {
        Some(s) => format!("chainrule {}", s.get_name()),
        None => "chainrule".to_string(),
    };
    let help = format!("`{prefix} --help` lists the options, with examples");
    match e.kind() {
        ErrorKind::UnknownArgument => vec![unknown_option(cmd, sub, &flag).unwrap_or(help)],
        ErrorKind::InvalidSubcommand => vec![not_a_subcommand(cmd, &invalid_subcommand(e))],
        ErrorKind::ArgumentConflict if invalid.len() == 1 && repeated(&flag, args) => {
            vec![format!("give {flag} once")]
        }
        ErrorKind::ArgumentConflict => {
            vec!["give the program one way: a FILE, `-` to read stdin, or -e TEXT".to_string()]
        }
        ErrorKind::TooManyValues if takes_no_value(sub, &flag) => {
            vec![format!(
                "{flag} is a switch and takes no value: write {flag} alone"
            )]
        }
        _ => vec![example(sub, &flag).map_or(help, |ex| format!("for example: {ex}"))],
    }
}

/// The word clap took for a subcommand.
fn invalid_subcommand(e: &Error) -> String {
    context_strings(e, ContextKind::InvalidSubcommand)
        .into_iter()
        .next()
        .unwrap_or_default()
}

fn context_strings(e: &Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// Whether `flag` appears more than once on the command line.
fn repeated(flag: &str, args: &[String]) -> bool {
    !flag.is_empty()
        && args
            .iter()
            .filter(|a| a.split('=').next() == Some(flag))
            .count()
            > 1
}

/// Whether `flag` of `sub` is a switch (it takes no value).
fn takes_no_value(sub: Option<&Command>, flag: &str) -> bool {
    find_arg(sub, flag).is_some_and(|a| {
        matches!(
            a.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse | clap::ArgAction::Count
        )
    })
}

fn find_arg<'c>(sub: Option<&'c Command>, flag: &str) -> Option<&'c clap::Arg> {
    let long = flag.strip_prefix("--");
    let short = flag.strip_prefix('-').and_then(|s| s.chars().next());
    sub?.get_arguments().find(|a| match long {
        Some(l) => a.get_long() == Some(l),
        None => short.is_some() && a.get_short() == short,
    })
}

/// For an option the subcommand lacks: which subcommands have it.
fn unknown_option(cmd: &Command, sub: Option<&Command>, flag: &str) -> Option<String> {
    let flag = flag.split('=').next()?;
    let owners: Vec<&str> = cmd
        .get_subcommands()
        .filter(|s| find_arg(Some(s), flag).is_some())
        .map(|s| s.get_name())
        .collect();
    let here = sub.map_or("chainrule".to_string(), |s| {
        format!("chainrule {}", s.get_name())
    });
    let mut names: Vec<String> = owners.iter().map(|o| format!("`chainrule {o}`")).collect();
    let last = names.pop()?;
    let all = if names.is_empty() {
        last
    } else {
        format!("{} and {last}", names.join(", "))
    };
    Some(format!("`{here}` has no {flag}; it is an option of {all}"))
}

/// For a first word that is not a subcommand: a program file to explain, or the list.
fn not_a_subcommand(cmd: &Command, word: &str) -> String {
    if looks_like_a_file(word) {
        return format!(
            "to explain the program in {word}, run `chainrule explain {word}` (or check, eval, graph, steps)"
        );
    }
    let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
    format!(
        "the subcommands are {}; `chainrule --help` says what each does",
        names.join(", ")
    )
}

/// Whether a first word names a program file rather than a subcommand.
fn looks_like_a_file(word: &str) -> bool {
    Path::new(word).exists() || word.contains(['.', '/'])
}

/// A line of `sub`'s examples (its `--help` text after the options) that uses `flag`.
fn example(sub: Option<&Command>, flag: &str) -> Option<String> {
    let sub = sub?;
    let arg = find_arg(Some(sub), flag)?;
    let forms: Vec<String> = arg
        .get_long()
        .map(|l| format!("--{l}"))
        .into_iter()
        .chain(arg.get_short().map(|s| format!("-{s}")))
        .collect();
    let examples = sub.get_after_help()?.to_string();
    examples
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("chainrule"))
        .find(|l| {
            l.split_whitespace().any(|w| {
                forms
                    .iter()
                    .any(|f| w == f || w.starts_with(&format!("{f}=")))
            })
        })
        .map(|l| l.split("  ").next().unwrap_or(l).trim().to_string())
}
