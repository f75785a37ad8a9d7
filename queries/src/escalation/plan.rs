//! The requests escalation asks the decision engine, each with what its answer means.
//!
//! Requests are generated only where an identity `Allow` statement (or, for
//! `sts:AssumeRole`, a trust policy statement) could allow them — a sound pre-filter — and
//! every one is then decided by `queries::simulate` (the decision program), so denies,
//! boundaries, SCPs, RCPs and conditions are the engine's.

use super::FastMap as HashMap;
use std::rc::Rc;
use std::sync::Arc;

use facts::account::Model;
use facts::eval::principal_clause_matches;
use facts::policy::{Effect, Policy, PrincipalClause, PrincipalEntry, Principals};
use facts::request::{Context, ContextValue, RequestPrincipal};
use rules::escalation::{Action, ComputeKind, Service, Target, NEW};

use super::nodes::{NodeKind, Nodes};
use super::principals::{Caller, Kind};
use super::probe_class::ProbeSet;
use super::target_class;
use crate::simulate::RequestSpec;

/// The AWS-managed policy an attacker attaches (`iam:PolicyARN`) or sets as its boundary
/// (`iam:PermissionsBoundary`).
pub(crate) const ADMIN_POLICY: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The action probed for administrator access, once per service prefix of the catalogue:
/// only a statement naming every action of the service (`*`, `svc:*`, or a `NotAction`
/// that leaves it) can allow it, and any `Deny` of the whole service denies it.
pub(crate) const PROBE_ACTION: &str = "IamlogicAdministratorProbe";

/// The region of resources the data does not name.
const REGION: &str = "us-east-1";
/// The name of resources the caller creates.
const NAME: &str = "iamlogic-escalation";
/// A value of a witness request for a negated condition (`StringNotEquals`, `ArnNotLike`):
/// unlike the names policies use.
const OTHER: &str = "zz-iamlogic-witness";

/// What a probe asks about a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Variant {
    /// As the data is.
    Real,
    /// With a policy allowing `*` on `*` added.
    Granted,
    /// Without its permissions boundary.
    Unbounded,
    /// As a member of this group too.
    Joined(u32),
}

/// What the answer to one request means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Whether `caller` may perform `action` on `target`.
    Can {
        caller: u32,
        action: Action,
        target: u32,
    },
    /// Whether `service` may assume `role`; `condition`: [`NO_CONDITION`] for a request with
    /// only the keys the service fills for the attacker's resource, else the number in
    /// [`Plan::conditions`] of the condition a witness request (its other keys filled, see
    /// [`TrustIndex::service_witnesses`]) is allowed under.
    ServiceAssume {
        service: Service,
        role: u32,
        condition: u32,
    },
    /// Administrator probe number `index` of `principal`.
    Probe {
        principal: u32,
        variant: Variant,
        index: u32,
    },
    /// Administrator probe number `index` of the root user of `account`: what the
    /// organization leaves to anyone in the account (the ceiling).
    RootProbe { account: u32, index: u32 },
    /// Whether `caller` could assume `role` under a trust policy naming it.
    TrustRewrite { caller: u32, role: u32 },
    /// Whether user `user`, once a member of `group`, could give itself any permissions
    /// (`iam:PutUserPolicy` or `iam:AttachUserPolicy` on itself).
    JoinedSelfGrant { user: u32, group: u32 },
}

/// [`Purpose::ServiceAssume`] of a request with no condition.
pub(crate) const NO_CONDITION: u32 = u32::MAX;

/// A batch of requests with their meanings. Only one request per class is held whole
/// (its [`RequestSpec`], decided by the engine); every other request of the class keeps
/// its meaning and its resource, so a plan of a million requests holds the few thousand
/// it decides ([`super::target_class`]).
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The requests decided: one per class, in order.
    pub specs: Vec<RequestSpec>,
    /// Per request: what its answer means.
    pub purposes: Vec<Purpose>,
    /// Per request: the index in `specs` of the request whose decision is its own.
    decided_as: Vec<u32>,
    /// Per request: its resource, when it is not the decided request itself.
    resources: Vec<Res>,
    /// The conditions of the service-assume witness requests ([`Purpose::ServiceAssume`]).
    pub conditions: Vec<String>,
}

/// The resource of a request of a [`Plan`].
#[derive(Debug)]
enum Res {
    /// The decided request's own.
    Decided,
    /// The name of this node (a role, user, group, policy or compute resource of the data).
    Node(u32),
    /// This ARN.
    Own(String),
}

impl Plan {
    /// Add a request decided on its own (the first of its class).
    pub fn push(&mut self, spec: RequestSpec, purpose: Purpose) {
        self.decided_as.push(self.specs.len() as u32);
        self.specs.push(spec);
        self.purposes.push(purpose);
        self.resources.push(Res::Decided);
    }

    /// Add a request for `resource` whose decision is that of request number `like` (same
    /// class, the same caller, action and context).
    pub fn push_like(&mut self, resource: &str, purpose: Purpose, like: u32) {
        let k = self.decided_as[like as usize];
        self.decided_as.push(k);
        self.purposes.push(purpose);
        self.resources.push(Res::Own(resource.to_string()));
    }

    /// [`Plan::push_like`] for a request on node `target`, whose resource is the node's
    /// name (no copy of the ARN is kept).
    pub fn push_like_node(&mut self, target: u32, purpose: Purpose, like: u32) {
        let k = self.decided_as[like as usize];
        self.decided_as.push(k);
        self.purposes.push(purpose);
        self.resources.push(Res::Node(target));
    }

    /// How many requests there are (decided or not).
    pub fn len(&self) -> usize {
        self.purposes.len()
    }

    /// The index in `specs` of the request whose decision is request `i`'s.
    pub fn decided_as(&self, i: usize) -> usize {
        self.decided_as[i] as usize
    }

    /// The resource of request `i` (`nodes` names the nodes of the requests).
    pub fn resource<'a>(&'a self, i: usize, nodes: &'a Nodes) -> &'a str {
        match &self.resources[i] {
            Res::Own(r) => r,
            Res::Node(n) => nodes.name(*n),
            Res::Decided => &self.specs[self.decided_as(i)].resource,
        }
    }

