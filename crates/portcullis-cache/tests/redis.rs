//! The Redis store against a real Redis: `REDIS_URL`, by default
//! `redis://127.0.0.1:6379/` (scripts/test.sh starts one). The outage tests
//! start and kill their own `redis-server`s on free ports.
#![cfg(feature = "redis")]

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use portcullis_cache::{
    AnyStore, Cache, CacheKey, CachedResponse, EncryptionKey, Lookup, MemoryStore, RedisStore,
    Store, StoreError, Tiered,
};

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

/// A direct connection to the test Redis, for setup and inspection; fails
/// the test (never skips it) when Redis does not answer.
async fn raw() -> redis::aio::MultiplexedConnection {
    let url = redis_url();
    let attempt = async {
        let client = redis::Client::open(url.as_str())?;
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await?;
        Ok::<_, redis::RedisError>(connection)
    };
    match tokio::time::timeout(Duration::from_secs(3), attempt).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => panic!(
            "Redis does not answer at {url} ({error}): run scripts/test.sh, or start one with `redis-server --port 6379 --save '' --appendonly no`, or set REDIS_URL"
        ),
        Err(_) => panic!(
            "Redis does not answer at {url} within 3 s: run scripts/test.sh, or start one with `redis-server --port 6379 --save '' --appendonly no`, or set REDIS_URL"
        ),
    }
}

/// A prefix no other test (or run) uses.
fn unique_prefix(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "test-cache-{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Deletes the keys of its prefix when dropped, passed or failed.
struct Keys(String);

impl Drop for Keys {
    fn drop(&mut self) {
        // Synchronous: the test's runtime may be gone (or panicking) by now.
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_secs(2)) else {
            return;
        };
        let keys: Vec<Vec<u8>> = redis::cmd("KEYS")
            .arg(format!("{{{}}}:*", self.0))
            .query(&mut connection)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _ = redis::cmd("DEL").arg(keys).exec(&mut connection);
        }
    }
}

/// A prefix on the test Redis, and its cleanup guard.
async fn prefix(test: &str) -> Keys {
    raw().await;
    Keys(unique_prefix(test))
}

/// A connected store on the test Redis under `keys`' prefix.
async fn store(keys: &Keys) -> RedisStore {
    let store = RedisStore::builder(&redis_url())
        .prefix(&keys.0)
        .timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap();
    assert!(store.is_connected(), "{store:?}");
    store
}

/// Every byte value in the body, binary header values, several values of one name.
fn binary_entry() -> CachedResponse {
    let body: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    let mut entry = CachedResponse::new(StatusCode::NON_AUTHORITATIVE_INFORMATION, body.into());
    entry.headers.insert(
        "content-type",
        HeaderValue::from_static("application/octet-stream"),
    );
    entry.headers.append(
        "x-opaque",
        HeaderValue::from_bytes(&[0x80, 0xff, b'\t', b'a']).unwrap(),
    );
    entry
        .headers
        .append("x-opaque", HeaderValue::from_static("second"));
    entry
        .headers
        .insert("x-empty", HeaderValue::from_static(""));
    entry
}

fn text_entry(body: &'static str) -> Arc<CachedResponse> {
    Arc::new(CachedResponse::new(
        StatusCode::OK,
        Bytes::from_static(body.as_bytes()),
    ))
}

fn key(partition: &str, n: u32) -> CacheKey {
    CacheKey::builder(partition)
        .text("GET")
        .text("/items/{id}")
        .part(Some(n.to_string().as_bytes()))
        .build()
}

const TTL: Duration = Duration::from_secs(60);

