//! Content codings: request bodies decoded, responses compressed, and the
//! client's `Accept-Encoding` read as API Gateway reads it.
//!
//! API Gateway supports `gzip`, `deflate` and `identity`
//! (api-gateway-enable-compression); Portcullis adds `br` when built with the
//! `br` feature (on by default in the `portcullis` binary). The pipeline uses
//! these functions in two places: the decode phase (`pipeline/decode.rs`) and
//! the compression of responses (`respond/compress.rs`). They are public so the
//! fuzz targets reach them; docs/compression.md describes the behaviour.

mod accept;
mod decode;
mod encode;

pub use accept::negotiate;
pub use decode::{DecodeError, decode, request_coding};
pub use encode::{Encoder, encode};

use http::HeaderValue;

/// A content coding the gateway can decode and produce (`identity` is the
/// absence of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate`: the zlib format (RFC 1950) around a deflate stream; raw
    /// deflate streams, which some clients send, are decoded too.
    Deflate,
    /// `br` (RFC 7932), beyond AWS.
    #[cfg(feature = "br")]
    Brotli,
}

impl Coding {
    /// Its name in `Content-Encoding` and `Accept-Encoding`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
            #[cfg(feature = "br")]
            Self::Brotli => "br",
        }
    }

    /// The coding a token names (case-insensitive), when this build supports it.
    pub fn from_token(token: &[u8]) -> Option<Self> {
        if token.eq_ignore_ascii_case(b"gzip") {
            Some(Self::Gzip)
        } else if token.eq_ignore_ascii_case(b"deflate") {
            Some(Self::Deflate)
        } else {
            #[cfg(feature = "br")]
            if token.eq_ignore_ascii_case(b"br") {
                return Some(Self::Brotli);
            }
            None
        }
    }

    /// Its `Content-Encoding` header value.
    pub(crate) fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(self.name())
    }
}

impl std::fmt::Display for Coding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `byte` may appear in an HTTP token (RFC 9110 `tchar`).
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// `bytes` without leading and trailing spaces and tabs (HTTP's OWS).
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}
