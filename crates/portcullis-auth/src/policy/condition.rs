//! The `Condition` element: operators over condition keys, compiled at parse
//! time and evaluated without allocating.
//!
//! A block holds when every operator holds; an operator holds when every key
//! under it holds; a key holds when the request's value matches any of the
//! policy's values (negated operators: matches none of them). A key that has
//! no value in the request fails the test, except that:
//!
//! - negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`...)
//!   pass, as IAM documents (this is what makes a "deny unless from this VPC
//!   endpoint" statement deny requests that came through no endpoint);
//! - `...IfExists` passes;
//! - `ForAllValues:` passes (every one of no values satisfies it), and
//!   `ForAnyValue:` fails;
//! - `Null` tests exactly that: `true` holds when the key has no value.
//!
//! A request value that cannot be read as the operator needs (`"abc"` for
//! `NumericEquals`, a malformed address for `IpAddress`) matches no policy
//! value, so a negated operator passes on it.

use serde_json::Value;

use super::arn::ArnPattern;
use super::context::{ContextKey, ContextValue, parse_bool, parse_number};
use super::date::{Millis, parse_date};
use super::document::Budget;
use super::error::{PolicyError, StatementCx, shown};
use super::ip::Cidr;
use super::operator::{Cmp, Family, Operator, Qualifier};
use super::pattern::Pattern;
use super::request::PolicyRequest;
use super::variables::{Syntax, Variable, tokenize};

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    tests: Box<[Test]>,
}

#[derive(Debug, Clone)]
struct Test {
    op: Operator,
    key: ContextKey,
    values: Values,
}

/// A test's policy values, already in the form its operator compares.
#[derive(Debug, Clone)]
enum Values {
    Strings(Box<[Pattern]>),
    Arns(Box<[ArnPattern]>),
    Numbers(Box<[f64]>, Cmp),
    Dates(Box<[Millis]>, Cmp),
    Bools(Box<[bool]>),
    Binary(Box<[Box<str>]>),
    Cidrs(Box<[Cidr]>),
    /// `true`: the key must have no value; `false`: it must have one.
    Null(Box<[bool]>),
}

impl Condition {
    /// Compiles a `Condition` element. `variables`: whether `${...}` is a
    /// policy variable (2012-10-17 policies).
    pub(crate) fn parse(
        value: &Value,
        cx: &StatementCx<'_>,
        variables: bool,
        budget: &mut Budget,
    ) -> Result<Self, PolicyError> {
        let Value::Object(operators) = value else {
            return Err(cx.error(
                "Condition",
                format!("must be an object, found {}", shown(value)),
            ));
        };
        let mut tests = Vec::new();
        for (name, keys) in operators {
            let element = format!("Condition.{name}");
            let op = Operator::parse(name)
                .ok_or_else(|| cx.error(&element, "is not a condition operator IAM defines"))?;
            let Value::Object(keys) = keys else {
                return Err(cx.error(
                    &element,
                    format!("must be an object of condition keys, found {}", shown(keys)),
                ));
            };
            if keys.is_empty() {
                return Err(cx.error(&element, "names no condition key"));
            }
            for (key, values) in keys {
                let element = format!("{element}.{key}");
                if key.is_empty() {
                    return Err(cx.error(&element, "has an empty condition key"));
                }
                let items = scalars(values).map_err(|reason| cx.error(&element, reason))?;
                budget.take(items.len(), cx)?;
                let values = compile(op.family, &items, variables)
                    .map_err(|reason| cx.error(&element, reason))?;
                tests.push(Test {
                    op,
                    key: ContextKey::new(key),
                    values,
                });
            }
        }
        Ok(Condition {
            tests: tests.into_boxed_slice(),
        })
    }

    pub(crate) fn holds(&self, request: &PolicyRequest<'_>) -> bool {
        self.tests.iter().all(|test| test.holds(request))
    }

    /// Every key the condition reads: tested keys and policy variables.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &ContextKey> {
        self.tests.iter().flat_map(|test| {
            let variables: Box<dyn Iterator<Item = &Variable>> = match &test.values {
                Values::Strings(ps) => Box::new(ps.iter().flat_map(Pattern::variables)),
                Values::Arns(ps) => Box::new(ps.iter().flat_map(ArnPattern::variables)),
                _ => Box::new(std::iter::empty()),
            };
            std::iter::once(&test.key).chain(variables.map(|v| &v.key))
        })
    }
}

