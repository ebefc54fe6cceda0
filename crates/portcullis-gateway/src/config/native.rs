//! The native YAML configuration file, as written: plain serde structs that
//! refuse unknown fields. Checking and resolving them is `load`'s job.
//!
//! ```yaml
//! listeners: [{ address: 127.0.0.1:3000 }]
//! apis:
//!   - openapi: petstore.yaml
//!     stages: [{ name: prod, variables: { backend: "127.0.0.1:8080" } }]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::error::Problem;
use super::model::ApiType;
use super::openapi::tree::strip_position;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NativeFile {
    /// Where to listen; `None` when not written (→ 127.0.0.1:3000).
    #[serde(default)]
    pub(crate) listeners: Option<Vec<ListenerEntry>>,
    /// The APIs served.
    #[serde(default)]
    pub(crate) apis: Vec<ApiEntry>,
    /// A SAM or CloudFormation template whose APIs and functions are served
    /// beside `apis`, with this file's other settings.
    #[serde(default)]
    pub(crate) template: Option<TemplateEntry>,
    /// Custom domain names.
    #[serde(default)]
    pub(crate) domains: Vec<DomainEntry>,
    /// Backend connection settings.
    #[serde(default)]
    pub(crate) upstream: UpstreamEntry,
    /// Hot reload settings.
    #[serde(default)]
    pub(crate) reload: ReloadEntry,
    /// Shutdown settings.
    #[serde(default)]
    pub(crate) shutdown: ShutdownEntry,
    /// Functions for Lambda integrations, by name.
    #[serde(default)]
    pub(crate) functions: BTreeMap<String, FunctionEntry>,
    /// Local URLs standing in for VPC links, by link id.
    #[serde(default)]
    pub(crate) vpc_links: BTreeMap<String, String>,
    /// The account and region definitions are imported into (AWS variables).
    #[serde(default)]
    pub(crate) aws: AwsEntry,
    /// Where JWT and Cognito authorizers find keys.
    #[serde(default)]
    pub(crate) jwt: JwtEntry,
    /// IAM identities for `AWS_IAM` routes.
    #[serde(default)]
    pub(crate) iam: IamEntry,
    /// API keys.
    #[serde(default)]
    pub(crate) api_keys: Vec<ApiKeyEntry>,
    /// Usage plans.
    #[serde(default)]
    pub(crate) usage_plans: Vec<UsagePlanEntry>,
    /// The account level and Portcullis's additions.
    #[serde(default)]
    pub(crate) throttling: ThrottlingEntry,
    /// Shared limits.
    #[serde(default)]
    pub(crate) redis: Option<RedisEntry>,
    /// The admin listener: `None` when not written (the default), `Some(None)`
    /// for `admin: null` (off).
    #[serde(default, deserialize_with = "present")]
    pub(crate) admin: Option<Option<AdminEntry>>,
    /// The access log of every stage that sets none.
    #[serde(default)]
    pub(crate) access_log: Option<AccessLogEntry>,
    /// Span export.
    #[serde(default)]
    pub(crate) tracing: super::telemetry::TracingEntry,
    /// Where stage caches keep entries.
    #[serde(default)]
    pub(crate) caching: super::caching::CachingEntry,
}

/// `access_log` (top level or a stage's).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccessLogEntry {
    /// AWS's format string, or a preset's name (`CLF`, `JSON`, `XML`, `CSV`).
    pub(crate) format: String,
    /// `stdout` (default), `stderr`, or a file path relative to the config file.
    #[serde(default)]
    pub(crate) destination: Option<String>,
}

/// `rate_limit` and `burst_limit`, as AWS's `ThrottleSettings`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThrottleEntry {
    /// Requests per second (fractional allowed).
    pub(crate) rate_limit: f64,
    /// Requests at once.
    pub(crate) burst_limit: u64,
    /// One bucket per caller instead of one for all (stage throttles only):
    /// `client_ip`, `principal` or `header:NAME`.
    #[serde(default)]
    pub(crate) per: Option<String>,
}

