//! Scenario mode, like AWS's `SimulateCustomPolicy`: every policy comes with the request,
//! no account data is loaded. A scenario file is one JSON object, a JSON array of objects,
//! or JSON Lines (one object per line); docs/simulate.md documents the fields.
//!
//! Each request gets its own principal, resource and accounts in the fact tables (their
//! policies differ per request), and the whole file is decided in one Datalog run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use facts::parse::json::{decode_unique, JsonTextError};

use facts::account::OrgPolicyKind;
use facts::policy::Policy;
use facts::request::{Context, ContextValue, Request};
use facts::tables::{FactTables, PrincipalKind, ResourceKind, TablesBuilder};
use rules::{BatchRequest, Engine};
use serde_json::Value;

use crate::simulate::principal::classify;
use crate::simulate::{result_of, SimulateError, SimulationResult};

/// The caller used when a scenario names none: a user of an example account (the resource
/// is then in the caller's account unless `resourceAccount` says otherwise).
pub const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::123456789012:user/iamlogic-simulated";

/// The fields a scenario object may have.
const FIELDS: [&str; 13] = [
    "name",
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
    "identityPolicies",
    "permissionBoundary",
    "sessionPolicy",
    "resourcePolicy",
    "vpcEndpointPolicy",
    "scps",
    "rcps",
];

/// One request with every policy that applies to it.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// An optional label, echoed in nothing but error messages and tests.
    pub name: Option<String>,
    /// The caller (see docs/simulate.md); [`DEFAULT_PRINCIPAL`] when absent.
    pub principal: String,
    /// The action, `service:Name`.
    pub action: String,
    /// The resource ARN (`*` when the action takes none).
    pub resource: String,
    /// The account owning the resource; `None` means the caller's account, unless the
    /// resource ARN has an account field.
    pub resource_account: Option<String>,
    /// The request context as given.
    pub context: Context,
    /// Identity-based policies of the caller.
    pub identity_policies: Vec<Arc<Policy>>,
    /// The permissions boundary.
    pub permission_boundary: Option<Arc<Policy>>,
    /// The session policy.
    pub session_policy: Option<Arc<Policy>>,
    /// The resource-based policy (for an IAM role and `sts:AssumeRole*`, its trust policy).
    pub resource_policy: Option<Arc<Policy>>,
    /// The policy of the VPC endpoint the request goes through.
    pub vpc_endpoint_policy: Option<Arc<Policy>>,
    /// SCP levels from the root down; each level is the list of policies attached there.
    pub scps: Vec<Vec<Arc<Policy>>>,
    /// RCP levels from the root down.
    pub rcps: Vec<Vec<Arc<Policy>>>,
    /// Problems found while reading the scenario that do not stop it, each naming the file
    /// and JSON path (a resource-policy statement without `Principal`, which matches no one).
    pub warnings: Vec<String>,
}

/// Read a scenario file (object, array, or JSON Lines).
pub fn read_scenarios(path: &Path) -> Result<Vec<Scenario>, SimulateError> {
    let text = facts::account::read_text(path)?;
    parse_scenarios(&text, path)
}

/// Where a scenario or request sits, for errors: the file, or `FILE:LINE` for one line of a
/// JSON Lines file, so that paths print as `FILE: $.path` and `FILE:LINE: $.path`.
pub(crate) fn line_file(file: &Path, line: usize) -> PathBuf {
    PathBuf::from(format!("{}:{line}", file.display()))
}

/// JSON text → a value with no repeated key (the one strict reader of `facts`); `file`
/// names it in errors, and `line` is added to syntax errors' line numbers (JSON Lines).
pub(crate) fn strict_json(text: &str, file: &Path, line: usize) -> Result<Value, SimulateError> {
    decode_unique(text).map_err(|e| json_error(e, file, line))
}

