//! A request batch and the rows of the fact tables it can reach (`select.rs`) → the
//! `@input` relations of the decision program.

use std::collections::HashMap;

use facts::tables::{FactTables, PrincipalKind, Sym};

use crate::profile::{Profile, ProfileId};

use crate::action_index::ActionMemo;
use crate::decide::{self, Oracle, OracleRef};
use crate::select::{FactIndex, Selection};
use crate::BatchRequest;

/// Service prefixes whose actions RCPs apply to. AWS Organizations User Guide, "Resource
/// control policies", section "List of AWS services that support RCPs".
pub(crate) const RCP_SERVICES: [&str; 10] = [
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "ecr",
    "aoss",
    "cognito-idp",
    "dynamodb",
    "logs",
];

/// Actions of RCP services that RCPs do not restrict. AWS KMS Developer Guide, "Resource
/// control policies in AWS KMS": the `kms:RetireGrant` permission is not effective in an RCP,
/// even under a wildcard `Action` (who may retire a grant is decided by the grant).
pub(crate) const RCP_EXEMPT_ACTIONS: [&str; 1] = ["kms:retiregrant"];

/// The actions on a role whose resource policy is the role's trust policy, which must allow
/// them: the role-assumption actions (IAM User Guide, "IAM roles": "Cross-account policy
/// evaluation logic"), and the permissions a caller needs to pass session tags
/// (`sts:TagSession`: IAM User Guide, "Pass session tags in AWS STS", "Permissions required
/// to add session tags": the role trust policy must allow it) and to set a source identity
/// (`sts:SetSourceIdentity`: IAM User Guide, "Monitor and control actions taken with assumed
/// roles", "Permissions required to set source identity": the role trust policy must allow
/// it).
const ASSUME_ROLE_ACTIONS: [&str; 5] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
];

/// Declares [`Sink`] over one list of input relations, so that the trait and its blanket
/// implementation cannot drift apart.
macro_rules! sink_of {
    ($($rel:ident),* $(,)?) => {
        /// Something that takes every input relation: the runtime of the decision program.
        pub(crate) trait Sink<'a>: Extend<decide::Env<'a>> $(+ Extend<decide::$rel>)* {}

        impl<'a, T> Sink<'a> for T where T: Extend<decide::Env<'a>> $(+ Extend<decide::$rel>)* {}
    };
}

sink_of!(
    Req,
    ReqResource,
    ReqAssumeRole,
    ReqRcp,
    CrossAccount,
    ReqVpcEndpoint,
    ClassKind,
    ClassHasLayer,
    ClassScpLevel,
    ClassScpEverywhere,
    ClassServiceLinked,
    ReqClassStatement,
    ManagementAccount,
    ScpAttachment,
    RcpLevel,
    RcpAttachment,
    AccountRcp,
    AccountRcpEverywhere,
    ResourceKindOf,
    ResourcePolicy,
    TrustPolicy,
    RestrictedPublicPolicy,
    PolicyActionStatement,
    AwsOwnedReq,
    NoPermissionReq,
);

/// The caller side of a batch: the class of each request's caller, and each class's
/// profile.
pub(crate) struct Callers<'p> {
    /// Per request: its caller's class.
    pub classes: &'p [ProfileId],
    /// The profile of a class.
    pub profile: &'p dyn Fn(ProfileId) -> Option<&'p Profile>,
}

/// Fill `rt` with the input relations for `batch`: the batch's requests, and the rows of
/// the tables they can reach ([`Selection`]). `ids[i]` is the id of request `i`'s action
/// in `actions`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn load<'a>(
    rt: &mut impl Sink<'a>,
    tables: &'a FactTables,
    idx: &FactIndex,
    memo: &ActionMemo,
    batch: &'a [BatchRequest],
    actions: &Actions,
    ids: &[u32],
    callers: &Callers<'_>,
    oracle: &'a Oracle<'a>,
) {
    rt.extend([decide::Env(OracleRef(oracle))]);
    let same = load_batch(rt, tables, batch, callers.classes, actions, ids);
    // The statements that can match each action, looked up once per action.
    let stmts: Vec<Option<&crate::action_index::ActionStatements>> =
        actions.names.iter().map(|n| memo.get(n)).collect();
    let sel = Selection::of(
        tables,
        idx,
        batch,
        callers.classes,
        callers.profile,
        ids,
        &stmts,
        &actions.rcp,
    );
    load_candidates(rt, &sel, callers.classes, &same);
    load_selection(rt, tables, sel);
    load_aws_rules(rt, tables, batch, callers.classes);
}

