//! A plain HTTP/1.1 client over std's `TcpStream`, as small as the server's tests and
//! benchmarks need: a request on a connection of its own, or many on one kept alive. It
//! sends exactly what it is given, so tests can also send what a browser never would.
//!
//! ```
//! let addr = chainrule_serve::spawn_local().unwrap().to_string();
//! let answer = chainrule_serve::client::post(&addr, "/api/program", r#"{"source": "a = 3; L = a*a"}"#).unwrap();
//! assert_eq!(answer.status, 200);
//! assert_eq!(answer.json()["output"]["data"], 9.0);
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An answer: its status, its head's header lines and its body.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The header lines, as sent.
    pub headers: Vec<String>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }

    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_default()
    }

    /// Reads an answer's head and its body (by `Content-Length`, or to the end).
    fn read(r: &mut impl BufRead) -> io::Result<Answer> {
        let mut line = String::new();
        r.read_line(&mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, format!("no status in {line:?}"))
            })?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if r.read_line(&mut line)? == 0 || line == "\r\n" {
                break;
            }
            headers.push(line.trim_end().to_string());
        }
        let mut answer = Answer {
            status,
            headers,
            body: String::new(),
        };
        let mut body = Vec::new();
        match answer.header("content-length").and_then(|n| n.parse().ok()) {
            Some(n) => {
                body.resize(n, 0);
                r.read_exact(&mut body)?;
            }
            None => {
                r.read_to_end(&mut body)?;
            }
        }
        answer.body = String::from_utf8_lossy(&body).into_owned();
        Ok(answer)
    }
}

/// The text of a request with `body` (a JSON body, if any) for the server at `addr`.
fn request_text(addr: &str, method: &str, path: &str, body: Option<&str>, close: bool) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    if close {
        text += "Connection: close\r\n";
    }
    if let Some(b) = body {
        text += &format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        );
    }
    text + "\r\n" + body.unwrap_or("")
}

/// A request on a connection of its own; the answer.
pub fn request(addr: &str, method: &str, path: &str, body: Option<&str>) -> io::Result<Answer> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    s.write_all(request_text(addr, method, path, body, true).as_bytes())?;
    Answer::read(&mut BufReader::new(s))
}

/// A POST of the JSON `body` on a connection of its own.
pub fn post(addr: &str, path: &str, body: &str) -> io::Result<Answer> {
    request(addr, "POST", path, Some(body))
}

/// A GET on a connection of its own.
pub fn get(addr: &str, path: &str) -> io::Result<Answer> {
    request(addr, "GET", path, None)
}

/// The answer to a request already written on `s` (a request built by hand).
pub fn answer_on(s: TcpStream) -> io::Result<Answer> {
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    Answer::read(&mut BufReader::new(s))
}

/// One connection kept alive for request after request, as a browser keeps one.
pub struct Connection {
    addr: String,
    stream: BufReader<TcpStream>,
}

impl Connection {
    /// Connects to the server at `addr`.
    pub fn open(addr: &str) -> io::Result<Connection> {
        let s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        s.set_nodelay(true)?;
        Ok(Connection {
            addr: addr.to_string(),
            stream: BufReader::new(s),
        })
    }

    /// A request on this connection; the answer.
    pub fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> io::Result<Answer> {
        let text = request_text(&self.addr, method, path, body, false);
        self.stream.get_mut().write_all(text.as_bytes())?;
        Answer::read(&mut self.stream)
    }
}
