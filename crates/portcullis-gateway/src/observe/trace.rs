//! Trace context: AWS X-Ray's `X-Amzn-Trace-Id` and W3C `traceparent` /
//! `tracestate`, read from the client, created when absent, and passed on to
//! integrations; and the `tracing` spans of the pipeline's phases ([`spans`]),
//! exported over OTLP when configured (`otlp`, behind the `otlp` feature).
//!
//! One 128-bit trace id serves both systems: X-Ray's `Root=1-{8 hex}-{24 hex}`
//! is the same 32 hex digits as a W3C trace id, so a trace started by an X-Ray
//! client, an OpenTelemetry client or the gateway itself is one trace
//! everywhere. A new trace id is shaped as X-Ray requires: its first 32 bits
//! are the epoch seconds of the request's arrival.
//!
//! A header that does not parse is replaced, never an error: the request
//! goes on with a new trace (or the other header's), as AWS starts a new
//! trace for a malformed `X-Amzn-Trace-Id`.
//!
//! ```
//! use portcullis_gateway::observe::trace::TraceContext;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert(
//!     "x-amzn-trace-id",
//!     "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".parse().unwrap(),
//! );
//! let trace = TraceContext::from_headers(&headers, 1_700_000_000);
//! assert_eq!(trace.xray_trace_id().to_string(), "1-5759e988-bd862e3fe1be46a994272793");
//! assert_eq!(trace.trace_id_hex().to_string(), "5759e988bd862e3fe1be46a994272793");
//!
//! // What an integration receives: the same trace, and a traceparent matching it.
//! let mut outgoing = http::HeaderMap::new();
//! trace.inject(&mut outgoing);
//! assert_eq!(
//!     outgoing["traceparent"],
//!     "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
//! );
//! ```

pub mod spans;

#[cfg(feature = "otlp")]
pub mod otlp;

use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue};

/// `X-Amzn-Trace-Id`.
pub const X_AMZN_TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");
/// W3C `traceparent`.
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
/// W3C `tracestate`.
pub const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// The longest `tracestate` kept (W3C: 32 members of at most 256 characters
/// are 8,223 bytes with separators); a longer one is dropped.
const MAX_TRACESTATE: usize = 8_223;

/// Whether the caller asked for the request to be recorded (X-Ray `Sampled`,
/// the W3C sampled flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sampling {
    /// Not said: downstream decides.
    #[default]
    Unsaid,
    /// `Sampled=?`: the caller asks downstream to decide and tell.
    Requested,
    /// `Sampled=1` / flag `01`.
    Sampled,
    /// `Sampled=0` / flag `00`.
    NotSampled,
}

/// One request's trace: the trace id, the caller's span, the sampling
/// decision, and what else the caller sent that is passed on as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// The 128-bit trace id (never 0).
    trace_id: u128,
    /// The caller's span: X-Ray `Parent`, W3C parent-id (never 0).
    parent: Option<u64>,
    /// The gateway's own span id for this request (never 0): what
    /// integrations see as their parent while the gateway records the request.
    span_id: u64,
    /// Whether to record.
    sampling: Sampling,
    /// Whether this gateway records the request (an exporter sampled it):
    /// integrations then see the gateway's span as their parent.
    recorded: bool,
    /// What else the caller sent to pass on; boxed, as most requests have
    /// none and the state stays small.
    passed_on: Option<Box<PassedOn>>,
}

/// Trace fields passed on as they came.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct PassedOn {
    /// X-Ray fields other than `Root`, `Parent` and `Sampled` (`Self=…`,
    /// `Lineage=…`), `;`-separated, as received.
    xray_fields: Option<Box<str>>,
    /// W3C `tracestate`, as received (for the same trace id).
    tracestate: Option<HeaderValue>,
}

/// The X-Ray header, as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XRayHeader<'a> {
    /// `Root`'s 128 bits.
    pub trace_id: u128,
    /// `Parent`.
    pub parent: Option<u64>,
    /// `Sampled`.
    pub sampling: Sampling,
    /// The other fields, `;`-separated, as received (empty: none).
    pub fields: Vec<&'a str>,
}

/// A W3C `traceparent`, as parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// The trace id.
    pub trace_id: u128,
    /// The caller's span.
    pub parent: u64,
    /// The sampled flag.
    pub sampled: bool,
}

