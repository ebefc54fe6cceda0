//! The checked configuration model.
//!
//! Both sources of configuration (AWS OpenAPI exports and the native YAML file)
//! are read into these types; the planner compiles them into per-route plans.
//! Every value here has already been validated: the request path never sees a
//! bad state.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use super::error::Problem;

pub use portcullis_mapping::params::{
    MappingOp, MappingTarget, MappingValue, ParameterMapping, ValuePart,
};
pub use portcullis_router::Method;

/// Everything one gateway process serves.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The APIs, each with its stages and routes. Ids are unique.
    pub apis: Vec<Api>,
    /// Where to listen. Never empty (defaults to `127.0.0.1:3000`).
    pub listeners: Vec<Listener>,
    /// Custom domain names and their base path mappings.
    pub domains: Vec<Domain>,
    /// Hot reload settings.
    pub reload: ReloadSettings,
    /// How long a shutdown waits for in-flight requests before closing connections.
    pub shutdown_grace: Duration,
    /// Settings for connections to HTTP backends.
    pub upstream: UpstreamSettings,
    /// Functions Lambda integrations call, by the name their URIs use.
    pub functions: BTreeMap<String, FunctionConfig>,
    /// Every file that was read to build this config (the config file, the
    /// OpenAPI files it names, TLS files); the file watcher watches these.
    pub files: Vec<PathBuf>,
    /// The region and account APIs are deployed in: method ARNs name them.
    pub aws: AwsAccount,
    /// Callers that IAM-authorized (`AWS_IAM`) routes accept.
    pub iam: IamSettings,
    /// Where JWT and Cognito authorizers find their keys when not where AWS
    /// would (a local issuer standing in), and which algorithms they accept.
    pub jwt: JwtSettings,
    /// API keys (`api_keys:`, `--api-key`).
    pub api_keys: Vec<ApiKey>,
    /// Usage plans (`usage_plans:`).
    pub usage_plans: Vec<UsagePlan>,
    /// The account level and Portcullis's additions (`throttling:`).
    pub throttling: ThrottlingSettings,
    /// Shared limits (`redis:`); in memory when `None`.
    pub redis: Option<RedisSettings>,
    /// Where stage caches keep their entries (`caching:`).
    pub caching: CachingSettings,
    /// The admin listener (loopback only); off when `None`. On by default
    /// at 127.0.0.1, the first listener's port + 1.
    pub admin: Option<AdminSettings>,
    /// Span export (`tracing:`); read at start, kept across reloads.
    pub tracing: super::TracingSettings,
    /// What is served differently from AWS, each naming its file and place
    /// (skipped extensions, unconfigured functions, ...). `serve` prints them
    /// at start; `--strict` refuses a config that has any.
    pub warnings: Vec<Problem>,
}

/// Where the admin listener listens (`admin:`, `--admin`, `--no-admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminSettings {
    /// A loopback address.
    pub address: SocketAddr,
    /// Whether the address is the default one (not written): failing to
    /// bind it is then a warning, not an error.
    pub defaulted: bool,
}

impl AdminSettings {
    /// The default before the listeners are known (resolved by `load`).
    pub(crate) const DEFAULT: Self = Self {
        address: SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0),
        defaulted: true,
    };
}

/// The region and account of the APIs (`aws:` in the config file, `--region`, `--account-id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsAccount {
    /// `us-east-1` unless configured.
    pub region: String,
    /// `000000000000` unless configured.
    pub account_id: String,
    /// `aws.endpoints`: where calls to a service go instead of its regional
    /// endpoint, by service (`sqs`, `events`, `states`, ...).
    pub endpoints: BTreeMap<String, String>,
    /// `aws.assume_roles`: AWS service integrations assume their
    /// `credentials` role through STS instead of calling as the gateway.
    pub assume_roles: bool,
}

/// IAM identities: the access keys SigV4-signed requests may use, and what
/// each may call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IamSettings {
    /// The identities, by access key id.
    pub identities: BTreeMap<String, IamIdentity>,
}

/// One IAM identity (a user's or a role session's access key).
#[derive(Clone, PartialEq, Eq)]
pub struct IamIdentity {
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token temporary credentials carry.
    pub session_token: Option<String>,
    /// The principal's ARN (`arn:aws:iam::123456789012:user/alice`).
    pub principal_arn: String,
    /// Identity policies (IAM policy documents as JSON).
    pub policies: Vec<serde_json::Value>,
}

