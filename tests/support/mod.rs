//! Support for tests of the `portcullis` binary: spawn it, find its port, talk HTTP/1.1.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary under test.
pub fn portcullis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
}

/// A running `portcullis serve`, stopped by PID when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: mpsc::Receiver<String>,
    /// The log lines written before the listening line (route table, warnings).
    pub startup: Vec<String>,
}

impl Server {
    /// Starts `portcullis serve ARGS --listen 127.0.0.1:0` and waits for its listening line.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with(portcullis(), args)
    }

    /// As [`Server::start`], with `command` prepared by the caller (working directory, environment).
    pub fn start_with(mut command: Command, args: &[&str]) -> Self {
        let mut child = command
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        let addr = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(remaining) {
                Ok(line) => {
                    if let Some(at) = line.find("listening on http://") {
                        let rest = &line[at + "listening on http://".len()..];
                        let end = rest
                            .find(|c: char| c == '"' || c.is_whitespace())
                            .unwrap_or(rest.len());
                        break rest[..end].parse().expect("a socket address");
                    }
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "portcullis did not report listening; its log:\n{}",
                        seen.join("\n")
                    );
                }
            }
        };
        Self {
            child,
            addr,
            log: rx,
            startup: seen,
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} worked");
    }

    /// Waits for a log line containing `needle`.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while let Ok(line) = self
            .log
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if line.contains(needle) {
                return Some(line);
            }
        }
        None
    }

    /// Waits for the process to exit, at most `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python of the tests' venv (`PORTCULLIS_PYTHON`, set by
/// scripts/test.sh); fails saying what the test needs it for.
pub fn python(needed_for: &str) -> String {
    std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: this test needs Python to {needed_for}; \
             run it through scripts/test.sh, which installs what it needs"
        )
    })
}

/// Where a server's admin listener listens, from its log line.
pub fn admin_address(server: &Server) -> SocketAddr {
    let line = server
        .wait_log("admin endpoints on http://", Duration::from_secs(10))
        .expect("the admin listener starts");
    line.split("admin endpoints on http://")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| c == '"' || c.is_whitespace()).next())
        .and_then(|addr| addr.parse().ok())
        .expect("the admin address is logged")
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body's bytes, for binary answers.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP/1.1 client on one keep-alive connection.
pub struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> std::io::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Self {
            stream: BufReader::new(stream),
        })
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Reply> {
        // `Host: localhost` unless the caller names a host.
        let host = if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            ""
        } else {
            "Host: localhost\r\n"
        };
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\n{host}Content-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        read_reply(&mut self.stream)
    }
}

fn read_reply(reader: &mut BufReader<TcpStream>) -> std::io::Result<Reply> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    let status: u16 = line
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    })
}

/// One request on a fresh connection.
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<Reply> {
    Client::connect(addr)?.request("GET", path, &[], b"")
}

/// A loopback backend that answers every request (at most `max`, each on
/// its own connection) with `METHOD TARGET host=HOST` as its body.
pub fn echo_backend(max: usize) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut host = String::new();
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line.trim_end().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.trim_end().split_once(':')
                        && name.eq_ignore_ascii_case("host")
                    {
                        value.trim().clone_into(&mut host);
                    }
                    line.clear();
                }
                let mut words = request_line.split_whitespace();
                let body = format!(
                    "{} {} host={host}",
                    words.next().unwrap_or_default(),
                    words.next().unwrap_or_default()
                );
                let _ = reader.get_mut().write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    addr
}

/// Writes `text` to the file `name` in `dir` and returns its path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