/// `usage_plans[].quota`, as AWS's `QuotaSettings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuotaEntry {
    /// Requests per period.
    pub(crate) limit: u64,
    /// `DAY`, `WEEK` or `MONTH`.
    pub(crate) period: String,
    /// Requests taken off the first period.
    #[serde(default)]
    pub(crate) offset: u64,
}

/// `api_keys[]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiKeyEntry {
    /// Its id.
    pub(crate) id: String,
    /// The value clients send.
    pub(crate) value: Text,
    /// `true` when left out.
    #[serde(default = "enabled")]
    pub(crate) enabled: bool,
}

fn enabled() -> bool {
    true
}

impl std::fmt::Debug for ApiKeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyEntry")
            .field("id", &self.id)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// `usage_plans[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UsagePlanEntry {
    /// Its id.
    pub(crate) id: String,
    /// Per-key limits across the plan's stages.
    #[serde(default)]
    pub(crate) throttle: Option<ThrottleEntry>,
    /// Per-key quota across the plan's stages.
    #[serde(default)]
    pub(crate) quota: Option<QuotaEntry>,
    /// The API stages it covers.
    #[serde(default)]
    pub(crate) api_stages: Vec<PlanStageEntry>,
    /// Key ids.
    #[serde(default)]
    pub(crate) keys: Vec<String>,
}

/// `usage_plans[].api_stages[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanStageEntry {
    /// API id.
    pub(crate) api: String,
    /// Stage name; may be left out when the API has one stage.
    #[serde(default)]
    pub(crate) stage: Option<String>,
    /// Per-method limits: `"/pets/GET"` (AWS's resource/method) or `"GET /pets"` (a route key).
    #[serde(default)]
    pub(crate) throttle: BTreeMap<String, ThrottleEntry>,
}

/// `throttling`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThrottlingEntry {
    /// The account level; `null` turns it off; AWS's 10,000/5,000 when left out.
    #[serde(default, deserialize_with = "present")]
    pub(crate) account: Option<Option<ThrottleEntry>>,
    /// `RateLimit-*` and `Retry-After` headers.
    #[serde(default)]
    pub(crate) rate_limit_headers: bool,
}

/// Reads a field that is present (even as `null`) as `Some`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `redis`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedisEntry {
    /// `redis://HOST:PORT/DB`.
    pub(crate) url: String,
    /// Per-check time budget (50 ms when left out).
    #[serde(default)]
    pub(crate) timeout_ms: Option<u64>,
    /// `admit` (default), `refuse` or `local`.
    #[serde(default)]
    pub(crate) on_failure: Option<String>,
    /// Key prefix (`portcullis` when left out).
    #[serde(default)]
    pub(crate) prefix: Option<String>,
}

impl std::fmt::Debug for RedisEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisEntry")
            .field("timeout_ms", &self.timeout_ms)
            .field("on_failure", &self.on_failure)
            .finish_non_exhaustive()
    }
}

/// `admin`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AdminEntry {
    /// `127.0.0.1:PORT` (loopback only).
    pub(crate) address: String,
}

/// `iam`: the identities SigV4-signed requests may use.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IamEntry {
    /// The identities.
    #[serde(default)]
    pub(crate) identities: Vec<IdentityEntry>,
}

/// `iam.identities[i]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdentityEntry {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    #[serde(default)]
    pub(crate) session_token: Option<String>,
    /// `arn:aws:iam::ACCOUNT:user/NAME`, `...:role/NAME`, `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub(crate) principal: String,
    /// Identity policies, as IAM writes them (YAML or JSON).
    #[serde(default)]
    pub(crate) policies: Vec<serde_json::Value>,
}

impl std::fmt::Debug for IdentityEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityEntry")
            .field("access_key_id", &self.access_key_id)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

