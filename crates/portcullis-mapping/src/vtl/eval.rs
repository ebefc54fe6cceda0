//! Rendering: blocks, directives, variables and the render's bounds.

use super::ast::{Block, CallNode, ForeachNode, Node, Pos, RefNode, SetNode};
use super::compiled::Compiled;
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

/// `#set` variables: few per template, so a vector beats hashing.
struct Vars<'t>(Vec<(&'t str, Obj<'t>)>);

impl<'t> Vars<'t> {
    fn get(&self, name: &str) -> Option<&Obj<'t>> {
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
    fn insert(&mut self, name: &'t str, value: Obj<'t>) -> Option<Obj<'t>> {
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => Some(std::mem::replace(&mut slot.1, value)),
            None => {
                self.0.push((name, value));
                None
            }
        }
    }
    fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| *k != name);
    }
}

pub(crate) struct Ctx<'t, 's> {
    pub(crate) tpl: &'t Compiled,
    pub(crate) scope: &'s Scope<'s>,
    vars: Vars<'t>,
    frames: Vec<Vec<(&'t str, Obj<'t>)>>,
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
            vars: Vars(Vec::new()),
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
    pub(crate) fn lookup(&self, name: &str) -> Obj<'t> {
        for frame in self.frames.iter().rev() {
            if let Some((_, v)) = frame.iter().find(|(k, _)| *k == name) {
                return v.clone();
            }
        }
        if let Some(v) = self.vars.get(name) {
            return v.clone();
        }
        let scope = self.scope;
        match name {
            "input" => Obj::Input,
            "util" => Obj::Util,
            "context" => Obj::Val(scope.context.clone()),
            "stageVariables" => Obj::Val(scope.stage_variables.clone()),
            "method" => scope.method.clone().map_or(NULL, Obj::Val),
            "integration" => scope.integration.clone().map_or(NULL, Obj::Val),
            _ => NULL,
        }
    }

    /// Sets a variable (a macro argument if one of that name is in scope).
    pub(crate) fn assign(&mut self, name: &'t str, value: Obj<'t>) -> Option<Obj<'t>> {
        for frame in self.frames.iter_mut().rev() {
            if let Some(slot) = frame.iter_mut().find(|(k, _)| *k == name) {
                return Some(std::mem::replace(&mut slot.1, value));
            }
        }
        self.vars.insert(name, value)
    }

    fn restore(&mut self, name: &'t str, old: Option<Obj<'t>>) {
        match old {
            Some(v) => {
                self.assign(name, v);
            }
            None => {
                if !self
                    .frames
                    .iter()
                    .any(|f| f.iter().any(|(k, _)| *k == name))
                {
                    self.vars.remove(name);
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
                self.assign(&d.name, Obj::Block(&d.body));
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
            self.assign(&s.target.root, value);
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
        let var: &'t str = &f.var;
        let old_var = self.vars.get(var).cloned();
        let old_count = self.vars.get("velocityCount").cloned();
        let old_next = self.vars.get("velocityHasNext").cloned();
        let old_foreach = self.vars.get("foreach").cloned();
        let total = items.len();
        let mut flow = Flow::Normal;
        self.enter(pos)?;
        for (i, item) in items.into_iter().enumerate().take(MAX_ITERATIONS) {
            self.tick(1, pos)?;
            let has_next = i + 1 < total;
            let index = i64::try_from(i).unwrap_or(i64::MAX);
            self.vars
                .insert("velocityCount", Obj::Val(Value::Int(index + 1)));
            self.vars.insert("velocityHasNext", Obj::bool(has_next));
            self.vars
                .insert("foreach", Obj::Foreach(Foreach { index, has_next }));
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
        self.restore("velocityCount", old_count);
        self.restore("velocityHasNext", old_next);
        self.restore("foreach", old_foreach);
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
            frame.push((&**param, value));
        }
        if let Some(body) = &c.body {
            frame.push(("bodyContent", Obj::Block(body)));
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
