//! Parses arbitrary text as an IAM policy document, as each kind of policy
//! (identity or authorizer result, resource policy), and evaluates what was
//! accepted against fixed requests and one whose resource is the input
//! itself. Nothing may panic; errors say something; `evaluate` and `explain`
//! agree; the strict text reader and `from_json` accept the same documents
//! and decide alike.
#![no_main]

use std::net::IpAddr;
use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use portcullis_auth::policy::{
    ApiArn, ParseOptions, PolicyDocument, PolicyError, PolicyRequest, Principal, PrincipalRule,
};

const CONTEXT: &[(&str, &str)] = &[
    ("aws:SourceVpce", "vpce-1a2b3c4d"),
    ("aws:Referer", "https://example.com/app"),
    ("aws:SecureTransport", "true"),
    ("aws:TagKeys", "team"),
    ("aws:TagKeys", "env"),
    ("n", "42"),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let api = ApiArn::new("us-east-1", "123456789012", "abc123").expect("a valid API ARN");
    let options = [
        ParseOptions::identity_policy(),
        ParseOptions::resource_policy().api(api.clone()),
        ParseOptions::identity_policy().principal(PrincipalRule::Optional).api(api.clone()),
    ];
    let user = Principal::from_arn("arn:aws:iam::123456789012:user/alice").expect("a user ARN");
    let session = Principal::from_arn("arn:aws:sts::210987654321:assumed-role/Deployer/ci")
        .expect("a session ARN");
    let own_resource: String = text.chars().take(300).collect();
    let arns = [
        api.method_arn("prod", "GET", "/pets/1"),
        api.method_arn("dev", "DELETE", "/"),
        api.default_route_arn("$default"),
        own_resource,
    ];
    let v4: IpAddr = "192.0.2.10".parse().expect("an address");
    let v6: IpAddr = "2001:db8::7".parse().expect("an address");

    for options in &options {
        let policy = match PolicyDocument::parse_with(&text, options) {
            Ok(policy) => policy,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                // A document the strict reader refuses only for its JSON may
                // still be one serde_json reads (repeated keys); nothing more.
                if !matches!(e, PolicyError::Json { .. } | PolicyError::TooLarge { .. }) {
                    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
                        assert!(PolicyDocument::from_json_with(&value, options).is_err());
                    }
                }
                continue;
            }
        };
        let value: serde_json::Value = serde_json::from_str(&text).expect("accepted text is JSON");
        let again = PolicyDocument::from_json_with(&value, options).expect("the same document");
        assert_eq!(again.len(), policy.len());
        let _ = policy.unknowable_condition_keys().count();

        for arn in &arns {
            for action in ["execute-api:Invoke", "EXECUTE-API:invalidatecache"] {
                let base = PolicyRequest::new(action, arn);
                let requests = [
                    base,
                    base.with_principal(&user).with_source_ip(v4),
                    base.with_principal(&session)
                        .with_source_ip(v6)
                        .with_now(UNIX_EPOCH + Duration::from_secs(1_714_564_800))
                        .with_context(CONTEXT),
                ];
                for request in &requests {
                    let explained = policy.explain(request);
                    assert_eq!(policy.evaluate(request), explained.decision);
                    assert_eq!(again.evaluate(request), explained.decision);
                    match explained.statement {
                        Some(i) => {
                            assert!(i < policy.len());
                            let _ = policy.sid(i);
                        }
                        None => assert!(!explained.decision.is_allow()),
                    }
                }
            }
        }
    }
});
