//! AWS service integrations (HTTP API `integrationSubtype`), compiled: the
//! action, where its calls go, the region and credentials they are signed
//! with.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use portcullis_lambda::remote::signer::AwsCredentials;

use crate::config::{AwsAccount, MappingValue, ResponseMapping, ServiceIntegration, ValuePart};

/// What compiling a service integration needs from the gateway.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Services<'a> {
    /// The region, account and `aws.endpoints`.
    pub(crate) aws: &'a AwsAccount,
    /// The gateway's own credentials.
    pub(crate) credentials: &'a Arc<AwsCredentials>,
}

/// An AWS service action a route calls.
#[derive(Debug)]
pub(crate) struct ServicePlan {
    /// What is called.
    pub(crate) action: Action,
    /// The action's parameters, evaluated against each request.
    pub(crate) parameters: BTreeMap<String, MappingValue>,
    /// Where: `scheme://host[:port][/path]`, no trailing slash.
    pub(crate) endpoint: String,
    /// The `Host` header, signed.
    pub(crate) host: HeaderValue,
    /// The region the call is signed for.
    pub(crate) region: String,
    /// The gateway's own credentials (shared by every service integration).
    pub(crate) credentials: Arc<AwsCredentials>,
    /// `timeoutInMillis`.
    pub(crate) timeout: Duration,
    /// HTTP API `responseParameters`, by the service's status code.
    pub(crate) response_mappings: Vec<ResponseMapping>,
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
    /// `StepFunctions-StopExecution`.
    StepFunctionsStopExecution,
}

/// How a service reads its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// A form body (`Action=...&Version=...`), XML answers: SQS as API Gateway calls it.
    Query,
    /// A JSON body of this content type, the operation in `X-Amz-Target`.
    Json(&'static str),
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
            "StepFunctions-StopExecution" => Self::StepFunctionsStopExecution,
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
            Self::StepFunctionsStartExecution | Self::StepFunctionsStopExecution => {
                ("states", "SFN")
            }
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
            Self::StepFunctionsStopExecution => "StopExecution",
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
    services: Services<'_>,
    timeout: Duration,
    response_mappings: &[ResponseMapping],
) -> Result<ServicePlan, String> {
    let (aws, credentials) = (services.aws, services.credentials);
    let action = Action::from_subtype(&integration.subtype)
        .ok_or_else(|| format!("{} is not served yet", integration.subtype))?;
    // A literal `Region` parameter picks the region; a dynamic one cannot
    // choose an endpoint per request yet.
    let region = match integration.parameters.get("Region").map(|v| v.0.as_slice()) {
        Some([ValuePart::Literal(region)]) => region.clone(),
        Some(_) => {
            return Err(
                "a `Region` parameter read from the request is not served yet: write the region itself, or leave it out for aws.region"
                    .to_owned(),
            );
        }
        None => aws.region.clone(),
    };
    let (service, id) = action.service();
    let (endpoint, host) = resolve(service, id, &region, &aws.endpoints)?;
    let mut parameters = integration.parameters.clone();
    parameters.remove("Region");
    Ok(ServicePlan {
        action,
        parameters,
        endpoint,
        host,
        region,
        credentials: credentials.clone(),
        timeout,
        response_mappings: response_mappings.to_vec(),
    })
}

/// The endpoint calls to `service` go to (no trailing slash) and the `Host`
/// they are signed with.
fn resolve(
    service: &str,
    id: &str,
    region: &str,
    configured: &BTreeMap<String, String>,
) -> Result<(String, HeaderValue), String> {
    let endpoint = endpoint(service, id, region, configured);
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

/// Where calls to `service` go: `aws.endpoints.<service>`, else the AWS
/// SDKs' `AWS_ENDPOINT_URL_<ID>` then `AWS_ENDPOINT_URL`, else the
/// service's regional endpoint.
pub(crate) fn endpoint(
    service: &str,
    id: &str,
    region: &str,
    configured: &BTreeMap<String, String>,
) -> String {
    if let Some(url) = configured.get(service) {
        return url.clone();
    }
    let variable = format!(
        "AWS_ENDPOINT_URL_{}",
        id.replace(' ', "_").to_ascii_uppercase()
    );
    for name in [variable.as_str(), "AWS_ENDPOINT_URL"] {
        if let Ok(url) = std::env::var(name)
            && !url.is_empty()
        {
            return url;
        }
    }
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://{service}.{region}.{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_endpoints_come_first_then_regional_ones() {
        let mut configured = BTreeMap::new();
        configured.insert("sqs".to_owned(), "http://127.0.0.1:4566".to_owned());
        assert_eq!(
            endpoint("sqs", "SQS", "eu-west-1", &configured),
            "http://127.0.0.1:4566"
        );
        // Without a configured one, and with no AWS_ENDPOINT_URL_STATES set
        // here, the regional endpoint (unless the environment sets the global one).
        if std::env::var_os("AWS_ENDPOINT_URL").is_none()
            && std::env::var_os("AWS_ENDPOINT_URL_STATES").is_none()
        {
            assert_eq!(
                endpoint("states", "SFN", "eu-west-1", &configured),
                "https://states.eu-west-1.amazonaws.com"
            );
            assert_eq!(
                endpoint("sqs", "SQS", "cn-north-1", &BTreeMap::new()),
                "https://sqs.cn-north-1.amazonaws.com.cn"
            );
        }
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
    /// The gateway's own credentials.
    pub(crate) credentials: Arc<AwsCredentials>,
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
}

/// A served REST service: its AWS SDK id and its protocol.
fn rest_service(service: &str) -> Option<(&'static str, RestProtocol)> {
    use RestProtocol::{Json, Query};
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
        _ => return None,
    })
}

/// The URI template a REST `aws` integration sends to, and how it is signed.
///
/// # Errors
/// A message when the service is not served or its endpoint is no URL.
pub(crate) fn rest_target(
    target: &crate::config::AwsRestTarget,
    services: Services<'_>,
) -> Result<(String, AwsSigning), String> {
    let (id, protocol) = rest_service(&target.service)
        .ok_or_else(|| format!("{} service integrations are not served yet", target.service))?;
    let (endpoint, host) = resolve(&target.service, id, &target.region, &services.aws.endpoints)?;
    let (template, json) = match (&target.action, &target.path, protocol) {
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
        (None, Some(path), _) => (format!("{endpoint}/{}", path.trim_start_matches('/')), None),
        (None, None, _) => return Err("the URI names neither an action nor a path".to_owned()),
    };
    Ok((
        template,
        AwsSigning {
            service: target.service.clone(),
            region: target.region.clone(),
            credentials: services.credentials.clone(),
            host,
            json,
        },
    ))
}
