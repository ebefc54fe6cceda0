//! A parsed template and what its renders share.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;

use super::ast::{Block, Macro, Pos};
use super::java_regex::RegexCache;
use super::parser::{Parser, SyntaxError};

pub(crate) struct Compiled {
    pub(crate) name: String,
    pub(crate) src: Box<str>,
    pub(crate) body: Block,
    pub(crate) macros: HashMap<Box<str>, Macro>,
    pub(crate) regexes: RegexCache,
    /// Print a null reference as written (Velocity) instead of as nothing (API Gateway).
    pub(crate) literal_nulls: bool,
    /// The size of the last output, to allocate the next one at once.
    pub(crate) output_hint: AtomicUsize,
}

impl Compiled {
    pub(crate) fn parse(name: &str, src: &str) -> Result<Compiled, SyntaxError> {
        let mut macros = HashMap::new();
        let body = Parser::new(src, 0, 0, &mut macros).parse_template()?;
        Ok(Compiled {
            name: name.to_owned(),
            src: src.into(),
            body,
            macros,
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
