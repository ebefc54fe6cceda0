//! Condition operator names: a family (`String`, `Numeric`, `Ip`...), a
//! comparison, and the `Not`, `...IfExists`, `ForAnyValue:` and
//! `ForAllValues:` modifiers.

use super::pattern::Case;

/// What is compared, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `String*`: exact, ignoring case, or with `*` / `?` wildcards (`Like`).
    String {
        case: Case,
        like: bool,
    },
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    /// `BinaryEquals`: base64 text compared as written.
    Binary,
    Ip,
    /// `Arn*`: `ArnEquals` and `ArnLike` both take wildcards, as in IAM.
    Arn,
    Null,
}

/// How a request value compares to a policy value (request on the left:
/// `NumericLessThan` holds when the request's value is less).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub(crate) fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// How a key with several values (or none) is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qualifier {
    /// No prefix: some value must match (for negated operators: none may).
    Single,
    /// `ForAnyValue:`: some value must satisfy the operator; no value fails.
    ForAnyValue,
    /// `ForAllValues:`: every value must satisfy the operator; no value passes.
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub(crate) family: Family,
    /// `...Not...`: the result is inverted, and a missing key satisfies it.
    pub(crate) negated: bool,
    /// `...IfExists`: a missing key satisfies it.
    pub(crate) if_exists: bool,
    pub(crate) qualifier: Qualifier,
}

const BASES: &[(&str, Family, bool)] = {
    use Cmp::*;
    use Family::*;
    const EXACT: Family = String {
        case: Case::Sensitive,
        like: false,
    };
    const IGNORE_CASE: Family = String {
        case: Case::Insensitive,
        like: false,
    };
    const LIKE: Family = String {
        case: Case::Sensitive,
        like: true,
    };
    &[
        ("StringEquals", EXACT, false),
        ("StringNotEquals", EXACT, true),
        ("StringEqualsIgnoreCase", IGNORE_CASE, false),
        ("StringNotEqualsIgnoreCase", IGNORE_CASE, true),
        ("StringLike", LIKE, false),
        ("StringNotLike", LIKE, true),
        ("NumericEquals", Numeric(Eq), false),
        ("NumericNotEquals", Numeric(Eq), true),
        ("NumericLessThan", Numeric(Lt), false),
        ("NumericLessThanEquals", Numeric(Le), false),
        ("NumericGreaterThan", Numeric(Gt), false),
        ("NumericGreaterThanEquals", Numeric(Ge), false),
        ("DateEquals", Date(Eq), false),
        ("DateNotEquals", Date(Eq), true),
        ("DateLessThan", Date(Lt), false),
        ("DateLessThanEquals", Date(Le), false),
        ("DateGreaterThan", Date(Gt), false),
        ("DateGreaterThanEquals", Date(Ge), false),
        ("Bool", Bool, false),
        ("BinaryEquals", Binary, false),
        ("IpAddress", Ip, false),
        ("NotIpAddress", Ip, true),
        ("ArnEquals", Arn, false),
        ("ArnNotEquals", Arn, true),
        ("ArnLike", Arn, false),
        ("ArnNotLike", Arn, true),
        ("Null", Null, false),
    ]
};

impl Operator {
    /// Reads an operator name. Names are matched without regard to case
    /// (a misspelt name is refused either way). `None` for a name IAM does
    /// not define, or a modifier on `Null`.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        let (qualifier, rest) = if let Some(rest) = strip_prefix_ignore_case(name, "ForAnyValue:") {
            (Qualifier::ForAnyValue, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(name, "ForAllValues:") {
            (Qualifier::ForAllValues, rest)
        } else {
            (Qualifier::Single, name)
        };
        let (base, if_exists) = match strip_suffix_ignore_case(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let &(_, family, negated) = BASES.iter().find(|(n, ..)| n.eq_ignore_ascii_case(base))?;
        if family == Family::Null && (if_exists || qualifier != Qualifier::Single) {
            return None;
        }
        Some(Operator {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(suffix.len())?;
    let tail = s.get(at..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_modifiers() {
        let op = Operator::parse("StringNotEqualsIfExists").unwrap();
        assert_eq!(
            op.family,
            Family::String {
                case: Case::Sensitive,
                like: false
            }
        );
        assert!(op.negated && op.if_exists);
        assert_eq!(op.qualifier, Qualifier::Single);

        let op = Operator::parse("ForAllValues:StringLike").unwrap();
        assert_eq!(op.qualifier, Qualifier::ForAllValues);
        assert!(!op.negated && !op.if_exists);

        let op = Operator::parse("ForAnyValue:NumericLessThanEqualsIfExists").unwrap();
        assert_eq!(op.family, Family::Numeric(Cmp::Le));
        assert_eq!(op.qualifier, Qualifier::ForAnyValue);
        assert!(op.if_exists);

        assert_eq!(Operator::parse("NotIpAddress").unwrap().family, Family::Ip);
        assert!(Operator::parse("NotIpAddress").unwrap().negated);
        assert!(Operator::parse("stringequals").is_some());
        assert!(Operator::parse("Null").is_some());
    }

    #[test]
    fn refuses_unknown_names() {
        for bad in [
            "",
            "StringEqual",
            "IfExists",
            "ForAnyValue:",
            "ForSomeValues:StringEquals",
            "NullIfExists",
            "ForAnyValue:Null",
            "StringEqualsIfExistsIfExists",
            "IpAddressé",
        ] {
            assert_eq!(Operator::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn comparisons_put_the_request_on_the_left() {
        assert!(Cmp::Lt.holds(1.0, 2.0));
        assert!(!Cmp::Gt.holds(1.0, 2.0));
        assert!(Cmp::Le.holds(2, 2));
        assert!(Cmp::Ge.holds(3, 2));
        assert!(Cmp::Eq.holds(2, 2));
    }
}
