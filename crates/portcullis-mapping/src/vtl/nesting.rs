//! Bounds on the lists and maps a template builds.
//!
//! Templates can put lists and maps inside each other (`$a.add($b)`, `[$a]`,
//! `#set($m.k = $v)`). Left alone that could build a cycle (which Java prints by
//! overflowing its stack) or a chain deep enough to overflow ours when it is printed,
//! compared or dropped. So each time a list or map goes into another, the inserted
//! value is walked (iteratively, counted as work) and every container in it is given
//! a level: one more than its new parent's. Levels only grow; a level over
//! [`MAX_NESTING`], or meeting the parent inside the inserted value (a cycle), is an
//! error. Containers not built by the template (JSON from the request, `$context`)
//! count as level 0; JSON is at most 128 deep, so no value exceeds ~330 levels.

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::Pos;
use super::eval::Ctx;
use super::rt::{Fail, R};
use crate::value::Value;

/// Deepest nesting of lists and maps a template may build.
pub const MAX_NESTING: u32 = 200;

#[derive(Default)]
pub(crate) struct Nesting {
    /// Container address → (level, the container, kept alive so addresses stay unique).
    levels: HashMap<usize, (u32, Value)>,
}

fn addr(v: &Value) -> Option<usize> {
    match v {
        Value::List(l) => Some(Rc::as_ptr(l) as *const () as usize),
        Value::Map(m) => Some(Rc::as_ptr(m) as *const () as usize),
        _ => None,
    }
}

fn children(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l
            .borrow()
            .iter()
            .filter(|c| addr(c).is_some())
            .cloned()
            .collect(),
        Value::Map(m) => m
            .borrow()
            .values()
            .filter(|c| addr(c).is_some())
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

impl Ctx<'_, '_> {
    /// `item` is about to go into `target`.
    pub(crate) fn adopt(&mut self, target: &Value, item: &Value, pos: Pos) -> R<()> {
        let (Some(parent), Some(_)) = (addr(target), addr(item)) else {
            return Ok(());
        };
        let base = self.nesting.levels.get(&parent).map_or(0, |e| e.0) + 1;
        let mut stack = vec![(item.clone(), base)];
        while let Some((v, level)) = stack.pop() {
            self.tick(1, pos)?;
            let Some(a) = addr(&v) else { continue };
            if a == parent {
                return Err(Fail::Java {
                    exception: "java.lang.StackOverflowError",
                    message: "a list or map would contain itself".into(),
                    pos,
                }
                .into());
            }
            if level > MAX_NESTING {
                return Err(Fail::Limit {
                    what: "nesting of lists and maps",
                    limit: MAX_NESTING as usize,
                    pos,
                }
                .into());
            }
            let entry = self
                .nesting
                .levels
                .entry(a)
                .or_insert_with(|| (0, v.clone()));
            entry.0 = entry.0.max(level);
            for child in children(&v) {
                stack.push((child, level + 1));
            }
        }
        Ok(())
    }

    /// A new container's own elements (a list or map literal).
    pub(crate) fn adopt_children(&mut self, container: &Value, pos: Pos) -> R<()> {
        for child in children(container) {
            self.adopt(container, &child, pos)?;
        }
        Ok(())
    }
}

/// Work to print a list or map: the number of values in it (bounded walk).
pub(crate) fn size_hint(v: &Value) -> u64 {
    let mut count = 0u64;
    let mut stack = vec![(v.clone(), 0u32)];
    while let Some((v, depth)) = stack.pop() {
        count += 1;
        if count > 1_000_000 || depth > 400 {
            break;
        }
        match &v {
            Value::List(l) => {
                count += l.borrow().len() as u64;
                stack.extend(children(&v).into_iter().map(|c| (c, depth + 1)));
            }
            Value::Map(m) => {
                count += m.borrow().len() as u64;
                stack.extend(children(&v).into_iter().map(|c| (c, depth + 1)));
            }
            _ => {}
        }
    }
    count
}
