//! Evaluating a parsed path over a document, as Jayway JsonPath does:
//! a missing property or index yields nothing (no error), a wildcard, scan,
//! slice or filter visits children in document order, and `..` applies the
//! next step to a node before its descendants (pre-order).

use serde_json::Value as J;

use super::filter;
use super::parse::Token;
use crate::json;
use crate::render::MAX_DEPTH;
use crate::value::Value;

/// Most nodes one evaluation visits (bounds work on self-referencing values).
pub(super) const MAX_VISITS: usize = 1_000_000;
/// Deepest recursion of one evaluation (path steps, scans, nested filters).
const MAX_EVAL_DEPTH: usize = 1_000;

/// A document a path can walk: template values (shared, mutable) or
/// `serde_json` values (borrowed).
pub(super) trait Node: Clone {
    fn get_key(&self, key: &str) -> Option<Self>;
    fn get_index(&self, index: usize) -> Option<Self>;
    /// `Some(length)` for an array.
    fn array_len(&self) -> Option<usize>;
    fn is_object(&self) -> bool;
    /// An object's values or an array's items, in order; nothing for scalars.
    fn children(&self) -> Vec<Self>;
    fn to_serde(&self) -> J;
}

impl Node for Value {
    fn get_key(&self, key: &str) -> Option<Self> {
        match self {
            Value::Map(map) => map.try_borrow().ok()?.get(key).cloned(),
            _ => None,
        }
    }

    fn get_index(&self, index: usize) -> Option<Self> {
        match self {
            Value::List(list) => list.try_borrow().ok()?.get(index).cloned(),
            _ => None,
        }
    }

    fn array_len(&self) -> Option<usize> {
        match self {
            Value::List(list) => Some(list.try_borrow().map_or(0, |items| items.len())),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Value::Map(_))
    }

