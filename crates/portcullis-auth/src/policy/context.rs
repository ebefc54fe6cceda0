//! Condition keys and the values a request gives them.
//!
//! A key's value comes from the request's `context` pairs if any pair names
//! it, otherwise from what the request already carries (its source IP, its
//! principal, the time). Values are borrowed or formatted into a small
//! buffer on the stack: looking one up never allocates.

use std::fmt;
use std::net::IpAddr;

use super::date::{self, Millis};

/// A condition key as a policy names it. IAM compares key names without
/// regard to case (`aws:sourceip` is `aws:SourceIp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContextKey {
    name: Box<str>,
    known: Known,
}

/// Keys whose value the request carries without a `context` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    SourceIp,
    CurrentTime,
    EpochTime,
    PrincipalArn,
    PrincipalAccount,
    PrincipalType,
    Username,
    Other,
}

/// Keys a self-hosted gateway has no way to know: they describe AWS's network
/// (VPC endpoints), AWS Organizations, or facts of an STS session. Compared
/// in lower case; a trailing `/` marks a prefix (tag keys).
const UNKNOWABLE: &[&str] = &[
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:tokenissuetime",
    "aws:userid",
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:principaltag/",
    "aws:requesttag/",
    "aws:resourcetag/",
];

impl ContextKey {
    pub(crate) fn new(name: &str) -> Self {
        let known = match name.to_ascii_lowercase().as_str() {
            "aws:sourceip" => Known::SourceIp,
            "aws:currenttime" => Known::CurrentTime,
            "aws:epochtime" => Known::EpochTime,
            "aws:principalarn" => Known::PrincipalArn,
            "aws:principalaccount" => Known::PrincipalAccount,
            "aws:principaltype" => Known::PrincipalType,
            "aws:username" => Known::Username,
            _ => Known::Other,
        };
        ContextKey {
            name: name.into(),
            known,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn known(&self) -> Known {
        self.known
    }

    /// Whether a self-hosted gateway cannot know this key's value.
    pub(crate) fn is_unknowable(&self) -> bool {
        let lower = self.name.to_ascii_lowercase();
        UNKNOWABLE.iter().any(|u| match u.strip_suffix('/') {
            Some(_) => lower.starts_with(u),
            None => lower == *u,
        })
    }
}

/// One value of a condition key in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContextValue<'a> {
    /// Given as text (every `context` pair, ARNs, account ids).
    Str(&'a str),
    /// The request's source address.
    Ip(IpAddr),
    /// `aws:CurrentTime` (written as ISO 8601) or `aws:EpochTime` (seconds).
    Time { millis: Millis, epoch: bool },
}

impl<'a> ContextValue<'a> {
    /// The value as the string operators see it.
    pub(crate) fn text(self) -> Text<'a> {
        match self {
            ContextValue::Str(s) => Text::Borrowed(s),
            ContextValue::Ip(ip) => {
                let mut out = StackStr::new();
                let _ = fmt::Write::write_fmt(&mut out, format_args!("{ip}"));
                Text::Inline(out)
            }
            ContextValue::Time { millis, epoch } => {
                let mut out = StackStr::new();
                if epoch {
                    let _ = fmt::Write::write_fmt(
                        &mut out,
                        format_args!("{}", millis.div_euclid(1000)),
                    );
                } else {
                    date::format_iso(millis, &mut out);
                }
                Text::Inline(out)
            }
        }
    }

    pub(crate) fn ip(self) -> Option<IpAddr> {
        match self {
            ContextValue::Ip(ip) => Some(ip),
            ContextValue::Str(s) => s.trim().parse().ok(),
            ContextValue::Time { .. } => None,
        }
    }

    pub(crate) fn millis(self) -> Option<Millis> {
        match self {
            ContextValue::Time { millis, .. } => Some(millis),
            ContextValue::Str(s) => date::parse_date(s),
            ContextValue::Ip(_) => None,
        }
    }

    pub(crate) fn number(self) -> Option<f64> {
        match self {
            ContextValue::Str(s) => parse_number(s),
            // Numeric operators on aws:EpochTime compare seconds.
            #[allow(clippy::cast_precision_loss)]
            ContextValue::Time { millis, .. } => Some(millis.div_euclid(1000) as f64),
            ContextValue::Ip(_) => None,
        }
    }

    pub(crate) fn boolean(self) -> Option<bool> {
        match self {
            ContextValue::Str(s) => parse_bool(s),
            _ => None,
        }
    }
}

/// A decimal number as IAM writes them: no `inf`, no `NaN`.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    s.parse::<f64>().ok().filter(|n| plain && n.is_finite())
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A context value as text: borrowed, or formatted on the stack.
pub(crate) enum Text<'a> {
    Borrowed(&'a str),
    Inline(StackStr),
}

impl Text<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(s) => s,
            Text::Inline(s) => s.as_str(),
        }
    }
}

