//! What validation reads of a request, borrowed from whatever the server holds.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::marker::PhantomData;

use indexmap::IndexMap;

/// A source of request parameters: path parameters, query string parameters or headers.
///
/// A name given more than once has the value of its last occurrence, as in API Gateway's
/// `method.request.querystring.X` and `method.request.header.X`. Implemented for slices and
/// vectors of pairs and for string maps; wrap any other lookup in [`FromFn`].
pub trait ParamSource {
    /// The value of the parameter `name`, compared exactly.
    fn param(&self, name: &str) -> Option<&str>;

    /// The value of the parameter `name`, with ASCII case ignored (used for headers). By default
    /// [`param`](ParamSource::param): a source whose keys are already lowercase, or that ignores
    /// case itself (an HTTP header map), needs nothing more.
    fn param_ignore_ascii_case(&self, name: &str) -> Option<&str> {
        self.param(name)
    }
}

fn last<'v, K: AsRef<str> + 'v, V: AsRef<str> + 'v>(
    pairs: impl DoubleEndedIterator<Item = &'v (K, V)>,
    matches: impl Fn(&str) -> bool,
) -> Option<&'v str> {
    pairs
        .rev()
        .find(|(k, _)| matches(k.as_ref()))
        .map(|(_, v)| v.as_ref())
}

/// Pair lists: slices (`&[(K, V)]`, passed as `&slice`), arrays and vectors.
macro_rules! pairs_source {
    ($([$($generics:tt)*] $ty:ty),*) => {$(
        impl<$($generics)*> ParamSource for $ty {
            fn param(&self, name: &str) -> Option<&str> {
                last(self.iter(), |k| k == name)
            }
            fn param_ignore_ascii_case(&self, name: &str) -> Option<&str> {
                last(self.iter(), |k| k.eq_ignore_ascii_case(name))
            }
        }
    )*};
}

pairs_source!(
    [K: AsRef<str>, V: AsRef<str>] &[(K, V)],
    [K: AsRef<str>, V: AsRef<str>, const N: usize] [(K, V); N],
    [K: AsRef<str>, V: AsRef<str>] Vec<(K, V)>
);

macro_rules! map_source {
    ($($map:ident $(<$s:ident: $bound:path>)?),*) => {$(
        impl<$($s: $bound)?> ParamSource for $map<String, String $(, $s)?> {
            fn param(&self, name: &str) -> Option<&str> {
                self.get(name).map(String::as_str)
            }
            fn param_ignore_ascii_case(&self, name: &str) -> Option<&str> {
                self.param(name).or_else(|| {
                    self.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.as_str())
                })
            }
        }
    )*};
}

map_source!(HashMap<S: BuildHasher>, IndexMap<S: BuildHasher>, BTreeMap);

/// A [`ParamSource`] from a closure, for a lookup the server already has (a router's path
/// parameters, an HTTP header map). For headers, the closure should ignore case itself.
///
/// ```
/// use portcullis_mapping::validate::{FromFn, ParamSource};
///
/// let params = [("petId", "7")];
/// let source = FromFn::new(|name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| *v));
/// assert_eq!(source.param("petId"), Some("7"));
/// ```
pub struct FromFn<'a, F> {
    lookup: F,
    values: PhantomData<&'a str>,
}

impl<'a, F: Fn(&str) -> Option<&'a str>> FromFn<'a, F> {
    /// Wraps `lookup`.
    pub fn new(lookup: F) -> Self {
        FromFn {
            lookup,
            values: PhantomData,
        }
    }
}

impl<'a, F: Fn(&str) -> Option<&'a str>> ParamSource for FromFn<'a, F> {
    fn param(&self, name: &str) -> Option<&str> {
        (self.lookup)(name)
    }
}

impl<F> fmt::Debug for FromFn<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FromFn")
    }
}

/// No parameters.
const NONE: [(&str, &str); 0] = [];

