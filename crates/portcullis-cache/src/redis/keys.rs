//! Where entries live in Redis: `{prefix}:c:<partition>:<rest of the key>`.
//!
//! - `{prefix}` is a Redis Cluster hash tag: every key of one prefix hashes
//!   to the same slot, which is what lets a flush find all of a partition's
//!   keys with one `SCAN` on one node. The price is that one prefix's
//!   entries do not spread over a cluster's shards; deployments that
//!   outgrow one shard give gateways (or tenants) different prefixes.
//! - `<partition>` is the partition (a stage) kept readable for
//!   `redis-cli --scan`: as written, except `%`, `:`, spaces and control
//!   characters, which are percent-escaped. `:` never appears inside it,
//!   so the segment ends at the first `:` and two partitions never share a
//!   key: a flush pattern for one never matches another's keys.
//! - The rest is [`CacheKey::rest`]: binary, unambiguous by construction
//!   (Redis keys are binary safe).

use std::fmt::Write;
use std::sync::Arc;

use crate::CacheKey;

/// Builds the Redis keys of one prefix.
#[derive(Clone, Debug)]
pub(super) struct Keys {
    /// `{prefix}:c:`, the start of every entry's key.
    head: Arc<str>,
}

impl Keys {
    /// Keys under `prefix` (checked by the caller: non-empty, no braces).
    pub(super) fn new(prefix: &str) -> Self {
        Self {
            head: Arc::from(format!("{{{prefix}}}:c:")),
        }
    }

    /// The start of every key, for `Debug`.
    pub(super) fn head(&self) -> &str {
        &self.head
    }

    /// The Redis key of `key`.
    pub(super) fn entry(&self, key: &CacheKey) -> Vec<u8> {
        let mut out = self.partition_head(key.partition()).into_bytes();
        out.extend_from_slice(key.rest());
        out
    }

    /// A `SCAN MATCH` pattern matching exactly the keys of `partition`.
    pub(super) fn partition_pattern(&self, partition: &str) -> Vec<u8> {
        let mut pattern = escape_glob(self.partition_head(partition).as_bytes());
        pattern.push(b'*');
        pattern
    }

    /// `{prefix}:c:<partition>:`.
    fn partition_head(&self, partition: &str) -> String {
        let mut out = String::with_capacity(self.head.len() + partition.len() + 1);
        out.push_str(&self.head);
        for c in partition.chars() {
            if c == '%' || c == ':' || c == ' ' || c.is_control() {
                let mut utf8 = [0; 4];
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "%{byte:02X}");
                }
            } else {
                out.push(c);
            }
        }
        out.push(':');
        out
    }
}

/// `literal` with Redis glob's metacharacters (`* ? [ ] \`, and `^` and
/// `-`, which only mean something inside brackets) escaped with `\`, so
/// that it matches only itself.
fn escape_glob(literal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(literal.len() + 8);
    for &byte in literal {
        if matches!(byte, b'*' | b'?' | b'[' | b']' | b'\\' | b'^' | b'-') {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis's glob (stringmatchlen), as far as escaped patterns with one
    /// trailing `*` use it: `\x` matches `x`, `*` matches any rest.
    fn matches(pattern: &[u8], key: &[u8]) -> bool {
        let (mut p, mut k) = (0, 0);
        while p < pattern.len() {
            match pattern[p] {
                b'*' if p + 1 == pattern.len() => return true,
                b'\\' if p + 1 < pattern.len() => {
                    if key.get(k) != Some(&pattern[p + 1]) {
                        return false;
                    }
                    p += 2;
                    k += 1;
                }
                b'*' | b'?' | b'[' => panic!("unescaped metacharacter in {pattern:?}"),
                byte => {
                    if key.get(k) != Some(&byte) {
                        return false;
                    }
                    p += 1;
                    k += 1;
                }
            }
        }
        k == key.len()
    }

    #[test]
    fn keys_are_readable_and_tagged() {
        let keys = Keys::new("gw");
        let key = CacheKey::builder("petstore/prod").text("GET").build();
        let redis = keys.entry(&key);
        assert!(redis.starts_with(b"{gw}:c:petstore/prod:"));
        assert!(redis.ends_with(key.rest()));
        let odd = CacheKey::builder("a:b %c\n").build();
        assert!(keys.entry(&odd).starts_with(b"{gw}:c:a%3Ab%20%25c%0A:"));
    }

    #[test]
    fn a_partition_pattern_matches_its_keys_only() {
        let keys = Keys::new("p");
        let partitions = [
            "prod", "prod:x", "prod*", "pro?", "pr[o]d", "p\\rod", "pro", "", "*", "%3A", ":", "é",
        ];
        for flushed in partitions {
            let pattern = keys.partition_pattern(flushed);
            for other in partitions {
                for key in [
                    CacheKey::builder(other).build(),
                    CacheKey::builder(other).text("GET").text(":x*").build(),
                    CacheKey::builder(other).part(None).build(),
                ] {
                    assert_eq!(
                        matches(&pattern, &keys.entry(&key)),
                        flushed == other,
                        "{flushed:?} vs {other:?}"
                    );
                }
            }
            assert!(!matches(
                &pattern,
                &Keys::new("q").entry(&CacheKey::builder(flushed).build())
            ));
        }
    }

    #[test]
    fn metacharacters_are_escaped() {
        assert_eq!(escape_glob(b"a*b?[c]\\d^-"), b"a\\*b\\?\\[c\\]\\\\d\\^\\-");
    }
}
