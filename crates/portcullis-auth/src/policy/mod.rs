//! IAM policy documents, evaluated against one request as API Gateway
//! evaluates them.
//!
//! ```
//! use portcullis_auth::policy::{Decision, PolicyDocument, PolicyRequest};
//!
//! // A Lambda authorizer's `policyDocument`.
//! let policy = PolicyDocument::parse(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [
//!         {"Effect": "Allow", "Action": "execute-api:Invoke",
//!          "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/*"},
//!         {"Effect": "Deny", "Action": "execute-api:Invoke",
//!          "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/secret"}
//!     ]
//! }"#)?;
//!
//! let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1/photos";
//! assert_eq!(policy.evaluate(&PolicyRequest::new("execute-api:Invoke", arn)), Decision::Allow);
//!
//! let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/secret";
//! assert_eq!(policy.evaluate(&PolicyRequest::new("execute-api:Invoke", arn)), Decision::ExplicitDeny);
//!
//! let arn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/pets";
//! assert_eq!(policy.evaluate(&PolicyRequest::new("execute-api:Invoke", arn)), Decision::NotApplicable);
//! # Ok::<(), portcullis_auth::policy::PolicyError>(())
//! ```
//!
//! # Three kinds of policy, one evaluator
//!
//! - **Lambda authorizer results.** The `policyDocument` of a function's
//!   output, read with [`PolicyDocument::from_json`]. API Gateway caches an
//!   authorizer's result and evaluates the cached policy again for each later
//!   method ARN, so a document is compiled once and evaluated many times.
//! - **Identity policies** of configured IAM identities, for actions
//!   `execute-api:Invoke` and `execute-api:InvalidateCache`. Read them as
//!   authorizer results are read (no `Principal` element).
//! - **Resource policies** (`x-amazon-apigateway-policy`), read with
//!   [`ParseOptions::resource_policy`], which requires `Principal` and, given
//!   [`ParseOptions::api`], expands the `execute-api:/{stage}/{METHOD}/{path}`
//!   shorthand to the API's ARN. API Gateway evaluates them twice: before the
//!   authorizer runs (an explicit deny stops the request there), and again
//!   with the authorizer's or IAM's decision. This module gives one
//!   [`Decision`] per document; [`Decision::same_account`] and
//!   [`Decision::cross_account`] combine two as API Gateway's tables do.
//!
//! # Semantics
//!
//! - A statement applies when its action, resource, principal (if it has one)
//!   and condition all match. An applicable `Deny` wins over any `Allow`
//!   ([`Decision::ExplicitDeny`]); with no applicable statement the result is
//!   [`Decision::NotApplicable`], an implicit deny.
//! - Actions match without regard to case, with `*` and `?` wildcards.
//!   Resources match case-sensitively; `*` matches any run of characters,
//!   `/` and `:` included, and `?` one character.
//! - `NotAction`, `NotResource` and `NotPrincipal` match what their list
//!   does not.
//! - Principals follow the rules documented on [`Principal`]: accounts
//!   cover their principals, roles cover their sessions, anonymous callers
//!   match only `"*"`.
//! - Conditions: see [`PolicyRequest`] for where key values come from. The
//!   supported operators are IAM's `String*`, `Numeric*`, `Date*`, `Bool`,
//!   `BinaryEquals`, `IpAddress`/`NotIpAddress` (IPv4 and IPv6), `Arn*` and
//!   `Null`, with `...IfExists` and `ForAnyValue:`/`ForAllValues:`. A key
//!   with no value fails a test, except under negated operators,
//!   `...IfExists`, `ForAllValues:` and `Null`, which IAM lets pass.
//! - Policy variables (`${aws:username}`, `${key, 'default'}`) work in
//!   resources and condition values of `"Version": "2012-10-17"` documents,
//!   as in IAM; a variable with no single value and no default matches
//!   nothing.
//!
//! # Strictness
//!
//! A policy that cannot be understood is refused, never read loosely: an
//! unknown element, operator or principal type, a wrong `Effect` spelling,
//! a repeated JSON key or a malformed address block is a [`PolicyError`]
//! naming the statement and element. Sizes are bounded
//! ([`MAX_DOCUMENT_BYTES`], [`MAX_STATEMENTS`], [`MAX_VALUES`],
//! [`MAX_VALUE_BYTES`]) so that no document is costly to evaluate.
//!
//! Evaluation never fails and never allocates.

