//! `organization.json` (documented in `docs/inputs.md`): the organization id, management
//! account, root, OU tree, accounts, SCPs/RCPs with their attachment targets, and the policy
//! types enabled on the root. Several organizations may be loaded in one run (a data set
//! spanning organizations); each account belongs to the one that lists it, and an account
//! listed by two is an error naming both files.
//!
//! ```json
//! {
//!   "organizationId": "o-a1b2c3d4e5",
//!   "managementAccountId": "111111111111",
//!   "rootId": "r-a1b2",
//!   "organizationalUnits": [{"id": "ou-a1b2-11111111", "name": "Workloads", "parentId": "r-a1b2"}],
//!   "accounts": [{"id": "222222222222", "name": "prod", "parentId": "ou-a1b2-11111111"}],
//!   "policies": [{"id": "p-11111111", "name": "DenyLeave", "type": "SERVICE_CONTROL_POLICY",
//!                 "document": {...}, "targets": ["r-a1b2"]}]
//! }
//! ```

use indexmap::IndexMap;
use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{
    AccountId, EnabledPolicyTypes, OrgAccount, OrgNode, OrgPolicy, OrgPolicyKind, Organization,
    OrganizationalUnit, PolicyTypesOrigin, Warning, WarningKind,
};
use super::read::{FileCtx, Object};
use super::roots;
use crate::error::JsonPath;

/// The member that marks an organization document.
pub(crate) const MARKER: &str = "organizationId";

const TOP_KEYS: [&str; 7] = [
    "organizationId",
    "managementAccountId",
    "rootId",
    "organizationalUnits",
    "accounts",
    "policies",
    "enabledPolicyTypes",
];

/// The id and name AWS gives the RCP it attaches everywhere when RCPs are enabled.
const RCP_FULL_ACCESS_ID: &str = "p-RCPFullAWSAccess";
const RCP_FULL_ACCESS_NAME: &str = "RCPFullAWSAccess";

