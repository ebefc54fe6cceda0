//! A stage's settings as templates write them: a REST stage's
//! `MethodSettings`, `CacheClusterEnabled`/`CacheClusterSize` and
//! `AccessLogSetting`; an HTTP stage's `DefaultRouteSettings`,
//! `RouteSettings` and `AccessLogSettings`. The same names serve SAM's
//! `Api`/`HttpApi` and CloudFormation's `Stage` resources. They are read
//! here, located in the template, and become a config file's stage entry
//! once the API's routes are known ([`StageSettings::entry`]).

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::caching::{CLUSTER_SIZES, MAX_TTL_SECONDS, MethodCacheEntry, StageCacheEntry};
use crate::config::limits::route_key_of;
use crate::config::model::{Api, ApiType};
use crate::config::native::{AccessLogEntry, StageEntry, Text, ThrottleEntry};
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child, item};

use super::text;

/// The account-level limits API Gateway fills in for a throttle that sets
/// only one of its two numbers.
const ACCOUNT_RATE_LIMIT: f64 = 10_000.0;
const ACCOUNT_BURST_LIMIT: u64 = 5_000;

/// What a template sets for a stage's methods, read but not yet matched
/// against the API's routes.
#[derive(Debug, Default, Clone)]
pub(crate) struct StageSettings {
    /// `CacheClusterEnabled: true`, with `CacheClusterSize`.
    cache_cluster: Option<Option<String>>,
    /// Settings for every method (`/*` `*`, or `DefaultRouteSettings`).
    every_method: MethodSetting,
    /// Settings for one method, by route key (`GET /pets`).
    methods: Vec<(String, MethodSetting)>,
    /// The access log's format (its destination is a log group; written to
    /// standard output locally).
    access_log: Option<String>,
}

/// One method's throttle and caching, as written.
#[derive(Debug, Default, Clone)]
struct MethodSetting {
    rate_limit: Option<f64>,
    burst_limit: Option<u64>,
    caching: Option<bool>,
    ttl_seconds: Option<u64>,
    encrypted: Option<bool>,
    /// Where it is written.
    at: String,
}

impl MethodSetting {
    fn throttle(&self) -> Option<ThrottleEntry> {
        if self.rate_limit.is_none() && self.burst_limit.is_none() {
            return None;
        }
        Some(ThrottleEntry {
            rate_limit: self.rate_limit.unwrap_or(ACCOUNT_RATE_LIMIT),
            burst_limit: self.burst_limit.unwrap_or(ACCOUNT_BURST_LIMIT),
            per: None,
        })
    }

    fn sets_caching(&self) -> bool {
        self.caching.is_some() || self.ttl_seconds.is_some() || self.encrypted.is_some()
    }
}

/// The keys of a REST method setting that Portcullis applies.
const REST_METHOD_KEYS: &[&str] = &[
    "ResourcePath",
    "HttpMethod",
    "ThrottlingBurstLimit",
    "ThrottlingRateLimit",
    "CachingEnabled",
    "CacheTtlInSeconds",
    "CacheDataEncrypted",
];

/// The keys of an HTTP route setting that Portcullis applies.
const HTTP_ROUTE_KEYS: &[&str] = &["ThrottlingBurstLimit", "ThrottlingRateLimit"];

/// The stage properties read here, for the callers' lists of used keys.
pub(crate) const REST_STAGE_KEYS: &[&str] = &[
    "MethodSettings",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "AccessLogSetting",
];
pub(crate) const HTTP_STAGE_KEYS: &[&str] =
    &["DefaultRouteSettings", "RouteSettings", "AccessLogSettings"];

