//! Collecting problems while reading a configuration, and writing the
//! locations they point at.
//!
//! Readers never stop at the first mistake: they note a [`Problem`] and go on,
//! so one run shows everything that needs fixing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::error::{ConfigError, Problem};

/// The pseudo file name of problems with command-line flags.
pub(crate) const COMMAND_LINE: &str = "command line";

/// An ordered list of problems without repeats.
///
/// The same problem can be found more than once (an integration shared through
/// `$ref` by several routes); it is kept once.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    seen: HashSet<(PathBuf, String, String)>,
}

impl Problems {
    /// An empty list.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Notes a problem at `location` in `file`.
    pub(crate) fn at(
        &mut self,
        file: &Path,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Problem::new(file, location, message));
    }

    /// Notes a problem with a command-line flag.
    pub(crate) fn flag(&mut self, flag: &str, message: impl Into<String>) {
        self.at(Path::new(COMMAND_LINE), flag, message);
    }

    /// Notes one problem.
    pub(crate) fn push(&mut self, problem: Problem) {
        let key = (
            problem.file.clone(),
            problem.location.clone(),
            problem.message.clone(),
        );
        if self.seen.insert(key) {
            self.list.push(problem);
        }
    }

    /// Notes every problem of `error`.
    pub(crate) fn extend(&mut self, error: ConfigError) {
        for problem in error.problems {
            self.push(problem);
        }
    }

    /// `Ok(value)` when nothing is wrong, else every problem noted.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ConfigError> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError {
                problems: self.list,
            })
        }
    }
}

/// The location of `key` inside `parent`: `parent.key`, or `parent["key"]`
/// when the key holds characters that would make the dotted form ambiguous.
///
/// Keys starting with `/` (OpenAPI paths) are always written bare, so
/// `paths./pets/{petId}.get` reads as it does in the file.
pub(crate) fn child(parent: &str, key: &str) -> String {
    let bare = key.starts_with('/')
        || (!key.is_empty()
            && !key
                .chars()
                .any(|c| c == '.' || c == '[' || c == ']' || c == '"' || c.is_whitespace()));
    match (parent.is_empty(), bare) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{key:?}]"),
    }
}

/// The location of item `index` of the list at `parent`: `parent[index]`.
pub(crate) fn item(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The first `max` characters of `text`, with `...` when cut; for quoting
/// user input in messages without flooding them.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_locations_quote_ambiguous_keys() {
        assert_eq!(child("", "paths"), "paths");
        assert_eq!(child("paths", "/pets/{id}.json"), "paths./pets/{id}.json");
        assert_eq!(child("paths./pets", "get"), "paths./pets.get");
        assert_eq!(
            child("requestParameters", "integration.request.header.x"),
            r#"requestParameters["integration.request.header.x"]"#
        );
        assert_eq!(child("responses", ""), r#"responses[""]"#);
        assert_eq!(child("a", "2\\d{2}"), "a.2\\d{2}");
        assert_eq!(item("apis", 2), "apis[2]");
    }

    #[test]
    fn problems_are_kept_once_in_order() {
        let mut problems = Problems::new();
        problems.at(Path::new("a.yaml"), "x", "one");
        problems.at(Path::new("a.yaml"), "y", "two");
        problems.at(Path::new("a.yaml"), "x", "one");
        problems.flag("--stage", "three");
        let error = problems.finish(()).unwrap_err();
        let texts: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "a.yaml: x: one",
                "a.yaml: y: two",
                "command line: --stage: three"
            ]
        );
    }

    #[test]
    fn excerpt_cuts_on_char_boundaries() {
        assert_eq!(excerpt("héllo", 2), "hé...");
        assert_eq!(excerpt("hi", 2), "hi");
    }
}
