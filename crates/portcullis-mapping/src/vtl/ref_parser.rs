//! References (`$a.b(c)[d]`) and string literals.

use super::ast::{Expr, Interp, Part, Reference};
use super::parser::{PResult, Parser, find, is_ident_char, is_ident_start};
use crate::jsonpath::JsonPath;

impl Parser<'_, '_> {
    /// `"..."` (interpolated when it holds `$` or `#`) or `'...'` (never interpolated).
    pub(super) fn string_literal(&mut self) -> PResult<Expr> {
        let at = self.pos;
        let quote = self.b[at];
        let mut p = at + 1;
        loop {
            match self.b.get(p) {
                None => return Err(self.error_at(at, "unterminated string literal")),
                Some(&c) if c == quote => {
                    if self.b.get(p + 1) == Some(&quote) {
                        p += 2;
                    } else {
                        break;
                    }
                }
                Some(_) => p += 1,
            }
        }
        let raw = &self.src[at + 1..p];
        self.pos = p + 1;
        let q = quote as char;
        let doubled: String = [q, q].iter().collect();
        let mut text = raw.replace(&doubled, &q.to_string());
        if quote == b'\'' {
            return Ok(Expr::Str(text.into()));
        }
        text = unescape_unicode(&text);
        if !raw.contains(['$', '#']) {
            return Ok(Expr::Str(text.into()));
        }
        let strip_last = !text.contains("##");
        if strip_last {
            text.push(' ');
        }
        let mut inner = Parser::new(
            &text,
            self.base + at + 1,
            self.depth + 1,
            self.macros,
            self.names,
        );
        let body = inner.parse_template()?;
        Ok(Expr::Interp(Box::new(Interp { body, strip_last })))
    }

    /// `$name...`, `$!name...`, `${name...}`, `$!{name...}` at `self.pos` (on the `$`).
    /// `Ok(None)` (position unchanged) when no identifier follows: the `$` is text.
    pub(super) fn parse_reference(&mut self) -> PResult<Option<(Reference, bool)>> {
        let at = self.pos;
        let mut p = at + 1;
        let quiet = self.b.get(p) == Some(&b'!');
        if quiet {
            p += 1;
        }
        let formal = self.b.get(p) == Some(&b'{');
        if formal {
            p += 1;
        }
        if !self.b.get(p).copied().is_some_and(is_ident_start) {
            return Ok(None);
        }
        self.pos = p;
        let root = self.ident();
        let mut parts = Vec::new();
        loop {
            let part_at = self.pos;
            match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    let index = self.expr()?;
                    self.skip_ws();
                    self.expect(b']', "']' closing the index")?;
                    parts.push(Part::Index(index, self.p(part_at)));
                }
                Some(b'.') if self.peek_at(1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                    self.pos += 1;
                    let name = self.ident();
                    if self.peek() == Some(b'(') {
                        self.pos += 1;
                        let args = self.method_args()?;
                        let path = literal_json_path(&name, &args);
                        parts.push(Part::Method(name, args, self.p(part_at), path));
                    } else {
                        parts.push(Part::Property(name, self.p(part_at)));
                    }
                }
                _ => break,
            }
            if parts.len() > 1000 {
                return Err(self.error_at(part_at, "reference chain too long"));
            }
        }
        if formal {
            self.expect(b'}', "'}' closing ${...}")?;
        }
        Ok(Some((
            Reference {
                slot: self.names.slot(&root),
                parts,
                pos: self.p(at),
                end: self.p(self.pos),
            },
            quiet,
        )))
    }

    pub(super) fn ident(&mut self) -> Box<str> {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        self.src[start..self.pos].into()
    }

    /// After `(` of a method call: comma-separated expressions and `)`.
    pub(super) fn method_args(&mut self) -> PResult<Vec<Expr>> {
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err(self.error_at(self.pos, "expected ',' or ')' in method arguments")),
            }
        }
    }
}

/// `\uXXXX` escapes in double-quoted literals (the only escapes Velocity 1.7 decodes).
fn unescape_unicode(s: &str) -> String {
    if find(s.as_bytes(), b"\\u").is_none() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut units: Vec<u16> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        let hex = rest
            .get(i + 2..i + 6)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
        match hex.and_then(|h| u16::from_str_radix(h, 16).ok()) {
            Some(unit) => {
                if !units.is_empty() && i > 0 {
                    out.push_str(&String::from_utf16_lossy(&units));
                    units.clear();
                }
                if units.is_empty() {
                    out.push_str(&rest[..i]);
                }
                units.push(unit);
                rest = &rest[i + 6..];
            }
            None => {
                out.push_str(&String::from_utf16_lossy(&units));
                units.clear();
                out.push_str(&rest[..i + 2]);
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(&String::from_utf16_lossy(&units));
    out.push_str(rest);
    out
}

/// The JSONPath of `.json('...')` / `.path('...')` with a literal argument,
/// compiled once here for `$input` (a path that does not compile is left to
/// fail when rendered, as it does without this).
fn literal_json_path(name: &str, args: &[Expr]) -> Option<Box<JsonPath>> {
    match (name, args) {
        ("json" | "path", [Expr::Str(text)]) => JsonPath::parse(text).ok().map(Box::new),
        _ => None,
    }
}
