//! Compressed request bodies, decoded within a size bound.
//!
//! A decompression bomb (a few kilobytes that inflate to gigabytes) never
//! allocates more than the bound plus one buffer: output is produced in
//! bounded steps and decoding stops as soon as it passes the bound.

use std::io::Read;

use flate2::{Decompress, FlushDecompress, Status};
use http::HeaderMap;
use http::header::CONTENT_ENCODING;

use super::{Coding, is_tchar, trim_ows};

/// Why a body could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// `Content-Encoding` names a coding the gateway does not decode, more
    /// than one coding, or is not a list of codings.
    #[error("the Content-Encoding is not one the gateway decodes (gzip, deflate, identity)")]
    Unsupported,
    /// The body is not encoded as `Content-Encoding` says: not the coding's
    /// format, truncated, or followed by other bytes.
    #[error("the body is not encoded as its Content-Encoding says")]
    Corrupt,
    /// The decoded body is larger than the bound.
    #[error("the decoded body exceeds the payload limit")]
    TooLarge,
}

/// The coding a request's `Content-Encoding` asks to decode: `None` without
/// the header or when it lists only `identity`.
///
/// # Errors
/// [`DecodeError::Unsupported`] for an unknown coding, a stack of several
/// codings (`gzip, deflate`), or a value that is not a list of tokens.
pub fn request_coding(headers: &HeaderMap) -> Result<Option<Coding>, DecodeError> {
    let mut found = None;
    for value in headers.get_all(CONTENT_ENCODING) {
        for element in value.as_bytes().split(|&b| b == b',') {
            let token = trim_ows(element);
            if token.is_empty() || token.eq_ignore_ascii_case(b"identity") {
                continue;
            }
            if !token.iter().all(|&b| is_tchar(b)) {
                return Err(DecodeError::Unsupported);
            }
            let coding = Coding::from_token(token).ok_or(DecodeError::Unsupported)?;
            // One coding is what clients send; a stack multiplies the work a
            // request can ask for, and API Gateway documents none.
            if found.replace(coding).is_some() {
                return Err(DecodeError::Unsupported);
            }
        }
    }
    Ok(found)
}

/// `body` decoded from `coding`, at most `limit` bytes.
///
/// CPU-bound: up to `limit` bytes of output. Callers on an async runtime run
/// it where blocking is allowed.
///
/// # Errors
/// [`DecodeError::Corrupt`] when `body` is not one whole stream of `coding`
/// (a gzip body may hold several members, as RFC 1952 allows);
/// [`DecodeError::TooLarge`] when the output would pass `limit`.
pub fn decode(coding: Coding, body: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    match coding {
        Coding::Gzip => read_bounded(
            flate2::bufread::MultiGzDecoder::new(body),
            body.len(),
            limit,
        ),
        Coding::Deflate => inflate(body, limit),
        #[cfg(feature = "br")]
        Coding::Brotli => brotli(body, limit),
    }
}

/// The first guess at the output size: a few times the input, within the bound.
fn initial_capacity(input: usize, limit: usize) -> usize {
    input
        .saturating_mul(4)
        .clamp(1024, 64 * 1024)
        .min(limit.saturating_add(1))
}

