//! `tracing:` in the native file: where the pipeline's spans are exported.
//!
//! ```yaml
//! tracing:
//!   otlp:
//!     endpoint: http://127.0.0.1:4318   # `/v1/traces` is added to a bare origin
//!     service_name: portcullis          # the default
//!     sample_ratio: 0.1                 # of new traces; callers' decisions are kept
//!     timeout_ms: 10000
//!     headers: { x-api-key: secret }
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::problems::Problems;
use super::settings::Base;

/// The service name exported spans carry when none is configured.
pub const DEFAULT_SERVICE_NAME: &str = "portcullis";
/// How long one export may take when no timeout is configured.
pub const DEFAULT_OTLP_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest accepted export timeout.
const MAX_TIMEOUT_MS: u64 = 60_000;

/// `tracing:`: span export.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TracingSettings {
    /// OTLP export, when configured.
    pub otlp: Option<OtlpSettings>,
}

/// `tracing.otlp`: an OTLP/HTTP (protobuf) collector.
#[derive(Clone, PartialEq)]
pub struct OtlpSettings {
    /// The traces URL spans are POSTed to (`…/v1/traces`).
    pub endpoint: String,
    /// `service.name` of the exported resource.
    pub service_name: String,
    /// The share of new traces recorded, 0 to 1; a caller's decision
    /// (`Sampled=`, the `traceparent` flag) is followed instead.
    pub sample_ratio: f64,
    /// How long one export may take.
    pub timeout: Duration,
    /// Headers sent with every export (credentials of a hosted collector).
    pub headers: BTreeMap<String, String>,
}

impl std::fmt::Debug for OtlpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials: names only.
        f.debug_struct("OtlpSettings")
            .field("endpoint", &self.endpoint)
            .field("service_name", &self.service_name)
            .field("sample_ratio", &self.sample_ratio)
            .field("timeout", &self.timeout)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// `tracing` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TracingEntry {
    /// OTLP export.
    #[serde(default)]
    pub(crate) otlp: Option<OtlpEntry>,
}

/// `tracing.otlp` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OtlpEntry {
    pub(crate) endpoint: String,
    #[serde(default)]
    pub(crate) service_name: Option<String>,
    #[serde(default)]
    pub(crate) sample_ratio: Option<f64>,
    #[serde(default)]
    pub(crate) timeout_ms: Option<u64>,
    #[serde(default)]
    pub(crate) headers: BTreeMap<String, String>,
}

impl std::fmt::Debug for OtlpEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpEntry")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Checks `tracing:`; every mistake is an error naming its place.
pub(crate) fn from_file(
    entry: TracingEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> TracingSettings {
    TracingSettings {
        otlp: entry
            .otlp
            .and_then(|otlp| otlp_settings(otlp, base, problems)),
    }
}

fn otlp_settings(
    entry: OtlpEntry,
    base: &Base<'_>,
    problems: &mut Problems,
) -> Option<OtlpSettings> {
    let before = problems.error_count();
    let endpoint = traces_url(&entry.endpoint);
    if endpoint.is_none() {
        problems.at(
            base.file,
            "tracing.otlp.endpoint",
            format!(
                "{:?} is not an http:// or https:// URL with a host (e.g. http://127.0.0.1:4318)",
                entry.endpoint
            ),
        );
    }
    let service_name = entry
        .service_name
        .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned());
    if service_name.trim().is_empty() {
        problems.at(
            base.file,
            "tracing.otlp.service_name",
            "the service name is empty; leave it out for `portcullis`",
        );
    }
    let sample_ratio = entry.sample_ratio.unwrap_or(1.0);
    if !(0.0..=1.0).contains(&sample_ratio) {
        problems.at(
            base.file,
            "tracing.otlp.sample_ratio",
            format!("{sample_ratio} is not between 0 and 1 (1 records every new trace)"),
        );
    }
    let timeout = match entry.timeout_ms {
        None => DEFAULT_OTLP_TIMEOUT,
        Some(ms @ 1..=MAX_TIMEOUT_MS) => Duration::from_millis(ms),
        Some(ms) => {
            problems.at(
                base.file,
                "tracing.otlp.timeout_ms",
                format!("{ms} is not between 1 and {MAX_TIMEOUT_MS}"),
            );
            DEFAULT_OTLP_TIMEOUT
        }
    };
    for (name, value) in &entry.headers {
        let valid = http::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && http::HeaderValue::from_str(value).is_ok();
        if !valid {
            // The value may be a credential: name the header only.
            problems.at(
                base.file,
                format!("tracing.otlp.headers.{name}"),
                "not a valid HTTP header name and value",
            );
        }
    }
    (problems.error_count() == before).then(|| OtlpSettings {
        endpoint: endpoint.unwrap_or_default(),
        service_name,
        sample_ratio,
        timeout,
        headers: entry.headers,
    })
}

