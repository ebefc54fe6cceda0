use super::*;

fn p(arn: &str) -> Principal {
    Principal::from_arn(arn).unwrap()
}

fn entry(value: &str) -> PrincipalEntry {
    PrincipalEntry::parse("AWS", value).unwrap()
}

#[test]
fn reads_the_kinds_of_arn() {
    let user = p("arn:aws:iam::123456789012:user/division/alice");
    assert_eq!(user.kind(), PrincipalKind::User);
    assert_eq!(user.account(), "123456789012");
    assert_eq!(user.username(), Some("alice"));
    assert_eq!(user.principal_type(), "User");
    assert_eq!(user.principal_arn(), user.arn());

    let session = p("arn:aws:sts::123456789012:assumed-role/Deployer/ci-42");
    assert_eq!(session.kind(), PrincipalKind::AssumedRole);
    assert_eq!(session.username(), None);
    assert_eq!(
        session.principal_arn(),
        "arn:aws:iam::123456789012:role/Deployer"
    );

    let root = p("arn:aws-cn:iam::123456789012:root");
    assert_eq!(root.kind(), PrincipalKind::Root);
    assert_eq!(root.principal_type(), "Account");
    assert_eq!(root.partition(), "aws-cn");

    assert_eq!(
        p("arn:aws:iam::123456789012:role/a/b/R").kind(),
        PrincipalKind::Role
    );
    assert_eq!(
        p("arn:aws:sts::123456789012:federated-user/bob").kind(),
        PrincipalKind::FederatedUser
    );
}

#[test]
fn refuses_what_is_not_a_principal() {
    for bad in [
        "",
        "alice",
        "arn:aws:iam::12345678901:root",
        "arn:aws:iam:us-east-1:123456789012:root",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::123456789012:group/admins",
        "arn:aws:iam::123456789012:user/",
        "arn:aws:sts::123456789012:assumed-role/R",
        "arn:aws:sts::123456789012:assumed-role//s",
        "arn:aws:sts::123456789012:assumed-role/R/",
        "arn::iam::123456789012:root",
    ] {
        let e = Principal::from_arn(bad).unwrap_err();
        assert!(matches!(e, PolicyError::InvalidArn { .. }), "{bad}");
    }
}

#[test]
fn account_entries_match_every_principal_of_the_account() {
    let alice = p("arn:aws:iam::123456789012:user/alice");
    let session = p("arn:aws:sts::123456789012:assumed-role/R/s");
    let other = p("arn:aws:iam::210987654321:user/alice");
    for e in [
        entry("123456789012"),
        entry("arn:aws:iam::123456789012:root"),
    ] {
        assert!(e.matches(Some(&alice)));
        assert!(e.matches(Some(&session)));
        assert!(!e.matches(Some(&other)));
        assert!(!e.matches(None));
    }
    let china = p("arn:aws-cn:iam::123456789012:user/alice");
    assert!(entry("123456789012").matches(Some(&china)));
    assert!(!entry("arn:aws:iam::123456789012:root").matches(Some(&china)));
}

#[test]
fn role_entries_match_their_sessions() {
    let role = entry("arn:aws:iam::123456789012:role/team/Deployer");
    assert!(role.matches(Some(&p(
        "arn:aws:sts::123456789012:assumed-role/Deployer/ci"
    ))));
    assert!(role.matches(Some(&p("arn:aws:iam::123456789012:role/team/Deployer"))));
    assert!(!role.matches(Some(&p("arn:aws:sts::123456789012:assumed-role/Other/ci"))));
    assert!(!role.matches(Some(&p(
        "arn:aws:sts::210987654321:assumed-role/Deployer/ci"
    ))));
    assert!(!role.matches(Some(&p("arn:aws:iam::123456789012:user/Deployer"))));
}

#[test]
fn exact_entries_and_anyone() {
    let session = entry("arn:aws:sts::123456789012:assumed-role/R/one");
    assert!(session.matches(Some(&p("arn:aws:sts::123456789012:assumed-role/R/one"))));
    assert!(!session.matches(Some(&p("arn:aws:sts::123456789012:assumed-role/R/two"))));
    let user = entry("arn:aws:iam::123456789012:user/alice");
    assert!(!user.matches(Some(&p("arn:aws:iam::123456789012:user/Alice"))));
    assert!(entry("*").matches(None));
    assert!(entry("*").matches(Some(&p("arn:aws:iam::123456789012:root"))));
}

#[test]
fn refuses_bad_entries() {
    assert!(PrincipalEntry::parse("AWS", "arn:aws:iam::123456789012:user/*").is_err());
    assert!(PrincipalEntry::parse("AWS", "bob").is_err());
    assert!(PrincipalEntry::parse("Aws", "*").is_err());
    assert_eq!(
        PrincipalEntry::parse("Service", "lambda.amazonaws.com").unwrap(),
        PrincipalEntry::Never
    );
    assert!(!PrincipalEntry::Never.matches(None));
}
