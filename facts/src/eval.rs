//! The concrete evaluator of one policy against one request.
//!
//! A statement applies to a request when its action element, resource element, principal
//! element (when it has one) and every condition match (AWS IAM User Guide, "Policy
//! evaluation logic" and the element reference pages). This module is on the hot path of
//! the Datalog rules: matching does not allocate unless a pattern holds a policy variable.
//!
//! Principal rules (IAM User Guide, "AWS JSON policy elements: Principal"):
//! - `"Principal": "*"` and `{"AWS": "*"}` name every principal, anonymous callers included
//!   (the guide lists both forms for public access); iamlogic treats them as equivalent.
//! - An account id or an account root ARN (`arn:aws:iam::111122223333:root`) names every
//!   principal of that account.
//! - A role ARN names the role and every session assumed from it
//!   (`arn:aws:sts::111122223333:assumed-role/RoleName/session`); the role's path is not part
//!   of the session ARN. Other ARNs (users, assumed-role sessions, federated users) name
//!   exactly themselves. AWS allows no partial wildcards in principal ARNs, so ARNs are
//!   compared as text.
//! - `Service`, `Federated` and `CanonicalUser` name exactly the caller of that kind (service
//!   names compared case-insensitively).
//! - `NotPrincipal` applies to every caller it does not exempt. AWS ("AWS JSON policy
//!   elements: NotPrincipal") checks an IAM caller level by level: first the account, then
//!   the user (or, for a role session, the role and then the session). A caller is exempt
//!   only when every level is listed: naming `user/alice` without alice's account still
//!   denies alice; naming the account alone still denies every user and role of it. Callers
//!   that are not IAM identities (services, federated, canonical users, anonymous) are
//!   exempt when an entry names them.

use crate::arn::{is_account_id, resource_matches, split_arn};
use crate::condition::eval::condition_holds;
use crate::policy::{
    ActionClause, Policy, PrincipalClause, PrincipalEntry, Principals, ResourceClause,
    ResourcePattern, Statement,
};
use crate::request::{Context, Request, RequestPrincipal};
use crate::variables::{has_variables, substitute_glob, SubstitutedGlob};
use crate::wildcard::{glob_match, glob_match_tokens};

pub mod prepared;

pub use prepared::PreparedStatement;

/// Which statements of a policy apply to a request, by effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMatch {
    /// Indices of `Allow` statements that apply.
    pub allows: Vec<usize>,
    /// Indices of `Deny` statements that apply.
    pub denies: Vec<usize>,
}

/// Whether `stmt` (of a policy with `policy`'s version) applies to `req`: action, resource,
/// principal (when the statement has a principal element) and every condition match.
pub fn statement_applies(policy: &Policy, stmt: &Statement, req: &Request) -> bool {
    let variables = policy.version.supports_variables();
    action_matches(&stmt.action, &req.action)
        && stmt
            .resource
            .as_ref()
            .is_none_or(|r| resource_clause_matches(r, &req.resource, &req.context, variables))
        && stmt
            .principal
            .as_ref()
            .is_none_or(|p| principal_clause_matches(p, &req.principal))
        && stmt
            .conditions
            .iter()
            .all(|c| condition_holds(c, &req.context, variables))
}

/// Every statement of `policy` that applies to `req`.
pub fn evaluate_policy(policy: &Policy, req: &Request) -> PolicyMatch {
    let mut m = PolicyMatch::default();
    for (i, stmt) in policy.statements.iter().enumerate() {
        if statement_applies(policy, stmt, req) {
            match stmt.effect {
                crate::policy::Effect::Allow => m.allows.push(i),
                crate::policy::Effect::Deny => m.denies.push(i),
            }
        }
    }
    m
}

/// Whether the action element matches `action` (case-insensitive globs; `NotAction`
/// matches every action that no pattern matches).
pub fn action_matches(clause: &ActionClause, action: &str) -> bool {
    match clause {
        ActionClause::Action(ps) => ps.iter().any(|p| glob_match(&p.0, action, true)),
        ActionClause::NotAction(ps) => !ps.iter().any(|p| glob_match(&p.0, action, true)),
    }
}

