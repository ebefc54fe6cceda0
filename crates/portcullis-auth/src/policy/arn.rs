//! ARNs: the API a policy belongs to ([`ApiArn`]), which builds method ARNs
//! and expands the `execute-api:/...` shorthand, and the compiled values of
//! the `Arn*` condition operators.

use super::error::PolicyError;
use super::pattern::{Case, Pattern};
use super::request::PolicyRequest;
use super::variables::{Syntax, Token, Variable, tokenize};

/// The ARN of one API: `arn:{partition}:execute-api:{region}:{account}:{apiId}`.
///
/// Resource policies may write resources as `execute-api:/{stage}/{METHOD}/{path}`;
/// API Gateway expands that to the full ARN of the API the policy is
/// attached to, and so does [`ParseOptions::api`](super::ParseOptions::api).
/// Gateways also use it to build the method ARN of each request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiArn {
    prefix: Box<str>,
}

impl ApiArn {
    /// The API `api_id` of `account` in `region`, in the `aws` partition.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidArn`] if a part is empty or holds a character
    /// that would change the ARN's shape (`:`, `/`, a wildcard, whitespace).
    pub fn new(region: &str, account: &str, api_id: &str) -> Result<Self, PolicyError> {
        Self::in_partition("aws", region, account, api_id)
    }

    /// The same in another partition (`aws-cn`, `aws-us-gov`).
    ///
    /// # Errors
    ///
    /// As [`ApiArn::new`].
    pub fn in_partition(
        partition: &str,
        region: &str,
        account: &str,
        api_id: &str,
    ) -> Result<Self, PolicyError> {
        for (what, value) in [
            ("partition", partition),
            ("region", region),
            ("account", account),
            ("API id", api_id),
        ] {
            let bad = value.is_empty()
                || value.chars().any(|c| {
                    matches!(c, ':' | '/' | '*' | '?' | '$' | '{' | '}') || c.is_whitespace()
                });
            if bad {
                return Err(PolicyError::InvalidArn {
                    what,
                    value: value.to_owned(),
                    reason: "is empty or holds ':', '/', a wildcard or whitespace".to_owned(),
                });
            }
        }
        Ok(ApiArn {
            prefix: format!("arn:{partition}:execute-api:{region}:{account}:{api_id}").into(),
        })
    }

    /// The ARN itself.
    pub fn as_str(&self) -> &str {
        &self.prefix
    }

    /// The method ARN of a REST API method or HTTP API route:
    /// `{api}/{stage}/{method}/{path}` with the path's leading `/` dropped,
    /// so `GET /pets/1` in `prod` is `.../prod/GET/pets/1` and `GET /` is
    /// `.../prod/GET/`.
    pub fn method_arn(&self, stage: &str, method: &str, path: &str) -> String {
        let path = path.strip_prefix('/').unwrap_or(path);
        format!("{}/{stage}/{method}/{path}", self.prefix)
    }

    /// The ARN of an HTTP API's `$default` route: `{api}/{stage}/$default`.
    pub fn default_route_arn(&self, stage: &str) -> String {
        format!("{}/{stage}/$default", self.prefix)
    }

    /// `execute-api:/{rest}` written out in full, or `None` if `resource` is
    /// not the shorthand.
    pub(crate) fn expand(&self, resource: &str) -> Option<String> {
        let rest = resource.strip_prefix("execute-api:")?;
        rest.starts_with('/')
            .then(|| format!("{}{rest}", self.prefix))
    }
}

/// A value of an `Arn*` operator. IAM checks each of an ARN's six
/// colon-separated parts on its own, so a `*` does not reach past a `:` in
/// the first five (the sixth, the resource, may hold colons). `*` alone, or a
/// value built from policy variables (`${aws:PrincipalArn}`), is matched
/// against the whole text; any other value must have six parts.
#[derive(Debug, Clone)]
pub(crate) enum ArnPattern {
    Parts(Box<[Pattern; 6]>),
    Whole(Pattern),
}

impl ArnPattern {
    pub(crate) fn compile(text: &str, variables: bool) -> Result<Self, String> {
        let syntax = Syntax {
            wildcards: true,
            variables,
        };
        let tokens = tokenize(text, syntax)?;
        let mut parts: Vec<Vec<Token>> = vec![Vec::new()];
        for token in &tokens {
            let Token::Text(text) = token else {
                if let Some(part) = parts.last_mut() {
                    part.push(token.clone());
                }
                continue;
            };
            let mut rest = text.as_str();
            while parts.len() < 6 {
                let Some((head, tail)) = rest.split_once(':') else {
                    break;
                };
                if let Some(part) = parts.last_mut().filter(|_| !head.is_empty()) {
                    part.push(Token::Text(head.to_owned()));
                }
                parts.push(Vec::new());
                rest = tail;
            }
            if let Some(part) = parts.last_mut().filter(|_| !rest.is_empty()) {
                part.push(Token::Text(rest.to_owned()));
            }
        }
        let compiled: Vec<Pattern> = parts
            .into_iter()
            .map(|p| Pattern::compile(p, Case::Sensitive))
            .collect();
        match <Box<[Pattern; 6]>>::try_from(compiled.into_boxed_slice()) {
            Ok(six) => Ok(ArnPattern::Parts(six)),
            Err(_) if text == "*" || tokens.iter().any(|t| matches!(t, Token::Var(_))) => {
                Ok(ArnPattern::Whole(Pattern::compile(tokens, Case::Sensitive)))
            }
            Err(_) => Err(format!(
                "has the value {text:?}, which is not \"*\" or an ARN of six parts (arn:partition:service:region:account:resource)"
            )),
        }
    }

