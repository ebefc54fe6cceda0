//! Loopback fakes for `tests/remote.rs`: a recording HTTP server, and the
//! three services `aws-config`'s credential providers call, each answering
//! with given keys only when asked the way the real service is asked:
//!
//! - the container credentials endpoint (ECS, EKS Pod Identity), with an
//!   optional `Authorization` token;
//! - the EC2 instance metadata service, IMDSv2 (a session token first);
//! - STS `AssumeRoleWithWebIdentity` (a form-encoded POST, an XML answer).
//!
//! Nothing here prints a secret: failures name methods and paths only.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use portcullis_lambda::remote::{CredentialSource, StaticCredentials};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Test keys; the secret and token must never show in `Debug` output.
#[derive(Clone, Copy)]
pub struct Keys {
    pub access_key: &'static str,
    pub secret_key: &'static str,
    pub token: Option<&'static str>,
}

impl Keys {
    pub fn source(self) -> CredentialSource {
        CredentialSource::Static(StaticCredentials::new(
            self.access_key,
            self.secret_key,
            self.token.map(str::to_owned),
        ))
    }
}

/// A request as a fake server received it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Reads a whole request; a body that fails to arrive is recorded empty.
    pub async fn read(request: Request<Incoming>) -> Self {
        let (parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map(|body| body.to_bytes())
            .unwrap_or_default();
        Self {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
        }
    }

    /// The fields of a form-encoded body, decoded.
    pub fn form(&self) -> Vec<(String, String)> {
        self.body
            .split(|byte| *byte == b'&')
            .filter(|field| !field.is_empty())
            .map(|field| {
                let mut parts = field.splitn(2, |byte| *byte == b'=');
                let name = form_decode(parts.next().unwrap_or_default());
                let value = form_decode(parts.next().unwrap_or_default());
                (name, value)
            })
            .collect()
    }

    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

fn form_decode(raw: &[u8]) -> String {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|byte| if *byte == b'+' { b' ' } else { *byte })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// `METHOD /path` of each request: what a failure may show of them.
pub fn request_lines(requests: &[Captured]) -> Vec<String> {
    requests
        .iter()
        .map(|request| format!("{} {}", request.method, request.path))
        .collect()
}

type Handler = Arc<dyn Fn(&Captured) -> Response<Full<Bytes>> + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 that records every request and answers
/// it with `handler`.
pub struct FakeServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Captured>>>,
    task: JoinHandle<()>,
}

