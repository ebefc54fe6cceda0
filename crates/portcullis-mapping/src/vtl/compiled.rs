//! A parsed template and what its renders share.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;

use super::ast::{Block, Macro, Pos, VarNames};
use super::java_regex::RegexCache;
use super::parser::{Parser, SyntaxError};

pub(crate) struct Compiled {
    pub(crate) name: String,
    pub(crate) src: Box<str>,
    pub(crate) body: Block,
    pub(crate) macros: HashMap<Box<str>, Macro>,
    /// What each variable slot names when the template has not set it: one
    /// of API Gateway's variables, or nothing.
    pub(crate) globals: Box<[Global]>,
    pub(crate) regexes: RegexCache,
    /// Print a null reference as written (Velocity) instead of as nothing (API Gateway).
    pub(crate) literal_nulls: bool,
    /// The size of the last output, to allocate the next one at once.
    pub(crate) output_hint: AtomicUsize,
}

/// API Gateway's variables, which a template's own variables hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Global {
    /// Not one: an unset variable of this name is null.
    None,
    Input,
    Util,
    Context,
    StageVariables,
    Method,
    Integration,
}

impl Global {
    fn of(name: &str) -> Global {
        match name {
            "input" => Global::Input,
            "util" => Global::Util,
            "context" => Global::Context,
            "stageVariables" => Global::StageVariables,
            "method" => Global::Method,
            "integration" => Global::Integration,
            _ => Global::None,
        }
    }
}

impl Compiled {
    pub(crate) fn parse(name: &str, src: &str) -> Result<Compiled, SyntaxError> {
        let mut macros = HashMap::new();
        let mut names = VarNames::default();
        let body = Parser::new(src, 0, 0, &mut macros, &mut names).parse_template()?;
        let globals = names.names().iter().map(|n| Global::of(n)).collect();
        Ok(Compiled {
            name: name.to_owned(),
            src: src.into(),
            body,
            macros,
            globals,
            regexes: RegexCache::default(),
            literal_nulls: false,
            output_hint: AtomicUsize::new(src.len()),
        })
    }

    /// Source text between two offsets (empty if they are not valid here).
    pub(crate) fn src_at(&self, from: Pos, to: Pos) -> &str {
        self.src.get(from as usize..to as usize).unwrap_or("")
    }
}
