//! Filter expressions, `[?(@.price < 10 && @.category == 'fiction')]`, with
//! Jayway JsonPath's operators: `==` `!=` `<` `<=` `>` `>=` `=~ /re/flags`,
//! `in` `nin` `subsetof` `anyof` `noneof` `contains` `size` `empty`, `&&`,
//! `||`, `!`, parentheses, and bare paths as existence tests.

use fancy_regex::Regex;
use serde_json::Value as J;

use super::JsonPathError;
use super::compare::{compare, regex_matches};
use super::parse::{self, Cursor, MAX_NESTING, Token};
use super::select::{self, Budget, Node};

#[derive(Debug, Clone)]
pub(super) enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(PathOperand),
    Compare(Operand, Op, Operand),
}

#[derive(Debug, Clone)]
pub(super) struct PathOperand {
    /// `$...` (the document root) rather than `@...` (the current node).
    from_root: bool,
    tokens: Vec<Token>,
    definite: bool,
}

#[derive(Debug, Clone)]
pub(super) enum Operand {
    Path(PathOperand),
    Literal(J),
    Regex(Box<Regex>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Lt,
    Le,
    Gt,
    Ge,
    Matches,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Contains,
    Size,
    Empty,
}

const SYMBOL_OPS: [(&str, Op); 9] = [
    ("===", Op::StrictEq),
    ("!==", Op::StrictNe),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=~", Op::Matches),
    ("<", Op::Lt),
    (">", Op::Gt),
];

const WORD_OPS: [(&str, Op); 8] = [
    ("subsetof", Op::SubsetOf),
    ("contains", Op::Contains),
    ("noneof", Op::NoneOf),
    ("anyof", Op::AnyOf),
    ("empty", Op::Empty),
    ("size", Op::Size),
    ("nin", Op::Nin),
    ("in", Op::In),
];

fn nest(cur: &mut Cursor<'_>) -> Result<(), JsonPathError> {
    cur.nesting += 1;
    if cur.nesting > MAX_NESTING {
        return Err(cur.error(format!("filters nested deeper than {MAX_NESTING}")));
    }
    Ok(())
}

/// Parses the expression inside `[?( ... )]`, up to (not including) the `)`.
pub(super) fn parse_expr(cur: &mut Cursor<'_>) -> Result<Expr, JsonPathError> {
    let mut left = parse_and(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("||") {
            return Ok(left);
        }
        let right = parse_and(cur)?;
        left = Expr::Or(Box::new(left), Box::new(right));
    }
}

fn parse_and(cur: &mut Cursor<'_>) -> Result<Expr, JsonPathError> {
    let mut left = parse_unary(cur)?;
    loop {
        cur.skip_ws();
        if !cur.eat_str("&&") {
            return Ok(left);
        }
        let right = parse_unary(cur)?;
        left = Expr::And(Box::new(left), Box::new(right));
    }
}

fn parse_unary(cur: &mut Cursor<'_>) -> Result<Expr, JsonPathError> {
    cur.skip_ws();
    if cur.peek() == Some('!') && cur.peek_at(1) != Some('=') {
        cur.bump();
        nest(cur)?;
        let inner = parse_unary(cur)?;
        cur.nesting -= 1;
        return Ok(Expr::Not(Box::new(inner)));
    }
    if cur.eat('(') {
        nest(cur)?;
        let inner = parse_expr(cur)?;
        cur.skip_ws();
        if !cur.eat(')') {
            return Err(cur.error("expected ')' to close '('"));
        }
        cur.nesting -= 1;
        return Ok(inner);
    }
    let start_left = cur.position();
    let left = parse_operand(cur)?;
    cur.skip_ws();
    let Some(op) = parse_op(cur) else {
        return match left {
            Operand::Path(path) => Ok(Expr::Exists(path)),
            _ => Err(cur.error_at(start_left, "expected a path (@... or $...) or a comparison")),
        };
    };
    cur.skip_ws();
    let right = parse_operand(cur)?;
    Ok(Expr::Compare(left, op, right))
}

fn parse_op(cur: &mut Cursor<'_>) -> Option<Op> {
    for (symbol, op) in SYMBOL_OPS {
        if cur.eat_str(symbol) {
            return Some(op);
        }
    }
    for (word, op) in WORD_OPS {
        let len = word.chars().count();
        let boundary = !cur
            .peek_at(len)
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if boundary && cur.eat_str(word) {
            return Some(op);
        }
    }
    None
}

fn parse_operand(cur: &mut Cursor<'_>) -> Result<Operand, JsonPathError> {
    cur.skip_ws();
    match cur.peek() {
        Some(c @ ('@' | '$')) => {
            cur.bump();
            let tokens = parse::parse_tokens(cur, true)?;
            let definite = tokens
                .iter()
                .enumerate()
                .all(|(i, t)| t.is_definite(i + 1 == tokens.len()));
            Ok(Operand::Path(PathOperand {
                from_root: c == '$',
                tokens,
                definite,
            }))
        }
        Some('/') => parse_regex(cur),
        Some(_) => Ok(Operand::Literal(parse_literal(cur)?)),
        None => Err(cur.error("expected a value, found the end of the path")),
    }
}

/// `'text'`, `"text"`, numbers, `true`, `false`, `null`, `[list]`, `{object}`.
fn parse_literal(cur: &mut Cursor<'_>) -> Result<J, JsonPathError> {
    cur.skip_ws();
    match cur.peek() {
        Some('\'' | '"') => Ok(J::String(parse::read_quoted(cur)?)),
        Some(c) if c == '-' || c.is_ascii_digit() => parse_number(cur),
        Some('[') => {
            cur.bump();
            nest(cur)?;
            let mut items = Vec::new();
            cur.skip_ws();
            if !cur.eat(']') {
                loop {
                    items.push(parse_literal(cur)?);
                    cur.skip_ws();
                    if cur.eat(']') {
                        break;
                    }
                    if !cur.eat(',') {
                        return Err(cur.error("expected ',' or ']' in a list"));
                    }
                }
            }
            cur.nesting -= 1;
            Ok(J::Array(items))
        }
        Some('{') => parse_object(cur),
        _ => {
            for (word, value) in [
                ("true", J::Bool(true)),
                ("false", J::Bool(false)),
                ("null", J::Null),
            ] {
                if cur.eat_str(word) {
                    return Ok(value);
                }
            }
            Err(cur.error(
                "expected a value: a path (@... or $...), a quoted string, a number, \
                 true, false, null, a /regex/ or a [list]",
            ))
        }
    }
}

fn parse_number(cur: &mut Cursor<'_>) -> Result<J, JsonPathError> {
    let start = cur.position();
    let mut text = String::new();
    while let Some(c) = cur.peek() {
        let sign_ok = (c == '-' || c == '+')
            && (text.is_empty() || text.ends_with('e') || text.ends_with('E'));
        if c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || sign_ok {
            text.push(c);
            cur.bump();
        } else {
            break;
        }
    }
    serde_json::from_str::<J>(&text)
        .ok()
        .filter(J::is_number)
        .ok_or_else(|| cur.error_at(start, format!("{text:?} is not a number")))
}

/// A JSON object literal: the text up to the matching `}`, read as JSON.
fn parse_object(cur: &mut Cursor<'_>) -> Result<J, JsonPathError> {
    let start = cur.position();
    let mut text = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    while let Some(c) = cur.bump() {
        text.push(c);
        match (quote, c) {
            (Some(_), '\\') => {
                if let Some(next) = cur.bump() {
                    text.push(next);
                }
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"') => quote = Some('"'),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return serde_json::from_str::<J>(&text).map_err(|e| {
                        cur.error_at(start, format!("invalid JSON object literal: {e}"))
                    });
                }
            }
            _ => {}
        }
    }
    Err(cur.error_at(start, "unterminated JSON object literal"))
}

