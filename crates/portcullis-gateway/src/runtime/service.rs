//! AWS service integrations (HTTP API `integrationSubtype`), compiled: the
//! action, where its calls go, the region and credentials they are signed
//! with.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use portcullis_lambda::remote::signer::AwsCredentials;
use portcullis_lambda::remote::{AssumeRole, CredentialSource};

use crate::config::{
    AwsAccount, IntegrationCredentials, MappingValue, ResponseMapping, ServiceIntegration,
    ValuePart,
};

/// What compiling a service integration needs from the gateway.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Services<'a> {
    /// The region, account, `aws.endpoints` and `aws.assume_roles`.
    pub(crate) aws: &'a AwsAccount,
    /// The gateway's own credentials.
    pub(crate) credentials: &'a Arc<AwsCredentials>,
    /// The roles integrations assume.
    pub(crate) roles: &'a Roles,
    /// Whether the route being compiled is IAM-authorised (it has a caller
    /// whose keys `arn:aws:iam::*:user/*` can sign with).
    pub(crate) iam_route: bool,
}

impl Services<'_> {
    /// Who signs an integration's calls, given its `credentials`: the
    /// caller, an assumed role, or (otherwise, and as the load warned) the
    /// gateway itself.
    pub(crate) fn signer(&self, credentials: Option<&IntegrationCredentials>) -> Signer {
        match credentials {
            Some(IntegrationCredentials::Caller) if self.iam_route => Signer::Caller,
            Some(IntegrationCredentials::Role(role)) if self.aws.assume_roles => {
                Signer::Resolved(self.roles.get(role))
            }
            _ => Signer::Resolved(self.credentials.clone()),
        }
    }
}

/// Whose keys sign a service call.
#[derive(Debug, Clone)]
pub(crate) enum Signer {
    /// Keys the gateway resolves and refreshes: its own, or a role's it
    /// assumed with them.
    Resolved(Arc<AwsCredentials>),
    /// The IAM caller's own keys (`arn:aws:iam::*:user/*` on an `AWS_IAM` route).
    Caller,
}

/// Each role's credentials, assumed through STS with the gateway's own on
/// first use and refreshed before they expire; kept across reloads (while
/// the region and STS endpoint stay) so a reload does not call STS again.
#[derive(Debug)]
pub(crate) struct Roles {
    /// Where STS is called: the region, and the endpoint when overridden.
    region: String,
    sts_endpoint: Option<String>,
    by_arn: std::sync::Mutex<std::collections::HashMap<String, Arc<AwsCredentials>>>,
}

impl Roles {
    /// No role assumed yet; STS is called in `aws`'s region, at
    /// `aws.endpoints.sts` when configured (else the AWS SDKs' variables,
    /// `AWS_ENDPOINT_URL_STS` and `AWS_ENDPOINT_URL`, else STS's regional endpoint).
    pub(crate) fn new(aws: &AwsAccount) -> Self {
        Self {
            region: aws.region.clone(),
            sts_endpoint: aws.endpoints.get("sts").cloned(),
            by_arn: Default::default(),
        }
    }

    /// These roles if `aws` calls STS where they were assumed, else none.
    pub(crate) fn kept_for(self: &Arc<Self>, aws: &AwsAccount) -> Option<Arc<Self>> {
        (self.region == aws.region && self.sts_endpoint.as_ref() == aws.endpoints.get("sts"))
            .then(|| self.clone())
    }

    /// The credentials of `role`.
    fn get(&self, role: &str) -> Arc<AwsCredentials> {
        let mut by_arn = self
            .by_arn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        by_arn
            .entry(role.to_owned())
            .or_insert_with(|| {
                let mut assumed = AssumeRole::new(role, CredentialSource::Default);
                if let Some(endpoint) = &self.sts_endpoint {
                    assumed = assumed.with_sts_endpoint(endpoint.clone());
                }
                Arc::new(AwsCredentials::new(
                    &CredentialSource::AssumeRole(assumed),
                    &self.region,
                ))
            })
            .clone()
    }
}

