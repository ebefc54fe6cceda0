//! The syntax tree of a compiled template. Plain data: `Send + Sync`, no `Rc`.

use crate::jsonpath::JsonPath;

/// A byte offset into the template source; turned into line:column only for errors.
pub(crate) type Pos = u32;

/// A variable's place among a template's variables ([`VarNames`]): every
/// use of one name in a template has the same slot.
pub(crate) type Slot = u32;

/// A variable a directive names (`#foreach`, `#define`, a macro parameter).
#[derive(Debug)]
pub(crate) struct Var {
    pub(crate) slot: Slot,
}

/// Slot of `$velocityCount`, set by `#foreach` (as are the next two).
pub(crate) const VELOCITY_COUNT: Slot = 0;
/// Slot of `$velocityHasNext`.
pub(crate) const VELOCITY_HAS_NEXT: Slot = 1;
/// Slot of `$foreach`.
pub(crate) const FOREACH: Slot = 2;
/// Slot of `$bodyContent`, a block macro call's body.
pub(crate) const BODY_CONTENT: Slot = 3;

/// The variable names of a template, by slot; the names the engine sets
/// itself come first ([`VELOCITY_COUNT`] .. [`BODY_CONTENT`]).
#[derive(Debug)]
pub(crate) struct VarNames {
    names: Vec<Box<str>>,
    slots: std::collections::HashMap<Box<str>, Slot>,
}

impl Default for VarNames {
    fn default() -> Self {
        let mut names = VarNames {
            names: Vec::new(),
            slots: std::collections::HashMap::new(),
        };
        for name in ["velocityCount", "velocityHasNext", "foreach", "bodyContent"] {
            names.slot(name);
        }
        names
    }
}

impl VarNames {
    /// The slot of `name`, given one if it has none yet.
    pub(crate) fn slot(&mut self, name: &str) -> Slot {
        if let Some(&slot) = self.slots.get(name) {
            return slot;
        }
        let slot = Slot::try_from(self.names.len()).expect("fewer names than the template's bytes");
        self.names.push(name.into());
        self.slots.insert(name.into(), slot);
        slot
    }

    /// The names, by slot.
    pub(crate) fn names(&self) -> &[Box<str>] {
        &self.names
    }
}

/// A sequence of nodes rendered in order.
pub(crate) type Block = Vec<Node>;

#[derive(Debug)]
pub(crate) enum Node {
    /// Literal text, copied to the output.
    Text(Box<str>),
    /// A reference in text: `$x`, `$!x`, `${x.y}`, `\$x`.
    Ref(Box<RefNode>),
    /// `#set( $target = value )`.
    Set(Box<SetNode>),
    /// `#if / #elseif / #else / #end`.
    If(Box<IfNode>),
    /// `#foreach( $var in iterable ) body #end`.
    Foreach(Box<ForeachNode>),
    /// `#break`, `#break($foreach)`.
    Break,
    /// `#stop`.
    Stop,
    /// `#define( $name ) body #end`.
    Define(Box<DefineNode>),
    /// `#name(args)` or `#@name(args) body #end`: a macro call, or literal text when
    /// no macro of that name exists.
    Call(Box<CallNode>),
    /// `#include` / `#parse` (need a resource loader, which API Gateway has not) and
    /// `#evaluate`.
    Unsupported(&'static str, Pos),
}

/// A reference as written in template text.
#[derive(Debug)]
pub(crate) struct RefNode {
    pub(crate) reference: Reference,
    /// `$!x`: renders nothing when null.
    pub(crate) quiet: bool,
    /// The reference exactly as written (without leading backslashes).
    pub(crate) literal: Box<str>,
    /// Backslashes before the `$`: `n / 2` are printed; an odd count escapes the reference.
    pub(crate) backslashes: u32,
}

/// `$root.part.part[...]`.
#[derive(Debug)]
pub(crate) struct Reference {
    /// The slot of the root variable.
    pub(crate) slot: Slot,
    pub(crate) parts: Vec<Part>,
    /// Offsets of the `$` and just past the reference.
    pub(crate) pos: Pos,
    pub(crate) end: Pos,
}

#[derive(Debug)]
pub(crate) enum Part {
    /// `.name`: a getter, map lookup or `isName()`.
    Property(Box<str>, Pos),
    /// `.name(args)`; for `json`/`path` with a literal JSONPath, the path compiled.
    Method(Box<str>, Vec<Expr>, Pos, Option<Box<JsonPath>>),
    /// `[expr]`: `get(expr)`.
    Index(Expr, Pos),
}

#[derive(Debug)]
pub(crate) struct SetNode {
    pub(crate) target: Reference,
    pub(crate) value: Expr,
}

#[derive(Debug)]
pub(crate) struct IfNode {
    pub(crate) branches: Vec<(Expr, Block)>,
    pub(crate) otherwise: Option<Block>,
}

#[derive(Debug)]
pub(crate) struct ForeachNode {
    pub(crate) var: Var,
    pub(crate) iterable: Expr,
    pub(crate) body: Block,
    pub(crate) pos: Pos,
}

#[derive(Debug)]
pub(crate) struct DefineNode {
    pub(crate) name: Var,
    pub(crate) body: Block,
}

#[derive(Debug)]
pub(crate) struct CallNode {
    pub(crate) name: Box<str>,
    /// `None` when the arguments are not valid VTL (then only literal text is possible).
    pub(crate) args: Option<Vec<Expr>>,
    /// `#@name(...) body #end`.
    pub(crate) body: Option<Block>,
    /// The call as written, rendered when no macro of that name exists.
    pub(crate) literal: Box<str>,
    pub(crate) pos: Pos,
}

/// A `#macro( name $a $b ) body #end` definition.
#[derive(Debug)]
pub(crate) struct Macro {
    pub(crate) params: Vec<Var>,
    pub(crate) body: Block,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug)]
pub(crate) enum Expr {
    Ref(Box<Reference>),
    /// A string literal without interpolation.
    Str(Box<str>),
    /// A double-quoted string with `$` or `#`: a template rendered to a string.
    Interp(Box<Interp>),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Expr>, Pos),
    Map(Vec<(Expr, Expr)>, Pos),
    Range(Box<(Expr, Expr)>, Pos),
    Not(Box<Expr>),
    Neg(Box<Expr>, Pos),
    Binary(BinOp, Box<(Expr, Expr)>, Pos),
    /// `( expr )`.
    Group(Box<Expr>),
    /// A bare word in a directive argument list (`#foo(bar)`).
    Word(Box<str>),
}

#[derive(Debug)]
pub(crate) struct Interp {
    pub(crate) body: Block,
    /// Velocity appends a space before parsing (unless the text has `##`) and strips
    /// the last character of the result.
    pub(crate) strip_last: bool,
}
