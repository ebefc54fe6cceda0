//! `$context`: the one builder of AWS's context variables over a
//! [`RequestState`]. Mapping templates, parameter mappings, integration
//! response headers, gateway responses and Lambda events all read it here, so
//! a new variable (an authorizer's claims, `identity.apiKey`) is added once.

use std::borrow::Cow;

use portcullis_lambda::event::{self, Identity};
use portcullis_mapping::Value;
use portcullis_mapping::value::Entries;

use super::{RequestState, Routed};

/// The account id events and `$context.accountId` report: no AWS account owns a self-hosted API.
pub(crate) const ACCOUNT_ID: &str = portcullis_lambda::local::DEFAULT_ACCOUNT_ID;

/// The variables a mapping template's `$context` holds, in this order; a
/// dotted name is a key of a nested map (`$context.identity.sourceIp`).
const TEMPLATE_VARIABLES: &[&str] = &[
    "requestId",
    "extendedRequestId",
    "accountId",
    "apiId",
    "stage",
    "resourcePath",
    "httpMethod",
    "path",
    "protocol",
    "domainName",
    "domainPrefix",
    "requestTime",
    "requestTimeEpoch",
    "identity.sourceIp",
    "identity.userAgent",
    "identity.accessKey",
    "identity.userArn",
    "identity.accountId",
    "identity.caller",
    "identity.user",
    "identity.apiKey",
    "identity.apiKeyId",
    "integrationLatency",
    "integration.latency",
    "integration.status",
    "xrayTraceId",
];

impl<'a> RequestState<'a> {
    /// A `$context` variable by name (without `context.`); `None` when the
    /// request has not reached the phase that knows it, or AWS has no such variable.
    pub(crate) fn context_variable(&self, name: &str) -> Option<Cow<'_, str>> {
        let route = self.route.as_ref();
        Some(match name {
            "requestId" => Cow::Borrowed(self.request_id()),
            "extendedRequestId" => Cow::Borrowed(self.ids.extended_id()),
            "accountId" => Cow::Borrowed(ACCOUNT_ID),
            "apiId" => Cow::Borrowed(self.api?.id.as_str()),
            "stage" => Cow::Borrowed(self.stage?.name.as_str()),
            "resourcePath" => Cow::Borrowed(route?.plan.resource.as_str()),
            "routeKey" => Cow::Borrowed(route?.plan.route_key.as_str()),
            "httpMethod" => Cow::Borrowed(self.parts.method.as_str()),
            "path" => Cow::Borrowed(self.parts.uri.path()),
            "protocol" => Cow::Borrowed(self.protocol()),
            "domainName" => Cow::Borrowed(self.domain_name()),
            "domainPrefix" => Cow::Borrowed(self.domain_prefix()),
            "identity.sourceIp" => Cow::Owned(self.connection.peer.ip().to_string()),
            "identity.userAgent" => Cow::Borrowed(
                self.parts
                    .headers
                    .get(http::header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            ),
            "requestTime" => Cow::Owned(event::format_request_time(self.received_epoch_ms)),
            "requestTimeEpoch" => Cow::Owned(self.received_epoch_ms.to_string()),
            "integrationLatency" | "integration.latency" => {
                Cow::Owned(self.integration.latency?.as_millis().to_string())
            }
            "integration.status" => Cow::Owned(self.integration.status?.to_string()),
            "xrayTraceId" => Cow::Owned(
                String::from_utf8_lossy(&self.trace.xray_trace_id().to_bytes()).into_owned(),
            ),
            "identity.apiKey" => Cow::Borrowed(&*self.api_key.as_ref()?.value),
            "identity.apiKeyId" => Cow::Borrowed(&*self.api_key.as_ref()?.id),
            _ => {
                let authorizer = self.authorizer.as_ref()?;
                if let Some(name) = name.strip_prefix("identity.") {
                    return authorizer.identity_variable(name).map(Cow::Borrowed);
                }
                let name = name.strip_prefix("authorizer.")?;
                authorizer.context_variable(name)?
            }
        })
    }

    /// `$context` as a mapping template sees it, as entries: every variable
    /// known so far. Callers add their own (templates add the overrides,
    /// gateway responses `error`).
    pub(crate) fn context_entries(&self) -> Entries {
        let mut top = Entries::new();
        let mut nested: Vec<(&str, Entries)> = Vec::new();
        for name in TEMPLATE_VARIABLES {
            let Some(value) = self.context_variable(name) else {
                continue;
            };
            let value = Value::string(value.as_ref());
            match name.split_once('.') {
                None => {
                    top.insert_str(name, value);
                }
                Some((group, key)) => {
                    match nested.iter_mut().find(|(g, _)| *g == group) {
                        Some((_, entries)) => entries.insert_str(key, value),
                        None => {
                            let mut entries = Entries::new();
                            entries.insert_str(key, value);
                            nested.push((group, entries));
                            None
                        }
                    };
                }
            }
        }
        for (group, entries) in nested {
            top.insert_str(group, Value::from_entries(entries));
        }
        if let Some(authorizer) = &self.authorizer {
            top.insert_str("authorizer", authorizer.template_value());
        }
        top
    }

