//! Errors from compiling and rendering templates. Each names the template and, where
//! it has one, the line and column (1-based; columns count characters).

/// A template that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Over API Gateway's size limit for a mapping template.
    #[error(
        "template {template}: {size} bytes is over the {limit}-byte (300 KB) limit for mapping templates"
    )]
    TooLarge {
        /// The template's name.
        template: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not valid VTL.
    #[error("template {template}, line {line}, column {column}: {message}")]
    Syntax {
        /// The template's name.
        template: String,
        /// 1-based line.
        line: u32,
        /// 1-based column, in characters.
        column: u32,
        /// What is wrong.
        message: String,
    },
}

/// A render that failed. API Gateway answers these with a 500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A method threw, as the Java method would (index out of range, bad regex,
    /// bad JSONPath, invalid base64 or JSON ...).
    #[error("template {template}, line {line}, column {column}: {exception}: {message}")]
    Method {
        /// The template's name.
        template: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The Java exception the method would throw, e.g. `java.lang.IndexOutOfBoundsException`.
        exception: &'static str,
        /// Its message.
        message: String,
    },
    /// A bound was reached: output size, recursion depth, work, nesting (see `docs/mapping-templates.md`).
    #[error(
        "template {template}, line {line}, column {column}: {what} exceeds the limit of {limit}"
    )]
    Limit {
        /// The template's name.
        template: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What grew too large.
        what: &'static str,
        /// The bound.
        limit: usize,
    },
    /// A directive API Gateway cannot run (`#include`, `#parse`, `#evaluate`).
    #[error(
        "template {template}, line {line}, column {column}: {what} is not supported in mapping templates"
    )]
    Unsupported {
        /// The template's name.
        template: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The directive.
        what: &'static str,
    },
}

/// 1-based line and column (in characters) of byte offset `pos` in `src`.
pub(crate) fn line_col(src: &str, pos: usize) -> (u32, u32) {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &src[..pos];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}
