//! A cached response and its binary form (what a shared store holds).

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// A response as the cache keeps it: status, headers and the whole body.
///
/// The body is [`Bytes`], so serving a hit from memory copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Bytes an entry is charged beyond its key, headers and body in a
/// bounded store: the map's slot and bookkeeping, the `Arc`s, the header
/// map's first table (room for several headers even when it holds one),
/// and the allocator's rounding. `tests/footprint.rs` measures what an
/// entry of a 1 KB body really takes resident (2,391 bytes) and checks the
/// charge stays close to it, so `capacity` bounds memory, not just bodies.
pub const ENTRY_OVERHEAD: usize = 1_280;

impl CachedResponse {
    /// A response with no headers.
    pub fn new(status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body,
        }
    }

    /// What a bounded store charges for this entry, in bytes (without its key).
    pub fn weight(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 16)
            .sum();
        ENTRY_OVERHEAD + headers + self.body.len()
    }

    /// The entry's binary form: a version byte, the status, the headers
    /// (each name and value with its length) and the body.
    pub fn encode(&self) -> Bytes {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| 6 + name.as_str().len() + value.len())
            .sum();
        let mut out = BytesMut::with_capacity(1 + 2 + 4 + headers + 4 + self.body.len());
        out.put_u8(FORMAT_VERSION);
        out.put_u16(self.status.as_u16());
        out.put_u32(self.headers.len() as u32);
        for (name, value) in &self.headers {
            out.put_u16(name.as_str().len() as u16);
            out.put_slice(name.as_str().as_bytes());
            out.put_u32(value.len() as u32);
            out.put_slice(value.as_bytes());
        }
        out.put_u32(self.body.len() as u32);
        out.put_slice(&self.body);
        out.freeze()
    }

    /// Reads an entry written by [`encode`](Self::encode). A store's bytes
    /// are not trusted: anything malformed is an error, never a panic.
    pub fn decode(mut bytes: Bytes) -> Result<Self, DecodeError> {
        let version = take_u8(&mut bytes)?;
        if version != FORMAT_VERSION {
            return Err(DecodeError::Version(version));
        }
        let status = StatusCode::from_u16(take_u16(&mut bytes)?)
            .map_err(|_| DecodeError::Invalid("status"))?;
        let count = take_u32(&mut bytes)? as usize;
        // Each header takes at least six bytes: a count beyond that is a lie.
        if count > bytes.remaining() / 6 {
            return Err(DecodeError::Truncated);
        }
        let mut headers = HeaderMap::with_capacity(count);
        let mut previous: Option<HeaderName> = None;
        for _ in 0..count {
            let len = take_u16(&mut bytes)? as usize;
            let raw = take(&mut bytes, len)?;
            let name =
                HeaderName::from_bytes(&raw).map_err(|_| DecodeError::Invalid("header name"))?;
            // One encoding per entry (what `encode` writes): names in lower
            // case, each name's values together. Anything else was not
            // written by `encode`.
            if name.as_str().as_bytes() != raw.as_ref() {
                return Err(DecodeError::Invalid("header name"));
            }
            if previous.as_ref() != Some(&name) && headers.contains_key(&name) {
                return Err(DecodeError::Invalid("header order"));
            }
            previous = Some(name.clone());
            let len = take_u32(&mut bytes)? as usize;
            let value = take(&mut bytes, len)?;
            let value = HeaderValue::from_maybe_shared(value)
                .map_err(|_| DecodeError::Invalid("header value"))?;
            headers.append(name, value);
        }
        let len = take_u32(&mut bytes)? as usize;
        let body = take(&mut bytes, len)?;
        if bytes.has_remaining() {
            return Err(DecodeError::Invalid("trailing bytes"));
        }
        Ok(Self {
            status,
            headers,
            body,
        })
    }
}

/// Version of [`CachedResponse::encode`]'s layout: entries of another
/// version (written by another release) are treated as misses.
const FORMAT_VERSION: u8 = 1;

/// Why stored bytes are not an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes end before the entry does.
    #[error("cached entry is truncated")]
    Truncated,
    /// Written in a layout this version does not read.
    #[error("cached entry has layout version {0}, this release reads version 1")]
    Version(u8),
    /// A field holds what no response can.
    #[error("cached entry has an invalid {0}")]
    Invalid(&'static str),
}

fn take(bytes: &mut Bytes, len: usize) -> Result<Bytes, DecodeError> {
    if bytes.remaining() < len {
        return Err(DecodeError::Truncated);
    }
    Ok(bytes.split_to(len))
}

fn take_u8(bytes: &mut Bytes) -> Result<u8, DecodeError> {
    bytes.try_get_u8().map_err(|_| DecodeError::Truncated)
}

fn take_u16(bytes: &mut Bytes) -> Result<u16, DecodeError> {
    bytes.try_get_u16().map_err(|_| DecodeError::Truncated)
}

fn take_u32(bytes: &mut Bytes) -> Result<u32, DecodeError> {
    bytes.try_get_u32().map_err(|_| DecodeError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CachedResponse {
        let mut response = CachedResponse::new(StatusCode::OK, Bytes::from_static(b"{\"a\":1}"));
        response.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
            .headers
            .append("x-multi", HeaderValue::from_static("1"));
        response
            .headers
            .append("x-multi", HeaderValue::from_static("2"));
        response
    }

    #[test]
    fn round_trips() {
        let entry = sample();
        assert_eq!(CachedResponse::decode(entry.encode()).unwrap(), entry);
        let empty = CachedResponse::new(StatusCode::NO_CONTENT, Bytes::new());
        assert_eq!(CachedResponse::decode(empty.encode()).unwrap(), empty);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = sample().encode();
        for len in 0..bytes.len() {
            assert!(CachedResponse::decode(bytes.slice(..len)).is_err(), "{len}");
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert_eq!(
            CachedResponse::decode(longer.into()),
            Err(DecodeError::Invalid("trailing bytes"))
        );
    }

    #[test]
    fn bad_fields_are_errors() {
        let mut bytes = sample().encode().to_vec();
        bytes[0] = 9;
        assert_eq!(
            CachedResponse::decode(bytes.clone().into()),
            Err(DecodeError::Version(9))
        );
        bytes[0] = FORMAT_VERSION;
        bytes[1..3].copy_from_slice(&1000u16.to_be_bytes());
        assert_eq!(
            CachedResponse::decode(bytes.into()),
            Err(DecodeError::Invalid("status"))
        );
        // Names not in `encode`'s form: upper case, or a name's values apart.
        let mut upper = CachedResponse::new(StatusCode::OK, Bytes::new());
        upper.headers.insert("x-a", HeaderValue::from_static("1"));
        let mut bytes = upper.encode().to_vec();
        bytes[9] = b'X';
        assert_eq!(
            CachedResponse::decode(bytes.into()),
            Err(DecodeError::Invalid("header name"))
        );
        let mut split = vec![FORMAT_VERSION, 0, 200, 0, 0, 0, 3];
        for name in [b"x-a", b"x-b", b"x-a"] {
            split.extend_from_slice(&3u16.to_be_bytes());
            split.extend_from_slice(name);
            split.extend_from_slice(&1u32.to_be_bytes());
            split.push(b'1');
        }
        split.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(
            CachedResponse::decode(split.into()),
            Err(DecodeError::Invalid("header order"))
        );
        // A huge header count does not allocate a huge map.
        let mut bytes = vec![FORMAT_VERSION, 0, 200];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            CachedResponse::decode(bytes.into()),
            Err(DecodeError::Truncated)
        );
    }
}
