//! Routes requests the way Amazon API Gateway does, for REST APIs (resource trees)
//! and HTTP APIs (route keys), with no heap allocation per lookup.
//!
//! ```
//! use portcullis_router::{Method, RestRouter};
//!
//! let mut router = RestRouter::new();
//! router.insert(Method::Get, "/pets", "list pets")?;
//! router.insert(Method::Get, "/pets/{petId}", "get a pet")?;
//! router.insert(Method::Any, "/{proxy+}", "everything else")?;
//!
//! let matched = router.at("GET", "/pets/42").unwrap();
//! assert_eq!(*matched.value, "get a pet");
//! assert_eq!(matched.route, "/pets/{petId}");
//! assert_eq!(matched.params.get("petId"), Some("42"));
//!
//! assert_eq!(router.at("DELETE", "/pets/42").unwrap().route, "/{proxy+}");
//! assert!(router.at("GET", "/").is_none()); // the root resource has no method
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! [`RestRouter`] holds `(method, resource path)` pairs; [`HttpRouter`] holds
//! HTTP API route keys. Both are generic over the value stored with each route,
//! and [`at`](RestRouter::at) returns a [`Match`]: that value, the matched route
//! and the path [`Params`]. The rules below are API Gateway's; each has its test.
//!
//! # Precedence
//!
//! At each path segment, from the left, a literal segment beats a `{param}`,
//! which beats a greedy `{proxy+}`. Precedence is per *method*: a resource that
//! matches the path but defines neither the request method nor `ANY` does not
//! answer, and the search backtracks to the next most specific resource. On one
//! resource, a method defined explicitly beats `ANY`.
//!
//! ```
//! use portcullis_router::{Method, RestRouter};
//!
//! let mut router = RestRouter::new();
//! router.insert(Method::Patch, "/users/me", "patch me")?;
//! router.insert(Method::Get, "/users/{userId}", "get user")?;
//! router.insert(Method::Any, "/users/{userId}", "any user")?;
//! router.insert(Method::Any, "/{proxy+}", "proxy")?;
//!
//! assert_eq!(*router.at("PATCH", "/users/me").unwrap().value, "patch me");
//! // `/users/me` has no GET: the parameter sibling answers, with userId = "me".
//! let get = router.at("GET", "/users/me").unwrap();
//! assert_eq!((*get.value, get.params.get("userId")), ("get user", Some("me")));
//! // GET is explicit on `/users/{userId}`, DELETE falls to its ANY.
//! assert_eq!(*router.at("DELETE", "/users/7").unwrap().value, "any user");
//! // Unknown methods are answered by ANY only.
//! assert_eq!(*router.at("TRACE", "/users/7").unwrap().value, "any user");
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! HTTP APIs rank whole routes instead: any route that matches the full path
//! without a greedy variable beats every greedy route, and `$default` comes last.
//!
//! ```
//! use portcullis_router::HttpRouter;
//!
//! let mut router = HttpRouter::new();
//! for key in ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"] {
//!     router.insert(key, ())?;
//! }
//! let route = |method, path| router.at(method, path).unwrap().route;
//! assert_eq!(route("GET", "/pets/dog/1"), "GET /pets/dog/1");
//! assert_eq!(route("GET", "/pets/dog/2"), "GET /pets/dog/{id}");
//! assert_eq!(route("GET", "/pets/cat/1"), "GET /pets/{proxy+}");
//! assert_eq!(route("POST", "/test/5"), "ANY /{proxy+}");
//! assert_eq!(route("GET", "/"), "$default");
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! # Greedy segments
//!
//! `{name+}` (any name) matches one or more segments and must be the last
//! segment. Its value is the rest of the path without the trailing slash, and its
//! parameter is named without the `+`. It never matches an empty rest, so
//! `/{proxy+}` does not answer `/`: the root needs a method of its own.
//!
//! ```
//! use portcullis_router::{Method, RestRouter};
//!
//! let mut router = RestRouter::new();
//! router.insert(Method::Any, "/files/{path+}", ())?;
//! let m = router.at("GET", "/files/a/b/c.txt").unwrap();
//! assert_eq!(m.params.get("path"), Some("a/b/c.txt"));
//! assert!(router.at("GET", "/files").is_none());
//! assert!(router.at("GET", "/files/").is_none());
//! assert!(router.insert(Method::Get, "/{proxy+}/x", ()).is_err());
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! # Trailing and repeated slashes
//!
//! A trailing slash is ignored when matching, for both kinds of API: the
//! resource `/pets` answers `/pets/`. Repeated slashes count as one (`//pets`
//! is `/pets`). A REST resource path inserted with a trailing slash is stored
//! without it; an HTTP API route key ending with `/` is refused.
//!
//! ```
//! use portcullis_router::{HttpRouter, Method, RestRouter};
//!
//! let mut rest = RestRouter::new();
//! rest.insert(Method::Get, "/pets/", ())?;
//! assert_eq!(rest.at("GET", "/pets").unwrap().route, "/pets");
//! assert_eq!(rest.at("GET", "/pets/").unwrap().route, "/pets");
//! assert_eq!(rest.at("GET", "//pets").unwrap().route, "/pets");
//!
//! let mut http = HttpRouter::new();
//! http.insert("GET /pets", ())?;
//! assert!(http.at("GET", "/pets/").is_some());
//! assert!(http.insert("GET /toys/", ()).is_err());
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! # Encoding
//!
//! Paths are matched as the client sent them, percent-encoded, and parameter
//! values are slices of that path: `%2F` inside a segment does not split it.
//! Decode values with [`percent_decode`] (paths: `+` stays `+`) or
//! [`percent_decode_query`] (query strings: `+` is a space). Bad escapes are kept
//! literally and invalid UTF-8 becomes U+FFFD; neither function fails.
//!
//! ```
//! use portcullis_router::{Method, RestRouter, percent_decode};
//!
//! let mut router = RestRouter::new();
//! router.insert(Method::Get, "/search/{term}", ())?;
//! let m = router.at("GET", "/search/caf%C3%A9%2Fbar").unwrap();
//! assert_eq!(m.params.get("term"), Some("caf%C3%A9%2Fbar"));
//! assert_eq!(percent_decode(m.params.get("term").unwrap()), "café/bar");
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! # Errors
//!
//! Bad routes are refused by `insert` with an [`InsertError`] that names the
//! route and, for collisions, the existing route (`with`); a lookup never fails
//! for a bad route and nothing panics on any input.
//!
//! ```
//! use portcullis_router::{InsertError, Method, RestRouter};
//!
//! let mut router = RestRouter::new();
//! router.insert(Method::Get, "/a/{id}", ())?;
//! let error = router.insert(Method::Get, "/a/{name}", ()).unwrap_err();
//! assert!(matches!(&error, InsertError::ParamNameConflict { with, .. } if with == "GET /a/{id}"));
//! assert!(matches!(router.insert(Method::Get, "/a/{id}", ()), Err(InsertError::Conflict { .. })));
//! # Ok::<(), portcullis_router::InsertError>(())
//! ```
//!
//! # Cost
//!
//! A lookup allocates nothing. It does not even record parameters: a [`Params`]
//! is the path plus the matched route's parameter positions, and values are
//! sliced out when read, so any number of parameters fits. Literal children are
//! compared one by one on small nodes and hashed on large ones. Routes have at
//! most [`MAX_SEGMENTS`] segments, which bounds the lookup's recursion.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod decode;
mod error;
mod http;
mod literals;
mod matched;
mod method;
mod params;
mod rest;
mod template;
mod tree;

pub use decode::{percent_decode, percent_decode_query};
pub use error::InsertError;
pub use http::{DEFAULT_ROUTE, HttpRouter};
pub use matched::Match;
pub use method::Method;
pub use params::{Params, ParamsIter};
pub use rest::RestRouter;
pub use template::MAX_SEGMENTS;