#[tokio::test]
async fn entries_round_trip_byte_for_byte() {
    let keys = prefix("round-trip").await;
    let store = store(&keys).await;
    let entry = binary_entry();
    // Key parts with every awkward byte: NUL, 0xFF, glob and separator characters.
    let binary_key = CacheKey::builder("api/prod")
        .part(Some(&[0, 0xff, b':', b'*', b'{', b'}', b'\n']))
        .part(None)
        .values([b"a".as_slice(), b"".as_slice()])
        .build();
    store
        .put(binary_key.clone(), Arc::new(entry.clone()), TTL)
        .await
        .unwrap();
    let read = store.get(&binary_key).await.unwrap().expect("just written");
    assert_eq!(*read, entry);
    assert_eq!(
        read.headers.get_all("x-opaque").iter().count(),
        2,
        "both values, in order"
    );
    // A neighbouring key is not it.
    let other = CacheKey::builder("api/prod").part(Some(&[0, 0xff])).build();
    assert!(store.get(&other).await.unwrap().is_none());

    // Stored under the readable, tagged key, with Redis's own expiry.
    let redis_key = store.redis_key(&binary_key);
    assert!(redis_key.starts_with(format!("{{{}}}:c:api/prod:", keys.0).as_bytes()));
    let mut connection = raw().await;
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&redis_key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(ttl > 50_000 && ttl <= 60_000, "{ttl}");
    let stored: Vec<u8> = redis::cmd("GET")
        .arg(&redis_key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(stored, entry.encode());
}

#[tokio::test]
async fn entries_expire_with_their_ttl() {
    let keys = prefix("ttl").await;
    let store = store(&keys).await;
    store
        .put(key("s", 1), text_entry("short"), Duration::from_millis(150))
        .await
        .unwrap();
    store
        .put(key("s", 2), text_entry("long"), TTL)
        .await
        .unwrap();
    assert!(store.get(&key("s", 1)).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.get(&key("s", 1)).await.unwrap().is_none());
    assert!(store.get(&key("s", 2)).await.unwrap().is_some());
    // A zero TTL replaces the entry with nothing.
    store
        .put(key("s", 2), text_entry("gone"), Duration::ZERO)
        .await
        .unwrap();
    assert!(store.get(&key("s", 2)).await.unwrap().is_none());
}

#[tokio::test]
async fn a_flush_empties_one_partition_only() {
    let keys = prefix("flush").await;
    let other_prefix = prefix("flush-other").await;
    let neighbour = store(&other_prefix).await;
    let store = store(&keys).await;
    // Glob characters, a partition that is another's prefix, a `:`.
    let partitions = [
        "prod", "prod*", "pro?", "p[r]od", "pro\\d", "prod:x", "pro", "beta",
    ];
    for partition in partitions {
        for n in 0..5 {
            store
                .put(key(partition, n), text_entry("x"), TTL)
                .await
                .unwrap();
        }
    }
    // Enough keys for several SCAN batches.
    for n in 5..2_500 {
        store
            .put(key("prod", n), text_entry("x"), TTL)
            .await
            .unwrap();
    }
    neighbour
        .put(key("prod", 1), text_entry("x"), TTL)
        .await
        .unwrap();

    let present = |partition: &'static str| {
        let store = store.clone();
        async move {
            let mut found = 0;
            for n in 0..5 {
                found += usize::from(store.get(&key(partition, n)).await.unwrap().is_some());
            }
            found
        }
    };
    store.flush("prod*").await.unwrap();
    assert_eq!(present("prod*").await, 0);
    store.flush("pro?").await.unwrap();
    store.flush("p[r]od").await.unwrap();
    store.flush("pro\\d").await.unwrap();
    for partition in ["prod", "prod:x", "pro", "beta"] {
        assert_eq!(present(partition).await, 5, "{partition}");
    }
    store.flush("prod").await.unwrap();
    assert_eq!(present("prod").await, 0);
    for partition in ["prod:x", "pro", "beta"] {
        assert_eq!(present(partition).await, 5, "{partition}");
    }
    let mut connection = raw().await;
    let left: Vec<Vec<u8>> = redis::cmd("KEYS")
        .arg(format!("{{{}}}:c:prod:*", keys.0))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(left.is_empty(), "{} keys left", left.len());
    // Another prefix's partition of the same name is untouched.
    assert!(neighbour.get(&key("prod", 1)).await.unwrap().is_some());
    // Flushing an empty partition is fine.
    store.flush("nothing-here").await.unwrap();
}

#[tokio::test]
async fn two_nodes_share_entries() {
    let keys = prefix("nodes").await;
    let (one, two) = (store(&keys).await, store(&keys).await);
    let (cache_one, cache_two) = (Cache::new(one), Cache::new(two.clone()));
    let Lookup::Miss(fill) = cache_one.lookup(key("s", 1)).await else {
        panic!("cold key hit")
    };
    fill.complete(binary_entry(), TTL);
    // The write runs on a spawned task: wait until the other node sees it.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        if let Lookup::Hit(entry) = cache_two.lookup(key("s", 1)).await {
            assert_eq!(*entry, binary_entry());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "node two never saw node one's entry"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A flush on one node empties the partition for both.
    cache_one.flush("s").await.unwrap();
    assert!(two.get(&key("s", 1)).await.unwrap().is_none());
}