    /// Whether request `i`'s resource is the name of node `target` (`Some(true)` when it is
    /// known without comparing names: the request was added for that node).
    pub fn names_node(&self, i: usize, target: u32) -> Option<bool> {
        match self.resources[i] {
            Res::Node(n) if n == target => Some(true),
            _ => None,
        }
    }

    /// The meaning of each decided request, in the order of `specs`.
    pub fn decided_purposes(&self) -> Vec<Purpose> {
        let mut out = Vec::with_capacity(self.specs.len());
        for (i, p) in self.purposes.iter().enumerate() {
            if matches!(self.resources[i], Res::Decided) {
                out.push(*p);
            }
        }
        out
    }

    /// Decide the requests of `specs`, once per class; results in the order of `specs`.
    pub fn simulate(
        &self,
        sim: &crate::simulate::AccountSimulator,
        origin: &std::path::Path,
    ) -> Result<Vec<crate::simulate::SimulationResult>, crate::simulate::SimulateError> {
        sim.simulate(&self.specs, origin)
    }
}

/// The context every request carries: the time keys of a request made now
/// (`aws:CurrentTime`, `aws:EpochTime`, and `aws:TokenIssueTime` of credentials issued now),
/// and the keys the caller itself chooses: the region it calls (`aws:RequestedRegion`, the
/// region of the resources the data does not name) and TLS (`aws:SecureTransport`, as every
/// AWS SDK and the CLI use).
pub(crate) fn base_context(now: chrono::DateTime<chrono::Utc>) -> Context {
    let mut c = Context::new();
    c.insert(
        "aws:RequestedRegion",
        ContextValue::Single(REGION.to_string()),
    );
    c.insert(
        "aws:SecureTransport",
        ContextValue::Single("true".to_string()),
    );
    let iso = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    c.insert("aws:CurrentTime", ContextValue::Single(iso.clone()));
    c.insert("aws:TokenIssueTime", ContextValue::Single(iso));
    c.insert(
        "aws:EpochTime",
        ContextValue::Single(now.timestamp().to_string()),
    );
    c
}

/// The context of a request for `action`: the keys the technique itself sets.
pub(crate) fn context_for(base: &Context, action: Action) -> Context {
    let mut c = base.clone();
    match action {
        // "Grant a user permissions to pass a role to an AWS service": iam:PassedToService.
        Action::PassRole(s) => c.insert(
            "iam:PassedToService",
            ContextValue::Single(s.principal().to_string()),
        ),
        // IAM "condition keys": iam:PolicyARN for attaching a managed policy.
        Action::AttachUserPolicy | Action::AttachRolePolicy | Action::AttachGroupPolicy => c
            .insert(
                "iam:PolicyARN",
                ContextValue::Single(ADMIN_POLICY.to_string()),
            ),
        // iam:PermissionsBoundary for setting a boundary.
        Action::PutRolePermissionsBoundary | Action::PutUserPermissionsBoundary => c.insert(
            "iam:PermissionsBoundary",
            ContextValue::Single(ADMIN_POLICY.to_string()),
        ),
        _ => {}
    }
    c
}

/// Fill an ARN template for `account` with the given name.
fn fill(template: &str, account: &str, name: &str) -> String {
    template
        .replace("{region}", REGION)
        .replace("{account}", account)
        .replace("{name}", name)
}

