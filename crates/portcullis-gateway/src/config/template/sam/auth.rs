//! SAM's `Auth` on an API and on its events, written into the API's
//! definition as SAM writes it: each authorizer a security scheme with its
//! `x-amazon-apigateway-authorizer`, the default authorizer and API key
//! requirement on every operation that does not choose its own, an event's
//! own `Auth` on its route. The definition is then imported as any other,
//! so the gateway enforces what AWS would.
//!
//! SAM applies an event's `Auth` to an API's own `DefinitionBody` only
//! with `OverrideApiAuth: true` (the body takes the API's defaults
//! otherwise), and so does this. `ResourcePolicy` is written by
//! [`super::policy`]; `InvokeRole` becomes the integration's
//! `credentials`, as SAM writes it. `UsagePlan` is
//! read by [`super::plans`].

use std::path::Path;

use crate::config::model::ApiType;
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::{note_unused, text};

/// The name SAM gives the API key scheme.
const API_KEY: &str = "api_key";
/// The name of the IAM scheme.
const IAM: &str = "AWS_IAM";

/// An API's `Auth`, read.
#[derive(Debug, Default, Clone)]
pub(super) struct ApiAuth {
    /// Security schemes by name, as the definition declares them.
    schemes: Vec<(String, Node)>,
    /// `DefaultAuthorizer`.
    default: Option<String>,
    /// `ApiKeyRequired` (REST).
    api_key_required: bool,
    /// Each authorizer's `AuthorizationScopes`: what its routes require
    /// unless an event names its own.
    scopes: Vec<(String, Vec<Node>)>,
    /// `AddDefaultAuthorizerToCorsPreflight` (REST; true unless set false).
    pub(super) guards_preflight: bool,
    /// `UsagePlan` and where it is written.
    pub(super) usage_plan: Option<(Node, String)>,
    /// `ResourcePolicy` (REST), checked.
    pub(super) resource_policy: Option<Node>,
    /// `InvokeRole` (REST): a role ARN, `CALLER_CREDENTIALS` or `NONE`.
    pub(super) invoke_role: Option<String>,
    /// Whether routes may name `AWS_IAM`: always on REST APIs, with
    /// `EnableIamAuthorizer: true` on HTTP APIs (SAM refuses it otherwise).
    pub(super) iam_enabled: bool,
}

/// An event's `Auth`.
#[derive(Debug, Default, Clone)]
pub(super) struct RouteAuth {
    /// `Authorizer`: a name, `NONE` or `AWS_IAM`.
    authorizer: Option<String>,
    /// `ApiKeyRequired`.
    api_key_required: Option<bool>,
    /// `AuthorizationScopes`.
    scopes: Vec<Node>,
    /// `ResourcePolicy` (REST events), checked.
    pub(super) resource_policy: Option<Node>,
    /// `InvokeRole` (REST events).
    pub(super) invoke_role: Option<String>,
    /// `OverrideApiAuth`: the event's `Auth` applies to an API's own
    /// `DefinitionBody` too (SAM ignores it there otherwise).
    pub(super) override_api_auth: bool,
}

/// Where functions' ARNs become integration URIs.
pub(super) struct Env<'a> {
    pub(super) file: &'a Path,
    pub(super) region: &'a str,
    pub(super) partition: &'a str,
}