impl std::fmt::Debug for IamIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamIdentity")
            .field("principal_arn", &self.principal_arn)
            .field("policies", &self.policies.len())
            .finish_non_exhaustive()
    }
}

/// Settings of JWT and Cognito authorizers beyond the API definitions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JwtSettings {
    /// By issuer (as the definition names it): where its keys are and what it signs with.
    pub issuers: BTreeMap<String, IssuerSettings>,
    /// By Cognito user pool id: a stand-in for the pool.
    pub cognito_user_pools: BTreeMap<String, IssuerSettings>,
}

/// How to reach one issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerSettings {
    /// The `iss` tokens carry, when not the one the definition implies
    /// (a local issuer standing in for a Cognito pool).
    pub issuer: Option<String>,
    /// The JWKS URL, instead of discovery from the issuer.
    pub jwks_uri: Option<String>,
    /// Accepted signature algorithms (`RS256`, ...), when not AWS's RSA ones.
    pub algorithms: Vec<String>,
}

/// A listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Address and port to bind.
    pub address: SocketAddr,
    /// TLS certificate and key; `None` serves cleartext HTTP/1.1 and h2c.
    pub tls: Option<TlsFiles>,
}

/// PEM files for a TLS listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, leaf first.
    pub cert: PathBuf,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// A custom domain name (matched against the `Host` header, port ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// Lower-case host name, e.g. `api.example.test`.
    pub name: String,
    /// Base path mappings; the longest matching base path wins.
    pub mappings: Vec<BasePathMapping>,
}

/// Maps a base path of a custom domain to a stage of an API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasePathMapping {
    /// Path without leading or trailing slash (`orders/v1`); empty for AWS's `(none)`.
    pub base_path: String,
    /// Id of the mapped API.
    pub api_id: String,
    /// Name of the mapped stage of that API.
    pub stage: String,
}

/// Hot reload settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadSettings {
    /// Watch [`GatewayConfig::files`] and reload when one changes (SIGHUP always reloads).
    pub watch: bool,
    /// Quiet time after the last change before a watched reload starts.
    pub debounce: Duration,
}

/// Settings for connections to HTTP backends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpstreamSettings {
    /// Extra PEM CA certificates trusted for HTTPS backends, besides the system roots.
    pub ca_files: Vec<PathBuf>,
}

/// REST API or HTTP API: they differ in features, error bodies and event shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiType {
    /// API Gateway v1 (REST API).
    Rest,
    /// API Gateway v2 HTTP API.
    Http,
}

/// The name `$default`: the HTTP API stage served without a path prefix, and
/// the HTTP API catch-all route key.
pub const DEFAULT_NAME: &str = "$default";

/// One API.
#[derive(Debug, Clone)]
pub struct Api {
    /// The API id (`{apiId}.execute-api.*` hosts select it).
    pub id: String,
    /// `info.title` of the definition.
    pub name: String,
    /// REST or HTTP API.
    pub api_type: ApiType,
    /// The OpenAPI file it came from.
    pub source: PathBuf,
    /// Stages; never empty. A stage named [`DEFAULT_NAME`] serves at the root,
    /// any other at `/{name}/...`.
    pub stages: Vec<Stage>,
    /// Routes (REST: resource path + method; HTTP API: route keys).
    pub routes: Vec<Route>,
    /// `x-amazon-apigateway-binary-media-types`, e.g. `image/png`, `*/*`.
    pub binary_media_types: Vec<String>,
    /// `x-amazon-apigateway-gateway-responses`, keyed by response type
    /// (`DEFAULT_4XX`, `INTEGRATION_FAILURE`, ...).
    pub gateway_responses: BTreeMap<String, GatewayResponse>,
    /// Models by name (`[A-Za-z0-9]+`): JSON schemas (draft 4) from Swagger 2
    /// `definitions` or OpenAPI 3 `components.schemas`, as written. `$ref`s
    /// inside are kept as written and point at models of this map
    /// (`#/definitions/NAME` or `#/components/schemas/NAME`, optionally
    /// followed by a path inside that model). Inline request body schemas are
    /// here too, under a name made from their operation ([`Route::request_models`]).
    /// Always empty for HTTP APIs, which ignore schemas.
    pub models: BTreeMap<String, serde_json::Value>,
    /// `x-amazon-apigateway-policy`: the resource policy (REST APIs), checked
    /// at load; statements testing what a local gateway cannot know
    /// (`aws:SourceVpce`, ...) are dropped with a warning.
    pub resource_policy: Option<serde_json::Value>,
    /// Authorizers by security scheme name (`x-amazon-apigateway-authorizer`);
    /// routes name them in [`Authorization::Authorizer`].
    pub authorizers: BTreeMap<String, Authorizer>,
    /// Where API keys are read from.
    pub api_key_source: ApiKeySource,
    /// `x-amazon-apigateway-cors` (HTTP APIs only; docs/cors.md).
    pub cors: Option<crate::config::Cors>,
    /// `x-amazon-apigateway-minimum-compression-size` (REST APIs): responses of
    /// at least this many bytes are compressed for clients that ask
    /// (docs/compression.md); `None` leaves responses uncompressed.
    pub minimum_compression_size: Option<u32>,
}

