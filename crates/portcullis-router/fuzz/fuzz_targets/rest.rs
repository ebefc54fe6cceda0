//! Builds a `RestRouter` from arbitrary resource paths, then looks up arbitrary
//! paths. Input: lines; a line starting with `>` is a lookup (`>METHOD path`),
//! any other line is a route whose first byte picks the method. Nothing may
//! panic, and every parameter of a match must be a slice of the path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_router::{Method, RestRouter, percent_decode};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut router = RestRouter::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(lookup) = line.strip_prefix('>') {
            let (method, path) = lookup.split_once(' ').unwrap_or(("GET", lookup));
            if let Some(m) = router.at(method, path) {
                assert!(m.route.starts_with('/'));
                assert!(m.params.len() <= path.len());
                for (name, value) in m.params.iter() {
                    assert_eq!(m.params.get(name), Some(value));
                    assert!(path.contains(value));
                    let _ = percent_decode(value);
                }
            }
        } else {
            let method = Method::ALL[usize::from(line.bytes().next().unwrap_or(0)) % 8];
            let route = line.get(1..).unwrap_or_default();
            if router.insert(method, route, i).is_ok() {
                assert!(router.iter().any(|(m, _, v)| m == method && *v == i));
            }
        }
    }
});
