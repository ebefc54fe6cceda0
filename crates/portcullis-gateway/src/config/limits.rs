//! `api_keys`, `usage_plans`, `throttling`, `redis` and stage
//! throttles in the config file, and `--api-key` on the command line: read
//! and checked against the APIs they name.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use portcullis_ratelimit::{OnFailure, Period, Throttle};

use super::model::{
    Api, ApiKey, ApiType, BucketKey, DEFAULT_NAME, PlanStage, QuotaSettings, RedisSettings,
    StageThrottling, ThrottleSettings, ThrottlingSettings, UsagePlan,
};
use super::native::{
    ApiKeyEntry, PlanStageEntry, QuotaEntry, RedisEntry, StageEntry, ThrottleEntry,
    ThrottlingEntry, UsagePlanEntry,
};
use super::problems::{Problems, child, item};
use super::settings::Base;

/// The id of the key `--api-key` adds, and of the plan it is in.
pub(crate) const FLAG_KEY_ID: &str = "cli";

/// The Redis time budget per check when not configured.
const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(50);

/// API Gateway's shortest imported key value (CreateApiKey).
const AWS_MIN_KEY_LENGTH: usize = 20;

/// Checks a throttle as AWS's `ThrottleSettings`; `per` is refused (only
/// stage throttles take it: see [`stage_throttle`]).
fn throttle(
    entry: ThrottleEntry,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<ThrottleSettings> {
    if entry.per.is_some() {
        problems.at(
            base.file,
            child(at, "per"),
            "`per` applies to stage throttles (apis[].stages[].throttle and method_throttle) only",
        );
        return None;
    }
    checked(entry, None, at, base, problems)
}

/// A stage throttle: may give each caller its own bucket (`per`).
fn stage_throttle(
    entry: ThrottleEntry,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<ThrottleSettings> {
    let per = match entry.per.as_deref() {
        None => None,
        Some("client_ip") => Some(BucketKey::ClientIp),
        Some("principal") => Some(BucketKey::Principal),
        Some(other) => match other.strip_prefix("header:").map(str::trim) {
            Some(name) if http::HeaderName::from_bytes(name.as_bytes()).is_ok() => {
                Some(BucketKey::Header(name.to_ascii_lowercase()))
            }
            _ => {
                problems.at(
                    base.file,
                    child(at, "per"),
                    format!("`{other}` is not a caller key; expected client_ip, principal or header:NAME"),
                );
                return None;
            }
        },
    };
    checked(entry, per, at, base, problems)
}

fn checked(
    entry: ThrottleEntry,
    per: Option<BucketKey>,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<ThrottleSettings> {
    match Throttle::new(entry.rate_limit, entry.burst_limit) {
        Ok(_) => Some(ThrottleSettings {
            rate_limit: entry.rate_limit,
            burst_limit: entry.burst_limit,
            per,
        }),
        Err(error) => {
            problems.at(base.file, at, error.to_string());
            None
        }
    }
}

/// A method named as AWS's method settings do (`/pets/GET`, `//GET` for the
/// root) or as a route key (`GET /pets`), as the route key of the plan it names.
pub(crate) fn route_key(text: &str) -> Result<String, String> {
    if text == DEFAULT_NAME {
        return Ok(text.to_owned());
    }
    let (method, path) = match text.split_once(' ') {
        Some((method, path)) => (method, path.to_owned()),
        None => match text.rsplit_once('/') {
            Some((path, method)) if text.starts_with('/') => (
                method,
                if path.is_empty() {
                    "/".to_owned()
                } else {
                    path.to_owned()
                },
            ),
            _ => {
                return Err(format!(
                    "`{text}` names no method; write `/RESOURCE/METHOD` (`/pets/GET`) or a route key (`GET /pets`)"
                ));
            }
        },
    };
    if method.is_empty()
        || !method.chars().all(|c| c.is_ascii_alphabetic())
        || !path.starts_with('/')
    {
        return Err(format!(
            "`{text}` names no method; write `/RESOURCE/METHOD` (`/pets/GET`) or a route key (`GET /pets`)"
        ));
    }
    Ok(format!("{} {path}", method.to_ascii_uppercase()))
}

/// Per-method throttles, keyed by route key, each naming a route of `api`.
fn method_throttles(
    entries: &BTreeMap<String, ThrottleEntry>,
    api: Option<&Api>,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
    check: Checker,
) -> BTreeMap<String, ThrottleSettings> {
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let entry_at = child(at, name);
        let key = match route_key(name) {
            Ok(key) => key,
            Err(message) => {
                problems.at(base.file, &entry_at, message);
                continue;
            }
        };
        if let Some(api) = api
            && !api.routes.iter().any(|r| route_key_of(r) == key)
        {
            problems.at(
                base.file,
                &entry_at,
                format!("API `{}` has no method `{key}`", api.id),
            );
            continue;
        }
        if let Some(settings) = check(entry.clone(), &entry_at, base, problems)
            && out.insert(key.clone(), settings).is_some()
        {
            problems.at(
                base.file,
                &entry_at,
                format!("method `{key}` is throttled twice"),
            );
        }
    }
    out
}

/// Reads one throttle entry.
type Checker = fn(ThrottleEntry, &str, &Base<'_>, &mut Problems) -> Option<ThrottleSettings>;

/// A route's key as plans name it: `GET /pets`, or `$default`.
pub(crate) fn route_key_of(route: &super::model::Route) -> String {
    if route.path == DEFAULT_NAME {
        route.path.clone()
    } else {
        format!("{} {}", route.method, route.path)
    }
}

/// A stage's `throttle` and `method_throttle`.
pub(crate) fn stage_throttling(
    entry: &StageEntry,
    api: &Api,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> StageThrottling {
    StageThrottling {
        default: entry
            .throttle
            .clone()
            .and_then(|t| stage_throttle(t, &child(at, "throttle"), base, problems)),
        methods: method_throttles(
            &entry.method_throttle,
            Some(api),
            &child(at, "method_throttle"),
            base,
            problems,
            stage_throttle,
        ),
    }
}

/// `api_keys`: ids unique and plain, values unique and non-empty.
pub(crate) fn api_keys(
    entries: Vec<ApiKeyEntry>,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Vec<ApiKey> {
    let mut out: Vec<ApiKey> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        let at = item("api_keys", i);
        if entry.id.is_empty()
            || !entry
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            problems.at(
                base.file,
                child(&at, "id"),
                format!(
                    "`{}` is not a key id (letters, digits, `_` and `-`)",
                    entry.id
                ),
            );
            continue;
        }
        let value = entry.value.0;
        if value.is_empty() {
            problems.at(base.file, child(&at, "value"), "the key value is empty");
            continue;
        }
        if value.chars().count() < AWS_MIN_KEY_LENGTH {
            problems.warn(
                base.file,
                child(&at, "value"),
                format!("API Gateway refuses key values shorter than {AWS_MIN_KEY_LENGTH} characters; served as written"),
            );
        }
        if out.iter().any(|k| k.id == entry.id) {
            problems.at(
                base.file,
                child(&at, "id"),
                format!("key id `{}` is listed twice", entry.id),
            );
            continue;
        }
        if out.iter().any(|k| k.value == value) {
            problems.at(
                base.file,
                child(&at, "value"),
                format!("key `{}` has the value of another key", entry.id),
            );
            continue;
        }
        out.push(ApiKey {
            id: entry.id,
            value,
            enabled: entry.enabled,
        });
    }
    out
}

fn quota(
    entry: QuotaEntry,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<QuotaSettings> {
    match entry.period.parse::<Period>() {
        Ok(period) => {
            if entry.offset >= entry.limit && entry.offset > 0 {
                problems.at(
                    base.file,
                    child(at, "offset"),
                    format!(
                        "the offset ({}) must be less than the limit ({}); it is taken off the first period",
                        entry.offset, entry.limit
                    ),
                );
                return None;
            }
            Some(QuotaSettings {
                limit: entry.limit,
                period,
                offset: entry.offset,
            })
        }
        Err(message) => {
            problems.at(base.file, child(at, "period"), message);
            None
        }
    }
}

/// `usage_plans`: each names keys that exist and stages of APIs that exist;
/// a key is in at most one plan per stage (as AWS requires).
pub(crate) fn usage_plans(
    entries: Vec<UsagePlanEntry>,
    keys: &[ApiKey],
    apis: &[Api],
    base: &Base<'_>,
    problems: &mut Problems,
) -> Vec<UsagePlan> {
    let mut out: Vec<UsagePlan> = Vec::with_capacity(entries.len());
    // (key id, api id, stage) → plan id: one plan per key and stage.
    let mut bound: HashMap<(String, String, String), String> = HashMap::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let at = item("usage_plans", i);
        if entry.id.is_empty() || out.iter().any(|p| p.id == entry.id) {
            problems.at(
                base.file,
                child(&at, "id"),
                format!("usage plan id `{}` is empty or listed twice", entry.id),
            );
            continue;
        }
        let throttle = entry
            .throttle
            .and_then(|t| throttle(t, &child(&at, "throttle"), base, problems));
        let quota = entry
            .quota
            .and_then(|q| quota(q, &child(&at, "quota"), base, problems));
        let api_stages: Vec<PlanStage> = entry
            .api_stages
            .iter()
            .enumerate()
            .filter_map(|(j, stage)| {
                plan_stage(
                    stage,
                    apis,
                    &item(&child(&at, "api_stages"), j),
                    base,
                    problems,
                )
            })
            .collect();
        for (k, key) in entry.keys.iter().enumerate() {
            let key_at = item(&child(&at, "keys"), k);
            if !keys.iter().any(|known| &known.id == key) {
                problems.at(
                    base.file,
                    &key_at,
                    format!("no API key has the id `{key}`; list it under api_keys"),
                );
                continue;
            }
            for stage in &api_stages {
                let slot = (key.clone(), stage.api_id.clone(), stage.stage.clone());
                if let Some(other) = bound.insert(slot, entry.id.clone()) {
                    problems.at(
                        base.file,
                        &key_at,
                        format!(
                            "key `{key}` is also in usage plan `{other}` for API `{}` stage `{}`; a key may be in one plan per stage",
                            stage.api_id, stage.stage
                        ),
                    );
                }
            }
        }
        out.push(UsagePlan {
            id: entry.id,
            throttle,
            quota,
            api_stages,
            keys: entry.keys,
        });
    }
    out
}

fn plan_stage(
    entry: &PlanStageEntry,
    apis: &[Api],
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<PlanStage> {
    let Some(api) = apis.iter().find(|a| a.id == entry.api) else {
        problems.at(
            base.file,
            child(at, "api"),
            format!("no API has the id `{}`", entry.api),
        );
        return None;
    };
    if api.api_type == ApiType::Http {
        problems.at(
            base.file,
            child(at, "api"),
            format!("API `{}` is an HTTP API; usage plans and API keys are for REST APIs (as in API Gateway)", api.id),
        );
        return None;
    }
    let stage = match (&entry.stage, api.stages.as_slice()) {
        (Some(name), stages) if stages.iter().any(|s| &s.name == name) => name.clone(),
        (None, [only]) => only.name.clone(),
        (Some(name), _) => {
            problems.at(
                base.file,
                child(at, "stage"),
                format!("API `{}` has no stage `{name}`", api.id),
            );
            return None;
        }
        (None, _) => {
            problems.at(
                base.file,
                at,
                format!("API `{}` has several stages; name one with `stage`", api.id),
            );
            return None;
        }
    };
    Some(PlanStage {
        api_id: api.id.clone(),
        stage,
        method_throttles: method_throttles(
            &entry.throttle,
            Some(api),
            &child(at, "throttle"),
            base,
            problems,
            throttle,
        ),
    })
}

/// `throttling`.
pub(crate) fn throttling(
    entry: ThrottlingEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> ThrottlingSettings {
    let defaults = ThrottlingSettings::default();
    ThrottlingSettings {
        account: match entry.account {
            None => defaults.account,
            Some(None) => None,
            Some(Some(account)) => {
                throttle(account, "throttling.account", base, problems).or(defaults.account)
            }
        },
        rate_limit_headers: entry.rate_limit_headers,
    }
}

/// `redis`.
pub(crate) fn redis(
    entry: RedisEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<RedisSettings> {
    let scheme_ok = ["redis://", "rediss://", "unix://", "redis+unix://"]
        .iter()
        .any(|scheme| entry.url.starts_with(scheme));
    if !scheme_ok {
        // The URL may hold a password: name its scheme only.
        problems.at(
            base.file,
            "redis.url",
            "the Redis URL must start with redis://, rediss:// or unix://",
        );
        return None;
    }
    let timeout = match entry.timeout_ms {
        Some(0) => {
            problems.at(
                base.file,
                "redis.timeout_ms",
                "0 would fail every check; give at least 1",
            );
            return None;
        }
        Some(ms) => Duration::from_millis(ms),
        None => DEFAULT_REDIS_TIMEOUT,
    };
    let on_failure = match entry.on_failure.as_deref().map(str::parse::<OnFailure>) {
        None => OnFailure::Admit,
        Some(Ok(policy)) => policy,
        Some(Err(message)) => {
            problems.at(base.file, "redis.on_failure", message);
            return None;
        }
    };
    let prefix = entry.prefix.unwrap_or_else(|| "portcullis".to_owned());
    if prefix.is_empty() || prefix.contains(['{', '}']) {
        problems.at(
            base.file,
            "redis.prefix",
            "the prefix must be non-empty and hold no `{` or `}` (a hash tag is added around it)",
        );
        return None;
    }
    Some(RedisSettings {
        url: entry.url,
        timeout,
        on_failure,
        prefix,
    })
}

/// `--api-key VALUE`: one key, id `cli`, in a plan of its own with no limits
/// covering every stage of every REST API.
pub(crate) fn from_flag(
    value: &str,
    apis: &[Api],
    keys: &mut Vec<ApiKey>,
    plans: &mut Vec<UsagePlan>,
    problems: &mut Problems,
) {
    if value.is_empty() {
        problems.flag("--api-key", "the key value is empty");
        return;
    }
    if keys.iter().any(|k| k.id == FLAG_KEY_ID) || plans.iter().any(|p| p.id == FLAG_KEY_ID) {
        problems.flag(
            "--api-key",
            format!("the config file already has a key or plan with the id `{FLAG_KEY_ID}`"),
        );
        return;
    }
    if keys.iter().any(|k| k.value == value) {
        problems.flag(
            "--api-key",
            "a key in the config file has this value already; use it there",
        );
        return;
    }
    keys.push(ApiKey {
        id: FLAG_KEY_ID.to_owned(),
        value: value.to_owned(),
        enabled: true,
    });
    plans.push(UsagePlan {
        id: FLAG_KEY_ID.to_owned(),
        throttle: None,
        quota: None,
        api_stages: apis
            .iter()
            .filter(|api| api.api_type == ApiType::Rest)
            .flat_map(|api| {
                api.stages.iter().map(|stage| PlanStage {
                    api_id: api.id.clone(),
                    stage: stage.name.clone(),
                    method_throttles: BTreeMap::new(),
                })
            })
            .collect(),
        keys: vec![FLAG_KEY_ID.to_owned()],
    });
}

#[cfg(test)]
mod tests {
    use super::route_key;

    #[test]
    fn methods_are_named_either_way() {
        assert_eq!(route_key("/pets/GET").unwrap(), "GET /pets");
        assert_eq!(route_key("/pets/{id}/delete").unwrap(), "DELETE /pets/{id}");
        assert_eq!(route_key("//GET").unwrap(), "GET /");
        assert_eq!(route_key("get /pets").unwrap(), "GET /pets");
        assert_eq!(route_key("$default").unwrap(), "$default");
        assert!(route_key("pets").is_err());
        assert!(route_key("/pets/*").is_err());
        assert!(route_key("GET pets").is_err());
    }
}
