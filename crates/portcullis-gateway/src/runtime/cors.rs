//! An HTTP API's CORS configuration compiled once per API: the origins,
//! methods and headers it allows as sets a request is checked against without
//! allocating, and every header value it sends made ahead.
//!
//! `respond::cors` applies it to each response; `pipeline::cors` answers the
//! preflights no route takes.

use http::HeaderValue;

use crate::config::Cors;
use crate::config::cors::WILDCARD;

/// What a CORS configuration allows, ready for requests.
#[derive(Debug)]
pub(crate) struct CorsPolicy {
    origins: Allowed,
    methods: Allowed,
    headers: Allowed,
    /// `Access-Control-Allow-Credentials: true` is sent.
    pub(crate) credentials: bool,
    /// `Access-Control-Allow-Methods` when the methods are listed (not `*`).
    allow_methods: Option<HeaderValue>,
    /// `Access-Control-Allow-Headers` when the headers are listed (not `*`).
    allow_headers: Option<HeaderValue>,
    /// `Access-Control-Expose-Headers`.
    pub(crate) expose_headers: Option<HeaderValue>,
    /// `Access-Control-Max-Age`.
    pub(crate) max_age: Option<HeaderValue>,
}

/// A set of names, or everything (`*`).
#[derive(Debug)]
enum Allowed {
    Any,
    /// Compared ignoring ASCII case.
    Only(Box<[Box<str>]>),
}

impl Allowed {
    fn new(entries: &[String]) -> Self {
        if entries.iter().any(|e| e == WILDCARD) {
            Self::Any
        } else {
            Self::Only(entries.iter().map(|e| e.as_str().into()).collect())
        }
    }

    fn contains(&self, name: &[u8]) -> bool {
        match self {
            Self::Any => true,
            Self::Only(names) => names
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(name)),
        }
    }

    fn is_any(&self) -> bool {
        matches!(self, Self::Any)
    }

    /// The names joined with `,`, when listed and not empty.
    fn joined(&self) -> Option<HeaderValue> {
        match self {
            Self::Only(names) if !names.is_empty() => {
                // Entries are tokens (checked at load): always a valid value.
                HeaderValue::try_from(names.join(",")).ok()
            }
            _ => None,
        }
    }
}

/// What a preflight that passes is told about methods and headers.
#[derive(Debug)]
pub(crate) struct Grant<'a> {
    /// `Access-Control-Allow-Methods`, when there is one to send.
    pub(crate) methods: Option<&'a HeaderValue>,
    /// `Access-Control-Allow-Headers`, when there is one to send.
    pub(crate) headers: Option<&'a HeaderValue>,
}

/// Methods a browser sends without asking (CORS-safelisted): a preflight for
/// one of them passes whatever `allowMethods` lists, as browsers judge it.
const SAFELISTED_METHODS: [&[u8]; 3] = [b"GET", b"HEAD", b"POST"];

/// A method as browsers send it: the methods Fetch normalizes (`delete`,
/// `get`, `head`, `options`, `post`, `put`, in any case) upper-cased, others
/// as written. Browsers compare `Access-Control-Allow-Methods` entries with
/// the method they send case-sensitively, so `put` in a configuration must be
/// answered as `PUT`.
fn normalize(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED.iter().find(|n| n.eq_ignore_ascii_case(method)) {
        Some(normal) => (*normal).to_owned(),
        None => method.to_owned(),
    }
}

impl CorsPolicy {
    /// Compiles `cors`.
    pub(crate) fn compile(cors: &Cors) -> Self {
        let methods: Vec<String> = cors.allow_methods.iter().map(|m| normalize(m)).collect();
        let methods = Allowed::new(&methods);
        let headers = Allowed::new(&cors.allow_headers);
        let listed = |names: &[String]| {
            (!names.is_empty())
                .then(|| HeaderValue::try_from(names.join(",")).ok())
                .flatten()
        };
        Self {
            origins: Allowed::new(&cors.allow_origins),
            allow_methods: methods.joined(),
            allow_headers: headers.joined(),
            methods,
            headers,
            credentials: cors.allow_credentials,
            expose_headers: listed(&cors.expose_headers),
            max_age: cors.max_age.map(HeaderValue::from),
        }
    }

    /// Whether every origin is allowed (answered with `*`; never with credentials).
    pub(crate) fn any_origin(&self) -> bool {
        self.origins.is_any()
    }

    /// Whether `origin` (an `Origin` header) is allowed. Origins are compared
    /// whole, ignoring ASCII case.
    pub(crate) fn allows_origin(&self, origin: &HeaderValue) -> bool {
        self.origins.contains(origin.as_bytes())
    }

