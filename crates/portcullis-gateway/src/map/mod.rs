//! Request and response mapping at request time: the map-request and
//! map-response phases, and what they share (templates, parameter mappings,
//! payload conversions, method responses, Lambda proxy events).

mod encoding;
mod http_request;
pub(crate) mod lambda_event;
mod method_response;
pub(crate) mod overrides;
mod params;
pub(crate) mod request;
pub(crate) mod response;
mod service;
pub(crate) mod template;
