//! The admin listener (loopback only): health, readiness, metrics, reload,
//! and usage per API key and day, read and reset as API Gateway's
//! `GetUsage` and `UpdateUsage` do.
//!
//! - `GET /healthz` answers 200 `{"status": "ok"}` while the process serves.
//! - `GET /ready` answers 200 `{"status": "ready", ...}` when the config is
//!   loaded and the limit store answers a ping (Redis, when `redis:` is
//!   configured), else 503 `{"status": "unavailable", "reasons": [...]}`.
//! - `GET /metrics`: every series, Prometheus text format 0.0.4 (`docs/metrics.md`).
//! - `POST /reload` reloads the config from its sources: 200 with a summary,
//!   or 422 with the problems (the running config keeps serving).
//! - `GET /usageplans/{planId}/usage?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD[&keyId=ID]`
//!   answers `{"usagePlanId", "startDate", "endDate", "items": {KEY_ID: [[used, remaining], ...]}}`,
//!   one pair per day: requests counted that day and, when the plan has a
//!   quota, what its period had left (`null` without a quota).
//! - `PATCH /usageplans/{planId}/keys/{keyId}/usage` with
//!   `{"patchOperations": [{"op": "replace", "path": "/remaining", "value": "N"}]}`
//!   grants the key N more requests in the current quota period.
//! - `DELETE /restapis/{apiId}/stages/{stage}/cache/data` flushes a stage's
//!   cache (API Gateway's `FlushStageCache`): 202, or 404 for an unknown
//!   stage, 400 for a stage without a cache. `GET` on
//!   `/restapis/{apiId}/stages/{stage}/cache` reports its bound, entries and counts.
//! - `GET /limits/status` answers `{"degraded": BOOL, "storeFailures": N}`:
//!   whether the last call to the limit store (Redis) failed, and how many
//!   checks the failure policy has answered since start.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use portcullis_cache::MemoryStore;
use portcullis_ratelimit::{Limiter, Period, civil_from_days, days_from_civil};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::observe::metrics::{self, Metrics};
use crate::reload::Reloader;
use crate::runtime::{Gateway, PlanSummary};

/// Longest range one usage read covers (AWS keeps 90 days).
const MAX_DAYS: u64 = 90;
/// Largest request body (a patch document).
const MAX_BODY: usize = 16 * 1024;
const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;

/// What the admin endpoints read.
#[derive(Clone)]
pub struct Admin {
    gateway: Arc<ArcSwap<Gateway>>,
    limiter: Arc<Limiter>,
    metrics: Arc<Metrics>,
    reloader: Option<Reloader>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin").finish_non_exhaustive()
    }
}

impl Admin {
    /// Admin endpoints over the served config and the pipeline's limiter.
    pub fn new(gateway: Arc<ArcSwap<Gateway>>, limiter: Arc<Limiter>) -> Self {
        Self {
            gateway,
            limiter,
            metrics: Arc::new(Metrics::new()),
            reloader: None,
        }
    }

    /// Serves `metrics` at `/metrics` (default: an empty registry).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Reloads through `reloader` on `POST /reload` (without one: 404).
    pub fn with_reloader(mut self, reloader: Reloader) -> Self {
        self.reloader = Some(reloader);
        self
    }

