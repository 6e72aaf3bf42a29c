//! One module per subcommand. A subcommand is an `Args` struct (clap derive, with
//! examples in its `after_help`) and a `run(&Args) -> Result<ExitCode, Failure>`;
//! adding one is a module here and a variant in `main.rs`'s `Command`.

pub mod check;
pub mod default;
pub mod eval;
pub mod explain;
pub mod graph;
pub mod learn;
pub mod predict;
pub mod serve;
pub mod steps;
pub mod train;
mod train_opts;
mod train_plot;

/// A failure to report on stderr, with the exit code to end with.
#[derive(Debug)]
pub struct Failure {
    /// The message, already rendered (with the source line and caret for bad input).
    pub message: String,
    /// The exit code.
    pub code: u8,
}

impl Failure {
    /// Bad input or usage: exit code 2.
    pub fn bad_input(message: String) -> Failure {
        Failure {
            message,
            code: crate::EXIT_BAD_INPUT,
        }
    }

    /// Bad input with what to do about it: `chainrule: error: {what}` and a `help:` line
    /// (coloured on a terminal); exit code 2.
    pub fn with_help(what: &str, help: &str) -> Failure {
        let paint = |code, s| crate::output::paint(crate::output::colour_stderr(), code, s);
        Failure::bad_input(format!(
            "chainrule: {}: {what}\n{}: {help}\n",
            paint("1;31", "error"),
            paint("1;36", "help")
        ))
    }
}

/// What to do when a file or directory cannot be written.
pub const WRITE_HELP: &str =
    "check that the directory exists (or can be made) and is writable, or choose another path";