/// Reads a stage's settings from `properties` (written at `at`).
pub(crate) fn read(
    api_type: ApiType,
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> StageSettings {
    let mut out = StageSettings::default();
    let mut unused = Vec::new();
    match api_type {
        ApiType::Rest => {
            out.cache_cluster = cache_cluster(properties, at, file, problems);
            let list_at = child(at, "MethodSettings");
            match properties.get("MethodSettings") {
                None => {}
                Some(Node::Seq(settings)) => {
                    for (i, setting) in settings.iter().enumerate() {
                        let setting_at = item(&list_at, i);
                        collect_unused(setting, REST_METHOD_KEYS, &mut unused);
                        rest_method(setting, setting_at, &mut out, file, problems);
                    }
                }
                Some(_) => problems.at(file, &list_at, "MethodSettings is a list"),
            }
            if let Some(log) = properties.get("AccessLogSetting") {
                out.access_log = access_log(log, &child(at, "AccessLogSetting"), file, problems);
            }
            if out.cache_cluster.is_none()
                && let Some((_, setting)) = std::iter::once(("", &out.every_method))
                    .chain(out.methods.iter().map(|(k, s)| (k.as_str(), s)))
                    .find(|(_, s)| s.caching == Some(true))
            {
                problems.warn(
                    file,
                    &setting.at,
                    "CachingEnabled without CacheClusterEnabled: true caches nothing, as on AWS",
                );
            }
        }
        ApiType::Http => {
            if let Some(setting) = properties.get("DefaultRouteSettings") {
                let setting_at = child(at, "DefaultRouteSettings");
                collect_unused(setting, HTTP_ROUTE_KEYS, &mut unused);
                out.every_method = throttle_only(setting, setting_at, file, problems);
            }
            let map_at = child(at, "RouteSettings");
            match properties.get("RouteSettings") {
                None => {}
                Some(Node::Map(routes)) => {
                    for (key, setting) in routes {
                        collect_unused(setting, HTTP_ROUTE_KEYS, &mut unused);
                        let setting_at = child(&map_at, key);
                        let setting = throttle_only(setting, setting_at, file, problems);
                        out.methods.push((key.clone(), setting));
                    }
                }
                Some(_) => problems.at(file, &map_at, "RouteSettings maps route keys to settings"),
            }
            if let Some(log) = properties.get("AccessLogSettings") {
                out.access_log = access_log(log, &child(at, "AccessLogSettings"), file, problems);
            }
        }
    }
    if !unused.is_empty() {
        unused.sort_unstable();
        unused.dedup();
        problems.warn(
            file,
            at,
            format!(
                "stage settings not used by Portcullis (served as if absent): {}",
                unused.join(", ")
            ),
        );
    }
    out
}

impl StageSettings {
    /// Adds one route's settings (an HttpApi event's `RouteSettings`),
    /// over any the stage gives it.
    pub(super) fn add_route(
        &mut self,
        key: String,
        setting: &Node,
        at: String,
        file: &Path,
        problems: &mut Problems,
    ) {
        let mut unused = Vec::new();
        collect_unused(setting, HTTP_ROUTE_KEYS, &mut unused);
        if !unused.is_empty() {
            problems.warn(
                file,
                &at,
                format!(
                    "route settings not used by Portcullis (served as if absent): {}",
                    unused.join(", ")
                ),
            );
        }
        let setting = throttle_only(setting, at, file, problems);
        self.methods.retain(|(k, _)| *k != key);
        self.methods.push((key, setting));
    }

    /// The stage entry a config file would hold for these settings, each
    /// method setting matched against `api`'s routes.
    pub(crate) fn entry(
        &self,
        name: &str,
        api: &Api,
        file: &Path,
        problems: &mut Problems,
    ) -> StageEntry {
        let mut method_throttle = BTreeMap::new();
        let mut method_cache = BTreeMap::new();
        for (key, setting) in &self.methods {
            let known = api
                .routes
                .iter()
                .any(|route| route_key_of(route).eq_ignore_ascii_case(key));
            if !known {
                problems.warn(
                    file,
                    &setting.at,
                    format!(
                        "API `{}` has no method `{key}`: these settings apply to nothing",
                        api.id
                    ),
                );
                continue;
            }
            if let Some(throttle) = setting.throttle() {
                method_throttle.insert(key.clone(), throttle);
            }
            if setting.sets_caching() {
                method_cache.insert(
                    key.clone(),
                    MethodCacheEntry {
                        // A method's own setting starts from the stage's.
                        enabled: Some(
                            setting
                                .caching
                                .or(self.every_method.caching)
                                .unwrap_or(false),
                        ),
                        ttl_seconds: setting.ttl_seconds,
                        encrypted: setting.encrypted,
                        ..MethodCacheEntry::default()
                    },
                );
            }
        }
        let cache = self.cache_cluster.as_ref().map(|size| StageCacheEntry {
            cluster_size: size.clone().map(Text),
            max_bytes: None,
            // CloudFormation leaves a stage's method settings empty unless
            // written, so nothing is cached until CachingEnabled says so.
            enabled: Some(self.every_method.caching.unwrap_or(false)),
            ttl_seconds: self.every_method.ttl_seconds,
            require_authorization: None,
            unauthorized: None,
            encrypted: self.every_method.encrypted,
            backend_cache_control: None,
            methods: method_cache,
        });
        StageEntry {
            name: name.to_owned(),
            variables: BTreeMap::new(),
            throttle: self.every_method.throttle(),
            method_throttle,
            access_log: self.access_log.clone().map(|format| AccessLogEntry {
                format,
                destination: None,
            }),
            cache,
        }
    }
}

/// `CacheClusterEnabled` and `CacheClusterSize`.
fn cache_cluster(
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<Option<String>> {
    let enabled_at = child(at, "CacheClusterEnabled");
    let enabled = flag(
        properties.get("CacheClusterEnabled"),
        &enabled_at,
        file,
        problems,
    )?;
    let size_at = child(at, "CacheClusterSize");
    let size = match properties.get("CacheClusterSize") {
        None => None,
        Some(Node::Str(size)) => Some(size.clone()),
        Some(Node::Int(n)) => Some(n.to_string()),
        Some(Node::Float(n)) => Some(n.to_string()),
        Some(_) => {
            problems.at(
                file,
                &size_at,
                "CacheClusterSize is a size in GB, such as \"0.5\"",
            );
            return None;
        }
    };
    if let Some(size) = &size
        && !CLUSTER_SIZES.contains(&size.as_str())
    {
        problems.at(
            file,
            &size_at,
            format!(
                "`{size}` is not a cache cluster size; API Gateway offers {} (GB)",
                CLUSTER_SIZES.join(", ")
            ),
        );
        return None;
    }
    enabled.then_some(size)
}

/// One item of a REST stage's `MethodSettings`.
fn rest_method(
    setting: &Node,
    at: String,
    out: &mut StageSettings,
    file: &Path,
    problems: &mut Problems,
) {
    let path = text(setting.get("ResourcePath")).unwrap_or("/*");
    let method = text(setting.get("HttpMethod")).unwrap_or("*");
    let mut read = throttle_only(setting, at.clone(), file, problems);
    read.caching = flag(
        setting.get("CachingEnabled"),
        &child(&at, "CachingEnabled"),
        file,
        problems,
    );
    read.encrypted = flag(
        setting.get("CacheDataEncrypted"),
        &child(&at, "CacheDataEncrypted"),
        file,
        problems,
    );
    let ttl_at = child(&at, "CacheTtlInSeconds");
    read.ttl_seconds = count(setting.get("CacheTtlInSeconds"), &ttl_at, file, problems);
    if let Some(seconds) = read.ttl_seconds.filter(|s| *s > MAX_TTL_SECONDS) {
        problems.at(
            file,
            &ttl_at,
            format!(
                "{seconds} is beyond API Gateway's longest cache TTL, {MAX_TTL_SECONDS} seconds"
            ),
        );
        read.ttl_seconds = None;
    }
    match (path, method) {
        ("/*", "*") => out.every_method = read,
        ("/*", _) | (_, "*") => problems.warn(
            file,
            &at,
            format!(
                "ResourcePath {path} with HttpMethod {method}: Portcullis applies a method setting to one method, or to every method (`/*` and `*`); this one is not applied"
            ),
        ),
        _ => {
            // `/~1pets~1{id}` is `/pets/{id}`; `/` is the root.
            let decoded = path
                .strip_prefix('/')
                .unwrap_or(path)
                .replace("~1", "/")
                .replace("~0", "~");
            let decoded = if decoded.starts_with('/') {
                decoded
            } else {
                format!("/{decoded}")
            };
            let key = format!("{} {decoded}", method.to_ascii_uppercase());
            out.methods.push((key, read));
        }
    }
}

/// A throttle's two numbers (`ThrottlingRateLimit`, `ThrottlingBurstLimit`).
fn throttle_only(
    setting: &Node,
    at: String,
    file: &Path,
    problems: &mut Problems,
) -> MethodSetting {
    let rate_at = child(&at, "ThrottlingRateLimit");
    let rate_limit = match setting.get("ThrottlingRateLimit") {
        None => None,
        Some(Node::Int(n)) if *n >= 0 => Some(*n as f64),
        Some(Node::Float(n)) if *n >= 0.0 => Some(*n),
        Some(Node::Str(s)) if s.trim().parse::<f64>().is_ok_and(|n| n >= 0.0) => {
            s.trim().parse().ok()
        }
        Some(_) => {
            problems.at(
                file,
                &rate_at,
                "ThrottlingRateLimit is requests per second, 0 or more",
            );
            None
        }
    };
    let burst_at = child(&at, "ThrottlingBurstLimit");
    let burst_limit = count(
        setting.get("ThrottlingBurstLimit"),
        &burst_at,
        file,
        problems,
    );
    MethodSetting {
        rate_limit,
        burst_limit,
        at,
        ..MethodSetting::default()
    }
}

/// `AccessLogSetting(s)`: its `Format`, written to standard output.
fn access_log(log: &Node, at: &str, file: &Path, problems: &mut Problems) -> Option<String> {
    let format = text(log.get("Format"))?;
    let destination = text(log.get("DestinationArn")).unwrap_or("its log group");
    problems.warn(
        file,
        at,
        format!("access log lines are written to standard output, not to {destination}"),
    );
    Some(format.to_owned())
}

/// A boolean, written as one or as `"true"`/`"false"` (CloudFormation
/// accepts both).
fn flag(node: Option<&Node>, at: &str, file: &Path, problems: &mut Problems) -> Option<bool> {
    match node? {
        Node::Bool(b) => Some(*b),
        Node::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Node::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => {
            problems.at(file, at, "expected true or false");
            None
        }
    }
}

/// A whole number, 0 or more, written as one or as text.
fn count(node: Option<&Node>, at: &str, file: &Path, problems: &mut Problems) -> Option<u64> {
    match super::number(node) {
        Some(n) if (0..=i128::from(u64::MAX)).contains(&n) => Some(n as u64),
        None if node.is_none() => None,
        _ => {
            problems.at(file, at, "expected a whole number, 0 or more");
            None
        }
    }
}

/// Adds the keys of `setting` not in `used` to `unused`.
fn collect_unused<'a>(setting: &'a Node, used: &[&str], unused: &mut Vec<&'a str>) {
    for (key, _) in setting.as_map().unwrap_or_default() {
        if !used.contains(&key.as_str()) {
            unused.push(key.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::openapi::tree::parse;

    fn read_rest(yaml: &str) -> (StageSettings, Problems) {
        let mut problems = Problems::new();
        let node = parse(yaml).unwrap();
        let settings = read(
            ApiType::Rest,
            &node,
            "P",
            Path::new("t.yaml"),
            &mut problems,
        );
        (settings, problems)
    }

    #[test]
    fn resource_paths_are_decoded_into_route_keys_and_wildcards_are_the_stage() {
        let (settings, _) = read_rest(
            r#"
CacheClusterEnabled: true
CacheClusterSize: "1.6"
MethodSettings:
  - ResourcePath: "/*"
    HttpMethod: "*"
    ThrottlingRateLimit: 5
    CachingEnabled: true
    LoggingLevel: INFO
  - ResourcePath: "/~1pets~1{id}"
    HttpMethod: get
    ThrottlingBurstLimit: "2"
    CacheTtlInSeconds: 10
"#,
        );
        assert_eq!(settings.cache_cluster, Some(Some("1.6".to_owned())));
        let every = settings.every_method.throttle().unwrap();
        assert_eq!(
            (every.rate_limit, every.burst_limit),
            (5.0, ACCOUNT_BURST_LIMIT)
        );
        assert_eq!(settings.methods.len(), 1);
        let (key, one) = &settings.methods[0];
        assert_eq!(key, "GET /pets/{id}");
        let throttle = one.throttle().unwrap();
        assert_eq!(
            (throttle.rate_limit, throttle.burst_limit),
            (ACCOUNT_RATE_LIMIT, 2)
        );
        assert_eq!(one.ttl_seconds, Some(10));
    }

    #[test]
    fn bad_values_are_located_and_partial_wildcards_are_warned_about() {
        let (settings, problems) = read_rest(
            r#"
CacheClusterEnabled: "yes"
CacheClusterSize: "2"
MethodSettings:
  - ResourcePath: "/pets"
    HttpMethod: "*"
    ThrottlingRateLimit: -1
  - ResourcePath: "/"
    HttpMethod: GET
    CacheTtlInSeconds: 4000
"#,
        );
        let error = problems.finish(()).unwrap_err();
        let messages: Vec<String> = error
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.location, p.message))
            .collect();
        let has = |start: &str| messages.iter().any(|m| m.starts_with(start));
        assert!(
            has("P.CacheClusterEnabled: expected true or false"),
            "{messages:?}"
        );
        assert!(
            has("P.MethodSettings[0].ThrottlingRateLimit:"),
            "{messages:?}"
        );
        assert!(
            has("P.MethodSettings[1].CacheTtlInSeconds: 4000 is beyond"),
            "{messages:?}"
        );
        assert!(
            error
                .warnings
                .iter()
                .any(|w| w.location == "P.MethodSettings[0]" && w.message.contains("not applied")),
            "{:?}",
            error.warnings
        );
        assert_eq!(settings.methods[0].0, "GET /");
    }
}
