//! AWS's API Gateway metrics as Prometheus series, and the text the admin
//! listener's `/metrics` answers.
//!
//! One [`Series`] per (API, stage, resource or route, method) holds AWS's
//! metrics for it: `Count`, `4XXError`/`4xx`, `5XXError`/`5xx`, `Latency`,
//! `IntegrationLatency` (histograms), `CacheHitCount`, `CacheMissCount` and
//! `DataProcessed`. Series live in a process-wide [`Metrics`] registry keyed by
//! their labels, so they survive config reloads and stay monotonic. A request
//! reaches its series through a [`SeriesSlot`] in the compiled stage, resolved
//! on the first request after each (re)load: from then on it costs a few
//! relaxed atomic additions, no lock, no allocation.
//!
//! Other parts register plain process-wide counters and gauges
//! ([`Metrics::counter`], [`Metrics::gauge`], [`Metrics::counter_fn`],
//! [`Metrics::gauge_fn`]); they are rendered in the same output.
//!
//! [`Metrics::render`] writes the Prometheus text exposition format 0.0.4.
mod series;
mod slots;

pub use series::{Histogram, Labels, Series};
pub use slots::{SeriesRef, SeriesSlot, StageSlots};

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Tells registries apart: a slot resolved by one registry is not used by another.
static NEXT_REGISTRY: AtomicU64 = AtomicU64::new(1);

/// A `# HELP` text: `\` and newlines escaped.
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Whether `name` is a valid Prometheus metric name.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// One family of series: its name, help, type, and how to read a sample of a series.
struct Family {
    name: &'static str,
    help: &'static str,
    sample: Sample,
}

enum Sample {
    Counter(fn(&Series) -> &AtomicU64),
    Histogram(fn(&Series) -> &Histogram),
}

const FAMILIES: [Family; 8] = [
    Family {
        name: "portcullis_requests_total",
        help: "Requests answered (AWS Count).",
        sample: Sample::Counter(|s| &s.requests),
    },
    Family {
        name: "portcullis_client_errors_total",
        help: "Requests answered with a 4xx status (AWS 4XXError, HTTP APIs 4xx).",
        sample: Sample::Counter(|s| &s.client_errors),
    },
    Family {
        name: "portcullis_server_errors_total",
        help: "Requests answered with a 5xx status (AWS 5XXError, HTTP APIs 5xx).",
        sample: Sample::Counter(|s| &s.server_errors),
    },
    Family {
        name: "portcullis_latency_seconds",
        help: "From a request's arrival to its response head (AWS Latency).",
        sample: Sample::Histogram(|s| &s.latency),
    },
    Family {
        name: "portcullis_integration_latency_seconds",
        help: "From sending the integration request to its answer (AWS IntegrationLatency).",
        sample: Sample::Histogram(|s| &s.integration_latency),
    },
    Family {
        name: "portcullis_cache_hits_total",
        help: "Requests answered from the API cache (AWS CacheHitCount).",
        sample: Sample::Counter(|s| &s.cache_hits),
    },
    Family {
        name: "portcullis_cache_misses_total",
        help: "Requests the API cache could not answer (AWS CacheMissCount).",
        sample: Sample::Counter(|s| &s.cache_misses),
    },
    Family {
        name: "portcullis_data_processed_bytes_total",
        help: "Request and response body bytes (AWS DataProcessed).",
        sample: Sample::Counter(|s| &s.data_processed),
    },
];

/// A plain process-wide metric registered by name.
struct Plain {
    name: String,
    help: String,
    kind: &'static str,
    value: PlainValue,
}

enum PlainValue {
    Counter(Arc<AtomicU64>),
    Gauge(Arc<AtomicI64>),
    CounterFn(Box<dyn Fn() -> u64 + Send + Sync>),
    GaugeFn(Box<dyn Fn() -> f64 + Send + Sync>),
}

