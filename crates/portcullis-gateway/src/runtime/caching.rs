//! Stage caches, compiled: the cache each caching stage answers from, and
//! how each of its routes is cached. A cache outlives reloads that keep its
//! stage's bound and store (AWS empties a cache only when its size changes).

use std::sync::Arc;

use portcullis_cache::{
    AnyStore, Cache, CacheSettings, EncryptionKey, MemoryStore, RedisStore, Tiered,
};

use crate::config::{
    Api, CacheStoreKind, CachingSettings, GatewayConfig, Method, MethodCaching, Route, Stage,
    StageCaching,
};

/// Where a stage's entries live.
pub(crate) type StageStore = AnyStore;

/// A stage's cache and its routes' settings.
#[derive(Debug)]
pub(crate) struct StageCache {
    /// The entries, shared with the stage as compiled before a reload.
    pub(crate) cache: Cache<StageStore>,
    /// `{apiId}/{stage}`: the partition its keys start with.
    pub(crate) partition: Arc<str>,
    /// What it was made with (memory bound, store, encryption): a reload
    /// that changes it makes a new cache.
    made_with: (u64, CacheStoreKind, bool),
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

/// The Redis stores every stage cache of a gateway shares: one writing
/// entries as they are, one encrypting them (`cacheDataEncrypted`).
#[derive(Debug, Default)]
pub(crate) struct SharedStores {
    /// URL, prefix, timeout and key they were made with.
    made_with: Option<(String, String, std::time::Duration, Option<String>)>,
    plain: Option<RedisStore>,
    encrypted: Option<RedisStore>,
}

impl SharedStores {
    /// The stores `config` needs, reusing `previous`'s connections when
    /// Redis and the key are unchanged.
    ///
    /// # Errors
    /// A message when a store cannot be made (a bad key, no runtime).
    pub(crate) fn compile(
        config: &GatewayConfig,
        previous: Option<&SharedStores>,
    ) -> Result<Self, String> {
        let caching = &config.caching;
        let uses_redis = caching.store != CacheStoreKind::Memory
            && config
                .apis
                .iter()
                .flat_map(|api| &api.stages)
                .any(|stage| stage.cache.is_some());
        let Some(redis) = config.redis.as_ref().filter(|_| uses_redis) else {
            return Ok(Self::default());
        };
        let made_with = Some((
            redis.url.clone(),
            redis.prefix.clone(),
            redis.timeout,
            caching.encryption_key_env.clone(),
        ));
        if let Some(previous) = previous.filter(|p| p.made_with == made_with) {
            return Ok(Self {
                made_with,
                plain: previous.plain.clone(),
                encrypted: previous.encrypted.clone(),
            });
        }
        let builder = || {
            RedisStore::builder(&redis.url)
                .prefix(&redis.prefix)
                .timeout(redis.timeout)
        };
        let plain = builder().build().map_err(|e| e.to_string())?;
        let encrypted = match &caching.encryption_key_env {
            None => None,
            Some(name) => {
                let text = std::env::var(name)
                    .map_err(|_| format!("caching.encryption_key_env: `{name}` is not set"))?;
                let key = EncryptionKey::parse(&text).map_err(|e| {
                    format!("caching.encryption_key_env: `{name}` holds no AES-256 key: {e}")
                })?;
                Some(
                    builder()
                        .encryption(key)
                        .build()
                        .map_err(|e| e.to_string())?,
                )
            }
        };
        Ok(Self {
            made_with,
            plain: Some(plain),
            encrypted,
        })
    }

    fn redis(&self, encrypted: bool) -> Result<RedisStore, String> {
        let store = if encrypted {
            self.encrypted.as_ref()
        } else {
            self.plain.as_ref()
        };
        store.cloned().ok_or_else(|| {
            if encrypted {
                "cached methods are `encrypted`, but `caching.encryption_key_env` names no key: entries would reach Redis in clear".to_owned()
            } else {
                "the cache store needs `redis.url`".to_owned()
            }
        })
    }
}

impl StageCache {
    /// The stage's cache, reusing `previous`'s entries when its bound and
    /// store are unchanged.
    ///
    /// # Errors
    /// A message when its store cannot be had.
    pub(crate) fn compile(
        api: &Api,
        stage: &Stage,
        settings: &StageCaching,
        caching: &CachingSettings,
        shared: &SharedStores,
        previous: Option<&StageCache>,
    ) -> Result<Self, String> {
        let encrypted =
            settings.default.encrypted || settings.methods.values().any(|m| m.encrypted);
        let made_with = (settings.capacity_bytes, caching.store, encrypted);
        let cache = match previous {
            Some(previous) if previous.made_with == made_with => previous.cache.clone(),
            _ => {
                let memory = || MemoryStore::new(settings.capacity_bytes);
                let store = match caching.store {
                    CacheStoreKind::Memory => AnyStore::Memory(memory()),
                    CacheStoreKind::Redis => AnyStore::Redis(shared.redis(encrypted)?),
                    CacheStoreKind::Tiered => AnyStore::Tiered(
                        Tiered::new(memory(), shared.redis(encrypted)?).near_ttl(caching.near_ttl),
                    ),
                };
                Cache::with_settings(
                    store,
                    CacheSettings {
                        coalesce_wait: caching.coalesce_wait,
                        ..CacheSettings::default()
                    },
                )
            }
        };
        let routes = api
            .routes
            .iter()
            .map(|route| route_caching(route, settings))
            .collect();
        Ok(Self {
            cache,
            partition: format!("{}/{}", api.id, stage.name).into(),
            made_with,
            routes,
        })
    }

    /// How route `index` is cached for a request with `method`; `None`
    /// when the request goes to the backend as if there were no cache.
    pub(crate) fn route(&self, index: usize, method: &http::Method) -> Option<&RouteCaching> {
        let caching = self.routes.get(index)?.as_ref()?;
        (!caching.get_only || method == http::Method::GET).then_some(caching)
    }

    /// The bound on the memory it keeps entries in, in bytes.
    pub(crate) fn capacity(&self) -> u64 {
        self.made_with.0
    }

    /// The memory its entries are kept in: `None` for Redis alone.
    pub(crate) fn memory(&self) -> Option<&MemoryStore> {
        match self.cache.store() {
            AnyStore::Memory(store) => Some(store),
            AnyStore::Tiered(store) => Some(store.near()),
            AnyStore::Redis(_) => None,
        }
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
