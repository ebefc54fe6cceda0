//! The request an AWS service integration sends: the action's parameters,
//! evaluated against the client's request, written in the service's
//! protocol. SQS speaks its query protocol (a form body), as API Gateway
//! calls it. Signing happens when the request is sent.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::params;
use crate::error::GatewayError;
use crate::request::{RequestState, Routed};
use crate::runtime::{ServiceAction, ServicePlan};

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

/// The unsigned request for `plan`'s action.
///
/// # Errors
/// AWS's integration failure when the request cannot be built.
pub(crate) fn build(
    plan: &ServicePlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Result<Request<Bytes>, GatewayError> {
    let values = params::evaluate_named(&plan.parameters, route, state, body);
    let form = match plan.action {
        ServiceAction::SqsSendMessage
        | ServiceAction::SqsReceiveMessage
        | ServiceAction::SqsDeleteMessage
        | ServiceAction::SqsPurgeQueue => sqs_form(plan.action, &values),
    };
    Request::builder()
        .method(Method::POST)
        .uri(format!("{}/", plan.endpoint))
        .header(header::HOST, plan.host.clone())
        .header(header::CONTENT_TYPE, FORM_CONTENT_TYPE)
        .body(Bytes::from(form))
        .map_err(|_| GatewayError::IntegrationFailure)
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
    let items: Vec<String> = match serde_json::from_str::<Vec<String>>(value) {
        Ok(items) => items,
        Err(_) => value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect(),
    };
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
