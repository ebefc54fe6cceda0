//! Lambda integration URIs: which function an `aws_proxy` / `aws` integration calls.
//!
//! AWS writes them as `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function-arn}/invocations`;
//! HTTP APIs also accept the function ARN itself. SAM templates that were not
//! deployed hold `${MyFunction.Arn}` in place of the ARN; that names the function too.

use super::functions::check_function_name;
use super::model::LambdaTarget;

const INVOKE_PREFIX: &str = "path/2015-03-31/functions/";
const INVOKE_SUFFIX: &str = "/invocations";
const STAGE_VARIABLE_NAME: &str = "the function name is a stage variable";

/// Why a Lambda integration URI names no function to call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UriError {
    /// AWS would deploy it, but it cannot be called here yet (an AWS service
    /// integration, a function named by a stage variable); says what it is.
    Unserved(String),
    /// Not a valid URI: says what is wrong.
    Invalid(String),
}

impl std::fmt::Display for UriError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unserved(text) | Self::Invalid(text) => f.write_str(text),
        }
    }
}

/// Reads the function a Lambda integration URI names.
///
/// # Errors
/// What the URI is when it cannot be called, or what is wrong with it.
pub(crate) fn parse(uri: &str) -> Result<LambdaTarget, UriError> {
    let function = if let Some(rest) = strip_arn(uri, "apigateway") {
        // {region}:{service}:path/...; an undeployed SAM region `${AWS::Region}` has colons too.
        let after_region = match rest.strip_prefix("${") {
            Some(reference) => reference
                .split_once('}')
                .map(|(_, r)| r.trim_start_matches(':')),
            None => rest.split_once(':').map(|(_, r)| r),
        }
        .unwrap_or("");
        let (service, action) = after_region.split_once(':').unwrap_or((after_region, ""));
        if service != "lambda" {
            return Err(UriError::Unserved(format!(
                "an AWS service integration ({service}) at `{uri}`, which is not served yet"
            )));
        }
        action
            .strip_prefix(INVOKE_PREFIX)
            .and_then(|a| a.strip_suffix(INVOKE_SUFFIX))
            .ok_or_else(|| {
                UriError::Invalid(format!(
                    "`{uri}` is not a Lambda invocation URI; expected \
                     arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations"
                ))
            })?
    } else {
        uri
    };
    function_name(function)
        .map_err(|why| {
            if why == STAGE_VARIABLE_NAME {
                UriError::Unserved(format!(
                    "a Lambda function named by a stage variable (`{uri}`), which is not served yet; \
                     name the function in the URI (a stage variable may choose its alias: \
                     function:NAME:${{stageVariables.alias}})"
                ))
            } else {
                UriError::Invalid(format!("`{uri}`: {why}"))
            }
        })
        .map(|(name, qualifier)| LambdaTarget {
            name,
            qualifier,
            uri: uri.to_owned(),
        })
}

/// `arn:{partition}:{service}:` stripped, for AWS's partitions.
fn strip_arn<'a>(text: &'a str, service: &str) -> Option<&'a str> {
    let rest = text.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    if !partition.starts_with("aws") {
        return None;
    }
    rest.strip_prefix(service)?.strip_prefix(':')
}

/// The name and qualifier in a function ARN (or a SAM `${Name.Arn}` reference).
fn function_name(function: &str) -> Result<(String, Option<String>), String> {
    if let Some(reference) = function
        .strip_prefix("${")
        .and_then(|f| f.strip_suffix('}'))
    {
        let name = reference.strip_suffix(".Arn").unwrap_or(reference);
        if name.starts_with("stageVariables.") {
            return Err(STAGE_VARIABLE_NAME.to_owned());
        }
        check_function_name(name)?;
        return Ok((name.to_owned(), None));
    }
    let rest = strip_arn(function, "lambda").ok_or_else(|| {
        "the function must be a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)".to_owned()
    })?;
    // {region}:{account}:function:{name}[:{qualifier}]
    let mut parts = rest.splitn(5, ':');
    let (_region, _account, kind, name, qualifier) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    if kind != Some("function") {
        return Err("the ARN does not name a function (…:function:NAME)".to_owned());
    }
    let name = name.unwrap_or_default();
    if name.contains("${") {
        return Err(STAGE_VARIABLE_NAME.to_owned());
    }
    check_function_name(name)?;
    let qualifier = match qualifier {
        Some("") => return Err("the qualifier after the function name is empty".to_owned()),
        other => other.map(str::to_owned),
    };
    Ok((name.to_owned(), qualifier))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(uri: &str) -> (String, Option<String>) {
        let target = parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(target.uri, uri);
        (target.name, target.qualifier)
    }

    #[test]
    fn reads_invocation_uris_function_arns_and_sam_references() {
        assert_eq!(
            ok(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
            ),
            ("pets".to_owned(), None)
        );
        assert_eq!(
            ok(
                "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:pets:${stageVariables.alias}/invocations"
            ),
            (
                "pets".to_owned(),
                Some("${stageVariables.alias}".to_owned())
            )
        );
        assert_eq!(
            ok("arn:aws-cn:lambda:cn-north-1:123456789012:function:orders_v2:7"),
            ("orders_v2".to_owned(), Some("7".to_owned()))
        );
        assert_eq!(
            ok(
                "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${PetsFunction.Arn}/invocations"
            ),
            ("PetsFunction".to_owned(), None)
        );
    }

    #[test]
    fn refuses_what_names_no_function() {
        for (uri, needle) in [
            (
                "arn:aws:apigateway:us-east-1:s3:path/bucket/key",
                "AWS service integration (s3)",
            ),
            (
                "arn:aws:apigateway:us-east-1:lambda:action/Invoke",
                "not a Lambda invocation URI",
            ),
            ("https://example.com/fn", "must be a Lambda function ARN"),
            (
                "arn:aws:lambda:us-east-1:123456789012:layer:x",
                "does not name a function",
            ),
            (
                "arn:aws:lambda:us-east-1:1:function:${stageVariables.fn}",
                "stage variable",
            ),
            (
                "arn:aws:lambda:us-east-1:1:function:bad.name",
                "not a function name",
            ),
            ("arn:aws:lambda:us-east-1:1:function:f:", "qualifier"),
        ] {
            let error = parse(uri).expect_err(uri);
            let unserved = matches!(error, UriError::Unserved(_));
            assert_eq!(
                unserved,
                needle == "AWS service integration (s3)" || needle == "stage variable",
                "{uri}: {error:?}"
            );
            assert!(error.to_string().contains(needle), "{uri}: {error}");
        }
    }
}
