//! `x-amazon-apigateway-cors`, the CORS configuration of an HTTP API.
//!
//! Types and ranges are checked as API Gateway checks them on import (a list
//! of strings, a boolean, `maxAge` from −1 to 86,400, methods of 1 to 64
//! characters, no credentials with a `*` origin): a definition AWS refuses is
//! refused here too. Entries AWS accepts but no browser request can ever
//! match (an origin with a trailing `/`, `GET, POST` as one method) load with
//! a warning and are left out.

use super::context::Ctx;
use super::tree::Node;
use crate::config::cors::{
    Cors, MAX_AGE_LIMIT, METHOD_LENGTH_LIMIT, WILDCARD, is_token, origin_flaw,
};
use crate::config::problems::{child, item};

/// Reads the extension at `at`; `None` when it is not a mapping (a problem).
pub(super) fn read(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<Cors> {
    let mut cors = Cors::default();
    for (key, value) in ctx.map(node, at)? {
        let key_at = child(at, key);
        match key.as_str() {
            "allowOrigins" => cors.allow_origins = list(ctx, value, &key_at, origin),
            "allowMethods" => cors.allow_methods = list(ctx, value, &key_at, method),
            "allowHeaders" => cors.allow_headers = list(ctx, value, &key_at, header),
            "exposeHeaders" => cors.expose_headers = list(ctx, value, &key_at, header),
            "allowCredentials" => {
                cors.allow_credentials = ctx.bool(value, &key_at).unwrap_or(false)
            }
            "maxAge" => cors.max_age = max_age(ctx, value, &key_at),
            _ => ctx.unknown_property(&key_at, key, "x-amazon-apigateway-cors"),
        }
    }
    check_combinations(ctx, &cors, at);
    Some(cors)
}

/// What a list entry is, once read: kept, or left out with a warning (AWS
/// deploys it, nothing matches it), or refused (AWS refuses it).
enum Entry {
    Keep,
    Skip(String),
    Refuse(String),
}

/// A list of strings, each judged by `judge`.
fn list(ctx: &mut Ctx<'_>, node: &Node, at: &str, judge: fn(&str) -> Entry) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, entry) in ctx.seq(node, at).unwrap_or_default().iter().enumerate() {
        let entry_at = item(at, i);
        let Some(text) = ctx.str(entry, &entry_at) else {
            continue;
        };
        match judge(text) {
            Entry::Keep if out.iter().any(|seen| seen.eq_ignore_ascii_case(text)) => {}
            Entry::Keep => out.push(text.to_owned()),
            Entry::Skip(why) => ctx.warn(&entry_at, format!("`{text}` is left out: {why}")),
            Entry::Refuse(why) => ctx.problem(&entry_at, format!("`{text}`: {why}")),
        }
    }
    out
}

fn origin(text: &str) -> Entry {
    if text == WILDCARD {
        return Entry::Keep;
    }
    match origin_flaw(text) {
        None => Entry::Keep,
        Some(flaw) => Entry::Skip(format!("no browser's `Origin` can equal it, since {flaw}")),
    }
}

fn method(text: &str) -> Entry {
    if text.is_empty() || text.len() > METHOD_LENGTH_LIMIT {
        return Entry::Refuse(format!(
            "API Gateway takes methods of 1 to {METHOD_LENGTH_LIMIT} characters"
        ));
    }
    if text == WILDCARD || is_token(text) {
        Entry::Keep
    } else {
        Entry::Skip("it is not a method name (write each method as its own list item)".to_owned())
    }
}

fn header(text: &str) -> Entry {
    if text == WILDCARD || is_token(text) {
        Entry::Keep
    } else {
        Entry::Skip("it is not a header name (write each header as its own list item)".to_owned())
    }
}

