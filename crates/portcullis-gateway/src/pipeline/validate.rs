//! The validate phase: a route's request validator checks required parameters,
//! then the body against its model.

use bytes::Bytes;
use http::header;
use portcullis_mapping::validate::{FromFn, MethodValidation, RequestView};
use portcullis_router::percent_decode_query;

use crate::error::GatewayError;
use crate::request::{RequestState, Routed};

/// Checks the request; a rejection becomes AWS's 400 with its message.
///
/// # Errors
/// The validator's [`Rejection`](portcullis_mapping::validate::Rejection).
pub(super) fn check(
    validation: &MethodValidation,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &Bytes,
) -> Result<(), GatewayError> {
    let params = route.params;
    let path = FromFn::new(|name: &str| params.get(name));
    // Query strings reach validation decoded, as AWS decodes them.
    let query: Vec<(String, String)> = state
        .query_pairs()
        .map(|(key, value)| {
            (
                percent_decode_query(key).into_owned(),
                percent_decode_query(value).into_owned(),
            )
        })
        .collect();
    let headers = &state.parts.headers;
    let header_source = FromFn::new(|name: &str| headers.get(name).and_then(|v| v.to_str().ok()));
    let mut view = RequestView::new(body)
        .path_params(&path)
        .query_params(&query)
        .headers(&header_source);
    if let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        view = view.content_type(content_type);
    }
    validation.check(&view).map_err(|rejection| {
        tracing::debug!(
            request_id = state.ids.request_id(),
            details = %rejection.validation_error_string(),
            "request validation failed"
        );
        GatewayError::from(rejection)
    })
}