/// An authorizer a security scheme defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorizer {
    /// Where it is defined, for messages (`components.securitySchemes.jwt`).
    pub location: String,
    /// What it checks.
    pub kind: AuthorizerKind,
}

/// What an authorizer checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizerKind {
    /// An HTTP API JWT authorizer.
    Jwt {
        /// `jwtConfiguration.issuer` (or derived from `openIdConnectUrl`).
        issuer: String,
        /// `jwtConfiguration.audience`.
        audiences: Vec<String>,
        /// Where the token is read.
        identity_source: IdentitySource,
    },
    /// A REST API Amazon Cognito user pool authorizer.
    CognitoUserPools {
        /// The user pools of `providerARNs`; a token of any of them is accepted.
        user_pools: Vec<CognitoUserPool>,
        /// Where the token is read (a header).
        identity_source: IdentitySource,
    },
    /// A Lambda authorizer (`token` or `request`).
    Lambda(LambdaAuthorizer),
}

/// A Lambda authorizer as the definition declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaAuthorizer {
    /// The function `authorizerUri` names.
    pub function: LambdaTarget,
    /// `token` (REST) rather than `request`.
    pub token: bool,
    /// Identity sources as written (`method.request.header.Auth`,
    /// `$request.querystring.q`, ...); a TOKEN authorizer has one header.
    pub identity_sources: Vec<String>,
    /// `identityValidationExpression` (TOKEN authorizers).
    pub validation_expression: Option<String>,
    /// `authorizerResultTtlInSeconds`: unless written, 300 on REST APIs and 0
    /// (no caching) on HTTP APIs; 0 disables caching.
    pub ttl_seconds: u64,
    /// HTTP API `authorizerPayloadFormatVersion` is `2.0` (else `1.0`).
    pub payload_v2: bool,
    /// HTTP API `enableSimpleResponses`.
    pub simple_responses: bool,
}

/// A Cognito user pool named by ARN (`arn:aws:cognito-idp:{region}:{account}:userpool/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoUserPool {
    /// The pool's region.
    pub region: String,
    /// The pool id (`us-east-1_AbCdEf123`).
    pub id: String,
}

impl CognitoUserPool {
    /// The issuer of the pool's tokens on AWS.
    pub fn aws_issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region, self.id
        )
    }
}

/// Where an authorizer reads the caller's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// A request header (`$request.header.Authorization`, `method.request.header.Authorization`).
    Header(http::HeaderName),
    /// A query string parameter (`$request.querystring.token`).
    QueryString(String),
}

/// A deployed stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Stage name (alphanumerics, `-`, `_`, at most 128 characters) or `$default`.
    pub name: String,
    /// Stage variables (`${stageVariables.x}`).
    pub variables: BTreeMap<String, String>,
    /// Per-method throttling.
    pub throttling: StageThrottling,
    /// Where and how each request is logged, when access logging is on.
    pub access_log: Option<AccessLogSettings>,
    /// Its response cache (`cacheClusterEnabled` and the cache method
    /// settings), REST APIs only; `None` when caching is off.
    pub cache: Option<StageCaching>,
}

