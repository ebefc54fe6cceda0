//! SAM's `ResourcePolicy` (an API's `Auth`, or an `Api` event's) written
//! into the definition's `x-amazon-apigateway-policy` as SAM writes it, so
//! the gateway enforces the same statements a deployed API would hold:
//! for each path, accounts allowed or denied by principal, IP ranges and
//! VPCs (endpoints) as an Allow of the path's methods with a conditional
//! Deny; then `CustomStatements` as written.

use std::path::Path;

use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

/// The keys of a `ResourcePolicyStatement`.
const KEYS: &[&str] = &[
    "CustomStatements",
    "AwsAccountWhitelist",
    "AwsAccountBlacklist",
    "IpRangeWhitelist",
    "IpRangeBlacklist",
    "SourceVpcWhitelist",
    "SourceVpcBlacklist",
    "IntrinsicVpcWhitelist",
    "IntrinsicVpceWhitelist",
    "IntrinsicVpcBlacklist",
    "IntrinsicVpceBlacklist",
];

const POLICY: &str = "x-amazon-apigateway-policy";
const ANY_METHOD: &str = "x-amazon-apigateway-any-method";

/// A `ResourcePolicy`, checked: a map of SAM's keys. Unknown keys are an
/// error rather than a warning, since a policy served without a part of
/// it would let in callers it keeps out.
pub(super) fn read(node: &Node, at: &str, file: &Path, problems: &mut Problems) -> Option<Node> {
    let Some(entries) = node.as_map() else {
        problems.at(
            file,
            at,
            "ResourcePolicy is a map (SAM's ResourcePolicyStatement)",
        );
        return None;
    };
    let mut ok = true;
    for (key, value) in entries {
        if !KEYS.contains(&key.as_str()) {
            problems.at(
                file,
                child(at, key),
                format!(
                    "`{key}` is not a ResourcePolicyStatement key; expected one of {}",
                    KEYS.join(", ")
                ),
            );
            ok = false;
        } else if key != "CustomStatements" && !matches!(value, Node::Seq(_) | Node::Str(_)) {
            problems.at(file, child(at, key), format!("{key} is a list of text"));
            ok = false;
        }
    }
    ok.then(|| node.clone())
}

/// Adds `policy`'s statements for the methods of `path` (as `document`
/// holds them), for stage `stage`.
pub(super) fn add_for_path(document: &mut Node, policy: &Node, path: &str, stage: &str) {
    let resources = Node::Seq(
        method_resources(document, path, stage)
            .into_iter()
            .map(Node::Str)
            .collect(),
    );
    let list = |key: &str| -> Option<Vec<Node>> {
        match policy.get(key)? {
            Node::Seq(items) => Some(items.clone()),
            other => Some(vec![other.clone()]),
        }
    };
    let mut statements = Vec::new();
    for (key, effect) in [
        ("AwsAccountWhitelist", "Allow"),
        ("AwsAccountBlacklist", "Deny"),
    ] {
        if let Some(accounts) = list(key).filter(|a| !a.is_empty()) {
            statements.push((
                false,
                statement(
                    effect,
                    &resources,
                    Node::Map(vec![("AWS".to_owned(), Node::Seq(accounts))]),
                    None,
                ),
            ));
        }
    }
    for (key, operator) in [
        ("IpRangeWhitelist", "NotIpAddress"),
        ("IpRangeBlacklist", "IpAddress"),
    ] {
        if let Some(ranges) = list(key).filter(|r| !r.is_empty()) {
            let condition = map(operator, map("aws:SourceIp", Node::Seq(ranges)));
            allow_and_deny(&mut statements, &resources, condition);
        }
    }
    for (prefix, operator) in [
        ("Blacklist", "StringEquals"),
        ("Whitelist", "StringNotEquals"),
    ] {
        let mut vpcs = Vec::new();
        let mut endpoints = Vec::new();
        for item in list(&format!("SourceVpc{prefix}")).unwrap_or_default() {
            match item.as_str() {
                Some(id) if id.starts_with("vpce-") => endpoints.push(item.clone()),
                Some(id) if id.starts_with("vpc-") => vpcs.push(item.clone()),
                _ => {}
            }
        }
        vpcs.extend(list(&format!("IntrinsicVpc{prefix}")).unwrap_or_default());
        endpoints.extend(list(&format!("IntrinsicVpce{prefix}")).unwrap_or_default());
        if vpcs.is_empty() && endpoints.is_empty() {
            continue;
        }
        let mut condition = Vec::new();
        if !vpcs.is_empty() {
            condition.push(("aws:SourceVpc".to_owned(), Node::Seq(vpcs)));
        }
        if !endpoints.is_empty() {
            condition.push(("aws:SourceVpce".to_owned(), Node::Seq(endpoints)));
        }
        allow_and_deny(
            &mut statements,
            &resources,
            map(operator, Node::Map(condition)),
        );
    }
    for (dedupe, statement) in statements {
        push_statement(document, statement, dedupe);
    }
}

