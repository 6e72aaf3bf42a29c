//! Writing to the terminal: colour only on a terminal without NO_COLOR, and a closed
//! pipe (`chainrule eval | head -1`) is not an error.

use crate::cmd::Failure;
use std::io::{self, IsTerminal, Write};

/// Whether NO_COLOR asks for no colour (set and not empty, as no-color.org says).
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether to colour what goes to stdout.
pub fn colour_stdout() -> bool {
    io::stdout().is_terminal() && !no_color()
}

/// Whether to colour what goes to stderr.
pub fn colour_stderr() -> bool {
    io::stderr().is_terminal() && !no_color()
}

/// `s` in the ANSI style `code` when `colour` is on.
pub fn paint(colour: bool, code: &str, s: &str) -> String {
    if colour {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Writes `text` to stdout. A closed pipe ends the output quietly.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Failure {
            message: format!("chainrule: error: cannot write the output: {e}\n"),
            code: crate::EXIT_BAD_INPUT,
        }),
        _ => Ok(()),
    }
}

/// Writes an error message to stderr.
pub fn print_error(message: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(message.as_bytes());
    if !message.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}
