//! Any text compiles to a template or a syntax error, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis_mapping::Template;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = Template::compile("fuzz", src);
    }
});
