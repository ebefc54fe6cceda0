//! Request ids, trace ids and timestamps shaped like Lambda's, without a
//! random-number or date crate.
//!
//! Randomness comes from std's `RandomState` (SipHash keyed from the OS's
//! randomness) over a counter: unpredictable enough for ids that only have to
//! be unique and look like Lambda's, and allocation-free.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh 64-bit random number.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_hex(out: &mut [u8], mut value: u64) {
    for slot in out.iter_mut().rev() {
        *slot = HEX[(value & 0xf) as usize];
        value >>= 4;
    }
}

/// Lambda's request id for one invocation: a version-4 UUID in lower-case hex,
/// e.g. `8476a536-e9f4-41e8-9739-2dfe598c3fcd`.
///
/// It is not the gateway's request id: Lambda's request id differs from API
/// Gateway's, and ours must be unique per invocation because the Runtime API
/// routes `/invocation/{id}/response` by it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct RequestId([u8; 36]);

impl RequestId {
    pub(super) fn new() -> Self {
        let (high, low) = (random_u64(), random_u64());
        // Version 4 and the RFC 4122 variant.
        let high = (high & !0xf000) | 0x4000;
        let low = (low & !(0xc000 << 48)) | (0x8000 << 48);
        let mut hex = [0u8; 32];
        write_hex(&mut hex[..16], high);
        write_hex(&mut hex[16..], low);
        let mut out = [b'-'; 36];
        out[0..8].copy_from_slice(&hex[0..8]);
        out[9..13].copy_from_slice(&hex[8..12]);
        out[14..18].copy_from_slice(&hex[12..16]);
        out[19..23].copy_from_slice(&hex[16..20]);
        out[24..36].copy_from_slice(&hex[20..32]);
        Self(out)
    }

    pub(super) fn as_str(&self) -> &str {
        // Always ASCII hex and dashes.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An X-Ray trace header as Lambda hands it to the runtime
/// (`Lambda-Runtime-Trace-Id`): `Root=1-<epoch hex>-<96 bits>;Parent=<64 bits>;Sampled=0`.
/// Runtime clients copy it into `_X_AMZN_TRACE_ID`; the SDKs read it from there.
pub(super) fn trace_id() -> [u8; 74] {
    let mut out = *b"Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0";
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    write_hex(&mut out[7..15], secs & 0xffff_ffff);
    write_hex(&mut out[16..24], random_u64() & 0xffff_ffff);
    write_hex(&mut out[24..40], random_u64());
    write_hex(&mut out[48..64], random_u64());
    out
}

/// A log stream name as Lambda names them: `2024/05/01/[$LATEST]<32 hex>`.
pub(super) fn log_stream_name() -> String {
    let (year, month, day, ..) = civil(SystemTime::now());
    let mut hex = [0u8; 32];
    write_hex(&mut hex[..16], random_u64());
    write_hex(&mut hex[16..], random_u64());
    format!(
        "{year:04}/{month:02}/{day:02}/[$LATEST]{}",
        std::str::from_utf8(&hex).unwrap_or_default()
    )
}

/// Milliseconds since the Unix epoch, as `Lambda-Runtime-Deadline-Ms` carries them.
pub(super) fn unix_millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// RFC 3339 in UTC with milliseconds (`2024-05-01T12:00:00.000Z`), the form of
/// the timestamp in Lambda's "Task timed out" message.
pub(super) fn rfc3339_millis(time: SystemTime) -> String {
    let (year, month, day, hour, minute, second, millis) = civil(time);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
}

/// The UTC calendar date and time of `time` (Howard Hinnant's days-to-civil).
fn civil(time: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
        since.subsec_millis(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn request_ids_are_v4_uuids_and_differ() {
        let a = RequestId::new();
        let b = RequestId::new();
        assert_ne!(a, b);
        let s = a.as_str();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
        assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"), "{s}");
        assert!(s.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn formats_utc_times() {
        let t = UNIX_EPOCH + Duration::from_millis(1_714_564_800_123);
        assert_eq!(rfc3339_millis(t), "2024-05-01T12:00:00.123Z");
        assert_eq!(rfc3339_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&rfc3339_millis(leap)[..10], "2000-02-29");
    }

    #[test]
    fn trace_id_has_lambdas_shape() {
        let trace = trace_id();
        let s = std::str::from_utf8(&trace).unwrap();
        assert!(s.starts_with("Root=1-") && s.ends_with(";Sampled=0"), "{s}");
        assert_eq!(s.split(';').count(), 3);
    }
}