mod arn;
mod bytes;
mod condition;
mod context;
mod date;
mod document;
mod elements;
mod error;
mod ip;
mod json;
mod operator;
mod pattern;
mod principal;
mod request;
mod variables;

#[cfg(test)]
mod examples;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod tests;

use std::str::FromStr;

pub use arn::ApiArn;
pub use error::{PolicyError, StatementRef};
pub use principal::{Principal, PrincipalKind};
pub use request::PolicyRequest;

use document::{Effect, Statement};

/// The largest policy text [`PolicyDocument::parse`] reads: 256 KiB, far
/// over IAM's own limits (resource policies: 20 KiB).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// The most statements a document may have.
pub const MAX_STATEMENTS: usize = 1000;

/// The most values (actions, resources, principals, condition values) a
/// document may have, all statements together.
pub const MAX_VALUES: usize = 10_000;

/// The longest single value, in bytes.
pub const MAX_VALUE_BYTES: usize = 4096;

/// What one policy document says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allow,
    /// A statement denies the request. Nothing can override this.
    ExplicitDeny,
    /// No statement applies: an implicit deny, unless another policy allows.
    NotApplicable,
}

impl Decision {
    /// Whether this alone lets the request through.
    pub fn is_allow(self) -> bool {
        self == Decision::Allow
    }

    /// Combines an identity-side decision (IAM policy or authorizer) with a
    /// resource policy's when the caller is in the API owner's account
    /// (the guide's Table A): a deny wins, otherwise either may allow.
    #[must_use]
    pub fn same_account(self, other: Decision) -> Decision {
        use Decision::*;
        match (self, other) {
            (ExplicitDeny, _) | (_, ExplicitDeny) => ExplicitDeny,
            (Allow, _) | (_, Allow) => Allow,
            (NotApplicable, NotApplicable) => NotApplicable,
        }
    }

    /// The same for a caller from another account (Table B): a deny wins,
    /// otherwise both must allow.
    #[must_use]
    pub fn cross_account(self, other: Decision) -> Decision {
        use Decision::*;
        match (self, other) {
            (ExplicitDeny, _) | (_, ExplicitDeny) => ExplicitDeny,
            (Allow, Allow) => Allow,
            _ => NotApplicable,
        }
    }
}

/// A [`Decision`] and the statement that made it, for logs and debugging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// The index (from 0) of the deciding statement: the denying one, or the
    /// first allowing one; `None` when nothing applied. See
    /// [`PolicyDocument::sid`].
    pub statement: Option<usize>,
}

/// Whether statements may or must name a principal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrincipalRule {
    /// `Principal`/`NotPrincipal` is an error (identity policies, authorizer
    /// results: the principal is whoever the policy is attached to).
    #[default]
    Forbidden,
    /// Accepted; a statement without one applies to every caller.
    Optional,
    /// Every statement must have one (resource policies).
    Required,
}

/// How to read a document: which kind of policy it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    principal: PrincipalRule,
    api: Option<ApiArn>,
}

impl ParseOptions {
    /// An identity policy or a Lambda authorizer's result: no principals.
    /// The default.
    pub fn identity_policy() -> Self {
        Self::default()
    }

    /// A resource policy: every statement names its principals.
    pub fn resource_policy() -> Self {
        ParseOptions {
            principal: PrincipalRule::Required,
            api: None,
        }
    }

    /// Sets the rule for `Principal`/`NotPrincipal`.
    #[must_use]
    pub fn principal(mut self, rule: PrincipalRule) -> Self {
        self.principal = rule;
        self
    }

    /// The API the policy belongs to, to expand `execute-api:/...` resources
    /// as API Gateway does when a policy is saved or imported. Without it,
    /// such a resource is an error.
    #[must_use]
    pub fn api(mut self, api: ApiArn) -> Self {
        self.api = Some(api);
        self
    }
}

/// A compiled policy document: parsed and checked once, then evaluated
/// against any number of requests. Cheap to share (`Arc`) between threads.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    version: Option<&'static str>,
    statements: Box<[Statement]>,
    unknowable: Box<[Box<str>]>,
}