/// A stage's response cache: AWS's cache cluster and its method settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StageCaching {
    /// The cluster size as written, in GB (`0.5`, `1.6`, ...).
    pub cluster_size: String,
    /// The bound on the entries kept in memory, in bytes (the cluster size).
    pub capacity_bytes: u64,
    /// AWS's `*/*` method settings: apply to the stage's `GET` methods.
    pub default: MethodCaching,
    /// Per route key (`GET /pets`): replaces `default` for that method,
    /// whatever its HTTP method.
    pub methods: BTreeMap<String, MethodCaching>,
}

/// One method's cache settings (AWS's `MethodSetting` caching fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodCaching {
    /// `cachingEnabled`.
    pub enabled: bool,
    /// `cacheTtlInSeconds` (0–3600; 0 keeps nothing).
    pub ttl: Duration,
    /// `requireAuthorizationForCacheControl`: a client's `Cache-Control:
    /// max-age=0` is honoured only when it may `execute-api:InvalidateCache`.
    pub require_authorization: bool,
    /// `unauthorizedCacheControlHeaderStrategy`.
    pub unauthorized: UnauthorizedCacheControl,
    /// `cacheDataEncrypted`: entries kept in Redis are encrypted.
    pub encrypted: bool,
    /// Beyond AWS: the backend's `Cache-Control` (`no-store`, `private`,
    /// `no-cache`, `max-age`, `s-maxage`) decides whether and how long.
    pub backend_cache_control: bool,
}

impl Default for MethodCaching {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl: Duration::from_secs(300),
            require_authorization: true,
            unauthorized: UnauthorizedCacheControl::SucceedWithResponseHeader,
            encrypted: false,
            backend_cache_control: false,
        }
    }
}

/// What an unauthorised `Cache-Control: max-age=0` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnauthorizedCacheControl {
    /// `FAIL_WITH_403`.
    FailWith403,
    /// `SUCCEED_WITH_RESPONSE_HEADER`: served (from the cache when it can
    /// be), with a `Warning` header saying the header was ignored.
    SucceedWithResponseHeader,
    /// `SUCCEED_WITHOUT_RESPONSE_HEADER`: served, the header ignored silently.
    SucceedWithoutResponseHeader,
}

/// `caching:`: where stage caches keep entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachingSettings {
    /// Memory, Redis, or memory in front of Redis.
    pub store: CacheStoreKind,
    /// How long a request waits for another request's backend call for
    /// the same key (coalescing); zero turns coalescing off.
    pub coalesce_wait: Duration,
    /// In the tiered store, how long a node keeps an entry read from Redis
    /// in its memory at most.
    pub near_ttl: Duration,
    /// The AES-256 key for `cacheDataEncrypted` methods, read from this
    /// environment variable (64 hex digits or base64 of 32 bytes).
    pub encryption_key_env: Option<String>,
}

impl Default for CachingSettings {
    fn default() -> Self {
        Self {
            store: CacheStoreKind::Memory,
            coalesce_wait: Duration::from_secs(10),
            near_ttl: Duration::from_secs(5),
            encryption_key_env: None,
        }
    }
}

/// Where cache entries live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStoreKind {
    /// In each node's memory.
    Memory,
    /// In Redis (`redis.url`), shared by every node.
    Redis,
    /// In memory in front of Redis.
    Tiered,
}

/// A stage's access log (AWS's `AccessLogSettings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogSettings {
    /// The format as written: `$context` variables in any text (JSON, CLF,
    /// XML, CSV), or a preset's name (`CLF`, `JSON`, `XML`, `CSV`).
    pub format: String,
    /// Where lines go.
    pub destination: LogDestination,
}

/// Where access-log lines are written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LogDestination {
    /// Standard output.
    Stdout,
    /// Standard error (beside the gateway's own log).
    Stderr,
    /// A file, appended to (reopened on reload, for rotation).
    File(PathBuf),
}

impl std::fmt::Display for LogDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogDestination::Stdout => f.write_str("stdout"),
            LogDestination::Stderr => f.write_str("stderr"),
            LogDestination::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One route: a method on a resource path (REST) or a route key (HTTP API).
