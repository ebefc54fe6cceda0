//! `Conditions`: each evaluated once, cycles reported.

use std::rc::Rc;

use super::{Cx, Slot, child, describe, index};
use crate::config::openapi::tree::Node;
use crate::config::template::parameters::scalar_text;

impl Cx<'_> {
    /// The value of the condition `name`, evaluated once. `None`: it could not
    /// be evaluated (reported at the condition, or at `location` when there is no such condition).
    pub(super) fn condition(&mut self, name: &str, location: &str) -> Option<bool> {
        let Some(i) = self.conditions.get_index_of(name) else {
            self.fail(
                location,
                format!("no condition named `{name}` in Conditions"),
            );
            return None;
        };
        match &self.conditions[i].slot {
            Slot::Done(value) => return *value,
            Slot::Busy => {
                let start = self.evaluating.iter().position(|n| n == name).unwrap_or(0);
                let mut cycle = self.evaluating[start..].to_vec();
                cycle.push(name.to_owned());
                self.fail(
                    &format!("Conditions.{name}"),
                    format!(
                        "the conditions reference each other in a cycle: {}",
                        cycle.join(" → ")
                    ),
                );
                return None;
            }
            Slot::Pending => {}
        }
        self.conditions[i].slot = Slot::Busy;
        self.evaluating.push(name.to_owned());
        let raw = Rc::clone(&self.conditions[i].raw);
        let value = self.condition_expression(&raw, &format!("Conditions.{name}"));
        self.evaluating.pop();
        self.conditions[i].slot = Slot::Done(value);
        value
    }

    /// A condition: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` or `{Condition: Name}`.
    pub(super) fn condition_expression(&mut self, node: &Node, location: &str) -> Option<bool> {
        self.enter(location).ok()?;
        let value = self.condition_expression_inner(node, location);
        self.leave();
        value
    }

    pub(super) fn condition_expression_inner(
        &mut self,
        node: &Node,
        location: &str,
    ) -> Option<bool> {
        const EXPECTED: &str =
            "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or {Condition: Name}";
        let entries = match node {
            Node::Bool(b) => return Some(*b),
            Node::Map(entries) if entries.len() == 1 => entries,
            other => {
                self.fail(location, format!("{EXPECTED}, not {}", describe(other)));
                return None;
            }
        };
        let (function, argument) = (&entries[0].0, &entries[0].1);
        let at = child(location, function);
        match function.as_str() {
            "Condition" => match argument.as_str() {
                Some(name) => self.condition(name, &at),
                None => {
                    self.fail(
                        &at,
                        format!("Condition: needs a condition name, not {}", argument.kind()),
                    );
                    None
                }
            },
            "Fn::Equals" => self.equals(argument, &at),
            "Fn::Not" => match argument.as_seq() {
                Some([inner]) => self.condition_expression(inner, &index(&at, 0)).map(|b| !b),
                _ => {
                    self.fail(&at, "Fn::Not needs a list of one condition");
                    None
                }
            },
            "Fn::And" | "Fn::Or" => match argument.as_seq() {
                Some(items) if (2..=10).contains(&items.len()) => {
                    let values: Vec<Option<bool>> = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.condition_expression(item, &index(&at, i)))
                        .collect();
                    let values: Vec<bool> = values.into_iter().collect::<Option<_>>()?;
                    Some(if function == "Fn::And" {
                        values.iter().all(|v| *v)
                    } else {
                        values.iter().any(|v| *v)
                    })
                }
                _ => {
                    self.fail(
                        &at,
                        format!("{function} needs a list of 2 to 10 conditions"),
                    );
                    None
                }
            },
            _ => {
                self.fail(location, format!("{EXPECTED}, not {function}"));
                None
            }
        }
    }

    pub(super) fn equals(&mut self, argument: &Node, location: &str) -> Option<bool> {
        let Some([a, b]) = argument.as_seq() else {
            self.fail(location, "Fn::Equals needs a list of two values");
            return None;
        };
        let a = self.argument(a, &index(location, 0), "Fn::Equals");
        let b = self.argument(b, &index(location, 1), "Fn::Equals");
        Some(same(&a.ok()?, &b.ok()?))
    }
}

/// `Fn::Equals`: scalars compare as text (a `Ref` to a Number parameter is a
/// string), lists and mappings item by item.
fn same(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Null, Node::Null) => true,
        (Node::Seq(a), Node::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Node::Map(a), Node::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| b.iter().any(|(k, v)| k == key && same(value, v)))
        }
        _ => match (scalar_text(a), scalar_text(b)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
    }
}