/// An AWS service action a route calls.
#[derive(Debug)]
pub(crate) struct ServicePlan {
    /// What is called.
    pub(crate) action: Action,
    /// The action's parameters, evaluated against each request.
    pub(crate) parameters: BTreeMap<String, MappingValue>,
    /// Where calls go and the region they are signed for.
    pub(crate) placement: Placement,
    /// Who signs the calls.
    pub(crate) signer: Signer,
    /// `timeoutInMillis`.
    pub(crate) timeout: Duration,
    /// HTTP API `responseParameters`, by the service's status code.
    pub(crate) response_mappings: Vec<ResponseMapping>,
}

/// Where an action's calls go.
#[derive(Debug)]
pub(crate) enum Placement {
    /// One region, known at load (`aws.region`, or a literal `Region`).
    Fixed(Target),
    /// A `Region` parameter read from each request.
    PerRequest {
        /// The `Region` parameter.
        region: MappingValue,
        /// An endpoint every region's calls go to (`aws.endpoints`,
        /// `AWS_ENDPOINT_URL*`); without one, each region's own.
        shared: Option<(String, HeaderValue)>,
    },
}

/// A call's endpoint and region.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `scheme://host[:port][/path]`, no trailing slash.
    pub(crate) endpoint: String,
    /// The `Host` header, signed.
    pub(crate) host: HeaderValue,
    /// The region the call is signed for.
    pub(crate) region: String,
}

impl Placement {
    /// The target of one call, `region` being the request's `Region`
    /// parameter when the placement reads one.
    ///
    /// # Errors
    /// `None` when the region is not a region name (letters, digits and
    /// hyphens, as AWS names them): it would otherwise pick the host.
    pub(crate) fn target(
        &self,
        action: Action,
        region: Option<&str>,
    ) -> Option<std::borrow::Cow<'_, Target>> {
        use std::borrow::Cow;
        match self {
            Self::Fixed(target) => Some(Cow::Borrowed(target)),
            Self::PerRequest { shared, .. } => {
                let region = region.filter(|r| is_region_name(r))?;
                let (endpoint, host) = match shared {
                    Some((endpoint, host)) => (endpoint.clone(), host.clone()),
                    None => {
                        let endpoint = regional(action.endpoint_prefix(), region);
                        let host =
                            HeaderValue::from_str(endpoint.trim_start_matches("https://")).ok()?;
                        (endpoint, host)
                    }
                };
                Some(Cow::Owned(Target {
                    endpoint,
                    host,
                    region: region.to_owned(),
                }))
            }
        }
    }
}

/// The text of a value that is only text.
fn literal(value: &MappingValue) -> Option<&str> {
    match value.0.as_slice() {
        [ValuePart::Literal(text)] => Some(text),
        _ => None,
    }
}

