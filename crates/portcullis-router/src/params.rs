//! Path parameters of a match, read straight from the request path.
//!
//! A lookup records no captures at all: it only finds the route. The route knows
//! at which segment each of its parameters sits, so [`Params`] is two references
//! (the path and the route's parameter list) and a value is found by walking the
//! path when asked. That keeps a lookup free of heap allocation and of any limit
//! on the number of parameters, and makes backtracking cost nothing (there is no
//! capture list to unwind). Reading every parameter walks the path once.

use std::fmt;
use std::iter::FusedIterator;

use crate::template::Segment;

/// One path parameter of a route: its name and the segment it captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Capture {
    name: Box<str>,
    /// Index of the captured segment among the path's non-empty segments.
    segment: usize,
    /// `{name+}`: the capture runs to the end of the path.
    greedy: bool,
}

/// The parameters of a template, in path order.
pub(crate) fn captures(segments: &[Segment<'_>]) -> Box<[Capture]> {
    segments
        .iter()
        .enumerate()
        .filter_map(|(segment, s)| match *s {
            Segment::Literal(_) => None,
            Segment::Param(name) => Some(Capture {
                name: name.into(),
                segment,
                greedy: false,
            }),
            Segment::Greedy(name) => Some(Capture {
                name: name.into(),
                segment,
                greedy: true,
            }),
        })
        .collect()
}

/// The path parameters of a [`Match`](crate::Match).
///
/// Values are slices of the path exactly as the client sent it: nothing is
/// percent-decoded (use [`percent_decode`](crate::percent_decode) for that). A
/// `{name}` value is one segment; a greedy `{name+}` value runs from its segment
/// to the end of the path, slashes included, without the trailing slash. The
/// greedy parameter is named without its `+`, as in API Gateway's
/// `pathParameters` (`{proxy+}` is read with `get("proxy")`).
///
/// ```
/// use portcullis_router::{Method, RestRouter};
///
/// let mut router = RestRouter::new();
/// router.insert(Method::Get, "/users/{user}/files/{path+}", ())?;
/// let matched = router.at("GET", "/users/ann/files/a%20b/c.txt/").unwrap();
/// assert_eq!(matched.params.get("user"), Some("ann"));
/// assert_eq!(matched.params.get("path"), Some("a%20b/c.txt"));
/// let all: Vec<_> = matched.params.iter().collect();
/// assert_eq!(all, [("user", "ann"), ("path", "a%20b/c.txt")]);
/// # Ok::<(), portcullis_router::InsertError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Params<'r, 'p> {
    path: &'p str,
    captures: &'r [Capture],
}

impl<'r, 'p> Params<'r, 'p> {
    #[inline]
    pub(crate) fn new(path: &'p str, captures: &'r [Capture]) -> Self {
        Params { path, captures }
    }

    /// The raw value of the parameter `name` (without braces or `+`).
    #[inline]
    pub fn get(&self, name: &str) -> Option<&'p str> {
        let capture = self.captures.iter().find(|c| &*c.name == name)?;
        let rest = skip_segments(start(self.path), capture.segment);
        Some(value(rest, capture.greedy))
    }

    /// Every parameter as `(name, raw value)`, in path order.
    #[inline]
    pub fn iter(&self) -> ParamsIter<'r, 'p> {
        ParamsIter {
            // Most routes have no parameters: do not even look at the path.
            rest: if self.captures.is_empty() {
                ""
            } else {
                start(self.path)
            },
            segment: 0,
            captures: self.captures.iter(),
        }
    }

    /// How many parameters the route has.
    pub fn len(&self) -> usize {
        self.captures.len()
    }

    /// Whether the route has no parameters.
    pub fn is_empty(&self) -> bool {
        self.captures.is_empty()
    }
}

