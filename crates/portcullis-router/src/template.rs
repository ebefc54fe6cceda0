//! Parsing and checking a resource path template (`/pets/{id}`, `/{proxy+}`).

use crate::InsertError;

/// Most segments a route may have.
///
/// Lookups walk the tree recursively, one level per segment, so the limit keeps
/// the stack depth of a lookup small (a few kilobytes) whatever routes and paths
/// it is given. API Gateway resource paths are far shorter in practice.
pub const MAX_SEGMENTS: usize = 128;

/// One segment of a resource path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Matches exactly this text.
    Literal(&'a str),
    /// `{name}`: matches one non-empty segment.
    Param(&'a str),
    /// `{name+}`: matches the rest of the path (one segment or more). Always last.
    Greedy(&'a str),
}

/// What to do with a trailing `/` in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrailingSlash {
    /// Drop it (REST: API Gateway imports `/pets/` as the resource `/pets`).
    Strip,
    /// Refuse the route (HTTP APIs refuse route keys ending in `/`).
    Reject,
}

/// A checked template: the path as stored and its segments.
#[derive(Debug)]
pub(crate) struct Template<'a> {
    /// The template without its trailing slash (`/` for the root).
    pub(crate) path: &'a str,
    pub(crate) segments: Vec<Segment<'a>>,
}

/// Checks `path` and splits it into segments. `route` names the route in errors.
pub(crate) fn parse<'a>(
    path: &'a str,
    route: &str,
    trailing: TrailingSlash,
) -> Result<Template<'a>, InsertError> {
    let route = || route.to_owned();
    if path.is_empty() {
        return Err(InsertError::Empty);
    }
    if !path.starts_with('/') {
        return Err(InsertError::MissingLeadingSlash { route: route() });
    }
    if path.contains("//") {
        return Err(InsertError::EmptySegment { route: route() });
    }
    let path = match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => match trailing {
            TrailingSlash::Strip => stripped,
            TrailingSlash::Reject => return Err(InsertError::TrailingSlash { route: route() }),
        },
        _ => path,
    };

    let mut segments = Vec::new();
    if path == "/" {
        return Ok(Template { path, segments });
    }
    for raw in path[1..].split('/') {
        if segments.len() == MAX_SEGMENTS {
            return Err(InsertError::TooManySegments {
                route: route(),
                max: MAX_SEGMENTS,
            });
        }
        if let Some(Segment::Greedy(name)) = segments.last() {
            return Err(InsertError::GreedyNotLast {
                route: route(),
                segment: format!("{{{name}+}}"),
            });
        }
        let segment = parse_segment(raw, &route)?;
        if let Segment::Param(name) | Segment::Greedy(name) = segment {
            let repeated = segments
                .iter()
                .any(|s| matches!(s, Segment::Param(n) | Segment::Greedy(n) if *n == name));
            if repeated {
                return Err(InsertError::DuplicateParamName {
                    route: route(),
                    name: name.to_owned(),
                });
            }
        }
        segments.push(segment);
    }
    Ok(Template { path, segments })
}

fn parse_segment<'a>(raw: &'a str, route: &dyn Fn() -> String) -> Result<Segment<'a>, InsertError> {
    let open = raw.find('{');
    let close = raw.find('}');
    let (open, close) = match (open, close) {
        (None, None) => {
            if let Some(character) = raw.chars().find(|&c| !is_literal_char(c)) {
                return Err(InsertError::InvalidCharacter {
                    route: route(),
                    character,
                });
            }
            return Ok(Segment::Literal(raw));
        }
        (Some(open), Some(close)) if open < close => (open, close),
        _ => return Err(unbalanced(raw, route)),
    };
    let inner = &raw[open + 1..close];
    let rest = &raw[close + 1..];
    if inner.contains('{') || rest.contains('{') || rest.contains('}') {
        return Err(unbalanced(raw, route));
    }
    if open != 0 || !rest.is_empty() {
        return Err(InsertError::ParamNotWholeSegment {
            route: route(),
            segment: raw.to_owned(),
        });
    }
    let (name, greedy) = match inner.strip_suffix('+') {
        Some(name) => (name, true),
        None => (inner, false),
    };
    if name.is_empty() {
        return Err(InsertError::EmptyParamName { route: route() });
    }
    if !name.chars().all(is_param_name_char) {
        return Err(InsertError::InvalidParamName {
            route: route(),
            name: inner.to_owned(),
        });
    }
    Ok(if greedy {
        Segment::Greedy(name)
    } else {
        Segment::Param(name)
    })
}