/// Whether `region` can be a region's name: `us-east-1`, `cn-north-1`,
/// `us-gov-west-1`; nothing that could reach into a host name otherwise.
fn is_region_name(region: &str) -> bool {
    (3..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// The actions served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// `SQS-SendMessage`.
    SqsSendMessage,
    /// `SQS-ReceiveMessage`.
    SqsReceiveMessage,
    /// `SQS-DeleteMessage`.
    SqsDeleteMessage,
    /// `SQS-PurgeQueue`.
    SqsPurgeQueue,
    /// `EventBridge-PutEvents`.
    EventBridgePutEvents,
    /// `Kinesis-PutRecord`.
    KinesisPutRecord,
    /// `StepFunctions-StartExecution`.
    StepFunctionsStartExecution,
    /// `StepFunctions-StartSyncExecution`.
    StepFunctionsStartSyncExecution,
    /// `StepFunctions-StopExecution`.
    StepFunctionsStopExecution,
    /// `AppConfig-GetConfiguration`.
    AppConfigGetConfiguration,
}

/// How a service reads its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// A form body (`Action=...&Version=...`), XML answers: SQS as API Gateway calls it.
    Query,
    /// A JSON body of this content type, the operation in `X-Amz-Target`.
    Json(&'static str),
    /// A REST API: the operation and its input in the method, path and query.
    Rest,
}

impl Action {
    fn from_subtype(subtype: &str) -> Option<Self> {
        Some(match subtype {
            "SQS-SendMessage" => Self::SqsSendMessage,
            "SQS-ReceiveMessage" => Self::SqsReceiveMessage,
            "SQS-DeleteMessage" => Self::SqsDeleteMessage,
            "SQS-PurgeQueue" => Self::SqsPurgeQueue,
            "EventBridge-PutEvents" => Self::EventBridgePutEvents,
            "Kinesis-PutRecord" => Self::KinesisPutRecord,
            "StepFunctions-StartExecution" => Self::StepFunctionsStartExecution,
            "StepFunctions-StartSyncExecution" => Self::StepFunctionsStartSyncExecution,
            "StepFunctions-StopExecution" => Self::StepFunctionsStopExecution,
            "AppConfig-GetConfiguration" => Self::AppConfigGetConfiguration,
            _ => return None,
        })
    }

    /// The service: its SigV4 name, which is also its endpoint prefix and
    /// the key of `aws.endpoints`, and the AWS SDKs' id for
    /// `AWS_ENDPOINT_URL_<ID>`.
    pub(crate) fn service(self) -> (&'static str, &'static str) {
        match self {
            Self::SqsSendMessage
            | Self::SqsReceiveMessage
            | Self::SqsDeleteMessage
            | Self::SqsPurgeQueue => ("sqs", "SQS"),
            Self::EventBridgePutEvents => ("events", "EVENTBRIDGE"),
            Self::KinesisPutRecord => ("kinesis", "KINESIS"),
            Self::StepFunctionsStartExecution
            | Self::StepFunctionsStartSyncExecution
            | Self::StepFunctionsStopExecution => ("states", "SFN"),
            Self::AppConfigGetConfiguration => ("appconfig", "APPCONFIG"),
        }
    }

    /// The host prefix of the action's regional endpoint: the service's
    /// own, except for synchronous executions.
    pub(crate) fn endpoint_prefix(self) -> &'static str {
        match self {
            Self::StepFunctionsStartSyncExecution => "sync-states",
            _ => self.service().0,
        }
    }

    /// The operation's name in its service's API.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::SqsSendMessage => "SendMessage",
            Self::SqsReceiveMessage => "ReceiveMessage",
            Self::SqsDeleteMessage => "DeleteMessage",
            Self::SqsPurgeQueue => "PurgeQueue",
            Self::EventBridgePutEvents => "PutEvents",
            Self::KinesisPutRecord => "PutRecord",
            Self::StepFunctionsStartExecution => "StartExecution",
            Self::StepFunctionsStartSyncExecution => "StartSyncExecution",
            Self::StepFunctionsStopExecution => "StopExecution",
            Self::AppConfigGetConfiguration => "GetConfiguration",
        }
    }

    /// How the call is written, and for JSON services the `X-Amz-Target` prefix.
    pub(crate) fn protocol(self) -> (Protocol, &'static str) {
        match self.service().0 {
            "events" => (Protocol::Json("application/x-amz-json-1.1"), "AWSEvents"),
            "kinesis" => (
                Protocol::Json("application/x-amz-json-1.1"),
                "Kinesis_20131202",
            ),
            "states" => (
                Protocol::Json("application/x-amz-json-1.0"),
                "AWSStepFunctions",
            ),
            "appconfig" => (Protocol::Rest, ""),
            _ => (Protocol::Query, ""),
        }
    }
}

