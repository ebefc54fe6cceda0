//! Configuration errors: every problem names its file, where in the file, and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// Where in the file: a dotted path (`paths./pets.get.x-amazon-apigateway-integration.type`),
    /// or `line 3 column 7` for syntax errors; empty when the whole file is meant.
    pub location: String,
    /// What is wrong, and where possible what to do about it.
    pub message: String,
}

impl Problem {
    /// A problem at `location` in `file`.
    pub fn new(file: &Path, location: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_path_buf(),
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.location,
                self.message
            )
        }
    }
}

/// A configuration that cannot be served, with every problem found (not just the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The problems, in the order found. Never empty.
    pub problems: Vec<Problem>,
    /// The warnings found beside them: what would have been served
    /// differently from AWS had the problems not stopped the load. Not part
    /// of the message; `validate` lists them apart.
    pub warnings: Vec<Problem>,
}

impl ConfigError {
    /// An error holding one problem.
    pub fn one(problem: Problem) -> Self {
        Self::from_problems(vec![problem])
    }

    /// An error holding `problems` and no warnings.
    pub fn from_problems(problems: Vec<Problem>) -> Self {
        Self {
            problems,
            warnings: Vec::new(),
        }
    }
}

impl From<Problem> for ConfigError {
    fn from(problem: Problem) -> Self {
        Self::one(problem)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}