    /// Serves `listener` until the task is dropped.
    pub async fn serve(self, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let admin = self.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let admin = admin.clone();
                    async move { Ok::<_, Infallible>(admin.handle(request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// Binds `address` (loopback, checked at load).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
        TcpListener::bind(address).await
    }

    /// Answers one admin request.
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: std::error::Error + Send + Sync + 'static,
    {
        let (parts, body) = request.into_parts();
        let segments: Vec<&str> = parts.uri.path().trim_matches('/').split('/').collect();
        let query = parts.uri.query().unwrap_or("");
        let result = match (&parts.method, segments.as_slice()) {
            (&Method::GET, ["healthz"]) => Ok(ok(json!({ "status": "ok" }))),
            (&Method::GET, ["ready"]) => Ok(self.ready().await),
            (&Method::GET, ["metrics"]) => Ok(self.metrics()),
            (&Method::POST, ["reload"]) => self.reload().await,
            (_, ["healthz" | "ready" | "metrics"]) => Err(not_allowed("GET")),
            (_, ["reload"]) => Err(not_allowed("POST")),
            (&Method::DELETE, ["restapis", api, "stages", stage, "cache", "data"]) => {
                self.flush_cache(api, stage).await
            }
            (_, ["restapis", _, "stages", _, "cache", "data"]) => Err(not_allowed("DELETE")),
            (&Method::GET, ["restapis", api, "stages", stage, "cache"]) => {
                self.cache_status(api, stage)
            }
            (&Method::GET, ["usageplans", plan, "usage"]) => self.get_usage(plan, query).await,
            (&Method::GET, ["limits", "status"]) => Ok(ok(json!({
                "degraded": self.limiter.is_degraded(),
                "storeFailures": self.limiter.failures(),
            }))),
            (&Method::PATCH, ["usageplans", plan, "keys", key, "usage"]) => {
                match Limited::new(body, MAX_BODY).collect().await {
                    Ok(collected) => self.update_usage(plan, key, &collected.to_bytes()).await,
                    Err(_) => Err(bad_request(
                        "the body is not a patch document of at most 16 KiB",
                    )),
                }
            }
            (_, ["usageplans", ..]) => Err(error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "no such admin operation; see docs/throttling.md",
            )),
            _ => Err(error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "Not Found",
            )),
        };
        result.unwrap_or_else(AdminError::into_response)
    }

    /// A stage's cache: its bound, what it holds, and its counts.
    fn cache_status(&self, api: &str, stage: &str) -> Result<Response<Full<Bytes>>, AdminError> {
        let gateway = self.gateway.load_full();
        let cache = stage_cache(&gateway, api, stage)?;
        let stats = cache.cache.stats();
        let memory = cache.memory();
        Ok(ok(json!({
            "capacityBytes": cache.capacity(),
            "entries": memory.map(MemoryStore::entry_count),
            "weightedBytes": memory.map(MemoryStore::weighted_size),
            "hits": stats.hits,
            "misses": stats.misses,
            "coalesced": stats.coalesced,
            "storeErrors": stats.store_errors,
            "tooLarge": stats.too_large,
        })))
    }

    /// Empties a stage's cache (API Gateway's `FlushStageCache`): 202 once
    /// the store has dropped the stage's entries.
    async fn flush_cache(
        &self,
        api: &str,
        stage: &str,
    ) -> Result<Response<Full<Bytes>>, AdminError> {
        let gateway = self.gateway.load_full();
        let cache = stage_cache(&gateway, api, stage)?;
        match cache.cache.flush(&cache.partition).await {
            Ok(()) => {
                tracing::info!(api, stage, "stage cache flushed");
                Ok(respond(StatusCode::ACCEPTED, None, json!({})))
            }
            Err(store_error) => Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailableException",
                &store_error.to_string(),
            )),
        }
    }

    /// Ready when the config is loaded (it is, once the admin listener
    /// serves) and the limit store answers.
    async fn ready(&self) -> Response<Full<Bytes>> {
        let gateway = self.gateway.load();
        match self.limiter.ping().await {
            Ok(()) => ok(json!({
                "status": "ready",
                "apis": gateway.api_count(),
                "limitStore": "ok",
            })),
            Err(error) => respond(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                json!({
                    "status": "unavailable",
                    "reasons": [format!("the limit store does not answer: {error}")],
                }),
            ),
        }
    }

    fn metrics(&self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.metrics.render())));
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(metrics::CONTENT_TYPE),
        );
        response
    }

    /// Reloads the config off the runtime (it reads files).
    async fn reload(&self) -> Result<Response<Full<Bytes>>, AdminError> {
        let Some(reloader) = self.reloader.clone() else {
            return Err(error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "this gateway has no configuration source to reload",
            ));
        };
        let outcome = tokio::task::spawn_blocking(move || reloader.reload())
            .await
            .map_err(|_| {
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalFailureException",
                    "the reload stopped unexpectedly; the previous configuration keeps serving",
                )
            })?;
        let lines = |list: &[crate::config::Problem]| -> Vec<String> {
            list.iter().map(ToString::to_string).collect()
        };
        match outcome {
            Ok(config) => {
                let routes: usize = config.apis.iter().map(|a| a.routes.len()).sum();
                tracing::info!(
                    trigger = "admin",
                    apis = config.apis.len(),
                    "configuration reloaded"
                );
                Ok(ok(json!({
                    "status": "reloaded",
                    "apis": config.apis.len(),
                    "routes": routes,
                    "warnings": lines(&config.warnings),
                })))
            }
            Err(problem) => {
                tracing::error!(
                    trigger = "admin",
                    "reload rejected; the previous configuration keeps serving:\n{problem}"
                );
                Ok(respond(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some("BadRequestException"),
                    json!({
                        "status": "rejected",
                        "message": "the configuration has errors; the previous configuration keeps serving",
                        "errors": lines(&problem.problems),
                        "warnings": lines(&problem.warnings),
                    }),
                ))
            }
        }
    }

    async fn get_usage(
        &self,
        plan_id: &str,
        query: &str,
    ) -> Result<Response<Full<Bytes>>, AdminError> {
        let gateway = self.gateway.load_full();
        let plan = find_plan(&gateway, plan_id)?;
        let mut start = None;
        let mut end = None;
        let mut key_filter = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "startDate" => start = Some(parse_date(&value)?),
                "endDate" => end = Some(parse_date(&value)?),
                "keyId" => key_filter = Some(value.into_owned()),
                _ => {}
            }
        }
        let (Some(start), Some(end)) = (start, end) else {
            return Err(bad_request(
                "startDate and endDate (YYYY-MM-DD) are required",
            ));
        };
        if end < start || end - start >= MAX_DAYS {
            return Err(bad_request(
                "endDate must be on or after startDate, at most 90 days later",
            ));
        }
        let mut items = serde_json::Map::new();
        for key_id in &plan.keys {
            if key_filter.as_ref().is_some_and(|k| k != key_id) {
                continue;
            }
            let mut days = Vec::new();
            for day in start..=end {
                let used = self
                    .counted(&plan.usage_key(key_id), Period::Day, day)
                    .await?;
                let remaining = match plan.quota {
                    Some(quota) => {
                        let index = quota.period().index(day * NANOS_PER_DAY);
                        let counted = self
                            .counted(&plan.quota_key(key_id), quota.period(), index)
                            .await?;
                        json!(quota.allowance(index).saturating_sub(counted))
                    }
                    None => Value::Null,
                };
                days.push(json!([used, remaining]));
            }
            items.insert(key_id.clone(), Value::Array(days));
        }
        if let Some(key) = key_filter
            && items.is_empty()
        {
            return Err(error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                &format!("usage plan {plan_id} has no key {key}"),
            ));
        }
        Ok(ok(json!({
            "usagePlanId": plan.id,
            "startDate": format_date(start),
            "endDate": format_date(end),
            "items": items,
        })))
    }

    async fn update_usage(
        &self,
        plan_id: &str,
        key_id: &str,
        body: &[u8],
    ) -> Result<Response<Full<Bytes>>, AdminError> {
        let gateway = self.gateway.load_full();
        let plan = find_plan(&gateway, plan_id)?;
        if !plan.keys.iter().any(|k| k == key_id) {
            return Err(error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                &format!("usage plan {plan_id} has no key {key_id}"),
            ));
        }
        let Some(quota) = plan.quota else {
            return Err(bad_request(
                "the usage plan has no quota: nothing remains to update",
            ));
        };
        let remaining = remaining_from_patch(body)?;
        let now = self.limiter.clock().now_nanos();
        let index = quota.period().index(now);
        let allowance = quota.allowance(index);
        let counted = allowance.saturating_sub(remaining);
        self.limiter
            .store()
            .set_counted(&plan.quota_key(key_id), quota.period(), index, counted)
            .await
            .map_err(unavailable)?;
        let today = now / NANOS_PER_DAY;
        let used = self
            .counted(&plan.usage_key(key_id), Period::Day, today)
            .await?;
        Ok(ok(json!({
            "usagePlanId": plan.id,
            "startDate": format_date(today),
            "endDate": format_date(today),
            "items": { key_id: [[used, allowance.saturating_sub(counted)]] },
        })))
    }

    async fn counted(&self, key: &str, period: Period, index: u64) -> Result<u64, AdminError> {
        self.limiter
            .store()
            .counted(key, period, index)
            .await
            .map_err(unavailable)
    }
}

