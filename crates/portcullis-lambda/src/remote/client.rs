//! The Invoke API over HTTP: building and signing the request, and reading
//! Lambda's answer back into an [`Outcome`] or an [`InvokeError`].

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use bytes::Bytes;
use http::header::{HOST, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::error_chain;
use super::spec::RemoteError;
use crate::{InvokeError, Outcome};

/// The pooled HTTP/1.1 + HTTP/2 client every remote function uses.
pub(crate) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Lambda's synchronous payload limit is 6 MB; anything much larger is not a
/// Lambda answer and is refused rather than buffered.
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// The SigV4 service name of the Invoke API.
const SERVICE: &str = "lambda";

const INVOCATION_TYPE: HeaderName = HeaderName::from_static("x-amz-invocation-type");
const FUNCTION_ERROR: HeaderName = HeaderName::from_static("x-amz-function-error");
const ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");

/// The system's root certificates, loaded once per process: loading them
/// reads files (and can take a while), and they do not change under us.
static NATIVE_ROOTS: OnceLock<Result<Arc<rustls::RootCertStore>, String>> = OnceLock::new();

fn native_roots() -> Result<Arc<rustls::RootCertStore>, String> {
    NATIVE_ROOTS
        .get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            let mut roots = rustls::RootCertStore::empty();
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            if added == 0 {
                let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
                return Err(if errors.is_empty() {
                    "the system trust store is empty".to_owned()
                } else {
                    errors.join("; ")
                });
            }
            Ok(Arc::new(roots))
        })
        .clone()
}

/// Builds the client. Root certificates are only needed, and only loaded,
/// for an https endpoint; a plain-http emulator works on a machine without any.
pub(crate) fn http_client(name: &str, https: bool) -> Result<HttpClient, RemoteError> {
    let roots = if https {
        native_roots().map_err(|detail| RemoteError::NoRootCertificates {
            name: name.to_owned(),
            detail,
        })?
    } else {
        Arc::new(rustls::RootCertStore::empty())
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|error| RemoteError::Tls {
        name: name.to_owned(),
        detail: error.to_string(),
    })?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .build(connector))
}

/// One Invoke request, before signing.
pub(crate) struct Invocation<'a> {
    pub(crate) uri: &'a http::Uri,
    pub(crate) host: &'a str,
    pub(crate) region: &'a str,
    pub(crate) payload: Bytes,
    /// `X-Amzn-Trace-Id`, added after signing.
    pub(crate) trace: Option<HeaderValue>,
}

/// Builds the `RequestResponse` Invoke request and signs it with SigV4 at `now`.
///
/// The `host` header is set explicitly because it is signed: it must be the
/// very value that goes on the wire, not one the HTTP client derives later.
pub(crate) fn signed_request(
    invocation: Invocation<'_>,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<Request<Full<Bytes>>, String> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(invocation.uri.clone())
        .header(HOST, invocation.host)
        .header(INVOCATION_TYPE, "RequestResponse")
        .body(invocation.payload)
        .map_err(|error| format!("building the request failed: {error}"))?;
    super::signer::sign(&mut request, SERVICE, invocation.region, credentials, now)
        .map_err(|error| error.to_string())?;
    // Not signed: SigV4 leaves the trace header out, as tracing proxies rewrite it.
    if let Some(trace) = invocation.trace {
        request
            .headers_mut()
            .insert(HeaderName::from_static("x-amzn-trace-id"), trace);
    }
    // Not signed (SigV4 excludes it, as proxies rewrite it).
    request.headers_mut().insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("portcullis/", env!("CARGO_PKG_VERSION"))),
    );
    Ok(request.map(Full::new))
}

