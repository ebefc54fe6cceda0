//! Amazon API Gateway mapping: Velocity (VTL) templates as API Gateway runs them.

pub mod validate;
pub mod value;

pub use value::Value;
