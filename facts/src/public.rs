//! "The meaning of public" (Amazon S3 User Guide, "Blocking public access to your Amazon S3
//! storage", section "The meaning of \"public\""): the one definition of which grants of a
//! resource-based policy are public.
//!
//! S3 "begins by assuming that the policy is public. It then evaluates the policy to determine
//! whether it qualifies as non-public. To be considered non-public, a bucket policy must grant
//! access only to fixed values (values that don't contain a wildcard or an AWS Identity and
//! Access Management Policy Variable)" of a principal, or of one of the *pinning* keys below
//! (`aws:SourceIp` counts for CIDRs no broader than /8 for IPv4 and /32 for IPv6).
//!
//! Two engines use it: [`policy_is_public`] decides a concrete bucket policy for S3 Block
//! Public Access `RestrictPublicBuckets` (per statement, here), and the Z3 check
//! `no-public-access` (`solver/src/public.rs`) takes [`pinning_key`] and [`fixed_value`] from
//! here for its symbolic outsider (which models `aws:SourceIp` by an outside address).

use crate::condition::eval::ip::parse_cidr;
use crate::condition::{BaseOperator, SetQualifier};
use crate::policy::{
    Condition, Effect, Policy, PrincipalClause, PrincipalEntry, Principals, Statement,
};

/// Keys whose fixed values keep a caller from outside out (lowercased): the keys "The
/// meaning of public" lists (`aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`,
/// `aws:SourceOwner`, `aws:SourceAccount`, `s3:x-amz-server-side-encryption-aws-kms-key-id`,
/// `aws:userid`, `s3:DataAccessPointArn`, `s3:DataAccessPointAccount`, and principal keys
/// such as `aws:PrincipalOrgID`), plus the other keys that name the caller's own identity or
/// organization.
pub fn pinning_key(key: &str) -> bool {
    matches!(
        key,
        "aws:principalorgid"
            | "aws:principalorgpaths"
            | "aws:principalaccount"
            | "aws:principalarn"
            | "aws:sourceorgid"
            | "aws:sourceorgpaths"
            | "aws:sourceaccount"
            | "aws:sourceowner"
            | "aws:sourcearn"
            | "aws:sourcevpc"
            | "aws:sourcevpce"
            | "aws:userid"
            | "kms:calleraccount"
            | "s3:dataaccesspointarn"
            | "s3:dataaccesspointaccount"
            | "s3:x-amz-server-side-encryption-aws-kms-key-id"
    )
}

/// Whether a value of a positive string or ARN condition on `key` (lowercased) names a fixed
/// identity: a value without wildcard or live policy variable (for `StringEquals` and
/// `BinaryEquals` every value is exact; a `StringEqualsIgnoreCase` value is not taken as
/// fixed), an ARN whose account field has no wildcard
/// (`arn:aws:s3:us-west-2:123456789012:accesspoint/*` names one account: "this value can
/// contain a wildcard for the access point name without rendering the policy public, as
/// long as the account id is fixed"), or a role id with any session for `aws:userid`
/// (`AROLEID:*` names one role).
pub fn fixed_value(op: BaseOperator, key: &str, value: &str, variables: bool) -> bool {
    if variables && value.contains("${") {
        return false;
    }
    let exact = match op {
        BaseOperator::StringEquals | BaseOperator::BinaryEquals => true,
        BaseOperator::StringLike | BaseOperator::ArnLike | BaseOperator::ArnEquals => {
            !value.contains(['*', '?'])
        }
        // Other spellings of one value match: not taken as fixed (a conservative answer).
        BaseOperator::StringEqualsIgnoreCase => false,
        _ => return false,
    };
    if exact {
        return true;
    }
    if key == "aws:userid" {
        return value
            .strip_suffix(":*")
            .is_some_and(|id| !id.is_empty() && !id.contains(['*', '?', '$', ':']));
    }
    key.ends_with("arn")
        && value
            .split(':')
            .nth(4)
            .is_some_and(|acct| !acct.is_empty() && !acct.contains(['*', '?', '$']))
}

/// Whether an `aws:SourceIp` CIDR is narrow enough to be non-public: "very broad IP ranges
/// (for example, 0.0.0.0/1) are evaluated as public. This includes values broader than /8
/// for IPv4 and /32 for IPv6".
pub fn narrow_cidr(value: &str) -> bool {
    parse_cidr(value).is_some_and(|c| {
        let min = if c.addr.is_ipv4() { 8 } else { 32 };
        c.prefix >= min
    })
}

/// Whether condition `c` limits the statement to fixed values: a positive operator (not
/// negated, not `IfExists`, not `ForAllValues:`, which an absent key satisfies) on a pinning
/// key with only fixed values, or `IpAddress` on `aws:SourceIp` with only narrow CIDRs.
fn pins(c: &Condition, variables: bool) -> bool {
    let op = c.operator;
    if op.if_exists
        || op.qualifier == Some(SetQualifier::ForAllValues)
        || op.base.is_negated()
        || c.values.is_empty()
    {
        return false;
    }
    let key = c.key.to_ascii_lowercase();
    if key == "aws:sourceip" {
        return op.base == BaseOperator::IpAddress && c.values.iter().all(|v| narrow_cidr(v));
    }
    pinning_key(&key)
        && c.values
            .iter()
            .all(|v| fixed_value(op.base, &key, v, variables))
}

