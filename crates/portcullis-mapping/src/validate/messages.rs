//! `$context.error.validationErrorString`, approximated.
//!
//! AWS validates with a Java draft 4 validator and reports its messages as a Java list:
//! `[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]`,
//! `[object has missing required properties (["name","price"])]`, several joined with `", "`.
//! The messages below are written in that validator's words for the keywords models use most
//! (type, required, enum, bounds, lengths, pattern, formats, combinators); any other error keeps
//! `jsonschema`'s own wording. Values are printed as compact JSON by `serde_json`, which can differ
//! from Java's printing of some numbers (`1.0E10` against `10000000000.0`), and errors come in
//! `jsonschema`'s order, which may differ from AWS's when there are several.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

/// At most this many messages are kept; a body can hold many errors, a log line should not.
const MAX_MESSAGES: usize = 100;

/// The message list for the errors of one invalid body.
pub(super) fn describe<'i>(errors: impl Iterator<Item = ValidationError<'i>>) -> String {
    // One "missing required properties" message per object, as AWS gives: (location, names).
    let mut messages: Vec<Message> = Vec::new();
    for error in errors {
        if let ValidationErrorKind::Required { property } = error.kind() {
            let location = error.instance_path().as_str().to_owned();
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            let group = messages.iter_mut().find_map(|m| match m {
                Message::Missing(at, names) if *at == location => Some(names),
                _ => None,
            });
            match group {
                Some(names) => {
                    names.insert(name);
                }
                None => messages.push(Message::Missing(location, BTreeSet::from([name]))),
            }
        } else {
            messages.push(Message::Text(message(&error)));
        }
        if messages.len() >= MAX_MESSAGES {
            break;
        }
    }
    let mut out = String::from("[");
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match m {
            Message::Text(text) => out.push_str(text),
            Message::Missing(_, names) => {
                let _ = write!(
                    out,
                    "object has missing required properties ({})",
                    json_list(names)
                );
            }
        }
    }
    out.push(']');
    out
}

enum Message {
    Text(String),
    Missing(String, BTreeSet<String>),
}

/// One error in the Java validator's words, or `jsonschema`'s where there is no match.
fn message(error: &ValidationError<'_>) -> String {
    let instance: &Value = error.instance();
    let text = || instance.as_str().unwrap_or_default();
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let mut allowed = BTreeSet::new();
            let mut add = |t: JsonType| {
                allowed.insert(t.as_str());
                // A "number" accepts integers, and the Java validator lists both.
                if t == JsonType::Number {
                    allowed.insert(JsonType::Integer.as_str());
                }
            };
            match kind {
                TypeKind::Single(t) => add(*t),
                TypeKind::Multiple(set) => set.iter().for_each(&mut add),
            }
            format!(
                "instance type ({}) does not match any allowed primitive type (allowed: {})",
                type_name(instance),
                json_list(allowed)
            )
        }
        ValidationErrorKind::Enum { options } => {
            format!("instance value ({instance}) not found in enum (possible values: {options})")
        }
        ValidationErrorKind::Minimum { limit } => format!(
            "numeric instance is lower than the required minimum (minimum: {limit}, found: {instance})"
        ),
        ValidationErrorKind::Maximum { limit } => format!(
            "numeric instance is greater than the required maximum (maximum: {limit}, found: {instance})"
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("numeric instance is not strictly greater than the required minimum {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("numeric instance is not strictly lower than the required maximum {limit}")
        }
        ValidationErrorKind::MultipleOf { multiple_of, .. } => {
            format!("remainder of division is not zero ({instance} / {multiple_of})")
        }
        ValidationErrorKind::MinLength { limit } => format!(
            "string \"{}\" is too short (length: {}, required minimum: {limit})",
            text(),
            text().chars().count()
        ),
        ValidationErrorKind::MaxLength { limit } => format!(
            "string \"{}\" is too long (length: {}, maximum allowed: {limit})",
            text(),
            text().chars().count()
        ),
        ValidationErrorKind::Pattern { pattern } => format!(
            "ECMA 262 regex \"{pattern}\" does not match input string \"{}\"",
            text()
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => format!(
            "object instance has properties which are not allowed by the schema: {}",
            json_list(unexpected.iter().collect::<BTreeSet<_>>())
        ),
        ValidationErrorKind::MinItems { limit } => format!(
            "array is too short: must have at least {limit} elements but instance has {} elements",
            len(instance)
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "array is too long: must have at most {limit} elements but instance has {} elements",
            len(instance)
        ),
        ValidationErrorKind::AdditionalItems { limit } => format!(
            "schema only allows {limit} elements in array but instance has {} elements",
            len(instance)
        ),
        ValidationErrorKind::UniqueItems => "array must not contain duplicate elements".to_owned(),
        ValidationErrorKind::MinProperties { limit } => format!(
            "object has too few properties (found {} but schema requires at least {limit})",
            len(instance)
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "object has too many properties (found {} but schema requires at most {limit})",
            len(instance)
        ),
        ValidationErrorKind::AnyOf { context } => format!(
            "instance failed to match at least one required schema among {}",
            context.len()
        ),
        ValidationErrorKind::OneOfNotValid { context } => format!(
            "instance failed to match exactly one schema (matched 0 out of {})",
            context.len()
        ),
        ValidationErrorKind::OneOfMultipleValid { context } => format!(
            "instance failed to match exactly one schema (matched {} out of {})",
            context.iter().filter(|branch| branch.is_empty()).count(),
            context.len()
        ),
        ValidationErrorKind::Not { .. } => {
            "instance matched a schema which it should not have".to_owned()
        }
        ValidationErrorKind::Format { format } => {
            format_message(format, text()).unwrap_or_else(|| error.to_string())
        }
        _ => error.to_string(),
    }
}