/// The ARNs to decide an attacker-named (or not-shown) resource on: the template's own, and
/// each resource pattern of the caller's `Allow` statements laid over it (its wildcards
/// filled), so that a policy limited to `function:prod-*` is decided on `function:prod-x`.
pub(crate) fn instances(caller: &Caller<'_>, action: &str, template: &str) -> Vec<String> {
    let canonical = fill(template, caller.account, NAME);
    let mut out = vec![canonical.clone()];
    let base: Vec<&str> = canonical.splitn(6, ':').collect();
    for pat in caller.patterns(action) {
        if pat == "*" || !pat.starts_with("arn:") {
            continue;
        }
        let parts: Vec<&str> = pat.splitn(6, ':').collect();
        let mut arn = Vec::with_capacity(6);
        let mut ok = true;
        for (i, b) in base.iter().enumerate() {
            let p = parts.get(i).copied();
            let v = match (i, p) {
                (_, None) => (*b).to_string(),
                (_, Some(p)) if p.chars().all(|ch| ch == '*' || ch == '?') => (*b).to_string(),
                // The service and account must be the template's: a new resource is created
                // in the caller's account.
                (2 | 4, Some(p)) if p != *b && !p.contains(['*', '?']) => {
                    ok = false;
                    break;
                }
                (_, Some(p)) => p.replace(['*', '?'], "x"),
            };
            arn.push(v);
        }
        if ok {
            let a = arn.join(":");
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// The trust policies of roles, indexed by the principals their `Allow` statements for
/// `sts:AssumeRole` name, so that candidate callers are found without a scan of every pair.
#[derive(Default)]
pub(crate) struct TrustIndex<'m> {
    by_arn: HashMap<String, Vec<&'m str>>,
    by_account: HashMap<String, Vec<&'m str>>,
    by_service: HashMap<String, Vec<&'m str>>,
    anyone: Vec<&'m str>,
    docs: HashMap<&'m str, &'m Policy>,
}

impl<'m> TrustIndex<'m> {
    pub fn new(model: &'m Model) -> TrustIndex<'m> {
        let mut ix = TrustIndex::default();
        for r in model.roles.values() {
            let Some(t) = &r.trust_policy else { continue };
            ix.docs.insert(&r.arn, &t.document);
            let mut anyone = false;
            for s in &t.document.statements {
                if s.effect != Effect::Allow {
                    continue;
                }
                match &s.principal {
                    Some(PrincipalClause::Principal(Principals::Specific(es))) => {
                        for e in es {
                            match e {
                                PrincipalEntry::Aws(v) if v == "*" => anyone = true,
                                PrincipalEntry::Aws(v) => {
                                    let acct = facts::arn::Arn::parse(v)
                                        .map(|a| a.account)
                                        .unwrap_or_else(|| v.clone());
                                    if v.ends_with(":root") || v.len() == 12 {
                                        ix.by_account.entry(acct).or_default().push(&r.arn);
                                    } else {
                                        ix.by_arn.entry(v.clone()).or_default().push(&r.arn);
                                    }
                                }
                                PrincipalEntry::Service(sv) => ix
                                    .by_service
                                    .entry(sv.to_ascii_lowercase())
                                    .or_default()
                                    .push(&r.arn),
                                _ => {}
                            }
                        }
                    }
                    Some(_) => anyone = true,
                    None => {}
                }
            }
            if anyone {
                ix.anyone.push(&r.arn);
            }
        }
        ix
    }

    fn names(&self, role: &str, who: &RequestPrincipal) -> bool {
        let Some(doc) = self.docs.get(role) else {
            return false;
        };
        doc.statements.iter().any(|s| {
            s.effect == Effect::Allow
                && facts::eval::action_matches(&s.action, "sts:AssumeRole")
                && s.principal
                    .as_ref()
                    .is_some_and(|p| principal_clause_matches(p, who))
        })
    }

    /// Roles whose trust policy could allow IAM principal `arn` of `account`.
    /// `identity_may(role)`: whether some identity `Allow` statement of the caller could
    /// allow `sts:AssumeRole` on the role. A trust policy that names only the caller's
    /// account (not the caller itself, nor everyone) lets the caller in only when its
    /// identity side allows too (docs/evaluation-logic.md, rule 9, from IAM User Guide,
    /// "IAM roles" and "Cross-account resource access in IAM"), so those roles are
    /// candidates only then: a sound pre-filter, the engine still decides each request.
    pub fn roles_for(
        &self,
        arn: &str,
        account: &str,
        identity_may: &dyn Fn(&str) -> bool,
    ) -> Vec<&'m str> {
        let who = RequestPrincipal::Aws {
            arn: arn.to_string(),
        };
        let named = self
            .by_arn
            .get(arn)
            .into_iter()
            .flatten()
            .chain(self.anyone.iter())
            .copied();
        let by_account = self
            .by_account
            .get(account)
            .into_iter()
            .flatten()
            .copied()
            .filter(|r| identity_may(r));
        let mut out: Vec<&'m str> = named
            .chain(by_account)
            .filter(|r| *r != arn && self.names(r, &who))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The ARNs of `service`'s resources in `account` that `role`'s trust policy names in an
    /// `aws:SourceArn` condition, made concrete: the resource the attacker creates with the
    /// role, named by it. A wildcard account becomes `account`; other wildcards (`*`, `?`)
    /// become `x`, a name the attacker may choose. ARNs of another account or another
    /// service are left out: the attacker cannot create those with this role.
    pub fn source_arns(&self, role: &str, service: Service, account: &str) -> Vec<String> {
        let Some(doc) = self.docs.get(role) else {
            return Vec::new();
        };
        let mut out: Vec<String> = doc
            .statements
            .iter()
            .flat_map(|s| &s.conditions)
            .filter(|c| c.key.eq_ignore_ascii_case("aws:SourceArn"))
            .flat_map(|c| &c.values)
            .filter_map(|v| source_arn(v, service, account))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Witness requests of `service`'s `sts:AssumeRole` of `role`: per trust statement that
    /// allows it to `service` with conditions on keys `ctx` (the keys the service fills for
    /// the attacker's resource) does not set, `ctx` with those keys filled by values meeting
    /// them ([`witness_value`]), and the conditions as text. The engine decides each: a
    /// value it cannot fill leaves the key absent, so a witness never allows more than some
    /// real request would.
    pub fn service_witnesses(
        &self,
        role: &str,
        service: Service,
        ctx: &Context,
        account: &str,
    ) -> Vec<(Context, String)> {
        let Some(doc) = self.docs.get(role) else {
            return Vec::new();
        };
        let who = RequestPrincipal::Service {
            name: service.principal().to_string(),
        };
        let mut out: Vec<(Context, String)> = Vec::new();
        for st in doc.statements.iter().filter(|st| {
            st.effect == Effect::Allow
                && facts::eval::action_matches(&st.action, "sts:AssumeRole")
                && st
                    .principal
                    .as_ref()
                    .is_some_and(|p| principal_clause_matches(p, &who))
        }) {
            let unset: Vec<&facts::policy::Condition> = st
                .conditions
                .iter()
                .filter(|c| ctx.get(&c.key).is_none() && !service_fills(c))
                .collect();
            if unset.is_empty() {
                continue;
            }
            let mut c = ctx.clone();
            for cond in &unset {
                // `Null` false needs the key only: it keeps a value another condition chose.
                let keeps = cond.operator.base == facts::condition::BaseOperator::Null;
                if keeps && c.get(&cond.key).is_some() {
                    continue;
                }
                if let Some(v) = witness_value(cond, service, account) {
                    c.insert(&cond.key, v);
                }
            }
            let text = unset
                .iter()
                .map(|c| format!("{} {} {}", c.key, c.operator, c.values.join(" or ")))
                .collect::<Vec<_>>()
                .join(" and ");
            if !out.iter().any(|(_, t)| *t == text) {
                out.push((c, text));
            }
        }
        out
    }

    /// Roles whose trust policy could allow service principal `service`.
    pub fn roles_for_service(&self, service: &str) -> Vec<&'m str> {
        let who = RequestPrincipal::Service {
            name: service.to_string(),
        };
        let mut out: Vec<&'m str> = self
            .by_service
            .get(service)
            .into_iter()
            .flatten()
            .chain(self.anyone.iter())
            .copied()
            .filter(|r| self.names(r, &who))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The ARN namespace of the resources `service` runs code for (the `service` field of their
/// ARNs: `arn:aws:lambda:...:function:f`).
fn arn_namespace(service: Service) -> &'static str {
    match service {
        Service::Ec2 => "ec2",
        Service::Lambda => "lambda",
        Service::CloudFormation => "cloudformation",
        Service::CodeBuild => "codebuild",
        Service::DataPipeline => "datapipeline",
        Service::EcsTasks => "ecs",
        Service::Glue => "glue",
        Service::SageMaker => "sagemaker",
        Service::AppRunner => "apprunner",
        Service::BedrockAgentCore => "bedrock-agentcore",
    }
}

/// Pattern `v` of an `aws:SourceArn` condition made a concrete ARN of `service` in
/// `account` (see [`TrustIndex::source_arns`]), if it can be one.
fn source_arn(v: &str, service: Service, account: &str) -> Option<String> {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || account.is_empty() {
        return None;
    }
    let fill = |p: &str| p.replace(['*', '?'], "x");
    let partition = fill(parts[1]);
    if fill(parts[2]) != arn_namespace(service) {
        return None;
    }
    let acct = match parts[4] {
        "*" => account.to_string(),
        a if a == account => a.to_string(),
        _ => return None,
    };
    let region = match parts[3] {
        "" => String::new(),
        r if r.contains(['*', '?']) => REGION.to_string(),
        r => r.to_string(),
    };
    let rest = fill(parts[5]);
    Some(format!(
        "arn:{partition}:{}:{region}:{acct}:{rest}",
        arn_namespace(service)
    ))
}

/// Whether condition `c` is on a key whose value the service-assume requests already set
/// from the data for the attacker's resource (`aws:SourceAccount`, `aws:SourceOrgID`,
/// `aws:SourceOrgPaths`, and `aws:SourceArn` under a positive operator: the ARNs
/// [`TrustIndex::source_arns`] makes concrete); a witness leaves those alone, so that a
/// trust policy naming another account or organization still denies.
fn service_fills(c: &facts::policy::Condition) -> bool {
    use facts::condition::BaseOperator as B;
    let key = c.key.to_ascii_lowercase();
    match key.as_str() {
        "aws:sourceaccount" | "aws:sourceorgid" | "aws:sourceorgpaths" => true,
        "aws:sourcearn" => !matches!(
            c.operator.base,
            B::ArnNotEquals | B::ArnNotLike | B::StringNotEquals | B::StringNotLike
        ),
        _ => false,
    }
}

/// A value of condition `c`'s key meeting it, for a witness request
/// ([`TrustIndex::service_witnesses`]); `None`: leave the key absent (`Null` true, or an
/// operator this does not fill).
fn witness_value(
    c: &facts::policy::Condition,
    service: Service,
    account: &str,
) -> Option<ContextValue> {
    use facts::condition::BaseOperator as B;
    let first = c.values.first()?;
    let fill = |v: &str| v.replace(['*', '?'], "x");
    let other_arn = || {
        format!(
            "arn:aws:{}:{REGION}:{account}:{OTHER}",
            arn_namespace(service)
        )
    };
    let v = match c.operator.base {
        B::StringEquals | B::StringEqualsIgnoreCase | B::StringLike => fill(first),
        B::ArnEquals | B::ArnLike => fill(first),
        B::StringNotEquals | B::StringNotEqualsIgnoreCase | B::StringNotLike => OTHER.to_string(),
        B::ArnNotEquals | B::ArnNotLike => other_arn(),
        B::IpAddress => first.split('/').next().unwrap_or(first).to_string(),
        B::NotIpAddress => "192.0.2.1".to_string(),
        B::Bool | B::BinaryEquals => first.clone(),
        B::NumericEquals | B::NumericLessThanEquals | B::NumericGreaterThanEquals => first.clone(),
        // Integers below / above the bound, whole or not ("Numeric condition operators").
        B::NumericLessThan => (first.trim().parse::<f64>().ok()?.floor() as i64 - 1).to_string(),
        B::NumericGreaterThan | B::NumericNotEquals => {
            (first.trim().parse::<f64>().ok()?.ceil() as i64 + 1).to_string()
        }
        B::DateEquals | B::DateLessThanEquals | B::DateGreaterThanEquals => first.clone(),
        // Epoch seconds (a form "Date condition operators" accepts) one second before or
        // after the bound, whatever form the policy wrote it in.
        B::DateLessThan => (facts::condition::eval::date::parse_date(first)?.0 - 1).to_string(),
        B::DateGreaterThan | B::DateNotEquals => {
            (facts::condition::eval::date::parse_date(first)?.0 + 1).to_string()
        }
        B::Null if first.eq_ignore_ascii_case("false") => "x".to_string(),
        _ => return None,
    };
    Some(ContextValue::Single(v))
}

/// Per account: its roles, users, groups and attached customer-managed policies.
#[derive(Default)]
pub(crate) struct ByAccount<'m> {
    pub roles: HashMap<&'m str, Vec<&'m str>>,
    pub users: HashMap<&'m str, Vec<&'m str>>,
    pub groups: HashMap<&'m str, Vec<&'m str>>,
    pub policies: HashMap<&'m str, Vec<&'m str>>,
    /// Compute resources of the data, per account and kind.
    pub compute: HashMap<(&'m str, ComputeKind), Vec<&'m str>>,
}

/// Generate the `Can` requests of every caller, the service-assume requests of every role,
/// and the administrator probes of callers that could be administrators.
#[allow(clippy::too_many_arguments)]
pub(crate) fn phase_a<'m>(
    model: &'m Model,
    callers: &[Caller<'m>],
    trust: &TrustIndex<'m>,
    by: &ByAccount<'m>,
    nodes: &mut Nodes,
    base: &Context,
    skip: &dyn Fn(&str) -> bool,
    classes: &target_class::Statements<'_>,
    principals: &mut super::principal_class::Classes<'_>,
    plan: &mut Plan,
) {
    // Which services may assume which roles: "Grant a user permissions to pass a role to an
    // AWS service" — the service later assumes the role, so its trust policy must allow it.
    // It assumes it on behalf of the resource the attacker creates (or runs) with the role,
    // which is in the role's account (a role is passed only to a service of its own
    // account), so the service fills `aws:SourceAccount` with that account and
    // `aws:SourceArn` with an ARN the attacker names ("AWS global condition context keys",
    // aws:SourceAccount / aws:SourceArn; "The confused deputy problem"), and its
    // organization's keys when the data has them: one request with
    // no `aws:SourceArn`, and one per ARN of the service in the role's account that the
    // trust policy's `aws:SourceArn` conditions name. Allowed by any: the edge is.
    for s in Service::ALL {
        for role in trust.roles_for_service(s.principal()) {
            let id = nodes.id(role, NodeKind::Principal);
            let account = facts::arn::Arn::parse(role)
                .map(|a| a.account.to_string())
                .unwrap_or_default();
            let mut ctx = base.clone();
            if !account.is_empty() {
                ctx.insert("aws:SourceAccount", ContextValue::Single(account.clone()));
                // The resource's organization, when the data has it ("AWS global condition
                // context keys", aws:SourceOrgID, aws:SourceOrgPaths).
                let id = facts::account::AccountId(account.clone());
                if let Some(o) = model.organization_of(&id) {
                    ctx.insert("aws:SourceOrgID", ContextValue::Single(o.id.clone()));
                    if let Some(p) = o.org_path(&id) {
                        ctx.insert("aws:SourceOrgPaths", ContextValue::Multi(vec![p]));
                    }
                }
            }
            let mut contexts = vec![ctx.clone()];
            for arn in trust.source_arns(role, s, &account) {
                let mut c = ctx.clone();
                c.insert("aws:SourceArn", ContextValue::Single(arn));
                contexts.push(c);
            }
            // A trust statement's conditions on keys the service may fill but the attacker
            // does not control (`aws:SourceIp`, a service-specific key, `aws:SourceArn` under
            // a negated operator): one witness request per statement, those keys filled so
            // that its conditions hold. Allowed: the service assumes the role only under
            // that condition (conditional), never a missed edge.
            let witnesses = trust.service_witnesses(role, s, &ctx, &account);
            let contexts = contexts
                .into_iter()
                .map(|c| (c, NO_CONDITION))
                .chain(witnesses.into_iter().map(|(c, text)| {
                    plan.conditions.push(text);
                    (c, (plan.conditions.len() - 1) as u32)
                }))
                .collect::<Vec<_>>();
            for (context, condition) in contexts {
                plan.push(
                    RequestSpec {
                        principal: s.principal().to_string(),
                        action: "sts:AssumeRole".to_string(),
                        resource: role.to_string(),
                        resource_account: None,
                        context: Arc::new(context),
                    },
                    Purpose::ServiceAssume {
                        service: s,
                        role: id,
                        condition,
                    },
                );
            }
        }
    }
    let contexts: HashMap<Action, Arc<Context>> = Action::all()
        .into_iter()
        .map(|a| (a, Arc::new(context_for(base, a))))
        .collect();
    // Which actions a caller's statements name, once per set of statements (most callers
    // share their policies with others).
    let actions = Action::all();
    let mut acts_of: HashMap<u32, Vec<bool>> = HashMap::default();
    // The caller's `Allow` statements (by their identities), numbered: callers with the
    // same ones share their statements for each action, matched once (`allowing_of`).
    let mut sig_ids: HashMap<Vec<usize>, u32> = HashMap::default();
    // Each list, with the number of its statements' identities in `list_ids` (the key of
    // `filtered` below).
    type Among<'m> = Rc<(Vec<(&'m Policy, &'m facts::policy::Statement)>, u32)>;
    let mut list_ids: HashMap<Vec<usize>, u32> = HashMap::default();
    let mut number = |st: &[(&Policy, &facts::policy::Statement)]| -> u32 {
        let ids: Vec<usize> = st
            .iter()
            .map(|(_, s)| *s as *const facts::policy::Statement as usize)
            .collect();
        let next = list_ids.len() as u32;
        *list_ids.entry(ids).or_insert(next)
    };
    let mut allowing_of: HashMap<(u32, Action), Among<'m>> = HashMap::default();
    // The same for every statement that applies to the caller (identity, groups', boundary,
    // SCPs: `target_class::Statements::of_principal`), numbered by their identities.
    let mut all_ids: HashMap<Vec<usize>, u32> = HashMap::default();
    type Applying<'t> = Rc<Option<(Vec<(&'t Policy, &'t facts::policy::Statement)>, u32)>>;
    let mut applying_of: HashMap<(u32, Action), Applying<'_>> = HashMap::default();
    // Requests of callers of one principal class ([`super::principal_class`]) for the same
    // action and target, when no statement the action matches reads more than the target's
    // ARN (a target class): one decision. Callers with an inline policy of their own are
    // left out (their evidence names it).
    let mut class_ids: HashMap<super::principal_class::Key, u32> = HashMap::default();
    let mut shared: HashMap<(u32, Action, String), u32> = HashMap::default();
    let mut shared_node: HashMap<(u32, Action, u32), u32> = HashMap::default();
    // The targets of the data per account and action, and the candidates among them per
    // set of statements (see below; sets of statements by their number in `list_ids`).
    type DataTargets<'m> = Rc<Vec<(u32, &'m str)>>;
    type Candidates = Rc<Vec<(u32, u32)>>;
    let mut of_data: HashMap<(&'m str, Action), DataTargets<'m>> = HashMap::default();
    let mut filtered: HashMap<(&'m str, Action, u32, Option<u32>), Candidates> = HashMap::default();
    let mut trust_keys = TrustKeys::default();
    for c in callers.iter().filter(|c| !skip(c.arn)) {
        let mut class: Option<Option<u32>> = None;
        let me = nodes.id(c.arn, NodeKind::Principal);
        let sid = {
            let next = sig_ids.len() as u32;
            *sig_ids.entry(c.signature()).or_insert(next)
        };
        let acts = acts_of
            .entry(sid)
            .or_insert_with(|| actions.iter().map(|a| c.may_act(a.name())).collect());
        // The caller's statements, for the target classes (looked up at its first target).
        type Stmts<'t> = Option<Vec<(&'t Policy, &'t facts::policy::Statement)>>;
        let mut mine: Option<Stmts<'_>> = None;
        // The number of `mine` among the sets of statements (`all_ids`).
        let mut all_of: Option<u32> = None;
        // sts:AssumeRole: candidates from the trust policies (a same-account trust policy
        // naming the caller needs no identity Allow).
        // Roles whose trust policies are one document are decided once per class
        // (`target_class::Statements::trust_key`).
        // The statements that name the action, matched once for every role.
        let assume_allowing = Rc::clone(
            allowing_of
                .entry((sid, Action::AssumeRole))
                .or_insert_with(|| {
                    let st = c.statements_for(Action::AssumeRole.name());
                    let n = number(&st);
                    Rc::new((st, n))
                }),
        );
        let assume = |role: &str| c.may_allow_among(&assume_allowing.0, role);
        let mut first: HashMap<u32, u32> = HashMap::default();
        // The caller's statements for the action (the only ones a trust key reads of it),
        // by their identities, once the first candidate needs them.
        let mut assume_sig: Option<Option<u32>> = None;
        for role in trust.roles_for(c.arn, c.account, &assume) {
            let q = nodes.id(role, NodeKind::Principal);
            let purpose = Purpose::Can {
                caller: me,
                action: Action::AssumeRole,
                target: q,
            };
            let sig = *assume_sig.get_or_insert_with(|| {
                let st = mine
                    .get_or_insert_with(|| classes.of_principal(c.arn))
                    .as_deref()?;
                let matching: Vec<usize> = st
                    .iter()
                    .filter(|(_, s)| {
                        facts::eval::action_matches(&s.action, Action::AssumeRole.name())
                    })
                    .map(|(_, s)| *s as *const facts::policy::Statement as usize)
                    .collect();
                let next = trust_keys.sigs.len() as u32;
                Some(*trust_keys.sigs.entry(matching).or_insert(next))
            });
            let key = match sig {
                Some(sig) if !aws_owned(role) => match trust_keys.of.get(&(sig, q)) {
                    Some(&k) => k,
                    None => {
                        let st = mine.as_ref().and_then(Option::as_deref).unwrap_or(&[]);
                        let k = classes.trust_key(st, role).map(|k| {
                            let next = trust_keys.ids.len() as u32;
                            *trust_keys.ids.entry(k).or_insert(next)
                        });
                        trust_keys.of.insert((sig, q), k);
                        k
                    }
                },
                _ => None,
            };
            let like = key.and_then(|k| first.get(&k).copied());
            match (key, like) {
                (_, Some(j)) => plan.push_like(role, purpose, j),
                (key, None) => {
                    if let Some(k) = key {
                        first.insert(k, plan.len() as u32);
                    }
                    plan.push(spec(c.arn, Action::AssumeRole, role, &contexts), purpose);
                }
            }
        }
        for (&action, &acts) in actions.iter().zip(acts.iter()) {
            if action == Action::AssumeRole || !acts {
                continue;
            }
            let caller_only = matches!(
                action,
                Action::DeleteRolePermissionsBoundary
                    | Action::PutRolePermissionsBoundary
                    | Action::DeleteUserPermissionsBoundary
                    | Action::PutUserPermissionsBoundary
            );
            // Targets of the data (roles, users, groups, policies, compute of the account),
            // found once per account and action (`listed`); the others are the caller's own.
            let mut owned: Vec<(u32, String)> = Vec::new();
            let listed = match action.target() {
                Target::Group | Target::Policy => true,
                Target::Role | Target::User if !caller_only => true,
                target @ (Target::Role | Target::User) => {
                    let kind_ok = match target {
                        Target::Role => c.kind == Kind::Role,
                        _ => c.kind == Kind::User,
                    };
                    // Only a principal with a boundary gains by losing it.
                    if kind_ok && c.has_boundary {
                        owned.push((me, c.arn.to_string()));
                    }
                    false
                }
                Target::Existing(kind, _) if by.compute.contains_key(&(c.account, kind)) => true,
                Target::Existing(kind, tpl) => {
                    let h = nodes.hypothetical(kind, c.account);
                    for arn in instances(c, action.name(), tpl) {
                        owned.push((h, arn));
                    }
                    false
                }
                Target::Star => {
                    owned.push((NEW, "*".to_string()));
                    false
                }
                Target::New(tpl) => {
                    for arn in instances(c, action.name(), tpl) {
                        owned.push((NEW, arn));
                    }
                    false
                }
            };
            let data: Rc<Vec<(u32, &'m str)>> =
                if listed {
                    Rc::clone(of_data.entry((c.account, action)).or_insert_with(|| {
                        Rc::new(data_targets(c.account, action, by, trust, nodes))
                    }))
                } else {
                    Rc::new(Vec::new())
                };
            if data.is_empty() && owned.is_empty() {
                continue;
            }
            // The statements that name the action, matched once for every target.
            let allowing_rc = Rc::clone(allowing_of.entry((sid, action)).or_insert_with(|| {
                let st = c.statements_for(action.name());
                let n = number(&st);
                Rc::new((st, n))
            }));
            let (allowing, allowing_n) = (allowing_rc.0.as_slice(), allowing_rc.1);
            let all = mine.get_or_insert_with(|| classes.of_principal(c.arn));
            let aid = *all_of.get_or_insert_with(|| {
                // Not in the tables (`None`): the one number `u32::MAX`.
                let Some(st) = all.as_deref() else {
                    return u32::MAX;
                };
                let ids: Vec<usize> = st
                    .iter()
                    .map(|(_, s)| *s as *const facts::policy::Statement as usize)
                    .collect();
                let next = all_ids.len() as u32;
                *all_ids.entry(ids).or_insert(next)
            });
            let stmts_rc = Rc::clone(applying_of.entry((aid, action)).or_insert_with(|| {
                Rc::new(all.as_deref().map(|st| {
                    let st: Vec<_> = st
                        .iter()
                        .filter(|(_, s)| facts::eval::action_matches(&s.action, action.name()))
                        .copied()
                        .collect();
                    let n = number(&st);
                    (st, n)
                }))
            }));
            let stmts: Option<&[_]> = stmts_rc.as_ref().as_ref().map(|(st, _)| st.as_slice());
            let stmts_n: Option<u32> = stmts_rc.as_ref().as_ref().map(|&(_, n)| n);
            // Each target the statements could allow (by its index among the targets), with
            // the index of its target class ([`NO_CLASS`]: a class of its own).
            let candidates = |arns: &mut dyn Iterator<Item = &str>| -> Vec<(u32, u32)> {
                let mut ix: HashMap<target_class::KeyOf, u32> = HashMap::default();
                let mut out = Vec::new();
                for (i, arn) in arns.enumerate() {
                    if !c.may_allow_among(allowing, arn) {
                        continue;
                    }
                    let key = stmts.and_then(|st| classes.key(st, action.name(), arn));
                    let cls = match key {
                        Some(k) => {
                            let next = ix.len() as u32;
                            *ix.entry(k).or_insert(next)
                        }
                        None => NO_CLASS,
                    };
                    out.push((i as u32, cls));
                }
                out
            };
            // Callers of one account whose statements for the action are the same ones, with
            // no policy variable (so nothing of the caller is read), get the same candidates
            // of the data: found once.
            let found: Rc<Vec<(u32, u32)>> = if data.is_empty() {
                Rc::new(candidates(&mut owned.iter().map(|(_, a)| a.as_str())))
            } else if super::principals::has_variables(allowing) {
                Rc::new(candidates(&mut data.iter().map(|&(_, a)| a)))
            } else {
                let key = (c.account, action, allowing_n, stmts_n);
                Rc::clone(
                    filtered
                        .entry(key)
                        .or_insert_with(|| Rc::new(candidates(&mut data.iter().map(|&(_, a)| a)))),
                )
            };
            let mut first: HashMap<u32, u32> = HashMap::default();
            for &(i, cls) in found.iter() {
                let (target, arn): (u32, &str) = if data.is_empty() {
                    let (t, a) = &owned[i as usize];
                    (*t, a)
                } else {
                    data[i as usize]
                };
                let purpose = Purpose::Can {
                    caller: me,
                    action,
                    target,
                };
                let keyed = cls != NO_CLASS;
                let mut like = if keyed {
                    first.get(&cls).copied()
                } else {
                    None
                };
                let class = if keyed {
                    *class.get_or_insert_with(|| {
                        if own_inline(model, c.arn) {
                            return None;
                        }
                        let k = principals.key(c.arn)?;
                        let next = class_ids.len() as u32;
                        Some(*class_ids.entry(k).or_insert(next))
                    })
                } else {
                    None
                };
                // The data's targets are named by their node; the caller's own by ARN.
                if like.is_none() {
                    like = class.and_then(|k| {
                        if data.is_empty() {
                            shared.get(&(k, action, arn.to_string())).copied()
                        } else {
                            shared_node.get(&(k, action, target)).copied()
                        }
                    });
                }
                match like {
                    Some(j) => {
                        if keyed {
                            first.entry(cls).or_insert(j);
                        }
                        if data.is_empty() {
                            plan.push_like(arn, purpose, j)
                        } else {
                            plan.push_like_node(target, purpose, j)
                        }
                    }
                    None => {
                        let at = plan.len() as u32;
                        if keyed {
                            first.insert(cls, at);
                        }
                        if let Some(k) = class {
                            if data.is_empty() {
                                shared.insert((k, action, arn.to_string()), at);
                            } else {
                                shared_node.insert((k, action, target), at);
                            }
                        }
                        plan.push(spec(c.arn, action, arn, &contexts), purpose);
                    }
                }
            }
        }
    }
}

/// The trust keys of role assumptions ([`target_class::Statements::trust_key`]), found once
/// per role and set of statements: a key reads of the caller only its statements whose
/// action element matches `sts:AssumeRole`, so callers with the same ones share it.
#[derive(Default)]
struct TrustKeys {
    /// The sets of statements (by their identities), numbered.
    sigs: HashMap<Vec<usize>, u32>,
    /// The keys, numbered.
    ids: HashMap<(target_class::Key, usize), u32>,
    /// Per set of statements and role node: the number of its key (`None`: a class of its
    /// own).
    of: HashMap<(u32, u32), Option<u32>>,
}

/// No target class: a class of its own ([`target_class::Key`] `None`).
const NO_CLASS: u32 = u32::MAX;

/// The targets of the data in `account` for `action`, with their nodes: its roles (those
/// a service may assume, for `iam:PassRole`), users, groups, customer-managed policies or
/// compute resources.
fn data_targets<'m>(
    account: &'m str,
    action: Action,
    by: &ByAccount<'m>,
    trust: &TrustIndex<'m>,
    nodes: &mut Nodes,
) -> Vec<(u32, &'m str)> {
    let mut targets = Vec::new();
    match action.target() {
        Target::Role | Target::User => {
            let list = match action.target() {
                Target::Role => by.roles.get(account),
                _ => by.users.get(account),
            };
            for &arn in list.into_iter().flatten() {
                // AWS-owned roles cannot be changed by customers: a service-linked role's
                // trust and permissions are managed by its service ("Using service-linked
                // roles"), and IAM Identity Center manages its reserved roles ("IAM Identity
                // Center ... roles"). Passing and assuming them is left to the engine.
                if aws_owned(arn) && !matches!(action, Action::PassRole(_)) {
                    continue;
                }
                if let Action::PassRole(s) = action {
                    // Only roles the service may assume can be passed usefully.
                    if !trust
                        .docs
                        .get(arn)
                        .is_some_and(|_| trust.names(arn, &svc(s)))
                    {
                        continue;
                    }
                }
                targets.push((nodes.id(arn, NodeKind::Principal), arn));
            }
        }
        Target::Group => {
            for &arn in by.groups.get(account).into_iter().flatten() {
                targets.push((nodes.id(arn, NodeKind::Group), arn));
            }
        }
        Target::Policy => {
            for &arn in by.policies.get(account).into_iter().flatten() {
                targets.push((nodes.id(arn, NodeKind::Policy), arn));
            }
        }
        Target::Existing(kind, _) => {
            for &arn in by.compute.get(&(account, kind)).into_iter().flatten() {
                targets.push((nodes.id(arn, NodeKind::Compute(kind)), arn));
            }
        }
        Target::Star | Target::New(_) => {}
    }
    targets
}

/// Whether user or role `arn` has an inline policy of its own.
fn own_inline(model: &Model, arn: &str) -> bool {
    model
        .users
        .get(arn)
        .map(|u| !u.inline_policies.is_empty())
        .or_else(|| model.roles.get(arn).map(|r| !r.inline_policies.is_empty()))
        .unwrap_or(true)
}

/// Whether a role is owned by AWS (service-linked, or reserved by IAM Identity Center).
fn aws_owned(role_arn: &str) -> bool {
    role_arn.contains(":role/aws-service-role/")
        || role_arn.contains(":role/aws-reserved/sso.amazonaws.com/")
}

fn svc(s: Service) -> RequestPrincipal {
    RequestPrincipal::Service {
        name: s.principal().to_string(),
    }
}

fn spec(
    principal: &str,
    action: Action,
    resource: &str,
    contexts: &HashMap<Action, Arc<Context>>,
) -> RequestSpec {
    RequestSpec {
        principal: principal.to_string(),
        action: action.name().to_string(),
        resource: resource.to_string(),
        resource_account: None,
        context: contexts.get(&action).map_or_else(Arc::default, Arc::clone),
    }
}

/// The administrator probes of `c` (only when some statement could allow every action):
/// one request per class of [`ProbeSet`], answering for every probe of the class.
pub(crate) fn probes(
    c: &Caller<'_>,
    id: u32,
    variant: Variant,
    base: &Arc<Context>,
    set: &ProbeSet,
    plan: &mut Plan,
) {
    let any = format!("iamlogic:{PROBE_ACTION}");
    if variant == Variant::Real && !c.may_allow(&any, "*") {
        return;
    }
    for (i, a) in set.each() {
        plan.push(
            RequestSpec {
                principal: c.arn.to_string(),
                action: a.to_string(),
                resource: "*".to_string(),
                resource_account: None,
                context: Arc::clone(base),
            },
            Purpose::Probe {
                principal: id,
                variant,
                index: i,
            },
        );
    }
}

/// The probes of the root user of each account: SCPs and RCPs limit everyone in a member
/// account, so a principal is an administrator when it is allowed every probe the account's
/// root user is allowed ("AWS account root user": full access, except what SCPs deny).
pub(crate) fn root_probes(
    accounts: &[String],
    nodes: &mut Nodes,
    base: &Arc<Context>,
    set: &ProbeSet,
    plan: &mut Plan,
) {
    for acct in accounts {
        let id = nodes.id(&format!("account:{acct}"), NodeKind::Group);
        for (i, a) in set.each() {
            plan.push(
                RequestSpec {
                    principal: format!("arn:aws:iam::{acct}:root"),
                    action: a.to_string(),
                    resource: "*".to_string(),
                    resource_account: None,
                    context: Arc::clone(base),
                },
                Purpose::RootProbe {
                    account: id,
                    index: i,
                },
            );
        }
    }
}

/// The administrator probes: one made-up action per service prefix of the catalogue (only
/// a statement naming every action of the service can allow it), and, for every action
/// pattern that can take part of a service away — in a `Deny` statement or a `NotAction`
/// of any policy, boundary, SCP or RCP of the data — one catalogue action it matches, so
/// that "everything but `iam:Create*`" is not taken for administrator access.
pub(crate) fn probe_actions(model: &Model) -> Vec<String> {
    let cat = facts::catalogue::Catalogue::get();
    let mut out: Vec<String> = cat
        .services()
        .iter()
        .map(|s| format!("{}:{PROBE_ACTION}", s.prefix()))
        .collect();
    let mut patterns: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut take = |doc: &Policy| {
        for st in &doc.statements {
            match (&st.action, st.effect) {
                (facts::policy::ActionClause::NotAction(ps), _)
                | (facts::policy::ActionClause::Action(ps), Effect::Deny) => {
                    patterns.extend(ps.iter().map(|p| p.0.to_ascii_lowercase()));
                }
                _ => {}
            }
        }
    };
    super::probe_class::permission_documents(model).for_each(&mut take);
    let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
    for pat in patterns {
        let (prefix, _) = pat.split_once(':').unwrap_or(("*", ""));
        let services: Vec<&facts::catalogue::Service> = if prefix.contains(['*', '?']) {
            cat.services().iter().collect()
        } else {
            cat.service(prefix).into_iter().collect()
        };
        let found = services
            .into_iter()
            .flat_map(|s| s.actions())
            .map(|a| a.full_name())
            .find(|name| facts::wildcard::glob_match(&pat, name, true));
        if let Some(name) = found {
            if seen.insert(name.clone()) {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_arn_pattern_becomes_an_arn_the_attacker_names_in_the_roles_account_only() {
        let a = "111122223333";
        assert_eq!(
            source_arn(
                "arn:aws:lambda:*:111122223333:function:build-*",
                Service::Lambda,
                a
            ),
            Some("arn:aws:lambda:us-east-1:111122223333:function:build-x".to_string())
        );
        assert_eq!(
            source_arn(
                "arn:aws:codebuild:eu-west-1:*:project/p?",
                Service::CodeBuild,
                a
            ),
            Some("arn:aws:codebuild:eu-west-1:111122223333:project/px".to_string())
        );
        // Another account, a partial account pattern, another service, not an ARN.
        for v in [
            "arn:aws:lambda:*:444455556666:function:*",
            "arn:aws:lambda:*:1111*:function:*",
            "arn:aws:glue:*:111122223333:job/*",
            "*",
        ] {
            assert_eq!(source_arn(v, Service::Lambda, a), None, "{v}");
        }
    }
}
