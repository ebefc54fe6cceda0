//! The example policies of API Gateway's developer guide, parsed and checked
//! against what the guide says each one does. Placeholders such as `region`,
//! `account-id` and `api-id` are replaced with concrete values.

use super::*;

const INVOKE: &str = "execute-api:Invoke";

fn api() -> ApiArn {
    ApiArn::new("us-east-1", "111122223333", "a123456789").unwrap()
}

fn resource_policy(text: &str) -> PolicyDocument {
    let options = ParseOptions::resource_policy().api(api());
    PolicyDocument::parse_with(text, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn from_ip(policy: &PolicyDocument, arn: &str, ip: &str) -> Decision {
    policy.evaluate(&PolicyRequest::new(INVOKE, arn).with_source_ip(ip.parse().unwrap()))
}

fn with_context(policy: &PolicyDocument, arn: &str, context: &[(&str, &str)]) -> Decision {
    policy.evaluate(&PolicyRequest::new(INVOKE, arn).with_context(context))
}

/// The example authorizer output denies `GET /` on the `dev` stage.
#[test]
fn authorizer_output_denying_one_method() {
    let output: serde_json::Value = serde_json::from_str(
        r#"{"principalId": "user", "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Deny",
             "Resource": "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/"}]}}"#,
    )
    .unwrap();
    let policy = PolicyDocument::from_json(&output["policyDocument"]).unwrap();
    let api = ApiArn::new("us-west-2", "123456789012", "ymy8tbxw7b").unwrap();
    let eval = |stage, method, path| {
        policy.evaluate(&PolicyRequest::new(
            INVOKE,
            &api.method_arn(stage, method, path),
        ))
    };
    assert_eq!(eval("dev", "GET", "/"), Decision::ExplicitDeny);
    assert_eq!(eval("dev", "GET", "/pets"), Decision::NotApplicable);
    assert_eq!(eval("prod", "GET", "/"), Decision::NotApplicable);
}

/// The language overview: anyone may invoke, but only from 123.4.5.0/24.
#[test]
fn allow_all_deny_outside_a_block() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:111122223333:*"},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:111122223333:*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": "123.4.5.6/24"}}}]}"#,
    );
    let arn = api().method_arn("prod", "GET", "/pets");
    assert_eq!(from_ip(&policy, &arn, "123.4.5.99"), Decision::Allow);
    assert_eq!(from_ip(&policy, &arn, "123.4.6.1"), Decision::ExplicitDeny);
    assert_eq!(
        from_ip(&policy, &arn, "2001:db8::1"),
        Decision::ExplicitDeny
    );
    let other_region = "arn:aws:execute-api:eu-west-1:111122223333:a123456789/prod/GET/pets";
    assert_eq!(
        from_ip(&policy, other_region, "123.4.5.99"),
        Decision::NotApplicable
    );
}

/// Two roles of another account may call `GET /pets` on `stage`; the
/// shorthand resource is expanded with the API's ARN.
#[test]
fn roles_of_another_account() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::444455556666:role/developer",
                                  "arn:aws:iam::444455556666:role/Admin"]},
            "Action": "execute-api:Invoke", "Resource": ["execute-api:/stage/GET/pets"]}]}"#,
    );
    let developer =
        Principal::from_arn("arn:aws:sts::444455556666:assumed-role/developer/alice").unwrap();
    let admin = Principal::from_arn("arn:aws:iam::444455556666:role/Admin").unwrap();
    let tester = Principal::from_arn("arn:aws:sts::444455556666:assumed-role/tester/bob").unwrap();
    let user = Principal::from_arn("arn:aws:iam::444455556666:user/developer").unwrap();
    let get = api().method_arn("stage", "GET", "/pets");
    let post = api().method_arn("stage", "POST", "/pets");
    let by = |p: &Principal, arn: &str| {
        policy.evaluate(&PolicyRequest::new(INVOKE, arn).with_principal(p))
    };
    assert_eq!(by(&developer, &get), Decision::Allow);
    assert_eq!(by(&admin, &get), Decision::Allow);
    assert_eq!(by(&developer, &post), Decision::NotApplicable);
    assert_eq!(by(&tester, &get), Decision::NotApplicable);
    assert_eq!(by(&user, &get), Decision::NotApplicable);
    assert_eq!(
        policy.evaluate(&PolicyRequest::new(INVOKE, &get)),
        Decision::NotApplicable
    );
}

