//! Whole documents: structure and decisions.

use serde_json::json;

use super::*;

const INVOKE: &str = "execute-api:Invoke";
const PETS: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

fn doc(text: &str) -> PolicyDocument {
    PolicyDocument::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn err_with(text: &str, options: &ParseOptions) -> String {
    PolicyDocument::parse_with(text, options)
        .unwrap_err()
        .to_string()
}

fn decide(policy: &PolicyDocument, action: &str, resource: &str) -> Decision {
    policy.evaluate(&PolicyRequest::new(action, resource))
}

#[test]
fn statement_may_be_an_object_or_a_list() {
    let one = doc(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#);
    assert_eq!(one.len(), 1);
    assert_eq!(one.version(), None);
    assert_eq!(decide(&one, INVOKE, PETS), Decision::Allow);
    let empty = doc(r#"{"Version": "2012-10-17", "Statement": []}"#);
    assert!(empty.is_empty());
    assert_eq!(decide(&empty, INVOKE, PETS), Decision::NotApplicable);
    assert_eq!(
        doc(r#"{"Version": "2008-10-17", "Statement": []}"#).version(),
        Some("2008-10-17")
    );
}

#[test]
fn deny_wins_whatever_the_order() {
    for text in [
        r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                          {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/GET/*"}]}"#,
        r#"{"Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*/GET/*"},
                          {"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    ] {
        let p = doc(text);
        assert_eq!(decide(&p, INVOKE, PETS), Decision::ExplicitDeny);
        assert_eq!(
            decide(&p, INVOKE, &PETS.replace("GET", "POST")),
            Decision::Allow
        );
    }
}

#[test]
fn explain_names_the_deciding_statement() {
    let p = doc(r#"{"Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*/GET/*"},
        {"Sid": "B", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*/DELETE/*"}]}"#);
    let e = p.explain(&PolicyRequest::new(INVOKE, PETS));
    assert_eq!(
        e,
        Evaluation {
            decision: Decision::Allow,
            statement: Some(0)
        }
    );
    assert_eq!(p.sid(0), Some("A"));
    let e = p.explain(&PolicyRequest::new(INVOKE, &PETS.replace("GET", "DELETE")));
    assert_eq!(
        e,
        Evaluation {
            decision: Decision::ExplicitDeny,
            statement: Some(2)
        }
    );
    assert_eq!(p.sid(2), None);
    assert_eq!(p.sid(9), None);
    let e = p.explain(&PolicyRequest::new(INVOKE, "arn:other"));
    assert_eq!(
        e,
        Evaluation {
            decision: Decision::Allow,
            statement: Some(1)
        }
    );
}

#[test]
fn actions_ignore_case_resources_do_not() {
    let p = doc(
        r#"{"Statement": {"Effect": "Allow", "Action": "EXECUTE-API:invoke",
        "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/pets"}}"#,
    );
    assert_eq!(decide(&p, "execute-api:Invoke", PETS), Decision::Allow);
    assert_eq!(
        decide(&p, "execute-api:InvalidateCache", PETS),
        Decision::NotApplicable
    );
    assert_eq!(
        decide(&p, INVOKE, &PETS.replace("pets", "Pets")),
        Decision::NotApplicable
    );
    assert_eq!(
        decide(&p, INVOKE, &PETS.replace("GET", "get")),
        Decision::NotApplicable
    );
    let p = doc(
        r#"{"Statement": {"Effect": "Allow", "Action": ["execute-api:Inv*"], "Resource": "*"}}"#,
    );
    assert_eq!(
        decide(&p, "execute-api:InvalidateCache", PETS),
        Decision::Allow
    );
    let p =
        doc(r#"{"Statement": {"Effect": "Allow", "Action": "execute-api:*", "Resource": "*"}}"#);
    assert_eq!(
        decide(&p, "execute-api:InvalidateCache", PETS),
        Decision::Allow
    );
    assert_eq!(decide(&p, "s3:GetObject", PETS), Decision::NotApplicable);
}

#[test]
fn not_action_and_not_resource() {
    let p = doc(r#"{"Statement": [
        {"Effect": "Allow", "NotAction": "execute-api:InvalidateCache", "Resource": "*"},
        {"Effect": "Deny", "Action": "*",
         "NotResource": ["arn:aws:execute-api:*:*:abc123/prod/*", "arn:aws:execute-api:*:*:abc123/beta/*"]}]}"#);
    assert_eq!(decide(&p, INVOKE, PETS), Decision::Allow);
    assert_eq!(
        decide(&p, "execute-api:InvalidateCache", PETS),
        Decision::NotApplicable
    );
    assert_eq!(
        decide(&p, INVOKE, &PETS.replace("prod", "beta")),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, INVOKE, &PETS.replace("prod", "dev")),
        Decision::ExplicitDeny
    );
}

#[test]
fn principals_in_resource_policies() {
    let options = ParseOptions::resource_policy();
    let p = PolicyDocument::parse_with(
        r#"{"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/Dev"]},
             "Action": "execute-api:Invoke", "Resource": "*"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "execute-api:Invoke", "Resource": "*/DELETE/*"}]}"#,
        &options,
    )
    .unwrap();
    let own = Principal::from_arn("arn:aws:iam::111122223333:user/alice").unwrap();
    let dev = Principal::from_arn("arn:aws:sts::444455556666:assumed-role/Dev/s").unwrap();
    let ops = Principal::from_arn("arn:aws:sts::444455556666:assumed-role/Ops/s").unwrap();
    let delete = PETS.replace("GET", "DELETE");
    let with = |who: Option<&Principal>, arn: &str| {
        let mut r = PolicyRequest::new(INVOKE, arn);
        r.principal = who;
        p.evaluate(&r)
    };
    assert_eq!(with(Some(&own), PETS), Decision::Allow);
    assert_eq!(with(Some(&own), &delete), Decision::Allow);
    assert_eq!(with(Some(&dev), PETS), Decision::Allow);
    assert_eq!(with(Some(&dev), &delete), Decision::ExplicitDeny);
    assert_eq!(with(Some(&ops), PETS), Decision::NotApplicable);
    assert_eq!(with(None, PETS), Decision::NotApplicable);
    assert_eq!(with(None, &delete), Decision::ExplicitDeny);
}

#[test]
fn the_shorthand_needs_the_api() {
    let text = r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "execute-api:/prod/GET/*"}}"#;
    let e = err_with(text, &ParseOptions::resource_policy());
    assert!(e.contains("execute-api:/ shorthand"), "{e}");
    let api = ApiArn::new("us-east-1", "123456789012", "abc123").unwrap();
    let p = PolicyDocument::parse_with(text, &ParseOptions::resource_policy().api(api.clone()))
        .unwrap();
    assert_eq!(
        decide(&p, INVOKE, &api.method_arn("prod", "GET", "/pets")),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, INVOKE, &api.method_arn("test", "GET", "/pets")),
        Decision::NotApplicable
    );
    let other = ApiArn::new("us-east-1", "123456789012", "zzz").unwrap();
    assert_eq!(
        decide(&p, INVOKE, &other.method_arn("prod", "GET", "/pets")),
        Decision::NotApplicable
    );
}

#[test]
fn a_cached_authorizer_policy_is_evaluated_per_method_arn() {
    let output = json!({
        "principalId": "user",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke",
             "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/*",
                          "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$default"]}]}
    });
    let p = PolicyDocument::from_json(&output["policyDocument"]).unwrap();
    let api = ApiArn::new("us-east-1", "123456789012", "abc123").unwrap();
    assert_eq!(
        decide(&p, INVOKE, &api.method_arn("prod", "GET", "/pets")),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, INVOKE, &api.method_arn("prod", "GET", "/")),
        Decision::Allow
    );
    assert_eq!(
        decide(&p, INVOKE, &api.method_arn("prod", "POST", "/pets")),
        Decision::NotApplicable
    );
    assert_eq!(
        decide(&p, INVOKE, &api.default_route_arn("prod")),
        Decision::Allow
    );
}

#[test]
fn variables_only_in_2012_policies() {
    let text = |version: &str| {
        format!(
            r#"{{{version}"Statement": {{"Effect": "Allow", "Action": "*",
                "Resource": "arn:aws:execute-api:*:*:abc123/*/GET/users/${{aws:username}}"}}}}"#
        )
    };
    let alice = Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap();
    let own = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/alice";
    let literal =
        "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/users/${aws:username}";
    let new = doc(&text(r#""Version": "2012-10-17", "#));
    assert!(
        new.evaluate(&PolicyRequest::new(INVOKE, own).with_principal(&alice))
            .is_allow()
    );
    assert!(
        !new.evaluate(&PolicyRequest::new(INVOKE, literal).with_principal(&alice))
            .is_allow()
    );
    for old in [text(""), text(r#""Version": "2008-10-17", "#)] {
        let old = doc(&old);
        assert!(
            !old.evaluate(&PolicyRequest::new(INVOKE, own).with_principal(&alice))
                .is_allow()
        );
        assert!(
            old.evaluate(&PolicyRequest::new(INVOKE, literal))
                .is_allow()
        );
    }
}

#[test]
fn lists_unknowable_condition_keys_once() {
    let p = doc(r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {
            "StringNotEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceIp": "x"}}},
        {"Effect": "Allow", "Action": "*", "Resource": "*/${aws:PrincipalTag/team}/*", "Condition": {
            "StringEquals": {"AWS:SOURCEVPCE": "vpce-2"}, "Bool": {"aws:MultiFactorAuthPresent": true}}}]}"#);
    let keys: Vec<&str> = p.unknowable_condition_keys().collect();
    assert_eq!(
        keys,
        [
            "aws:SourceVpce",
            "aws:PrincipalTag/team",
            "aws:MultiFactorAuthPresent"
        ]
    );
    let plain = doc(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}}"#,
    );
    assert_eq!(plain.unknowable_condition_keys().count(), 0);
}

#[test]
fn decisions_combine_as_the_guide_tables_say() {
    use Decision::*;
    let all = [Allow, NotApplicable, ExplicitDeny];
    for identity in all {
        for resource in all {
            let a = identity.same_account(resource);
            let b = identity.cross_account(resource);
            if identity == ExplicitDeny || resource == ExplicitDeny {
                assert_eq!((a, b), (ExplicitDeny, ExplicitDeny));
            } else {
                assert_eq!(a == Allow, identity == Allow || resource == Allow);
                assert_eq!(b == Allow, identity == Allow && resource == Allow);
                assert_ne!(a, ExplicitDeny);
                assert_ne!(b, ExplicitDeny);
            }
        }
    }
}

#[test]
fn from_json_and_parse_agree_and_from_str_works() {
    let text = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*/DELETE/*"}}"#;
    let a = PolicyDocument::parse(text).unwrap();
    let b = PolicyDocument::from_json(&serde_json::from_str(text).unwrap()).unwrap();
    let c: PolicyDocument = text.parse().unwrap();
    let delete = PETS.replace("GET", "DELETE");
    for p in [a, b, c] {
        assert_eq!(decide(&p, INVOKE, &delete), Decision::ExplicitDeny);
        assert_eq!(decide(&p, INVOKE, PETS), Decision::NotApplicable);
    }
}

#[test]
fn documents_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shareable::<PolicyDocument>();
    shareable::<Principal>();
    shareable::<ApiArn>();
    shareable::<PolicyError>();
}
