//! The authorize phase: the route's authorizer checks the caller, and what
//! it vouches for is recorded on the request for `$context.authorizer` and
//! the Lambda event. Refusals are typed; `respond` shapes them as AWS does.

use std::borrow::Cow;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use portcullis_auth::jwt::{self, JwtError};
use portcullis_auth::policy::{Decision, PolicyRequest};
use portcullis_auth::sigv4::{self, SignedRequest};

use crate::config::IdentitySource;
use crate::error::{AuthorizerAnswer, Forbidden, GatewayError, Refusal};
use crate::map::lambda_event;
use crate::request::{Authorized, RequestState, Routed};
use crate::runtime::{AuthorizePlan, AuthorizerPlan, IamPlan, JwtPlan, LambdaAuthorizerPlan};

/// REST Cognito's message for an expired token.
const EXPIRED: &str = "The incoming token has expired";

/// Runs the route's authorizer; `body` is the request body when the
/// authorizer needs it ([`AuthorizerPlan::needs_body`]).
pub(super) async fn check(
    plan: &AuthorizePlan,
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    body: Option<&Bytes>,
) -> Result<(), GatewayError> {
    match plan.authorizer.as_ref() {
        AuthorizerPlan::Jwt(jwt) => check_jwt(jwt, &plan.scopes, state).await,
        AuthorizerPlan::Iam(iam) => check_iam(iam, route, state, body.map_or(&[][..], |b| b)),
        AuthorizerPlan::Lambda(lambda) => check_lambda(lambda, route, state).await,
    }
}

/// A Lambda authorizer: the event the request makes, the function's answer
/// (or a cached one, re-evaluated for this method ARN).
async fn check_lambda(
    plan: &LambdaAuthorizerPlan,
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
) -> Result<(), GatewayError> {
    use portcullis_auth::lambda::{AuthorizerRequest, PayloadFormat};
    use portcullis_lambda::event::Format;

    let parts = state.parts;
    let format = match plan.format {
        PayloadFormat::Rest => Format::Rest,
        PayloadFormat::HttpV1 => Format::HttpV1,
        PayloadFormat::HttpV2 { .. } => Format::HttpV2,
    };
    let rest = format == Format::Rest;
    let method_arn = route.method_arn(parts.method.as_str());
    let spelled = lambda_event::spelled_names(state).unwrap_or_default();
    let decoded = lambda_event::path_parameters(route, rest);
    let path_parameters: Vec<(&str, &str)> =
        decoded.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    let (resource, path) = lambda_event::resource_and_path(format, route, state);
    let context_variable = |name: &str| {
        state
            .context_variable(name)
            .map(std::borrow::Cow::into_owned)
    };
    // Built only when the function is called, not for a cached answer.
    let request_context = || lambda_event::request_context(format, route, state);
    let request = AuthorizerRequest {
        method_arn: &method_arn,
        http_method: parts.method.as_str(),
        resource,
        path,
        route_key: &route.plan.route_key,
        raw_path: parts.uri.path(),
        raw_query: parts.uri.query(),
        headers: &parts.headers,
        header_names: &spelled,
        path_parameters: &path_parameters,
        stage_variables: &route.stage.variables,
        request_context: &request_context,
        context_variable: &context_variable,
        source_ip: Some(state.connection.peer.ip()),
    };
    let outcome = plan
        .authorizer
        .authorize(&request, &plan.invoker, state.started)
        .await;
    match outcome {
        Ok(authorized) => {
            state.authorizer = Some(Authorized::Lambda(Box::new(authorized)));
            Ok(())
        }
        Err(refused) => {
            if refused.is_client_error() {
                tracing::info!(
                    request_id = state.ids.request_id(),
                    "Lambda authorizer refused: {refused:?}"
                );
            } else {
                tracing::warn!(
                    request_id = state.ids.request_id(),
                    "Lambda authorizer failed: {refused:?}"
                );
            }
            let answer = refused.response(plan.format.api());
            Err(GatewayError::AuthorizerRefused(AuthorizerAnswer {
                status: answer.status,
                response_type: answer.response_type,
                message: answer.message,
                message_key: answer.message_key,
                error_type: answer.error_type,
            }))
        }
    }
}

/// The resource policy's first phase, before any authorizer: an explicit
/// Deny for the (still anonymous) caller refuses at once; a route without
/// an authorizer needs an explicit Allow.
pub(super) fn check_resource_policy(
    route: &Routed<'_>,
    state: &RequestState<'_>,
) -> Result<(), GatewayError> {
    let Some(policy) = &route.api.resource_policy else {
        return Ok(());
    };
    let method_arn = route.method_arn(state.parts.method.as_str());
    let request = PolicyRequest::new("execute-api:Invoke", &method_arn)
        .with_source_ip(state.connection.peer.ip());
    let decision = policy.evaluate(&request);
    let refused = match decision {
        Decision::ExplicitDeny => true,
        Decision::NotApplicable => route.plan.authorize.is_none(),
        Decision::Allow => false,
    };
    if refused {
        return Err(denied("anonymous", &method_arn, decision, "Message"));
    }
    Ok(())
}

