//! The throttle phase: the API key check, then the request's buckets and
//! quota in AWS's order (api-gateway-request-throttling):
//!
//! 1. the usage plan's limit for the client's key (per method where the plan
//!    sets one, else per key across all the plan's stages);
//! 2. the stage's limit for this method;
//! 3. the account's;
//!
//! then the plan's quota and the key's usage counter, so that a throttled
//! request uses no quota. The first refusal answers; every check is one
//! call to the store (one script in Redis), at the request's arrival time.

use portcullis_ratelimit::{Check, Limiter, Outcome, Rule};

use crate::config::{ApiKeySource, BucketKey};
use crate::error::GatewayError;
use crate::request::{RateLimitState, RequestState, Routed, UsedKey};
use crate::runtime::{Limits, PlanBinding};

/// The most checks one request makes: plan, stage, account, quota, usage.
const MAX_CHECKS: usize = 5;

/// The header REST APIs read keys from (source `HEADER`).
const API_KEY_HEADER: &str = "x-api-key";

/// Checks the request's API key (when its method requires one) and its limits.
pub(super) async fn check(
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    limits: &Limits,
    limiter: &Limiter,
) -> Result<(), GatewayError> {
    let plan = if route.plan.api_key_required {
        Some(api_key(route, state, limits)?)
    } else {
        None
    };
    let mut slots: [Option<Check<'_>>; MAX_CHECKS] = [None; MAX_CHECKS];
    if let Some(bucket) = plan.and_then(|p| p.bucket(route.plan.index)) {
        slots[0] = Some(Check::throttle(&bucket.key, bucket.throttle));
    }
    let stage_bucket = route
        .stage
        .limits
        .methods
        .get(route.plan.index)
        .and_then(Option::as_ref);
    // A bucket per caller: its key names the caller (allocated only for such buckets).
    let caller_key = stage_bucket.and_then(|bucket| {
        let per = bucket.per.as_ref()?;
        Some(format!("{}|{}", bucket.key, caller(per, state)))
    });
    if let Some(bucket) = stage_bucket {
        let key = caller_key.as_deref().unwrap_or(&bucket.key);
        slots[1] = Some(Check::throttle(key, bucket.throttle));
    }
    if let Some(bucket) = &limits.account {
        slots[2] = Some(Check::throttle(&bucket.key, bucket.throttle));
    }
    if let Some(plan) = plan {
        if let Some(counter) = &plan.quota {
            slots[3] = Some(Check::quota(&counter.key, counter.quota));
        }
        slots[4] = Some(Check::quota(&plan.usage.key, plan.usage.quota));
    }
    let Some(first) = slots.iter().flatten().next().copied() else {
        return Ok(());
    };
    // Packed in order into a fixed array: no allocation per request.
    let mut checks = [first; MAX_CHECKS];
    let mut count = 0;
    for check in slots.into_iter().flatten() {
        checks[count] = check;
        count += 1;
    }
    let checks = &checks[..count];
    let outcome = limiter.check_at(checks, state.received_epoch_nanos).await;
    answer(outcome, checks, state, limits)
}

/// The caller as `per` names it; `-` when the request does not say (no
/// such header, no authorizer): such requests share one bucket.
fn caller<'s>(per: &BucketKey, state: &'s RequestState<'_>) -> std::borrow::Cow<'s, str> {
    use std::borrow::Cow;
    let found = match per {
        BucketKey::ClientIp => return Cow::Owned(state.connection.peer.ip().to_string()),
        BucketKey::Principal => state.authorizer.as_ref().and_then(|a| a.principal()),
        BucketKey::Header(name) => state
            .parts
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok()),
    };
    Cow::Borrowed(found.unwrap_or("-"))
}

/// The request's key, found and covered by a usage plan of this stage.
fn api_key<'g>(
    route: &Routed<'g>,
    state: &mut RequestState<'_>,
    limits: &'g Limits,
) -> Result<&'g PlanBinding, GatewayError> {
    let presented = match route.api.api_key_source {
        ApiKeySource::Header => state
            .parts
            .headers
            .get(API_KEY_HEADER)
            .and_then(|value| value.to_str().ok()),
        ApiKeySource::Authorizer => state
            .authorizer
            .as_ref()
            .and_then(|authorized| authorized.usage_identifier_key()),
    };
    let key = presented
        .and_then(|value| limits.keys.find(value))
        .ok_or(GatewayError::InvalidApiKey)?;
    let plan = route
        .stage
        .limits
        .plans
        .get(&key)
        .ok_or(GatewayError::InvalidApiKey)?;
    state.api_key = Some(UsedKey {
        id: limits.keys.id(key).clone(),
        value: limits.keys.value(key).clone(),
    });
    Ok(plan)
}

fn answer(
    outcome: Outcome,
    checks: &[Check<'_>],
    state: &mut RequestState<'_>,
    limits: &Limits,
) -> Result<(), GatewayError> {
    if limits.rate_limit_headers {
        state.rate_limit = Some(RateLimitState {
            headroom: outcome.headroom,
            retry_after: outcome.refused.map(|_| outcome.retry_after),
        });
    }
    match outcome.refused.and_then(|index| checks.get(index)) {
        None => Ok(()),
        Some(Check {
            rule: Rule::Quota(_),
            ..
        }) => Err(GatewayError::QuotaExceeded),
        Some(_) => Err(GatewayError::Throttled),
    }
}