/// Whether a principal entry names a fixed principal. `AWS` entries are account ids or ARNs
/// (AWS accepts no wildcard in them other than `*` itself); a `Federated` web identity
/// provider such as `graph.facebook.com` is public (the guide's first example of a public
/// policy), while a SAML or OIDC provider ARN names one provider of one account.
fn fixed_principal(e: &PrincipalEntry) -> bool {
    match e {
        PrincipalEntry::Aws(v) => !v.contains(['*', '?']),
        PrincipalEntry::Service(_) | PrincipalEntry::CanonicalUser(_) => true,
        PrincipalEntry::Federated(v) => v.starts_with("arn:") && !v.contains(['*', '?']),
    }
}

/// Whether the `Allow` statement `st` of `policy` grants public access. A `Deny` never does.
/// A statement without `Principal` is never a grant in a resource-based policy (AWS refuses
/// such a policy), so it is not public; an `Allow` with `NotPrincipal` grants to everyone but
/// the listed principals, so it is public unless a condition pins it.
pub fn statement_is_public(policy: &Policy, st: &Statement) -> bool {
    if st.effect != Effect::Allow {
        return false;
    }
    let open = match &st.principal {
        None => return false,
        Some(PrincipalClause::NotPrincipal(_)) => true,
        Some(PrincipalClause::Principal(Principals::Any)) => true,
        Some(PrincipalClause::Principal(Principals::Specific(entries))) => {
            entries.iter().any(|e| !fixed_principal(e))
        }
    };
    let variables = policy.version.supports_variables();
    open && !st.conditions.iter().any(|c| pins(c, variables))
}

/// Whether a resource-based policy is public: some `Allow` statement grants public access.
pub fn policy_is_public(policy: &Policy) -> bool {
    policy
        .statements
        .iter()
        .any(|st| statement_is_public(policy, st))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(doc: &str) -> bool {
        let p = crate::parse::parse_policy(doc).expect("policy parses");
        policy_is_public(&p)
    }

    fn stmt(principal: &str, condition: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"{condition}}}]}}"#
        )
    }

    #[test]
    fn the_guides_public_examples_are_public() {
        // Amazon S3 User Guide, "The meaning of public", "Example: Public bucket policies".
        assert!(public(&stmt(r#"{"Federated":"graph.facebook.com"}"#, "")));
        assert!(public(&stmt(r#""*""#, "")));
        assert!(public(&stmt(
            r#""*""#,
            r#","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#
        )));
    }

    #[test]
    fn fixed_values_make_a_policy_non_public() {
        // "You can make these policies non-public by including any of the condition keys
        // listed previously, using a fixed value."
        assert!(!public(&stmt(
            r#""*""#,
            r#","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-91237329"}}"#
        )));
        assert!(!public(&stmt(
            r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
            ""
        )));
        assert!(!public(&stmt(
            r#"{"Service":"cloudtrail.amazonaws.com"}"#,
            ""
        )));
        assert!(!public(&stmt(
            r#"{"AWS":"*"}"#,
            r#","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#
        )));
        // An access point ARN with a wildcard name but a fixed account.
        assert!(!public(&stmt(
            r#""*""#,
            r#","Condition":{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}"#
        )));
    }

    #[test]
    fn variables_negations_and_if_exists_do_not_pin() {
        for cond in [
            r#","Condition":{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#,
            r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
            r#","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
            r#","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
        ] {
            assert!(public(&stmt(r#""*""#, cond)), "{cond}");
        }
    }

    #[test]
    fn broad_source_ip_ranges_are_public() {
        // "values broader than /8 for IPv4 and /32 for IPv6".
        let ip = |cidr: &str| {
            public(&stmt(
                r#""*""#,
                &format!(r#","Condition":{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}"#),
            ))
        };
        assert!(ip("0.0.0.0/1"));
        assert!(ip("10.0.0.0/7"));
        assert!(!ip("10.0.0.0/8"));
        assert!(!ip("203.0.113.0/24"));
        assert!(ip("2001:db8::/16"));
        assert!(!ip("2001:db8::/48"));
    }

    #[test]
    fn one_public_statement_makes_the_policy_public() {
        // "How Amazon S3 evaluates a bucket policy that contains both public and non-public
        // access grants": statement 3 renders the entire policy public.
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(public(doc));
        let p = crate::parse::parse_policy(doc).unwrap();
        let flags: Vec<bool> = p
            .statements
            .iter()
            .map(|s| statement_is_public(&p, s))
            .collect();
        assert_eq!(flags, [false, false, true, false]);
    }
}