/// Reads an API's `Auth` (at `at`).
pub(super) fn api_auth(
    api_type: ApiType,
    auth: &Node,
    at: &str,
    env: &Env<'_>,
    problems: &mut Problems,
) -> ApiAuth {
    let used: &[&str] = match api_type {
        ApiType::Rest => &[
            "InvokeRole",
            "Authorizers",
            "DefaultAuthorizer",
            "ApiKeyRequired",
            "UsagePlan",
            "AddDefaultAuthorizerToCorsPreflight",
        ],
        ApiType::Http => &["Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"],
    };
    let refused: &[&str] = match api_type {
        ApiType::Rest => &[],
        ApiType::Http => &["ResourcePolicy", "InvokeRole"],
    };
    for &refused in refused {
        if auth.get(refused).is_some() {
            problems.at(
                env.file,
                child(at, refused),
                format!("Auth.{refused} is not served from templates yet; serving these routes without it would change who may call them"),
            );
        }
    }
    let mut known: Vec<&str> = used.to_vec();
    known.extend(["ResourcePolicy", "InvokeRole"]);
    note_unused(env.file, at, auth, &known, problems);
    let mut out = ApiAuth {
        invoke_role: invoke_role(auth),
        iam_enabled: api_type == ApiType::Rest
            || matches!(auth.get("EnableIamAuthorizer"), Some(Node::Bool(true))),
        resource_policy: match (api_type, auth.get("ResourcePolicy")) {
            (ApiType::Rest, Some(policy)) => {
                super::policy::read(policy, &child(at, "ResourcePolicy"), env.file, problems)
            }
            _ => None,
        },
        usage_plan: auth
            .get("UsagePlan")
            .map(|plan| (plan.clone(), child(at, "UsagePlan"))),
        guards_preflight: !matches!(
            auth.get("AddDefaultAuthorizerToCorsPreflight"),
            Some(Node::Bool(false))
        ),
        default: text(auth.get("DefaultAuthorizer")).map(str::to_owned),
        api_key_required: matches!(auth.get("ApiKeyRequired"), Some(Node::Bool(true))),
        ..ApiAuth::default()
    };
    let authorizers_at = child(at, "Authorizers");
    for (name, definition) in auth
        .get("Authorizers")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let def_at = child(&authorizers_at, name);
        let scheme = match api_type {
            ApiType::Rest => rest_authorizer(definition, &def_at, env, problems),
            ApiType::Http => http_authorizer(definition, &def_at, env, problems),
        };
        if let Some(scheme) = scheme {
            out.schemes.push((name.clone(), scheme));
            if let Some(scopes) = definition.get("AuthorizationScopes").and_then(Node::as_seq) {
                out.scopes.push((name.clone(), scopes.to_vec()));
            }
        }
    }
    if out.default.as_deref() == Some(IAM) && !out.iam_enabled && !out.has_authorizer(IAM) {
        problems.at(
            env.file,
            child(at, "DefaultAuthorizer"),
            "AWS_IAM on an HTTP API needs Auth.EnableIamAuthorizer: true, as SAM requires",
        );
    }
    if let Some(default) = &out.default
        && default != IAM
        && !out.has_authorizer(default)
    {
        problems.at(
            env.file,
            child(at, "DefaultAuthorizer"),
            format!("`{default}` is not one of the Authorizers"),
        );
    }
    out
}

/// `InvokeRole`: its text, `NONE` when written empty (as SAM reads it).
fn invoke_role(auth: &Node) -> Option<String> {
    match auth.get("InvokeRole")? {
        Node::Str(role) if !role.is_empty() => Some(role.clone()),
        _ => Some("NONE".to_owned()),
    }
}

/// The `credentials` SAM writes on a REST route's Lambda integration:
/// only routes authorised by AWS_IAM (the event's `Authorizer`, or the
/// API's default when the event has no `Auth`) get one, the event's
/// `InvokeRole` over the API's; the caller's own identity unless one
/// names a role, nothing for `NONE`.
pub(super) fn invoke_credentials(
    api: Option<&ApiAuth>,
    route: Option<&RouteAuth>,
    partition: &str,
) -> Option<String> {
    let iam = match route {
        Some(route) => route.authorizer.as_deref() == Some(IAM),
        None => api.and_then(|a| a.default.as_deref()) == Some(IAM),
    };
    if !iam || api.is_some_and(|a| a.has_authorizer(IAM)) {
        return None;
    }
    let role = route
        .and_then(|r| r.invoke_role.clone())
        .or_else(|| api.and_then(|a| a.invoke_role.clone()));
    match role.as_deref() {
        Some("NONE") => None,
        None | Some("CALLER_CREDENTIALS") => Some(format!("arn:{partition}:iam::*:user/*")),
        Some(role) => Some(role.to_owned()),
    }
}

impl ApiAuth {
    /// Whether `Authorizers` defines one named `name`.
    pub(super) fn has_authorizer(&self, name: &str) -> bool {
        self.schemes.iter().any(|(n, _)| n == name)
    }
}

impl RouteAuth {
    /// `Authorizer`, as written.
    pub(super) fn authorizer(&self) -> Option<&str> {
        self.authorizer.as_deref()
    }
}

