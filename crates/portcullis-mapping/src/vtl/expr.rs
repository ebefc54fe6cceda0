//! Expressions and references.

use std::rc::Rc;

use super::ast::{BinOp, Expr, Part, Pos, Reference};
use super::eval::{Ctx, MAX_ITERATIONS, MAX_OUTPUT_BYTES};
use super::ops;
use super::rt::{Fail, Flow, NULL, Obj, Out, R};
use crate::value::{Entries, Value};

/// Longest list a range literal may build.
pub const MAX_RANGE: usize = 100_000;

impl<'t> Ctx<'t, '_> {
    /// The value of an expression.
    pub(crate) fn eval(&mut self, e: &'t Expr) -> R<Obj<'t>> {
        self.tick(1, 0)?;
        Ok(match e {
            Expr::Ref(r) => self.reference(r)?,
            Expr::Str(s) => Obj::string(&**s),
            Expr::Interp(i) => {
                self.enter(0)?;
                let mut out = Out::new(MAX_OUTPUT_BYTES);
                let flow = self.block(&i.body, &mut out);
                self.leave();
                if flow? == Flow::Stop {
                    return Err(Fail::Stop.into());
                }
                let mut s = out.buf;
                if i.strip_last {
                    s.pop();
                }
                self.build(s.len(), 0)?;
                Obj::string(s)
            }
            Expr::Int(i) => Obj::Val(Value::Int(*i)),
            Expr::Float(f) => Obj::Val(Value::Float(*f)),
            Expr::Bool(b) => Obj::bool(*b),
            Expr::Word(w) => Obj::string(&**w),
            Expr::Group(inner) => {
                self.enter(0)?;
                let v = self.eval(inner);
                self.leave();
                v?
            }
            Expr::List(items, pos) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    list.push(self.eval(item)?.into_value());
                }
                let list = Value::list(list);
                self.adopt_children(&list, *pos)?;
                Obj::Val(list)
            }
            Expr::Map(entries, pos) => {
                let mut map = Entries::with_capacity(entries.len());
                for (k, v) in entries {
                    let key = self.eval(k)?;
                    let key = self.java_string(&key, *pos)?;
                    map.insert(key, self.eval(v)?.into_value());
                }
                let map = Value::from_entries(map);
                self.adopt_children(&map, *pos)?;
                Obj::Val(map)
            }
            Expr::Range(ends, pos) => match self.range(&ends.0, &ends.1, *pos, MAX_RANGE)? {
                Some(items) => Obj::Val(Value::list(items)),
                None => NULL,
            },
            Expr::Not(inner) => Obj::bool(!self.cond(inner)?),
            Expr::Neg(inner, pos) => {
                let v = self.eval(inner)?;
                ops::negate(&v, *pos)
            }
            Expr::Binary(op, operands, pos) => {
                self.enter(*pos)?;
                let v = self.binary(*op, &operands.0, &operands.1, *pos);
                self.leave();
                v?
            }
        })
    }

    fn binary(&mut self, op: BinOp, l: &'t Expr, r: &'t Expr, pos: Pos) -> R<Obj<'t>> {
        Ok(match op {
            BinOp::And => Obj::bool(self.cond(l)? && self.cond(r)?),
            BinOp::Or => Obj::bool(self.cond(l)? || self.cond(r)?),
            _ => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                match op {
                    BinOp::Eq => Obj::bool(self.equals(&a, &b, pos)?),
                    BinOp::Ne => Obj::bool(!self.equals(&a, &b, pos)?),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        Obj::bool(ops::compare(op, &a, &b))
                    }
                    BinOp::Add if a.str().is_some() || b.str().is_some() => {
                        let a = self.concat_operand(&a, l, pos)?;
                        let b = self.concat_operand(&b, r, pos)?;
                        self.build(a.len() + b.len(), pos)?;
                        Obj::string(format!("{a}{b}"))
                    }
                    _ => ops::arithmetic(op, &a, &b, pos),
                }
            }
        })
    }

    /// A `+` operand next to a string: a null prints as its reference (Velocity) or
    /// as nothing (API Gateway).
    fn concat_operand(&mut self, v: &Obj<'t>, e: &'t Expr, pos: Pos) -> R<Rc<str>> {
        if v.is_null() {
            if let (true, Expr::Ref(r)) = (self.literal_nulls(), e) {
                return Ok(self.tpl.src_at(r.pos, r.end).into());
            }
            return Ok("".into());
        }
        self.java_string(v, pos)
    }

    /// Velocity's notion of truth, which depends on the kind of node: a reference is
    /// true unless null or `false`; comparisons and logic compute; every other node
    /// (string and number literals, arithmetic, lists) is false.
    pub(crate) fn cond(&mut self, e: &'t Expr) -> R<bool> {
        Ok(match e {
            Expr::Ref(_) => match self.eval(e)? {
                Obj::Val(Value::Null) => false,
                Obj::Val(Value::Bool(b)) => b,
                _ => true,
            },
            Expr::Bool(b) => *b,
            Expr::Group(inner) => {
                self.enter(0)?;
                let v = self.cond(inner);
                self.leave();
                v?
            }
            Expr::Not(inner) => !self.cond(inner)?,
            Expr::Binary(op, ..)
                if !matches!(
                    op,
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod
                ) =>
            {
                matches!(self.eval(e)?, Obj::Val(Value::Bool(true)))
            }
            _ => {
                self.eval(e)?;
                false
            }
        })
    }

    pub(crate) fn equals(&mut self, a: &Obj<'t>, b: &Obj<'t>, pos: Pos) -> R<bool> {
        if let Some(eq) = ops::equals_same_kind(a, b) {
            return Ok(eq);
        }
        let aws = !self.literal_nulls();
        let sa = if a.is_null() {
            None
        } else {
            Some(self.java_string(a, pos)?)
        };
        let sb = if b.is_null() {
            None
        } else {
            Some(self.java_string(b, pos)?)
        };
        Ok(match (sa, sb) {
            (None, None) => true,
            (Some(s), None) | (None, Some(s)) => aws && s.is_empty(),
            (Some(x), Some(y)) => x == y,
        })
    }

    /// `[a..b]`: at most `cap` integers, else an error.
    fn range(&mut self, a: &'t Expr, b: &'t Expr, pos: Pos, cap: usize) -> R<Option<Vec<Value>>> {
        let (a, b) = (self.eval(a)?, self.eval(b)?);
        let (Some(lo), Some(hi)) = (ops::int_value(&a), ops::int_value(&b)) else {
            return Ok(None);
        };
        let len = (i64::from(lo) - i64::from(hi)).unsigned_abs() as usize + 1;
        if len > cap && cap >= MAX_RANGE {
            return Err(Fail::Limit {
                what: "range size",
                limit: MAX_RANGE,
                pos,
            }
            .into());
        }
        self.tick(len.min(cap) as u64, pos)?;
        let step: i64 = if lo <= hi { 1 } else { -1 };
        Ok(Some(
            (0..len.min(cap))
                .map(|i| Value::Int(i64::from(lo) + step * i as i64))
                .collect(),
        ))
    }

    /// What `#foreach` walks: at most one more item than the iteration cap (for
    /// `hasNext`). `None` when the value cannot be iterated (Velocity skips it).
    pub(crate) fn iterate(&mut self, e: &'t Expr, pos: Pos) -> R<Option<Vec<Obj<'t>>>> {
        if let Expr::Range(ends, _) = e {
            let items = self.range(&ends.0, &ends.1, pos, MAX_ITERATIONS + 1)?;
            return Ok(items.map(|v| v.into_iter().map(Obj::Val).collect()));
        }
        let take = MAX_ITERATIONS + 1;
        Ok(match self.eval(e)? {
            Obj::Val(Value::List(l)) => Some(
                l.borrow()
                    .iter()
                    .take(take)
                    .cloned()
                    .map(Obj::Val)
                    .collect(),
            ),
            Obj::Val(Value::Map(m)) => Some(
                m.borrow()
                    .values()
                    .take(take)
                    .cloned()
                    .map(Obj::Val)
                    .collect(),
            ),
            Obj::EntrySet(m) => Some(
                m.borrow()
                    .iter()
                    .take(take)
                    .map(|(k, v)| Obj::Entry(Box::new((k.clone(), v.clone()))))
                    .collect(),
            ),
            _ => None,
        })
    }

    /// The value of `$root.parts...`.
    pub(crate) fn reference(&mut self, r: &'t Reference) -> R<Obj<'t>> {
        let mut cur = self.lookup(r.slot);
        for part in &r.parts {
            if cur.is_null() {
                return Ok(NULL);
            }
            cur = self.part(cur, part)?;
        }
        Ok(cur)
    }

    fn part(&mut self, cur: Obj<'t>, part: &'t Part) -> R<Obj<'t>> {
        match part {
            Part::Property(name, pos) => {
                self.tick(1, *pos)?;
                self.property(cur, name, *pos)
            }
            Part::Method(_, _, pos, Some(path)) if matches!(cur, Obj::Input) => {
                // `$input.json('...')` / `$input.path('...')`: the path compiled with
                // the template; the same steps and checks as the general call below.
                self.enter(*pos)?;
                let arg = self.tick(1, 0);
                self.leave();
                arg?;
                self.tick(1, *pos)?;
                self.input_path(part, path, *pos)
            }
            Part::Method(name, args, pos, _) => {
                self.enter(*pos)?;
                // Arguments go into a buffer kept for the next call.
                let mut values = self.arg_buffers.pop().unwrap_or_default();
                for a in args {
                    match self.eval(a) {
                        Ok(v) => values.push(v),
                        Err(e) => {
                            self.leave();
                            return Err(e);
                        }
                    }
                }
                self.leave();
                let result = self.method(cur, name, &mut values, *pos);
                values.clear();
                self.arg_buffers.push(values);
                result
            }
            Part::Index(idx, pos) => {
                let key = self.eval(idx)?;
                self.index(cur, key, *pos)
            }
        }
    }

    /// `#set` with a property or index at the end: `put` on maps, `set` on lists.
    pub(crate) fn set_path(&mut self, r: &'t Reference, value: Obj<'t>) -> R<()> {
        let (last, init) = r.parts.split_last().expect("set_path needs parts");
        let mut cur = self.lookup(r.slot);
        for part in init {
            if cur.is_null() {
                return Ok(());
            }
            cur = self.part(cur, part)?;
        }
        let value = value.into_value();
        match (last, cur) {
            (Part::Property(name, pos), Obj::Val(target @ Value::Map(_))) => {
                self.adopt(&target, &value, *pos)?;
                if let Value::Map(m) = &target {
                    m.borrow_mut().insert_str(name, value);
                }
            }
            (Part::Index(idx, pos), Obj::Val(target)) => {
                let key = self.eval(idx)?;
                match &target {
                    Value::Map(m) => {
                        let key = self.java_string(&key, *pos)?;
                        self.adopt(&target, &value, *pos)?;
                        m.borrow_mut().insert(key, value);
                    }
                    Value::List(l) => {
                        let Some(i) = key.int() else { return Ok(()) };
                        let len = l.borrow().len();
                        let idx = if i < 0 { i + len as i64 } else { i };
                        if idx < 0 || idx as usize >= len {
                            return super::rt::java(
                                "java.lang.IndexOutOfBoundsException",
                                format!("Index {i} out of bounds for length {len}"),
                                *pos,
                            );
                        }
                        self.adopt(&target, &value, *pos)?;
                        l.borrow_mut()[idx as usize] = value;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }
}
