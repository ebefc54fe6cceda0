//! How filter operands compare, as Jayway JsonPath's evaluators do.

use std::cmp::Ordering;

use fancy_regex::Regex;
use serde_json::Value as J;

use super::filter::Op;

pub(super) fn regex_matches(re: &Regex, input: Option<&J>) -> bool {
    let text = match input {
        Some(J::String(s)) => s.clone(),
        Some(J::Number(n)) => n.to_string(),
        Some(J::Bool(b)) => b.to_string(),
        _ => return false,
    };
    // A regex that exceeds fancy-regex's backtracking limit does not match.
    re.is_match(&text).unwrap_or(false)
}

pub(super) fn compare(l: Option<&J>, op: Op, r: Option<&J>) -> bool {
    match op {
        Op::Ne => !compare(l, Op::Eq, r),
        Op::StrictNe => !compare(l, Op::StrictEq, r),
        Op::Nin => !compare(l, Op::In, r),
        _ => {
            let (Some(l), Some(r)) = (l, r) else {
                return false;
            };
            match op {
                Op::Eq => loose_eq(l, r),
                Op::StrictEq => {
                    std::mem::discriminant(l) == std::mem::discriminant(r) && loose_eq(l, r)
                }
                Op::Lt => order(l, r) == Some(Ordering::Less),
                Op::Le => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
                Op::Gt => order(l, r) == Some(Ordering::Greater),
                Op::Ge => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
                Op::In => r
                    .as_array()
                    .is_some_and(|items| items.iter().any(|i| loose_eq(l, i))),
                Op::SubsetOf => match (l.as_array(), r.as_array()) {
                    (Some(a), Some(b)) => a.iter().all(|x| b.iter().any(|y| loose_eq(x, y))),
                    _ => false,
                },
                Op::AnyOf => match (l.as_array(), r.as_array()) {
                    (Some(a), Some(b)) => a.iter().any(|x| b.iter().any(|y| loose_eq(x, y))),
                    _ => false,
                },
                Op::NoneOf => match (l.as_array(), r.as_array()) {
                    (Some(a), Some(b)) => !a.iter().any(|x| b.iter().any(|y| loose_eq(x, y))),
                    _ => false,
                },
                Op::Contains => match (l, r) {
                    (J::Array(items), _) => items.iter().any(|i| loose_eq(i, r)),
                    (J::String(s), J::String(part)) => s.contains(part.as_str()),
                    _ => false,
                },
                Op::Size => {
                    let len = match l {
                        J::String(s) => s.encode_utf16().count(),
                        J::Array(items) => items.len(),
                        _ => return false,
                    };
                    r.as_f64() == Some(len as f64)
                }
                Op::Empty => {
                    let empty = match l {
                        J::String(s) => s.is_empty(),
                        J::Array(items) => items.is_empty(),
                        _ => return false,
                    };
                    r.as_bool() == Some(empty)
                }
                Op::Ne | Op::StrictNe | Op::Nin | Op::Matches => false,
            }
        }
    }
}

/// Jayway's `==`: numbers by value (a numeric string equals its number),
/// strings, booleans and nulls by value, lists and objects structurally.
fn loose_eq(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (J::Number(n), J::String(s)) | (J::String(s), J::Number(n)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .is_some_and(|f| Some(f) == n.as_f64()),
        _ => a == b,
    }
}

/// `<` and friends: numbers numerically, strings as Java's `compareTo` (UTF-16).
fn order(a: &J, b: &J) -> Option<Ordering> {
    match (a, b) {
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        (J::String(x), J::String(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        _ => None,
    }
}
