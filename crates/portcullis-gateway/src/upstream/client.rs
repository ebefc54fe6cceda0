//! The pooled HTTP client for HTTP and HTTP proxy integrations.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::Authority;
use http::{Request, Response, Uri, Version};
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::error::{UpstreamBuildError, UpstreamError};
use super::pool::{Http1Pool, UpstreamResponseBody};
use super::roots;
use crate::config::model::UpstreamSettings;

/// How long an unused keep-alive connection stays in the pool.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// TCP keep-alive probe interval on backend connections, so dead peers are
/// noticed on long-idle pooled connections.
pub(super) const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

type Connector = HttpsConnector<HttpConnector>;

/// The request body sent to backends: the whole payload as one [`Bytes`]
/// frame. Build it with `Full::new(bytes)`; the bytes are handed over, not
/// copied. (API Gateway buffers request payloads anyway, so nothing streams.)
pub type UpstreamBody = Full<Bytes>;

/// A pooled client for HTTP backends, shared by every route of a gateway.
///
/// Connections are kept alive and reused per `scheme://host:port`. Cleartext
/// HTTP/1.1 backends are pooled by the gateway itself (`pool.rs`: cheaper per
/// request than hyper-util's pool); HTTPS goes
/// through rustls (`ring`) trusting the system roots plus the configured CA
/// files, offering ALPN `h2` and `http/1.1`: HTTP/2 is used when the backend
/// picks it. Cleartext `http://` backends are spoken to in HTTP/1.1, or in
/// HTTP/2 with prior knowledge (h2c) when asked through
/// [`UpstreamRequestOptions::http2_prior_knowledge`].
///
/// Cloning is cheap: clones share the connection pools.
#[derive(Clone, Debug)]
pub struct UpstreamClient {
    /// HTTP/1.1 for `http://`.
    http1: Arc<Http1Pool>,
    /// ALPN-negotiated for `https://`.
    negotiated: Client<Connector, UpstreamBody>,
    /// HTTP/2 only, for h2c backends.
    h2c: Client<Connector, UpstreamBody>,
}

/// Per-request choices beyond the URI.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpstreamRequestOptions {
    /// Speak HTTP/2 without negotiation (h2c, "prior knowledge") to a
    /// cleartext `http://` backend. Ignored for `https://`, where ALPN decides.
    pub http2_prior_knowledge: bool,
}

