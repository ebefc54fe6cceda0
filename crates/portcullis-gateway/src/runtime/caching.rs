//! Stage caches, compiled: the cache each caching stage answers from, and
//! how each of its routes is cached. A cache outlives reloads that keep its
//! stage's cluster size (AWS empties a cache only when its size changes).

use std::sync::Arc;

use portcullis_cache::{Cache, CacheSettings, MemoryStore};

use crate::config::{Api, CachingSettings, Method, MethodCaching, Route, Stage, StageCaching};

/// Where a stage's entries live.
pub(crate) type StageStore = MemoryStore;

/// A stage's cache and its routes' settings.
#[derive(Debug)]
pub(crate) struct StageCache {
    /// The entries, shared with the stage as compiled before a reload.
    pub(crate) cache: Cache<StageStore>,
    /// `{apiId}/{stage}`: the partition its keys start with.
    pub(crate) partition: Arc<str>,
    /// The bound it was made with (a reload with another makes a new cache).
    pub(crate) capacity: u64,
    /// By route index: how the route is cached, `None` when it is not.
    routes: Vec<Option<RouteCaching>>,
}

/// How one route's responses are cached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RouteCaching {
    /// The method settings that apply.
    pub(crate) settings: MethodCaching,
    /// Cached for GET requests only: the stage-wide settings (AWS caches
    /// only GET unless a method's own settings enable it).
    pub(crate) get_only: bool,
}

impl StageCache {
    /// The stage's cache, reusing `previous`'s entries when its size is unchanged.
    pub(crate) fn compile(
        api: &Api,
        stage: &Stage,
        settings: &StageCaching,
        caching: &CachingSettings,
        previous: Option<&StageCache>,
    ) -> Self {
        let cache = match previous {
            Some(previous) if previous.capacity == settings.capacity_bytes => {
                previous.cache.clone()
            }
            _ => Cache::with_settings(
                MemoryStore::new(settings.capacity_bytes),
                CacheSettings {
                    coalesce_wait: caching.coalesce_wait,
                    ..CacheSettings::default()
                },
            ),
        };
        let routes = api
            .routes
            .iter()
            .map(|route| route_caching(route, settings))
            .collect();
        Self {
            cache,
            partition: format!("{}/{}", api.id, stage.name).into(),
            capacity: settings.capacity_bytes,
            routes,
        }
    }

    /// How route `index` is cached for a request with `method`; `None`
    /// when the request goes to the backend as if there were no cache.
    pub(crate) fn route(&self, index: usize, method: &http::Method) -> Option<&RouteCaching> {
        let caching = self.routes.get(index)?.as_ref()?;
        (!caching.get_only || method == http::Method::GET).then_some(caching)
    }
}

fn route_caching(route: &Route, stage: &StageCaching) -> Option<RouteCaching> {
    let key = crate::config::limits::route_key_of(route);
    let (settings, get_only) = match stage.methods.get(&key) {
        Some(own) => (*own, false),
        None => (stage.default, true),
    };
    let cached_method = !get_only || matches!(route.method, Method::Get | Method::Any);
    (settings.enabled && !settings.ttl.is_zero() && cached_method)
        .then_some(RouteCaching { settings, get_only })
}
