//! Operators with Velocity 1.7's semantics (`MathUtils`, `ASTEQNode`, `ASTLTNode` ...).

use super::ast::{BinOp, Pos};
use super::rt::{NULL, Obj};
use crate::value::Value;

enum Num {
    I(i64),
    F(f64),
}

fn num(o: &Obj<'_>) -> Option<Num> {
    match o {
        Obj::Val(Value::Int(i)) => Some(Num::I(*i)),
        Obj::Val(Value::Float(f)) => Some(Num::F(*f)),
        _ => None,
    }
}

fn as_f64(n: &Num) -> f64 {
    match n {
        Num::I(i) => *i as f64,
        Num::F(f) => *f,
    }
}

/// Numeric comparison across integer and floating values (`MathUtils.compare`).
fn cmp_num(a: &Num, b: &Num) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(y)),
        (Num::I(i), Num::F(f)) => cmp_int_float(*i, *f),
        (Num::F(f), Num::I(i)) => cmp_int_float(*i, *f).map(std::cmp::Ordering::reverse),
        (Num::F(x), Num::F(y)) => x.partial_cmp(y),
    }
}

fn cmp_int_float(i: i64, f: f64) -> Option<std::cmp::Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return Some(i.cmp(&(f as i64)));
    }
    (i as f64).partial_cmp(&f)
}

/// `==` where Velocity decides without `toString`: numbers by value, and two values of
/// the same class by Java `equals`. `None`: compare the `toString`s (or nulls).
pub(crate) fn equals_same_kind(a: &Obj<'_>, b: &Obj<'_>) -> Option<bool> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Some(cmp_num(&x, &y) == Some(std::cmp::Ordering::Equal));
    }
    match (a.val()?, b.val()?) {
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (x @ Value::List(_), y @ Value::List(_)) | (x @ Value::Map(_), y @ Value::Map(_)) => {
            Some(java_equals(x, y))
        }
        _ => None,
    }
}

/// Java `equals` between values (inside collections an `Integer` never equals a `Double`).
pub(crate) fn java_equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| java_equals(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| java_equals(v, w)))
        }
        _ => false,
    }
}

/// `<`, `<=`, `>`, `>=`: numbers only; anything else is false.
pub(crate) fn compare(op: BinOp, a: &Obj<'_>, b: &Obj<'_>) -> bool {
    let (Some(x), Some(y)) = (num(a), num(b)) else {
        return false;
    };
    let Some(ord) = cmp_num(&x, &y) else {
        return false;
    };
    match op {
        BinOp::Lt => ord.is_lt(),
        BinOp::Le => ord.is_le(),
        BinOp::Gt => ord.is_gt(),
        _ => ord.is_ge(),
    }
}

/// `+ - * / %` on numbers. Integers stay integers (division truncates; overflow wraps as
/// a Java `long`); a double operand makes a double. Division or modulus by zero, and
/// non-numbers, give null.
pub(crate) fn arithmetic(op: BinOp, a: &Obj<'_>, b: &Obj<'_>, _pos: Pos) -> Obj<'static> {
    let (Some(x), Some(y)) = (num(a), num(b)) else {
        return NULL;
    };
    let v = match (x, y) {
        (Num::I(x), Num::I(y)) => match op {
            BinOp::Add => Value::Int(x.wrapping_add(y)),
            BinOp::Sub => Value::Int(x.wrapping_sub(y)),
            BinOp::Mul => Value::Int(x.wrapping_mul(y)),
            BinOp::Div if y == 0 => Value::Null,
            BinOp::Div => Value::Int(x.wrapping_div(y)),
            BinOp::Mod if y == 0 => Value::Null,
            BinOp::Mod => Value::Int(x.wrapping_rem(y)),
            _ => Value::Null,
        },
        (x, y) => {
            let (x, y) = (as_f64(&x), as_f64(&y));
            match op {
                BinOp::Add => Value::Float(x + y),
                BinOp::Sub => Value::Float(x - y),
                BinOp::Mul => Value::Float(x * y),
                BinOp::Div | BinOp::Mod if y == 0.0 => Value::Null,
                BinOp::Div => Value::Float(x / y),
                BinOp::Mod => Value::Float(x % y),
                _ => Value::Null,
            }
        }
    };
    Obj::Val(v)
}

pub(crate) fn negate(a: &Obj<'_>, _pos: Pos) -> Obj<'static> {
    match num(a) {
        Some(Num::I(i)) => Obj::Val(Value::Int(i.wrapping_neg())),
        Some(Num::F(f)) => Obj::Val(Value::Float(-f)),
        None => NULL,
    }
}

/// `Number.intValue()`: integers wrap to 32 bits, doubles truncate and saturate.
pub(crate) fn int_value(a: &Obj<'_>) -> Option<i32> {
    match num(a)? {
        Num::I(i) => Some(i as i32),
        Num::F(f) => Some(f as i32),
    }
}
