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
    if text == "*" {
        return Some(Caller {
            kind: PrincipalKind::Anonymous,
            arn: "*".to_string(),
            account: None,
            role_name: None,
            principal: RequestPrincipal::Anonymous,
        });
    }
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        let arn = format!("arn:aws:iam::{text}:root");
        return Some(Caller {
            kind: PrincipalKind::Root,
            principal: RequestPrincipal::Aws { arn: arn.clone() },
            arn,
            account: Some(text.to_string()),
            role_name: None,
        });
    }
    if !text.starts_with("arn:") {
        // Service principals are DNS-like names: `lambda.amazonaws.com`.
        if text.contains('.') && !text.contains(':') && !text.contains('/') {
            return Some(Caller {
                kind: PrincipalKind::Service,
                arn: text.to_string(),
                account: None,
                role_name: None,
                principal: RequestPrincipal::Service {
                    name: text.to_string(),
                },
            });
        }
        return None;
    }
    // Split without copying the parts: a requests file classifies each caller several times.
    let [_, partition, service, _, account, resource] = facts::arn::split_arn(text)?;
    let (kind_part, rest) = resource.split_once('/').unwrap_or((resource, ""));
    let aws = RequestPrincipal::Aws {
        arn: text.to_string(),
    };
    // IAM and STS principals live in an account: the ARN's account is a 12-digit id, and
    // the name after `user/`, `role/`... is not empty ("IAM identifiers").
    if !facts::arn::is_account_id(account) || partition.is_empty() {
        return None;
    }
    if kind_part != "root" && rest.is_empty() {
        return None;
    }
    let account = Some(account.to_string());
    let (kind, role_name, principal) = match (service, kind_part) {
        ("iam", "root") => (PrincipalKind::Root, None, aws),
        ("iam", "user") => (PrincipalKind::User, None, aws),
        ("iam", "role") => (PrincipalKind::Role, None, aws),
        ("sts", "assumed-role") => {
            let (role, session) = rest.split_once('/')?;
            if role.is_empty() || session.is_empty() {
                return None;
            }
            (PrincipalKind::Session, Some(role.to_string()), aws)
        }
        ("sts", "federated-user") => (PrincipalKind::FederatedUser, None, aws),
        ("iam", "saml-provider") | ("iam", "oidc-provider") => (
            PrincipalKind::Federated,
            None,
            RequestPrincipal::Federated {
                provider: text.to_string(),
            },
        ),
        _ => return None,
    };
    Some(Caller {
        kind,
        arn: text.to_string(),
        account,
        role_name,
        principal,
    })
}
