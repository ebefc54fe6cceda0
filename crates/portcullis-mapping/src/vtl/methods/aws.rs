//! `$input` and `$util`, through the AWS variable layer.

use crate::jsonpath::JsonPath;
use crate::value::Value;
use crate::vtl::ast::{Expr, Part, Pos};
use crate::vtl::aws::util;
use crate::vtl::eval::{Ctx, MAX_OUTPUT_BYTES};
use crate::vtl::rt::{Fail, NULL, Obj, Out, R};

impl<'t> Ctx<'t, '_> {
    pub(crate) fn input_method(&mut self, name: &str, args: &[Obj<'t>], pos: Pos) -> R<Obj<'t>> {
        let input = self.scope.input;
        let path_arg = |i: usize| args.get(i).and_then(Obj::str).cloned();
        let failed = |message: String| Fail::Java {
            exception: "com.jayway.jsonpath.InvalidPathException",
            message,
            pos,
        };
        let v = match (name, args.len()) {
            ("body" | "getBody", 0) => input.body(),
            ("params", 0) => input.params(),
            ("params", 1) => match path_arg(0) {
                Some(n) => input.param(&n),
                None => return Ok(NULL),
            },
            ("json", 1) => match path_arg(0) {
                Some(p) => input.json(&p).map_err(failed)?,
                None => return Ok(NULL),
            },
            ("path", 1) => match path_arg(0) {
                Some(p) => input.path(&p).map_err(failed)?,
                None => return Ok(NULL),
            },
            _ => return Ok(NULL),
        };
        if let Value::String(s) = &v {
            self.build(s.len(), pos)?;
        }
        Ok(Obj::Val(v))
    }

    /// `$input.json(p)` / `$input.path(p)` with `p` compiled beforehand.
    pub(crate) fn input_path(&mut self, part: &Part, path: &JsonPath, pos: Pos) -> R<Obj<'t>> {
        let input = self.scope.input;
        let v = match part {
            Part::Method(name, ..) if &**name == "json" => input.json_compiled(path),
            _ => input.path_compiled(path),
        };
        if let Value::String(s) = &v {
            self.build(s.len(), pos)?;
        }
        Ok(Obj::Val(v))
    }

    /// Prints `$input.json(p)` (`p` compiled beforehand) at `ref_pos`: what
    /// evaluating the call at `pos` and printing its string does, without the
    /// string. The same steps, checks and errors; nothing written on error.
    pub(crate) fn write_input_json(
        &mut self,
        path: &JsonPath,
        pos: Pos,
        ref_pos: Pos,
        out: &mut Out,
    ) -> R<()> {
        // As `part` counts a call with a compiled path, then the call.
        self.enter(pos)?;
        let arg = self.tick(1, 0);
        self.leave();
        arg?;
        self.tick(1, pos)?;
        let start = out.buf.len();
        self.scope.input.json_compiled_into(path, &mut out.buf);
        if let Err(e) = self.build(out.buf.len() - start, pos) {
            out.buf.truncate(start);
            return Err(e);
        }
        if out.buf.len() > out.limit {
            out.buf.truncate(start);
            return Err(Fail::Limit {
                what: "output size in bytes",
                limit: MAX_OUTPUT_BYTES,
                pos: ref_pos,
            }
            .into());
        }
        Ok(())
    }

    /// Prints `$util.escapeJavaScript(arg)` (the call at `pos`) at `ref_pos`:
    /// what evaluating the call and printing its string does, without the
    /// string. The same steps, checks and errors; nothing written on error.
    /// False when the call gives null (nothing written).
    pub(crate) fn write_util_escape(
        &mut self,
        arg: &'t Expr,
        pos: Pos,
        ref_pos: Pos,
        out: &mut Out,
    ) -> R<bool> {
        // As `part` evaluates the argument, `method` counts the call and
        // `util_method` runs it.
        self.enter(pos)?;
        let value = self.eval(arg);
        self.leave();
        let value = value?;
        self.tick(1, pos)?;
        if value.is_null() {
            return Ok(false);
        }
        let text = self.java_string(&value, pos)?;
        let start = out.buf.len();
        // Text with nothing to escape is written as it is.
        crate::util::escape_javascript_into(&text, &mut out.buf);
        if let Err(e) = self.build(out.buf.len() - start, pos) {
            out.buf.truncate(start);
            return Err(e);
        }
        if out.buf.len() > out.limit {
            out.buf.truncate(start);
            return Err(Fail::Limit {
                what: "output size in bytes",
                limit: MAX_OUTPUT_BYTES,
                pos: ref_pos,
            }
            .into());
        }
        Ok(true)
    }

    pub(crate) fn util_method(&mut self, name: &str, args: &[Obj<'t>], pos: Pos) -> R<Obj<'t>> {
        if args.len() != 1 {
            return Ok(NULL);
        }
        if args[0].is_null() {
            // `StringEscapeUtils` and friends return null for null.
            return Ok(NULL);
        }
        if !matches!(
            name,
            "escapeJavaScript"
                | "parseJson"
                | "urlEncode"
                | "urlDecode"
                | "base64Encode"
                | "base64Decode"
        ) {
            return Ok(NULL);
        }
        let text = self.java_string(&args[0], pos)?;
        let illegal = |message: String| Fail::Java {
            exception: "java.lang.IllegalArgumentException",
            message,
            pos,
        };
        if name == "escapeJavaScript" && !crate::util::escapes_javascript(&text) {
            // Nothing to escape: the same text.
            self.build(text.len(), pos)?;
            return Ok(Obj::Val(Value::String(text)));
        }
        let out = match name {
            "escapeJavaScript" => util::escape_javascript(&text),
            "urlEncode" => util::url_encode(&text),
            "urlDecode" => util::try_url_decode(&text).map_err(illegal)?,
            "base64Encode" => util::base64_encode(&text),
            "base64Decode" => util::base64_decode(&text).map_err(illegal)?,
            _ => {
                let v = util::parse_json(&text).map_err(|message| Fail::Java {
                    exception: "com.fasterxml.jackson.core.JsonParseException",
                    message,
                    pos,
                })?;
                return Ok(Obj::Val(v));
            }
        };
        self.build(out.len(), pos)?;
        Ok(Obj::string(out))
    }
}
