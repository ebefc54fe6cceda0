//! What the authorize phase established about the caller, as the rest of
//! the request shows it: `$context.authorizer.*` and the Lambda event's
//! `requestContext.authorizer`.

use std::sync::Arc;

use portcullis_auth::jwt::VerifiedToken;
use portcullis_lambda::event::Format;
use portcullis_mapping::Value;
use portcullis_mapping::value::Entries;
use serde_json::{Map, Value as Json};

/// The caller, as an authorizer vouched for them.
#[derive(Debug, Clone)]
pub(crate) enum Authorized {
    /// A JWT or Cognito authorizer verified this token.
    Jwt {
        /// The token's claims and scopes.
        token: Arc<VerifiedToken>,
        /// Whether the route lists scopes: HTTP API events show the token's
        /// scopes then, and `null` otherwise.
        route_has_scopes: bool,
    },
    /// A Lambda authorizer allowed the request (principal, context, usage key).
    Lambda(Box<portcullis_auth::lambda::Authorized>),
    /// IAM verified a SigV4 signature of this identity.
    Iam {
        /// `$context.identity.accessKey`.
        access_key: String,
        /// `$context.identity.userArn`.
        principal_arn: String,
        /// `$context.identity.accountId`.
        account_id: String,
        /// The identity's keys, for AWS service integrations that call as
        /// the caller (`arn:aws:iam::*:user/*`).
        keys: portcullis_lambda::remote::signer::Credentials,
    },
}

impl Authorized {
    /// The API key a Lambda authorizer named (`usageIdentifierKey`), for
    /// APIs whose key source is `AUTHORIZER`.
    pub(crate) fn usage_identifier_key(&self) -> Option<&str> {
        match self {
            Self::Lambda(authorized) => authorized.usage_identifier_key(),
            _ => None,
        }
    }

    /// Who the caller is, for throttles keyed by principal: a JWT's `sub`,
    /// a Lambda authorizer's `principalId`, an IAM caller's ARN.
    pub(crate) fn principal(&self) -> Option<&str> {
        match self {
            Self::Jwt { token, .. } => token.claims().get("sub").and_then(|v| v.as_str()),
            Self::Lambda(authorized) => authorized.principal_id(),
            Self::Iam { principal_arn, .. } => Some(principal_arn),
        }
    }

    /// `$context.identity.NAME` an IAM caller adds.
    pub(crate) fn identity_variable(&self, name: &str) -> Option<&str> {
        match self {
            Self::Iam {
                access_key,
                principal_arn,
                account_id,
                ..
            } => match name {
                "accessKey" => Some(access_key),
                "userArn" | "caller" | "user" => Some(principal_arn),
                "accountId" => Some(account_id),
                _ => None,
            },
            Self::Jwt { .. } | Self::Lambda(_) => None,
        }
    }

    /// `$context.authorizer.NAME` (`claims.sub`, ...).
    pub(crate) fn context_variable(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Self::Iam { .. } => None,
            Self::Lambda(authorized) => authorized.context_variable(name),
            Self::Jwt { token, .. } => {
                let claim = name.strip_prefix("claims.")?;
                token
                    .rendered_claims()
                    .iter()
                    .find(|(n, _)| n == claim)
                    .map(|(_, v)| std::borrow::Cow::Borrowed(v.as_str()))
            }
        }
    }

    /// `$context.authorizer` for mapping templates.
    pub(crate) fn template_value(&self) -> Value {
        match self {
            Self::Iam { .. } => Value::from_entries(Entries::new()),
            Self::Lambda(authorized) => {
                // principalId and every context value, as strings; principalId wins.
                let mut entries = Entries::new();
                for name in authorized.context().keys() {
                    if let Some(value) = authorized.context_variable(name) {
                        entries.insert_str(name, Value::string(value.as_ref()));
                    }
                }
                if let Some(principal) = authorized.principal_id() {
                    entries.insert_str("principalId", Value::string(principal));
                }
                Value::from_entries(entries)
            }
            Self::Jwt { token, .. } => {
                let mut claims = Entries::new();
                for (name, value) in token.rendered_claims() {
                    claims.insert_str(name, Value::string(value.as_str()));
                }
                let mut authorizer = Entries::new();
                authorizer.insert_str("claims", Value::from_entries(claims));
                Value::from_entries(authorizer)
            }
        }
    }

    /// `requestContext.authorizer` of a Lambda proxy event in `format`.
    pub(crate) fn event_value(&self, format: Format) -> Json {
        match self {
            // REST and 1.0 events carry the caller in `identity`; 2.0 ones
            // here. AWS's unique ids (`AIDA...`) are not known locally: the
            // ARN stands in for them, as it does for `$context.identity.caller`.
            Self::Iam {
                access_key,
                principal_arn,
                account_id,
                ..
            } => match format {
                Format::Rest | Format::HttpV1 => Json::Null,
                Format::HttpV2 => serde_json::json!({ "iam": {
                    "accessKey": access_key,
                    "accountId": account_id,
                    "callerId": principal_arn,
                    "cognitoIdentity": null,
                    "principalOrgId": null,
                    "userArn": principal_arn,
                    "userId": principal_arn,
                }}),
            },
            Self::Lambda(authorized) => {
                use portcullis_auth::lambda::IntegrationFormat;
                authorized.event_value(match format {
                    Format::Rest => IntegrationFormat::Rest,
                    Format::HttpV1 => IntegrationFormat::HttpV1,
                    Format::HttpV2 => IntegrationFormat::HttpV2,
                })
            }
            Self::Jwt {
                token,
                route_has_scopes,
            } => {
                let claims: Map<String, Json> = token
                    .rendered_claims()
                    .iter()
                    .map(|(n, v)| (n.clone(), Json::String(v.clone())))
                    .collect();
                let scopes = if *route_has_scopes {
                    Json::from(token.scopes().to_vec())
                } else {
                    Json::Null
                };
                match format {
                    Format::Rest => serde_json::json!({ "claims": claims }),
                    Format::HttpV1 => serde_json::json!({ "claims": claims, "scopes": scopes }),
                    Format::HttpV2 => {
                        serde_json::json!({ "jwt": { "claims": claims, "scopes": scopes } })
                    }
                }
            }
        }
    }
}
