//! Java's matching loop (`Matcher.find`) and replacement syntax (`$1`, `${name}`, `\\$`).

use fancy_regex::Regex;

/// `Matcher.find` repeatedly: the byte ranges of each match and its groups.
pub(crate) fn find_all(
    re: &Regex,
    text: &str,
    mut each: impl FnMut(&fancy_regex::Captures<'_, str>) -> Result<bool, String>,
) -> Result<(), String> {
    let mut pos = 0;
    while pos <= text.len() {
        let caps = re.captures_from_pos(text, pos).map_err(|e| e.to_string())?;
        let Some(caps) = caps else { break };
        let m = caps.get(0).map_or(pos..pos, |m| m.range());
        if !each(&caps)? {
            break;
        }
        pos = if m.is_empty() {
            match text[m.end..].chars().next() {
                Some(c) => m.end + c.len_utf8(),
                None => break,
            }
        } else {
            m.end
        };
    }
    Ok(())
}

/// Appends Java replacement `rep` for match `caps` (`Matcher.appendReplacement`).
/// `Err((exception, message))` for Java's `IllegalArgumentException` / `IndexOutOfBoundsException`.
pub(crate) fn expand(
    re: &Regex,
    caps: &fancy_regex::Captures<'_, str>,
    rep: &str,
    out: &mut String,
) -> Result<(), (&'static str, String)> {
    let groups = re.captures_len() - 1;
    let b = rep.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 1;
                let Some(c) = rep[i..].chars().next() else {
                    return Err((
                        "java.lang.IllegalArgumentException",
                        "character to be escaped is missing".into(),
                    ));
                };
                out.push(c);
                i += c.len_utf8();
            }
            b'$' => {
                i += 1;
                match b.get(i) {
                    None => {
                        return Err((
                            "java.lang.IllegalArgumentException",
                            "Illegal group reference: group index is missing".into(),
                        ));
                    }
                    Some(b'{') => {
                        let end = rep[i..].find('}').map(|e| i + e);
                        let Some(end) = end else {
                            return Err((
                                "java.lang.IllegalArgumentException",
                                "named capturing group is missing trailing '}'".into(),
                            ));
                        };
                        let name = &rep[i + 1..end];
                        if re.capture_names().flatten().all(|n| n != name) {
                            return Err((
                                "java.lang.IllegalArgumentException",
                                format!("No group with name {{{name}}}"),
                            ));
                        }
                        if let Some(m) = caps.name(name) {
                            out.push_str(m.as_str());
                        }
                        i = end + 1;
                    }
                    Some(d) if d.is_ascii_digit() => {
                        let mut n = usize::from(d - b'0');
                        i += 1;
                        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                            let next = n * 10 + usize::from(d - b'0');
                            if next > groups {
                                break;
                            }
                            n = next;
                            i += 1;
                        }
                        if n > groups {
                            return Err((
                                "java.lang.IndexOutOfBoundsException",
                                format!("No group {n}"),
                            ));
                        }
                        if let Some(m) = caps.get(n) {
                            out.push_str(m.as_str());
                        }
                    }
                    Some(_) => {
                        return Err((
                            "java.lang.IllegalArgumentException",
                            "Illegal group reference".into(),
                        ));
                    }
                }
            }
            _ => {
                let start = i;
                while i < b.len() && b[i] != b'\\' && b[i] != b'$' {
                    i += 1;
                }
                out.push_str(&rep[start..i]);
            }
        }
    }
    Ok(())
}

/// The literal text a pattern matches, if it has no regex operators (`\\'` → `\'`).
pub(crate) fn literal(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) if !n.is_ascii_alphanumeric() => out.push(n),
                _ => return None,
            },
            '.' | '$' | '|' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '?' | '*' | '+' => {
                return None;
            }
            c => out.push(c),
        }
    }
    Some(out)
}
