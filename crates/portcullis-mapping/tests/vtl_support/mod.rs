//! Helpers shared by the `vtl_*` tests.
#![allow(dead_code)]

use indexmap::IndexMap;
use portcullis_mapping::input::{Input, RequestParams};
use portcullis_mapping::{NullRendering, RenderError, Scope, Template, Value, json};

pub(crate) fn params(
    path: &[(&str, &str)],
    qs: &[(&str, &str)],
    header: &[(&str, &str)],
) -> RequestParams {
    let map = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<IndexMap<_, _>>()
    };
    RequestParams {
        path: map(path),
        querystring: map(qs),
        header: map(header),
        ..RequestParams::default()
    }
}

/// Renders `src` with body `body` and no parameters.
pub(crate) fn render_body(src: &str, body: &str) -> String {
    try_render(src, &Input::new(body, RequestParams::default()), None)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Renders `src` with an empty body.
pub(crate) fn render(src: &str) -> String {
    render_body(src, "")
}

/// Renders `src` as stock Velocity prints nulls (as written).
pub(crate) fn render_velocity(src: &str) -> String {
    let t = Template::compile("t", src)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_null_rendering(NullRendering::Literal);
    let input = Input::new("", RequestParams::default());
    t.render(&Scope::new(&input))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Renders with `$context` and `$stageVariables` given as JSON.
pub(crate) fn try_render(
    src: &str,
    input: &Input,
    vars: Option<(&str, &str)>,
) -> Result<String, RenderError> {
    let t = Template::compile("t", src).unwrap_or_else(|e| panic!("{e}"));
    let mut scope = Scope::new(input);
    if let Some((context, stage)) = vars {
        scope.context = json::parse(context).expect("context JSON");
        scope.stage_variables = json::parse(stage).expect("stage variables JSON");
    }
    t.render(&scope)
}

pub(crate) fn render_err(src: &str) -> RenderError {
    try_render(src, &Input::new("", RequestParams::default()), None)
        .expect_err("render should fail")
}

pub(crate) fn compile_err(src: &str) -> String {
    Template::compile("t", src)
        .expect_err("compile should fail")
        .to_string()
}

pub(crate) fn map(entries: &[(&str, Value)]) -> Value {
    Value::map(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}
