//! Parsing of the directives' arguments and bodies: `#set`, `#if`, `#foreach`,
//! `#define`, `#macro` and macro calls.

use super::ast::{
    Block, CallNode, DefineNode, Expr, ForeachNode, IfNode, Macro, Node, SetNode, Var,
};
use super::parser::{Closer, PResult, Parser, TextRun, find, is_word_char};

impl Parser<'_, '_> {
    /// Whether `(` follows, possibly after whitespace.
    pub(super) fn paren_follows(&self) -> bool {
        self.b[self.pos..]
            .iter()
            .find(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(&b'(')
    }

    /// Whether `(` follows, possibly after whitespace; if so, moves past it.
    pub(super) fn has_paren(&mut self) -> bool {
        let save = self.pos;
        self.skip_ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// `( expr )` after `#if` / `#elseif`, then the newline rule.
    pub(super) fn condition(&mut self, what: &str) -> PResult<Expr> {
        if !self.has_paren() {
            return Err(self.error_at(self.pos, format!("{what} needs a condition in parentheses")));
        }
        let cond = self.expr()?;
        self.skip_ws();
        self.expect(b')', "')' closing the condition")?;
        self.eat_newline();
        Ok(cond)
    }

    pub(super) fn set_body(&mut self) -> PResult<SetNode> {
        self.skip_ws();
        if self.peek() != Some(b'$') {
            return Err(self.error_at(
                self.pos,
                "#set needs a reference to assign, like #set($x = 1)",
            ));
        }
        let Some((target, _)) = self.parse_reference()? else {
            return Err(self.error_at(self.pos, "#set needs a reference to assign"));
        };
        self.skip_ws();
        self.expect(b'=', "'=' in #set")?;
        let value = self.expr()?;
        self.skip_ws();
        self.expect(b')', "')' closing #set")?;
        self.eat_newline();
        Ok(SetNode { target, value })
    }

    pub(super) fn if_body(&mut self) -> PResult<IfNode> {
        let mut cond = self.condition("#if")?;
        let mut branches = Vec::new();
        loop {
            let (block, closer, at) = self.parse_block()?;
            branches.push((cond, block));
            match closer {
                Closer::End => {
                    return Ok(IfNode {
                        branches,
                        otherwise: None,
                    });
                }
                Closer::ElseIf(next) => cond = next,
                Closer::Else => {
                    let (block, closer, at) = self.parse_block()?;
                    return match closer {
                        Closer::End => Ok(IfNode {
                            branches,
                            otherwise: Some(block),
                        }),
                        Closer::Eof => Err(self.error_at(at, "#if without #end")),
                        _ => Err(self.error_at(at, "#else or #elseif after #else")),
                    };
                }
                Closer::Eof => return Err(self.error_at(at, "#if without #end")),
            }
        }
    }

    pub(super) fn body_until_end(&mut self, what: &str, start: usize) -> PResult<Block> {
        let (block, closer, at) = self.parse_block()?;
        match closer {
            Closer::End => Ok(block),
            Closer::Eof => Err(self.error_at(start, format!("{what} without #end"))),
            _ => Err(self.error_at(at, format!("#else or #elseif inside {what}"))),
        }
    }

    pub(super) fn foreach_body(&mut self, at: usize) -> PResult<ForeachNode> {
        if !self.has_paren() {
            return Err(self.error_at(at, "#foreach needs ( $item in $list )"));
        }
        self.skip_ws();
        let var = self.var_name("#foreach")?;
        self.skip_ws();
        if !self.b[self.pos..].starts_with(b"in") || self.peek_at(2).is_some_and(is_word_char) {
            return Err(self.error_at(self.pos, "expected 'in' in #foreach"));
        }
        self.pos += 2;
        let iterable = self.expr()?;
        self.skip_ws();
        self.expect(b')', "')' closing #foreach")?;
        self.eat_newline();
        let body = self.body_until_end("#foreach", at)?;
        Ok(ForeachNode {
            var,
            iterable,
            body,
            pos: self.p(at),
        })
    }

    /// `$name` (also `${name}`, `$!name`): just the name.
    pub(super) fn var_name(&mut self, what: &str) -> PResult<Var> {
        let at = self.pos;
        match self.parse_reference()? {
            Some((r, _)) if r.parts.is_empty() => Ok(Var { slot: r.slot }),
            _ => Err(self.error_at(at, format!("{what} needs a simple $name here"))),
        }
    }

    pub(super) fn paren_reference_name(&mut self, what: &str) -> PResult<Var> {
        if !self.has_paren() {
            return Err(self.error_at(self.pos, format!("{what} needs ( $name )")));
        }
        self.skip_ws();
        let name = self.var_name(what)?;
        self.skip_ws();
        self.expect(b')', "')'")?;
        self.eat_newline();
        Ok(name)
    }

    pub(super) fn macro_definition(&mut self, at: usize) -> PResult<()> {
        if !self.has_paren() {
            return Err(self.error_at(at, "#macro needs a name in parentheses"));
        }
        self.skip_ws();
        let start = self.pos;
        while self.peek().is_some_and(is_word_char) {
            self.pos += 1;
        }
        if start == self.pos || !self.b[start].is_ascii_alphabetic() && self.b[start] != b'_' {
            return Err(self.error_at(start, "#macro's first argument must be the macro's name"));
        }
        let name: Box<str> = self.src[start..self.pos].into();
        let mut params = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b'$') => params.push(self.var_name("#macro")?),
                _ => return Err(self.error_at(self.pos, "expected a $parameter or ')' in #macro")),
            }
        }
        self.eat_newline();
        let body = self.body_until_end("#macro", at)?;
        self.macros.insert(name, Macro { params, body });
        Ok(())
    }

    pub(super) fn macro_call(
        &mut self,
        at: usize,
        word: &str,
        end: usize,
        run: &mut TextRun,
        out: &mut Block,
    ) -> PResult<()> {
        let block = word.starts_with('@');
        let name = word.trim_start_matches('@');
        let save = self.pos;
        let args = if self.has_paren() {
            match self.call_args() {
                Ok(args) => Some(args),
                Err(e) if block || self.macros.contains_key(name) => return Err(e),
                Err(_) => None,
            }
        } else {
            Some(Vec::new())
        };
        if args.is_none() {
            // Not valid VTL: `#word` is text; what follows is parsed as usual.
            self.pos = end;
            run.push_token(&self.src[at..end]);
            return Ok(());
        }
        let literal: Box<str> = self.src[at..self.pos].into();
        if self.pos != save {
            self.eat_newline();
        }
        run.flush(out);
        let body = if block {
            Some(self.body_until_end("a block macro call", at)?)
        } else {
            None
        };
        out.push(Node::Call(Box::new(CallNode {
            name: name.into(),
            args,
            body,
            literal,
            pos: self.p(at),
        })));
        Ok(())
    }

    /// At `#`: a comment, a directive, a macro call or plain text.
    /// Returns a closer when the block ends here.
    pub(super) fn hash(&mut self, run: &mut TextRun, out: &mut Block) -> PResult<Option<Closer>> {
        let at = self.pos;
        let rest = &self.b[at..];
        if rest.starts_with(b"##") {
            while let Some(c) = self.peek() {
                self.pos += 1;
                if c == b'\n' {
                    break;
                }
                if c == b'\r' {
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    break;
                }
            }
            run.fresh = true;
            return Ok(None);
        }
        if rest.starts_with(b"#*") {
            match find(&self.b[at + 2..], b"*#") {
                Some(i) => self.pos = at + 2 + i + 2,
                None => return Err(self.error_at(at, "unterminated #* comment *#")),
            }
            run.fresh = true;
            return Ok(None);
        }
        if rest.starts_with(b"#[[") {
            match find(&self.b[at + 3..], b"]]#") {
                Some(i) => {
                    run.push_token(&self.src[at + 3..at + 3 + i]);
                    self.pos = at + 3 + i + 3;
                }
                None => return Err(self.error_at(at, "unterminated #[[ text block ]]#")),
            }
            return Ok(None);
        }
        let Some((word, end)) = self.directive_word(at) else {
            self.pos += 1;
            run.push_token("#");
            return Ok(None);
        };
        match word {
            "set" => {
                let mut p = end;
                while self.b.get(p) == Some(&b' ') {
                    p += 1;
                }
                if self.b.get(p) != Some(&b'(') {
                    self.pos = end;
                    run.push_token(&self.src[at..end]);
                    return Ok(None);
                }
                run.gobble_set_prefix();
                run.flush(out);
                self.pos = p + 1;
                let node = self.set_body()?;
                out.push(Node::Set(Box::new(node)));
            }
            "end" | "else" => {
                self.pos = end;
                self.eat_newline();
                run.flush(out);
                return Ok(Some(if word == "end" {
                    Closer::End
                } else {
                    Closer::Else
                }));
            }
            "elseif" => {
                self.pos = end;
                let cond = self.condition("#elseif")?;
                run.flush(out);
                return Ok(Some(Closer::ElseIf(cond)));
            }
            "if" => {
                self.pos = end;
                run.flush(out);
                let node = self.if_body()?;
                out.push(Node::If(Box::new(node)));
            }
            "foreach" => {
                self.pos = end;
                run.flush(out);
                let node = self.foreach_body(at)?;
                out.push(Node::Foreach(Box::new(node)));
            }
            "define" => {
                self.pos = end;
                run.flush(out);
                let name = self.paren_reference_name("#define")?;
                let body = self.body_until_end("#define", at)?;
                out.push(Node::Define(Box::new(DefineNode { name, body })));
            }
            "macro" => {
                self.pos = end;
                run.flush(out);
                self.macro_definition(at)?;
            }
            "break" | "stop" => {
                self.pos = end;
                run.flush(out);
                if self.has_paren() {
                    self.call_args()?;
                    self.eat_newline();
                }
                out.push(if word == "break" {
                    Node::Break
                } else {
                    Node::Stop
                });
            }
            "include" | "parse" | "evaluate" => {
                self.pos = end;
                run.flush(out);
                if self.has_paren() {
                    self.call_args()?;
                    self.eat_newline();
                }
                let what = match word {
                    "include" => "#include",
                    "parse" => "#parse",
                    _ => "#evaluate",
                };
                out.push(Node::Unsupported(what, self.p(at)));
            }
            _ => {
                self.pos = end;
                if !self.paren_follows() && !word.starts_with('@') {
                    run.push_token(&self.src[at..end]);
                    return Ok(None);
                }
                self.macro_call(at, word, end, run, out)?;
            }
        }
        Ok(None)
    }
}
