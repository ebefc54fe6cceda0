//! JSONPath syntax, as Jayway JsonPath (the library behind `$input.path` and
//! `$input.json` on AWS) reads it.

use super::JsonPathError;
use super::filter::{self, Expr};

/// Longest JSONPath accepted, in characters.
pub(super) const MAX_PATH_CHARS: usize = 16 * 1024;
/// Most path segments in one path (keeps evaluation recursion bounded).
pub(super) const MAX_TOKENS: usize = 256;
/// Deepest nesting of filters and parentheses inside filters.
pub(super) const MAX_NESTING: usize = 32;

/// One step of a path.
#[derive(Debug, Clone)]
pub(super) enum Token {
    /// `.name`, `['name']`, or `['a','b']` (several names).
    Property(Vec<String>),
    /// `[0]`, `[-1]`, or `[0,2]` (several indexes).
    Index(Vec<i64>),
    /// `[from:to]`, either bound optional; negative bounds count from the end.
    Slice(Option<i64>, Option<i64>),
    /// `.*` or `[*]`.
    Wildcard,
    /// `..`: the next token applies to this node and every descendant.
    Scan,
    /// `[?(...)]`.
    Filter(Box<Expr>),
}

impl Token {
    /// Whether a path made of such tokens yields at most one result.
    pub(super) fn is_definite(&self, is_leaf: bool) -> bool {
        match self {
            Token::Property(names) => names.len() == 1 || is_leaf,
            Token::Index(indexes) => indexes.len() == 1,
            Token::Slice(..) | Token::Wildcard | Token::Scan | Token::Filter(_) => false,
        }
    }
}

