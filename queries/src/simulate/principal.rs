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
    let principal = match parts.kind {
        PrincipalKind::Anonymous => RequestPrincipal::Anonymous,
        PrincipalKind::Service => RequestPrincipal::Service {
            name: text.to_string(),
        },
        PrincipalKind::Federated => RequestPrincipal::Federated {
            provider: text.to_string(),
        },
        PrincipalKind::Root if !text.starts_with("arn:") => RequestPrincipal::Aws {
            arn: format!("arn:aws:iam::{text}:root"),
        },
        _ => RequestPrincipal::Aws {
            arn: text.to_string(),
        },
    };
    Some((parts, principal))
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
}

/// The kind, account and role name of `text` (see [`classify`]).
pub(crate) fn parts(text: &str) -> Option<Parts<'_>> {
    let only = |kind| {
        Some(Parts {
            kind,
            account: None,
            role_name: None,
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
        });
    }
    if !text.starts_with("arn:") {
        // Service principals are DNS-like names: `lambda.amazonaws.com`.
        if text.contains('.') && !text.contains(':') && !text.contains('/') {
            return only(PrincipalKind::Service);
        }
        return None;
    }
    // Split without copying the parts: a requests file classifies each caller several times.
    let [_, partition, service, _, account, resource] = facts::arn::split_arn(text)?;
    let (kind_part, rest) = resource.split_once('/').unwrap_or((resource, ""));
    // IAM and STS principals live in an account: the ARN's account is a 12-digit id, and
    // the name after `user/`, `role/`... is not empty ("IAM identifiers").
    if !facts::arn::is_account_id(account) || partition.is_empty() {
        return None;
    }
    if kind_part != "root" && rest.is_empty() {
        return None;
    }
    let (kind, role_name) = match (service, kind_part) {
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
    Some(Parts {
        kind,
        account: Some(account),
        role_name,
    })
}
