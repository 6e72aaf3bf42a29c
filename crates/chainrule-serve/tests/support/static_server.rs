//! A plain static file server for the static site (`python3 -m http.server`, as a user would
//! serve it), on a free port of 127.0.0.1, stopped when dropped. Shared by the browser tests
//! (crates/chainrule-serve/tests) and `chainrule-bench web`, each of which includes this
//! file with `#[path]`.

use std::path::PathBuf;

/// A plain static file server (`python3 -m http.server`) on a free port of 127.0.0.1,
/// stopped when dropped.
pub struct StaticServer {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl StaticServer {
    /// Serves `dir`.
    pub fn start(dir: PathBuf) -> StaticServer {
        use std::io::BufRead;
        let mut child = std::process::Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs (the static site's tests serve it with python3 -m http.server)");
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let mut line = String::new();
        let out = child.stdout.take().unwrap();
        std::io::BufReader::new(out).read_line(&mut line).unwrap();
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("python3 -m http.server said {line:?}"));
        StaticServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
