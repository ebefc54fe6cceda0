//! A local function's stdout and stderr reach the gateway's log through
//! `tracing` (target `portcullis::function`), one event per line, tagged with
//! the function and the caller's request id. Captured here with a minimal
//! subscriber (the test binary's global default, so events from any worker
//! thread are seen).

mod local_support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

use local_support::*;

type Captured = Arc<Mutex<Vec<BTreeMap<String, String>>>>;

struct Capture(Captured);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "portcullis::function"
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = BTreeMap::new();
        fields.insert("level".to_owned(), event.metadata().level().to_string());
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(fields);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn install() -> Captured {
    let captured = Captured::default();
    tracing::subscriber::set_global_default(Capture(captured.clone()))
        .expect("one subscriber per test binary");
    captured
}

async fn wait_for(
    captured: &Captured,
    what: impl Fn(&BTreeMap<String, String>) -> bool,
) -> BTreeMap<String, String> {
    for _ in 0..200 {
        if let Some(found) = captured.lock().unwrap().iter().find(|event| what(event)) {
            return found.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "no such log event; captured: {:#?}",
        captured.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_output_is_logged_per_line_with_the_request_id() {
    let captured = install();
    tokio::time::timeout(TEST_LIMIT, async {
        let f = function(fixture_spec("chatty"));
        let event = json!({"action": "print", "lines": ["first line", "second line"]});
        let result = returned(invoke_as(&f, event, "gw-req-1").await);
        let aws_request_id = result["request_id"].as_str().unwrap().to_owned();

        for (stream, text) in [
            ("stdout", "first line"),
            ("stdout", "second line"),
            ("stderr", "err: first line"),
            ("stderr", "err: second line"),
        ] {
            let line = wait_for(&captured, |e| {
                e.get("message").map(String::as_str) == Some(text)
            })
            .await;
            assert_eq!(line["function"], "chatty");
            assert_eq!(line["request_id"], "gw-req-1", "{line:?}");
            assert_eq!(line["aws_request_id"], aws_request_id);
            assert_eq!(line["stream"], stream);
            assert_eq!(line["level"], "INFO");
        }

        // The next invocation's lines carry the next request id.
        let event = json!({"action": "print", "lines": ["third line"]});
        returned(invoke_as(&f, event, "gw-req-2").await);
        let line = wait_for(&captured, |e| {
            e.get("message").map(String::as_str) == Some("third line")
        })
        .await;
        assert_eq!(line["request_id"], "gw-req-2");

        // Lambda's own "Task timed out" line goes to the function's log too.
        let mut spec = fixture_spec("sleepy");
        spec.timeout = Duration::from_secs(1);
        let f = function(spec);
        let document =
            failed(invoke_as(&f, json!({"action": "sleep", "seconds": 5}), "gw-req-3").await);
        let line = wait_for(&captured, |e| {
            e.get("request_id").map(String::as_str) == Some("gw-req-3")
        })
        .await;
        assert_eq!(line["message"], document["errorMessage"].as_str().unwrap());
        assert_eq!(line["level"], "WARN");
    })
    .await
    .expect("test finished in time");
}
