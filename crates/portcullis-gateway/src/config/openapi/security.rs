//! Authorization: security schemes (`securityDefinitions` / `components.securitySchemes`)
//! with their API Gateway extensions, and each operation's `security` and
//! `x-amazon-apigateway-auth`.
//!
//! Document-level `security` is not read: API Gateway applies security per
//! operation only (api-gateway-known-issues).

use std::collections::BTreeMap;

use super::context::{Ctx, Version};
use super::tree::Node;
use crate::config::model::{
    Authorization, Authorizer, AuthorizerKind, CognitoUserPool, IdentitySource, LambdaAuthorizer,
};
use crate::config::problems::{child, item};

/// What a security scheme means to API Gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `x-amazon-apigateway-authtype: awsSigv4`: IAM authorization.
    Iam,
    /// `x-amazon-apigateway-authorizer` of this type (lower case), as defined.
    Authorizer(String, Authorizer),
    /// An `apiKey` scheme on the `x-api-key` header: the method requires an API key.
    ApiKey,
    /// A scheme API Gateway cannot enforce; the message says why.
    Unusable(String),
}

/// The schemes by name.
pub(crate) type Schemes = BTreeMap<String, Scheme>;

/// What an operation requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteAuth {
    /// IAM, an authorizer, or nothing.
    pub(crate) authorization: Authorization,
    /// Whether an API key is required.
    pub(crate) api_key_required: bool,
    /// Authorization scopes (JWT and Cognito authorizers).
    pub(crate) scopes: Vec<String>,
}

fn schemes_location(ctx: &Ctx<'_>) -> &'static str {
    match ctx.version {
        Version::Swagger2 => "securityDefinitions",
        Version::OpenApi3 => "components.securitySchemes",
    }
}

/// Reads and classifies every security scheme.
pub(crate) fn schemes(ctx: &mut Ctx<'_>) -> Schemes {
    let at = schemes_location(ctx);
    let node = match ctx.version {
        Version::Swagger2 => ctx.root.get("securityDefinitions"),
        Version::OpenApi3 => ctx
            .root
            .get("components")
            .and_then(|c| c.get("securitySchemes")),
    };
    let mut out = Schemes::new();
    let Some(node) = node else { return out };
    for (name, definition) in ctx.map(node, at).unwrap_or_default() {
        let scheme_at = child(at, name);
        let Some((definition, def_at)) = ctx.resolve(definition, &scheme_at) else {
            continue;
        };
        if ctx.map(definition, &def_at).is_none() {
            continue;
        }
        out.insert(name.clone(), classify(ctx, name, definition, &def_at));
    }
    out
}

fn classify(ctx: &mut Ctx<'_>, name: &str, definition: &Node, at: &str) -> Scheme {
    for (key, _) in definition.as_map().unwrap_or_default() {
        if key.starts_with("x-amazon-apigateway-")
            && key != "x-amazon-apigateway-authorizer"
            && key != "x-amazon-apigateway-authtype"
        {
            super::extensions::unknown_extension(ctx, &child(at, key), "a security scheme");
        }
    }
    let authtype = definition
        .get("x-amazon-apigateway-authtype")
        .and_then(Node::as_str);
    if let Some(authorizer) = definition.get("x-amazon-apigateway-authorizer") {
        return authorizer_kind(
            ctx,
            definition,
            authorizer,
            at,
            &child(at, "x-amazon-apigateway-authorizer"),
        );
    }
    if authtype.is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4")) {
        return Scheme::Iam;
    }
    let field = |key: &str| {
        definition
            .get(key)
            .and_then(Node::as_str)
            .unwrap_or_default()
    };
    if field("type") == "apiKey"
        && field("in") == "header"
        && field("name").eq_ignore_ascii_case("x-api-key")
    {
        return Scheme::ApiKey;
    }
    Scheme::Unusable(format!(
        "security scheme `{name}` is not one API Gateway enforces: it needs an x-amazon-apigateway-authorizer, \
         x-amazon-apigateway-authtype: awsSigv4, or to be the apiKey scheme of the x-api-key header"
    ))
}