impl PolicyDocument {
    /// Compiles a policy given as JSON, with the default
    /// [`ParseOptions::identity_policy`].
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming what is wrong, if anything is.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, PolicyError> {
        Self::from_json_with(value, &ParseOptions::default())
    }

    /// Compiles a policy given as JSON.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming what is wrong, if anything is.
    pub fn from_json_with(
        value: &serde_json::Value,
        options: &ParseOptions,
    ) -> Result<Self, PolicyError> {
        let parsed = document::parse(value, options)?;
        let mut unknowable: Vec<Box<str>> = Vec::new();
        for key in parsed.statements.iter().flat_map(Statement::keys) {
            if key.is_unknowable()
                && !unknowable
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(key.name()))
            {
                unknowable.push(key.name().into());
            }
        }
        Ok(PolicyDocument {
            version: parsed.version,
            statements: parsed.statements.into_boxed_slice(),
            unknowable: unknowable.into_boxed_slice(),
        })
    }

    /// Compiles a policy given as JSON text, with the default
    /// [`ParseOptions::identity_policy`].
    ///
    /// # Errors
    ///
    /// [`PolicyError::TooLarge`] over [`MAX_DOCUMENT_BYTES`],
    /// [`PolicyError::Json`] for text that is not JSON or repeats a key in an
    /// object, else as [`PolicyDocument::from_json`].
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        Self::parse_with(text, &ParseOptions::default())
    }

    /// Compiles a policy given as JSON text.
    ///
    /// # Errors
    ///
    /// As [`PolicyDocument::parse`].
    pub fn parse_with(text: &str, options: &ParseOptions) -> Result<Self, PolicyError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(PolicyError::TooLarge {
                size: text.len(),
                limit: MAX_DOCUMENT_BYTES,
            });
        }
        Self::from_json_with(&json::read(text)?, options)
    }

    /// What the document says about `request`.
    pub fn evaluate(&self, request: &PolicyRequest<'_>) -> Decision {
        self.explain(request).decision
    }

    /// What the document says about `request`, and which statement said it.
    pub fn explain(&self, request: &PolicyRequest<'_>) -> Evaluation {
        let mut allowed_by = None;
        for (index, statement) in self.statements.iter().enumerate() {
            match statement.effect {
                Effect::Deny if statement.applies(request) => {
                    return Evaluation {
                        decision: Decision::ExplicitDeny,
                        statement: Some(index),
                    };
                }
                // One allowing statement is enough; only denies still matter.
                Effect::Allow if allowed_by.is_none() && statement.applies(request) => {
                    allowed_by = Some(index);
                }
                _ => {}
            }
        }
        Evaluation {
            decision: if allowed_by.is_some() {
                Decision::Allow
            } else {
                Decision::NotApplicable
            },
            statement: allowed_by,
        }
    }

    /// Condition keys the document tests (or uses as variables) whose value a
    /// self-hosted gateway cannot know: `aws:SourceVpce`, `aws:SourceVpc`,
    /// `aws:VpcSourceIp`, `aws:PrincipalOrgID`, `aws:PrincipalTag/...`,
    /// `aws:MultiFactorAuthPresent`... Each is listed once, as first written.
    ///
    /// Unless the gateway supplies them in [`PolicyRequest::context`], they
    /// have no value, so a gateway should warn when it loads such a policy:
    /// "deny unless `aws:SourceVpce` is ..." denies everything, and "allow if
    /// `aws:SourceVpc` is ..." allows nothing.
    pub fn unknowable_condition_keys(&self) -> impl Iterator<Item = &str> {
        self.unknowable.iter().map(|k| &**k)
    }

    /// The `Version` the document declared, if any.
    pub fn version(&self) -> Option<&'static str> {
        self.version
    }

    /// The number of statements.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Whether there are no statements (which denies everything, implicitly).
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The `Sid` of the statement at `index` (from 0), if it has one.
    pub fn sid(&self, index: usize) -> Option<&str> {
        self.statements.get(index)?.sid.as_deref()
    }
}

impl FromStr for PolicyDocument {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, PolicyError> {
        Self::parse(text)
    }
}
