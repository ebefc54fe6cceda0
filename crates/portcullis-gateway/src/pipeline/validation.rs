//! The validate phase: a route's request validator checks required parameters,
//! then the body against its model.

use bytes::Bytes;
use http::header;
use portcullis_mapping::validate::{FromFn, MethodValidation, RequestView};
use portcullis_router::percent_decode_query;

use crate::context::RequestContext;
use crate::respond::GatewayError;

/// Checks the request; a rejection becomes AWS's 400 with its message.
pub(super) fn check(
    validation: &MethodValidation,
    ctx: &RequestContext<'_>,
    body: &Bytes,
) -> Result<(), GatewayError> {
    let params = ctx.params;
    let path = FromFn::new(|name: &str| params.get(name));
    // Query strings reach validation decoded, as AWS decodes them.
    let query: Vec<(String, String)> = ctx
        .query_pairs()
        .map(|(key, value)| {
            (
                percent_decode_query(key).into_owned(),
                percent_decode_query(value).into_owned(),
            )
        })
        .collect();
    let headers = &ctx.parts.headers;
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
            request_id = ctx.ids.request_id(),
            details = %rejection.validation_error_string(),
            "request validation failed"
        );
        GatewayError::InvalidRequest {
            response_type: rejection.response_type(),
            message: rejection.message().into_owned(),
        }
    })
}
