//! Who is calling: a principal given as text (`--principal`, a scenario's `principal`)
//! classified into a [`PrincipalKind`] and the [`RequestPrincipal`] the matcher sees.

use facts::request::RequestPrincipal;
use facts::tables::PrincipalKind;

/// A classified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The kind of caller.
    pub kind: PrincipalKind,
    /// The caller's ARN as written (`*` for anonymous, the name for a service).
    pub arn: String,
    /// The 12-digit account of an IAM/STS caller.
    pub account: Option<String>,
    /// For a role session: the role's name (its path is only known from account data).
    pub role_name: Option<String>,
    /// The principal as the matcher sees it.
    pub principal: RequestPrincipal,
}

/// Classify `text`: `*` (anonymous), a 12-digit account id (its root user), an IAM or STS
/// ARN (root, user, role, assumed-role session, federated user, SAML/OIDC provider), or a
/// service principal such as `lambda.amazonaws.com`. `None` when it is none of these.
pub(crate) fn classify(text: &str) -> Option<Caller> {
    let (
        Parts {
            kind,
            account,
            role_name,
            ..
        },
        principal,
    ) = principal_of(text)?;
    let arn = match &principal {
        RequestPrincipal::Aws { arn } => arn.clone(),
        _ => caller_arn(text, kind).into_owned(),
    };
    Some(Caller {
        kind,
        arn,
        account: account.map(str::to_string),
        role_name: role_name.map(str::to_string),
        principal,
    })
}

/// The parts of `text` ([`parts`]) and the principal the matcher sees, without the other
/// copies of [`classify`] (what building each request needs).
pub(crate) fn principal_of(text: &str) -> Option<(Parts<'_>, RequestPrincipal)> {
    let parts = parts(text)?;
    let principal = principal_of_kind(text, parts.kind);
    Some((parts, principal))
}

/// Whether a caller `text` of kind `kind` is named by its own text as an ARN (every
/// [`RequestPrincipal::Aws`] caller but an account id given alone, whose root ARN is made).
fn names_itself(text: &str, kind: PrincipalKind) -> bool {
    match kind {
        PrincipalKind::Anonymous | PrincipalKind::Service | PrincipalKind::Federated => false,
        PrincipalKind::Root => text.starts_with("arn:"),
        _ => true,
    }
}

/// The [`RequestPrincipal`] of caller `text` of kind `kind`.
fn principal_of_kind(text: &str, kind: PrincipalKind) -> RequestPrincipal {
    if names_itself(text, kind) {
        return RequestPrincipal::Aws {
            arn: text.to_string(),
        };
    }
    match kind {
        PrincipalKind::Anonymous => RequestPrincipal::Anonymous,
        PrincipalKind::Service => RequestPrincipal::Service {
            name: text.to_string(),
        },
        PrincipalKind::Federated => RequestPrincipal::Federated {
            provider: text.to_string(),
        },
        _ => RequestPrincipal::Aws {
            arn: format!("arn:aws:iam::{text}:root"),
        },
    }
}

/// [`principal_of`] into `slot`: an ARN the request names itself is copied into the text
/// `slot` already holds (no allocation when it has room), any other caller replaces it.
pub(crate) fn principal_into<'t>(text: &'t str, slot: &mut RequestPrincipal) -> Option<Parts<'t>> {
    let parts = parts(text)?;
    match slot {
        RequestPrincipal::Aws { arn } if names_itself(text, parts.kind) => {
            arn.clear();
            arn.push_str(text);
        }
        _ => *slot = principal_of_kind(text, parts.kind),
    }
    Some(parts)
}

/// [`Caller::arn`] of a caller `text` of kind `kind`: `*` for anonymous, the root's ARN for
/// an account id, else `text` itself.
pub(crate) fn caller_arn(text: &str, kind: PrincipalKind) -> std::borrow::Cow<'_, str> {
    match kind {
        PrincipalKind::Anonymous => "*".into(),
        PrincipalKind::Root if !text.starts_with("arn:") => {
            format!("arn:aws:iam::{text}:root").into()
        }
        _ => text.into(),
    }
}

/// Whether `text` is a caller [`classify`] accepts, without building the [`Caller`].
pub(crate) fn is_principal(text: &str) -> bool {
    parts(text).is_some()
}

/// What [`classify`] reads from a caller's text, borrowed from it.
pub(crate) struct Parts<'t> {
    /// The kind of caller.
    pub kind: PrincipalKind,
    /// The 12-digit account of an IAM/STS caller (or the account id given alone).
    pub account: Option<&'t str>,
    /// For a role session: the role's name.
    pub role_name: Option<&'t str>,
    /// For a role session: the session's name (the end of the ARN).
    pub session: Option<&'t str>,
}

