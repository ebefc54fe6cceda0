//! AWS variables in OpenAPI definitions (`${AWS::Region}`, `${AWS::AccountId}`,
//! `${AWS::Partition}`), resolved at import as API Gateway resolves them.
//!
//! A self-hosted gateway has no account or region of its own: they come from
//! `--region` / `--account-id` or the config file's `aws:` section, else local
//! defaults (`us-east-1`, the account id local events report).

use std::borrow::Cow;

/// The region used when none is configured.
pub(crate) const DEFAULT_REGION: &str = portcullis_lambda::local::DEFAULT_REGION;

/// The account and region a definition is imported into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AwsVariables {
    region: String,
    account_id: String,
}

impl Default for AwsVariables {
    fn default() -> Self {
        Self {
            region: DEFAULT_REGION.to_owned(),
            account_id: portcullis_lambda::local::DEFAULT_ACCOUNT_ID.to_owned(),
        }
    }
}

impl AwsVariables {
    /// The region and account, for the compiled config.
    pub(crate) fn account(&self) -> super::model::AwsAccount {
        super::model::AwsAccount {
            region: self.region.clone(),
            account_id: self.account_id.clone(),
            endpoints: Default::default(),
            assume_roles: false,
        }
    }

    /// Sets the region.
    ///
    /// # Errors
    /// When `region` is not a region name.
    pub(crate) fn set_region(&mut self, region: &str) -> Result<(), String> {
        let valid = !region.is_empty()
            && region.len() <= 32
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(format!(
                "`{region}` is not an AWS region (lower-case letters, digits and `-`, as us-east-1)"
            ));
        }
        region.clone_into(&mut self.region);
        Ok(())
    }

    /// Sets the account id.
    ///
    /// # Errors
    /// When `account` is not 12 digits.
    pub(crate) fn set_account_id(&mut self, account: &str) -> Result<(), String> {
        if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("`{account}` is not an AWS account id (12 digits)"));
        }
        account.clone_into(&mut self.account_id);
        Ok(())
    }

    /// The partition of the region: `aws-cn` in China, `aws-us-gov` in
    /// GovCloud, `aws` elsewhere.
    pub(crate) fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    /// `text` with every AWS variable replaced; borrowed when it has none.
    pub(crate) fn substitute<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !text.contains("${AWS::") {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${AWS::") {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let value = [
                ("${AWS::Region}", self.region.as_str()),
                ("${AWS::AccountId}", self.account_id.as_str()),
                ("${AWS::Partition}", self.partition()),
            ]
            .into_iter()
            .find(|(name, _)| after.starts_with(name));
            match value {
                Some((name, value)) => {
                    out.push_str(value);
                    rest = &after[name.len()..];
                }
                // Not an import variable (`${AWS::StackName}` belongs to CloudFormation): kept.
                None => {
                    out.push_str("${AWS::");
                    rest = &after["${AWS::".len()..];
                }
            }
        }
        out.push_str(rest);
        Cow::Owned(out)
    }
}

/// `aws.endpoints`: service → URL, each an `http(s)` URL without a query.
pub(crate) fn endpoints(
    entries: &std::collections::BTreeMap<String, String>,
    base: &super::settings::Base<'_>,
    problems: &mut super::problems::Problems,
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (service, url) in entries {
        let at = super::problems::child("aws.endpoints", service);
        let parsed = url.parse::<http::Uri>().ok().filter(|uri| {
            matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && uri.query().is_none()
        });
        if parsed.is_none() {
            problems.at(
                base.file,
                at,
                format!("`{url}` is not an endpoint; write http(s)://HOST[:PORT][/PATH]"),
            );
            continue;
        }
        out.insert(
            service.to_ascii_lowercase(),
            url.trim_end_matches('/').to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_the_three_variables_and_keeps_others() {
        let mut vars = AwsVariables::default();
        vars.set_region("eu-west-2").unwrap();
        vars.set_account_id("123456789012").unwrap();
        assert_eq!(
            vars.substitute(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\
                 arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f/invocations \
                 ${AWS::StackName} ${AWS::"
            ),
            "arn:aws:apigateway:eu-west-2:lambda:path/2015-03-31/functions/\
             arn:aws:lambda:eu-west-2:123456789012:function:f/invocations ${AWS::StackName} ${AWS::"
        );
        assert!(matches!(vars.substitute("no variables"), Cow::Borrowed(_)));
    }

    #[test]
    fn defaults_partitions_and_bad_values() {
        let defaults = AwsVariables::default();
        assert_eq!(
            defaults.substitute("${AWS::Region}/${AWS::AccountId}/${AWS::Partition}"),
            "us-east-1/000000000000/aws"
        );
        let mut vars = AwsVariables::default();
        vars.set_region("cn-north-1").unwrap();
        assert_eq!(vars.partition(), "aws-cn");
        vars.set_region("us-gov-west-1").unwrap();
        assert_eq!(vars.partition(), "aws-us-gov");
        assert!(
            vars.set_region("US East")
                .unwrap_err()
                .contains("not an AWS region")
        );
        assert!(
            vars.set_account_id("12345")
                .unwrap_err()
                .contains("12 digits")
        );
        assert_eq!(
            vars.partition(),
            "aws-us-gov",
            "a refused value changes nothing"
        );
    }
}