/// `/pattern/flags`; the pattern must match the whole value (Java's `matches`).
fn parse_regex(cur: &mut Cursor<'_>) -> Result<Operand, JsonPathError> {
    let start = cur.position();
    cur.bump(); // '/'
    let mut pattern = String::new();
    loop {
        match cur.bump() {
            None => return Err(cur.error_at(start, "unterminated regular expression")),
            Some('/') => break,
            Some('\\') => {
                pattern.push('\\');
                match cur.bump() {
                    Some(c) => pattern.push(c),
                    None => return Err(cur.error_at(start, "unterminated regular expression")),
                }
            }
            Some(c) => pattern.push(c),
        }
    }
    let mut flags = String::new();
    while let Some(c) = cur.peek().filter(char::is_ascii_alphabetic) {
        cur.bump();
        match c {
            'i' | 'm' | 's' | 'x' => flags.push(c),
            'u' | 'd' => {}
            _ => return Err(cur.error(format!("unsupported regular expression flag {c:?}"))),
        }
    }
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!("(?{flags})")
    };
    Regex::new(&format!("{flags}\\A(?:{pattern})\\z"))
        .map(|re| Operand::Regex(Box::new(re)))
        .map_err(|e| cur.error_at(start, format!("invalid regular expression: {e}")))
}

/// Whether `node` passes the filter.
pub(super) fn test<N: Node>(expr: &Expr, node: &N, root: &N, budget: &mut Budget) -> bool {
    match expr {
        Expr::Or(a, b) => test(a, node, root, budget) || test(b, node, root, budget),
        Expr::And(a, b) => test(a, node, root, budget) && test(b, node, root, budget),
        Expr::Not(inner) => !test(inner, node, root, budget),
        Expr::Exists(path) => match path_value(path, node, root, budget) {
            Some(J::Array(items)) if !path.definite => !items.is_empty(),
            other => other.is_some(),
        },
        Expr::Compare(left, op, right) => {
            if let (Operand::Regex(re), other) | (other, Operand::Regex(re)) = (left, right) {
                let input = operand_value(other, node, root, budget);
                return *op == Op::Matches && regex_matches(re, input.as_ref());
            }
            let l = operand_value(left, node, root, budget);
            let r = operand_value(right, node, root, budget);
            compare(l.as_ref(), *op, r.as_ref())
        }
    }
}

/// A path's value in a filter: `None` when a definite path finds nothing; an
/// indefinite path gives the list of what it finds.
fn path_value<N: Node>(path: &PathOperand, node: &N, root: &N, budget: &mut Budget) -> Option<J> {
    let start = if path.from_root { root } else { node };
    let hits = select::evaluate(&path.tokens, start, root, budget);
    if path.definite {
        hits.into_iter().next().map(|hit| hit.to_serde())
    } else {
        Some(J::Array(
            hits.into_iter().map(|hit| hit.to_serde()).collect(),
        ))
    }
}

fn operand_value<N: Node>(op: &Operand, node: &N, root: &N, budget: &mut Budget) -> Option<J> {
    match op {
        Operand::Path(path) => path_value(path, node, root, budget),
        Operand::Literal(value) => Some(value.clone()),
        Operand::Regex(_) => None,
    }
}
