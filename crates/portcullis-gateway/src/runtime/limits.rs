//! Throttles, quotas and API keys, compiled: every bucket and counter a
//! request may touch is named once at load, so the throttle phase builds its
//! checks without formatting or allocating.
//!
//! Keys of the shared state (the same in memory and in Redis):
//! - `a:{account}`: the account's bucket;
//! - `s:{api}:{stage}:{route key}`: a stage's bucket for one method;
//! - `p:{plan}:{key}`: a usage plan's bucket for one API key, shared by all
//!   the plan's stages; `p:{plan}:{key}:{api}:{stage}:{route key}` for a
//!   per-method limit of the plan;
//! - `q:{plan}:{key}`: its quota; `u:{plan}:{key}`: its usage per day.

use std::collections::HashMap;
use std::sync::Arc;

use portcullis_ratelimit::{Period, Quota, Throttle};

use crate::config::{Api, ApiKey, BucketKey, GatewayConfig, Stage, ThrottleSettings, UsagePlan};

/// A throttle on one bucket (or, with `per`, one bucket per caller).
#[derive(Debug)]
pub(crate) struct Bucket {
    /// The limit.
    pub(crate) throttle: Throttle,
    /// The bucket's key in the store (with `per`: the prefix of each caller's).
    pub(crate) key: Box<str>,
    /// What tells callers apart, when each has a bucket.
    pub(crate) per: Option<BucketKey>,
}

impl Bucket {
    fn new(settings: &ThrottleSettings, key: String) -> Option<Self> {
        // Checked at load: only an impossible value fails here.
        Throttle::new(settings.rate_limit, settings.burst_limit)
            .ok()
            .map(|throttle| Self {
                throttle,
                key: key.into_boxed_str(),
                per: settings.per.clone(),
            })
    }
}

/// A counter on one key.
#[derive(Debug)]
pub(crate) struct Counter {
    /// The limit and period.
    pub(crate) quota: Quota,
    /// The counter's key in the store.
    pub(crate) key: Box<str>,
}

/// The gateway-wide limits: the account's bucket and the API keys.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    /// The account level, when on.
    pub(crate) account: Option<Bucket>,
    /// Whether responses carry `RateLimit-*` headers.
    pub(crate) rate_limit_headers: bool,
    /// The API keys.
    pub(crate) keys: ApiKeys,
    /// The usage plans, for usage reports.
    pub(crate) plans: Vec<PlanSummary>,
}

/// What usage reports need of a plan.
#[derive(Debug)]
pub(crate) struct PlanSummary {
    /// Its id.
    pub(crate) id: String,
    /// Its quota, when it has one.
    pub(crate) quota: Option<Quota>,
    /// Its key ids.
    pub(crate) keys: Vec<String>,
}

impl PlanSummary {
    /// The key of the per-day usage counter of `key_id` in this plan.
    pub(crate) fn usage_key(&self, key_id: &str) -> String {
        usage_key(&self.id, key_id)
    }

    /// The key of the quota counter of `key_id` in this plan.
    pub(crate) fn quota_key(&self, key_id: &str) -> String {
        quota_key(&self.id, key_id)
    }
}

fn usage_key(plan: &str, key: &str) -> String {
    format!("u:{plan}:{key}")
}

fn quota_key(plan: &str, key: &str) -> String {
    format!("q:{plan}:{key}")
}

/// API keys, found by value in constant time per candidate.
///
/// The map is keyed by the SHA-256 of the value, so a lookup's timing says
/// nothing about how close a guess is; the one candidate found is then
/// compared in constant time.
#[derive(Default)]
pub(crate) struct ApiKeys {
    by_digest: HashMap<[u8; 32], usize>,
    keys: Vec<KeyEntry>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys")
            .field("count", &self.keys.len())
            .finish_non_exhaustive()
    }
}

struct KeyEntry {
    id: Arc<str>,
    value: Arc<str>,
    enabled: bool,
}

/// A key found by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct KeyIndex(usize);

impl ApiKeys {
    fn new(keys: &[ApiKey]) -> Self {
        let mut out = Self::default();
        for key in keys {
            out.by_digest.insert(digest(&key.value), out.keys.len());
            out.keys.push(KeyEntry {
                id: Arc::from(key.id.as_str()),
                value: Arc::from(key.value.as_str()),
                enabled: key.enabled,
            });
        }
        out
    }

    /// The enabled key whose value is `presented`.
    pub(crate) fn find(&self, presented: &str) -> Option<KeyIndex> {
        use subtle::ConstantTimeEq;
        let index = *self.by_digest.get(&digest(presented))?;
        let entry = &self.keys[index];
        let equal: bool = entry.value.as_bytes().ct_eq(presented.as_bytes()).into();
        (equal && entry.enabled).then_some(KeyIndex(index))
    }

    /// The id of a key found.
    pub(crate) fn id(&self, key: KeyIndex) -> &Arc<str> {
        &self.keys[key.0].id
    }

    /// The value of a key found.
    pub(crate) fn value(&self, key: KeyIndex) -> &Arc<str> {
        &self.keys[key.0].value
    }

