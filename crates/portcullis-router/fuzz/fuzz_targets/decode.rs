//! Percent-decodes arbitrary text both ways. Nothing may panic, and text
//! without `%` (and without `+` for queries) must come back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_router::{percent_decode, percent_decode_query};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = percent_decode(&text);
    let query = percent_decode_query(&text);
    if !text.contains('%') {
        assert_eq!(path, text);
        if !text.contains('+') {
            assert_eq!(query, text);
        }
    }
    // `%XX` (3 bytes) decodes to 1 byte, or to U+FFFD (3 bytes) when invalid.
    assert!(path.len() <= text.len() && query.len() <= text.len());
});
