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
    /// A role assumed through STS `AssumeRole`, the call signed with the
    /// credentials of another source (its `base`): what API Gateway does with
    /// an integration's `credentials` role ARN. The role's temporary keys are
    /// cached like any others and the role is assumed again shortly before
    /// they expire.
    AssumeRole(AssumeRole),
}

/// The `RoleSessionName` an [`AssumeRole`] source sends unless told
/// otherwise. It shows in the assumed role's ARN
/// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/portcullis`) and in CloudTrail.
pub const DEFAULT_SESSION_NAME: &str = "portcullis";

/// The longest role ARN STS accepts.
const MAX_ROLE_ARN_LEN: usize = 2048;

/// A role to assume through STS `AssumeRole`.
///
/// The call is signed with the credentials `base` resolves (any source,
/// another `AssumeRole` included, which chains roles) and goes to the first
/// of:
///
/// 1. the endpoint given with [`with_sts_endpoint`](Self::with_sts_endpoint);
/// 2. the endpoint the AWS SDKs' shared configuration names, read when the
///    role is first assumed: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`,
///    then the profile's `services` section entry for `sts` and its
///    `endpoint_url`. The profile is the base's when `base` is a
///    [`CredentialSource::Profile`] (directly or under chained roles), else
///    `AWS_PROFILE`'s. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` does not stop
///    this: `aws-config` 1.8's STS client reads these settings again itself;
/// 3. STS's regional endpoint, `https://sts.{region}.amazonaws.com` for the
///    region the credentials are built for (`-fips` or dual-stack when
///    `AWS_USE_FIPS_ENDPOINT` or `AWS_USE_DUALSTACK_ENDPOINT` say so), never
///    the legacy global `sts.amazonaws.com`.
///
/// Retries and timeouts of the STS call follow the same configuration
/// (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, ...); one resolution is bounded as
/// any other.
///
/// `Debug` shows no secret: static base keys show their access key id only.
#[derive(Clone)]
pub struct AssumeRole {
    pub(crate) role_arn: String,
    pub(crate) session_name: String,
    pub(crate) base: Box<CredentialSource>,
    pub(crate) sts_endpoint: Option<String>,
}

impl AssumeRole {
    /// Assume `role_arn` (`arn:aws:iam::123456789012:role/name`) with
    /// `base`'s credentials, as session [`DEFAULT_SESSION_NAME`], through
    /// the endpoint the environment names or the regional one.
    pub fn new(role_arn: impl Into<String>, base: CredentialSource) -> Self {
        Self {
            role_arn: role_arn.into(),
            session_name: DEFAULT_SESSION_NAME.to_owned(),
            base: Box::new(base),
            sts_endpoint: None,
        }
    }

    /// Use `name` as the `RoleSessionName`: 2 to 64 characters of letters,
    /// digits and `_+=,.@-`.
    pub fn with_session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// Send `AssumeRole` to `endpoint` (an absolute http or https URI, e.g. a
    /// local emulator or a VPC endpoint) instead of the one the environment
    /// names or the regional one.
    pub fn with_sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// The role's ARN.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The `RoleSessionName` sent.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// Whose credentials sign the `AssumeRole` call.
    pub fn base(&self) -> &CredentialSource {
        &self.base
    }

    /// The STS endpoint given with [`with_sts_endpoint`](Self::with_sts_endpoint).
    pub fn sts_endpoint(&self) -> Option<&str> {
        self.sts_endpoint.as_deref()
    }

    /// What is wrong with this role, the base's own problems included: the
    /// ARN is not an IAM role ARN, the session name breaks STS's rules, the
    /// endpoint is not an absolute http(s) URI, or static base keys are
    /// unusable. Checked before anything is sent, so a typo is not
    /// mistaken for a refusal (and emulators that accept any ARN agree
    /// with AWS).
    pub(crate) fn problem(&self) -> Option<String> {
        let role = &self.role_arn;
        if !valid_role_arn(role) {
            return Some(format!(
                "{role:?} is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)"
            ));
        }
        if !valid_session_name(&self.session_name) {
            return Some(format!(
                "role {role}: session name {:?} is not 2 to 64 characters of letters, digits \
                 and '_+=,.@-'",
                self.session_name
            ));
        }
        if let Some(endpoint) = &self.sts_endpoint
            && let Err(reason) = check_sts_endpoint(endpoint)
        {
            return Some(format!(
                "role {role}: STS endpoint {:?} {reason}",
                redact_user_info(endpoint)
            ));
        }
        source_problem(&self.base)
            .map(|problem| format!("role {role}: base credentials: {problem}"))
    }
}

