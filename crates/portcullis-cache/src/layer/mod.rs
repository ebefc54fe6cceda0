//! A `tower` layer caching an HTTP service's responses as API Gateway's
//! stage cache does, in front of any `http` service (a hyper service, an
//! axum router).
//!
//! What it does, and where it goes beyond AWS:
//!
//! - **Which requests**: GET and HEAD by default
//!   ([`methods`](CacheLayer::methods) changes the list). Other requests
//!   go to the service untouched.
//! - **The key**: by default the partition (a name, `"default"` unless
//!   [`partition`](CacheLayer::partition) says otherwise; what
//!   [`Cache::flush`] empties), the method, the path, the query string
//!   (unless [`query(false)`](CacheLayer::query)) and the values of the
//!   headers named with [`header`](CacheLayer::header). Neither the host
//!   nor credentials are in it: a service answering for several hosts
//!   adds `.header(http::header::HOST)`, and one answering each caller
//!   differently adds `.header(http::header::AUTHORIZATION)` (or answers
//!   `Cache-Control: private`), else one caller's answer reaches the
//!   others, as in AWS. [`key_by`](CacheLayer::key_by)
//!   replaces all of it with a function (see [`RequestKey`] to build on the
//!   default one).
//! - **How long**: [`DEFAULT_TTL`] (300 s, AWS's default) unless
//!   [`ttl`](CacheLayer::ttl) says otherwise. AWS caps a TTL at 3600 s;
//!   this layer takes any TTL above zero.
//! - **What is kept**: never a response with a status of 500 or above,
//!   nor one whose body exceeds the cache's
//!   [`max_entry_bytes`](crate::CacheSettings::max_entry_bytes) (that body
//!   still reaches the client whole). Beyond AWS, and on by default, the
//!   backend's `Cache-Control` is honoured
//!   ([`ResponseDirectives::ttl`](crate::control::ResponseDirectives::ttl)):
//!   `no-store`, `private` and `no-cache` keep nothing, `s-maxage` or
//!   `max-age` shorten the TTL;
//!   [`honour_cache_control(false)`](CacheLayer::honour_cache_control)
//!   keeps every response below 500 for the TTL, as AWS does.
//! - **Invalidation**: a request with `Cache-Control: max-age=0` skips
//!   the cached entry, and the response it gets replaces it, when the
//!   predicate given to [`refresh_if`](CacheLayer::refresh_if) allows it;
//!   by default every request may (AWS without
//!   `requireAuthorizationForCacheControl`). A refused request is answered
//!   as if it had not asked (AWS's "ignore the header").
//! - **Headers**: a cached response is sent as it was received; AWS adds
//!   nothing and neither does this layer, unless
//!   [`x_cache(true)`](CacheLayer::x_cache) adds `X-Cache: Hit` or
//!   `X-Cache: Miss` to every response the cache was consulted for
//!   (beyond AWS).
//! - **HEAD**: its response (status and headers, no body) is kept as soon
//!   as it arrives, since servers may drop a HEAD response's body unread.
//! - **Coalescing** (beyond AWS, from [`Cache::lookup`]): while one
//!   request for a cold key is at the service, other requests for that key
//!   wait for its response instead of calling the service too. They wait
//!   until its body has been read to the end (the entry is complete only
//!   then), at most [`coalesce_wait`](crate::CacheSettings::coalesce_wait).
//!
//! A hit copies no body (the cached [`Bytes`] are shared) and, with a
//! memory store and without `X-Cache`, allocates only the response head.
//! The response body type is [`CacheBody`]: the cached bytes, or the
//! service's own body (kept as it streams past, when it is to be kept).
//!
//! ```
//! use std::convert::Infallible;
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use portcullis_cache::{Cache, CacheLayer, MemoryStore};
//! use tower::{Layer, ServiceExt, service_fn};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! // 64 MB of entries, each kept 60 s, one per path, query string and language.
//! let layer = CacheLayer::new(Cache::new(MemoryStore::new(64 << 20)))
//!     .ttl(Duration::from_secs(60))?
//!     .header(http::header::ACCEPT_LANGUAGE)
//!     .x_cache(true);
//! let service = layer.layer(service_fn(|request: Request<()>| async move {
//!     let body = format!("pets on {}", request.uri());
//!     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body))))
//! }));
//!
//! let request = || Request::get("/pets?page=2").body(());
//! let first = service.clone().oneshot(request()?).await?;
//! assert_eq!(first.headers()["x-cache"], "Miss");
//! // The entry is kept once the body has been read.
//! assert_eq!(first.into_body().collect().await?.to_bytes(), "pets on /pets?page=2");
//!
//! let second = service.clone().oneshot(request()?).await?;
//! assert_eq!(second.headers()["x-cache"], "Hit");
//! assert_eq!(second.into_body().collect().await?.to_bytes(), "pets on /pets?page=2");
//! assert_eq!(layer.cache().stats().hits, 1);
//! # Ok(())
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_time().build()?.block_on(example())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderName, Method, Request, Response};
use http_body::Body;
use tower_layer::Layer;
use tower_service::Service;

