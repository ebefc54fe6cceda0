//! HTTP methods as API Gateway knows them, and the per-resource method table.

use std::fmt;

/// An HTTP method a route can be defined on.
///
/// API Gateway lets a resource define the seven methods below plus `ANY`
/// (`x-amazon-apigateway-any-method`), which catches every method the resource
/// does not define itself. A request whose method is not in this list (`TRACE`,
/// `CONNECT`, a lowercase `get`…) can only be answered by an `ANY` route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `OPTIONS`
    Options,
    /// `ANY`: every method the resource does not define explicitly.
    Any,
}

impl Method {
    /// Every method, in the order of the enum.
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
        Method::Options,
        Method::Any,
    ];

    /// Parses an uppercase method name, `ANY` included.
    ///
    /// Method names are case-sensitive (RFC 9110), so `get` is `None`.
    ///
    /// ```
    /// use portcullis_router::Method;
    /// assert_eq!(Method::parse("GET"), Some(Method::Get));
    /// assert_eq!(Method::parse("ANY"), Some(Method::Any));
    /// assert_eq!(Method::parse("get"), None);
    /// assert_eq!(Method::parse("TRACE"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "OPTIONS" => Method::Options,
            "ANY" => Method::Any,
            _ => return None,
        })
    }

    /// The uppercase name, as written in a route key (`"GET"`, `"ANY"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Options => "OPTIONS",
            Method::Any => "ANY",
        }
    }

    /// Slot of this method in a [`MethodTable`].
    const fn slot(self) -> usize {
        self as usize
    }

    /// Slot of a request method, `None` for a method only `ANY` can answer.
    ///
    /// A request saying `ANY` is not a real method: it is answered by an `ANY`
    /// route like any other unknown method, not by the `ANY` slot as if it
    /// were a defined method.
    #[inline]
    fn request_slot(name: &str) -> Option<usize> {
        // Byte patterns compile to a few integer comparisons, no `memcmp`.
        let method = match *name.as_bytes() {
            [b'G', b'E', b'T'] => Method::Get,
            [b'P', b'O', b'S', b'T'] => Method::Post,
            [b'P', b'U', b'T'] => Method::Put,
            [b'H', b'E', b'A', b'D'] => Method::Head,
            [b'D', b'E', b'L', b'E', b'T', b'E'] => Method::Delete,
            [b'P', b'A', b'T', b'C', b'H'] => Method::Patch,
            [b'O', b'P', b'T', b'I', b'O', b'N', b'S'] => Method::Options,
            _ => return None,
        };
        Some(method.slot())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The request method, resolved once per lookup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestMethod(Option<usize>);

impl RequestMethod {
    #[inline]
    pub(crate) fn new(name: &str) -> Self {
        RequestMethod(Method::request_slot(name))
    }
}

/// Route ids of one resource, one slot per [`Method`].
#[derive(Debug, Clone)]
pub(crate) struct MethodTable([u32; 8]);

impl MethodTable {
    const EMPTY: u32 = u32::MAX;

    pub(crate) const fn new() -> Self {
        MethodTable([Self::EMPTY; 8])
    }

    /// The route defined for `method` itself (no `ANY` fallback).
    pub(crate) fn get_exact(&self, method: Method) -> Option<u32> {
        let id = self.0[method.slot()];
        (id != Self::EMPTY).then_some(id)
    }

    pub(crate) fn set(&mut self, method: Method, id: u32) {
        self.0[method.slot()] = id;
    }

    /// The route answering a request: its own method first, then `ANY`.
    #[inline]
    pub(crate) fn find(&self, method: RequestMethod) -> Option<u32> {
        if let Some(slot) = method.0 {
            let id = self.0[slot];
            if id != Self::EMPTY {
                return Some(id);
            }
        }
        let id = self.0[Method::Any.slot()];
        (id != Self::EMPTY).then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
            assert_eq!(method.to_string(), method.as_str());
        }
    }

    #[test]
    fn parse_rejects_lowercase_and_unknown() {
        for name in ["get", "Get", "TRACE", "CONNECT", "", " GET", "GET "] {
            assert_eq!(Method::parse(name), None, "{name:?}");
        }
    }

    #[test]
    fn table_prefers_exact_method_over_any() {
        let mut table = MethodTable::new();
        table.set(Method::Any, 1);
        table.set(Method::Get, 2);
        assert_eq!(table.find(RequestMethod::new("GET")), Some(2));
        assert_eq!(table.find(RequestMethod::new("POST")), Some(1));
        assert_eq!(table.find(RequestMethod::new("TRACE")), Some(1));
        assert_eq!(table.get_exact(Method::Post), None);
    }

    #[test]
    fn unknown_method_only_matches_any() {
        let mut table = MethodTable::new();
        table.set(Method::Get, 0);
        assert_eq!(table.find(RequestMethod::new("get")), None);
        assert_eq!(table.find(RequestMethod::new("ANY")), None);
        table.set(Method::Any, 3);
        assert_eq!(table.find(RequestMethod::new("ANY")), Some(3));
    }
}
