//! Series: the labels of one, and AWS's metrics for it (counters and two
//! latency histograms), each an atomic.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histograms' buckets: nanoseconds, and `le` as rendered.
/// From 1 ms (AWS reports whole milliseconds) to 30 s (past API Gateway's 29 s
/// integration timeout); `+Inf` follows.
const BUCKETS: [(u64, &str); 14] = [
    (1_000_000, "0.001"),
    (2_500_000, "0.0025"),
    (5_000_000, "0.005"),
    (10_000_000, "0.01"),
    (25_000_000, "0.025"),
    (50_000_000, "0.05"),
    (100_000_000, "0.1"),
    (250_000_000, "0.25"),
    (500_000_000, "0.5"),
    (1_000_000_000, "1"),
    (2_500_000_000, "2.5"),
    (5_000_000_000, "5"),
    (10_000_000_000, "10"),
    (30_000_000_000, "30"),
];

/// The labels of one [`Series`]: `api`, `stage`, `resource` (REST APIs) or
/// `route` (HTTP APIs), and `method`. Unknown parts are empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Labels {
    api: Arc<str>,
    stage: Arc<str>,
    /// `resource` or `route`.
    path_label: &'static str,
    path: Arc<str>,
    method: Arc<str>,
}

impl Labels {
    /// A REST API's method: its resource path (`/pets/{id}`) and method (`GET`, `ANY`).
    pub fn rest(api: &str, stage: &str, resource: &str, method: &str) -> Self {
        Self::new(api, stage, "resource", resource, method)
    }

    /// An HTTP API's route: its route key (`GET /pets/{id}`, `$default`) and method.
    pub fn http(api: &str, stage: &str, route: &str, method: &str) -> Self {
        Self::new(api, stage, "route", route, method)
    }

    /// A request no API answered (REST-shaped, as its answer is): every label empty.
    pub fn unmatched() -> Self {
        Self::rest("", "", "", "")
    }

    fn new(api: &str, stage: &str, path_label: &'static str, path: &str, method: &str) -> Self {
        Self {
            api: Arc::from(api),
            stage: Arc::from(stage),
            path_label,
            path: Arc::from(path),
            method: Arc::from(method),
        }
    }

    /// `api="…",stage="…",resource="…",method="…"`, values escaped.
    pub(super) fn text(&self) -> String {
        let mut out = String::new();
        for (i, (name, value)) in [
            ("api", &*self.api),
            ("stage", &*self.stage),
            (self.path_label, &*self.path),
            ("method", &*self.method),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push_str("=\"");
            escape_label_value(value, &mut out);
            out.push('"');
        }
        out
    }
}

/// A label value as the text format writes it: `\`, `"` and newlines escaped.
fn escape_label_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A latency histogram: one atomic per bucket (not cumulative; summed when
/// rendered) and the sum in nanoseconds.
#[derive(Debug, Default)]
pub struct Histogram {
    /// `BUCKETS` then `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    /// Counts one observation.
    pub fn observe(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        let bucket = BUCKETS
            .iter()
            .position(|&(bound, _)| nanos <= bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// How many observations were counted.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    pub(super) fn render(&self, name: &str, labels: &str, out: &mut String) {
        let mut cumulative = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = BUCKETS.get(i).map_or("+Inf", |&(_, le)| le);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
    }
}

/// AWS's metrics for one label set.
#[derive(Debug)]
pub struct Series {
    /// The labels, rendered once.
    pub(super) labels: String,
    pub(super) requests: AtomicU64,
    pub(super) client_errors: AtomicU64,
    pub(super) server_errors: AtomicU64,
    pub(super) cache_hits: AtomicU64,
    pub(super) cache_misses: AtomicU64,
    pub(super) data_processed: AtomicU64,
    pub(super) latency: Histogram,
    pub(super) integration_latency: Histogram,
}

impl Series {
    pub(super) fn new(labels: &Labels) -> Self {
        Self {
            labels: labels.text(),
            requests: AtomicU64::new(0),
            client_errors: AtomicU64::new(0),
            server_errors: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            data_processed: AtomicU64::new(0),
            latency: Histogram::default(),
            integration_latency: Histogram::default(),
        }
    }

    /// Counts one answered request: its status, latency (arrival to
    /// response), integration latency (when an integration was called) and
    /// the body bytes known now (request and response; a streamed response
    /// adds its bytes with [`Series::add_data`] as they pass).
    pub fn record(
        &self,
        status: u16,
        latency: Duration,
        integration: Option<Duration>,
        bytes: u64,
    ) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        match status {
            400..=499 => {
                self.client_errors.fetch_add(1, Ordering::Relaxed);
            }
            500..=599 => {
                self.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
        self.latency.observe(latency);
        if let Some(integration) = integration {
            self.integration_latency.observe(integration);
        }
        if bytes > 0 {
            self.data_processed.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Adds `bytes` to the data processed.
    pub fn add_data(&self, bytes: u64) {
        self.data_processed.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts a request answered from the cache (`CacheHitCount`).
    pub fn cache_hit(&self) {
        self.cache_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request the cache could not answer (`CacheMissCount`).
    pub fn cache_miss(&self) {
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests counted (`Count`).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Bytes counted (`DataProcessed`).
    pub fn data_processed(&self) -> u64 {
        self.data_processed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_count_every_observation() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(500));
        histogram.observe(Duration::from_millis(1));
        histogram.observe(Duration::from_millis(7));
        histogram.observe(Duration::from_secs(60));
        assert_eq!(histogram.count(), 4);
        let mut out = String::new();
        histogram.render("h", "a=\"1\"", &mut out);
        assert!(out.contains("h_bucket{a=\"1\",le=\"0.001\"} 2\n"), "{out}");
        assert!(out.contains("h_bucket{a=\"1\",le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("h_bucket{a=\"1\",le=\"0.01\"} 3\n"), "{out}");
        assert!(out.contains("h_bucket{a=\"1\",le=\"30\"} 3\n"), "{out}");
        assert!(out.contains("h_bucket{a=\"1\",le=\"+Inf\"} 4\n"), "{out}");
        assert!(out.contains("h_sum{a=\"1\"} 60.0085\n"), "{out}");
        assert!(out.contains("h_count{a=\"1\"} 4\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped() {
        let labels = Labels::http("a\"b", "s\\t", "GET /x\ny", "GET");
        assert_eq!(
            labels.text(),
            r#"api="a\"b",stage="s\\t",route="GET /x\ny",method="GET""#
        );
    }
}
