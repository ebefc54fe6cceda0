//! Printing values: Java `toString`, bounded.

use super::ast::Pos;
use super::eval::{Ctx, MAX_OUTPUT_BYTES};
use super::rt::{Fail, Flow, Obj, Out, R};
use crate::value::Value;

impl<'t> Ctx<'t, '_> {
    /// Prints a value as Velocity does (`toString`; a `#define` block renders).
    pub(crate) fn write_obj(&mut self, value: &Obj<'t>, out: &mut Out, pos: Pos) -> R<()> {
        let too_big = || {
            Box::new(Fail::Limit {
                what: "output size in bytes",
                limit: out_limit(),
                pos,
            })
        };
        match value {
            Obj::Val(v) => {
                if matches!(v, Value::List(_) | Value::Map(_)) {
                    self.tick(super::nesting::size_hint(v), pos)?;
                }
                super::aws::write_java(v, out).map_err(|_| too_big())
            }
            Obj::Block(b) => {
                self.enter(pos)?;
                let flow = self.block(b, out);
                self.leave();
                match flow? {
                    Flow::Stop => Err(Fail::Stop.into()),
                    _ => Ok(()),
                }
            }
            Obj::Entry(entry) => {
                let (k, v) = &**entry;
                out.push(k, pos)?;
                out.push("=", pos)?;
                super::aws::write_java(v, out).map_err(|_| too_big())
            }
            Obj::EntrySet(m) => {
                let entries: Vec<(std::rc::Rc<str>, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                out.push("[", pos)?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(", ", pos)?;
                    }
                    out.push(k, pos)?;
                    out.push("=", pos)?;
                    super::aws::write_java(v, out).map_err(|_| too_big())?;
                }
                out.push("]", pos)
            }
            Obj::Class(name) => {
                out.push("class ", pos)?;
                out.push(name, pos)
            }
            Obj::Foreach(f) => out.push(
                &format!("{{index={}, hasNext={}}}", f.index, f.has_next),
                pos,
            ),
            Obj::Input | Obj::Util => Ok(()),
        }
    }

    /// `toString()` of a value, bounded.
    pub(crate) fn java_string(&mut self, value: &Obj<'t>, pos: Pos) -> R<std::rc::Rc<str>> {
        if let Some(s) = value.str() {
            return Ok(s.clone());
        }
        let mut out = Out::new(MAX_OUTPUT_BYTES);
        self.write_obj(value, &mut out, pos)?;
        self.build(out.buf.len(), pos)?;
        Ok(out.buf.into())
    }
}

fn out_limit() -> usize {
    MAX_OUTPUT_BYTES
}
