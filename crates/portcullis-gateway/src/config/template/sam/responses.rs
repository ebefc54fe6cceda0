//! Gateway responses from a template: SAM's `GatewayResponses` on an API
//! and CloudFormation's `AWS::ApiGateway::GatewayResponse`, written into the
//! API's definition as `x-amazon-apigateway-gateway-responses`.

use std::path::Path;

use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::{note_unused, text};

/// SAM's `GatewayResponses` (at `at`) in the definition's form:
/// `ResponseParameters.Headers.X` → `gatewayresponse.header.X` (likewise
/// `Paths` and `QueryStrings`), `ResponseTemplates`, `StatusCode`.
pub(super) fn sam(
    responses: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    for (kind, response) in responses.as_map().unwrap_or_default() {
        let response_at = child(at, kind);
        note_unused(
            file,
            &response_at,
            response,
            &["ResponseParameters", "ResponseTemplates", "StatusCode"],
            problems,
        );
        let mut fields = Vec::new();
        if let Some(parameters) = response.get("ResponseParameters") {
            let mut mapped = Vec::new();
            for (group, prefix) in [
                ("Headers", "gatewayresponse.header."),
                ("Paths", "gatewayresponse.path."),
                ("QueryStrings", "gatewayresponse.querystring."),
            ] {
                for (name, value) in parameters
                    .get(group)
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    mapped.push((format!("{prefix}{name}"), value.clone()));
                }
            }
            fields.push(("responseParameters".to_owned(), Node::Map(mapped)));
        }
        if let Some(templates) = response.get("ResponseTemplates") {
            fields.push(("responseTemplates".to_owned(), templates.clone()));
        }
        if let Some(status) = status(response.get("StatusCode")) {
            fields.push(("statusCode".to_owned(), status));
        }
        out.push((kind.clone(), Node::Map(fields)));
    }
    out
}

/// CloudFormation's `AWS::ApiGateway::GatewayResponse` resources of API `id`.
pub(super) fn cloudformation(id: &str, resources: &[(String, Node)]) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    for (_, resource) in resources {
        if text(resource.get("Type")) != Some("AWS::ApiGateway::GatewayResponse") {
            continue;
        }
        let Some(properties) = resource.get("Properties") else {
            continue;
        };
        if !text(properties.get("RestApiId")).is_some_and(|a| a.eq_ignore_ascii_case(id)) {
            continue;
        }
        let Some(kind) = text(properties.get("ResponseType")) else {
            continue;
        };
        let mut fields = Vec::new();
        for (from, to) in [
            ("ResponseParameters", "responseParameters"),
            ("ResponseTemplates", "responseTemplates"),
        ] {
            if let Some(value) = properties.get(from) {
                fields.push((to.to_owned(), value.clone()));
            }
        }
        if let Some(status) = status(properties.get("StatusCode")) {
            fields.push(("statusCode".to_owned(), status));
        }
        out.push((kind.to_owned(), Node::Map(fields)));
    }
    out
}

/// A status code as the definition writes it (text).
fn status(node: Option<&Node>) -> Option<Node> {
    match node? {
        Node::Int(code) => Some(Node::Str(code.to_string())),
        Node::Str(code) => Some(Node::Str(code.clone())),
        _ => None,
    }
}

/// Adds `responses` to `doc`'s gateway responses, keeping those it defines.
pub(super) fn apply(doc: &mut Node, responses: Vec<(String, Node)>) {
    if responses.is_empty() {
        return;
    }
    let Node::Map(top) = doc else { return };
    if let Some(defined) = super::map_entry(top, "x-amazon-apigateway-gateway-responses") {
        super::add_missing(defined, responses);
    }
}