/// `jwt`: issuers and Cognito user pools served from elsewhere than AWS's defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JwtEntry {
    /// By issuer URL, as the definitions name it.
    #[serde(default)]
    pub(crate) issuers: BTreeMap<String, IssuerEntry>,
    /// By Cognito user pool id.
    #[serde(default)]
    pub(crate) cognito_user_pools: BTreeMap<String, IssuerEntry>,
}

/// `jwt.issuers.URL` / `jwt.cognito_user_pools.ID`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IssuerEntry {
    /// The `iss` tokens carry, when a stand-in issuer replaces the real one.
    #[serde(default)]
    pub(crate) issuer: Option<String>,
    /// The JWKS URL.
    #[serde(default)]
    pub(crate) jwks_uri: Option<String>,
    /// Accepted algorithms beyond AWS's RSA ones.
    #[serde(default)]
    pub(crate) algorithms: Vec<String>,
}

/// `aws`: what `${AWS::Region}`, `${AWS::AccountId}` and `${AWS::Partition}` resolve to.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AwsEntry {
    /// `us-east-1` when left out.
    #[serde(default)]
    pub(crate) region: Option<String>,
    /// `000000000000` when left out.
    #[serde(default)]
    pub(crate) account_id: Option<String>,
    /// Where calls to each AWS service go (AWS service integrations).
    #[serde(default)]
    pub(crate) endpoints: BTreeMap<String, String>,
    /// Whether AWS service integrations assume their `credentials` role.
    #[serde(default)]
    pub(crate) assume_roles: bool,
}

/// `functions.NAME`: a local command, or `remote`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FunctionEntry {
    /// The command: one string (split as a shell splits words) or a list.
    #[serde(default)]
    pub(crate) command: Option<CommandEntry>,
    /// Working directory, relative to the config file.
    #[serde(default)]
    pub(crate) cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub(crate) environment: BTreeMap<String, Text>,
    /// `_HANDLER`.
    #[serde(default)]
    pub(crate) handler: Option<String>,
    /// Function timeout in seconds (1 to 900).
    #[serde(default)]
    pub(crate) timeout_seconds: Option<u64>,
    /// Memory size in MB (128 to 10240).
    #[serde(default)]
    pub(crate) memory_mb: Option<u32>,
    /// Processes that may run at once.
    #[serde(default)]
    pub(crate) reserved_concurrency: Option<usize>,
    /// Callers that may wait above the reserved concurrency.
    #[serde(default)]
    pub(crate) queue: Option<usize>,
    /// Call the function through the Invoke API instead.
    #[serde(default)]
    pub(crate) remote: Option<RemoteEntry>,
}

/// `functions.NAME.command`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum CommandEntry {
    /// `python3 -m awslambdaric app.handler`.
    Line(String),
    /// `[python3, -m, awslambdaric, app.handler]`.
    Words(Vec<String>),
}

/// `functions.NAME.remote`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoteEntry {
    /// Function name or ARN; the entry's name when left out.
    #[serde(default)]
    pub(crate) function: Option<String>,
    /// AWS region; from the ARN or `AWS_REGION` when left out.
    #[serde(default)]
    pub(crate) region: Option<String>,
    /// Another Invoke endpoint (an emulator).
    #[serde(default)]
    pub(crate) endpoint: Option<String>,
    /// Shared-config profile for credentials.
    #[serde(default)]
    pub(crate) profile: Option<String>,
}

/// `listeners[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListenerEntry {
    /// `IP:port`.
    pub(crate) address: String,
    /// Certificate and key files, relative to the config file.
    #[serde(default)]
    pub(crate) tls: Option<TlsEntry>,
}

/// `listeners[].tls`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TlsEntry {
    /// PEM certificate chain.
    pub(crate) cert: String,
    /// PEM private key.
    pub(crate) key: String,
}

/// `template`: what `--template` and its flags say, in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateEntry {
    /// The template, relative to the config file.
    pub(crate) path: String,
    /// Parameter values (and `Fn::ImportValue` exports), by name.
    #[serde(default)]
    pub(crate) parameter_overrides: BTreeMap<String, Text>,
    /// SAM's env-vars JSON, relative to the config file.
    #[serde(default)]
    pub(crate) env_vars: Option<String>,
    /// How a runtime's (or runtime family's) functions start.
    #[serde(default)]
    pub(crate) runtime_commands: BTreeMap<String, String>,
}

