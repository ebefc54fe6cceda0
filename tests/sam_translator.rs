//! The differential test of `--template`: for every SAM template in
//! `tests/sam/templates/`, the routes, functions and stages Portcullis
//! derives equal what AWS's own SAM translator (`aws-sam-translator`, run by
//! `tests/sam/translate.py`) puts in its CloudFormation output.
//!
//! Authorizers are compared by name, type and function (the translator's
//! output leaves user pool ARNs as `Fn::GetAtt`; Portcullis resolves them).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use portcullis_gateway::config::{
    self, Api, ApiType, Authorization, FunctionConfig, IntegrationKind, Overrides, PayloadFormat,
    Source, TemplateSource,
};
use serde_json::{Value, json};

fn templates() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sam/templates");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    found.sort();
    assert!(found.len() >= 6, "{found:?}");
    found
}

/// The same description of what Portcullis loads.
fn ours(config: &config::GatewayConfig) -> Value {
    let functions: BTreeMap<String, Value> = config
        .functions
        .iter()
        .map(|(name, function)| {
            let FunctionConfig::Local(local) = function else {
                panic!("{name} is not local")
            };
            (
                name.clone(),
                json!({
                    "handler": local.handler,
                    "timeout": local.timeout.as_secs(),
                    "memory": local.memory_mb,
                    "environment": local.environment,
                }),
            )
        })
        .collect();
    let mut apis: Vec<Value> = config
        .apis
        .iter()
        .map(|a| {
            let mut described = api(a);
            described["usage_plans"] = usage_plans(config, &a.id);
            described
        })
        .collect();
    apis.sort_by_key(|a| a["logical_id"].as_str().unwrap().to_owned());
    json!({"functions": functions, "apis": apis})
}

/// The usage plans covering an API: their limits and its stages in them.
fn usage_plans(config: &config::GatewayConfig, api_id: &str) -> Value {
    let mut plans: Vec<Value> = config
        .usage_plans
        .iter()
        .filter_map(|plan| {
            let mut stages: Vec<&str> = plan
                .api_stages
                .iter()
                .filter(|s| s.api_id == api_id)
                .map(|s| s.stage.as_str())
                .collect();
            if stages.is_empty() {
                return None;
            }
            stages.sort();
            Some(json!({
                "throttle": plan.throttle.as_ref().map(|t| json!({"rate": t.rate_limit, "burst": t.burst_limit})),
                "quota": plan.quota.as_ref().map(|q| json!({"limit": q.limit, "period": q.period.as_str()})),
                "stages": stages,
            }))
        })
        .collect();
    plans.sort_by_key(Value::to_string);
    Value::Array(plans)
}

/// Whether a route is a CORS preflight SAM generated: an OPTIONS MOCK
/// answering with `Access-Control-Allow-Origin`.
fn is_preflight(route: &config::Route) -> bool {
    route.method.as_str() == "OPTIONS"
        && matches!(route.integration.kind, IntegrationKind::Mock)
        && route.integration.responses.iter().any(|r| {
            r.response_parameters
                .contains_key("method.response.header.Access-Control-Allow-Origin")
        })
}

