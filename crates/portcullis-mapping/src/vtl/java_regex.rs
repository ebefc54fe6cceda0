//! Java regular expressions (`java.util.regex`) on `fancy-regex`.
//!
//! Patterns are translated where Java and Rust differ: `\d \w \s` and the POSIX
//! `\p{Alpha}`-style classes are ASCII in Java; `.` and `$` know Java's line
//! terminators; `\Q...\E`, `\h`, `\v`, `\R`, `\Z`, `\uXXXX`, octal `\0nn`, `\cX`, `\e`
//! and `\a` are rewritten; inline flags `d`, `u`, `U` are dropped. Replacement strings
//! use Java's syntax (`$1`, `${name}`, `\$`). Matching follows `Matcher.find`
//! (after an empty match the next search starts one character later).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fancy_regex::Regex;

/// A Java regex that fails to compile: `PatternSyntaxException`'s message.
pub(crate) struct PatternError(pub(crate) String);

/// Compiled patterns of one template, shared by its renders.
type Compiled = HashMap<(Box<str>, bool), Arc<Regex>>;

#[derive(Default)]
pub(crate) struct RegexCache {
    map: Mutex<Compiled>,
}

const CACHE_CAP: usize = 256;

impl RegexCache {
    /// The compiled form of Java pattern `pattern`; `whole` anchors it for `matches`.
    pub(crate) fn get(&self, pattern: &str, whole: bool) -> Result<Arc<Regex>, PatternError> {
        let key = (Box::<str>::from(pattern), whole);
        if let Some(re) = self.map.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(re);
        }
        let mut translated = translate(pattern)?;
        if whole {
            translated = format!(r"\A(?:{translated})\z");
        }
        let re = fancy_regex::RegexBuilder::new(&translated)
            .backtrack_limit(1_000_000)
            .delegate_size_limit(4 << 20)
            .build()
            .map(Arc::new)
            .map_err(|e| PatternError(format!("{e} near index 0\n{pattern}")))?;
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= CACHE_CAP {
                m.clear();
            }
            m.insert(key, re.clone());
        }
        Ok(re)
    }
}

const LINE_TERMS: &str = r"\n\r\x{85}\x{2028}\x{2029}";

