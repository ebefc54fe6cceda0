//! Whose identity AWS service integrations call with: what a definition's
//! `credentials` asks for that this configuration will not honour is said
//! once per integration, with what is done instead.

use super::model::{Api, Authorization, AwsAccount, IntegrationCredentials, IntegrationKind};
use super::problems::{Problems, child};

/// Warns of each AWS service integration whose `credentials` are not used
/// as written: a role not assumed (`aws.assume_roles` is off), or the
/// caller's identity asked for on a route with no IAM caller.
pub(crate) fn warn_unhonoured(api: &Api, aws: &AwsAccount, problems: &mut Problems) {
    for route in &api.routes {
        let what = match &route.integration.kind {
            IntegrationKind::AwsService(action) => action.subtype.as_str(),
            IntegrationKind::AwsRest(target) => target.service.as_str(),
            _ => continue,
        };
        let at = child(
            &child(&route.location, "x-amazon-apigateway-integration"),
            "credentials",
        );
        match &route.integration.credentials {
            Some(IntegrationCredentials::Role(role)) if !aws.assume_roles => problems.warn(
                &api.source,
                &at,
                format!(
                    "{what} is called with the gateway's own AWS credentials (the AWS SDKs' chain: environment, profile, instance role), not as {role}; set `aws: {{ assume_roles: true }}` in the config file to assume it through STS"
                ),
            ),
            Some(IntegrationCredentials::Caller) if route.authorization != Authorization::Iam => {
                problems.warn(
                    &api.source,
                    &at,
                    format!(
                        "{what} asks for the caller's own identity (arn:aws:iam::*:user/*), which only AWS_IAM-authorised routes have; it is called with the gateway's own AWS credentials"
                    ),
                );
            }
            _ => {}
        }
    }
}