/// Parses an `X-Amzn-Trace-Id` value: `;`-separated `Key=Value` fields (keys
/// in any case, spaces around fields ignored) with a `Root` of
/// `1-{8 hex}-{24 hex}`, at most one `Parent` of 16 hex digits and at most one
/// `Sampled` of `0`, `1` or `?`. `None` when it is malformed: no `Root`, a
/// field that is not `Key=Value`, a repeated or invalid `Root`, `Parent` or
/// `Sampled`, an all-zero id.
pub fn parse_xray(value: &str) -> Option<XRayHeader<'_>> {
    let mut trace_id = None;
    let mut parent = None;
    let mut sampling = None;
    let mut fields = Vec::new();
    for field in value.split(';') {
        let field = field.trim_matches(|c| c == ' ' || c == '\t');
        if field.is_empty() {
            continue;
        }
        let (key, val) = field.split_once('=')?;
        if key.is_empty() {
            return None;
        }
        if key.eq_ignore_ascii_case("root") {
            set_once(&mut trace_id, parse_root(val)?)?;
        } else if key.eq_ignore_ascii_case("parent") {
            set_once(&mut parent, nonzero_u64(hex_exact(val, 16)? as u64)?)?;
        } else if key.eq_ignore_ascii_case("sampled") {
            let decision = match val {
                "1" => Sampling::Sampled,
                "0" => Sampling::NotSampled,
                "?" => Sampling::Requested,
                _ => return None,
            };
            set_once(&mut sampling, decision)?;
        } else {
            fields.push(field);
        }
    }
    Some(XRayHeader {
        trace_id: trace_id?,
        parent,
        sampling: sampling.unwrap_or_default(),
        fields,
    })
}

/// Parses a W3C `traceparent`: `{version}-{32 hex}-{16 hex}-{2 hex}`, lower
/// case; version `00` exactly so, a later version may carry more after a
/// `-`; version `ff`, all-zero ids and upper-case hex are invalid.
pub fn parse_traceparent(value: &str) -> Option<TraceParent> {
    let bytes = value.trim_matches(|c| c == ' ' || c == '\t').as_bytes();
    if bytes.len() < 55 || !is_lower_hex(&bytes[..2]) || &bytes[..2] == b"ff" {
        return None;
    }
    let version_00 = &bytes[..2] == b"00";
    if (version_00 && bytes.len() != 55) || (!version_00 && bytes.len() > 55 && bytes[55] != b'-') {
        return None;
    }
    if bytes[2] != b'-' || bytes[35] != b'-' || bytes[52] != b'-' {
        return None;
    }
    let (trace, parent, flags) = (&bytes[3..35], &bytes[36..52], &bytes[53..55]);
    if !is_lower_hex(trace) || !is_lower_hex(parent) || !is_lower_hex(flags) {
        return None;
    }
    let trace_id = u128::from_str_radix(std::str::from_utf8(trace).ok()?, 16).ok()?;
    let parent = u64::from_str_radix(std::str::from_utf8(parent).ok()?, 16).ok()?;
    let flags = u8::from_str_radix(std::str::from_utf8(flags).ok()?, 16).ok()?;
    if trace_id == 0 || parent == 0 {
        return None;
    }
    Some(TraceParent {
        trace_id,
        parent,
        sampled: flags & 1 == 1,
    })
}

impl TraceContext {
    /// The trace of a request with `headers`, arriving `epoch_secs` after the
    /// epoch: the client's X-Ray header when it parses, else its
    /// `traceparent`, else a new trace. A `traceparent` for the same trace
    /// fills what the X-Ray header leaves out (the parent, the decision) and
    /// keeps its `tracestate`; one for another trace is dropped.
    pub fn from_headers(headers: &HeaderMap, epoch_secs: u64) -> Self {
        let xray = single(headers, &X_AMZN_TRACE_ID).and_then(parse_xray);
        let w3c = single(headers, &TRACEPARENT).and_then(parse_traceparent);
        let mut trace = match (&xray, w3c) {
            (None, None) => return Self::new(epoch_secs),
            (Some(xray), _) => Self {
                trace_id: xray.trace_id,
                parent: xray.parent,
                sampling: xray.sampling,
                passed_on: (!xray.fields.is_empty()).then(|| {
                    Box::new(PassedOn {
                        xray_fields: Some(xray.fields.join(";").into()),
                        tracestate: None,
                    })
                }),
                ..Self::new(epoch_secs)
            },
            (None, Some(w3c)) => Self {
                trace_id: w3c.trace_id,
                ..Self::new(epoch_secs)
            },
        };
        if let Some(w3c) = w3c.filter(|w3c| w3c.trace_id == trace.trace_id) {
            trace.parent = trace.parent.or(Some(w3c.parent));
            if matches!(trace.sampling, Sampling::Unsaid | Sampling::Requested) {
                trace.sampling = if w3c.sampled {
                    Sampling::Sampled
                } else {
                    Sampling::NotSampled
                };
            }
            if let Some(state) = tracestate(headers) {
                trace.passed_on.get_or_insert_with(Box::default).tracestate = Some(state);
            }
        }
        trace
    }