impl UpstreamClient {
    /// Builds the client: loads the system roots and every CA file of
    /// `settings`, and sets up the connection pools (nothing connects yet).
    ///
    /// Reads files synchronously; call it at startup or on reload, not per
    /// request.
    ///
    /// # Errors
    ///
    /// [`UpstreamBuildError`] naming the CA file that is missing, unreadable,
    /// not PEM, holds no certificate or an unusable one. Having no system
    /// roots is not an error (only a warning).
    pub fn new(settings: &UpstreamSettings) -> Result<Self, UpstreamBuildError> {
        let tls = roots::client_config(&settings.ca_files)?;

        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_keepalive(Some(TCP_KEEPALIVE));

        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(tcp);

        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new());
        let negotiated = builder.build(connector.clone());
        builder.http2_only(true);
        let h2c = builder.build(connector);
        Ok(Self {
            http1: Http1Pool::new(POOL_IDLE_TIMEOUT),
            negotiated,
            h2c,
        })
    }

    /// Sends `req` with default options (HTTP/1.1 to `http://`, ALPN for
    /// `https://`) and waits for the response head.
    ///
    /// See [`send_with`](Self::send_with).
    ///
    /// # Errors
    ///
    /// As [`send_with`](Self::send_with).
    pub async fn send(
        &self,
        req: Request<UpstreamBody>,
        timeout: Duration,
    ) -> Result<Response<UpstreamResponseBody>, UpstreamError> {
        self.send_with(req, timeout, UpstreamRequestOptions::default())
            .await
    }

    /// Sends `req` to the absolute `http://` or `https://` URI it carries and
    /// waits at most `timeout` for the response head; the body streams after.
    ///
    /// The timeout covers taking or opening a connection (DNS, TCP, TLS),
    /// writing the request and receiving the response head; reading the body
    /// is not covered (bound it with the caller's own deadline). The request's
    /// version is ignored: the protocol is chosen per connection. A missing
    /// `Host` header is filled from the URI for HTTP/1.1; strip hop-by-hop
    /// headers first ([`strip_hop_by_hop`](super::strip_hop_by_hop)).
    ///
    /// # Errors
    ///
    /// - [`UpstreamError::InvalidUri`]: not an absolute http(s) URI with a host;
    /// - [`UpstreamError::Timeout`]: no response head within `timeout`;
    /// - [`UpstreamError::Connect`]: DNS failure, refused, unreachable;
    /// - [`UpstreamError::Tls`]: handshake or certificate failure;
    /// - [`UpstreamError::Protocol`]: malformed response, connection dropped.
    pub async fn send_with(
        &self,
        req: Request<UpstreamBody>,
        timeout: Duration,
        options: UpstreamRequestOptions,
    ) -> Result<Response<UpstreamResponseBody>, UpstreamError> {
        let target = Target::of(req.uri())?;
        match tokio::time::timeout(timeout, self.exchange(req, options)).await {
            Ok(answer) => answer,
            Err(_elapsed) => Err(UpstreamError::Timeout {
                endpoint: target.endpoint(),
                timeout,
            }),
        }
    }

    /// As [`send_with`](Self::send_with) with no time bound: the caller
    /// bounds the exchange, so a request costs one timer, not one per layer.
    pub(crate) async fn exchange(
        &self,
        mut req: Request<UpstreamBody>,
        options: UpstreamRequestOptions,
    ) -> Result<Response<UpstreamResponseBody>, UpstreamError> {
        let target = Target::of(req.uri())?;
        // HTTP/1.0 would disable keep-alive and HTTP/2 is refused on HTTP/1
        // connections: the connection decides the version.
        *req.version_mut() = Version::HTTP_11;
        if !target.https && !options.http2_prior_knowledge {
            return match self.http1.send(&target.authority, req).await {
                Ok(response) => Ok(response),
                Err(err) => Err(UpstreamError::from_exchange(&err, target.endpoint())),
            };
        }
        let client = if options.http2_prior_knowledge && !target.https {
            &self.h2c
        } else {
            &self.negotiated
        };
        match client.request(req).await {
            Ok(response) => Ok(response.map(UpstreamResponseBody::unpooled)),
            Err(err) => Err(UpstreamError::from_client(&err, target.endpoint())),
        }
    }
}

/// The backend a request goes to, kept for error messages.
struct Target {
    https: bool,
    authority: Authority,
}

impl Target {
    /// Checks that `uri` can be sent.
    fn of(uri: &Uri) -> Result<Self, UpstreamError> {
        let invalid = |reason| UpstreamError::InvalidUri {
            uri: uri.to_string(),
            reason,
        };
        let https = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => true,
            Some(s) if s.eq_ignore_ascii_case("http") => false,
            Some(_) => return Err(invalid("the scheme must be http or https")),
            None => return Err(invalid("an absolute http:// or https:// URL is required")),
        };
        let authority = match uri.authority() {
            Some(authority) if !authority.host().is_empty() => authority.clone(),
            _ => return Err(invalid("the URL has no host")),
        };
        Ok(Self { https, authority })
    }

    /// `host:port`, with the scheme's default port when none is given
    /// (user information is left out).
    fn endpoint(&self) -> String {
        let port = self
            .authority
            .port_u16()
            .unwrap_or(if self.https { 443 } else { 80 });
        format!("{}:{port}", self.authority.host())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(uri: &str) -> Result<Target, UpstreamError> {
        Target::of(&uri.parse().expect("uri"))
    }

    #[test]
    fn endpoints_use_default_ports() {
        assert_eq!(
            target("http://a.test/x").map(|t| t.endpoint()).ok(),
            Some("a.test:80".into())
        );
        assert_eq!(
            target("HTTPS://a.test").map(|t| t.endpoint()).ok(),
            Some("a.test:443".into())
        );
        assert_eq!(
            target("https://user:pw@[::1]:8443/")
                .map(|t| t.endpoint())
                .ok(),
            Some("[::1]:8443".into())
        );
    }

    #[test]
    fn unusable_uris_are_rejected() {
        for uri in ["/relative", "ftp://a.test/", "example.test:80"] {
            let err = target(uri).err().expect(uri);
            assert!(err.is_invalid_uri(), "{uri}: {err}");
        }
    }
}