#[derive(Debug, Clone)]
pub struct Route {
    /// HTTP method or `ANY`.
    pub method: Method,
    /// Resource path (`/pets/{id}`), or `$default` for the HTTP API catch-all route.
    pub path: String,
    /// Where the route is defined in its file, for messages (`paths./pets/{id}.get`).
    pub location: String,
    /// `operationId`, when present.
    pub operation_id: Option<String>,
    /// Authorization the route requires.
    pub authorization: Authorization,
    /// OAuth scopes the route's authorizer must grant (the scope list of the
    /// operation's `security` entry); only JWT and Cognito user pool
    /// authorizers have them. Empty when none are listed.
    pub authorization_scopes: Vec<String>,
    /// Whether an API key is required (`x-amazon-apigateway-api-key-source` / `api_key` security).
    pub api_key_required: bool,
    /// Method request parameters declared by the operation (`in: path|query|header`).
    pub request_parameters: Vec<MethodParameter>,
    /// The request validator applied to the method: the operation's
    /// `x-amazon-apigateway-request-validator`, else the document's; `None`
    /// when neither names one. Always `None` for HTTP APIs.
    pub validation: Option<RequestValidation>,
    /// Method request body models: content type as written (`application/json`)
    /// → name of a model of [`Api::models`]. Empty for HTTP APIs.
    pub request_models: BTreeMap<String, String>,
    /// The integration.
    pub integration: Integration,
}

/// A request validator (`x-amazon-apigateway-request-validators`) applied to a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestValidation {
    /// The validator's name, as written (`params-only`, `Validate body`).
    pub name: String,
    /// `validateRequestBody`: check the body against the route's request model
    /// for its content type.
    pub body: bool,
    /// `validateRequestParameters`: check that required method request
    /// parameters (query strings, headers) are present and not blank.
    pub parameters: bool,
}

/// A declared method request parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodParameter {
    /// Where it is read from.
    pub location: ParameterLocation,
    /// Its name.
    pub name: String,
    /// Whether it is required.
    pub required: bool,
}

/// Where a method request parameter is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterLocation {
    /// A path parameter.
    Path,
    /// A query string parameter.
    QueryString,
    /// A header.
    Header,
}

/// Authorization a route requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Open to everyone.
    None,
    /// IAM (SigV4).
    Iam,
    /// A named authorizer (`x-amazon-apigateway-authorizer`): Lambda, Cognito or JWT.
    Authorizer {
        /// The security scheme name.
        name: String,
        /// Its type as written (`token`, `request`, `cognito_user_pools`, `jwt`).
        kind: String,
    },
}

/// How a route reaches its backend.
#[derive(Debug, Clone)]
pub struct Integration {
    /// The integration type and its target.
    pub kind: IntegrationKind,
    /// `timeoutInMillis`, or the API type's default; within AWS's bounds.
    pub timeout: Duration,
    /// `requestParameters`: how method request values map onto the integration request.
    pub request_parameters: Vec<ParameterMapping>,
    /// `requestTemplates`, keyed by content type.
    pub request_templates: BTreeMap<String, String>,
    /// `passthroughBehavior`.
    pub passthrough: PassthroughBehavior,
    /// `responses` (REST `http` and `mock`), in definition order; at most one default.
    pub responses: Vec<IntegrationResponse>,
    /// `contentHandling` of the integration request.
    pub content_handling: Option<ContentHandling>,
    /// HTTP API `responseParameters`: mappings applied to integration responses, by status code.
    pub response_mappings: Vec<ResponseMapping>,
    /// `connectionType: VPC_LINK`: a private integration, reached through a
    /// VPC link; resolved at load to a local URL when one is configured.
    pub private_link: Option<PrivateLink>,
    /// `responseTransferMode: STREAM` on a REST `http_proxy` integration: the
    /// backend's body is passed on as it arrives instead of being buffered.
    pub stream_response: bool,
    /// `cacheNamespace` and `cacheKeyParameters` (REST): what chooses a
    /// cached response when the stage caches this method.
    pub cache_key: CacheKeySettings,
    /// `credentials`: whose identity an AWS service integration calls with.
    pub credentials: Option<IntegrationCredentials>,
}