    /// `requestContext` of a Lambda proxy event; `source_ip` is the caller's
    /// rendering of the peer address (events borrow it).
    pub(crate) fn lambda_context<'s>(
        &'s self,
        route: &Routed<'s>,
        source_ip: &'s str,
    ) -> event::RequestContext<'s> {
        event::RequestContext {
            request_id: self.request_id(),
            extended_request_id: self.ids.extended_id(),
            account_id: ACCOUNT_ID,
            api_id: &route.api.id,
            stage: &route.stage.name,
            domain_name: self.domain_name(),
            domain_prefix: self.domain_prefix(),
            path: self.parts.uri.path(),
            protocol: self.protocol(),
            request_time_epoch: self.received_epoch_ms,
            resource_id: None,
            deployment_id: None,
            operation_name: None,
            identity: Identity {
                source_ip,
                access_key: self.identity_variable("accessKey"),
                account_id: self.identity_variable("accountId"),
                caller: self.identity_variable("caller"),
                user: self.identity_variable("user"),
                user_arn: self.identity_variable("userArn"),
                api_key: self.api_key.as_ref().map(|k| &*k.value),
                api_key_id: self.api_key.as_ref().map(|k| &*k.id),
                ..Identity::default()
            },
            authorizer: None,
        }
    }

    /// `$context.requestId`: REST APIs' UUID; HTTP APIs use the short id
    /// they also send as `apigw-requestid` (`JKJaXmPLvHcESHA=`).
    pub(crate) fn request_id(&self) -> &str {
        match self.api_type() {
            crate::config::ApiType::Rest => self.ids.request_id(),
            crate::config::ApiType::Http => self.ids.extended_id(),
        }
    }

    fn identity_variable(&self, name: &str) -> Option<&str> {
        self.authorizer.as_ref()?.identity_variable(name)
    }

    fn protocol(&self) -> &'static str {
        match self.parts.version {
            http::Version::HTTP_2 => "HTTP/2.0",
            http::Version::HTTP_10 => "HTTP/1.0",
            _ => "HTTP/1.1",
        }
    }

    fn domain_name(&self) -> &'a str {
        self.host.unwrap_or("localhost")
    }

    fn domain_prefix(&self) -> &'a str {
        self.domain_name().split('.').next().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::clock::ManualClock;
    use crate::request::Connection;

    fn connection() -> Connection {
        Connection {
            peer: "192.0.2.7:5000".parse().unwrap(),
            local: "127.0.0.1:3000".parse().unwrap(),
            tls: false,
        }
    }

    #[test]
    fn variables_follow_the_phases_that_know_them() {
        let parts = http::Request::get("/prod/pets?x=1")
            .header("host", "abc.execute-api.localhost:3000")
            .header("user-agent", "curl/8")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(1_583_348_638_390));
        let mut state = RequestState::new(&parts, connection(), &clock);
        assert_eq!(
            state.context_variable("requestTimeEpoch").unwrap(),
            "1583348638390"
        );
        assert_eq!(
            state.context_variable("requestTime").unwrap(),
            "04/Mar/2020:19:03:58 +0000"
        );
        assert_eq!(state.context_variable("domainPrefix").unwrap(), "abc");
        assert_eq!(
            state.context_variable("identity.sourceIp").unwrap(),
            "192.0.2.7"
        );
        // Not selected nor integrated yet: unknown, not empty.
        assert!(state.context_variable("apiId").is_none());
        assert!(state.context_variable("integrationLatency").is_none());
        assert!(state.context_variable("nope").is_none());
        let xray = state.context_variable("xrayTraceId").unwrap();
        assert_eq!(xray.len(), 35, "{xray}");
        assert!(
            xray.starts_with("1-5e5ffb9e-"),
            "arrival seconds first: {xray}"
        );
        state.integration.latency = Some(Duration::from_millis(12));
        state.integration.status = Some(201);
        assert_eq!(state.context_variable("integrationLatency").unwrap(), "12");

        let context = state.context_entries();
        assert_eq!(context.get("httpMethod").unwrap().to_string(), "GET");
        let Some(Value::Map(identity)) = context.get("identity") else {
            panic!("identity is a map");
        };
        assert_eq!(
            identity.borrow().get("userAgent").unwrap().to_string(),
            "curl/8"
        );
        let Some(Value::Map(integration)) = context.get("integration") else {
            panic!("integration is a map");
        };
        assert_eq!(
            integration.borrow().get("status").unwrap().to_string(),
            "201"
        );
    }
}
