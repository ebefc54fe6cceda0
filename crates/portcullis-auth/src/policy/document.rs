//! Reads a policy's JSON into compiled statements. Everything that can be
//! wrong with a policy is found here, so evaluation has nothing left to fail.

use serde_json::Value;

use super::condition::Condition;
use super::context::ContextKey;
use super::elements::{action, pair, principal, resource, strings};
use super::error::{PolicyError, StatementCx, shown};
use super::pattern::Pattern;
use super::principal::{Principal, PrincipalEntry};
use super::request::PolicyRequest;
use super::{MAX_STATEMENTS, MAX_VALUES, ParseOptions, PrincipalRule};

/// Counts the values (actions, resources, principals, condition values) of a
/// whole document against [`MAX_VALUES`], so that no document, however it
/// spreads them, is costly to evaluate.
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    pub(crate) fn new() -> Self {
        Budget { left: MAX_VALUES }
    }

    pub(crate) fn take(&mut self, n: usize, cx: &StatementCx<'_>) -> Result<(), PolicyError> {
        self.left = self.left.checked_sub(n).ok_or_else(|| {
            cx.error(
                "",
                format!("brings the document over {MAX_VALUES} values (actions, resources, principals and condition values)"),
            )
        })?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) sid: Option<Box<str>>,
    pub(crate) effect: Effect,
    actions: PatternSet,
    resources: PatternSet,
    principals: Option<PrincipalSet>,
    condition: Option<Condition>,
}

/// `Action`/`Resource` (`negated: false`) or `NotAction`/`NotResource`.
#[derive(Debug, Clone)]
struct PatternSet {
    negated: bool,
    patterns: Box<[Pattern]>,
}

#[derive(Debug, Clone)]
struct PrincipalSet {
    negated: bool,
    entries: Box<[PrincipalEntry]>,
}

impl Statement {
    /// Whether the statement applies to the request; cheap tests first.
    pub(crate) fn applies(&self, request: &PolicyRequest<'_>) -> bool {
        self.actions.matches(request.action, request)
            && self.resources.matches(request.resource, request)
            && self
                .principals
                .as_ref()
                .is_none_or(|p| p.matches(request.principal))
            && self.condition.as_ref().is_none_or(|c| c.holds(request))
    }

    /// The condition keys the statement reads.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &ContextKey> {
        let resources = self.resources.patterns.iter().flat_map(Pattern::variables);
        resources
            .map(|v| &v.key)
            .chain(self.condition.iter().flat_map(Condition::keys))
    }
}

impl PatternSet {
    fn matches(&self, text: &str, request: &PolicyRequest<'_>) -> bool {
        self.patterns.iter().any(|p| p.matches(text, request)) != self.negated
    }
}

impl PrincipalSet {
    fn matches(&self, caller: Option<&Principal>) -> bool {
        self.entries.iter().any(|e| e.matches(caller)) != self.negated
    }
}

/// A parsed document: whether it has policy variables (its version), and
/// its statements.
pub(crate) struct Parsed {
    pub(crate) version: Option<&'static str>,
    pub(crate) statements: Vec<Statement>,
}