/// An integration's `credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationCredentials {
    /// An IAM role's ARN: assumed through STS when `aws.assume_roles` is on.
    Role(String),
    /// `arn:aws:iam::*:user/*`: the API caller's own identity (IAM-authorised routes).
    Caller,
}

/// `cacheNamespace` and `cacheKeyParameters` of an integration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheKeySettings {
    /// Methods with the same namespace share entries; `None`: the
    /// method's own resource.
    pub namespace: Option<String>,
    /// Request values in the key, in the order written.
    pub parameters: Vec<CacheKeyParameter>,
}

/// A `method.request.*` value in a cache key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheKeyParameter {
    /// `method.request.path.NAME`.
    Path(String),
    /// `method.request.querystring.NAME` (the last value, as AWS maps it).
    QueryString(String),
    /// `method.request.multivaluequerystring.NAME` (every value).
    MultiValueQueryString(String),
    /// `method.request.header.NAME` (lower-cased).
    Header(String),
    /// `method.request.multivalueheader.NAME` (lower-cased; every value).
    MultiValueHeader(String),
}

/// A private integration's VPC link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateLink {
    /// `connectionId` as written: a VPC link id or `${stageVariables.NAME}`.
    pub connection_id: String,
    /// The URL the link was resolved to (`--vpc-link ID=URL` or `vpc_links:`),
    /// `None` when the integration's `uri` is called directly.
    pub resolved: Option<String>,
    /// Whether the whole request path, stage included, is sent (HTTP API
    /// private integrations to a load balancer or Cloud Map service).
    pub forwards_full_path: bool,
    /// The `Host` header sent when resolved: the host of the `uri` as written
    /// (AWS uses a REST private integration's `uri` only for that).
    pub host_header: Option<String>,
}

/// HTTP API response parameter mappings for one integration status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMapping {
    /// The integration response status these apply to.
    pub status: u16,
    /// Header changes and `overwrite:statuscode`.
    pub mappings: Vec<ParameterMapping>,
}

/// The integration types served today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationKind {
    /// `http_proxy`: the request is forwarded, the response returned as it is.
    HttpProxy {
        /// Target URL; may hold `{name}` path placeholders and `${stageVariables.x}`.
        uri: String,
        /// `httpMethod`; `None` (or `ANY`) forwards the client's method.
        method: Option<http::Method>,
    },
    /// `http`: a non-proxy HTTP integration (templates and integration responses).
    Http {
        /// Target URL, as for `HttpProxy`.
        uri: String,
        /// `httpMethod`; `None` forwards the client's method.
        method: Option<http::Method>,
    },
    /// `mock`: answered by the gateway from the request template's `statusCode`.
    Mock,
    /// An integration this gateway cannot call (yet): an AWS service
    /// integration, a non-proxy integration in an HTTP API, a private
    /// integration whose VPC link is not configured. The route answers AWS's
    /// 500 and logs `reason`; the load warned about it.
    Unserved {
        /// What the integration is and why it is not served.
        reason: String,
    },
    /// An HTTP API first-class integration (`integrationSubtype`): an AWS
    /// service action called with the gateway's signed request.
    AwsService(ServiceIntegration),
    /// A REST `aws` integration with a service URI
    /// (`arn:aws:apigateway:{region}:{service}:action/{Action}` or
    /// `...:path/{path}`): the mapped request, signed, sent to the service.
    AwsRest(AwsRestTarget),
    /// `aws_proxy` (proxy) or `aws` (custom) with a Lambda function URI.
    Lambda {
        /// The function the URI names.
        function: LambdaTarget,
        /// `aws_proxy`: the event is built by the gateway and the result read
        /// as a proxy response; `aws`: templates and integration responses.
        proxy: bool,
        /// The proxy event shape (REST APIs: always 1.0).
        payload_format: PayloadFormat,
    },
}

/// An HTTP API first-class integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceIntegration {
    /// `integrationSubtype`: `SQS-SendMessage`, ...
    pub subtype: String,
    /// `requestParameters`: the action's parameters by name, each a mapping
    /// value (`$request.body.message`, a literal, ...).
    pub parameters: BTreeMap<String, MappingValue>,
}