/// Traffic from two blocks is blocked, everything else allowed; the same
/// policy as the `x-amazon-apigateway-policy` example with one block.
#[test]
fn deny_two_source_blocks() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"],
             "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}}]}"#,
    );
    let arn = api().method_arn("prod", "DELETE", "/pets/7");
    assert_eq!(from_ip(&policy, &arn, "192.0.2.1"), Decision::ExplicitDeny);
    assert_eq!(
        from_ip(&policy, &arn, "198.51.100.200"),
        Decision::ExplicitDeny
    );
    assert_eq!(from_ip(&policy, &arn, "203.0.113.5"), Decision::Allow);
    // A request with no known address is not in the blocks.
    assert_eq!(
        policy.evaluate(&PolicyRequest::new(INVOKE, &arn)),
        Decision::Allow
    );
    assert_eq!(policy.unknowable_condition_keys().count(), 0);
}

/// For private APIs the original address is `aws:VpcSourceIp`, which only
/// AWS's VPC endpoint knows: the policy parses, reports the key, and acts on
/// it when the gateway supplies it.
#[test]
fn deny_by_vpc_source_ip() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"],
             "Condition": {"IpAddress": {"aws:VpcSourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}}]}"#,
    );
    assert_eq!(
        policy.unknowable_condition_keys().collect::<Vec<_>>(),
        ["aws:VpcSourceIp"]
    );
    let arn = api().method_arn("prod", "GET", "/");
    assert_eq!(
        with_context(&policy, &arn, &[("aws:VpcSourceIp", "192.0.2.8")]),
        Decision::ExplicitDeny
    );
    assert_eq!(
        with_context(&policy, &arn, &[("aws:VpcSourceIp", "10.0.0.8")]),
        Decision::Allow
    );
    // The client's own address is a different key.
    assert_eq!(from_ip(&policy, &arn, "192.0.2.8"), Decision::Allow);
}

/// Only traffic from one VPC, or one VPC endpoint, gets through: everything
/// else, including traffic through no VPC at all, is explicitly denied.
#[test]
fn allow_only_from_a_vpc_or_endpoint() {
    for (key, value) in [
        ("aws:SourceVpc", "vpc-1a2b3c4d"),
        ("aws:SourceVpce", "vpce-1a2b3c4d"),
    ] {
        let policy = resource_policy(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"]}},
                {{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"],
                  "Condition": {{"StringNotEquals": {{"{key}": "{value}"}}}}}}]}}"#
        ));
        assert_eq!(
            policy.unknowable_condition_keys().collect::<Vec<_>>(),
            [key]
        );
        let arn = api().method_arn("prod", "GET", "/pets");
        assert_eq!(
            with_context(&policy, &arn, &[(key, value)]),
            Decision::Allow
        );
        assert_eq!(
            with_context(&policy, &arn, &[(key, "vpc-other")]),
            Decision::ExplicitDeny
        );
        assert_eq!(with_context(&policy, &arn, &[]), Decision::ExplicitDeny);
    }
}

/// The authorization-flow chapter: a resource policy alone needs an explicit
/// allow; with a Lambda authorizer the policy is checked for a deny before
/// the authorizer runs, then combined with the authorizer's policy.
#[test]
fn two_phase_evaluation_around_an_authorizer() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"],
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}"#,
    );
    let arn = api().method_arn("prod", "GET", "/pets");
    let through = [("aws:SourceVpce", "vpce-1a2b3c4d")];
    // Before the authorizer: calls from elsewhere stop here.
    assert_eq!(with_context(&policy, &arn, &[]), Decision::ExplicitDeny);
    let resource = with_context(&policy, &arn, &through);
    assert_eq!(resource, Decision::NotApplicable);
    // After: the authorizer's allow decides (same account, Table A).
    let authorizer = PolicyDocument::parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "{arn}"}}]}}"#
    ))
    .unwrap();
    let identity = authorizer.evaluate(&PolicyRequest::new(INVOKE, &arn));
    assert_eq!(identity.same_account(resource), Decision::Allow);
    assert_eq!(identity.cross_account(resource), Decision::NotApplicable);
}

