//! What a remote function is: its Lambda name, where the Invoke API is and
//! whose credentials sign the calls. Everything is checked once, when the
//! configuration is loaded, so an invocation never meets a malformed spec.

use std::fmt;
use std::time::Duration;

use http::Uri;
use http::uri::{Authority, PathAndQuery, Scheme};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The integration timeout API Gateway applies by default (29 seconds);
/// used when a spec does not say otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(29);

/// The longest `FunctionName` the Invoke API accepts (a full, qualified ARN).
const MAX_FUNCTION_LEN: usize = 170;

/// Everything but RFC 3986's unreserved characters is escaped in the path
/// segment, as the AWS SDKs do: an ARN's `:` becomes `%3A`, `$LATEST`'s `$`
/// becomes `%24`. (SigV4 then escapes the `%` again in its canonical request.)
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A function called through Lambda's Invoke API.
#[derive(Debug, Clone)]
pub struct RemoteSpec {
    /// The name the gateway configuration uses for this function.
    pub name: String,
    /// Lambda's name for it: a function name, a partial or full ARN,
    /// optionally qualified with a version or alias (`my-fn:live`).
    pub function: String,
    /// The AWS region the function lives in; also the SigV4 signing region.
    pub region: String,
    /// The Invoke API's base URI. `None` means
    /// `https://lambda.{region}.amazonaws.com`; any compatible endpoint
    /// (http or https, e.g. a local emulator) may be given instead.
    pub endpoint: Option<Uri>,
    /// Where the signing credentials come from.
    pub credentials: CredentialSource,
    /// How long one invocation may take, from sending the request to reading
    /// the whole answer. Credential resolution is bounded separately.
    pub timeout: Duration,
}

impl RemoteSpec {
    /// A spec with the default endpoint, the default credential chain and
    /// [`DEFAULT_TIMEOUT`].
    pub fn new(
        name: impl Into<String>,
        function: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            function: function.into(),
            region: region.into(),
            endpoint: None,
            credentials: CredentialSource::Default,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Where the credentials that sign Invoke requests come from.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// The AWS SDKs' default chain, in its order: the environment
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
    /// the shared config and credentials files (`AWS_PROFILE`,
    /// `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`: keys, role
    /// assumption, `credential_process`; not SSO), web identity
    /// (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`), the ECS/EKS container
    /// endpoint and EC2 instance metadata.
    #[default]
    Default,
    /// One named profile of the shared config and credentials files, whatever
    /// `AWS_PROFILE` says.
    Profile(String),
    /// Fixed keys, e.g. for a local emulator that accepts any signature.
    Static(StaticCredentials),
}

/// Fixed AWS keys. `Debug` shows the access key id only: the secret and the
/// session token never reach a log.
#[derive(Clone)]
pub struct StaticCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl StaticCredentials {
    /// Keys as IAM issues them; `session_token` for temporary ones.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
        }
    }
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Why a [`RemoteSpec`] cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The gateway-side name is empty.
    #[error("a remote function needs a name")]
    EmptyName,
    /// The Lambda function name or ARN is not one the Invoke API accepts.
    #[error(
        "remote function {name:?}: {function:?} is not a Lambda function name or ARN \
         (1 to 170 characters of letters, digits, '-', '_', '.', ':' and '$')"
    )]
    InvalidFunction {
        /// The gateway-side name.
        name: String,
        /// The rejected function name.
        function: String,
    },
    /// The region is not a region name.
    #[error("remote function {name:?}: {region:?} is not an AWS region name (like \"eu-west-1\")")]
    InvalidRegion {
        /// The gateway-side name.
        name: String,
        /// The rejected region.
        region: String,
    },
    /// The endpoint is not an absolute http(s) URI without a query.
    #[error("remote function {name:?}: endpoint {endpoint:?} {reason}")]
    InvalidEndpoint {
        /// The gateway-side name.
        name: String,
        /// The rejected endpoint.
        endpoint: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timeout is zero.
    #[error("remote function {name:?}: the timeout must be longer than zero")]
    ZeroTimeout {
        /// The gateway-side name.
        name: String,
    },
    /// A static key is empty or cannot be sent in an HTTP header.
    #[error(
        "remote function {name:?}: the static credentials' {field} is empty or not printable ASCII"
    )]
    InvalidStaticCredentials {
        /// The gateway-side name.
        name: String,
        /// Which part is wrong (never its value).
        field: &'static str,
    },
    /// An https endpoint is configured but the system has no root certificates.
    #[error(
        "remote function {name:?}: no trusted root certificates could be loaded for https: {detail}"
    )]
    NoRootCertificates {
        /// The gateway-side name.
        name: String,
        /// What loading them said.
        detail: String,
    },
    /// The TLS configuration could not be built.
    #[error("remote function {name:?}: TLS setup failed: {detail}")]
    Tls {
        /// The gateway-side name.
        name: String,
        /// What rustls said.
        detail: String,
    },
}

