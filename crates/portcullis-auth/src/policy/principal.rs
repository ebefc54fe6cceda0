//! Who is calling ([`Principal`]) and the `Principal` / `NotPrincipal`
//! entries of resource policies that name them. The matching rules are on
//! [`Principal`], where users of the crate can read them.

use std::ops::Range;

use super::error::PolicyError;

/// A caller that has proven who it is (by SigV4, or as a configured
/// identity), as resource policies see it.
///
/// Built once per identity, not per request; evaluation only borrows it.
///
/// A policy's `Principal` entries under `"AWS"` match callers thus:
///
/// - `"*"` matches every caller, anonymous ones included;
/// - an account id (`"123456789012"`) or its root ARN
///   (`"arn:aws:iam::123456789012:root"`) matches every principal of that
///   account (its root, users, roles and role sessions);
/// - a role ARN (`arn:aws:iam::123456789012:role/path/Name`) matches the role
///   and every session of it (`arn:aws:sts::123456789012:assumed-role/Name/any`);
/// - any other ARN (a user, one role session, a federated user) matches
///   exactly that ARN.
///
/// An anonymous caller (no principal) matches only `"*"`. Entries under
/// `"Service"`, `"Federated"` and `"CanonicalUser"` are accepted and never
/// match: a self-hosted gateway's callers are never AWS services or web
/// identities. ARNs are compared case-sensitively, partitions included; an
/// account id alone matches that account in any partition. Wildcards inside
/// an entry (`user/*`) are refused, as IAM refuses them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    arn: Box<str>,
    kind: PrincipalKind,
    partition: Range<usize>,
    account: Range<usize>,
    /// A user's name, a role's name, a session's role name.
    name: Range<usize>,
    /// `aws:PrincipalArn`: the ARN itself, except for a role session, where
    /// it is the role's ARN.
    principal_arn: Box<str>,
}

/// What kind of IAM identity a [`Principal`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// An account's root user: `arn:aws:iam::123456789012:root`.
    Root,
    /// An IAM user: `arn:aws:iam::123456789012:user/path/alice`.
    User,
    /// An IAM role itself: `arn:aws:iam::123456789012:role/path/Name`.
    Role,
    /// A session of a role: `arn:aws:sts::123456789012:assumed-role/Name/session`.
    AssumedRole,
    /// A federated user: `arn:aws:sts::123456789012:federated-user/name`.
    FederatedUser,
}

impl Principal {
    /// Reads an IAM or STS ARN.
    ///
    /// # Errors
    ///
    /// [`PolicyError::InvalidArn`] when `arn` is not
    /// `arn:PARTITION:iam::ACCOUNT:(root|user/...|role/...)` or
    /// `arn:PARTITION:sts::ACCOUNT:(assumed-role/ROLE/SESSION|federated-user/NAME)`
    /// with a 12-digit account.
    pub fn from_arn(arn: &str) -> Result<Self, PolicyError> {
        let bad = |reason: &str| PolicyError::InvalidArn {
            what: "principal ARN",
            value: arn.to_owned(),
            reason: reason.to_owned(),
        };
        let parts = IamArn::read(arn).ok_or_else(|| {
            bad("is not an IAM or STS ARN (arn:aws:iam::123456789012:user/name, ...)")
        })?;
        let resource = &arn[parts.resource.clone()];
        let at = parts.resource.start;
        let (kind, name) = match (parts.service, resource) {
            ("iam", "root") => (PrincipalKind::Root, at..at),
            ("iam", r) if r.starts_with("user/") => {
                (PrincipalKind::User, last_segment(arn, at + 5))
            }
            ("iam", r) if r.starts_with("role/") => {
                (PrincipalKind::Role, last_segment(arn, at + 5))
            }
            ("sts", r) if r.starts_with("assumed-role/") => {
                let role_start = at + "assumed-role/".len();
                let slash = arn[role_start..]
                    .find('/')
                    .filter(|&i| i > 0 && role_start + i + 1 < arn.len())
                    .ok_or_else(|| {
                        bad("is an assumed-role ARN without a role name and a session name")
                    })?;
                (PrincipalKind::AssumedRole, role_start..role_start + slash)
            }
            ("sts", r) if r.starts_with("federated-user/") => (
                PrincipalKind::FederatedUser,
                last_segment(arn, at + "federated-user/".len()),
            ),
            _ => {
                return Err(bad(
                    "names no root, user, role, assumed role or federated user",
                ));
            }
        };
        if name.is_empty() && kind != PrincipalKind::Root {
            return Err(bad("has an empty name"));
        }
        let principal_arn = match kind {
            PrincipalKind::AssumedRole => format!(
                "arn:{}:iam::{}:role/{}",
                &arn[parts.partition.clone()],
                &arn[parts.account.clone()],
                &arn[name.clone()]
            )
            .into_boxed_str(),
            _ => arn.into(),
        };
        Ok(Principal {
            arn: arn.into(),
            kind,
            partition: parts.partition,
            account: parts.account,
            name,
            principal_arn,
        })
    }

