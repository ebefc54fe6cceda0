//! Template values, modelled on the Java objects Velocity works with on AWS.
//!
//! Lists and maps are shared references, as in Java: `#set($b = $a)` then
//! `$b.add(1)` changes `$a` too. A render is single-threaded, so `Rc<RefCell>`.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use indexmap::IndexMap;

/// The hasher of template maps: `foldhash` (fast on the short keys of JSON
/// objects and headers), seeded at random.
pub type MapHasher = foldhash::fast::RandomState;

/// A map's entries, in insertion order.
pub type Entries = IndexMap<String, Value, MapHasher>;

/// A Java list (`ArrayList`), shared by reference.
pub type List = Rc<ListCell>;
/// A Java map (`LinkedHashMap`: insertion order), shared by reference.
pub type Map = Rc<RefCell<Entries>>;

/// A list's items, and whether the list was read from JSON.
///
/// Dereferences to the `RefCell` of its items (`list.borrow()`,
/// `list.borrow_mut()`).
#[derive(Debug, Default)]
pub struct ListCell {
    items: RefCell<Vec<Value>>,
    json: bool,
}

impl ListCell {
    /// A Java list (`ArrayList`) holding `items`.
    pub fn new(items: Vec<Value>) -> Self {
        ListCell {
            items: RefCell::new(items),
            json: false,
        }
    }

    /// A list read from JSON (json-smart's `JSONArray`), which prints as JSON
    /// text. The mark stays with the list whatever is later put into it.
    pub fn json(items: Vec<Value>) -> Self {
        ListCell {
            items: RefCell::new(items),
            json: true,
        }
    }

    /// Whether this list was read from JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }
}

impl Deref for ListCell {
    type Target = RefCell<Vec<Value>>;

    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

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
        Value::List(Rc::new(ListCell::new(items)))
    }

    /// A new map holding `entries` (re-hashed with [`MapHasher`];
    /// [`Value::from_entries`] takes [`Entries`] as they are).
    pub fn map(entries: IndexMap<String, Value>) -> Self {
        Value::from_entries(entries.into_iter().collect())
    }

    /// A new map holding `entries`, as they are.
    pub fn from_entries(entries: Entries) -> Self {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// An empty map.
    pub fn empty_map() -> Self {
        Value::from_entries(Entries::default())
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}