/// Read an organization document into `b`, next to the organizations already loaded.
pub(crate) fn ingest(ctx: &FileCtx, o: &Object, b: &mut Builder) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(o, &top, &TOP_KEYS, &mut b.model.warnings);
    let id = ctx.req_str(o, "organizationId", &top)?.to_string();
    if !id.starts_with("o-") {
        return Err(ctx.invalid(
            &top.key("organizationId"),
            format!("an organization id starts with `o-`, found `{id}`"),
        ));
    }
    if let Some(other) = b.model.organizations.iter().find(|x| x.id == id) {
        return Err(ctx.invalid(
            &top.key("organizationId"),
            format!(
                "organization `{id}` is already described in {}",
                other.source.file.display()
            ),
        ));
    }
    let mgmt_text = ctx.req_str(o, "managementAccountId", &top)?;
    let management_account = ctx.account_id(mgmt_text, &top.key("managementAccountId"))?;
    let root = ctx.req_str(o, "rootId", &top)?.to_string();
    if !root.starts_with("r-") {
        return Err(ctx.invalid(
            &top.key("rootId"),
            format!("a root id starts with `r-`, found `{root}`"),
        ));
    }
    if let Some(other) = b.model.organizations.iter().find(|x| x.root == root) {
        return Err(ctx.invalid(
            &top.key("rootId"),
            format!(
                "root `{root}` is also the root of organization `{}` in {}; AWS ids are unique",
                other.id,
                other.source.file.display()
            ),
        ));
    }

    // Parents may be listed after their children: collect ids first, then check parents.
    let mut units = IndexMap::new();
    let mut raw_parents = Vec::new();
    for (i, v) in ctx
        .opt_array(o, "organizationalUnits", &top)?
        .iter()
        .enumerate()
    {
        let p = top.key("organizationalUnits").index(i);
        let uo = ctx.object(v, &p)?;
        ctx.check_keys(uo, &p, &["id", "name", "parentId"], &mut b.model.warnings);
        let uid = ctx.req_str(uo, "id", &p)?.to_string();
        let parent = ctx.req_str(uo, "parentId", &p)?.to_string();
        raw_parents.push((uid.clone(), parent, p.key("parentId")));
        let unit = OrganizationalUnit {
            id: uid.clone(),
            name: ctx.opt_str(uo, "name", &p)?.unwrap_or_default().to_string(),
            parent: OrgNode::Root(root.clone()),
        };
        if units.insert(uid.clone(), unit).is_some() {
            return Err(ctx.invalid(&p.key("id"), format!("OU `{uid}` is listed twice")));
        }
        if let Some(other) = b
            .model
            .organizations
            .iter()
            .find(|x| x.units.contains_key(&uid))
        {
            return Err(ctx.invalid(
                &p.key("id"),
                format!(
                    "OU `{uid}` is also in organization `{}` in {}; AWS ids are unique",
                    other.id,
                    other.source.file.display()
                ),
            ));
        }
    }
    for (uid, parent, p) in raw_parents {
        let node = parent_node(ctx, &parent, &root, &units, &p)?;
        if let Some(u) = units.get_mut(&uid) {
            u.parent = node;
        }
    }
    check_acyclic(ctx, &units, &top)?;

    let mut accounts = IndexMap::new();
    for (i, v) in ctx.opt_array(o, "accounts", &top)?.iter().enumerate() {
        let p = top.key("accounts").index(i);
        let ao = ctx.object(v, &p)?;
        ctx.check_keys(ao, &p, &["id", "name", "parentId"], &mut b.model.warnings);
        let aid = ctx.account_id(ctx.req_str(ao, "id", &p)?, &p.key("id"))?;
        let parent_text = ctx.req_str(ao, "parentId", &p)?;
        let parent = parent_node(ctx, parent_text, &root, &units, &p.key("parentId"))?;
        let acct = OrgAccount {
            id: aid.clone(),
            name: ctx.opt_str(ao, "name", &p)?.map(str::to_string),
            parent,
        };
        if accounts.insert(aid.clone(), acct).is_some() {
            return Err(ctx.invalid(&p.key("id"), format!("account `{aid}` is listed twice")));
        }
        check_not_elsewhere(ctx, b, &aid, &p.key("id"))?;
    }
    check_not_elsewhere(ctx, b, &management_account, &top.key("managementAccountId"))?;
    // The management account is a member of its organization, directly under the root
    // unless the document places it elsewhere.
    accounts
        .entry(management_account.clone())
        .or_insert_with(|| OrgAccount {
            id: management_account.clone(),
            name: None,
            parent: OrgNode::Root(root.clone()),
        });

    let mut policies = IndexMap::new();
    for (i, v) in ctx.opt_array(o, "policies", &top)?.iter().enumerate() {
        let p = top.key("policies").index(i);
        let po = ctx.object(v, &p)?;
        ctx.check_keys(
            po,
            &p,
            &["id", "name", "type", "document", "targets"],
            &mut b.model.warnings,
        );
        let pid = ctx.req_str(po, "id", &p)?.to_string();
        let kind = match ctx.req_str(po, "type", &p)? {
            "SERVICE_CONTROL_POLICY" => OrgPolicyKind::Scp,
            "RESOURCE_CONTROL_POLICY" => OrgPolicyKind::Rcp,
            other => {
                return Err(ctx.invalid(
                    &p.key("type"),
                    format!(
                        "expected `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`, found `{other}`"
                    ),
                ))
            }
        };
        let doc_path = p.key("document");
        let doc = po
            .get("document")
            .ok_or_else(|| ctx.invalid(&p, "missing required element `document`"))?;
        let mut targets = Vec::new();
        for (j, t) in ctx.opt_array(po, "targets", &p)?.iter().enumerate() {
            let tp = p.key("targets").index(j);
            let Value::String(text) = t else {
                return Err(ctx.invalid(&tp, "expected a root, OU or account id string"));
            };
            let node = parent_node(ctx, text, &root, &units, &tp)?;
            let node = match node {
                OrgNode::Account(a) if !accounts.contains_key(&a) => {
                    return Err(
                        ctx.invalid(&tp, format!("account `{a}` is not listed under `accounts`"))
                    )
                }
                n => n,
            };
            targets.push(node);
        }
        let policy = OrgPolicy {
            id: pid.clone(),
            name: ctx.opt_str(po, "name", &p)?.unwrap_or(&pid).to_string(),
            kind,
            document: ctx.policy(doc, &doc_path)?,
            targets,
            source: ctx.source(&doc_path),
        };
        if policies.insert(pid.clone(), policy).is_some() {
            return Err(ctx.invalid(&p.key("id"), format!("policy `{pid}` is listed twice")));
        }
    }

    let enabled = match o.get("enabledPolicyTypes") {
        None | Some(Value::Null) => EnabledPolicyTypes {
            scp: policies.values().any(|p| p.kind == OrgPolicyKind::Scp),
            rcp: policies.values().any(|p| p.kind == OrgPolicyKind::Rcp),
            origin: PolicyTypesOrigin::Listed,
        },
        Some(_) => {
            let at = top.key("enabledPolicyTypes");
            let items = ctx.opt_array(o, "enabledPolicyTypes", &top)?;
            let (scp, rcp) = roots::read_types(ctx, items, &at, &mut b.model.warnings)?;
            EnabledPolicyTypes {
                scp,
                rcp,
                origin: PolicyTypesOrigin::Given(ctx.source(&at)),
            }
        }
    };

    for a in accounts.keys() {
        b.model.accounts.insert(a.clone());
    }
    b.model.organizations.push(Organization {
        id,
        management_account,
        root,
        units,
        accounts,
        policies,
        enabled,
        source: ctx.source(&top),
    });
    Ok(())
}