    /// The ARN it was read from.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// Its kind.
    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }

    /// Its 12-digit account id (`aws:PrincipalAccount`).
    pub fn account(&self) -> &str {
        self.slice(&self.account)
    }

    /// `aws:PrincipalArn`: the ARN, or for a role session the role's ARN
    /// (without a path, which a session ARN does not carry).
    pub fn principal_arn(&self) -> &str {
        &self.principal_arn
    }

    /// `aws:username`: an IAM user's name; other kinds have none.
    pub fn username(&self) -> Option<&str> {
        (self.kind == PrincipalKind::User).then(|| self.slice(&self.name))
    }

    /// `aws:PrincipalType`, as IAM spells it.
    pub fn principal_type(&self) -> &'static str {
        match self.kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::Role | PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser => "FederatedUser",
        }
    }

    fn partition(&self) -> &str {
        self.slice(&self.partition)
    }

    fn slice(&self, range: &Range<usize>) -> &str {
        self.arn.get(range.clone()).unwrap_or("")
    }
}

/// The name after the last `/` from `from` on (IAM paths come before it).
fn last_segment(arn: &str, from: usize) -> Range<usize> {
    let start = arn[from..].rfind('/').map_or(from, |i| from + i + 1);
    start..arn.len()
}

/// The fixed parts of `arn:PARTITION:SERVICE::ACCOUNT:RESOURCE`.
struct IamArn<'a> {
    partition: Range<usize>,
    service: &'a str,
    account: Range<usize>,
    resource: Range<usize>,
}

impl<'a> IamArn<'a> {
    fn read(arn: &'a str) -> Option<Self> {
        let rest = arn.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(':')?;
        let (service, rest) = rest.split_once(':')?;
        let (region, rest) = rest.split_once(':')?;
        let (account, resource) = rest.split_once(':')?;
        let ok = !partition.is_empty()
            && matches!(service, "iam" | "sts")
            && region.is_empty()
            && is_account_id(account)
            && !resource.is_empty();
        let p = 4;
        let a = p + partition.len() + service.len() + region.len() + 3;
        let r = a + account.len() + 1;
        ok.then(|| IamArn {
            partition: p..p + partition.len(),
            service,
            account: a..a + account.len(),
            resource: r..arn.len(),
        })
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

// ===== policy entries =====

/// One compiled entry of a `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    Anyone,
    /// Every principal of an account (from an account id: any partition).
    Account {
        partition: Option<Box<str>>,
        account: Box<str>,
    },
    /// A role and its sessions.
    Role {
        arn: Box<str>,
        partition: Box<str>,
        account: Box<str>,
        name: Box<str>,
    },
    /// Exactly this ARN.
    Exact(Box<str>),
    /// A service, web identity or canonical user: never a caller here.
    Never,
}

impl PrincipalEntry {
    /// Reads one value under a `Principal` key (`AWS`, `Service`, ...).
    /// Errors say what is wrong, to follow the element's name.
    pub(crate) fn parse(kind: &str, value: &str) -> Result<Self, String> {
        match kind {
            "AWS" => {}
            "Service" | "Federated" | "CanonicalUser" => {
                return if value.is_empty() {
                    Err("is an empty string".into())
                } else {
                    Ok(PrincipalEntry::Never)
                };
            }
            other => {
                return Err(format!(
                    "has the key {other:?}; expected \"AWS\", \"Service\", \"Federated\" or \"CanonicalUser\""
                ));
            }
        }
        if value == "*" {
            return Ok(PrincipalEntry::Anyone);
        }
        if value.contains(['*', '?']) {
            return Err(format!(
                "entry {value:?} has a wildcard; only \"*\" alone may stand for every principal"
            ));
        }
        if is_account_id(value) {
            return Ok(PrincipalEntry::Account {
                partition: None,
                account: value.into(),
            });
        }
        let principal = Principal::from_arn(value).map_err(|_| {
            format!("entry {value:?} is not \"*\", a 12-digit account id, or an IAM or STS ARN")
        })?;
        Ok(match principal.kind {
            PrincipalKind::Root => PrincipalEntry::Account {
                partition: Some(principal.partition().into()),
                account: principal.account().into(),
            },
            PrincipalKind::Role => PrincipalEntry::Role {
                arn: principal.arn.clone(),
                partition: principal.partition().into(),
                account: principal.account().into(),
                name: principal.slice(&principal.name).into(),
            },
            _ => PrincipalEntry::Exact(principal.arn.clone()),
        })
    }

    pub(crate) fn matches(&self, caller: Option<&Principal>) -> bool {
        let Some(caller) = caller else {
            return matches!(self, PrincipalEntry::Anyone);
        };
        match self {
            PrincipalEntry::Anyone => true,
            PrincipalEntry::Account { partition, account } => {
                caller.account() == &**account
                    && partition.as_deref().is_none_or(|p| p == caller.partition())
            }
            PrincipalEntry::Role {
                arn,
                partition,
                account,
                name,
            } => {
                caller.arn() == &**arn
                    || (caller.kind == PrincipalKind::AssumedRole
                        && caller.slice(&caller.name) == &**name
                        && caller.account() == &**account
                        && caller.partition() == &**partition)
            }
            PrincipalEntry::Exact(arn) => caller.arn() == &**arn,
            PrincipalEntry::Never => false,
        }
    }
}

#[cfg(test)]
#[path = "principal_tests.rs"]
mod tests;