/// Reads an event's `Auth`.
pub(super) fn route_auth(auth: &Node, at: &str, file: &Path, problems: &mut Problems) -> RouteAuth {
    let override_api_auth = matches!(auth.get("OverrideApiAuth"), Some(Node::Bool(true)));
    if override_api_auth
        && ["Authorizer", "ApiKeyRequired", "ResourcePolicy"]
            .iter()
            .all(|key| auth.get(key).is_none())
    {
        problems.at(
            file,
            child(at, "OverrideApiAuth"),
            "OverrideApiAuth needs an Authorizer, ApiKeyRequired or ResourcePolicy to override with, as SAM requires",
        );
    }
    note_unused(
        file,
        at,
        auth,
        &[
            "Authorizer",
            "ApiKeyRequired",
            "AuthorizationScopes",
            "InvokeRole",
            "ResourcePolicy",
            "OverrideApiAuth",
        ],
        problems,
    );
    RouteAuth {
        override_api_auth,
        invoke_role: invoke_role(auth),
        resource_policy: auth
            .get("ResourcePolicy")
            .and_then(|p| super::policy::read(p, &child(at, "ResourcePolicy"), file, problems)),
        authorizer: text(auth.get("Authorizer")).map(str::to_owned),
        api_key_required: match auth.get("ApiKeyRequired") {
            Some(Node::Bool(required)) => Some(*required),
            _ => None,
        },
        scopes: auth
            .get("AuthorizationScopes")
            .and_then(Node::as_seq)
            .map(<[Node]>::to_vec)
            .unwrap_or_default(),
    }
}

/// A REST authorizer: Cognito (`UserPoolArn`) or Lambda (`FunctionArn`,
/// TOKEN or REQUEST).
fn rest_authorizer(
    definition: &Node,
    at: &str,
    env: &Env<'_>,
    problems: &mut Problems,
) -> Option<Node> {
    let identity = definition.get("Identity");
    let ttl = identity.and_then(|i| i.get("ReauthorizeEvery")).cloned();
    if let Some(pools) = definition.get("UserPoolArn") {
        note_unused(
            env.file,
            at,
            definition,
            &["UserPoolArn", "Identity", "AuthorizationScopes"],
            problems,
        );
        let header = identity
            .and_then(|i| text(i.get("Header")))
            .unwrap_or("Authorization")
            .to_owned();
        let arns = match pools {
            Node::Seq(items) => items.clone(),
            other => vec![other.clone()],
        };
        let mut authorizer = vec![
            (
                "type".to_owned(),
                Node::Str("cognito_user_pools".to_owned()),
            ),
            ("providerARNs".to_owned(), Node::Seq(arns)),
        ];
        if let Some(expression) = identity.and_then(|i| i.get("ValidationExpression")) {
            authorizer.push((
                "identityValidationExpression".to_owned(),
                expression.clone(),
            ));
        }
        if let Some(ttl) = ttl {
            authorizer.push(("authorizerResultTtlInSeconds".to_owned(), ttl));
        }
        return Some(api_key_scheme(&header, "cognito_user_pools", authorizer));
    }
    let Some(function) = text(definition.get("FunctionArn")) else {
        problems.at(
            env.file,
            at,
            "an authorizer needs a UserPoolArn (Cognito) or a FunctionArn (Lambda)",
        );
        return None;
    };
    note_unused(
        env.file,
        at,
        definition,
        &[
            "FunctionArn",
            "FunctionPayloadType",
            "Identity",
            "FunctionInvokeRole",
        ],
        problems,
    );
    let uri = Node::Str(invocation_uri(env, function));
    match text(definition.get("FunctionPayloadType")).unwrap_or("TOKEN") {
        "TOKEN" => {
            let header = identity
                .and_then(|i| text(i.get("Header")))
                .unwrap_or("Authorization")
                .to_owned();
            let mut authorizer = vec![
                ("type".to_owned(), Node::Str("token".to_owned())),
                ("authorizerUri".to_owned(), uri),
            ];
            if let Some(expression) = identity.and_then(|i| i.get("ValidationExpression")) {
                authorizer.push((
                    "identityValidationExpression".to_owned(),
                    expression.clone(),
                ));
            }
            if let Some(ttl) = ttl {
                authorizer.push(("authorizerResultTtlInSeconds".to_owned(), ttl));
            }
            Some(api_key_scheme(&header, "custom", authorizer))
        }
        "REQUEST" => {
            let mut sources = Vec::new();
            for (key, prefix) in [
                ("Headers", "method.request.header."),
                ("QueryStrings", "method.request.querystring."),
                ("StageVariables", "stageVariables."),
                ("Context", "context."),
            ] {
                for name in identity
                    .and_then(|i| i.get(key))
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    if let Some(name) = name.as_str() {
                        sources.push(format!("{prefix}{name}"));
                    }
                }
            }
            let mut authorizer = vec![
                ("type".to_owned(), Node::Str("request".to_owned())),
                ("authorizerUri".to_owned(), uri),
                ("identitySource".to_owned(), Node::Str(sources.join(", "))),
            ];
            if let Some(ttl) = ttl {
                authorizer.push(("authorizerResultTtlInSeconds".to_owned(), ttl));
            }
            Some(api_key_scheme("Unused", "custom", authorizer))
        }
        other => {
            problems.at(
                env.file,
                child(at, "FunctionPayloadType"),
                format!("`{other}` is not TOKEN or REQUEST"),
            );
            None
        }
    }
}

