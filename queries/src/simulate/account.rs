//! Account mode: requests against loaded account data (GAAD, resources, organization).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use facts::account::{Model, Warning};
use facts::request::{Context, ContextValue, Request};
use facts::tables::{FactTables, PrincipalKind, Sym, TablesBuilder};
use rules::{BatchRequest, Engine};
use serde_json::Value;

use super::principal::classify;
use super::{result_of, SimulateError, SimulationResult};
use crate::scenario::context_of;

/// One request in account mode (a line of `--requests FILE`, or the flags).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    /// The caller: `*`, an account id, an IAM/STS ARN, or a service principal.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource ARN (`*` when the action takes none).
    pub resource: String,
    /// The account owning the resource, when the data does not say.
    pub resource_account: Option<String>,
    /// Context keys the request carries (AWS-filled keys are added from the data).
    pub context: Context,
}

/// Read `--requests FILE`: JSON Lines of `{principal, action, resource, resourceAccount?,
/// context?}`.
pub fn read_requests(path: &Path) -> Result<Vec<RequestSpec>, SimulateError> {
    let text = std::fs::read_to_string(path).map_err(|e| SimulateError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("line {}", n + 1);
        let v: Value = serde_json::from_str(line).map_err(|e| SimulateError::Json {
            file: path.to_path_buf(),
            line: n + 1,
            column: e.column(),
            message: e.to_string(),
        })?;
        out.push(spec_of(&v, path, &at)?);
    }
    Ok(out)
}

fn spec_of(v: &Value, file: &Path, at: &str) -> Result<RequestSpec, SimulateError> {
    let invalid = |path: String, reason: String| SimulateError::Invalid {
        file: file.to_path_buf(),
        path,
        reason,
    };
    let Value::Object(map) = v else {
        return Err(invalid(at.to_string(), "expected a request object".into()));
    };
    const FIELDS: [&str; 5] = [
        "principal",
        "action",
        "resource",
        "resourceAccount",
        "context",
    ];
    for k in map.keys() {
        if !FIELDS.contains(&k.as_str()) {
            return Err(invalid(
                format!("{at}.{k}"),
                format!(
                    "unknown field `{k}` (expected one of {})",
                    FIELDS.join(", ")
                ),
            ));
        }
    }
    let string = |k: &str, required: bool| -> Result<Option<String>, SimulateError> {
        match map.get(k) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => Err(invalid(
                format!("{at}.{k}"),
                format!("missing required field `{k}`"),
            )),
            Some(_) => Err(invalid(format!("{at}.{k}"), "expected a string".into())),
        }
    };
    let context = match map.get("context") {
        None | Some(Value::Null) => Context::new(),
        Some(c) => context_of(c, file, &format!("{at}.context"))?,
    };
    Ok(RequestSpec {
        principal: string("principal", true)?.unwrap_or_default(),
        action: string("action", true)?.unwrap_or_default(),
        resource: string("resource", false)?.unwrap_or_else(|| "*".to_string()),
        resource_account: string("resourceAccount", false)?,
        context,
    })
}

/// Loaded accounts compiled to fact tables, ready to decide requests.
#[derive(Debug)]
pub struct AccountSimulator {
    model: Model,
    tables: FactTables,
}

impl AccountSimulator {
    /// Load account data from `-i` paths and compile it.
    pub fn load(paths: &[PathBuf]) -> Result<AccountSimulator, SimulateError> {
        Ok(AccountSimulator::from_model(facts::account::load(paths)?))
    }

    /// Compile an already loaded model.
    pub fn from_model(model: Model) -> AccountSimulator {
        let tables = FactTables::from_model(&model);
        AccountSimulator { model, tables }
    }

    /// The loader's warnings (unresolved attachments, unsupported elements...).
    pub fn warnings(&self) -> &[Warning] {
        &self.model.warnings
    }

    /// The compiled fact tables.
    pub fn tables(&self) -> &FactTables {
        &self.tables
    }