impl fmt::Debug for AssumeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRole")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("base", &self.base)
            .field(
                "sts_endpoint",
                &self.sts_endpoint.as_deref().map(redact_user_info),
            )
            .finish()
    }
}

/// What is wrong with `source`, if anything: static keys that cannot travel
/// in a header, or a role that cannot be assumed. Never shows a key.
fn source_problem(source: &CredentialSource) -> Option<String> {
    match source {
        CredentialSource::Default | CredentialSource::Profile(_) => None,
        CredentialSource::Static(keys) => keys.unusable_field().map(|field| {
            format!("the static credentials' {field} is empty or not printable ASCII")
        }),
        CredentialSource::AssumeRole(role) => role.problem(),
    }
}

fn valid_role_arn(arn: &str) -> bool {
    if arn.len() < 20 || arn.len() > MAX_ROLE_ARN_LEN {
        return false;
    }
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(name) = resource.strip_prefix("role/") else {
        return false;
    };
    !partition.is_empty()
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && !name.ends_with('/')
        && name.bytes().all(|b| b.is_ascii_graphic())
}

/// STS's `RoleSessionName`: `[\w+=,.@-]{2,64}`.
fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b'-')
        })
}

fn check_sts_endpoint(endpoint: &str) -> Result<(), &'static str> {
    let uri: Uri = endpoint.parse().map_err(|_| "is not a URI")?;
    let scheme = uri.scheme().ok_or("has no scheme")?;
    if *scheme != Scheme::HTTP && *scheme != Scheme::HTTPS {
        return Err("must be http or https");
    }
    let authority = uri.authority().ok_or("has no host")?;
    if authority.as_str().contains('@') {
        return Err("must not carry user information");
    }
    if uri.query().is_some() {
        return Err("must not have a query");
    }
    Ok(())
}

