//! HTTP APIs: route keys (`GET /pets/{id}`, `ANY /{proxy+}`, `$default`).

use std::fmt;

use crate::method::RequestMethod;
use crate::params::{Capture, captures};
use crate::template::{TrailingSlash, param_name, parse};
use crate::tree::{Tree, TreeError, next_id};
use crate::{InsertError, Match, Method, Params};

/// The route key of the catch-all route of an HTTP API.
pub const DEFAULT_ROUTE: &str = "$default";

/// Routes of an HTTP API, keyed like `GET /pets/{id}`, `ANY /{proxy+}` or `$default`.
///
/// API Gateway picks the most specific match: a route that matches the whole
/// path without a greedy variable, then a route with a greedy variable, then
/// `$default`. Among routes of one kind, literal segments beat `{param}` ones
/// from the left, and a route's own method beats `ANY` on the same path. See the
/// [crate documentation](crate) for every rule.
///
/// ```
/// use portcullis_router::HttpRouter;
///
/// let mut router = HttpRouter::new();
/// router.insert("GET /pets/{id}", 1)?;
/// router.insert("ANY /{proxy+}", 2)?;
/// router.insert("$default", 3)?;
///
/// let m = router.at("GET", "/pets/7").unwrap();
/// assert_eq!((*m.value, m.route, m.params.get("id")), (1, "GET /pets/{id}", Some("7")));
/// assert_eq!(router.at("POST", "/pets/7").unwrap().route, "ANY /{proxy+}");
/// assert_eq!(router.at("GET", "/").unwrap().route, "$default");
/// # Ok::<(), portcullis_router::InsertError>(())
/// ```
#[derive(Clone)]
pub struct HttpRouter<T> {
    tree: Tree,
    routes: Vec<Route<T>>,
    /// Index of the `$default` route in `routes`.
    default: Option<u32>,
}

#[derive(Clone)]
struct Route<T> {
    key: Box<str>,
    captures: Box<[Capture]>,
    value: T,
}

impl<T> HttpRouter<T> {
    /// An empty router.
    pub fn new() -> Self {
        HttpRouter {
            tree: Tree::default(),
            routes: Vec::new(),
            default: None,
        }
    }

    /// Adds a route by its route key: `$default`, or an uppercase method (or
    /// `ANY`), one space and a path such as `/pets/{id}` or `/files/{path+}`.
    ///
    /// Unlike REST resources, a route key cannot end with `/` (API Gateway
    /// refuses it too); `/pets` answers `/pets/` anyway.
    ///
    /// # Errors
    ///
    /// [`InsertError::Conflict`] when the route key already exists,
    /// [`InsertError::ParamNameConflict`] when a parameter at the same position
    /// of another route has another name, [`InsertError::InvalidRouteKey`] or
    /// [`InsertError::InvalidMethod`] for a key of the wrong shape, and the other
    /// variants for a malformed path. The router is left unchanged.
    pub fn insert(&mut self, route_key: &str, value: T) -> Result<(), InsertError> {
        let id = next_id(self.routes.len())?;
        if route_key == DEFAULT_ROUTE {
            if self.default.is_some() {
                return Err(InsertError::Conflict {
                    route: DEFAULT_ROUTE.into(),
                    with: DEFAULT_ROUTE.into(),
                });
            }
            self.default = Some(id);
            self.push(route_key, Box::default(), value);
            return Ok(());
        }
        if route_key.is_empty() {
            return Err(InsertError::Empty);
        }
        let Some((method, path)) = route_key.split_once(' ') else {
            return Err(InsertError::InvalidRouteKey {
                route: route_key.into(),
            });
        };
        let Some(method) = Method::parse(method) else {
            return Err(InsertError::InvalidMethod {
                route: route_key.into(),
                method: method.into(),
            });
        };
        let template = parse(path, route_key, TrailingSlash::Reject)?;
        self.tree
            .insert(&template.segments, method, id)
            .map_err(|error| match error {
                TreeError::Conflict { with } => InsertError::Conflict {
                    route: route_key.into(),
                    with: self.routes[with as usize].key.clone().into(),
                },
                TreeError::ParamName {
                    segment,
                    existing,
                    with,
                } => InsertError::ParamNameConflict {
                    route: route_key.into(),
                    name: param_name(&template.segments, segment),
                    existing: existing.into(),
                    with: self.routes[with as usize].key.clone().into(),
                },
            })?;
        self.push(route_key, captures(&template.segments), value);
        Ok(())
    }

    fn push(&mut self, key: &str, captures: Box<[Capture]>, value: T) {
        self.routes.push(Route {
            key: key.into(),
            captures,
            value,
        });
    }

    /// The route answering a request: the most specific full match, else the
    /// most specific greedy match, else `$default`, else `None` (API Gateway's
    /// `404 {"message":"Not Found"}`).
    ///
    /// `method` is the request method as sent (`"GET"`); a method that is not
    /// one of [`Method`]'s is answered only by `ANY` routes and `$default`.
    /// `path` is the request path without the query string and without the
    /// stage, still percent-encoded.
    pub fn at<'r, 'p>(&'r self, method: &str, path: &'p str) -> Option<Match<'r, 'p, T>> {
        let id = self
            .tree
            .find::<true>(RequestMethod::new(method), path)
            .or(self.default)?;
        let route = self.routes.get(id as usize)?;
        Some(Match {
            value: &route.value,
            route: &route.key,
            params: Params::new(path, &route.captures),
        })
    }

    /// Every route as `(route key, value)`, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &T)> + '_ {
        self.routes.iter().map(|r| (&*r.key, &r.value))
    }

    /// How many routes there are, `$default` included.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route was inserted.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

impl<T> Default for HttpRouter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for HttpRouter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.routes.iter().map(|r| (&r.key, &r.value)))
            .finish()
    }
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
