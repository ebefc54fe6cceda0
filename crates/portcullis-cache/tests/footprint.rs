//! The memory a [`MemoryStore`] takes per entry of a 1 KB response: at most
//! 3,000 bytes (the body itself is 1,024).
//!
//! How it is measured: this file is its own test binary (its own process)
//! holding this one test. It reads the process's resident set size (`VmRSS`
//! in `/proc/self/status`, Linux only) just before and just after putting
//! 20,000 distinct entries, each with its own 1 KB body (as fetched
//! responses are), into a store with ample capacity (nothing is evicted)
//! and a long TTL (nothing expires). Everything allocated in between is the
//! entries and the store's tables, plus whatever the allocator kept
//! resident from tables freed as they grew: an upper bound on what an
//! entry costs, to compare with what the store charges for it
//! ([`CachedResponse::weight`] and the key).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use portcullis_cache::{CacheKey, CachedResponse, MemoryStore};

const ENTRIES: u64 = 20_000;
const BODY: usize = 1024;
const BUDGET_PER_ENTRY: u64 = 3_000;

/// The resident set size in bytes, where `/proc` tells it.
fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kilobytes: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kilobytes * 1024)
}

#[test]
fn a_1k_entry_takes_less_than_3_kb() {
    let Some(before) = resident() else {
        eprintln!("no /proc/self/status here: footprint not measured");
        return;
    };
    let store = MemoryStore::new(1 << 34);
    let content_type = HeaderValue::from_static("application/json");
    for i in 0..ENTRIES {
        let key = CacheKey::builder("petstore/prod")
            .text("GET")
            .text("/pets/{id}")
            .part(Some(i.to_string().as_bytes()))
            .build();
        let mut entry = CachedResponse::new(StatusCode::OK, Bytes::from(vec![i as u8; BODY]));
        entry.headers.insert("content-type", content_type.clone());
        store.put_now(key, Arc::new(entry), Duration::from_secs(3_600));
    }
    assert_eq!(store.entry_count(), ENTRIES);
    let charged = store.weighted_size();
    let after = resident().unwrap();
    let used = after.saturating_sub(before);
    let per_entry = used as f64 / ENTRIES as f64;
    println!(
        "MemoryStore footprint: {ENTRIES} entries of a {BODY}-byte body take {:.1} MB resident, {per_entry:.0} bytes an entry ({:.0} beyond the body); the store charges {:.0} bytes an entry; budget {BUDGET_PER_ENTRY}",
        used as f64 / 1e6,
        per_entry - BODY as f64,
        charged as f64 / ENTRIES as f64,
    );
    assert!(
        used <= ENTRIES * BUDGET_PER_ENTRY,
        "{ENTRIES} entries took {used} bytes, more than {BUDGET_PER_ENTRY} each"
    );
    // The charge is what a store's capacity bounds: it must not be far below
    // what entries really take (RSS also counts tables freed as they grew).
    assert!(
        charged as f64 >= used as f64 * 0.8,
        "the store charges {charged} bytes for entries that take {used}: raise ENTRY_OVERHEAD"
    );
    drop(store);
}
