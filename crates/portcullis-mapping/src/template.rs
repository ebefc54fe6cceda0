//! Compiled mapping templates and the variables they render with.

use std::sync::Arc;

use crate::error::{RenderError, TemplateError, line_col};
use crate::value::Value;
use crate::vtl::compiled::Compiled;
use crate::vtl::eval::{Ctx, MAX_OUTPUT_BYTES};
use crate::vtl::rt::{Fail, Out};

pub use crate::input::Input;

/// API Gateway's limit on a mapping template's size: 300 KB.
pub const MAX_TEMPLATE_BYTES: usize = 300 * 1024;

/// The bounds every render runs under (see `docs/mapping-templates.md`).
pub mod limits {
    pub use super::MAX_TEMPLATE_BYTES;
    pub use crate::vtl::{
        MAX_BUILT_BYTES, MAX_ITERATIONS, MAX_MACRO_DEPTH, MAX_NESTING, MAX_OUTPUT_BYTES,
        MAX_PARSE_DEPTH, MAX_RANGE, MAX_RENDER_DEPTH, MAX_STEPS,
    };
}

/// A mapping template, compiled once and rendered many times.
///
/// `Send + Sync`; cloning is cheap (the compiled form is shared).
///
/// ```
/// use portcullis_mapping::input::RequestParams;
/// use portcullis_mapping::{Input, Scope, Template};
///
/// let template = Template::compile(
///     "example",
///     "#set($greeting = \"Hello\")$greeting, $input.path('$.name')!#if($context.stage == 'prod') (live)#end",
/// )?;
/// let input = Input::new(r#"{"name": "Rex"}"#, RequestParams::default());
/// let mut scope = Scope::new(&input);
/// scope.context = portcullis_mapping::json::parse(r#"{"stage": "prod"}"#).unwrap();
/// assert_eq!(template.render(&scope)?, "Hello, Rex! (live)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Template {
    inner: Arc<Compiled>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}

/// How a reference that is null (undefined, a missing key, an unknown method) prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NullRendering {
    /// As nothing, as API Gateway prints it (and `null == ""` holds). The default.
    #[default]
    Empty,
    /// As written (`$foo.bar`), as stock Velocity 1.7 prints it; `$!foo` prints nothing.
    Literal,
}

/// The variables a template sees.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    /// `$input`: the body and parameters.
    pub input: &'a Input,
    /// `$context`: a map. A template can change it (`#set($context.responseOverride.status = 400)`);
    /// the changes are visible here after rendering, since maps are shared.
    pub context: Value,
    /// `$stageVariables`: a map.
    pub stage_variables: Value,
    /// `$util`.
    pub util: Util,
    /// `$method`, where API Gateway has it.
    pub method: Option<Value>,
    /// `$integration`, where API Gateway has it.
    pub integration: Option<Value>,
}

/// `$util`: `escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`,
/// `base64Decode`. Stateless.
#[derive(Debug, Clone, Copy, Default)]
pub struct Util;

impl<'a> Scope<'a> {
    /// A scope with empty `$context` and `$stageVariables` maps.
    pub fn new(input: &'a Input) -> Self {
        Scope {
            input,
            context: Value::map(Default::default()),
            stage_variables: Value::map(Default::default()),
            util: Util,
            method: None,
            integration: None,
        }
    }
}

impl Template {
    /// Compiles `source`. `name` appears in errors.
    ///
    /// Rejects templates over 300 KB (API Gateway's limit) and syntax errors, with
    /// the line and column.
    pub fn compile(name: &str, source: &str) -> Result<Template, TemplateError> {
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLarge {
                template: name.to_owned(),
                size: source.len(),
                limit: MAX_TEMPLATE_BYTES,
            });
        }
        let compiled = Compiled::parse(name, source).map_err(|e| {
            let (line, column) = line_col(source, e.pos);
            TemplateError::Syntax {
                template: name.to_owned(),
                line,
                column,
                message: e.message,
            }
        })?;
        Ok(Template {
            inner: Arc::new(compiled),
        })
    }

    /// The same template printing null references another way.
    pub fn with_null_rendering(self, mode: NullRendering) -> Template {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(c) => c,
            Err(shared) => {
                // Re-parse: the source was valid once, so this cannot fail.
                match Compiled::parse(&shared.name, &shared.src) {
                    Ok(c) => c,
                    Err(_) => return Template { inner: shared },
                }
            }
        };
        inner.literal_nulls = mode == NullRendering::Literal;
        Template {
            inner: Arc::new(inner),
        }
    }

    /// The name given at compile time.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Renders with `scope`. Output is bounded at 10 MiB, loops at 1,000 iterations,
    /// work and recursion as documented in `docs/mapping-templates.md`.
    pub fn render(&self, scope: &Scope<'_>) -> Result<String, RenderError> {
        let tpl = &*self.inner;
        let mut out = Out::new(MAX_OUTPUT_BYTES);
        let mut ctx = Ctx::new(tpl, scope);
        let result = ctx.render(&tpl.body, &mut out);
        drop(ctx);
        match result {
            Ok(()) | Err(Fail::Stop) => Ok(out.buf),
            Err(fail) => Err(render_error(tpl, fail)),
        }
    }
}

fn render_error(tpl: &Compiled, fail: Fail) -> RenderError {
    let at = |pos: u32| line_col(&tpl.src, pos as usize);
    let template = tpl.name.clone();
    match fail {
        Fail::Java {
            exception,
            message,
            pos,
        } => {
            let (line, column) = at(pos);
            RenderError::Method {
                template,
                line,
                column,
                exception,
                message,
            }
        }
        Fail::Limit { what, limit, pos } => {
            let (line, column) = at(pos);
            RenderError::Limit {
                template,
                line,
                column,
                what,
                limit,
            }
        }
        Fail::Unsupported { what, pos } => {
            let (line, column) = at(pos);
            RenderError::Unsupported {
                template,
                line,
                column,
                what,
            }
        }
        Fail::Stop => unreachable!("#stop is not an error"),
    }
}
