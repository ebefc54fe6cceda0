//! `iam:` in the config file: the identities whose SigV4 signatures
//! `AWS_IAM` routes accept, each with its principal and identity policies.

use portcullis_auth::policy::{PolicyDocument, Principal};

use super::model::{IamIdentity, IamSettings};
use super::native::IamEntry;
use super::problems::{Problems, child, item};
use super::settings::Base;

/// Reads and checks the file's `iam` section: principals are ARNs,
/// policies parse, access key ids are unique.
pub(crate) fn from_file(entry: IamEntry, base: &Base<'_>, problems: &mut Problems) -> IamSettings {
    let mut settings = IamSettings::default();
    for (i, identity) in entry.identities.into_iter().enumerate() {
        let at = item("iam.identities", i);
        let mut ok = true;
        if identity.access_key_id.is_empty() || identity.secret_access_key.is_empty() {
            problems.at(
                base.file,
                &at,
                "access_key_id and secret_access_key must not be empty",
            );
            ok = false;
        }
        if let Err(error) = Principal::from_arn(&identity.principal) {
            problems.at(base.file, child(&at, "principal"), error.to_string());
            ok = false;
        }
        for (p, policy) in identity.policies.iter().enumerate() {
            if let Err(error) = PolicyDocument::from_json(policy) {
                problems.at(
                    base.file,
                    item(&child(&at, "policies"), p),
                    error.to_string(),
                );
                ok = false;
            }
        }
        if settings.identities.contains_key(&identity.access_key_id) {
            problems.at(
                base.file,
                child(&at, "access_key_id"),
                format!("access key id `{}` is listed twice", identity.access_key_id),
            );
            ok = false;
        }
        if ok {
            settings.identities.insert(
                identity.access_key_id,
                IamIdentity {
                    secret_access_key: identity.secret_access_key,
                    session_token: identity.session_token,
                    principal_arn: identity.principal,
                    policies: identity.policies,
                },
            );
        }
    }
    settings
}
