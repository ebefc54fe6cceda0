//! Rendering: blocks, directives, variables and the render's bounds.

use super::ast::{
    BODY_CONTENT, Block, CallNode, FOREACH, ForeachNode, Node, Part, Pos, RefNode, SetNode, Slot,
    VELOCITY_COUNT, VELOCITY_HAS_NEXT,
};
use super::compiled::{Compiled, Global};
use super::rt::{Fail, Flow, Foreach, NULL, Obj, Out, R};
use crate::template::Scope;
use crate::value::Value;

/// Largest rendered output, and largest string built while rendering: 10 MiB.
pub const MAX_OUTPUT_BYTES: usize = 10 * 1024 * 1024;
/// API Gateway's cap on `#foreach` iterations; the loop ends silently after these.
pub const MAX_ITERATIONS: usize = 1000;
/// Units of work (nodes, expressions, loop turns, values walked) in one render.
pub const MAX_STEPS: u64 = 10_000_000;
/// Deepest nesting of blocks, expressions, macro calls and `#define` renders.
pub const MAX_RENDER_DEPTH: u32 = 200;
/// Velocity's `velocimacro.max.depth`.
pub const MAX_MACRO_DEPTH: u32 = 20;
/// Total bytes of strings a render may build.
pub const MAX_BUILT_BYTES: usize = 100 * 1024 * 1024;

/// `#set` variables, by slot (resolved when the template was compiled):
/// no room until the first is set, then room for every slot of the template.
struct Vars<'t> {
    values: Vec<Option<Obj<'t>>>,
    slots: usize,
}

impl<'t> Vars<'t> {
    fn get(&self, slot: Slot) -> Option<&Obj<'t>> {
        self.values.get(slot as usize)?.as_ref()
    }
    fn insert(&mut self, slot: Slot, value: Obj<'t>) -> Option<Obj<'t>> {
        if self.values.is_empty() {
            self.values.resize(self.slots, None);
        }
        self.values[slot as usize].replace(value)
    }
    fn remove(&mut self, slot: Slot) {
        if let Some(value) = self.values.get_mut(slot as usize) {
            *value = None;
        }
    }
}

pub(crate) struct Ctx<'t, 's> {
    pub(crate) tpl: &'t Compiled,
    pub(crate) scope: &'s Scope<'s>,
    vars: Vars<'t>,
    /// Macro arguments (and `$bodyContent`), innermost call last.
    frames: Vec<Vec<(Slot, Obj<'t>)>>,
    steps: u64,
    depth: u32,
    macro_depth: u32,
    built: usize,
    pub(crate) nesting: super::nesting::Nesting,
    /// Emptied argument lists of finished method calls, to reuse.
    pub(crate) arg_buffers: Vec<Vec<Obj<'t>>>,
}

impl<'t, 's> Ctx<'t, 's> {
    pub(crate) fn new(tpl: &'t Compiled, scope: &'s Scope<'s>) -> Self {
        Ctx {
            tpl,
            scope,
            vars: Vars {
                values: Vec::new(),
                slots: tpl.globals.len(),
            },
            frames: Vec::new(),
            steps: 0,
            depth: 0,
            macro_depth: 0,
            built: 0,
            nesting: super::nesting::Nesting::default(),
            arg_buffers: Vec::new(),
        }
    }

    pub(crate) fn literal_nulls(&self) -> bool {
        self.tpl.literal_nulls
    }

    /// Counts `n` units of work.
    pub(crate) fn tick(&mut self, n: u64, pos: Pos) -> R<()> {
        self.steps += n;
        if self.steps > MAX_STEPS {
            return Err(Fail::Limit {
                what: "render work (steps)",
                limit: MAX_STEPS as usize,
                pos,
            }
            .into());
        }
        Ok(())
    }