/// The CORS summary `translate.py` makes: REST from the preflights' static
/// headers, HTTP from the API's CORS configuration.
fn cors(api: &Api) -> Value {
    let split = |v: Option<&str>| -> Vec<String> {
        let mut items: Vec<String> = v
            .unwrap_or_default()
            .split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        items.sort();
        items
    };
    if let Some(cors) = &api.cors {
        let sorted = |v: &Vec<String>| {
            let mut v = v.clone();
            v.sort();
            v
        };
        return json!({
            "allow_origins": sorted(&cors.allow_origins),
            "allow_methods": sorted(&cors.allow_methods),
            "allow_headers": sorted(&cors.allow_headers),
            "expose_headers": sorted(&cors.expose_headers),
            "max_age": cors.max_age,
            "allow_credentials": cors.allow_credentials,
        });
    }
    let mut summaries: BTreeMap<String, Value> = BTreeMap::new();
    for route in api.routes.iter().filter(|r| is_preflight(r)) {
        let mut headers = BTreeMap::new();
        for response in &route.integration.responses {
            for (key, value) in &response.response_parameters {
                if let Some(name) = key.strip_prefix("method.response.header.") {
                    let value = value.trim_matches('\'');
                    headers.insert(name.to_ascii_lowercase(), value.to_owned());
                }
            }
        }
        let header = |name: &str| headers.get(name).map(String::as_str);
        summaries.insert(
            route.path.clone(),
            json!({
                "allow_origins": split(header("access-control-allow-origin")),
                "allow_methods": split(header("access-control-allow-methods")),
                "allow_headers": split(header("access-control-allow-headers")),
                "expose_headers": split(header("access-control-expose-headers")),
                "max_age": header("access-control-max-age").and_then(|v| v.parse::<u64>().ok()),
                "allow_credentials": header("access-control-allow-credentials") == Some("true"),
            }),
        );
    }
    let Some(first) = summaries.values().next().cloned() else {
        return Value::Null;
    };
    let paths: Vec<&String> = summaries.keys().collect();
    if summaries.values().all(|s| *s == first) {
        let mut out = first;
        out["paths"] = json!(paths);
        return out;
    }
    let mut out = first.clone();
    out["allow_methods"] = summaries
        .iter()
        .map(|(p, s)| (p.clone(), s["allow_methods"].clone()))
        .collect::<serde_json::Map<_, _>>()
        .into();
    out["paths"] = json!(paths);
    out
}