use crate::control;
use crate::{Cache, CacheKey, Lookup, Store};

mod body;
mod key;
mod response;
#[cfg(test)]
mod tests;

pub use body::CacheBody;
pub use key::RequestKey;
pub use response::ResponseFuture;
use response::State;

/// How long a response is kept unless [`CacheLayer::ttl`] says otherwise:
/// 300 seconds, API Gateway's default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// The partition keys are made in unless [`CacheLayer::partition`] says otherwise.
pub const DEFAULT_PARTITION: &str = "default";

/// `X-Cache`, added by [`CacheLayer::x_cache`].
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// A function choosing a request's key; `None` leaves it uncached.
type KeyFn = dyn Fn(&Parts) -> Option<CacheKey> + Send + Sync;

/// A predicate allowing a request's `Cache-Control: max-age=0`.
type RefreshFn = dyn Fn(&Parts) -> bool + Send + Sync;

/// Why a [`CacheLayer`] setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    /// A TTL of zero would keep nothing: leave the layer out instead.
    #[error("a cache TTL must be longer than zero")]
    ZeroTtl,
}

/// Caches the responses of the services it wraps in a [`Cache`]; see the
/// [module documentation](self) for what is kept and for how long.
///
/// Clones share the cache. Layers sharing one cache should key in
/// different partitions unless they wrap the same service.
pub struct CacheLayer<S: Store> {
    cache: Cache<S>,
    config: Arc<Config>,
}

#[derive(Clone)]
struct Config {
    methods: Vec<Method>,
    key: RequestKey,
    key_by: Option<Arc<KeyFn>>,
    refresh_if: Option<Arc<RefreshFn>>,
    policy: Policy,
}

/// What the response future needs to know: copied into each one.
#[derive(Debug, Clone, Copy)]
struct Policy {
    ttl: Duration,
    cache_control: bool,
    x_cache: bool,
}

impl Config {
    /// The request's key, or `None` when it is not to be cached.
    fn key(&self, head: &Parts) -> Option<CacheKey> {
        if !self.methods.contains(&head.method) {
            return None;
        }
        match &self.key_by {
            Some(key_by) => key_by(head),
            None => Some(self.key.key(head)),
        }
    }

    /// Whether the request asks for a fresh response and may have one.
    fn refresh(&self, head: &Parts) -> bool {
        control::requests_refresh(&head.headers)
            && self.refresh_if.as_ref().is_none_or(|allow| allow(head))
    }
}

impl<S: Store> Clone for CacheLayer<S> {
    fn clone(&self) -> Self {
        Self {
            cache: self.cache.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: Store> fmt::Debug for CacheLayer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.config;
        f.debug_struct("CacheLayer")
            .field("cache", &self.cache)
            .field("methods", &config.methods)
            .field("key", &config.key)
            .field("key_by", &config.key_by.as_ref().map(|_| "fn"))
            .field("refresh_if", &config.refresh_if.as_ref().map(|_| "fn"))
            .field("ttl", &config.policy.ttl)
            .field("honour_cache_control", &config.policy.cache_control)
            .field("x_cache", &config.policy.x_cache)
            .finish()
    }
}

impl<S: Store> CacheLayer<S> {
    /// Caches GET and HEAD responses in `cache` for [`DEFAULT_TTL`], keyed
    /// by [`RequestKey::default`].
    pub fn new(cache: Cache<S>) -> Self {
        Self {
            cache,
            config: Arc::new(Config {
                methods: vec![Method::GET, Method::HEAD],
                key: RequestKey::default(),
                key_by: None,
                refresh_if: None,
                policy: Policy {
                    ttl: DEFAULT_TTL,
                    cache_control: true,
                    x_cache: false,
                },
            }),
        }
    }

    /// The cache: its counts, and [`flush`](Cache::flush).
    pub fn cache(&self) -> &Cache<S> {
        &self.cache
    }

    /// Caches requests with these methods only (replacing GET and HEAD).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.config_mut().methods = methods.into_iter().collect();
        self
    }

    /// Keeps responses for `ttl` (any length above zero; AWS allows up to
    /// 3600 s), or less when the backend's `Cache-Control` says so.
    pub fn ttl(mut self, ttl: Duration) -> Result<Self, LayerError> {
        if ttl.is_zero() {
            return Err(LayerError::ZeroTtl);
        }
        self.config_mut().policy.ttl = ttl;
        Ok(self)
    }

    /// Keys in partition `name` (default [`DEFAULT_PARTITION`]).
    pub fn partition(mut self, name: impl Into<String>) -> Self {
        self.config_mut().key.partition = name.into();
        self
    }

    /// Whether the query string is part of the key (default: yes).
    pub fn query(mut self, include: bool) -> Self {
        self.config_mut().key.query = include;
        self
    }

    /// Makes the values of header `name` part of the key.
    pub fn header(mut self, name: HeaderName) -> Self {
        let key = &mut self.config_mut().key;
        if !key.headers.contains(&name) {
            key.headers.push(name);
        }
        self
    }

