//! Errors of the upstream client, and how a failed exchange is classified.

use std::error::Error as StdError;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Why a request to a backend failed.
///
/// Every variant names the backend as `host:port`. The pipeline answers
/// [`Timeout`](Self::Timeout) with 504 "Endpoint request timed out" and every
/// other variant as an integration failure (AWS's `INTEGRATION_FAILURE`: REST
/// 504 "Internal server error", HTTP API 503).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// No response head arrived within the integration timeout (connect,
    /// TLS handshake, sending the request and receiving the head included).
    #[error("endpoint request to {endpoint} timed out after {} ms", .timeout.as_millis())]
    Timeout {
        /// `host:port` of the backend.
        endpoint: String,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// No connection could be opened: DNS failure, connection refused,
    /// network unreachable.
    #[error("cannot connect to {endpoint}: {detail}")]
    Connect {
        /// `host:port` of the backend.
        endpoint: String,
        /// What the network stack said.
        detail: String,
    },
    /// The TLS handshake (or a later TLS record) failed, typically because
    /// the backend's certificate is not trusted or does not name the host.
    #[error("TLS with {endpoint} failed: {detail}")]
    Tls {
        /// `host:port` of the backend.
        endpoint: String,
        /// What rustls said, with a hint when the issuer is unknown.
        detail: String,
    },
    /// The connection was made but the exchange failed: a malformed response,
    /// the connection closed or reset before a complete response head, an
    /// HTTP/2 error.
    #[error("bad response from {endpoint}: {detail}")]
    Protocol {
        /// `host:port` of the backend.
        endpoint: String,
        /// What the HTTP stack said.
        detail: String,
    },
    /// The request URI cannot be sent: not an absolute `http://` or
    /// `https://` URL with a host.
    #[error("invalid integration URI `{uri}`: {reason}")]
    InvalidUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl UpstreamError {
    /// Whether the integration timeout expired (answer 504).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether no connection could be opened.
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Connect { .. })
    }

    /// Whether TLS failed (untrusted or mismatched certificate, handshake failure).
    pub fn is_tls(&self) -> bool {
        matches!(self, Self::Tls { .. })
    }

    /// Whether the backend answered with something that is not valid HTTP,
    /// or dropped the connection mid-exchange.
    pub fn is_protocol(&self) -> bool {
        matches!(self, Self::Protocol { .. })
    }

    /// Whether the request URI was unusable.
    pub fn is_invalid_uri(&self) -> bool {
        matches!(self, Self::InvalidUri { .. })
    }

    /// The backend as `host:port`, when the URI named one.
    pub fn endpoint(&self) -> Option<&str> {
        match self {
            Self::Timeout { endpoint, .. }
            | Self::Connect { endpoint, .. }
            | Self::Tls { endpoint, .. }
            | Self::Protocol { endpoint, .. } => Some(endpoint),
            Self::InvalidUri { .. } => None,
        }
    }

    /// Classifies a failed exchange with `endpoint`.
    pub(crate) fn from_client(err: &hyper_util::client::legacy::Error, endpoint: String) -> Self {
        let mut detail = describe(err);
        if let Some(tls) = tls_cause(err) {
            if let rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature,
            ) = tls
            {
                detail.push_str(" (a private CA must be listed in the upstream CA files)");
            }
            Self::Tls { endpoint, detail }
        } else if err.is_connect() {
            Self::Connect { endpoint, detail }
        } else {
            Self::Protocol { endpoint, detail }
        }
    }

    /// Classifies a failed exchange on a connection of the gateway's own pool.
    pub(crate) fn from_exchange(err: &super::pool::ExchangeError, endpoint: String) -> Self {
        match err {
            super::pool::ExchangeError::Connect(error) => Self::Connect {
                endpoint,
                detail: describe_all(error),
            },
            super::pool::ExchangeError::Http(error) => Self::Protocol {
                endpoint,
                detail: describe_all(error),
            },
        }
    }
}

/// The error's own message followed by its causes'.
fn describe_all(err: &(dyn StdError + 'static)) -> String {
    let causes = describe(err);
    let own = err.to_string();
    if causes == own || own.ends_with(&causes) {
        own
    } else {
        format!("{own}: {causes}")
    }
}

/// The causes of `err`, outermost first.
fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |&e| e.source())
}

/// The rustls error behind the failure, if rustls reported it: anywhere in
/// the chain, including inside (possibly nested) `io::Error`s, as
/// tokio-rustls and hyper-rustls wrap it.
fn tls_cause<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    chain(err).find_map(|e| {
        let mut current: &(dyn StdError + 'static) = e;
        loop {
            if let Some(tls) = current.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            current = current
                .downcast_ref::<io::Error>()
                .and_then(io::Error::get_ref)?;
        }
    })
}

/// The causes below hyper-util's generic "client error (Kind)", joined with
/// `: ` (repeats, as io errors display their inner error, are skipped).
fn describe(err: &(dyn StdError + 'static)) -> String {
    let mut detail = String::new();
    let mut last = String::new();
    for cause in chain(err).skip(1) {
        let text = cause.to_string();
        if text == last || last.ends_with(&text) {
            continue;
        }
        if !detail.is_empty() {
            detail.push_str(": ");
        }
        detail.push_str(&text);
        last = text;
    }
    if detail.is_empty() {
        detail = err.to_string();
    }
    detail
}

/// Why [`UpstreamClient::new`](super::UpstreamClient::new) failed: a CA file
/// could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamBuildError {
    /// The file could not be read (missing, unreadable).
    #[error("cannot read upstream CA file {}: {source}", .path.display())]
    CaFileRead {
        /// The CA file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file is not valid PEM.
    #[error("upstream CA file {} is not valid PEM: {source}", .path.display())]
    CaFilePem {
        /// The CA file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: io::Error,
    },
    /// The file holds no `CERTIFICATE` block.
    #[error("upstream CA file {} contains no PEM CERTIFICATE block", .path.display())]
    CaFileEmpty {
        /// The CA file.
        path: PathBuf,
    },
    /// A certificate in the file cannot be used as a trust anchor.
    #[error("upstream CA file {}: certificate #{index} is unusable: {source}", .path.display())]
    CaFileInvalid {
        /// The CA file.
        path: PathBuf,
        /// 1-based position of the certificate in the file.
        index: usize,
        /// What rustls said.
        #[source]
        source: rustls::Error,
    },
    /// rustls rejected the client configuration (should not happen with the
    /// built-in `ring` provider).
    #[error("cannot build the upstream TLS configuration: {0}")]
    Tls(#[source] rustls::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_cause_is_found_inside_io_errors() {
        let inner = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        assert!(tls_cause(&inner).is_some());
        let nested = io::Error::other(inner);
        assert!(tls_cause(&nested).is_some());
        let plain = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(tls_cause(&plain).is_none());
    }

    #[test]
    fn messages_name_the_endpoint() {
        let err = UpstreamError::Timeout {
            endpoint: "backend.test:8443".into(),
            timeout: Duration::from_millis(1500),
        };
        assert_eq!(
            err.to_string(),
            "endpoint request to backend.test:8443 timed out after 1500 ms"
        );
        assert!(err.is_timeout() && !err.is_connect());
        assert_eq!(err.endpoint(), Some("backend.test:8443"));
    }
}
