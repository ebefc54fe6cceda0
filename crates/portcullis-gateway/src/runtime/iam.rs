//! IAM authorization compiled at load: the SigV4 verifier for the
//! configured region, and each identity's secret, principal and policies.

use std::collections::HashMap;

use portcullis_auth::policy::{Decision, PolicyDocument, PolicyRequest, Principal};
use portcullis_auth::sigv4::{SecretLookup, SigningSecret, Verifier};
use portcullis_lambda::remote::signer::Credentials;

use crate::config::IamSettings;

/// Every `AWS_IAM` route of a gateway shares this.
#[derive(Debug)]
pub(crate) struct IamPlan {
    pub(crate) verifier: Verifier,
    identities: HashMap<String, Identity>,
}

#[derive(Debug)]
pub(crate) struct Identity {
    secret: SigningSecret,
    /// The same keys, for signing calls made as this identity.
    pub(crate) keys: Credentials,
    pub(crate) principal: Principal,
    policies: Vec<PolicyDocument>,
}

impl IamPlan {
    /// Compiles the identities (the loader has checked them).
    pub(crate) fn compile(settings: &IamSettings, region: &str) -> Self {
        let identities = settings
            .identities
            .iter()
            .filter_map(|(key, identity)| {
                let mut secret = SigningSecret::new(identity.secret_access_key.clone());
                if let Some(token) = &identity.session_token {
                    secret = secret.with_session_token(token.clone());
                }
                let principal = Principal::from_arn(&identity.principal_arn).ok()?;
                let keys = Credentials::new(
                    key.clone(),
                    identity.secret_access_key.clone(),
                    identity.session_token.clone(),
                    None,
                    "iam",
                );
                let policies = identity
                    .policies
                    .iter()
                    .filter_map(|p| PolicyDocument::from_json(p).ok())
                    .collect();
                Some((
                    key.clone(),
                    Identity {
                        secret,
                        keys,
                        principal,
                        policies,
                    },
                ))
            })
            .collect();
        Self {
            verifier: Verifier::new(region),
            identities,
        }
    }

    /// The identity of an access key.
    pub(crate) fn identity(&self, access_key_id: &str) -> Option<&Identity> {
        self.identities.get(access_key_id)
    }
}

impl Identity {
    /// What the identity's policies say about `action` on `resource`:
    /// an explicit Deny wins; no Allow is a denial.
    pub(crate) fn decide(&self, action: &str, resource: &str) -> Decision {
        let request = PolicyRequest::new(action, resource).with_principal(&self.principal);
        let mut decision = Decision::NotApplicable;
        for policy in &self.policies {
            match policy.evaluate(&request) {
                Decision::ExplicitDeny => return Decision::ExplicitDeny,
                Decision::Allow => decision = Decision::Allow,
                Decision::NotApplicable => {}
            }
        }
        decision
    }
}

impl SecretLookup for IamPlan {
    fn lookup(&self, access_key_id: &str) -> Option<SigningSecret> {
        self.identities.get(access_key_id).map(|i| i.secret.clone())
    }
}