fn authorizer_kind(
    ctx: &mut Ctx<'_>,
    scheme: &Node,
    authorizer: &Node,
    scheme_at: &str,
    at: &str,
) -> Scheme {
    let unusable = Scheme::Unusable("its authorizer definition has problems".to_owned());
    if ctx.map(authorizer, at).is_none() {
        return unusable;
    }
    let type_at = child(at, "type");
    let Some(kind) = authorizer.get("type") else {
        ctx.problem(&type_at, "the authorizer `type` is required");
        return unusable;
    };
    let Some(kind) = ctx.str(kind, &type_at) else {
        return unusable;
    };
    let kind = kind.to_ascii_lowercase();
    let allowed: &[&str] = if ctx.is_http() {
        &["request", "jwt"]
    } else {
        &["token", "request", "cognito_user_pools"]
    };
    if !allowed.contains(&kind.as_str()) {
        let message = match (kind.as_str(), ctx.is_http()) {
            ("jwt", false) => "JWT authorizers are an HTTP API feature; REST APIs check JWTs with Cognito or Lambda authorizers (http-api-vs-rest)".to_owned(),
            ("cognito_user_pools", true) => "HTTP APIs use JWT authorizers for Amazon Cognito, not cognito_user_pools (http-api-vs-rest)".to_owned(),
            ("token", true) => "HTTP API Lambda authorizers are of type request, not token (http-api-vs-rest)".to_owned(),
            _ => format!("`{kind}` is not an authorizer type; expected {}", allowed.join(", ")),
        };
        ctx.problem(&type_at, message);
        return unusable;
    }
    unknown_authorizer_properties(ctx, authorizer, at);
    let before = ctx.problems.error_count();
    let parsed = match kind.as_str() {
        "jwt" => jwt(ctx, scheme, authorizer, at),
        "cognito_user_pools" => cognito(ctx, scheme, authorizer, at),
        _ => lambda(ctx, scheme, authorizer, at, kind == "token"),
    };
    match parsed {
        Some(parsed) if ctx.problems.error_count() == before => Scheme::Authorizer(
            kind,
            Authorizer {
                location: scheme_at.to_owned(),
                kind: parsed,
            },
        ),
        _ => unusable,
    }
}

/// The properties of `x-amazon-apigateway-authorizer` (api-gateway-swagger-extensions-authorizer).
const AUTHORIZER_PROPERTIES: &[&str] = &[
    "type",
    "authorizerUri",
    "authorizerCredentials",
    "authorizerPayloadFormatVersion",
    "enableSimpleResponses",
    "identitySource",
    "jwtConfiguration",
    "identityValidationExpression",
    "authorizerResultTtlInSeconds",
    "providerARNs",
];

fn unknown_authorizer_properties(ctx: &mut Ctx<'_>, authorizer: &Node, at: &str) {
    for (key, _) in authorizer.as_map().unwrap_or_default() {
        if !AUTHORIZER_PROPERTIES.contains(&key.as_str()) {
            ctx.unknown_property(&child(at, key), key, "x-amazon-apigateway-authorizer");
        }
    }
}

/// An HTTP API JWT authorizer: issuer and audiences from `jwtConfiguration`,
/// or the issuer from the scheme's `openIdConnectUrl`.
fn jwt(ctx: &mut Ctx<'_>, scheme: &Node, authorizer: &Node, at: &str) -> Option<AuthorizerKind> {
    let config_at = child(at, "jwtConfiguration");
    let config = authorizer.get("jwtConfiguration");
    if let Some(config) = config {
        ctx.map(config, &config_at)?;
        for (key, _) in config.as_map().unwrap_or_default() {
            if key != "issuer" && key != "audience" {
                ctx.unknown_property(&child(&config_at, key), key, "jwtConfiguration");
            }
        }
    }
    let issuer = match config.and_then(|c| c.get("issuer")) {
        Some(issuer) => ctx.str(issuer, &child(&config_at, "issuer"))?.to_owned(),
        None => match scheme.get("openIdConnectUrl").and_then(Node::as_str) {
            Some(url) => url
                .strip_suffix("/.well-known/openid-configuration")
                .unwrap_or(url)
                .to_owned(),
            None => {
                ctx.problem(
                    &config_at,
                    "a JWT authorizer needs jwtConfiguration.issuer (or the scheme's openIdConnectUrl)",
                );
                return None;
            }
        },
    };
    let audience_at = child(&config_at, "audience");
    let audiences = match config.and_then(|c| c.get("audience")) {
        Some(node) => scope_list(ctx, node, &audience_at),
        None => Vec::new(),
    };
    if audiences.is_empty() {
        ctx.problem(
            &audience_at,
            "a JWT authorizer needs at least one audience (API Gateway requires one)",
        );
        return None;
    }
    let identity_source = identity_source(ctx, scheme, authorizer, at)?;
    Some(AuthorizerKind::Jwt {
        issuer,
        audiences,
        identity_source,
    })
}

