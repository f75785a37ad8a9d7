//! IAM: GetAccountAuthorizationDetails (every page, merged into one `gaad.json` shaped as
//! the AWS CLI prints it) and the credential report (`credential-report.csv`).
//!
//! The SDK returns typed structures, so the JSON is rebuilt member by member with the names
//! of the IAM API Reference (`UserDetail`, `GroupDetail`, `RoleDetail`,
//! `ManagedPolicyDetail`); documents stay URL-encoded, as the API returns them and as the
//! loader accepts them.

use std::time::Duration;

use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, GroupDetail, ManagedPolicyDetail, PolicyDetail,
    RoleDetail, Tag, UserDetail,
};
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use serde_json::{json, Map, Value};

use crate::calls::{required, CallFailure};

/// Every page of GetAccountAuthorizationDetails as one GAAD document, and how many users,
/// groups, roles and managed policies it holds.
pub(crate) async fn gaad(client: &aws_sdk_iam::Client) -> Result<(Value, [usize; 4]), CallFailure> {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut pages = client
        .get_account_authorization_details()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = required(page)?;
        users.extend(page.user_detail_list().iter().map(user));
        groups.extend(page.group_detail_list().iter().map(group));
        roles.extend(page.role_detail_list().iter().map(role));
        policies.extend(page.policies().iter().map(managed_policy));
    }
    let counts = [users.len(), groups.len(), roles.len(), policies.len()];
    let doc = json!({
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    });
    Ok((doc, counts))
}

/// How long the collector waits for IAM to generate the credential report.
const REPORT_WAIT: Duration = Duration::from_secs(120);

/// The credential report's CSV text: GenerateCredentialReport, then GetCredentialReport
/// until the report is ready.
pub(crate) async fn credential_report(
    client: &aws_sdk_iam::Client,
) -> Result<Vec<u8>, CallFailure> {
    let start = std::time::Instant::now();
    loop {
        required(client.generate_credential_report().send().await)?;
        match client.get_credential_report().send().await {
            Ok(out) => {
                return Ok(out
                    .content()
                    .map(|b| b.as_ref().to_vec())
                    .unwrap_or_default())
            }
            Err(e) => {
                let f = crate::calls::classify(&e);
                let pending = f.message.starts_with("ReportInProgress")
                    || f.message.starts_with("ReportNotPresent")
                    || f.message.starts_with("ReportExpired");
                if !pending || start.elapsed() > REPORT_WAIT {
                    return Err(f);
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        }
    }
}

fn put(m: &mut Map<String, Value>, key: &str, v: Option<&str>) {
    if let Some(v) = v {
        m.insert(key.to_string(), Value::String(v.to_string()));
    }
}

fn put_date(m: &mut Map<String, Value>, key: &str, v: Option<&DateTime>) {
    if let Some(s) = v.and_then(|d| d.fmt(Format::DateTime).ok()) {
        m.insert(key.to_string(), Value::String(s));
    }
}

fn tags(t: &[Tag]) -> Value {
    t.iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect()
}

fn inline(list: &[PolicyDetail]) -> Value {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()}))
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Value {
    list.iter()
        .map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()}))
        .collect()
}

fn boundary(m: &mut Map<String, Value>, b: Option<&AttachedPermissionsBoundary>) {
    if let Some(b) = b {
        m.insert(
            "PermissionsBoundary".to_string(),
            json!({
                "PermissionsBoundaryType": b.permissions_boundary_type().map(|t| t.as_str()),
                "PermissionsBoundaryArn": b.permissions_boundary_arn(),
            }),
        );
    }
}

fn user(u: &UserDetail) -> Value {
    let mut m = Map::new();
    put(&mut m, "Path", u.path());
    put(&mut m, "UserName", u.user_name());
    put(&mut m, "UserId", u.user_id());
    put(&mut m, "Arn", u.arn());
    put_date(&mut m, "CreateDate", u.create_date());
    m.insert("UserPolicyList".into(), inline(u.user_policy_list()));
    m.insert("GroupList".into(), json!(u.group_list()));
    m.insert(
        "AttachedManagedPolicies".into(),
        attached(u.attached_managed_policies()),
    );
    boundary(&mut m, u.permissions_boundary());
    m.insert("Tags".into(), tags(u.tags()));
    Value::Object(m)
}

fn group(g: &GroupDetail) -> Value {
    let mut m = Map::new();
    put(&mut m, "Path", g.path());
    put(&mut m, "GroupName", g.group_name());
    put(&mut m, "GroupId", g.group_id());
    put(&mut m, "Arn", g.arn());
    put_date(&mut m, "CreateDate", g.create_date());
    m.insert("GroupPolicyList".into(), inline(g.group_policy_list()));
    m.insert(
        "AttachedManagedPolicies".into(),
        attached(g.attached_managed_policies()),
    );
    Value::Object(m)
}

