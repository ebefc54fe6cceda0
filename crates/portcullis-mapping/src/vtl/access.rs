//! Property, index and method access on values, as Velocity's introspection resolves
//! them: `$x.name` tries `getName()`, then `get("name")` on maps, then `isName()`;
//! `$x[i]` calls `get(i)`; a method that does not exist gives null.

use super::ast::Pos;
use super::eval::Ctx;
use super::rt::{NULL, Obj, R};
use crate::value::Value;

impl<'t> Ctx<'t, '_> {
    pub(crate) fn property(&mut self, target: Obj<'t>, name: &str, pos: Pos) -> R<Obj<'t>> {
        if name == "class" {
            return Ok(Obj::Class(target.class_name()));
        }
        Ok(match &target {
            Obj::Val(Value::Map(m)) => m.borrow().get(name).cloned().map_or(NULL, Obj::Val),
            Obj::Val(Value::List(l)) if name == "empty" => Obj::bool(l.borrow().is_empty()),
            Obj::Val(Value::String(s)) => match name {
                "empty" => Obj::bool(s.is_empty()),
                "blank" => Obj::bool(s.chars().all(super::jstr::is_java_whitespace)),
                "bytes" => java_bytes(s),
                _ => NULL,
            },
            Obj::Input if name == "body" => {
                return self.method(target, "body", &mut Vec::new(), pos);
            }
            Obj::Entry(entry) => match name {
                "key" => Obj::Val(Value::String(entry.0.clone())),
                "value" => Obj::Val(entry.1.clone()),
                _ => NULL,
            },
            Obj::EntrySet(m) if name == "empty" => Obj::bool(m.borrow().is_empty()),
            Obj::Foreach(f) => match name {
                "index" => Obj::Val(Value::Int(f.index)),
                "count" => Obj::Val(Value::Int(f.index + 1)),
                "hasNext" => Obj::bool(f.has_next),
                "first" => Obj::bool(f.index == 0),
                "last" => Obj::bool(!f.has_next),
                _ => NULL,
            },
            Obj::Class(c) => match name {
                "name" => Obj::string(*c),
                "simpleName" => Obj::string(c.rsplit(['.', '$']).next().unwrap_or(c)),
                _ => NULL,
            },
            _ => NULL,
        })
    }

    /// `$x[key]`: `get(key)`; a negative list index counts from the end.
    pub(crate) fn index(&mut self, target: Obj<'t>, key: Obj<'t>, pos: Pos) -> R<Obj<'t>> {
        self.tick(1, pos)?;
        match &target {
            Obj::Val(Value::List(l)) => {
                let Some(i) = key.int() else { return Ok(NULL) };
                let len = l.borrow().len() as i64;
                let idx = if i < 0 { i + len } else { i };
                self.method(target, "get", &mut vec![Obj::Val(Value::Int(idx))], pos)
            }
            Obj::Val(Value::Map(_)) => self.method(target, "get", &mut vec![key], pos),
            _ => Ok(NULL),
        }
    }

    /// `$x.name(args)`.
    pub(crate) fn method(
        &mut self,
        target: Obj<'t>,
        name: &str,
        args: &mut Vec<Obj<'t>>,
        pos: Pos,
    ) -> R<Obj<'t>> {
        self.tick(1, pos)?;
        match (name, args.len()) {
            ("toString", 0) => {
                return Ok(Obj::Val(Value::String(self.java_string(&target, pos)?)));
            }
            ("equals", 1) => {
                return Ok(Obj::bool(match (target.val(), args[0].val()) {
                    (Some(a), Some(b)) => super::ops::java_equals(a, b),
                    _ => false,
                }));
            }
            ("getClass", 0) => return Ok(Obj::Class(target.class_name())),
            _ => {}
        }
        match target {
            Obj::Val(Value::String(s)) => self.string_method(&s, name, args, pos),
            Obj::Val(Value::List(l)) => self.list_method(&l, name, args, pos),
            Obj::Val(Value::Map(m)) => self.map_method(&m, name, args, pos),
            Obj::Val(v @ (Value::Int(_) | Value::Float(_) | Value::Bool(_))) => {
                Ok(scalar_method(&v, name, args))
            }
            Obj::Input => self.input_method(name, args, pos),
            Obj::Util => self.util_method(name, args, pos),
            Obj::EntrySet(m) => Ok(match name {
                "size" => Obj::Val(Value::Int(m.borrow().len() as i64)),
                "isEmpty" => Obj::bool(m.borrow().is_empty()),
                _ => NULL,
            }),
            Obj::Entry(entry) => Ok(match name {
                "getKey" => Obj::Val(Value::String(entry.0)),
                "getValue" => Obj::Val(entry.1),
                _ => NULL,
            }),
            Obj::Foreach(f) => Ok(match name {
                "getIndex" => Obj::Val(Value::Int(f.index)),
                "getCount" => Obj::Val(Value::Int(f.index + 1)),
                "hasNext" | "getHasNext" => Obj::bool(f.has_next),
                "isFirst" | "getFirst" => Obj::bool(f.index == 0),
                "isLast" | "getLast" => Obj::bool(!f.has_next),
                _ => NULL,
            }),
            Obj::Class(c) => Ok(match name {
                "getName" => Obj::string(c),
                "getSimpleName" => Obj::string(c.rsplit(['.', '$']).next().unwrap_or(c)),
                _ => NULL,
            }),
            _ => Ok(NULL),
        }
    }
}

