//! Feeds arbitrary bytes, as a function's result, to the proxy-response parsers
//! and the error-document reader: they must answer a response or a
//! `MalformedResponse`, never panic, overflow the stack or hang.
//!
//! ```sh
//! cd crates/portcullis-lambda/fuzz
//! mkdir -p corpus/proxy_response
//! printf '{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"a":["c"]},"body":"x"}' > corpus/proxy_response/v1
//! printf '{"statusCode":201,"cookies":["a=b"],"isBase64Encoded":true,"body":"aGk="}' > corpus/proxy_response/v2
//! printf '{"errorMessage":"NotFound: x","errorType":"Error"}' > corpus/proxy_response/error
//! cargo +nightly fuzz run proxy_response -- -max_len=4096
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_lambda::response::{error_message, parse_v1, parse_v2};

fuzz_target!(|data: &[u8]| {
    for parsed in [parse_v1(data), parse_v2(data)] {
        if let Ok(response) = parsed {
            // A parsed response is always servable.
            assert!((100..=599).contains(&response.status.as_u16()));
        }
    }
    let _ = error_message(data);
});