/// A Lambda authorizer: its function, identity sources and caching.
fn lambda(
    ctx: &mut Ctx<'_>,
    scheme: &Node,
    authorizer: &Node,
    at: &str,
    token: bool,
) -> Option<AuthorizerKind> {
    let uri_at = child(at, "authorizerUri");
    let Some(uri) = authorizer.get("authorizerUri") else {
        ctx.problem(
            &uri_at,
            "a Lambda authorizer needs authorizerUri (the function it calls)",
        );
        return None;
    };
    let uri = ctx.str(uri, &uri_at)?;
    let function = match crate::config::lambda_uri::parse(uri) {
        Ok(function) => function,
        Err(error) => {
            ctx.problem(
                &uri_at,
                format!("{error}: an authorizer that cannot be called cannot be enforced"),
            );
            return None;
        }
    };
    let text = |ctx: &mut Ctx<'_>, key: &str| -> Option<String> {
        let node = authorizer.get(key)?;
        ctx.str(node, &child(at, key)).map(str::to_owned)
    };
    // A comma-separated text, as AWS documents it, or a list, as SAM
    // writes HTTP API authorizers and AWS accepts.
    let mut identity_sources: Vec<String> = identity_source_list(ctx, authorizer, at)?;
    if token && identity_sources.is_empty() {
        // The scheme's header (`in: header`, `name: X`), else Authorization.
        let header = (scheme.get("in").and_then(Node::as_str) == Some("header"))
            .then(|| scheme.get("name").and_then(Node::as_str))
            .flatten()
            .unwrap_or("Authorization");
        identity_sources.push(format!("method.request.header.{header}"));
    }
    let ttl_at = child(at, "authorizerResultTtlInSeconds");
    let ttl_seconds = match authorizer.get("authorizerResultTtlInSeconds") {
        // HTTP APIs cache only when a TTL is given (SAM deploys Lambda
        // authorizers without identity sources, which caching needs);
        // REST APIs cache for 300 s unless told otherwise.
        None if ctx.is_http() => 0,
        None => 300,
        Some(node) => match ctx.integer(node, &ttl_at) {
            Some(ttl @ 0..=3600) => ttl as u64,
            Some(other) => {
                ctx.problem(
                    &ttl_at,
                    format!("{other} is not a TTL API Gateway accepts (0 to 3600 seconds)"),
                );
                return None;
            }
            None => return None,
        },
    };
    // `2.0` unquoted in YAML is a number; AWS takes it as the text.
    let version = match authorizer.get("authorizerPayloadFormatVersion") {
        Some(Node::Float(v)) => Some(format!("{v:.1}")),
        Some(Node::Int(v)) => Some(format!("{v}.0")),
        _ => text(ctx, "authorizerPayloadFormatVersion"),
    };
    let payload_v2 = match version.as_deref() {
        None | Some("1.0") => false,
        Some("2.0") => true,
        Some(other) => {
            ctx.problem(
                &child(at, "authorizerPayloadFormatVersion"),
                format!("`{other}` is not a payload format version; expected 1.0 or 2.0"),
            );
            return None;
        }
    };
    let simple_responses = match authorizer.get("enableSimpleResponses") {
        None => false,
        Some(node) => ctx.bool(node, &child(at, "enableSimpleResponses"))?,
    };
    Some(AuthorizerKind::Lambda(LambdaAuthorizer {
        function,
        token,
        identity_sources,
        validation_expression: text(ctx, "identityValidationExpression"),
        ttl_seconds,
        payload_v2,
        simple_responses,
    }))
}

