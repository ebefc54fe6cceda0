//! Expressions, references and literals: what Velocity parses in its DIRECTIVE and
//! REFERENCE lexical states.

use super::ast::{BinOp, Expr};
use super::parser::{PResult, Parser, is_ident_char};

impl Parser<'_, '_> {
    /// A full expression (`#if`, `#set`, method arguments, literals' elements).
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = self.binary(0);
        self.depth -= 1;
        e
    }

    /// Precedence climbing over Velocity's levels: or, and, equality, relational,
    /// additive, multiplicative.
    fn binary(&mut self, level: u8) -> PResult<Expr> {
        if level == 6 {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            self.skip_ws();
            let at = self.pos;
            let Some((op, len)) = self.operator(level) else {
                break;
            };
            self.pos += len;
            let right = self.binary(level + 1)?;
            left = Expr::Binary(op, Box::new((left, right)), self.p(at));
        }
        Ok(left)
    }

    fn word_at(&self, w: &[u8]) -> bool {
        self.b[self.pos..].starts_with(w) && !self.peek_at(w.len()).is_some_and(is_ident_char)
    }

    fn operator(&self, level: u8) -> Option<(BinOp, usize)> {
        let r = &self.b[self.pos..];
        let sym = |s: &[u8]| r.starts_with(s);
        match level {
            0 if sym(b"||") => Some((BinOp::Or, 2)),
            0 if self.word_at(b"or") => Some((BinOp::Or, 2)),
            1 if sym(b"&&") => Some((BinOp::And, 2)),
            1 if self.word_at(b"and") => Some((BinOp::And, 3)),
            2 if sym(b"==") => Some((BinOp::Eq, 2)),
            2 if sym(b"!=") => Some((BinOp::Ne, 2)),
            2 if self.word_at(b"eq") => Some((BinOp::Eq, 2)),
            2 if self.word_at(b"ne") => Some((BinOp::Ne, 2)),
            3 if sym(b"<=") => Some((BinOp::Le, 2)),
            3 if sym(b">=") => Some((BinOp::Ge, 2)),
            3 if sym(b"<") => Some((BinOp::Lt, 1)),
            3 if sym(b">") => Some((BinOp::Gt, 1)),
            3 if self.word_at(b"lt") => Some((BinOp::Lt, 2)),
            3 if self.word_at(b"le") => Some((BinOp::Le, 2)),
            3 if self.word_at(b"gt") => Some((BinOp::Gt, 2)),
            3 if self.word_at(b"ge") => Some((BinOp::Ge, 2)),
            4 if sym(b"+") => Some((BinOp::Add, 1)),
            4 if sym(b"-") => Some((BinOp::Sub, 1)),
            5 if sym(b"*") => Some((BinOp::Mul, 1)),
            5 if sym(b"/") => Some((BinOp::Div, 1)),
            5 if sym(b"%") => Some((BinOp::Mod, 1)),
            _ => None,
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.skip_ws();
        let at = self.pos;
        if (self.peek() == Some(b'!') && self.peek_at(1) != Some(b'=')) || self.word_at(b"not") {
            self.pos += if self.peek() == Some(b'!') { 1 } else { 3 };
            self.enter()?;
            let inner = self.unary();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner?)));
        }
        if self.peek() == Some(b'-')
            && !self
                .peek_at(1)
                .is_some_and(|c| c.is_ascii_digit() || c == b'.')
        {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary();
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner?), self.p(at)));
        }
        self.primary()
    }

    /// A literal, reference, list, map, range or parenthesised expression.
    pub(super) fn primary(&mut self) -> PResult<Expr> {
        self.skip_ws();
        let at = self.pos;
        let e = match self.peek() {
            Some(b'"' | b'\'') => self.string_literal()?,
            Some(b'$') => match self.parse_reference()? {
                Some((r, _)) => Expr::Ref(Box::new(r)),
                None => return Err(self.error_at(at, "expected a reference after '$'")),
            },
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'.' => self.number()?,
            Some(b'[') => self.list_or_range()?,
            Some(b'{') => self.map_literal()?,
            Some(b'(') => {
                self.pos += 1;
                let inner = self.expr()?;
                self.skip_ws();
                self.expect(b')', "')'")?;
                Expr::Group(Box::new(inner))
            }
            _ if self.word_at(b"true") => {
                self.pos += 4;
                Expr::Bool(true)
            }
            _ if self.word_at(b"false") => {
                self.pos += 5;
                Expr::Bool(false)
            }
            Some(_) => {
                return Err(self.error_at(
                    at,
                    "expected a value (a literal, a $reference, [list], {map} or (expression))",
                ));
            }
            None => return Err(self.error_at(at, "unexpected end of template in an expression")),
        };
        self.skip_ws();
        Ok(e)
    }

    fn number(&mut self) -> PResult<Expr> {
        let at = self.pos;
        let b = self.b;
        let mut p = at;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        let digits = p;
        while b.get(p).is_some_and(u8::is_ascii_digit) {
            p += 1;
        }
        let int_end = p;
        let mut float = false;
        if b.get(p) == Some(&b'.') && b.get(p + 1) != Some(&b'.') {
            float = true;
            p += 1;
            while b.get(p).is_some_and(u8::is_ascii_digit) {
                p += 1;
            }
        }
        if p > digits && matches!(b.get(p), Some(b'e' | b'E')) {
            let mut q = p + 1;
            if matches!(b.get(q), Some(b'+' | b'-')) {
                q += 1;
            }
            if b.get(q).is_some_and(u8::is_ascii_digit) {
                while b.get(q).is_some_and(u8::is_ascii_digit) {
                    q += 1;
                }
                float = true;
                p = q;
            }
        }
        let text = &self.src[at..p];
        if (float && p == digits + 1) || (!float && int_end == digits) {
            return Err(self.error_at(at, "expected a number"));
        }
        self.pos = p;
        if float {
            text.parse::<f64>()
                .map(Expr::Float)
                .map_err(|_| self.error_at(at, "invalid number"))
        } else {
            text.parse::<i64>()
                .map(Expr::Int)
                .map_err(|_| self.error_at(at, "integer literal out of range"))
        }
    }

    fn list_or_range(&mut self) -> PResult<Expr> {
        let at = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Expr::List(Vec::new(), self.p(at)));
        }
        let first = self.expr()?;
        self.skip_ws();
        if self.b[self.pos..].starts_with(b"..") {
            self.pos += 2;
            let last = self.expr()?;
            self.skip_ws();
            self.expect(b']', "']' closing the range")?;
            return Ok(Expr::Range(Box::new((first, last)), self.p(at)));
        }
        let mut items = vec![first];
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    items.push(self.expr()?);
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Expr::List(items, self.p(at)));
                }
                _ => return Err(self.error_at(self.pos, "expected ',' or ']' in a list")),
            }
        }
    }

    fn map_literal(&mut self) -> PResult<Expr> {
        let at = self.pos;
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Expr::Map(entries, self.p(at)));
        }
        loop {
            let key = self.expr()?;
            self.skip_ws();
            self.expect(b':', "':' in a map")?;
            let value = self.expr()?;
            entries.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Expr::Map(entries, self.p(at)));
                }
                _ => return Err(self.error_at(self.pos, "expected ',' or '}' in a map")),
            }
        }
    }

    /// After a directive's `(`: arguments separated by whitespace or commas, then `)`.
    /// Each is a single value (no operators) or a bare word.
    pub(super) fn call_args(&mut self) -> PResult<Vec<Expr>> {
        self.enter()?;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                Some(b',') => self.pos += 1,
                Some(c)
                    if c.is_ascii_alphabetic()
                        && !self.word_at(b"true")
                        && !self.word_at(b"false") =>
                {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'@')
                    {
                        self.pos += 1;
                    }
                    args.push(Expr::Word(self.src[start..self.pos].into()));
                }
                Some(_) => args.push(self.primary()?),
                None => {
                    return Err(self.error_at(
                        self.pos,
                        "unexpected end of template in directive arguments",
                    ));
                }
            }
        }
        self.depth -= 1;
        Ok(args)
    }
}