impl Test {
    fn holds(&self, request: &PolicyRequest<'_>) -> bool {
        let mut values = request.values(&self.key);
        if let Values::Null(wants_absent) = &self.values {
            let present = values.next().is_some();
            return wants_absent.iter().any(|&absent| absent != present);
        }
        let negated = self.op.negated;
        match self.op.qualifier {
            Qualifier::Single => {
                let mut present = false;
                for value in values {
                    present = true;
                    if self.matches(value, request) {
                        return !negated;
                    }
                }
                if present {
                    negated
                } else {
                    negated || self.op.if_exists
                }
            }
            Qualifier::ForAnyValue => {
                let mut present = false;
                for value in values {
                    present = true;
                    if self.matches(value, request) != negated {
                        return true;
                    }
                }
                !present && self.op.if_exists
            }
            Qualifier::ForAllValues => values.all(|value| self.matches(value, request) != negated),
        }
    }

    /// Whether one request value matches any of the policy's values.
    fn matches(&self, value: ContextValue<'_>, request: &PolicyRequest<'_>) -> bool {
        match &self.values {
            Values::Strings(patterns) => {
                let text = value.text();
                patterns.iter().any(|p| p.matches(text.as_str(), request))
            }
            Values::Arns(patterns) => {
                let text = value.text();
                patterns.iter().any(|p| p.matches(text.as_str(), request))
            }
            Values::Numbers(numbers, cmp) => value
                .number()
                .is_some_and(|n| numbers.iter().any(|&p| cmp.holds(n, p))),
            Values::Dates(dates, cmp) => value
                .millis()
                .is_some_and(|t| dates.iter().any(|&p| cmp.holds(t, p))),
            Values::Bools(bools) => value.boolean().is_some_and(|b| bools.contains(&b)),
            Values::Binary(texts) => {
                let text = value.text();
                texts.iter().any(|t| **t == *text.as_str())
            }
            Values::Cidrs(blocks) => value
                .ip()
                .is_some_and(|ip| blocks.iter().any(|b| b.contains(ip))),
            Values::Null(_) => false,
        }
    }
}

/// A condition value: one scalar or a non-empty list of them.
fn scalars(value: &Value) -> Result<Vec<&Value>, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) if items.is_empty() => return Err("is an empty list".into()),
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    match items
        .iter()
        .find(|v| !matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)))
    {
        Some(bad) => Err(format!(
            "has the value {}, which is not a string, number or boolean",
            shown(bad)
        )),
        None => Ok(items),
    }
}

fn compile(family: Family, items: &[&Value], variables: bool) -> Result<Values, String> {
    let texts = || items.iter().map(|v| as_text(v));
    Ok(match family {
        Family::String { case, like } => {
            let syntax = Syntax {
                wildcards: like,
                variables,
            };
            Values::Strings(
                texts()
                    .map(|t| tokenize(&t, syntax).map(|tokens| Pattern::compile(tokens, case)))
                    .collect::<Result<_, _>>()?,
            )
        }
        Family::Arn => Values::Arns(
            texts()
                .map(|t| ArnPattern::compile(&t, variables))
                .collect::<Result<_, _>>()?,
        ),
        Family::Numeric(cmp) => Values::Numbers(
            items
                .iter()
                .map(|v| {
                    match v {
                        Value::Number(n) => n.as_f64().filter(|n| n.is_finite()),
                        Value::String(s) => parse_number(s),
                        _ => None,
                    }
                    .ok_or_else(|| format!("has the value {}, which is not a number", shown(v)))
                })
                .collect::<Result<_, _>>()?,
            cmp,
        ),
        Family::Date(cmp) => Values::Dates(
            items
                .iter()
                .map(|v| {
                    match v {
                        Value::Number(n) => n.as_i64().and_then(|s| s.checked_mul(1000)),
                        Value::String(s) => parse_date(s),
                        _ => None,
                    }
                    .ok_or_else(|| {
                        format!(
                            "has the value {}, which is not an ISO 8601 date or epoch seconds",
                            shown(v)
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            cmp,
        ),
        Family::Bool | Family::Null => {
            let bools = items
                .iter()
                .map(|v| {
                    match v {
                        Value::Bool(b) => Some(*b),
                        Value::String(s) => parse_bool(s),
                        _ => None,
                    }
                    .ok_or_else(|| {
                        format!("has the value {}, which is not true or false", shown(v))
                    })
                })
                .collect::<Result<_, _>>()?;
            if family == Family::Null {
                Values::Null(bools)
            } else {
                Values::Bools(bools)
            }
        }
        Family::Binary => Values::Binary(texts().map(String::into_boxed_str).collect()),
        Family::Ip => Values::Cidrs(
            items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Cidr::parse(s),
                    other => Err(format!(
                        "has the value {}, which is not an IP address or CIDR block",
                        shown(other)
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// A scalar as IAM reads it in a string comparison: `5` is `"5"`.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