fn api(api: &Api) -> Value {
    let mut routes: Vec<Value> = api
        .routes
        .iter()
        .filter(|route| !is_preflight(route))
        .map(|route| {
            let (function, integration, payload) = match &route.integration.kind {
                IntegrationKind::Lambda {
                    function,
                    proxy,
                    payload_format,
                } => (
                    Value::from(function.name.clone()),
                    if *proxy { "aws_proxy" } else { "aws" },
                    match (api.api_type, payload_format) {
                        (ApiType::Rest, _) => Value::Null,
                        (ApiType::Http, PayloadFormat::V1) => Value::from("1.0"),
                        (ApiType::Http, PayloadFormat::V2) => Value::from("2.0"),
                    },
                ),
                IntegrationKind::AwsRest(target) if target.action.is_some() => (
                    Value::from(format!(
                        "{}:{}",
                        target.service,
                        target.action.as_deref().unwrap_or_default()
                    )),
                    "aws",
                    Value::Null,
                ),
                other => (Value::from(format!("{other:?}")), "other", Value::Null),
            };
            let mut described = json!({
                "method": route.method.as_str(),
                "path": route.path,
                "function": function,
                "integration": integration,
                "payload": payload,
                "authorizer": match &route.authorization {
                    Authorization::Authorizer { name, .. } => Value::from(name.clone()),
                    Authorization::Iam => Value::from("AWS_IAM"),
                    Authorization::None => Value::Null,
                },
                "api_key": route.api_key_required,
            });
            if api.api_type == ApiType::Rest {
                let mut parameters: Vec<String> = route
                    .request_parameters
                    .iter()
                    .map(|p| {
                        let place = match p.location {
                            config::ParameterLocation::Path => "path",
                            config::ParameterLocation::QueryString => "querystring",
                            config::ParameterLocation::Header => "header",
                        };
                        let required = if p.required { " required" } else { "" };
                        format!("{place}.{}{required}", p.name)
                    })
                    .collect();
                parameters.sort();
                described["validator"] = route.validation.as_ref().map_or(
                    Value::Null,
                    |v| json!({"body": v.body, "params": v.parameters}),
                );
                described["parameters"] = json!(parameters);
                described["credentials"] = match &route.integration.credentials {
                    None => Value::Null,
                    Some(config::IntegrationCredentials::Role(role)) => json!(role),
                    Some(config::IntegrationCredentials::Caller) => json!("arn:aws:iam::*:user/*"),
                };
                described["models"] = json!(route.request_models);
                described["cache_keys"] = route
                    .integration
                    .cache_key
                    .parameters
                    .iter()
                    .map(|p| match p {
                        config::CacheKeyParameter::Path(n) => format!("method.request.path.{n}"),
                        config::CacheKeyParameter::QueryString(n) => {
                            format!("method.request.querystring.{n}")
                        }
                        config::CacheKeyParameter::MultiValueQueryString(n) => {
                            format!("method.request.multivaluequerystring.{n}")
                        }
                        config::CacheKeyParameter::Header(n) => {
                            format!("method.request.header.{n}")
                        }
                        config::CacheKeyParameter::MultiValueHeader(n) => {
                            format!("method.request.multivalueheader.{n}")
                        }
                    })
                    .collect();
            }
            described
        })
        .collect();
    routes.sort_by_key(|r| (r["path"].to_string(), r["method"].to_string()));
    let authorizers: BTreeMap<String, Value> = api
        .authorizers
        .iter()
        .map(|(name, authorizer)| {
            let (kind, function, issuer, audience) = match &authorizer.kind {
                config::AuthorizerKind::Jwt {
                    issuer, audiences, ..
                } => (
                    "jwt",
                    Value::Null,
                    Value::from(issuer.clone()),
                    json!(audiences),
                ),
                config::AuthorizerKind::CognitoUserPools { .. } => {
                    ("cognito_user_pools", Value::Null, Value::Null, Value::Null)
                }
                config::AuthorizerKind::Lambda(lambda) => (
                    if lambda.token { "token" } else { "request" },
                    Value::from(lambda.function.name.clone()),
                    Value::Null,
                    Value::Null,
                ),
            };
            (
                name.clone(),
                json!({"type": kind, "function": function, "issuer": issuer, "audience": audience}),
            )
        })
        .collect();
    let stage_settings: BTreeMap<String, Value> = api
        .stages
        .iter()
        .map(|stage| {
            let throttle = |t: &config::ThrottleSettings| json!({"rate": t.rate_limit, "burst": t.burst_limit});
            let cache = stage.cache.as_ref().map(|cache| {
                let methods: BTreeMap<&String, Value> = cache
                    .methods
                    .iter()
                    .map(|(key, m)| (key, json!({"enabled": m.enabled, "ttl": m.ttl.as_secs()})))
                    .collect();
                json!({
                    "size": cache.cluster_size,
                    "enabled": cache.default.enabled,
                    "ttl": cache.default.ttl.as_secs(),
                    "methods": methods,
                })
            });
            let methods: BTreeMap<&String, Value> = stage
                .throttling
                .methods
                .iter()
                .map(|(key, t)| (key, throttle(t)))
                .collect();
            (
                stage.name.clone(),
                json!({
                    "throttle": stage.throttling.default.as_ref().map(throttle),
                    "method_throttle": methods,
                    "cache": cache,
                }),
            )
        })
        .collect();
    let gateway_responses: BTreeMap<&String, Value> = api
        .gateway_responses
        .iter()
        .map(|(kind, response)| {
            (
                kind,
                json!({
                    "status": response.status_code,
                    "parameters": response.response_parameters,
                    "templates": response.response_templates,
                }),
            )
        })
        .collect();
    let mut binary_media_types = api.binary_media_types.clone();
    binary_media_types.sort();
    json!({
        "logical_id": api.id,
        "models": api.models.keys().collect::<Vec<_>>(),
        "minimum_compression_size": api.minimum_compression_size,
        "binary_media_types": binary_media_types,
        "stage_settings": stage_settings,
        "gateway_responses": gateway_responses,
        "resource_policy": policy(api.resource_policy.as_ref()),
        "cors": cors(api),
        "authorizers": authorizers,
        "type": match api.api_type { ApiType::Rest => "REST", ApiType::Http => "HTTP" },
        "stages": api.stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "stage_variables": api.stages.iter().map(|s| (s.name.clone(), json!(s.variables))).collect::<BTreeMap<_, _>>(),
        "routes": routes,
    })
}

