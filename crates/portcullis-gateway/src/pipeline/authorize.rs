//! The authorize phase: the route's authorizer checks the caller, and what
//! it vouches for is recorded on the request for `$context.authorizer` and
//! the Lambda event. Refusals are typed; `respond` shapes them as AWS does.

use std::borrow::Cow;
use std::time::{Duration, UNIX_EPOCH};

use portcullis_auth::jwt::{self, JwtError};

use crate::config::IdentitySource;
use crate::error::{GatewayError, Refusal};
use crate::request::{Authorized, RequestState};
use crate::runtime::{AuthorizePlan, AuthorizerPlan, JwtPlan};

/// REST Cognito's message for an expired token.
const EXPIRED: &str = "The incoming token has expired";

/// Runs the route's authorizer.
pub(super) async fn check(
    plan: &AuthorizePlan,
    state: &mut RequestState<'_>,
) -> Result<(), GatewayError> {
    match plan.authorizer.as_ref() {
        AuthorizerPlan::Jwt(jwt) => check_jwt(jwt, &plan.scopes, state).await,
    }
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
