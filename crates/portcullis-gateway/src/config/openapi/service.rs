//! HTTP API first-class integrations (`integrationSubtype`): the action, and
//! its `requestParameters` checked against AWS's table of each action's
//! parameters (`http-api-develop-integrations-aws-services-reference`).

use std::collections::BTreeMap;

use portcullis_mapping::params;

use super::context::Ctx;
use super::tree::Node;
use crate::config::model::ServiceIntegration;
use crate::config::problems::child;

/// One integration subtype and its parameters.
struct Subtype {
    name: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
}

const SUBTYPES: &[Subtype] = &[
    Subtype {
        name: "EventBridge-PutEvents",
        required: &["Detail", "DetailType", "Source"],
        optional: &["Time", "EventBusName", "Resources", "Region", "TraceHeader"],
    },
    Subtype {
        name: "SQS-SendMessage",
        required: &["QueueUrl", "MessageBody"],
        optional: &[
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
            "MessageSystemAttributes",
            "Region",
        ],
    },
    Subtype {
        name: "SQS-ReceiveMessage",
        required: &["QueueUrl"],
        optional: &[
            "AttributeNames",
            "MaxNumberOfMessages",
            "MessageAttributeNames",
            "ReceiveRequestAttemptId",
            "VisibilityTimeout",
            "WaitTimeSeconds",
            "Region",
        ],
    },
    Subtype {
        name: "SQS-DeleteMessage",
        required: &["ReceiptHandle", "QueueUrl"],
        optional: &["Region"],
    },
    Subtype {
        name: "SQS-PurgeQueue",
        required: &["QueueUrl"],
        optional: &["Region"],
    },
    Subtype {
        name: "AppConfig-GetConfiguration",
        required: &["Application", "Environment", "Configuration", "ClientId"],
        optional: &["ClientConfigurationVersion", "Region"],
    },
    Subtype {
        name: "Kinesis-PutRecord",
        required: &["StreamName", "Data", "PartitionKey"],
        optional: &["SequenceNumberForOrdering", "ExplicitHashKey", "Region"],
    },
    Subtype {
        name: "StepFunctions-StartExecution",
        required: &["StateMachineArn"],
        optional: &["Name", "Input", "Region"],
    },
    Subtype {
        name: "StepFunctions-StartSyncExecution",
        required: &["StateMachineArn"],
        optional: &["Name", "Input", "Region", "TraceHeader"],
    },
    Subtype {
        name: "StepFunctions-StopExecution",
        required: &["ExecutionArn"],
        optional: &["Cause", "Error", "Region"],
    },
];

/// What an `integrationSubtype` integration is.
pub(super) enum Parsed {
    /// The action and its parameters.
    Served(ServiceIntegration),
    /// Not deployable (an unknown subtype, a missing or unknown parameter):
    /// the problems are recorded.
    Invalid,
}

/// Reads `integrationSubtype` (at `at`) with the integration's
/// `requestParameters` (`parameters`, at `parameters_at`).
pub(super) fn parse(
    ctx: &mut Ctx<'_>,
    subtype: &Node,
    at: &str,
    parameters: Option<&Node>,
    parameters_at: &str,
) -> Parsed {
    let Some(name) = ctx.str(subtype, at) else {
        return Parsed::Invalid;
    };
    let Some(spec) = SUBTYPES.iter().find(|s| s.name == name) else {
        let names: Vec<&str> = SUBTYPES.iter().map(|s| s.name).collect();
        ctx.problem(
            at,
            format!(
                "`{name}` is not an integration subtype; API Gateway has {}",
                names.join(", ")
            ),
        );
        return Parsed::Invalid;
    };
    let mut values = BTreeMap::new();
    let mut valid = true;
    let entries = parameters
        .and_then(|node| ctx.map(node, parameters_at))
        .unwrap_or_default();
    for (key, value) in entries {
        let key_at = child(parameters_at, key);
        let key = key.as_str();
        if !spec.required.contains(&key) && !spec.optional.contains(&key) {
            let known: Vec<&str> = spec.required.iter().chain(spec.optional).copied().collect();
            ctx.problem(
                &key_at,
                format!(
                    "{} has no parameter `{key}`; its parameters are {}",
                    spec.name,
                    known.join(", ")
                ),
            );
            valid = false;
            continue;
        }
        let Some(text) = ctx.str(value, &key_at) else {
            valid = false;
            continue;
        };
        match params::parse_http_value(text) {
            Ok(parsed) => {
                values.insert(key.to_owned(), parsed);
            }
            Err(message) => {
                ctx.problem(&key_at, message);
                valid = false;
            }
        }
    }
    for required in spec.required {
        if !values.contains_key(*required) && valid {
            ctx.problem(
                parameters_at,
                format!(
                    "{} needs the parameter `{required}` in requestParameters",
                    spec.name
                ),
            );
            valid = false;
        }
    }
    if !valid {
        return Parsed::Invalid;
    }
    Parsed::Served(ServiceIntegration {
        subtype: spec.name.to_owned(),
        parameters: values,
    })
}
