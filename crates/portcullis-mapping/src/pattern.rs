//! Java regular expressions for configuration: integration response
//! `selectionPattern`s, matched the way Java's `String.matches` does (the whole
//! string), with the same translation the templates' `matches`/`replaceAll` use.

use std::fmt;

use fancy_regex::Regex;

use crate::vtl::java_regex;

/// A compiled Java pattern that must match a whole subject.
#[derive(Clone)]
pub struct JavaPattern {
    source: Box<str>,
    regex: Regex,
}

/// A pattern Java would reject, or one too large to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{pattern}` is not a Java regular expression this gateway can run: {reason}")]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// Why (Java's `PatternSyntaxException` wording where it applies).
    pub reason: String,
}

impl JavaPattern {
    /// Compiles `pattern` (Java syntax) anchored at both ends.
    ///
    /// # Errors
    /// [`PatternError`] naming the pattern and what is wrong.
    pub fn whole(pattern: &str) -> Result<Self, PatternError> {
        let error = |reason: String| PatternError {
            pattern: pattern.to_owned(),
            reason,
        };
        let translated = java_regex::translate(pattern).map_err(|e| error(e.0))?;
        let regex = fancy_regex::RegexBuilder::new(&format!(r"\A(?:{translated})\z"))
            .backtrack_limit(1_000_000)
            .delegate_size_limit(4 << 20)
            .build()
            .map_err(|e| error(e.to_string()))?;
        Ok(Self {
            source: pattern.into(),
            regex,
        })
    }

    /// Whether the whole of `subject` matches. A match that runs out of its
    /// backtracking budget counts as no match.
    pub fn matches(&self, subject: &str) -> bool {
        self.regex.is_match(subject).unwrap_or(false)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Debug for JavaPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JavaPattern").field(&self.source).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::JavaPattern;

    #[test]
    fn matches_the_whole_subject() {
        let p = JavaPattern::whole(r"4\d{2}").unwrap();
        assert!(p.matches("404"));
        assert!(!p.matches("4040"));
        assert!(!p.matches("x404"));
    }

    #[test]
    fn java_only_syntax_works() {
        // Lookahead and a back-reference: the `regex` crate has neither.
        let p = JavaPattern::whole(r"(?!5)(\d)\1\d").unwrap();
        assert!(p.matches("113"));
        assert!(!p.matches("553"));
        assert!(!p.matches("123"));
        // Lambda error messages are matched the same way.
        let p = JavaPattern::whole(r".*Not Found.*").unwrap();
        assert!(p.matches("Error: Not Found (id 7)"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        let err = JavaPattern::whole("(").unwrap_err();
        assert_eq!(err.pattern, "(");
        assert!(err.to_string().contains("not a Java regular expression"));
    }
}