/// The service call a REST `aws` integration URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsRestTarget {
    /// The service (`dynamodb`, `sqs`, ...): its SigV4 name and endpoint prefix.
    pub service: String,
    /// `{subdomain}.{service}`: for S3, the bucket.
    pub subdomain: Option<String>,
    /// The region in the URI.
    pub region: String,
    /// `action/{Action}`: the operation; `None` for a `path/` URI.
    pub action: Option<String>,
    /// `path/{path}`: the resource path, `{name}` placeholders included.
    pub path: Option<String>,
    /// `httpMethod`.
    pub method: Option<http::Method>,
    /// The URI as written, for messages and the route table.
    pub uri: String,
}

/// The function a Lambda integration URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaTarget {
    /// The function name, looked up in [`GatewayConfig::functions`].
    pub name: String,
    /// The version or alias after the name (`:live`), possibly `${stageVariables.x}`;
    /// passed on to remote functions.
    pub qualifier: Option<String>,
    /// The URI as written, for messages and the route table.
    pub uri: String,
}

/// The Lambda proxy event and response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadFormat {
    /// Payload format 1.0 (REST APIs; HTTP APIs when chosen).
    V1,
    /// Payload format 2.0 (HTTP APIs).
    V2,
}

/// A function Lambda integrations can call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionConfig {
    /// Run as local processes behind a hosted Lambda Runtime API.
    Local(LocalFunctionConfig),
    /// Called through Lambda's Invoke API, signed with SigV4.
    Remote(RemoteFunctionConfig),
}

/// A function run locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFunctionConfig {
    /// Program and arguments, run without a shell.
    pub command: Vec<String>,
    /// Working directory (`LAMBDA_TASK_ROOT`); the gateway's when `None`.
    pub cwd: Option<PathBuf>,
    /// Extra environment variables.
    pub environment: BTreeMap<String, String>,
    /// `_HANDLER`, for runtimes that read it.
    pub handler: Option<String>,
    /// The function timeout (Lambda's default: 3 s).
    pub timeout: Duration,
    /// Memory size reported to the function, in MB.
    pub memory_mb: u32,
    /// How many processes may run at once.
    pub reserved_concurrency: usize,
    /// How many callers may wait for a process above that; 0 answers them at once as throttled.
    pub queue: usize,
    /// A digest of the code directory's files (names, sizes, times) when
    /// the function comes from a template: a reload after the code changed
    /// starts new processes, one with unchanged code keeps the warm ones.
    pub code_stamp: Option<u64>,
}

/// A function called through the Invoke API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFunctionConfig {
    /// Function name or ARN, as Lambda knows it.
    pub function: String,
    /// AWS region.
    pub region: String,
    /// Another Invoke API endpoint (an emulator); `https://lambda.{region}.amazonaws.com` when `None`.
    pub endpoint: Option<String>,
    /// A profile of the shared AWS config files to sign with, instead of the default chain.
    pub profile: Option<String>,
}

/// `passthroughBehavior` of a non-proxy integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PassthroughBehavior {
    /// Pass the body through when no template matches the content type.
    #[default]
    WhenNoMatch,
    /// Pass through only when no templates are defined at all; otherwise 415.
    WhenNoTemplates,
    /// Never pass through; 415 when no template matches.
    Never,
}

/// `contentHandling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentHandling {
    /// Binary to base64 text.
    ConvertToText,
    /// Base64 text to binary.
    ConvertToBinary,
}

/// One entry of an integration's `responses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationResponse {
    /// The key as written (`default`, `2\d{2}`, ...), for messages.
    pub key: String,
    /// `selectionPattern`; `None` for the default response.
    pub selection_pattern: Option<String>,
    /// Method response status code.
    pub status_code: u16,
    /// `responseParameters` (`method.response.header.X` → source expression).
    pub response_parameters: BTreeMap<String, String>,
    /// `responseTemplates`, keyed by content type.
    pub response_templates: BTreeMap<String, String>,
    /// `contentHandling` of the response.
    pub content_handling: Option<ContentHandling>,
}

/// A customised gateway response (`x-amazon-apigateway-gateway-responses`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatewayResponse {
    /// Status code override.
    pub status_code: Option<u16>,
    /// `responseParameters` (`gatewayresponse.header.X` → expression).
    pub response_parameters: BTreeMap<String, String>,
    /// `responseTemplates`, keyed by content type.
    pub response_templates: BTreeMap<String, String>,
}