/// Writes `contents` to `path` atomically (write then rename), as editors and deploy tools do.
pub fn write_atomically(path: &Path, contents: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A REST API with one MOCK route `GET /v` answering `body`.
pub fn versioned_api(body: &str) -> String {
    format!(
        "openapi: \"3.0.1\"\ninfo:\n  title: \"versioned\"\n  version: \"1\"\npaths:\n  /v:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"mock\"\n        requestTemplates:\n          application/json: \"{{\\\"statusCode\\\": 200}}\"\n        responses:\n          default:\n            statusCode: \"200\"\n            responseTemplates:\n              application/json: \"{body}\"\n"
    )
}

/// `REDIS_URL` (scripts/test.sh sets it), else the default port; fails with
/// what to do when nothing answers there.
pub fn redis_url() -> String {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let address = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap_or("127.0.0.1:6379")
        .to_owned();
    if std::net::TcpStream::connect_timeout(
        &address.parse().expect("REDIS_URL names HOST:PORT"),
        Duration::from_secs(2),
    )
    .is_err()
    {
        panic!(
            "no Redis answers at {url}: run scripts/test.sh (it starts one) or start redis-server on 127.0.0.1:6379"
        );
    }
    url
}

/// A `redis-server` of the test's own on a free port, stopped by PID on drop.
pub struct OwnRedis {
    child: std::process::Child,
}

impl OwnRedis {
    pub fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect(
                "redis-server runs: scripts/test.sh installs it (apt-get install redis-server)",
            );
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child }
    }

    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a request `sign_with_botocore` signed for `http://localhost...`:
/// its path and query, and its headers but `Host` and `Content-Length`
/// (the client writes its own).
pub fn send_signed(
    addr: SocketAddr,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &str,
) -> Reply {
    let target = url.strip_prefix("http://localhost").unwrap();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length")
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    Client::connect(addr)
        .unwrap()
        .request(method, target, &headers, body.as_bytes())
        .unwrap()
}

/// Signs requests as an AWS SDK would, with botocore
/// (`tests/authorizers/sign.py`: a JSON list of `{method, url, body,
/// access_key, secret_key, token?, presign?}`); each request's URL and headers.
pub fn sign_with_botocore(specs: &serde_json::Value) -> Vec<(String, Vec<(String, String)>)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers/sign.py");
    let mut child = Command::new(python("sign requests with botocore"))
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(specs.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let signed: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("sign.py printed no JSON ({e}); is botocore installed?"));
    signed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let headers = r["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            (r["url"].as_str().unwrap().to_owned(), headers)
        })
        .collect()
}

/// moto's server (`tests/aws_services/services.py`), and a boto3 client
/// of it driven line by line.
pub struct Moto {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws_services/services.py");
        let mut child = Command::new(python("run moto and boto3"))
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python runs");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let started: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("moto printed {line:?} ({e}); is moto[server] installed? run scripts/test.sh")
        });
        Self {
            endpoint: started["endpoint"].as_str().unwrap().to_owned(),
            child,
            stdin,
            stdout,
        }
    }

    pub fn run(&mut self, command: serde_json::Value) -> serde_json::Value {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(answer.get("error").is_none(), "{command} -> {answer}");
        answer
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The stand-in OpenID issuer (`tests/authorizers/issuer.py`): its URL,
/// its tokens; stopped when dropped.
pub struct Issuer {
    child: Child,
    _stdin: ChildStdin,
    pub url: String,
    tokens: serde_json::Value,
}

impl Issuer {
    pub fn start() -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers/issuer.py");
        let mut child = Command::new(python("mint tokens with PyJWT"))
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the issuer starts");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("the issuer printed {line:?} ({e}); is PyJWT installed? run scripts/test.sh")
        });
        Self {
            child,
            _stdin: stdin,
            url: info["issuer"].as_str().unwrap().to_owned(),
            tokens: info["tokens"].clone(),
        }
    }

    pub fn token(&self, name: &str) -> &str {
        self.tokens[name].as_str().unwrap()
    }

    pub fn jwks_fetches(&self) -> u64 {
        let port: u16 = self.url.rsplit(':').next().unwrap().parse().unwrap();
        let reply = get(([127, 0, 0, 1], port).into(), "/stats").unwrap();
        let stats: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        stats["jwks"].as_u64().unwrap()
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