/// A resource policy with its order made irrelevant: statements (and
/// their resources) as sorted lists; `None` as null.
fn policy(policy: Option<&Value>) -> Value {
    let Some(policy) = policy else {
        return Value::Null;
    };
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    // Statements testing VPCs are left out by Portcullis, with a warning: a
    // local caller comes from none.
    let mut statements: Vec<Value> = as_list(&policy["Statement"])
        .iter()
        .filter(|statement| {
            let condition = statement["Condition"].to_string();
            !condition.contains("aws:SourceVpc")
        })
        .map(|statement| {
            let mut statement = sorted_keys(statement);
            if let Some(resource) = statement.get("Resource") {
                let mut resources = as_list(resource);
                resources.sort_by_key(Value::to_string);
                statement["Resource"] = Value::Array(resources);
            }
            statement
        })
        .collect();
    statements.sort_by_key(Value::to_string);
    json!({"Version": policy["Version"], "Statement": statements})
}

/// `value` with every object's keys in order, so equal values print alike.
fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, sorted_keys(v))).collect();
            json!(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// The translator's description reduced to what `ours` describes: API ids
/// lower case (Portcullis's ids are host name labels), function defaults
/// filled in (Lambda's: 3 s, 128 MB), routes sorted the same way.
fn comparable(translated: &Value) -> Value {
    let functions: BTreeMap<String, Value> = translated["functions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, f)| {
            (
                name.clone(),
                json!({
                    "handler": f["handler"],
                    "timeout": f["timeout"].as_u64().unwrap_or(3),
                    "memory": f["memory"].as_u64().unwrap_or(128),
                    "environment": f["environment"],
                }),
            )
        })
        .collect();
    let mut apis: Vec<Value> = translated["apis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut routes: Vec<Value> = a["routes"].as_array().unwrap().clone();
            // Header names are case-insensitive; Portcullis keys caches by lower case.
            for route in &mut routes {
                if let Some(Value::Array(keys)) = route.get_mut("cache_keys") {
                    for key in keys {
                        if let Some(name) = key
                            .as_str()
                            .and_then(|k| k.strip_prefix("method.request.header."))
                        {
                            *key = json!(format!("method.request.header.{}", name.to_ascii_lowercase()));
                        }
                    }
                }
            }
            routes.sort_by_key(|r| (r["path"].to_string(), r["method"].to_string()));
            let authorizers: BTreeMap<String, Value> = a["authorizers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, z)| {
                    let mut audience = z["audience"].clone();
                    if let Value::Array(items) = &mut audience {
                        items.sort_by_key(Value::to_string);
                    }
                    (
                        name.clone(),
                        json!({"type": z["type"], "function": z["function"], "issuer": z["issuer"], "audience": audience}),
                    )
                })
                .collect();
            let mut plans: Vec<Value> = a["usage_plans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    // Rates are numbers; Portcullis keeps them as floats.
                    if let Some(rate) = p["throttle"]["rate"].as_f64() {
                        p["throttle"]["rate"] = json!(rate);
                    }
                    p
                })
                .collect();
            plans.sort_by_key(Value::to_string);
            json!({
                "binary_media_types": a["binary_media_types"],
                "models": a["models"],
                "minimum_compression_size": a["minimum_compression_size"],
                "stage_settings": a["stage_settings"],
                "gateway_responses": a["gateway_responses"],
                "resource_policy": policy(Some(&a["resource_policy"]).filter(|p| !p.is_null())),
                "logical_id": a["logical_id"].as_str().unwrap().to_ascii_lowercase(),
                "usage_plans": plans,
                "cors": a["cors"],
                "authorizers": authorizers,
                "type": a["type"],
                "stages": a["stages"],
                "stage_variables": a["stage_variables"],
                "routes": routes,
            })
        })
        .collect();
    apis.sort_by_key(|a| a["logical_id"].as_str().unwrap().to_owned());
    json!({"functions": functions, "apis": apis})
}

