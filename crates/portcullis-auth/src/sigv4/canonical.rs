//! The canonical request written by hand, for the signatures `aws-sigv4`
//! cannot reproduce:
//!
//! - the header form dated by the `Date` header (no `X-Amz-Date`), which
//!   botocore writes when the request already has a `Date` header: the
//!   crate always signs an `x-amz-date` header of its own;
//! - the header form whose `x-amz-date` is not among the signed headers;
//! - a presigned URL without `X-Amz-Expires`: the crate always adds one;
//! - a signed header value holding a tab, which botocore squeezes into a
//!   space with the spaces around it and `aws-sigv4` keeps.
//!
//! The rules are `aws-sigv4`'s (see [`super::sign`]), so both paths agree
//! wherever both apply (the tests below check that); the signing key and
//! the final HMAC are `aws-sigv4`'s public functions.

use std::fmt::Write as _;

use aws_sigv4::sign::v4;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use ring::digest;

use super::SignatureLocation;
use super::parse::ALGORITHM;
use super::presigned::param;
use super::verify::{PayloadHash, Recompute};

/// SigV4's URI encoding: everything but `A-Za-z0-9-._~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// The same, keeping the path's `/`.
const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The signature of the request, computed by hand; `None` when a signed
/// header's value is not visible ASCII (as `aws-sigv4` refuses it).
pub(crate) fn signature(input: &Recompute<'_>) -> Option<String> {
    let request = canonical_request(input)?;
    let scope_date = input.amz_date.date_stamp();
    let basic = input.amz_date.basic();
    let mut string_to_sign = String::with_capacity(160);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(std::str::from_utf8(&basic).ok()?);
    string_to_sign.push('\n');
    let _ = writeln!(
        string_to_sign,
        "{}/{}/{}/aws4_request",
        std::str::from_utf8(&scope_date).ok()?,
        input.region,
        input.service
    );
    push_hex(
        &mut string_to_sign,
        digest::digest(&digest::SHA256, request.as_bytes()).as_ref(),
    );
    let key = v4::generate_signing_key(
        input.secret.secret_access_key(),
        input.signed_at,
        input.region,
        input.service,
    );
    Some(v4::calculate_signature(key, string_to_sign.as_bytes()))
}

fn canonical_request(input: &Recompute<'_>) -> Option<String> {
    let mut out = String::with_capacity(512);
    out.push_str(input.method);
    out.push('\n');
    push_path(&mut out, input.uri.path());
    out.push('\n');
    push_query(
        &mut out,
        input.uri.query().unwrap_or_default(),
        input.location == SignatureLocation::Query,
    );
    out.push('\n');

    let mut names: Vec<String> = input
        .signature
        .signed_header_names()
        .map(str::to_ascii_lowercase)
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in &names {
        out.push_str(name);
        out.push(':');
        for (index, value) in input.header_values(name).enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_trimmed(&mut out, value?);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&names.join(";"));
    out.push('\n');
    match input.payload {
        PayloadHash::Body(body) => {
            push_hex(&mut out, digest::digest(&digest::SHA256, body).as_ref());
        }
        PayloadHash::Unsigned => out.push_str(UNSIGNED_PAYLOAD),
        PayloadHash::Digest(digest) => out.push_str(digest),
    }
    Some(out)
}

/// The path with dot segments and empty segments removed, then encoded
/// once more (`%` becomes `%25`).
fn push_path(out: &mut String, path: &str) {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            segment => segments.push(segment),
        }
    }
    let trailing = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|end| path.ends_with(end));
    out.push('/');
    for (index, segment) in segments.iter().enumerate() {
        if index > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, PATH));
    }
    if trailing && !segments.is_empty() {
        out.push('/');
    }
}

/// The query's pairs decoded (`+` is a space), encoded again, sorted; the
/// presigned form leaves out `X-Amz-Signature`.
fn push_query(out: &mut String, query: &str, presigned: bool) {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| !(presigned && key == param::SIGNATURE))
        .map(|(key, value)| {
            (
                utf8_percent_encode(&key, UNRESERVED).to_string(),
                utf8_percent_encode(&value, UNRESERVED).to_string(),
            )
        })
        .collect();
    pairs.sort_unstable();
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
}

/// A header value with its surrounding blanks removed and inner runs of
/// blanks made one space. `aws-sigv4` squeezes spaces only; botocore, the
/// Java and the JavaScript SDKs squeeze tabs too (`\t` is the only other
/// blank a header value can hold), and so does this.
fn push_trimmed(out: &mut String, value: &str) {
    let blank = |c: char| c == ' ' || c == '\t';
    let mut previous_blank = false;
    for c in value.trim_matches(blank).chars() {
        if blank(c) {
            if !previous_blank {
                out.push(' ');
            }
            previous_blank = true;
        } else {
            out.push(c);
            previous_blank = false;
        }
    }
}

pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sigv4::EXECUTE_API;
    use crate::sigv4::parse;
    use crate::sigv4::sign;
    use crate::sigv4::test_support::{Client, KEY, TOKEN, get, secrets, signed_at};
    use crate::sigv4::time::AmzDate;

    use super::signature as signature_by_hand;

    fn path(text: &str) -> String {
        let mut out = String::new();
        push_path(&mut out, text);
        out
    }

    fn query(text: &str, presigned: bool) -> String {
        let mut out = String::new();
        push_query(&mut out, text, presigned);
        out
    }

    #[test]
    fn paths_are_normalized_then_encoded_again() {
        assert_eq!(path(""), "/");
        assert_eq!(path("/"), "/");
        assert_eq!(path("/prod//pets"), "/prod/pets");
        assert_eq!(path("/prod/./a/../pets/"), "/prod/pets/");
        assert_eq!(path("/a%20b/c%2Fd"), "/a%2520b/c%252Fd");
        assert_eq!(
            path("/it's(1)!*/$p;v=1,2:3@x+y~z"),
            "/it%27s%281%29%21%2A/%24p%3Bv%3D1%2C2%3A3%40x%2By~z"
        );
        assert_eq!(path("/.."), "/");
        assert_eq!(path("/a/.."), "/");
        assert_eq!(path("/a/b/.."), "/a/");
    }

    #[test]
    fn queries_are_decoded_encoded_and_sorted() {
        assert_eq!(query("b=2&a=1&a=0", false), "a=0&a=1&b=2");
        assert_eq!(
            query("flag&empty=&&x=a+b%20c", false),
            "empty=&flag=&x=a%20b%20c"
        );
        assert_eq!(
            query("q=%E2%9C%93&s=%2f&t=~-._!", false),
            "q=%E2%9C%93&s=%2F&t=~-._%21"
        );
        assert_eq!(query("X-Amz-Signature=00&a=1", true), "a=1");
        assert_eq!(
            query("X-Amz-Signature=00&a=1", false),
            "X-Amz-Signature=00&a=1"
        );
    }

    #[test]
    fn header_values_lose_outer_and_repeated_blanks() {
        let mut out = String::new();
        push_trimmed(&mut out, " \t several   spaces\there \t\t and\t ");
        assert_eq!(out, "several spaces here and");
    }

    /// Signs `target` with `aws-sigv4` as a client, then recomputes the
    /// signature both ways: they must agree with each other and the client.
    fn both_ways(target: &str, presign: Option<Duration>, token: bool, custom: &str) {
        let client = Client {
            key: if token { "ASIATEMPORARY" } else { KEY },
            token: token.then_some(TOKEN),
            presign,
            ..Client::default()
        };
        let mut request = get(target);
        let headers = request.headers_mut();
        headers.insert("x-custom", custom.parse().unwrap());
        headers.append("x-custom", "c".parse().unwrap());
        let request = client.sign(request);
        let signature = parse::signature(request.headers(), request.uri().query()).unwrap();
        let secret = secrets(signature.credential.access_key_id()).unwrap();
        let input = Recompute {
            location: signature.location,
            date_source: signature.date_source,
            method: "GET",
            uri: request.uri(),
            headers: request.headers(),
            signature: &signature,
            signed_at: signed_at(),
            amz_date: AmzDate::from_system_time(signed_at()),
            expires: presign,
            payload: PayloadHash::Body(&[]),
            secret: &secret,
            region: "us-east-1",
            service: EXECUTE_API,
        };
        let case = format!("{target:?} {presign:?} token: {token} {custom:?}");
        assert!(sign::can_reproduce(&input), "{case}");
        let by_crate = sign::signature(&input, &sign::base_settings()).unwrap();
        assert_eq!(by_crate, signature.signature, "{case}");
        assert_eq!(signature_by_hand(&input).unwrap(), by_crate, "{case}");
    }

    #[test]
    fn the_hand_written_path_agrees_with_aws_sigv4() {
        let targets = [
            "/",
            "/prod/pets",
            "/prod//a/./b/../c/",
            "/a%20b/%25/caf%C3%A9",
            "/it's(1)!*/$p;v=1,2:3@x+y~z",
            "/p?b=2&a=1&a=0&flag&empty=&x=a+b%20c",
            "/p?q=%E2%9C%93&s=%2f&t=~-._!&%FF=%zz",
            "/p?&&=&=x",
        ];
        for target in targets {
            for presign in [None, Some(Duration::from_secs(300))] {
                for token in [false, true] {
                    both_ways(target, presign, token, "  a   b ");
                }
            }
        }
    }

    /// The same on random paths, queries and header values drawn from the
    /// characters where encodings differ (a fixed seed: reproducible).
    #[test]
    fn the_hand_written_path_agrees_on_random_requests() {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "-", ".", "_", "~", "/", "//", "./", "../", "%20", "%2F", "%2f", "%25",
            "%zz", "%", "%C3%A9", "%FF", "+", "*", "!", "'", "(", ")", "$", ",", ";", ":", "@",
            "=", "&", "&&", "?",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % u64::try_from(bound).unwrap()).unwrap()
        };
        let mut checked = 0;
        for round in 0..400 {
            let mut target = String::from("/");
            for _ in 0..next(8) {
                target.push_str(PIECES[next(PIECES.len())]);
            }
            if next(2) == 0 {
                target.push('?');
                for _ in 0..next(10) {
                    target.push_str(PIECES[next(PIECES.len())]);
                }
            }
            if target.parse::<http::Uri>().is_err() {
                continue;
            }
            let custom = [" a", "b  c ", "x,y", "\"q\""][next(4)];
            let presign = (round % 2 == 1).then(|| Duration::from_secs(60));
            // A query already holding presigned parameters is not presignable.
            if presign.is_some() && target.contains("X-Amz") {
                continue;
            }
            both_ways(&target, presign, next(2) == 0, custom);
            checked += 1;
        }
        assert!(checked > 300, "only {checked} requests checked");
    }
}