/// `AwsOwnedReq` and `NoPermissionReq`: the requests of customers' principals (callers with
/// an identity side) that a rule of `facts::aws_rules` covers. The resource is judged by
/// its ARN in the tables when the tables know it (a loaded role's ARN carries its path).
fn load_aws_rules<'a>(
    rt: &mut impl Sink<'a>,
    t: &FactTables,
    batch: &[BatchRequest],
    classes: &[ProfileId],
) {
    use facts::aws_rules::{rule_for, AwsRule};
    let mut owned = Vec::new();
    let mut free = Vec::new();
    for (i, b) in batch.iter().enumerate() {
        let customer = t
            .principal(b.principal)
            .is_some_and(|p| p.kind.has_identity_side());
        if !customer {
            continue;
        }
        let resource = b
            .resource
            .and_then(|x| t.resource(x))
            .map(|x| t.symbols.name(x.arn))
            .unwrap_or(&b.request.resource);
        match rule_for(&b.request.action, resource) {
            Some(AwsRule::AwsOwned(k)) => {
                if let Some(&c) = classes.get(i) {
                    owned.push(decide::AwsOwnedReq(i as u32, c, k));
                }
            }
            Some(AwsRule::NoPermissionRequired) => free.push(decide::NoPermissionReq(i as u32)),
            None => {}
        }
    }
    rt.extend(owned);
    rt.extend(free);
}

/// `ReqClassStatement`: each request with the candidate statements of its caller's class
/// for its action (its (class, action) pair's range of the selection), in request order.
fn load_candidates<'a>(
    rt: &mut impl Sink<'a>,
    s: &Selection,
    classes: &[ProfileId],
    same: &[bool],
) {
    let mut rows = Vec::with_capacity(s.pair_statements.len().max(classes.len()));
    for (i, (&(lo, hi), &c)) in s.class_candidates.iter().zip(classes).enumerate() {
        let same = same.get(i).copied().unwrap_or(false);
        for &(st, pol, l, e) in s
            .pair_statements
            .get(lo as usize..hi as usize)
            .unwrap_or(&[])
        {
            rows.push(decide::ReqClassStatement(i as u32, c, same, st, pol, l, e));
        }
    }
    rt.extend(rows);
}

/// The relations of the rows the batch can reach.
fn load_selection<'a>(rt: &mut impl Sink<'a>, t: &FactTables, s: Selection) {
    rt.extend(
        s.class_kinds
            .into_iter()
            .map(|(c, k)| decide::ClassKind(c, k)),
    );
    rt.extend(
        s.class_layers
            .into_iter()
            .map(|(c, l)| decide::ClassHasLayer(c, l)),
    );
    rt.extend(
        s.class_scp_levels
            .into_iter()
            .map(|(c, n)| decide::ClassScpLevel(c, n)),
    );
    rt.extend(
        s.class_service_linked
            .into_iter()
            .map(decide::ClassServiceLinked),
    );
    rt.extend(
        s.class_scp_everywhere
            .into_iter()
            .map(|(c, pol)| decide::ClassScpEverywhere(c, pol)),
    );
    // The management accounts: a handful of rows, every batch.
    rt.extend(
        t.management_accounts
            .iter()
            .map(|&a| decide::ManagementAccount(a)),
    );
    rt.extend(
        s.scp_attachments
            .into_iter()
            .map(|(n, p)| decide::ScpAttachment(n, p)),
    );
    rt.extend(
        s.rcp_levels
            .into_iter()
            .map(|(a, n)| decide::RcpLevel(a, n)),
    );
    rt.extend(
        s.rcp_attachments
            .into_iter()
            .map(|(n, p)| decide::RcpAttachment(n, p)),
    );
    rt.extend(
        s.account_rcps
            .into_iter()
            .map(|(a, pol)| decide::AccountRcp(a, pol)),
    );
    rt.extend(
        s.account_rcps_everywhere
            .into_iter()
            .map(|(a, pol)| decide::AccountRcpEverywhere(a, pol)),
    );
    rt.extend(
        s.resource_kinds
            .into_iter()
            .map(|(x, k)| decide::ResourceKindOf(x, k)),
    );
    rt.extend(
        s.resource_policies
            .into_iter()
            .map(|(x, p)| decide::ResourcePolicy(x, p)),
    );
    rt.extend(s.trust.into_iter().map(|(x, p)| decide::TrustPolicy(x, p)));
    rt.extend(
        s.statements
            .into_iter()
            .map(|(pol, a, st, e)| decide::PolicyActionStatement(pol, a, st, e)),
    );
    rt.extend(
        s.restricted
            .into_iter()
            .map(|(x, p)| decide::RestrictedPublicPolicy(x, p)),
    );
}

/// The lowercased service prefix of an action.
fn service(action_lower: &str) -> &str {
    action_lower.split(':').next().unwrap_or("")
}

