//! `apis[].stages[].cache` (AWS's cache cluster and cache method settings)
//! and `caching` (where entries live) in the config file.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::limits::{route_key, route_key_of};
use super::model::{
    Api, ApiType, Authorization, CacheKeyParameter, CacheStoreKind, CachingSettings, Method,
    MethodCaching, StageCaching, UnauthorizedCacheControl,
};
use super::problems::{Problems, child};
use super::settings::Base;

/// AWS's cache cluster sizes (`cacheClusterSize`), in GB as written.
pub(crate) const CLUSTER_SIZES: [&str; 8] =
    ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

/// AWS's longest TTL (`cacheTtlInSeconds`).
pub(crate) const MAX_TTL_SECONDS: u64 = 3600;

/// `apis[].stages[].cache`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StageCacheEntry {
    /// `cacheClusterSize` in GB: one of AWS's sizes (default 0.5).
    #[serde(default)]
    pub(crate) cluster_size: Option<super::native::Text>,
    /// Beyond AWS: the memory bound in bytes, instead of the cluster size's.
    #[serde(default)]
    pub(crate) max_bytes: Option<u64>,
    /// `*/*` `cachingEnabled`, for the stage's GET methods.
    #[serde(default)]
    pub(crate) enabled: Option<bool>,
    /// `*/*` `cacheTtlInSeconds`.
    #[serde(default)]
    pub(crate) ttl_seconds: Option<u64>,
    /// `*/*` `requireAuthorizationForCacheControl`.
    #[serde(default)]
    pub(crate) require_authorization: Option<bool>,
    /// `*/*` `unauthorizedCacheControlHeaderStrategy`.
    #[serde(default)]
    pub(crate) unauthorized: Option<String>,
    /// `*/*` `cacheDataEncrypted`.
    #[serde(default)]
    pub(crate) encrypted: Option<bool>,
    /// Beyond AWS, for every method of the stage.
    #[serde(default)]
    pub(crate) backend_cache_control: Option<bool>,
    /// Per method: `"/pets/GET"` or `"GET /pets"`.
    #[serde(default)]
    pub(crate) methods: BTreeMap<String, MethodCacheEntry>,
}

/// One method's caching settings, as AWS's `MethodSetting` names them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MethodCacheEntry {
    /// `cachingEnabled` (default `true`).
    #[serde(default)]
    pub(crate) enabled: Option<bool>,
    /// `cacheTtlInSeconds`: 0–3600 (default 300).
    #[serde(default)]
    pub(crate) ttl_seconds: Option<u64>,
    /// `requireAuthorizationForCacheControl` (default `true`).
    #[serde(default)]
    pub(crate) require_authorization: Option<bool>,
    /// `unauthorizedCacheControlHeaderStrategy`.
    #[serde(default)]
    pub(crate) unauthorized: Option<String>,
    /// `cacheDataEncrypted`.
    #[serde(default)]
    pub(crate) encrypted: Option<bool>,
    /// Beyond AWS: honour the backend's `Cache-Control`.
    #[serde(default)]
    pub(crate) backend_cache_control: Option<bool>,
}

/// `caching:` at the top level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CachingEntry {
    /// `memory` (default), `redis` or `tiered`.
    #[serde(default)]
    pub(crate) store: Option<String>,
    /// Coalescing bound in milliseconds (default 10000; 0 turns it off).
    #[serde(default)]
    pub(crate) coalesce_wait_ms: Option<u64>,
    /// The tiered store's bound on keeping Redis entries in memory (default 5).
    #[serde(default)]
    pub(crate) near_ttl_seconds: Option<u64>,
    /// The environment variable holding the encryption key.
    #[serde(default)]
    pub(crate) encryption_key_env: Option<String>,
}

