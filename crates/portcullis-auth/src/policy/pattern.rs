//! Wildcard patterns, compiled once at parse time and matched without
//! allocating.
//!
//! A pattern is kept as the runs of atoms between its `*`s. Matching anchors
//! the first run at the start and the last at the end, and finds each run in
//! between at its leftmost place. Leftmost is always right: every run matches
//! a fixed number of characters (text, `?` and a variable's value all have a
//! length), so the leftmost occurrence also ends earliest and leaves the most
//! room for the rest. The cost is linear in practice and at worst the text's
//! length times the pattern's.

use super::bytes::{eq_bytes, find, same_bytes};
use super::context::ContextValue;
use super::request::PolicyRequest;
use super::variables::{Token, Variable};

/// How text is compared: resources and `String*` values exactly, actions and
/// `*IgnoreCase` values without regard to case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Sensitive,
    Insensitive,
}

#[derive(Debug, Clone)]
enum Atom {
    Text(Box<str>),
    AnyChar,
    Var(Variable),
}

/// The atoms between two `*`s.
#[derive(Debug, Clone)]
struct Run {
    atoms: Box<[Atom]>,
    /// The length in bytes of any text the run matches, when that is known
    /// before matching (plain text, compared exactly or in ASCII): then the
    /// last run's place at the end of the text is found without counting
    /// characters.
    bytes: Option<usize>,
}

impl Run {
    fn new(atoms: Vec<Atom>, case: Case) -> Self {
        let bytes = atoms.iter().try_fold(0, |n, atom| match atom {
            Atom::Text(t) if case == Case::Sensitive || t.is_ascii() => Some(n + t.len()),
            _ => None,
        });
        Run {
            atoms: atoms.into_boxed_slice(),
            bytes,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    /// The runs between `*`s: one if there is no `*`, else one more than the
    /// number of `*`s (a leading or trailing run may be empty).
    runs: Box<[Run]>,
    star: bool,
    case: Case,
    shape: Shape,
}

/// The common forms, matched without the general loop: most actions are
/// exact (`execute-api:Invoke`) and many resources are `*` or a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `*`.
    Any,
    /// Plain text of known byte length.
    Exact,
    /// Plain text of known byte length, then `*`.
    Prefix,
    General,
}

impl Pattern {
    pub(crate) fn compile(tokens: Vec<Token>, case: Case) -> Self {
        let mut runs = Vec::new();
        let mut run: Vec<Atom> = Vec::new();
        let mut star = false;
        let mut previous_star = false;
        for token in tokens {
            match token {
                Token::AnyRun => {
                    // `**` means the same as `*`.
                    if !previous_star {
                        runs.push(Run::new(std::mem::take(&mut run), case));
                        star = true;
                    }
                    previous_star = true;
                    continue;
                }
                Token::Text(t) => match run.last_mut() {
                    Some(Atom::Text(last)) => *last = format!("{last}{t}").into_boxed_str(),
                    _ => run.push(Atom::Text(t.into_boxed_str())),
                },
                Token::AnyChar => run.push(Atom::AnyChar),
                Token::Var(v) => run.push(Atom::Var(v)),
            }
            previous_star = false;
        }
        runs.push(Run::new(run, case));
        let plain = |run: &Run| run.bytes.is_some() && run.atoms.len() == 1;
        let shape = match (star, &runs[..]) {
            (true, [first, last]) if first.atoms.is_empty() && last.atoms.is_empty() => Shape::Any,
            (false, [only]) if plain(only) => Shape::Exact,
            (true, [first, last]) if plain(first) && last.atoms.is_empty() => Shape::Prefix,
            _ => Shape::General,
        };
        Pattern {
            runs: runs.into_boxed_slice(),
            star,
            case,
            shape,
        }
    }

    /// `*` alone: matches everything.
    #[cfg(test)]
    pub(crate) fn is_any(&self) -> bool {
        self.shape == Shape::Any
    }

    /// The text of an `Exact` or `Prefix` pattern.
    fn leading_text(&self) -> &str {
        match self.runs.first().and_then(|run| run.atoms.first()) {
            Some(Atom::Text(t)) => t,
            _ => "",
        }
    }

    /// The variables the pattern uses.
    pub(crate) fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.runs
            .iter()
            .flat_map(|run| &run.atoms)
            .filter_map(|atom| match atom {
                Atom::Var(v) => Some(v),
                _ => None,
            })
    }

    /// Whether `text` matches. Variables take their values from `request`;
    /// a variable with no single value and no default matches nothing.
    pub(crate) fn matches(&self, text: &str, request: &PolicyRequest<'_>) -> bool {
        match self.shape {
            Shape::Any => true,
            Shape::Exact => {
                let want = self.leading_text();
                text.len() == want.len() && same_bytes(want, text.as_bytes(), self.case)
            }
            Shape::Prefix => {
                let want = self.leading_text();
                text.as_bytes()
                    .get(..want.len())
                    .is_some_and(|head| same_bytes(want, head, self.case))
            }
            Shape::General => self.matches_general(text, request),
        }
    }

