//! A template's `Parameters`: each one's value, from `--parameter-overrides`
//! or its `Default`, checked against its type and constraints as
//! CloudFormation checks them.

use std::collections::BTreeMap;

use portcullis_mapping::JavaPattern;

use super::intrinsics::TemplateError;
use crate::config::openapi::tree::Node;

/// What a parameter's value becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `String` and the AWS-specific single-value types: a string.
    String,
    /// `Number`: checked as a number, used as a string.
    Number,
    /// `List<Number>`: numbers, used as a list of strings.
    NumberList,
    /// `CommaDelimitedList` and `List<AWS::...>`: a list of strings.
    List,
    /// `AWS::SSM::Parameter::Value<...>`: Systems Manager is not read; the
    /// given text is the value (a list when the SSM type is a list).
    Ssm { list: bool },
}

fn kind(type_: &str) -> Option<Kind> {
    Some(match type_ {
        "String" | "AWS::SSM::Parameter::Name" => Kind::String,
        "Number" => Kind::Number,
        "List<Number>" => Kind::NumberList,
        "CommaDelimitedList" => Kind::List,
        _ => {
            if let Some(inner) = type_
                .strip_prefix("AWS::SSM::Parameter::Value<")
                .and_then(|t| t.strip_suffix('>'))
            {
                let list = inner == "CommaDelimitedList" || inner.starts_with("List<");
                Kind::Ssm { list }
            } else if type_.starts_with("List<AWS::") && type_.ends_with('>') {
                Kind::List
            } else if type_.starts_with("AWS::") {
                Kind::String
            } else {
                return None;
            }
        }
    })
}

/// The parameters' values, by name. Problems go to `errors` (a parameter
/// with a problem has no value) and notes to `warnings`. Overrides naming no
/// parameter are left to the caller: they may be exports for `Fn::ImportValue`.
pub(super) fn read(
    section: Option<&Node>,
    overrides: &BTreeMap<String, String>,
    errors: &mut Vec<TemplateError>,
    warnings: &mut Vec<(String, String)>,
) -> BTreeMap<String, Node> {
    let mut values = BTreeMap::new();
    let mut error = |location: String, message: String| {
        errors.push(TemplateError { location, message });
    };
    let entries: &[(String, Node)] = match section {
        None | Some(Node::Null) => &[],
        Some(Node::Map(entries)) => entries,
        Some(other) => {
            error(
                "Parameters".to_owned(),
                format!(
                    "must be a mapping of parameter names to declarations, not {}",
                    other.kind()
                ),
            );
            &[]
        }
    };
    for (name, declaration) in entries {
        let location = format!("Parameters.{name}");
        if !is_logical_id(name) {
            error(
                location,
                format!(
                    "`{name}` is not a valid parameter name: names are alphanumeric (A-Z, a-z, 0-9)"
                ),
            );
            continue;
        }
        match value(name, declaration, overrides.get(name), &location, warnings) {
            Ok(value) => {
                values.insert(name.clone(), value);
            }
            Err(problems) => {
                for (location, message) in problems {
                    error(location, message);
                }
            }
        }
    }
    values
}