/// An HTTP API authorizer: JWT (`JwtConfiguration`) or Lambda (`FunctionArn`).
fn http_authorizer(
    definition: &Node,
    at: &str,
    env: &Env<'_>,
    problems: &mut Problems,
) -> Option<Node> {
    if let Some(jwt) = definition.get("JwtConfiguration") {
        note_unused(
            env.file,
            at,
            definition,
            &["JwtConfiguration", "IdentitySource", "AuthorizationScopes"],
            problems,
        );
        let mut configuration = Vec::new();
        if let Some(issuer) = jwt.get("issuer").or_else(|| jwt.get("Issuer")) {
            configuration.push(("issuer".to_owned(), issuer.clone()));
        }
        if let Some(audience) = jwt.get("audience").or_else(|| jwt.get("Audience")) {
            configuration.push(("audience".to_owned(), audience.clone()));
        }
        let source = definition
            .get("IdentitySource")
            .cloned()
            .unwrap_or_else(|| Node::Str("$request.header.Authorization".to_owned()));
        return Some(Node::Map(vec![
            ("type".to_owned(), Node::Str("oauth2".to_owned())),
            (
                "x-amazon-apigateway-authorizer".to_owned(),
                Node::Map(vec![
                    ("type".to_owned(), Node::Str("jwt".to_owned())),
                    ("jwtConfiguration".to_owned(), Node::Map(configuration)),
                    ("identitySource".to_owned(), source),
                ]),
            ),
        ]));
    }
    let Some(function) = text(definition.get("FunctionArn")) else {
        problems.at(
            env.file,
            at,
            "an authorizer needs a JwtConfiguration (JWT) or a FunctionArn (Lambda)",
        );
        return None;
    };
    note_unused(
        env.file,
        at,
        definition,
        &[
            "FunctionArn",
            "AuthorizerPayloadFormatVersion",
            "EnableSimpleResponses",
            "Identity",
            "FunctionInvokeRole",
            "EnableFunctionDefaultPermissions",
        ],
        problems,
    );
    let identity = definition.get("Identity");
    let mut sources = Vec::new();
    for (key, prefix) in [
        ("Headers", "$request.header."),
        ("QueryStrings", "$request.querystring."),
        ("StageVariables", "$stageVariables."),
        ("Context", "$context."),
    ] {
        for name in identity
            .and_then(|i| i.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(name) = name.as_str() {
                sources.push(Node::Str(format!("{prefix}{name}")));
            }
        }
    }
    let mut authorizer = vec![
        ("type".to_owned(), Node::Str("request".to_owned())),
        (
            "authorizerUri".to_owned(),
            Node::Str(invocation_uri(env, function)),
        ),
        (
            "authorizerPayloadFormatVersion".to_owned(),
            definition
                .get("AuthorizerPayloadFormatVersion")
                .cloned()
                .unwrap_or_else(|| Node::Str("2.0".to_owned())),
        ),
        ("identitySource".to_owned(), Node::Seq(sources)),
    ];
    if let Some(simple) = definition.get("EnableSimpleResponses") {
        authorizer.push(("enableSimpleResponses".to_owned(), simple.clone()));
    }
    if let Some(ttl) = identity.and_then(|i| i.get("ReauthorizeEvery")) {
        authorizer.push(("authorizerResultTtlInSeconds".to_owned(), ttl.clone()));
    }
    Some(api_key_scheme("Authorization", "custom", authorizer))
}

/// A security scheme read from a header, with its authorizer.
pub(super) fn api_key_scheme(
    header: &str,
    authtype: &str,
    authorizer: Vec<(String, Node)>,
) -> Node {
    Node::Map(vec![
        ("type".to_owned(), Node::Str("apiKey".to_owned())),
        ("name".to_owned(), Node::Str(header.to_owned())),
        ("in".to_owned(), Node::Str("header".to_owned())),
        (
            "x-amazon-apigateway-authtype".to_owned(),
            Node::Str(authtype.to_owned()),
        ),
        (
            "x-amazon-apigateway-authorizer".to_owned(),
            Node::Map(authorizer),
        ),
    ])
}

/// The API key scheme (`x-api-key`).
pub(super) fn api_key_definition() -> Node {
    Node::Map(vec![
        ("type".to_owned(), Node::Str("apiKey".to_owned())),
        ("name".to_owned(), Node::Str("x-api-key".to_owned())),
        ("in".to_owned(), Node::Str("header".to_owned())),
    ])
}