/// The process-wide registry: every series by labels, plain counters and
/// gauges by name. Keep one per process (reloads keep counting).
pub struct Metrics {
    id: u64,
    series: Mutex<BTreeMap<Labels, Arc<Series>>>,
    plain: Mutex<Vec<Plain>>,
    unmatched: SeriesSlot,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("series", &lock(&self.series).len())
            .finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Locks, ignoring poisoning: a panic elsewhere leaves the maps consistent
/// (each change is one insert).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            id: NEXT_REGISTRY.fetch_add(1, Ordering::Relaxed),
            series: Mutex::new(BTreeMap::new()),
            plain: Mutex::new(Vec::new()),
            unmatched: SeriesSlot::default(),
        }
    }

    /// The series for `labels`, created at zero when new. Takes a lock:
    /// requests reach series through [`SeriesSlot`]s.
    pub fn series(&self, labels: Labels) -> Arc<Series> {
        lock(&self.series)
            .entry(labels)
            .or_insert_with_key(|labels| Arc::new(Series::new(labels)))
            .clone()
    }

    /// The series of requests no API answered.
    pub fn unmatched(&self) -> SeriesRef<'_> {
        self.unmatched.get(self, Labels::unmatched)
    }

    /// A counter named `name` (end it in `_total`), rendered with the
    /// series; the same counter when already registered.
    ///
    /// # Panics
    /// When `name` is not a valid Prometheus metric name, or names a metric
    /// of another kind (both programming errors: names are constants).
    pub fn counter(&self, name: &str, help: &str) -> Arc<AtomicU64> {
        let mut plain = lock(&self.plain);
        if let Some(existing) = plain.iter().find(|p| p.name == name) {
            match &existing.value {
                PlainValue::Counter(counter) => return counter.clone(),
                _ => panic!("metric {name} is already registered as another kind"),
            }
        }
        let counter = Arc::new(AtomicU64::new(0));
        plain.push(plain_metric(
            name,
            help,
            "counter",
            PlainValue::Counter(counter.clone()),
        ));
        counter
    }

    /// A gauge named `name`, rendered with the series; the same gauge when
    /// already registered.
    ///
    /// # Panics
    /// As [`Metrics::counter`].
    pub fn gauge(&self, name: &str, help: &str) -> Arc<AtomicI64> {
        let mut plain = lock(&self.plain);
        if let Some(existing) = plain.iter().find(|p| p.name == name) {
            match &existing.value {
                PlainValue::Gauge(gauge) => return gauge.clone(),
                _ => panic!("metric {name} is already registered as another kind"),
            }
        }
        let gauge = Arc::new(AtomicI64::new(0));
        plain.push(plain_metric(
            name,
            help,
            "gauge",
            PlainValue::Gauge(gauge.clone()),
        ));
        gauge
    }

    /// A counter read from `read` each time the metrics are rendered
    /// (replacing one registered under the same name).
    ///
    /// # Panics
    /// When `name` is not a valid Prometheus metric name.
    pub fn counter_fn(
        &self,
        name: &str,
        help: &str,
        read: impl Fn() -> u64 + Send + Sync + 'static,
    ) {
        self.replace(plain_metric(
            name,
            help,
            "counter",
            PlainValue::CounterFn(Box::new(read)),
        ));
    }

    /// A gauge read from `read` each time the metrics are rendered
    /// (replacing one registered under the same name).
    ///
    /// # Panics
    /// When `name` is not a valid Prometheus metric name.
    pub fn gauge_fn(&self, name: &str, help: &str, read: impl Fn() -> f64 + Send + Sync + 'static) {
        self.replace(plain_metric(
            name,
            help,
            "gauge",
            PlainValue::GaugeFn(Box::new(read)),
        ));
    }

    fn replace(&self, metric: Plain) {
        let mut plain = lock(&self.plain);
        plain.retain(|p| p.name != metric.name);
        plain.push(metric);
    }

    /// Renders the limit store's state with the rest:
    /// `portcullis_limit_store_failures_total` (checks the failure policy
    /// answered) and `portcullis_limit_store_degraded` (1 while the store's
    /// last call failed).
    pub fn observe_limiter(&self, limiter: Arc<portcullis_ratelimit::Limiter>) {
        let failures = limiter.clone();
        self.counter_fn(
            "portcullis_limit_store_failures_total",
            "Throttle and quota checks the limit store failed, answered by its failure policy.",
            move || failures.failures(),
        );
        self.gauge_fn(
            "portcullis_limit_store_degraded",
            "1 while the limit store's last call failed, else 0.",
            move || f64::from(u8::from(limiter.is_degraded())),
        );
    }

    /// Every series and registered metric in the Prometheus text exposition
    /// format 0.0.4 ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let series: Vec<Arc<Series>> = lock(&self.series).values().cloned().collect();
        let mut out = String::with_capacity(1024 + series.len() * 2048);
        for family in &FAMILIES {
            let kind = match family.sample {
                Sample::Counter(_) => "counter",
                Sample::Histogram(_) => "histogram",
            };
            let _ = writeln!(out, "# HELP {} {}", family.name, family.help);
            let _ = writeln!(out, "# TYPE {} {kind}", family.name);
            for series in &series {
                match family.sample {
                    Sample::Counter(read) => {
                        let value = read(series).load(Ordering::Relaxed);
                        let _ = writeln!(out, "{}{{{}}} {value}", family.name, series.labels);
                    }
                    Sample::Histogram(read) => {
                        read(series).render(family.name, &series.labels, &mut out);
                    }
                }
            }
        }
        for plain in lock(&self.plain).iter() {
            let _ = writeln!(out, "# HELP {} {}", plain.name, escape_help(&plain.help));
            let _ = writeln!(out, "# TYPE {} {}", plain.name, plain.kind);
            let _ = match &plain.value {
                PlainValue::Counter(value) => {
                    writeln!(out, "{} {}", plain.name, value.load(Ordering::Relaxed))
                }
                PlainValue::Gauge(value) => {
                    writeln!(out, "{} {}", plain.name, value.load(Ordering::Relaxed))
                }
                PlainValue::CounterFn(read) => writeln!(out, "{} {}", plain.name, read()),
                PlainValue::GaugeFn(read) => writeln!(out, "{} {}", plain.name, read()),
            };
        }
        out
    }
}