    /// Keys requests (of the cached methods) by what `key` returns for
    /// their head; a request it returns `None` for goes to the service
    /// uncached. Replaces the default key, so
    /// [`partition`](Self::partition), [`query`](Self::query) and
    /// [`header`](Self::header) no longer apply; include the method in the
    /// key, or GET and HEAD will share entries.
    ///
    /// ```
    /// # use portcullis_cache::{Cache, CacheLayer, MemoryStore};
    /// use portcullis_cache::layer::RequestKey;
    ///
    /// // A partition per tenant (the first path segment, flushed apart);
    /// // nothing under /admin is cached.
    /// let layer = CacheLayer::new(Cache::new(MemoryStore::new(1 << 20))).key_by(|head| {
    ///     let tenant = head.uri.path().trim_start_matches('/').split('/').next()?;
    ///     (tenant != "admin").then(|| RequestKey::new(tenant).key(head))
    /// });
    /// # let _ = layer;
    /// ```
    pub fn key_by<F>(mut self, key: F) -> Self
    where
        F: Fn(&Parts) -> Option<CacheKey> + Send + Sync + 'static,
    {
        self.config_mut().key_by = Some(Arc::new(key));
        self
    }

    /// Whether the backend's `Cache-Control` decides what is kept and for
    /// how long, within the TTL (default: yes, beyond AWS, which ignores it).
    pub fn honour_cache_control(mut self, honour: bool) -> Self {
        self.config_mut().policy.cache_control = honour;
        self
    }

    /// Lets a request's `Cache-Control: max-age=0` refresh its entry only
    /// when `allow` returns true for its head (an authorized caller, as
    /// AWS's `requireAuthorizationForCacheControl`); other such requests
    /// are answered from the cache. By default every request may refresh.
    pub fn refresh_if<F>(mut self, allow: F) -> Self
    where
        F: Fn(&Parts) -> bool + Send + Sync + 'static,
    {
        self.config_mut().refresh_if = Some(Arc::new(allow));
        self
    }

    /// Whether responses the cache was consulted for carry `X-Cache: Hit`
    /// or `X-Cache: Miss` (default: no, as in AWS).
    pub fn x_cache(mut self, enabled: bool) -> Self {
        self.config_mut().policy.x_cache = enabled;
        self
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }
}

impl<Inner, S: Store> Layer<Inner> for CacheLayer<S> {
    type Service = CacheService<Inner, S>;

    fn layer(&self, inner: Inner) -> Self::Service {
        CacheService {
            inner,
            cache: self.cache.clone(),
            config: self.config.clone(),
        }
    }
}

/// The service [`CacheLayer`] makes.
pub struct CacheService<Inner, S: Store> {
    inner: Inner,
    cache: Cache<S>,
    config: Arc<Config>,
}

impl<Inner: Clone, S: Store> Clone for CacheService<Inner, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            cache: self.cache.clone(),
            config: self.config.clone(),
        }
    }
}

impl<Inner: fmt::Debug, S: Store> fmt::Debug for CacheService<Inner, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CacheService")
            .field("inner", &self.inner)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<Inner, S: Store> CacheService<Inner, S> {
    /// The cache: its counts, and [`flush`](Cache::flush).
    pub fn cache(&self) -> &Cache<S> {
        &self.cache
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &Inner {
        &self.inner
    }
}

/// A lookup that must wait (a remote store, another request's fetch): its
/// future cannot be named, so it is boxed. Hits from memory never get here.
type Looking<S> = Pin<Box<dyn Future<Output = Lookup<S>> + Send>>;

impl<Inner, S, ReqBody, ResBody> Service<Request<ReqBody>> for CacheService<Inner, S>
where
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    S: Store,
    ResBody: Body<Data = Bytes>,
{
    type Response = Response<CacheBody<ResBody, S>>;
    type Error = Inner::Error;
    type Future = ResponseFuture<Inner, S, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let (head, body) = request.into_parts();
        let head_only = head.method == Method::HEAD;
        let key = self.config.key(&head);
        let refresh = key.is_some() && self.config.refresh(&head);
        let policy = self.config.policy;
        let future = |state| ResponseFuture {
            state,
            policy,
            head_only,
        };
        // A hit from memory: no future to box, and the service is not
        // cloned (cloning some allocates, axum's routes among them); it
        // stays ready for the next request.
        if let Some(key) = &key
            && !refresh
            && let Some(entry) = self.cache.lookup_at_once(key)
        {
            return future(State::Hit { entry: Some(entry) });
        }
        // The clone waits; the service that was polled ready serves this request.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let request = Request::from_parts(head, body);
        future(match key {
            None => State::Calling {
                future: inner.call(request),
                fill: None,
            },
            Some(key) if refresh => State::Calling {
                future: inner.call(request),
                fill: Some(self.cache.refresh(key)),
            },
            Some(key) => {
                let cache = self.cache.clone();
                State::Looking {
                    lookup: Box::pin(async move { cache.lookup(key).await }),
                    waiting: Some((inner, request)),
                }
            }
        })
    }
}
