//! `AWS::Include`: snippets read from local files into the template.

use super::{Cx, Failed, child, index};
use crate::config::openapi::tree::Node;
use crate::config::template::yaml;

impl Cx<'_> {
    pub(super) fn merge_into_root(&mut self, content: Node, location: &str, root: &mut Node) {
        let Node::Map(included) = content else {
            self.fail(
                location,
                format!(
                    "AWS::Include: a top-level snippet must be a mapping of sections, not {}",
                    content.kind()
                ),
            );
            return;
        };
        let Node::Map(sections) = root else {
            return;
        };
        for (key, value) in included {
            if key == "Parameters" {
                self.fail(location, "AWS::Include: Parameters can't be included");
                continue;
            }
            match sections.iter_mut().find(|(k, _)| *k == key) {
                None => sections.push((key, value)),
                Some((_, Node::Map(existing))) => match value {
                    Node::Map(more) => {
                        for (k, v) in more {
                            if existing.iter().any(|(e, _)| *e == k) {
                                self.fail(
                                    location,
                                    format!("AWS::Include: `{key}.{k}` is in the template already"),
                                );
                            } else {
                                existing.push((k, v));
                            }
                        }
                    }
                    other => {
                        self.fail(
                            location,
                            format!("AWS::Include: `{key}` is a mapping in the template but {} in the snippet", other.kind()),
                        );
                    }
                },
                Some(_) => {
                    self.fail(
                        location,
                        format!("AWS::Include: `{key}` is in the template already"),
                    );
                }
            }
        }
    }

    /// `node` with its `Fn::Transform: {Name: AWS::Include, ...}` replaced by
    /// the files they name: the whole node when the transform is its only
    /// key, else the snippet's keys merged into the mapping. Problems are
    /// recorded and what could not be included is left out, so that one bad
    /// include does not hide the rest of the template.
    pub(super) fn expand(&mut self, node: &Node, location: &str, in_include: bool) -> Node {
        if self.enter(location).is_err() {
            return Node::Null;
        }
        let result = self.expand_inner(node, location, in_include);
        self.leave();
        result
    }

    pub(super) fn expand_inner(&mut self, node: &Node, location: &str, in_include: bool) -> Node {
        match node {
            Node::Map(entries) => {
                let mut out: Vec<(String, Node)> = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let at = child(location, key);
                    if key != "Fn::Transform" {
                        let value = self.expand(value, &at, in_include);
                        out.push((key.clone(), value));
                        continue;
                    }
                    if in_include {
                        self.fail(
                            &at,
                            "AWS::Include: an included file can't use Fn::Transform itself",
                        );
                        continue;
                    }
                    let Ok(content) = self.include(value, &at) else {
                        if entries.len() == 1 {
                            return Node::Null;
                        }
                        continue;
                    };
                    if entries.len() == 1 {
                        return content;
                    }
                    match content {
                        Node::Map(snippet) => {
                            for (k, v) in snippet {
                                if entries.iter().any(|(e, _)| *e == k)
                                    || out.iter().any(|(e, _)| *e == k)
                                {
                                    self.fail(
                                        &at,
                                        format!("AWS::Include: the snippet's `{k}` is in the mapping already"),
                                    );
                                } else {
                                    out.push((k, v));
                                }
                            }
                        }
                        other => {
                            self.fail(
                                &at,
                                format!(
                                    "AWS::Include: a snippet merged into a mapping must be a mapping, not {}",
                                    other.kind()
                                ),
                            );
                        }
                    }
                }
                Node::Map(out)
            }
            Node::Seq(items) => Node::Seq(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.expand(item, &index(location, i), in_include))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Reads the file an `AWS::Include` transform names.
    pub(super) fn include(&mut self, spec: &Node, location: &str) -> Result<Node, Failed> {
        match spec.get("Name").and_then(Node::as_str) {
            Some("AWS::Include") => {}
            Some(other) => {
                return Err(self.fail(
                    location,
                    format!("Fn::Transform: the macro `{other}` can't run locally; only AWS::Include is supported"),
                ));
            }
            None => {
                return Err(self.fail(
                    location,
                    "Fn::Transform needs {Name: AWS::Include, Parameters: {Location: path}}",
                ));
            }
        }
        let at = format!("{location}.Parameters.Location");
        let Some(location_node) = spec.get("Parameters").and_then(|p| p.get("Location")) else {
            return Err(self.fail(location, "AWS::Include needs Parameters: {Location: path}"));
        };
        let file = match self.value(location_node, &at)? {
            Some(Node::Str(file)) => file,
            other => {
                let kind = other.as_ref().map_or("AWS::NoValue", Node::kind);
                return Err(self.fail(
                    &at,
                    format!("AWS::Include: Location must be a string, not {kind}"),
                ));
            }
        };
        if file.starts_with("s3://") || file.starts_with("https://") || file.starts_with("http://")
        {
            return Err(self.fail(
                &at,
                format!(
                    "AWS::Include: `{file}` is not a local file; locally, Location must be a path \
                     relative to the template's directory ({})",
                    self.inputs.base_dir.display()
                ),
            ));
        }
        let path = self.inputs.base_dir.join(&file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                return Err(self.fail(
                    &at,
                    format!("AWS::Include: can't read {}: {e}", path.display()),
                ));
            }
        };
        if !self.included.contains(&path) {
            self.included.push(path.clone());
        }
        let content = yaml::parse(&text).map_err(|e| {
            let position = if e.location.is_empty() {
                String::new()
            } else {
                format!(" ({})", e.location)
            };
            self.fail(
                &at,
                format!("AWS::Include: {}{position}: {}", path.display(), e.message),
            )
        })?;
        Ok(self.expand(&content, location, true))
    }
}
