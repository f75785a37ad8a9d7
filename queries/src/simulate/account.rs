//! Account mode: requests against loaded account data (GAAD, resources, organization).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use facts::account::{Model, Warning};
use facts::request::{Context, ContextValue, Request};
use facts::tables::{FactTables, PrincipalKind, Sym, TablesBuilder};
use rules::{BatchRequest, Engine};
use serde_json::Value;

use super::input::check_request;
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

/// One line of a requests file, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    principal: String,
    action: String,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default, rename = "resourceAccount")]
    resource_account: Option<String>,
    #[serde(default)]
    context: Option<Value>,
}

/// Read `--requests FILE`: JSON Lines of `{principal, action, resource, resourceAccount?,
/// context?}`. A line with a missing or unknown field is an error naming the line and field.
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
        let raw: RawSpec = serde_json::from_str(line).map_err(|e| SimulateError::Json {
            file: path.to_path_buf(),
            line: n + 1,
            column: e.column(),
            message: e.to_string(),
        })?;
        let at = format!("line {}", n + 1);
        let context = match &raw.context {
            None | Some(Value::Null) => Context::new(),
            Some(c) => context_of(c, path, &format!("{at}.context"))?,
        };
        let spec = RequestSpec {
            principal: raw.principal,
            action: raw.action,
            resource: raw.resource.unwrap_or_else(|| "*".to_string()),
            resource_account: raw.resource_account,
            context,
        };
        check_request(
            &spec.principal,
            &spec.action,
            &spec.resource,
            spec.resource_account.as_deref(),
        )
        .map_err(|(field, reason)| SimulateError::Invalid {
            file: path.to_path_buf(),
            path: format!("{at}.{field}"),
            reason,
        })?;
        out.push(spec);
    }
    Ok(out)
}

/// Loaded accounts compiled to fact tables and indexed, ready to decide requests.
#[derive(Debug)]
pub struct AccountSimulator {
    model: Model,
    tables: FactTables,
    /// The decision index over `tables`, built once and shared by every call of
    /// [`AccountSimulator::simulate`] (the callers it adds do not invalidate it).
    index: rules::Index,
    /// (account entity, role name) → the role entity, to tie a session to its role.
    roles: HashMap<(Sym, String), Sym>,
    /// The model's roles by account and name, to fill the context keys of sessions.
    role_names: facts::account::context::RoleNames,
}

impl AccountSimulator {
    /// Load account data from `-i` paths and compile it.
    pub fn load(paths: &[PathBuf]) -> Result<AccountSimulator, SimulateError> {
        Ok(AccountSimulator::from_model(facts::account::load(paths)?))
    }

