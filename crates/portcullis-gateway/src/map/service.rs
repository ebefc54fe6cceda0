//! The request an AWS service integration sends: the action's parameters,
//! evaluated against the client's request, written in the service's
//! protocol: SQS its query protocol (a form body), as API Gateway calls it;
//! EventBridge, Kinesis and Step Functions their JSON protocols; AppConfig
//! its REST paths. Signing happens when the request is sent.

use std::borrow::Cow;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::params;
use crate::error::GatewayError;
use crate::request::{RequestState, Routed};
use crate::runtime::{
    Placement, ServiceAction, ServicePlan, ServiceProtocol, ServiceTarget as Target,
};

/// SQS's API version, which its query protocol names in every call.
const SQS_VERSION: &str = "2012-11-05";

/// What a form value keeps unescaped (RFC 3986's unreserved characters).
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

const FORM_CONTENT_TYPE: HeaderValue =
    HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8");

/// The unsigned request for `plan`'s action, and the region it is signed for.
///
/// # Errors
/// 400 when a `Region` read from the request is no region name; AWS's
/// integration failure when the request cannot be built.
pub(crate) fn build<'p>(
    plan: &'p ServicePlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Result<(Request<Bytes>, Cow<'p, str>), GatewayError> {
    let region = match &plan.placement {
        Placement::Fixed(_) => None,
        Placement::PerRequest { region, .. } => params::evaluate_value(region, route, state, body),
    };
    let target = plan
        .placement
        .target(plan.action, region.as_deref())
        .ok_or(GatewayError::BadRequest)?;
    let request = request(plan, &target, route, state, body)?;
    let region = match target {
        Cow::Borrowed(target) => Cow::Borrowed(target.region.as_str()),
        Cow::Owned(target) => Cow::Owned(target.region),
    };
    Ok((request, region))
}

/// The request for `plan`'s action, sent to `target`.
fn request(
    plan: &ServicePlan,
    target: &Target,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Result<Request<Bytes>, GatewayError> {
    let values = params::evaluate_named(&plan.parameters, route, state, body);
    let builder = Request::builder().header(header::HOST, target.host.clone());
    let (protocol, prefix) = plan.action.protocol();
    let request = match protocol {
        ServiceProtocol::Rest => builder
            .method(Method::GET)
            .uri(format!(
                "{}{}",
                target.endpoint,
                configuration_path(&values)
            ))
            .body(Bytes::new()),
        ServiceProtocol::Query => builder
            .method(Method::POST)
            .uri(format!("{}/", target.endpoint))
            .header(header::CONTENT_TYPE, FORM_CONTENT_TYPE)
            .body(Bytes::from(sqs_form(plan.action, &values))),
        ServiceProtocol::Json(content_type) => builder
            .method(Method::POST)
            .uri(format!("{}/", target.endpoint))
            .header(header::CONTENT_TYPE, content_type)
            .header("x-amz-target", format!("{prefix}.{}", plan.action.name()))
            .body(Bytes::from(json_body(plan.action, &values).to_string())),
    };
    request.map_err(|_| GatewayError::IntegrationFailure)
}

/// AppConfig's `GetConfiguration`, addressed by path and query:
/// `/applications/{Application}/environments/{Environment}/configurations/{Configuration}?client_id={ClientId}`.
fn configuration_path(values: &[(&str, String)]) -> String {
    let value = |name: &str| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let mut path = format!(
        "/applications/{}/environments/{}/configurations/{}?client_id={}",
        utf8_percent_encode(value("Application"), FORM),
        utf8_percent_encode(value("Environment"), FORM),
        utf8_percent_encode(value("Configuration"), FORM),
        utf8_percent_encode(value("ClientId"), FORM),
    );
    let version = value("ClientConfigurationVersion");
    if !version.is_empty() {
        path.push_str("&client_configuration_version=");
        path.extend(utf8_percent_encode(version, FORM));
    }
    path
}

/// The JSON input of a JSON-protocol action: each parameter under the
/// service's own member name, typed as the service reads it.
fn json_body(action: ServiceAction, values: &[(&str, String)]) -> Value {
    let mut input = Map::new();
    for (name, value) in values {
        match (action, *name) {
            // PutEvents takes a list of entries: the parameters are one entry.
            (ServiceAction::EventBridgePutEvents, "Time") => {
                input.insert((*name).to_owned(), timestamp(value));
            }
            (ServiceAction::EventBridgePutEvents, "Resources") => {
                input.insert((*name).to_owned(), Value::from(list_items(value)));
            }
            // A Kinesis record's data is a blob: base64 in JSON.
            (ServiceAction::KinesisPutRecord, "Data") => {
                input.insert(
                    (*name).to_owned(),
                    Value::from(base64::engine::general_purpose::STANDARD.encode(value)),
                );
            }
            // Step Functions names its members in lower camel case.
            (
                ServiceAction::StepFunctionsStartExecution
                | ServiceAction::StepFunctionsStartSyncExecution
                | ServiceAction::StepFunctionsStopExecution,
                _,
            ) => {
                input.insert(lower_camel(name), Value::from(value.as_str()));
            }
            _ => {
                input.insert((*name).to_owned(), Value::from(value.as_str()));
            }
        }
    }
    match action {
        ServiceAction::EventBridgePutEvents => {
            serde_json::json!({ "Entries": [Value::Object(input)] })
        }
        _ => Value::Object(input),
    }
}

/// A timestamp for a JSON-protocol service: epoch seconds when the value is
/// a number, else the text (an ISO 8601 time, which the services accept).
fn timestamp(value: &str) -> Value {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::from(value), Value::Number)
}

