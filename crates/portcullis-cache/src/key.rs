//! Cache keys: a partition (what a flush empties, such as a stage) and the
//! parts that choose an entry inside it, encoded so that no two different
//! lists of parts can produce the same key.

use std::fmt;
use std::sync::Arc;

/// Bytes identifying one cache entry.
///
/// Built with [`CacheKey::builder`]: each part is written with its length
/// in front, and an absent value is told apart from an empty one, so
/// `("a", "bc")` and `("ab", "c")` never meet and neither do a missing
/// header and an empty one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey {
    /// The encoded partition, then the encoded parts.
    bytes: Arc<[u8]>,
    /// Where the partition's encoding ends in `bytes`.
    partition_len: usize,
}

impl CacheKey {
    /// Starts a key in `partition`: the unit [`flush`](crate::Cache::flush)
    /// empties (API Gateway flushes one stage's cache).
    pub fn builder(partition: &str) -> KeyBuilder {
        let mut bytes = Vec::with_capacity(64);
        push_part(&mut bytes, Some(partition.as_bytes()));
        KeyBuilder {
            partition_len: bytes.len(),
            bytes,
        }
    }

    /// The key's bytes: binary, stable across processes and versions of
    /// this crate with the same major version (Redis keys are made of them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded partition this key starts with.
    pub fn partition_prefix(&self) -> &[u8] {
        &self.bytes[..self.partition_len]
    }

    /// The partition's name.
    pub fn partition(&self) -> &str {
        // Written from a `&str` by `builder`: the bytes after the tag and length.
        std::str::from_utf8(&self.bytes[PART_HEADER..self.partition_len]).unwrap_or_default()
    }

    /// The encoded parts after the partition.
    pub fn rest(&self) -> &[u8] {
        &self.bytes[self.partition_len..]
    }

    /// How many bytes the key holds.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the key holds no bytes (never: the partition is always there).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// The encoded prefix every key of `partition` starts with.
pub(crate) fn partition_prefix(partition: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(partition.len() + PART_HEADER);
    push_part(&mut bytes, Some(partition.as_bytes()));
    bytes
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be identities (a header in the key): show sizes, not bytes.
        f.debug_struct("CacheKey")
            .field("partition", &self.partition())
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Builds a [`CacheKey`] part by part.
#[derive(Debug)]
pub struct KeyBuilder {
    bytes: Vec<u8>,
    partition_len: usize,
}

impl KeyBuilder {
    /// Adds a part; `None` (a parameter the request does not have) differs
    /// from `Some("")` (one it has, empty).
    pub fn part(mut self, value: Option<&[u8]>) -> Self {
        push_part(&mut self.bytes, value);
        self
    }

    /// Adds a text part that is always present (a method, a resource path).
    pub fn text(self, value: &str) -> Self {
        self.part(Some(value.as_bytes()))
    }

    /// Adds a part with several values (a multi-valued query string
    /// parameter or header): their count, then each one.
    pub fn values<'a>(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let at = self.bytes.len();
        self.bytes.push(TAG_LIST);
        self.bytes.extend_from_slice(&0u32.to_le_bytes());
        let mut count: u32 = 0;
        for value in values {
            push_part(&mut self.bytes, Some(value));
            count = count.saturating_add(1);
        }
        self.bytes[at + 1..at + PART_HEADER].copy_from_slice(&count.to_le_bytes());
        self
    }

    /// The key.
    pub fn build(self) -> CacheKey {
        CacheKey {
            bytes: self.bytes.into(),
            partition_len: self.partition_len,
        }
    }
}

const TAG_ABSENT: u8 = 0;
const TAG_PRESENT: u8 = 1;
const TAG_LIST: u8 = 2;
/// A tag byte and a 32-bit length (or count).
const PART_HEADER: usize = 5;

fn push_part(bytes: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        None => {
            bytes.push(TAG_ABSENT);
            bytes.extend_from_slice(&0u32.to_le_bytes());
        }
        Some(value) => {
            bytes.push(TAG_PRESENT);
            // Values come from HTTP heads, far below 4 GiB; saturate rather than wrap.
            let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[Option<&str>]) -> CacheKey {
        parts
            .iter()
            .fold(CacheKey::builder("api/prod"), |b, p| {
                b.part(p.map(str::as_bytes))
            })
            .build()
    }

    #[test]
    fn values_never_run_together() {
        assert_ne!(key(&[Some("a"), Some("bc")]), key(&[Some("ab"), Some("c")]));
        assert_ne!(key(&[Some("ab")]), key(&[Some("a"), Some("b")]));
        assert_ne!(key(&[None]), key(&[Some("")]));
        assert_ne!(key(&[None, Some("x")]), key(&[Some("x"), None]));
        assert_eq!(key(&[Some("a"), None]), key(&[Some("a"), None]));
    }

    #[test]
    fn lists_differ_from_single_values() {
        let list = CacheKey::builder("p")
            .values([b"a".as_slice(), b"b".as_slice()])
            .build();
        let single = CacheKey::builder("p").text("a").text("b").build();
        assert_ne!(list, single);
        let empty = CacheKey::builder("p").values([]).build();
        assert_ne!(empty, CacheKey::builder("p").part(None).build());
    }

    #[test]
    fn partitions_are_prefixes() {
        let k = CacheKey::builder("api/prod").text("GET").build();
        assert_eq!(k.partition(), "api/prod");
        assert!(k.as_bytes().starts_with(&partition_prefix("api/prod")));
        assert!(!k.as_bytes().starts_with(&partition_prefix("api/pro")));
        assert_eq!(k.partition_prefix(), partition_prefix("api/prod"));
        assert_eq!(
            [k.partition_prefix(), k.rest()].concat(),
            k.as_bytes().to_vec()
        );
    }

    #[test]
    fn debug_hides_values() {
        let k = CacheKey::builder("s").text("secret-token").build();
        assert!(!format!("{k:?}").contains("secret"));
    }
}