    /// Checks a preflight's `Access-Control-Request-Method` and
    /// `-Request-Headers` (a comma-separated list of names) against what is
    /// allowed. `None` refuses it: it then gets no CORS headers at all.
    ///
    /// With `*`, the requested method and headers are named back, which
    /// browsers accept with and without credentials (a literal `*` is a
    /// wildcard only without them, and never covers `Authorization`).
    pub(crate) fn preflight<'a>(
        &'a self,
        method: &'a HeaderValue,
        headers: Option<&'a HeaderValue>,
    ) -> Option<Grant<'a>> {
        let requested = method.as_bytes();
        if !crate::config::cors::is_token(method.to_str().ok()?) {
            return None;
        }
        let safelisted = SAFELISTED_METHODS.contains(&requested);
        if !safelisted && !self.methods.contains(requested) {
            return None;
        }
        if let Some(list) = headers {
            for name in list.as_bytes().split(|&b| b == b',') {
                let name = name.trim_ascii();
                if !name.is_empty() && !self.headers.contains(name) {
                    return None;
                }
            }
        }
        Some(Grant {
            methods: if self.methods.is_any() {
                Some(method)
            } else {
                self.allow_methods.as_ref()
            },
            headers: if self.headers.is_any() {
                headers.filter(|h| !h.is_empty())
            } else {
                self.allow_headers.as_ref()
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(origins: &[&str], methods: &[&str], headers: &[&str]) -> CorsPolicy {
        let own = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        CorsPolicy::compile(&Cors {
            allow_origins: own(origins),
            allow_methods: own(methods),
            allow_headers: own(headers),
            expose_headers: vec!["x-a".into(), "x-b".into()],
            max_age: Some(-1),
            allow_credentials: false,
        })
    }

    fn value(text: &'static str) -> HeaderValue {
        HeaderValue::from_static(text)
    }

    #[test]
    fn origins_are_compared_whole_ignoring_case() {
        let p = policy(&["https://a.example", "http://localhost:8080"], &[], &[]);
        assert!(p.allows_origin(&value("https://a.example")));
        assert!(p.allows_origin(&value("HTTPS://A.EXAMPLE")));
        assert!(p.allows_origin(&value("http://localhost:8080")));
        assert!(!p.allows_origin(&value("http://localhost:8081")));
        assert!(!p.allows_origin(&value("https://a.example.evil")));
        assert!(!p.allows_origin(&value("https://a.exampl")));
        assert!(!p.any_origin());
        let any = policy(&["https://a.example", "*"], &[], &[]);
        assert!(any.any_origin() && any.allows_origin(&value("null")));
        assert!(!policy(&[], &[], &[]).allows_origin(&value("https://a.example")));
    }

    #[test]
    fn preflights_check_the_method_and_every_header() {
        let p = policy(
            &["*"],
            &["PUT", "delete", "patch"],
            &["x-custom", "Content-Type"],
        );
        let put = value("PUT");
        let grant = p.preflight(&put, None).unwrap();
        // As browsers send them: Fetch upper-cases `delete`, not `patch`.
        assert_eq!(grant.methods.unwrap(), "PUT,DELETE,patch");
        assert_eq!(grant.headers.unwrap(), "x-custom,Content-Type");
        assert!(p.preflight(&value("DELETE"), None).is_some());
        assert!(p.preflight(&value("CONNECT"), None).is_none());
        // Safelisted methods pass unlisted, as browsers judge them.
        assert!(p.preflight(&value("POST"), None).is_some());
        let headers = value("content-type, x-custom");
        assert!(p.preflight(&value("PUT"), Some(&headers)).is_some());
        assert!(
            p.preflight(&value("PUT"), Some(&value("x-custom,x-other")))
                .is_none()
        );
        assert!(p.preflight(&value("PUT"), Some(&value(""))).is_some());
        assert!(p.preflight(&value("PU T"), None).is_none());
        assert_eq!(p.max_age.as_ref().unwrap(), "-1");
        assert_eq!(p.expose_headers.as_ref().unwrap(), "x-a,x-b");
    }

    #[test]
    fn wildcards_name_back_what_was_asked() {
        let p = policy(&["*"], &["*"], &["*"]);
        let headers = value("authorization,x-custom");
        let patch = value("PATCH");
        let grant = p.preflight(&patch, Some(&headers)).unwrap();
        assert_eq!(grant.methods.unwrap(), "PATCH");
        assert_eq!(grant.headers.unwrap(), "authorization,x-custom");
        let get = value("GET");
        let grant = p.preflight(&get, None).unwrap();
        assert!(grant.headers.is_none());
        // Nothing listed: only safelisted methods and no extra headers pass.
        let none = policy(&["*"], &[], &[]);
        let grant = none.preflight(&get, None).unwrap();
        assert!(grant.methods.is_none() && grant.headers.is_none());
        assert!(none.preflight(&value("PUT"), None).is_none());
        assert!(none.preflight(&value("GET"), Some(&value("x-a"))).is_none());
    }
}