/// A string of up to 48 bytes on the stack: enough for any IP address
/// (at most 45), an ISO 8601 time or an `i64`. Writes past the end fail.
#[derive(Clone, Copy)]
pub(crate) struct StackStr {
    buf: [u8; 48],
    len: usize,
}

impl StackStr {
    pub(crate) fn new() -> Self {
        StackStr {
            buf: [0; 48],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail.
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dest = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognised_whatever_their_case() {
        assert_eq!(ContextKey::new("AWS:SOURCEIP").known(), Known::SourceIp);
        assert_eq!(ContextKey::new("aws:username").known(), Known::Username);
        assert_eq!(ContextKey::new("aws:Referer").known(), Known::Other);
        assert_eq!(ContextKey::new("aws:SourceIp").name(), "aws:SourceIp");
    }

    #[test]
    fn unknowable_keys() {
        for key in [
            "aws:SourceVpce",
            "aws:sourcevpc",
            "aws:PrincipalTag/team",
            "aws:PrincipalOrgID",
        ] {
            assert!(ContextKey::new(key).is_unknowable(), "{key}");
        }
        for key in [
            "aws:SourceIp",
            "aws:PrincipalAccount",
            "aws:username",
            "aws:PrincipalTag",
        ] {
            assert!(!ContextKey::new(key).is_unknowable(), "{key}");
        }
    }

    #[test]
    fn values_convert_as_the_operators_need() {
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(ContextValue::Ip(ip).text().as_str(), "2001:db8::1");
        let longest: IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
            .parse()
            .unwrap();
        assert_eq!(
            ContextValue::Ip(longest).text().as_str(),
            longest.to_string()
        );
        let t = ContextValue::Time {
            millis: 1_714_564_800_000,
            epoch: true,
        };
        assert_eq!(t.text().as_str(), "1714564800");
        assert_eq!(t.number(), Some(1_714_564_800.0));
        let t = ContextValue::Time {
            millis: 1_714_564_800_000,
            epoch: false,
        };
        assert_eq!(t.text().as_str(), "2024-05-01T12:00:00Z");
        assert_eq!(
            ContextValue::Str(" 10.0.0.1 ").ip(),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(ContextValue::Str("TRUE").boolean(), Some(true));
        assert_eq!(ContextValue::Str("yes").boolean(), None);
        assert_eq!(ContextValue::Str("1.5e2").number(), Some(150.0));
        assert_eq!(ContextValue::Str("NaN").number(), None);
        assert_eq!(ContextValue::Str("inf").number(), None);
    }

    #[test]
    fn stack_str_refuses_overflow() {
        let mut s = StackStr::new();
        assert!(fmt::Write::write_str(&mut s, &"x".repeat(48)).is_ok());
        assert!(fmt::Write::write_str(&mut s, "y").is_err());
        assert_eq!(s.as_str().len(), 48);
    }
}