/// Where `ours` and `theirs` first differ, with both values there.
fn first_difference(ours: &Value, theirs: &Value, at: &str) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| {
                let null = Value::Null;
                first_difference(
                    a.get(key).unwrap_or(&null),
                    b.get(key).unwrap_or(&null),
                    &format!("{at}.{key}"),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{at}[{i}]"))),
        _ if ours == theirs => None,
        _ => Some(format!(
            "`{at}`: Portcullis has {ours}, the translator {theirs}"
        )),
    }
}

/// Where Portcullis's reading of `template` differs from the translator's,
/// `None` when they agree; `Err` when either refuses the template.
fn compare(template: &Path, common_functions_only: bool) -> Result<Option<String>, String> {
    let source = Source::Template(TemplateSource {
        path: template.to_path_buf(),
        ..TemplateSource::default()
    });
    let overrides = Overrides {
        account_id: Some("123456789012".to_owned()),
        ..Overrides::default()
    };
    let loaded = config::load(&source, &overrides).map_err(|e| format!("Portcullis: {e}"))?;
    let translated = translated_or_error(template)?;
    let derived = ours(&loaded);
    if std::env::var_os("SAM_DIFF_DUMP").is_some() {
        eprintln!("{}", serde_json::to_string_pretty(&derived).unwrap());
    }
    let mut expected = comparable(&translated);
    if common_functions_only
        && let (Some(theirs), Some(mine)) = (
            expected["functions"].as_object_mut(),
            derived["functions"].as_object(),
        )
    {
        // Functions whose code is in S3 or inline do not run locally.
        theirs.retain(|name, _| mine.contains_key(name));
    }
    Ok(first_difference(&derived, &expected, ""))
}

/// What the translator derives (as `translate.py` normalizes it), or its
/// refusal.
fn translated_or_error(template: &Path) -> Result<Value, String> {
    let python = support::python("run AWS's SAM translator");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sam/translate.py");
    let output = Command::new(python)
        .arg(script)
        .arg(template)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "translate.py printed no JSON ({e}); is aws-sam-translator installed? run scripts/test.sh\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    match value.get("error") {
        Some(error) => Err(format!("the translator: {error}")),
        None => Ok(value),
    }
}

/// The same comparison over a directory of templates from elsewhere
/// (AWS's own translator tests, a company's templates), which this
/// repository does not hold: `SAM_TEMPLATES_DIR=DIR cargo test --test
/// sam_translator -- --ignored`. Templates either side refuses are counted
/// and skipped; every difference is listed, and fails the test.
#[test]
#[ignore = "needs SAM_TEMPLATES_DIR, a directory of templates"]
fn portcullis_reads_a_directory_of_templates_as_the_translator_does() {
    let dir = std::env::var_os("SAM_TEMPLATES_DIR").expect("set SAM_TEMPLATES_DIR");
    let mut templates: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("SAM_TEMPLATES_DIR is a directory")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    templates.sort();
    let (mut agreed, mut refused, mut differences) = (0, 0, Vec::new());
    for template in &templates {
        match compare(template, true) {
            Ok(None) => agreed += 1,
            Ok(Some(difference)) => {
                differences.push(format!("{}: {difference}", template.display()))
            }
            Err(_) => refused += 1,
        }
    }
    eprintln!(
        "{agreed} agree, {} differ, {refused} refused by either side, of {}",
        differences.len(),
        templates.len()
    );
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn portcullis_reads_every_template_as_aws_s_sam_translator_does() {
    let mut compared = 0;
    for template in templates() {
        match compare(&template, false) {
            Ok(None) => compared += 1,
            Ok(Some(difference)) => panic!(
                "{}: Portcullis and the SAM translator differ at {difference}",
                template.display()
            ),
            Err(refusal) => panic!("{}: {refusal}", template.display()),
        }
    }
    assert!(compared >= 5, "only {compared} templates compared");
}