impl FakeServer {
    pub async fn start(
        handler: impl Fn(&Captured) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        let handler: Handler = Arc::new(handler);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                let handler = Arc::clone(&handler);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let recorded = Arc::clone(&recorded);
                        let handler = Arc::clone(&handler);
                        async move {
                            let captured = Captured::read(request).await;
                            let response = handler(&captured);
                            recorded.lock().unwrap().push(captured);
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reply(status: u16, content_type: &str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// When the fakes' keys expire: two hours from now, as RFC 3339.
fn expiration() -> String {
    rfc3339(SystemTime::now() + Duration::from_secs(2 * 3600))
}

// ===== container credentials =====

/// The path the container endpoint serves.
pub const CONTAINER_PATH: &str = "/creds";

/// The container credentials endpoint: `GET /creds` answers `keys` as the
/// ECS agent does; with `authorization`, only to requests whose
/// `Authorization` header is exactly that.
pub fn container_endpoint(
    keys: Keys,
    authorization: Option<&'static str>,
) -> impl Fn(&Captured) -> Response<Full<Bytes>> + Send + Sync + 'static {
    move |request| {
        if request.method != "GET" || request.path != CONTAINER_PATH {
            return reply(404, "text/plain", "not found".to_owned());
        }
        if authorization.is_some() && request.header("authorization") != authorization {
            return reply(
                401,
                "application/json",
                r#"{"message":"missing or wrong Authorization"}"#.to_owned(),
            );
        }
        let document = serde_json::json!({
            "AccessKeyId": keys.access_key,
            "SecretAccessKey": keys.secret_key,
            "Token": keys.token.expect("container keys have a session token"),
            "Expiration": expiration(),
        });
        reply(200, "application/json", document.to_string())
    }
}

// ===== instance metadata (IMDSv2) =====

/// The session token the fake instance metadata service hands out.
pub const IMDS_TOKEN: &str = "fake-imds-session-token";

/// The role of the fake instance profile.
pub const IMDS_ROLE: &str = "portcullis-instance-role";

const IMDS_CREDENTIALS: &str = "/latest/meta-data/iam/security-credentials/";

/// The instance metadata service, IMDSv2 only: `PUT /latest/api/token` with
/// a TTL header answers [`IMDS_TOKEN`]; every `GET` without that token in
/// `x-aws-ec2-metadata-token` is refused (401). The security credentials
/// list names [`IMDS_ROLE`], whose document holds `keys`.
pub fn instance_metadata(
    keys: Keys,
) -> impl Fn(&Captured) -> Response<Full<Bytes>> + Send + Sync + 'static {
    move |request| {
        if request.method == "PUT" && request.path == "/latest/api/token" {
            let ttl = request.header("x-aws-ec2-metadata-token-ttl-seconds");
            return match ttl.map(str::parse::<u32>) {
                Some(Ok(ttl)) if (1..=21_600).contains(&ttl) => Response::builder()
                    .header("x-aws-ec2-metadata-token-ttl-seconds", ttl)
                    .header("content-type", "text/plain")
                    .body(Full::new(Bytes::from_static(IMDS_TOKEN.as_bytes())))
                    .unwrap(),
                _ => reply(400, "text/plain", "bad token TTL".to_owned()),
            };
        }
        if request.method != "GET" {
            return reply(405, "text/plain", "method not allowed".to_owned());
        }
        if request.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN) {
            return reply(401, "text/plain", "unauthorized".to_owned());
        }
        match request.path.strip_prefix(IMDS_CREDENTIALS) {
            Some("") => reply(200, "text/plain", IMDS_ROLE.to_owned()),
            Some(role) if role == IMDS_ROLE => {
                let document = serde_json::json!({
                    "Code": "Success",
                    "LastUpdated": rfc3339(SystemTime::now()),
                    "Type": "AWS-HMAC",
                    "AccessKeyId": keys.access_key,
                    "SecretAccessKey": keys.secret_key,
                    "Token": keys.token.expect("instance keys have a session token"),
                    "Expiration": expiration(),
                });
                reply(200, "text/plain", document.to_string())
            }
            _ => reply(404, "text/plain", "not found".to_owned()),
        }
    }
}

// ===== STS AssumeRoleWithWebIdentity =====

/// STS, which knows one action: `AssumeRoleWithWebIdentity`, answered with
/// `keys` when the form carries every field of `expected` with that value
/// (an `InvalidIdentityToken` error otherwise).
pub fn sts_web_identity(
    keys: Keys,
    expected: &'static [(&'static str, &'static str)],
) -> impl Fn(&Captured) -> Response<Full<Bytes>> + Send + Sync + 'static {
    move |request| {
        let form = request.form();
        let has = |name: &str, value: &str| form.iter().any(|(k, v)| k == name && v == value);
        let accepted = request.method == "POST"
            && request.path == "/"
            && has("Action", "AssumeRoleWithWebIdentity")
            && has("Version", "2011-06-15")
            && expected.iter().all(|(name, value)| has(name, value));
        if !accepted {
            let error = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>\
                <Message>The fake STS refused the request</Message></Error>\
                <RequestId>fake-request</RequestId></ErrorResponse>";
            return reply(400, "text/xml", error.to_owned());
        }
        let body = format!(
            "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
               <AssumeRoleWithWebIdentityResult>\
                 <SubjectFromWebIdentityToken>portcullis-test</SubjectFromWebIdentityToken>\
                 <AssumedRoleUser>\
                   <Arn>arn:aws:sts::123456789012:assumed-role/portcullis-web/portcullis</Arn>\
                   <AssumedRoleId>AROAFAKEROLEID:portcullis</AssumedRoleId>\
                 </AssumedRoleUser>\
                 <Credentials>\
                   <AccessKeyId>{}</AccessKeyId>\
                   <SecretAccessKey>{}</SecretAccessKey>\
                   <SessionToken>{}</SessionToken>\
                   <Expiration>{}</Expiration>\
                 </Credentials>\
               </AssumeRoleWithWebIdentityResult>\
               <ResponseMetadata><RequestId>fake-request</RequestId></ResponseMetadata>\
             </AssumeRoleWithWebIdentityResponse>",
            keys.access_key,
            keys.secret_key,
            keys.token.expect("web identity keys have a session token"),
            expiration(),
        );
        reply(200, "text/xml", body)
    }
}

// ===== time =====

/// `time` in UTC as RFC 3339 (`2026-12-05T17:04:00Z`), whole seconds.
pub fn rfc3339(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap();
    let of_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The Gregorian date `days` after 1970-01-01, by counting 400-year eras
/// that start on 1 March (so the leap day is the last day of a year).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468; // days since 0000-03-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[test]
fn rfc3339_of_known_instants() {
    let at = |seconds| rfc3339(UNIX_EPOCH + Duration::from_secs(seconds));
    assert_eq!(at(0), "1970-01-01T00:00:00Z");
    assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(at(1_700_000_000), "2023-11-14T22:13:20Z");
    assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
}
