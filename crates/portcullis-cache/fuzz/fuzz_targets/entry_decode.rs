//! Reads arbitrary bytes as a stored entry, as a shared store's bytes are
//! read (they are not trusted: another release, corruption, tampering).
//! Nothing may panic, and the binary form is canonical: whatever decodes
//! re-encodes to exactly the bytes it came from.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use portcullis_cache::CachedResponse;

fuzz_target!(|data: &[u8]| {
    let Ok(entry) = CachedResponse::decode(Bytes::copy_from_slice(data)) else {
        return;
    };
    assert_eq!(entry.encode(), data, "{entry:?}");
    assert!(entry.weight() >= entry.body.len());
});
