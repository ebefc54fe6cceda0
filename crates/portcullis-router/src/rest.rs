//! REST APIs: a tree of resources, each with its own methods.

use std::fmt;

use crate::method::RequestMethod;
use crate::params::{Capture, captures};
use crate::template::{TrailingSlash, param_name, parse};
use crate::tree::{Tree, TreeError, next_id};
use crate::{InsertError, Match, Method, Params};

/// Routes of a REST API: methods on resources such as `/pets/{petId}`.
///
/// A request is answered by the most specific resource that defines its method
/// (or `ANY`): literal segments beat `{param}` segments, which beat a greedy
/// `{proxy+}`, segment by segment from the left. A resource that matches the
/// path but lacks the method does not stop the search: a less specific one that
/// has it (often `/{proxy+}` with `ANY`) answers, as API Gateway does. See the
/// [crate documentation](crate) for every rule.
///
/// ```
/// use portcullis_router::{Method, RestRouter};
///
/// let mut router = RestRouter::new();
/// router.insert(Method::Get, "/pets", "list")?;
/// router.insert(Method::Any, "/{proxy+}", "proxy")?;
///
/// assert_eq!(*router.at("GET", "/pets").unwrap().value, "list");
/// // `/pets` has no POST: the proxy resource answers.
/// let post = router.at("POST", "/pets").unwrap();
/// assert_eq!((*post.value, post.route), ("proxy", "/{proxy+}"));
/// assert_eq!(post.params.get("proxy"), Some("pets"));
/// # Ok::<(), portcullis_router::InsertError>(())
/// ```
#[derive(Clone)]
pub struct RestRouter<T> {
    tree: Tree,
    routes: Vec<Route<T>>,
}

#[derive(Clone)]
struct Route<T> {
    method: Method,
    /// The resource path, without a trailing slash.
    resource: Box<str>,
    captures: Box<[Capture]>,
    value: T,
}

impl<T> Route<T> {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.resource)
    }
}

impl<T> RestRouter<T> {
    /// An empty router. The root resource `/` exists but has no methods.
    pub fn new() -> Self {
        RestRouter {
            tree: Tree::default(),
            routes: Vec::new(),
        }
    }

    /// Defines `method` on the resource `resource_path`.
    ///
    /// The path starts with `/`; its segments are literals (letters, digits and
    /// `-._~!$&'()*+,;=:@`), `{name}` or, last, a greedy `{name+}`. A trailing
    /// slash is dropped (`/pets/` is the resource `/pets`), as API Gateway does
    /// when it imports an OpenAPI file.
    ///
    /// # Errors
    ///
    /// [`InsertError::Conflict`] when the resource already has this method,
    /// [`InsertError::ParamNameConflict`] when a sibling parameter has another
    /// name, and the other variants for a malformed path. The router is left
    /// unchanged.
    pub fn insert(
        &mut self,
        method: Method,
        resource_path: &str,
        value: T,
    ) -> Result<(), InsertError> {
        let name = format!("{method} {resource_path}");
        let template = parse(resource_path, &name, TrailingSlash::Strip)?;
        let id = next_id(self.routes.len())?;
        self.tree
            .insert(&template.segments, method, id)
            .map_err(|error| match error {
                TreeError::Conflict { with } => InsertError::Conflict {
                    route: name.clone(),
                    with: self.routes[with as usize].name(),
                },
                TreeError::ParamName {
                    segment,
                    existing,
                    with,
                } => InsertError::ParamNameConflict {
                    route: name.clone(),
                    name: param_name(&template.segments, segment),
                    existing: existing.into(),
                    with: self.routes[with as usize].name(),
                },
            })?;
        self.routes.push(Route {
            method,
            resource: template.path.into(),
            captures: captures(&template.segments),
            value,
        });
        Ok(())
    }

    /// The route answering a request, or `None` (API Gateway's `403 Missing
    /// Authentication Token`).
    ///
    /// `method` is the request method as sent (`"GET"`); a method that is not
    /// one of [`Method`]'s is answered only by `ANY`. `path` is the request path
    /// without the query string and without the stage (`/pets/1`, not
    /// `/prod/pets/1?x=y`), still percent-encoded.
    pub fn at<'r, 'p>(&'r self, method: &str, path: &'p str) -> Option<Match<'r, 'p, T>> {
        let id = self.tree.find::<false>(RequestMethod::new(method), path)?;
        let route = self.routes.get(id as usize)?;
        Some(Match {
            value: &route.value,
            route: &route.resource,
            params: Params::new(path, &route.captures),
        })
    }

    /// Every route as `(method, resource path, value)`, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Method, &str, &T)> + '_ {
        self.routes
            .iter()
            .map(|r| (r.method, &*r.resource, &r.value))
    }

    /// How many routes (method and resource pairs) there are.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route was inserted.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

impl<T> Default for RestRouter<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for RestRouter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.routes.iter().map(|r| (r.name(), &r.value)))
            .finish()
    }
}

#[cfg(test)]
#[path = "rest_tests.rs"]
mod tests;
