//! Byte comparison and search for the short texts of policies (tens of
//! bytes, mostly ARNs): word-at-a-time loops that beat a call into `memcmp`
//! or setting up `str::find`'s searcher, in safe code.

use super::pattern::Case;

/// Whether `have` is `want`: exactly, or (for `Insensitive` patterns, whose
/// `Exact` and `Prefix` texts are ASCII) ignoring ASCII case.
pub(crate) fn same_bytes(want: &str, have: &[u8], case: Case) -> bool {
    eq_bytes(want.as_bytes(), have)
        || (case == Case::Insensitive && have.eq_ignore_ascii_case(want.as_bytes()))
}

/// Byte equality eight bytes at a time, from the end. Policy texts are tens
/// of bytes, where a call into `memcmp` costs more than the comparison; and
/// ARNs in one policy share their beginning (`arn:aws:execute-api:region:
/// account:api/`), so they differ sooner from the end.
pub(crate) fn eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut wa, mut wb) = (a.rchunks_exact(8), b.rchunks_exact(8));
    for (x, y) in (&mut wa).zip(&mut wb) {
        let word = |c: &[u8]| c.try_into().map_or(0, u64::from_ne_bytes);
        if word(x) != word(y) {
            return false;
        }
    }
    // Up to seven bytes: a loop, not a call.
    wa.remainder()
        .iter()
        .zip(wb.remainder())
        .all(|(x, y)| x == y)
}

/// Where `needle` first occurs in `haystack`. Policy texts are short, so a
/// scan for one byte beats setting up `str::find`'s two-way searcher on
/// every call. The byte scanned for is the needle's first that is not `/` or
/// `:`, which in ARNs are everywhere.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let k = needle
        .iter()
        .position(|&b| b != b'/' && b != b':')
        .unwrap_or(0);
    let Some(&probe) = needle.get(k) else {
        return Some(0);
    };
    let mut at = k;
    while let Some(i) = position(haystack.get(at..)?, probe) {
        let start = at + i - k;
        if eq_bytes(haystack.get(start..start + needle.len())?, needle) {
            return Some(start);
        }
        at += i + 1;
    }
    None
}

/// The first index of `byte`, eight bytes at a time: a word holds `byte`
/// where `word ^ byte * 0x01..01` has a zero byte, which the classic
/// `(v - 0x01..01) & !v & 0x80..80` test finds (its lowest set bit is exact).
fn position(haystack: &[u8], byte: u8) -> Option<usize> {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let pattern = LO * u64::from(byte);
    let mut words = haystack.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        let v = chunk.try_into().map_or(0, u64::from_le_bytes) ^ pattern;
        let found = v.wrapping_sub(LO) & !v & HI;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let tail = words.remainder().iter().position(|&b| b == byte)?;
    Some(offset + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_bytes_compares_every_byte() {
        let a = b"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets";
        assert!(eq_bytes(a, a));
        for i in 0..a.len() {
            let mut b = *a;
            b[i] ^= 1;
            assert!(!eq_bytes(a, &b), "{i}");
        }
        assert!(!eq_bytes(b"abc", b"abcd"));
        assert!(eq_bytes(b"", b""));
    }

    #[test]
    fn position_finds_the_first_occurrence() {
        let text: Vec<u8> = (0..=255).chain(0..=255).collect();
        for b in 0..=255u8 {
            assert_eq!(position(&text, b), Some(usize::from(b)));
            for start in [1, 7, 9, 100] {
                let want = text[start..].iter().position(|&x| x == b);
                assert_eq!(position(&text[start..], b), want);
            }
        }
        assert_eq!(position(b"", b'a'), None);
        assert_eq!(position(b"\x80\x81\x01abcdefgh", 0x01), Some(2));
        assert_eq!(position(b"abcdefghijklmnop", b'p'), Some(15));
        assert_eq!(position(b"abcdefghijklmnop", b'q'), None);
    }

    #[test]
    fn find_scans_bytes() {
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"abc", b""), Some(0));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"aaa", b"aa"), Some(0));
        assert_eq!(find("xé/é".as_bytes(), "é".as_bytes()), Some(1));
        assert_eq!(find(b"a/b/:c/:d", b"/:d"), Some(6));
        assert_eq!(find(b"/:d", b"/:d"), Some(0));
        assert_eq!(find(b":d", b"/:d"), None);
        assert_eq!(find(b"x//", b"//"), Some(1));
        assert_eq!(find(b"x/", b"//"), None);
    }
}
