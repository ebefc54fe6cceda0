//! What every part of the importer shares: the file, the API type, the
//! document root and the problems found so far, with typed getters that note
//! a problem instead of failing.

use std::collections::BTreeMap;
use std::path::Path;

use super::tree::Node;
use crate::config::model::ApiType;
use crate::config::problems::{Problems, child};

/// Whether an extension or property named `name` may decide who can call a
/// route (authorizers, IAM, policies, keys, identities): such names are never
/// skipped when unknown, since skipping could open a route AWS would guard.
pub(crate) fn decides_access(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth",
        "polic",
        "key",
        "identity",
        "credential",
        "scope",
        "permission",
        "access",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Swagger 2.0 or OpenAPI 3.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// `swagger: "2.0"`.
    Swagger2,
    /// `openapi: "3.0.x"`.
    OpenApi3,
}

/// The state of one import.
pub(crate) struct Ctx<'a> {
    /// The file being imported.
    pub(crate) file: &'a Path,
    /// The document root.
    pub(crate) root: &'a Node,
    /// Which specification the file follows.
    pub(crate) version: Version,
    /// The API type the definition is read as.
    pub(crate) api_type: ApiType,
    /// Problems found so far.
    pub(crate) problems: Problems,
}

impl<'a> Ctx<'a> {
    /// Notes a problem at `location`.
    pub(crate) fn problem(&mut self, location: &str, message: impl Into<String>) {
        self.problems.at(self.file, location, message);
    }

    /// Notes a warning at `location`: AWS would deploy this, and `message`
    /// says what is served instead.
    pub(crate) fn warn(&mut self, location: &str, message: impl Into<String>) {
        self.problems.warn(self.file, location, message);
    }

    /// Notes a property this importer does not know inside an
    /// `x-amazon-apigateway-*` extension: skipped with a warning (AWS keeps
    /// adding properties) unless its name says it may decide who can call,
    /// which is never skipped.
    pub(crate) fn unknown_property(&mut self, location: &str, name: &str, inside: &str) {
        if decides_access(name) {
            self.problem(
                location,
                format!(
                    "unknown {inside} property `{name}`: it may decide who can call the route, so it is not skipped"
                ),
            );
        } else {
            self.warn(
                location,
                format!(
                    "unknown {inside} property `{name}`: skipped (served as if it were absent)"
                ),
            );
        }
    }

    /// Whether the definition is read as an HTTP API.
    pub(crate) fn is_http(&self) -> bool {
        self.api_type == ApiType::Http
    }

    /// Notes that an HTTP API uses `feature`, which only REST APIs have:
    /// AWS's HTTP API import skips it with a warning, and so does this one.
    /// `feature` is a plural noun phrase ("mock integrations").
    pub(crate) fn rest_only(&mut self, location: &str, feature: &str) {
        self.warn(
            location,
            format!(
                "{feature} are a REST API feature that HTTP APIs do not have (http-api-vs-rest): \
                 ignored, as AWS ignores them when importing an HTTP API; import the definition \
                 as a REST API (--api-type rest) to serve them"
            ),
        );
    }

    /// Notes "expected X, found Y" at `location`.
    pub(crate) fn wrong_type(&mut self, location: &str, expected: &str, found: &Node) {
        self.problem(
            location,
            format!("expected {expected}, found {}", found.kind()),
        );
    }

