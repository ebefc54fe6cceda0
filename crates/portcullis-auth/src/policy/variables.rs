//! Reads a policy string into tokens: text, the wildcards `*` and `?`, and
//! policy variables (`${aws:username}`, `${aws:username, 'anonymous'}`, and
//! the escapes `${*}`, `${?}`, `${$}`).
//!
//! Variables exist only in policies that declare `"Version": "2012-10-17"`;
//! in older or unversioned policies `${...}` is plain text, as in IAM.

use super::context::ContextKey;

/// What the string may contain, which depends on the element it is in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Action, Resource, `StringLike`, `Arn*`).
    pub(crate) wildcards: bool,
    /// `${...}` is a policy variable (Resource and condition values of a
    /// 2012-10-17 policy).
    pub(crate) variables: bool,
}

/// One piece of a policy string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Text(String),
    /// `*`: any run of characters, possibly empty.
    AnyRun,
    /// `?`: exactly one character.
    AnyChar,
    Var(Variable),
}

/// A policy variable: replaced, when a request is evaluated, by the single
/// value of its key (or by its default when the key has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variable {
    pub(crate) key: ContextKey,
    pub(crate) default: Option<Box<str>>,
}

pub(crate) fn tokenize(s: &str, syntax: Syntax) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut text = String::with_capacity(s.len());
    let special =
        |c: char| (syntax.wildcards && matches!(c, '*' | '?')) || (syntax.variables && c == '$');
    let mut rest = s;
    while let Some(at) = rest.find(special) {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(inner) = rest.strip_prefix("${") {
            let (token, after) = variable(inner)?;
            match token {
                Token::Text(t) => text.push_str(&t),
                other => {
                    flush(&mut text, &mut tokens);
                    tokens.push(other);
                }
            }
            rest = after;
            continue;
        }
        // `*`, `?` or a `$` that opens no variable: one ASCII byte.
        match &rest[..1] {
            "*" => {
                flush(&mut text, &mut tokens);
                tokens.push(Token::AnyRun);
            }
            "?" => {
                flush(&mut text, &mut tokens);
                tokens.push(Token::AnyChar);
            }
            other => text.push_str(other),
        }
        rest = &rest[1..];
    }
    text.push_str(rest);
    flush(&mut text, &mut tokens);
    Ok(tokens)
}

fn flush(text: &mut String, tokens: &mut Vec<Token>) {
    if !text.is_empty() {
        tokens.push(Token::Text(std::mem::take(text)));
    }
}

/// Reads what follows `${` up to and including the closing `}`.
fn variable(s: &str) -> Result<(Token, &str), String> {
    let unterminated = || format!("has a policy variable \"${{{s}\" with no closing \"}}\"");
    let end_of_name = s.find([',', '}']).ok_or_else(unterminated)?;
    let name = s[..end_of_name].trim();
    let mut rest = &s[end_of_name..];
    let mut default = None;
    if let Some(after_comma) = rest.strip_prefix(',') {
        let after_quote = after_comma.trim_start().strip_prefix('\'').ok_or_else(|| {
            format!(
                "has a policy variable \"${{{name}, ...}}\" whose default is not in single quotes"
            )
        })?;
        let (value, after) = quoted(after_quote).ok_or_else(unterminated)?;
        default = Some(value.into_boxed_str());
        rest = after.trim_start();
    }
    let rest = rest.strip_prefix('}').ok_or_else(unterminated)?;
    let token = match name {
        "*" | "?" | "$" if default.is_none() => Token::Text(name.to_owned()),
        _ if name.is_empty() || name.contains(char::is_whitespace) || name.contains(['{', '$']) => {
            return Err(format!(
                "has a policy variable with an invalid key name {name:?}"
            ));
        }
        _ => Token::Var(Variable {
            key: ContextKey::new(name),
            default,
        }),
    };
    Ok((token, rest))
}

/// Reads a single-quoted default, where `''` stands for one quote.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut rest = s;
    loop {
        let at = rest.find('\'')?;
        value.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                value.push('\'');
                rest = after;
            }
            None => return Some((value, rest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Syntax = Syntax {
        wildcards: true,
        variables: true,
    };

    fn text(s: &str) -> Token {
        Token::Text(s.to_owned())
    }

    fn var(key: &str, default: Option<&str>) -> Token {
        Token::Var(Variable {
            key: ContextKey::new(key),
            default: default.map(Into::into),
        })
    }

    #[test]
    fn wildcards_and_text() {
        assert_eq!(
            tokenize("a*b?c", ALL).unwrap(),
            vec![
                text("a"),
                Token::AnyRun,
                text("b"),
                Token::AnyChar,
                text("c")
            ]
        );
        let plain = Syntax {
            wildcards: false,
            variables: false,
        };
        assert_eq!(tokenize("a*b?${x}", plain).unwrap(), vec![text("a*b?${x}")]);
        assert_eq!(tokenize("", ALL).unwrap(), vec![]);
    }

    #[test]
    fn variables_and_defaults() {
        assert_eq!(
            tokenize("users/${aws:username}/*", ALL).unwrap(),
            vec![
                text("users/"),
                var("aws:username", None),
                text("/"),
                Token::AnyRun
            ]
        );
        assert_eq!(
            tokenize("${ aws:username , 'it''s me' }", ALL).unwrap(),
            vec![var("aws:username", Some("it's me"))]
        );
        assert_eq!(tokenize("${k,''}", ALL).unwrap(), vec![var("k", Some(""))]);
        assert_eq!(
            tokenize("${k, 'a}b'}x", ALL).unwrap(),
            vec![var("k", Some("a}b")), text("x")]
        );
    }

    #[test]
    fn escapes_are_text() {
        assert_eq!(
            tokenize("a${*}b${?}${$}", ALL).unwrap(),
            vec![text("a*b?$")]
        );
        assert_eq!(tokenize("$x$", ALL).unwrap(), vec![text("$x$")]);
    }

    #[test]
    fn malformed_variables_are_refused() {
        for bad in [
            "${",
            "${aws:username",
            "${}",
            "${a b}",
            "${k, default}",
            "${k, 'x}",
            "${k, 'x' junk}",
        ] {
            let e = tokenize(bad, ALL).unwrap_err();
            assert!(e.starts_with("has a policy variable"), "{bad}: {e}");
        }
    }
}
