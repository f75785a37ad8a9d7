//! Account mode: requests against loaded account data (GAAD, resources, organization).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use facts::account::context::CallerSlot;
use facts::account::{Model, Warning};
use facts::request::{Context, ContextValue, Request};
use facts::tables::{FactTables, PolicyId, PrincipalKind, Sym, TablesBuilder};
use rules::Engine;
use serde_json::Value;

use super::batch::CallerAt;
use super::input::check_request;
use super::principal::classify;
use super::{SimulateError, SimulationResult};
use crate::scenario::{context_of, line_file, strict_json};

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
    /// Context keys the request carries (AWS-filled keys are added from the data). Shared:
    /// each decision reads them as a layer of its request's context instead of copying
    /// them, and requests that carry the same keys may share one.
    pub context: Arc<Context>,
}

/// The fields of one line of a requests file.
const REQUEST_FIELDS: [&str; 5] = [
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
];

/// Read `--requests FILE`: JSON Lines of `{principal, action, resource, resourceAccount?,
/// context?}`. A line with a missing or unknown field is an error naming the line and field.
pub fn read_requests(path: &Path) -> Result<Vec<RequestSpec>, SimulateError> {
    Ok(read_numbered_requests(path)?
        .into_iter()
        .map(|(_, spec)| spec)
        .collect())
}