/// Compiles a service integration.
///
/// # Errors
/// A message when the subtype is not served or its endpoint is no URL.
pub(crate) fn compile(
    integration: &ServiceIntegration,
    credentials: Option<&IntegrationCredentials>,
    services: Services<'_>,
    timeout: Duration,
    response_mappings: &[ResponseMapping],
) -> Result<ServicePlan, String> {
    let aws = services.aws;
    let action = Action::from_subtype(&integration.subtype)
        .ok_or_else(|| format!("{} is not served yet", integration.subtype))?;
    let (service, id) = action.service();
    let prefix = action.endpoint_prefix();
    let mut parameters = integration.parameters.clone();
    // A literal `Region` (or none: aws.region) is placed once; one read
    // from the request is placed per call.
    let placement = match parameters.remove("Region") {
        Some(region) if literal(&region).is_none() => Placement::PerRequest {
            region,
            shared: shared_endpoint(prefix, service, id, &aws.endpoints)
                .map(|endpoint| resolve_url(endpoint, service))
                .transpose()?,
        },
        region => {
            let region = region
                .as_ref()
                .and_then(literal)
                .map_or_else(|| aws.region.clone(), str::to_owned);
            if !is_region_name(&region) {
                return Err(format!("`{region}` is not a region name"));
            }
            let (endpoint, host) = resolve(prefix, service, id, &region, &aws.endpoints)?;
            Placement::Fixed(Target {
                endpoint,
                host,
                region,
            })
        }
    };
    Ok(ServicePlan {
        action,
        parameters,
        placement,
        signer: services.signer(credentials),
        timeout,
        response_mappings: response_mappings.to_vec(),
    })
}

/// The endpoint calls to `service` go to (no trailing slash) and the `Host`
/// they are signed with. `prefix` is the endpoint's host prefix, usually
/// the service itself (see [`endpoint`]).
fn resolve(
    prefix: &str,
    service: &str,
    id: &str,
    region: &str,
    configured: &BTreeMap<String, String>,
) -> Result<(String, HeaderValue), String> {
    resolve_url(endpoint(prefix, service, id, region, configured), service)
}

/// `endpoint` without a trailing slash, and its `Host`.
fn resolve_url(endpoint: String, service: &str) -> Result<(String, HeaderValue), String> {
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|_| format!("`{endpoint}` is not a URL for {service}"))?;
    let host = uri
        .authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
        .ok_or_else(|| format!("`{endpoint}` names no host for {service}"))?;
    Ok((endpoint, host))
}

/// Where calls to `service` go: `aws.endpoints.<prefix>` or
/// `aws.endpoints.<service>`, else the AWS SDKs' `AWS_ENDPOINT_URL_<ID>`
/// then `AWS_ENDPOINT_URL`, else the regional endpoint named by `prefix`
/// (`sync-states` for Step Functions' synchronous executions, which is
/// not the service's own name; otherwise the service).
pub(crate) fn endpoint(
    prefix: &str,
    service: &str,
    id: &str,
    region: &str,
    configured: &BTreeMap<String, String>,
) -> String {
    shared_endpoint(prefix, service, id, configured).unwrap_or_else(|| regional(prefix, region))
}

/// An endpoint configured for every region's calls, if any (see [`endpoint`]).
fn shared_endpoint(
    prefix: &str,
    service: &str,
    id: &str,
    configured: &BTreeMap<String, String>,
) -> Option<String> {
    if let Some(url) = configured.get(prefix).or_else(|| configured.get(service)) {
        return Some(url.clone());
    }
    let variable = format!(
        "AWS_ENDPOINT_URL_{}",
        id.replace(' ', "_").to_ascii_uppercase()
    );
    [variable.as_str(), "AWS_ENDPOINT_URL"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|url| !url.is_empty()))
}

