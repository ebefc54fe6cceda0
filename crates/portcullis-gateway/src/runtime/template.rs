//! Mapping templates as the plans hold them: text without VTL kept as bytes,
//! VTL compiled once, at load.

use bytes::Bytes;
use portcullis_mapping::Template;

/// A compiled mapping template. Text without VTL (`$` or `#`) renders as
/// itself, so it is kept as bytes and never rendered.
#[derive(Debug, Clone)]
pub(crate) enum MappingTemplate {
    /// Text without VTL: the output is the text.
    Static(Bytes),
    /// A Velocity template.
    Vtl(Template),
}

impl MappingTemplate {
    /// Compiles `text`; `name` locates it in messages.
    ///
    /// # Errors
    /// The template's syntax error, with line and column.
    pub(crate) fn compile(name: &str, text: &str) -> Result<Self, String> {
        if text.contains(['$', '#']) {
            Template::compile(name, text)
                .map(Self::Vtl)
                .map_err(|e| e.to_string())
        } else {
            Ok(Self::Static(Bytes::from(text.to_owned())))
        }
    }
}