/// A stage's `cache`, checked against its API.
pub(crate) fn stage_caching(
    entry: &StageCacheEntry,
    api: &Api,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<StageCaching> {
    if api.api_type == ApiType::Http {
        problems.warn(
            base.file,
            at,
            "HTTP APIs have no cache in API Gateway; the stage's responses are not cached",
        );
        return None;
    }
    let cluster_size = match &entry.cluster_size {
        None => "0.5".to_owned(),
        Some(text) => text.0.clone(),
    };
    let Some(gigabytes) = CLUSTER_SIZES
        .iter()
        .find(|size| **size == cluster_size)
        .and_then(|size| size.parse::<f64>().ok())
    else {
        problems.at(
            base.file,
            child(at, "cluster_size"),
            format!(
                "`{cluster_size}` is not a cache cluster size; API Gateway offers {} (GB)",
                CLUSTER_SIZES.join(", ")
            ),
        );
        return None;
    };
    let stage_wide = MethodCacheEntry {
        enabled: entry.enabled,
        ttl_seconds: entry.ttl_seconds,
        require_authorization: entry.require_authorization,
        unauthorized: entry.unauthorized.clone(),
        encrypted: entry.encrypted,
        backend_cache_control: entry.backend_cache_control,
    };
    let default = method(&stage_wide, &MethodCaching::default(), at, base, problems)?;
    let mut methods = BTreeMap::new();
    for (name, method_entry) in &entry.methods {
        let method_at = child(&child(at, "methods"), name);
        let key = match route_key(name) {
            Ok(key) => key,
            Err(message) => {
                problems.at(base.file, &method_at, message);
                continue;
            }
        };
        if !api.routes.iter().any(|r| route_key_of(r) == key) {
            problems.at(
                base.file,
                &method_at,
                format!("API `{}` has no method `{key}`", api.id),
            );
            continue;
        }
        if let Some(settings) = method(method_entry, &default, &method_at, base, problems)
            && methods.insert(key.clone(), settings).is_some()
        {
            problems.at(
                base.file,
                &method_at,
                format!("method `{key}` has cache settings twice"),
            );
        }
    }
    warn_shared_entries(api, &default, &methods, at, base, problems);
    if entry.max_bytes == Some(0) {
        problems.at(
            base.file,
            child(at, "max_bytes"),
            "0 bytes would keep nothing; leave `cache` out to turn caching off",
        );
        return None;
    }
    Some(StageCaching {
        capacity_bytes: entry.max_bytes.unwrap_or((gigabytes * 1e9) as u64),
        cluster_size,
        default,
        methods,
    })
}

/// One method's settings over `inherited` (the stage's, or AWS's defaults).
fn method(
    entry: &MethodCacheEntry,
    inherited: &MethodCaching,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<MethodCaching> {
    let ttl = match entry.ttl_seconds {
        None => inherited.ttl,
        Some(seconds) if seconds <= MAX_TTL_SECONDS => Duration::from_secs(seconds),
        Some(seconds) => {
            problems.at(
                base.file,
                child(at, "ttl_seconds"),
                format!(
                    "{seconds} is beyond API Gateway's longest cache TTL, {MAX_TTL_SECONDS} seconds"
                ),
            );
            return None;
        }
    };
    let unauthorized = match entry.unauthorized.as_deref() {
        None => inherited.unauthorized,
        Some("FAIL_WITH_403") => UnauthorizedCacheControl::FailWith403,
        Some("SUCCEED_WITH_RESPONSE_HEADER") => UnauthorizedCacheControl::SucceedWithResponseHeader,
        Some("SUCCEED_WITHOUT_RESPONSE_HEADER") => {
            UnauthorizedCacheControl::SucceedWithoutResponseHeader
        }
        Some(other) => {
            problems.at(
                base.file,
                child(at, "unauthorized"),
                format!("`{other}` is not a strategy; expected FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER or SUCCEED_WITHOUT_RESPONSE_HEADER"),
            );
            return None;
        }
    };
    Some(MethodCaching {
        // A method written out is cached unless it says otherwise.
        enabled: entry.enabled.unwrap_or(true),
        ttl,
        require_authorization: entry
            .require_authorization
            .unwrap_or(inherited.require_authorization),
        unauthorized,
        encrypted: entry.encrypted.unwrap_or(inherited.encrypted),
        backend_cache_control: entry
            .backend_cache_control
            .unwrap_or(inherited.backend_cache_control),
    })
}

/// `caching:`; `redis` is whether `redis.url` is configured.
pub(crate) fn caching(
    entry: CachingEntry,
    redis: bool,
    base: &Base<'_>,
    problems: &mut Problems,
) -> CachingSettings {
    let defaults = CachingSettings::default();
    let store = match entry.store.as_deref() {
        None | Some("memory") => CacheStoreKind::Memory,
        Some(kind @ ("redis" | "tiered")) => {
            if !redis {
                problems.at(
                    base.file,
                    "caching.store",
                    format!("the `{kind}` cache store needs `redis.url`"),
                );
            }
            if kind == "redis" {
                CacheStoreKind::Redis
            } else {
                CacheStoreKind::Tiered
            }
        }
        Some(other) => {
            problems.at(
                base.file,
                "caching.store",
                format!("`{other}` is not a cache store; expected memory, redis or tiered"),
            );
            CacheStoreKind::Memory
        }
    };
    if let Some(name) = &entry.encryption_key_env
        && std::env::var_os(name).is_none()
    {
        problems.at(
            base.file,
            "caching.encryption_key_env",
            format!("the environment variable `{name}` is not set"),
        );
    }
    CachingSettings {
        store,
        coalesce_wait: entry
            .coalesce_wait_ms
            .map_or(defaults.coalesce_wait, Duration::from_millis),
        near_ttl: entry
            .near_ttl_seconds
            .map_or(defaults.near_ttl, Duration::from_secs),
        encryption_key_env: entry.encryption_key_env,
    }
}

/// Warns of the cached methods whose key lets one response answer requests
/// it was not made for, as it would on API Gateway: behind an authorizer
/// with no caller identity in the key, or with a path parameter left out.
fn warn_shared_entries(
    api: &Api,
    default: &MethodCaching,
    methods: &BTreeMap<String, MethodCaching>,
    at: &str,
    base: &Base<'_>,
    problems: &mut Problems,
) {
    for route in &api.routes {
        let key = route_key_of(route);
        let cached = match methods.get(&key) {
            Some(own) => own.enabled && !own.ttl.is_zero(),
            None => {
                default.enabled
                    && !default.ttl.is_zero()
                    && matches!(route.method, Method::Get | Method::Any)
            }
        };
        if !cached {
            continue;
        }
        let parameters = &route.integration.cache_key.parameters;
        let has_header = parameters.iter().any(|p| {
            matches!(
                p,
                CacheKeyParameter::Header(_) | CacheKeyParameter::MultiValueHeader(_)
            )
        });
        if route.authorization != Authorization::None && !has_header {
            problems.warn(
                base.file,
                at,
                format!(
                    "`{key}` ({}) is cached behind an authorizer, but its cacheKeyParameters hold no header naming the caller: one caller's response will be served to another, as on API Gateway; add the identity header (method.request.header.Authorization) to cacheKeyParameters",
                    route.location
                ),
            );
        }
        for name in path_parameters(&route.path) {
            let keyed = parameters
                .iter()
                .any(|p| matches!(p, CacheKeyParameter::Path(n) if n == name));
            if !keyed {
                problems.warn(
                    base.file,
                    at,
                    format!(
                        "path parameter `{name}` of cached `{key}` ({}) is not in its cacheKeyParameters: requests differing only in it share one entry, as on API Gateway; add method.request.path.{name}",
                        route.location
                    ),
                );
            }
        }
    }
}

/// The `{name}` and `{name+}` parameters of a resource path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| {
        let name = segment.strip_prefix('{')?.strip_suffix('}')?;
        Some(name.strip_suffix('+').unwrap_or(name))
    })
}

/// `encrypted` methods with the memory store: AWS encrypts its cache
/// cluster's data; entries in a gateway's own memory are not encrypted.
pub(crate) fn warn_encrypted_in_memory(
    apis: &[Api],
    caching: &CachingSettings,
    base: &Base<'_>,
    problems: &mut Problems,
) {
    if caching.store != CacheStoreKind::Memory {
        return;
    }
    for api in apis {
        for stage in &api.stages {
            let Some(cache) = &stage.cache else { continue };
            if cache.default.encrypted || cache.methods.values().any(|m| m.encrypted) {
                problems.warn(
                    base.file,
                    "caching.store",
                    format!(
                        "stage `{}` of API `{}` caches `encrypted` methods in memory, where entries are not encrypted (only entries kept in Redis are); set `caching.store: redis` or `tiered` with `caching.encryption_key_env` to encrypt them",
                        stage.name, api.id
                    ),
                );
            }
        }
    }
}
