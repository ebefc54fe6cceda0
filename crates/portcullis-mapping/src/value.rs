//! Template values, modelled on the Java objects Velocity works with on AWS.
//!
//! Lists and maps are shared references, as in Java: `#set($b = $a)` then
//! `$b.add(1)` changes `$a` too. A render is single-threaded, so `Rc<RefCell>`.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use std::collections::HashMap;

use indexmap::IndexMap;

/// The hasher of template maps: `foldhash` (fast on the short keys of JSON
/// objects and headers), seeded at random.
pub type MapHasher = foldhash::fast::RandomState;

/// Most entries a map holds before it keeps an index by key; smaller maps
/// (most JSON objects, parameter sets) are searched in order, which is
/// faster than hashing on short keys.
const SMALL_MAP: usize = 16;

/// A map's entries, in insertion order (a Java `LinkedHashMap`'s contents).
///
/// Keys are shared strings: `keySet()` and `entrySet()` hand them out without
/// copying, and a JSON document's repeated names share one string. Putting
/// an existing key replaces its value in place; removing one keeps the order
/// of the rest.
#[derive(Clone, Default)]
pub struct Entries {
    items: Vec<(Rc<str>, Value)>,
    /// Positions by key, kept once the map has more than [`SMALL_MAP`] entries.
    index: Option<HashMap<Rc<str>, usize, MapHasher>>,
}

impl Entries {
    /// An empty map.
    pub fn new() -> Self {
        Entries::default()
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Entries {
            items: Vec::with_capacity(capacity),
            index: None,
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The position of `key`.
    pub fn get_index_of(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => {
                // Length and first byte first: most keys differ there, without
                // a call to compare the bytes.
                let (len, first) = (key.len(), key.as_bytes().first());
                self.items.iter().position(|(k, _)| {
                    k.len() == len && k.as_bytes().first() == first && **k == *key
                })
            }
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_index_of(key).map(|i| &self.items[i].1)
    }

    /// The value of `key`, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.get_index_of(key).map(|i| &mut self.items[i].1)
    }

    /// Whether `key` has an entry.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get_index_of(key).is_some()
    }

    /// Puts `value` under `key`: an existing key keeps its place (and its
    /// string) and gets the new value, which returns the old one; a new key
    /// goes last.
    pub fn insert(&mut self, key: Rc<str>, value: Value) -> Option<Value> {
        self.insert_key(key, value)
    }

    /// [`Entries::insert`] with a borrowed key, copied only when new.
    pub fn insert_str(&mut self, key: &str, value: Value) -> Option<Value> {
        self.insert_key(key, value)
    }

    fn insert_key<K: Into<Rc<str>> + AsRef<str>>(&mut self, key: K, value: Value) -> Option<Value> {
        if let Some(i) = self.get_index_of(key.as_ref()) {
            return Some(std::mem::replace(&mut self.items[i].1, value));
        }
        self.push_new(key.into(), value);
        None
    }

    /// Adds an entry whose key is not in the map.
    fn push_new(&mut self, key: Rc<str>, value: Value) {
        let at = self.items.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), at);
            }
            None if at >= SMALL_MAP => {
                let mut index = HashMap::with_capacity_and_hasher(at + 1, MapHasher::default());
                for (i, (k, _)) in self.items.iter().enumerate() {
                    index.insert(k.clone(), i);
                }
                index.insert(key.clone(), at);
                self.index = Some(index);
            }
            None => {}
        }
        self.items.push((key, value));
    }

    /// Removes `key`'s entry, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let at = self.get_index_of(key)?;
        let (_, value) = self.items.remove(at);
        if let Some(index) = &mut self.index {
            if self.items.len() <= SMALL_MAP {
                self.index = None;
            } else {
                index.remove(key);
                for (k, _) in &self.items[at..] {
                    if let Some(i) = index.get_mut(&**k) {
                        *i -= 1;
                    }
                }
            }
        }
        Some(value)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.items.clear();
        self.index = None;
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Rc<str>> + DoubleEndedIterator {
        self.items.iter().map(|(k, _)| k)
    }

    /// The values, in order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> + DoubleEndedIterator {
        self.items.iter().map(|(_, v)| v)
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Rc<str>, &Value)> + DoubleEndedIterator {
        self.items.iter().map(|(k, v)| (k, v))
    }
}

impl std::ops::Index<&str> for Entries {
    type Output = Value;

    /// The value of `key`; panics if there is none.
    fn index(&self, key: &str) -> &Value {
        self.get(key).expect("Entries: key not found")
    }
}

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<Rc<str>> + AsRef<str>> Extend<(K, Value)> for Entries {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert_key(k, v);
        }
    }
}

impl<K: Into<Rc<str>> + AsRef<str>> FromIterator<(K, Value)> for Entries {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut entries = Entries::with_capacity(iter.size_hint().0);
        entries.extend(iter);
        entries
    }
}

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

    /// A new map holding `entries`, in their order ([`Value::from_entries`]
    /// takes [`Entries`]).
    pub fn map(entries: IndexMap<String, Value>) -> Self {
        Value::from_entries(entries.into_iter().collect())
    }

    /// A new map holding `entries`, as they are.
    pub fn from_entries(entries: Entries) -> Self {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// An empty map.
    pub fn empty_map() -> Self {
        Value::from_entries(Entries::new())
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(m: &Entries) -> Vec<String> {
        m.keys().map(|k| k.to_string()).collect()
    }

    #[test]
    fn entries_keep_insertion_order_small_and_indexed() {
        for size in [3, SMALL_MAP, SMALL_MAP + 1, 3 * SMALL_MAP] {
            let mut m = Entries::new();
            for i in 0..size {
                assert!(
                    m.insert(format!("k{i}").into(), Value::Int(i as i64))
                        .is_none()
                );
            }
            assert_eq!(m.index.is_some(), size > SMALL_MAP, "{size}");
            // Putting an existing key keeps its place and returns the old value.
            assert!(matches!(
                m.insert_str("k1", Value::Int(-1)),
                Some(Value::Int(1))
            ));
            assert!(matches!(m.get("k1"), Some(Value::Int(-1))));
            assert_eq!(m.len(), size);
            // Removing keeps the others in order, and every key still found.
            assert!(matches!(m.shift_remove("k0"), Some(Value::Int(0))));
            assert!(m.shift_remove("k0").is_none());
            let want: Vec<String> = (1..size).map(|i| format!("k{i}")).collect();
            assert_eq!(keys(&m), want);
            for (i, k) in want.iter().enumerate() {
                assert_eq!(m.get_index_of(k), Some(i), "{size} {k}");
            }
            assert!(!m.contains_key("k0") && m.get("missing").is_none());
            m.insert("k0".into(), Value::Null);
            assert_eq!(keys(&m).last().map(String::as_str), Some("k0"));
            assert_eq!(m.get_index_of("k0"), Some(size - 1));
            m.clear();
            assert!(m.is_empty() && m.index.is_none() && m.get("k1").is_none());
        }
    }

    #[test]
    fn entries_from_pairs_take_the_last_value_of_a_repeated_key() {
        let m: Entries = [
            ("a", Value::Int(1)),
            ("b", Value::Int(2)),
            ("a", Value::Int(3)),
        ]
        .into_iter()
        .collect();
        assert_eq!(keys(&m), ["a", "b"]);
        assert!(matches!(m["a"], Value::Int(3)));
        let v = Value::map(IndexMap::from([("x".to_string(), Value::Bool(true))]));
        assert_eq!(v.to_string(), "{x=true}");
    }
}
