//! `java.util.List` methods (`ArrayList`).

use crate::value::{List, Value};
use crate::vtl::ast::Pos;
use crate::vtl::eval::Ctx;
use crate::vtl::ops::java_equals;
use crate::vtl::rt::{NULL, Obj, R, java};

const IOOBE: &str = "java.lang.IndexOutOfBoundsException";

fn int(i: usize) -> Obj<'static> {
    Obj::Val(Value::Int(i as i64))
}

impl<'t> Ctx<'t, '_> {
    pub(crate) fn list_method(
        &mut self,
        l: &List,
        name: &str,
        args: &mut Vec<Obj<'t>>,
        pos: Pos,
    ) -> R<Obj<'t>> {
        let len = l.borrow().len();
        let index = |a: &Obj<'_>, max: usize| -> Option<Result<usize, String>> {
            let i = a.int()?;
            Some(if i < 0 || i as u64 > max as u64 {
                Err(format!("Index {i} out of bounds for length {len}"))
            } else {
                Ok(i as usize)
            })
        };
        let mut args = args.drain(..);
        let (a, b) = (args.next(), args.next());
        drop(args);
        let target = Value::List(l.clone());
        Ok(match (name, a, b) {
            ("size", None, None) => int(len),
            ("hashCode", None, None) => Obj::Val(Value::Int(i64::from(
                crate::vtl::access::java_hash(&target),
            ))),
            ("isEmpty", None, None) => Obj::bool(len == 0),
            ("get", Some(i), None) => match index(&i, len.saturating_sub(1)) {
                Some(Ok(i)) if i < len => Obj::Val(l.borrow()[i].clone()),
                Some(Ok(i)) => {
                    return java(
                        IOOBE,
                        format!("Index {i} out of bounds for length {len}"),
                        pos,
                    );
                }
                Some(Err(m)) => return java(IOOBE, m, pos),
                None => NULL,
            },
            ("add", Some(v), None) => {
                let v = v.into_value();
                self.adopt(&target, &v, pos)?;
                l.borrow_mut().push(v);
                Obj::bool(true)
            }
            ("add", Some(i), Some(v)) => match index(&i, len) {
                Some(Ok(i)) => {
                    let v = v.into_value();
                    self.adopt(&target, &v, pos)?;
                    l.borrow_mut().insert(i, v);
                    Obj::string("")
                }
                Some(Err(m)) => return java(IOOBE, m, pos),
                None => NULL,
            },
            ("set", Some(i), Some(v)) => match index(&i, len.saturating_sub(1)) {
                Some(Ok(i)) if i < len => {
                    let v = v.into_value();
                    self.adopt(&target, &v, pos)?;
                    Obj::Val(std::mem::replace(&mut l.borrow_mut()[i], v))
                }
                Some(Ok(i)) => {
                    return java(
                        IOOBE,
                        format!("Index {i} out of bounds for length {len}"),
                        pos,
                    );
                }
                Some(Err(m)) => return java(IOOBE, m, pos),
                None => NULL,
            },
            ("addAll", Some(Obj::Val(Value::List(other))), None) => {
                let items: Vec<Value> = other.borrow().clone();
                for v in &items {
                    self.adopt(&target, v, pos)?;
                }
                self.tick(items.len() as u64, pos)?;
                l.borrow_mut().extend(items);
                Obj::bool(true)
            }
            ("remove", Some(Obj::Val(Value::Int(i))), None) => {
                if i < 0 || i as u64 >= len as u64 {
                    return java(
                        IOOBE,
                        format!("Index {i} out of bounds for length {len}"),
                        pos,
                    );
                }
                Obj::Val(l.borrow_mut().remove(i as usize))
            }
            ("remove", Some(v), None) => {
                let found = v
                    .val()
                    .and_then(|v| l.borrow().iter().position(|x| java_equals(x, v)));
                if let Some(i) = found {
                    l.borrow_mut().remove(i);
                }
                Obj::bool(found.is_some())
            }
            ("contains" | "indexOf" | "lastIndexOf", Some(v), None) => {
                self.tick(len as u64, pos)?;
                let Some(v) = v.val() else {
                    return Ok(if name == "contains" {
                        Obj::bool(false)
                    } else {
                        Obj::Val(Value::Int(-1))
                    });
                };
                let items = l.borrow();
                let found = if name == "lastIndexOf" {
                    items.iter().rposition(|x| java_equals(x, v))
                } else {
                    items.iter().position(|x| java_equals(x, v))
                };
                match name {
                    "contains" => Obj::bool(found.is_some()),
                    _ => Obj::Val(Value::Int(found.map_or(-1, |i| i as i64))),
                }
            }
            ("clear", None, None) => {
                l.borrow_mut().clear();
                Obj::string("")
            }
            ("subList", Some(from), Some(to)) => match (from.int(), to.int()) {
                (Some(f), Some(t)) if 0 <= f && f <= t && t as u64 <= len as u64 => {
                    Obj::Val(Value::list(l.borrow()[f as usize..t as usize].to_vec()))
                }
                (Some(f), Some(t)) => {
                    return java(
                        IOOBE,
                        format!("fromIndex: {f}, toIndex: {t}, size: {len}"),
                        pos,
                    );
                }
                _ => NULL,
            },
            _ => NULL,
        })
    }
}
