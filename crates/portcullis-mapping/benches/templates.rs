//! Rendering cost of typical mapping templates on a 1 KB JSON body.
//!
//! `cargo bench -p portcullis-mapping --bench templates`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_mapping::input::{Input, RequestParams};
use portcullis_mapping::{Scope, Template, json};

/// The console's "Method Request passthrough" template.
const PASSTHROUGH: &str = r#"##  See https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
##  This template will pass through all parameters including path, querystring, header, stage variables, and context through to the integration endpoint via the body/payload
#set($allParams = $input.params())
{
"body-json" : $input.json('$'),
"params" : {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
},
"stage-variables" : {
#foreach($key in $stageVariables.keySet())
"$key" : "$util.escapeJavaScript($stageVariables.get($key))"
    #if($foreach.hasNext),#end
#end
},
"context" : {
    "account-id" : "$context.identity.accountId",
    "api-id" : "$context.apiId",
    "api-key" : "$context.identity.apiKey",
    "authorizer-principal-id" : "$context.authorizer.principalId",
    "caller" : "$context.identity.caller",
    "cognito-authentication-provider" : "$context.identity.cognitoAuthenticationProvider",
    "cognito-authentication-type" : "$context.identity.cognitoAuthenticationType",
    "cognito-identity-id" : "$context.identity.cognitoIdentityId",
    "cognito-identity-pool-id" : "$context.identity.cognitoIdentityPoolId",
    "http-method" : "$context.httpMethod",
    "stage" : "$context.stage",
    "source-ip" : "$context.identity.sourceIp",
    "user" : "$context.identity.user",
    "user-agent" : "$context.identity.userAgent",
    "user-arn" : "$context.identity.userArn",
    "request-id" : "$context.requestId",
    "resource-id" : "$context.resourceId",
    "resource-path" : "$context.resourcePath"
    }
}
"#;

/// Reshapes an order: a loop over its items, `$input.path`, `$util.escapeJavaScript`.
const RESHAPE: &str = r#"#set($order = $input.path('$'))
{
  "orderId": "$order.id",
  "customer": "$util.escapeJavaScript($order.customer.name).replaceAll("\\'","'")",
  "lines": [
#foreach($item in $input.path('$.items'))
    {"sku": "$item.sku", "title": "$util.escapeJavaScript($item.title)", "qty": $item.qty, "total": $item.price}#if($foreach.hasNext),#end

#end
  ],
  "count": $order.items.size()
}
"#;

fn body() -> String {
    let items: Vec<String> = (0..8)
        .map(|i| {
            format!(
                r#"{{"sku": "SKU-{i:04}", "title": "Widget number {i}, the customer's favourite", "qty": {q}, "price": {p}.99, "tags": ["a", "b"]}}"#,
                q = i + 1,
                p = 10 * i + 5
            )
        })
        .collect();
    format!(
        r#"{{"id": "ord-1234567", "customer": {{"name": "O'Brien & Sons", "email": "ob@example.com"}}, "items": [{}]}}"#,
        items.join(", ")
    )
}

fn bench(c: &mut Criterion) {
    let body = body();
    assert!(
        (900..1300).contains(&body.len()),
        "body is {} bytes",
        body.len()
    );
    let mut params = RequestParams::default();
    params.path.insert("orderId".into(), "ord-1234567".into());
    params.querystring.insert("verbose".into(), "true".into());
    for (k, v) in [
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("User-Agent", "curl/8.5.0"),
        ("X-Request-Id", "abc-123"),
    ] {
        params.header.insert(k.into(), v.into());
    }
    let context = json::parse(
        r#"{"apiId": "a1b2c3", "httpMethod": "POST", "stage": "prod", "requestId": "req-1", "resourceId": "res9",
            "resourcePath": "/orders/{orderId}", "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"}, "authorizer": {}}"#,
    )
    .unwrap();
    let stage = json::parse(r#"{"env": "prod", "table": "orders"}"#).unwrap();
    if std::env::var_os("BENCH_PARTS").is_some() {
        c.bench_function("part_input_json", |b| {
            b.iter(|| {
                let input = Input::new(&body, params.clone());
                black_box(input.json("$").unwrap())
            })
        });
        c.bench_function("part_input_path", |b| {
            b.iter(|| {
                let input = Input::new(&body, params.clone());
                black_box(input.path("$").unwrap())
            })
        });
        c.bench_function("part_params_clone", |b| {
            b.iter(|| black_box(params.clone()))
        });
        let t = Template::compile("t", "$a $b $c $d $e $f $g $h $i $j").unwrap();
        let input = Input::new("", RequestParams::default());
        c.bench_function("part_ten_refs", |b| {
            b.iter(|| black_box(t.render(&Scope::new(&input)).unwrap()))
        });
    }
    if let Some(only) = std::env::var_os("BENCH_COUNT_ONLY") {
        // A fixed number of renders of one template, for `perf stat` and
        // profilers: `BENCH_COUNT_ONLY=reshape cargo bench ... -- --list`.
        let src = if only == "reshape" {
            RESHAPE
        } else {
            PASSTHROUGH
        };
        let template = Template::compile("t", src).unwrap();
        for _ in 0..100_000 {
            let input = Input::new(&body, params.clone());
            let mut scope = Scope::new(&input);
            scope.context = context.clone();
            scope.stage_variables = stage.clone();
            black_box(template.render(black_box(&scope)).unwrap());
        }
        return;
    }
    for (name, src) in [
        ("method_request_passthrough", PASSTHROUGH),
        ("reshape_foreach_path_escape", RESHAPE),
    ] {
        let template = Template::compile(name, src).unwrap();
        c.bench_function(name, |b| {
            b.iter(|| {
                // A fresh $input per request, as the gateway builds one per request.
                let input = Input::new(&body, params.clone());
                let mut scope = Scope::new(&input);
                scope.context = context.clone();
                scope.stage_variables = stage.clone();
                black_box(template.render(black_box(&scope)).unwrap())
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
