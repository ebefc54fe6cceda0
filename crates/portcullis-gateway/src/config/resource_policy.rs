//! `x-amazon-apigateway-policy`, checked once an API's id, region and
//! account are known: every statement must parse as a resource policy
//! statement (an error otherwise: a policy that cannot be read cannot guard
//! anything), and statements that test what a local gateway cannot know
//! (`aws:SourceVpce`, `aws:SourceVpc`, ...) are left out with a warning.

use portcullis_auth::policy::{ApiArn, ParseOptions, PolicyDocument};
use serde_json::{Value, json};

use super::aws_variables::AwsVariables;
use super::model::Api;
use super::problems::{Problems, child, item};

const AT: &str = "x-amazon-apigateway-policy";

/// Checks and filters `api`'s resource policy in place.
pub(crate) fn check(api: &mut Api, aws: &AwsVariables, problems: &mut Problems) {
    let Some(policy) = api.resource_policy.take() else {
        return;
    };
    let account = aws.account();
    let options = match ApiArn::new(&account.region, &account.account_id, &api.id) {
        Ok(arn) => ParseOptions::resource_policy().api(arn),
        Err(error) => {
            problems.at(&api.source, AT, error.to_string());
            return;
        }
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => {
            problems.at(
                &api.source,
                AT,
                "a resource policy needs a Statement (an object or a list)",
            );
            return;
        }
    };
    let version = policy.get("Version").cloned();
    let document = |statements: Vec<Value>| {
        let mut doc = json!({ "Statement": statements });
        if let Some(version) = &version {
            doc["Version"] = version.clone();
        }
        doc
    };
    let mut kept = Vec::new();
    for (i, statement) in statements.into_iter().enumerate() {
        let at = item(&child(AT, "Statement"), i);
        match PolicyDocument::from_json_with(&document(vec![statement.clone()]), &options) {
            Err(error) => problems.at(&api.source, &at, error.to_string()),
            Ok(parsed) => {
                let unknowable: Vec<&str> = parsed.unknowable_condition_keys().collect();
                if unknowable.is_empty() {
                    kept.push(statement);
                } else {
                    problems.warn(
                        &api.source,
                        &at,
                        format!(
                            "the statement tests {}, which a local gateway cannot know: it is left out \
                             (served as if the policy did not have it)",
                            unknowable.join(", ")
                        ),
                    );
                }
            }
        }
    }
    let filtered = document(kept);
    match PolicyDocument::from_json_with(&filtered, &options) {
        Ok(_) => api.resource_policy = Some(filtered),
        Err(error) => problems.at(&api.source, AT, error.to_string()),
    }
}

/// The options resource policies of `api` are parsed with (also at compile).
pub(crate) fn options(api_id: &str, region: &str, account_id: &str) -> Option<ParseOptions> {
    ApiArn::new(region, account_id, api_id)
        .ok()
        .map(|arn| ParseOptions::resource_policy().api(arn))
}
