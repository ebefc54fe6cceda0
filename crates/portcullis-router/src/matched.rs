//! The result of a successful lookup.

use std::fmt;

use crate::Params;

/// A route that answers a request, with the path parameters it captured.
///
/// `'r` borrows from the router, `'p` from the request path.
pub struct Match<'r, 'p, T> {
    /// The value inserted with the route.
    pub value: &'r T,
    /// Which route matched: the REST resource path template (`/pets/{id}`,
    /// without a trailing slash), or the HTTP API route key (`GET /pets/{id}`,
    /// `$default`). This is what API Gateway reports as `$context.resourcePath`
    /// and `$context.routeKey`.
    pub route: &'r str,
    /// The path parameters, as raw slices of the request path.
    pub params: Params<'r, 'p>,
}

// Manual impls: a `Match` is references only, so it is `Copy` whatever `T` is.
impl<T> Clone for Match<'_, '_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Match<'_, '_, T> {}

impl<T: fmt::Debug> fmt::Debug for Match<'_, '_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Match")
            .field("value", self.value)
            .field("route", &self.route)
            .field("params", &self.params)
            .finish()
    }
}
