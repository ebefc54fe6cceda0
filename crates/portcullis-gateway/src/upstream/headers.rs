//! Header rules a proxy applies between the client and the backend.
//!
//! Hop-by-hop headers describe one connection, not the message, so a proxy
//! must not forward them (RFC 9110 §7.6.1). `X-Forwarded-For` records the
//! chain of clients a request passed through.

use std::io::Write as _;
use std::net::IpAddr;

use http::HeaderMap;
use http::header::{
    CONNECTION, HeaderName, HeaderValue, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, TE, TRAILER,
    TRANSFER_ENCODING, UPGRADE,
};

/// `Keep-Alive` (not among `http`'s constants).
const KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
/// `Proxy-Connection`, a non-standard header some old clients still send.
const PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");
/// `X-Forwarded-For`.
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
/// `X-Forwarded-Proto`.
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// `X-Forwarded-Port`.
pub const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");

/// The fixed hop-by-hop headers, removed whatever `Connection` says.
const HOP_BY_HOP: [HeaderName; 9] = [
    CONNECTION,
    KEEP_ALIVE,
    PROXY_CONNECTION,
    PROXY_AUTHENTICATE,
    PROXY_AUTHORIZATION,
    TE,
    TRAILER,
    TRANSFER_ENCODING,
    UPGRADE,
];

/// Longest text form of an IP address (`ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`).
const MAX_IP_TEXT: usize = 45;

