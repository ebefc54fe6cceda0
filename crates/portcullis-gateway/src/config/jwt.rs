//! `jwt:` in the config file and `--jwks` on the command line: where JWT and
//! Cognito authorizers find their keys when not where AWS would, so that a
//! local issuer (or a recorded JWKS) can stand in.

use std::collections::BTreeMap;

use portcullis_auth::fetch::check_key_url;
use portcullis_auth::jwt::Algorithm;

use super::model::{IssuerSettings, JwtSettings};
use super::native::{IssuerEntry, JwtEntry};
use super::problems::{Problems, child};
use super::settings::Base;

/// Reads the file's `jwt` section.
pub(crate) fn from_file(entry: JwtEntry, base: &Base<'_>, problems: &mut Problems) -> JwtSettings {
    let mut settings = JwtSettings::default();
    for (section, entries, out) in [
        ("jwt.issuers", entry.issuers, &mut settings.issuers),
        (
            "jwt.cognito_user_pools",
            entry.cognito_user_pools,
            &mut settings.cognito_user_pools,
        ),
    ] {
        read_section(section, entries, base, problems, out);
    }
    settings
}

fn read_section(
    section: &str,
    entries: BTreeMap<String, IssuerEntry>,
    base: &Base<'_>,
    problems: &mut Problems,
    out: &mut BTreeMap<String, IssuerSettings>,
) {
    for (key, entry) in entries {
        let at = child(section, &key);
        let mut ok = true;
        for (field, url) in [("jwks_uri", &entry.jwks_uri), ("issuer", &entry.issuer)] {
            if let Some(url) = url
                && let Err(error) = check_key_url(url)
            {
                problems.at(base.file, child(&at, field), error.to_string());
                ok = false;
            }
        }
        for name in &entry.algorithms {
            if Algorithm::from_name(name).is_none() {
                problems.at(base.file, child(&at, "algorithms"), unknown_algorithm(name));
                ok = false;
            }
        }
        if ok {
            out.insert(
                key,
                IssuerSettings {
                    issuer: entry.issuer,
                    jwks_uri: entry.jwks_uri,
                    algorithms: entry.algorithms,
                },
            );
        }
    }
}

fn unknown_algorithm(name: &str) -> String {
    format!(
        "`{name}` is not a signature algorithm Portcullis verifies; expected RS256, RS384, RS512, PS256, PS384, PS512, ES256 or ES384"
    )
}

/// Applies `--jwks KEY=URL`: KEY is an issuer URL, or else a Cognito user pool id.
pub(crate) fn from_flags(
    flags: &[(String, String)],
    problems: &mut Problems,
    settings: &mut JwtSettings,
) {
    for (key, url) in flags {
        if let Err(error) = check_key_url(url) {
            problems.flag("--jwks", error.to_string());
            continue;
        }
        let map = if key.contains("://") {
            &mut settings.issuers
        } else {
            &mut settings.cognito_user_pools
        };
        map.entry(key.clone()).or_default().jwks_uri = Some(url.clone());
    }
}
