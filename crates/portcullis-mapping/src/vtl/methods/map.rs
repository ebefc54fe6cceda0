//! `java.util.Map` methods (`LinkedHashMap`: insertion order).

use std::rc::Rc;

use crate::value::{Map, Value};
use crate::vtl::ast::Pos;
use crate::vtl::eval::Ctx;
use crate::vtl::ops::java_equals;
use crate::vtl::rt::{NULL, Obj, R};

impl<'t> Ctx<'t, '_> {
    /// A map key from any value (maps here are keyed by strings).
    fn key(&mut self, k: &Obj<'t>, pos: Pos) -> R<Option<Rc<str>>> {
        if k.is_null() {
            return Ok(None);
        }
        Ok(Some(self.java_string(k, pos)?))
    }

    pub(crate) fn map_method(
        &mut self,
        m: &Map,
        name: &str,
        args: &mut Vec<Obj<'t>>,
        pos: Pos,
    ) -> R<Obj<'t>> {
        let mut args = args.drain(..);
        let (a, b) = (args.next(), args.next());
        drop(args);
        let target = Value::Map(m.clone());
        Ok(match (name, a, b) {
            ("size", None, None) => Obj::Val(Value::Int(m.borrow().len() as i64)),
            ("hashCode", None, None) => Obj::Val(Value::Int(i64::from(
                crate::vtl::access::java_hash(&Value::Map(m.clone())),
            ))),
            ("isEmpty", None, None) => Obj::bool(m.borrow().is_empty()),
            ("get", Some(k), None) => match self.key(&k, pos)? {
                Some(k) => m.borrow().get(&k).cloned().map_or(NULL, Obj::Val),
                None => NULL,
            },
            ("getOrDefault", Some(k), Some(d)) => match self.key(&k, pos)? {
                Some(k) => m.borrow().get(&k).cloned().map_or(d, Obj::Val),
                None => d,
            },
            ("containsKey", Some(k), None) => match self.key(&k, pos)? {
                Some(k) => Obj::bool(m.borrow().contains_key(&k)),
                None => Obj::bool(false),
            },
            ("containsValue", Some(v), None) => {
                self.tick(m.borrow().len() as u64, pos)?;
                Obj::bool(
                    v.val()
                        .is_some_and(|v| m.borrow().values().any(|x| java_equals(x, v))),
                )
            }
            ("put" | "putIfAbsent", Some(k), Some(v)) => {
                let Some(k) = self.key(&k, pos)? else {
                    return Ok(NULL);
                };
                let existing = m.borrow().get(&k).filter(|v| !v.is_null()).cloned();
                if let (true, Some(old)) = (name == "putIfAbsent", existing) {
                    return Ok(Obj::Val(old));
                }
                let v = v.into_value();
                self.adopt(&target, &v, pos)?;
                m.borrow_mut().insert(k, v).map_or(NULL, Obj::Val)
            }
            ("putAll", Some(Obj::Val(Value::Map(other))), None) => {
                let entries: Vec<(Rc<str>, Value)> = other
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.tick(entries.len() as u64, pos)?;
                for (_, v) in &entries {
                    self.adopt(&target, v, pos)?;
                }
                m.borrow_mut().extend(entries);
                Obj::string("")
            }
            ("remove", Some(k), None) => match self.key(&k, pos)? {
                Some(k) => m.borrow_mut().shift_remove(&k).map_or(NULL, Obj::Val),
                None => NULL,
            },
            ("clear", None, None) => {
                m.borrow_mut().clear();
                Obj::string("")
            }
            ("keySet", None, None) => {
                let keys: Vec<Value> = m
                    .borrow()
                    .keys()
                    .map(|k| Value::String(k.clone()))
                    .collect();
                self.tick(keys.len() as u64, pos)?;
                Obj::Val(Value::list(keys))
            }
            ("values", None, None) => {
                let values: Vec<Value> = m.borrow().values().cloned().collect();
                self.tick(values.len() as u64, pos)?;
                let list = Value::list(values);
                self.adopt_children(&list, pos)?;
                Obj::Val(list)
            }
            ("entrySet", None, None) => Obj::EntrySet(m.clone()),
            _ => NULL,
        })
    }
}
