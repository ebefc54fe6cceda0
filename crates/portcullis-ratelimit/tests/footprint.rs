//! The memory a [`MemoryStore`] takes for 1,000,000 live throttle keys: at
//! most 64 MB.
//!
//! How it is measured: this file is its own test binary (its own process)
//! holding this one test. It reads the process's resident set size (`VmRSS`
//! in `/proc/self/status`, Linux only) just before and just after checking
//! 1,000,000 distinct keys through [`MemoryStore::check_now`], all at the
//! same instant so that every key stays live (none can be swept). The keys
//! are formatted into one reused buffer, so the difference is the store's
//! own memory: its hash tables at their final size, plus whatever the
//! allocator kept resident from the smaller tables freed as they grew. It
//! is an upper bound on what the store holds, not an estimate from type sizes.

use portcullis_ratelimit::{Check, MemoryStore, Throttle};

const KEYS: u64 = 1_000_000;
const BUDGET: u64 = 64_000_000;

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
fn a_million_live_keys_fit_in_64_mb() {
    use std::fmt::Write;

    let Some(before) = resident() else {
        eprintln!("no /proc/self/status here: footprint not measured");
        return;
    };
    let store = MemoryStore::new();
    let throttle = Throttle::new(1.0, 10).unwrap();
    let now = 1_780_000_000_000_000_000;
    let mut key = String::with_capacity(32);
    for i in 0..KEYS {
        key.clear();
        write!(key, "client-{i}").unwrap();
        let outcome = store
            .check_now(&[Check::throttle(&key, throttle)], now)
            .unwrap();
        assert!(outcome.is_admitted());
    }
    assert_eq!(store.len(), KEYS as usize);
    let after = resident().unwrap();
    let used = after.saturating_sub(before);
    println!(
        "MemoryStore footprint: {KEYS} live throttle keys take {:.1} MB of resident memory ({:.1} bytes a key; budget {} MB)",
        used as f64 / 1e6,
        used as f64 / KEYS as f64,
        BUDGET / 1_000_000
    );
    assert!(
        used <= BUDGET,
        "{KEYS} keys took {used} bytes, more than {BUDGET}"
    );
    drop(store);
}
