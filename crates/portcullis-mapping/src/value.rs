//! Template values, modelled on the Java objects Velocity works with on AWS.
//!
//! Lists and maps are shared references, as in Java: `#set($b = $a)` then
//! `$b.add(1)` changes `$a` too. A render is single-threaded, so `Rc<RefCell>`.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;

/// A Java list (`ArrayList`), shared by reference.
pub type List = Rc<RefCell<Vec<Value>>>;
/// A Java map (`LinkedHashMap`: insertion order), shared by reference.
pub type Map = Rc<RefCell<IndexMap<String, Value>>>;

/// A value a template can hold.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Java `null`; also what an undefined reference evaluates to.
    #[default]
    Null,
    /// `Boolean`.
    Bool(bool),
    /// `Integer` / `Long`.
    Int(i64),
    /// `Double` (Velocity float literals and arithmetic, JSON decimals).
    Float(f64),
    /// `String`.
    String(Rc<str>),
    /// `ArrayList`.
    List(List),
    /// `LinkedHashMap`.
    Map(Map),
}

impl Value {
    /// A string value.
    pub fn string(text: impl Into<Rc<str>>) -> Self {
        Value::String(text.into())
    }

    /// A new list holding `items`.
    pub fn list(items: Vec<Value>) -> Self {
        Value::List(Rc::new(RefCell::new(items)))
    }

    /// A new map holding `entries`.
    pub fn map(entries: IndexMap<String, Value>) -> Self {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}
