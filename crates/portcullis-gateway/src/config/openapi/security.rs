//! Authorization: security schemes (`securityDefinitions` / `components.securitySchemes`)
//! with their API Gateway extensions, and each operation's `security` and
//! `x-amazon-apigateway-auth`.
//!
//! Document-level `security` is not read: API Gateway applies security per
//! operation only (api-gateway-known-issues).

use std::collections::BTreeMap;

use super::context::{Ctx, Version};
use super::tree::Node;
use crate::config::model::Authorization;
use crate::config::problems::{child, item};

/// What a security scheme means to API Gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `x-amazon-apigateway-authtype: awsSigv4`: IAM authorization.
    Iam,
    /// `x-amazon-apigateway-authorizer` of this type (lower case).
    Authorizer(String),
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
            authorizer,
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

fn authorizer_kind(ctx: &mut Ctx<'_>, authorizer: &Node, at: &str) -> Scheme {
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
    if allowed.contains(&kind.as_str()) {
        return Scheme::Authorizer(kind);
    }
    let message = match (kind.as_str(), ctx.is_http()) {
        ("jwt", false) => "JWT authorizers are an HTTP API feature; REST APIs check JWTs with Cognito or Lambda authorizers (http-api-vs-rest)".to_owned(),
        ("cognito_user_pools", true) => "HTTP APIs use JWT authorizers for Amazon Cognito, not cognito_user_pools (http-api-vs-rest)".to_owned(),
        ("token", true) => "HTTP API Lambda authorizers are of type request, not token (http-api-vs-rest)".to_owned(),
        _ => format!("`{kind}` is not an authorizer type; expected {}", allowed.join(", ")),
    };
    ctx.problem(&type_at, message);
    unusable
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
                    Some(Scheme::Authorizer(kind)) => chosen.push((
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
