//! Collecting problems while reading a configuration, and writing the
//! locations they point at.
//!
//! Readers never stop at the first mistake: they note a [`Problem`] and go on,
//! so one run shows everything that needs fixing.
//!
//! Two levels, as AWS's import has: an error stops the load (AWS would refuse
//! the definition, or serving it would be unsafe); a warning names what is
//! served differently from AWS (skipped, approximated, not built yet) and the
//! load goes on. `--strict` makes warnings errors.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::error::{ConfigError, Problem};

/// The pseudo file name of problems with command-line flags.
pub(crate) const COMMAND_LINE: &str = "command line";

/// Ordered lists of errors and warnings without repeats.
///
/// The same problem can be found more than once (an integration shared through
/// `$ref` by several routes); it is kept once.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    warnings: Vec<Problem>,
    seen: HashSet<(bool, PathBuf, String, String)>,
}

/// A value read without errors, and the warnings met reading it.
#[derive(Debug)]
pub(crate) struct Checked<T> {
    pub(crate) value: T,
    pub(crate) warnings: Vec<Problem>,
}

impl Problems {
    /// An empty list.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How many errors have been noted (warnings not counted).
    pub(crate) fn error_count(&self) -> usize {
        self.list.len()
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

    /// Notes a warning at `location` in `file`: what is served instead of
    /// what AWS would serve.
    pub(crate) fn warn(
        &mut self,
        file: &Path,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push_warning(Problem::new(file, location, message));
    }

    /// Notes one problem.
    pub(crate) fn push(&mut self, problem: Problem) {
        if self.first_time(false, &problem) {
            self.list.push(problem);
        }
    }

    /// Notes one warning.
    pub(crate) fn push_warning(&mut self, warning: Problem) {
        if self.first_time(true, &warning) {
            self.warnings.push(warning);
        }
    }

    fn first_time(&mut self, warning: bool, problem: &Problem) -> bool {
        self.seen.insert((
            warning,
            problem.file.clone(),
            problem.location.clone(),
            problem.message.clone(),
        ))
    }

    /// Notes every problem and warning of `error`.
    pub(crate) fn extend(&mut self, error: ConfigError) {
        for problem in error.problems {
            self.push(problem);
        }
        self.extend_warnings(error.warnings);
    }

    /// Notes `warnings`.
    pub(crate) fn extend_warnings(&mut self, warnings: Vec<Problem>) {
        for warning in warnings {
            self.push_warning(warning);
        }
    }

    /// Turns every warning noted so far into an error (`--strict`).
    pub(crate) fn make_warnings_errors(&mut self) {
        for mut warning in std::mem::take(&mut self.warnings) {
            warning
                .message
                .push_str(" [a warning, made an error by --strict]");
            self.push(warning);
        }
    }

    /// The value and its warnings when nothing is wrong, else every problem
    /// (and warning) noted.
    pub(crate) fn finish<T>(self, value: T) -> Result<Checked<T>, ConfigError> {
        if self.list.is_empty() {
            Ok(Checked {
                value,
                warnings: self.warnings,
            })
        } else {
            Err(ConfigError {
                problems: self.list,
                warnings: self.warnings,
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
        assert!(error.warnings.is_empty());
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
    fn warnings_are_kept_apart_and_strict_makes_them_errors() {
        let mut problems = Problems::new();
        problems.warn(Path::new("a.yaml"), "x", "skipped");
        problems.warn(Path::new("a.yaml"), "x", "skipped");
        problems.at(Path::new("a.yaml"), "x", "skipped");
        let checked = Problems::new().finish(1).unwrap();
        assert!(checked.warnings.is_empty());
        let error = problems.finish(()).unwrap_err();
        assert_eq!(
            error.problems.len(),
            1,
            "an error and a warning with one text are both kept"
        );
        assert_eq!(error.warnings.len(), 1, "a repeated warning is kept once");

        let mut problems = Problems::new();
        problems.warn(Path::new("a.yaml"), "x", "skipped");
        let checked = problems.finish(()).unwrap();
        assert_eq!(checked.warnings[0].to_string(), "a.yaml: x: skipped");

        let mut problems = Problems::new();
        problems.warn(Path::new("a.yaml"), "x", "skipped");
        problems.make_warnings_errors();
        let error = problems.finish(()).unwrap_err();
        assert!(error.warnings.is_empty());
        assert_eq!(
            error.problems[0].to_string(),
            "a.yaml: x: skipped [a warning, made an error by --strict]"
        );
    }

    #[test]
    fn excerpt_cuts_on_char_boundaries() {
        assert_eq!(excerpt("héllo", 2), "hé...");
        assert_eq!(excerpt("hi", 2), "hi");
    }
}
