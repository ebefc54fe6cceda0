//! Reload and shutdown of the real binary.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::*;

#[test]
fn sighup_reload_under_load_drops_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("api.yaml");
    std::fs::write(&api, versioned_api("v0")).unwrap();
    let server = Server::start(&["--openapi", api.to_str().unwrap()]);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (stop, ok, failures) = (stop.clone(), ok.clone(), failures.clone());
        load.push(std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut client = None;
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                // Half the workers keep their connection alive, half connect per request.
                if worker % 2 == 0 || client.is_none() {
                    client = Client::connect(addr).ok();
                }
                let result = match client.as_mut() {
                    Some(c) => c.request("GET", "/v", &[], b""),
                    None => Err(std::io::Error::other("connect failed")),
                };
                match result {
                    Ok(reply) if reply.status == 200 && reply.body.starts_with('v') => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    other => failures.lock().unwrap().push(format!("{other:?}")),
                }
            }
        }));
    }
    for version in 1..=5 {
        write_atomically(&api, &versioned_api(&format!("v{version}")));
        server.signal("HUP");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let reply = get(addr, "/v").unwrap();
            if reply.body == format!("v{version}") {
                break;
            }
            assert!(Instant::now() < deadline, "version {version} never served");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // An invalid config is rejected and the last good one keeps serving.
    write_atomically(&api, "openapi: [this is not an API");
    server.signal("HUP");
    assert!(
        server
            .wait_log("reload rejected", Duration::from_secs(10))
            .is_some()
    );
    assert_eq!(get(addr, "/v").unwrap().body, "v5");
    stop.store(true, Ordering::Relaxed);
    for worker in load {
        worker.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} requests failed during reloads: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(
        ok.load(Ordering::Relaxed) > 50,
        "the load ran: {} requests",
        ok.load(Ordering::Relaxed)
    );
}

#[test]
fn file_watch_reloads_config_and_its_openapi_files() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("api.yaml");
    let config = dir.path().join("portcullis.yaml");
    std::fs::write(&api, versioned_api("v0")).unwrap();
    std::fs::write(
        &config,
        "apis:\n  - openapi: api.yaml\nreload:\n  watch: true\n",
    )
    .unwrap();
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    assert_eq!(get(server.addr, "/v").unwrap().body, "v0");
    write_atomically(&api, &versioned_api("v1"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while get(server.addr, "/v").unwrap().body != "v1" {
        assert!(
            Instant::now() < deadline,
            "the file change was not picked up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A backend that answers after `delay`, on its own thread.
fn slow_backend(delay: Duration) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                std::thread::sleep(delay);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow",
                );
            });
        }
    });
    addr
}

#[test]
fn sigterm_drains_in_flight_requests_then_exits() {
    let backend = slow_backend(Duration::from_millis(800));
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("api.yaml");
    std::fs::write(
        &api,
        format!(
            "openapi: \"3.0.1\"\ninfo:\n  title: \"s\"\n  version: \"1\"\npaths:\n  /slow:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"http_proxy\"\n        httpMethod: \"GET\"\n        uri: \"http://{backend}/slow\"\n"
        ),
    )
    .unwrap();
    let mut server = Server::start(&["--openapi", api.to_str().unwrap()]);
    let addr = server.addr;
    let in_flight = std::thread::spawn(move || get(addr, "/slow"));
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    let reply = in_flight
        .join()
        .unwrap()
        .expect("the in-flight request completes");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "slow");
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the process exits after draining");
    assert!(status.success(), "{status:?}");
    assert!(
        get(addr, "/slow").is_err(),
        "no new connections after shutdown"
    );
}