/// [`read_requests`], each request with its 1-based line number in the file (blank lines
/// are skipped), so that results can be joined back to their lines. Errors name the line
/// and the JSON path in it: `FILE:LINE: $.context.aws:SourceIp: ...`.
///
/// The lines are decoded on as many threads as the machine has cores, each taking one
/// contiguous share of the lines; the error reported is still the first in line order
/// (each share stops at its first error, and an earlier share's error wins).
pub fn read_numbered_requests(path: &Path) -> Result<Vec<(usize, RequestSpec)>, SimulateError> {
    let text = facts::account::read_text(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let decode = |share: &[(usize, &str)]| -> Result<Vec<(usize, RequestSpec)>, SimulateError> {
        let mut contexts = SharedContexts::default();
        share
            .iter()
            .map(|&(n, line)| {
                // The common shape read straight from the text; anything else (and every
                // error) by the strict reader.
                let mut spec = match super::request_line::fast_request(line) {
                    Some(spec) => spec,
                    None => {
                        let v = strict_json(line, path, n)?;
                        request_of(&v, &line_file(path, n + 1))?
                    }
                };
                spec.context = contexts.share(spec.context);
                Ok((n + 1, spec))
            })
            .collect()
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(lines.len() / PARALLEL_LINES_FROM)
        .max(1);
    if threads == 1 {
        return decode(&lines);
    }
    let shares: Vec<Result<Vec<(usize, RequestSpec)>, SimulateError>> = std::thread::scope(|s| {
        let handles: Vec<_> = lines
            .chunks(lines.len().div_ceil(threads))
            .map(|share| s.spawn(move || decode(share)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = Vec::with_capacity(lines.len());
    for share in shares {
        out.extend(share?);
    }
    Ok(out)
}

/// The contexts of the requests read so far, each once: the requests of a file that carry
/// the same keys (most of them: a region, TLS, MFA...) share one context. Deciding reads it
/// from memory once for all of them, however far apart they lie in the file, instead of
/// once per request (requests are decided grouped by caller, not in file order); and it
/// takes memory once.
#[derive(Default)]
struct SharedContexts(std::collections::HashSet<Arc<Context>, facts::hash::FxBuild>);

impl SharedContexts {
    /// At most this many distinct contexts are remembered, then the memory starts again: a
    /// file whose contexts all differ costs a bounded table.
    const MAX: usize = 4_096;

    /// The context equal to `c` met before, else `c`, remembered.
    fn share(&mut self, c: Arc<Context>) -> Arc<Context> {
        if let Some(seen) = self.0.get(&*c) {
            return Arc::clone(seen);
        }
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.insert(Arc::clone(&c));
        c
    }
}

/// How many request lines make a second decoding thread worth starting (a thread costs
/// tens of microseconds; a line about five).
const PARALLEL_LINES_FROM: usize = 2_000;

/// One request object; `at` names the file and line.
pub(super) fn request_of(v: &Value, at: &Path) -> Result<RequestSpec, SimulateError> {
    let invalid = |path: String, reason: String| SimulateError::Invalid {
        file: at.to_path_buf(),
        path,
        reason,
    };
    let Value::Object(map) = v else {
        return Err(invalid(
            "$".to_string(),
            format!(
                "expected a request object {{{}}}, found {}",
                REQUEST_FIELDS.join(", "),
                json_type(v)
            ),
        ));
    };
    if let Some(k) = map.keys().find(|k| !REQUEST_FIELDS.contains(&k.as_str())) {
        return Err(invalid(
            format!("${}", facts::error::key_segment(k)),
            format!(
                "unknown field `{k}` (expected one of {})",
                REQUEST_FIELDS.join(", ")
            ),
        ));
    }
    let string = |k: &str| -> Result<Option<String>, SimulateError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(invalid(
                format!("$.{k}"),
                format!("expected a string, found {}", json_type(other)),
            )),
        }
    };
    let required = |k: &str| -> Result<String, SimulateError> {
        string(k)?.ok_or_else(|| invalid("$".to_string(), format!("missing required field `{k}`")))
    };
    let context = match map.get("context") {
        None | Some(Value::Null) => Context::new(),
        Some(c) => context_of(c, at, "$.context")?,
    };
    let spec = RequestSpec {
        principal: required("principal")?,
        action: required("action")?,
        resource: string("resource")?.unwrap_or_else(|| "*".to_string()),
        resource_account: string("resourceAccount")?,
        context: Arc::new(context),
    };
    check_request(
        &spec.principal,
        &spec.action,
        &spec.resource,
        spec.resource_account.as_deref(),
    )
    .map_err(|(field, reason)| invalid(format!("$.{field}"), reason))?;
    Ok(spec)
}

/// The JSON type of `v`, for messages.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Policies added to the loaded data for one run.
#[derive(Debug, Clone, Default)]
pub struct ExtraPolicies {
    /// `(holder ARN, policy name, policy)`: identity-based policies of a user, group or role.
    pub identity: Vec<(String, String, Arc<facts::policy::Policy>)>,
    /// `(resource ARN, policy name, policy)`: resource-based policies (a role's trust policy
    /// for a role ARN).
    pub resource: Vec<(String, String, Arc<facts::policy::Policy>)>,
    /// AWS's `SimulatePrincipalPolicy` caller, when it is not simply the entity whose
    /// policies are simulated: another user (`CallerArn`), a group's member, or the entity
    /// with its boundary replaced.
    pub caller: Option<SimulatedCaller>,
}

/// `CallerArn` calling with the policies of `PolicySourceArn` (IAM API Reference,
/// "SimulatePrincipalPolicy": "you simulate calling the API operations as Bob, as if Bob
/// had David's policies"). The caller's ARN is what resource policies' `Principal` and the
/// context keys see; the identity-based policies (and their groups'), the boundary and the
/// SCPs of the caller's account are the source's, the boundary replaced when given.
#[derive(Debug, Clone)]
pub struct SimulatedCaller {
    /// The caller's ARN (an IAM user; for a group source without `CallerArn`, a member of
    /// that group only; for a role source without one, the role).
    pub caller: String,
    /// The user, group or role whose policies are simulated.
    pub source: String,
    /// `(name, policy)`: the permissions boundary that replaces the source's
    /// (`PermissionsBoundaryPolicyInputList`).
    pub boundary: Option<(String, Arc<facts::policy::Policy>)>,
}

impl SimulatedCaller {
    /// The entity standing for the caller in the fact tables (distinct from any entity of
    /// the data, so that a user of the data keeps its own policies).
    fn entity(&self) -> String {
        format!("{}#with-policies-of:{}", self.caller, self.source)
    }
}

/// Loaded accounts compiled to fact tables and indexed, ready to decide requests.
#[derive(Debug)]
pub struct AccountSimulator {
    model: Model,
    tables: FactTables,
    /// The decision index over `tables`, built once and shared by every call of
    /// [`AccountSimulator::simulate`] (the callers it adds do not invalidate it).
    index: rules::Index,
    /// (account entity, role name) → the role entity, to tie a session to its role, and
    /// where its sessions' context keys are kept.
    roles: RolesByName,
    /// The model's roles by account and name, to fill the context keys of sessions.
    role_names: facts::account::context::RoleNames,
}

/// From how many requests [`AccountSimulator::simulate_with`] frees its copy of the tables
/// on another thread rather than before returning (below, freeing costs less than starting
/// a thread).
const FREE_ASIDE_FROM: usize = 10_000;

impl AccountSimulator {
    /// Load account data from `-i` paths and compile it.
    pub fn load(paths: &[PathBuf]) -> Result<AccountSimulator, SimulateError> {
        Ok(AccountSimulator::from_model(facts::account::load(paths)?))
    }

    /// Compile an already loaded model.
    ///
    /// Work that does not depend on each other runs on two threads: the roles' names for the
    /// context keys (and whether the model describes S3 objects) beside the fact tables,
    /// then the role lookup beside the decision index (whose action index
    /// [`rules::Index::new`] builds beside its other parts).
    pub fn from_model(model: Model) -> AccountSimulator {
        let (tables, role_names) = std::thread::scope(|s| {
            let names = s.spawn(|| {
                let names = facts::account::context::RoleNames::new(&model);
                // Every decision run asks it (`Batcher::new`): a scan of every ARN of the
                // model, answered here beside the tables rather than by the first run
                // while the others wait (about 10 ms of 100 x 500's first 100,000
                // requests).
                names.describes_s3_objects(&model);
                names
            });
            let tables = FactTables::from_model(&model);
            let names = names
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (tables, names)
        });
        let (index, roles) = std::thread::scope(|s| {
            let roles = s.spawn(|| {
                let mut roles = RolesByName::default();
                for p in tables
                    .principals
                    .iter()
                    .filter(|p| p.kind == PrincipalKind::Role)
                {
                    let (Some(name), Some(account)) = (
                        tables.symbols.name(p.arn).rsplit('/').next(),
                        p.account.and_then(|a| tables.account_id_of(a)),
                    ) else {
                        continue;
                    };
                    // The last role of a name, as collecting pairs into a map keeps; and the
                    // slot of the keys of its sessions (the model's role of that account and
                    // name, as `RoleNames::caller_slot` finds it from a session's ARN).
                    roles.entry(account.into()).or_default().insert(
                        name.to_string(),
                        (p.id, role_names.role_slot(account, name)),
                    );
                }
                roles
            });
            // On an organization the index builds its parts on two threads itself.
            let index = rules::Index::new(&tables);
            let roles = roles
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (index, roles)
        });
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
        self.role_of_session(account_id, name).map(|(role, _)| role)
    }

    /// [`AccountSimulator::role_named`], with where the keys of the role's sessions are kept
    /// (the slot of the model's role `name` of `account_id`, when the model has it).
    fn role_of_session(&self, account_id: &str, name: &str) -> Option<(Sym, Option<CallerSlot>)> {
        self.roles.get(account_id)?.get(name).copied()
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

    /// The model's roles by account and name (to fill the context keys of sessions).
    pub(super) fn role_names(&self) -> &facts::account::context::RoleNames {
        &self.role_names
    }

    /// The decision index over [`AccountSimulator::tables`], built once at load: engines over
    /// these tables, or over tables that only add principals to them, share it
    /// ([`rules::Engine::with_index`]).
    pub fn index(&self) -> &rules::Index {
        &self.index
    }

    /// Decide `specs`; results in input order. `origin` names the source of the specs in
    /// errors (the requests file, or `<command line>`). The specs are compiled and decided
    /// in runs of [`Engine::RUN_SIZE`], so memory stays small for large request files.
    pub fn simulate(
        &self,
        specs: &[RequestSpec],
        origin: &Path,
    ) -> Result<Vec<SimulationResult>, SimulateError> {
        self.simulate_with(specs, origin, &ExtraPolicies::default())
    }

    /// [`Self::simulate`] with policies added to the loaded data for this run only (AWS's
    /// `SimulatePrincipalPolicy` `PolicyInputList` and `ResourcePolicy`).
    pub fn simulate_with(
        &self,
        specs: &[RequestSpec],
        origin: &Path,
        extra: &ExtraPolicies,
    ) -> Result<Vec<SimulationResult>, SimulateError> {
        // A copy of the tables (sharing their rows until written) gets this run's policies
        // and callers. The requests are prepared on every core (each checked and its caller
        // looked up or classified, runs of requests taken in turn); this thread adds the
        // callers the data does not describe run after run, in request order, as the runs
        // are prepared (and prepares runs itself in between), so that adding them overlaps
        // preparing the rest. Then the tables are fixed.
        let mut b = TablesBuilder::from_tables(self.tables.clone());
        // Room for every caller (at most one new principal each), so that the tables grow
        // once.
        b.reserve_principals(specs.len());
        for (holder, name, pol) in &extra.identity {
            let id = b.policy(name, Arc::clone(pol));
            b.attach_identity(holder, id);
        }
        for (arn, name, pol) in &extra.resource {
            let x = match self.tables.resource_for(arn) {
                Some(row) => row.id,
                None => {
                    let acct = facts::arn::Arn::parse(arn)
                        .map(|a| a.account)
                        .filter(|a| facts::arn::is_account_id(a))
                        .map(|a| b.account(&a));
                    b.resource(arn, arn, acct, crate::scenario::resource_kind(arn))
                }
            };
            let id = b.policy(name, Arc::clone(pol));
            if crate::scenario::resource_kind(arn) == facts::tables::ResourceKind::IamRole {
                b.attach_trust_policy(x, id);
            } else {
                b.attach_resource_policy(x, id);
            }
        }
        let simulated = extra
            .caller
            .as_ref()
            .map(|sc| self.add_simulated(&mut b, sc));
        let simulated = simulated.zip(extra.caller.as_ref());
        let mut principals: Vec<Sym> = Vec::with_capacity(specs.len());
        let mut callers: Vec<Option<CallerAt>> = Vec::with_capacity(specs.len());
        // The entity whose policies decide each caller, for the order requests are decided
        // in (see `decide_all`): a session's role, else the caller's own entity.
        let mut groups: Vec<Sym> = Vec::with_capacity(specs.len());
        self.prepare_each(specs, |i, spec, pre| -> Result<(), SimulateError> {
            let invalid = |path: String, reason: String| SimulateError::Invalid {
                file: origin.to_path_buf(),
                path,
                reason,
            };
            let (pre, at) = pre.map_err(|(field, reason)| {
                invalid(format!("request {}: {field}", i + 1), reason)
            })?;
            if let Some((e, _)) = simulated.filter(|(_, sc)| spec.principal == sc.caller) {
                principals.push(e);
                callers.push(None);
                groups.push(e);
                return Ok(());
            }
            let role = match pre {
                Prepared::New(_, role) => role,
                Prepared::Known(_) => None,
            };
            let p = self.principal(&mut b, &spec.principal, pre).ok_or_else(|| {
                invalid(
                    format!("request {}: principal", i + 1),
                    format!(
                        "`{}` is not a principal: expected `*`, an account id, an IAM/STS ARN or a service principal",
                        spec.principal
                    ),
                )
            })?;
            principals.push(p);
            callers.push(at);
            groups.push(role.unwrap_or(p));
            Ok(())
        })?;
        let order = super::batch::Order::of(&groups);
        let tables = b.finish();
        let engine = Engine::with_index(&tables, &self.index);
        let out = super::batch::decide_all(
            self,
            &tables,
            &engine,
            specs,
            (&principals, &callers),
            &order,
        );
        // This run's copy of the tables holds every caller it added (their names, rows and
        // indexes), and the engine their profiles: milliseconds to free for 100,000
        // requests. Freed on another thread, while the caller goes on with the results.
        let computed = engine.into_computed();
        if specs.len() >= FREE_ASIDE_FROM {
            std::thread::spawn(move || drop((computed, tables)));
        }
        Ok(out)
    }

    /// Add the entity of a [`SimulatedCaller`]: the caller's ARN, kind and account, with the
    /// source's groups (or the source group), identity-based policies (with those added for
    /// this run) and boundary (or the one that replaces it).
    fn add_simulated(&self, b: &mut TablesBuilder, sc: &SimulatedCaller) -> Sym {
        let caller = classify(&sc.caller);
        let kind = match caller.as_ref().map(|c| c.kind) {
            Some(PrincipalKind::Role) => PrincipalKind::Role,
            _ => PrincipalKind::User,
        };
        let acct = caller
            .as_ref()
            .and_then(|c| c.account.clone())
            .map(|a| b.account(&a));
        let entity = b.principal(&sc.entity(), &sc.caller, kind, acct);
        let source = b.sym(&sc.source);
        let t = b.tables();
        let is_group = self.model.groups.values().any(|g| g.arn == sc.source);
        let mut groups: Vec<Sym> = t
            .member_of
            .iter()
            .filter(|m| m.0 == source)
            .map(|m| m.1)
            .collect();
        if is_group {
            groups.push(source);
        }
        let identity: Vec<PolicyId> = t
            .identity_policies
            .iter()
            .filter(|(h, _)| *h == source && !is_group)
            .map(|&(_, p)| p)
            .collect();
        let boundaries: Vec<PolicyId> = t
            .boundaries
            .iter()
            .filter(|(h, _)| *h == source)
            .map(|&(_, p)| p)
            .collect();
        let service_linked = t.service_linked_roles.contains(&source);
        for g in groups {
            b.member_of(entity, g);
        }
        let name = sc.entity();
        for p in identity {
            b.attach_identity(&name, p);
        }
        match &sc.boundary {
            Some((n, doc)) => {
                let id = b.policy(n, Arc::clone(doc));
                b.attach_boundary(&name, id);
            }
            None => {
                for p in boundaries {
                    b.attach_boundary(&name, p);
                }
            }
        }
        if service_linked {
            b.service_linked(entity);
        }
        entity
    }

    /// Whether `arn` names a user, group or role of the loaded data (AWS refuses a
    /// `PolicySourceArn` that names no entity: `NoSuchEntity`).
    pub fn has_entity(&self, arn: &str) -> bool {
        self.model.users.values().any(|u| u.arn == arn)
            || self.model.groups.values().any(|g| g.arn == arn)
            || self.model.roles.values().any(|r| r.arn == arn)
    }

    /// The 12-digit account owning `spec`'s resource: as given, from the data, or from its
    /// ARN; `None` when nothing says (then it is taken to be the caller's).
    pub fn resource_account(&self, spec: &RequestSpec) -> Option<String> {
        spec.resource_account
            .clone()
            .or_else(|| {
                self.tables
                    .resource_for(&spec.resource)
                    .and_then(|x| x.account)
                    .and_then(|a| self.tables.account_id_of(a))
                    .map(str::to_string)
            })
            .or_else(|| {
                facts::arn::Arn::parse(&spec.resource)
                    .map(|a| a.account)
                    .filter(|a| facts::arn::is_account_id(a))
            })
    }

    /// The policy of the VPC endpoint `spec` goes through, and the endpoint's keys into
    /// `context` (a context over the keys `spec` gives, [`Context::reset_over`]): a request
    /// whose `aws:SourceVpce` names a VPC endpoint of the data is also evaluated against
    /// that endpoint's policy (Amazon VPC, "Control access to VPC endpoints using endpoint
    /// policies"), and gets the endpoint's VPC as `aws:SourceVpc` unless it gives one
    /// ("AWS global condition context keys": AWS fills `aws:SourceVpc` for requests through
    /// an endpoint). An endpoint the data does not describe, or one without a policy (its
    /// service supports none: full access), adds no layer.
    pub(super) fn endpoint_into(
        &self,
        tables: &FactTables,
        spec: &RequestSpec,
        context: &mut Context,
    ) -> Option<PolicyId> {
        // Context keys are stored lowercased: a lowercase key is looked up without allocating.
        let id = match spec.context.get("aws:sourcevpce") {
            Some(ContextValue::Single(v)) => v.as_str(),
            Some(ContextValue::Multi(v)) if v.len() == 1 => v[0].as_str(),
            _ => return None,
        };
        if let Some(vpc) = self
            .model
            .vpc_endpoints
            .get(id)
            .and_then(|e| e.vpc_id.as_ref())
        {
            context.insert_default_static("aws:sourcevpc", ContextValue::Single(vpc.clone()));
        }
        tables.vpc_endpoint_policy(id)
    }

    /// AWS's `MissingContextValues` for `spec`: the condition keys that the policies in
    /// force for its caller and resource (identity policies of the caller, its groups or its
    /// session's role, boundaries, SCPs of its account, the resource's policy, and `extra`)
    /// read for its action and resource, but that its context — with the keys AWS fills
    /// from the data — lacks.
    pub fn missing_context_values(&self, spec: &RequestSpec, extra: &ExtraPolicies) -> Vec<String> {
        let t = &self.tables;
        let caller = classify(&spec.principal);
        let mut request = Request {
            principal: caller
                .as_ref()
                .map(|c| c.principal.clone())
                .unwrap_or(facts::request::RequestPrincipal::Anonymous),
            action: spec.action.clone(),
            resource: spec.resource.clone(),
            context: Context::clone(&spec.context),
        };
        let known = t.resource_for(&spec.resource);
        let owner = spec.resource_account.clone().or_else(|| {
            known
                .and_then(|x| x.account)
                .and_then(|a| t.account_id_of(a))
                .map(str::to_string)
        });
        if let Some(a) = owner {
            request
                .context
                .insert_default("aws:ResourceAccount", ContextValue::Single(a));
        }
        facts::account::context::fill(&self.model, &mut request);
        // The holders of the caller's identity policies and boundary.
        let mut holders: Vec<Sym> = Vec::new();
        let entity = match &caller {
            Some(c) if c.kind == PrincipalKind::Root => c.arn.clone(),
            _ => spec.principal.clone(),
        };
        let simulated = extra
            .caller
            .as_ref()
            .filter(|sc| sc.caller == spec.principal);
        // The simulated caller holds its source's policies (a group source: the group's).
        let me = match simulated {
            Some(sc) => {
                let p = t.principal_by_arn(&sc.source);
                if p.is_none() {
                    // A group: its policies, as the member's.
                    holders.extend(t.symbols.get(&sc.source));
                }
                p
            }
            None => t.principal_by_arn(&entity),
        };
        if let Some(p) = me {
            holders.push(p.id);
            holders.extend(t.member_of.iter().filter(|m| m.0 == p.id).map(|m| m.1));
            holders.extend(t.role_of_session(p.id));
        }
        if let Some(c) = caller.as_ref().filter(|c| c.kind == PrincipalKind::Session) {
            let role = t.principals.iter().find(|p| {
                p.kind == PrincipalKind::Role
                    && t.symbols.name(p.arn).rsplit('/').next() == c.role_name.as_deref()
                    && p.account.and_then(|a| t.account_id_of(a)) == c.account.as_deref()
            });
            holders.extend(role.map(|r| r.id));
        }
        let mut ids: Vec<facts::tables::PolicyId> = Vec::new();
        let replaced = simulated.is_some_and(|sc| sc.boundary.is_some());
        for (h, pol) in t.identity_policies.iter() {
            if holders.contains(h) {
                ids.push(*pol);
            }
        }
        for (h, pol) in t.boundaries.iter() {
            if holders.contains(h) && !replaced {
                ids.push(*pol);
            }
        }
        let account = caller
            .as_ref()
            .and_then(|c| c.account.as_deref())
            .and_then(|a| t.account_entity(a));
        for level in t.scp_levels.iter().filter(|l| Some(l.account) == account) {
            ids.extend(
                t.scp_attachments
                    .iter()
                    .filter(|(n, _)| *n == level.node)
                    .map(|(_, p)| *p),
            );
        }
        if let Some(x) = known {
            for (r, pol) in t.resource_policies.iter().chain(&t.trust_policies) {
                if *r == x.id {
                    ids.push(*pol);
                }
            }
        }
        let docs = ids
            .iter()
            .filter_map(|&i| t.policies.get(i as usize))
            .map(|row| row.document.as_ref());
        let holder = simulated.map_or(spec.principal.as_str(), |sc| sc.source.as_str());
        let replacement = simulated
            .and_then(|sc| sc.boundary.as_ref())
            .map(|(_, p)| p.as_ref());
        let extras = extra
            .identity
            .iter()
            .filter(|(h, _, _)| *h == holder)
            .chain(
                extra
                    .resource
                    .iter()
                    .filter(|(r, _, _)| *r == spec.resource),
            )
            .map(|(_, _, p)| p.as_ref())
            .chain(replacement);
        super::aws_format::missing_context_values(docs.chain(extras), &request)
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
        // One context, shared by every edge request.
        let context = Arc::new(context.clone());
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
                    context: Arc::clone(&context),
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
        let described: std::collections::HashSet<&str, facts::hash::FxBuild> = self
            .model
            .users
            .values()
            .map(|u| u.account.as_str())
            .chain(self.model.roles.values().map(|r| r.account.as_str()))
            .chain(self.model.groups.values().map(|g| g.account.as_str()))
            .collect();
        // Callers already warned about. Asked only for a caller that earns a warning: the
        // same caller always earns the same one, and most callers (known entities, sessions
        // of known roles) earn none.
        let mut warned: std::collections::HashSet<&str, facts::hash::FxBuild> = Default::default();
        let mut out = Vec::new();
        for spec in specs {
            let text = spec.principal.as_str();
            if self.tables.principal_by_arn(text).is_some() {
                continue;
            }
            let Some(c) = super::principal::parts(text) else {
                continue;
            };
            let Some(acct) = c.account.filter(|a| described.contains(a)) else {
                continue;
            };
            let why = match c.kind {
                PrincipalKind::User | PrincipalKind::Role | PrincipalKind::FederatedUser => {
                    "is not in the loaded data"
                }
                PrincipalKind::Session => {
                    let name = c.role_name.unwrap_or_default();
                    if self.role_named(acct, name).is_some() {
                        continue;
                    }
                    "is a session of a role that is not in the loaded data"
                }
                _ => continue,
            };
            if !warned.insert(text) {
                continue;
            }
            out.push(format!(
                "principal `{text}` {why} (account {acct} is): it has no identity-based policies here"
            ));
        }
        out
    }

    /// Warnings for the `aws:SourceVpce` values of `specs` that name no loaded VPC endpoint
    /// while the data describes some: such a request is decided without an endpoint policy.
    /// One warning per distinct endpoint, in input order; none when the data has no endpoint.
    pub fn unknown_endpoints(&self, specs: &[RequestSpec]) -> Vec<String> {
        if self.model.vpc_endpoints.is_empty() {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for spec in specs {
            let Some(v) = spec.context.get("aws:sourcevpce") else {
                continue;
            };
            for id in v.values() {
                if !self.model.vpc_endpoints.contains_key(id) && seen.insert(id.to_string()) {
                    out.push(format!(
                        "aws:SourceVpce `{id}` names no loaded VPC endpoint: requests through it are decided without an endpoint policy"
                    ));
                }
            }
        }
        out
    }

    /// The principal entity for `text`, adding callers the data does not describe (role
    /// sessions of known roles, principals of other accounts, anonymous, services).
    fn principal(&self, b: &mut TablesBuilder, text: &str, pre: Prepared<'_>) -> Option<Sym> {
        let (c, role) = match pre {
            Prepared::Known(p) => return Some(p),
            Prepared::New(c, role) => (c?, role),
        };
        // A session of a role of the data is in its role's account (the role was found in
        // the session's account): that entity is on the role's row. Other callers' accounts
        // are looked up, or added when the data has none.
        let acct = match role.and_then(|r| b.tables().principal(r)) {
            Some(row) => row.account,
            None => c.account.map(|a| b.account(a)),
        };
        let arn = super::principal::caller_arn(text, c.kind);
        let entity: &str = if c.kind == PrincipalKind::Root {
            &arn
        } else {
            text
        };
        // Idempotent: a caller already added (an earlier request's) keeps its entity, and
        // `session_of` its first role.
        let id = b.principal(entity, &arn, c.kind, acct);
        if let Some(role) = role {
            b.session_of(id, role);
        }
        Some(id)
    }

    /// What [`AccountSimulator::principal`] needs of one request that depends on nothing
    /// but the request and the loaded data: the request checked ([`check_request`]), its
    /// caller as a principal of the loaded tables, or classified with the role of a
    /// session.
    pub(super) fn prepared<'s>(&self, spec: &'s RequestSpec) -> PreparedOrBad<'s> {
        // Split in place, once (checked and used): nothing is copied until the caller is
        // added to the tables.
        let c = super::principal::parts(&spec.principal);
        super::input::check_request_of(
            &spec.principal,
            c.is_some(),
            &spec.action,
            &spec.resource,
            spec.resource_account.as_deref(),
        )?;
        if let Some(p) = self.tables.principal_by_arn(&spec.principal) {
            // A principal of the data: where its keys are kept is found once per thread,
            // by its entity (`Batcher`).
            return Ok((Prepared::Known(p.id), None));
        }
        // A session of a role of the data: where its keys are kept is found here, on every
        // core, with its role.
        let (role, at) = match c
            .as_ref()
            .map(|c| (c.kind, c.role_name, c.account, c.session))
        {
            Some((PrincipalKind::Session, Some(name), Some(account), Some(session))) => {
                match self.role_of_session(account, name) {
                    // The session name ends the ARN (`parts` splits the ARN as
                    // `RoleNames::caller_slot` does).
                    Some((role, slot)) => {
                        let at = u32::try_from(spec.principal.len() - session.len()).ok();
                        (Some(role), slot.zip(at).map(|(s, at)| (s, Some(at))))
                    }
                    None => (None, None),
                }
            }
            _ => (None, None),
        };
        Ok((Prepared::New(c, role), at))
    }

    /// [`AccountSimulator::prepared`] of every spec, given to `each` in order with its
    /// index, stopping at `each`'s first error. From [`PARALLEL_PREPARE_FROM`] requests on,
    /// the specs are prepared in runs of [`PREPARE_RUN`] on as many threads as the machine
    /// has cores, this one included: between the runs it prepares, this thread gives `each`
    /// the runs prepared so far, in order.
    fn prepare_each<'s, E>(
        &self,
        specs: &'s [RequestSpec],
        mut each: impl FnMut(usize, &'s RequestSpec, PreparedOrBad<'s>) -> Result<(), E>,
    ) -> Result<(), E> {
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(specs.len() / PARALLEL_PREPARE_FROM)
            .max(1);
        let share = |part: &'s [RequestSpec]| -> Vec<PreparedOrBad<'s>> {
            part.iter().map(|spec| self.prepared(spec)).collect()
        };
        if threads == 1 {
            for (i, spec) in specs.iter().enumerate() {
                each(i, spec, self.prepared(spec))?;
            }
            return Ok(());
        }
        let runs: Vec<&'s [RequestSpec]> = specs.chunks(PREPARE_RUN).collect();
        let next = AtomicUsize::new(0);
        // Run `i`, prepared, when one is left to take.
        let take = || {
            let i = next.fetch_add(1, Ordering::Relaxed);
            runs.get(i).map(|&run| (i, share(run)))
        };
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel();
            for _ in 1..threads {
                let tx = tx.clone();
                let take = &take;
                s.spawn(move || {
                    while let Some(done) = take() {
                        if tx.send(done).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut ready: Vec<Option<Vec<PreparedOrBad<'s>>>> = Vec::new();
            ready.resize_with(runs.len(), || None);
            let mut given = 0;
            while given < runs.len() {
                if let Some(run) = ready.get_mut(given).and_then(Option::take) {
                    let start = given * PREPARE_RUN;
                    let specs = runs.get(given).copied().unwrap_or_default();
                    for (k, (spec, pre)) in specs.iter().zip(run).enumerate() {
                        if let Err(e) = each(start + k, spec, pre) {
                            // The other threads stop after the run they are preparing.
                            next.store(runs.len(), Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                    given += 1;
                    continue;
                }
                // The next run in order is not prepared yet: keep a run another thread has
                // prepared, else prepare one, else wait for one. None left to wait for: every
                // other thread has stopped (one panicked: the scope says so).
                let Some((i, run)) = rx.try_recv().ok().or_else(&take).or_else(|| rx.recv().ok())
                else {
                    break;
                };
                if let Some(slot) = ready.get_mut(i) {
                    *slot = Some(run);
                }
            }
            Ok(())
        })
    }
}

/// How many requests [`AccountSimulator::prepare_each`] prepares at once (about a
/// millisecond of work).
const PREPARE_RUN: usize = 2_048;

/// How many requests make [`AccountSimulator::prepare_each`] worth more threads (a thread costs
/// tens of microseconds; a request about one).
const PARALLEL_PREPARE_FROM: usize = 2_000;

/// A request prepared, with where its caller's context keys are kept when the model
/// describes it (see [`super::batch::CallerAt`]); or the field of its first error and the
/// reason ([`check_request`]'s error).
pub(super) type PreparedOrBad<'s> =
    Result<(Prepared<'s>, Option<CallerAt>), (&'static str, String)>;

/// A request's caller as [`AccountSimulator::prepared`] found it.
pub(super) enum Prepared<'s> {
    /// A principal of the loaded tables.
    Known(Sym),
    /// Not in the loaded tables: its parts, borrowed from the request (`None`: no
    /// principal), with the role of a session when the data has it.
    New(Option<super::principal::Parts<'s>>, Option<Sym>),
}

/// The role entities of the loaded tables by 12-digit account id, then role name (both
/// looked up borrowed, without going through the interner).
type RolesByName = HashMap<
    Box<str>,
    HashMap<String, (Sym, Option<CallerSlot>), facts::hash::FxBuild>,
    facts::hash::FxBuild,
>;
