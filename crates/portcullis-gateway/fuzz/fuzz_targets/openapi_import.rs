//! Feeds arbitrary UTF-8 to the OpenAPI importer under each API type: it must
//! return an `Api` or problems, never panic, overflow its stack or hang.
//!
//! ```sh
//! cd crates/portcullis-gateway/fuzz
//! cargo +nightly fuzz run openapi_import -- -max_len=65536
//! # seeded with the export fixtures:
//! mkdir -p corpus/openapi_import && cp ../tests/fixtures/*.json ../tests/fixtures/*.yaml corpus/openapi_import/
//! ```

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use portcullis_gateway::config::{ApiType, import_openapi};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for api_type in [None, Some(ApiType::Rest), Some(ApiType::Http)] {
        match import_openapi(text, Path::new("fuzz.yaml"), api_type) {
            // Every error carries at least one problem, each naming the file.
            Err(error) => {
                assert!(!error.problems.is_empty());
                assert!(
                    error
                        .problems
                        .iter()
                        .chain(&error.warnings)
                        .all(|p| p.file == Path::new("fuzz.yaml"))
                );
            }
            Ok(imported) => assert!(
                imported
                    .warnings
                    .iter()
                    .all(|p| p.file == Path::new("fuzz.yaml"))
            ),
        }
    }
});
