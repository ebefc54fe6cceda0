//! Why a request failed validation, and what API Gateway answers.

use std::borrow::Cow;

/// A request that failed validation. Both answer HTTP 400 with `{"message": message()}` unless
/// the API customises the gateway response named by [`response_type`](Rejection::response_type).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Required parameters that are absent or blank, in AWS's order: headers, then path
    /// parameters, then query string parameters, each sorted by name.
    #[error("Missing required request parameters: [{}]", .0.join(", "))]
    MissingParameters(Vec<String>),
    /// The body does not match the model for its content type.
    #[error("Invalid request body")]
    InvalidBody {
        /// What is wrong, for logs and `$context.error.validationErrorString`.
        details: String,
    },
}

impl Rejection {
    /// The gateway response type: `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY`.
    pub fn response_type(&self) -> &'static str {
        match self {
            Rejection::MissingParameters(_) => "BAD_REQUEST_PARAMETERS",
            Rejection::InvalidBody { .. } => "BAD_REQUEST_BODY",
        }
    }

    /// The HTTP status of both gateway responses by default: 400.
    pub fn status(&self) -> u16 {
        400
    }

    /// `$context.error.message`: exactly AWS's text.
    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Rejection::MissingParameters(_) => Cow::Owned(self.to_string()),
            Rejection::InvalidBody { .. } => Cow::Borrowed("Invalid request body"),
        }
    }

    /// `$context.error.validationErrorString`. For a body, the schema errors as a bracketed list
    /// in the words of the Java validator AWS uses (approximated, see the module docs); for
    /// parameters, the message itself.
    pub fn validation_error_string(&self) -> Cow<'_, str> {
        match self {
            Rejection::MissingParameters(_) => self.message(),
            Rejection::InvalidBody { details } => Cow::Borrowed(details),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_aws_text() {
        let r = Rejection::MissingParameters(vec![
            "x-header-param".into(),
            "issuer".into(),
            "qs1".into(),
        ]);
        assert_eq!(
            r.message(),
            "Missing required request parameters: [x-header-param, issuer, qs1]"
        );
        assert_eq!(r.response_type(), "BAD_REQUEST_PARAMETERS");
        assert_eq!(r.validation_error_string(), r.message());
        let r = Rejection::InvalidBody {
            details: "[x]".into(),
        };
        assert_eq!(r.message(), "Invalid request body");
        assert_eq!(r.to_string(), "Invalid request body");
        assert_eq!(r.response_type(), "BAD_REQUEST_BODY");
        assert_eq!(r.validation_error_string(), "[x]");
        assert_eq!(r.status(), 400);
    }
}