/// A token bucket as AWS writes it (`ThrottleSettings`): `rate_limit`
/// requests per second (fractional allowed), `burst_limit` at once.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleSettings {
    /// Requests per second.
    pub rate_limit: f64,
    /// Requests at once.
    pub burst_limit: u64,
    /// One bucket per caller (beyond AWS; stage throttles only); `None`: one bucket.
    pub per: Option<BucketKey>,
}

/// What tells callers apart when a stage throttle gives each its own bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketKey {
    /// The client's IP address.
    ClientIp,
    /// The authorizer's principal: a JWT's `sub`, a Lambda authorizer's
    /// `principalId`, an IAM caller's ARN.
    Principal,
    /// A request header's value (lower-cased name).
    Header(String),
}

/// AWS's `QuotaSettings`: `limit` requests per UTC day, week or month,
/// `offset` requests taken off the first period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaSettings {
    /// Requests per period.
    pub limit: u64,
    /// The period.
    pub period: portcullis_ratelimit::Period,
    /// Requests taken off the first period (the one the gateway started in).
    pub offset: u64,
}

/// An API key (`api_keys[]`).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Its id: what usage plans, usage reports and `$context.identity.apiKeyId` name.
    pub id: String,
    /// The secret value clients send in `x-api-key`. Never logged.
    pub value: String,
    /// A disabled key is refused as an unknown one is.
    pub enabled: bool,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// A usage plan (`usage_plans[]`): limits for the keys it lists on the API
/// stages it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePlan {
    /// Its id.
    pub id: String,
    /// Per-key limits, aggregated across all the plan's stages.
    pub throttle: Option<ThrottleSettings>,
    /// Per-key quota, aggregated across all the plan's stages.
    pub quota: Option<QuotaSettings>,
    /// The API stages it covers.
    pub api_stages: Vec<PlanStage>,
    /// The ids of its keys.
    pub keys: Vec<String>,
}

/// A stage a usage plan covers, with per-method limits for its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanStage {
    /// API id.
    pub api_id: String,
    /// Stage name.
    pub stage: String,
    /// Per-method limits by route key (`GET /pets`), replacing the plan's for that method.
    pub method_throttles: BTreeMap<String, ThrottleSettings>,
}

/// Stage-level throttling (AWS's method settings `*/*` and per method, or
/// an HTTP API's default route settings and route settings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageThrottling {
    /// Applied to each method of the stage (one bucket per method, not one for the stage).
    pub default: Option<ThrottleSettings>,
    /// Per route key (`GET /pets`), replacing the default for that method.
    pub methods: BTreeMap<String, ThrottleSettings>,
}

/// `throttling:`: the account level and what Portcullis adds.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottlingSettings {
    /// The account's limit across all APIs (AWS's default: 10,000 per second, burst 5,000).
    /// `None` turns it off.
    pub account: Option<ThrottleSettings>,
    /// Send `RateLimit-*` headers and `Retry-After` (AWS sends none).
    pub rate_limit_headers: bool,
}

impl Default for ThrottlingSettings {
    fn default() -> Self {
        Self {
            account: Some(ThrottleSettings {
                rate_limit: 10_000.0,
                burst_limit: 5_000,
                per: None,
            }),
            rate_limit_headers: false,
        }
    }
}

/// `redis:`: limits and quotas shared by every gateway node using the same Redis.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// `redis://HOST:PORT/DB` (may hold a password: never logged).
    pub url: String,
    /// How long one check may wait for Redis.
    pub timeout: Duration,
    /// What requests get while Redis cannot answer.
    pub on_failure: portcullis_ratelimit::OnFailure,
    /// Key prefix (a Redis Cluster hash tag is added around it).
    pub prefix: String,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("timeout", &self.timeout)
            .field("on_failure", &self.on_failure)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Where an API reads API keys from (`x-amazon-apigateway-api-key-source`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiKeySource {
    /// The `x-api-key` header.
    #[default]
    Header,
    /// A Lambda authorizer's `usageIdentifierKey`.
    Authorizer,
}