/// An account belongs to one organization: `account` must not be listed (nor be the
/// management account) of an organization read from another file.
fn check_not_elsewhere(
    ctx: &FileCtx,
    b: &Builder,
    account: &AccountId,
    path: &JsonPath,
) -> Result<(), IngestError> {
    match b.model.organization_of(account) {
        Some(other) => Err(ctx.invalid(
            path,
            format!(
                "account `{account}` is also listed by organization `{}` in {}; an account belongs to one organization",
                other.id,
                other.source.file.display()
            ),
        )),
        None => Ok(()),
    }
}

/// Complete an organization once every input is read (its enabled policy types may come
/// from `list-roots` output in another file):
/// - policies of a type that is not enabled are not evaluated: each is a warning (AWS
///   Organizations User Guide, "Disabling a policy type": disabling detaches them all);
/// - when RCPs are enabled, `RCPFullAWSAccess` is attached to the root, every OU and every
///   account ("RCP evaluation": it is attached automatically when RCPs are enabled and
///   cannot be detached). A listed `RCPFullAWSAccess` (id `p-RCPFullAWSAccess` or that name)
///   gets every node as a target; otherwise AWS's document is added under that id.
pub(crate) fn finish(org: &mut Organization, warnings: &mut Vec<Warning>) {
    for p in org.policies.values() {
        if !org.enabled.contains(p.kind) {
            warnings.push(Warning {
                source: p.source.clone(),
                kind: WarningKind::PolicyTypeNotEnabled {
                    policy: p.id.clone(),
                    policy_type: match p.kind {
                        OrgPolicyKind::Scp => "SERVICE_CONTROL_POLICY",
                        OrgPolicyKind::Rcp => "RESOURCE_CONTROL_POLICY",
                    },
                },
            });
        }
    }
    if org.enabled.scp {
        warn_nodes_without_scp(org, warnings);
    }
    if !org.enabled.rcp {
        return;
    }
    let every_node: Vec<OrgNode> = std::iter::once(OrgNode::Root(org.root.clone()))
        .chain(org.units.keys().map(|u| OrgNode::Unit(u.clone())))
        .chain(org.accounts.keys().map(|a| OrgNode::Account(a.clone())))
        .collect();
    let listed = org.policies.values_mut().find(|p| {
        p.kind == OrgPolicyKind::Rcp
            && (p.id == RCP_FULL_ACCESS_ID || p.name == RCP_FULL_ACCESS_NAME)
    });
    match listed {
        Some(p) => {
            for n in every_node {
                if !p.targets.contains(&n) {
                    p.targets.push(n);
                }
            }
        }
        None => {
            org.policies.insert(
                RCP_FULL_ACCESS_ID.to_string(),
                OrgPolicy {
                    id: RCP_FULL_ACCESS_ID.to_string(),
                    name: RCP_FULL_ACCESS_NAME.to_string(),
                    kind: OrgPolicyKind::Rcp,
                    document: rcp_full_access(),
                    targets: every_node,
                    source: org.source.clone(),
                },
            );
        }
    }
}

