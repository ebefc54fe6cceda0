//! The intrinsic functions other than `Ref` and the condition functions.

use base64::Engine as _;

use super::{Cx, Failed, R, child, describe, index};
use crate::config::openapi::tree::Node;
use crate::config::template::parameters::scalar_text;

impl Cx<'_> {
    pub(super) fn function(&mut self, function: &str, argument: &Node, location: &str) -> R {
        let at = child(location, function);
        match function {
            "Ref" => match argument {
                Node::Str(name) => self.reference(name, location, "Ref"),
                other => Err(self.fail(
                    location,
                    format!("Ref needs the name of a parameter, resource or pseudo parameter, not {}", describe(other)),
                )),
            },
            "Fn::GetAtt" => self.get_att(argument, location, &at),
            "Fn::Sub" => self.sub(argument, location, &at).map(|s| Some(Node::Str(s))),
            "Fn::Join" => self.join(argument, &at),
            "Fn::Select" => self.select(argument, &at),
            "Fn::Split" => self.split(argument, &at),
            "Fn::If" => self.if_(argument, &at),
            "Fn::FindInMap" => self.find_in_map(argument, &at),
            "Fn::ImportValue" => {
                let name = self.text(argument, &at, function)?;
                self.imported.insert(name.clone());
                match self.inputs.imports.get(&name) {
                    Some(value) => Ok(Some(Node::Str(value.clone()))),
                    None => Err(self.fail(
                        location,
                        format!(
                            "Fn::ImportValue: no value was given for the export `{name}` \
                             (exports come from --parameter-overrides)"
                        ),
                    )),
                }
            }
            "Fn::Base64" => {
                let text = self.text(argument, &at, function)?;
                Ok(Some(Node::Str(base64::engine::general_purpose::STANDARD.encode(text))))
            }
            "Fn::GetAZs" => {
                let region = match self.value(argument, &at)? {
                    None | Some(Node::Null) => self.inputs.region.to_owned(),
                    Some(Node::Str(region)) if region.is_empty() => self.inputs.region.to_owned(),
                    Some(Node::Str(region)) => region,
                    Some(other) => {
                        return Err(self.fail(
                            location,
                            format!("Fn::GetAZs needs a region name (or ''), not {}", other.kind()),
                        ));
                    }
                };
                Ok(Some(Node::Seq(
                    ["a", "b", "c"]
                        .iter()
                        .map(|zone| Node::Str(format!("{region}{zone}")))
                        .collect(),
                )))
            }
            "Fn::Length" => {
                let items = self.list(argument, &at, function)?;
                Ok(Some(Node::Int(items.len() as i128)))
            }
            "Fn::ToJsonString" => match self.argument(argument, &at, function)? {
                value @ (Node::Map(_) | Node::Seq(_)) => {
                    let mut json = String::new();
                    write_json(&value, &mut json);
                    Ok(Some(Node::Str(json)))
                }
                other => Err(self.fail(
                    location,
                    format!("Fn::ToJsonString needs a mapping or a list, not {}", other.kind()),
                )),
            },
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let node = Node::Map(vec![(function.to_owned(), argument.clone())]);
                match self.condition_expression(&node, location) {
                    Some(value) => Ok(Some(Node::Bool(value))),
                    None => Err(Failed),
                }
            }
            "Fn::Cidr" => Err(self.fail(
                location,
                "Fn::Cidr is not supported locally; write the CIDR blocks out",
            )),
            "Fn::Transform" => Err(self.fail(
                location,
                "Fn::Transform can't be used here; AWS::Include is read everywhere but in Parameters",
            )),
            "Fn::Contains" | "Fn::EachMemberEquals" | "Fn::EachMemberIn" | "Fn::RefAll"
            | "Fn::ValueOf" | "Fn::ValueOfAll" => Err(self.fail(
                location,
                format!("{function} can only be used in a Rules section"),
            )),
            _ if function.starts_with("Fn::ForEach") => Err(self.fail(
                location,
                "Fn::ForEach (AWS::LanguageExtensions) is not supported locally",
            )),
            _ => Err(self.fail(location, format!("`{function}` is not an intrinsic function"))),
        }
    }

    pub(super) fn get_att(&mut self, argument: &Node, location: &str, at: &str) -> R {
        const USAGE: &str = "Fn::GetAtt needs [LogicalId, Attribute] (or LogicalId.Attribute)";
        let (id, attribute) = match argument {
            Node::Seq(items) if items.len() == 2 => {
                let Some(id) = items[0].as_str() else {
                    return Err(self.fail(
                        &index(at, 0),
                        format!(
                            "Fn::GetAtt: the resource must be a logical id, not {}",
                            describe(&items[0])
                        ),
                    ));
                };
                let attribute = self.text(&items[1], &index(at, 1), "Fn::GetAtt")?;
                (id.to_owned(), attribute)
            }
            Node::Str(text) => match text.split_once('.') {
                Some((id, attribute)) => (id.to_owned(), attribute.to_owned()),
                None => return Err(self.fail(location, format!("{USAGE}, not `{text}`"))),
            },
            other => return Err(self.fail(location, format!("{USAGE}, not {}", describe(other)))),
        };
        self.resource_value(&id, Some(&attribute), location, "Fn::GetAtt")
    }

    pub(super) fn sub(
        &mut self,
        argument: &Node,
        location: &str,
        at: &str,
    ) -> Result<String, Failed> {
        const USAGE: &str =
            "Fn::Sub needs a string, or a list of a string and a mapping of variables";
        let (template, variables) = match argument {
            Node::Str(text) => (text.clone(), None),
            Node::Seq(items) if items.len() == 2 => {
                let Node::Str(template) = &items[0] else {
                    return Err(self.fail(
                        &index(at, 0),
                        format!(
                            "Fn::Sub: the string to substitute must be a string, not {}",
                            describe(&items[0])
                        ),
                    ));
                };
                let Node::Map(entries) = &items[1] else {
                    return Err(self.fail(
                        &index(at, 1),
                        format!(
                            "Fn::Sub: the variables must be a mapping, not {}",
                            describe(&items[1])
                        ),
                    ));
                };
                let mut variables = Vec::with_capacity(entries.len());
                let mut failed = false;
                for (name, value) in entries {
                    let variable_at = child(&index(at, 1), name);
                    match self.value(value, &variable_at) {
                        Ok(Some(value)) => variables.push((name.clone(), value)),
                        Ok(None) => {
                            self.fail(&variable_at, "Fn::Sub: a variable can't be AWS::NoValue");
                            failed = true;
                        }
                        Err(Failed) => failed = true,
                    }
                }
                if failed {
                    return Err(Failed);
                }
                (template.clone(), Some(variables))
            }
            other => return Err(self.fail(location, format!("{USAGE}, not {}", describe(other)))),
        };

        let mut out = String::with_capacity(template.len());
        let mut rest = template.as_str();
        let mut failed = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` is the text `${Literal}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            match self.sub_variable(name, variables.as_deref(), location) {
                Ok(text) => out.push_str(&text),
                Err(Failed) => failed = true,
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        if failed { Err(Failed) } else { Ok(out) }
    }

    pub(super) fn sub_variable(
        &mut self,
        name: &str,
        variables: Option<&[(String, Node)]>,
        location: &str,
    ) -> Result<String, Failed> {
        let value = if let Some((_, value)) =
            variables.and_then(|v| v.iter().find(|(n, _)| n == name))
        {
            value.clone()
        } else if name.is_empty() {
            return Err(self.fail(location, "Fn::Sub: `${}` names no variable"));
        } else if let Some((id, attribute)) = name.split_once('.')
            && !name.starts_with("AWS::")
        {
            match self.resource_value(id, Some(attribute), location, "Fn::Sub")? {
                Some(value) => value,
                None => {
                    return Err(self.fail(location, format!("Fn::Sub: `${{{name}}}` has no value")));
                }
            }
        } else {
            match self.reference(name, location, "Fn::Sub")? {
                Some(value) => value,
                None => {
                    return Err(self.fail(
                        location,
                        format!("Fn::Sub: `${{{name}}}` can't be AWS::NoValue"),
                    ));
                }
            }
        };
        scalar_text(&value).ok_or_else(|| {
            self.fail(
                location,
                format!(
                    "Fn::Sub: `${{{name}}}` is {}; only strings can be substituted{}",
                    value.kind(),
                    if matches!(value, Node::Seq(_)) {
                        " (join a list with Fn::Join)"
                    } else {
                        ""
                    }
                ),
            )
        })
    }

    pub(super) fn join(&mut self, argument: &Node, at: &str) -> R {
        let Some([delimiter, items]) = argument.as_seq() else {
            return Err(self.fail(at, "Fn::Join needs [delimiter, [values]]"));
        };
        let delimiter = self.text(delimiter, &index(at, 0), "Fn::Join");
        let items = self.list(items, &index(at, 1), "Fn::Join");
        let (delimiter, items) = (delimiter?, items?);
        let mut texts = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match scalar_text(item) {
                Some(text) => texts.push(text),
                None => {
                    return Err(self.fail(
                        &index(&index(at, 1), i),
                        format!("Fn::Join: values must be strings, not {}", item.kind()),
                    ));
                }
            }
        }
        Ok(Some(Node::Str(texts.join(&delimiter))))
    }

    pub(super) fn select(&mut self, argument: &Node, at: &str) -> R {
        let Some([position, items]) = argument.as_seq() else {
            return Err(self.fail(at, "Fn::Select needs [index, [values]]"));
        };
        let position_at = index(at, 0);
        let position = self.argument(position, &position_at, "Fn::Select");
        let items = self.list(items, &index(at, 1), "Fn::Select");
        let (position, items) = (position?, items?);
        let n = match &position {
            Node::Int(i) => usize::try_from(*i).ok(),
            Node::Str(s) => s.trim().parse::<usize>().ok(),
            _ => None,
        };
        let Some(n) = n else {
            return Err(self.fail(
                &position_at,
                format!(
                    "Fn::Select: the index must be a whole number from 0, not {}",
                    describe(&position)
                ),
            ));
        };
        match items.into_iter().nth(n) {
            Some(item) => Ok(Some(item)),
            None => Err(self.fail(
                at,
                format!("Fn::Select: index {n} is past the end of the list"),
            )),
        }
    }

    pub(super) fn split(&mut self, argument: &Node, at: &str) -> R {
        let Some([delimiter, source]) = argument.as_seq() else {
            return Err(self.fail(at, "Fn::Split needs [delimiter, string]"));
        };
        let delimiter = self.text(delimiter, &index(at, 0), "Fn::Split");
        let source = self.text(source, &index(at, 1), "Fn::Split");
        let (delimiter, source) = (delimiter?, source?);
        if delimiter.is_empty() {
            return Err(self.fail(&index(at, 0), "Fn::Split: the delimiter can't be empty"));
        }
        Ok(Some(Node::Seq(
            source
                .split(delimiter.as_str())
                .map(|part| Node::Str(part.to_owned()))
                .collect(),
        )))
    }

    pub(super) fn if_(&mut self, argument: &Node, at: &str) -> R {
        let Some([condition, then, otherwise]) = argument.as_seq() else {
            return Err(self.fail(
                at,
                "Fn::If needs [condition name, value if true, value if false]",
            ));
        };
        let Some(name) = condition.as_str() else {
            return Err(self.fail(
                &index(at, 0),
                format!(
                    "Fn::If: the condition must be a condition name, not {}",
                    describe(condition)
                ),
            ));
        };
        match self.condition(name, &index(at, 0)) {
            Some(true) => self.value(then, &index(at, 1)),
            Some(false) => self.value(otherwise, &index(at, 2)),
            None => Err(Failed),
        }
    }

    pub(super) fn find_in_map(&mut self, argument: &Node, at: &str) -> R {
        let items = match argument.as_seq() {
            Some(items) if items.len() == 3 || items.len() == 4 => items,
            _ => {
                return Err(self.fail(
                    at,
                    "Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey] (and optionally {DefaultValue: value})",
                ));
            }
        };
        let map = self.text(&items[0], &index(at, 0), "Fn::FindInMap");
        let top = self.text(&items[1], &index(at, 1), "Fn::FindInMap");
        let second = self.text(&items[2], &index(at, 2), "Fn::FindInMap");
        let default = match items.get(3) {
            None => Ok(None),
            Some(options) => match options.get("DefaultValue") {
                Some(default) => self
                    .argument(
                        default,
                        &child(&index(at, 3), "DefaultValue"),
                        "Fn::FindInMap",
                    )
                    .map(Some),
                None => Err(self.fail(
                    &index(at, 3),
                    "Fn::FindInMap: the fourth item must be {DefaultValue: value}",
                )),
            },
        };
        let (map, top, second, default) = (map?, top?, second?, default?);
        let found = match self.mappings.get(&map) {
            None => Err(format!("no mapping named `{map}` in Mappings")),
            Some(keys) => match keys.get(&top) {
                None => Err(format!("the mapping `{map}` has no key `{top}`")),
                Some(values) => match values.get(&second) {
                    None => Err(format!(
                        "the mapping `{map}` has no key `{second}` under `{top}`"
                    )),
                    Some(value) => Ok(value.clone()),
                },
            },
        };
        match (found, default) {
            (Ok(value), _) | (Err(_), Some(value)) => Ok(Some(value)),
            (Err(message), None) => Err(self.fail(at, format!("Fn::FindInMap: {message}"))),
        }
    }
}

/// `node` as compact JSON, keys in their order (`Fn::ToJsonString`).
fn write_json(node: &Node, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(i) => out.push_str(&i.to_string()),
        Node::Float(x) => out.push_str(&serde_json::Value::from(*x).to_string()),
        Node::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
        Node::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Node::Map(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                write_json(value, out);
            }
            out.push('}');
        }
    }
}