/// A stage's cache, or the admin error naming why there is none.
fn stage_cache<'g>(
    gateway: &'g Gateway,
    api: &str,
    stage: &str,
) -> Result<&'g crate::runtime::StageCache, AdminError> {
    match gateway.stage_cache(api, stage) {
        None => Err(error(
            StatusCode::NOT_FOUND,
            "NotFoundException",
            &format!("no stage `{stage}` in an API `{api}`"),
        )),
        Some(None) => Err(bad_request(&format!(
            "stage `{stage}` of API `{api}` has no cache; set `cache` on the stage (docs/caching.md)"
        ))),
        Some(Some(cache)) => Ok(cache),
    }
}

fn find_plan<'g>(gateway: &'g Gateway, id: &str) -> Result<&'g PlanSummary, AdminError> {
    gateway
        .limits
        .plans
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| {
            error(
                StatusCode::NOT_FOUND,
                "NotFoundException",
                "Invalid Usage Plan ID specified",
            )
        })
}

/// The `value` of the one `replace /remaining` operation.
fn remaining_from_patch(body: &[u8]) -> Result<u64, AdminError> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| bad_request("the body is not JSON"))?;
    let operations = document
        .get("patchOperations")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("patchOperations is missing"))?;
    let mut remaining = None;
    for operation in operations {
        let field = |name: &str| operation.get(name).and_then(Value::as_str);
        match (field("op"), field("path")) {
            (Some("replace"), Some("/remaining")) => {
                let value = field("value")
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| {
                        bad_request("value must be a whole number of requests, as a string")
                    })?;
                remaining = Some(value);
            }
            _ => {
                return Err(bad_request(
                    "only {\"op\": \"replace\", \"path\": \"/remaining\"} is supported",
                ));
            }
        }
    }
    remaining.ok_or_else(|| bad_request("no replace /remaining operation"))
}

