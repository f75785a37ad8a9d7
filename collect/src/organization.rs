//! The AWS Organization as `organization.json` (docs/inputs.md): the root and the policy
//! types enabled on it (`enabledPolicyTypes`, as `list-roots` shows them), the OU tree, the
//! accounts with their parents, and the SCPs and RCPs with their targets. Read from the
//! management account or a delegated administrator.

use aws_sdk_organizations::types::{AccountState, PolicyType, PolicyTypeStatus};
use serde_json::{json, Value};

use crate::calls::{required, CallFailure, Recorder};
use crate::error::CollectError;

/// An account of the organization.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub id: String,
    /// Whether the account can be collected (not suspended or closed).
    pub active: bool,
}

/// The organization read: its `organization.json` document, its accounts, and notes.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub id: String,
    pub document: Value,
    pub members: Vec<Member>,
    pub notes: Vec<String>,
}

fn fatal(operation: &'static str) -> impl Fn(CallFailure) -> CollectError {
    move |f| CollectError::Organization {
        operation,
        message: f.message,
    }
}

/// Read the organization. A structural call that fails (describe, roots, OUs, accounts)
/// stops the collection: a partial tree would misplace accounts under SCPs. A policy whose
/// document or targets cannot be read is left out and recorded in `rec`.
pub(crate) async fn read(
    c: &aws_sdk_organizations::Client,
    rec: &Recorder,
) -> Result<Org, CollectError> {
    let described = required(c.describe_organization().send().await)
        .map_err(fatal("organizations:DescribeOrganization"))?;
    let o = described.organization();
    let id = o.and_then(|o| o.id()).unwrap_or_default().to_string();
    let management = o
        .and_then(|o| o.master_account_id())
        .unwrap_or_default()
        .to_string();

    let roots = required(c.list_roots().send().await).map_err(fatal("organizations:ListRoots"))?;
    let root = roots.roots().first().ok_or(CollectError::Organization {
        operation: "organizations:ListRoots",
        message: "the organization has no root".to_string(),
    })?;
    let root_id = root.id().unwrap_or_default().to_string();
    let mut notes = Vec::new();
    // As `list-roots` shows them: organization.json's `enabledPolicyTypes` (docs/inputs.md).
    let shown: Vec<Value> = root
        .policy_types()
        .iter()
        .map(|t| {
            json!({
                "Type": t.r#type().map(|x| x.as_str()),
                "Status": t.status().map(|x| x.as_str()),
            })
        })
        .collect();
    let enabled: Vec<PolicyType> = root
        .policy_types()
        .iter()
        .filter(|t| t.status() == Some(&PolicyTypeStatus::Enabled))
        .filter_map(|t| t.r#type().cloned())
        .collect();

    // The OU tree, breadth first from the root, and the accounts under each node.
    let mut units = Vec::new();
    let mut accounts = Vec::new();
    let mut members = Vec::new();
    let mut queue = vec![root_id.clone()];
    while let Some(parent) = queue.pop() {
        let mut pages = c
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                required(page).map_err(fatal("organizations:ListOrganizationalUnitsForParent"))?;
            for u in page.organizational_units() {
                let uid = u.id().unwrap_or_default().to_string();
                units.push(json!({"id": uid, "name": u.name(), "parentId": parent}));
                queue.push(uid);
            }
        }
        let mut pages = c
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = required(page).map_err(fatal("organizations:ListAccountsForParent"))?;
            for a in page.accounts() {
                let aid = a.id().unwrap_or_default().to_string();
                accounts.push(json!({"id": aid, "name": a.name(), "parentId": parent}));
                let active = !matches!(
                    a.state(),
                    Some(
                        AccountState::Suspended
                            | AccountState::Closed
                            | AccountState::PendingClosure
                    )
                );
                if !active {
                    notes.push(format!("account {aid} is not active: not collected"));
                }
                members.push(Member { id: aid, active });
            }
        }
    }

    let mut policies = Vec::new();
    for kind in [
        PolicyType::ServiceControlPolicy,
        PolicyType::ResourceControlPolicy,
    ] {
        if !enabled.contains(&kind) {
            notes.push(format!(
                "policy type {} is not enabled on root {root_id}: its policies are not collected",
                kind.as_str()
            ));
            continue;
        }
        policies.extend(policies_of(c, &kind, rec).await);
    }

    let document = json!({
        "organizationId": id,
        "managementAccountId": management,
        "rootId": root_id,
        "enabledPolicyTypes": shown,
        "organizationalUnits": units,
        "accounts": accounts,
        "policies": policies,
    });
    Ok(Org {
        id,
        document,
        members,
        notes,
    })
}

/// Every policy of one type, with its document and targets.
async fn policies_of(
    c: &aws_sdk_organizations::Client,
    kind: &PolicyType,
    rec: &Recorder,
) -> Vec<Value> {
    let mut summaries = Vec::new();
    let mut pages = c
        .list_policies()
        .filter(kind.clone())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match required(page) {
            Ok(p) => summaries.extend(p.policies().iter().cloned()),
            Err(f) => {
                rec.fail(None, kind.as_str(), "organizations:ListPolicies", f);
                return Vec::new();
            }
        }
    }
    let mut out = Vec::new();
    for s in summaries {
        let pid = s.id().unwrap_or_default().to_string();
        let content = match required(c.describe_policy().policy_id(&pid).send().await) {
            Ok(d) => d.policy().and_then(|p| p.content()).map(str::to_string),
            Err(f) => {
                rec.fail(None, &pid, "organizations:DescribePolicy", f);
                continue;
            }
        };
        let Some(content) = content else {
            rec.fail(
                None,
                &pid,
                "organizations:DescribePolicy",
                CallFailure {
                    kind: crate::FailureKind::Other,
                    message: "the answer has no policy content".to_string(),
                },
            );
            continue;
        };
        let mut targets = Vec::new();
        let mut failed = false;
        let mut pages = c
            .list_targets_for_policy()
            .policy_id(&pid)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            match required(page) {
                Ok(p) => targets.extend(
                    p.targets()
                        .iter()
                        .filter_map(|t| t.target_id().map(str::to_string)),
                ),
                Err(f) => {
                    rec.fail(None, &pid, "organizations:ListTargetsForPolicy", f);
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            continue;
        }
        out.push(json!({
            "id": pid,
            "name": s.name(),
            "type": kind.as_str(),
            "document": content,
            "targets": targets,
        }));
    }
    out
}

/// The member accounts listed in an `organization.json` written earlier (`--resume`).
pub(crate) fn members_of(document: &Value) -> Vec<Member> {
    document
        .get("accounts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("id").and_then(Value::as_str))
                .map(|id| Member {
                    id: id.to_string(),
                    active: true,
                })
                .collect()
        })
        .unwrap_or_default()
}