fn format_message(format: &str, value: &str) -> Option<String> {
    let what = match format {
        "date-time" => {
            return Some(format!(
                "string \"{value}\" is invalid against requested date format(s) \
                 [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{{1,12}}Z]"
            ));
        }
        "email" => "a valid email address",
        "hostname" => "a valid hostname",
        "ipv4" => "a valid IPv4 address",
        "ipv6" => "a valid IPv6 address",
        "uri" => "a valid URI",
        "regex" => "a valid ECMA 262 regular expression",
        _ => return None,
    };
    Some(format!("string \"{value}\" is not {what}"))
}

/// The Java validator's type names: a number without a fraction is an `integer`.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn len(value: &Value) -> usize {
    match value {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    }
}

/// `["a","b"]`: compact JSON strings, as the Java validator prints name lists.
fn json_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<Value> = items
        .into_iter()
        .map(|s| Value::String(s.as_ref().to_owned()))
        .collect();
    Value::Array(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(schema: Value, instance: Value) -> String {
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        describe(validator.iter_errors(&instance))
    }

    #[test]
    fn type_messages_name_number_as_integer_and_number() {
        assert_eq!(
            errors(json!({"type": "integer"}), json!("x")),
            r#"[instance type (string) does not match any allowed primitive type (allowed: ["integer"])]"#
        );
        assert_eq!(
            errors(json!({"type": "number"}), json!("100")),
            r#"[instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])]"#
        );
        assert_eq!(
            errors(json!({"type": ["string", "null"]}), json!(1.5)),
            r#"[instance type (number) does not match any allowed primitive type (allowed: ["null","string"])]"#
        );
    }

    #[test]
    fn missing_properties_are_one_sorted_message_per_object() {
        let schema = json!({"required": ["transactionState", "timestamp", "transactionId"]});
        assert_eq!(
            errors(schema, json!({})),
            r#"[object has missing required properties (["timestamp","transactionId","transactionState"])]"#
        );
    }

    #[test]
    fn several_errors_are_joined_like_a_java_list() {
        let schema = json!({"properties": {
            "kind": {"enum": ["STOCK", "BOND", "CASH"]},
            "amount": {"maximum": 1000}
        }});
        assert_eq!(
            errors(schema, json!({"kind": "WOW", "amount": 10000000})),
            "[instance value (\"WOW\") not found in enum (possible values: [\"STOCK\",\"BOND\",\"CASH\"]), \
             numeric instance is greater than the required maximum (maximum: 1000, found: 10000000)]"
        );
    }

    #[test]
    fn strings_and_patterns() {
        assert_eq!(
            errors(json!({"maxLength": 3}), json!("abcd")),
            r#"[string "abcd" is too long (length: 4, maximum allowed: 3)]"#
        );
        assert_eq!(
            errors(json!({"pattern": "^[0-9]+$"}), json!("12a")),
            r#"[ECMA 262 regex "^[0-9]+$" does not match input string "12a"]"#
        );
        assert_eq!(
            errors(json!({"format": "email"}), json!("nope")),
            r#"[string "nope" is not a valid email address]"#
        );
    }

    #[test]
    fn combinators_count_their_branches() {
        let one_of = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert_eq!(
            errors(one_of, json!(true)),
            "[instance failed to match exactly one schema (matched 0 out of 2)]"
        );
        let any_of = json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
        assert_eq!(
            errors(any_of, json!(true)),
            "[instance failed to match at least one required schema among 2]"
        );
    }

    #[test]
    fn the_list_is_bounded() {
        let many = Value::Array((0..500).map(Value::from).collect());
        let text = errors(json!({"items": {"type": "string"}}), many);
        assert_eq!(
            text.matches("instance type (integer)").count(),
            MAX_MESSAGES
        );
    }

    #[test]
    fn additional_properties_are_listed() {
        let schema = json!({"properties": {"a": {}}, "additionalProperties": false});
        assert_eq!(
            errors(schema, json!({"a": 1, "z": 2, "b": 3})),
            r#"[object instance has properties which are not allowed by the schema: ["b","z"]]"#
        );
    }
}
