//! SigV4 verification: a header-signed GET with three signed headers and a
//! POST with a 1 KiB body, against the anchor of signing the same request
//! with `aws-sigv4` (what a client pays; verification recomputes the same).
//!
//! `cargo bench -p portcullis-auth --bench sigv4`

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use portcullis_auth::sigv4::{SignedRequest, SigningSecret, Verifier};

const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
const KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_472_000)
}

/// Signs `request` as a client does; returns the signature.
fn client_sign(request: &mut Request<Vec<u8>>, apply: bool) -> String {
    let identity: Identity = Credentials::new(KEY, SECRET, None, None, "bench").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("execute-api")
        .time(signed_at())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = request.uri().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
        SignableBody::Bytes(request.body()),
    )
    .unwrap();
    let (instructions, signature) = sign(signable, &params).unwrap().into_parts();
    if apply {
        instructions.apply_to_request_http1x(request);
    }
    signature
}

fn get() -> Request<Vec<u8>> {
    // Signed: host, x-amz-date (added by the signer) and accept.
    Request::get(format!("https://{HOST}/prod/pets/42?type=dog&page=2"))
        .header("host", HOST)
        .header("accept", "application/json")
        .header("user-agent", "bench/1.0")
        .body(Vec::new())
        .unwrap()
}

fn post() -> Request<Vec<u8>> {
    Request::post(format!("https://{HOST}/prod/pets"))
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(vec![b'x'; 1024])
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let verifier = Verifier::new("us-east-1");
    let secret = SigningSecret::new(SECRET);
    let lookup = move |id: &str| (id == KEY).then(|| secret.clone());
    let now = signed_at() + Duration::from_secs(1);

    let mut group = c.benchmark_group("sigv4");
    for (name, request) in [("get_3_headers", get()), ("post_1k_body", post())] {
        let mut signed = request.clone();
        client_sign(&mut signed, true);
        let check = SignedRequest::new(
            signed.method(),
            signed.uri(),
            signed.headers(),
            signed.body(),
        );
        verifier.verify(&check, now, &lookup).unwrap();
        group.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| verifier.verify(black_box(&check), now, &lookup).unwrap())
        });
        group.bench_function(format!("aws_sigv4_sign/{name}"), |b| {
            let mut request = request.clone();
            b.iter(|| client_sign(black_box(&mut request), false))
        });
    }

    // The hand-written path (a request dated by its `Date` header).
    let mut dated = get();
    let date = "Sat, 05 Dec 2026 12:00:00 GMT";
    dated.headers_mut().insert("date", date.parse().unwrap());
    let signature = hand_signed(&dated);
    dated.headers_mut().insert(
        "authorization",
        format!("AWS4-HMAC-SHA256 Credential={KEY}/20261205/us-east-1/execute-api/aws4_request, SignedHeaders=accept;date;host, Signature={signature}").parse().unwrap(),
    );
    let check = SignedRequest::new(dated.method(), dated.uri(), dated.headers(), dated.body());
    verifier.verify(&check, now, &lookup).unwrap();
    group.bench_function("verify/get_3_headers_date_header", |b| {
        b.iter(|| verifier.verify(black_box(&check), now, &lookup).unwrap())
    });

    // Refusals that stop before any HMAC.
    let unsigned = get();
    let check = SignedRequest::new(
        unsigned.method(),
        unsigned.uri(),
        unsigned.headers(),
        unsigned.body(),
    );
    group.bench_function("refuse/missing_token", |b| {
        b.iter(|| {
            verifier
                .verify(black_box(&check), now, &lookup)
                .unwrap_err()
        })
    });
    group.finish();
}

/// The signature of a `Date`-dated GET, computed the way the SigV4
/// specification writes it (no `aws-sigv4` shortcut: it would add `x-amz-date`).
fn hand_signed(request: &Request<Vec<u8>>) -> String {
    use ring::digest::{SHA256, digest};
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let canonical = format!(
        "GET\n/prod/pets/42\npage=2&type=dog\naccept:application/json\ndate:{}\nhost:{HOST}\n\naccept;date;host\n{}",
        request.headers()["date"].to_str().unwrap(),
        hex(digest(&SHA256, b"").as_ref()),
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20261205T120000Z\n20261205/us-east-1/execute-api/aws4_request\n{}",
        hex(digest(&SHA256, canonical.as_bytes()).as_ref())
    );
    let key = v4::generate_signing_key(SECRET, signed_at(), "us-east-1", "execute-api");
    v4::calculate_signature(key, string_to_sign.as_bytes())
}

criterion_group!(benches, bench);
criterion_main!(benches);
