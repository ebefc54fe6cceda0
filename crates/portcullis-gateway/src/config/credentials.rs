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
        let at = child(
            &child(&route.location, "x-amazon-apigateway-integration"),
            "credentials",
        );
        let what = match &route.integration.kind {
            IntegrationKind::AwsService(action) => action.subtype.as_str(),
            IntegrationKind::AwsRest(target) => target.service.as_str(),
            IntegrationKind::Lambda { function, .. } => {
                if let Some(credentials) = &route.integration.credentials {
                    let whose = match credentials {
                        IntegrationCredentials::Role(role) => role.as_str(),
                        IntegrationCredentials::Caller => "the caller (arn:aws:iam::*:user/*)",
                    };
                    problems.warn(
                        &api.source,
                        &at,
                        format!(
                            "function {} is called as the gateway, not as {whose}: Lambda's own check that this identity may invoke it is not made",
                            function.name
                        ),
                    );
                }
                continue;
            }
            _ => continue,
        };
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
