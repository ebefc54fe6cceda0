//! Configuration: the model, AWS OpenAPI import and the native YAML file.
//!
//! [`load`] reads a [`Source`] (a native config file, or OpenAPI files given on
//! the command line) into a checked [`GatewayConfig`]; [`import_openapi`]
//! reads one OpenAPI definition into an [`Api`]. Both report every problem
//! found, each naming its file and the place inside it.

mod access_log;
mod admin;
mod aws_variables;
mod caching;
pub(crate) mod cors;
mod credentials;
mod deploy;
mod domains;
mod error;
mod functions;
mod iam;
mod jwt;
mod lambda_uri;
pub(crate) mod limits;
mod load;
pub mod model;
mod native;
mod openapi;
mod problems;
pub(crate) mod resource_policy;
mod settings;
mod stage;
mod telemetry;
mod template;
mod vpc_links;

pub use admin::AdminFlag;
pub use cors::Cors;
pub use error::{ConfigError, Problem};
pub use load::{Overrides, Source, TemplateSource, load};
pub use model::*;
pub use openapi::{Imported, import_openapi};
pub use telemetry::{DEFAULT_OTLP_TIMEOUT, DEFAULT_SERVICE_NAME, OtlpSettings, TracingSettings};
