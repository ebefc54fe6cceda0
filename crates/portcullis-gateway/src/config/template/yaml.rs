//! Reading a CloudFormation template: JSON, or YAML with CloudFormation's
//! short-form tags (`!Ref`, `!Sub`, `!GetAtt`, ...).
//!
//! The tags become the long forms JSON templates use (`!Ref X` is
//! `{"Ref": "X"}`), so the resolver sees a single syntax. Mapping keys keep
//! their order, YAML's scalar keys (`200:`, `true:`) become strings, and a key
//! written twice is a syntax error, as in the OpenAPI document tree.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

use crate::config::openapi::tree::{Key, Node, SyntaxError, strip_position};

/// Parses a template: JSON when it starts with `{`, else YAML. CloudFormation's short
/// tags become their long forms: `!Ref X` → {"Ref": X}; `!GetAtt A.B` (string) or
/// `!GetAtt [A, B]` → {"Fn::GetAtt": ["A", "B"]} (split on the FIRST dot: `A.B.C` → ["A", "B.C"]);
/// `!Sub`, `!Join`, `!If`, `!Select`, `!Split`, `!FindInMap`, `!ImportValue`, `!Base64`,
/// `!Cidr`, `!GetAZs`, `!Equals`, `!And`, `!Or`, `!Not`, `!Transform`, `!Length`, `!ToJsonString`
/// → {"Fn::Name": value}; `!Condition X` → {"Condition": X}. An unknown tag is a SyntaxError naming it.
/// Duplicate keys are an error. YAML keys that are numbers/bools become strings (as tree.rs does).
///
/// The rule functions of a `Rules` section (`!Contains`, `!EachMemberEquals`,
/// `!EachMemberIn`, `!RefAll`, `!ValueOf`, `!ValueOfAll`) are read the same way,
/// so a template with rules parses; the resolver does not evaluate rules.
///
/// A document starting with `{` that is not JSON may still be flow-style YAML;
/// if it is neither, the JSON error is the one reported.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        match serde_json::from_str::<Template>(text) {
            Ok(Template(node)) => Ok(node),
            Err(json) => serde_yaml_ng::from_str::<Template>(text)
                .map(|Template(node)| node)
                .map_err(|_| SyntaxError {
                    location: position(json.line(), json.column()),
                    message: strip_position(&json.to_string()),
                }),
        }
    } else {
        serde_yaml_ng::from_str::<Template>(text)
            .map(|Template(node)| node)
            .map_err(|e| SyntaxError {
                location: e
                    .location()
                    .map(|l| position(l.line(), l.column()))
                    .unwrap_or_default(),
                message: strip_position(&e.to_string()),
            })
    }
}

fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line} column {column}")
    }
}

/// The short-form tags that become `Fn::{tag}`.
const FUNCTION_TAGS: &[&str] = &[
    "Sub",
    "Join",
    "If",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Base64",
    "Cidr",
    "GetAZs",
    "Equals",
    "And",
    "Or",
    "Not",
    "Transform",
    "Length",
    "ToJsonString",
    // Rule-specific functions (the `Rules` section).
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "RefAll",
    "ValueOf",
    "ValueOfAll",
];

/// The long form of `!{tag} value`, or `None` for a tag CloudFormation does not define.
fn long_form(tag: &str, value: Node) -> Option<Node> {
    let (key, value) = match tag {
        "Ref" => ("Ref".to_owned(), value),
        "Condition" => ("Condition".to_owned(), value),
        "GetAtt" => ("Fn::GetAtt".to_owned(), get_att(value)),
        _ if FUNCTION_TAGS.contains(&tag) => (format!("Fn::{tag}"), value),
        _ => return None,
    };
    Some(Node::Map(vec![(key, value)]))
}

/// `!GetAtt A.B.C` is `["A", "B.C"]`; a list stays as written. A string
/// without a dot stays a string, for the resolver to report.
fn get_att(value: Node) -> Node {
    match value {
        Node::Str(text) => match text.split_once('.') {
            Some((resource, attribute)) => Node::Seq(vec![
                Node::Str(resource.to_owned()),
                Node::Str(attribute.to_owned()),
            ]),
            None => Node::Str(text),
        },
        other => other,
    }
}

