//! `chainrule serve`: the notebook as a live local web page (the `chainrule-serve` crate).

use super::Failure;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule serve                      the page at http://127.0.0.1:8000/
  chainrule serve --port 0 --open      any free port, and open a browser on it
  chainrule serve --host 0.0.0.0       listen on every interface (others on the network can use it)
Ctrl-C stops the server.";

/// Arguments of `serve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on; the default is loopback, reachable from this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Open the page in a browser once the server listens.
    #[arg(long)]
    pub open: bool,
}

/// Serves the page until Ctrl-C.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let open = args.open;
    chainrule_serve::run(&args.host, args.port, |url| {
        println!("chainrule serve: the page is at {url} (Ctrl-C stops)");
        if open {
            open_browser(url);
        }
    })
    .map_err(|e| {
        Failure::bad_input(format!(
            "chainrule: error: cannot serve on {}:{}: {e}\n",
            args.host, args.port
        ))
    })?;
    println!("chainrule serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// Starts the desktop's browser on `url`, saying so if there is none.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("chainrule serve: could not open a browser ({opener}: {e}); open {url} yourself");
    }
}
