//! API Gateway's authorizers, usable alone or inside the Portcullis gateway.
//!
//! - [`jwt`]: JWT authorizers (HTTP API `jwt`, REST `cognito_user_pools`):
//!   keys from the issuer's discovery document or JWKS, signatures checked
//!   with `ring`, claims checked and rendered as API Gateway shows them.
//! - [`lambda`]: Lambda authorizers (REST `TOKEN` and `REQUEST`, HTTP API
//!   `REQUEST` with payload 1.0 and 2.0): AWS's events, result checks,
//!   answers and result cache, the function called through a small trait.
//! - [`policy`]: IAM policy documents (Lambda authorizer results, identity
//!   policies, resource policies) evaluated against a method ARN.
//! - [`sigv4`]: IAM authorization: Signature Version 4 requests verified.
//!
//! Each module defines the small traits it needs from outside (fetching a
//! JWKS, invoking a function) so that this crate depends on no other part of
//! Portcullis.

#![warn(missing_docs, missing_debug_implementations)]

mod calendar;
pub mod fetch;
pub mod jwt;
pub mod lambda;
#[cfg(feature = "tower")]
pub mod layer;
pub mod policy;
pub mod sigv4;
