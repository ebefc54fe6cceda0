//! examples/ratelimit_axum.rs: built, started and throttled as API Gateway throttles.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use support::*;

/// The running example, stopped by PID when dropped (also when an assertion fails).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the example once and starts it with `env`; returns it and its address.
fn start_example(env: &[(&str, &str)]) -> (Running, std::net::SocketAddr) {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "ratelimit_axum"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the example builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    // One request every 10 s, 3 at once: nothing refills during the test.
    let mut example = Running(
        Command::new(target.join("debug/examples/ratelimit_axum"))
            .args(["127.0.0.1:0", "0.1", "3"])
            .env_remove("REDIS_URL")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the example starts"),
    );
    let mut line = String::new();
    BufReader::new(example.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (example, addr)
}

/// Two copies of the example on one Redis share their buckets.
#[test]
fn the_rate_limit_layer_shares_buckets_through_redis() {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    if std::net::TcpStream::connect("127.0.0.1:6379").is_err() && url.contains("127.0.0.1:6379") {
        panic!(
            "no Redis answers at {url}: run scripts/test.sh (it starts one) or start redis-server"
        );
    }
    let prefix = format!(
        "example-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let env = [
        ("REDIS_URL", url.as_str()),
        ("REDIS_PREFIX", prefix.as_str()),
    ];
    let (_first, first) = start_example(&env);
    let (_second, second) = start_example(&env);
    let statuses: Vec<u16> = [first, second, first, second, first]
        .iter()
        .map(|addr| get(*addr, "/hello").unwrap().status)
        .collect();
    assert_eq!(
        statuses,
        [200, 200, 200, 429, 429],
        "one bucket of 3 for both servers"
    );
}

#[test]
fn the_rate_limit_layer_throttles_an_axum_server_alone() {
    let (example, addr) = start_example(&[]);

    for remaining in ["2", "1", "0"] {
        let reply = get(addr, "/hello").unwrap();
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (200, "hello 127.0.0.1\n")
        );
        assert_eq!(reply.header("ratelimit-limit"), Some("3"));
        assert_eq!(reply.header("ratelimit-remaining"), Some(remaining));
        assert!(reply.header("retry-after").is_none());
        assert!(reply.header("x-amzn-errortype").is_none());
    }
    // The burst is spent, on every connection from this address.
    let mut client = Client::connect(addr).unwrap();
    for _ in 0..2 {
        let refused = client.request("GET", "/hello", &[], b"").unwrap();
        assert_eq!(
            (refused.status, refused.body.as_str()),
            (429, r#"{"message":"Too Many Requests"}"#)
        );
        assert_eq!(refused.header("content-type"), Some("application/json"));
        assert_eq!(
            refused.header("x-amzn-errortype"),
            Some("TooManyRequestsException")
        );
        let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=10).contains(&retry_after), "{retry_after}");
        assert_eq!(refused.header("ratelimit-remaining"), Some("0"));
    }
    // Routes outside the layer are not limited.
    for _ in 0..5 {
        let reply = client.request("GET", "/health", &[], b"").unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok\n"));
    }
    drop(example);
}
