//! Reading what the function answered: a principal, an IAM policy (or a
//! simple yes or no), a context and a usage plan key, checked as API Gateway
//! checks them. Anything it would refuse is a reason string, which becomes
//! [`Refused::ConfigurationError`](super::Refused::ConfigurationError).

use serde_json::{Map, Value};

use crate::policy::PolicyDocument;

use super::config::PayloadFormat;

/// The largest output read: 1 MiB, far over any sensible policy and context
/// (IAM policies are bounded at 256 KiB by [`crate::policy`]).
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// A function's answer, checked: kept in the result cache and re-evaluated
/// for each request it serves.
#[derive(Debug)]
pub(super) struct Grant {
    pub(super) principal_id: Option<String>,
    pub(super) decision: Verdict,
    pub(super) context: Map<String, Value>,
    pub(super) usage_identifier_key: Option<String>,
}

#[derive(Debug)]
pub(super) enum Verdict {
    /// An IAM policy, evaluated against each method ARN.
    Policy(PolicyDocument),
    /// A simple response's `isAuthorized`.
    Simple(bool),
}

/// Reads `output` as an authorizer of `format` must answer.
pub(super) fn parse(output: &[u8], format: PayloadFormat) -> Result<Grant, String> {
    if output.len() > MAX_OUTPUT_BYTES {
        return Err(format!(
            "the output is {} bytes, over the {MAX_OUTPUT_BYTES}-byte limit",
            output.len()
        ));
    }
    let value: Value =
        serde_json::from_slice(output).map_err(|e| format!("the output is not JSON: {e}"))?;
    let Value::Object(mut object) = value else {
        return Err(format!(
            "the output is {}, not a JSON object",
            kind_of(&value)
        ));
    };
    let rest = format == PayloadFormat::Rest;
    let context = context(object.remove("context"), rest)?;
    if let PayloadFormat::HttpV2 {
        simple_responses: true,
    } = format
    {
        return match object.get("isAuthorized") {
            Some(Value::Bool(yes)) => Ok(Grant {
                principal_id: None,
                decision: Verdict::Simple(*yes),
                context,
                usage_identifier_key: None,
            }),
            Some(other) => Err(format!(
                "the simple response's isAuthorized is {}, not a boolean",
                kind_of(other)
            )),
            None => Err("the simple response does not include isAuthorized".to_owned()),
        };
    }
    let principal_id = match object.get("principalId") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other @ (Value::Object(_) | Value::Array(_))) => {
            return Err(format!(
                "principalId is {}; it must be a string",
                kind_of(other)
            ));
        }
        None | Some(Value::Null) => return Err("the output has no principalId".to_owned()),
    };
    let policy = match object.get("policyDocument") {
        None | Some(Value::Null) => return Err("the output has no policyDocument".to_owned()),
        Some(document) => PolicyDocument::from_json(document)
            .map_err(|e| format!("the policyDocument is not a usable IAM policy: {e}"))?,
    };
    let usage_identifier_key = match object.get("usageIdentifierKey") {
        _ if !rest => None,
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.clone()),
        Some(other) => {
            return Err(format!(
                "usageIdentifierKey is {}; it must be a string (an API key's value)",
                kind_of(other)
            ));
        }
    };
    Ok(Grant {
        principal_id: Some(principal_id),
        decision: Verdict::Policy(policy),
        context,
        usage_identifier_key,
    })
}

