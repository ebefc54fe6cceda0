//! Template-level parsing: text, references, directives, comments.
//!
//! Hand-written after Velocity 1.7's grammar (`Parser.jjt`), including its whitespace
//! rules: a directive's closing `)`, `#else` and `#end` swallow trailing spaces and one
//! newline; `#set` also swallows the spaces before it when they start a new token.

use std::collections::HashMap;

use super::ast::{Block, Expr, Macro, Node, Pos, RefNode, VarNames};

/// Deepest nesting of blocks, expressions and string interpolations.
pub const MAX_PARSE_DEPTH: u32 = 100;

/// A syntax error at a byte offset.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) pos: usize,
    pub(crate) message: String,
}

pub(crate) type PResult<T> = Result<T, SyntaxError>;

/// What closed a block.
pub(super) enum Closer {
    Eof,
    End,
    Else,
    ElseIf(Expr),
}

pub(crate) struct Parser<'s, 'm> {
    pub(super) src: &'s str,
    pub(super) b: &'s [u8],
    pub(super) pos: usize,
    /// Offset of `src` within the template (non-zero inside string interpolation).
    pub(super) base: usize,
    pub(super) depth: u32,
    pub(super) macros: &'m mut HashMap<Box<str>, Macro>,
    /// The template's variable names, shared with the parsers of its
    /// interpolated strings.
    pub(super) names: &'m mut VarNames,
}

/// The directives Velocity knows (an escaped `\#name` of these prints as `#name`).
const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "define", "macro",
    "evaluate", "include", "parse",
];

/// Text being gathered between nodes, with the start of the current text token.
pub(super) struct TextRun {
    pub(super) text: String,
    pub(super) token_start: usize,
    pub(super) fresh: bool,
}

impl TextRun {
    fn push_plain(&mut self, s: &str) {
        if self.fresh {
            self.token_start = self.text.len();
            self.fresh = false;
        }
        self.text.push_str(s);
    }
    pub(super) fn push_token(&mut self, s: &str) {
        self.text.push_str(s);
        self.fresh = true;
    }
    pub(super) fn flush(&mut self, out: &mut Block) {
        if !self.text.is_empty() {
            out.push(Node::Text(std::mem::take(&mut self.text).into_boxed_str()));
        }
        self.fresh = true;
    }
    /// `#set` eats the spaces and tabs before it when they form their own token.
    pub(super) fn gobble_set_prefix(&mut self) {
        if !self.fresh {
            let tail = &self.text[self.token_start..];
            if !tail.is_empty() && tail.bytes().all(|c| c == b' ' || c == b'\t') {
                self.text.truncate(self.token_start);
            }
        }
        self.fresh = true;
    }
}

pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

pub(super) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

pub(super) fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'@'
}

