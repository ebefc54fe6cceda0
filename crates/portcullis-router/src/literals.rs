//! The literal children of one tree node, found by their segment text.
//!
//! Most resources have a handful of literal children, where comparing each is
//! fastest. A node with many (a root with thousands of `/svc{i}`) also gets an
//! open-addressing hash index, so a lookup costs one hash of the segment and,
//! almost always, one comparison.

/// Up to this many children are searched one by one, without hashing.
const LINEAR_MAX: usize = 8;

/// A segment of the request path, prepared once for comparing with keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe<'a> {
    /// See [`prefix`].
    prefix: u64,
    len: usize,
    /// Bytes 8.. (empty for short segments).
    tail: &'a [u8],
}

impl<'a> Probe<'a> {
    #[inline]
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Probe {
            prefix: prefix(bytes),
            len: bytes.len(),
            tail: bytes.get(8..).unwrap_or_default(),
        }
    }
}

/// The cheap part of a key, compared first: for keys of up to 8 bytes (most
/// segments) it is the whole comparison, with no pointer to follow.
#[derive(Debug, Clone, Copy)]
struct Key {
    prefix: u64,
    len: u32,
    node: u32,
}

/// Literal segment → child node.
#[derive(Debug, Clone, Default)]
pub(crate) struct Literals {
    keys: Vec<Key>,
    /// Bytes 8.. of each key (empty for short keys).
    tails: Vec<Box<[u8]>>,
    /// Hash slots holding `position + 1` (0: free); empty while `keys` is short.
    /// Its length is a power of two, at least twice the number of keys.
    index: Box<[u32]>,
    /// `64 - log2(index.len())`: hashes are reduced to their top bits.
    shift: u32,
}

impl Literals {
    /// The child reached by the segment `probe`.
    #[inline]
    pub(crate) fn get(&self, probe: Probe<'_>) -> Option<u32> {
        if self.index.is_empty() {
            for (position, key) in self.keys.iter().enumerate() {
                if self.is(position, key, probe) {
                    return Some(key.node);
                }
            }
            return None;
        }
        let mask = self.index.len() - 1;
        let mut slot = (hash(probe) >> self.shift) as usize;
        loop {
            let entry = *self.index.get(slot)? as usize;
            let position = entry.checked_sub(1)?;
            let key = self.keys.get(position)?;
            if self.is(position, key, probe) {
                return Some(key.node);
            }
            slot = (slot + 1) & mask;
        }
    }

    #[inline]
    fn is(&self, position: usize, key: &Key, probe: Probe<'_>) -> bool {
        key.prefix == probe.prefix
            && key.len as usize == probe.len
            && (probe.len <= 8 || self.tails.get(position).map(|t| &**t) == Some(probe.tail))
    }

    /// Adds a child; the caller checked that `segment` is not there yet.
    pub(crate) fn insert(&mut self, segment: &str, node: u32) {
        let bytes = segment.as_bytes();
        self.keys.push(Key {
            prefix: prefix(bytes),
            // Segments are shorter than the route, itself far below 4 GiB.
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            node,
        });
        self.tails.push(bytes.get(8..).unwrap_or_default().into());
        if self.keys.len() > LINEAR_MAX && self.keys.len() * 2 > self.index.len() {
            self.rebuild_index();
        } else if !self.index.is_empty() {
            self.place(self.keys.len() - 1);
        }
    }

    fn rebuild_index(&mut self) {
        let size = (self.keys.len() * 2).next_power_of_two().max(32);
        self.index = vec![0; size].into_boxed_slice();
        self.shift = 64 - size.trailing_zeros();
        for position in 0..self.keys.len() {
            self.place(position);
        }
    }

    fn place(&mut self, position: usize) {
        let key = self.keys[position];
        let probe = Probe {
            prefix: key.prefix,
            len: key.len as usize,
            tail: &self.tails[position],
        };
        let mask = self.index.len() - 1;
        let mut slot = (hash(probe) >> self.shift) as usize;
        while self.index[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        // Fits: a router holds fewer than u32::MAX routes, hence children.
        self.index[slot] = position as u32 + 1;
    }
}

/// A word that, together with the length, identifies the first 8 bytes of
/// `bytes`: the bytes themselves when there are 8, else overlapping loads that
/// cover every byte (reading byte by byte or through a buffer costs a `memcpy`
/// call and a stalled load, a third of a lookup).
#[inline]
fn prefix(bytes: &[u8]) -> u64 {
    match bytes.len() {
        0 => 0,
        1..=3 => {
            let (first, middle, last) = (bytes[0], bytes[bytes.len() / 2], bytes[bytes.len() - 1]);
            u64::from(first) | u64::from(middle) << 8 | u64::from(last) << 16
        }
        4..=7 => {
            let low = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            let n = bytes.len();
            let high = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
            u64::from(low) | u64::from(high) << 32
        }
        _ => u64::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
        ]),
    }
}

/// A fast multiplicative hash over 8-byte words (the construction of rustc's
/// FxHash). Lookups only probe a table built from the router's own routes, so
/// a client cannot lengthen probe chains by choosing segments.
#[inline]
fn hash(probe: Probe<'_>) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h = (probe.len as u64 ^ probe.prefix).wrapping_mul(K);
    for word in probe.tail.chunks(8) {
        h = (h.rotate_left(5) ^ prefix(word)).wrapping_mul(K);
    }
    // The multiply leaves its best bits at the top, where the slot is taken.
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_few_and_many_children() {
        for count in [0u32, 1, 5, 8, 9, 40, 1000] {
            let mut literals = Literals::default();
            for i in 0..count {
                literals.insert(&format!("svc{i}"), i * 10);
            }
            for i in 0..count {
                assert_eq!(
                    literals.get(Probe::new(format!("svc{i}").as_bytes())),
                    Some(i * 10),
                    "{count}"
                );
            }
            for missing in ["", "svc", "svc-1", "svc100000", "SVC1"] {
                assert_eq!(
                    literals.get(Probe::new(missing.as_bytes())),
                    None,
                    "{missing}"
                );
            }
        }
    }

    #[test]
    fn long_keys_compare_their_tails() {
        let mut literals = Literals::default();
        let names = [
            "abcdefgh",
            "abcdefghi",
            "abcdefghij",
            "abcdefgh\0",
            "abcdefgz",
            "a",
        ];
        for (i, name) in names.iter().enumerate() {
            literals.insert(name, i as u32);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(literals.get(Probe::new(name.as_bytes())), Some(i as u32));
        }
        assert_eq!(literals.get(Probe::new(b"abcdefghik")), None);
        assert_eq!(literals.get(Probe::new(b"a\0")), None);
        assert_eq!(literals.get(Probe::new(b"")), None);
    }

    #[test]
    fn hash_tells_apart_lengths_and_tails() {
        let h = |b: &[u8]| hash(Probe::new(b));
        assert_ne!(h(b""), h(b"\0"));
        assert_ne!(h(b"abcdefgh"), h(b"abcdefgh\0"));
        assert_ne!(h(b"items"), h(b"itemz"));
    }
}
