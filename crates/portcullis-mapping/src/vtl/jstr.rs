//! Java `String` semantics: indexes count UTF-16 code units.

/// A string viewed as UTF-16 code units (bytes when it is ASCII, which is the usual case).
pub(crate) enum Units<'a> {
    Ascii(&'a [u8]),
    Wide(Vec<u16>),
}

impl<'a> Units<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        if s.is_ascii() {
            Units::Ascii(s.as_bytes())
        } else {
            Units::Wide(s.encode_utf16().collect())
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Units::Ascii(b) => b.len(),
            Units::Wide(w) => w.len(),
        }
    }

    /// Units `begin..end` as a string (a lone surrogate becomes U+FFFD).
    pub(crate) fn slice(&self, begin: usize, end: usize) -> String {
        match self {
            Units::Ascii(b) => String::from_utf8_lossy(&b[begin..end]).into_owned(),
            Units::Wide(w) => String::from_utf16_lossy(&w[begin..end]),
        }
    }

    fn unit(&self, i: usize) -> u16 {
        match self {
            Units::Ascii(b) => u16::from(b[i]),
            Units::Wide(w) => w[i],
        }
    }

    fn matches_at(&self, needle: &Units<'_>, at: usize) -> bool {
        at + needle.len() <= self.len()
            && (0..needle.len()).all(|j| self.unit(at + j) == needle.unit(j))
    }

    /// `indexOf(str, from)`.
    pub(crate) fn index_of(&self, needle: &Units<'_>, from: i64) -> i64 {
        let len = self.len();
        let from = from.max(0) as usize;
        if from >= len {
            return if needle.len() == 0 { len as i64 } else { -1 };
        }
        (from..=len.saturating_sub(needle.len()))
            .find(|&i| self.matches_at(needle, i))
            .map_or(-1, |i| i as i64)
    }

    /// `lastIndexOf(str, from)`.
    pub(crate) fn last_index_of(&self, needle: &Units<'_>, from: i64) -> i64 {
        let Some(right) = self.len().checked_sub(needle.len()) else {
            return -1;
        };
        let from = from.min(right as i64);
        if from < 0 {
            return -1;
        }
        (0..=from as usize)
            .rev()
            .find(|&i| self.matches_at(needle, i))
            .map_or(-1, |i| i as i64)
    }

    /// `charAt(i)` as a one-character string.
    pub(crate) fn char_at(&self, i: usize) -> Option<String> {
        (i < self.len()).then(|| self.slice(i, i + 1))
    }

    /// `String.hashCode()`.
    pub(crate) fn hash_code(&self) -> i32 {
        (0..self.len()).fold(0i32, |h, i| {
            h.wrapping_mul(31).wrapping_add(i32::from(self.unit(i)))
        })
    }

    pub(crate) fn compare(&self, other: &Units<'_>) -> i64 {
        let n = self.len().min(other.len());
        for i in 0..n {
            let (a, b) = (self.unit(i), other.unit(i));
            if a != b {
                return i64::from(a) - i64::from(b);
            }
        }
        self.len() as i64 - other.len() as i64
    }
}

/// Java `trim()`: strips code points up to U+0020 at both ends.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// `Character.isWhitespace`, for `strip()` / `isBlank()`.
pub(crate) fn is_java_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1C}'..='\u{1F}')
        || (c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}' | '\u{85}'))
}

/// `equalsIgnoreCase`: unit by unit, comparing upper and then lower case.
pub(crate) fn equals_ignore_case(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x == y || {
                let (ux, uy) = (upper1(*x), upper1(*y));
                ux == uy || lower1(ux) == lower1(uy)
            }
        })
}

fn upper1(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

fn lower1(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Java `toLowerCase(Locale.ROOT)`-like lower case.
pub(crate) fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

pub(crate) fn to_upper(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        s.to_uppercase()
    }
}