#[tokio::test]
async fn encrypted_entries_need_their_key_and_their_place() {
    let keys = prefix("encrypted").await;
    let secret = EncryptionKey::from_bytes([7; 32]);
    let encrypted = |key: EncryptionKey| {
        RedisStore::builder(&redis_url())
            .prefix(&keys.0)
            .timeout(Duration::from_millis(500))
            .encryption(key)
            .connect()
    };
    let vault = encrypted(secret.clone()).await.unwrap();
    assert!(vault.is_encrypted());
    let body = "the plaintext body of a private answer";
    vault.put(key("s", 1), text_entry(body), TTL).await.unwrap();
    assert_eq!(vault.get(&key("s", 1)).await.unwrap().unwrap().body, body);

    // Redis holds no plaintext.
    let mut connection = raw().await;
    let stored: Vec<u8> = redis::cmd("GET")
        .arg(vault.redis_key(&key("s", 1)))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(!stored.windows(9).any(|w| w == b"plaintext"));

    // Without the key, or with another: unreadable, a miss through a Cache.
    let plain = store(&keys).await;
    let other = encrypted(EncryptionKey::from_bytes([8; 32])).await.unwrap();
    for reader in [&plain, &other] {
        let error = reader.get(&key("s", 1)).await.unwrap_err();
        assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
        let cache = Cache::new(reader.clone());
        assert!(matches!(cache.lookup(key("s", 1)).await, Lookup::Miss(_)));
        assert!(cache.stats().store_errors >= 1);
    }
    // A plain entry is unreadable to the encrypting vault too.
    plain
        .put(key("s", 2), text_entry("plain"), TTL)
        .await
        .unwrap();
    assert!(matches!(
        vault.get(&key("s", 2)).await,
        Err(StoreError::Corrupt { .. })
    ));

    // Moved to another key (another caller's parameters): refused.
    let _: () = redis::cmd("SET")
        .arg(vault.redis_key(&key("s", 3)))
        .arg(&stored)
        .query_async(&mut connection)
        .await
        .unwrap();
    let error = vault.get(&key("s", 3)).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
    assert!(!error.to_string().contains(body));
    // Garbage and truncation: refused, never a panic.
    for junk in [&b""[..], b"\xe1", &stored[..stored.len() - 1]] {
        let _: () = redis::cmd("SET")
            .arg(vault.redis_key(&key("s", 4)))
            .arg(junk)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(vault.get(&key("s", 4)).await.is_err());
        assert!(plain.get(&key("s", 4)).await.is_err());
    }
}

