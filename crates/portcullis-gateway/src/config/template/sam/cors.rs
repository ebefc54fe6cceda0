//! SAM's CORS settings, written into an API's definition as SAM writes
//! them: a REST API's `Cors` becomes an `OPTIONS` method on every path,
//! a MOCK answering the preflight with the configured headers (the
//! functions add CORS headers to their own answers, as on AWS); an HTTP
//! API's `CorsConfiguration` becomes its `x-amazon-apigateway-cors`.

use std::path::Path;

use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::{note_unused, text};

/// Every method `ANY` allows, for a preflight's default `Allow-Methods`.
const ANY_METHODS: &str = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT";

/// A REST API's `Cors`: header values as SAM takes them (quoted, `'*'`).
#[derive(Debug, Clone)]
pub(super) struct RestCors {
    origin: String,
    methods: Option<String>,
    headers: Option<String>,
    max_age: Option<String>,
    credentials: bool,
}

/// Reads a REST API's `Cors`: an origin (`"'*'"`) or its settings.
pub(super) fn rest(
    cors: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<RestCors> {
    if let Some(origin) = cors.as_str() {
        return Some(RestCors {
            origin: origin.to_owned(),
            methods: None,
            headers: None,
            max_age: None,
            credentials: false,
        });
    }
    note_unused(
        file,
        at,
        cors,
        &[
            "AllowOrigin",
            "AllowMethods",
            "AllowHeaders",
            "MaxAge",
            "AllowCredentials",
        ],
        problems,
    );
    let Some(origin) = text(cors.get("AllowOrigin")) else {
        problems.at(
            file,
            child(at, "AllowOrigin"),
            "Cors needs an AllowOrigin (\"'*'\" or \"'https://example.com'\")",
        );
        return None;
    };
    let quoted = |key: &str| match cors.get(key) {
        Some(Node::Str(value)) => Some(value.clone()),
        Some(Node::Int(value)) => Some(format!("'{value}'")),
        _ => None,
    };
    Some(RestCors {
        origin: origin.to_owned(),
        methods: quoted("AllowMethods"),
        headers: quoted("AllowHeaders"),
        max_age: quoted("MaxAge"),
        credentials: matches!(cors.get("AllowCredentials"), Some(Node::Bool(true))),
    })
}

/// Adds the preflight `OPTIONS` method to every path of `doc` that has none;
/// `open` ones take no authorizer (`AddDefaultAuthorizerToCorsPreflight: false`).
pub(super) fn add_preflights(doc: &mut Node, cors: &RestCors, open: bool) {
    let Node::Map(top) = doc else { return };
    let Some((_, Node::Map(paths))) = top.iter_mut().find(|(k, _)| k == "paths") else {
        return;
    };
    for (_, item) in paths.iter_mut() {
        let Node::Map(operations) = item else {
            continue;
        };
        if operations.iter().any(|(k, _)| k == "options") {
            continue;
        }
        let methods = cors.methods.clone().unwrap_or_else(|| {
            if operations
                .iter()
                .any(|(k, _)| k == "x-amazon-apigateway-any-method")
            {
                return format!("'{ANY_METHODS}'");
            }
            let mut own: Vec<String> = operations
                .iter()
                .map(|(k, _)| k.to_ascii_uppercase())
                .filter(|m| {
                    matches!(
                        m.as_str(),
                        "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD"
                    )
                })
                .collect();
            own.push("OPTIONS".to_owned());
            own.sort();
            format!("'{}'", own.join(","))
        });
        let mut headers = vec![
            ("Access-Control-Allow-Origin", cors.origin.clone()),
            ("Access-Control-Allow-Methods", methods),
        ];
        if let Some(allowed) = &cors.headers {
            headers.push(("Access-Control-Allow-Headers", allowed.clone()));
        }
        if let Some(age) = &cors.max_age {
            headers.push(("Access-Control-Max-Age", age.clone()));
        }
        if cors.credentials {
            headers.push(("Access-Control-Allow-Credentials", "'true'".to_owned()));
        }
        let declared = headers
            .iter()
            .map(|(name, _)| {
                (
                    (*name).to_owned(),
                    Node::Map(vec![("type".to_owned(), Node::Str("string".to_owned()))]),
                )
            })
            .collect();
        let parameters = headers
            .into_iter()
            .map(|(name, value)| (format!("method.response.header.{name}"), Node::Str(value)))
            .collect();
        let str_map = |pairs: &[(&str, &str)]| {
            Node::Map(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Node::Str((*v).to_owned())))
                    .collect(),
            )
        };
        let mut operation = vec![
            ("summary".to_owned(), Node::Str("CORS support".to_owned())),
            (
                "responses".to_owned(),
                Node::Map(vec![(
                    "200".to_owned(),
                    Node::Map(vec![
                        (
                            "description".to_owned(),
                            Node::Str("Default response for CORS method".to_owned()),
                        ),
                        ("headers".to_owned(), Node::Map(declared)),
                    ]),
                )]),
            ),
            (
                "x-amazon-apigateway-integration".to_owned(),
                Node::Map(vec![
                    ("type".to_owned(), Node::Str("mock".to_owned())),
                    (
                        "requestTemplates".to_owned(),
                        str_map(&[("application/json", "{\"statusCode\": 200}")]),
                    ),
                    (
                        "responses".to_owned(),
                        Node::Map(vec![(
                            "default".to_owned(),
                            Node::Map(vec![
                                ("statusCode".to_owned(), Node::Str("200".to_owned())),
                                ("responseParameters".to_owned(), Node::Map(parameters)),
                                (
                                    "responseTemplates".to_owned(),
                                    str_map(&[("application/json", "{}")]),
                                ),
                            ]),
                        )]),
                    ),
                ]),
            ),
        ];
        if open {
            operation.push(("security".to_owned(), Node::Seq(Vec::new())));
        }
        operations.push(("options".to_owned(), Node::Map(operation)));
    }
}

/// An HTTP API's `CorsConfiguration` as `x-amazon-apigateway-cors`
/// (`true`, or `"true"` from a parameter: every origin, and nothing else,
/// as SAM writes it).
pub(super) fn http(cors: &Node, at: &str, file: &Path, problems: &mut Problems) -> Option<Node> {
    let enabled = match cors {
        Node::Bool(enabled) => Some(*enabled),
        Node::Str(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Node::Str(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    if let Some(enabled) = enabled {
        return enabled.then(|| {
            Node::Map(vec![(
                "allowOrigins".to_owned(),
                Node::Seq(vec![Node::Str("*".to_owned())]),
            )])
        });
    }
    let keys = [
        ("AllowOrigins", "allowOrigins"),
        ("AllowHeaders", "allowHeaders"),
        ("AllowMethods", "allowMethods"),
        ("ExposeHeaders", "exposeHeaders"),
        ("MaxAge", "maxAge"),
        ("AllowCredentials", "allowCredentials"),
    ];
    let known: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    note_unused(file, at, cors, &known, problems);
    Some(Node::Map(
        keys.iter()
            .filter_map(|(from, to)| cors.get(from).map(|v| ((*to).to_owned(), v.clone())))
            .collect(),
    ))
}

/// Sets `x-amazon-apigateway-cors` on `doc` unless its definition has one.
pub(super) fn set_http(doc: &mut Node, cors: Node) {
    let Node::Map(top) = doc else { return };
    if !top.iter().any(|(k, _)| k == "x-amazon-apigateway-cors") {
        top.push(("x-amazon-apigateway-cors".to_owned(), cors));
    }
}