    /// A new trace: X-Ray's shape (epoch seconds, then 96 random bits), no parent.
    pub fn new(epoch_secs: u64) -> Self {
        let random =
            (u128::from(random_u64()) << 32 | u128::from(random_u64() >> 32)) & ((1 << 96) - 1);
        let trace_id = (u128::from(epoch_secs as u32) << 96) | random;
        Self {
            // 96 random bits are all zero once in 2^96; the epoch part keeps it nonzero anyway.
            trace_id: trace_id.max(1),
            parent: None,
            span_id: new_span_id(),
            sampling: Sampling::Unsaid,
            recorded: false,
            passed_on: None,
        }
    }

    /// The 128-bit trace id.
    pub fn trace_id(&self) -> u128 {
        self.trace_id
    }

    /// The caller's span, when it sent one.
    pub fn parent(&self) -> Option<u64> {
        self.parent
    }

    /// The gateway's span id for this request.
    pub fn span_id(&self) -> u64 {
        self.span_id
    }

    /// Whether to record, as the caller (or an exporter) decided.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Whether this gateway records the request.
    pub fn recorded(&self) -> bool {
        self.recorded
    }

    /// Records that an exporter took the request: `span_id` is the span it
    /// records, and `sampled` its decision (what integrations are told).
    pub fn set_recorded(&mut self, span_id: u64, sampled: bool) {
        if span_id != 0 {
            self.span_id = span_id;
        }
        self.recorded = sampled;
        self.sampling = if sampled {
            Sampling::Sampled
        } else {
            Sampling::NotSampled
        };
    }

    /// `$context.xrayTraceId`: `1-{8 hex}-{24 hex}`.
    pub fn xray_trace_id(&self) -> XRayTraceId {
        XRayTraceId(self.trace_id)
    }

    /// The trace id as W3C writes it: 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> Hex128 {
        Hex128(self.trace_id)
    }

    /// The span integrations see as their parent: the gateway's while it
    /// records the request, else the caller's (the gateway is then
    /// transparent, so the caller's and the backend's spans stay linked).
    fn outgoing_parent(&self) -> Option<u64> {
        if self.recorded {
            Some(self.span_id)
        } else {
            self.parent
        }
    }

    /// The `X-Amzn-Trace-Id` integrations receive: `Root`, `Parent` when
    /// there is one, `Sampled` when decided, then the caller's other fields.
    pub fn xray_header(&self) -> HeaderValue {
        let fields = self
            .passed_on
            .as_ref()
            .and_then(|passed| passed.xray_fields.as_deref());
        // Written byte by byte: the `fmt` machinery costs more than the rest of the header.
        let mut out = Vec::with_capacity(80 + fields.map_or(0, |fields| fields.len() + 1));
        out.extend_from_slice(b"Root=");
        out.extend_from_slice(&self.xray_trace_id().to_bytes());
        if let Some(parent) = self.outgoing_parent() {
            out.extend_from_slice(b";Parent=");
            out.extend_from_slice(&Hex128(u128::from(parent)).digits()[16..]);
        }
        match self.sampling {
            Sampling::Unsaid => {}
            Sampling::Requested => out.extend_from_slice(b";Sampled=?"),
            Sampling::Sampled => out.extend_from_slice(b";Sampled=1"),
            Sampling::NotSampled => out.extend_from_slice(b";Sampled=0"),
        }
        if let Some(fields) = fields {
            out.push(b';');
            out.extend_from_slice(fields.as_bytes());
        }
        // Built from a parsed header's text (visible ASCII) and hex digits.
        HeaderValue::try_from(out).unwrap_or(HeaderValue::from_static(""))
    }

    /// The `traceparent` integrations receive (version `00`): the trace id,
    /// the outgoing parent (the gateway's span id when there is none) and
    /// the sampled flag.
    pub fn traceparent(&self) -> HeaderValue {
        let parent = self.outgoing_parent().unwrap_or(self.span_id);
        // `00-{32 hex}-{16 hex}-{2 hex}`, written without the `fmt` machinery.
        let mut out = *b"00-00000000000000000000000000000000-0000000000000000-00";
        out[3..35].copy_from_slice(&Hex128(self.trace_id).digits());
        out[36..52].copy_from_slice(&Hex128(u128::from(parent)).digits()[16..]);
        if self.sampling == Sampling::Sampled {
            out[54] = b'1';
        }
        HeaderValue::from_bytes(&out).unwrap_or(HeaderValue::from_static(""))
    }

    /// The caller's `tracestate`, when it came with a `traceparent` of this trace.
    pub fn tracestate(&self) -> Option<&HeaderValue> {
        self.passed_on.as_ref()?.tracestate.as_ref()
    }

    /// Sets the trace headers on a request to an integration:
    /// `X-Amzn-Trace-Id`, `traceparent` and the caller's `tracestate`.
    pub fn inject(&self, headers: &mut HeaderMap) {
        headers.insert(X_AMZN_TRACE_ID, self.xray_header());
        headers.insert(TRACEPARENT, self.traceparent());
        match self.tracestate() {
            Some(state) => headers.insert(TRACESTATE, state.clone()),
            None => headers.remove(TRACESTATE),
        };
    }
}