    fn children(&self) -> Vec<Self> {
        match self {
            Value::Map(map) => map
                .try_borrow()
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default(),
            Value::List(list) => list.try_borrow().map(|l| l.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn to_serde(&self) -> J {
        json::to_serde(self)
    }
}

impl Node for &J {
    fn get_key(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key)
    }

    fn get_index(&self, index: usize) -> Option<Self> {
        self.as_array()?.get(index)
    }

    fn array_len(&self) -> Option<usize> {
        self.as_array().map(Vec::len)
    }

    fn is_object(&self) -> bool {
        J::is_object(self)
    }

    fn children(&self) -> Vec<Self> {
        match self {
            J::Object(map) => map.values().collect(),
            J::Array(items) => items.iter().collect(),
            _ => Vec::new(),
        }
    }

    fn to_serde(&self) -> J {
        (*self).clone()
    }
}

/// One result: a node of the document, or the map that a multi-name leaf
/// (`$['a','b']`) builds from the names present.
pub(super) enum Hit<N> {
    Node(N),
    Merged(Vec<(String, N)>),
}

impl<N: Node> Hit<N> {
    pub(super) fn to_serde(&self) -> J {
        match self {
            Hit::Node(node) => node.to_serde(),
            Hit::Merged(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// Work limits for one evaluation.
pub(super) struct Budget {
    visits: usize,
    depth: usize,
}

impl Budget {
    pub(super) fn new() -> Self {
        Budget {
            visits: MAX_VISITS,
            depth: 0,
        }
    }

    fn enter(&mut self) -> bool {
        if self.visits == 0 || self.depth >= MAX_EVAL_DEPTH {
            return false;
        }
        self.visits -= 1;
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// Applies `tokens` from `start`, collecting results in document order.
pub(super) fn evaluate<N: Node>(
    tokens: &[Token],
    start: &N,
    root: &N,
    budget: &mut Budget,
) -> Vec<Hit<N>> {
    let mut out = Vec::new();
    step(tokens, start, root, &mut out, budget);
    out
}

fn step<N: Node>(tokens: &[Token], node: &N, root: &N, out: &mut Vec<Hit<N>>, budget: &mut Budget) {
    if !budget.enter() {
        return;
    }
    apply(tokens, node, root, out, budget);
    budget.leave();
}

fn apply<N: Node>(
    tokens: &[Token],
    node: &N,
    root: &N,
    out: &mut Vec<Hit<N>>,
    budget: &mut Budget,
) {
    let Some((token, rest)) = tokens.split_first() else {
        out.push(Hit::Node(node.clone()));
        return;
    };
    match token {
        Token::Property(names) if names.len() == 1 => {
            if let Some(child) = node.get_key(&names[0]) {
                step(rest, &child, root, out, budget);
            }
        }
        Token::Property(names) => {
            if !node.is_object() {
                return;
            }
            if rest.is_empty() {
                let merged = names
                    .iter()
                    .filter_map(|name| node.get_key(name).map(|child| (name.clone(), child)))
                    .collect();
                out.push(Hit::Merged(merged));
            } else {
                for name in names {
                    if let Some(child) = node.get_key(name) {
                        step(rest, &child, root, out, budget);
                    }
                }
            }
        }
        Token::Index(indexes) => {
            let Some(len) = node.array_len() else { return };
            for &index in indexes {
                let effective = if index < 0 { len as i64 + index } else { index };
                if let Ok(i) = usize::try_from(effective)
                    && let Some(child) = node.get_index(i)
                {
                    step(rest, &child, root, out, budget);
                }
            }
        }
        Token::Slice(from, to) => {
            let Some(len) = node.array_len() else { return };
            for i in slice_indexes(*from, *to, len) {
                if let Some(child) = node.get_index(i) {
                    step(rest, &child, root, out, budget);
                }
            }
        }
        Token::Wildcard => {
            for child in node.children() {
                step(rest, &child, root, out, budget);
            }
        }
        Token::Scan => scan(rest, node, root, out, budget, 0),
        Token::Filter(expr) => {
            if node.array_len().is_some() {
                for child in node.children() {
                    if filter::test(expr, &child, root, budget) {
                        step(rest, &child, root, out, budget);
                    }
                }
            } else if node.is_object() && filter::test(expr, node, root, budget) {
                step(rest, node, root, out, budget);
            }
        }
    }
}

/// `..`: the next step applies to `node`, then to each descendant.
fn scan<N: Node>(
    rest: &[Token],
    node: &N,
    root: &N,
    out: &mut Vec<Hit<N>>,
    budget: &mut Budget,
    depth: usize,
) {
    if depth > MAX_DEPTH || !budget.enter() {
        return;
    }
    // During a scan Jayway applies a filter to objects only (each object is
    // tested itself), and a multi-name leaf to objects holding every name.
    let applies = match rest.first() {
        Some(Token::Filter(_)) => node.is_object(),
        Some(Token::Property(names)) if names.len() > 1 && rest.len() == 1 => {
            node.is_object() && names.iter().all(|name| node.get_key(name).is_some())
        }
        Some(_) => true,
        None => false,
    };
    if applies {
        apply(rest, node, root, out, budget);
    }
    for child in node.children() {
        scan(rest, &child, root, out, budget, depth + 1);
    }
    budget.leave();
}

/// The indexes `[from:to]` selects in an array of `len` items, as Jayway
/// computes them: `[from:]` and `[:to]` count negative bounds from the end
/// and clamp; `[from:to]` clamps `to` to the length and walks `from..to`,
/// reading each negative index from the end (so `[-1:2]` of five items is
/// items 4, 0 and 1).
fn slice_indexes(from: Option<i64>, to: Option<i64>, len: usize) -> Vec<usize> {
    let len_i = len as i64;
    let from_end = |i: i64| if i < 0 { len_i + i } else { i };
    let (start, end) = match (from, to) {
        (from, None) => (from_end(from.unwrap_or(0)).max(0), len_i),
        (None, Some(to)) => (0, from_end(to).min(len_i)),
        (Some(from), Some(to)) => (from.max(-len_i), to.min(len_i)),
    };
    (start..end.max(start))
        .filter_map(|i| usize::try_from(from_end(i)).ok())
        .filter(|&i| i < len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::slice_indexes;

    #[test]
    fn slices_follow_jayway() {
        assert_eq!(slice_indexes(Some(1), Some(3), 5), [1, 2]);
        assert_eq!(slice_indexes(None, Some(2), 5), [0, 1]);
        assert_eq!(slice_indexes(Some(-2), None, 5), [3, 4]);
        assert_eq!(slice_indexes(Some(-10), None, 5), [0, 1, 2, 3, 4]);
        assert_eq!(slice_indexes(Some(3), Some(1), 5), Vec::<usize>::new());
        assert_eq!(slice_indexes(Some(0), Some(99), 2), [0, 1]);
        assert_eq!(slice_indexes(None, Some(-1), 4), [0, 1, 2]);
        assert_eq!(slice_indexes(Some(-3), Some(-1), 5), [2, 3]);
        assert_eq!(slice_indexes(Some(-1), Some(2), 5), [4, 0, 1]);
        // Jayway walks -3..3 here, reading -3..0 from the end.
        assert_eq!(
            slice_indexes(Some(i64::MIN), Some(i64::MAX), 3),
            [0, 1, 2, 0, 1, 2]
        );
        assert_eq!(slice_indexes(Some(i64::MAX), None, 3), Vec::<usize>::new());
        assert_eq!(slice_indexes(None, Some(i64::MIN), 3), Vec::<usize>::new());
        assert_eq!(slice_indexes(Some(5), None, 3), Vec::<usize>::new());
    }
}