fn json_error(e: JsonTextError, file: &Path, line: usize) -> SimulateError {
    match e {
        JsonTextError::Syntax {
            line: l,
            column,
            message,
        } => SimulateError::Json {
            file: file.to_path_buf(),
            line: l + line,
            column,
            message,
        },
        JsonTextError::DuplicateKey { path, key } => invalid(
            &if line == 0 {
                file.to_path_buf()
            } else {
                line_file(file, line + 1)
            },
            path.to_string(),
            format!("`{key}` is given more than once"),
        ),
        other => invalid(file, "$".to_string(), other.to_string()),
    }
}

/// Parse scenario text; `file` names it in errors.
pub fn parse_scenarios(text: &str, file: &Path) -> Result<Vec<Scenario>, SimulateError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match decode_unique(text) {
        Ok(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| scenario_from_value(v, file, &format!("$[{i}]")))
            .collect(),
        Ok(v) => Ok(vec![scenario_from_value(&v, file, "$")?]),
        Err(whole @ JsonTextError::DuplicateKey { .. }) => Err(json_error(whole, file, 0)),
        Err(whole) => {
            // JSON Lines: one object per non-blank line.
            let mut out = Vec::new();
            let mut any = false;
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                any = true;
                let v = strict_json(line, file, n)?;
                out.push(scenario_from_value(&v, &line_file(file, n + 1), "$")?);
            }
            if any {
                Ok(out)
            } else {
                Err(json_error(whole, file, 0))
            }
        }
    }
}

fn invalid(file: &Path, path: String, reason: impl Into<String>) -> SimulateError {
    SimulateError::Invalid {
        file: file.to_path_buf(),
        path,
        reason: reason.into(),
    }
}

/// A policy given as a JSON object or as a string holding the JSON document (a key given
/// twice in the string is an error naming its full path).
pub(crate) fn policy_of(v: &Value, file: &Path, path: &str) -> Result<Arc<Policy>, SimulateError> {
    let owned;
    let doc = match v {
        Value::String(s) => {
            owned = decode_unique(s).map_err(|e| match e {
                JsonTextError::DuplicateKey { path: inner, key } => invalid(
                    file,
                    format!("{path}{}", inner.to_string().trim_start_matches('$')),
                    format!("`{key}` is given more than once"),
                ),
                other => invalid(
                    file,
                    path.to_string(),
                    format!("the policy string is {other}"),
                ),
            })?;
            &owned
        }
        other => other,
    };
    facts::parse::parse_policy_value(doc)
        .map(Arc::new)
        .map_err(|errors| SimulateError::Policy {
            file: file.to_path_buf(),
            path: path.to_string(),
            errors,
        })
}