/// A REST Cognito user pool authorizer: the pools of `providerARNs`.
fn cognito(
    ctx: &mut Ctx<'_>,
    scheme: &Node,
    authorizer: &Node,
    at: &str,
) -> Option<AuthorizerKind> {
    let arns_at = child(at, "providerARNs");
    let Some(arns) = authorizer.get("providerARNs") else {
        ctx.problem(
            &arns_at,
            "a cognito_user_pools authorizer needs providerARNs",
        );
        return None;
    };
    let mut user_pools = Vec::new();
    for (i, arn) in ctx.seq(arns, &arns_at)?.iter().enumerate() {
        let arn_at = item(&arns_at, i);
        let arn = ctx.str(arn, &arn_at)?;
        match user_pool(arn) {
            Some(pool) => user_pools.push(pool),
            None => ctx.problem(
                &arn_at,
                format!("`{arn}` is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)"),
            ),
        }
    }
    if user_pools.is_empty() {
        ctx.problem(
            &arns_at,
            "a cognito_user_pools authorizer needs at least one user pool ARN",
        );
        return None;
    }
    if authorizer.get("identityValidationExpression").is_some() {
        ctx.problem(
            &child(at, "identityValidationExpression"),
            "identityValidationExpression on a Cognito authorizer is not supported yet;              serving the route without it would accept tokens AWS refuses",
        );
        return None;
    }
    let identity_source = identity_source(ctx, scheme, authorizer, at)?;
    Some(AuthorizerKind::CognitoUserPools {
        user_pools,
        identity_source,
    })
}

fn user_pool(arn: &str) -> Option<CognitoUserPool> {
    let mut fields = arn.splitn(6, ':');
    let (
        Some("arn"),
        Some(_partition),
        Some("cognito-idp"),
        Some(region),
        Some(_account),
        Some(resource),
    ) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    )
    else {
        return None;
    };
    let id = resource.strip_prefix("userpool/")?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (valid(region) && valid(id)).then(|| CognitoUserPool {
        region: region.to_owned(),
        id: id.to_owned(),
    })
}

