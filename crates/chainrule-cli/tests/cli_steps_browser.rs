//! `chainrule steps` in a real browser: the site's index.html opens in headless Chromium
//! from `file://`, and real key presses step through it.
//!
//! The keys are pressed through the DevTools protocol (`Input.dispatchKeyEvent` over
//! `--remote-debugging-pipe`): Chromium turns them into trusted keyboard events that
//! reach the page through its own input pipeline and the page's own `keydown` handler,
//! exactly as a person's key press does. The test then reads the step counter and which
//! picture is shown from the DOM.
//!
//! Without Chromium on PATH the test is skipped with a message, unless `CI=true`: then it
//! fails, so CI cannot skip it silently (`.ci/run` installs Debian's `chromium`).
#![cfg(target_os = "linux")]

mod common;

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
struct Browser {
    child: Child,
    to: File,
    from: Receiver<Value>,
    next_id: u64,
    _profile: TempDir,
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
    /// Starts headless Chromium with the DevTools protocol on fds 3 (in) and 4 (out);
    /// `None` when there is no `chromium` to run.
    fn start(scratch: &Path) -> Option<Browser> {
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
                "--window-size=1280,800",
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
        })
    }

    /// Sends a DevTools command (to a page when `session` is set) and waits for its result.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads the pipe");
        let reply = self.wait_for(|m| m["id"] == json!(id), method);
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The first message that `want` accepts (events before it are dropped).
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool, what: &str) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(_) => {}
                Err(e) => panic!("no answer from chromium to {what}: {e}"),
            }
        }
    }

    /// The value of a JavaScript expression in the page.
    fn eval(&mut self, session: &str, expr: &str) -> Value {
        let r = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Presses and releases a key, as the keyboard would.
    fn press(&mut self, session: &str, key: &str, code: u32) {
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

/// The counter's text, the shown frame's id, and how many frames are displayed.
fn shown(b: &mut Browser, session: &str) -> (String, String, i64) {
    let v = b.eval(
        session,
        "JSON.stringify([document.getElementById('counter').textContent, \
         document.querySelector('.frame.current').id, \
         [...document.querySelectorAll('.frame')].filter(f => getComputedStyle(f).display !== 'none').length])",
    );
    let v: Value = serde_json::from_str(v.as_str().unwrap()).unwrap();
    (
        v[0].as_str().unwrap().to_string(),
        v[1].as_str().unwrap().to_string(),
        v[2].as_i64().unwrap(),
    )
}

#[test]
fn index_html_opens_in_chromium_and_arrow_keys_step_through() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("steps-browser");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let Some(mut b) = Browser::start(&scratch) else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "CI=true but `chromium` is not installed: .ci/run should install it"
        );
        eprintln!("SKIPPED: `chromium` is not on PATH (apt-get install chromium to run this test)");
        return;
    };
    let site = scratch.join("site");
    let out = common::run(&["steps", "-o", site.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let target = b.call(None, "Target.createTarget", json!({"url": "about:blank"}));
    let target = target["targetId"].as_str().unwrap().to_string();
    let attached = b.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target, "flatten": true}),
    );
    let s = attached["sessionId"].as_str().unwrap().to_string();
    b.call(Some(&s), "Page.enable", json!({}));
    let url = format!("file://{}", site.join("index.html").display());
    b.call(Some(&s), "Page.navigate", json!({"url": url}));
    b.wait_for(
        |m| m["method"] == "Page.loadEventFired" && m["sessionId"] == json!(s),
        "the page's load",
    );

    b.eval(
        &s,
        "window.seen = []; document.addEventListener('keydown', e => seen.push([e.key, e.isTrusted])); 0",
    );
    let at = |k: usize| (format!("Step {k} of 7"), format!("frame-{k}"), 1);
    assert_eq!(shown(&mut b, &s), at(0), "opens at step 0, one frame shown");
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(1));
    b.press(&s, "ArrowRight", 39);
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(3));
    // Step 3 finishes d: its box is the lit one, and its grad is drawn; a's is not yet.
    let lit = b.eval(
        &s,
        "[...document.querySelectorAll('#frame-3 g.value.lit text')].map(t => t.textContent).join('|')",
    );
    assert_eq!(lit, json!("d|data 4.0000|grad -2.0000"));
    let a = b.eval(
        &s,
        "[...document.querySelectorAll('#frame-3 #n0 text')].map(t => t.textContent).join('|')",
    );
    assert_eq!(a, json!("a|data 2.0000|grad ?"));
    b.press(&s, "ArrowLeft", 37);
    assert_eq!(shown(&mut b, &s), at(2));
    b.press(&s, "End", 35);
    assert_eq!(shown(&mut b, &s), at(7));
    b.press(&s, "ArrowRight", 39);
    assert_eq!(shown(&mut b, &s), at(7), "stays at the last step");
    let next_disabled = b.eval(&s, "document.getElementById('next').disabled");
    assert_eq!(next_disabled, json!(true));
    b.press(&s, "Home", 36);
    assert_eq!(shown(&mut b, &s), at(0));
    // Every key arrived as a real, trusted key press, not a synthetic event.
    let keys = b.eval(&s, "JSON.stringify(window.seen)");
    assert_eq!(
        keys,
        json!(
            r#"[["ArrowRight",true],["ArrowRight",true],["ArrowRight",true],["ArrowLeft",true],["End",true],["ArrowRight",true],["Home",true]]"#
        )
    );
}