impl<'s, 'm> Parser<'s, 'm> {
    pub(crate) fn new(
        src: &'s str,
        base: usize,
        depth: u32,
        macros: &'m mut HashMap<Box<str>, Macro>,
        names: &'m mut VarNames,
    ) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            pos: 0,
            base,
            depth,
            macros,
            names,
        }
    }

    /// Parses a whole template (or interpolated string).
    pub(crate) fn parse_template(&mut self) -> PResult<Block> {
        let (block, closer, at) = self.parse_block()?;
        match closer {
            Closer::Eof => Ok(block),
            Closer::End => Err(self.error_at(
                at,
                "#end without a matching #if, #foreach, #define or #macro",
            )),
            Closer::Else => Err(self.error_at(at, "#else without a matching #if")),
            Closer::ElseIf(_) => Err(self.error_at(at, "#elseif without a matching #if")),
        }
    }

    pub(super) fn p(&self, at: usize) -> Pos {
        u32::try_from(self.base + at).unwrap_or(u32::MAX)
    }

    pub(super) fn error_at(&self, at: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            pos: self.base + at,
            message: message.into(),
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, off: usize) -> Option<u8> {
        self.b.get(self.pos + off).copied()
    }

    pub(super) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(self.error_at(
                self.pos,
                format!("nesting deeper than {MAX_PARSE_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// Skips spaces, tabs and newlines.
    pub(super) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// After a directive's `)`, `#else` or `#end`: spaces/tabs and one newline, if a newline follows.
    pub(super) fn eat_newline(&mut self) {
        let mut p = self.pos;
        while let Some(b' ' | b'\t') = self.b.get(p) {
            p += 1;
        }
        match self.b.get(p) {
            Some(b'\n') => self.pos = p + 1,
            Some(b'\r') => {
                self.pos = if self.b.get(p + 1) == Some(&b'\n') {
                    p + 2
                } else {
                    p + 1
                }
            }
            _ => {}
        }
    }

    pub(super) fn expect(&mut self, c: u8, what: &str) -> PResult<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_at(self.pos, format!("expected {what}")))
        }
    }

    /// Parses statements until `#end`, `#else`, `#elseif` or the end of input.
    pub(super) fn parse_block(&mut self) -> PResult<(Block, Closer, usize)> {
        self.enter()?;
        let mut out = Block::new();
        let mut run = TextRun {
            text: String::new(),
            token_start: 0,
            fresh: true,
        };
        let closer = loop {
            let start = self.pos;
            while let Some(c) = self.peek() {
                if c == b'$' || c == b'#' || c == b'\\' {
                    break;
                }
                self.pos += 1;
            }
            if start < self.pos {
                run.push_plain(&self.src[start..self.pos]);
            }
            let at = self.pos;
            match self.peek() {
                None => break (Closer::Eof, at),
                Some(b'\\') => self.backslashes(&mut run, &mut out)?,
                Some(b'$') => self.dollar(0, &mut run, &mut out)?,
                Some(_) => {
                    if let Some(closer) = self.hash(&mut run, &mut out)? {
                        break (closer, at);
                    }
                }
            }
        };
        run.flush(&mut out);
        self.depth -= 1;
        Ok((out, closer.0, closer.1))
    }

    fn backslashes(&mut self, run: &mut TextRun, out: &mut Block) -> PResult<()> {
        let start = self.pos;
        while self.peek() == Some(b'\\') {
            self.pos += 1;
        }
        let n = self.pos - start;
        match self.peek() {
            Some(b'$') => return self.dollar(n, run, out),
            Some(b'#') => {
                if let Some((name, end)) = self.directive_word(self.pos) {
                    let known = DIRECTIVES.contains(&name) || self.macros.contains_key(name);
                    if n % 2 == 1 {
                        if known {
                            // `\#if` prints `#if`; half the remaining backslashes print.
                            let text =
                                format!("{}{}", "\\".repeat(n / 2), &self.src[self.pos..end]);
                            run.push_token(&text);
                        } else {
                            run.push_token(&self.src[start..end]);
                        }
                        self.pos = end;
                        return Ok(());
                    }
                    if known {
                        run.push_token(&"\\".repeat(n / 2));
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
        run.push_token(&self.src[start..self.pos]);
        Ok(())
    }

    /// `#word` or `#{word}` at `at`: the word and the offset just after it.
    pub(super) fn directive_word(&self, at: usize) -> Option<(&'s str, usize)> {
        let b = self.b;
        let mut p = at + 1;
        let braced = b.get(p) == Some(&b'{');
        if braced {
            p += 1;
        }
        let w = p;
        match b.get(p) {
            Some(&c) if c.is_ascii_alphabetic() || c == b'_' || (c == b'@' && !braced) => p += 1,
            _ => return None,
        }
        while b.get(p).is_some_and(|&c| is_word_char(c)) {
            p += 1;
        }
        let word = &self.src[w..p];
        if braced {
            if b.get(p) != Some(&b'}') {
                return None;
            }
            p += 1;
        }
        Some((word, p))
    }

    fn dollar(&mut self, backslashes: usize, run: &mut TextRun, out: &mut Block) -> PResult<()> {
        let dollar = self.pos;
        let lit_start = dollar - backslashes;
        match self.parse_reference()? {
            Some((reference, quiet)) => {
                run.flush(out);
                out.push(Node::Ref(Box::new(RefNode {
                    reference,
                    quiet,
                    literal: self.src[dollar..self.pos].into(),
                    backslashes: u32::try_from(backslashes).unwrap_or(u32::MAX),
                })));
            }
            None => {
                self.pos = dollar + 1;
                run.push_token(&self.src[lit_start..self.pos]);
            }
        }
        Ok(())
    }
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