    /// The index of the key with this id.
    pub(crate) fn by_id(&self, id: &str) -> Option<KeyIndex> {
        self.keys.iter().position(|k| &*k.id == id).map(KeyIndex)
    }
}

fn digest(value: &str) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, value.as_bytes());
    let mut out = [0; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// One stage's limits.
#[derive(Debug, Default)]
pub(crate) struct StageLimits {
    /// By route index: the stage's bucket for that method.
    pub(crate) methods: Vec<Option<Bucket>>,
    /// By key: the usage plan covering this stage for it.
    pub(crate) plans: HashMap<KeyIndex, PlanBinding>,
}

/// A usage plan as it applies to one key on one stage.
#[derive(Debug)]
pub(crate) struct PlanBinding {
    /// The plan's per-key bucket, shared by all its stages.
    pub(crate) throttle: Option<Bucket>,
    /// By route index: per-method buckets replacing `throttle`.
    pub(crate) methods: HashMap<usize, Bucket>,
    /// The plan's quota for the key.
    pub(crate) quota: Option<Counter>,
    /// The key's usage per day in this plan.
    pub(crate) usage: Counter,
}

impl PlanBinding {
    /// The plan's bucket for the method at `route`.
    pub(crate) fn bucket(&self, route: usize) -> Option<&Bucket> {
        self.methods.get(&route).or(self.throttle.as_ref())
    }
}

impl Limits {
    /// The gateway-wide limits of `config`; `start` (nanoseconds since the
    /// epoch) is when quotas' first periods (and their offsets) begin.
    pub(crate) fn compile(config: &GatewayConfig, start: u64) -> Self {
        Self {
            account: config
                .throttling
                .account
                .as_ref()
                .and_then(|settings| Bucket::new(settings, format!("a:{}", config.aws.account_id))),
            rate_limit_headers: config.throttling.rate_limit_headers,
            keys: ApiKeys::new(&config.api_keys),
            plans: config
                .usage_plans
                .iter()
                .map(|plan| PlanSummary {
                    id: plan.id.clone(),
                    quota: plan_quota(plan, start),
                    keys: plan.keys.clone(),
                })
                .collect(),
        }
    }
}

fn plan_quota(plan: &UsagePlan, start: u64) -> Option<Quota> {
    plan.quota
        .map(|q| Quota::new(q.limit, q.period).with_offset(q.offset, start))
}

/// The limits of stage `stage` of `api`, whose routes have keys `route_keys`
/// (by route index; `None` for a route not compiled).
pub(crate) fn compile_stage(
    api: &Api,
    stage: &Stage,
    route_keys: &[Option<String>],
    config: &GatewayConfig,
    keys: &ApiKeys,
    start: u64,
) -> StageLimits {
    let throttling = &stage.throttling;
    let methods = route_keys
        .iter()
        .map(|route_key| {
            let route_key = route_key.as_deref()?;
            let settings = throttling
                .methods
                .get(route_key)
                .or(throttling.default.as_ref())?;
            Bucket::new(settings, format!("s:{}:{}:{route_key}", api.id, stage.name))
        })
        .collect();
    let mut plans = HashMap::new();
    for plan in &config.usage_plans {
        let Some(covered) = plan
            .api_stages
            .iter()
            .find(|s| s.api_id == api.id && s.stage == stage.name)
        else {
            continue;
        };
        for key_id in &plan.keys {
            let Some(key) = keys.by_id(key_id) else {
                continue;
            };
            let methods = route_keys
                .iter()
                .enumerate()
                .filter_map(|(index, route_key)| {
                    let route_key = route_key.as_deref()?;
                    let settings = covered.method_throttles.get(route_key)?;
                    let key = format!(
                        "p:{}:{key_id}:{}:{}:{route_key}",
                        plan.id, api.id, stage.name
                    );
                    Some((index, Bucket::new(settings, key)?))
                })
                .collect();
            plans.insert(
                key,
                PlanBinding {
                    throttle: plan
                        .throttle
                        .as_ref()
                        .and_then(|t| Bucket::new(t, format!("p:{}:{key_id}", plan.id))),
                    methods,
                    quota: plan_quota(plan, start).map(|quota| Counter {
                        quota,
                        key: quota_key(&plan.id, key_id).into_boxed_str(),
                    }),
                    usage: Counter {
                        quota: Quota::unlimited(Period::Day),
                        key: usage_key(&plan.id, key_id).into_boxed_str(),
                    },
                },
            );
        }
    }
    StageLimits { methods, plans }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_value_and_disabled_ones_refused() {
        let keys = ApiKeys::new(&[
            ApiKey {
                id: "a".into(),
                value: "value-of-key-a-0123456789".into(),
                enabled: true,
            },
            ApiKey {
                id: "b".into(),
                value: "value-of-key-b-0123456789".into(),
                enabled: false,
            },
        ]);
        let found = keys.find("value-of-key-a-0123456789").unwrap();
        assert_eq!(&**keys.id(found), "a");
        assert_eq!(keys.find("value-of-key-b-0123456789"), None);
        assert_eq!(keys.find("value-of-key-a-012345678"), None);
        assert_eq!(keys.find(""), None);
        assert_eq!(keys.by_id("b"), Some(KeyIndex(1)));
    }
}
