//! Request headers as proxy events spell them.
//!
//! Payload 1.0 (REST and HTTP APIs) keeps header names as the client wrote
//! them: AWS-recorded events show `tEsT-HEADeR` arriving verbatim next to
//! `Host` and `User-Agent`. Payload 2.0 lower-cases every name. An
//! [`http::HeaderMap`] only holds lower-case names, so the caller says how to
//! spell them with [`HeaderCase`].

use std::borrow::Cow;

use http::{HeaderMap, HeaderValue, header::HeaderName};

/// How payload 1.0 events spell header names (2.0 always lower-cases them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeaderCase<'a> {
    /// Capitalise each dash-separated word (`content-type` → `Content-Type`).
    ///
    /// The default: it is what HTTP/1.1 clients (curl, browsers, SDKs) send,
    /// and how AWS itself spells the headers it adds (`X-Forwarded-For`,
    /// `X-Amzn-Trace-Id`), so it is the best guess when the original spelling
    /// is unknown.
    #[default]
    Title,
    /// Keep names lower-case, as HTTP/2 clients send them (and AWS passes on).
    Lower,
    /// The names exactly as received, in any order; a name is spelled as the
    /// first entry equal to it ignoring ASCII case. Names not listed (headers
    /// the gateway added) fall back to [`HeaderCase::Title`].
    Original(&'a [&'a str]),
}

impl<'a> HeaderCase<'a> {
    /// The spelling of `name` in a 1.0 event.
    pub(crate) fn spell<'s>(&self, name: &'s HeaderName) -> Cow<'s, str>
    where
        'a: 's,
    {
        match *self {
            Self::Lower => Cow::Borrowed(name.as_str()),
            Self::Title => Cow::Owned(title_case(name.as_str())),
            Self::Original(names) => names
                .iter()
                .find(|original| original.eq_ignore_ascii_case(name.as_str()))
                .map_or_else(
                    || Cow::Owned(title_case(name.as_str())),
                    |original| Cow::Borrowed(*original),
                ),
        }
    }
}

fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c
        });
        word_start = c == '-';
    }
    out
}

/// A header value as JSON text.
///
/// Values are almost always ASCII; bytes that are not UTF-8 (obsolete
/// `obs-text`) are read as ISO-8859-1, the charset HTTP historically gave them,
/// so no byte is lost or replaced.
pub(crate) fn value_text(value: &HeaderValue) -> Cow<'_, str> {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(value.as_bytes().iter().map(|&b| char::from(b)).collect()),
    }
}

/// The first value of `name`, as text.
pub(crate) fn first<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<Cow<'h, str>> {
    headers.get(name).map(value_text)
}

#[cfg(test)]
mod tests {
    use super::{HeaderCase, value_text};
    use http::{HeaderValue, header::HeaderName};

    fn name(text: &'static str) -> HeaderName {
        HeaderName::from_static(text)
    }

    #[test]
    fn spells_names() {
        assert_eq!(
            HeaderCase::Title.spell(&name("x-amzn-trace-id")),
            "X-Amzn-Trace-Id"
        );
        assert_eq!(HeaderCase::Title.spell(&name("te")), "Te");
        assert_eq!(
            HeaderCase::Lower.spell(&name("content-type")),
            "content-type"
        );
        let original = ["tEsT-HEADeR", "accept"];
        let case = HeaderCase::Original(&original);
        assert_eq!(case.spell(&name("test-header")), "tEsT-HEADeR");
        assert_eq!(case.spell(&name("accept")), "accept");
        assert_eq!(case.spell(&name("x-forwarded-for")), "X-Forwarded-For");
    }

    #[test]
    fn non_utf8_values_read_as_latin1() {
        let value = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert_eq!(value_text(&value), "café");
        assert_eq!(value_text(&HeaderValue::from_static("plain")), "plain");
    }
}
