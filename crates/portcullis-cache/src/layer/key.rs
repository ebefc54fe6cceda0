//! The layer's default cache key, public to build other keys on.

use http::request::Parts;
use http::{HeaderName, HeaderValue};

use super::DEFAULT_PARTITION;
use crate::CacheKey;

/// The layer's default key: partition, method, path, optionally the query
/// string, and the values of chosen headers.
///
/// Public so that a [`key_by`](super::CacheLayer::key_by) function can
/// build on it (choose a partition per tenant, skip some paths).
///
/// ```
/// use portcullis_cache::layer::RequestKey;
///
/// let request = http::Request::get("/pets?page=2").body(()).unwrap();
/// let (head, _) = request.into_parts();
/// let with_query = RequestKey::new("pets").key(&head);
/// let without = RequestKey::new("pets").query(false).key(&head);
/// assert_ne!(with_query, without);
/// assert_eq!(with_query.partition(), "pets");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub(super) partition: String,
    pub(super) query: bool,
    pub(super) headers: Vec<HeaderName>,
}

impl Default for RequestKey {
    fn default() -> Self {
        Self::new(DEFAULT_PARTITION)
    }
}

impl RequestKey {
    /// Keys in `partition`, with the query string and no headers.
    pub fn new(partition: impl Into<String>) -> Self {
        Self {
            partition: partition.into(),
            query: true,
            headers: Vec::new(),
        }
    }

    /// Whether the query string (as sent, unparsed) is part of the key.
    pub fn query(mut self, include: bool) -> Self {
        self.query = include;
        self
    }

    /// Makes the values of header `name` part of the key (all of them, in
    /// order; a missing header is one more distinct value).
    pub fn header(mut self, name: HeaderName) -> Self {
        if !self.headers.contains(&name) {
            self.headers.push(name);
        }
        self
    }

    /// The partition's name.
    pub fn partition(&self) -> &str {
        &self.partition
    }

    /// The key of a request with this head.
    pub fn key(&self, head: &Parts) -> CacheKey {
        let mut key = CacheKey::builder(&self.partition)
            .text(head.method.as_str())
            .text(head.uri.path());
        if self.query {
            key = key.part(head.uri.query().map(str::as_bytes));
        }
        for name in &self.headers {
            let values = head.headers.get_all(name).iter();
            key = key.values(values.map(HeaderValue::as_bytes));
        }
        key.build()
    }
}