    /// The loop over runs. Kept out of line so that the common shapes above
    /// stay a few instructions.
    #[inline(never)]
    fn matches_general(&self, text: &str, request: &PolicyRequest<'_>) -> bool {
        let m = Matcher {
            text,
            case: self.case,
            request,
        };
        let Some((first, rest)) = self.runs.split_first() else {
            return false;
        };
        if !self.star {
            return m.run_at(&first.atoms, 0) == Some(text.len());
        }
        let Some((last, middle)) = rest.split_last() else {
            return false;
        };
        let Some(mut at) = m.run_at(&first.atoms, 0) else {
            return false;
        };
        for run in middle {
            match m.find_run(&run.atoms, at) {
                Some(end) => at = end,
                None => return false,
            }
        }
        m.run_at_end(last, at)
    }
}

struct Matcher<'t, 'r> {
    text: &'t str,
    case: Case,
    request: &'r PolicyRequest<'r>,
}

impl Matcher<'_, '_> {
    /// Matches `run` at byte `at`; gives where it ends.
    fn run_at(&self, run: &[Atom], mut at: usize) -> Option<usize> {
        for atom in run {
            at = match atom {
                Atom::Text(t) => self.text_at(t, at)?,
                Atom::AnyChar => at + self.text.get(at..)?.chars().next()?.len_utf8(),
                Atom::Var(v) => {
                    let value = resolve(v, self.request)?;
                    self.text_at(value.as_str(), at)?
                }
            };
        }
        Some(at)
    }

    /// The end of the leftmost match of `run` starting at or after `from`.
    fn find_run(&self, run: &[Atom], mut from: usize) -> Option<usize> {
        loop {
            // Jump straight to where a leading text could start.
            if let (Some(Atom::Text(t)), Case::Sensitive) = (run.first(), self.case) {
                from += find(self.text.as_bytes().get(from..)?, t.as_bytes())?;
            }
            if let Some(end) = self.run_at(run, from) {
                return Some(end);
            }
            from += self.text.get(from..)?.chars().next()?.len_utf8();
        }
    }

    /// Whether `run` matches the end of the text, starting at or after `from`.
    fn run_at_end(&self, run: &Run, from: usize) -> bool {
        // The run matches a known number of bytes or characters, so it can
        // only start that many before the end.
        let start = match run.bytes {
            Some(n) => match self.text.len().checked_sub(n) {
                Some(start) if start >= from && self.text.is_char_boundary(start) => start,
                _ => return false,
            },
            None => {
                let Some(count) = self.char_count(&run.atoms) else {
                    return false;
                };
                let Some(tail) = self.text.get(from..) else {
                    return false;
                };
                from + match count {
                    0 => tail.len(),
                    n => match tail.char_indices().rev().nth(n - 1) {
                        Some((i, _)) => i,
                        None => return false,
                    },
                }
            }
        };
        self.run_at(&run.atoms, start) == Some(self.text.len())
    }

    fn char_count(&self, run: &[Atom]) -> Option<usize> {
        run.iter().try_fold(0, |n, atom| {
            Some(
                n + match atom {
                    Atom::Text(t) => t.chars().count(),
                    Atom::AnyChar => 1,
                    Atom::Var(v) => resolve(v, self.request)?.as_str().chars().count(),
                },
            )
        })
    }

    /// Matches literal text at byte `at`; gives where it ends.
    fn text_at(&self, want: &str, at: usize) -> Option<usize> {
        let rest = self.text.as_bytes().get(at..)?;
        match self.case {
            Case::Sensitive => {
                let here = rest.get(..want.len())?;
                eq_bytes(here, want.as_bytes()).then_some(at + want.len())
            }
            Case::Insensitive if want.is_ascii() => {
                let here = rest.get(..want.len())?;
                same_bytes(want, here, Case::Insensitive).then_some(at + want.len())
            }
            Case::Insensitive => {
                // Character by character, so lengths in bytes may differ.
                let mut chars = self.text.get(at..)?.char_indices();
                let mut end = at;
                for w in want.chars() {
                    let (i, c) = chars.next()?;
                    if !same_ignoring_case(w, c) {
                        return None;
                    }
                    end = at + i + c.len_utf8();
                }
                Some(end)
            }
        }
    }
}