/// Reads `reader` to its end, failing past `limit`.
fn read_bounded(reader: impl Read, input: usize, limit: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(initial_capacity(input, limit));
    let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(bound)
        .read_to_end(&mut out)
        .map_err(|_| DecodeError::Corrupt)?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

/// `deflate`: the zlib format, or a raw deflate stream when the body does not
/// start with a zlib header. The stream must end, and nothing may follow it.
fn inflate(body: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    let zlib = body.len() >= 2
        && body[0] & 0x0f == 8
        && body[0] >> 4 <= 7
        && ((u16::from(body[0]) << 8) | u16::from(body[1])) % 31 == 0;
    let mut inflater = Decompress::new(zlib);
    let mut out = Vec::with_capacity(initial_capacity(body.len(), limit));
    loop {
        if out.len() > limit {
            return Err(DecodeError::TooLarge);
        }
        if out.len() == out.capacity() {
            // Grow by at most what the bound still allows (plus the one byte that detects passing it).
            let room = limit + 1 - out.len();
            out.reserve(out.len().clamp(8 * 1024, 1024 * 1024).min(room));
        }
        let consumed = usize::try_from(inflater.total_in()).map_err(|_| DecodeError::Corrupt)?;
        let before = (consumed, out.len());
        let status = inflater
            .decompress_vec(&body[consumed..], &mut out, FlushDecompress::None)
            .map_err(|_| DecodeError::Corrupt)?;
        let consumed = usize::try_from(inflater.total_in()).map_err(|_| DecodeError::Corrupt)?;
        match status {
            Status::StreamEnd if consumed == body.len() => break,
            // Bytes after the end of the stream.
            Status::StreamEnd => return Err(DecodeError::Corrupt),
            // No progress with room to write: the stream is cut short.
            _ if (consumed, out.len()) == before => return Err(DecodeError::Corrupt),
            _ => {}
        }
    }
    if out.len() > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok(out)
}

/// `br`, beyond AWS: one whole brotli stream and nothing after it.
#[cfg(feature = "br")]
fn brotli(body: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    use brotli::enc::StandardAlloc;
    use brotli::{BrotliDecompressStream, BrotliResult, BrotliState};

    let mut state = BrotliState::new_strict(
        StandardAlloc::default(),
        StandardAlloc::default(),
        StandardAlloc::default(),
    );
    let mut out = Vec::with_capacity(initial_capacity(body.len(), limit));
    let mut chunk = vec![0u8; 16 * 1024];
    let (mut available_in, mut input_offset, mut total_out) = (body.len(), 0, 0);
    loop {
        let (mut available_out, mut output_offset) = (chunk.len(), 0);
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            body,
            &mut available_out,
            &mut output_offset,
            &mut chunk,
            &mut total_out,
            &mut state,
        );
        if out.len() + output_offset > limit {
            return Err(DecodeError::TooLarge);
        }
        out.extend_from_slice(&chunk[..output_offset]);
        match result {
            BrotliResult::ResultSuccess if available_in == 0 => return Ok(out),
            BrotliResult::NeedsMoreOutput => {}
            // Bytes after the stream, a stream cut short, or not brotli.
            _ => return Err(DecodeError::Corrupt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::encode;

    const LIMIT: usize = 10 * 1024 * 1024;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(CONTENT_ENCODING, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn content_encoding_names_one_coding() {
        assert_eq!(request_coding(&headers(&[])), Ok(None));
        assert_eq!(request_coding(&headers(&["identity"])), Ok(None));
        assert_eq!(request_coding(&headers(&["GZip"])), Ok(Some(Coding::Gzip)));
        assert_eq!(
            request_coding(&headers(&["identity, deflate"])),
            Ok(Some(Coding::Deflate))
        );
        assert_eq!(
            request_coding(&headers(&["", "gzip "])),
            Ok(Some(Coding::Gzip))
        );
        for bad in [
            &["compress"][..],
            &["x-gzip"],
            &["gzip, gzip"],
            &["gzip", "deflate"],
            &["gzip;q=1"],
            &["zstd"],
        ] {
            assert_eq!(
                request_coding(&headers(bad)),
                Err(DecodeError::Unsupported),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn each_coding_round_trips() {
        let text = b"{\"type\": \"dog\", \"price\": 249.99}".repeat(50);
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            #[cfg(feature = "br")]
            Coding::Brotli,
        ] {
            let packed = encode(coding, &text);
            assert!(packed.len() < text.len(), "{coding}");
            assert_eq!(decode(coding, &packed, LIMIT).unwrap(), text, "{coding}");
            // Exactly at the bound is fine; one byte over is too large.
            assert_eq!(
                decode(coding, &packed, text.len()).unwrap().len(),
                text.len()
            );
            assert_eq!(
                decode(coding, &packed, text.len() - 1),
                Err(DecodeError::TooLarge),
                "{coding}"
            );
        }
    }

    #[test]
    fn bodies_not_encoded_as_declared_are_corrupt() {
        let text = b"hello, hello, hello, hello".repeat(20);
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            #[cfg(feature = "br")]
            Coding::Brotli,
        ] {
            let packed = encode(coding, &text);
            assert_eq!(
                decode(coding, &text, LIMIT),
                Err(DecodeError::Corrupt),
                "plain {coding}"
            );
            let cut = &packed[..packed.len() - 3];
            assert_eq!(
                decode(coding, cut, LIMIT),
                Err(DecodeError::Corrupt),
                "cut {coding}"
            );
            let mut trailing = packed.clone();
            trailing.extend_from_slice(b"junk");
            assert_eq!(
                decode(coding, &trailing, LIMIT),
                Err(DecodeError::Corrupt),
                "trailing {coding}"
            );
        }
        // gzip bodies under the other coding's name, and the reverse.
        let gz = encode(Coding::Gzip, &text);
        assert_eq!(
            decode(Coding::Deflate, &gz, LIMIT),
            Err(DecodeError::Corrupt)
        );
        let zlib = encode(Coding::Deflate, &text);
        assert_eq!(
            decode(Coding::Gzip, &zlib, LIMIT),
            Err(DecodeError::Corrupt)
        );
    }

    #[test]
    fn gzip_members_and_raw_deflate_are_accepted() {
        let mut two = encode(Coding::Gzip, b"first ");
        two.extend_from_slice(&encode(Coding::Gzip, b"second"));
        assert_eq!(decode(Coding::Gzip, &two, LIMIT).unwrap(), b"first second");
        let mut raw =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut raw, b"raw deflate body").unwrap();
        let raw = raw.finish().unwrap();
        assert_eq!(
            decode(Coding::Deflate, &raw, LIMIT).unwrap(),
            b"raw deflate body"
        );
    }

    #[test]
    fn a_bomb_stops_at_the_bound() {
        // 16 MB of zeros packs into ~16 KB; decoding stops just past 1 MB.
        let zeros = vec![0u8; 16 * 1024 * 1024];
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            #[cfg(feature = "br")]
            Coding::Brotli,
        ] {
            let bomb = encode(coding, &zeros);
            assert!(bomb.len() < 32 * 1024, "{coding}: {}", bomb.len());
            assert_eq!(
                decode(coding, &bomb, 1024 * 1024),
                Err(DecodeError::TooLarge),
                "{coding}"
            );
        }
    }
}