/// `context`: absent or `null` is empty; otherwise an object whose values,
/// for REST APIs, are strings, numbers or booleans.
fn context(context: Option<Value>, rest: bool) -> Result<Map<String, Value>, String> {
    let map = match context {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(format!("context is {}, not an object", kind_of(&other)));
        }
    };
    if rest {
        let bad = map
            .iter()
            .find(|(_, v)| !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)));
        if let Some((key, value)) = bad {
            return Err(format!(
                "context value {key:?} is {}; a REST authorizer's context values must be strings, \
                 numbers or booleans",
                kind_of(value)
            ));
        }
    }
    Ok(map)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/GET/*"}]}"#;
    const V2_SIMPLE: PayloadFormat = PayloadFormat::HttpV2 {
        simple_responses: true,
    };

    fn output(extra: &str) -> String {
        format!(r#"{{"principalId": "user", "policyDocument": {POLICY}{extra}}}"#)
    }

    fn refused(text: &str, format: PayloadFormat) -> String {
        parse(text.as_bytes(), format).unwrap_err()
    }

    #[test]
    fn reads_a_full_rest_output() {
        let text = output(
            r#", "context": {"s": "v", "n": 1, "b": true}, "usageIdentifierKey": "key-1",
                "extra": [1, 2]"#,
        );
        let grant = parse(text.as_bytes(), PayloadFormat::Rest).unwrap();
        assert_eq!(grant.principal_id.as_deref(), Some("user"));
        assert!(matches!(grant.decision, Verdict::Policy(ref p) if p.len() == 1));
        assert_eq!(grant.context.len(), 3);
        assert_eq!(grant.usage_identifier_key.as_deref(), Some("key-1"));
    }

    #[test]
    fn principal_ids_are_text() {
        let text = format!(r#"{{"principalId": 42, "policyDocument": {POLICY}}}"#);
        let grant = parse(text.as_bytes(), PayloadFormat::Rest).unwrap();
        assert_eq!(grant.principal_id.as_deref(), Some("42"));
        let text = format!(r#"{{"principalId": {{}}, "policyDocument": {POLICY}}}"#);
        assert!(refused(&text, PayloadFormat::Rest).contains("principalId is an object"));
        let text = format!(r#"{{"principalId": null, "policyDocument": {POLICY}}}"#);
        assert!(refused(&text, PayloadFormat::HttpV1).contains("no principalId"));
    }

    #[test]
    fn refuses_every_malformed_output() {
        let rest = PayloadFormat::Rest;
        assert!(refused("", rest).contains("not JSON"));
        assert!(refused("{\"principalId\": ", rest).contains("not JSON"));
        assert!(refused("null", rest).contains("null, not a JSON object"));
        assert!(refused("[1]", rest).contains("an array, not a JSON object"));
        assert!(refused(r#""allow""#, rest).contains("a string, not"));
        assert!(
            refused(&format!(r#"{{"policyDocument": {POLICY}}}"#), rest).contains("no principalId")
        );
        assert!(refused(r#"{"principalId": "u"}"#, rest).contains("no policyDocument"));
        let text = r#"{"principalId": "u", "policyDocument": {"Statement": "x"}}"#;
        assert!(refused(text, rest).contains("not a usable IAM policy"));
        let text = r#"{"principalId": "u", "policyDocument": "{}"}"#;
        assert!(refused(text, rest).contains("not a usable IAM policy"));
        assert!(refused(&output(r#", "context": []"#), rest).contains("context is an array"));
        assert!(refused(&output(r#", "context": "x""#), rest).contains("context is a string"));
        assert!(
            refused(&output(r#", "usageIdentifierKey": 5"#), rest).contains("usageIdentifierKey")
        );
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(refused(&deep, rest).contains("not JSON"));
        let huge = format!(r#"{{"pad": "{}"}}"#, "x".repeat(MAX_OUTPUT_BYTES));
        assert!(refused(&huge, rest).contains("over the 1048576-byte limit"));
    }

    #[test]
    fn rest_context_values_are_flat() {
        for value in [r#"{"a": 1}"#, "[1]", "null"] {
            let text = output(&format!(r#", "context": {{"k": {value}}}"#));
            let e = refused(&text, PayloadFormat::Rest);
            assert!(e.contains(r#"context value "k""#), "{e}");
            // HTTP APIs pass such values on.
            assert!(parse(text.as_bytes(), PayloadFormat::HttpV1).is_ok());
        }
        assert!(
            parse(
                output(r#", "context": null"#).as_bytes(),
                PayloadFormat::Rest
            )
            .is_ok()
        );
    }

    #[test]
    fn simple_responses() {
        let grant = parse(
            br#"{"isAuthorized": true, "context": {"a": [1]}}"#,
            V2_SIMPLE,
        )
        .unwrap();
        assert!(matches!(grant.decision, Verdict::Simple(true)));
        assert_eq!(grant.context["a"], serde_json::json!([1]));
        assert!(grant.principal_id.is_none());
        assert!(refused(r#"{"isAuthorized": "true"}"#, V2_SIMPLE).contains("not a boolean"));
        assert!(refused(r#"{"context": {}}"#, V2_SIMPLE).contains("does not include isAuthorized"));
        // A policy answer is not a simple response.
        assert!(refused(&output(""), V2_SIMPLE).contains("isAuthorized"));
        // And a simple answer is not a policy.
        let policy = PayloadFormat::HttpV2 {
            simple_responses: false,
        };
        assert!(refused(r#"{"isAuthorized": true}"#, policy).contains("no principalId"));
    }

    #[test]
    fn http_apis_ignore_usage_keys() {
        let text = output(r#", "usageIdentifierKey": 5"#);
        let grant = parse(text.as_bytes(), PayloadFormat::HttpV1).unwrap();
        assert!(grant.usage_identifier_key.is_none());
    }
}