/// A service's endpoint in `region`, by its host prefix.
fn regional(prefix: &str, region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{prefix}.{region}.{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_endpoints_come_first_then_regional_ones() {
        let mut configured = BTreeMap::new();
        configured.insert("sqs".to_owned(), "http://127.0.0.1:4566".to_owned());
        assert_eq!(
            endpoint("sqs", "sqs", "SQS", "eu-west-1", &configured),
            "http://127.0.0.1:4566"
        );
        // Without a configured one, and with no AWS_ENDPOINT_URL_STATES set
        // here, the regional endpoint (unless the environment sets the global one).
        if std::env::var_os("AWS_ENDPOINT_URL").is_none()
            && std::env::var_os("AWS_ENDPOINT_URL_STATES").is_none()
        {
            assert_eq!(
                endpoint("states", "states", "SFN", "eu-west-1", &configured),
                "https://states.eu-west-1.amazonaws.com"
            );
            assert_eq!(
                endpoint("sync-states", "states", "SFN", "eu-west-1", &configured),
                "https://sync-states.eu-west-1.amazonaws.com"
            );
            // A region read per request: its own endpoint, or none for a
            // value that is no region name.
            let placement = Placement::PerRequest {
                region: MappingValue(Vec::new()),
                shared: None,
            };
            let target = placement
                .target(Action::KinesisPutRecord, Some("ap-south-2"))
                .unwrap();
            assert_eq!(target.endpoint, "https://kinesis.ap-south-2.amazonaws.com");
            assert_eq!(target.host, "kinesis.ap-south-2.amazonaws.com");
            assert_eq!(target.region, "ap-south-2");
            for bad in ["evil.com/x", "us-east-1.evil.com", "", "-x-", "US-EAST-1"] {
                assert!(
                    placement
                        .target(Action::KinesisPutRecord, Some(bad))
                        .is_none(),
                    "{bad}"
                );
            }
            assert_eq!(
                endpoint("sqs", "sqs", "SQS", "cn-north-1", &BTreeMap::new()),
                "https://sqs.cn-north-1.amazonaws.com.cn"
            );
        }
    }

    #[test]
    fn rest_targets_address_buckets_by_path_and_sync_executions_by_their_host() {
        let aws = AwsAccount {
            region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
            endpoints: BTreeMap::new(),
            assume_roles: false,
        };
        let credentials = Arc::new(AwsCredentials::new(
            &portcullis_lambda::remote::CredentialSource::Default,
            "us-east-1",
        ));
        let roles = Roles::new(&aws);
        let services = Services {
            aws: &aws,
            credentials: &credentials,
            roles: &roles,
            iam_route: false,
        };
        let target =
            |service: &str, subdomain: Option<&str>, action: Option<&str>, path: Option<&str>| {
                crate::config::AwsRestTarget {
                    service: service.to_owned(),
                    subdomain: subdomain.map(str::to_owned),
                    region: "eu-west-1".to_owned(),
                    action: action.map(str::to_owned),
                    path: path.map(str::to_owned),
                    method: None,
                    uri: String::new(),
                }
            };
        if std::env::var_os("AWS_ENDPOINT_URL").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_SFN").is_some()
        {
            return;
        }
        let (uri, signing) = rest_target(
            &target("s3", Some("photos"), None, Some("{key}")),
            None,
            services,
        )
        .unwrap();
        assert_eq!(uri, "https://s3.eu-west-1.amazonaws.com/photos/{key}");
        assert_eq!(
            (signing.service.as_str(), signing.json.is_none()),
            ("s3", true)
        );
        let (uri, signing) = rest_target(
            &target("states", None, Some("StartSyncExecution"), None),
            None,
            services,
        )
        .unwrap();
        assert_eq!(uri, "https://sync-states.eu-west-1.amazonaws.com/");
        assert_eq!(signing.host, "sync-states.eu-west-1.amazonaws.com");
        assert_eq!(signing.service, "states");
        let refused = rest_target(&target("s3", None, Some("GetObject"), None), None, services);
        assert!(refused.unwrap_err().contains("by path"));
    }
}

/// How a REST `aws` integration's request is made a service call: signed
/// for its service, and for JSON services given their target and type.
#[derive(Debug)]
pub(crate) struct AwsSigning {
    /// The SigV4 service name.
    pub(crate) service: String,
    /// The region signed for.
    pub(crate) region: String,
    /// Who signs the calls.
    pub(crate) signer: Signer,
    /// The endpoint's `Host`, signed.
    pub(crate) host: HeaderValue,
    /// JSON services: `X-Amz-Target` and the JSON content type they read.
    pub(crate) json: Option<(HeaderValue, HeaderValue)>,
}

/// How a served REST service reads its calls.
#[derive(Debug, Clone, Copy)]
enum RestProtocol {
    /// JSON: `X-Amz-Target: {prefix}.{Action}` and this content type.
    Json(&'static str, &'static str),
    /// The query protocol: `Action` and this API `Version` in the query.
    Query(&'static str),
    /// A REST API addressed by path only (S3).
    Paths,
}

/// A served REST service: its AWS SDK id and its protocol.
fn rest_service(service: &str) -> Option<(&'static str, RestProtocol)> {
    use RestProtocol::{Json, Paths, Query};
    Some(match service {
        "dynamodb" => (
            "DYNAMODB",
            Json("DynamoDB_20120810", "application/x-amz-json-1.0"),
        ),
        "kinesis" => (
            "KINESIS",
            Json("Kinesis_20131202", "application/x-amz-json-1.1"),
        ),
        "states" => (
            "SFN",
            Json("AWSStepFunctions", "application/x-amz-json-1.0"),
        ),
        "events" => (
            "EVENTBRIDGE",
            Json("AWSEvents", "application/x-amz-json-1.1"),
        ),
        "sqs" => ("SQS", Query("2012-11-05")),
        "sns" => ("SNS", Query("2010-03-31")),
        "s3" => ("S3", Paths),
        _ => return None,
    })
}

/// The URI template a REST `aws` integration sends to, and how it is signed.
///
/// # Errors
/// A message when the service is not served or its endpoint is no URL.
pub(crate) fn rest_target(
    target: &crate::config::AwsRestTarget,
    credentials: Option<&IntegrationCredentials>,
    services: Services<'_>,
) -> Result<(String, AwsSigning), String> {
    let (id, protocol) = rest_service(&target.service)
        .ok_or_else(|| format!("{} service integrations are not served yet", target.service))?;
    let service = target.service.as_str();
    // Synchronous executions have their own endpoint; S3's subdomain is the
    // bucket, addressed by path so that any endpoint serves it; another
    // service's subdomain names its regional host.
    let sync = service == "states" && target.action.as_deref() == Some("StartSyncExecution");
    let prefix = match &target.subdomain {
        _ if sync => "sync-states".to_owned(),
        Some(subdomain) if service != "s3" => format!("{subdomain}.{service}"),
        _ => service.to_owned(),
    };
    let (endpoint, host) = resolve(
        &prefix,
        service,
        id,
        &target.region,
        &services.aws.endpoints,
    )?;
    let path = target.path.as_deref().map(|path| {
        let path = path.trim_start_matches('/');
        match &target.subdomain {
            Some(bucket) if service == "s3" => format!("{bucket}/{path}"),
            _ => path.to_owned(),
        }
    });
    let (template, json) = match (&target.action, &path, protocol) {
        (Some(action), _, RestProtocol::Json(prefix, content_type)) => (
            format!("{endpoint}/"),
            Some((
                HeaderValue::from_str(&format!("{prefix}.{action}"))
                    .map_err(|_| format!("`{action}` is not an action name"))?,
                HeaderValue::from_static(content_type),
            )),
        ),
        (Some(action), _, RestProtocol::Query(version)) => (
            format!("{endpoint}/?Action={action}&Version={version}"),
            None,
        ),
        (Some(action), _, RestProtocol::Paths) => {
            return Err(format!(
                "{} is called by path (`{}:path/...`), not by action `{action}`",
                target.service, target.service
            ));
        }
        (None, Some(path), _) => (format!("{endpoint}/{path}"), None),
        (None, None, _) => return Err("the URI names neither an action nor a path".to_owned()),
    };
    Ok((
        template,
        AwsSigning {
            service: target.service.clone(),
            region: target.region.clone(),
            signer: services.signer(credentials),
            host,
            json,
        },
    ))
}