    /// The string at `location`, or a problem.
    pub(crate) fn str<'n>(&mut self, node: &'n Node, location: &str) -> Option<&'n str> {
        let text = node.as_str();
        if text.is_none() {
            self.wrong_type(location, "a string", node);
        }
        text
    }

    /// The mapping at `location`, or a problem.
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        location: &str,
    ) -> Option<&'n [(String, Node)]> {
        let entries = node.as_map();
        if entries.is_none() {
            self.wrong_type(location, "a mapping", node);
        }
        entries
    }

    /// The list at `location`, or a problem.
    pub(crate) fn seq<'n>(&mut self, node: &'n Node, location: &str) -> Option<&'n [Node]> {
        let items = node.as_seq();
        if items.is_none() {
            self.wrong_type(location, "a list", node);
        }
        items
    }

    /// The boolean at `location`, or a problem.
    pub(crate) fn bool(&mut self, node: &Node, location: &str) -> Option<bool> {
        match node {
            Node::Bool(b) => Some(*b),
            other => {
                self.wrong_type(location, "true or false", other);
                None
            }
        }
    }

    /// A whole number written as a number or as a string of digits, or a problem.
    pub(crate) fn integer(&mut self, node: &Node, location: &str) -> Option<i128> {
        let value = match node {
            Node::Int(i) => Some(*i),
            Node::Float(x) if x.fract() == 0.0 && x.abs() < 1e18 => Some(*x as i128),
            Node::Str(s) => s.trim().parse::<i128>().ok(),
            _ => None,
        };
        if value.is_none() {
            self.problem(location, format!("expected a whole number, found `{node}`"));
        }
        value
    }

    /// A mapping of strings to strings (templates, response parameters), or problems.
    pub(crate) fn string_map(&mut self, node: &Node, location: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (key, value) in self.map(node, location).unwrap_or_default() {
            let at = child(location, key);
            if let Some(text) = self.str(value, &at) {
                out.insert(key.clone(), text.to_owned());
            }
        }
        out
    }

    /// Follows `$ref` chains (at most a few hops) to the node they name.
    /// Returns the node and the location to report problems inside it.
    pub(crate) fn resolve(&mut self, node: &'a Node, location: &str) -> Option<(&'a Node, String)> {
        let mut node = node;
        let mut location = location.to_owned();
        for _ in 0..8 {
            let Some(reference) = node.get("$ref") else {
                return Some((node, location));
            };
            let ref_at = child(&location, "$ref");
            let reference = self.str(reference, &ref_at)?;
            if !reference.starts_with("#/") {
                self.problem(
                    &ref_at,
                    format!("`{reference}` points outside this file; only local references (#/...) are supported"),
                );
                return None;
            }
            match self.root.pointer(reference) {
                Some(target) => {
                    node = target;
                    location = pointer_location(reference);
                }
                None => {
                    self.problem(
                        &ref_at,
                        format!("`{reference}` does not point at anything in this file"),
                    );
                    return None;
                }
            }
        }
        self.problem(&location, "too many `$ref` hops (a reference cycle?)");
        None
    }
}

/// The dotted location of a local JSON pointer: `#/components/parameters/a` → `components.parameters.a`.
fn pointer_location(reference: &str) -> String {
    let mut location = String::new();
    for raw in reference
        .trim_start_matches('#')
        .split('/')
        .filter(|s| !s.is_empty())
    {
        location = child(&location, &raw.replace("~1", "/").replace("~0", "~"));
    }
    location
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::openapi::tree::parse;

    fn with_ctx<T>(text: &str, f: impl FnOnce(&mut Ctx<'_>) -> T) -> (T, Vec<String>) {
        let root = parse(text).unwrap();
        let mut ctx = Ctx {
            file: Path::new("api.yaml"),
            root: &root,
            version: Version::OpenApi3,
            api_type: ApiType::Rest,
            problems: Problems::new(),
        };
        let out = f(&mut ctx);
        let problems = match ctx.problems.finish(()) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(ToString::to_string).collect(),
        };
        (out, problems)
    }

    #[test]
    fn resolve_follows_local_references() {
        let text =
            "a: {$ref: '#/components/x'}\ncomponents: {x: {$ref: '#/components/y'}, y: {v: 1}}\n";
        let (location, problems) = with_ctx(text, |ctx| {
            let a = ctx.root.get("a").unwrap();
            ctx.resolve(a, "a").map(|(_, at)| at)
        });
        assert_eq!(location.as_deref(), Some("components.y"));
        assert!(problems.is_empty());
    }

    #[test]
    fn resolve_reports_missing_external_and_cyclic_references() {
        let text = "a: {$ref: '#/nope'}\nb: {$ref: 'other.yaml#/x'}\nc: {$ref: '#/c'}\n";
        let (_, problems) = with_ctx(text, |ctx| {
            for key in ["a", "b", "c"] {
                let node = ctx.root.get(key).unwrap();
                assert!(ctx.resolve(node, key).is_none());
            }
        });
        assert_eq!(
            problems,
            [
                "api.yaml: a.$ref: `#/nope` does not point at anything in this file",
                "api.yaml: b.$ref: `other.yaml#/x` points outside this file; only local references (#/...) are supported",
                "api.yaml: c: too many `$ref` hops (a reference cycle?)",
            ]
        );
    }

    #[test]
    fn integers_accept_digit_strings() {
        let (values, problems) = with_ctx("a: 5\nb: '7'\nc: 2.0\nd: x\n", |ctx| {
            ["a", "b", "c", "d"].map(|k| {
                let node = ctx.root.get(k).unwrap();
                ctx.integer(node, k)
            })
        });
        assert_eq!(values, [Some(5), Some(7), Some(2), None]);
        assert_eq!(
            problems,
            ["api.yaml: d: expected a whole number, found `x`"]
        );
    }
}
