//! CORS headers on the responses of an HTTP API with a CORS configuration
//! (http-api-cors): every response, the integration's and the gateway's own
//! (errors, the preflights it answers), as API Gateway adds them.
//!
//! The backend's own `Access-Control-*` headers are always removed, as API
//! Gateway ignores them once CORS is configured. A request without `Origin`,
//! or from an origin not allowed, gets no CORS headers; a preflight (OPTIONS
//! with `Access-Control-Request-Method`) asking for a method or header not
//! allowed gets none either, so the browser refuses the request it announced.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderName, ORIGIN, VARY,
};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};

use crate::runtime::CorsPolicy;

static ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
static TRUE: HeaderValue = HeaderValue::from_static("true");
static VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// The response headers a backend may send that the configuration decides.
static DECIDED: [HeaderName; 6] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
];

/// The method a preflight announces, when `request` is one (OPTIONS with
/// `Access-Control-Request-Method`; its `Origin` is checked apart).
pub(crate) fn preflight_method(request: &Parts) -> Option<&HeaderValue> {
    if request.method == Method::OPTIONS {
        request.headers.get(ACCESS_CONTROL_REQUEST_METHOD)
    } else {
        None
    }
}

/// Replaces the CORS headers of `headers`, the response to `request`, with
/// those `policy` gives. Allocates nothing for a request without `Origin`.
pub(crate) fn apply(policy: &CorsPolicy, request: &Parts, headers: &mut HeaderMap) {
    for name in &DECIDED {
        headers.remove(name);
    }
    let Some(origin) = request.headers.get(ORIGIN) else {
        return;
    };
    if !policy.allows_origin(origin) {
        return;
    }
    if let Some(method) = preflight_method(request) {
        let asked = request.headers.get(ACCESS_CONTROL_REQUEST_HEADERS);
        let Some(grant) = policy.preflight(method, asked) else {
            return;
        };
        if let Some(methods) = grant.methods {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
        }
        if let Some(allowed) = grant.headers {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed.clone());
        }
        if let Some(max_age) = &policy.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
    } else if let Some(expose) = &policy.expose_headers {
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
    }
    if policy.credentials {
        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE.clone());
    }
    if policy.any_origin() {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN.clone());
    } else {
        // The answer names this origin: caches must key it on the origin.
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.append(VARY, VARY_ORIGIN.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cors;

    fn policy(origins: &[&str], credentials: bool) -> CorsPolicy {
        CorsPolicy::compile(&Cors {
            allow_origins: origins.iter().map(|s| (*s).to_owned()).collect(),
            allow_credentials: credentials,
            allow_methods: vec!["PUT".into()],
            allow_headers: vec!["x-custom".into()],
            expose_headers: vec!["x-request-id".into()],
            max_age: Some(300),
        })
    }

    fn request(method: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().method(method).uri("/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    /// The backend's answer: CORS headers of its own, and a Vary.
    fn backend() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("*"));
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("1"));
        headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        headers
    }

    fn names(headers: &HeaderMap) -> Vec<String> {
        let mut names: Vec<String> = headers.keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    }

    #[test]
    fn without_an_allowed_origin_the_backends_cors_headers_are_removed_and_none_added() {
        let p = policy(&["https://a.example"], false);
        for request in [
            request("GET", &[]),
            request("GET", &[("origin", "https://b.example")]),
        ] {
            let mut headers = backend();
            apply(&p, &request, &mut headers);
            assert_eq!(names(&headers), ["vary"]);
        }
    }

    #[test]
    fn an_allowed_origin_gets_its_name_credentials_and_exposed_headers() {
        let p = policy(&["https://a.example"], true);
        let mut headers = backend();
        apply(
            &p,
            &request("GET", &[("origin", "https://a.example")]),
            &mut headers,
        );
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a.example");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        assert_eq!(headers[ACCESS_CONTROL_EXPOSE_HEADERS], "x-request-id");
        let vary: Vec<_> = headers.get_all(VARY).iter().collect();
        assert_eq!(vary, ["Accept-Encoding", "Origin"]);
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_METHODS));
        assert!(!headers.contains_key(ACCESS_CONTROL_MAX_AGE));
        // `*`: the answer does not depend on the origin.
        let mut headers = HeaderMap::new();
        let any = policy(&["*"], false);
        apply(
            &any,
            &request("POST", &[("origin", "https://z.example")]),
            &mut headers,
        );
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(!headers.contains_key(VARY));
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_CREDENTIALS));
    }

    #[test]
    fn preflights_get_methods_headers_and_max_age_or_nothing() {
        let p = policy(&["https://a.example"], false);
        let asked = |method: &'static str, headers: &'static str| {
            let mut out = backend();
            let mut with = vec![
                ("origin", "https://a.example"),
                ("access-control-request-method", method),
            ];
            if !headers.is_empty() {
                with.push(("access-control-request-headers", headers));
            }
            apply(&p, &request("OPTIONS", &with), &mut out);
            out
        };
        let granted = asked("PUT", "x-custom");
        assert_eq!(granted[ACCESS_CONTROL_ALLOW_ORIGIN], "https://a.example");
        assert_eq!(granted[ACCESS_CONTROL_ALLOW_METHODS], "PUT");
        assert_eq!(granted[ACCESS_CONTROL_ALLOW_HEADERS], "x-custom");
        assert_eq!(granted[ACCESS_CONTROL_MAX_AGE], "300");
        assert!(!granted.contains_key(ACCESS_CONTROL_EXPOSE_HEADERS));
        for refused in [asked("DELETE", ""), asked("PUT", "x-custom,x-other")] {
            assert_eq!(names(&refused), ["vary"]);
        }
        // OPTIONS without Access-Control-Request-Method is an ordinary request.
        let mut headers = HeaderMap::new();
        apply(
            &p,
            &request("OPTIONS", &[("origin", "https://a.example")]),
            &mut headers,
        );
        assert_eq!(headers[ACCESS_CONTROL_EXPOSE_HEADERS], "x-request-id");
        assert!(!headers.contains_key(ACCESS_CONTROL_ALLOW_METHODS));
    }
}
