//! Compiled mapping templates and the variables they render with.

use std::sync::Arc;
use std::sync::atomic::Ordering;

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
            context: Value::empty_map(),
            stage_variables: Value::empty_map(),
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
        // Room for as much as the last render wrote (capped: one huge output
        // should not make every later render allocate as much).
        let hint = tpl.output_hint.load(Ordering::Relaxed).min(1 << 20);
        let mut out = Out::with_capacity(MAX_OUTPUT_BYTES, hint);
        let mut ctx = Ctx::new(tpl, scope);
        let result = ctx.render(&tpl.body, &mut out);
        drop(ctx);
        tpl.output_hint.store(out.buf.len(), Ordering::Relaxed);
        match result {
            Ok(()) => Ok(out.buf),
            Err(f) if matches!(*f, Fail::Stop) => Ok(out.buf),
            Err(fail) => Err(render_error(tpl, *fail)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::RequestParams;

    fn render(src: &str, body: &str) -> Result<String, String> {
        let template = Template::compile("t", src).map_err(|e| e.to_string())?;
        let input = Input::new(body, RequestParams::default());
        template
            .render(&Scope::new(&input))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn nested_method_calls_keep_their_own_arguments() {
        // Argument lists are reused between calls; a call inside another's
        // arguments must not disturb the outer list.
        let src = "#set($m = {})#set($l = [])#foreach($i in [1..3])\
            #set($x = $m.put(\"k$i\", $m.getOrDefault(\"k$foreach.index\", $l.size())))\
            #set($x = $l.add($util.escapeJavaScript($m.get(\"k$i\").toString().concat(\"'\"))))#end\
            $m $l $l.subList(1, $l.size()).contains(\"0\\'\")";
        assert_eq!(
            render(src, "{}"),
            Ok("{k1=0, k2=0, k3=0} [0\\', 0\\', 0\\'] true".to_string())
        );
    }

    #[test]
    fn literal_paths_compiled_with_the_template_select_as_at_render_time() {
        let body =
            r#"{"a": {"b": [1, 2.5, "x/y"], "c": null}, "d": [{"e": 1}, {"e": 2}], "a.b": 3}"#;
        let paths = [
            "$",
            " $ ",
            "@",
            "$.a",
            "$.a.b",
            "$.a.b[1]",
            "$.a.b[-1]",
            "$.a.c",
            "$.missing",
            r#"$["a.b"]"#,
            "$.d[*].e",
            "$..e",
            "$.d[?(@.e > 1)]",
            "a.b",
            "$.a[",
            "",
            "$.d[0",
        ];
        for path in paths {
            for method in ["json", "path"] {
                // A literal argument is compiled with the template; a variable
                // holding the same text is compiled when rendered.
                let literal = format!("$input.{method}('{path}')|$input.{method}('{path}').size()");
                let variable =
                    format!("#set($p = '{path}')$input.{method}($p)|$input.{method}($p).size()");
                let (a, b) = (render(&literal, body), render(&variable, body));
                match (&a, &b) {
                    (Ok(x), Ok(y)) => assert_eq!(x, y, "{method} {path:?}"),
                    (Err(x), Err(y)) => {
                        // Same error, reported at the call (columns differ by the `#set`).
                        let strip = |e: &str| e.split_once("column").map(|(_, m)| m.to_string());
                        assert_eq!(
                            strip(x).map(|m| m.split_once(':').map(|p| p.1.to_string())),
                            strip(y).map(|m| m.split_once(':').map(|p| p.1.to_string())),
                            "{method} {path:?}: {x} / {y}"
                        );
                    }
                    _ => panic!("{method} {path:?}: {a:?} / {b:?}"),
                }
            }
        }
        // The literal path of a call on something other than `$input` is not used.
        assert_eq!(
            render("#set($m = {'path': 1})$m.path('$')|$m.json('$')", body),
            Ok("|".to_string())
        );
        // `$input` set to something else is that thing.
        assert_eq!(
            render("#set($input = 'x')$input.path('$')|", body),
            Ok("|".to_string())
        );
        // A body changed through `$input.path` prints changed.
        assert_eq!(
            render(
                "#set($r = $input.path('$'))#set($r.z = 1)$input.json('$.z')|$input.json('$').length()",
                "{\"a\": 1}"
            ),
            Ok("1|13".to_string())
        );
    }

    #[test]
    fn printed_input_json_is_the_text_of_the_call() {
        // `$input.json('...')` printed goes straight to the output; it must
        // print what the call's string prints.
        let bodies = [
            r#"{"a": [1, 2.50, {"b": "x/y"}], "c": "O'Brien", "d": {"k": 1, "k": 2}}"#,
            "",
            "not json",
            "null",
            r#""text""#,
        ];
        for body in bodies {
            for path in ["$", "$.a", "$.a[2]", "$.missing", "$.d"] {
                let direct = format!(
                    "<$input.json('{path}')|$!input.json('{path}')|${{input.json('{path}')}}>"
                );
                let via = format!("#set($j = $input.json('{path}'))<$j|$j|$j>");
                assert_eq!(render(&direct, body), render(&via, body), "{body} {path}");
                // After the body is read (and changed) through `$input.path`.
                let changed = "#set($r = $input.path('$'))#set($r.z = [1])";
                assert_eq!(
                    render(&format!("{changed}{direct}"), body),
                    render(&format!("{changed}{via}"), body),
                    "{body} {path}"
                );
            }
        }
        assert_eq!(
            render("\\$input.json('$')|\\\\$input.json('$')", "{\"a\": 1}"),
            Ok("$input.json('$')|\\{\"a\":1}".to_string())
        );
        assert_eq!(
            render("#set($input = {})$input.json('$')|", "{\"a\": 1}"),
            Ok("|".to_string())
        );
    }

    #[test]
    fn variables_by_slot_keep_velocity_scoping() {
        // Loop variables, `$velocityCount`/`$foreach` (restored after loops),
        // macro arguments (which hide and are set like variables), a block
        // macro's `$bodyContent`, `#define` blocks and `$input`/`$util`.
        let cases = [
            (
                r#"#foreach($i in [1..3])$i $velocityCount $velocityHasNext $foreach.index $foreach.hasNext $foreach.first $foreach.last $foreach $foreach.count;#foreach($i in ['a','b'])[$i $velocityCount $foreach.index]#end $i;#end|$i|$velocityCount|$foreach|$velocityHasNext"#,
                r#"1 1 true 0 true true false {index=0, hasNext=true} 1;[a 1 0][b 2 1] 1;2 2 true 1 true false false {index=1, hasNext=true} 2;[a 1 0][b 2 1] 2;3 3 false 2 false false true {index=2, hasNext=false} 3;[a 1 0][b 2 1] 3;||||"#,
            ),
            (
                r#"#set($i = 'outer')#set($velocityCount = 'vc')#foreach($i in [1, 2])$i$velocityCount,#end|$i|$velocityCount|#foreach($x in [])nothing#end$x|#foreach($y in $nothing)n#end$y"#,
                r#"11,22,|outer|vc||"#,
            ),
            (
                r#"#macro(show $a $b)[$a|$b|$c|$bodyContent]#set($a = "changed")#set($c = "c-set")#end#set($c = "c0")#show("x" $c)|#show($input $util)|#@show(1 2)body $a $c#end|$c|$a|#set($v = "v")#show($v, "w")$v"#,
                r#"[x|c0|c0|]|[||c-set|]|[1|2|c-set|body 1 c-set]|c-set||[v|w|c-set|]v"#,
            ),
            (
                r#"#macro(rec $n)#if($n > 0)$n#set($m = $n - 1)#rec($m)#end#end#rec(5)|#macro(inner $x)$x$bodyContent#end#macro(outer $x)#@inner("i")$x#end#end#outer("o")"#,
                r#"54321|ii"#,
            ),
            (
                r#"#define($blk)[$v $foreach.index]#end#set($v = 1)$blk#foreach($k in [1,2])#set($v = $k)$blk#end|$blk|#set($blk = "s")$blk"#,
                r#"[1 ][1 0][2 1]|[2 ]|s"#,
            ),
        ];
        for (src, want) in cases {
            assert_eq!(render(src, ""), Ok(want.to_string()), "{src}");
        }
    }

    #[test]
    fn printed_escape_javascript_is_the_text_of_the_call() {
        // `$util.escapeJavaScript(x)` printed goes straight to the output; it
        // must print what the call's string prints, nulls included.
        let args = [
            "$input.path('$.s')",
            "$input.path('$')",
            "$missing",
            "12.50",
            "[1, \"a'b\"]",
            "'plain'",
            "\"é\u{2028}/$input.path('$.n')\"",
        ];
        for arg in args {
            let direct = format!(
                "<$util.escapeJavaScript({arg})|$!util.escapeJavaScript({arg})|${{util.escapeJavaScript({arg})}}>"
            );
            let via = format!(
                "#set($e = $util.escapeJavaScript({arg}))<#if($e)$e#end|$!e|#if($e)$e#end>"
            );
            let body = r#"{"s": "it's \"q\" a/b", "n": 1}"#;
            assert_eq!(render(&direct, body), render(&via, body), "{arg}");
        }
        let literal = Template::compile(
            "t",
            "<$util.escapeJavaScript($x)|$!util.escapeJavaScript($x)>",
        )
        .unwrap()
        .with_null_rendering(NullRendering::Literal);
        let input = Input::new("{}", RequestParams::default());
        assert_eq!(
            literal.render(&Scope::new(&input)).unwrap(),
            "<$util.escapeJavaScript($x)|>"
        );
        // Over the output bound: the same error as printing the string.
        let big = "#set($s = \"'\")#foreach($i in [1..22])#set($s = \"$s$s\")#end";
        let direct = render(
            &format!("{big}$util.escapeJavaScript($s)$util.escapeJavaScript($s)"),
            "",
        );
        // At the second call, where the output would pass the bound.
        let column = big.len() + "$util.escapeJavaScript($s)".len() + 1;
        assert!(
            direct
                .as_ref()
                .is_err_and(|e| e.contains(&format!("column {column}:"))),
            "{direct:?}"
        );
    }
}