/// The actions of a batch: an id per request, and per id the lowercased name (a key of the
/// action memo), whether RCPs apply to the action and whether it assumes a role.
pub(crate) struct Actions {
    /// Per request: the id of its action.
    pub ids: Vec<u32>,
    /// Per id: the lowercased action.
    pub names: Vec<String>,
    /// Per id: whether RCPs apply to the action.
    pub rcp: Vec<bool>,
    /// Per id: whether the action is one of [`ASSUME_ROLE_ACTIONS`].
    pub assume: Vec<bool>,
}

impl Actions {
    /// The actions of `batch`, each spelling lowercased once.
    pub(crate) fn of(batch: &[BatchRequest]) -> Actions {
        type Map<K> = HashMap<K, u32, crate::hash::FxBuildHasher>;
        let mut by_spelling: Map<&str> = Map::default();
        let mut by_name: Map<String> = Map::default();
        let mut a = Actions {
            ids: Vec::with_capacity(batch.len()),
            names: Vec::new(),
            rcp: Vec::new(),
            assume: Vec::new(),
        };
        for b in batch {
            let spelling = b.request.action.as_str();
            let id = match by_spelling.get(spelling) {
                Some(&id) => id,
                None => {
                    let lower = spelling.to_ascii_lowercase();
                    let id = match by_name.get(&lower) {
                        Some(&id) => id,
                        None => {
                            let id = a.names.len() as u32;
                            a.assume.push(ASSUME_ROLE_ACTIONS.contains(&lower.as_str()));
                            a.rcp.push(
                                RCP_SERVICES.contains(&service(&lower))
                                    && !RCP_EXEMPT_ACTIONS.contains(&lower.as_str()),
                            );
                            a.names.push(lower.clone());
                            by_name.insert(lower, id);
                            id
                        }
                    };
                    by_spelling.insert(spelling, id);
                    id
                }
            };
            a.ids.push(id);
        }
        a
    }
}

/// The relations of the batch's requests (with their action and whether caller and
/// resource share an account), their resources, RCP accounts and endpoint policies.
/// Returns, per request, whether its caller is in the resource's account.
fn load_batch<'a>(
    rt: &mut impl Sink<'a>,
    t: &FactTables,
    batch: &[BatchRequest],
    classes: &[ProfileId],
    actions: &Actions,
    ids: &[u32],
) -> Vec<bool> {
    let mut sames = Vec::with_capacity(batch.len());
    let mut reqs = Vec::with_capacity(batch.len());
    let mut cross = Vec::new();
    let mut resources = Vec::new();
    let mut assume = Vec::new();
    let mut rcp = Vec::new();
    let mut vpce = Vec::new();
    for (i, b) in batch.iter().enumerate() {
        let r = i as u32;
        let a = ids.get(i).copied().unwrap_or_default();
        let p = classes.get(i).copied().unwrap_or(crate::profile::UNKNOWN);
        let same = same_account(t, b);
        sames.push(same);
        reqs.push(decide::Req(r, p, a, same));
        if !same {
            cross.push(decide::CrossAccount(r));
        }
        if let Some(x) = b.resource {
            if actions.assume.get(a as usize).copied().unwrap_or(false) {
                assume.push(decide::ReqAssumeRole(r, p, a, same, x));
            }
            resources.push(decide::ReqResource(r, p, a, same, x));
        }
        if let (Some(true), Some(acct)) = (actions.rcp.get(a as usize), b.resource_account) {
            rcp.push(decide::ReqRcp(r, p, a, same, acct));
        }
        if let Some(pol) = b.vpc_endpoint_policy {
            vpce.push(decide::ReqVpcEndpoint(r, p, a, same, pol));
        }
    }
    rt.extend(reqs);
    rt.extend(cross);
    rt.extend(resources);
    rt.extend(assume);
    rt.extend(rcp);
    rt.extend(vpce);
    sames
}

/// Whether the caller of `b` is in the account that owns the resource. Callers without an
/// account (anonymous, services) are never in the same account.
fn same_account(t: &FactTables, b: &BatchRequest) -> bool {
    let Some(p) = t.principal(b.principal) else {
        return false;
    };
    if !matches!(
        p.kind,
        PrincipalKind::Root
            | PrincipalKind::User
            | PrincipalKind::Role
            | PrincipalKind::Session
            | PrincipalKind::FederatedUser
    ) {
        return false;
    }
    let caller: Option<&str> = p.account.and_then(|a: Sym| t.account_id_of(a));
    match (&b.resource_account_id, caller) {
        (None, _) => true,
        (Some(owner), Some(caller)) => owner == caller,
        (Some(_), None) => false,
    }
}