/// Context values: an object of key → value, where a string (or number/boolean, kept as
/// text) is single-valued and an array of strings multivalued; or AWS's `ContextEntries`
/// list (`[{"ContextKeyName", "ContextKeyValues", "ContextKeyType"}]`). Keys are checked as
/// written (errors name `path.KEY` in the user's spelling); two keys that differ only in
/// case are one key to AWS, so the second is an error rather than silently replacing the
/// first.
pub(crate) fn context_of(v: &Value, file: &Path, path: &str) -> Result<Context, SimulateError> {
    // AWS's simulator shape: a `ContextEntries` list.
    if let Value::Array(items) = v {
        return crate::simulate::input::context_entries(items, file, path);
    }
    let Value::Object(map) = v else {
        return Err(invalid(
            file,
            path.to_string(),
            "expected an object of key → value, or a ContextEntries list",
        ));
    };
    let mut ctx = Context::new();
    for (k, val) in map {
        if ctx.get(k).is_some() {
            // The first key of the same lowercase spelling (the context keeps them
            // lowercased, so the key as given is looked up again only for the message).
            let first = map
                .keys()
                .find(|f| f.eq_ignore_ascii_case(k))
                .map_or(k.as_str(), String::as_str);
            return Err(invalid(
                file,
                format!("{path}{}", facts::error::key_segment(k)),
                format!("`{k}` is given more than once (as `{first}`; context keys are case-insensitive)"),
            ));
        }
        let scalar = |x: &Value| match x {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        // Where the key sits, built only for an error.
        let at = || format!("{path}{}", facts::error::key_segment(k));
        let cv =
            match val {
                Value::Array(items) => {
                    let mut vs = Vec::with_capacity(items.len());
                    for (i, it) in items.iter().enumerate() {
                        vs.push(scalar(it).ok_or_else(|| {
                            invalid(file, format!("{}[{i}]", at()), "expected a string")
                        })?);
                    }
                    ContextValue::Multi(vs)
                }
                other => ContextValue::Single(scalar(other).ok_or_else(|| {
                    invalid(file, at(), "expected a string or an array of strings")
                })?),
            };
        let cv = crate::simulate::input::typed_value(k, cv, file, at)?;
        ctx.insert(k, cv);
    }
    Ok(ctx)
}

/// One scenario object; `at` says where it sits (`$`, `$[2]`; a JSON Lines line is named by
/// `file`, `FILE:LINE`).
pub fn scenario_from_value(v: &Value, file: &Path, at: &str) -> Result<Scenario, SimulateError> {
    let Value::Object(map) = v else {
        return Err(invalid(file, at.to_string(), "expected a scenario object"));
    };
    for k in map.keys() {
        if !FIELDS.contains(&k.as_str()) {
            return Err(invalid(
                file,
                format!("{at}.{k}"),
                format!(
                    "unknown field `{k}` (expected one of {})",
                    FIELDS.join(", ")
                ),
            ));
        }
    }
    let p = |k: &str| format!("{at}.{k}");
    let string = |k: &str| -> Result<Option<String>, SimulateError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(file, p(k), "expected a string")),
        }
    };
    let required = |k: &str| -> Result<String, SimulateError> {
        string(k)?.ok_or_else(|| invalid(file, p(k), format!("missing required field `{k}`")))
    };
    let one_policy = |k: &str| -> Result<Option<Arc<Policy>>, SimulateError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => policy_of(v, file, &p(k)).map(Some),
        }
    };
    let policy_list = |v: &Value, path: &str| -> Result<Vec<Arc<Policy>>, SimulateError> {
        let Value::Array(items) = v else {
            return Err(invalid(
                file,
                path.to_string(),
                "expected an array of policies",
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, it)| policy_of(it, file, &format!("{path}[{i}]")))
            .collect()
    };
    let levels = |k: &str| -> Result<Vec<Vec<Arc<Policy>>>, SimulateError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(lv)) => lv
                .iter()
                .enumerate()
                .map(|(i, l)| policy_list(l, &format!("{}[{i}]", p(k))))
                .collect(),
            Some(_) => Err(invalid(
                file,
                p(k),
                "expected an array of levels (root first), each an array of policies",
            )),
        }
    };
    let identity_policies = match map.get("identityPolicies") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => policy_list(v, &p("identityPolicies"))?,
    };
    let context = match map.get("context") {
        None | Some(Value::Null) => Context::new(),
        Some(v) => context_of(v, file, &p("context"))?,
    };
    let principal = string("principal")?.unwrap_or_else(|| DEFAULT_PRINCIPAL.to_string());
    let action = required("action")?;
    let resource = string("resource")?.unwrap_or_else(|| "*".to_string());
    let resource_account = string("resourceAccount")?;
    crate::simulate::input::check_request(
        &principal,
        &action,
        &resource,
        resource_account.as_deref(),
    )
    .map_err(|(field, reason)| invalid(file, p(field), reason))?;
    // A resource-policy statement without `Principal` is refused by AWS: warn, and make
    // it match no one (`facts::aws_rules::refused`).
    let mut warnings = Vec::new();
    let resource_policy = match one_policy("resourcePolicy")? {
        Some(pol) => {
            for i in facts::aws_rules::refused::statements_without_principal(&pol) {
                warnings.push(format!(
                    "{}: {}.Statement[{i}]: this resource-policy statement has no `Principal`; AWS refuses such a policy (IAM User Guide, \"AWS JSON policy elements: Principal\"), so it grants nothing and matches no one",
                    file.display(),
                    p("resourcePolicy")
                ));
            }
            Some(Arc::new(facts::aws_rules::refused::as_resource_policy(
                (*pol).clone(),
            )))
        }
        None => None,
    };
    Ok(Scenario {
        warnings,
        name: string("name")?,
        principal,
        action,
        resource,
        resource_account,
        context,
        identity_policies,
        permission_boundary: one_policy("permissionBoundary")?,
        session_policy: one_policy("sessionPolicy")?,
        resource_policy,
        vpc_endpoint_policy: one_policy("vpcEndpointPolicy")?,
        scps: levels("scps")?,
        rcps: levels("rcps")?,
    })
}

