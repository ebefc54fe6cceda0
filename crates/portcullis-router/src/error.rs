//! Why a route was refused when it was inserted.

/// A route that cannot be added to a router.
///
/// Every problem is found by `insert`, never by a lookup. Each variant names the
/// route as the caller wrote it (`route`) and, for collisions, the route already
/// in the router that it collides with (`with`), so the message says what to change.
/// A refused insert leaves the router exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InsertError {
    /// The same method is already defined on the same resource (REST), or the
    /// same route key already exists (HTTP API).
    #[error("route `{route}` is already defined as `{with}`; remove one of them")]
    Conflict {
        /// The refused route (`GET /pets/{id}` for REST, the route key for HTTP APIs).
        route: String,
        /// The existing route it collides with.
        with: String,
    },
    /// Two path parameters at the same position under the same parent have
    /// different names (`/a/{id}` and `/a/{name}`); API Gateway allows one
    /// variable path part per parent.
    #[error(
        "route `{route}` names the parameter `{{{name}}}` where the existing route `{with}` \
         names it `{{{existing}}}`; sibling path parameters must use the same name"
    )]
    ParamNameConflict {
        /// The refused route.
        route: String,
        /// The parameter name in the refused route.
        name: String,
        /// The parameter name already used at that position.
        existing: String,
        /// The existing route that introduced `existing`.
        with: String,
    },
    /// A greedy `{name+}` segment is followed by more segments.
    #[error("route `{route}`: the greedy segment `{segment}` must be the last segment of the path")]
    GreedyNotLast {
        /// The refused route.
        route: String,
        /// The greedy segment, braces included.
        segment: String,
    },
    /// The path or route key is empty.
    #[error(
        "empty route: write a path such as `/pets` (REST) or a route key such as `GET /pets` (HTTP API)"
    )]
    Empty,
    /// The path does not start with `/`.
    #[error("route `{route}`: the path must start with `/`")]
    MissingLeadingSlash {
        /// The refused route.
        route: String,
    },
    /// Two slashes in a row (`/a//b`).
    #[error("route `{route}`: empty path segment (`//`); remove the extra `/`")]
    EmptySegment {
        /// The refused route.
        route: String,
    },
    /// HTTP API route keys cannot end with `/` (API Gateway refuses them too);
    /// requests with a trailing slash reach the route without it anyway.
    #[error("route `{route}`: remove the trailing `/`; `/pets` already answers `/pets/`")]
    TrailingSlash {
        /// The refused route key.
        route: String,
    },
    /// A `{` without its `}`, a `}` without its `{`, or nested braces.
    #[error("route `{route}`: unbalanced braces in segment `{segment}`")]
    UnbalancedBraces {
        /// The refused route.
        route: String,
        /// The offending segment.
        segment: String,
    },
    /// A parameter that is not a whole segment (`/a/x{id}`, `/a/{id}.json`).
    #[error(
        "route `{route}`: the parameter in `{segment}` must be a whole path segment, e.g. `/a/{{id}}`"
    )]
    ParamNotWholeSegment {
        /// The refused route.
        route: String,
        /// The offending segment.
        segment: String,
    },
    /// `{}` or `{+}`.
    #[error("route `{route}`: a path parameter needs a name, e.g. `{{id}}` or `{{proxy+}}`")]
    EmptyParamName {
        /// The refused route.
        route: String,
    },
    /// A parameter name with whitespace, a control character, `/` or an inner `+`.
    #[error(
        "route `{route}`: invalid parameter name `{name}`; use letters, digits, `_`, `-` or `.`"
    )]
    InvalidParamName {
        /// The refused route.
        route: String,
        /// The offending name.
        name: String,
    },
    /// The same parameter name twice in one path (`/a/{id}/b/{id}`).
    #[error("route `{route}`: the parameter `{name}` appears twice; give each one its own name")]
    DuplicateParamName {
        /// The refused route.
        route: String,
        /// The repeated name.
        name: String,
    },
    /// A literal segment holds a character that cannot appear unencoded in a
    /// URL path (space, `%`, `?`, `#`, non-ASCII…).
    #[error(
        "route `{route}`: character {character:?} is not allowed in a path segment; \
         literal segments use letters, digits and -._~!$&'()*+,;=:@"
    )]
    InvalidCharacter {
        /// The refused route.
        route: String,
        /// The offending character.
        character: char,
    },
    /// A path with more segments than [`MAX_SEGMENTS`](crate::MAX_SEGMENTS).
    #[error("route `{route}` has more than {max} path segments")]
    TooManySegments {
        /// The refused route.
        route: String,
        /// The limit.
        max: usize,
    },
    /// An HTTP API route key whose method is not one of `GET HEAD POST PUT
    /// DELETE PATCH OPTIONS ANY` (uppercase).
    #[error(
        "route key `{route}`: unknown method `{method}`; use one of GET, HEAD, POST, PUT, \
         DELETE, PATCH, OPTIONS or ANY"
    )]
    InvalidMethod {
        /// The refused route key.
        route: String,
        /// The method as written.
        method: String,
    },
    /// An HTTP API route key that is not `$default` nor `METHOD /path`.
    #[error("route key `{route}`: expected `$default` or `METHOD /path`, e.g. `GET /pets/{{id}}`")]
    InvalidRouteKey {
        /// The refused route key.
        route: String,
    },
    /// More routes than a router can index (`u32::MAX - 1`).
    #[error("too many routes: a router holds at most {max}")]
    TooManyRoutes {
        /// The limit.
        max: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_both_routes() {
        let error = InsertError::ParamNameConflict {
            route: "GET /a/{name}".into(),
            name: "name".into(),
            existing: "id".into(),
            with: "GET /a/{id}".into(),
        };
        assert_eq!(
            error.to_string(),
            "route `GET /a/{name}` names the parameter `{name}` where the existing route \
             `GET /a/{id}` names it `{id}`; sibling path parameters must use the same name"
        );
        let error = InsertError::Conflict {
            route: "GET /pets".into(),
            with: "GET /pets".into(),
        };
        assert!(error.to_string().contains("already defined"));
    }
}
