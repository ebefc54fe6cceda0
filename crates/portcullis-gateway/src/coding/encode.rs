//! Compressing response bodies: whole (buffered responses) or frame by frame
//! (streamed ones).

use std::io::Write;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};

use super::Coding;

/// gzip and deflate level: zlib's default, a balance of ratio and CPU.
const LEVEL: u32 = 6;
/// brotli quality: the usual choice for bodies compressed per request (11, the
/// maximum, is for static files).
#[cfg(feature = "br")]
const BROTLI_QUALITY: u32 = 5;
/// brotli window: 2^20 bytes (1 MiB), bounding each stream's memory.
#[cfg(feature = "br")]
const BROTLI_WINDOW: u32 = 20;

/// `body` compressed with `coding`.
///
/// CPU-bound: callers on an async runtime run large bodies where blocking is allowed.
pub fn encode(coding: Coding, body: &[u8]) -> Vec<u8> {
    let mut encoder = Encoder::with_capacity(coding, body.len() / 2 + 64);
    // Writing into a Vec cannot fail.
    encoder.write(body);
    encoder.finish_vec()
}

/// A streaming compressor: each [`push`](Encoder::push) returns what can be
/// sent for the data so far (flushed, so a client can decode every chunk as it
/// arrives, as server-sent events need), [`finish`](Encoder::finish) the end
/// of the stream.
pub struct Encoder {
    kind: Kind,
}

enum Kind {
    Gzip(GzEncoder<Vec<u8>>),
    Deflate(ZlibEncoder<Vec<u8>>),
    #[cfg(feature = "br")]
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("coding", &self.coding())
            .finish()
    }
}

impl Encoder {
    /// A compressor for `coding`.
    pub fn new(coding: Coding) -> Self {
        Self::with_capacity(coding, 8 * 1024)
    }

    fn with_capacity(coding: Coding, capacity: usize) -> Self {
        let out = Vec::with_capacity(capacity);
        let kind = match coding {
            Coding::Gzip => Kind::Gzip(GzEncoder::new(out, Compression::new(LEVEL))),
            Coding::Deflate => Kind::Deflate(ZlibEncoder::new(out, Compression::new(LEVEL))),
            #[cfg(feature = "br")]
            Coding::Brotli => Kind::Brotli(Box::new(brotli::CompressorWriter::new(
                out,
                4096,
                BROTLI_QUALITY,
                BROTLI_WINDOW,
            ))),
        };
        Self { kind }
    }

    /// The coding it produces.
    pub fn coding(&self) -> Coding {
        match self.kind {
            Kind::Gzip(_) => Coding::Gzip,
            Kind::Deflate(_) => Coding::Deflate,
            #[cfg(feature = "br")]
            Kind::Brotli(_) => Coding::Brotli,
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.kind {
            Kind::Gzip(e) => e,
            Kind::Deflate(e) => e,
            #[cfg(feature = "br")]
            Kind::Brotli(e) => e.as_mut(),
        }
    }

    fn output(&mut self) -> &mut Vec<u8> {
        match &mut self.kind {
            Kind::Gzip(e) => e.get_mut(),
            Kind::Deflate(e) => e.get_mut(),
            #[cfg(feature = "br")]
            Kind::Brotli(e) => e.get_mut(),
        }
    }

    fn write(&mut self, data: &[u8]) {
        // The sink is a Vec: writes and flushes cannot fail.
        let _ = self.writer().write_all(data);
    }

    /// Compresses `data` and returns the bytes to send now (possibly empty).
    pub fn push(&mut self, data: &[u8]) -> Bytes {
        self.write(data);
        let _ = self.writer().flush();
        Bytes::from(std::mem::take(self.output()))
    }

    /// Ends the stream: the last bytes to send.
    pub fn finish(self) -> Bytes {
        Bytes::from(self.finish_vec())
    }

    fn finish_vec(self) -> Vec<u8> {
        match self.kind {
            Kind::Gzip(e) => e.finish().unwrap_or_default(),
            Kind::Deflate(e) => e.finish().unwrap_or_default(),
            #[cfg(feature = "br")]
            Kind::Brotli(e) => e.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::decode;

    #[test]
    fn streamed_chunks_join_into_one_valid_stream() {
        let parts: [&[u8]; 4] = [b"data: one\n\n", b"", b"data: two\n\n", b"data: three\n\n"];
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            #[cfg(feature = "br")]
            Coding::Brotli,
        ] {
            let mut encoder = Encoder::new(coding);
            assert_eq!(encoder.coding(), coding);
            let mut wire = Vec::new();
            for part in parts {
                let chunk = encoder.push(part);
                // Flushed: every non-empty part yields bytes at once.
                assert!(part.is_empty() || !chunk.is_empty(), "{coding}");
                wire.extend_from_slice(&chunk);
            }
            wire.extend_from_slice(&encoder.finish());
            assert_eq!(
                decode(coding, &wire, 1 << 20).unwrap(),
                parts.concat(),
                "{coding}"
            );
        }
    }

    #[test]
    fn an_empty_body_is_a_valid_empty_stream() {
        for coding in [
            Coding::Gzip,
            Coding::Deflate,
            #[cfg(feature = "br")]
            Coding::Brotli,
        ] {
            let packed = encode(coding, b"");
            assert!(!packed.is_empty());
            assert_eq!(decode(coding, &packed, 0).unwrap(), b"", "{coding}");
        }
    }
}
