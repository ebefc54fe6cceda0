//! Parameter mapping: API Gateway's `requestParameters` and HTTP API
//! `responseParameters` expressions, parsed once and evaluated per request.
//!
//! REST APIs write `"integration.request.header.x-user": "method.request.header.x-user"`;
//! HTTP APIs write `"append:header.x-user": "user ${request.header.x-user}"`. Both
//! become a [`ParameterMapping`]: a [`MappingTarget`] and a [`MappingValue`] made of
//! literal text and expressions. [`evaluate`] reads a value from any request through
//! the [`ParameterSource`] trait, so an embedder maps its own requests the way the
//! gateway does:
//!
//! ```
//! use std::borrow::Cow;
//! use portcullis_mapping::params::{self, ParameterSource};
//!
//! struct Request;
//! impl ParameterSource for Request {
//!     fn header(&self, name: &str) -> Option<Cow<'_, str>> {
//!         (name == "x-user").then_some(Cow::Borrowed("ann"))
//!     }
//!     fn stage_variable(&self, name: &str) -> Option<Cow<'_, str>> {
//!         (name == "env").then_some(Cow::Borrowed("prod"))
//!     }
//! }
//!
//! let mapping = params::parse_http("overwrite:header.x-caller", "${request.header.x-user}@$stageVariables.env").unwrap();
//! assert_eq!(params::evaluate(&mapping.value, &Request).as_deref(), Some("ann@prod"));
//! ```
//!
//! Parsing is pure: errors are messages for the caller to place (file and key).

mod eval;
mod parse;

pub use eval::{BodyValue, ParameterSource, evaluate};
pub use parse::{
    is_param_name, is_reserved_header, parse_http, parse_http_response, parse_http_value,
    parse_rest, parse_rest_value,
};

/// One parameter mapping of an integration request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterMapping {
    /// What is written.
    pub target: MappingTarget,
    /// The value written (ignored for [`MappingOp::Remove`]).
    pub value: MappingValue,
    /// The key as written in the file, for messages.
    pub key: String,
}

/// The part of the integration request a mapping writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingTarget {
    /// A header (`integration.request.header.X`, `overwrite:header.X`).
    Header {
        /// Header name.
        name: String,
        /// What to do with it.
        op: MappingOp,
    },
    /// A query string parameter.
    QueryString {
        /// Parameter name.
        name: String,
        /// What to do with it.
        op: MappingOp,
    },
    /// A path placeholder of the integration URI (`integration.request.path.X`).
    PathParameter {
        /// Placeholder name.
        name: String,
    },
    /// The whole integration path (HTTP API `overwrite:path`).
    Path,
    /// The response status code (HTTP API `overwrite:statuscode`; responses only).
    StatusCode,
}

/// What a mapping does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingOp {
    /// Replace any existing value (REST mappings always overwrite).
    Overwrite,
    /// Add a value after the existing ones (HTTP API `append:`).
    Append,
    /// Remove the target (HTTP API `remove:`).
    Remove,
}

/// A mapping's value: literal text and expressions, concatenated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingValue(pub Vec<ValuePart>);

/// One piece of a [`MappingValue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePart {
    /// Literal text (`'value'` in REST, plain text in HTTP APIs).
    Literal(String),
    /// A request header (`method.request.header.X`, `$request.header.X`).
    Header(String),
    /// All values of a request header, comma-joined (`method.request.multivalueheader.X`).
    MultiHeader(String),
    /// A query string parameter (`method.request.querystring.X`, `$request.querystring.X`).
    QueryString(String),
    /// All values of a query parameter (`method.request.multivaluequerystring.X`).
    MultiQueryString(String),
    /// A path parameter (`method.request.path.X`, `$request.path.X`).
    PathParameter(String),
    /// The whole request path (`$request.path`).
    WholePath,
    /// A stage variable (`stageVariables.X`, `$stageVariables.X`).
    StageVariable(String),
    /// A context variable (`context.requestId`, `$context.requestId`).
    Context(String),
    /// The request body (`method.request.body`, `$request.body`), optionally a JSONPath into it.
    Body(Option<String>),
    /// An integration response header (HTTP API `$response.header.X`; responses only).
    ResponseHeader(String),
    /// The integration response body (HTTP API `$response.body[.X]`; responses only).
    ResponseBody(Option<String>),
}
