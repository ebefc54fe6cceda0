//! The resources the SAM transform generates, for references to them.

use std::rc::Rc;

use super::{Cx, NULL, Resource, Sections, Slot};
use crate::config::openapi::tree::Node;

impl Cx<'_> {
    /// The resources SAM generates that templates reference by logical id:
    /// a function's `{Function}Role` (when it has no `Role`), `{Function}Url`
    /// (with a `FunctionUrlConfig`) and `{Function}Alias{alias}` (with an
    /// `AutoPublishAlias`); an API's stage `{Api}{StageName}Stage` (HTTP APIs
    /// without a stage name: `{Api}ApiGatewayDefaultStage`); and
    /// `ServerlessRestApi` / `ServerlessHttpApi` with their stages, for `Api` /
    /// `HttpApi` events without an API of their own. Names given by an
    /// intrinsic are not known yet, so those resources are not added.
    pub(super) fn add_sam_implicit_resources(&mut self) {
        fn props(entries: &[(&str, &str)]) -> Option<Node> {
            Some(Node::Map(
                entries
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Node::Str((*v).to_owned())))
                    .collect(),
            ))
        }
        /// SAM keeps the alphanumeric characters of a name for a logical id.
        fn alphanumeric(name: &str) -> String {
            name.chars().filter(char::is_ascii_alphanumeric).collect()
        }
        let mut implicit: Vec<(String, &str, Option<String>, Option<Node>)> = Vec::new();
        let mut rest_api = false;
        let mut http_api = false;
        for (id, resource) in &self.resources {
            let properties = resource.body.get("Properties").unwrap_or(&NULL);
            let text = |key: &str| properties.get(key).and_then(Node::as_str);
            let condition = resource.condition.clone();
            match resource.type_.as_str() {
                "AWS::Serverless::Function" => {
                    let name = text("FunctionName").unwrap_or(id);
                    if properties.get("Role").is_none() {
                        implicit.push((
                            format!("{id}Role"),
                            "AWS::IAM::Role",
                            condition.clone(),
                            None,
                        ));
                    }
                    if properties.get("FunctionUrlConfig").is_some() {
                        implicit.push((
                            format!("{id}Url"),
                            "AWS::Lambda::Url",
                            condition.clone(),
                            props(&[("TargetFunctionArn", name)]),
                        ));
                    }
                    if let Some(alias) = text("AutoPublishAlias") {
                        implicit.push((
                            format!("{id}Alias{}", alphanumeric(alias)),
                            "AWS::Lambda::Alias",
                            condition.clone(),
                            props(&[("FunctionName", name), ("Name", alias)]),
                        ));
                    }
                    for (_, event) in properties
                        .get("Events")
                        .and_then(Node::as_map)
                        .unwrap_or_default()
                    {
                        let event_properties = event.get("Properties").unwrap_or(&NULL);
                        match event.get("Type").and_then(Node::as_str) {
                            Some("Api") if event_properties.get("RestApiId").is_none() => {
                                rest_api = true;
                            }
                            Some("HttpApi") if event_properties.get("ApiId").is_none() => {
                                http_api = true;
                            }
                            _ => {}
                        }
                    }
                }
                "AWS::Serverless::Api" => {
                    if let Some(stage) = text("StageName") {
                        implicit.push((
                            format!("{id}{}Stage", alphanumeric(stage)),
                            "AWS::ApiGateway::Stage",
                            condition,
                            props(&[("StageName", stage)]),
                        ));
                    }
                }
                "AWS::Serverless::HttpApi" => match properties.get("StageName") {
                    Some(Node::Str(stage)) => implicit.push((
                        format!("{id}{}Stage", alphanumeric(stage)),
                        "AWS::ApiGatewayV2::Stage",
                        condition,
                        props(&[("StageName", stage)]),
                    )),
                    Some(_) => {}
                    None => implicit.push((
                        format!("{id}ApiGatewayDefaultStage"),
                        "AWS::ApiGatewayV2::Stage",
                        condition,
                        props(&[("StageName", "$default")]),
                    )),
                },
                _ => {}
            }
        }
        if rest_api {
            implicit.push((
                "ServerlessRestApi".to_owned(),
                "AWS::ApiGateway::RestApi",
                None,
                None,
            ));
            implicit.push((
                "ServerlessRestApiProdStage".to_owned(),
                "AWS::ApiGateway::Stage",
                None,
                props(&[("StageName", "Prod")]),
            ));
        }
        if http_api {
            implicit.push((
                "ServerlessHttpApi".to_owned(),
                "AWS::ApiGatewayV2::Api",
                None,
                None,
            ));
            implicit.push((
                "ServerlessHttpApiApiGatewayDefaultStage".to_owned(),
                "AWS::ApiGatewayV2::Stage",
                None,
                props(&[("StageName", "$default")]),
            ));
        }
        for (id, type_, condition, properties) in implicit {
            if self.resources.contains_key(&id) {
                continue;
            }
            let body = Node::Map(vec![("Type".to_owned(), Node::Str(type_.to_owned()))]);
            let sections = Rc::new(Sections {
                properties,
                metadata: None,
            });
            self.resources.insert(
                id,
                Resource {
                    type_: type_.to_owned(),
                    condition,
                    body: Rc::new(body),
                    raw: Rc::clone(&sections),
                    implicit: true,
                    broken: false,
                    slot: Slot::Done(Some(sections)),
                },
            );
        }
    }
}