/// Whether the resource element matches `resource`, substituting policy variables from
/// `ctx` when `variables` is set. A pattern whose variable cannot be resolved matches
/// nothing (so under `NotResource` it excludes nothing).
pub fn resource_clause_matches(
    clause: &ResourceClause,
    resource: &str,
    ctx: &Context,
    variables: bool,
) -> bool {
    let any = |ps: &[ResourcePattern]| {
        ps.iter()
            .any(|p| resource_pattern_matches(&p.0, resource, ctx, variables))
    };
    match clause {
        ResourceClause::Resource(ps) => any(ps),
        ResourceClause::NotResource(ps) => !any(ps),
    }
}

/// One resource pattern against one resource (see [`resource_clause_matches`]).
pub fn resource_pattern_matches(
    pattern: &str,
    resource: &str,
    ctx: &Context,
    variables: bool,
) -> bool {
    if variables && has_variables(pattern) {
        return match substitute_glob(pattern, ctx) {
            SubstitutedGlob::Unresolved => false,
            SubstitutedGlob::Plain(p) => resource_matches(&p, resource),
            SubstitutedGlob::Tokens(toks) => glob_match_tokens(&toks, resource, false),
        };
    }
    resource_matches(pattern, resource)
}

/// Whether the principal element names `caller` (see the module documentation).
pub fn principal_clause_matches(clause: &PrincipalClause, caller: &RequestPrincipal) -> bool {
    match clause {
        PrincipalClause::Principal(ps) => principals_match(ps, caller),
        PrincipalClause::NotPrincipal(ps) => !not_principal_exempts(ps, caller),
    }
}

/// Whether a `NotPrincipal` element exempts `caller`: every level of an IAM caller's
/// identity (account, then user or role, then session) must be listed (see the module
/// documentation); other callers must be named by an entry.
pub fn not_principal_exempts(ps: &Principals, caller: &RequestPrincipal) -> bool {
    let entries = match ps {
        Principals::Any => return true,
        Principals::Specific(entries) => entries,
    };
    let RequestPrincipal::Aws { arn } = caller else {
        return entries.iter().any(|e| entry_matches(e, caller));
    };
    let listed = |level: &str| {
        entries.iter().any(|e| match e {
            PrincipalEntry::Aws(id) => id == "*" || id == level,
            _ => false,
        })
    };
    let Some([_, partition, service, _, account, resource]) = split_arn(arn) else {
        return listed(arn);
    };
    let account_listed = entries.iter().any(|e| match e {
        PrincipalEntry::Aws(id) => {
            id == "*" || id == account || *id == format!("arn:{partition}:iam::{account}:root")
        }
        _ => false,
    });
    if !account_listed {
        return false;
    }
    if service == "iam" && resource == "root" {
        return true;
    }
    if service == "sts" {
        if let Some((role_name, _session)) = resource
            .strip_prefix("assumed-role/")
            .and_then(|rest| rest.split_once('/'))
        {
            // The role level: a role ARN (any path) of the same account and name.
            let role_listed = entries.iter().any(|e| match e {
                PrincipalEntry::Aws(id) => {
                    id == "*"
                        || split_arn(id).is_some_and(|[_, p, s, _, a, r]| {
                            p == partition
                                && s == "iam"
                                && a == account
                                && r.strip_prefix("role/")
                                    .is_some_and(|path| path.rsplit('/').next() == Some(role_name))
                        })
                }
                _ => false,
            });
            return role_listed && listed(arn);
        }
    }
    listed(arn)
}