/// `StateMachineArn` → `stateMachineArn`.
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A list given as a JSON array or comma-separated text.
fn list_items(value: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(value).unwrap_or_else(|_| {
        value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// An SQS query-protocol form: `Action`, `Version`, then each parameter.
/// Structured parameters arrive as JSON (as API Gateway takes them) and are
/// written in the query protocol's numbered form.
fn sqs_form(action: ServiceAction, values: &[(&str, String)]) -> String {
    let mut form = Form::default();
    form.push("Action", action.name());
    form.push("Version", SQS_VERSION);
    for (name, value) in values {
        match *name {
            "MessageAttributes" => attributes(&mut form, "MessageAttribute", value),
            "MessageSystemAttributes" => attributes(&mut form, "MessageSystemAttribute", value),
            "AttributeNames" => list(&mut form, "AttributeName", value),
            "MessageAttributeNames" => list(&mut form, "MessageAttributeName", value),
            _ => form.push(name, value),
        }
    }
    form.0
}

/// `{"name": {"DataType": "String", "StringValue": "v"}, ...}` as
/// `PREFIX.N.Name`, `PREFIX.N.Value.DataType`, `PREFIX.N.Value.StringValue`.
/// A value that is not such a JSON object is passed as it is, for SQS to refuse.
fn attributes(form: &mut Form, prefix: &str, value: &str) {
    let Ok(Value::Object(entries)) = serde_json::from_str::<Value>(value) else {
        form.push(&format!("{prefix}s"), value);
        return;
    };
    for (index, (name, attribute)) in entries.iter().enumerate() {
        let at = format!("{prefix}.{}", index + 1);
        form.push(&format!("{at}.Name"), name);
        if let Value::Object(fields) = attribute {
            for (field, field_value) in fields {
                let text = match field_value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                form.push(&format!("{at}.Value.{field}"), &text);
            }
        }
    }
}

/// A list given as a JSON array (`["All"]`) or comma-separated text, as
/// `PREFIX.1`, `PREFIX.2`, ...
fn list(form: &mut Form, prefix: &str, value: &str) {
    let items = list_items(value);
    for (index, item) in items.iter().enumerate() {
        form.push(&format!("{prefix}.{}", index + 1), item);
    }
}

/// An `application/x-www-form-urlencoded` body being written.
#[derive(Default)]
struct Form(String);

impl Form {
    fn push(&mut self, name: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        self.0.extend(utf8_percent_encode(name, FORM));
        self.0.push('=');
        self.0.extend(utf8_percent_encode(value, FORM));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_inputs_use_each_service_s_members() {
        let entry = json_body(
            ServiceAction::EventBridgePutEvents,
            &[
                ("Detail", r#"{"id": 1}"#.to_owned()),
                ("Resources", "arn:a, arn:b".to_owned()),
                ("Time", "1700000000".to_owned()),
            ],
        );
        assert_eq!(
            entry,
            serde_json::json!({"Entries": [{"Detail": "{\"id\": 1}", "Resources": ["arn:a", "arn:b"], "Time": 1700000000.0}]})
        );
        let record = json_body(
            ServiceAction::KinesisPutRecord,
            &[("Data", "hi".to_owned())],
        );
        assert_eq!(record, serde_json::json!({"Data": "aGk="}));
        let start = json_body(
            ServiceAction::StepFunctionsStartExecution,
            &[
                ("Input", "{}".to_owned()),
                ("StateMachineArn", "arn:m".to_owned()),
            ],
        );
        assert_eq!(
            start,
            serde_json::json!({"input": "{}", "stateMachineArn": "arn:m"})
        );
    }

    #[test]
    fn appconfig_reads_its_names_from_the_path_and_query() {
        let path = configuration_path(&[
            ("Application", "shop".to_owned()),
            ("ClientId", "node 1".to_owned()),
            ("Configuration", "flags/v2".to_owned()),
            ("Environment", "prod".to_owned()),
        ]);
        assert_eq!(
            path,
            "/applications/shop/environments/prod/configurations/flags%2Fv2?client_id=node%201"
        );
    }

    #[test]
    fn sqs_forms_encode_and_number_structured_parameters() {
        let form = sqs_form(
            ServiceAction::SqsSendMessage,
            &[
                (
                    "MessageAttributes",
                    r#"{"colour": {"DataType": "String", "StringValue": "red & blue"}}"#.to_owned(),
                ),
                ("MessageBody", "héllo world+1".to_owned()),
                (
                    "QueueUrl",
                    "http://127.0.0.1:5000/123456789012/q".to_owned(),
                ),
            ],
        );
        assert_eq!(
            form,
            "Action=SendMessage&Version=2012-11-05\
             &MessageAttribute.1.Name=colour\
             &MessageAttribute.1.Value.DataType=String\
             &MessageAttribute.1.Value.StringValue=red%20%26%20blue\
             &MessageBody=h%C3%A9llo%20world%2B1\
             &QueueUrl=http%3A%2F%2F127.0.0.1%3A5000%2F123456789012%2Fq"
        );
        let form = sqs_form(
            ServiceAction::SqsReceiveMessage,
            &[
                ("AttributeNames", r#"["All"]"#.to_owned()),
                ("MessageAttributeNames", "a, b".to_owned()),
            ],
        );
        assert_eq!(
            form,
            "Action=ReceiveMessage&Version=2012-11-05&AttributeName.1=All&MessageAttributeName.1=a&MessageAttributeName.2=b"
        );
    }
}
