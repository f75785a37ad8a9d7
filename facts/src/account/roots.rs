//! `aws organizations list-roots` output: which policy types are enabled on each root.
//!
//! ```json
//! {"Roots": [{"Id": "r-a1b2", "Arn": "arn:aws:organizations::111111111111:root/o-a1b2c3d4e5/r-a1b2",
//!             "Name": "Root",
//!             "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]}
//! ```
//!
//! The roots are matched to the loaded organizations by root id once every file is read
//! ([`apply`]), so the output may come before or after its `organization.json`.
//!
//! Statuses (AWS Organizations API Reference, `PolicyTypeSummary`: `ENABLED`,
//! `PENDING_ENABLE`, `PENDING_DISABLE`; User Guide, "Enabling a policy type" and "Disabling a
//! policy type"): `ENABLED` is enabled. Enabling and disabling are asynchronous: while a type
//! is `PENDING_ENABLE` no policy of it can be attached yet, so it restricts nothing and reads
//! as not enabled; while it is `PENDING_DISABLE` its policies stay attached until disabling
//! completes (which detaches them all), so it reads as enabled. Both pending states are
//! reported as warnings.

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{
    EnabledPolicyTypes, OrgPolicyKind, Organization, PolicyTypesOrigin, Source, Warning,
    WarningKind,
};
use super::read::{FileCtx, Object};
use crate::error::JsonPath;

/// The member that marks `list-roots` output.
pub(crate) const MARKER: &str = "Roots";

/// The members of one root that the reader knows (`Arn` and `Name` are not used).
const ROOT_KEYS: [&str; 4] = ["Id", "Arn", "Name", "PolicyTypes"];

/// The policy types of one root, read from `list-roots` output, waiting to be matched with
/// an organization.
#[derive(Debug, Clone)]
pub(crate) struct PendingRoot {
    /// `Id`, `r-...`.
    pub root: String,
    /// Whether SCPs / RCPs are enabled, as the statuses read.
    pub scp: bool,
    /// Whether RCPs are enabled.
    pub rcp: bool,
    /// Where the root's `PolicyTypes` are written.
    pub source: Source,
}

/// The organization policy type `text` names: `Some(kind)` for the two authorization policy
/// types, `None` for AWS's management policy types (`TAG_POLICY`, `BACKUP_POLICY`,
/// `AISERVICES_OPT_OUT_POLICY`, `CHATBOT_POLICY`, `DECLARATIVE_POLICY_EC2`,
/// `SECURITYHUB_POLICY`, and any later `*_POLICY`), which take no part in authorization; an
/// error message for anything else.
pub(crate) fn policy_type(text: &str) -> Result<Option<OrgPolicyKind>, String> {
    match text {
        "SERVICE_CONTROL_POLICY" => Ok(Some(OrgPolicyKind::Scp)),
        "RESOURCE_CONTROL_POLICY" => Ok(Some(OrgPolicyKind::Rcp)),
        "DECLARATIVE_POLICY_EC2" => Ok(None),
        t if t.ends_with("_POLICY") && t.bytes().all(|c| c.is_ascii_uppercase() || c == b'_') => {
            Ok(None)
        }
        other => Err(format!(
            "expected a policy type such as `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`, found `{other}`"
        )),
    }
}