    /// Compile an already loaded model.
    pub fn from_model(model: Model) -> AccountSimulator {
        let tables = FactTables::from_model(&model);
        let index = rules::Index::new(&tables);
        let roles = tables
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Role)
            .filter_map(|p| {
                let name = tables.symbols.name(p.arn).rsplit('/').next()?;
                Some(((p.account?, name.to_string()), p.id))
            })
            .collect();
        let role_names = facts::account::context::RoleNames::new(&model);
        AccountSimulator {
            model,
            tables,
            index,
            roles,
            role_names,
        }
    }

    /// The role entity named `name` in account `account_id`, if the data has it.
    fn role_named(&self, account_id: &str, name: &str) -> Option<Sym> {
        let acct = self.tables.account_entity(account_id)?;
        self.roles.get(&(acct, name.to_string())).copied()
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
            check_request(
                &spec.principal,
                &spec.action,
                &spec.resource,
                spec.resource_account.as_deref(),
            )
            .map_err(|(field, reason)| SimulateError::Invalid {
                file: origin.to_path_buf(),
                path: format!("request {}: {field}", i + 1),
                reason,
            })?;
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
        let engine = Engine::with_index(&tables, &self.index);
        // The keys AWS fills depend only on caller and resource: fill once per pair (within
        // a few runs).
        // (caller, resource, resource account) → the filled keys, once the pair recurs.
        type Filled<'s> = HashMap<(&'s str, &'s str, Option<&'s str>), Option<Arc<Context>>>;
        let mut filled: Filled = HashMap::new();
        // Per distinct caller and resource: the matcher's principal, the resource entity and
        // its owning account.
        let mut callers: HashMap<&str, facts::request::RequestPrincipal> = HashMap::new();
        type ResourceInfo = (Option<Sym>, Option<String>);
        let mut resources: HashMap<(&str, Option<&str>), ResourceInfo> = HashMap::new();
        let mut out = Vec::with_capacity(specs.len());
        for (chunk, ps) in specs
            .chunks(Engine::RUN_SIZE)
            .zip(principals.chunks(Engine::RUN_SIZE))
        {
            // The caches hold one run's callers and resources: memory stays bounded however
            // many requests there are (a caller or resource of another run is filled again).
            if filled.len() + resources.len() + callers.len() > 4 * Engine::RUN_SIZE {
                filled.clear();
                resources.clear();
                callers.clear();
            }
            let mut batch = Vec::with_capacity(chunk.len());
            for (spec, &p) in chunk.iter().zip(ps) {
                let (known, resource_account_id) = resources
                    .entry((spec.resource.as_str(), spec.resource_account.as_deref()))
                    .or_insert_with(|| {
                        let known = tables.resource_for(&spec.resource);
                        let owner = spec
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
                        (known.map(|x| x.id), owner)
                    })
                    .clone();
                let resource_account = resource_account_id
                    .as_deref()
                    .and_then(|a| tables.account_entity(a));
                let principal = callers
                    .entry(spec.principal.as_str())
                    .or_insert_with(|| {
                        classify(&spec.principal)
                            .map(|c| c.principal)
                            .unwrap_or(facts::request::RequestPrincipal::Anonymous)
                    })
                    .clone();
                let key = (
                    spec.principal.as_str(),
                    spec.resource.as_str(),
                    spec.resource_account.as_deref(),
                );
                // A pair seen for the first time fills the request's own context (what the
                // request gives wins: the filled keys are defaults); from its second request
                // on, the pair's filled keys are built once and shared, merged only for the
                // statements that read the context.
                let mut request = Request {
                    principal,
                    action: spec.action.clone(),
                    resource: spec.resource.clone(),
                    context: spec.context.clone(),
                };
                let fill = |r: &mut Request| {
                    if let Some(a) = &resource_account_id {
                        r.context
                            .insert_default("aws:ResourceAccount", ContextValue::Single(a.clone()));
                    }
                    facts::account::context::fill_with(&self.model, Some(&self.role_names), r);
                };
                let shared_context = match filled.entry(key) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        fill(&mut request);
                        e.insert(None);
                        None
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let base = e.get_mut().get_or_insert_with(|| {
                            let mut r = Request {
                                principal: request.principal.clone(),
                                action: request.action.clone(),
                                resource: request.resource.clone(),
                                context: Context::new(),
                            };
                            fill(&mut r);
                            Arc::new(r.context)
                        });
                        Some(Arc::clone(base))
                    }
                };
                batch.push(BatchRequest {
                    principal: p,
                    resource: known,
                    resource_account,
                    resource_account_id,
                    vpc_endpoint_policy: None,
                    shared_context,
                    request,
                });
            }
            out.extend(engine.decide(&batch).iter().map(|d| result_of(&tables, d)));
        }
        Ok(out)
    }

    /// Role chains: every `(from, to)` such that principal `from` (a user or role of the
    /// data) can reach role `to` by `sts:AssumeRole`, directly or through other roles
    /// ("role chaining"). Each direct edge is an `allowed` decision of the evaluation rules
    /// (trust policy, identity side across accounts, SCPs, boundaries); the closure is the
    /// Datalog program `rules::can_assume`. `context` is given to every edge request.
    pub fn role_chains(&self, context: &Context) -> Result<Vec<(String, String)>, SimulateError> {
        let name = |id: Sym| self.tables.symbols.name(id).to_string();
        let callers: Vec<Sym> = self
            .tables
            .principals
            .iter()
            .filter(|p| matches!(p.kind, PrincipalKind::User | PrincipalKind::Role))
            .map(|p| p.id)
            .collect();
        let roles: Vec<Sym> = self.tables.trust_policies.iter().map(|&(r, _)| r).collect();
        let mut specs = Vec::new();
        let mut pairs = Vec::new();
        for &from in &callers {
            for &to in &roles {
                if from == to {
                    continue;
                }
                specs.push(RequestSpec {
                    principal: name(from),
                    action: "sts:AssumeRole".to_string(),
                    resource: name(to),
                    resource_account: None,
                    context: context.clone(),
                });
                pairs.push((from, to));
            }
        }
        let results = self.simulate(&specs, Path::new("<role chains>"))?;
        let edges: Vec<(Sym, Sym)> = pairs
            .into_iter()
            .zip(&results)
            .filter(|(_, r)| r.decision == rules::Outcome::Allowed)
            .map(|(e, _)| e)
            .collect();
        Ok(rules::can_assume(&edges)
            .into_iter()
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (name(a), name(b)))
            .collect())
    }

    /// Warnings for the callers of `specs` that the data cannot describe although their
    /// account is loaded: an IAM user, role or federated user that is not in the data, or
    /// a session of a role that is not (such a caller gets no identity-based policies, so
    /// its requests are decided as if it had none). Anonymous and service callers, roots,
    /// and principals of accounts the data does not hold (foreign accounts) get none. One
    /// warning per distinct principal, in input order.
    pub fn unknown_principals(&self, specs: &[RequestSpec]) -> Vec<String> {
        let described: std::collections::HashSet<&str> = self
            .model
            .users
            .values()
            .map(|u| u.account.as_str())
            .chain(self.model.roles.values().map(|r| r.account.as_str()))
            .chain(self.model.groups.values().map(|g| g.account.as_str()))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for spec in specs {
            let text = spec.principal.as_str();
            if !seen.insert(text) || self.tables.principal_by_arn(text).is_some() {
                continue;
            }
            let Some(c) = classify(text) else { continue };
            let Some(acct) = c.account.as_deref().filter(|a| described.contains(a)) else {
                continue;
            };
            let why = match c.kind {
                PrincipalKind::User | PrincipalKind::Role | PrincipalKind::FederatedUser => {
                    "is not in the loaded data"
                }
                PrincipalKind::Session => {
                    let name = c.role_name.as_deref().unwrap_or_default();
                    if self.role_named(acct, name).is_some() {
                        continue;
                    }
                    "is a session of a role that is not in the loaded data"
                }
                _ => continue,
            };
            out.push(format!(
                "principal `{text}` {why} (account {acct} is): it has no identity-based policies here"
            ));
        }
        out
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
        if let (PrincipalKind::Session, Some(name), Some(account)) =
            (c.kind, &c.role_name, c.account.as_deref())
        {
            if let Some(role) = self.role_named(account, name) {
                b.session_of(id, role);
            }
        }
        Some(id)
    }
}
