//! Cost of policy evaluation, the per-request part, and of parsing, the
//! per-load (or per-authorizer-call) part.
//!
//! `cargo bench -p portcullis-auth --bench policy`
//!
//! The document is 20 statements as a busy API's authorizer might return
//! them: Allows and Denies, wildcard resources, `NotAction`, one `IpAddress`
//! condition. The request matches late: every Deny is checked and the only
//! Allow that applies is the last statement. `anchor_literal_scan_20` is the
//! floor: 20 plain string comparisons, the least any evaluator must do.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_auth::policy::{
    ApiArn, Decision, ParseOptions, PolicyDocument, PolicyRequest, Principal,
};

const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123";

fn document() -> String {
    let mut statements = Vec::new();
    let stages = ["dev", "beta", "test", "qa"];
    for (i, resource) in ["orders", "users", "carts", "invoices", "reports", "admin"]
        .iter()
        .enumerate()
    {
        let stage = stages[i % stages.len()];
        statements.push(format!(
            r#"{{"Sid": "Read{i}", "Effect": "Allow", "Action": "execute-api:Invoke",
                "Resource": ["{ARN}/{stage}/GET/{resource}", "{ARN}/{stage}/GET/{resource}/*"]}}"#
        ));
        statements.push(format!(
            r#"{{"Sid": "NoDelete{i}", "Effect": "Deny", "Action": "execute-api:*",
                "Resource": "{ARN}/*/DELETE/{resource}/*"}}"#
        ));
    }
    for i in 0..4 {
        statements.push(format!(
            r#"{{"Effect": "Allow", "Action": ["execute-api:Invoke", "execute-api:InvalidateCache"],
                "Resource": "{ARN}/stage{i}/*/v?/items/*"}}"#
        ));
    }
    statements.push(format!(
        r#"{{"Sid": "Office", "Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "{ARN}/*/*/internal/*",
            "Condition": {{"NotIpAddress": {{"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}}}}}"#
    ));
    statements.push(format!(
        r#"{{"Effect": "Deny", "NotAction": "execute-api:Invoke", "Resource": "{ARN}/prod/*"}}"#
    ));
    statements.push(
        r#"{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/prod/PATCH/*"}"#
            .to_owned(),
    );
    statements.push(format!(
        r#"{{"Sid": "Pets", "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "{ARN}/prod/GET/pets/*"}}"#
    ));
    let mut text = String::from(r#"{"Version": "2012-10-17", "Statement": ["#);
    let _ = write!(text, "{}", statements.join(",\n"));
    text.push_str("]}");
    text
}

fn resource_policy() -> &'static str {
    r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["210987654321", "arn:aws:iam::123456789012:role/Deployer"]},
         "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "203.0.113.0/24"]}}}]}"#
}

fn bench(c: &mut Criterion) {
    let text = document();
    let policy = PolicyDocument::parse(&text).expect("the bench document parses");
    assert_eq!(policy.len(), 20);
    let method_arn = format!("{ARN}/prod/GET/pets/42/photos");
    let request = PolicyRequest::new("execute-api:Invoke", &method_arn)
        .with_source_ip("192.0.2.10".parse().expect("an address"));
    assert_eq!(policy.explain(&request).statement, Some(19));
    assert_eq!(policy.evaluate(&request), Decision::Allow);

    c.bench_function("policy/evaluate_20_statements_late_allow", |b| {
        b.iter(|| black_box(&policy).evaluate(black_box(&request)));
    });

    let denied_arn = format!("{ARN}/prod/GET/internal/metrics");
    let denied = PolicyRequest::new("execute-api:Invoke", &denied_arn)
        .with_source_ip("203.0.113.9".parse().expect("an address"));
    assert_eq!(policy.evaluate(&denied), Decision::ExplicitDeny);
    c.bench_function("policy/evaluate_20_statements_ip_deny", |b| {
        b.iter(|| black_box(&policy).evaluate(black_box(&denied)));
    });

    let missing_arn = format!("{ARN}/prod/POST/unknown");
    let missing = PolicyRequest::new("execute-api:Invoke", &missing_arn);
    assert_eq!(policy.evaluate(&missing), Decision::NotApplicable);
    c.bench_function("policy/evaluate_20_statements_no_match", |b| {
        b.iter(|| black_box(&policy).evaluate(black_box(&missing)));
    });

    // The anchor: one exact comparison per statement.
    let literals: Vec<String> = (0..20)
        .map(|i| format!("{ARN}/prod/GET/pets/{i}"))
        .collect();
    c.bench_function("policy/anchor_literal_scan_20", |b| {
        b.iter(|| {
            black_box(&literals)
                .iter()
                .any(|l| l.as_str() == black_box(method_arn.as_str()))
        });
    });

    let api = ApiArn::new("us-east-1", "123456789012", "abc123").expect("an API ARN");
    let options = ParseOptions::resource_policy().api(api.clone());
    let rp = PolicyDocument::parse_with(resource_policy(), &options).expect("parses");
    let caller =
        Principal::from_arn("arn:aws:sts::123456789012:assumed-role/Deployer/ci").expect("an ARN");
    let arn = api.method_arn("prod", "POST", "/deployments");
    let request = PolicyRequest::new("execute-api:Invoke", &arn)
        .with_principal(&caller)
        .with_source_ip("192.0.2.1".parse().expect("an address"));
    assert_eq!(rp.evaluate(&request), Decision::Allow);
    c.bench_function("policy/evaluate_resource_policy_role_session", |b| {
        b.iter(|| black_box(&rp).evaluate(black_box(&request)));
    });

    c.bench_function("policy/parse_20_statements", |b| {
        b.iter(|| PolicyDocument::parse(black_box(&text)).expect("parses"));
    });
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    c.bench_function("policy/from_json_20_statements", |b| {
        b.iter(|| PolicyDocument::from_json(black_box(&value)).expect("parses"));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