pub(crate) fn parse(value: &Value, options: &ParseOptions) -> Result<Parsed, PolicyError> {
    let Value::Object(top) = value else {
        return Err(PolicyError::document(
            "",
            format!("must be a JSON object, found {}", shown(value)),
        ));
    };
    for key in top.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(PolicyError::document(
                key.as_str(),
                "is not a policy element (expected Version, Id and Statement)",
            ));
        }
    }
    let version = match top.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" => Some("2012-10-17"),
        Some(Value::String(v)) if v == "2008-10-17" => Some("2008-10-17"),
        Some(other) => {
            return Err(PolicyError::document(
                "Version",
                format!(
                    "must be \"2012-10-17\" or \"2008-10-17\", found {}",
                    shown(other)
                ),
            ));
        }
    };
    if let Some(id) = top.get("Id").filter(|id| !id.is_string()) {
        return Err(PolicyError::document(
            "Id",
            format!("must be a string, found {}", shown(id)),
        ));
    }
    let statements = match top.get("Statement") {
        None => return Err(PolicyError::document("Statement", "is missing")),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(other) => {
            return Err(PolicyError::document(
                "Statement",
                format!(
                    "must be an object or a list of objects, found {}",
                    shown(other)
                ),
            ));
        }
    };
    if statements.len() > MAX_STATEMENTS {
        return Err(PolicyError::document(
            "Statement",
            format!(
                "has {} statements, over the limit of {MAX_STATEMENTS}",
                statements.len()
            ),
        ));
    }
    let variables = version == Some("2012-10-17");
    let mut budget = Budget::new();
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(i, s)| statement(s, i + 1, variables, options, &mut budget))
        .collect::<Result<_, _>>()?;
    Ok(Parsed {
        version,
        statements,
    })
}

const ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

fn statement(
    value: &Value,
    position: usize,
    variables: bool,
    options: &ParseOptions,
    budget: &mut Budget,
) -> Result<Statement, PolicyError> {
    let mut cx = StatementCx {
        position,
        sid: None,
    };
    let Value::Object(s) = value else {
        return Err(cx.error("", format!("must be an object, found {}", shown(value))));
    };
    let sid = match s.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.as_str()),
        Some(other) => {
            return Err(cx.error("Sid", format!("must be a string, found {}", shown(other))));
        }
    };
    cx.sid = sid;
    if let Some(key) = s.keys().find(|k| !ELEMENTS.contains(&k.as_str())) {
        return Err(cx.error(
            key.as_str(),
            "is not a statement element (expected Sid, Effect, Action or NotAction, Resource or NotResource, Principal or NotPrincipal, Condition)",
        ));
    }
    let effect = match s.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(cx.error(
                "Effect",
                format!("must be \"Allow\" or \"Deny\", found {}", shown(other)),
            ));
        }
        None => return Err(cx.error("Effect", "is missing")),
    };

    let (negated, name, list) = pair(s, "Action", "NotAction", &cx)?.ok_or_else(|| {
        cx.error(
            "Action",
            "is missing (a statement needs Action or NotAction)",
        )
    })?;
    let actions = strings(list, name, &cx, budget)?
        .into_iter()
        .map(|a| action(a, name, &cx))
        .collect::<Result<_, _>>()?;
    let actions = PatternSet {
        negated,
        patterns: actions,
    };

    let (negated, name, list) = pair(s, "Resource", "NotResource", &cx)?.ok_or_else(|| {
        cx.error(
            "Resource",
            "is missing (a statement needs Resource or NotResource)",
        )
    })?;
    let resources = strings(list, name, &cx, budget)?
        .into_iter()
        .map(|r| resource(r, name, variables, options, &cx))
        .collect::<Result<_, _>>()?;
    let resources = PatternSet {
        negated,
        patterns: resources,
    };

    let principals = match (
        pair(s, "Principal", "NotPrincipal", &cx)?,
        options.principal,
    ) {
        (Some((_, name, _)), PrincipalRule::Forbidden) => {
            return Err(cx.error(
                name,
                "is not allowed here: only resource policies name principals (see ParseOptions::resource_policy)",
            ));
        }
        (None, PrincipalRule::Required) => {
            return Err(cx.error(
                "Principal",
                "is missing (a resource policy statement needs Principal or NotPrincipal)",
            ));
        }
        (None, _) => None,
        (Some((negated, name, value)), _) => Some(PrincipalSet {
            negated,
            entries: principal(value, name, &cx, budget)?,
        }),
    };

    let condition = s
        .get("Condition")
        .map(|c| Condition::parse(c, &cx, variables, budget))
        .transpose()?;

    Ok(Statement {
        sid: sid.map(Into::into),
        effect,
        actions,
        resources,
        principals,
        condition,
    })
}
