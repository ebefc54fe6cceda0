//! Reads arbitrary `Cache-Control` values, as a client's request or a
//! backend's response carries them. The first line is the TTL the route is
//! configured with, in seconds (300 when it is not a number); each further
//! line is one `Cache-Control` field. Nothing may panic; a TTL the
//! directives allow is never zero and never beyond the configured one.
#![no_main]

use std::time::Duration;

use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use portcullis_cache::control::{ResponseDirectives, requests_refresh};

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let configured = lines
        .next()
        .and_then(|line| std::str::from_utf8(line).ok())
        .and_then(|line| line.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(300), Duration::from_secs);
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(CACHE_CONTROL, value);
        }
    }
    let refresh = requests_refresh(&headers);
    let directives = ResponseDirectives::from_headers(&headers);
    match directives.ttl(configured) {
        Some(ttl) => {
            assert!(
                ttl <= configured,
                "{ttl:?} > {configured:?} for {directives:?}"
            );
            assert!(!ttl.is_zero());
            assert!(!directives.no_store && !directives.private && !directives.no_cache);
        }
        None => assert!(
            configured.is_zero()
                || directives.no_store
                || directives.private
                || directives.no_cache
                || directives.s_maxage.or(directives.max_age) == Some(0),
            "{directives:?} refused a {configured:?} TTL"
        ),
    }
    // A request asking for a refresh carries `max-age=0`, which a response
    // directive reader sees too (the last `max-age` wins there).
    if refresh {
        assert!(directives.max_age.is_some());
    }
});