/// AWS's 403 for a caller the policies do not allow.
fn denied(
    who: &str,
    method_arn: &str,
    decision: Decision,
    message_key: &'static str,
) -> GatewayError {
    let explicit = if decision == Decision::ExplicitDeny {
        " with an explicit deny"
    } else {
        ""
    };
    GatewayError::Forbidden(Box::new(Forbidden {
        response_type: "ACCESS_DENIED",
        error_type: "AccessDeniedException",
        message: format!(
            "User: {who} is not authorized to perform: execute-api:Invoke on resource: {method_arn}{explicit}"
        ),
        message_key,
    }))
}

/// IAM: the SigV4 signature, then the identity's policies for
/// `execute-api:Invoke` on the method ARN.
fn check_iam(
    iam: &IamPlan,
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    body: &[u8],
) -> Result<(), GatewayError> {
    let parts = state.parts;
    if !sigv4::is_signed(&parts.headers, &parts.uri) {
        return Err(GatewayError::MissingAuthenticationToken);
    }
    let now = UNIX_EPOCH + Duration::from_millis(state.received_epoch_ms);
    let request = SignedRequest::from_parts(parts, body);
    let verified = iam.verifier.verify(&request, now, iam).map_err(|error| {
        tracing::info!(
            request_id = state.ids.request_id(),
            "IAM authorization refused the signature: {error}"
        );
        GatewayError::Forbidden(Box::new(Forbidden {
            response_type: error.response_type(),
            error_type: error.error_type(),
            message: error.to_string(),
            message_key: "message",
        }))
    })?;
    let Some(identity) = iam.identity(&verified.access_key_id) else {
        return Err(GatewayError::MissingAuthenticationToken);
    };
    let method_arn = route.method_arn(parts.method.as_str());
    let mut decision = identity.decide("execute-api:Invoke", &method_arn);
    if let Some(policy) = &route.api.resource_policy {
        // AWS's tables A and B: a caller from the API's account needs one
        // Allow (and no Deny); a caller from another account needs both.
        let request = PolicyRequest::new("execute-api:Invoke", &method_arn)
            .with_principal(&identity.principal)
            .with_source_ip(state.connection.peer.ip());
        let resource = policy.evaluate(&request);
        decision = if identity.principal.account() == route.api.account_id {
            decision.same_account(resource)
        } else {
            decision.cross_account(resource)
        };
    }
    if decision != Decision::Allow {
        return Err(denied(
            identity.principal.arn(),
            &method_arn,
            decision,
            "message",
        ));
    }
    state.authorizer = Some(Authorized::Iam {
        access_key: verified.access_key_id,
        principal_arn: identity.principal.arn().to_owned(),
        account_id: identity.principal.account().to_owned(),
        keys: identity.keys.clone(),
    });
    Ok(())
}

async fn check_jwt(
    plan: &JwtPlan,
    scopes: &[String],
    state: &mut RequestState<'_>,
) -> Result<(), GatewayError> {
    let Some(value) = identity(&plan.source, state) else {
        return Err(GatewayError::Unauthorized(Refusal::default()));
    };
    // HTTP APIs take the token with or without `Bearer `; REST Cognito
    // authorizers take the header's value as the token.
    let token = if plan.cognito {
        Some(value.trim()).filter(|t| !t.is_empty())
    } else {
        jwt::bearer_token(&value)
    };
    let Some(token) = token else {
        return Err(GatewayError::Unauthorized(Refusal::default()));
    };
    let issuer = (plan.verifiers.len() > 1)
        .then(|| jwt::unverified_issuer(token))
        .flatten();
    let now = UNIX_EPOCH + Duration::from_millis(state.received_epoch_ms);
    let verified = plan
        .verifier(issuer.as_deref())
        .verify(token, now)
        .await
        .map_err(|error| refuse(plan, &error, state))?;
    let allowed = if plan.cognito {
        verified.require_cognito(scopes)
    } else {
        verified.require_scopes(scopes)
    };
    if let Err(error) = allowed {
        return Err(refuse(plan, &error, state));
    }
    state.authorizer = Some(Authorized::Jwt {
        token: verified,
        route_has_scopes: !scopes.is_empty(),
    });
    Ok(())
}

/// The identity source's value, decoded; `None` when absent or not text.
fn identity<'s>(source: &IdentitySource, state: &'s RequestState<'_>) -> Option<Cow<'s, str>> {
    match source {
        IdentitySource::Header(name) => state
            .parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(Cow::Borrowed),
        IdentitySource::QueryString(name) => state
            .query_pairs()
            .find(|(key, _)| portcullis_router::percent_decode(key) == name.as_str())
            .map(|(_, value)| portcullis_router::percent_decode(value)),
    }
}

fn refuse(plan: &JwtPlan, error: &JwtError, state: &RequestState<'_>) -> GatewayError {
    match error {
        JwtError::KeysUnavailable(why) => tracing::warn!(
            request_id = state.ids.request_id(),
            "JWT authorizer: the issuer's keys are unavailable: {why}"
        ),
        _ => tracing::info!(
            request_id = state.ids.request_id(),
            "JWT authorizer refused the token: {error}"
        ),
    }
    if plan.cognito {
        return GatewayError::Unauthorized(Refusal {
            challenge: None,
            message: error.is_expired().then_some(EXPIRED),
        });
    }
    let refusal = Refusal {
        challenge: Some(error.challenge()),
        message: None,
    };
    match error {
        JwtError::InsufficientScope { .. } => GatewayError::AccessDenied(refusal),
        _ => GatewayError::Unauthorized(refusal),
    }
}
