//! `$input` and `$util`, through the AWS variable layer.

use crate::jsonpath::JsonPath;
use crate::value::Value;
use crate::vtl::ast::{Part, Pos};
use crate::vtl::aws::util;
use crate::vtl::eval::Ctx;
use crate::vtl::rt::{Fail, NULL, Obj, R};

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