fn max_age(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Option<i32> {
    let seconds = ctx.integer(node, at)?;
    match i32::try_from(seconds) {
        Ok(seconds) if (-1..=MAX_AGE_LIMIT).contains(&seconds) => Some(seconds),
        _ => {
            ctx.problem(
                at,
                format!(
                    "{seconds} is out of range: maxAge is from -1 (no caching) to {MAX_AGE_LIMIT} seconds"
                ),
            );
            None
        }
    }
}

/// What only the whole configuration shows.
fn check_combinations(ctx: &mut Ctx<'_>, cors: &Cors, at: &str) {
    let wildcard = |list: &[String]| list.iter().any(|e| e == WILDCARD);
    if cors.allow_credentials && wildcard(&cors.allow_origins) {
        ctx.problem(
            &child(at, "allowOrigins"),
            "`*` cannot allow every origin when allowCredentials is true: API Gateway refuses this \
             combination (browsers never send credentials to a `*` origin); list the origins instead",
        );
    }
    if cors.allow_credentials && wildcard(&cors.expose_headers) {
        ctx.warn(
            &child(at, "exposeHeaders"),
            "`*` exposes every header only to requests without credentials: on requests sent with \
             credentials browsers read it as a header named `*`; list the headers to expose them there too",
        );
    }
    if cors.allow_origins.is_empty() {
        ctx.warn(
            at,
            "no origin is allowed (allowOrigins lists none a browser can send): preflights are answered \
             without CORS headers and responses carry none, so browsers on other origins are refused",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{PROXY, doc, findings, import};

    fn cors_doc(cors: &str) -> String {
        let route = format!("  /a:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}");
        doc(true, &format!("x-amazon-apigateway-cors: {cors}"), &route)
    }

    #[test]
    fn every_property_is_read() {
        let api = import(&cors_doc(
            "{allowOrigins: ['https://a.example', 'http://localhost:8080'], allowCredentials: true, \
             allowMethods: [GET, put, '*'], allowHeaders: [content-type, X-Custom], \
             exposeHeaders: [x-request-id], maxAge: 600}",
        ))
        .unwrap();
        let cors = api.cors.unwrap();
        assert_eq!(
            cors.allow_origins,
            ["https://a.example", "http://localhost:8080"]
        );
        assert!(cors.allow_credentials);
        assert_eq!(cors.allow_methods, ["GET", "put", "*"]);
        assert_eq!(cors.allow_headers, ["content-type", "X-Custom"]);
        assert_eq!(cors.expose_headers, ["x-request-id"]);
        assert_eq!(cors.max_age, Some(600));
        let (found, warned) = findings(&cors_doc("{allowOrigins: ['*'], maxAge: -1}"));
        assert!(
            found.is_empty() && warned.is_empty(),
            "{found:?} {warned:?}"
        );
    }

    #[test]
    fn what_aws_refuses_is_refused_with_its_place() {
        let (found, _) = findings(&cors_doc(
            "{allowOrigins: ['*'], allowCredentials: 'yes', maxAge: 86401, allowMethods: ['', GET], \
             allowHeaders: x-a, exposeHeaders: [1]}",
        ));
        assert_eq!(
            found,
            [
                "x-amazon-apigateway-cors.allowCredentials: expected true or false, found a string",
                "x-amazon-apigateway-cors.maxAge: 86401 is out of range: maxAge is from -1 (no caching) to 86400 seconds",
                "x-amazon-apigateway-cors.allowMethods[0]: ``: API Gateway takes methods of 1 to 64 characters",
                "x-amazon-apigateway-cors.allowHeaders: expected a list, found a string",
                "x-amazon-apigateway-cors.exposeHeaders[0]: expected a string, found a number",
            ]
        );
        let (found, _) = findings(&cors_doc(
            "{allowOrigins: ['https://a.example', '*'], allowCredentials: true}",
        ));
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with(
            "x-amazon-apigateway-cors.allowOrigins: `*` cannot allow every origin when allowCredentials is true"
        ));
        let (found, _) = findings(&cors_doc("[]"));
        assert_eq!(
            found,
            ["x-amazon-apigateway-cors: expected a mapping, found a list"]
        );
        let (found, _) = findings(&cors_doc("{maxAge: -2}"));
        assert!(found[0].contains("-2 is out of range"), "{found:?}");
    }

    #[test]
    fn entries_no_request_can_match_are_left_out_with_a_warning() {
        let (found, warned) = findings(&cors_doc(
            "{allowOrigins: ['https://a.example/', 'https://*.example', 'https://b.example'], \
             allowMethods: ['GET, POST'], allowHeaders: ['a b'], allowCredentials: true, exposeHeaders: ['*'], \
             allowHeader: [x]}",
        ));
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(
            warned,
            [
                "x-amazon-apigateway-cors.allowOrigins[0]: `https://a.example/` is left out: no browser's `Origin` can equal it, since browsers send an origin without a path or a trailing `/`",
                "x-amazon-apigateway-cors.allowOrigins[1]: `https://*.example` is left out: no browser's `Origin` can equal it, since `*` is a wildcard only on its own: origins are compared whole, not as patterns",
                "x-amazon-apigateway-cors.allowMethods[0]: `GET, POST` is left out: it is not a method name (write each method as its own list item)",
                "x-amazon-apigateway-cors.allowHeaders[0]: `a b` is left out: it is not a header name (write each header as its own list item)",
                "x-amazon-apigateway-cors.allowHeader: unknown x-amazon-apigateway-cors property `allowHeader`: skipped (served as if it were absent)",
                "x-amazon-apigateway-cors.exposeHeaders: `*` exposes every header only to requests without credentials: on requests sent with credentials browsers read it as a header named `*`; list the headers to expose them there too",
            ]
        );
        let api = import(&cors_doc(
            "{allowOrigins: ['https://b.example', 'HTTPS://B.example']}",
        ))
        .unwrap();
        assert_eq!(api.cors.unwrap().allow_origins, ["https://b.example"]);
        let (_, warned) = findings(&cors_doc("{allowMethods: [GET]}"));
        assert_eq!(warned.len(), 1);
        assert!(warned[0].starts_with("x-amazon-apigateway-cors: no origin is allowed"));
    }

    #[test]
    fn rest_apis_ignore_it() {
        let route = format!("  /a:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}");
        let api = import(&doc(
            false,
            "x-amazon-apigateway-cors: {allowOrigins: ['*']}",
            &route,
        ))
        .unwrap();
        assert_eq!(api.cors, None);
    }
}
