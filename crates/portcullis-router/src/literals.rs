//! The literal children of one tree node, found by their segment text.
//!
//! Most resources have a handful of literal children, where comparing each is
//! fastest. A node with many (a root with thousands of `/svc{i}`) also gets an
//! open-addressing hash index, so a lookup costs one hash of the segment and,
//! almost always, one comparison.

/// Up to this many children are searched one by one, without hashing.
const LINEAR_MAX: usize = 8;

/// Literal segment → child node.
#[derive(Debug, Clone, Default)]
pub(crate) struct Literals {
    keys: Vec<Box<str>>,
    nodes: Vec<u32>,
    /// Hash slots holding `position + 1` (0: free); empty while `keys` is short.
    /// Its length is a power of two, at least twice the number of keys.
    index: Box<[u32]>,
    /// `64 - log2(index.len())`: hashes are reduced to their top bits.
    shift: u32,
}

impl Literals {
    /// The child reached by `segment`.
    #[inline]
    pub(crate) fn get(&self, segment: &[u8]) -> Option<u32> {
        if self.index.is_empty() {
            let position = self.keys.iter().position(|k| k.as_bytes() == segment)?;
            return self.nodes.get(position).copied();
        }
        let mask = self.index.len() - 1;
        let mut slot = (hash(segment) >> self.shift) as usize;
        loop {
            let entry = *self.index.get(slot)? as usize;
            if entry == 0 {
                return None;
            }
            if self.keys[entry - 1].as_bytes() == segment {
                return self.nodes.get(entry - 1).copied();
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a child; the caller checked that `segment` is not there yet.
    pub(crate) fn insert(&mut self, segment: &str, node: u32) {
        self.keys.push(segment.into());
        self.nodes.push(node);
        if self.keys.len() > LINEAR_MAX && self.keys.len() * 2 > self.index.len() {
            self.rebuild_index();
        } else if !self.index.is_empty() {
            let position = self.keys.len() - 1;
            self.place(position);
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
        let mask = self.index.len() - 1;
        let mut slot = (hash(self.keys[position].as_bytes()) >> self.shift) as usize;
        while self.index[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        // Fits: a router holds fewer than u32::MAX routes, hence children.
        self.index[slot] = position as u32 + 1;
    }
}

/// A fast multiplicative hash over 8-byte words (the construction of rustc's
/// FxHash). Lookups only probe a table built from the router's own routes, so
/// a client cannot lengthen probe chains by choosing segments.
#[inline]
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(word);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        let mut buf = [0u8; 8];
        buf[..tail.len()].copy_from_slice(tail);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    // The multiply leaves its best bits at the top; fold some lower down too.
    h ^ (h >> 29)
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
                assert_eq!(literals.get(format!("svc{i}").as_bytes()), Some(i * 10), "{count}");
            }
            for missing in ["", "svc", "svc-1", "svc100000", "SVC1"] {
                assert_eq!(literals.get(missing.as_bytes()), None, "{missing}");
            }
        }
    }

    #[test]
    fn hash_tells_apart_lengths_and_tails() {
        assert_ne!(hash(b""), hash(b"\0"));
        assert_ne!(hash(b"abcdefgh"), hash(b"abcdefgh\0"));
        assert_ne!(hash(b"items"), hash(b"itemz"));
    }
}
