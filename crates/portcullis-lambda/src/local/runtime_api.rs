//! The Lambda Runtime API (version 2018-06-01) as one process sees it, served
//! with hyper's HTTP/1 server on that process's own loopback port.
//!
//! Routes, status codes and bodies follow Lambda's (as the open-source Runtime
//! Interface Emulator implements them, `internal/lambda/rapi`):
//! - `GET /2018-06-01/runtime/invocation/next`: 200 with the event and the
//!   `Lambda-Runtime-*` headers, held open until there is an invocation.
//! - `POST /2018-06-01/runtime/invocation/{id}/response` and `/error`:
//!   202 `{"status":"OK"}`; 400 `InvalidRequestID` for an id that is not the
//!   invocation in progress (or is already answered); 413
//!   `RequestEntityTooLarge` past 6 MiB + 100 bytes (the invocation then fails
//!   with `Function.ResponseSizeTooLarge`, and the process stays usable).
//! - `POST /2018-06-01/runtime/init/error`: 202; 403 `InvalidStateTransition`
//!   once init is over.
//! - Out-of-order calls: 403 `InvalidStateTransition`; unknown paths 404.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use super::documents::{self, MAX_RESPONSE_BYTES};
use super::process::{Completion, ProcShared, Reject, until_true};

const PREFIX: &str = "/2018-06-01/runtime/";

const REQUEST_ID: HeaderName = HeaderName::from_static("lambda-runtime-aws-request-id");
const DEADLINE_MS: HeaderName = HeaderName::from_static("lambda-runtime-deadline-ms");
const FUNCTION_ARN: HeaderName = HeaderName::from_static("lambda-runtime-invoked-function-arn");
const TRACE_ID: HeaderName = HeaderName::from_static("lambda-runtime-trace-id");
const ERROR_TYPE: HeaderName = HeaderName::from_static("lambda-runtime-function-error-type");
const APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

type Reply = Response<Full<Bytes>>;