/// Reads Lambda's answer to an Invoke call.
///
/// - 200 without `X-Amz-Function-Error`: the handler's result.
/// - 200 with it: the function failed; the body is its error document.
/// - Anything else: Lambda refused the call (unknown function, throttling,
///   bad signature, service error); see [`remote_error`].
pub(crate) async fn read_answer(
    function: &str,
    response: Response<Incoming>,
) -> Result<Outcome, InvokeError> {
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_ANSWER)
        .collect()
        .await
        .map_err(|error| InvokeError::Transport {
            function: function.to_owned(),
            message: format!("reading the answer failed: {}", error_chain(error.as_ref())),
        })?
        .to_bytes();
    if parts.status == StatusCode::OK {
        return Ok(if parts.headers.contains_key(FUNCTION_ERROR) {
            Outcome::Failed(body)
        } else {
            Outcome::Returned(body)
        });
    }
    Err(remote_error(function, parts.status, &parts.headers, &body))
}

/// Lambda's error answer as an [`InvokeError::Remote`], its message
/// `ErrorType (Reason): message`.
///
/// The error type comes from `x-amzn-ErrorType` (minus any `:namespace`
/// suffix) or the body's `__type`; the message from the body's `message` or
/// `Message`; `Reason` is set on throttling (which limit was hit). A body that
/// is not Lambda's JSON is quoted, shortened, instead.
///
/// A 429 stays a `Remote` error with status 429 rather than becoming
/// [`InvokeError::Throttled`]: that variant reports a reserved-concurrency
/// limit, which Lambda's answer does not tell (it may equally be the account's
/// limit or a burst limit).
pub(crate) fn remote_error(
    function: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> InvokeError {
    let document: Option<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(body).ok();
    let field = |key: &str| {
        document
            .as_ref()
            .and_then(|document| document.get(key))
            .and_then(serde_json::Value::as_str)
            .filter(|text| !text.is_empty())
    };
    let error_type = headers
        .get(ERROR_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(':').next().unwrap_or(value))
        .filter(|value| !value.is_empty())
        .or_else(|| field("__type").map(|value| value.rsplit('#').next().unwrap_or(value)));
    let detail = field("message").or_else(|| field("Message"));
    let mut message = error_type.unwrap_or("error").to_owned();
    if let Some(reason) = field("Reason") {
        message.push_str(&format!(" ({reason})"));
    }
    match detail {
        Some(detail) => message.push_str(&format!(": {detail}")),
        None if document.is_none() && !body.is_empty() => {
            let text = String::from_utf8_lossy(body);
            let short: String = text.chars().take(200).collect();
            message.push_str(&format!(": {short:?}"));
        }
        None => {}
    }
    InvokeError::Remote {
        function: function.to_owned(),
        status: status.as_u16(),
        message,
    }
}

/// A transport failure and its causes (hyper's own message is terse:
/// "client error (Connect)"; the causes say "connection refused").
pub(crate) fn transport_error(
    function: &str,
    error: &hyper_util::client::legacy::Error,
) -> InvokeError {
    InvokeError::Transport {
        function: function.to_owned(),
        message: error_chain(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(status: u16, error_type: Option<&str>, body: &str) -> (u16, String) {
        let mut headers = HeaderMap::new();
        if let Some(error_type) = error_type {
            headers.insert(ERROR_TYPE, HeaderValue::from_str(error_type).unwrap());
        }
        match remote_error(
            "f",
            StatusCode::from_u16(status).unwrap(),
            &headers,
            body.as_bytes(),
        ) {
            InvokeError::Remote {
                status, message, ..
            } => (status, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            remote(
                404,
                Some("ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awsgirgarden/"),
                r#"{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:1:function:f"}"#
            ),
            (404, "ResourceNotFoundException: Function not found: arn:aws:lambda:eu-west-1:1:function:f".into())
        );
        assert_eq!(
            remote(429, None, r#"{"__type":"com.amazon#TooManyRequestsException","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Message":"Rate Exceeded."}"#).1,
            "TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded): Rate Exceeded."
        );
        assert_eq!(
            remote(502, None, "<html>bad gateway</html>").1,
            "error: \"<html>bad gateway</html>\""
        );
        assert_eq!(remote(500, None, "").1, "error");
    }
}