/// The name of the parameter segment `segment` (for error messages).
pub(crate) fn param_name(segments: &[Segment<'_>], segment: usize) -> String {
    match segments.get(segment) {
        Some(Segment::Param(name) | Segment::Greedy(name)) => (*name).to_owned(),
        _ => String::new(),
    }
}

fn unbalanced(raw: &str, route: &dyn Fn() -> String) -> InsertError {
    InsertError::UnbalancedBraces {
        route: route(),
        segment: raw.to_owned(),
    }
}

/// RFC 3986 `pchar` without `%`: what a literal segment can hold so that it
/// compares byte for byte with the path a client sends. API Gateway itself
/// allows fewer (letters, digits, `_ - . , :`).
fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

fn is_param_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    fn ok(path: &str) -> Vec<Segment<'_>> {
        parse(path, path, TrailingSlash::Reject).unwrap().segments
    }

    fn err(path: &str) -> InsertError {
        parse(path, path, TrailingSlash::Reject).unwrap_err()
    }

    #[test]
    fn splits_segments() {
        assert_eq!(ok("/"), vec![]);
        assert_eq!(ok("/pets"), vec![Literal("pets")]);
        assert_eq!(ok("/pets/{id}"), vec![Literal("pets"), Param("id")]);
        assert_eq!(ok("/{proxy+}"), vec![Greedy("proxy")]);
        assert_eq!(ok("/a/{rest+}"), vec![Literal("a"), Greedy("rest")]);
        assert_eq!(
            ok("/v1.0/a-b_c~:@"),
            vec![Literal("v1.0"), Literal("a-b_c~:@")]
        );
    }

    #[test]
    fn trailing_slash_is_stripped_or_refused() {
        let t = parse("/pets/", "GET /pets/", TrailingSlash::Strip).unwrap();
        assert_eq!(t.path, "/pets");
        assert_eq!(t.segments, vec![Literal("pets")]);
        assert_eq!(parse("/", "", TrailingSlash::Strip).unwrap().path, "/");
        assert!(matches!(err("/pets/"), InsertError::TrailingSlash { .. }));
    }

    #[test]
    fn refuses_malformed_paths() {
        assert_eq!(err(""), InsertError::Empty);
        assert!(matches!(
            err("pets"),
            InsertError::MissingLeadingSlash { .. }
        ));
        assert!(matches!(err("//"), InsertError::EmptySegment { .. }));
        assert!(matches!(err("/a//b"), InsertError::EmptySegment { .. }));
        for path in [
            "/{id", "/id}", "/}id{", "/{{id}}", "/{i{d}", "/{id}}", "/{id}{x}",
        ] {
            assert!(
                matches!(err(path), InsertError::UnbalancedBraces { .. }),
                "{path}"
            );
        }
        for path in ["/x{id}", "/{id}.json"] {
            assert!(
                matches!(err(path), InsertError::ParamNotWholeSegment { .. }),
                "{path}"
            );
        }
        assert!(matches!(err("/{}"), InsertError::EmptyParamName { .. }));
        assert!(matches!(err("/{+}"), InsertError::EmptyParamName { .. }));
        for path in ["/{a b}", "/{a+b}", "/{a++}", "/{é}"] {
            assert!(
                matches!(err(path), InsertError::InvalidParamName { .. }),
                "{path}"
            );
        }
        for (path, character) in [
            ("/a b", ' '),
            ("/a%20", '%'),
            ("/caf\u{e9}", '\u{e9}'),
            ("/a?b", '?'),
        ] {
            assert_eq!(
                err(path),
                InsertError::InvalidCharacter {
                    route: path.into(),
                    character
                }
            );
        }
    }

    #[test]
    fn greedy_must_be_last() {
        assert_eq!(
            err("/{proxy+}/child"),
            InsertError::GreedyNotLast {
                route: "/{proxy+}/child".into(),
                segment: "{proxy+}".into()
            }
        );
        assert!(matches!(
            err("/a/{p+}/{c}"),
            InsertError::GreedyNotLast { .. }
        ));
    }

    #[test]
    fn param_names_are_unique_within_a_path() {
        assert!(matches!(
            err("/a/{id}/b/{id}"),
            InsertError::DuplicateParamName { .. }
        ));
        assert!(matches!(
            err("/{id}/{id+}"),
            InsertError::DuplicateParamName { .. }
        ));
    }

    #[test]
    fn segment_count_is_capped() {
        let deep = "/a".repeat(MAX_SEGMENTS);
        assert_eq!(ok(&deep).len(), MAX_SEGMENTS);
        let deeper = format!("{deep}/a");
        assert!(matches!(err(&deeper), InsertError::TooManySegments { .. }));
    }
}