/// "Every root, OU, and account must have at least one SCP attached" (Organizations API
/// Reference, `DetachPolicy`): nodes without one mean the data is incomplete. The management
/// account is left out (SCPs do not affect it). One warning per organization.
fn warn_nodes_without_scp(org: &Organization, warnings: &mut Vec<Warning>) {
    let has_scp = |n: &OrgNode| org.policies_at(n, OrgPolicyKind::Scp).next().is_some();
    let missing: Vec<String> = std::iter::once(OrgNode::Root(org.root.clone()))
        .chain(org.units.keys().map(|u| OrgNode::Unit(u.clone())))
        .chain(
            org.accounts
                .keys()
                .filter(|a| **a != org.management_account)
                .map(|a| OrgNode::Account(a.clone())),
        )
        .filter(|n| !has_scp(n))
        .map(|n| match n {
            OrgNode::Root(id) | OrgNode::Unit(id) => id,
            OrgNode::Account(a) => a.0,
        })
        .collect();
    if !missing.is_empty() {
        warnings.push(Warning {
            source: org.source.clone(),
            kind: WarningKind::NodesWithoutScp {
                count: missing.len(),
                examples: missing.into_iter().take(5).collect(),
            },
        });
    }
}

/// The document of AWS's `RCPFullAWSAccess` ("RCP evaluation": allows every principal and
/// action to pass RCP evaluation; it grants nothing):
/// `{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}`.
fn rcp_full_access() -> crate::policy::Policy {
    use crate::policy::{
        ActionClause, ActionPattern, Effect, Policy, PolicyVersion, PrincipalClause, Principals,
        ResourceClause, ResourcePattern, Statement,
    };
    Policy {
        version: PolicyVersion::V2012_10_17,
        version_given: true,
        id: None,
        statements: vec![Statement {
            index: 0,
            sid: None,
            effect: Effect::Allow,
            action: ActionClause::Action(vec![ActionPattern("*".to_string())]),
            resource: Some(ResourceClause::Resource(vec![ResourcePattern(
                "*".to_string(),
            )])),
            principal: Some(PrincipalClause::Principal(Principals::Any)),
            conditions: Vec::new(),
        }],
    }
}
/// A root id, OU id or account id, resolved against the tree read so far.
fn parent_node(
    ctx: &FileCtx,
    text: &str,
    root: &str,
    units: &IndexMap<String, OrganizationalUnit>,
    path: &JsonPath,
) -> Result<OrgNode, IngestError> {
    if text == root {
        Ok(OrgNode::Root(text.to_string()))
    } else if units.contains_key(text) {
        Ok(OrgNode::Unit(text.to_string()))
    } else if let Some(a) = AccountId::parse(text) {
        Ok(OrgNode::Account(a))
    } else {
        Err(ctx.invalid(
            path,
            format!("`{text}` is neither the root `{root}`, a listed OU, nor an account id"),
        ))
    }
}

/// Every OU must reach the root by following parents; an OU's parent is never an account.
fn check_acyclic(
    ctx: &FileCtx,
    units: &IndexMap<String, OrganizationalUnit>,
    top: &JsonPath,
) -> Result<(), IngestError> {
    for (i, (uid, _)) in units.iter().enumerate() {
        let mut node = OrgNode::Unit(uid.clone());
        let mut steps = 0;
        loop {
            match node {
                OrgNode::Root(_) => break,
                OrgNode::Unit(u) => {
                    steps += 1;
                    let Some(unit) = units.get(&u) else { break };
                    if steps > units.len() {
                        return Err(ctx.invalid(
                            &top.key("organizationalUnits").index(i),
                            format!("OU `{uid}` is its own ancestor"),
                        ));
                    }
                    node = unit.parent.clone();
                }
                OrgNode::Account(_) => {
                    return Err(ctx.invalid(
                        &top.key("organizationalUnits").index(i).key("parentId"),
                        "an OU's parent must be the root or an OU",
                    ))
                }
            }
        }
    }
    Ok(())
}
