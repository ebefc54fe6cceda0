//! Request body decoding on any bytes, under each coding: never panics, never
//! returns more than the bound, and what decodes re-encodes and decodes back
//! to itself. The first byte picks the coding (and the bound).

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_gateway::coding::{Coding, DecodeError, decode, encode};

const CODINGS: &[Coding] = &[Coding::Gzip, Coding::Deflate, Coding::Brotli];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let coding = CODINGS[usize::from(pick) % CODINGS.len()];
    let limit = if pick & 0x80 == 0 { 1 << 20 } else { usize::from(pick & 0x7f) };
    match decode(coding, body, limit) {
        Ok(plain) => {
            assert!(plain.len() <= limit);
            let again = encode(coding, &plain);
            assert_eq!(decode(coding, &again, limit), Ok(plain));
        }
        Err(DecodeError::TooLarge | DecodeError::Corrupt) => {}
        Err(DecodeError::Unsupported) => panic!("decode never says Unsupported"),
    }
});
