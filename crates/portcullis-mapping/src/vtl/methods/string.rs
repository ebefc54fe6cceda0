//! `java.lang.String` methods. Indexes count UTF-16 code units, as in Java.

use std::rc::Rc;

use crate::value::Value;
use crate::vtl::ast::Pos;
use crate::vtl::eval::Ctx;
use crate::vtl::java_replace::{self, expand, find_all};
use crate::vtl::jstr::{self, Units};
use crate::vtl::rt::{Fail, NULL, Obj, R, java};

const SIOOBE: &str = "java.lang.StringIndexOutOfBoundsException";
const PSE: &str = "java.util.regex.PatternSyntaxException";

fn int(i: i64) -> Obj<'static> {
    Obj::Val(Value::Int(i))
}

impl<'t> Ctx<'t, '_> {
    pub(crate) fn string_method(
        &mut self,
        s: &Rc<str>,
        name: &str,
        args: &[Obj<'t>],
        pos: Pos,
    ) -> R<Obj<'t>> {
        let arg_str = |i: usize| args.get(i).and_then(Obj::str).cloned();
        let arg_int = |i: usize| args.get(i).and_then(Obj::int);
        Ok(match (name, args.len()) {
            ("length", 0) => int(Units::new(s).len() as i64),
            ("isEmpty", 0) => Obj::bool(s.is_empty()),
            ("isBlank", 0) => Obj::bool(s.chars().all(jstr::is_java_whitespace)),
            ("trim", 0) => Obj::string(jstr::trim(s)),
            ("strip", 0) => Obj::string(s.trim_matches(jstr::is_java_whitespace)),
            ("toLowerCase", 0) => Obj::string(jstr::to_lower(s)),
            ("toUpperCase", 0) => Obj::string(jstr::to_upper(s)),
            ("intern", 0) => Obj::Val(Value::String(s.clone())),
            ("hashCode", 0) => int(i64::from(Units::new(s).hash_code())),
            ("getBytes", 0) => crate::vtl::access::java_bytes(s),
            // The static `String.valueOf(Object)`, reached through an instance.
            ("valueOf", 1) => match &args[0] {
                Obj::Val(Value::Null) => Obj::string("null"),
                other => Obj::Val(Value::String(self.java_string(other, pos)?)),
            },
            ("charAt", 1) => {
                let Some(i) = arg_int(0) else { return Ok(NULL) };
                let u = Units::new(s);
                match usize::try_from(i).ok().and_then(|i| u.char_at(i)) {
                    Some(c) => Obj::string(c),
                    None => return java(SIOOBE, format!("index {i}, length {}", u.len()), pos),
                }
            }
            ("substring", 1 | 2) => {
                let u = Units::new(s);
                let len = u.len() as i64;
                let Some(begin) = arg_int(0) else {
                    return Ok(NULL);
                };
                let end = if args.len() == 2 {
                    match arg_int(1) {
                        Some(e) => e,
                        None => return Ok(NULL),
                    }
                } else {
                    len
                };
                if begin < 0 || end > len || begin > end {
                    return java(
                        SIOOBE,
                        format!("begin {begin}, end {end}, length {len}"),
                        pos,
                    );
                }
                Obj::string(u.slice(begin as usize, end as usize))
            }
            ("indexOf" | "lastIndexOf", 1 | 2) => {
                let needle = match (&args[0], arg_str(0)) {
                    (_, Some(n)) => n.to_string(),
                    (Obj::Val(Value::Int(c)), None) => {
                        match u32::try_from(*c).ok().and_then(char::from_u32) {
                            Some(ch) => ch.to_string(),
                            None => return Ok(int(-1)),
                        }
                    }
                    _ => return Ok(NULL),
                };
                let from = if args.len() == 2 {
                    match arg_int(1) {
                        Some(f) => Some(f),
                        None => return Ok(NULL),
                    }
                } else {
                    None
                };
                let (hay, needle) = (Units::new(s), Units::new(&needle));
                int(if name == "indexOf" {
                    hay.index_of(&needle, from.unwrap_or(0))
                } else {
                    hay.last_index_of(&needle, from.unwrap_or(i64::MAX))
                })
            }
            ("contains", 1) => match arg_str(0) {
                Some(n) => Obj::bool(s.contains(&*n)),
                None => NULL,
            },
            ("startsWith", 1) => match arg_str(0) {
                Some(p) => Obj::bool(s.starts_with(&*p)),
                None => NULL,
            },
            ("startsWith", 2) => match (arg_str(0), arg_int(1)) {
                (Some(p), Some(off)) => {
                    let (hay, p) = (Units::new(s), Units::new(&p));
                    Obj::bool(off >= 0 && hay.index_of(&p, off) == off)
                }
                _ => NULL,
            },
            ("endsWith", 1) => match arg_str(0) {
                Some(p) => Obj::bool(s.ends_with(&*p)),
                None => NULL,
            },
            ("equalsIgnoreCase", 1) => {
                Obj::bool(arg_str(0).is_some_and(|o| jstr::equals_ignore_case(s, &o)))
            }
            ("compareTo", 1) => match arg_str(0) {
                Some(o) => int(Units::new(s).compare(&Units::new(&o))),
                None => NULL,
            },
            ("compareToIgnoreCase", 1) => match arg_str(0) {
                Some(o) => int(Units::new(&jstr::to_lower(&jstr::to_upper(s)))
                    .compare(&Units::new(&jstr::to_lower(&jstr::to_upper(&o))))),
                None => NULL,
            },
            ("concat", 1) => match arg_str(0) {
                Some(o) => {
                    self.build(s.len() + o.len(), pos)?;
                    Obj::string(format!("{s}{o}"))
                }
                None => NULL,
            },
            ("replace", 2) => match (arg_str(0), arg_str(1)) {
                (Some(from), Some(to)) => {
                    let count = if from.is_empty() {
                        s.chars().count() + 1
                    } else {
                        s.matches(&*from).count()
                    };
                    self.build(s.len() + count * to.len(), pos)?;
                    Obj::string(s.replace(&*from, &to))
                }
                _ => NULL,
            },
            ("matches", 1) => match arg_str(0) {
                Some(p) => {
                    let re = self.regex(&p, true, pos)?;
                    Obj::bool(
                        re.is_match(&**s)
                            .map_err(|e| regex_runtime(&e.to_string(), pos))?,
                    )
                }
                None => NULL,
            },
            ("replaceAll" | "replaceFirst", 2) => match (arg_str(0), arg_str(1)) {
                (Some(p), Some(rep)) => {
                    self.replace_regex(s, &p, &rep, name == "replaceAll", pos)?
                }
                _ => NULL,
            },
            ("split", 1 | 2) => {
                let Some(p) = arg_str(0) else { return Ok(NULL) };
                let limit = if args.len() == 2 {
                    match arg_int(1) {
                        Some(l) => l,
                        None => return Ok(NULL),
                    }
                } else {
                    0
                };
                let parts = self.split(s, &p, limit, pos)?;
                Obj::Val(Value::list(
                    parts
                        .into_iter()
                        .map(|p| Value::string(p.as_str()))
                        .collect(),
                ))
            }
            _ => NULL,
        })
    }

    pub(crate) fn regex(
        &mut self,
        pattern: &str,
        whole: bool,
        pos: Pos,
    ) -> R<std::sync::Arc<fancy_regex::Regex>> {
        self.tick(8, pos)?;
        self.tpl.regexes.get(pattern, whole).map_err(|e| {
            Box::new(Fail::Java {
                exception: PSE,
                message: e.0,
                pos,
            })
        })
    }

    fn replace_regex(
        &mut self,
        s: &str,
        pattern: &str,
        rep: &str,
        all: bool,
        pos: Pos,
    ) -> R<Obj<'t>> {
        let plain = !rep.contains(['$', '\\']);
        if let Some(lit) = java_replace::literal(pattern).filter(|l| plain && !l.is_empty()) {
            {
                let count = if all {
                    s.matches(lit.as_str()).count()
                } else {
                    usize::from(s.contains(lit.as_str()))
                };
                self.build(s.len() + count * rep.len(), pos)?;
                return Ok(Obj::string(if all {
                    s.replace(lit.as_str(), rep)
                } else {
                    s.replacen(lit.as_str(), rep, 1)
                }));
            }
        }
        let re = self.regex(pattern, false, pos)?;
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        let mut failure: Option<Fail> = None;
        let mut steps = 0u64;
        find_all(&re, s, |caps| {
            let m = caps.get(0).map_or(0..0, |m| m.range());
            out.push_str(&s[last..m.start]);
            if let Err((exception, message)) = expand(&re, caps, rep, &mut out) {
                failure = Some(Fail::Java {
                    exception,
                    message,
                    pos,
                });
                return Ok(false);
            }
            last = m.end;
            steps += 1;
            if out.len() > crate::vtl::eval::MAX_OUTPUT_BYTES || steps > 1_000_000 {
                failure = Some(Fail::Limit {
                    what: "string size in bytes",
                    limit: crate::vtl::eval::MAX_OUTPUT_BYTES,
                    pos,
                });
                return Ok(false);
            }
            Ok(all)
        })
        .map_err(|e| regex_runtime(&e, pos))?;
        if let Some(f) = failure {
            return Err(f.into());
        }
        out.push_str(&s[last..]);
        self.tick(steps, pos)?;
        self.build(out.len(), pos)?;
        Ok(Obj::string(out))
    }

    /// `String.split(regex, limit)` (Java 8+: no empty leading string for a zero-width
    /// match at the start; with limit 0, trailing empty strings are removed).
    pub(crate) fn split(&mut self, s: &str, pattern: &str, limit: i64, pos: Pos) -> R<Vec<String>> {
        let re = self.regex(pattern, false, pos)?;
        let mut parts: Vec<String> = Vec::new();
        let mut index = 0;
        let mut matched = false;
        find_all(&re, s, |caps| {
            let m = caps.get(0).map_or(0..0, |m| m.range());
            if limit <= 0 || (parts.len() as i64) < limit - 1 {
                if index == 0 && m.start == 0 && m.is_empty() {
                    return Ok(true);
                }
                parts.push(s[index..m.start].to_owned());
                index = m.end;
                matched = true;
                Ok(parts.len() < 1_000_000)
            } else {
                Ok(false)
            }
        })
        .map_err(|e| regex_runtime(&e, pos))?;
        if !matched {
            return Ok(vec![s.to_owned()]);
        }
        parts.push(s[index..].to_owned());
        if limit == 0 {
            while parts.last().is_some_and(String::is_empty) {
                parts.pop();
            }
        }
        self.tick(parts.len() as u64, pos)?;
        Ok(parts)
    }
}

fn regex_runtime(message: &str, pos: Pos) -> Fail {
    Fail::Java {
        exception: "java.lang.StackOverflowError",
        message: format!("regular expression: {message}"),
        pos,
    }
}
