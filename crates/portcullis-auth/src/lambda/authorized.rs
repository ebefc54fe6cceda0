//! A request the authorizer let through, and how the rest of the request
//! sees what the function vouched for: `$context.authorizer.*` and the
//! integration event's `requestContext.authorizer`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use super::output::Grant;

/// What an authorizer vouched for. Cheap to clone: the function's answer is
/// shared with the result cache.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub(super) grant: Arc<Grant>,
    /// Whether the answer came from the result cache (the function was not
    /// called).
    pub from_cache: bool,
    /// How long the function took (`$context.authorizer.integrationLatency`);
    /// zero when cached.
    pub latency: Duration,
}

/// The payload format of the *integration* that receives the request, which
/// decides how `requestContext.authorizer` is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntegrationFormat {
    /// A REST API's Lambda proxy integration.
    Rest,
    /// An HTTP API integration with payload format 1.0.
    HttpV1,
    /// An HTTP API integration with payload format 2.0.
    HttpV2,
}

impl Authorized {
    /// `principalId`; `None` for simple responses.
    pub fn principal_id(&self) -> Option<&str> {
        self.grant.principal_id.as_deref()
    }

    /// `context`, as the function returned it (empty when it returned none).
    pub fn context(&self) -> &Map<String, Value> {
        &self.grant.context
    }

    /// `usageIdentifierKey`: the API key a REST API with API key source
    /// `AUTHORIZER` meters the request against.
    pub fn usage_identifier_key(&self) -> Option<&str> {
        self.grant.usage_identifier_key.as_deref()
    }

    /// The latency in whole milliseconds, as API Gateway reports it.
    pub fn latency_ms(&self) -> u64 {
        u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX)
    }

    /// `$context.authorizer.NAME`: `principalId`, `integrationLatency`, or
    /// a context value, as text. `principalId` and `integrationLatency` win
    /// over context keys of the same name. Numbers and booleans are
    /// rendered as text (`1`, `true`); HTTP APIs' object and array values as
    /// compact JSON; `null` values are absent.
    pub fn context_variable(&self, name: &str) -> Option<Cow<'_, str>> {
        match name {
            "principalId" if self.grant.principal_id.is_some() => {
                self.principal_id().map(Cow::Borrowed)
            }
            "integrationLatency" => Some(Cow::Owned(self.latency_ms().to_string())),
            _ => render(self.grant.context.get(name)?),
        }
    }

    /// `requestContext.authorizer` of the proxy event sent to an
    /// integration of `format`:
    ///
    /// - REST: the context with every value as a string, then
    ///   `principalId` and `integrationLatency` (a number), which win over
    ///   context keys of the same name.
    /// - HTTP API 1.0: the same, with context values as the function typed
    ///   them.
    /// - HTTP API 2.0: `{"lambda": context}`, values as typed.
    pub fn event_value(&self, format: IntegrationFormat) -> Value {
        let context = &self.grant.context;
        match format {
            IntegrationFormat::HttpV2 => {
                let mut out = Map::new();
                out.insert("lambda".to_owned(), Value::Object(context.clone()));
                Value::Object(out)
            }
            IntegrationFormat::Rest | IntegrationFormat::HttpV1 => {
                let mut out: Map<String, Value> = if format == IntegrationFormat::Rest {
                    context
                        .iter()
                        .filter_map(|(k, v)| {
                            Some((k.clone(), Value::String(render(v)?.into_owned())))
                        })
                        .collect()
                } else {
                    context.clone()
                };
                if let Some(principal) = self.principal_id() {
                    out.insert(
                        "principalId".to_owned(),
                        Value::String(principal.to_owned()),
                    );
                }
                out.insert(
                    "integrationLatency".to_owned(),
                    Value::from(self.latency_ms()),
                );
                Value::Object(out)
            }
        }
    }
}

/// A context value as text; `None` for `null`.
fn render(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Array(_) | Value::Object(_) => Some(Cow::Owned(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::output::Verdict;
    use super::*;

    fn authorized(principal: Option<&str>, context: Value) -> Authorized {
        let Value::Object(context) = context else {
            panic!("an object")
        };
        Authorized {
            grant: Arc::new(Grant {
                principal_id: principal.map(str::to_owned),
                decision: Verdict::Simple(true),
                context,
                usage_identifier_key: None,
            }),
            from_cache: false,
            latency: Duration::from_micros(12_700),
        }
    }

    #[test]
    fn variables_are_text_and_principal_wins() {
        let a = authorized(
            Some("user"),
            json!({"principalId": "impostor", "n": 123, "f": 1.5, "b": true, "s": "v", "z": null,
                   "o": {"k": [1, "x"]}}),
        );
        assert_eq!(a.context_variable("principalId").unwrap(), "user");
        assert_eq!(a.context_variable("n").unwrap(), "123");
        assert_eq!(a.context_variable("f").unwrap(), "1.5");
        assert_eq!(a.context_variable("b").unwrap(), "true");
        assert_eq!(a.context_variable("s").unwrap(), "v");
        assert_eq!(a.context_variable("o").unwrap(), r#"{"k":[1,"x"]}"#);
        assert_eq!(a.context_variable("integrationLatency").unwrap(), "12");
        assert!(a.context_variable("z").is_none());
        assert!(a.context_variable("missing").is_none());
        // Without a principal (simple responses), a context key may be read.
        let simple = authorized(None, json!({"principalId": "ctx"}));
        assert_eq!(simple.context_variable("principalId").unwrap(), "ctx");
    }

    #[test]
    fn rest_events_stringify() {
        let a = authorized(
            Some("user"),
            json!({"principalId": "impostor", "numberKey": 123, "booleanKey": true,
                   "stringKey": "stringval", "integrationLatency": "x"}),
        );
        assert_eq!(
            a.event_value(IntegrationFormat::Rest),
            json!({"principalId": "user", "integrationLatency": 12, "numberKey": "123",
                   "booleanKey": "true", "stringKey": "stringval"})
        );
    }

    #[test]
    fn http_events_keep_types() {
        let a = authorized(Some("abcdef"), json!({"numberKey": 1, "arrayKey": ["a"]}));
        assert_eq!(
            a.event_value(IntegrationFormat::HttpV1),
            json!({"principalId": "abcdef", "integrationLatency": 12, "numberKey": 1,
                   "arrayKey": ["a"]})
        );
        assert_eq!(
            a.event_value(IntegrationFormat::HttpV2),
            json!({"lambda": {"numberKey": 1, "arrayKey": ["a"]}})
        );
        let simple = authorized(None, json!({}));
        assert_eq!(
            simple.event_value(IntegrationFormat::HttpV1),
            json!({"integrationLatency": 12})
        );
    }
}
