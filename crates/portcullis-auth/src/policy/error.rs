//! Why a policy document was refused. Every refusal happens at parse time:
//! a document that parses can always be evaluated, and evaluation cannot fail.

use std::fmt;

/// A policy document that cannot be used.
///
/// The messages are meant for the person who wrote the policy (an authorizer
/// author, an API definition's owner): they name the statement and the
/// element, and say what is wrong. Their exact wording is not part of the API;
/// match on the variant and its fields instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The JSON text is over [`MAX_DOCUMENT_BYTES`](super::MAX_DOCUMENT_BYTES).
    #[error("policy document is {size} bytes, over the {limit}-byte limit")]
    TooLarge {
        /// The document's size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The text is not JSON, or an object repeats a key (which JSON readers
    /// resolve differently, so a policy could mean two things).
    #[error("policy document is not valid JSON: {message}")]
    Json {
        /// What the JSON reader said, with line and column.
        message: String,
    },
    /// Something wrong outside any statement: the top level is not an object,
    /// `Version` is unknown, `Statement` is missing, a bound was exceeded.
    #[error("policy document: {}", joined(element, reason))]
    Document {
        /// The element at fault (`Version`, `Statement`, a key name).
        element: String,
        /// What is wrong with it, phrased to follow the element's name.
        reason: String,
    },
    /// Something wrong inside one statement.
    #[error("{statement}: {}", joined(element, reason))]
    Statement {
        /// Which statement.
        statement: StatementRef,
        /// The element at fault, as a path: `Effect`, `Resource`,
        /// `Condition.IpAddress.aws:SourceIp`.
        element: String,
        /// What is wrong with it, phrased to follow the element's name.
        reason: String,
    },
    /// A caller's principal ARN that [`Principal::from_arn`](super::Principal::from_arn)
    /// cannot read, or an [`ApiArn`](super::ApiArn) part that cannot be in an ARN.
    #[error("{what} {value:?} {reason}")]
    InvalidArn {
        /// What was being read (`principal ARN`, `region`...).
        what: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Names a statement in an error: its position and, if it has one, its `Sid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    /// Position in the `Statement` list, counting from 1 as a reader would.
    pub position: usize,
    /// The statement's `Sid`, if it has a string one.
    pub sid: Option<String>,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {}", self.position)?;
        if let Some(sid) = &self.sid {
            write!(f, " (Sid {sid:?})")?;
        }
        Ok(())
    }
}

// ===== helpers for the parsers =====

/// `element reason`, or the reason alone when it concerns no one element.
fn joined(element: &str, reason: &str) -> String {
    if element.is_empty() {
        reason.to_owned()
    } else {
        format!("{element} {reason}")
    }
}

impl PolicyError {
    pub(crate) fn document(element: impl Into<String>, reason: impl Into<String>) -> Self {
        PolicyError::Document {
            element: element.into(),
            reason: reason.into(),
        }
    }
}

/// A statement being parsed: builds errors that name it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatementCx<'a> {
    pub(crate) position: usize,
    pub(crate) sid: Option<&'a str>,
}

impl StatementCx<'_> {
    pub(crate) fn error(
        &self,
        element: impl Into<String>,
        reason: impl Into<String>,
    ) -> PolicyError {
        PolicyError::Statement {
            statement: StatementRef {
                position: self.position,
                sid: self.sid.map(str::to_owned),
            },
            element: element.into(),
            reason: reason.into(),
        }
    }
}

/// Shows a JSON value in an error without flooding it: long values are cut.
pub(crate) fn shown(value: &serde_json::Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_errors_name_position_and_sid() {
        let cx = StatementCx {
            position: 2,
            sid: Some("AllowGet"),
        };
        let e = cx.error("Effect", "must be \"Allow\" or \"Deny\", found \"allow\"");
        assert_eq!(
            e.to_string(),
            "statement 2 (Sid \"AllowGet\"): Effect must be \"Allow\" or \"Deny\", found \"allow\""
        );
        let cx = StatementCx {
            position: 1,
            sid: None,
        };
        assert_eq!(
            cx.error("Action", "is missing").to_string(),
            "statement 1: Action is missing"
        );
    }

    #[test]
    fn long_values_are_cut() {
        let long = serde_json::Value::String("x".repeat(500));
        assert!(shown(&long).len() < 70);
        assert_eq!(shown(&serde_json::json!("a")), "\"a\"");
    }
}