    pub(crate) fn matches(&self, text: &str, request: &PolicyRequest<'_>) -> bool {
        match self {
            ArnPattern::Whole(p) => p.matches(text, request),
            ArnPattern::Parts(parts) => {
                let mut pieces = text.splitn(6, ':');
                parts
                    .iter()
                    .all(|p| pieces.next().is_some_and(|piece| p.matches(piece, request)))
            }
        }
    }

    pub(crate) fn variables(&self) -> Box<dyn Iterator<Item = &Variable> + '_> {
        match self {
            ArnPattern::Whole(p) => Box::new(p.variables()),
            ArnPattern::Parts(parts) => Box::new(parts.iter().flat_map(Pattern::variables)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_arns_build_method_arns() {
        let api = ApiArn::new("us-east-1", "123456789012", "abc123").unwrap();
        assert_eq!(
            api.as_str(),
            "arn:aws:execute-api:us-east-1:123456789012:abc123"
        );
        assert_eq!(
            api.method_arn("prod", "GET", "/pets/1"),
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/1"
        );
        assert_eq!(
            api.method_arn("prod", "GET", "/"),
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"
        );
        assert_eq!(
            api.default_route_arn("$default"),
            "arn:aws:execute-api:us-east-1:123456789012:abc123/$default/$default"
        );
        let cn = ApiArn::in_partition("aws-cn", "cn-north-1", "123456789012", "x").unwrap();
        assert_eq!(
            cn.as_str(),
            "arn:aws-cn:execute-api:cn-north-1:123456789012:x"
        );
    }

    #[test]
    fn api_arns_refuse_parts_that_break_the_shape() {
        for (r, a, i) in [
            ("", "1", "x"),
            ("us:east", "1", "x"),
            ("r", "1/2", "x"),
            ("r", "1", "*"),
            ("r", "1", "a b"),
        ] {
            assert!(matches!(
                ApiArn::new(r, a, i),
                Err(PolicyError::InvalidArn { .. })
            ));
        }
    }

    #[test]
    fn expands_the_shorthand_only() {
        let api = ApiArn::new("us-east-2", "123456789012", "aabbccddee").unwrap();
        assert_eq!(
            api.expand("execute-api:/stage-name/GET/pets").as_deref(),
            Some("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/stage-name/GET/pets")
        );
        assert_eq!(
            api.expand("execute-api:/*").as_deref(),
            Some("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/*")
        );
        assert_eq!(api.expand("arn:aws:execute-api:*"), None);
        assert_eq!(api.expand("execute-api:Invoke"), None);
    }

    fn arn_like(pattern: &str, text: &str) -> bool {
        let r = PolicyRequest::new("a:b", "r");
        ArnPattern::compile(pattern, true)
            .unwrap()
            .matches(text, &r)
    }

    #[test]
    fn arn_parts_are_matched_one_by_one() {
        assert!(arn_like(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::123456789012:role/Admin"
        ));
        assert!(arn_like(
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::123456789012:role/a/b"
        ));
        assert!(arn_like(
            "arn:aws:sqs:*:*:q:x*",
            "arn:aws:sqs:us-east-1:1:q:xy"
        ));
        // A `*` stops at a colon in the first five parts.
        assert!(!arn_like(
            "arn:*:iam::*:role/Admin",
            "arn:aws:x:iam::123456789012:role/Admin"
        ));
        assert!(arn_like(
            "arn:*:*:*:*:role/Admin",
            "arn:aws:iam::123456789012:role/Admin"
        ));
        // `*` alone matches anything; other values need six parts.
        assert!(arn_like("*", "arn:aws:iam::123456789012:role/Admin"));
        assert!(arn_like("*", "not an arn"));
        assert!(ArnPattern::compile("arn:*:role/Admin", true).is_err());
        assert!(ArnPattern::compile("${aws:PrincipalArn}", true).is_ok());
        assert!(!arn_like("arn:aws:iam::*:role/Admin", "not an arn"));
        assert!(!arn_like(
            "arn:aws:iam::1:role/Admin",
            "arn:aws:iam::1:role/admin"
        ));
    }

    #[test]
    fn arn_values_may_hold_variables() {
        let pairs = [("aws:PrincipalAccount", "123456789012")];
        let r = PolicyRequest::new("a:b", "r").with_context(&pairs);
        let p = ArnPattern::compile("arn:aws:iam::${aws:PrincipalAccount}:role/*", true).unwrap();
        assert!(p.matches("arn:aws:iam::123456789012:role/R", &r));
        assert!(!p.matches("arn:aws:iam::210987654321:role/R", &r));
        assert_eq!(p.variables().count(), 1);
    }
}