#[tokio::test]
async fn tiered_serves_near_copies_and_flushes_both() {
    let keys = prefix("tiered").await;
    let node = |far: RedisStore| {
        Tiered::new(MemoryStore::new(1 << 20), far).near_ttl(Duration::from_millis(300))
    };
    let one = node(store(&keys).await);
    let two = node(store(&keys).await);
    one.put(key("s", 1), Arc::new(binary_entry()), TTL)
        .await
        .unwrap();
    assert!(one.near().get_now(&key("s", 1)).is_some());
    // Node two finds it far, and keeps a near copy.
    assert_eq!(
        *two.get(&key("s", 1)).await.unwrap().unwrap(),
        binary_entry()
    );
    assert!(two.near().get_now(&key("s", 1)).is_some());
    // Gone from Redis: the near copy answers until its cap runs out.
    let mut connection = raw().await;
    let _: () = redis::cmd("DEL")
        .arg(two.far().redis_key(&key("s", 1)))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(two.get(&key("s", 1)).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(two.get(&key("s", 1)).await.unwrap().is_none());

    // A flush empties this node's memory and Redis.
    one.put(key("s", 2), text_entry("b"), TTL).await.unwrap();
    let any = AnyStore::from(one.clone());
    let cache = Cache::new(any);
    assert!(matches!(cache.lookup(key("s", 2)).await, Lookup::Hit(_)));
    cache.flush("s").await.unwrap();
    assert!(one.near().get_now(&key("s", 2)).is_none());
    assert!(one.far().get(&key("s", 2)).await.unwrap().is_none());
    assert!(matches!(cache.lookup(key("s", 2)).await, Lookup::Miss(_)));
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `redis-server` of this test's own, killed (by its PID) when dropped.
struct RedisServer {
    child: Child,
}

impl RedisServer {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start redis-server ({error}): install it (apt-get install redis-server) or run scripts/test.sh")
            });
        let server = Self { child };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !pong(port) {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {port} within 5 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pong(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut answer = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// Fills `key` through `cache` and waits until the store answers it.
async fn fill_and_wait(cache: &Cache<RedisStore>, key: CacheKey, deadline: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < deadline {
        match cache.lookup(key.clone()).await {
            Lookup::Hit(_) => return true,
            Lookup::Miss(fill) => fill.complete(binary_entry(), TTL),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn an_outage_costs_misses_not_time_and_heals_itself() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let server = RedisServer::start(port);
    let store = RedisStore::builder(&url)
        .timeout(Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    assert!(store.is_connected());
    let cache = Cache::new(store.clone());
    assert!(fill_and_wait(&cache, key("s", 1), Duration::from_secs(2)).await);

    // Redis goes away mid-test.
    drop(server);
    let mut slowest = Duration::ZERO;
    for n in 0..50 {
        let started = Instant::now();
        let found = cache.lookup(key("s", n % 3)).await;
        slowest = slowest.max(started.elapsed());
        let Lookup::Miss(fill) = found else {
            panic!("a hit with Redis down")
        };
        // The writes fail too, without a panic.
        fill.complete(binary_entry(), TTL);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    eprintln!("slowest lookup with Redis down: {slowest:?}");
    assert!(slowest < Duration::from_millis(150), "{slowest:?}");
    assert!(cache.stats().store_errors >= 50);
    assert!(store.flush("s").await.is_err());

    // Back on the same port (empty: nothing persisted): the store finds it alone.
    let _server = RedisServer::start(port);
    let started = Instant::now();
    assert!(
        fill_and_wait(&cache, key("s", 1), Duration::from_secs(5)).await,
        "the store did not recover within 5 s: {store:?}"
    );
    eprintln!(
        "recovered {:?} after redis-server restarted",
        started.elapsed()
    );
    assert!(store.is_connected());
    store.flush("s").await.unwrap();
}

#[tokio::test]
async fn a_store_made_while_redis_is_away_connects_when_it_comes() {
    let port = free_port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/");
    let store = RedisStore::builder(&url).build().unwrap();
    let connected = RedisStore::connect(&url).await.unwrap();
    assert!(!connected.is_connected());
    let error = store.get(&key("s", 1)).await.unwrap_err();
    assert!(matches!(error, StoreError::Unavailable { .. }), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{store:?}").contains("hunter2"));

    let _server = RedisServer::start(port);
    let deadline = Instant::now() + Duration::from_secs(5);
    // This redis-server has no password: AUTH fails, and says so without the password.
    loop {
        match store.get(&key("s", 1)).await {
            Err(error) => {
                assert!(!error.to_string().contains("hunter2"), "{error}");
                assert!(Instant::now() < deadline, "{error}");
            }
            Ok(_) => panic!("AUTH with a password must fail on a server without one"),
        }
        if Instant::now() + Duration::from_millis(1_500) > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let plain = RedisStore::builder(&format!("redis://127.0.0.1:{port}/"))
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while plain.get(&key("s", 1)).await.is_err() {
        assert!(Instant::now() < deadline, "{plain:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sends `signal` to the test's own redis-server, by its PID.
fn signal(server: &RedisServer, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn a_frozen_redis_costs_one_timeout_per_call_at_most() {
    let port = free_port();
    let server = RedisServer::start(port);
    let timeout = Duration::from_millis(50);
    let store = RedisStore::builder(&format!("redis://127.0.0.1:{port}/"))
        .timeout(timeout)
        .connect()
        .await
        .unwrap();
    store.put(key("s", 1), text_entry("x"), TTL).await.unwrap();

    // The process stops answering but its socket stays open: no reset, only silence.
    signal(&server, "-STOP");
    let mut slowest = Duration::ZERO;
    let mut timeouts = 0;
    let until = Instant::now() + Duration::from_millis(1_500);
    while Instant::now() < until {
        let started = Instant::now();
        match store.get(&key("s", 1)).await {
            Err(StoreError::Timeout { .. }) => timeouts += 1,
            Err(StoreError::Unavailable { .. }) => {}
            other => panic!("a frozen Redis answered {other:?}"),
        }
        slowest = slowest.max(started.elapsed());
    }
    eprintln!("frozen Redis: {timeouts} timeouts, slowest call {slowest:?}");
    assert!(timeouts >= 1);
    assert!(
        slowest < timeout + Duration::from_millis(100),
        "{slowest:?}"
    );

    signal(&server, "-CONT");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(Some(entry)) = store.get(&key("s", 1)).await {
            assert_eq!(entry.body, "x");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery after SIGCONT: {store:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
