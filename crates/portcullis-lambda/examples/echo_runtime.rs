//! A minimal Lambda runtime that answers every event with the event itself.
//!
//! Standard library only, one keep-alive connection, no JSON parsing: it
//! spends next to no time of its own, so timing an invocation against it
//! measures the host's overhead (`benches/local_invoke.rs` runs it). Also a
//! readable example of the Runtime API loop:
//!
//! ```text
//! loop {
//!     GET  /2018-06-01/runtime/invocation/next           -> event + Lambda-Runtime-Aws-Request-Id
//!     POST /2018-06-01/runtime/invocation/{id}/response  <- result, answered 202
//! }
//! ```
//!
//! Run it as a local function's command; it reads `AWS_LAMBDA_RUNTIME_API`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;

fn main() {
    if let Err(error) = run() {
        eprintln!("echo_runtime: {error}");
        std::process::exit(1);
    }
}

/// The next-response loop; returns only on an error.
pub(crate) fn run() -> io::Result<()> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").map_err(|_| {
        io::Error::other("AWS_LAMBDA_RUNTIME_API is not set: run me as a local function")
    })?;
    let stream = TcpStream::connect(&api)?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let next = format!("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: {api}\r\n\r\n");
    let mut request = Vec::with_capacity(1024);
    loop {
        writer.write_all(next.as_bytes())?;
        let (status, request_id, event) = read_response(&mut reader)?;
        if status != 200 {
            return Err(io::Error::other(format!("/next answered {status}")));
        }
        let request_id = request_id.ok_or_else(|| io::Error::other("/next gave no request id"))?;
        request.clear();
        write!(
            request,
            "POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\nHost: {api}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            event.len()
        )?;
        request.extend_from_slice(&event);
        writer.write_all(&request)?;
        let (status, ..) = read_response(&mut reader)?;
        if status != 202 {
            return Err(io::Error::other(format!("/response answered {status}")));
        }
    }
}

/// Reads one HTTP/1.1 response with a `Content-Length` body: its status, its
/// `Lambda-Runtime-Aws-Request-Id` and its body.
fn read_response(reader: &mut impl BufRead) -> io::Result<(u16, Option<String>, Vec<u8>)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("not an HTTP status line: {line:?}")))?;
    let mut length = 0usize;
    let mut request_id = None;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .parse()
                .map_err(|_| io::Error::other("bad Content-Length"))?;
        } else if name.eq_ignore_ascii_case("lambda-runtime-aws-request-id") {
            request_id = Some(value.to_owned());
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((status, request_id, body))
}
