//! Which roles could trust a caller: an index from the principals trust policies name to the
//! roles, so a role-chain search only decides the hops a trust policy may allow.
//!
//! A role can only be assumed when its trust policy allows the caller (IAM User Guide, "IAM
//! roles"; the trust policy is the role's resource-based policy: "Cross-account policy
//! evaluation logic"). The index is the exact reverse of [`Analyzer::trust_callers`]: a role
//! is listed for a caller when one of the `Allow` statements of its trust policy names the
//! caller by ARN, names the caller's account (account id or `:root` ARN: every principal of
//! that account, "AWS JSON policy elements: Principal"), names the role of a session (a
//! role's ARN names its sessions), names a service the caller is, or names anyone (`*`, a
//! `NotPrincipal`, or no principal element): the last bucket also holds statements whose
//! `aws:PrincipalOrgID`-style conditions only the decision can check.
//!
//! [`Analyzer::trust_callers`]: crate::who_can::Analyzer::trust_callers

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use facts::policy::{Effect, PrincipalClause, PrincipalEntry, Principals, ResourceClause};
use facts::tables::{FactTables, PolicyId, Sym};

/// An account entity and the identity policies of a caller in it.
type AccountPolicies = (Sym, Vec<PolicyId>);

/// What a policy's `Allow` statements for `sts:AssumeRole` say about the role: whether the
/// policy's version applies variables, and per statement its resource element (`NotResource`
/// flag and patterns; `None` without one).
type AssumeStatements = (bool, Vec<Option<(bool, Vec<String>)>>);

/// Trust-policy principals → roles.
#[derive(Debug, Default)]
pub struct TrustIndex {
    /// Roles whose trust policy may name anyone.
    open: Vec<Sym>,
    /// Account entity → roles whose trust policy names the account.
    by_account: HashMap<Sym, Vec<Sym>>,
    /// Principal entity (user, role, service, external principal) → roles naming it.
    by_principal: HashMap<Sym, Vec<Sym>>,
    /// Session → its role.
    role_of: HashMap<Sym, Sym>,
    /// Per principal: the identity policies (own, its groups', its role's for a session)
    /// that hold an `Allow` statement whose action element matches `sts:AssumeRole`, each
    /// given as the first policy with the same such statements (same decision of
    /// [`policies_may_allow_assume`]), sorted, without repeats.
    identity_assume: HashMap<Sym, Vec<PolicyId>>,
    /// Per (account entity, identity policies of a caller): the roles whose trust policy
    /// names that account and whose ARN one of those policies' `sts:AssumeRole` statements
    /// may match ([`TrustIndex::roles_for`]); callers of one account with the same policies
    /// share it.
    by_account_allowed: Mutex<HashMap<AccountPolicies, Arc<Vec<Sym>>>>,
    /// Roles whose trust policy has a condition on a key the caller sets when assuming
    /// (`aws:RequestTag/*`, `aws:TagKeys`, `sts:SourceIdentity`, `sts:TransitiveTagKeys`)
    /// or allows `sts:TagSession`: a hop into them may carry session state to later hops.
    sets_session_state: bool,
}

/// The account a trust policy's `AWS` principal entry names as a whole: an account id
/// (`123456789012`) or an account's root ARN (`arn:aws:iam::123456789012:root`), which both
/// stand for every principal of that account (IAM User Guide, "AWS JSON policy elements:
/// Principal", "AWS account principals"); `None` for any other entry.
pub fn named_account(entry: &str) -> Option<&str> {
    if facts::arn::is_account_id(entry) {
        Some(entry)
    } else {
        entry
            .strip_suffix(":root")
            .and_then(|x| x.rsplit(':').next())
    }
}

/// Whether a condition key is one the caller sets for the new session (session tags,
/// source identity): IAM User Guide, "Pass session tags in AWS STS" and "Monitor and
/// control actions taken with assumed roles".
pub fn is_session_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:requesttag/")
        || k == "aws:tagkeys"
        || k == "sts:sourceidentity"
        || k == "sts:transitivetagkeys"
}