/// The kind, account and role name of `text` (see [`classify`]).
pub(crate) fn parts(text: &str) -> Option<Parts<'_>> {
    let only = |kind| {
        Some(Parts {
            kind,
            account: None,
            role_name: None,
            session: None,
        })
    };
    if text == "*" {
        return only(PrincipalKind::Anonymous);
    }
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Parts {
            kind: PrincipalKind::Root,
            account: Some(text),
            role_name: None,
            session: None,
        });
    }
    if !text.starts_with("arn:") {
        // Service principals are DNS-like names: `lambda.amazonaws.com`.
        if text.contains('.') && !text.contains(':') && !text.contains('/') {
            return only(PrincipalKind::Service);
        }
        return None;
    }
    // Split without copying the parts, reading only what decides: an IAM or STS principal's
    // account is the 12 digits after the region, and its kind the resource's first segment
    // (a session's role its second). The session name is not scanned.
    let (account, resource, service) = arn_account_part(text)?;
    let (kind_part, rest) = match resource.bytes().position(|b| b == b'/') {
        Some(i) => (&resource[..i], &resource[i + 1..]),
        None => (resource, ""),
    };
    // IAM and STS principals live in an account: the ARN's account is a 12-digit id, and
    // the name after `user/`, `role/`... is not empty ("IAM identifiers").
    if kind_part != "root" && rest.is_empty() {
        return None;
    }
    let (kind, role_name, session) = match (service, kind_part) {
        ("iam", "root") => (PrincipalKind::Root, None, None),
        ("iam", "user") => (PrincipalKind::User, None, None),
        ("iam", "role") => (PrincipalKind::Role, None, None),
        ("sts", "assumed-role") => {
            let i = rest.bytes().position(|b| b == b'/')?;
            let (role, session) = (&rest[..i], &rest[i + 1..]);
            if role.is_empty() || session.is_empty() {
                return None;
            }
            (PrincipalKind::Session, Some(role), Some(session))
        }
        ("sts", "federated-user") => (PrincipalKind::FederatedUser, None, None),
        ("iam", "saml-provider") | ("iam", "oidc-provider") => {
            (PrincipalKind::Federated, None, None)
        }
        _ => return None,
    };
    Some(Parts {
        kind,
        account: Some(account),
        role_name,
        session,
    })
}

/// The account, resource and service of an ARN `text` whose partition is not empty and
/// whose account is a 12-digit id: what `facts::arn::split_arn` gives, with the account
/// checked by [`facts::arn::is_account_id`], found without scanning the resource (the
/// account's 12 digits are followed by the `:` that ends it). `None` otherwise.
fn arn_account_part(text: &str) -> Option<(&str, &str, &str)> {
    let rest = text.strip_prefix("arn:")?;
    let colon = |s: &str| s.bytes().position(|b| b == b':');
    let p = colon(rest)?;
    if p == 0 {
        return None;
    }
    let rest = &rest[p + 1..];
    let s = colon(rest)?;
    let service = &rest[..s];
    let rest = &rest[s + 1..];
    let rest = &rest[colon(rest)? + 1..];
    let account = rest.get(..12)?;
    if !facts::arn::is_account_id(account) || rest.as_bytes().get(12) != Some(&b':') {
        return None;
    }
    Some((account, &rest[13..], service))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The split as it was made before [`arn_account_part`]: `split_arn`, then the account
    /// checked, the resource split at its first `/` and a session's rest at its next.
    fn reference(text: &str) -> Option<(PrincipalKind, Option<&str>, Option<&str>)> {
        let [_, partition, service, _, account, resource] = facts::arn::split_arn(text)?;
        let (kind_part, rest) = resource.split_once('/').unwrap_or((resource, ""));
        if !facts::arn::is_account_id(account) || partition.is_empty() {
            return None;
        }
        if kind_part != "root" && rest.is_empty() {
            return None;
        }
        let (kind, role) = match (service, kind_part) {
            ("iam", "root") => (PrincipalKind::Root, None),
            ("iam", "user") => (PrincipalKind::User, None),
            ("iam", "role") => (PrincipalKind::Role, None),
            ("sts", "assumed-role") => {
                let (role, session) = rest.split_once('/')?;
                if role.is_empty() || session.is_empty() {
                    return None;
                }
                (PrincipalKind::Session, Some(role))
            }
            ("sts", "federated-user") => (PrincipalKind::FederatedUser, None),
            ("iam", "saml-provider") | ("iam", "oidc-provider") => (PrincipalKind::Federated, None),
            _ => return None,
        };
        Some((kind, Some(account), role))
    }

    /// Every ARN made of the pieces below (valid and broken partitions, services, regions,
    /// accounts and resources, with extra colons and slashes, non-ASCII text) splits as
    /// the reference does.
    #[test]
    fn arn_callers_split_as_split_arn_does() {
        let partitions = ["aws", "", "aws-cn", "a:b"];
        let services = ["iam", "sts", "s3", "", "iam:x"];
        let regions = ["", "us-east-1", "é"];
        let accounts = [
            "123456789012",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "",
            "123456789012:",
            "１２３４５６７８９０１２",
        ];
        let resources = [
            "root",
            "root/x",
            "user/alice",
            "user/",
            "user",
            "role/path/r",
            "assumed-role/r/s",
            "assumed-role/r/",
            "assumed-role//s",
            "assumed-role/r",
            "assumed-role/r/s/t:u",
            "federated-user/bob",
            "saml-provider/idp",
            "oidc-provider/x.example.com",
            "group/g",
            "",
            "rôle/é",
        ];
        let mut n = 0;
        let mut some = 0;
        for p in partitions {
            for s in services {
                for r in regions {
                    for a in accounts {
                        for x in resources {
                            let text = format!("arn:{p}:{s}:{r}:{a}:{x}");
                            let got = parts(&text).map(|c| (c.kind, c.account, c.role_name));
                            assert_eq!(got, reference(&text), "{text}");
                            n += 1;
                            some += usize::from(got.is_some());
                        }
                    }
                }
            }
        }
        // Both answers are reached.
        assert!(some > 50 && some < n, "{some} of {n}");
        for text in [
            "arn:",
            "arn:aws",
            "arn:aws:iam",
            "arn:aws:iam::",
            "arn:aws:iam::123456789012",
        ] {
            assert_eq!(parts(text).map(|c| c.kind), None, "{text}");
        }
    }
}
