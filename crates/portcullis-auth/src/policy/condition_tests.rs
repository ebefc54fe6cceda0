use std::net::IpAddr;
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;
use crate::policy::principal::Principal;

const CX: StatementCx<'static> = StatementCx {
    position: 1,
    sid: Some("S"),
};

fn cond(v: Value) -> Condition {
    Condition::parse(&v, &CX, true, &mut Budget::new()).unwrap()
}

fn err(v: Value) -> String {
    Condition::parse(&v, &CX, true, &mut Budget::new())
        .unwrap_err()
        .to_string()
}

fn base() -> PolicyRequest<'static> {
    PolicyRequest::new("execute-api:Invoke", "arn:aws:execute-api:r:1:api/s/GET/")
}

fn from(ip: &str) -> PolicyRequest<'static> {
    base().with_source_ip(ip.parse::<IpAddr>().unwrap())
}

#[test]
fn ip_address_and_its_negation() {
    let c = cond(json!({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}));
    assert!(c.holds(&from("192.0.2.10")));
    assert!(c.holds(&from("198.51.100.255")));
    assert!(!c.holds(&from("203.0.113.1")));
    assert!(!c.holds(&base()), "no source address: IpAddress fails");

    let c = cond(json!({"NotIpAddress": {"aws:SourceIp": "123.4.5.6/24"}}));
    assert!(!c.holds(&from("123.4.5.1")));
    assert!(c.holds(&from("123.4.6.1")));
    assert!(c.holds(&base()), "no source address: NotIpAddress passes");
    assert!(
        c.holds(&from("2001:db8::1")),
        "an IPv6 caller is outside an IPv4 block"
    );
}

#[test]
fn ipv6_blocks_and_addresses_from_context() {
    let c = cond(json!({"IpAddress": {"aws:SourceIp": ["2001:db8::/32", "10.0.0.1"]}}));
    assert!(c.holds(&from("2001:db8:1::5")));
    assert!(c.holds(&from("10.0.0.1")));
    assert!(c.holds(&from("::ffff:10.0.0.1")));
    assert!(!c.holds(&from("2001:db9::5")));
    let pairs = [
        ("aws:VpcSourceIp", "2001:db8::7"),
        ("aws:SourceIp", "not an ip"),
    ];
    let c2 = cond(json!({"IpAddress": {"aws:VpcSourceIp": "2001:db8::/32"}}));
    assert!(c2.holds(&base().with_context(&pairs)));
    assert!(
        !c.holds(&base().with_context(&pairs)),
        "an unreadable address matches no block"
    );
}