/// A Lambda authorizer's `identitySource`: comma-separated text, or a
/// list of such texts; empty when absent.
fn identity_source_list(ctx: &mut Ctx<'_>, authorizer: &Node, at: &str) -> Option<Vec<String>> {
    let at = child(at, "identitySource");
    let texts: Vec<&str> = match authorizer.get("identitySource") {
        None => Vec::new(),
        Some(Node::Seq(items)) => {
            let mut texts = Vec::with_capacity(items.len());
            for (i, node) in items.iter().enumerate() {
                texts.push(ctx.str(node, &item(&at, i))?);
            }
            texts
        }
        Some(node) => vec![ctx.str(node, &at)?],
    };
    Some(
        texts
            .iter()
            .flat_map(|text| text.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Where a JWT or Cognito authorizer reads its token: `identitySource`
/// (`$request.header.X`, `$request.querystring.X` for HTTP APIs;
/// `method.request.header.X` for REST), else the scheme's `apiKey` header,
/// else `Authorization`.
fn identity_source(
    ctx: &mut Ctx<'_>,
    scheme: &Node,
    authorizer: &Node,
    at: &str,
) -> Option<IdentitySource> {
    let source_at = child(at, "identitySource");
    let header = |name: &str| http::HeaderName::from_bytes(name.as_bytes()).ok();
    let Some(source) = authorizer.get("identitySource") else {
        let named = (scheme.get("in").and_then(Node::as_str) == Some("header"))
            .then(|| scheme.get("name").and_then(Node::as_str))
            .flatten()
            .and_then(header);
        return Some(IdentitySource::Header(
            named.unwrap_or(http::header::AUTHORIZATION),
        ));
    };
    // One source, as text or as a list of one (SAM writes lists).
    let source = match source {
        Node::Seq(items) if items.len() == 1 => &items[0],
        other => other,
    };
    let source = ctx.str(source, &source_at)?.trim();
    let (header_prefix, query_prefix) = if ctx.is_http() {
        ("$request.header.", Some("$request.querystring."))
    } else {
        ("method.request.header.", None)
    };
    if let Some(name) = source.strip_prefix(header_prefix) {
        if let Some(name) = header(name) {
            return Some(IdentitySource::Header(name));
        }
    } else if let Some(name) = query_prefix
        .and_then(|p| source.strip_prefix(p))
        .filter(|n| !n.is_empty())
    {
        return Some(IdentitySource::QueryString(name.to_owned()));
    }
    ctx.problem(
        &source_at,
        format!(
            "`{source}` is not an identity source this authorizer reads; expected {header_prefix}NAME{}",
            query_prefix.map(|p| format!(" or {p}NAME")).unwrap_or_default()
        ),
    );
    None
}

/// Reads an operation's `security` and `x-amazon-apigateway-auth`.
pub(crate) fn route_auth(
    ctx: &mut Ctx<'_>,
    schemes: &Schemes,
    operation: &Node,
    at: &str,
) -> RouteAuth {
    let mut auth = RouteAuth {
        authorization: Authorization::None,
        api_key_required: false,
        scopes: Vec::new(),
    };
    let mut chosen: Vec<(String, Authorization, Vec<String>)> = Vec::new();
    if let Some(security) = operation.get("security") {
        let security_at = child(at, "security");
        for (i, requirement) in ctx
            .seq(security, &security_at)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let requirement_at = item(&security_at, i);
            for (name, scopes) in ctx.map(requirement, &requirement_at).unwrap_or_default() {
                let name_at = child(&requirement_at, name);
                let scopes = scope_list(ctx, scopes, &name_at);
                match schemes.get(name) {
                    None => ctx.problem(
                        &name_at,
                        format!(
                            "security scheme `{name}` is not defined in {}",
                            schemes_location(ctx)
                        ),
                    ),
                    Some(Scheme::ApiKey) if ctx.is_http() => ctx.rest_only(&name_at, "API keys"),
                    Some(Scheme::ApiKey) => auth.api_key_required = true,
                    Some(Scheme::Iam) => chosen.push((name.clone(), Authorization::Iam, scopes)),
                    Some(Scheme::Authorizer(kind, _)) => chosen.push((
                        name.clone(),
                        Authorization::Authorizer {
                            name: name.clone(),
                            kind: kind.clone(),
                        },
                        scopes,
                    )),
                    Some(Scheme::Unusable(reason)) => ctx.problem(&name_at, reason.clone()),
                }
            }
        }
    }
    if let Some(explicit) = operation.get("x-amazon-apigateway-auth") {
        let explicit_at = child(at, "x-amazon-apigateway-auth");
        match auth_type(ctx, explicit, &explicit_at).as_deref() {
            Some("AWS_IAM") => chosen.push((
                "x-amazon-apigateway-auth".to_owned(),
                Authorization::Iam,
                Vec::new(),
            )),
            Some("NONE") if !chosen.is_empty() => ctx.problem(
                &explicit_at,
                format!("says NONE, but `security` applies `{}`", chosen[0].0),
            ),
            _ => {}
        }
    }
    chosen.dedup_by(|a, b| a.1 == b.1 && a.2 == b.2);
    if let [first, second, ..] = chosen.as_slice() {
        ctx.problem(
            at,
            format!(
                "an operation takes one kind of authorization (IAM, a Lambda, Cognito or JWT authorizer); \
                 this one has both `{}` and `{}`",
                first.0, second.0
            ),
        );
    }
    if let Some((name, authorization, scopes)) = chosen.into_iter().next() {
        let scoped = matches!(&authorization, Authorization::Authorizer { kind, .. } if kind == "jwt" || kind == "cognito_user_pools");
        if !scopes.is_empty() && !scoped {
            ctx.problem(
                &child(at, "security"),
                format!("`{name}` lists scopes, but scopes apply to JWT and Cognito user pool authorizers only"),
            );
        }
        auth.authorization = authorization;
        auth.scopes = scopes;
    }
    auth
}

fn scope_list(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<String> {
    let mut scopes = Vec::new();
    for (i, scope) in ctx.seq(node, at).unwrap_or_default().iter().enumerate() {
        if let Some(text) = ctx.str(scope, &item(at, i)) {
            scopes.push(text.to_owned());
        }
    }
    scopes
}

fn auth_type(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<String> {
    ctx.map(node, at)?;
    let type_at = child(at, "type");
    let Some(value) = node.get("type") else {
        ctx.problem(&type_at, "`type` is required: AWS_IAM or NONE");
        return None;
    };
    let value = ctx.str(value, &type_at)?.to_ascii_uppercase();
    if value == "AWS_IAM" || value == "NONE" {
        Some(value)
    } else {
        ctx.problem(
            &type_at,
            format!("`{value}` is not an authorization type here; expected AWS_IAM or NONE"),
        );
        None
    }
}