/// Logical ids (of parameters, resources, conditions) are alphanumeric.
pub(super) fn is_logical_id(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

type Problems = Vec<(String, String)>;

fn value(
    name: &str,
    declaration: &Node,
    override_: Option<&String>,
    location: &str,
    warnings: &mut Vec<(String, String)>,
) -> Result<Node, Problems> {
    let problem = |at: &str, message: String| vec![(at.to_owned(), message)];
    if declaration.as_map().is_none() {
        return Err(problem(
            location,
            format!("must be a mapping with a Type, not {}", declaration.kind()),
        ));
    }
    let type_location = format!("{location}.Type");
    let kind = match declaration.get("Type") {
        None => return Err(problem(location, "has no Type".to_owned())),
        Some(Node::Str(type_)) => kind(type_).ok_or_else(|| {
            problem(
                &type_location,
                format!(
                    "`{type_}` is not a parameter type: String, Number, List<Number>, \
                     CommaDelimitedList, an AWS-specific type (AWS::EC2::VPC::Id, ...) \
                     or an SSM type (AWS::SSM::Parameter::Value<String>, ...)"
                ),
            )
        })?,
        Some(other) => {
            return Err(problem(
                &type_location,
                format!("must be a string, not {}", other.kind()),
            ));
        }
    };

    let (text, source) = match override_ {
        Some(text) => (text.clone(), "--parameter-overrides"),
        None => match declaration.get("Default") {
            Some(default) => match default_text(default) {
                Some(text) => (text, "Default"),
                None => {
                    return Err(problem(
                        &format!("{location}.Default"),
                        format!("must be a string, number or list, not {}", default.kind()),
                    ));
                }
            },
            None => {
                return Err(problem(
                    location,
                    format!(
                        "`{name}` has no value: give it a Default, or a value with \
                         --parameter-overrides {name}=VALUE"
                    ),
                ));
            }
        },
    };

    let constraints = Constraints::read(declaration, location)?;
    let items: Vec<String> = match kind {
        Kind::List | Kind::NumberList | Kind::Ssm { list: true } => {
            text.split(',').map(|item| item.trim().to_owned()).collect()
        }
        Kind::String | Kind::Number | Kind::Ssm { list: false } => vec![text.clone()],
    };

    let mut problems = Vec::new();
    let described = |message: String| match &constraints.description {
        Some(description) => format!("{message} ({description})"),
        None => message,
    };
    let shown = format!("the value `{text}` (from {source})");
    for item in &items {
        let subject = if items.len() == 1 && item == &text {
            shown.clone()
        } else {
            format!("the item `{item}` of {shown}")
        };
        if matches!(kind, Kind::Number | Kind::NumberList) {
            match parse_number(item) {
                None => {
                    problems.push((location.to_owned(), format!("{subject} is not a number")));
                    continue;
                }
                Some(number) => {
                    if let Some(min) = constraints.min_value
                        && number < min
                    {
                        problems.push((
                            location.to_owned(),
                            described(format!("{subject} is less than MinValue {min}")),
                        ));
                    }
                    if let Some(max) = constraints.max_value
                        && number > max
                    {
                        problems.push((
                            location.to_owned(),
                            described(format!("{subject} is greater than MaxValue {max}")),
                        ));
                    }
                }
            }
        }
        if kind == Kind::String {
            let length = item.chars().count();
            if let Some(min) = constraints.min_length
                && length < min
            {
                problems.push((
                    location.to_owned(),
                    described(format!("{subject} is shorter than MinLength {min}")),
                ));
            }
            if let Some(max) = constraints.max_length
                && length > max
            {
                problems.push((
                    location.to_owned(),
                    described(format!("{subject} is longer than MaxLength {max}")),
                ));
            }
        }
        if let Some(pattern) = &constraints.pattern
            && !pattern.matches(item)
        {
            problems.push((
                location.to_owned(),
                described(format!(
                    "{subject} does not match AllowedPattern `{}`",
                    pattern.as_str()
                )),
            ));
        }
        if let Some(allowed) = &constraints.allowed {
            let numeric = matches!(kind, Kind::Number | Kind::NumberList);
            let found = allowed.iter().any(|a| {
                a == item
                    || (numeric
                        && parse_number(a).is_some()
                        && parse_number(a) == parse_number(item))
            });
            if !found {
                problems.push((
                    location.to_owned(),
                    described(format!(
                        "{subject} is not one of AllowedValues [{}]",
                        allowed.join(", ")
                    )),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    if matches!(kind, Kind::Ssm { .. }) {
        warnings.push((
            location.to_owned(),
            format!(
                "`{name}` is an SSM parameter type: Systems Manager is not read locally, \
                 so its value is the text given (`{text}`), not the parameter it names"
            ),
        ));
    }
    Ok(match kind {
        Kind::List | Kind::NumberList | Kind::Ssm { list: true } => {
            Node::Seq(items.into_iter().map(Node::Str).collect())
        }
        Kind::String | Kind::Number | Kind::Ssm { list: false } => Node::Str(text),
    })
}

/// A `Default` as the text an override would give.
fn default_text(default: &Node) -> Option<String> {
    match default {
        Node::Null => Some(String::new()),
        Node::Seq(items) => items
            .iter()
            .map(scalar_text)
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        other => scalar_text(other),
    }
}

/// A scalar as text (`5`, `true`, `a`); `None` for null, lists and mappings.
pub(super) fn scalar_text(node: &Node) -> Option<String> {
    match node {
        Node::Str(s) => Some(s.clone()),
        Node::Int(_) | Node::Float(_) | Node::Bool(_) => Some(node.to_string()),
        Node::Null | Node::Seq(_) | Node::Map(_) => None,
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

struct Constraints {
    allowed: Option<Vec<String>>,
    pattern: Option<JavaPattern>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    min_value: Option<f64>,
    max_value: Option<f64>,
    description: Option<String>,
}

impl Constraints {
    fn read(declaration: &Node, location: &str) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let mut number = |key: &str| -> Option<f64> {
            let node = declaration.get(key)?;
            let parsed = scalar_text(node).and_then(|t| parse_number(&t));
            if parsed.is_none() {
                problems.push((
                    format!("{location}.{key}"),
                    format!("must be a number, not {}", node.kind()),
                ));
            }
            parsed
        };
        let min_value = number("MinValue");
        let max_value = number("MaxValue");
        let min_length = number("MinLength");
        let max_length = number("MaxLength");
        let length = |n: Option<f64>| n.map(|n| if n < 0.0 { 0 } else { n as usize });
        let allowed = match declaration.get("AllowedValues") {
            None => None,
            Some(Node::Seq(items)) => {
                let texts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
                if texts.is_none() {
                    problems.push((
                        format!("{location}.AllowedValues"),
                        "must be a list of strings or numbers".to_owned(),
                    ));
                }
                texts
            }
            Some(other) => {
                problems.push((
                    format!("{location}.AllowedValues"),
                    format!("must be a list, not {}", other.kind()),
                ));
                None
            }
        };
        let pattern = match declaration.get("AllowedPattern") {
            None => None,
            Some(Node::Str(pattern)) => match JavaPattern::whole(pattern) {
                Ok(compiled) => Some(compiled),
                Err(e) => {
                    problems.push((format!("{location}.AllowedPattern"), e.to_string()));
                    None
                }
            },
            Some(other) => {
                problems.push((
                    format!("{location}.AllowedPattern"),
                    format!("must be a string, not {}", other.kind()),
                ));
                None
            }
        };
        let description = declaration
            .get("ConstraintDescription")
            .and_then(scalar_text);
        if problems.is_empty() {
            Ok(Self {
                allowed,
                pattern,
                min_length: length(min_length),
                max_length: length(max_length),
                min_value,
                max_value,
                description,
            })
        } else {
            Err(problems)
        }
    }
}
