//! Runtime pieces: values as the evaluator sees them, failures, the bounded output.

use std::fmt;
use std::rc::Rc;

use super::ast::{Block, Pos};
use crate::value::{Map, Value};

/// A value in the evaluator: a template [`Value`], or one of the Java objects that
/// only exist while rendering.
#[derive(Clone)]
pub(crate) enum Obj<'t> {
    Val(Value),
    /// `$input`.
    Input,
    /// `$util`.
    Util,
    /// A `#define`d block or a block macro's `$bodyContent`: renders when printed.
    Block(&'t Block),
    /// A `Map.Entry` from `entrySet()`: its key and value when iterated.
    /// Boxed, so that every evaluator value stays the size of a [`Value`].
    Entry(Box<(Rc<str>, Value)>),
    /// A map's `entrySet()`.
    EntrySet(Map),
    /// `$foreach`.
    Foreach(Foreach),
    /// `getClass()`: the class name.
    Class(&'static str),
}

#[derive(Clone, Copy)]
pub(crate) struct Foreach {
    pub(crate) index: i64,
    pub(crate) has_next: bool,
}

pub(crate) const NULL: Obj<'static> = Obj::Val(Value::Null);

impl<'t> Obj<'t> {
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Obj::Val(Value::Null))
    }

    pub(crate) fn val(&self) -> Option<&Value> {
        match self {
            Obj::Val(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn str(&self) -> Option<&Rc<str>> {
        match self {
            Obj::Val(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Obj::Val(Value::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// The value to store in a list or map. Runtime-only objects degrade: an entry
    /// becomes a `{key, value}` map, the rest `null`.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Obj::Val(v) => v,
            Obj::Entry(entry) => {
                let (k, v) = *entry;
                let mut m = crate::value::Entries::default();
                m.insert("key".into(), Value::String(k));
                m.insert("value".into(), v);
                Value::from_entries(m)
            }
            Obj::Foreach(f) => {
                let mut m = crate::value::Entries::default();
                m.insert("index".into(), Value::Int(f.index));
                m.insert("hasNext".into(), Value::Bool(f.has_next));
                Value::from_entries(m)
            }
            _ => Value::Null,
        }
    }

    pub(crate) fn bool(b: bool) -> Self {
        Obj::Val(Value::Bool(b))
    }

    pub(crate) fn string(s: impl Into<Rc<str>>) -> Self {
        Obj::Val(Value::String(s.into()))
    }

    /// The Java class name, for `getClass()`.
    pub(crate) fn class_name(&self) -> &'static str {
        match self {
            Obj::Val(Value::Null) => "null",
            Obj::Val(Value::Bool(_)) => "java.lang.Boolean",
            Obj::Val(Value::Int(i)) if i32::try_from(*i).is_ok() => "java.lang.Integer",
            Obj::Val(Value::Int(_)) => "java.lang.Long",
            Obj::Val(Value::Float(_)) => "java.lang.Double",
            Obj::Val(Value::String(_)) => "java.lang.String",
            Obj::Val(Value::List(_)) => "java.util.ArrayList",
            Obj::Val(Value::Map(_)) => "java.util.LinkedHashMap",
            Obj::Input => "com.amazonaws.apigateway.Input",
            Obj::Util => "com.amazonaws.apigateway.Util",
            Obj::Block(_) => "org.apache.velocity.runtime.directive.Block$Reference",
            Obj::Entry(..) => "java.util.LinkedHashMap$Entry",
            Obj::EntrySet(_) => "java.util.LinkedHashMap$LinkedEntrySet",
            Obj::Foreach(_) => "org.apache.velocity.runtime.directive.ForeachScope",
            Obj::Class(_) => "java.lang.Class",
        }
    }
}

/// Why a render stopped early.
#[derive(Debug)]
pub(crate) enum Fail {
    /// A Java exception.
    Java {
        exception: &'static str,
        message: String,
        pos: Pos,
    },
    Limit {
        what: &'static str,
        limit: usize,
        pos: Pos,
    },
    Unsupported {
        what: &'static str,
        pos: Pos,
    },
    /// `#stop`: not an error; unwinds to the top.
    Stop,
}

/// A result in the evaluator. The failure is boxed so that results (moved
/// through every evaluation step) stay the size of their value.
pub(crate) type R<T> = Result<T, Box<Fail>>;

pub(crate) fn java<T>(exception: &'static str, message: impl Into<String>, pos: Pos) -> R<T> {
    Err(Fail::Java {
        exception,
        message: message.into(),
        pos,
    }
    .into())
}

/// How a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    /// `#break`: ends the innermost `#foreach`, macro, `#define` or template.
    Break,
    /// `#stop`: ends the render.
    Stop,
}

/// Output with a size bound; writes past it fail.
pub(crate) struct Out {
    pub(crate) buf: String,
    pub(crate) limit: usize,
}

impl Out {
    pub(crate) fn new(limit: usize) -> Self {
        Out {
            buf: String::new(),
            limit,
        }
    }
    /// An output with room for `capacity` bytes (at most `limit`).
    pub(crate) fn with_capacity(limit: usize, capacity: usize) -> Self {
        Out {
            buf: String::with_capacity(capacity.min(limit)),
            limit,
        }
    }

    pub(crate) fn push(&mut self, s: &str, pos: Pos) -> R<()> {
        if self.buf.len() + s.len() > self.limit {
            return Err(Fail::Limit {
                what: "output size in bytes",
                limit: self.limit,
                pos,
            }
            .into());
        }
        self.buf.push_str(s);
        Ok(())
    }
}

impl fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.buf.len() + s.len() > self.limit {
            return Err(fmt::Error);
        }
        self.buf.push_str(s);
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_the_size_of_their_values() {
        // The failure is boxed: results moved through evaluation stay small.
        assert_eq!(size_of::<R<Obj<'static>>>(), size_of::<Obj<'static>>());
        assert_eq!(size_of::<R<()>>(), size_of::<usize>());
        // And they are no bigger than template values.
        assert_eq!(size_of::<Obj<'static>>(), size_of::<Value>());
    }
}