    /// Accounts for a string of `len` bytes about to be built.
    pub(crate) fn build(&mut self, len: usize, pos: Pos) -> R<()> {
        if len > MAX_OUTPUT_BYTES {
            return Err(Fail::Limit {
                what: "string size in bytes",
                limit: MAX_OUTPUT_BYTES,
                pos,
            }
            .into());
        }
        self.built += len;
        if self.built > MAX_BUILT_BYTES {
            return Err(Fail::Limit {
                what: "bytes of strings built",
                limit: MAX_BUILT_BYTES,
                pos,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn enter(&mut self, pos: Pos) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_RENDER_DEPTH {
            return Err(Fail::Limit {
                what: "nesting depth",
                limit: MAX_RENDER_DEPTH as usize,
                pos,
            }
            .into());
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A variable: macro arguments (innermost first), then `#set` variables, then
    /// API Gateway's variables.
    pub(crate) fn lookup(&self, slot: Slot) -> Obj<'t> {
        for frame in self.frames.iter().rev() {
            if let Some((_, v)) = frame.iter().find(|(k, _)| *k == slot) {
                return v.clone();
            }
        }
        if let Some(v) = self.vars.get(slot) {
            return v.clone();
        }
        let scope = self.scope;
        match self.tpl.globals[slot as usize] {
            Global::Input => Obj::Input,
            Global::Util => Obj::Util,
            Global::Context => Obj::Val(scope.context.clone()),
            Global::StageVariables => Obj::Val(scope.stage_variables.clone()),
            Global::Method => scope.method.clone().map_or(NULL, Obj::Val),
            Global::Integration => scope.integration.clone().map_or(NULL, Obj::Val),
            Global::None => NULL,
        }
    }

    /// Sets a variable (a macro argument if one of that name is in scope).
    pub(crate) fn assign(&mut self, slot: Slot, value: Obj<'t>) -> Option<Obj<'t>> {
        for frame in self.frames.iter_mut().rev() {
            if let Some(arg) = frame.iter_mut().find(|(k, _)| *k == slot) {
                return Some(std::mem::replace(&mut arg.1, value));
            }
        }
        self.vars.insert(slot, value)
    }

    fn restore(&mut self, slot: Slot, old: Option<Obj<'t>>) {
        match old {
            Some(v) => {
                self.assign(slot, v);
            }
            None => {
                if !self
                    .frames
                    .iter()
                    .any(|f| f.iter().any(|(k, _)| *k == slot))
                {
                    self.vars.remove(slot);
                }
            }
        }
    }

    /// Renders a block into `out`.
    pub(crate) fn block(&mut self, block: &'t Block, out: &mut Out) -> R<Flow> {
        for node in block {
            let flow = self.node(node, out)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn node(&mut self, node: &'t Node, out: &mut Out) -> R<Flow> {
        match node {
            Node::Text(t) => {
                out.push(t, 0)?;
                return Ok(Flow::Normal);
            }
            Node::Ref(r) => self.render_ref(r, out)?,
            Node::Set(s) => self.set(s)?,
            Node::If(n) => {
                let pos = 0;
                self.tick(1, pos)?;
                for (cond, body) in &n.branches {
                    if self.cond(cond)? {
                        return self.nested(body, out, pos);
                    }
                }
                if let Some(body) = &n.otherwise {
                    return self.nested(body, out, pos);
                }
            }
            Node::Foreach(f) => return self.foreach(f, out),
            Node::Break => return Ok(Flow::Break),
            Node::Stop => return Ok(Flow::Stop),
            Node::Define(d) => {
                self.assign(d.name.slot, Obj::Block(&d.body));
            }
            Node::Call(c) => return self.call(c, out),
            Node::Unsupported(what, pos) => {
                return Err(Fail::Unsupported { what, pos: *pos }.into());
            }
        }
        Ok(Flow::Normal)
    }

    fn nested(&mut self, body: &'t Block, out: &mut Out, pos: Pos) -> R<Flow> {
        self.enter(pos)?;
        let flow = self.block(body, out);
        self.leave();
        flow
    }

    fn render_ref(&mut self, r: &'t RefNode, out: &mut Out) -> R<()> {
        let pos = r.reference.pos;
        if let (0, [Part::Method(name, _, at, Some(path))]) =
            (r.backslashes, &r.reference.parts[..])
            && &**name == "json"
            && matches!(self.lookup(r.reference.slot), Obj::Input)
        {
            // `$input.json('...')` printed: its text goes straight to the output.
            return self.write_input_json(path, *at, pos, out);
        }
        if let (0, [Part::Method(name, args, at, _)]) = (r.backslashes, &r.reference.parts[..])
            && let [arg] = &args[..]
            && &**name == "escapeJavaScript"
            && matches!(self.lookup(r.reference.slot), Obj::Util)
        {
            // `$util.escapeJavaScript(x)` printed: the escaped text goes
            // straight to the output.
            if !self.write_util_escape(arg, *at, pos, out)? && self.literal_nulls() && !r.quiet {
                out.push(&r.literal, pos)?;
            }
            return Ok(());
        }
        let value = self.reference(&r.reference)?;
        if r.backslashes == 0 {
            if value.is_null() {
                if self.literal_nulls() && !r.quiet {
                    out.push(&r.literal, pos)?;
                }
                return Ok(());
            }
            return self.write_obj(&value, out, pos);
        }
        let half = "\\".repeat((r.backslashes / 2) as usize);
        if r.backslashes % 2 == 1 {
            out.push(&half, pos)?;
            if value.is_null() {
                out.push("\\", pos)?;
            }
            return out.push(&r.literal, pos);
        }
        if value.is_null() {
            out.push(&half, pos)?;
            out.push(&half, pos)?;
            if self.literal_nulls() && !r.quiet {
                out.push(&r.literal, pos)?;
            }
            return Ok(());
        }
        out.push(&half, pos)?;
        self.write_obj(&value, out, pos)
    }

    fn set(&mut self, s: &'t SetNode) -> R<()> {
        let pos = s.target.pos;
        self.tick(1, pos)?;
        let value = self.eval(&s.value)?;
        if value.is_null() {
            // Velocity 1.7 (`directive.set.null.allowed = false`): a null leaves the target as it was.
            return Ok(());
        }
        if s.target.parts.is_empty() {
            self.assign(s.target.slot, value);
            return Ok(());
        }
        self.set_path(&s.target, value)
    }

    fn foreach(&mut self, f: &'t ForeachNode, out: &mut Out) -> R<Flow> {
        let pos = f.pos;
        self.tick(1, pos)?;
        let items = self.iterate(&f.iterable, pos)?;
        let Some(items) = items else {
            return Ok(Flow::Normal);
        };
        let var = f.var.slot;
        let old_var = self.vars.get(var).cloned();
        let old_count = self.vars.get(VELOCITY_COUNT).cloned();
        let old_next = self.vars.get(VELOCITY_HAS_NEXT).cloned();
        let old_foreach = self.vars.get(FOREACH).cloned();
        let total = items.len();
        let mut flow = Flow::Normal;
        self.enter(pos)?;
        for (i, item) in items.into_iter().enumerate().take(MAX_ITERATIONS) {
            self.tick(1, pos)?;
            let has_next = i + 1 < total;
            let index = i64::try_from(i).unwrap_or(i64::MAX);
            self.vars
                .insert(VELOCITY_COUNT, Obj::Val(Value::Int(index + 1)));
            self.vars.insert(VELOCITY_HAS_NEXT, Obj::bool(has_next));
            self.vars
                .insert(FOREACH, Obj::Foreach(Foreach { index, has_next }));
            self.assign(var, item);
            match self.block(&f.body, out) {
                Ok(Flow::Normal) => {}
                Ok(Flow::Break) => break,
                Ok(Flow::Stop) => {
                    flow = Flow::Stop;
                    break;
                }
                Err(e) => {
                    self.leave();
                    return Err(e);
                }
            }
        }
        self.leave();
        self.restore(var, old_var);
        self.restore(VELOCITY_COUNT, old_count);
        self.restore(VELOCITY_HAS_NEXT, old_next);
        self.restore(FOREACH, old_foreach);
        Ok(flow)
    }

    fn call(&mut self, c: &'t CallNode, out: &mut Out) -> R<Flow> {
        let pos = c.pos;
        self.tick(1, pos)?;
        let (Some(mac), Some(args)) = (self.tpl.macros.get(&c.name), &c.args) else {
            // No such macro: Velocity prints the call as written.
            out.push(&c.literal, pos)?;
            return Ok(Flow::Normal);
        };
        if self.macro_depth >= MAX_MACRO_DEPTH {
            return Err(Fail::Limit {
                what: "macro call depth (velocimacro.max.depth)",
                limit: MAX_MACRO_DEPTH as usize,
                pos,
            }
            .into());
        }
        let mut frame = Vec::with_capacity(mac.params.len() + 1);
        for (param, arg) in mac.params.iter().zip(args) {
            let value = self.eval(arg)?;
            frame.push((param.slot, value));
        }
        if let Some(body) = &c.body {
            frame.push((BODY_CONTENT, Obj::Block(body)));
        }
        self.frames.push(frame);
        self.macro_depth += 1;
        let entered = self.enter(pos);
        let flow = entered.and_then(|()| self.block(&mac.body, out));
        if flow.is_ok() {
            self.leave();
        }
        self.macro_depth -= 1;
        self.frames.pop();
        Ok(match flow? {
            Flow::Stop => Flow::Stop,
            _ => Flow::Normal,
        })
    }

    /// Renders a whole template body; `#break` and `#stop` end it quietly.
    pub(crate) fn render(&mut self, body: &'t Block, out: &mut Out) -> R<()> {
        match self.block(body, out) {
            Ok(_) => Ok(()),
            Err(f) if matches!(*f, Fail::Stop) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