#[test]
fn key_names_ignore_case_values_do_not() {
    let c = cond(json!({"IpAddress": {"AWS:SOURCEIP": "192.0.2.0/24"}}));
    assert!(c.holds(&from("192.0.2.1")));
    let pairs = [("aws:username", "Alice")];
    let r = base().with_context(&pairs);
    assert!(!cond(json!({"StringEquals": {"AWS:UserName": "alice"}})).holds(&r));
    assert!(cond(json!({"StringEquals": {"AWS:UserName": "Alice"}})).holds(&r));
    assert!(cond(json!({"StringEqualsIgnoreCase": {"aws:username": "ALICE"}})).holds(&r));
    assert!(!cond(json!({"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}})).holds(&r));
}

#[test]
fn string_operators() {
    let pairs = [("aws:Referer", "https://example.com/page?x=1")];
    let r = base().with_context(&pairs);
    assert!(cond(json!({"StringLike": {"aws:Referer": "https://example.com/*"}})).holds(&r));
    assert!(cond(json!({"StringLike": {"aws:Referer": ["nope", "*page?x=?"]}})).holds(&r));
    assert!(!cond(json!({"StringLike": {"aws:Referer": "https://EXAMPLE.com/*"}})).holds(&r));
    assert!(!cond(json!({"StringNotLike": {"aws:Referer": "*example*"}})).holds(&r));
    // StringEquals takes `*` literally.
    assert!(!cond(json!({"StringEquals": {"aws:Referer": "*"}})).holds(&r));
    // Several values: OR for plain operators, none-may-match for negated ones.
    assert!(
        cond(json!({"StringEquals": {"aws:Referer": ["a", "https://example.com/page?x=1"]}}))
            .holds(&r)
    );
    assert!(
        !cond(json!({"StringNotEquals": {"aws:Referer": ["a", "https://example.com/page?x=1"]}}))
            .holds(&r)
    );
    assert!(cond(json!({"StringNotEquals": {"aws:Referer": ["a", "b"]}})).holds(&r));
    // Numbers and booleans in a string comparison are their JSON text.
    let pairs = [("n", "5"), ("b", "true")];
    let r = base().with_context(&pairs);
    assert!(cond(json!({"StringEquals": {"n": 5, "b": true}})).holds(&r));
}

#[test]
fn missing_keys_follow_iam() {
    let r = base();
    for (c, want) in [
        (json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}}), false),
        (
            json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
        (
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
        (
            json!({"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}),
            true,
        ),
        (json!({"StringLike": {"aws:SourceVpce": "*"}}), false),
        (json!({"NumericLessThan": {"k": 3}}), false),
        (json!({"NumericNotEquals": {"k": 3}}), true),
        (json!({"Bool": {"aws:SecureTransport": "false"}}), false),
        (
            json!({"BoolIfExists": {"aws:SecureTransport": "false"}}),
            true,
        ),
        (
            json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}),
            true,
        ),
        (json!({"ForAnyValue:StringEquals": {"k": "a"}}), false),
        (
            json!({"ForAnyValue:StringEqualsIfExists": {"k": "a"}}),
            true,
        ),
        (json!({"ForAnyValue:StringNotEquals": {"k": "a"}}), false),
        (json!({"ForAllValues:StringEquals": {"k": "a"}}), true),
        (json!({"Null": {"k": "true"}}), true),
        (json!({"Null": {"k": false}}), false),
    ] {
        assert_eq!(cond(c.clone()).holds(&r), want, "{c}");
    }
}

#[test]
fn if_exists_still_tests_a_present_key() {
    let pairs = [("aws:SourceVpce", "vpce-2")];
    let r = base().with_context(&pairs);
    assert!(!cond(json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})).holds(&r));
    assert!(cond(json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-2"}})).holds(&r));
    assert!(!cond(json!({"Null": {"aws:SourceVpce": "true"}})).holds(&r));
    assert!(cond(json!({"Null": {"aws:SourceVpce": false}})).holds(&r));
}

#[test]
fn set_operators_over_multivalued_keys() {
    let pairs = [("tags", "a"), ("Tags", "b")];
    let r = base().with_context(&pairs);
    assert!(cond(json!({"ForAnyValue:StringEquals": {"tags": ["b", "z"]}})).holds(&r));
    assert!(!cond(json!({"ForAnyValue:StringEquals": {"tags": ["y", "z"]}})).holds(&r));
    assert!(cond(json!({"ForAllValues:StringEquals": {"tags": ["a", "b", "c"]}})).holds(&r));
    assert!(!cond(json!({"ForAllValues:StringEquals": {"tags": ["a", "c"]}})).holds(&r));
    assert!(cond(json!({"ForAllValues:StringNotEquals": {"tags": ["x"]}})).holds(&r));
    assert!(!cond(json!({"ForAllValues:StringNotEquals": {"tags": ["a"]}})).holds(&r));
    assert!(cond(json!({"ForAnyValue:StringNotEquals": {"tags": ["a"]}})).holds(&r));
    assert!(!cond(json!({"ForAnyValue:StringNotEquals": {"tags": ["a", "b"]}})).holds(&r));
    // Without a prefix, one matching value is enough.
    assert!(cond(json!({"StringEquals": {"tags": "b"}})).holds(&r));
    assert!(!cond(json!({"StringNotEquals": {"tags": "b"}})).holds(&r));
}

#[test]
fn keys_and_operators_are_anded() {
    let pairs = [("a", "1"), ("b", "2")];
    let r = base()
        .with_context(&pairs)
        .with_source_ip("10.0.0.1".parse().unwrap());
    assert!(cond(json!({"StringEquals": {"a": "1", "b": "2"}})).holds(&r));
    assert!(!cond(json!({"StringEquals": {"a": "1", "b": "3"}})).holds(&r));
    assert!(
        cond(json!({"StringEquals": {"a": "1"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
            .holds(&r)
    );
    assert!(
        !cond(json!({"StringEquals": {"a": "1"}, "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
            .holds(&r)
    );
    assert!(cond(json!({})).holds(&r));
}

#[test]
fn numbers_booleans_and_binary() {
    let pairs = [
        ("n", "10"),
        ("x", "ten"),
        ("aws:SecureTransport", "true"),
        ("bin", "QUJD"),
    ];
    let r = base().with_context(&pairs);
    assert!(cond(json!({"NumericEquals": {"n": "10.0"}})).holds(&r));
    assert!(cond(json!({"NumericLessThan": {"n": 11}})).holds(&r));
    assert!(!cond(json!({"NumericLessThan": {"n": 10}})).holds(&r));
    assert!(cond(json!({"NumericLessThanEquals": {"n": 10}})).holds(&r));
    assert!(cond(json!({"NumericGreaterThan": {"n": 9.5}})).holds(&r));
    assert!(cond(json!({"NumericGreaterThanEquals": {"n": [100, 10]}})).holds(&r));
    assert!(!cond(json!({"NumericEquals": {"x": 10}})).holds(&r));
    assert!(cond(json!({"NumericNotEquals": {"x": 10}})).holds(&r));
    assert!(cond(json!({"Bool": {"aws:SecureTransport": true}})).holds(&r));
    assert!(!cond(json!({"Bool": {"aws:SecureTransport": "false"}})).holds(&r));
    assert!(cond(json!({"BinaryEquals": {"bin": "QUJD"}})).holds(&r));
}

#[test]
fn dates_against_the_request_time() {
    let now = UNIX_EPOCH + Duration::from_secs(1_714_564_800); // 2024-05-01T12:00:00Z
    let r = base().with_now(now);
    assert!(
        cond(json!({"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}})).holds(&r)
    );
    assert!(cond(json!({"DateLessThan": {"aws:CurrentTime": "2024-05-01T12:00:01Z"}})).holds(&r));
    assert!(!cond(json!({"DateLessThan": {"aws:CurrentTime": "2024-05-01T12:00:00Z"}})).holds(&r));
    assert!(
        cond(json!({"DateEquals": {"aws:CurrentTime": "2024-05-01T14:00:00+02:00"}})).holds(&r)
    );
    assert!(cond(json!({"DateLessThanEquals": {"aws:EpochTime": 1_714_564_800}})).holds(&r));
    assert!(cond(json!({"DateGreaterThanEquals": {"aws:EpochTime": "2024-05-01"}})).holds(&r));
    assert!(cond(json!({"NumericGreaterThan": {"aws:EpochTime": 1_700_000_000}})).holds(&r));
    assert!(cond(json!({"StringLike": {"aws:CurrentTime": "2024-05-*"}})).holds(&r));
    assert!(!cond(json!({"DateGreaterThan": {"aws:CurrentTime": "2000-01-01"}})).holds(&base()));
}

#[test]
fn principal_keys_and_variables() {
    let alice = Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap();
    let session = Principal::from_arn("arn:aws:sts::123456789012:assumed-role/Ops/s1").unwrap();
    let pairs = [("owner", "alice")];
    let r = base().with_principal(&alice).with_context(&pairs);
    assert!(cond(json!({"StringEquals": {"aws:PrincipalAccount": "123456789012"}})).holds(&r));
    assert!(cond(json!({"StringEquals": {"owner": "${aws:username}"}})).holds(&r));
    assert!(cond(json!({"StringEquals": {"aws:PrincipalType": "User"}})).holds(&r));
    let rs = base().with_principal(&session).with_context(&pairs);
    assert!(!cond(json!({"StringEquals": {"owner": "${aws:username}"}})).holds(&rs));
    assert!(cond(json!({"StringEquals": {"owner": "${aws:username, 'alice'}"}})).holds(&rs));
    assert!(cond(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Ops"}})).holds(&rs));
    assert!(
        cond(json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}}))
            .holds(&rs)
    );
    assert!(!cond(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev"}})).holds(&rs));
    assert!(cond(json!({"Null": {"aws:username": "true"}})).holds(&rs));
}

#[test]
fn variables_are_text_in_old_policies() {
    let v = json!({"StringEquals": {"owner": "${aws:username}"}});
    let old = Condition::parse(&v, &CX, false, &mut Budget::new()).unwrap();
    let pairs = [("owner", "${aws:username}")];
    assert!(old.holds(&base().with_context(&pairs)));
    assert!(!cond(v).holds(&base().with_context(&pairs)));
}

#[test]
fn refuses_what_it_cannot_read() {
    let e = err(json!({"StringEqual": {"k": "v"}}));
    assert_eq!(
        e,
        "statement 1 (Sid \"S\"): Condition.StringEqual is not a condition operator IAM defines"
    );
    let e = err(json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/40"]}}));
    assert_eq!(
        e,
        "statement 1 (Sid \"S\"): Condition.IpAddress.aws:SourceIp value \"10.0.0.0/40\" has a prefix length over 32"
    );
    for (bad, says) in [
        (json!([]), "Condition must be an object"),
        (
            json!({"StringEquals": "v"}),
            "must be an object of condition keys",
        ),
        (json!({"StringEquals": {}}), "names no condition key"),
        (json!({"StringEquals": {"": "v"}}), "empty condition key"),
        (json!({"StringEquals": {"k": []}}), "is an empty list"),
        (
            json!({"StringEquals": {"k": [{"a": 1}]}}),
            "not a string, number or boolean",
        ),
        (
            json!({"StringEquals": {"k": null}}),
            "not a string, number or boolean",
        ),
        (json!({"NumericEquals": {"k": "ten"}}), "not a number"),
        (json!({"NumericEquals": {"k": true}}), "not a number"),
        (
            json!({"DateEquals": {"k": "yesterday"}}),
            "not an ISO 8601 date",
        ),
        (json!({"Bool": {"k": "yes"}}), "not true or false"),
        (json!({"Null": {"k": 1}}), "not true or false"),
        (json!({"IpAddress": {"k": 10}}), "not an IP address"),
        (
            json!({"IpAddress": {"k": "10.0.0.300"}}),
            "not an IP address",
        ),
        (
            json!({"StringEquals": {"k": "${aws:username"}}),
            "policy variable",
        ),
        (
            json!({"NullIfExists": {"k": "true"}}),
            "not a condition operator",
        ),
    ] {
        let e = err(bad.clone());
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn lists_the_keys_it_reads() {
    let c = cond(json!({
        "StringEquals": {"aws:SourceVpce": "vpce-1", "owner": "${aws:PrincipalTag/team}"},
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
    }));
    let mut keys: Vec<&str> = c.keys().map(ContextKey::name).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "aws:PrincipalTag/team",
            "aws:SourceIp",
            "aws:SourceVpce",
            "owner"
        ]
    );
}