/// Accepts the process's connections until it ends.
pub(super) async fn serve(listener: TcpListener, process: Arc<ProcShared>) {
    let mut exited = process.exited();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = until_true(&mut exited) => return,
        };
        match accepted {
            Ok((stream, _)) => {
                // Answers are small and latency matters more than packets.
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, Arc::clone(&process)));
            }
            Err(error) => {
                // E.g. out of file descriptors: back off rather than spin.
                tracing::warn!(function = %process.function.name, %error, "Runtime API accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

async fn connection(stream: TcpStream, process: Arc<ProcShared>) {
    let mut exited = process.exited();
    let service = service_fn(move |request| {
        let process = Arc::clone(&process);
        async move { Ok::<_, Infallible>(route(&process, request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    // A long-polling `/next` must not outlive its process.
    tokio::select! {
        _ = connection => {}
        () = until_true(&mut exited) => {}
    }
}

async fn route(process: &ProcShared, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    let rest = path.strip_prefix(PREFIX).unwrap_or_default();
    let answer = rest
        .strip_prefix("invocation/")
        .and_then(|tail| tail.split_once('/'));
    let refusal = match (rest, answer) {
        ("invocation/next", _) if parts.method == Method::GET => return next(process).await,
        ("init/error", _) if parts.method == Method::POST => {
            return init_error(process, &parts.headers, body).await;
        }
        (_, Some((id, kind @ ("response" | "error")))) if parts.method == Method::POST => {
            return answer_invocation(process, id, kind == "error", &parts.headers, body).await;
        }
        ("invocation/next" | "init/error", _) | (_, Some((_, "response" | "error"))) => {
            method_not_allowed(&parts.method, path)
        }
        _ => not_found(path),
    };
    refuse(body, refusal).await
}

/// Reads and drops the body of a refused request before answering, so the
/// connection stays usable: a runtime reuses its connection, and an unread
/// body would make the server close it under the runtime's next request.
async fn refuse(body: Incoming, reply: Reply) -> Reply {
    let _ = read_limited(body).await;
    reply
}

async fn next(process: &ProcShared) -> Reply {
    match process.next().await {
        Ok((invocation, deadline_ms)) => {
            let mut reply = Response::new(Full::new(invocation.payload));
            let headers = reply.headers_mut();
            if let Ok(id) = HeaderValue::from_bytes(invocation.id.as_bytes()) {
                headers.insert(REQUEST_ID, id);
            }
            headers.insert(DEADLINE_MS, HeaderValue::from(deadline_ms));
            headers.insert(FUNCTION_ARN, process.function.arn.clone());
            headers.insert(TRACE_ID, invocation.trace);
            headers.insert(CONTENT_TYPE, APPLICATION_JSON);
            reply
        }
        Err(reject) => rejected(reject),
    }
}

async fn answer_invocation(
    process: &ProcShared,
    id: &str,
    is_error: bool,
    headers: &HeaderMap,
    body: Incoming,
) -> Reply {
    // The id is checked before the body is read, as Lambda does.
    let request_id = match process.check(id) {
        Ok(request_id) => request_id,
        Err(reject) => return refuse(body, rejected(reject)).await,
    };
    let (completion, reply) = match read_limited(body).await {
        Ok(Read::Complete(body)) => {
            let completion = if !is_error {
                Completion::Returned(body)
            } else if body.is_empty() {
                let error_type = headers
                    .get(ERROR_TYPE)
                    .and_then(|value| value.to_str().ok());
                Completion::Failed(documents::reported_without_body(error_type))
            } else {
                Completion::Failed(body)
            };
            (completion, accepted())
        }
        Ok(Read::TooLarge(size)) => (
            Completion::Failed(documents::response_too_large(size)),
            error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                &format!("Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."),
            ),
        ),
        Err(_) => (
            Completion::Failed(documents::truncated(request_id)),
            error(
                StatusCode::BAD_REQUEST,
                "TruncatedHTTPRequest",
                "HTTP request detected as truncated",
            ),
        ),
    };
    match process.complete(id, completion) {
        Ok(()) => reply,
        Err(reject) => rejected(reject),
    }
}

async fn init_error(process: &ProcShared, headers: &HeaderMap, body: Incoming) -> Reply {
    let body = match read_limited(body).await {
        Ok(Read::Complete(body)) if !body.is_empty() => body,
        Ok(Read::Complete(_)) => {
            let error_type = headers
                .get(ERROR_TYPE)
                .and_then(|value| value.to_str().ok());
            documents::reported_without_body(error_type)
        }
        Ok(Read::TooLarge(size)) => documents::response_too_large(size),
        Err(_) => documents::reported_without_body(Some("Runtime.Unknown")),
    };
    match process.init_error(body) {
        Ok(()) => accepted(),
        Err(reject) => rejected(reject),
    }
}

enum Read {
    Complete(Bytes),
    TooLarge(usize),
}

/// Reads a body of at most [`MAX_RESPONSE_BYTES`]; past that, counts the rest
/// without keeping it (Lambda reports the full size). The whole body is read
/// even when its `Content-Length` is already too large: a runtime still
/// writing when the answer comes would see a reset connection, not the 413.
async fn read_limited(mut body: Incoming) -> Result<Read, hyper::Error> {
    let mut first: Option<Bytes> = None;
    let mut more: Option<BytesMut> = None;
    let mut total = 0usize;
    let capacity = usize::try_from(body.size_hint().lower())
        .unwrap_or(0)
        .min(MAX_RESPONSE_BYTES);
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total > MAX_RESPONSE_BYTES {
            first = None;
            more = None;
            continue;
        }
        match (&mut first, &mut more) {
            (None, None) => first = Some(data),
            (Some(head), None) => {
                let mut joined = BytesMut::with_capacity(capacity.max(head.len() + data.len()));
                joined.extend_from_slice(head);
                joined.extend_from_slice(&data);
                first = None;
                more = Some(joined);
            }
            (_, Some(joined)) => joined.extend_from_slice(&data),
        }
    }
    if total > MAX_RESPONSE_BYTES {
        return Ok(Read::TooLarge(total));
    }
    Ok(Read::Complete(match (first, more) {
        (_, Some(joined)) => joined.freeze(),
        (Some(head), None) => head,
        (None, None) => Bytes::new(),
    }))
}

fn json(status: StatusCode, body: Bytes) -> Reply {
    let mut reply = Response::new(Full::new(body));
    *reply.status_mut() = status;
    reply.headers_mut().insert(CONTENT_TYPE, APPLICATION_JSON);
    reply
}

fn accepted() -> Reply {
    json(
        StatusCode::ACCEPTED,
        Bytes::from_static(br#"{"status":"OK"}"#),
    )
}

fn error(status: StatusCode, error_type: &str, message: &str) -> Reply {
    let body = serde_json::to_vec(
        &serde_json::json!({ "errorMessage": message, "errorType": error_type }),
    )
    .unwrap_or_default();
    json(status, Bytes::from(body))
}

fn rejected(reject: Reject) -> Reply {
    match reject {
        Reject::InvalidRequestId => error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestID",
            "Invalid request ID",
        ),
        Reject::InvalidState { from, to } => error(
            StatusCode::FORBIDDEN,
            "InvalidStateTransition",
            &format!(
                "State transition from {from} to {to} failed for runtime. Error: State transition is not allowed"
            ),
        ),
        Reject::Gone => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Internal Server Error",
        ),
    }
}

fn not_found(path: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("No Runtime API route for {path}"),
    )
}

fn method_not_allowed(method: &Method, path: &str) -> Reply {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!("{method} is not allowed on {path}"),
    )
}