/// Whether two characters are equal when case is ignored (full Unicode
/// lowercase mapping, as Java's `equalsIgnoreCase` compares).
fn same_ignoring_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// A variable's value as text: the key's single value, else the default.
fn resolve<'r>(
    v: &'r Variable,
    request: &'r PolicyRequest<'r>,
) -> Option<super::context::Text<'r>> {
    match request.single_value(&v.key) {
        Some(value) => Some(value.text()),
        None => v.default.as_deref().map(|d| ContextValue::Str(d).text()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::variables::{Syntax, tokenize};
    use super::*;

    fn pattern(p: &str, case: Case) -> Pattern {
        let syntax = Syntax {
            wildcards: true,
            variables: true,
        };
        Pattern::compile(tokenize(p, syntax).unwrap(), case)
    }

    fn m(p: &str, text: &str) -> bool {
        pattern(p, Case::Sensitive).matches(text, &PolicyRequest::new("a:b", "r"))
    }

    #[test]
    fn star_crosses_slashes_and_colons() {
        let arn = "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/1/photos";
        assert!(m(
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/pets/*",
            arn
        ));
        assert!(m("arn:aws:execute-api:*:*:abc/*", arn));
        assert!(m("arn:aws:execute-api:*", arn));
        assert!(m("*", arn));
        assert!(m("arn:*:abc/prod/*/pets/*", arn));
        assert!(!m(
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/POST/*",
            arn
        ));
        assert!(!m(
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/pets",
            arn
        ));
    }

    #[test]
    fn question_mark_is_one_character() {
        assert!(m("a?c", "abc"));
        assert!(m("a?c", "aéc"));
        assert!(!m("a?c", "ac"));
        assert!(!m("a?c", "abbc"));
        assert!(m("*?", "x"));
        assert!(!m("*?", ""));
        assert!(m("??*??", "abcd"));
        assert!(!m("??*??", "abc"));
        assert!(m("*/?/*", "stage/x/y"));
    }

    #[test]
    fn anchors_and_edge_cases() {
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("*", ""));
        assert!(m("**", "abc"));
        assert!(m("a*", "a"));
        assert!(m("*a", "a"));
        assert!(m("a*a", "aa"));
        assert!(!m("a*a", "a"));
        assert!(m("*ab*ab*", "xxabyyab"));
        assert!(!m("*ab*ab*", "xxab"));
        assert!(m("*aab", "aaab"));
        assert!(m("a*b*c", "abbbc"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("*é*", "café"));
        assert!(pattern("*", Case::Sensitive).is_any());
        assert!(!pattern("a*", Case::Sensitive).is_any());
    }

    #[test]
    fn case_rules() {
        assert!(!m("execute-api:invoke", "execute-api:Invoke"));
        let p = pattern("execute-api:invo*", Case::Insensitive);
        let r = PolicyRequest::new("a:b", "r");
        assert!(p.matches("EXECUTE-API:Invoke", &r));
        assert!(!p.matches("execute-api:InvalidateCache", &r));
        let p = pattern("*STRASSE?", Case::Insensitive);
        assert!(p.matches("Hauptstrasse1", &r));
        let p = pattern("ÉTÉ", Case::Insensitive);
        assert!(p.matches("été", &r));
        assert!(!p.matches("ete", &r));
    }

    #[test]
    fn variables_take_the_request_value() {
        let p = pattern("arn:x:api/*/GET/users/${aws:username}", Case::Sensitive);
        let pairs = [("aws:username", "alice")];
        let r = PolicyRequest::new("a:b", "r").with_context(&pairs);
        assert!(p.matches("arn:x:api/prod/GET/users/alice", &r));
        assert!(!p.matches("arn:x:api/prod/GET/users/bob", &r));
        // Without a value the pattern matches nothing, not even the raw text.
        let bare = PolicyRequest::new("a:b", "r");
        assert!(!p.matches("arn:x:api/prod/GET/users/alice", &bare));
        assert!(!p.matches("arn:x:api/prod/GET/users/${aws:username}", &bare));
        // Two values: not a single value, so nothing either.
        let two = [("aws:username", "alice"), ("aws:username", "bob")];
        let r2 = PolicyRequest::new("a:b", "r").with_context(&two);
        assert!(!p.matches("arn:x:api/prod/GET/users/alice", &r2));
        // A default stands in; a value's own `*` is not a wildcard.
        let p = pattern("${team, 'none'}/*", Case::Sensitive);
        assert!(p.matches("none/x", &bare));
        let star = [("team", "*")];
        let r3 = PolicyRequest::new("a:b", "r").with_context(&star);
        assert!(p.matches("*/x", &r3));
        assert!(!p.matches("ops/x", &r3));
        // In the middle and at the end of starred patterns.
        let p = pattern("*/${aws:username}/*${aws:username}", Case::Sensitive);
        assert!(p.matches("x/alice/y/zalice", &r));
        assert!(!p.matches("x/alice/y/zbob", &r));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for p in ["*?*", "?é*", "*é", "a*é?b"] {
            for t in ["", "é", "éé", "aé", "\u{10FFFF}b", "a\u{0}b"] {
                let _ = m(p, t);
                let r = PolicyRequest::new("a:b", "r");
                let _ = pattern(p, Case::Insensitive).matches(t, &r);
            }
        }
    }
}