/// `apis[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiEntry {
    /// The OpenAPI file, relative to the config file.
    pub(crate) openapi: String,
    /// Overrides the API id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Overrides the API type detection.
    #[serde(default, rename = "type")]
    pub(crate) api_type: Option<ApiTypeEntry>,
    /// The stages; `None` when not written (→ one `$default` stage).
    #[serde(default)]
    pub(crate) stages: Option<Vec<StageEntry>>,
}

/// `apis[].type`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ApiTypeEntry {
    /// `rest`.
    Rest,
    /// `http`.
    Http,
}

impl From<ApiTypeEntry> for ApiType {
    fn from(entry: ApiTypeEntry) -> Self {
        match entry {
            ApiTypeEntry::Rest => ApiType::Rest,
            ApiTypeEntry::Http => ApiType::Http,
        }
    }
}

/// `apis[].stages[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StageEntry {
    /// Stage name.
    pub(crate) name: String,
    /// Stage variables; scalar values (`port: 8080`) read as text.
    #[serde(default)]
    pub(crate) variables: BTreeMap<String, Text>,
    /// Applied to each method (AWS's `*/*` method settings, an HTTP API's default route settings).
    #[serde(default)]
    pub(crate) throttle: Option<ThrottleEntry>,
    /// Per method: `"/pets/GET"` or `"GET /pets"`.
    #[serde(default)]
    pub(crate) method_throttle: BTreeMap<String, ThrottleEntry>,
    /// The stage's access log.
    #[serde(default)]
    pub(crate) access_log: Option<AccessLogEntry>,
    /// The stage's response cache (`cacheClusterEnabled` when present).
    #[serde(default)]
    pub(crate) cache: Option<super::caching::StageCacheEntry>,
}

/// `domains[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DomainEntry {
    /// Host name.
    pub(crate) name: String,
    /// Base path mappings.
    #[serde(default)]
    pub(crate) mappings: Vec<MappingEntry>,
}

/// `domains[].mappings[]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingEntry {
    /// `orders/v1`; `""` or `(none)` for the root.
    #[serde(default)]
    pub(crate) base_path: String,
    /// API id.
    pub(crate) api: String,
    /// Stage name; may be left out when the API has one stage.
    #[serde(default)]
    pub(crate) stage: Option<String>,
}

/// `upstream`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpstreamEntry {
    /// Extra CA certificates (PEM), relative to the config file.
    #[serde(default)]
    pub(crate) ca_files: Vec<String>,
}

/// `reload`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReloadEntry {
    /// Watch the files read.
    #[serde(default)]
    pub(crate) watch: bool,
    /// Quiet time before a watched reload.
    #[serde(default = "default_debounce_ms")]
    pub(crate) debounce_ms: u64,
}

impl Default for ReloadEntry {
    fn default() -> Self {
        Self {
            watch: false,
            debounce_ms: default_debounce_ms(),
        }
    }
}

/// The default `reload.debounce_ms`.
pub(crate) fn default_debounce_ms() -> u64 {
    200
}

/// `shutdown`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShutdownEntry {
    /// Seconds to wait for in-flight requests.
    #[serde(default = "default_grace_seconds")]
    pub(crate) grace_seconds: u64,
}

impl Default for ShutdownEntry {
    fn default() -> Self {
        Self {
            grace_seconds: default_grace_seconds(),
        }
    }
}

/// The default `shutdown.grace_seconds`.
pub(crate) fn default_grace_seconds() -> u64 {
    30
}

