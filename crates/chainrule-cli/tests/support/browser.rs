//! Headless Chromium driven over the DevTools protocol (`--remote-debugging-pipe`), shared
//! by the browser tests of `chainrule steps` (crates/chainrule-cli/tests) and of
//! `chainrule serve` (crates/chainrule-serve/tests), each of which includes this file with
//! `#[path]`. Key presses go through `Input.dispatchKeyEvent`, so Chromium turns them into
//! trusted events that reach the page's own handlers as a person's do.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

extern "C" {
    fn pipe2(fds: *mut i32, flags: i32) -> i32;
    fn fcntl(fd: i32, cmd: i32, ...) -> i32;
    fn dup2(old: i32, new: i32) -> i32;
}
const O_CLOEXEC: i32 = 0o2000000;
const F_DUPFD: i32 = 0;

/// A pipe: (read end, write end), both close-on-exec.
fn pipe() -> (i32, i32) {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { pipe2(fds.as_mut_ptr(), O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2 failed: {}", std::io::Error::last_os_error());
    (fds[0], fds[1])
}

/// The browser, killed when dropped, and its DevTools pipe.
pub struct Browser {
    child: Child,
    to: File,
    from: Receiver<Value>,
    next_id: u64,
    _profile: TempDir,
    /// Every request made by the pages (and their workers) of a session that
    /// [`Browser::record_requests`] was called for, in order.
    pub requests: Vec<String>,
    recording: bool,
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);

impl Browser {
    /// [`Browser::start`], or, without Chromium, `None` after saying the test is
    /// skipped; under `CI=true` a missing Chromium fails the test instead, so CI cannot
    /// skip it silently.
    pub fn start_or_skip(scratch: &Path, size: (u32, u32)) -> Option<Browser> {
        let b = Browser::start(scratch, size);
        if b.is_none() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !ci,
                "CI=true but `chromium` is not installed: .ci/run should install it"
            );
            eprintln!(
                "SKIPPED: `chromium` is not on PATH (apt-get install chromium to run this test)"
            );
        }
        b
    }

    /// Starts headless Chromium with the DevTools protocol on fds 3 (in) and 4 (out);
    /// `None` when there is no `chromium` to run.
    pub fn start(scratch: &Path, (width, height): (u32, u32)) -> Option<Browser> {
        let profile = scratch.join("chromium-profile");
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let (cmd_r, cmd_w) = pipe();
        let (out_r, out_w) = pipe();
        let mut command = Command::new("chromium");
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--window-size={width},{height}"),
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: between fork and exec only fcntl and dup2 run, which are async-signal-safe.
        // Copies above 10 first, so that dup2 onto 3 and 4 never meets its own source (and
        // so clears close-on-exec on the copies the browser keeps).
        unsafe {
            command.pre_exec(move || {
                let (a, b) = (fcntl(cmd_r, F_DUPFD, 10), fcntl(out_w, F_DUPFD, 10));
                if a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let spawned = command.spawn();
        // SAFETY: each descriptor came from pipe2 above and is owned by exactly one File.
        let (to, from, _r, _w) = unsafe {
            (
                File::from_raw_fd(cmd_w),
                File::from_raw_fd(out_r),
                File::from_raw_fd(cmd_r),
                File::from_raw_fd(out_w),
            )
        };
        let child = match spawned {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("could not start chromium: {e}"),
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(from);
            let mut buf = Vec::new();
            while r.read_until(0, &mut buf).is_ok_and(|n| n > 0) {
                buf.pop();
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
                buf.clear();
            }
        });
        Some(Browser {
            child,
            to,
            from: rx,
            next_id: 1,
            _profile: TempDir(profile),
            requests: Vec::new(),
            recording: false,
        })
    }

    /// Sends a DevTools command (to a page when `session` is set) and waits for its result.
    pub fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.send(session, method, params);
        let reply = self.wait_for(|m| m["id"] == json!(id), method);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// Sends a DevTools command without waiting for its result; its id.
    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads the pipe");
        id
    }

    /// From now on, records in [`Browser::requests`] every request the page of `session`
    /// makes, and those of the workers it starts (each attached as it starts, paused until
    /// its requests are watched too).
    pub fn record_requests(&mut self, session: &str) {
        self.recording = true;
        self.call(Some(session), "Network.enable", json!({}));
        self.call(
            Some(session),
            "Target.setAutoAttach",
            json!({"autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true}),
        );
    }

    /// Notes a request, and watches a worker that starts, while recording.
    fn observe(&mut self, m: &Value) {
        match m["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                if let Some(url) = m["params"]["request"]["url"].as_str() {
                    self.requests.push(url.to_string());
                }
            }
            Some("Target.attachedToTarget") => {
                if let Some(child) = m["params"]["sessionId"].as_str().map(str::to_string) {
                    self.send(Some(&child), "Network.enable", json!({}));
                    self.send(Some(&child), "Runtime.runIfWaitingForDebugger", json!({}));
                }
            }
            _ => {}
        }
    }

    /// Opens a blank tab, attaches to it and enables its page events: the tab's session.
    pub fn open_tab(&mut self) -> String {
        let target = self.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        let s = attached["sessionId"].as_str().unwrap().to_string();
        self.call(Some(&s), "Page.enable", json!({}));
        s
    }

    /// The first message that `want` accepts (events before it are dropped).
    pub fn wait_for(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(m) if self.recording => self.observe(&m),
                Ok(_) => {}
                Err(e) => panic!("no answer from chromium to {what}: {e}"),
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    pub fn eval(&mut self, session: &str, expr: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Presses and releases a key, as the keyboard would.
    pub fn press(&mut self, session: &str, key: &str, code: u32) {
        for kind in ["rawKeyDown", "keyUp"] {
            self.call(
                Some(session),
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key,
                       "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}),
            );
        }
    }
}