/// A cursor over the characters of a path, reporting errors by character
/// position in the text the user wrote.
pub(super) struct Cursor<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
    /// Parsed position minus `shift` is the position in the user's text
    /// (`$.` is prepended to paths like `a.b`; surrounding blanks are trimmed).
    shift: isize,
    pub(super) nesting: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str, source: &str, shift: isize) -> Self {
        Cursor {
            text,
            chars: source.chars().collect(),
            pos: 0,
            shift,
            nesting: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        if self.chars[self.pos.min(self.chars.len())..]
            .iter()
            .take(n)
            .copied()
            .eq(s.chars())
        {
            self.pos += n;
            true
        } else {
            false
        }
    }

    pub(super) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    pub(super) fn position(&self) -> usize {
        self.pos
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    pub(super) fn error(&self, reason: impl Into<String>) -> JsonPathError {
        self.error_at(self.pos, reason)
    }

    pub(super) fn error_at(&self, pos: usize, reason: impl Into<String>) -> JsonPathError {
        JsonPathError {
            path: self.text.to_string(),
            position: usize::try_from(pos as isize - self.shift).unwrap_or(0),
            reason: reason.into(),
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            Some(c) => format!("unexpected character {c:?}"),
            None => "unexpected end of path".to_string(),
        }
    }
}

/// Parses the tokens after a root (`$` or `@`). At top level every character
/// must belong to the path; inside a filter the path ends at the first
/// character that cannot continue it (an operator, a space, `)`).
pub(super) fn parse_tokens(
    cur: &mut Cursor<'_>,
    in_filter: bool,
) -> Result<Vec<Token>, JsonPathError> {
    let mut tokens = Vec::new();
    loop {
        if tokens.len() >= MAX_TOKENS {
            return Err(cur.error(format!("more than {MAX_TOKENS} path segments")));
        }
        match cur.peek() {
            None => break,
            Some('.') if cur.peek_at(1) == Some('.') => {
                let start = cur.pos;
                cur.pos += 2;
                tokens.push(Token::Scan);
                match cur.peek() {
                    Some('[') => tokens.push(parse_bracket(cur)?),
                    Some('*') => {
                        cur.pos += 1;
                        tokens.push(Token::Wildcard);
                    }
                    Some('.') => {
                        return Err(cur.error("'...' is not valid; use '..' for a deep scan"));
                    }
                    _ => match read_name(cur, in_filter)? {
                        Some(name) => tokens.push(Token::Property(vec![name])),
                        None => return Err(cur.error_at(start, "path must not end with '..'")),
                    },
                }
            }
            Some('.') => {
                let start = cur.pos;
                cur.pos += 1;
                match cur.peek() {
                    Some('[') => tokens.push(parse_bracket(cur)?),
                    Some('*') => {
                        cur.pos += 1;
                        tokens.push(Token::Wildcard);
                    }
                    _ => match read_name(cur, in_filter)? {
                        Some(name) => tokens.push(Token::Property(vec![name])),
                        None => return Err(cur.error_at(start, "path must not end with '.'")),
                    },
                }
            }
            Some('[') => tokens.push(parse_bracket(cur)?),
            Some(_) if in_filter => break,
            Some(_) => return Err(cur.error(format!("{}; expected '.' or '['", cur.describe()))),
        }
    }
    Ok(tokens)
}

/// A property name after `.`: up to the next `.` or `[` (and, inside a
/// filter, up to an operator, a space or `)`). `None` if there is none.
fn read_name(cur: &mut Cursor<'_>, in_filter: bool) -> Result<Option<String>, JsonPathError> {
    let start = cur.pos;
    while let Some(c) = cur.peek() {
        match c {
            '.' | '[' => break,
            '(' => {
                return Err(cur.error(
                    "JSONPath functions such as length() are not supported; \
                     use the template's own methods, e.g. $input.path('$.a').size()",
                ));
            }
            c if in_filter && (c.is_whitespace() || ")<>=!~&|,]".contains(c)) => break,
            c if c.is_whitespace() => {
                return Err(cur
                    .error("property names with spaces need bracket notation, e.g. $['my prop']"));
            }
            _ => cur.pos += 1,
        }
    }
    if cur.pos == start {
        return Ok(None);
    }
    Ok(Some(cur.chars[start..cur.pos].iter().collect()))
}

/// `[...]`: `*`, quoted names, indexes, a slice, or a filter.
fn parse_bracket(cur: &mut Cursor<'_>) -> Result<Token, JsonPathError> {
    let open = cur.pos;
    cur.pos += 1; // '['
    cur.skip_ws();
    let token = match cur.peek() {
        Some('*') => {
            cur.pos += 1;
            Token::Wildcard
        }
        Some('?') => {
            cur.pos += 1;
            cur.skip_ws();
            if !cur.eat('(') {
                return Err(cur.error("expected '(' after '[?'"));
            }
            cur.nesting += 1;
            if cur.nesting > MAX_NESTING {
                return Err(cur.error(format!("filters nested deeper than {MAX_NESTING}")));
            }
            let expr = filter::parse_expr(cur)?;
            cur.skip_ws();
            if !cur.eat(')') {
                return Err(cur.error(format!(
                    "{}; expected ')' to close the filter",
                    cur.describe()
                )));
            }
            cur.nesting -= 1;
            Token::Filter(Box::new(expr))
        }
        Some('\'' | '"') => {
            let mut names = vec![read_quoted(cur)?];
            loop {
                cur.skip_ws();
                if !cur.eat(',') {
                    break;
                }
                cur.skip_ws();
                if !matches!(cur.peek(), Some('\'' | '"')) {
                    return Err(cur.error(format!(
                        "{}; expected a quoted property name",
                        cur.describe()
                    )));
                }
                names.push(read_quoted(cur)?);
            }
            Token::Property(names)
        }
        Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => parse_indexes(cur)?,
        None => return Err(cur.error_at(open, "unclosed '['")),
        Some(_) => {
            return Err(cur.error(format!(
                "{}; expected '*', a quoted name, an index, a slice or a filter '?(...)' \
                 (names in brackets must be quoted, e.g. $['name'])",
                cur.describe()
            )));
        }
    };
    cur.skip_ws();
    if !cur.eat(']') {
        if cur.at_end() {
            return Err(cur.error_at(open, "unclosed '['"));
        }
        return Err(cur.error(format!("{}; expected ']'", cur.describe())));
    }
    Ok(token)
}

/// A quoted name: `'...'` or `"..."`; `\n \t \r \b \f \uXXXX` are Java
/// escapes, and a backslash before any other character stands for it.
pub(super) fn read_quoted(cur: &mut Cursor<'_>) -> Result<String, JsonPathError> {
    let start = cur.pos;
    let quote = cur.bump().unwrap_or('\'');
    let mut out = String::new();
    loop {
        match cur.bump() {
            None => return Err(cur.error_at(start, "unterminated quoted string")),
            Some(c) if c == quote => return Ok(out),
            Some('\\') => match cur.bump() {
                None => return Err(cur.error_at(start, "unterminated quoted string")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex: String = (0..4).filter_map(|_| cur.bump()).collect();
                    let unit = u32::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
                    match unit.and_then(char::from_u32) {
                        Some(c) => out.push(c),
                        None => {
                            return Err(
                                cur.error("expected four hex digits after \\u (not a surrogate)")
                            );
                        }
                    }
                }
                Some(c) => out.push(c),
            },
            Some(c) => out.push(c),
        }
    }
}

/// `[1]`, `[-1]`, `[0, 2]`, `[1:3]`, `[:2]`, `[-2:]`.
fn parse_indexes(cur: &mut Cursor<'_>) -> Result<Token, JsonPathError> {
    let first = read_int(cur)?;
    cur.skip_ws();
    if cur.eat(':') {
        cur.skip_ws();
        let to = read_int(cur)?;
        cur.skip_ws();
        if cur.peek() == Some(':') {
            return Err(cur.error("array slices with a step are not supported"));
        }
        return Ok(Token::Slice(first, to));
    }
    let Some(first) = first else {
        return Err(cur.error(format!("{}; expected an array index", cur.describe())));
    };
    let mut indexes = vec![first];
    while cur.eat(',') {
        cur.skip_ws();
        match read_int(cur)? {
            Some(i) => indexes.push(i),
            None => return Err(cur.error(format!("{}; expected an array index", cur.describe()))),
        }
        cur.skip_ws();
    }
    Ok(Token::Index(indexes))
}

fn read_int(cur: &mut Cursor<'_>) -> Result<Option<i64>, JsonPathError> {
    let start = cur.pos;
    cur.eat('-');
    let digits = cur.pos;
    while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
        cur.pos += 1;
    }
    if cur.pos == digits {
        if cur.pos > start {
            return Err(cur.error("expected digits after '-'"));
        }
        return Ok(None);
    }
    let text: String = cur.chars[start..cur.pos].iter().collect();
    // Jayway reads indexes as Java `int`s.
    text.parse::<i32>()
        .map(|i| Some(i64::from(i)))
        .map_err(|_| cur.error_at(start, format!("array index {text} is out of range")))
}