fn plain_metric(name: &str, help: &str, kind: &'static str, value: PlainValue) -> Plain {
    assert!(valid_name(name), "{name:?} is not a Prometheus metric name");
    Plain {
        name: name.to_owned(),
        help: help.to_owned(),
        kind,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn series_count_statuses_and_survive_lookups() {
        let metrics = Metrics::new();
        let labels = || Labels::rest("abc", "prod", "/pets/{id}", "GET");
        let series = metrics.series(labels());
        series.record(
            200,
            Duration::from_millis(2),
            Some(Duration::from_millis(1)),
            10,
        );
        series.record(404, Duration::from_millis(2), None, 0);
        series.record(502, Duration::from_millis(2), None, 5);
        // A later lookup (after a reload) finds the same series.
        let again = metrics.series(labels());
        assert!(Arc::ptr_eq(&series, &again));
        assert_eq!(again.requests(), 3);
        assert_eq!(again.data_processed(), 15);
        let text = metrics.render();
        let labels = r#"api="abc",stage="prod",resource="/pets/{id}",method="GET""#;
        for line in [
            format!("portcullis_requests_total{{{labels}}} 3"),
            format!("portcullis_client_errors_total{{{labels}}} 1"),
            format!("portcullis_server_errors_total{{{labels}}} 1"),
            format!("portcullis_latency_seconds_count{{{labels}}} 3"),
            format!("portcullis_integration_latency_seconds_count{{{labels}}} 1"),
            format!("portcullis_cache_hits_total{{{labels}}} 0"),
            format!("portcullis_data_processed_bytes_total{{{labels}}} 15"),
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        assert!(text.contains("# TYPE portcullis_latency_seconds histogram\n"));
        assert!(text.contains("# TYPE portcullis_requests_total counter\n"));
    }

    #[test]
    fn plain_metrics_are_rendered_and_registered_once() {
        let metrics = Metrics::new();
        let dropped = metrics.counter("portcullis_test_dropped_total", "Lines\ndropped.");
        dropped.fetch_add(3, Ordering::Relaxed);
        assert!(Arc::ptr_eq(
            &dropped,
            &metrics.counter("portcullis_test_dropped_total", "again")
        ));
        metrics
            .gauge("portcullis_test_open", "Open.")
            .store(-2, Ordering::Relaxed);
        metrics.gauge_fn("portcullis_test_ratio", "Ratio.", || 0.5);
        let text = metrics.render();
        assert!(text.contains("# HELP portcullis_test_dropped_total Lines\\ndropped.\n"));
        assert!(text.contains("\nportcullis_test_dropped_total 3\n"));
        assert!(text.contains("\nportcullis_test_open -2\n"));
        assert!(text.contains("# TYPE portcullis_test_ratio gauge\nportcullis_test_ratio 0.5\n"));
    }

    #[test]
    #[should_panic(expected = "not a Prometheus metric name")]
    fn invalid_names_are_refused() {
        Metrics::new().counter("4xx_total", "no");
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("portcullis_requests_total"));
        assert!(valid_name("a:b_c9"));
        assert!(!valid_name(""));
        assert!(!valid_name("4XXError"));
        assert!(!valid_name("a-b"));
    }
}
