//! The preflights an HTTP API with a CORS configuration answers itself.
//!
//! API Gateway answers a preflight (OPTIONS with `Origin` and
//! `Access-Control-Request-Method`) even when no route takes OPTIONS on the
//! path (http-api-cors). A route that does take it (an `OPTIONS` or `ANY`
//! route, `$default`) serves it like any request, with its authorizer: the
//! guide's advice for a `$default` route with a JWT authorizer is an
//! unauthorized `OPTIONS /{proxy+}` route. Either way `respond::cors` puts
//! the CORS headers on the answer.

use http::StatusCode;
use http::header::ORIGIN;
use http::{Response, request::Parts};

use crate::body::ResponseBody;
use crate::respond::cors::preflight_method;
use crate::runtime::CompiledApi;

/// `204 No Content` for a preflight no route of `api` takes, when `api` has
/// a CORS configuration; `None` otherwise (the request is not found).
pub(super) fn answer(api: &CompiledApi, request: &Parts) -> Option<Response<ResponseBody>> {
    api.cors.as_ref()?;
    if !request.headers.contains_key(ORIGIN) || preflight_method(request).is_none() {
        return None;
    }
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Some(response)
}