/// `$context.xrayTraceId`'s form of a trace id: `1-{8 hex}-{24 hex}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XRayTraceId(u128);

impl XRayTraceId {
    /// `1-{8 hex}-{24 hex}` as bytes, formatted without the `fmt` machinery.
    pub fn to_bytes(self) -> [u8; 35] {
        let hex = Hex128(self.0).digits();
        let mut out = [b'-'; 35];
        out[0] = b'1';
        out[2..10].copy_from_slice(&hex[..8]);
        out[11..].copy_from_slice(&hex[8..]);
        out
    }
}

impl fmt::Display for XRayTraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_bytes();
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// A trace id as 32 lower-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hex128(u128);

impl Hex128 {
    fn digits(self) -> [u8; 32] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'0'; 32];
        let mut value = self.0;
        for slot in out.iter_mut().rev() {
            *slot = HEX[(value & 0xf) as usize];
            value >>= 4;
        }
        out
    }
}

impl fmt::Display for Hex128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.digits();
        f.write_str(std::str::from_utf8(&hex).map_err(|_| fmt::Error)?)
    }
}

/// A fresh, nonzero 64-bit span id.
pub(crate) fn new_span_id() -> u64 {
    random_u64().max(1)
}

/// 64 random bits: SplitMix64 over a per-thread state seeded from the OS's
/// randomness. Ids need to be unique and hard to guess, not secret, and this
/// costs a few instructions per request instead of a ChaCha block.
fn random_u64() -> u64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(rand::random());
    }
    STATE.with(|state| {
        let next = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        state.set(next);
        let mut z = next;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// The value of `name` when the request has exactly one, as text.
fn single<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    first.to_str().ok()
}

/// `tracestate`, its field lines joined as one list (W3C allows splitting it).
fn tracestate(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut lines = headers.get_all(&TRACESTATE).iter();
    let first = lines.next()?;
    let state = match lines.next() {
        None => first.clone(),
        Some(second) => {
            let mut joined = first.as_bytes().to_vec();
            for line in std::iter::once(second).chain(lines) {
                joined.push(b',');
                joined.extend_from_slice(line.as_bytes());
            }
            HeaderValue::from_bytes(&joined).ok()?
        }
    };
    (state.len() <= MAX_TRACESTATE && !state.is_empty()).then_some(state)
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// `1-{8 hex}-{24 hex}`, any hex case, not all zero.
fn parse_root(value: &str) -> Option<u128> {
    let rest = value.strip_prefix("1-")?;
    let (time, random) = rest.split_once('-')?;
    let time = hex_exact(time, 8)?;
    let random = hex_exact(random, 24)?;
    let id = (time << 96) | random;
    (id != 0).then_some(id)
}

/// Exactly `digits` hex digits (either case).
fn hex_exact(text: &str, digits: usize) -> Option<u128> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(text, 16).ok()
}

fn nonzero_u64(value: u64) -> Option<u64> {
    (value != 0).then_some(value)
}

fn is_lower_hex(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 0x6560_0000;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn outgoing(trace: &TraceContext) -> HeaderMap {
        let mut map = HeaderMap::new();
        trace.inject(&mut map);
        map
    }

    #[test]
    fn parses_xray_headers() {
        let parsed = parse_xray(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        )
        .unwrap();
        assert_eq!(parsed.trace_id, 0x5759e988_bd862e3fe1be46a994272793);
        assert_eq!(parsed.parent, Some(0x53995c3f42cd8ad8));
        assert_eq!(parsed.sampling, Sampling::Sampled);
        // Keys in any case and order, spaces, other fields kept.
        let parsed =
            parse_xray("sampled=?; Self=1-67891233-12456789abcdef012345678;root=1-59A7614D-373151B01B0713127E646635;Lineage=a87bd80c:1")
                .unwrap();
        assert_eq!(parsed.sampling, Sampling::Requested);
        assert_eq!(parsed.trace_id, 0x59a7614d_373151b01b0713127e646635);
        assert_eq!(
            parsed.fields,
            [
                "Self=1-67891233-12456789abcdef012345678",
                "Lineage=a87bd80c:1"
            ]
        );
        // The guide's own example: Root alone.
        assert!(parse_xray("Root=1-1a2b3c4d-a1b2c3d4e5f6a1b2c3d4e5f6").is_some());
    }

    #[test]
    fn refuses_malformed_xray_headers() {
        for bad in [
            "",
            "Parent=53995c3f42cd8ad8",
            "Root=2-5759e988-bd862e3fe1be46a994272793",
            "Root=1-5759e98-bd862e3fe1be46a994272793",
            "Root=1-5759e988-bd862e3fe1be46a99427279",
            "Root=1-5759e988-bd862e3fe1be46a99427279z",
            "Root=1-00000000-000000000000000000000000",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Sampled=0",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Root=1-5759e988-bd862e3fe1be46a994272793",
            "Root=1-5759e988-bd862e3fe1be46a994272793;junk",
            "Root=1-5759e988-bd862e3fe1be46a994272793;=x",
            "Root=1-+759e988-bd862e3fe1be46a994272793",
        ] {
            assert!(parse_xray(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn parses_traceparent() {
        let parsed =
            parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").unwrap();
        assert_eq!(parsed.trace_id, 0x0af7651916cd43dd8448eb211c80319c);
        assert_eq!(parsed.parent, 0xb7ad6b7169203331);
        assert!(parsed.sampled);
        // A later version may add fields.
        assert!(
            parse_traceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-extra")
                .is_some()
        );
        for bad in [
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0",
            "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",
            "",
        ] {
            assert!(parse_traceparent(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn absent_headers_start_a_trace_shaped_like_xray() {
        let trace = TraceContext::from_headers(&HeaderMap::new(), NOW);
        assert_eq!((trace.trace_id() >> 96) as u64, NOW);
        assert_eq!(trace.parent(), None);
        let out = outgoing(&trace);
        let xray = out[X_AMZN_TRACE_ID].to_str().unwrap();
        assert!(xray.starts_with("Root=1-65600000-"), "{xray}");
        assert!(
            !xray.contains("Parent"),
            "not recorded: no parent to name: {xray}"
        );
        let parsed = parse_xray(xray).unwrap();
        assert_eq!(parsed.trace_id, trace.trace_id());
        let w3c = parse_traceparent(out[TRACEPARENT].to_str().unwrap()).unwrap();
        assert_eq!(w3c.trace_id, trace.trace_id());
        assert_eq!(w3c.parent, trace.span_id());
        assert!(!out.contains_key(TRACESTATE));
        // Two requests, two traces.
        assert_ne!(
            TraceContext::from_headers(&HeaderMap::new(), NOW).trace_id(),
            trace.trace_id()
        );
    }

    #[test]
    fn xray_header_is_passed_through_with_its_fields() {
        let incoming = headers(&[(
            "x-amzn-trace-id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1",
        )]);
        let trace = TraceContext::from_headers(&incoming, NOW);
        let out = outgoing(&trace);
        assert_eq!(
            out[X_AMZN_TRACE_ID],
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
        );
        assert_eq!(
            out[TRACEPARENT],
            "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
        );
    }

    #[test]
    fn a_recording_gateway_is_the_parent() {
        let incoming = headers(&[(
            "x-amzn-trace-id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
        )]);
        let mut trace = TraceContext::from_headers(&incoming, NOW);
        trace.set_recorded(0x1122334455667788, true);
        let out = outgoing(&trace);
        assert_eq!(
            out[X_AMZN_TRACE_ID],
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1122334455667788;Sampled=1"
        );
        assert_eq!(
            out[TRACEPARENT],
            "00-5759e988bd862e3fe1be46a994272793-1122334455667788-01"
        );
        trace.set_recorded(0x1122334455667788, false);
        assert!(
            trace
                .xray_header()
                .to_str()
                .unwrap()
                .ends_with(";Parent=53995c3f42cd8ad8;Sampled=0")
        );
    }

    #[test]
    fn traceparent_alone_gives_the_trace_and_keeps_tracestate() {
        let incoming = headers(&[
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            ("tracestate", "congo=t61rcWkgMzE"),
            ("tracestate", "rojo=00f067aa0ba902b7"),
        ]);
        let trace = TraceContext::from_headers(&incoming, NOW);
        let out = outgoing(&trace);
        assert_eq!(
            out[X_AMZN_TRACE_ID],
            "Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1"
        );
        assert_eq!(
            out[TRACEPARENT],
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        );
        assert_eq!(out[TRACESTATE], "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    }

    #[test]
    fn both_headers_agree_or_xray_wins() {
        // Same trace: the traceparent fills the parent and the decision.
        let incoming = headers(&[
            (
                "x-amzn-trace-id",
                "Root=1-0af76519-16cd43dd8448eb211c80319c",
            ),
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
            ),
            ("tracestate", "congo=t61rcWkgMzE"),
        ]);
        let trace = TraceContext::from_headers(&incoming, NOW);
        assert_eq!(trace.parent(), Some(0xb7ad6b7169203331));
        assert_eq!(trace.sampling(), Sampling::NotSampled);
        assert!(trace.tracestate().is_some());
        // Another trace: X-Ray's is the request's, the traceparent and its state are dropped.
        let incoming = headers(&[
            (
                "x-amzn-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793",
            ),
            (
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
            ("tracestate", "congo=t61rcWkgMzE"),
        ]);
        let trace = TraceContext::from_headers(&incoming, NOW);
        assert_eq!(trace.trace_id(), 0x5759e988_bd862e3fe1be46a994272793);
        assert_eq!(trace.parent(), None);
        assert!(trace.tracestate().is_none());
        let out = outgoing(&trace);
        assert!(
            out[TRACEPARENT]
                .to_str()
                .unwrap()
                .starts_with("00-5759e988bd862e3fe1be46a994272793-")
        );
    }

    #[test]
    fn malformed_or_repeated_headers_are_replaced() {
        for incoming in [
            headers(&[("x-amzn-trace-id", "Root=nonsense")]),
            headers(&[
                (
                    "x-amzn-trace-id",
                    "Root=1-5759e988-bd862e3fe1be46a994272793",
                ),
                (
                    "x-amzn-trace-id",
                    "Root=1-5759e988-bd862e3fe1be46a994272794",
                ),
            ]),
            headers(&[("traceparent", "00-zz-yy-01")]),
        ] {
            let trace = TraceContext::from_headers(&incoming, NOW);
            assert_eq!((trace.trace_id() >> 96) as u64, NOW, "{incoming:?}");
            let out = outgoing(&trace);
            assert!(parse_xray(out[X_AMZN_TRACE_ID].to_str().unwrap()).is_some());
        }
        let bytes =
            HeaderValue::from_bytes(b"Root=1-5759e988-bd862e3fe1be46a99427279\xff").unwrap();
        let mut map = HeaderMap::new();
        map.insert(X_AMZN_TRACE_ID, bytes);
        let trace = TraceContext::from_headers(&map, NOW);
        assert_eq!((trace.trace_id() >> 96) as u64, NOW);
    }

    #[test]
    fn formats_xray_trace_ids() {
        assert_eq!(
            XRayTraceId(0x0000_0001_0000_0000_0000_0000_0000_00ff).to_string(),
            "1-00000001-0000000000000000000000ff"
        );
        assert_eq!(Hex128(0xab).to_string(), format!("{:032x}", 0xab));
    }
}
