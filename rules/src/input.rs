//! Fact tables and a request batch → the `@input` relations of the decision program.
//! One conversion per relation, each named after the table it reads.

use std::collections::HashMap;

use facts::tables::{FactTables, PrincipalKind, Sym};

use crate::action_index::ActionMemo;
use crate::decide::{self, Oracle, OracleRef};
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

/// The role-assumption actions whose resource policy is the role's trust policy.
const ASSUME_ROLE_ACTIONS: [&str; 3] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
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
    Principal,
    PrincipalAccount,
    MemberOf,
    SessionOf,
    IdentityPolicy,
    BoundaryPolicy,
    SessionPolicy,
    ServiceLinkedRole,
    ManagementAccount,
    ScpLevel,
    ScpAttachment,
    RcpLevel,
    RcpAttachment,
    ResourceKindOf,
    ResourcePolicy,
    TrustPolicy,
    RestrictedPublicPolicy,
    PolicyActionStatement,
    AwsOwnedReq,
    NoPermissionReq,
);

/// Fill `rt` with every input relation for `batch`.
pub(crate) fn load<'a>(
    rt: &mut impl Sink<'a>,
    tables: &'a FactTables,
    memo: &ActionMemo,
    batch: &'a [BatchRequest],
    oracle: &'a Oracle<'a>,
) {
    rt.extend([decide::Env(OracleRef(oracle))]);
    load_tables(rt, tables);
    load_batch(rt, tables, memo, batch);
    load_aws_rules(rt, tables, batch);
}

/// `AwsOwnedReq` and `NoPermissionReq`: the requests of customers' principals (callers with
/// an identity side) that a rule of `facts::aws_rules` covers. The resource is judged by
/// its ARN in the tables when the tables know it (a loaded role's ARN carries its path).
fn load_aws_rules<'a>(rt: &mut impl Sink<'a>, t: &FactTables, batch: &[BatchRequest]) {
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
            Some(AwsRule::AwsOwned(k)) => owned.push(decide::AwsOwnedReq(i as u32, b.principal, k)),
            Some(AwsRule::NoPermissionRequired) => free.push(decide::NoPermissionReq(i as u32)),
            None => {}
        }
    }
    rt.extend(owned);
    rt.extend(free);
}

/// The relations that come straight from the tables.
fn load_tables<'a>(rt: &mut impl Sink<'a>, t: &FactTables) {
    rt.extend(t.principals.iter().map(|p| decide::Principal(p.id, p.kind)));
    rt.extend(
        t.principals
            .iter()
            .filter_map(|p| p.account.map(|a| decide::PrincipalAccount(p.id, a))),
    );
    rt.extend(t.member_of.iter().map(|&(u, g)| decide::MemberOf(u, g)));
    rt.extend(t.session_of.iter().map(|&(s, r)| decide::SessionOf(s, r)));
    rt.extend(
        t.identity_policies
            .iter()
            .map(|&(h, p)| decide::IdentityPolicy(h, p)),
    );
    rt.extend(
        t.boundaries
            .iter()
            .map(|&(h, p)| decide::BoundaryPolicy(h, p)),
    );
    rt.extend(
        t.session_policies
            .iter()
            .map(|&(h, p)| decide::SessionPolicy(h, p)),
    );
    rt.extend(
        t.service_linked_roles
            .iter()
            .map(|&r| decide::ServiceLinkedRole(r)),
    );
    rt.extend(
        t.management_accounts
            .iter()
            .map(|&a| decide::ManagementAccount(a)),
    );
    rt.extend(
        t.scp_levels
            .iter()
            .map(|l| decide::ScpLevel(l.account, l.node)),
    );
    rt.extend(
        t.scp_attachments
            .iter()
            .map(|&(n, p)| decide::ScpAttachment(n, p)),
    );
    rt.extend(
        t.rcp_levels
            .iter()
            .map(|l| decide::RcpLevel(l.account, l.node)),
    );
    rt.extend(
        t.rcp_attachments
            .iter()
            .map(|&(n, p)| decide::RcpAttachment(n, p)),
    );
    rt.extend(
        t.resources
            .iter()
            .map(|x| decide::ResourceKindOf(x.id, x.kind)),
    );
    rt.extend(
        t.resource_policies
            .iter()
            .map(|&(x, p)| decide::ResourcePolicy(x, p)),
    );
    rt.extend(
        t.trust_policies
            .iter()
            .map(|&(x, p)| decide::TrustPolicy(x, p)),
    );
    rt.extend(
        t.s3_restricted_policies
            .iter()
            .map(|&(x, p)| decide::RestrictedPublicPolicy(x, p)),
    );
}

/// The lowercased service prefix of an action.
fn service(action_lower: &str) -> &str {
    action_lower.split(':').next().unwrap_or("")
}

/// The relations of the batch: requests (with their action and whether caller and resource
/// share an account), their resources, RCP accounts, endpoint policies, and the statements
/// the action index found for their actions.
fn load_batch<'a>(
    rt: &mut impl Sink<'a>,
    t: &FactTables,
    memo: &ActionMemo,
    batch: &[BatchRequest],
) {
    let mut actions: HashMap<String, u32> = HashMap::new();
    let mut reqs = Vec::with_capacity(batch.len());
    let mut cross = Vec::new();
    let mut resources = Vec::new();
    let mut assume = Vec::new();
    let mut rcp = Vec::new();
    let mut vpce = Vec::new();
    for (i, b) in batch.iter().enumerate() {
        let r = i as u32;
        let lower = b.request.action.to_ascii_lowercase();
        let next = actions.len() as u32;
        let is_assume = ASSUME_ROLE_ACTIONS.contains(&lower.as_str());
        let is_rcp = RCP_SERVICES.contains(&service(&lower))
            && !RCP_EXEMPT_ACTIONS.contains(&lower.as_str());
        let a = match actions.get(&lower) {
            Some(&a) => a,
            None => {
                actions.insert(lower, next);
                next
            }
        };
        let p = b.principal;
        let same = same_account(t, b);
        reqs.push(decide::Req(r, p, a, same));
        if !same {
            cross.push(decide::CrossAccount(r));
        }
        if let Some(x) = b.resource {
            if is_assume {
                assume.push(decide::ReqAssumeRole(r, p, a, same, x));
            }
            resources.push(decide::ReqResource(r, p, a, same, x));
        }
        if let (true, Some(acct)) = (is_rcp, b.resource_account) {
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
    let mut pas = Vec::new();
    for (action, a) in &actions {
        for &s in memo.0.get(action).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(row) = t.statements.get(s as usize) {
                pas.push(decide::PolicyActionStatement(row.policy, *a, s, row.effect));
            }
        }
    }
    rt.extend(pas);
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