/// Adds `CustomStatements`, each once.
pub(super) fn add_custom(document: &mut Node, policy: &Node) {
    let custom = match policy.get("CustomStatements") {
        Some(Node::Seq(items)) => items.clone(),
        Some(Node::Null) | None => return,
        Some(other) => vec![other.clone()],
    };
    for statement in custom {
        push_statement(document, statement, true);
    }
}

/// `execute-api:/{stage}/{METHOD}/{path}` for each method of `path`, path
/// parameters as `*`, as SAM writes them.
fn method_resources(document: &Node, path: &str, stage: &str) -> Vec<String> {
    let operations = document
        .get("paths")
        .and_then(|paths| paths.get(path))
        .and_then(Node::as_map)
        .unwrap_or_default();
    let path = wildcard_parameters(path);
    operations
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "parameters" | "summary" | "description"))
        .map(|(method, _)| {
            let method = if method == ANY_METHOD || method.eq_ignore_ascii_case("any") {
                "*".to_owned()
            } else {
                method.to_ascii_uppercase()
            };
            format!("execute-api:/{stage}/{method}{path}")
        })
        .collect()
}

/// `{id}` and `{proxy+}` as `*`.
fn wildcard_parameters(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push('*');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn statement(effect: &str, resources: &Node, principal: Node, condition: Option<Node>) -> Node {
    let mut entries = vec![
        ("Effect".to_owned(), Node::Str(effect.to_owned())),
        (
            "Action".to_owned(),
            Node::Str("execute-api:Invoke".to_owned()),
        ),
        ("Resource".to_owned(), resources.clone()),
        ("Principal".to_owned(), principal),
    ];
    if let Some(condition) = condition {
        entries.push(("Condition".to_owned(), condition));
    }
    Node::Map(entries)
}

/// An Allow of every caller, and a Deny when `condition` holds.
fn allow_and_deny(statements: &mut Vec<(bool, Node)>, resources: &Node, condition: Node) {
    let everyone = || Node::Str("*".to_owned());
    statements.push((true, statement("Allow", resources, everyone(), None)));
    statements.push((
        true,
        statement("Deny", resources, everyone(), Some(condition)),
    ));
}

fn map(key: &str, value: Node) -> Node {
    Node::Map(vec![(key.to_owned(), value)])
}

/// Appends `statement` to the document's policy (created with SAM's
/// `Version` when absent); with `dedupe`, only if no equal one is there.
fn push_statement(document: &mut Node, statement: Node, dedupe: bool) {
    let Node::Map(top) = document else { return };
    let Some(policy) = super::map_entry(top, POLICY) else {
        return;
    };
    if !policy.iter().any(|(k, _)| k == "Version") {
        policy.insert(
            0,
            ("Version".to_owned(), Node::Str("2012-10-17".to_owned())),
        );
    }
    // One statement may be written alone; more make a list.
    if let Some((_, single)) = policy.iter_mut().find(|(k, _)| k == "Statement")
        && !matches!(single, Node::Seq(_))
    {
        *single = Node::Seq(vec![std::mem::replace(single, Node::Null)]);
    }
    let Some(statements) = super::seq_entry(policy, "Statement") else {
        return;
    };
    if !(dedupe && statements.contains(&statement)) {
        statements.push(statement);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::openapi::tree::parse;

    #[test]
    fn a_policy_becomes_sam_s_statements_for_each_method_of_the_path() {
        let mut document = parse(
            r#"
swagger: "2.0"
paths:
  /pets/{id}:
    get: {}
    x-amazon-apigateway-any-method: {}
"#,
        )
        .unwrap();
        let policy = parse(
            r#"
AwsAccountWhitelist: ["111122223333"]
IpRangeBlacklist: ["10.0.0.0/8"]
SourceVpcWhitelist: ["vpc-1", "vpce-2", "other"]
CustomStatements:
  - {Effect: Deny, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/DELETE/*"}
"#,
        )
        .unwrap();
        add_for_path(&mut document, &policy, "/pets/{id}", "Prod");
        add_custom(&mut document, &policy);
        add_custom(&mut document, &policy);
        let written = document.get(POLICY).unwrap().to_json();
        let resources =
            serde_json::json!(["execute-api:/Prod/GET/pets/*", "execute-api:/Prod/*/pets/*"]);
        assert_eq!(
            written,
            serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resources, "Principal": {"AWS": ["111122223333"]}},
                    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resources, "Principal": "*"},
                    {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resources, "Principal": "*",
                     "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}},
                    {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resources, "Principal": "*",
                     "Condition": {"StringNotEquals": {"aws:SourceVpc": ["vpc-1"], "aws:SourceVpce": ["vpce-2"]}}},
                    {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/DELETE/*"},
                ]
            })
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let mut problems = Problems::new();
        let node = parse("IpRangeAllowlist: [1.2.3.4/32]").unwrap();
        assert!(read(&node, "A", Path::new("t"), &mut problems).is_none());
        assert_eq!(problems.error_count(), 1);
    }
}