/// `endpoint` with any `user:password@` replaced, for messages and `Debug`.
fn redact_user_info(endpoint: &str) -> String {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("", endpoint));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://** redacted **@{}", &rest[at + 1..]),
        None => endpoint.to_owned(),
    }
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

    /// The first field that cannot be sent in an HTTP header (by name,
    /// never its value).
    fn unusable_field(&self) -> Option<&'static str> {
        [
            ("access key id", Some(&self.access_key_id)),
            ("secret access key", Some(&self.secret_access_key)),
            ("session token", self.session_token.as_ref()),
        ]
        .into_iter()
        .find(|(_, value)| value.is_some_and(|value| !printable(value)))
        .map(|(field, _)| field)
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
    /// The role to assume cannot be: its ARN is not a role ARN, its session
    /// name or STS endpoint is malformed, or its base credentials are.
    #[error("remote function {name:?}: cannot assume the role: {reason}")]
    InvalidAssumeRole {
        /// The gateway-side name.
        name: String,
        /// What is wrong, naming the role (never a key).
        reason: String,
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
    match &spec.credentials {
        CredentialSource::Static(keys) => {
            if let Some(field) = keys.unusable_field() {
                return Err(RemoteError::InvalidStaticCredentials {
                    name: name.clone(),
                    field,
                });
            }
        }
        CredentialSource::AssumeRole(role) => {
            if let Some(reason) = role.problem() {
                return Err(RemoteError::InvalidAssumeRole {
                    name: name.clone(),
                    reason,
                });
            }
        }
        CredentialSource::Default | CredentialSource::Profile(_) => {}
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

    const ROLE: &str = "arn:aws:iam::123456789012:role/api-sqs";

    fn static_keys() -> CredentialSource {
        CredentialSource::Static(StaticCredentials::new(
            "AKIDBASEEXAMPLE",
            "base-secret",
            Some("base-token".into()),
        ))
    }

    #[test]
    fn assume_role_defaults_and_builders() {
        let role = AssumeRole::new(ROLE, CredentialSource::Default);
        assert_eq!(role.role_arn(), ROLE);
        assert_eq!(role.session_name(), DEFAULT_SESSION_NAME);
        assert_eq!(role.session_name(), "portcullis");
        assert!(valid_session_name(DEFAULT_SESSION_NAME));
        assert!(matches!(role.base(), CredentialSource::Default));
        assert_eq!(role.sts_endpoint(), None);
        assert_eq!(role.problem(), None);

        let role = role
            .with_session_name("gateway@eu-west-1")
            .with_sts_endpoint("http://127.0.0.1:5000");
        assert_eq!(role.session_name(), "gateway@eu-west-1");
        assert_eq!(role.sts_endpoint(), Some("http://127.0.0.1:5000"));
        assert_eq!(role.problem(), None);
    }

    #[test]
    fn role_arns_and_session_names() {
        for arn in [
            ROLE,
            "arn:aws:iam::123456789012:role/service-role/path/api",
            "arn:aws-cn:iam::123456789012:role/r",
            "arn:aws-us-gov:iam::123456789012:role/name+=,.@_-",
        ] {
            assert!(valid_role_arn(arn), "{arn}");
        }
        for arn in [
            "",
            "not-an-arn",
            "arn:aws:iam::123456789012:user/bob",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/path/",
            "arn:aws:iam:eu-west-1:123456789012:role/r",
            "arn:aws:iam::12345678901:role/r",
            "arn:aws:sts::123456789012:assumed-role/r/s",
            "arn:aws:iam::123456789012:role/with space",
            &format!("arn:aws:iam::123456789012:role/{}", "r".repeat(2048)),
        ] {
            assert!(!valid_role_arn(arn), "{arn}");
        }
        for name in ["ab", "portcullis", "a_b+c=d,e.f@g-h", &"n".repeat(64)] {
            assert!(valid_session_name(name), "{name}");
        }
        for name in ["", "a", "with space", "slash/y", "ünï", &"n".repeat(65)] {
            assert!(!valid_session_name(name), "{name}");
        }
    }

    #[test]
    fn malformed_roles_are_refused_naming_the_role() {
        let bad = |role: AssumeRole| {
            let mut spec = spec("f");
            spec.credentials = CredentialSource::AssumeRole(role);
            match validate(&spec) {
                Err(error @ RemoteError::InvalidAssumeRole { .. }) => error.to_string(),
                other => panic!("expected InvalidAssumeRole, got {other:?}"),
            }
        };
        let error = bad(AssumeRole::new("not-an-arn", static_keys()));
        assert!(
            error.contains("\"not-an-arn\" is not an IAM role ARN"),
            "{error}"
        );

        let error = bad(AssumeRole::new(ROLE, static_keys()).with_session_name("a b"));
        assert!(error.contains(ROLE) && error.contains("\"a b\""), "{error}");

        for endpoint in [
            "sts.local",
            "ftp://sts.local",
            "http://user:pw@sts.local",
            "http://h/?q",
        ] {
            let error = bad(AssumeRole::new(ROLE, static_keys()).with_sts_endpoint(endpoint));
            assert!(
                error.contains(ROLE) && error.contains("STS endpoint"),
                "{error}"
            );
            assert!(!error.contains("pw"), "{error}");
        }

        // The base's own problems, through chained roles, without its keys.
        let broken = CredentialSource::Static(StaticCredentials::new("AKID", "se cret", None));
        let inner = AssumeRole::new("arn:aws:iam::123456789012:role/inner", broken);
        let error = bad(AssumeRole::new(ROLE, CredentialSource::AssumeRole(inner)));
        assert!(
            error.contains(ROLE)
                && error.contains("role/inner")
                && error.contains("secret access key"),
            "{error}"
        );
        assert!(!error.contains("se cret"), "{error}");

        let mut fine = spec("f");
        fine.credentials = CredentialSource::AssumeRole(
            AssumeRole::new(ROLE, CredentialSource::Profile("base".into()))
                .with_sts_endpoint("https://sts.eu-west-1.amazonaws.com"),
        );
        validate(&fine).unwrap();
    }

    #[test]
    fn assume_role_debug_hides_secrets() {
        let inner = AssumeRole::new("arn:aws:iam::123456789012:role/inner", static_keys());
        let role = AssumeRole::new(ROLE, CredentialSource::AssumeRole(inner))
            .with_sts_endpoint("https://user:endpoint-password@sts.example.test/");
        let shown = format!("{:?}", CredentialSource::AssumeRole(role));
        for expected in [
            ROLE,
            "role/inner",
            "AKIDBASEEXAMPLE",
            "portcullis",
            "sts.example.test",
        ] {
            assert!(shown.contains(expected), "{expected} missing: {shown}");
        }
        for secret in ["base-secret", "base-token", "endpoint-password", "user:"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        assert_eq!(
            redact_user_info("http://127.0.0.1:5000/"),
            "http://127.0.0.1:5000/"
        );
        assert_eq!(
            redact_user_info("http://a:b@h/p@q"),
            "http://** redacted **@h/p@q"
        );
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
