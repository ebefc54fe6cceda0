//! The error documents Lambda itself writes when a function fails without
//! reporting an error of its own (timeout, crash, oversized response), worded
//! as Lambda words them so clients and API Gateway error regexes match.

use std::process::ExitStatus;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde_json::json;

use super::ids::{RequestId, rfc3339_millis};

/// The largest response a runtime may post: 6 MiB plus 100 bytes, as the
/// Runtime Interface Emulator's `interop.MaxPayloadSize` (the 100 bytes leave
/// room for the JSON quoting of a 6 MiB string).
pub(super) const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024 + 100;

/// The largest request payload of a synchronous invocation: 6 MB (6,291,456
/// bytes), Lambda's documented `RequestResponse` limit.
pub(super) const MAX_REQUEST_BYTES: usize = 6 * 1024 * 1024;

fn to_bytes(value: &serde_json::Value) -> Bytes {
    // Serialising a `Value` of strings cannot fail; fall back to an empty
    // object rather than panic should that ever change.
    Bytes::from(serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec()))
}

/// `{"errorMessage":"2024-05-01T12:00:00.000Z <id> Task timed out after 3.00 seconds"}`:
/// the document a synchronous invoke returns when the function times out.
pub(super) fn timed_out(request_id: RequestId, timeout: Duration, at: SystemTime) -> Bytes {
    to_bytes(&json!({ "errorMessage": timed_out_line(request_id, timeout, at) }))
}

/// The line Lambda writes to the function's log when it times out, which is
/// also the timeout document's message.
pub(super) fn timed_out_line(request_id: RequestId, timeout: Duration, at: SystemTime) -> String {
    format!(
        "{} {} Task timed out after {:.2} seconds",
        rfc3339_millis(at),
        request_id,
        timeout.as_secs_f64()
    )
}

/// `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited with error: exit status 1"}`:
/// the runtime process ended while an invocation was outstanding.
pub(super) fn exit_error(request_id: RequestId, exit: &str) -> Bytes {
    to_bytes(&json!({
        "errorType": "Runtime.ExitError",
        "errorMessage": format!("RequestId: {request_id} Error: {exit}"),
    }))
}

/// Lambda's words for why a runtime ended (Go's `ProcessState.String()`
/// under `rapid`'s prefix).
pub(super) fn describe_exit(status: Option<ExitStatus>) -> String {
    let Some(status) = status else {
        return "Runtime exited with error: unknown status".to_owned();
    };
    if status.success() {
        return "Runtime exited without providing a reason".to_owned();
    }
    if let Some(code) = status.code() {
        return format!("Runtime exited with error: exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                1 => "hangup",
                2 => "interrupt",
                3 => "quit",
                4 => "illegal instruction",
                6 => "aborted",
                7 => "bus error",
                8 => "floating point exception",
                9 => "killed",
                11 => "segmentation fault",
                13 => "broken pipe",
                15 => "terminated",
                _ => return format!("Runtime exited with error: signal {signal}"),
            };
            let core = if status.core_dumped() {
                " (core dumped)"
            } else {
                ""
            };
            return format!("Runtime exited with error: signal: {name}{core}");
        }
    }
    format!("Runtime exited with error: {status}")
}

/// `Function.ResponseSizeTooLarge`, as the Runtime Interface Emulator's
/// `ErrorResponseTooLarge.AsErrorResponse` words it.
pub(super) fn response_too_large(size: usize) -> Bytes {
    to_bytes(&json!({
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": format!(
            "Response payload size ({size} bytes) exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
        ),
    }))
}

/// The runtime's connection broke while it was posting its answer.
pub(super) fn truncated(request_id: RequestId) -> Bytes {
    to_bytes(&json!({
        "errorType": "Runtime.TruncatedResponse",
        "errorMessage": format!("RequestId: {request_id} Error: the runtime's response was cut off"),
    }))
}

/// A document for an error the runtime reported with an empty body, so the
/// caller still gets `errorType` (from the `Lambda-Runtime-Function-Error-Type`
/// header, or `Runtime.Unknown` as Lambda's fallback).
pub(super) fn reported_without_body(error_type: Option<&str>) -> Bytes {
    let error_type = error_type
        .filter(|t| !t.is_empty())
        .unwrap_or("Runtime.Unknown");
    to_bytes(&json!({ "errorType": error_type, "errorMessage": "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timed_out_reads_like_lambda() {
        let id = RequestId::new();
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_564_800);
        let doc: serde_json::Value =
            serde_json::from_slice(&timed_out(id, Duration::from_secs(3), at)).unwrap();
        assert_eq!(
            doc["errorMessage"],
            format!("2024-05-01T12:00:00.000Z {id} Task timed out after 3.00 seconds")
        );
        assert_eq!(doc.as_object().unwrap().len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn describes_exits_as_lambda_does() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            describe_exit(Some(ExitStatus::from_raw(1 << 8))),
            "Runtime exited with error: exit status 1"
        );
        assert_eq!(
            describe_exit(Some(ExitStatus::from_raw(9))),
            "Runtime exited with error: signal: killed"
        );
        assert_eq!(
            describe_exit(Some(ExitStatus::from_raw(0))),
            "Runtime exited without providing a reason"
        );
    }
}