/// Read one `PolicyTypes` list (`[{"Type": ..., "Status": ...}]`, or plain type names as
/// `organization.json`'s `enabledPolicyTypes` also allows) into (SCP enabled, RCP enabled).
pub(crate) fn read_types(
    ctx: &FileCtx,
    items: &[Value],
    at: &JsonPath,
    warnings: &mut Vec<Warning>,
) -> Result<(bool, bool), IngestError> {
    let (mut scp, mut rcp) = (false, false);
    for (i, v) in items.iter().enumerate() {
        let p = at.index(i);
        let (type_text, type_path, status) = match v {
            Value::String(t) => (t.as_str(), p.clone(), "ENABLED"),
            Value::Object(o) => {
                ctx.check_keys(o, &p, &["Type", "Status"], warnings);
                let t = ctx.req_str(o, "Type", &p)?;
                let s = ctx.opt_str(o, "Status", &p)?.unwrap_or("ENABLED");
                (t, p.key("Type"), s)
            }
            other => {
                return Err(ctx.invalid(
                    &p,
                    format!(
                        "expected a policy type name or {{\"Type\", \"Status\"}}, found {}",
                        super::read::type_name(other)
                    ),
                ))
            }
        };
        let kind = policy_type(type_text).map_err(|m| ctx.invalid(&type_path, m))?;
        let enabled = match status {
            "ENABLED" => true,
            "PENDING_DISABLE" | "PENDING_ENABLE" => {
                let enabled = status == "PENDING_DISABLE";
                if kind.is_some() {
                    warnings.push(ctx.warning(
                        &p.key("Status"),
                        WarningKind::PendingPolicyType {
                            policy_type: type_text.to_string(),
                            status: status.to_string(),
                            enabled,
                        },
                    ));
                }
                enabled
            }
            other => {
                return Err(ctx.invalid(
                    &p.key("Status"),
                    format!(
                    "expected `ENABLED`, `PENDING_ENABLE` or `PENDING_DISABLE`, found `{other}`"
                ),
                ))
            }
        };
        match kind {
            Some(OrgPolicyKind::Scp) => scp |= enabled,
            Some(OrgPolicyKind::Rcp) => rcp |= enabled,
            None => {}
        }
    }
    Ok((scp, rcp))
}

/// Read `list-roots` output into `b` (matched with organizations by [`apply`]).
pub(crate) fn ingest(ctx: &FileCtx, o: &Object, b: &mut Builder) -> Result<(), IngestError> {
    let top = JsonPath::default();
    ctx.check_keys(o, &top, &["Roots", "NextToken"], &mut b.model.warnings);
    for (i, v) in ctx.opt_array(o, "Roots", &top)?.iter().enumerate() {
        let p = top.key("Roots").index(i);
        let ro = ctx.object(v, &p)?;
        ctx.check_keys(ro, &p, &ROOT_KEYS, &mut b.model.warnings);
        let root = ctx.req_str(ro, "Id", &p)?.to_string();
        if !root.starts_with("r-") {
            return Err(ctx.invalid(
                &p.key("Id"),
                format!("a root id starts with `r-`, found `{root}`"),
            ));
        }
        let types_path = p.key("PolicyTypes");
        let items = ctx.opt_array(ro, "PolicyTypes", &p)?;
        let (scp, rcp) = read_types(ctx, items, &types_path, &mut b.model.warnings)?;
        if let Some(earlier) = b.pending_roots.iter().find(|r| r.root == root) {
            if (earlier.scp, earlier.rcp) != (scp, rcp) {
                return Err(ctx.invalid(
                    &types_path,
                    format!(
                        "root `{root}` is also described, with other policy types, in {}",
                        earlier.source
                    ),
                ));
            }
            continue;
        }
        b.pending_roots.push(PendingRoot {
            root,
            scp,
            rcp,
            source: ctx.source(&types_path),
        });
    }
    Ok(())
}

/// Give each organization the policy types of its root from `list-roots` output. A root
/// that organization.json's own `enabledPolicyTypes` already describes differently is an
/// error naming both files; a root of no loaded organization is a warning.
pub(crate) fn apply(
    roots: Vec<PendingRoot>,
    orgs: &mut [Organization],
    warnings: &mut Vec<Warning>,
) -> Result<(), IngestError> {
    for r in roots {
        let Some(org) = orgs.iter_mut().find(|o| o.root == r.root) else {
            warnings.push(Warning {
                source: r.source.clone(),
                kind: WarningKind::UnmatchedRoot { root: r.root },
            });
            continue;
        };
        if let PolicyTypesOrigin::Given(given) = &org.enabled.origin {
            if (org.enabled.scp, org.enabled.rcp) != (r.scp, r.rcp) {
                return Err(IngestError::Invalid {
                    file: r.source.file.as_ref().clone(),
                    path: r.source.path.clone(),
                    reason: format!(
                        "the policy types enabled on root `{}` differ from `enabledPolicyTypes` in {given}",
                        r.root
                    ),
                });
            }
            continue;
        }
        org.enabled = EnabledPolicyTypes {
            scp: r.scp,
            rcp: r.rcp,
            origin: PolicyTypesOrigin::Given(r.source),
        };
    }
    Ok(())
}