/// The account field of an ARN, when it has a 12-digit one.
fn arn_account(arn: &str) -> Option<String> {
    facts::arn::Arn::parse(arn)
        .map(|a| a.account)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// The kind of resource an ARN names, as far as evaluation differs.
pub(crate) fn resource_kind(arn: &str) -> ResourceKind {
    match facts::arn::Arn::parse(arn) {
        Some(a) if a.service == "kms" && a.resource.starts_with("key/") => ResourceKind::KmsKey,
        Some(a) if a.service == "iam" && a.resource.starts_with("role/") => ResourceKind::IamRole,
        _ => ResourceKind::Other,
    }
}

/// Compile scenarios into fact tables and a batch (one principal, resource and account
/// pair per request).
pub fn compile(scenarios: &[Scenario]) -> (FactTables, Vec<BatchRequest>) {
    let mut b = TablesBuilder::new();
    let mut batch = Vec::with_capacity(scenarios.len());
    let empty = facts::account::Model::default();
    for (i, sc) in scenarios.iter().enumerate() {
        // INVARIANT: `scenario_from_value` rejects principals `classify` does not know, so
        // this fallback (an anonymous caller, which nothing but `*` allows) is never taken;
        // it keeps results aligned with requests if a `Scenario` is built by hand.
        let caller = classify(&sc.principal).or_else(|| classify("*")).unwrap_or(
            crate::simulate::principal::Caller {
                kind: PrincipalKind::Anonymous,
                arn: "*".to_string(),
                account: None,
                role_name: None,
                principal: facts::request::RequestPrincipal::Anonymous,
            },
        );
        let tag = format!("scenario#{i}");
        let caller_account = caller.account.clone();
        let pacct = caller_account
            .as_ref()
            .map(|a| b.account_entity(&format!("{tag}/principal-account"), a));
        let p = b.principal(&format!("{tag}/principal"), &caller.arn, caller.kind, pacct);
        if caller.kind == PrincipalKind::Session {
            let role_arn = format!(
                "arn:aws:iam::{}:role/{}",
                caller_account.clone().unwrap_or_default(),
                caller.role_name.clone().unwrap_or_default()
            );
            let role = b.principal(
                &format!("{tag}/role"),
                &role_arn,
                PrincipalKind::Role,
                pacct,
            );
            b.session_of(p, role);
        }
        let entity = format!("{tag}/principal");
        for (k, pol) in sc.identity_policies.iter().enumerate() {
            let id = b.policy(&format!("identityPolicies[{k}]"), pol.clone());
            b.attach_identity(&entity, id);
        }
        if let Some(pol) = &sc.permission_boundary {
            let id = b.policy("permissionBoundary", pol.clone());
            b.attach_boundary(&entity, id);
        }
        if let Some(pol) = &sc.session_policy {
            let id = b.policy("sessionPolicy", pol.clone());
            b.attach_session_policy(p, id);
        }
        if let Some(a) = pacct {
            for (d, level) in sc.scps.iter().enumerate() {
                let ids: Vec<_> = level
                    .iter()
                    .enumerate()
                    .map(|(k, pol)| b.policy(&format!("scps[{d}][{k}]"), pol.clone()))
                    .collect();
                b.org_level(
                    OrgPolicyKind::Scp,
                    a,
                    d as u32,
                    &format!("{tag}/scp/{d}"),
                    &ids,
                );
            }
        }
        let resource_account_id = sc
            .resource_account
            .clone()
            .or_else(|| arn_account(&sc.resource));
        let racct_id = resource_account_id.clone().or(caller_account.clone());
        let racct = racct_id
            .as_ref()
            .map(|a| b.account_entity(&format!("{tag}/resource-account"), a));
        if let Some(a) = racct {
            for (d, level) in sc.rcps.iter().enumerate() {
                let ids: Vec<_> = level
                    .iter()
                    .enumerate()
                    .map(|(k, pol)| b.policy(&format!("rcps[{d}][{k}]"), pol.clone()))
                    .collect();
                b.org_level(
                    OrgPolicyKind::Rcp,
                    a,
                    d as u32,
                    &format!("{tag}/rcp/{d}"),
                    &ids,
                );
            }
        }
        let kind = resource_kind(&sc.resource);
        let x = b.resource(&format!("{tag}/resource"), &sc.resource, racct, kind);
        if let Some(pol) = &sc.resource_policy {
            let id = b.policy("resourcePolicy", pol.clone());
            if kind == ResourceKind::IamRole {
                b.attach_trust_policy(x, id);
            } else {
                b.attach_resource_policy(x, id);
            }
        }
        let vpce = sc
            .vpc_endpoint_policy
            .as_ref()
            .map(|pol| b.policy("vpcEndpointPolicy", pol.clone()));
        let request = request_of(sc, caller.principal.clone(), &empty);
        batch.push(BatchRequest {
            principal: p,
            resource: Some(x),
            resource_account: racct,
            resource_account_id,
            vpc_endpoint_policy: vpce,
            shared_context: None,
            request,
        });
    }
    (b.finish(), batch)
}

/// The concrete request of scenario `sc` by `principal`, with the keys AWS fills.
fn request_of(
    sc: &Scenario,
    principal: facts::request::RequestPrincipal,
    empty: &facts::account::Model,
) -> Request {
    let mut request = Request {
        principal,
        action: sc.action.clone(),
        resource: sc.resource.clone(),
        context: sc.context.clone(),
    };
    if let Some(a) = sc
        .resource_account
        .clone()
        .or_else(|| arn_account(&sc.resource))
    {
        request
            .context
            .insert_default("aws:ResourceAccount", ContextValue::Single(a));
    }
    facts::account::context::fill(empty, &mut request);
    request
}

/// AWS's `MissingContextValues` for scenario `sc`: the condition keys its policies read for
/// its action and resource that its context (with the keys AWS fills) lacks.
pub fn missing_context_values(sc: &Scenario) -> Vec<String> {
    let principal = classify(&sc.principal)
        .map(|c| c.principal)
        .unwrap_or(facts::request::RequestPrincipal::Anonymous);
    let request = request_of(sc, principal, &facts::account::Model::default());
    let policies = sc
        .identity_policies
        .iter()
        .chain(&sc.permission_boundary)
        .chain(&sc.session_policy)
        .chain(&sc.resource_policy)
        .chain(&sc.vpc_endpoint_policy)
        .chain(sc.scps.iter().flatten())
        .chain(sc.rcps.iter().flatten())
        .map(|p| p.as_ref());
    crate::simulate::aws_format::missing_context_values(policies, &request)
}

/// Decide every scenario in one batch; results come back in input order.
pub fn run_scenarios(scenarios: &[Scenario]) -> Vec<SimulationResult> {
    let (tables, batch) = compile(scenarios);
    let engine = Engine::new(&tables);
    engine
        .decide(&batch)
        .iter()
        .map(|d| result_of(&tables, d))
        .collect()
}

/// Read and decide a scenario file.
pub fn simulate_file(path: &Path) -> Result<Vec<SimulationResult>, SimulateError> {
    Ok(run_scenarios(&read_scenarios(path)?))
}
