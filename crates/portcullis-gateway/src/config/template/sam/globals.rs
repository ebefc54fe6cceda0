//! SAM's `Globals`: properties every function (or API) of a template shares,
//! merged into each resource as SAM merges them: a resource's own value wins
//! over a global one, mappings merge key by key, lists add the resource's
//! items after the global ones.

use crate::config::openapi::tree::Node;

/// The `Globals` section each resource type reads.
pub(super) fn section_of(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "AWS::Serverless::Function" => "Function",
        "AWS::Serverless::Api" => "Api",
        "AWS::Serverless::HttpApi" => "HttpApi",
        "AWS::Serverless::SimpleTable" => "SimpleTable",
        "AWS::Serverless::StateMachine" => "StateMachine",
        "AWS::Serverless::LayerVersion" => "LayerVersion",
        _ => return None,
    })
}

/// `properties` with `globals` merged under them.
pub(super) fn merged(globals: &Node, properties: &Node) -> Node {
    match (globals, properties) {
        (Node::Map(global), Node::Map(own)) => {
            let mut out: Vec<(String, Node)> = Vec::with_capacity(global.len() + own.len());
            for (key, value) in global {
                let value = match properties.get(key) {
                    Some(mine) => merged(value, mine),
                    None => value.clone(),
                };
                out.push((key.clone(), value));
            }
            for (key, value) in own {
                if globals.get(key).is_none() {
                    out.push((key.clone(), value.clone()));
                }
            }
            Node::Map(out)
        }
        (Node::Seq(global), Node::Seq(own)) => {
            Node::Seq(global.iter().chain(own).cloned().collect())
        }
        (_, mine) => mine.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        crate::config::openapi::tree::parse(text).unwrap()
    }

    #[test]
    fn own_values_win_maps_merge_and_lists_add() {
        let globals = parse(
            "{Runtime: python3.12, Timeout: 10, Environment: {Variables: {STAGE: dev, TABLE: t}}, Layers: [a]}",
        );
        let own = parse(
            "{Timeout: 30, Environment: {Variables: {TABLE: items}}, Layers: [b], Handler: app.h}",
        );
        let out = merged(&globals, &own);
        assert_eq!(
            out,
            parse(
                "{Runtime: python3.12, Timeout: 30, Environment: {Variables: {STAGE: dev, TABLE: items}}, Layers: [a, b], Handler: app.h}"
            )
        );
        assert_eq!(section_of("AWS::Serverless::Function"), Some("Function"));
        assert_eq!(section_of("AWS::SQS::Queue"), None);
    }
}