/// Whether any entry of `ps` names `caller`.
pub fn principals_match(ps: &Principals, caller: &RequestPrincipal) -> bool {
    match ps {
        Principals::Any => true,
        Principals::Specific(entries) => match caller {
            // An IAM caller's ARN is split at most once for all entries (not once per
            // entry), and only when an entry is neither `*` nor the caller's ARN.
            RequestPrincipal::Aws { arn } => {
                let mut parts: Option<Option<[&str; 6]>> = None;
                entries.iter().any(|e| match e {
                    PrincipalEntry::Aws(id) => {
                        id == "*"
                            || id == arn
                            || aws_entry_matches_split(
                                id,
                                arn,
                                parts.get_or_insert_with(|| split_arn(arn)).as_ref(),
                            )
                    }
                    _ => false,
                })
            }
            _ => entries.iter().any(|e| entry_matches(e, caller)),
        },
    }
}

/// Whether one principal entry names `caller`.
pub fn entry_matches(entry: &PrincipalEntry, caller: &RequestPrincipal) -> bool {
    match (entry, caller) {
        (PrincipalEntry::Aws(id), _) if id == "*" => true,
        (PrincipalEntry::Aws(id), RequestPrincipal::Aws { arn }) => aws_entry_matches(id, arn),
        (PrincipalEntry::Service(s), RequestPrincipal::Service { name }) => {
            s.eq_ignore_ascii_case(name)
        }
        (PrincipalEntry::Federated(p), RequestPrincipal::Federated { provider }) => p == provider,
        (PrincipalEntry::CanonicalUser(c), RequestPrincipal::CanonicalUser { id }) => c == id,
        _ => false,
    }
}

/// An `AWS` principal entry (account id, root ARN, role, user or session ARN) against the
/// ARN of an IAM caller.
pub fn aws_entry_matches(entry: &str, caller_arn: &str) -> bool {
    aws_entry_matches_split(entry, caller_arn, split_arn(caller_arn).as_ref())
}

/// [`aws_entry_matches`] given the caller's ARN already split by [`split_arn`] (`None` when
/// it is not an ARN). The entry is not split: an entry naming the caller's account or one of
/// its roles must read `arn:<caller's partition>:iam:<any region>:<caller's account>:`
/// followed by `root` or `role/<path><RoleName>`, which is checked against the caller's
/// parts in one scan (the same parts [`split_arn`] would find in the entry).
fn aws_entry_matches_split(entry: &str, caller_arn: &str, caller: Option<&[&str; 6]>) -> bool {
    if entry == caller_arn {
        return true;
    }
    let Some(&[_, c_part, c_service, _, c_account, c_resource]) = caller else {
        return false;
    };
    if is_account_id(entry) {
        return entry == c_account;
    }
    // The entry's partition, service and account must be the caller's partition, `iam` and
    // the caller's account; its region (empty for IAM) is not compared. The caller's parts
    // hold no `:`, so a prefix match is an equal part.
    let Some(rest) = entry
        .strip_prefix("arn:")
        .and_then(|r| r.strip_prefix(c_part))
        .and_then(|r| r.strip_prefix(":iam:"))
    else {
        return false;
    };
    let Some(e_resource) = rest
        .bytes()
        .position(|b| b == b':')
        .and_then(|i| rest.get(i + 1..))
        .and_then(|r| r.strip_prefix(c_account))
        .and_then(|r| r.strip_prefix(':'))
    else {
        return false;
    };
    if e_resource == "root" {
        return true;
    }
    // A role ARN names the sessions assumed from it: assumed-role/<RoleName>/<session>.
    if let Some(role_path) = e_resource.strip_prefix("role/") {
        // The last `/`-separated part (scanned as bytes: `/` is ASCII).
        let role_name = role_path
            .bytes()
            .rposition(|b| b == b'/')
            .and_then(|i| role_path.get(i + 1..))
            .unwrap_or(role_path);
        if c_service == "sts" {
            if let Some(rest) = c_resource.strip_prefix("assumed-role/") {
                // `<RoleName>/<session>`: the name is what precedes the first `/`.
                return rest
                    .bytes()
                    .position(|b| b == b'/')
                    .and_then(|i| rest.get(..i))
                    .is_some_and(|name| name == role_name);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prepared_tests;