/// The parts of a request that validation reads.
///
/// ```
/// use portcullis_mapping::validate::RequestView;
///
/// let query = vec![("q1".to_owned(), "cat".to_owned())];
/// let headers = [("Content-Type", "application/json; charset=utf-8")];
/// let view = RequestView::new(b"{}").query_params(&query).headers(&headers);
/// assert_eq!(view.media_type(), "application/json");
/// ```
#[derive(Clone, Copy)]
pub struct RequestView<'a> {
    path_params: &'a dyn ParamSource,
    query_params: &'a dyn ParamSource,
    headers: &'a dyn ParamSource,
    content_type: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> RequestView<'a> {
    /// A request with `body` (empty for none), and no parameters or headers yet.
    pub fn new(body: &'a [u8]) -> Self {
        RequestView {
            path_params: &NONE,
            query_params: &NONE,
            headers: &NONE,
            content_type: None,
            body,
        }
    }

    /// The path parameters the route matched, by name as in the resource path (`{petId}`).
    #[must_use]
    pub fn path_params(mut self, source: &'a dyn ParamSource) -> Self {
        self.path_params = source;
        self
    }

    /// The query string parameters, decoded.
    #[must_use]
    pub fn query_params(mut self, source: &'a dyn ParamSource) -> Self {
        self.query_params = source;
        self
    }

    /// The headers; looked up with ASCII case ignored.
    #[must_use]
    pub fn headers(mut self, source: &'a dyn ParamSource) -> Self {
        self.headers = source;
        self
    }

    /// The `Content-Type`, when the server has it apart from the headers. Without it, the
    /// `Content-Type` header is used.
    #[must_use]
    pub fn content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }

    /// The media type that picks the body's model: the `Content-Type` without its parameters,
    /// lowercase; `application/json` when the request has none, as API Gateway assumes.
    pub fn media_type(&self) -> String {
        let raw = self
            .content_type
            .or_else(|| self.headers.param_ignore_ascii_case("content-type"))
            .unwrap_or_default();
        let essence = raw.split(';').next().unwrap_or_default().trim();
        if essence.is_empty() {
            "application/json".to_owned()
        } else {
            essence.to_ascii_lowercase()
        }
    }

    pub(super) fn body(&self) -> &'a [u8] {
        self.body
    }

    pub(super) fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params.param(name)
    }

    pub(super) fn query_param(&self, name: &str) -> Option<&str> {
        self.query_params.param(name)
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.param_ignore_ascii_case(name)
    }
}

impl fmt::Debug for RequestView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestView")
            .field("media_type", &self.media_type())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_give_the_last_value() {
        let pairs = [("q", "a"), ("q", ""), ("r", "b")];
        assert_eq!(pairs.param("q"), Some(""));
        assert_eq!(pairs.param("Q"), None);
        assert_eq!(pairs.param_ignore_ascii_case("Q"), Some(""));
        let slice: &[(String, String)] = &[("q".into(), "x".into())];
        assert_eq!(slice.param("q"), Some("x"));
    }

    #[test]
    fn maps_ignore_case_for_headers() {
        let mut headers = HashMap::new();
        headers.insert("X-Api-Key".to_owned(), "k".to_owned());
        assert_eq!(headers.param("x-api-key"), None);
        assert_eq!(headers.param_ignore_ascii_case("x-api-key"), Some("k"));
        let btree: BTreeMap<String, String> = headers.into_iter().collect();
        assert_eq!(btree.param_ignore_ascii_case("X-API-KEY"), Some("k"));
    }

    #[test]
    fn media_type_defaults_to_json() {
        assert_eq!(RequestView::new(b"").media_type(), "application/json");
        let headers = [("content-type", "Application/XML ; charset=UTF-8")];
        let view = RequestView::new(b"").headers(&headers);
        assert_eq!(view.media_type(), "application/xml");
        let view = view.content_type("text/plain");
        assert_eq!(view.media_type(), "text/plain");
    }
}
