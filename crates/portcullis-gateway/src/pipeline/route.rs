//! The select and route phases: which API and stage serve the request, then
//! which of its routes.

use std::ops::ControlFlow;

use bytes::Bytes;
use http::{HeaderValue, Response, header};

use super::Step;
use crate::body::ResponseBody;
use crate::config::ApiType;
use crate::error::GatewayError;
use crate::request::{RequestState, Routed};
use crate::runtime::{Gateway, Selection};

/// Select: the API and stage for the request's host and path, recorded in
/// `state` so that every later answer, errors included, takes the API's type
/// and gateway responses. Never rejects: a miss is for `route` to answer, after
/// the limits.
pub(super) fn select<'a>(gateway: &'a Gateway, state: &mut RequestState<'a>) -> Selection<'a, 'a> {
    let selection = gateway.select(state.host, state.parts.uri.path());
    match &selection {
        Selection::Api { api, stage, .. } => {
            state.api = Some(api);
            state.stage = Some(stage);
        }
        Selection::Miss(Some(api)) => state.api = Some(api),
        Selection::Miss(None) | Selection::HealthCheck => {}
    }
    selection
}

/// Route: the matched route, recorded in `state`; a custom domain's health
/// check answers at once.
///
/// # Errors
/// AWS's answers when nothing is served here: REST's 403 Missing Authentication
/// Token, HTTP API's 404, no API.
pub(super) fn route<'a>(
    selection: &Selection<'a, 'a>,
    state: &mut RequestState<'a>,
) -> Step<Routed<'a>> {
    let (api, stage, api_path) = match *selection {
        Selection::HealthCheck => return Ok(ControlFlow::Break(health())),
        Selection::Miss(_) => return Err(GatewayError::NoApi),
        Selection::Api { api, stage, path } => (api, stage, path),
    };
    let Some(matched) = api.route(state.parts.method.as_str(), api_path) else {
        if let Some(answer) = super::cors::answer(api, state.parts) {
            return Ok(ControlFlow::Break(answer));
        }
        return Err(match api.api_type {
            ApiType::Http => GatewayError::RouteNotFound,
            ApiType::Rest => GatewayError::MissingAuthenticationToken,
        });
    };
    let routed = Routed {
        api,
        stage,
        plan: matched.value,
        params: matched.params,
        api_path,
    };
    state.route = Some(routed);
    Ok(ControlFlow::Continue(routed))
}

/// The answer on a custom domain's reserved health-check paths.
fn health() -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::new(Bytes::from_static(
        b"{\"status\":\"healthy\"}",
    )));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