/// Days since the epoch of `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<u64, AdminError> {
    let bad = || bad_request(&format!("`{text}` is not a date (YYYY-MM-DD)"));
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u64>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    // 2026-02-30 is not a date: it would come back as March.
    if civil_from_days(days) != (year, month, day) {
        return Err(bad());
    }
    Ok(days)
}

fn format_date(days: u64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

fn ok(body: Value) -> Response<Full<Bytes>> {
    respond(StatusCode::OK, None, body)
}

/// An admin request that cannot be answered, as API Gateway's control plane words it.
#[derive(Debug)]
struct AdminError {
    status: StatusCode,
    error_type: &'static str,
    message: String,
}

impl AdminError {
    fn into_response(self) -> Response<Full<Bytes>> {
        respond(
            self.status,
            Some(self.error_type),
            json!({ "message": self.message }),
        )
    }
}

fn not_allowed(allowed: &'static str) -> AdminError {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowedException",
        &format!("this endpoint answers {allowed} only"),
    )
}

fn bad_request(message: &str) -> AdminError {
    error(StatusCode::BAD_REQUEST, "BadRequestException", message)
}

fn unavailable(error_: portcullis_ratelimit::StoreError) -> AdminError {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailableException",
        &error_.to_string(),
    )
}

fn error(status: StatusCode, error_type: &'static str, message: &str) -> AdminError {
    AdminError {
        status,
        error_type,
        message: message.to_owned(),
    }
}

fn respond(
    status: StatusCode,
    error_type: Option<&'static str>,
    body: Value,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(error_type) = error_type {
        headers.insert(
            "x-amzn-errortype",
            http::HeaderValue::from_static(error_type),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_bad_ones_are_refused() {
        let day = parse_date("2026-12-06").unwrap();
        assert_eq!(format_date(day), "2026-12-06");
        assert_eq!(
            parse_date("2028-02-29").map(format_date).unwrap(),
            "2028-02-29"
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "1969-12-31",
            "2026-12",
            "x",
            "2026-1-1-1",
        ] {
            assert_eq!(
                parse_date(bad).unwrap_err().status,
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
    }

    #[test]
    fn patches_name_the_remaining_requests() {
        let body = br#"{"patchOperations":[{"op":"replace","path":"/remaining","value":"25"}]}"#;
        assert_eq!(remaining_from_patch(body).unwrap(), 25);
        for bad in [
            &br#"{"patchOperations":[{"op":"add","path":"/remaining","value":"25"}]}"#[..],
            br#"{"patchOperations":[{"op":"replace","path":"/remaining","value":"-1"}]}"#,
            br#"{"patchOperations":[]}"#,
            b"nope",
        ] {
            assert!(remaining_from_patch(bad).is_err());
        }
    }
}