    /// The loaded model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Decide `specs`; results in input order. `origin` names the source of the specs in
    /// errors (the requests file, or `<command line>`). The specs are compiled and decided
    /// in runs of [`Engine::RUN_SIZE`], so memory stays small for large request files.
    pub fn simulate(
        &self,
        specs: &[RequestSpec],
        origin: &Path,
    ) -> Result<Vec<SimulationResult>, SimulateError> {
        // Callers the data does not describe are added first: the tables are then fixed.
        let mut b = TablesBuilder::from_tables(self.tables.clone());
        let mut principals = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            let p = self.principal(&mut b, &spec.principal).ok_or_else(|| {
                SimulateError::Invalid {
                    file: origin.to_path_buf(),
                    path: format!("request {}: principal", i + 1),
                    reason: format!(
                        "`{}` is not a principal: expected `*`, an account id, an IAM/STS ARN or a service principal",
                        spec.principal
                    ),
                }
            })?;
            principals.push(p);
        }
        let tables = b.finish();
        let engine = Engine::new(&tables);
        // The keys AWS fills depend only on caller and resource: fill once per pair.
        let mut filled: HashMap<(&str, &str, Option<&str>), Arc<Context>> = HashMap::new();
        let mut out = Vec::with_capacity(specs.len());
        for (chunk, ps) in specs
            .chunks(Engine::RUN_SIZE)
            .zip(principals.chunks(Engine::RUN_SIZE))
        {
            let mut batch = Vec::with_capacity(chunk.len());
            for (spec, &p) in chunk.iter().zip(ps) {
                let known = tables.resource_for(&spec.resource);
                let resource_account_id = spec
                    .resource_account
                    .clone()
                    .or_else(|| {
                        known
                            .and_then(|x| x.account)
                            .and_then(|a| tables.account_id_of(a))
                            .map(str::to_string)
                    })
                    .or_else(|| {
                        facts::arn::Arn::parse(&spec.resource)
                            .map(|a| a.account)
                            .filter(|a| a.len() == 12)
                    });
                let resource_account = resource_account_id
                    .as_deref()
                    .and_then(|a| tables.account_entity(a));
                let principal = classify(&spec.principal)
                    .map(|c| c.principal)
                    .unwrap_or(facts::request::RequestPrincipal::Anonymous);
                let key = (
                    spec.principal.as_str(),
                    spec.resource.as_str(),
                    spec.resource_account.as_deref(),
                );
                let base = filled.entry(key).or_insert_with(|| {
                    let mut r = Request {
                        principal: principal.clone(),
                        action: spec.action.clone(),
                        resource: spec.resource.clone(),
                        context: Context::new(),
                    };
                    if let Some(a) = &resource_account_id {
                        r.context
                            .insert("aws:ResourceAccount", ContextValue::Single(a.clone()));
                    }
                    facts::account::context::fill(&self.model, &mut r);
                    Arc::new(r.context)
                });
                batch.push(BatchRequest {
                    principal: p,
                    resource: known.map(|x| x.id),
                    resource_account,
                    resource_account_id,
                    vpc_endpoint_policy: None,
                    // What the request gives wins over what AWS would fill.
                    shared_context: Some(Arc::clone(base)),
                    request: Request {
                        principal,
                        action: spec.action.clone(),
                        resource: spec.resource.clone(),
                        context: spec.context.clone(),
                    },
                });
            }
            out.extend(engine.decide(&batch).iter().map(|d| result_of(&tables, d)));
        }
        Ok(out)
    }

    /// The principal entity for `text`, adding callers the data does not describe (role
    /// sessions of known roles, principals of other accounts, anonymous, services).
    fn principal(&self, b: &mut TablesBuilder, text: &str) -> Option<Sym> {
        if let Some(p) = self.tables.principal_by_arn(text) {
            return Some(p.id);
        }
        let c = classify(text)?;
        let acct = c.account.as_deref().map(|a| b.account(a));
        let entity = if c.kind == PrincipalKind::Root {
            c.arn.clone()
        } else {
            text.to_string()
        };
        if let Some(p) = b.tables().principal_by_arn(&entity) {
            return Some(p.id);
        }
        let id = b.principal(&entity, &c.arn, c.kind, acct);
        if let (PrincipalKind::Session, Some(name)) = (c.kind, &c.role_name) {
            let role = self.tables.principals.iter().find(|p| {
                p.kind == PrincipalKind::Role
                    && p.account == acct
                    && self.tables.symbols.name(p.arn).rsplit('/').next() == Some(name.as_str())
            });
            if let Some(role) = role {
                b.session_of(id, role.id);
            }
        }
        Some(id)
    }
}
