//! The Velocity Template Language engine: Velocity 1.7 as API Gateway runs it.
//!
//! `parser`/`expr_parser` build the [`ast`]; `eval`/`expr`/`access` render it with
//! the Java semantics in `ops`, `jstr`, `java_regex` and `methods`; `nesting` bounds
//! what templates build; `aws` is the door to `$input`, `$util` and Java `toString`.

mod access;
pub(crate) mod ast;
mod aws;
pub(crate) mod compiled;
mod directives;
pub(crate) mod eval;
mod expr;
mod expr_parser;
pub(crate) mod java_regex;
mod java_replace;
mod jstr;
mod methods;
mod nesting;
mod ops;
pub(crate) mod parser;
mod print;
mod ref_parser;
pub(crate) mod rt;

pub use eval::{
    MAX_BUILT_BYTES, MAX_ITERATIONS, MAX_MACRO_DEPTH, MAX_OUTPUT_BYTES, MAX_RENDER_DEPTH, MAX_STEPS,
};
pub use expr::MAX_RANGE;
pub use nesting::MAX_NESTING;
pub use parser::MAX_PARSE_DEPTH;
