//! The trace header parsers (`X-Amzn-Trace-Id`, `traceparent`, `tracestate`):
//! any bytes, cut into the three headers, never panic; what the gateway
//! passes on always parses back to the request's trace id.

#![no_main]

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use portcullis_gateway::observe::trace::{
    TRACEPARENT, TRACESTATE, TraceContext, X_AMZN_TRACE_ID, parse_traceparent, parse_xray,
};

fuzz_target!(|data: &[u8]| {
    // Three header values separated by newlines.
    let mut parts = data.splitn(3, |&b| b == b'\n');
    let mut headers = HeaderMap::new();
    for name in [X_AMZN_TRACE_ID, TRACEPARENT, TRACESTATE] {
        if let Some(value) = parts.next().and_then(|v| HeaderValue::from_bytes(v).ok()) {
            headers.append(name, value);
        }
    }
    if let Some(text) = headers.get(X_AMZN_TRACE_ID).and_then(|v| v.to_str().ok()) {
        let _ = parse_xray(text);
    }
    if let Some(text) = headers.get(TRACEPARENT).and_then(|v| v.to_str().ok()) {
        let _ = parse_traceparent(text);
    }
    let trace = TraceContext::from_headers(&headers, 1_700_000_000);
    let mut out = HeaderMap::new();
    trace.inject(&mut out);
    let xray = out[X_AMZN_TRACE_ID].to_str().expect("ASCII");
    let parsed = parse_xray(xray).expect("the header passed on parses");
    assert_eq!(parsed.trace_id, trace.trace_id());
    let w3c = parse_traceparent(out[TRACEPARENT].to_str().expect("ASCII")).expect("parses");
    assert_eq!(w3c.trace_id, trace.trace_id());
    // Reading what was passed on gives the same trace back.
    let again = TraceContext::from_headers(&out, 0);
    assert_eq!(again.trace_id(), trace.trace_id());
});
