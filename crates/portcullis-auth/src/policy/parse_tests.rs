//! Documents that are refused, and why.

use serde_json::json;

use super::*;

const INVOKE: &str = "execute-api:Invoke";
const PETS: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

fn decide(policy: &PolicyDocument, action: &str, resource: &str) -> Decision {
    policy.evaluate(&PolicyRequest::new(action, resource))
}

fn err(text: &str) -> String {
    PolicyDocument::parse(text).unwrap_err().to_string()
}

fn err_with(text: &str, options: &ParseOptions) -> String {
    PolicyDocument::parse_with(text, options)
        .unwrap_err()
        .to_string()
}

#[test]
fn errors_name_statement_and_element() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "AllowGet", "Effect": "allow", "Action": "*", "Resource": "*"}]}"#,
            r#"statement 2 (Sid "AllowGet"): Effect must be "Allow" or "Deny", found "allow""#,
        ),
        (
            r#"{"Statement": {"Action": "*", "Resource": "*"}}"#,
            "statement 1: Effect is missing",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Resource": "*"}}"#,
            "statement 1: Action is missing (a statement needs Action or NotAction)",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*"}}"#,
            "statement 1: Resource is missing (a statement needs Resource or NotResource)",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}}"#,
            "statement 1: NotAction cannot be used together with Action",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}"#,
            "statement 1: NotResource cannot be used together with Resource",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": [], "Resource": "*"}}"#,
            "statement 1: Action is an empty list",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": ["*", 3], "Resource": "*"}}"#,
            "statement 1: Action has the entry 3, which is not a string",
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": {"a": 1}}}"#,
            r#"statement 1: Resource must be a string or a list of strings, found {"a":1}"#,
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "Invoke", "Resource": "*"}}"#,
            r#"statement 1: Action has the entry "Invoke", which is not "*" or "service:action" (execute-api:Invoke)"#,
        ),
        (
            r#"{"Statement": {"Sid": 1, "Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
            "statement 1: Sid must be a string, found 1",
        ),
        (
            r#"{"Statement": {"Sid": "X", "Effect": "Allow", "Action": "*", "Resource": "*", "Resources": "*"}}"#,
            r#"statement 1 (Sid "X"): Resources is not a statement element (expected Sid, Effect, Action or NotAction, Resource or NotResource, Principal or NotPrincipal, Condition)"#,
        ),
        (
            r#"{"Statement": ["x"]}"#,
            r#"statement 1: must be an object, found "x""#,
        ),
        (
            r#"{"Version": "2012-10-18", "Statement": []}"#,
            r#"policy document: Version must be "2012-10-17" or "2008-10-17", found "2012-10-18""#,
        ),
        (
            r#"{"Statement": [], "Statment": []}"#,
            "policy document: Statment is not a policy element (expected Version, Id and Statement)",
        ),
        (
            r#"{"Version": "2012-10-17"}"#,
            "policy document: Statement is missing",
        ),
        (
            r#"{"Statement": "*"}"#,
            r#"policy document: Statement must be an object or a list of objects, found "*""#,
        ),
        (
            r#"{"Id": 5, "Statement": []}"#,
            "policy document: Id must be a string, found 5",
        ),
        ("[]", "policy document: must be a JSON object, found []"),
    ];
    for (text, want) in cases {
        assert_eq!(&err(text), want, "{text}");
    }
    let e = err(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Effect": "Deny"}}"#,
    );
    assert!(
        e.starts_with("policy document is not valid JSON: the key \"Effect\" appears twice"),
        "{e}"
    );
    assert!(err("{").starts_with("policy document is not valid JSON"));
    let e = err_with(
        r#"{"Statement": {"Effect": "Allow", "Principal": "me", "Action": "*", "Resource": "*"}}"#,
        &ParseOptions::resource_policy(),
    );
    assert!(
        e.starts_with("statement 1: Principal must be \"*\" or an object"),
        "{e}"
    );
    let e = err_with(
        r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*", "bob"]}, "Action": "*", "Resource": "*"}}"#,
        &ParseOptions::resource_policy(),
    );
    assert!(
        e.starts_with("statement 1: Principal.AWS entry \"bob\" is not"),
        "{e}"
    );
    let e = err(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "1.2.3"}}}}"#,
    );
    assert_eq!(
        e,
        r#"statement 1: Condition.IpAddress.aws:SourceIp value "1.2.3" is not an IP address or CIDR block"#
    );
}

#[test]
fn sizes_are_bounded() {
    let big = format!(
        r#"{{"Statement": [], "Id": "{}"}}"#,
        "x".repeat(MAX_DOCUMENT_BYTES)
    );
    assert!(matches!(
        PolicyDocument::parse(&big),
        Err(PolicyError::TooLarge { .. })
    ));

    let statement = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
    let many = json!({"Statement": vec![statement; MAX_STATEMENTS + 1]});
    let e = PolicyDocument::from_json(&many).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "policy document: Statement has {} statements, over the limit of {MAX_STATEMENTS}",
            MAX_STATEMENTS + 1
        )
    );

    let resources: Vec<String> = (0..MAX_VALUES).map(|i| format!("arn:{i}")).collect();
    let wide = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": resources}});
    let e = PolicyDocument::from_json(&wide).unwrap_err().to_string();
    assert!(e.contains(&format!("over {MAX_VALUES} values")), "{e}");

    let long = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "x".repeat(MAX_VALUE_BYTES + 1)}});
    let e = PolicyDocument::from_json(&long).unwrap_err().to_string();
    assert!(e.contains("over the limit of 4096"), "{e}");
}

#[test]
fn odd_inputs_are_errors_not_panics() {
    for text in [
        "",
        "null",
        "1",
        "\"x\"",
        "{}",
        r#"{"Statement": null}"#,
        r#"{"Statement": [[]]}"#,
        r#"{"Statement": {"Effect": "Allow", "Action": "é:*", "Resource": "\u0000"}}"#,
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "${"}}"#,
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "${"}}"#,
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateEquals": {"k": 99999999999999999999}}}}"#,
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"k": 1e400}}}}"#,
    ] {
        let _ = PolicyDocument::parse(text);
    }
}
#[test]
fn principal_rules_are_the_callers_choice() {
    let with_principal =
        r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}"#;
    let without = r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    assert_eq!(
        err(with_principal),
        "statement 1: Principal is not allowed here: only resource policies name principals (see ParseOptions::resource_policy)"
    );
    assert_eq!(
        err_with(without, &ParseOptions::resource_policy()),
        "statement 1: Principal is missing (a resource policy statement needs Principal or NotPrincipal)"
    );
    let optional = ParseOptions::identity_policy().principal(PrincipalRule::Optional);
    for text in [with_principal, without] {
        let p = PolicyDocument::parse_with(text, &optional).unwrap();
        assert_eq!(decide(&p, INVOKE, PETS), Decision::Allow);
    }
    let aws_star = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}}"#;
    let p = PolicyDocument::parse_with(aws_star, &ParseOptions::resource_policy()).unwrap();
    assert_eq!(decide(&p, INVOKE, PETS), Decision::Allow);
}