/// `String.getBytes()` (UTF-8, Java's default charset on AWS): Java bytes are
/// signed, so a list of numbers from -128 to 127.
pub(crate) fn java_bytes(s: &str) -> Obj<'static> {
    Obj::Val(Value::list(
        s.bytes().map(|b| Value::Int(i64::from(b as i8))).collect(),
    ))
}

/// Java's `hashCode()` of a template value: `String`, `Integer` (or `Long`
/// past `int`'s range), `Double`, `Boolean`, `ArrayList` (31·h + e) and
/// `LinkedHashMap` (the sum of `key ^ value` over its entries).
pub(crate) fn java_hash(v: &Value) -> i32 {
    match v {
        Value::Null => 0,
        Value::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::Int(i) => match i32::try_from(*i) {
            Ok(small) => small,
            Err(_) => (*i ^ (*i >> 32)) as i32,
        },
        Value::Float(f) => {
            // Double.hashCode: the bits, with every NaN collapsed to the canonical one.
            let bits = if f.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                f.to_bits()
            };
            (bits ^ (bits >> 32)) as i32
        }
        Value::String(s) => super::jstr::Units::new(s).hash_code(),
        Value::List(l) => l
            .borrow()
            .iter()
            .fold(1i32, |h, e| h.wrapping_mul(31).wrapping_add(java_hash(e))),
        Value::Map(m) => m.borrow().iter().fold(0i32, |h, (k, v)| {
            h.wrapping_add(super::jstr::Units::new(k).hash_code() ^ java_hash(v))
        }),
    }
}

/// Methods of `Integer`, `Long`, `Double` and `Boolean`.
fn scalar_method(v: &Value, name: &str, args: &[Obj<'_>]) -> Obj<'static> {
    match (v, name, args.len()) {
        (_, "hashCode", 0) => Obj::Val(Value::Int(i64::from(java_hash(v)))),
        (Value::Int(i), "byteValue", 0) => Obj::Val(Value::Int(i64::from(*i as i8))),
        (Value::Int(i), "shortValue", 0) => Obj::Val(Value::Int(i64::from(*i as i16))),
        // Java narrows a double to int first, then to byte or short.
        (Value::Float(f), "byteValue", 0) => Obj::Val(Value::Int(i64::from(*f as i32 as i8))),
        (Value::Float(f), "shortValue", 0) => Obj::Val(Value::Int(i64::from(*f as i32 as i16))),
        (Value::Int(i), "intValue", 0) => Obj::Val(Value::Int(i64::from(*i as i32))),
        (Value::Int(i), "longValue", 0) => Obj::Val(Value::Int(*i)),
        (Value::Int(i), "doubleValue", 0) => Obj::Val(Value::Float(*i as f64)),
        (Value::Float(f), "intValue", 0) => Obj::Val(Value::Int(i64::from(*f as i32))),
        (Value::Float(f), "longValue", 0) => Obj::Val(Value::Int(*f as i64)),
        (Value::Float(f), "doubleValue", 0) => Obj::Val(Value::Float(*f)),
        (Value::Float(f), "isNaN", 0) => Obj::bool(f.is_nan()),
        (Value::Float(f), "isInfinite", 0) => Obj::bool(f.is_infinite()),
        (Value::Bool(b), "booleanValue", 0) => Obj::bool(*b),
        (Value::Int(a), "compareTo", 1) => match args[0].int() {
            Some(b) => Obj::Val(Value::Int(a.cmp(&b) as i64)),
            None => NULL,
        },
        _ => NULL,
    }
}