/// A scalar read as text: YAML `8080` and `true` are the strings `8080` and `true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Parses the file. A syntax or shape error stops parsing, so there is one
/// problem at most; it names the YAML path (`apis[0].stages[1].name`) or the
/// line and column.
pub(crate) fn parse(text: &str, file: &Path) -> Result<NativeFile, Problem> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Problem::new(
            file,
            "",
            "the file is empty; it needs at least an `apis` list",
        ));
    }
    let deserializer = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner();
        let position = inner
            .location()
            .map(|l| format!("line {} column {}", l.line(), l.column()));
        let message = strip_path(&strip_position(&inner.to_string()));
        match (path.as_str(), position) {
            ("." | "", Some(position)) => Problem::new(file, position, message),
            ("." | "", None) => Problem::new(file, "", message),
            (_, Some(position)) => Problem::new(file, path, format!("{message} ({position})")),
            (_, None) => Problem::new(file, path, message),
        }
    })
}

/// The YAML parser prefixes its own path (`apis[0]: unknown field ...`);
/// the location already says where.
fn strip_path(message: &str) -> String {
    match message.split_once(": ") {
        Some((prefix, rest)) if !prefix.contains(char::is_whitespace) => rest.to_owned(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        parse(text, Path::new("gw.yaml")).unwrap_err().to_string()
    }

    #[test]
    fn full_file_parses() {
        let text = r#"
listeners:
  - address: 127.0.0.1:3000
    tls: { cert: c.pem, key: k.pem }
apis:
  - openapi: petstore.yaml
    id: petstore
    type: rest
    stages:
      - name: prod
        variables: { backend: "127.0.0.1:8080", port: 8080, on: true }
domains:
  - name: api.example.test
    mappings:
      - { base_path: "", api: petstore, stage: prod }
upstream: { ca_files: [ca.pem] }
reload: { watch: true }
shutdown: { grace_seconds: 5 }
"#;
        let file = parse(text, Path::new("gw.yaml")).unwrap();
        assert_eq!(
            file.listeners.as_ref().unwrap()[0]
                .tls
                .as_ref()
                .unwrap()
                .key,
            "k.pem"
        );
        let stage = &file.apis[0].stages.as_ref().unwrap()[0];
        assert_eq!(stage.variables["port"], Text("8080".into()));
        assert_eq!(stage.variables["on"], Text("true".into()));
        assert!(matches!(file.apis[0].api_type, Some(ApiTypeEntry::Rest)));
        assert_eq!(file.reload.debounce_ms, 200);
        assert!(file.reload.watch);
        assert_eq!(file.shutdown.grace_seconds, 5);
        assert_eq!(file.domains[0].mappings[0].stage.as_deref(), Some("prod"));
    }

    #[test]
    fn defaults() {
        let file = parse("apis: []\n", Path::new("gw.yaml")).unwrap();
        assert!(file.listeners.is_none());
        assert_eq!(file.shutdown.grace_seconds, 30);
        assert_eq!(file.reload.debounce_ms, 200);
        assert!(!file.reload.watch);
    }

    #[test]
    fn problems_name_the_yaml_path() {
        let p = problem("apis:\n  - openapi: a.yaml\n    stage: prod\n");
        assert!(
            p.starts_with("gw.yaml: apis[0].stage: unknown field `stage`"),
            "{p}"
        );
        assert!(p.contains("(line 3 column 5)"), "{p}");
        let p = problem("apis:\n  - openapi: a.yaml\n    type: soap\n");
        assert!(
            p.starts_with("gw.yaml: apis[0].type: unknown variant `soap`"),
            "{p}"
        );
        let p = problem("apis:\n  - openapi: a.yaml\n    stages:\n      - name: [x]\n");
        assert!(
            p.starts_with("gw.yaml: apis[0].stages[0].name: invalid type"),
            "{p}"
        );
        let p = problem("apis: [\n");
        assert!(p.contains("(line 2 column 1)"), "{p}");
        let p = problem("- a\n- b\n");
        assert!(
            p.starts_with("gw.yaml: line 1 column 1: invalid type: sequence"),
            "{p}"
        );
        assert_eq!(
            problem("# nothing\n\n"),
            "gw.yaml: the file is empty; it needs at least an `apis` list"
        );
    }
}