fn role(r: &RoleDetail) -> Value {
    let mut m = Map::new();
    put(&mut m, "Path", r.path());
    put(&mut m, "RoleName", r.role_name());
    put(&mut m, "RoleId", r.role_id());
    put(&mut m, "Arn", r.arn());
    put_date(&mut m, "CreateDate", r.create_date());
    put(
        &mut m,
        "AssumeRolePolicyDocument",
        r.assume_role_policy_document(),
    );
    let profiles: Vec<Value> = r
        .instance_profile_list()
        .iter()
        .map(|p| {
            json!({
                "Path": p.path(),
                "InstanceProfileName": p.instance_profile_name(),
                "InstanceProfileId": p.instance_profile_id(),
                "Arn": p.arn(),
            })
        })
        .collect();
    m.insert("InstanceProfileList".into(), Value::Array(profiles));
    m.insert("RolePolicyList".into(), inline(r.role_policy_list()));
    m.insert(
        "AttachedManagedPolicies".into(),
        attached(r.attached_managed_policies()),
    );
    boundary(&mut m, r.permissions_boundary());
    m.insert("Tags".into(), tags(r.tags()));
    if let Some(last) = r.role_last_used() {
        let mut l = Map::new();
        put_date(&mut l, "LastUsedDate", last.last_used_date());
        put(&mut l, "Region", last.region());
        m.insert("RoleLastUsed".into(), Value::Object(l));
    }
    Value::Object(m)
}

fn managed_policy(p: &ManagedPolicyDetail) -> Value {
    let mut m = Map::new();
    // A policy's name is the last part of its ARN (IAM User Guide, "IAM identifiers"); moto
    // 5.2 leaves `PolicyName` out of GetAccountAuthorizationDetails, AWS never does.
    let from_arn = p.arn().and_then(|a| a.rsplit('/').next());
    put(&mut m, "PolicyName", p.policy_name().or(from_arn));
    put(&mut m, "PolicyId", p.policy_id());
    put(&mut m, "Arn", p.arn());
    put(&mut m, "Path", p.path());
    put(&mut m, "DefaultVersionId", p.default_version_id());
    if let Some(n) = p.attachment_count() {
        m.insert("AttachmentCount".into(), json!(n));
    }
    if let Some(n) = p.permissions_boundary_usage_count() {
        m.insert("PermissionsBoundaryUsageCount".into(), json!(n));
    }
    m.insert("IsAttachable".into(), json!(p.is_attachable()));
    put(&mut m, "Description", p.description());
    put_date(&mut m, "CreateDate", p.create_date());
    put_date(&mut m, "UpdateDate", p.update_date());
    let versions: Vec<Value> = p
        .policy_version_list()
        .iter()
        .map(|v| {
            let mut vm = Map::new();
            put(&mut vm, "Document", v.document());
            put(&mut vm, "VersionId", v.version_id());
            vm.insert("IsDefaultVersion".into(), json!(v.is_default_version()));
            put_date(&mut vm, "CreateDate", v.create_date());
            Value::Object(vm)
        })
        .collect();
    m.insert("PolicyVersionList".into(), Value::Array(versions));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::PermissionsBoundaryAttachmentType;

    // moto 5.2's GetAccountAuthorizationDetails leaves users' PermissionsBoundary out; the
    // member as AWS returns it (IAM API Reference, `UserDetail`) is written as the CLI prints it.
    #[test]
    fn a_users_permissions_boundary_is_written_as_the_cli_prints_it() {
        let u = UserDetail::builder()
            .user_name("bob")
            .arn("arn:aws:iam::111122223333:user/bob")
            .permissions_boundary(
                AttachedPermissionsBoundary::builder()
                    .permissions_boundary_type(PermissionsBoundaryAttachmentType::Policy)
                    .permissions_boundary_arn("arn:aws:iam::111122223333:policy/OnlyS3")
                    .build(),
            )
            .build();
        let v = user(&u);
        assert_eq!(
            v["PermissionsBoundary"],
            json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                   "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/OnlyS3"})
        );
        assert_eq!(v["UserName"], "bob");
    }

    #[test]
    fn a_managed_policy_without_a_name_is_named_by_its_arn() {
        let p = ManagedPolicyDetail::builder()
            .arn("arn:aws:iam::111122223333:policy/team/ReadS3")
            .build();
        assert_eq!(managed_policy(&p)["PolicyName"], "ReadS3");
    }
}
