//! Amazon API Gateway mapping: Velocity (VTL) mapping templates as API Gateway runs them.
//!
//! [`Template::compile`] parses a template once (rejecting templates over 300 KB and
//! syntax errors, with line and column); [`Template::render`] runs it against a
//! [`Scope`]: `$input` ([`input::Input`]: body, `json`, `path`, `params`), `$context`,
//! `$stageVariables` and `$util`. The language is Velocity 1.7's, including its
//! whitespace rules, Java's string/list/map methods and Java regular expressions;
//! values print as Java's `toString` does on AWS, and a null reference prints as
//! nothing, as on AWS. Renders never panic and are bounded in output (10 MiB), loop
//! iterations (1,000, AWS's quota), recursion and work; see `docs/mapping-templates.md`.
//!
//! [`validate`] checks requests as API Gateway's request validators do: required
//! parameters, and bodies against JSON Schema draft 4 models.
//!
//! ```
//! use portcullis_mapping::input::RequestParams;
//! use portcullis_mapping::{Input, Scope, Template};
//!
//! let template = Template::compile(
//!     "example",
//!     r#"{"name": $input.json('$.pet.name'), "tags": "$input.path('$.pet.tags')"}"#,
//! )
//! .unwrap();
//! let input = Input::new(r#"{"pet": {"name": "Rex", "tags": {"a": 1}}}"#, RequestParams::default());
//! let output = template.render(&Scope::new(&input)).unwrap();
//! assert_eq!(output, r#"{"name": "Rex", "tags": "{a=1}"}"#);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod input;
pub mod json;
pub mod jsonpath;
pub mod params;
pub mod pattern;
pub mod render;
pub mod template;
pub mod util;
pub mod validate;
pub mod value;
mod vtl;

pub use error::{RenderError, TemplateError};
pub use pattern::{JavaPattern, PatternError};
pub use template::{Input, NullRendering, Scope, Template, Util};
pub use value::Value;