/// A checked spec: the invocation URI is built once.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `{endpoint}/2015-03-31/functions/{function}/invocations`.
    pub(crate) uri: Uri,
    /// The `host` header value (signed, so it must be exactly what is sent).
    pub(crate) host: String,
}

/// Checks `spec` and builds the URI every invocation posts to.
pub(crate) fn validate(spec: &RemoteSpec) -> Result<Target, RemoteError> {
    let name = &spec.name;
    if name.is_empty() {
        return Err(RemoteError::EmptyName);
    }
    if !valid_function(&spec.function) {
        return Err(RemoteError::InvalidFunction {
            name: name.clone(),
            function: spec.function.clone(),
        });
    }
    if !valid_region(&spec.region) {
        return Err(RemoteError::InvalidRegion {
            name: name.clone(),
            region: spec.region.clone(),
        });
    }
    if spec.timeout.is_zero() {
        return Err(RemoteError::ZeroTimeout { name: name.clone() });
    }
    if let CredentialSource::Static(keys) = &spec.credentials {
        for (field, value) in [
            ("access key id", Some(&keys.access_key_id)),
            ("secret access key", Some(&keys.secret_access_key)),
            ("session token", keys.session_token.as_ref()),
        ] {
            if value.is_some_and(|value| !printable(value)) {
                return Err(RemoteError::InvalidStaticCredentials {
                    name: name.clone(),
                    field,
                });
            }
        }
    }
    let endpoint = match &spec.endpoint {
        Some(endpoint) => endpoint.clone(),
        None => default_endpoint(spec)?,
    };
    target(spec, &endpoint)
}

fn default_endpoint(spec: &RemoteSpec) -> Result<Uri, RemoteError> {
    let text = format!("https://lambda.{}.amazonaws.com", spec.region);
    text.parse().map_err(|_| RemoteError::InvalidEndpoint {
        name: spec.name.clone(),
        endpoint: text,
        reason: "is not a URI",
    })
}

fn target(spec: &RemoteSpec, endpoint: &Uri) -> Result<Target, RemoteError> {
    let invalid = |reason| RemoteError::InvalidEndpoint {
        name: spec.name.clone(),
        endpoint: endpoint.to_string(),
        reason,
    };
    let scheme = endpoint.scheme().ok_or_else(|| invalid("has no scheme"))?;
    if *scheme != Scheme::HTTP && *scheme != Scheme::HTTPS {
        return Err(invalid("must be http or https"));
    }
    let authority = endpoint.authority().ok_or_else(|| invalid("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("must not carry user information"));
    }
    if endpoint.query().is_some() {
        return Err(invalid("must not have a query"));
    }
    // A base path (an emulator or proxy mounted below `/`) is kept.
    let base = endpoint.path().trim_end_matches('/');
    let function = utf8_percent_encode(&spec.function, PATH_SEGMENT);
    let path = format!("{base}/2015-03-31/functions/{function}/invocations");
    let path = PathAndQuery::try_from(path).map_err(|_| invalid("has an unusable path"))?;
    // The URI's authority is the host header's value, so the HTTP/2
    // `:authority` and the signed `host` agree (no default port in either).
    let host = host_header(authority, scheme);
    let uri = Uri::builder()
        .scheme(scheme.clone())
        .authority(host.as_str())
        .path_and_query(path)
        .build()
        .map_err(|_| invalid("is not a usable URI"))?;
    Ok(Target { uri, host })
}

/// The `host` header as clients send it: the port only when it is not the
/// scheme's default.
fn host_header(authority: &Authority, scheme: &Scheme) -> String {
    let default_port = if *scheme == Scheme::HTTPS { 443 } else { 80 };
    match authority.port_u16() {
        Some(port) if port != default_port => format!("{}:{port}", authority.host()),
        _ => authority.host().to_owned(),
    }
}

fn valid_function(function: &str) -> bool {
    !function.is_empty()
        && function.len() <= MAX_FUNCTION_LEN
        && function
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'$'))
}

fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 64
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn printable(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(function: &str) -> RemoteSpec {
        RemoteSpec::new("api", function, "eu-west-1")
    }

    #[test]
    fn default_endpoint_and_escaped_arn() {
        let target = validate(&spec(
            "arn:aws:lambda:eu-west-1:123456789012:function:my-fn:$LATEST",
        ))
        .unwrap();
        assert_eq!(
            target.uri.to_string(),
            "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/\
             arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amy-fn%3A%24LATEST/invocations"
        );
        assert_eq!(target.host, "lambda.eu-west-1.amazonaws.com");
    }

    #[test]
    fn custom_endpoint_keeps_base_path_and_port() {
        let mut spec = spec("my-fn");
        spec.endpoint = Some("http://127.0.0.1:9001/emulator/".parse().unwrap());
        let target = validate(&spec).unwrap();
        assert_eq!(
            target.uri.to_string(),
            "http://127.0.0.1:9001/emulator/2015-03-31/functions/my-fn/invocations"
        );
        assert_eq!(target.host, "127.0.0.1:9001");

        spec.endpoint = Some("https://example.test:443".parse().unwrap());
        let target = validate(&spec).unwrap();
        assert_eq!(target.host, "example.test");
        assert_eq!(target.uri.authority().unwrap(), "example.test");

        spec.endpoint = Some("http://[::1]:9001".parse().unwrap());
        assert_eq!(validate(&spec).unwrap().host, "[::1]:9001");
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(matches!(
            validate(&RemoteSpec::new("", "f", "eu-west-1")),
            Err(RemoteError::EmptyName)
        ));
        for function in ["", "my fn", "fn/../x", &"x".repeat(171)] {
            assert!(
                matches!(
                    validate(&spec(function)),
                    Err(RemoteError::InvalidFunction { .. })
                ),
                "{function}"
            );
        }
        assert!(matches!(
            validate(&RemoteSpec::new("api", "f", "EU west")),
            Err(RemoteError::InvalidRegion { .. })
        ));
        for endpoint in [
            "ftp://host",
            "/relative",
            "http://user@host",
            "http://host/?q=1",
        ] {
            let mut spec = spec("f");
            spec.endpoint = Some(endpoint.parse().unwrap());
            let error = validate(&spec).unwrap_err();
            assert!(
                matches!(error, RemoteError::InvalidEndpoint { .. }),
                "{endpoint}: {error}"
            );
        }
        let mut zero = spec("f");
        zero.timeout = Duration::ZERO;
        assert!(matches!(
            validate(&zero),
            Err(RemoteError::ZeroTimeout { .. })
        ));
        let mut keys = spec("f");
        keys.credentials =
            CredentialSource::Static(StaticCredentials::new("AKID", "se cret", None));
        let error = validate(&keys).unwrap_err();
        assert!(!error.to_string().contains("se cret"), "{error}");
    }

    #[test]
    fn debug_hides_secrets() {
        let keys =
            StaticCredentials::new("AKIDEXAMPLE", "very-secret", Some("token-secret".into()));
        let shown = format!("{keys:?}");
        assert!(shown.contains("AKIDEXAMPLE"));
        assert!(
            !shown.contains("very-secret") && !shown.contains("token-secret"),
            "{shown}"
        );
    }
}
