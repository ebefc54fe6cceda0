//! Builds an `HttpRouter` from arbitrary route keys, then looks up arbitrary
//! paths. Input: lines; a line starting with `>` is a lookup (`>METHOD path`),
//! any other line is a route key. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_router::HttpRouter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut router = HttpRouter::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(lookup) = line.strip_prefix('>') {
            let (method, path) = lookup.split_once(' ').unwrap_or(("GET", lookup));
            if let Some(m) = router.at(method, path) {
                assert!(router.iter().any(|(key, _)| key == m.route));
                for (name, value) in m.params.iter() {
                    assert_eq!(m.params.get(name), Some(value));
                    assert!(path.contains(value));
                }
            }
        } else {
            let _ = router.insert(line, i);
        }
    }
});
