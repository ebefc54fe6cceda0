//! Checking a verified token's claims, and rendering them as API Gateway
//! hands them on (every value a string).

use serde_json::{Map, Value};

use super::error::JwtError;

/// What the claims of every token of one authorizer must satisfy.
#[derive(Debug, Clone)]
pub(crate) struct ClaimRules {
    pub(crate) issuer: String,
    /// `aud` or `client_id` must be one of these; empty means unchecked
    /// (REST Cognito authorizers have no audience setting).
    pub(crate) audiences: Vec<String>,
    /// Seconds of clock difference tolerated for `exp`, `nbf` and `iat`.
    pub(crate) leeway: u64,
}

/// Checks issuer, audience and times; returns `exp`.
pub(crate) fn check(
    claims: &Map<String, Value>,
    rules: &ClaimRules,
    now: u64,
) -> Result<u64, JwtError> {
    if claims.get("iss").and_then(Value::as_str) != Some(rules.issuer.as_str()) {
        return Err(JwtError::WrongIssuer);
    }
    if !rules.audiences.is_empty() && !has_audience(claims, &rules.audiences) {
        return Err(JwtError::WrongAudience);
    }
    let exp = time(claims, "exp").ok_or(JwtError::NoExpiry)?;
    if exp.saturating_add(rules.leeway) <= now {
        return Err(JwtError::Expired);
    }
    if claims.contains_key("nbf") {
        let nbf = time(claims, "nbf").ok_or(JwtError::Malformed("nbf is not a number"))?;
        if nbf > now.saturating_add(rules.leeway) {
            return Err(JwtError::NotYetValid);
        }
    }
    if claims.contains_key("iat") {
        let iat = time(claims, "iat").ok_or(JwtError::Malformed("iat is not a number"))?;
        if iat > now.saturating_add(rules.leeway) {
            return Err(JwtError::IssuedInFuture);
        }
    }
    Ok(exp)
}

fn has_audience(claims: &Map<String, Value>, audiences: &[String]) -> bool {
    let listed = |value: Option<&Value>| match value {
        Some(Value::String(one)) => audiences.iter().any(|a| a == one),
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .any(|one| audiences.iter().any(|a| a == one)),
        _ => false,
    };
    listed(claims.get("aud")) || listed(claims.get("client_id"))
}

/// A NumericDate: seconds since the epoch, integral or not.
fn time(claims: &Map<String, Value>, name: &str) -> Option<u64> {
    let value = claims.get(name)?;
    if let Some(whole) = value.as_u64() {
        return Some(whole);
    }
    let float = value.as_f64()?;
    (float.is_finite() && float >= 0.0).then_some(float as u64)
}

/// The token's scopes: `scope` (space-separated) or `scp` (array or string).
pub(crate) fn scopes(claims: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(text)) => out.extend(text.split_whitespace().map(str::to_owned)),
            Some(Value::Array(items)) => {
                out.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
            }
            _ => {}
        }
    }
    out
}

/// Claims as API Gateway renders them for `$context.authorizer.claims`
/// and the Lambda event: strings as they are, numbers and booleans as
/// their text, arrays as `[a b]`, objects as JSON text; null claims left out.
pub(crate) fn render(claims: &Map<String, Value>) -> Vec<(String, String)> {
    claims
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| (name.clone(), render_value(value)))
        .collect()
}

fn render_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(render_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> ClaimRules {
        ClaimRules {
            issuer: "https://issuer".into(),
            audiences: vec!["app".into()],
            leeway: 0,
        }
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn checks_issuer_audience_and_times() {
        let good = json!({"iss":"https://issuer","aud":"app","exp":200,"nbf":100,"iat":100});
        assert_eq!(check(&claims(good.clone()), &rules(), 150), Ok(200));
        let with = |key: &str, value: Value| {
            let mut c = claims(good.clone());
            c.insert(key.into(), value);
            check(&c, &rules(), 150)
        };
        assert_eq!(
            with("iss", json!("https://issuer/")),
            Err(JwtError::WrongIssuer)
        );
        assert_eq!(with("aud", json!("other")), Err(JwtError::WrongAudience));
        assert_eq!(with("aud", json!(["other", "app"])), Ok(200));
        assert_eq!(with("exp", json!(150)), Err(JwtError::Expired));
        assert_eq!(with("exp", json!("200")), Err(JwtError::NoExpiry));
        assert_eq!(with("nbf", json!(151)), Err(JwtError::NotYetValid));
        assert_eq!(with("iat", json!(151)), Err(JwtError::IssuedInFuture));
        assert_eq!(with("exp", json!(200.9)), Ok(200));
        let mut access = claims(good);
        access.remove("aud");
        access.insert("client_id".into(), json!("app"));
        assert_eq!(check(&access, &rules(), 150), Ok(200));
    }

    #[test]
    fn renders_claims_as_api_gateway_does() {
        let rendered = render(&claims(json!({
            "sub": "abc", "n": 5, "f": 1.5, "b": true, "none": null,
            "groups": ["a", "b", 3], "o": {"k": "v"}
        })));
        let get = |k: &str| {
            rendered
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("sub"), Some("abc"));
        assert_eq!(get("n"), Some("5"));
        assert_eq!(get("f"), Some("1.5"));
        assert_eq!(get("b"), Some("true"));
        assert_eq!(get("none"), None);
        assert_eq!(get("groups"), Some("[a b 3]"));
        assert_eq!(get("o"), Some(r#"{"k":"v"}"#));
    }

    #[test]
    fn reads_scopes_from_scope_or_scp() {
        assert_eq!(scopes(&claims(json!({"scope":"a b  c"}))), ["a", "b", "c"]);
        assert_eq!(scopes(&claims(json!({"scp":["x","y"]}))), ["x", "y"]);
        assert!(scopes(&claims(json!({}))).is_empty());
    }
}
