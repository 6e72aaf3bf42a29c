//! `chainrule serve`: the notebook as a live local web page (the `chainrule-serve` crate).

use super::Failure;
use crate::output;
use std::process::ExitCode;

pub const EXAMPLES: &str = "Examples:
  chainrule serve                      the page at http://127.0.0.1:8000/
  chainrule serve --port 0 --open      any free port, and open a browser on it
  chainrule serve --host 0.0.0.0       listen on every interface (others on the network can use it)
  chainrule serve --read-timeout 30    give slow clients 30 s to send a request
Ctrl-C stops the server (answers in progress get 3 s to finish; Ctrl-C again stops it at once).";

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
    /// Seconds a client has to send a request's head, and then its body; a slower client
    /// is cut off (its body answered 408). An idle connection closes after it too.
    #[arg(long, value_name = "SECS", default_value_t = default_bounds().read_timeout.as_secs_f64(),
          value_parser = seconds)]
    pub read_timeout: f64,
    /// The most connections open at once (lowered to fit the limit on open files). Past
    /// it, a new connection closes the oldest idle one, or is answered 503 when none is idle.
    #[arg(long, value_name = "N", default_value_t = default_bounds().max_connections,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,
}

fn default_bounds() -> chainrule_serve::ServerBounds {
    chainrule_serve::ServerBounds::default()
}

/// A number of seconds from 0.1 to a day.
fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.1..=86_400.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "{s:?} is not a number of seconds from 0.1 to 86400"
        )),
    }
}

/// Serves the page until Ctrl-C.
pub fn run(args: &Args) -> Result<ExitCode, Failure> {
    let open = args.open;
    let bounds = chainrule_serve::ServerBounds {
        read_timeout: std::time::Duration::from_secs_f64(args.read_timeout),
        max_connections: args.max_connections,
        ..default_bounds()
    };
    chainrule_serve::run(&args.host, args.port, bounds, |url| {
        println!("chainrule serve: the page is at {url} (Ctrl-C stops)");
        if open {
            open_browser(url);
        }
    })
    .map_err(|e| {
        let paint = |code, s| output::paint(output::colour_stderr(), code, s);
        Failure::bad_input(format!(
            "chainrule: {}: cannot serve on {}:{}: {e}\n{}: {}\n",
            paint("1;31", "error"),
            args.host,
            args.port,
            paint("1;36", "help"),
            advice(&e, args)
        ))
    })?;
    println!("chainrule serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// What to do when the server cannot listen.
fn advice(e: &std::io::Error, args: &Args) -> String {
    use std::io::ErrorKind::*;
    let other_port = format!(
        "choose another port, as in --port {}, or --port 0 for any free one",
        args.port.checked_add(1).unwrap_or(8000)
    );
    match e.kind() {
        AddrInUse => format!(
            "another program (perhaps another chainrule serve) listens on port {}: stop it, or {other_port}",
            args.port
        ),
        PermissionDenied => format!("ports below 1024 need administrator rights: {other_port}"),
        AddrNotAvailable => "--host must be an address of this machine: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)".into(),
        _ => "check --host (an address or name of this machine, e.g. 127.0.0.1) and --port (0 to 65535; 0 for any free port)".into(),
    }
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