/// Rewrites a Java pattern into `fancy-regex` syntax.
pub(crate) fn translate(p: &str) -> Result<String, PatternError> {
    let chars: Vec<char> = p.chars().collect();
    let dotall = p.contains("(?s") || contains_flag(p, 's');
    let multiline = contains_flag(p, 'm');
    let mut out = String::with_capacity(p.len() + 8);
    let mut class = 0usize;
    let mut i = 0;
    let err = |m: &str, at: usize| PatternError(format!("{m} near index {at}\n{p}"));
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(err("Unexpected internal error", i));
                };
                i += 2;
                match n {
                    'Q' => {
                        let start = i;
                        while i < chars.len()
                            && !(chars[i] == '\\' && chars.get(i + 1) == Some(&'E'))
                        {
                            i += 1;
                        }
                        for &q in &chars[start..i] {
                            push_literal(&mut out, q);
                        }
                        i = (i + 2).min(chars.len().max(i));
                        continue;
                    }
                    'E' => {}
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'h' | 'H' | 'v' | 'V' => {
                        let (set, neg) = match n {
                            'd' | 'D' => ("0-9", n == 'D'),
                            'w' | 'W' => ("a-zA-Z_0-9", n == 'W'),
                            's' | 'S' => (r" \t\n\x0B\f\r", n == 'S'),
                            'h' | 'H' => (
                                r" \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}",
                                n == 'H',
                            ),
                            _ => (r"\n\x0B\f\r\x{85}\x{2028}\x{2029}", n == 'V'),
                        };
                        push_set(&mut out, set, neg, class > 0);
                    }
                    'R' if class == 0 => {
                        out.push_str(r"(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])")
                    }
                    'Z' if class == 0 => out.push_str(&format!(r"(?=(?:\r\n|[{LINE_TERMS}])?\z)")),
                    'p' | 'P' => {
                        let (name, next) = if chars.get(i) == Some(&'{') {
                            let end = chars[i..].iter().position(|&x| x == '}').map(|e| i + e);
                            let Some(end) = end else {
                                return Err(err("Unclosed character family", i));
                            };
                            (chars[i + 1..end].iter().collect::<String>(), end + 1)
                        } else if let Some(&one) = chars.get(i) {
                            (one.to_string(), i + 1)
                        } else {
                            return Err(err("Illegal character family", i));
                        };
                        i = next;
                        property(&mut out, &name, n == 'P', class > 0).map_err(|m| err(&m, i))?;
                    }
                    'u' => {
                        let hex: String = chars
                            .get(i..i + 4)
                            .map(|h| h.iter().collect())
                            .unwrap_or_default();
                        if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return Err(err("Illegal Unicode escape sequence", i));
                        }
                        i += 4;
                        out.push_str(&format!(r"\x{{{hex}}}"));
                    }
                    '0' => {
                        let mut v = 0u32;
                        let mut k = 0;
                        while k < 3 && chars.get(i + k).is_some_and(|d| ('0'..='7').contains(d)) {
                            let nv = v * 8 + chars[i + k].to_digit(8).unwrap_or(0);
                            if nv > 0o377 {
                                break;
                            }
                            v = nv;
                            k += 1;
                        }
                        if k == 0 {
                            return Err(err("Illegal octal escape sequence", i));
                        }
                        i += k;
                        out.push_str(&format!(r"\x{{{v:x}}}"));
                    }
                    'c' => {
                        let Some(&x) = chars.get(i) else {
                            return Err(err("Illegal control escape sequence", i));
                        };
                        i += 1;
                        out.push_str(&format!(r"\x{{{:x}}}", (x as u32) ^ 64));
                    }
                    'e' => out.push_str(r"\x1B"),
                    'a' => out.push_str(r"\x07"),
                    't' | 'n' | 'r' | 'f' | 'x' | 'b' | 'B' | 'A' | 'z' | 'G' | 'k' | '1'..='9' => {
                        out.push('\\');
                        out.push(n);
                    }
                    _ if n.is_ascii_alphanumeric() => {
                        return Err(err("Illegal/unsupported escape sequence", i - 1));
                    }
                    _ => push_literal(&mut out, n),
                }
                continue;
            }
            '[' => {
                class += 1;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if class > 0 => {
                class -= 1;
                out.push(']');
            }
            '.' if class == 0 && !dotall => out.push_str(&format!("[^{LINE_TERMS}]")),
            '$' if class == 0 && !multiline => {
                out.push_str(&format!(r"(?:\z|(?=(?:\r\n|[{LINE_TERMS}])\z))"))
            }
            '(' if class == 0 && chars.get(i + 1) == Some(&'?') => {
                let mut j = i + 2;
                while chars
                    .get(j)
                    .is_some_and(|f| f.is_ascii_alphabetic() || *f == '-')
                {
                    j += 1;
                }
                if j > i + 2 && matches!(chars.get(j), Some(')' | ':')) {
                    let flags: String = chars[i + 2..j]
                        .iter()
                        .filter(|f| !matches!(f, 'd' | 'u' | 'U'))
                        .collect();
                    if let Some(bad) = flags
                        .chars()
                        .find(|f| !matches!(f, 'i' | 'm' | 's' | 'x' | '-'))
                    {
                        return Err(err(&format!("Unknown inline modifier {bad}"), j));
                    }
                    let flags = flags.trim_end_matches('-');
                    if chars[j] == ')' {
                        if !flags.is_empty() {
                            out.push_str(&format!("(?{flags})"));
                        }
                    } else {
                        out.push_str(&format!("(?{flags}:"));
                    }
                    i = j + 1;
                    continue;
                }
                out.push('(');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

fn contains_flag(p: &str, flag: char) -> bool {
    p.match_indices("(?").any(|(i, _)| {
        p[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .any(|c| c == flag)
    })
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() && !c.is_ascii_alphanumeric() {
        out.push_str(&format!(r"\x{:02X}", c as u32));
    } else {
        out.push(c);
    }
}

fn push_set(out: &mut String, set: &str, neg: bool, in_class: bool) {
    match (neg, in_class) {
        (false, true) => out.push_str(set),
        (false, false) => out.push_str(&format!("[{set}]")),
        (true, _) => out.push_str(&format!("[^{set}]")),
    }
}

/// `\p{name}` / `\P{name}`.
fn property(out: &mut String, name: &str, neg: bool, in_class: bool) -> Result<(), String> {
    let posix = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" => Some(r"\x00-\x7F"),
        "Alpha" => Some("a-zA-Z"),
        "Digit" => Some("0-9"),
        "Alnum" => Some("a-zA-Z0-9"),
        "Punct" => Some(r"!-/:-@\[-`{-~"),
        "Graph" => Some(r"!-~"),
        "Print" => Some(r" -~"),
        "Blank" => Some(r" \t"),
        "Cntrl" => Some(r"\x00-\x1F\x7F"),
        "XDigit" => Some("0-9a-fA-F"),
        "Space" => Some(r" \t\n\x0B\f\r"),
        _ => None,
    };
    if let Some(set) = posix {
        push_set(out, set, neg, in_class);
        return Ok(());
    }
    let rust = match name {
        "javaLowerCase" => "Lowercase".to_owned(),
        "javaUpperCase" => "Uppercase".to_owned(),
        "javaWhitespace" => "White_Space".to_owned(),
        "javaAlphabetic" => "Alphabetic".to_owned(),
        "javaLetter" => "L".to_owned(),
        "javaDigit" => "Nd".to_owned(),
        n if n.starts_with("In") && n.len() > 2 => {
            return Err(format!("Unicode blocks like \\p{{{n}}} are not supported"));
        }
        n if n.starts_with("Is") && n.len() > 2 => n[2..].to_owned(),
        n => n.to_owned(),
    };
    if !rust
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '=' | ' ' | '-'))
    {
        return Err(format!("Unknown character property name {{{name}}}"));
    }
    out.push_str(&format!("\\{}{{{rust}}}", if neg { 'P' } else { 'p' }));
    Ok(())
}