impl TrustIndex {
    /// Index the trust policies of `t`.
    pub fn new(t: &FactTables) -> TrustIndex {
        let mut ix = TrustIndex::default();
        for &(s, r) in &t.session_of {
            ix.role_of.insert(s, r);
        }
        // Holders (users, groups, roles) → their identity policies with an Allow for
        // sts:AssumeRole.
        // Policies whose `sts:AssumeRole` statements are the same (resource elements and
        // whether variables apply: all that [`policies_may_allow_assume`] reads) stand for
        // each other: each is listed as the first of them, so callers whose policies differ
        // only elsewhere (an inline policy per user) share their role lists.
        let mut holders: HashMap<Sym, Vec<PolicyId>> = HashMap::new();
        let mut same: HashMap<AssumeStatements, PolicyId> = HashMap::new();
        let mut standing: HashMap<PolicyId, Option<PolicyId>> = HashMap::new();
        for &(h, pid) in &t.identity_policies {
            let rep = *standing.entry(pid).or_insert_with(|| {
                let p = t.policies.get(pid as usize)?;
                let sts: Vec<Option<(bool, Vec<String>)>> = p
                    .document
                    .statements
                    .iter()
                    .filter(|st| {
                        st.effect == Effect::Allow
                            && facts::eval::action_matches(&st.action, "sts:AssumeRole")
                    })
                    .map(|st| {
                        st.resource.as_ref().map(|rc| match rc {
                            ResourceClause::Resource(ps) => {
                                (false, ps.iter().map(|x| x.0.clone()).collect())
                            }
                            ResourceClause::NotResource(ps) => {
                                (true, ps.iter().map(|x| x.0.clone()).collect())
                            }
                        })
                    })
                    .collect();
                if sts.is_empty() {
                    return None;
                }
                let key = (p.document.version.supports_variables(), sts);
                Some(*same.entry(key).or_insert(pid))
            });
            if let Some(rep) = rep {
                holders.entry(h).or_default().push(rep);
            }
        }
        let mut groups: HashMap<Sym, Vec<Sym>> = HashMap::new();
        for &(u, g) in &t.member_of {
            groups.entry(u).or_default().push(g);
        }
        for p in &t.principals {
            let mut mine = vec![p.id];
            mine.extend(ix.role_of.get(&p.id).copied());
            mine.extend(groups.get(&p.id).into_iter().flatten().copied());
            let mut pids: Vec<PolicyId> = mine
                .iter()
                .flat_map(|h| holders.get(h).into_iter().flatten().copied())
                .collect();
            if !pids.is_empty() {
                pids.sort_unstable();
                pids.dedup();
                ix.identity_assume.insert(p.id, pids);
            }
        }
        for &(role, pid) in &t.trust_policies {
            let Some(prow) = t.policies.get(pid as usize) else {
                continue;
            };
            let mut open = false;
            for st in prow
                .document
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                // A trust policy that allows sts:TagSession lets callers pass session tags,
                // of their choice unless its conditions fix them.
                if st.conditions.iter().any(|c| is_session_key(&c.key))
                    || facts::eval::action_matches(&st.action, "sts:TagSession")
                {
                    ix.sets_session_state = true;
                }
                match &st.principal {
                    None | Some(PrincipalClause::NotPrincipal(_)) => open = true,
                    Some(PrincipalClause::Principal(Principals::Any)) => open = true,
                    Some(PrincipalClause::Principal(Principals::Specific(es))) => {
                        for e in es {
                            match e {
                                PrincipalEntry::Aws(v) if v == "*" => open = true,
                                PrincipalEntry::Aws(v) => {
                                    match named_account(v).and_then(|a| t.account_entity(a)) {
                                        Some(acct) => {
                                            ix.by_account.entry(acct).or_default().push(role)
                                        }
                                        None => {
                                            if let Some(p) = t.principal_by_arn(v) {
                                                ix.by_principal.entry(p.id).or_default().push(role)
                                            }
                                        }
                                    }
                                }
                                PrincipalEntry::Service(v)
                                | PrincipalEntry::Federated(v)
                                | PrincipalEntry::CanonicalUser(v) => {
                                    if let Some(p) = t.principal_by_arn(v) {
                                        ix.by_principal.entry(p.id).or_default().push(role)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if open {
                ix.open.push(role);
            }
        }
        for v in ix
            .by_account
            .values_mut()
            .chain(ix.by_principal.values_mut())
        {
            v.sort_unstable();
            v.dedup();
        }
        ix.open.sort_unstable();
        ix.open.dedup();
        ix
    }

    /// Whether `caller`'s identity side may allow `sts:AssumeRole` at all. Without it, a
    /// trust policy that names the caller's account grants nothing ("Cross-account policy
    /// evaluation logic"; in one account, a role trust policy that names the account leaves
    /// the grant to identity policies: IAM User Guide, "IAM roles"), so only roles whose
    /// trust names the caller itself or anyone may be assumed.
    pub fn identity_may_assume(&self, caller: Sym) -> bool {
        self.identity_assume.contains_key(&caller)
    }

    /// Whether an identity policy of `caller` has an `Allow` statement for `sts:AssumeRole`
    /// whose resource element may match `role`'s ARN, conditions aside (policy variables
    /// read as `*`, a `NotResource` with variables as matching). Without one, a trust policy
    /// that names the caller's account, not the caller, grants `role` nothing: the grant is
    /// left to the identity policy, which must allow `sts:AssumeRole` on that role (IAM User
    /// Guide, "IAM roles", "Cross-account policy evaluation logic").
    pub fn identity_may_assume_role(&self, t: &FactTables, caller: Sym, role: Sym) -> bool {
        let pids = self.identity_assume.get(&caller);
        pids.is_some_and(|pids| policies_may_allow_assume(t, pids, role_arn(t, role)))
    }

    /// The roles whose trust policy may let `caller` assume them (not `caller` itself),
    /// sorted: the roles to decide `sts:AssumeRole` for. A superset of those it may assume:
    /// every role whose trust policy names the caller (or the role of its session) or
    /// anyone, and every role whose trust policy names the caller's account that an
    /// identity policy of the caller may allow it to assume
    /// ([`TrustIndex::identity_may_assume_role`]).
    pub fn roles_for(&self, t: &FactTables, caller: Sym) -> Vec<Sym> {
        let mut out: Vec<Sym> = self.open.clone();
        let mut holders = vec![caller];
        holders.extend(self.role_of.get(&caller).copied());
        let pids = self.identity_assume.get(&caller);
        for h in holders {
            out.extend(self.by_principal.get(&h).into_iter().flatten());
            let Some(pids) = pids else {
                continue;
            };
            if let Some(acct) = t.principal(h).and_then(|p| p.account) {
                out.extend(self.by_account_allowed(t, acct, pids).iter());
            }
        }
        out.sort_unstable();
        out.dedup();
        out.retain(|&r| r != caller);
        out
    }

    /// The roles whose trust policy names account `acct` that one of the identity policies
    /// `pids` may allow to be assumed; computed once per account and set of policies.
    fn by_account_allowed(&self, t: &FactTables, acct: Sym, pids: &[PolicyId]) -> Arc<Vec<Sym>> {
        let key = (acct, pids.to_vec());
        let mut cache = self
            .by_account_allowed
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        Arc::clone(cache.entry(key).or_insert_with(|| {
            let roles = self.by_account.get(&acct).into_iter().flatten().copied();
            // A statement on every resource (`*`, or no resource element) names every role.
            if policies_may_allow_assume(t, pids, "*") {
                return Arc::new(roles.collect());
            }
            Arc::new(
                roles
                    .filter(|&r| policies_may_allow_assume(t, pids, role_arn(t, r)))
                    .collect(),
            )
        }))
    }

    /// Whether `caller` may be let in by `role`'s trust policy (as [`TrustIndex::roles_for`]).
    pub fn could_assume(&self, caller: Sym, role: Sym) -> bool {
        if caller == role {
            return false;
        }
        if self.identity_may_assume(caller) {
            return true;
        }
        let named = |h: Sym| {
            self.by_principal
                .get(&h)
                .is_some_and(|rs| rs.binary_search(&role).is_ok())
        };
        self.open.binary_search(&role).is_ok()
            || named(caller)
            || self.role_of.get(&caller).is_some_and(|&r| named(r))
    }

    /// Whether some trust policy conditions on a key the caller sets for the session
    /// ([`is_session_key`]) or allows `sts:TagSession`: then a hop may carry session tags
    /// or a source identity.
    pub fn sets_session_state(&self) -> bool {
        self.sets_session_state
    }
}

/// The ARN of role `role`.
fn role_arn(t: &FactTables, role: Sym) -> &str {
    t.principal(role)
        .map(|r| t.symbols.name(r.arn))
        .unwrap_or_else(|| t.symbols.name(role))
}

/// Whether one of the identity policies `pids` has an `Allow` statement whose action element
/// matches `sts:AssumeRole` and whose resource element may match `role_arn` (conditions
/// aside; policy variables read as any value).
fn policies_may_allow_assume(t: &FactTables, pids: &[PolicyId], role_arn: &str) -> bool {
    pids.iter()
        .filter_map(|&pid| t.policies.get(pid as usize))
        .any(|p| {
            let vars = p.document.version.supports_variables();
            p.document.statements.iter().any(|st| {
                st.effect == Effect::Allow
                    && facts::eval::action_matches(&st.action, "sts:AssumeRole")
                    && st.resource.as_ref().is_none_or(|rc| {
                        crate::who_can::engine::may_match_any_value(rc, role_arn, vars)
                    })
            })
        })
}