/// Allow only from two blocks (resource policy with IAM or Cognito): a call
/// from elsewhere is neither allowed nor denied.
#[test]
fn allow_only_from_two_blocks() {
    let policy = resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:111122223333:a123456789/*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}}]}"#,
    );
    let arn = api().method_arn("prod", "GET", "/pets");
    assert_eq!(from_ip(&policy, &arn, "198.51.100.1"), Decision::Allow);
    assert_eq!(
        from_ip(&policy, &arn, "203.0.113.1"),
        Decision::NotApplicable
    );
}

/// Identity policies from the IAM chapter: read pets but not add them, read
/// one pet, POST anywhere under a resource, any method on one path.
#[test]
fn identity_policies_for_api_execution() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["execute-api:Invoke"],
             "Resource": ["arn:aws:execute-api:us-east-1:111122223333:a123456789/*/GET/pets"]},
            {"Effect": "Deny", "Action": ["execute-api:Invoke"],
             "Resource": ["arn:aws:execute-api:us-east-1:111122223333:a123456789/*/POST/pets"]}]}"#,
    )
    .unwrap();
    let eval = |p: &PolicyDocument, stage, method, path| {
        p.evaluate(&PolicyRequest::new(
            INVOKE,
            &api().method_arn(stage, method, path),
        ))
    };
    assert_eq!(eval(&policy, "prod", "GET", "/pets"), Decision::Allow);
    assert_eq!(eval(&policy, "test", "GET", "/pets"), Decision::Allow);
    assert_eq!(
        eval(&policy, "prod", "POST", "/pets"),
        Decision::ExplicitDeny
    );
    assert_eq!(
        eval(&policy, "prod", "GET", "/pets/1"),
        Decision::NotApplicable
    );

    let one = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["execute-api:Invoke"],
            "Resource": ["arn:aws:execute-api:us-east-1:111122223333:a123456789/*/GET/pets/a1b2"]}]}"#,
    )
    .unwrap();
    assert_eq!(eval(&one, "prod", "GET", "/pets/a1b2"), Decision::Allow);
    assert_eq!(
        eval(&one, "prod", "GET", "/pets/a1b3"),
        Decision::NotApplicable
    );

    let post = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["execute-api:Invoke"],
            "Resource": ["arn:aws:execute-api:us-east-1:*:a123456789/test/POST/mydemoresource/*"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        eval(&post, "test", "POST", "/mydemoresource/x/y"),
        Decision::Allow
    );
    assert_eq!(
        eval(&post, "test", "POST", "/mydemoresource"),
        Decision::NotApplicable
    );
    assert_eq!(
        eval(&post, "prod", "POST", "/mydemoresource/x"),
        Decision::NotApplicable
    );

    let path = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["execute-api:Invoke"],
            "Resource": ["arn:aws:execute-api:*:*:a123456789/*/*/petstorewalkthrough/pets"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        eval(&path, "beta", "PATCH", "/petstorewalkthrough/pets"),
        Decision::Allow
    );
    let elsewhere =
        "arn:aws:execute-api:eu-west-1:999999999999:a123456789/x/GET/petstorewalkthrough/pets";
    assert_eq!(
        path.evaluate(&PolicyRequest::new(INVOKE, elsewhere)),
        Decision::Allow
    );
    assert_eq!(
        eval(&path, "beta", "GET", "/petstorewalkthrough/pets/1"),
        Decision::NotApplicable
    );
    // execute-api:Invoke does not grant cache invalidation.
    let flush = api().method_arn("beta", "GET", "/petstorewalkthrough/pets");
    assert_eq!(
        path.evaluate(&PolicyRequest::new("execute-api:InvalidateCache", &flush)),
        Decision::NotApplicable
    );
}

/// The resource expressions the guide lists, from widest to narrowest.
#[test]
fn resource_expressions() {
    let arn = "arn:aws:execute-api:us-east-1:111122223333:a123456789/test/GET/pets";
    for (pattern, matches) in [
        ("arn:aws:execute-api:*:*:*", true),
        ("arn:aws:execute-api:us-east-1:*:*", true),
        ("arn:aws:execute-api:us-west-2:*:*", false),
        ("arn:aws:execute-api:us-east-1:*:a123456789/*", true),
        ("arn:aws:execute-api:us-east-1:*:a123456789/test/*", true),
        ("arn:aws:execute-api:us-east-1:*:a123456789/prod/*", false),
    ] {
        let policy = PolicyDocument::parse(&format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "execute-api:*", "Resource": "{pattern}"}}}}"#
        ))
        .unwrap();
        assert_eq!(
            policy.evaluate(&PolicyRequest::new(INVOKE, arn)).is_allow(),
            matches,
            "{pattern}"
        );
    }
}
