//! Lambda for API Gateway.
//!
//! - [`event`]: the proxy events API Gateway sends (REST payload 1.0, HTTP API 1.0 and 2.0).
//! - [`response`]: reading a function's proxy result back into an HTTP response.
//! - [`local`]: running functions as local processes behind a hosted Lambda Runtime API.
//! - [`remote`]: calling functions through Lambda's Invoke API, signed with SigV4.
//!
//! Both kinds of function answer through one type, [`Function`], so a caller
//! (the gateway, or a Lambda authorizer) does not care where a function runs.
//!
//! A request becomes an event, the function's result becomes a response:
//!
//! ```
//! use std::collections::BTreeMap;
//! use portcullis_lambda::event::{self, ProxyRequest, RequestContext};
//! use portcullis_lambda::response;
//!
//! let headers = http::HeaderMap::new();
//! let stage_variables = BTreeMap::new();
//! let request = ProxyRequest {
//!     method: "GET",
//!     resource: "/pets/{id}",
//!     route_key: "GET /pets/{id}",
//!     path: "/pets/7",
//!     raw_query: Some("verbose=1"),
//!     headers: &headers,
//!     header_case: Default::default(),
//!     path_parameters: &[("id", "7")],
//!     stage_variables: &stage_variables,
//!     body: b"",
//!     base64_body: false,
//!     context: RequestContext { request_id: "r-1", stage: "prod", ..Default::default() },
//! };
//! let event: serde_json::Value = serde_json::from_slice(&event::rest_v1(&request)).unwrap();
//! assert_eq!(event["pathParameters"]["id"], "7");
//! assert_eq!(event["queryStringParameters"]["verbose"], "1");
//! assert_eq!(event["body"], serde_json::Value::Null);
//!
//! // What a handler returned, read as API Gateway reads it.
//! let answer = response::parse_v1(br#"{"statusCode": 201, "headers": {"x-id": "7"}, "body": "made"}"#).unwrap();
//! assert_eq!(answer.status, 201);
//! assert_eq!(answer.headers["x-id"], "7");
//! assert_eq!(&answer.body[..], b"made");
//! ```
//!
//! Running a handler as a local process (any runtime client works: here
//! Python's `awslambdaric`):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use portcullis_lambda::local::{LocalFunction, LocalSpec};
//! use portcullis_lambda::Outcome;
//!
//! let mut spec = LocalSpec::new("pets", ["python3", "-m", "awslambdaric", "app.handler"]);
//! spec.cwd = Some("functions/pets".into());
//! let pets = LocalFunction::new(spec)?; // checks the command; starts nothing yet
//! match pets.invoke(bytes::Bytes::from_static(b"{}"), "request-1").await? {
//!     Outcome::Returned(result) => println!("{}", String::from_utf8_lossy(&result)),
//!     Outcome::Failed(error) => eprintln!("the handler failed: {}", String::from_utf8_lossy(&error)),
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod event;
pub mod local;
pub mod remote;
pub mod response;

mod invoke;

pub use invoke::{Function, InvokeError, Outcome};