fn known_tags() -> String {
    ["Ref", "GetAtt", "Condition"]
        .iter()
        .chain(FUNCTION_TAGS)
        .map(|tag| format!("!{tag}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ===== impl Deserialize =====

/// A template node read with CloudFormation's tags.
struct Template(Node);

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor).map(Template)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or YAML value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Template::deserialize(d).map(|Template(node)| node)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        i128::try_from(v)
            .map(Node::Int)
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        if v.is_finite() {
            Ok(Node::Float(v))
        } else {
            Ok(Node::Str(v.to_string()))
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(Template(item)) = seq.next_element::<Template>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let Template(value) = map.next_value::<Template>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }

    /// A YAML tag (`!Ref x`): serde_yaml_ng hands tagged nodes over as enums,
    /// the tag (without its `!`) naming the variant.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        let (tag, variant) = data.variant::<String>()?;
        let known = tag == "Ref"
            || tag == "GetAtt"
            || tag == "Condition"
            || FUNCTION_TAGS.contains(&tag.as_str());
        if !known {
            return Err(de::Error::custom(format_args!(
                "unknown tag `!{tag}`: CloudFormation's tags are {}",
                known_tags()
            )));
        }
        let Template(value) = variant.newtype_variant::<Template>()?;
        long_form(&tag, value)
            .ok_or_else(|| de::Error::custom(format_args!("unknown tag `!{tag}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Node {
        Node::Str(text.to_owned())
    }

    fn call(name: &str, value: Node) -> Node {
        Node::Map(vec![(name.to_owned(), value)])
    }

    fn value_of(yaml: &str) -> Node {
        let root = parse(&format!("v: {yaml}\n")).unwrap();
        root.get("v").unwrap().clone()
    }

    #[test]
    fn ref_and_condition_tags() {
        assert_eq!(value_of("!Ref Table"), call("Ref", s("Table")));
        assert_eq!(value_of("!Ref AWS::Region"), call("Ref", s("AWS::Region")));
        assert_eq!(
            value_of("!Condition IsProd"),
            call("Condition", s("IsProd"))
        );
    }

    #[test]
    fn every_function_tag_gets_its_long_form() {
        for tag in FUNCTION_TAGS {
            let node = value_of(&format!("!{tag} [a, b]"));
            assert_eq!(
                node,
                call(&format!("Fn::{tag}"), Node::Seq(vec![s("a"), s("b")])),
                "!{tag}"
            );
        }
        assert_eq!(
            value_of("!Sub 'x-${AWS::Region}'"),
            call("Fn::Sub", s("x-${AWS::Region}"))
        );
        assert_eq!(value_of("!GetAZs ''"), call("Fn::GetAZs", s("")));
        assert_eq!(value_of("!Base64 plain"), call("Fn::Base64", s("plain")));
        assert_eq!(
            value_of("!Transform {Name: AWS::Include, Parameters: {Location: a.yaml}}"),
            call(
                "Fn::Transform",
                Node::Map(vec![
                    ("Name".into(), s("AWS::Include")),
                    (
                        "Parameters".into(),
                        Node::Map(vec![("Location".into(), s("a.yaml"))])
                    ),
                ])
            )
        );
    }

    #[test]
    fn get_att_string_and_list_forms() {
        let expected = call("Fn::GetAtt", Node::Seq(vec![s("Fn"), s("Arn")]));
        assert_eq!(value_of("!GetAtt Fn.Arn"), expected);
        assert_eq!(value_of("!GetAtt [Fn, Arn]"), expected);
        assert_eq!(
            value_of("!GetAtt Db.Endpoint.Address"),
            call(
                "Fn::GetAtt",
                Node::Seq(vec![s("Db"), s("Endpoint.Address")])
            )
        );
        assert_eq!(value_of("!GetAtt NoDot"), call("Fn::GetAtt", s("NoDot")));
        // The attribute may itself be a Ref.
        assert_eq!(
            value_of("!GetAtt [Fn, !Ref Attr]"),
            call(
                "Fn::GetAtt",
                Node::Seq(vec![s("Fn"), call("Ref", s("Attr"))])
            )
        );
    }

    #[test]
    fn nested_tags_and_block_scalars() {
        let text = "v: !If\n  - IsProd\n  - !Sub\n    - '${A}-${B}'\n    - B: !Select [0, !Split [',', !Ref L]]\n  - !Ref AWS::NoValue\nw: !Sub |\n  line ${AWS::Region}\n";
        let root = parse(text).unwrap();
        let v = root
            .get("v")
            .unwrap()
            .get("Fn::If")
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(v[0], s("IsProd"));
        let sub = v[1].get("Fn::Sub").unwrap().as_seq().unwrap();
        assert_eq!(sub[0], s("${A}-${B}"));
        let select = sub[1]
            .get("B")
            .unwrap()
            .get("Fn::Select")
            .unwrap()
            .as_seq()
            .unwrap();
        assert_eq!(select[0], Node::Int(0));
        assert_eq!(
            select[1],
            call("Fn::Split", Node::Seq(vec![s(","), call("Ref", s("L"))]))
        );
        assert_eq!(v[2], call("Ref", s("AWS::NoValue")));
        assert_eq!(
            root.get("w").unwrap(),
            &call("Fn::Sub", s("line ${AWS::Region}\n"))
        );
    }

    #[test]
    fn tagged_scalars_keep_yaml_types() {
        assert_eq!(
            value_of("!Select [1, [a, b]]")
                .get("Fn::Select")
                .unwrap()
                .as_seq()
                .unwrap()[0],
            Node::Int(1)
        );
        assert_eq!(value_of("!Ref 12"), call("Ref", Node::Int(12)));
        assert_eq!(value_of("!Ref '12'"), call("Ref", s("12")));
        assert_eq!(value_of("!GetAZs"), call("Fn::GetAZs", Node::Null));
    }

    #[test]
    fn unknown_tags_are_syntax_errors_naming_them() {
        let error = parse("a: 1\nb: !Foo bar\n").unwrap_err();
        assert!(error.message.contains("`!Foo`"), "{error:?}");
        assert!(error.location.starts_with("line 2"), "{error:?}");
        let error = parse("a: !GetAttr X.Y\n").unwrap_err();
        assert!(error.message.contains("`!GetAttr`"), "{error:?}");
    }

    #[test]
    fn standard_yaml_tags_still_work() {
        let root = parse("a: !!str 123\nb: !!int '7'\n").unwrap();
        assert_eq!(root.get("a"), Some(&s("123")));
        assert_eq!(root.get("b"), Some(&Node::Int(7)));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let error = parse("Resources:\n  A: 1\n  A: 2\n").unwrap_err();
        assert!(error.message.contains("duplicate key `A`"), "{error:?}");
        let error = parse(r#"{"Resources": {"A": 1, "A": 2}}"#).unwrap_err();
        assert!(error.message.contains("duplicate key `A`"), "{error:?}");
        assert_eq!(error.location, "line 1 column 26");
        // Inside a tagged value too.
        let error = parse("a: !Sub ['x', {k: 1, k: 2}]\n").unwrap_err();
        assert!(error.message.contains("duplicate key `k`"), "{error:?}");
    }

    #[test]
    fn json_and_flow_yaml() {
        let root = parse(r#"{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}, "n": 1.5}"#).unwrap();
        assert_eq!(root.get("n"), Some(&Node::Float(1.5)));
        let keys: Vec<&str> = root
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["Resources", "n"]);
        // Not JSON, but flow YAML with a tag.
        let root = parse("{a: !Ref B}").unwrap();
        assert_eq!(root.get("a"), Some(&call("Ref", s("B"))));
        let error = parse("{\"a\": [}").unwrap_err();
        assert_eq!(error.location, "line 1 column 8");
    }

    #[test]
    fn scalar_keys_become_strings() {
        let root = parse("Mappings:\n  M:\n    123456789012: {a: 1}\n    true: {b: 2}\n").unwrap();
        let keys: Vec<&str> = root
            .get("Mappings")
            .unwrap()
            .get("M")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["123456789012", "true"]);
    }

    #[test]
    fn empty_and_odd_documents() {
        assert_eq!(parse("").unwrap(), Node::Null);
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse("\u{feff}{\"a\": 1}").is_ok());
    }
}
