//! `organization.json` (documented in `docs/inputs.md`): the organization id, management
//! account, root, OU tree, accounts, and SCPs/RCPs with their attachment targets.
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
    AccountId, OrgAccount, OrgNode, OrgPolicy, OrgPolicyKind, Organization, OrganizationalUnit,
};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// The member that marks an organization document.
pub(crate) const MARKER: &str = "organizationId";

const TOP_KEYS: [&str; 6] = [
    "organizationId",
    "managementAccountId",
    "rootId",
    "organizationalUnits",
    "accounts",
    "policies",
];

/// Read an organization document into `b` (one organization per model).
pub(crate) fn ingest(ctx: &FileCtx, o: &Object, b: &mut Builder) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(o, &top, &TOP_KEYS, &mut b.model.warnings);
    if b.model.organization.is_some() {
        return Err(ctx.invalid(
            &top,
            "a second organization document; iamlogic models one organization per run",
        ));
    }
    let id = ctx.req_str(o, "organizationId", &top)?.to_string();
    if !id.starts_with("o-") {
        return Err(ctx.invalid(
            &top.key("organizationId"),
            format!("an organization id starts with `o-`, found `{id}`"),
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
    }
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

    for a in accounts.keys() {
        b.model.accounts.insert(a.clone());
    }
    b.model.organization = Some(Organization {
        id,
        management_account,
        root,
        units,
        accounts,
        policies,
        source: ctx.source(&top),
    });
    Ok(())
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

/// How many levels of OUs AWS allows under a root. AWS Organizations User Guide, "Quotas
/// and service limits for AWS Organizations": OU maximum nesting in a root is five levels
/// of OUs deep under a root. A deeper tree is no organization AWS can hold, and walking it
/// would make every decision slower (issue 12: a 5,000-level chain).
pub(crate) const MAX_OU_DEPTH: usize = 5;

/// Every OU must reach the root by following parents, within [`MAX_OU_DEPTH`] levels; an
/// OU's parent is never an account.
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
                    if steps > MAX_OU_DEPTH && reaches_root(units, uid) {
                        return Err(ctx.invalid(
                            &top.key("organizationalUnits").index(i).key("parentId"),
                            format!(
                                "OU `{uid}` is nested more than {MAX_OU_DEPTH} levels under the root; AWS Organizations allows at most {MAX_OU_DEPTH} (Quotas and service limits for AWS Organizations)"
                            ),
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

/// Whether following parents from OU `uid` reaches the root (and not a cycle), in at most
/// one step per OU.
fn reaches_root(units: &IndexMap<String, OrganizationalUnit>, uid: &str) -> bool {
    let mut node = OrgNode::Unit(uid.to_string());
    for _ in 0..=units.len() {
        match node {
            OrgNode::Root(_) => return true,
            OrgNode::Unit(u) => match units.get(&u) {
                Some(unit) => node = unit.parent.clone(),
                None => return false,
            },
            OrgNode::Account(_) => return false,
        }
    }
    false
}
