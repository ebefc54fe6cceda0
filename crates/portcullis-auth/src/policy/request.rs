//! What a policy is evaluated against: one request's action, resource,
//! caller and condition values, all borrowed.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use super::context::{ContextKey, ContextValue, Known};
use super::principal::Principal;

/// One request as a policy sees it. Cheap to build per request: it only
/// borrows.
///
/// Condition keys get their values, in this order, from:
///
/// 1. [`context`](Self::context): every pair whose key equals the condition
///    key, ignoring case. A key given more than once has several values
///    (IAM's multivalued keys, for `ForAnyValue:` / `ForAllValues:`). A key
///    given here replaces what the other fields would give it.
/// 2. The other fields: `aws:SourceIp` from [`source_ip`](Self::source_ip);
///    `aws:CurrentTime` and `aws:EpochTime` from [`now`](Self::now);
///    `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType` and
///    `aws:username` from [`principal`](Self::principal).
///
/// Any other key (`aws:Referer`, `aws:UserAgent`, `aws:SecureTransport`,
/// `aws:SourceVpce`...) has a value only if `context` gives one.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRequest<'a> {
    /// The action: `execute-api:Invoke` for a call, `execute-api:InvalidateCache`
    /// for a cache flush.
    pub action: &'a str,
    /// The method ARN:
    /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`
    /// (see [`ApiArn::method_arn`](super::ApiArn::method_arn)).
    pub resource: &'a str,
    /// The authenticated caller; `None` for an anonymous one.
    pub principal: Option<&'a Principal>,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
    /// The time of the request, for `aws:CurrentTime` and `aws:EpochTime`.
    /// Given by the caller so that tests control it.
    pub now: Option<SystemTime>,
    /// Further condition values as `(key, value)` pairs.
    pub context: &'a [(&'a str, &'a str)],
}

impl<'a> PolicyRequest<'a> {
    /// A request for `action` on `resource`, from an anonymous caller, with no
    /// condition values.
    pub fn new(action: &'a str, resource: &'a str) -> Self {
        PolicyRequest {
            action,
            resource,
            principal: None,
            source_ip: None,
            now: None,
            context: &[],
        }
    }

    /// The same request from `principal`.
    #[must_use]
    pub fn with_principal(mut self, principal: &'a Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// The same request from `ip`.
    #[must_use]
    pub fn with_source_ip(mut self, ip: IpAddr) -> Self {
        self.source_ip = Some(ip);
        self
    }

    /// The same request at `now`.
    #[must_use]
    pub fn with_now(mut self, now: SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The same request with these condition values.
    #[must_use]
    pub fn with_context(mut self, context: &'a [(&'a str, &'a str)]) -> Self {
        self.context = context;
        self
    }

    /// Every value of `key`, without allocating.
    pub(crate) fn values<'s>(&'s self, key: &'s ContextKey) -> ContextValues<'s> {
        ContextValues {
            pairs: self.context.iter(),
            name: key.name(),
            found: false,
            derived: self.derived(key.known()),
        }
    }

    /// The value of `key` if it has exactly one (what a policy variable needs).
    pub(crate) fn single_value<'s>(&'s self, key: &'s ContextKey) -> Option<ContextValue<'s>> {
        let mut values = self.values(key);
        let first = values.next()?;
        values.next().is_none().then_some(first)
    }

    fn derived(&self, known: Known) -> Option<ContextValue<'a>> {
        let principal = self.principal;
        match known {
            Known::SourceIp => self.source_ip.map(ContextValue::Ip),
            Known::CurrentTime | Known::EpochTime => {
                let since = self.now?.duration_since(UNIX_EPOCH).ok()?;
                Some(ContextValue::Time {
                    millis: i64::try_from(since.as_millis()).ok()?,
                    epoch: known == Known::EpochTime,
                })
            }
            Known::PrincipalArn => principal.map(|p| ContextValue::Str(p.principal_arn())),
            Known::PrincipalAccount => principal.map(|p| ContextValue::Str(p.account())),
            Known::PrincipalType => principal.map(|p| ContextValue::Str(p.principal_type())),
            Known::Username => principal
                .and_then(Principal::username)
                .map(ContextValue::Str),
            Known::Other => None,
        }
    }
}

/// The values of one key: the matching `context` pairs, or else the one
/// derived from the request's fields.
pub(crate) struct ContextValues<'s> {
    pairs: std::slice::Iter<'s, (&'s str, &'s str)>,
    name: &'s str,
    found: bool,
    derived: Option<ContextValue<'s>>,
}

impl<'s> Iterator for ContextValues<'s> {
    type Item = ContextValue<'s>;

    fn next(&mut self) -> Option<Self::Item> {
        for (key, value) in self.pairs.by_ref() {
            if key.eq_ignore_ascii_case(self.name) {
                self.found = true;
                return Some(ContextValue::Str(value));
            }
        }
        if self.found {
            None
        } else {
            self.derived.take()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn all(request: &PolicyRequest<'_>, key: &str) -> Vec<String> {
        let key = ContextKey::new(key);
        request
            .values(&key)
            .map(|v| v.text().as_str().to_owned())
            .collect()
    }

    #[test]
    fn values_come_from_pairs_then_fields() {
        let alice = Principal::from_arn("arn:aws:iam::123456789012:user/alice").unwrap();
        let pairs = [("aws:SourceVpce", "vpce-1"), ("Team", "a"), ("team", "b")];
        let r = PolicyRequest::new("execute-api:Invoke", "arn")
            .with_principal(&alice)
            .with_source_ip("192.0.2.7".parse().unwrap())
            .with_now(UNIX_EPOCH + Duration::from_secs(86_400))
            .with_context(&pairs);
        assert_eq!(all(&r, "aws:sourcevpce"), ["vpce-1"]);
        assert_eq!(all(&r, "TEAM"), ["a", "b"]);
        assert_eq!(all(&r, "aws:SourceIp"), ["192.0.2.7"]);
        assert_eq!(all(&r, "aws:PrincipalAccount"), ["123456789012"]);
        assert_eq!(all(&r, "aws:username"), ["alice"]);
        assert_eq!(all(&r, "aws:PrincipalType"), ["User"]);
        assert_eq!(all(&r, "aws:CurrentTime"), ["1970-01-02T00:00:00Z"]);
        assert_eq!(all(&r, "aws:EpochTime"), ["86400"]);
        assert!(all(&r, "aws:Referer").is_empty());
        assert_eq!(r.single_value(&ContextKey::new("team")), None);
    }

    #[test]
    fn pairs_replace_derived_values() {
        let pairs = [("aws:SourceIp", "10.0.0.1")];
        let r = PolicyRequest::new("a:b", "r")
            .with_source_ip("192.0.2.7".parse().unwrap())
            .with_context(&pairs);
        assert_eq!(all(&r, "aws:SourceIp"), ["10.0.0.1"]);
    }

    #[test]
    fn anonymous_callers_have_no_principal_keys() {
        let r = PolicyRequest::new("a:b", "r");
        assert!(all(&r, "aws:PrincipalArn").is_empty());
        assert!(all(&r, "aws:username").is_empty());
        assert!(all(&r, "aws:CurrentTime").is_empty());
    }
}