/// Removes the hop-by-hop headers from a request or response head before it is
/// forwarded: `Connection`, `Keep-Alive`, `Proxy-Connection`,
/// `Proxy-Authenticate`, `Proxy-Authorization`, `TE`, `Trailer`,
/// `Transfer-Encoding`, `Upgrade`, and every header named in a `Connection`
/// field value (RFC 9110 §7.6.1), across all `Connection` field lines.
///
/// Framing (`Transfer-Encoding`, `Content-Length` of the new body) is the
/// business of the HTTP stack on each side, which re-frames the body itself.
/// A message without a `Connection` header costs no allocation.
pub fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Most messages carry none: one pass over the names (compared, not
    // hashed) spares a lookup per hop-by-hop name.
    if !headers.keys().any(|name| HOP_BY_HOP.contains(name)) {
        return;
    }
    let lines = headers.get_all(CONNECTION).iter().count();
    for index in 0..lines {
        // Cloning a `HeaderValue` shares its bytes; it lets the map be mutated
        // while the listed names are read.
        let Some(line) = headers.get_all(CONNECTION).iter().nth(index).cloned() else {
            break;
        };
        for token in line.as_bytes().split(|&b| b == b',') {
            let Ok(name) = std::str::from_utf8(token.trim_ascii()) else {
                continue;
            };
            // Removing `Connection` itself here would hide its later lines.
            if name.is_empty() || name.eq_ignore_ascii_case(CONNECTION.as_str()) {
                continue;
            }
            // An invalid name matches nothing and is ignored.
            headers.remove(name);
        }
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Records `client` as the last hop in `X-Forwarded-For`.
///
/// An existing header gets `, client` appended; several existing field lines
/// are combined, in order, into one line `a, b, client` (empty lines are
/// dropped). Without one, the header is set to `client`. IPv4-mapped IPv6
/// addresses (`::ffff:192.0.2.1`, as dual-stack listeners report IPv4 peers)
/// are written as plain IPv4. The only allocation is the new header value.
pub fn append_forwarded_for(headers: &mut HeaderMap, client: IpAddr) {
    let client = client.to_canonical();
    let existing = headers.get_all(&X_FORWARDED_FOR);
    let capacity = existing.iter().map(|line| line.len() + 2).sum::<usize>() + MAX_IP_TEXT;
    let mut text = Vec::with_capacity(capacity);
    for line in existing {
        let line = line.as_bytes().trim_ascii();
        if line.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.extend_from_slice(b", ");
        }
        text.extend_from_slice(line);
    }
    if !text.is_empty() {
        text.extend_from_slice(b", ");
    }
    match client {
        // The common case, written without the `fmt` machinery.
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    text.push(b'.');
                }
                if octet >= 100 {
                    text.push(b'0' + octet / 100);
                }
                if octet >= 10 {
                    text.push(b'0' + octet / 10 % 10);
                }
                text.push(b'0' + octet % 10);
            }
        }
        // Writing to a `Vec` cannot fail.
        IpAddr::V6(v6) => {
            let _ = write!(text, "{v6}");
        }
    }
    // The bytes come from valid header values, separators and an address, so
    // the conversion cannot fail; keeping the old header beats panicking.
    if let Ok(value) = HeaderValue::try_from(text) {
        headers.insert(X_FORWARDED_FOR, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn strips_fixed_hop_by_hop_headers() {
        let mut headers = map(&[
            ("connection", "keep-alive"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("proxy-authenticate", "Basic"),
            ("proxy-authorization", "Basic Zm9vOmJhcg=="),
            ("te", "trailers"),
            ("trailer", "x-checksum"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "websocket"),
            ("content-type", "text/plain"),
            ("authorization", "Bearer t"),
        ]);
        strip_hop_by_hop(&mut headers);
        let left: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["content-type", "authorization"]);
    }

    #[test]
    fn strips_headers_named_in_every_connection_line() {
        let mut headers = map(&[
            ("connection", "X-Custom , close"),
            ("connection", ",x-other,,"),
            ("x-custom", "1"),
            ("x-custom", "2"),
            ("x-other", "3"),
            ("x-kept", "4"),
        ]);
        strip_hop_by_hop(&mut headers);
        let left: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["x-kept"]);
    }

    #[test]
    fn ignores_invalid_and_self_referencing_tokens() {
        let mut headers = map(&[
            ("connection", "connection, bad name, x-a"),
            ("connection", "x-b"),
            ("x-a", "1"),
            ("x-b", "2"),
            ("x-c", "3"),
        ]);
        strip_hop_by_hop(&mut headers);
        let left: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["x-c"]);
    }

    #[test]
    fn strip_leaves_plain_messages_alone() {
        let mut headers = map(&[("host", "example.test"), ("accept", "*/*")]);
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 2);
    }

    #[test]
    fn sets_forwarded_for_when_absent() {
        let mut headers = HeaderMap::new();
        append_forwarded_for(&mut headers, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
        assert_eq!(headers[&X_FORWARDED_FOR], "192.0.2.7");
    }

    #[test]
    fn ipv4_addresses_are_written_as_display_writes_them() {
        for octets in [
            [0, 0, 0, 0],
            [9, 10, 99, 100],
            [255, 250, 109, 110],
            [1, 20, 200, 7],
        ] {
            let address = Ipv4Addr::from(octets);
            let mut headers = HeaderMap::new();
            append_forwarded_for(&mut headers, IpAddr::V4(address));
            assert_eq!(headers[&X_FORWARDED_FOR], address.to_string().as_str());
        }
    }

    #[test]
    fn appends_to_single_line() {
        let mut headers = map(&[("x-forwarded-for", "203.0.113.1")]);
        append_forwarded_for(&mut headers, IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(headers[&X_FORWARDED_FOR], "203.0.113.1, ::1");
    }

    #[test]
    fn combines_multiple_lines_into_one() {
        let mut headers = map(&[
            ("x-forwarded-for", "203.0.113.1, 198.51.100.2"),
            ("x-forwarded-for", "  "),
            ("x-forwarded-for", " 2001:db8::1 "),
        ]);
        append_forwarded_for(&mut headers, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9)));
        let values: Vec<_> = headers.get_all(&X_FORWARDED_FOR).iter().collect();
        assert_eq!(values, ["203.0.113.1, 198.51.100.2, 2001:db8::1, 10.0.0.9"]);
    }

    #[test]
    fn writes_mapped_ipv4_as_ipv4() {
        let mut headers = map(&[("x-forwarded-for", "")]);
        let mapped = Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped();
        append_forwarded_for(&mut headers, IpAddr::V6(mapped));
        assert_eq!(headers[&X_FORWARDED_FOR], "192.0.2.1");
    }

    #[test]
    fn longest_ip_fits_reserved_capacity() {
        let widest = Ipv6Addr::new(
            0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xfffe,
        );
        assert!(widest.to_string().len() <= MAX_IP_TEXT);
    }
}