/// The traces URL of `endpoint`: as written when it has a path, else with
/// OTLP's `/v1/traces`. `None` when it is not an absolute http(s) URL.
fn traces_url(endpoint: &str) -> Option<String> {
    let uri: http::Uri = endpoint.parse().ok()?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|host| !host.is_empty());
    if !scheme_ok || !host_ok {
        return None;
    }
    if matches!(uri.path(), "" | "/") && uri.query().is_none() {
        Some(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
    } else {
        Some(endpoint.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn check(yaml: &str) -> (TracingSettings, Vec<String>) {
        let entry: TracingEntry = serde_yaml_ng::from_str(yaml).unwrap();
        let base = Base {
            file: Path::new("portcullis.yaml"),
            dir: Path::new("."),
        };
        let mut problems = Problems::new();
        let settings = from_file(entry, &base, &mut problems);
        let errors = match problems.finish(()) {
            Ok(_) => Vec::new(),
            Err(error) => error.problems.iter().map(ToString::to_string).collect(),
        };
        (settings, errors)
    }

    #[test]
    fn reads_otlp_settings_with_defaults() {
        let (settings, errors) = check("otlp: { endpoint: 'http://127.0.0.1:4318' }");
        assert!(errors.is_empty(), "{errors:?}");
        let otlp = settings.otlp.unwrap();
        assert_eq!(otlp.endpoint, "http://127.0.0.1:4318/v1/traces");
        assert_eq!(otlp.service_name, "portcullis");
        assert_eq!(otlp.sample_ratio, 1.0);
        assert_eq!(otlp.timeout, DEFAULT_OTLP_TIMEOUT);
        let (settings, _) = check(
            "otlp: { endpoint: 'https://collector.test/custom/traces', service_name: gw, sample_ratio: 0.25, timeout_ms: 500, headers: { x-key: abc } }",
        );
        let otlp = settings.otlp.unwrap();
        assert_eq!(otlp.endpoint, "https://collector.test/custom/traces");
        assert_eq!(otlp.sample_ratio, 0.25);
        assert_eq!(otlp.timeout, Duration::from_millis(500));
        assert!(
            !format!("{otlp:?}").contains("abc"),
            "header values are not shown"
        );
        assert_eq!(check("{}").0, TracingSettings::default());
    }

    #[test]
    fn mistakes_name_their_place() {
        let (settings, errors) = check(
            "otlp: { endpoint: 'ftp://x', service_name: ' ', sample_ratio: 1.5, timeout_ms: 0, headers: { 'bad name': v } }",
        );
        assert!(settings.otlp.is_none());
        let text = errors.join("\n");
        for place in [
            "tracing.otlp.endpoint",
            "tracing.otlp.service_name",
            "tracing.otlp.sample_ratio",
            "tracing.otlp.timeout_ms",
            "tracing.otlp.headers.bad name",
        ] {
            assert!(text.contains(place), "{place} in {text}");
        }
        assert!(text.contains("portcullis.yaml"), "{text}");
        assert!(serde_yaml_ng::from_str::<TracingEntry>("otlp: { endpoint: x, nope: 1 }").is_err());
    }
}