/// The IAM (SigV4) security scheme.
pub(super) fn iam_scheme() -> Node {
    Node::Map(vec![
        ("type".to_owned(), Node::Str("apiKey".to_owned())),
        ("name".to_owned(), Node::Str("Authorization".to_owned())),
        ("in".to_owned(), Node::Str("header".to_owned())),
        (
            "x-amazon-apigateway-authtype".to_owned(),
            Node::Str("awsSigv4".to_owned()),
        ),
    ])
}

fn invocation_uri(env: &Env<'_>, function_arn: &str) -> String {
    format!(
        "arn:{}:apigateway:{}:lambda:path/2015-03-31/functions/{function_arn}/invocations",
        env.partition, env.region
    )
}

/// Writes `auth`'s schemes into `doc` and a `security` requirement on
/// every operation: the route's own `Auth` where its event has one, else
/// the API's defaults; operations the definition secures itself are left.
pub(super) fn apply(
    doc: &mut Node,
    api_type: ApiType,
    auth: &ApiAuth,
    routes: &[(&str, &str, Option<&RouteAuth>)],
) {
    let mut schemes = auth.schemes.clone();
    let effective = |own: Option<&RouteAuth>| {
        own.and_then(|r| r.authorizer.clone())
            .or_else(|| auth.default.clone())
    };
    // An authorizer may itself be named AWS_IAM; then the name is its.
    let iam_used = !auth.has_authorizer(IAM)
        && (effective(None).as_deref() == Some(IAM)
            || routes
                .iter()
                .any(|(_, _, r)| effective(*r).as_deref() == Some(IAM)));
    if iam_used {
        schemes.push((IAM.to_owned(), iam_scheme()));
    }
    let any_key = auth.api_key_required
        || routes
            .iter()
            .any(|(_, _, r)| r.is_some_and(|r| r.api_key_required == Some(true)));
    if api_type == ApiType::Rest && any_key {
        schemes.push((API_KEY.to_owned(), api_key_definition()));
    }
    if schemes.is_empty() {
        return;
    }
    // OpenAPI 3 keeps schemes in components, Swagger 2 at the top, for
    // REST APIs as for HTTP APIs.
    let openapi3 = api_type == ApiType::Http || doc.get("openapi").is_some();
    let Node::Map(top) = doc else { return };
    let (container, key) = if openapi3 {
        (Some("components"), "securitySchemes")
    } else {
        (None, "securityDefinitions")
    };
    let holder = match container {
        None => Some(&mut *top),
        Some(name) => super::map_entry(top, name),
    };
    let Some(holder) = holder else { return };
    if let Some(defined) = super::map_entry(holder, key) {
        super::add_missing(defined, schemes);
    }
    let Some((_, Node::Map(paths))) = top.iter_mut().find(|(k, _)| k == "paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Node::Map(operations) = item else {
            continue;
        };
        for (method, operation) in operations.iter_mut() {
            let Node::Map(fields) = operation else {
                continue;
            };
            if !is_operation(method) || fields.iter().any(|(k, _)| k == "security") {
                continue;
            }
            let own = routes
                .iter()
                .find(|(p, m, _)| p == path && operation_key(m) == *method)
                .and_then(|(_, _, r)| *r);
            let authorizer = effective(own);
            let key_required = own
                .and_then(|r| r.api_key_required)
                .unwrap_or(auth.api_key_required);
            let mut security = Vec::new();
            if let Some(name) = authorizer.filter(|n| n != "NONE") {
                // The event's scopes, else the authorizer's.
                let scopes = match own.map(|r| &r.scopes) {
                    Some(scopes) if !scopes.is_empty() => scopes.clone(),
                    _ => auth
                        .scopes
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default(),
                };
                security.push(Node::Map(vec![(name, Node::Seq(scopes))]));
            }
            if key_required && api_type == ApiType::Rest {
                security.push(Node::Map(vec![(API_KEY.to_owned(), Node::Seq(Vec::new()))]));
            }
            if !security.is_empty() {
                fields.push(("security".to_owned(), Node::Seq(security)));
            }
        }
    }
}

/// The definition's key for a route's method.
fn operation_key(method: &str) -> &str {
    if method == "any" {
        "x-amazon-apigateway-any-method"
    } else {
        method
    }
}

fn is_operation(key: &str) -> bool {
    matches!(
        key,
        "get"
            | "put"
            | "post"
            | "delete"
            | "options"
            | "head"
            | "patch"
            | "x-amazon-apigateway-any-method"
    )
}