impl fmt::Debug for Params<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'r, 'p> IntoIterator for &Params<'r, 'p> {
    type Item = (&'r str, &'p str);
    type IntoIter = ParamsIter<'r, 'p>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over `(name, raw value)` pairs, from [`Params::iter`].
#[derive(Debug, Clone)]
pub struct ParamsIter<'r, 'p> {
    /// The path from the start of segment number `segment` on.
    rest: &'p str,
    segment: usize,
    captures: std::slice::Iter<'r, Capture>,
}

impl<'r, 'p> Iterator for ParamsIter<'r, 'p> {
    type Item = (&'r str, &'p str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let capture = self.captures.next()?;
        // Captures are in path order, so the walk only goes forward.
        let skip = capture.segment.saturating_sub(self.segment);
        self.rest = skip_segments(self.rest, skip);
        self.segment = capture.segment;
        Some((&capture.name, value(self.rest, capture.greedy)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.captures.size_hint()
    }
}

impl ExactSizeIterator for ParamsIter<'_, '_> {}
impl FusedIterator for ParamsIter<'_, '_> {}

/// The path from its first segment on.
fn start(path: &str) -> &str {
    path.get(slashes_end(path.as_bytes(), 0)..)
        .unwrap_or_default()
}

/// Skips `count` non-empty segments of `rest` (which starts at a segment) and
/// returns the path from the start of the next segment.
fn skip_segments(rest: &str, count: usize) -> &str {
    let bytes = rest.as_bytes();
    let mut at = 0;
    for _ in 0..count {
        at = segment_end(bytes, at);
        at = slashes_end(bytes, at);
    }
    // `at` is at the end or just after a `/`: a char boundary.
    rest.get(at..).unwrap_or_default()
}

/// The value captured at the start of `rest`.
fn value(rest: &str, greedy: bool) -> &str {
    let bytes = rest.as_bytes();
    let end = if greedy {
        let mut end = bytes.len();
        while end > 0 && bytes[end - 1] == b'/' {
            end -= 1;
        }
        end
    } else {
        segment_end(bytes, 0)
    };
    // `end` is at the end or on a `/`: a char boundary.
    rest.get(..end).unwrap_or_default()
}

/// Where the segment starting at `at` ends (the next `/`, or the end).
fn segment_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] != b'/' {
        at += 1;
    }
    at
}

/// Where the run of slashes starting at `at` ends.
fn slashes_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] == b'/' {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{TrailingSlash, parse};

    fn with_params<R>(template: &str, path: &str, f: impl FnOnce(Params<'_, '_>) -> R) -> R {
        let segments = parse(template, template, TrailingSlash::Reject)
            .unwrap()
            .segments;
        let captures = captures(&segments);
        f(Params::new(path, &captures))
    }

    #[test]
    fn reads_params_in_path_order() {
        with_params("/a/{x}/b/{y}/{rest+}", "/a/1/b/2/c/d", |p| {
            assert_eq!(p.len(), 3);
            assert_eq!(p.get("x"), Some("1"));
            assert_eq!(p.get("y"), Some("2"));
            assert_eq!(p.get("rest"), Some("c/d"));
            assert_eq!(p.get("rest+"), None);
            assert_eq!(p.get("z"), None);
            let all: Vec<_> = p.iter().collect();
            assert_eq!(all, [("x", "1"), ("y", "2"), ("rest", "c/d")]);
            assert_eq!(p.iter().len(), 3);
        });
    }

    #[test]
    fn skips_repeated_slashes_and_drops_trailing_ones() {
        with_params("/a/{x}/{rest+}", "//a//1///c//d//", |p| {
            assert_eq!(p.get("x"), Some("1"));
            assert_eq!(p.get("rest"), Some("c//d"));
            assert_eq!(format!("{p:?}"), r#"{"x": "1", "rest": "c//d"}"#);
        });
    }

    #[test]
    fn values_stay_encoded() {
        with_params("/{x}", "/a%2Fb%20c", |p| {
            assert_eq!(p.get("x"), Some("a%2Fb%20c"));
        });
    }

    #[test]
    fn no_params() {
        with_params("/a/b", "/a/b", |p| {
            assert!(p.is_empty());
            assert_eq!(p.iter().next(), None);
        });
    }
}
