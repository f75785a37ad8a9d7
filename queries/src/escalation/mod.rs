//! `escalation`: every principal that can become an administrator (or reach a target
//! principal), with the shortest path and each step's technique, permissions and the
//! statements that allow them.
//!
//! How it works, in four phases, every decision made by the decision engine through
//! [`AccountSimulator::simulate`]:
//! 1. **Requests** ([`plan`]): for each user and role, each permission a technique needs
//!    on each concrete target its statements could allow (the role passed, the policy
//!    changed, the user whose key is created; a resource the caller names itself; compute
//!    of the data, or "if such a resource exists"); which services may assume which roles;
//!    administrator probes. A question the engine cannot tell apart from an earlier one is
//!    decided once: probes by action class ([`probe_class`]), a caller's targets by class
//!    ([`target_class`]).
//! 2. **Hypothetical changes** ([`hypothetical`]): what a principal could do once a
//!    technique changed it (a policy allowing `*` added, its boundary removed, a group
//!    joined, its trust policy rewritten), decided on copies of the model.
//! 3. **Rules**: the allowed decisions become facts of the Datalog program
//!    [`rules::escalation`], one rule per technique, which derives the steps.
//! 4. **Paths** ([`graph`], petgraph): shortest paths to "administrator" or the target.

#[cfg(test)]
mod fixtures;
mod graph;
mod hypothetical;
mod live;
mod nodes;
mod picture;
mod plan;
mod principal_class;
mod principals;
mod probe_class;
mod reach;
mod result;
mod target_class;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path as FsPath;

use facts::account::{Model, PolicyOwner};
use facts::request::Context;
use rules::escalation::{
    Action, Category, ComputeKind, EdgeRow, Facts, GrantRow, Known, Service, Slot, Technique,
    ADMIN, NEW, NONE,
};

use crate::simulate::{AccountSimulator, Outcome, SimulateError, SimulationResult};
use nodes::{NodeKind, Nodes};
use plan::{Plan, Purpose, Variant};
use probe_class::ProbeSet;

pub use picture::to_graph;
pub use principals::Kind;
pub use result::{
    ConditionalAdministrator, Escalation, EscalationReport, Path, Permission, Status, Step,
};

/// A hash map of the escalation's ids and names, with the multiply-rotate hasher of the
/// Datalog indexes (`rules::hash`): the keys are small integers or ARNs of the data, and
/// SipHash's resistance to chosen keys buys nothing here (it was 4 % of the CPU).
pub(crate) type FastMap<K, V> = HashMap<K, V, rules::hash::FxBuildHasher>;
/// A hash set with the hasher of [`FastMap`].
pub(crate) type FastSet<K> = HashSet<K, rules::hash::FxBuildHasher>;

/// What `escalation` is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Only these principals (ARNs) as starting points; empty: every user and role.
    pub from: Vec<String>,
    /// The target principal's ARN; `None`: administrator.
    pub to: Option<String>,
    /// List every simple path up to `max_depth` steps, not only the shortest.
    pub all: bool,
    /// The depth of `all`.
    pub max_depth: usize,
    /// The time requests are made at (`aws:CurrentTime`, `aws:TokenIssueTime`).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            from: Vec::new(),
            to: None,
            all: false,
            max_depth: 4,
            now: chrono::Utc::now(),
        }
    }
}

/// The phases of a run, for progress reports.
pub const PHASES: [&str; 5] = [
    "deciding permissions",
    "deciding conditions on live keys",
    "deciding hypothetical changes",
    "deriving steps",
    "finding paths",
];

/// Run `escalation` over loaded accounts. `progress` is called with each phase's index as
/// it starts.
pub fn escalation(
    sim: &AccountSimulator,
    opts: &Options,
    progress: &mut dyn FnMut(usize),
) -> Result<EscalationReport, SimulateError> {
    let model = sim.model();
    for arn in opts.from.iter().chain(opts.to.iter()) {
        if !model.users.contains_key(arn) && !model.roles.contains_key(arn) {
            return Err(SimulateError::Invalid {
                file: "<command line>".into(),
                path: "--from/--to".to_string(),
                reason: format!("`{arn}` is not a user or role of the loaded data"),
            });
        }
    }
    progress(0);
    let callers = principals::callers(model);
    let trust = plan::TrustIndex::new(model);
    let by = by_account(model);
    let mut nodes = Nodes::default();
    // Shared by every request of the plan that carries it unchanged.
    let base = std::sync::Arc::new(plan::base_context(opts.now));
    let probes = ProbeSet::new(model, plan::probe_actions(model));
    // Administrator probes first: with "administrator" as the target, an administrator's
    // own steps lead nowhere new (it reaches the target in one step), so its permissions
    // are not decided.
    let mut plan_p = Plan::default();
    for c in &callers {
        let id = nodes.id(c.arn, NodeKind::Principal);
        plan::probes(c, id, Variant::Real, &base, &probes, &mut plan_p);
    }
    let accounts: Vec<String> = model
        .accounts
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    plan::root_probes(&accounts, &mut nodes, &base, &probes, &mut plan_p);
    let origin = FsPath::new("<escalation>");
    let results_p = plan_p.simulate(sim, origin)?;
    let mut decisions = results_p.len();
    // The probes again over the keys only a live request carries (as the techniques'
    // permissions below): an administrator only under a condition is a conditional one.
    let live_tables = live::Tables::default();
    let live_real = live::Live::new(sim, &live_tables);
    let live_p = decide_live(&live_real, &plan_p, |_| true);
    let mut state = State::default();
    state.absorb(&plan_p, &results_p, &live_p, &probes, &nodes);
    drop(live_p);
    // The administrators whatever the live keys: their own steps lead nowhere new. A
    // conditional administrator's are decided (it may have an unconditional path).
    let admin_ids: HashSet<u32> = callers
        .iter()
        .filter_map(|c| nodes.get(c.arn))
        .filter(|&p| state.admin(p, Variant::Real, account_node(&nodes, p)) == Some(None))
        .collect();
    let skip_admins = opts.to.is_none();
    let admin_arns: HashSet<String> = admin_ids
        .iter()
        .map(|&p| nodes.name(p).to_string())
        .collect();
    let skip = |arn: &str| skip_admins && admin_arns.contains(arn);
    let mut pclasses =
        principal_class::Classes::new(model, sim.tables(), sim.index().profiles(), &base);
    let mut plan_a = Plan::default();
    plan::phase_a(
        model,
        &callers,
        &trust,
        &by,
        &mut nodes,
        &base,
        &skip,
        &target_class::Statements::new(sim.tables()),
        &mut pclasses,
        &mut plan_a,
    );
    let results_a = plan_a.simulate(sim, origin)?;
    decisions += plan_a.specs.len();
    progress(1);
    // The technique's permissions again over the keys only a live request carries:
    // allowed for every value, or only under a condition (who-can's exact machinery).
    // Once per class: a class's requests read no condition (target_class), so its answer is
    // its first request's.
    let live_a = decide_live(&live_real, &plan_a, |p| matches!(p, Purpose::Can { .. }));
    drop(live_real);
    drop(live_tables);
    state.absorb(&plan_a, &results_a, &live_a, &probes, &nodes);
    drop((plan_a, results_a, live_a, plan_p, results_p));

    // Phase 2: hypothetical changes.
    progress(2);
    let caller_ix = principals::index(&callers);
    let mut facts = base_facts(model, &mut nodes);
    let mut plan_b = Plan::default();
    let grantors: HashSet<u32> = if skip_admins {
        admin_ids.clone()
    } else {
        HashSet::new()
    };
    // Only grants the grantor can then use: to itself, or to a principal it may come to act
    // as (the others could never lead to "administrator").
    let compute_roles: HashMap<&str, &str> = model
        .compute
        .iter()
        .filter_map(|c| Some((c.arn.as_str(), compute_role(model, c)?)))
        .collect();
    let runs = |c: u32| -> Vec<u32> {
        match nodes.kind(c) {
            Some(NodeKind::Compute(_)) => compute_roles
                .get(nodes.name(c))
                .and_then(|r| nodes.get(r))
                .into_iter()
                .collect(),
            Some(NodeKind::Hypothetical(k, acct)) => by
                .roles
                .get(acct.as_str())
                .into_iter()
                .flatten()
                .filter_map(|r| nodes.get(r))
                .filter(|&q| state.service_assumes.contains_key(&(k.service(), q)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut reach = reach::Reach::new(state.can.keys(), &nodes, &runs);
    let mut granted =
        state.grant_targets(&facts, &nodes, &grantors, &mut |p, x| reach.reaches(p, x));
    // A user that joins a group may then give itself anything: test it granted too.
    for &(u, _) in &state.joins {
        let name = nodes.name(u).to_string();
        if !granted.contains(&name) {
            granted.push(name);
        }
    }
    // The copy of the model the changes are made on, cloned only when there is a change
    // to test (a clone of a large organization costs time and memory).
    let mut copy = if granted.is_empty() && state.joins.is_empty() && state.retrust.is_empty() {
        Model::default()
    } else {
        model.clone()
    };
    hypothetical::grant_all(&mut copy, &granted);
    // One probe set per class of principals the engine cannot tell apart (each member is
    // changed alike), its answers copied to the members (`principal_class`).
    let mut like_granted: Vec<(u32, u32)> = Vec::new();
    let mut reps: HashMap<principal_class::Key, u32> = HashMap::new();
    for arn in &granted {
        if let Some(&i) = caller_ix.get(arn.as_str()) {
            let id = nodes.id(arn, NodeKind::Principal);
            if let Some(rep) = principal_class::representative(&mut pclasses, &mut reps, arn, id) {
                like_granted.push((id, rep));
                continue;
            }
            plan::probes(
                &callers[i],
                id,
                Variant::Granted,
                &base,
                &probes,
                &mut plan_b,
            );
        }
    }
    // The users that joined a group, with the ARN of their copy (probed once the copy is
    // compiled, by class).
    let mut joined: Vec<(u32, u32, String)> = Vec::new();
    for &(u, g) in &state.joins {
        let (user, group) = (nodes.name(u).to_string(), nodes.name(g).to_string());
        if let Some(copy_arn) = hypothetical::join(&mut copy, model, &user, &group) {
            joined.push((u, g, copy_arn.clone()));
            for action in [Action::PutUserPolicy, Action::AttachUserPolicy] {
                plan_b.push(
                    crate::simulate::RequestSpec {
                        principal: copy_arn.clone(),
                        action: action.name().to_string(),
                        resource: copy_arn.clone(),
                        resource_account: None,
                        context: std::sync::Arc::new(plan::context_for(&base, action)),
                    },
                    Purpose::JoinedSelfGrant { user: u, group: g },
                );
            }
        }
    }
    let mut retrust: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(p, q) in &state.retrust {
        retrust.entry(q).or_default().push(p);
    }
    // A caller's assumptions of roles whose rewritten trust policies name the same callers
    // are decided once per class of roles (`target_class`).
    let statements = target_class::Statements::new(sim.tables());
    // Per caller: the number of its set of statements for `sts:AssumeRole` (the only ones
    // a key reads of it), `None` when the tables do not have it.
    type StmtsOf<'t> = Option<Vec<(&'t facts::policy::Policy, &'t facts::policy::Statement)>>;
    let mut stmts_of: HashMap<u32, StmtsOf<'_>> = HashMap::new();
    let mut sig_of: HashMap<u32, Option<u32>> = HashMap::new();
    let mut sigs: HashMap<Vec<usize>, u32> = HashMap::new();
    // Per set of statements and role: the number of its key (`None`: a class of its own).
    let mut key_of: HashMap<(u32, u32), Option<u32>> = HashMap::new();
    let mut key_ids: HashMap<target_class::KeyOf, u32> = HashMap::new();
    // The rewritten trust policies, one per set of callers named, numbered.
    let mut trusts: HashMap<Vec<u32>, (u32, facts::account::InlinePolicy)> = HashMap::new();
    let mut first: HashMap<(u32, u32, u32), u32> = HashMap::new();
    let mut retrust: Vec<(u32, Vec<u32>)> = retrust.into_iter().collect();
    retrust.sort_unstable();
    for (q, mut ps) in retrust {
        ps.sort_unstable();
        let next = trusts.len() as u32;
        let (named, trust) = trusts.entry(ps.clone()).or_insert_with(|| {
            let names: Vec<String> = ps.iter().map(|&p| nodes.name(p).to_string()).collect();
            (next, hypothetical::trust_naming(&names))
        });
        let named = *named;
        hypothetical::retrust(&mut copy, nodes.name(q), trust);
        for &p in &ps {
            let spec = crate::simulate::RequestSpec {
                principal: nodes.name(p).to_string(),
                action: "sts:AssumeRole".to_string(),
                resource: nodes.name(q).to_string(),
                resource_account: None,
                context: std::sync::Arc::clone(&base),
            };
            let purpose = Purpose::TrustRewrite { caller: p, role: q };
            let st = stmts_of
                .entry(p)
                .or_insert_with(|| statements.of_principal(nodes.name(p)));
            let sig = *sig_of.entry(p).or_insert_with(|| {
                let st = st.as_deref()?;
                let matching: Vec<usize> = st
                    .iter()
                    .filter(|(_, s)| facts::eval::action_matches(&s.action, "sts:AssumeRole"))
                    .map(|(_, s)| *s as *const facts::policy::Statement as usize)
                    .collect();
                let next = sigs.len() as u32;
                Some(*sigs.entry(matching).or_insert(next))
            });
            let key = sig.and_then(|sig| {
                *key_of.entry((sig, q)).or_insert_with(|| {
                    let k = statements.rewritten_trust_key(st.as_deref()?, nodes.name(q))?;
                    let next = key_ids.len() as u32;
                    Some(*key_ids.entry(k).or_insert(next))
                })
            });
            let Some(key) = key else {
                plan_b.push(spec, purpose);
                continue;
            };
            match first.entry((p, named, key)) {
                std::collections::hash_map::Entry::Occupied(o) => {
                    plan_b.push_like_node(q, purpose, *o.get())
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(plan_b.len() as u32);
                    plan_b.push(spec, purpose);
                }
            }
        }
    }
    let mut like_joined: Vec<(ProbeOf, ProbeOf)> = Vec::new();
    if !plan_b.specs.is_empty() || !joined.is_empty() {
        let sim_b = AccountSimulator::from_model(copy);
        // A joined user's probes, once per class of the copies (`principal_class`, over
        // the changed model: the copy's groups, ARN and keys).
        let mut classes_b = principal_class::Classes::new(
            sim_b.model(),
            sim_b.tables(),
            sim_b.index().profiles(),
            &base,
        );
        let mut reps: HashMap<principal_class::Key, u32> = HashMap::new();
        let mut rep_variant: HashMap<u32, Variant> = HashMap::new();
        for (i, (u, g, copy_arn)) in joined.iter().enumerate() {
            let variant = Variant::Joined(*g);
            if let Some(r) =
                principal_class::representative(&mut classes_b, &mut reps, copy_arn, i as u32)
            {
                let (ru, rv) = (joined[r as usize].0, rep_variant[&r]);
                like_joined.push(((*u, variant), (ru, rv)));
                continue;
            }
            rep_variant.insert(i as u32, variant);
            for (index, a) in probes.each() {
                plan_b.push(
                    crate::simulate::RequestSpec {
                        principal: copy_arn.clone(),
                        action: a.to_string(),
                        resource: "*".to_string(),
                        resource_account: None,
                        context: std::sync::Arc::clone(&base),
                    },
                    Purpose::Probe {
                        principal: *u,
                        variant,
                        index,
                    },
                );
            }
        }
        let r = plan_b.simulate(&sim_b, origin)?;
        decisions += r.len();
        // Over the live keys too, on the copy.
        let tables_b = live::Tables::default();
        let live_b = decide_live(&live::Live::new(&sim_b, &tables_b), &plan_b, |_| true);
        state.absorb(&plan_b, &r, &live_b, &probes, &nodes);
    }
    state.copy_probes(&like_granted, Variant::Granted);
    state.copy_probes_between(&like_joined);
    let unbounded: Vec<String> = state
        .unbound
        .iter()
        .map(|&p| nodes.name(p).to_string())
        .collect();
    if !unbounded.is_empty() {
        let mut copy = model.clone();
        hypothetical::unbound(&mut copy, &unbounded);
        let mut plan_c = Plan::default();
        let mut like_unbounded: Vec<(u32, u32)> = Vec::new();
        let mut reps: HashMap<principal_class::Key, u32> = HashMap::new();
        for arn in &unbounded {
            if let Some(&i) = caller_ix.get(arn.as_str()) {
                let id = nodes.id(arn, NodeKind::Principal);
                if let Some(rep) =
                    principal_class::representative(&mut pclasses, &mut reps, arn, id)
                {
                    like_unbounded.push((id, rep));
                    continue;
                }
                plan::probes(
                    &callers[i],
                    id,
                    Variant::Unbounded,
                    &base,
                    &probes,
                    &mut plan_c,
                );
            }
        }
        let sim_c = AccountSimulator::from_model(copy);
        let r = plan_c.simulate(&sim_c, origin)?;
        decisions += r.len();
        let tables_c = live::Tables::default();
        let live_c = decide_live(&live::Live::new(&sim_c, &tables_c), &plan_c, |_| true);
        state.absorb(&plan_c, &r, &live_c, &probes, &nodes);
        state.copy_probes(&like_unbounded, Variant::Unbounded);
    }

    // Phase 3: the rules.
    progress(3);
    state.fill(&mut facts, model, &mut nodes, &by);
    let derived = rules::escalation::run(&facts);

    // Phase 4: paths.
    progress(4);
    let admins: Vec<String> = {
        let mut v: Vec<String> = facts
            .admins
            .iter()
            .filter(|&&(_, c)| !c)
            .map(|&(p, _)| nodes.name(p).to_string())
            .collect();
        v.sort();
        v
    };
    let conditional_administrators: Vec<ConditionalAdministrator> = {
        let mut v: Vec<ConditionalAdministrator> = facts
            .admins
            .iter()
            .filter(|&&(_, c)| c)
            .map(|&(p, _)| ConditionalAdministrator {
                principal: nodes.name(p).to_string(),
                condition: state
                    .admin_conditions
                    .get(&(p, Variant::Real))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect();
        v.sort_by(|a, b| a.principal.cmp(&b.principal));
        v
    };
    let granted_ok: HashSet<u32> = facts.admin_if_granted.iter().map(|&(p, _)| p).collect();
    let report = Report {
        nodes: &nodes,
        state: &state,
        facts: &facts,
    };
    let escalations = report.paths(&derived.edges, &derived.grants, &granted_ok, opts, model);
    let service_credentials = derived
        .service_access
        .iter()
        .filter(|r| {
            !admin_ids.contains(&r.from)
                && (opts.from.is_empty() || opts.from.iter().any(|f| f == nodes.name(r.from)))
        })
        .map(|r| {
            report.step_of(
                r.from,
                r.user,
                r.technique,
                NONE,
                NONE,
                row_status(r.conditional, r.hypothetical),
                Vec::new(),
            )
        })
        .collect();
    Ok(EscalationReport {
        target: opts
            .to
            .clone()
            .unwrap_or_else(|| "administrator".to_string()),
        administrators: admins,
        conditional_administrators,
        escalations,
        service_credentials,
        decisions,
    })
}

/// The decided requests of `plan` whose purpose `keep` accepts, decided again over the keys
/// only a live request carries ([`live::Live::decide`]); per decided request (index in
/// `plan.specs`) its answer, `None` for the others.
fn decide_live(
    live: &live::Live<'_>,
    plan: &Plan,
    keep: impl Fn(&Purpose) -> bool,
) -> Vec<Option<live::LiveAnswer>> {
    let at: Vec<usize> = plan
        .decided_purposes()
        .iter()
        .enumerate()
        .filter(|(_, p)| keep(p))
        .map(|(k, _)| k)
        .collect();
    let asks: Vec<live::Ask<'_>> = at
        .iter()
        .map(|&k| {
            let s = &plan.specs[k];
            live::Ask {
                principal: &s.principal,
                action: &s.action,
                resource: &s.resource,
                context: &s.context,
            }
        })
        .collect();
    let mut out: Vec<Option<live::LiveAnswer>> = vec![None; plan.specs.len()];
    for (k, a) in at.iter().zip(live.decide(&asks)) {
        out[*k] = a;
    }
    out
}

/// The node of the account of principal `p` (the root probes' ceiling).
fn account_node(nodes: &Nodes, p: u32) -> Option<u32> {
    nodes
        .name(p)
        .split(':')
        .nth(4)
        .and_then(|a| nodes.get(&format!("account:{a}")))
}

/// Per account: roles, users, groups, attached customer-managed policies, compute.
fn by_account(model: &Model) -> plan::ByAccount<'_> {
    let mut by = plan::ByAccount::default();
    for r in model.roles.values() {
        // Service-linked roles: "you cannot edit the permissions of a service-linked role"
        // (IAM User Guide, "Create a service-linked role"); they are never targets of a
        // change (the decision engine also refuses AWS-owned resources).
        by.roles
            .entry(r.account.as_str())
            .or_default()
            .push(r.arn.as_str());
    }
    for u in model.users.values() {
        by.users
            .entry(u.account.as_str())
            .or_default()
            .push(u.arn.as_str());
    }
    for g in model.groups.values() {
        by.groups
            .entry(g.account.as_str())
            .or_default()
            .push(g.arn.as_str());
    }
    // Compute the data shows: the techniques on existing compute apply to exactly these.
    for c in &model.compute {
        if let Some(a) = &c.account {
            by.compute
                .entry((a.as_str(), compute_kind(c.kind)))
                .or_default()
                .push(c.arn.as_str());
        }
    }
    // Only customer-managed policies: AWS-managed policies cannot be changed by customers
    // (IAM User Guide, "AWS managed policies": "You cannot change the permissions defined
    // in AWS managed policies").
    let attached: HashSet<&str> = model
        .users
        .values()
        .flat_map(|u| u.attached_policies.iter())
        .chain(
            model
                .groups
                .values()
                .flat_map(|g| g.attached_policies.iter()),
        )
        .chain(
            model
                .roles
                .values()
                .flat_map(|r| r.attached_policies.iter()),
        )
        .map(|a| a.arn.as_str())
        .collect();
    for p in model.policies.values() {
        if p.owner != PolicyOwner::Customer || !attached.contains(p.arn.as_str()) {
            continue;
        }
        if let Some(a) = &p.account {
            by.policies
                .entry(a.as_str())
                .or_default()
                .push(p.arn.as_str());
        }
    }
    by
}

/// The escalation program's kind of a compute type of the model.
fn compute_kind(t: facts::account::ComputeType) -> ComputeKind {
    use facts::account::ComputeType as T;
    match t {
        T::LambdaFunction => ComputeKind::LambdaFunction,
        T::Ec2Instance => ComputeKind::Ec2Instance,
        T::LaunchTemplate => ComputeKind::LaunchTemplate,
        T::CfnStack => ComputeKind::CfnStack,
        T::CfnStackSet => ComputeKind::CfnStackSet,
        T::CodeBuildProject => ComputeKind::CodeBuildProject,
        T::EcsTaskDefinition => ComputeKind::EcsTaskDefinition,
        T::GlueDevEndpoint => ComputeKind::GlueDevEndpoint,
        T::GlueJob => ComputeKind::GlueJob,
        T::SageMakerNotebook => ComputeKind::SageMakerNotebook,
        T::AppRunnerService => ComputeKind::AppRunnerService,
        T::CodeInterpreter => ComputeKind::CodeInterpreter,
    }
}

/// The role ARN a compute resource runs with: its role, or the role of its instance
/// profile (through the GAAD's `InstanceProfileList`).
fn compute_role<'m>(model: &'m Model, c: &'m facts::account::Compute) -> Option<&'m str> {
    match &c.role {
        facts::account::ComputeRole::Role(r) => Some(r.as_str()),
        facts::account::ComputeRole::InstanceProfile(ip) => model
            .roles
            .values()
            .find(|r| r.instance_profiles.iter().any(|p| &p.arn == ip))
            .map(|r| r.arn.as_str()),
        facts::account::ComputeRole::None => None,
    }
}

/// The facts that come from the model alone: users, roles, groups, policy holders,
/// instance profiles, the credential report.
fn base_facts(model: &Model, nodes: &mut Nodes) -> Facts {
    let mut f = Facts::default();
    for u in model.users.values() {
        let id = nodes.id(&u.arn, NodeKind::Principal);
        f.users.push(id);
        for g in &u.groups {
            let gid = nodes.id(g, NodeKind::Group);
            f.member_of.push((id, gid));
        }
    }
    for r in model.roles.values() {
        let id = nodes.id(&r.arn, NodeKind::Principal);
        f.roles.push(id);
        if !r.instance_profiles.is_empty() {
            f.in_instance_profile.push(id);
        }
    }
    let customer = |arn: &str| {
        model
            .policies
            .get(arn)
            .is_some_and(|p| p.owner == PolicyOwner::Customer)
    };
    let mut holders = Vec::new();
    for u in model.users.values() {
        holders.extend(
            u.attached_policies
                .iter()
                .map(|a| (a.arn.clone(), u.arn.clone(), NodeKind::Principal)),
        );
    }
    for g in model.groups.values() {
        holders.extend(
            g.attached_policies
                .iter()
                .map(|a| (a.arn.clone(), g.arn.clone(), NodeKind::Group)),
        );
    }
    for r in model.roles.values() {
        holders.extend(
            r.attached_policies
                .iter()
                .map(|a| (a.arn.clone(), r.arn.clone(), NodeKind::Principal)),
        );
    }
    for (pol, holder, kind) in holders {
        if customer(&pol) {
            let p = nodes.id(&pol, NodeKind::Policy);
            let h = nodes.id(&holder, kind);
            f.policy_holders.push((p, h));
        }
    }
    // The credential report: console password, MFA device, access keys.
    let rows: HashMap<&str, &facts::account::CredentialReportRow> = model
        .credential_report
        .iter()
        .map(|r| (r.arn.as_str(), r))
        .collect();
    for u in model.users.values() {
        let id = nodes.id(&u.arn, NodeKind::Principal);
        match rows.get(u.arn.as_str()) {
            Some(r) => {
                let pw = match r.password_enabled {
                    Some(true) => Known::Yes,
                    Some(false) => Known::No,
                    None => Known::Unknown,
                };
                let mfa = if r.mfa_active { Known::Yes } else { Known::No };
                f.console.push((id, pw, mfa));
                let keys = r
                    .access_keys
                    .iter()
                    .filter(|k| k.active || k.last_rotated.is_some())
                    .count();
                f.keys_full
                    .push((id, if keys >= 2 { Known::Yes } else { Known::No }));
            }
            None => {
                f.console.push((id, Known::Unknown, Known::Unknown));
                f.keys_full.push((id, Known::Unknown));
            }
        }
    }
    f
}

/// The probes of one principal in one variant.
type ProbeOf = (u32, Variant);

/// An allowed administrator probe kept for explanations.
#[derive(Debug, Clone)]
struct Decided {
    resource: String,
    /// The statements that allow it.
    allowed_by: Vec<crate::simulate::MatchedOut>,
}

/// What a decided request says of every request of its class: its evidence, shared.
#[derive(Debug, Clone)]
struct Evidence {
    /// The decided request's resource (its evidence names that role's trust policy;
    /// each request of the class names its own: `target_class::rename_trust`).
    of: String,
    context: Vec<String>,
    /// The statements that allow it.
    allowed_by: Vec<crate::simulate::MatchedOut>,
    /// Allowed only under this condition on keys a live request carries.
    condition: Option<String>,
}

/// One allowed `(caller, action, target)`: its resource and the evidence of its class.
#[derive(Debug, Clone)]
struct CanEntry {
    /// The resource decided; `None`: the target node's name.
    resource: Option<Box<str>>,
    /// Index in [`State::evidence`].
    evidence: u32,
}

/// What the decisions say, gathered across phases.
#[derive(Debug, Default)]
struct State {
    /// `(caller, action, target)` → the allowed decision (the first allowed resource).
    can: FastMap<(u32, Action, u32), CanEntry>,
    /// The evidence of the decided requests of `can`.
    evidence: Vec<Evidence>,
    /// `(service, role)` → `None`: the service may assume the role with the keys it fills for
    /// the attacker's resource; `Some`: only under this condition on other keys.
    service_assumes: BTreeMap<(Service, u32), Option<String>>,
    /// Probe answers per (principal, variant), by probe index: allowed whatever the keys
    /// only a live request carries.
    probes: FastMap<(u32, Variant), Vec<bool>>,
    /// The probes allowed only under a condition on such keys, per (principal, variant):
    /// `(probe index, condition)`.
    probe_conditions: FastMap<(u32, Variant), Vec<(u32, String)>>,
    /// Per (principal, variant) that is an administrator only under a condition: the
    /// condition ([`State::fill`]).
    admin_conditions: FastMap<(u32, Variant), String>,
    /// The first allowed probe per (principal, variant), for explanations.
    probe_evidence: FastMap<(u32, Variant), Decided>,
    /// The root user's probe answers per account node (the ceiling).
    ceilings: FastMap<u32, Vec<bool>>,
    /// How many probes there are.
    probe_count: usize,
    /// `(caller, role)` → `None`: may assume under a trust policy naming it; `Some`: only
    /// under this condition.
    trust_rewrite_ok: BTreeMap<(u32, u32), Option<String>>,
    /// `(user, group)` → as for `trust_rewrite_ok`.
    joined_self_grant: BTreeMap<(u32, u32), Option<String>>,
    joins: Vec<(u32, u32)>,
    retrust: Vec<(u32, u32)>,
    unbound: Vec<u32>,
}

impl State {
    /// Take in the decisions of `plan`; `live`, when not empty, has per request its answer
    /// over the keys only a live request carries ([`live::decide`]).
    fn absorb(
        &mut self,
        plan: &Plan,
        results: &[SimulationResult],
        live: &[Option<live::LiveAnswer>],
        set: &ProbeSet,
        nodes: &Nodes,
    ) {
        let probes = set.len();
        self.probe_count = probes;
        // Per decided request: its evidence in `self.evidence` (`UNSEEN`: not yet made,
        // `DENIED`: not allowed).
        const UNSEEN: u32 = u32::MAX;
        const DENIED: u32 = u32::MAX - 1;
        let mut evidence_of: Vec<u32> = vec![UNSEEN; plan.specs.len()];
        for (i, purpose) in plan.purposes.iter().enumerate() {
            // A request of a class shares its decided request's decision (`results` and
            // `live` are per decided request), but for its resource.
            let k = plan.decided_as(i);
            let (spec, r) = (&plan.specs[k], &results[k]);
            let allowed = r.decision == Outcome::Allowed;
            // Over the live keys: `Some(None)` allowed whatever they are (or for values the
            // caller sets), `Some(Some(c))` only under `c`, `None` never.
            let answer: Option<Option<&String>> = match live.get(k).and_then(Option::as_ref) {
                Some(l) => Some(l.condition.as_ref()),
                None => allowed.then_some(None),
            };
            match *purpose {
                Purpose::Can {
                    caller,
                    action,
                    target,
                } => {
                    if evidence_of[k] == UNSEEN {
                        evidence_of[k] = match self.evidence_for(action, spec, r, live.get(k)) {
                            Some(e) => {
                                self.evidence.push(e);
                                (self.evidence.len() - 1) as u32
                            }
                            None => DENIED,
                        };
                    }
                    let ev = evidence_of[k];
                    if ev == DENIED {
                        continue;
                    }
                    let own = plan
                        .names_node(i, target)
                        .unwrap_or_else(|| plan.resource(i, nodes) == nodes.name(target));
                    let d = CanEntry {
                        resource: (!own).then(|| plan.resource(i, nodes).into()),
                        evidence: ev,
                    };
                    // An unconditional target of the action wins over a conditional one.
                    let conditional = |e: u32| self.evidence[e as usize].condition.is_some();
                    match self.can.entry((caller, action, target)) {
                        std::collections::hash_map::Entry::Vacant(v) => {
                            v.insert(d);
                        }
                        std::collections::hash_map::Entry::Occupied(mut o) => {
                            if conditional(o.get().evidence) && !conditional(ev) {
                                o.insert(d);
                            }
                        }
                    }
                }
                Purpose::ServiceAssume {
                    service,
                    role,
                    condition,
                } => {
                    if allowed {
                        // The unconditional answer wins.
                        let c = (condition != plan::NO_CONDITION)
                            .then(|| plan.conditions[condition as usize].clone());
                        let e = self
                            .service_assumes
                            .entry((service, role))
                            .or_insert_with(|| c.clone());
                        if c.is_none() {
                            *e = None;
                        }
                    }
                }
                Purpose::Probe {
                    principal,
                    variant,
                    index,
                } => {
                    let e = self
                        .probes
                        .entry((principal, variant))
                        .or_insert_with(|| vec![false; probes]);
                    for &j in set.class_of(index) {
                        if let Some(slot) = e.get_mut(j as usize) {
                            *slot = answer == Some(None);
                        }
                    }
                    if let Some(Some(c)) = answer {
                        let e = self
                            .probe_conditions
                            .entry((principal, variant))
                            .or_default();
                        e.extend(set.class_of(index).iter().map(|&j| (j, c.clone())));
                    }
                    if answer.is_some() {
                        self.probe_evidence
                            .entry((principal, variant))
                            .or_insert_with(|| Decided {
                                resource: "*".to_string(),
                                allowed_by: match live.get(k).and_then(Option::as_ref) {
                                    Some(l) if !allowed => l.allowed_by.clone(),
                                    _ => r.matched.clone(),
                                },
                            });
                    }
                }
                Purpose::RootProbe { account, index } => {
                    // What the root user may do under some value of the live keys.
                    let e = self
                        .ceilings
                        .entry(account)
                        .or_insert_with(|| vec![false; probes]);
                    for &j in set.class_of(index) {
                        if let Some(slot) = e.get_mut(j as usize) {
                            *slot = answer.is_some();
                        }
                    }
                }
                Purpose::TrustRewrite { caller, role } => {
                    if let Some(c) = answer {
                        self.trust_rewrite_ok.insert((caller, role), c.cloned());
                    }
                }
                Purpose::JoinedSelfGrant { user, group } => {
                    // Either permission serves: the unconditional one wins.
                    if let Some(c) = answer {
                        let e = self
                            .joined_self_grant
                            .entry((user, group))
                            .or_insert_with(|| c.cloned());
                        if c.is_none() {
                            *e = None;
                        }
                    }
                }
            }
        }
    }

    /// The evidence of decided `Can` request `spec` for `action` (result `r`, live answer `live`), if
    /// it is allowed: for every live value (or values the caller sets), or only under a
    /// condition.
    fn evidence_for(
        &self,
        action: Action,
        spec: &crate::simulate::RequestSpec,
        r: &SimulationResult,
        live: Option<&Option<live::LiveAnswer>>,
    ) -> Option<Evidence> {
        let mut context = technique_context(action, &spec.context);
        let allowed = r.decision == Outcome::Allowed;
        let of = spec.resource.clone();
        match live.and_then(Option::as_ref) {
            // Allowed for every live value (or values the caller sets): keep simulate's
            // evidence when it allowed the request too.
            Some(l) if l.condition.is_none() => {
                context.extend(l.chosen.iter().cloned());
                Some(Evidence {
                    of,
                    context,
                    allowed_by: if allowed {
                        r.matched.clone()
                    } else {
                        l.allowed_by.clone()
                    },
                    condition: None,
                })
            }
            Some(l) => Some(Evidence {
                of,
                context,
                allowed_by: l.allowed_by.clone(),
                condition: l.condition.clone(),
            }),
            None => allowed.then(|| Evidence {
                of,
                context,
                allowed_by: r.matched.clone(),
                condition: None,
            }),
        }
    }

    /// Give each `(member, representative)` of `pairs` the representative's probe answers
    /// in variant `v` (a class the engine decides alike, [`principal_class`]).
    fn copy_probes(&mut self, pairs: &[(u32, u32)], v: Variant) {
        for &(m, r) in pairs {
            if let Some(a) = self.probes.get(&(r, v)).cloned() {
                self.probes.insert((m, v), a);
            }
            if let Some(c) = self.probe_conditions.get(&(r, v)).cloned() {
                self.probe_conditions.insert((m, v), c);
            }
        }
    }

    /// Give each `(member, representative)` of `pairs`, each with its variant, the
    /// representative's probe answers.
    fn copy_probes_between(&mut self, pairs: &[(ProbeOf, ProbeOf)]) {
        for &(m, r) in pairs {
            if let Some(a) = self.probes.get(&r).cloned() {
                self.probes.insert(m, a);
            }
            if let Some(c) = self.probe_conditions.get(&r).cloned() {
                self.probe_conditions.insert(m, c);
            }
        }
    }

    /// Whether `p` (in variant `v`) is allowed every probe that the root user of its
    /// account (node `account`) is allowed under some value of the keys only a live request
    /// carries, and at least one: `None` when not; `Some(None)` when each is allowed
    /// whatever those keys are; `Some(Some(c))` when some are allowed only under a
    /// condition (`c`: their distinct conditions, joined with `; and `).
    fn admin(&self, p: u32, v: Variant, account: Option<u32>) -> Option<Option<String>> {
        let answers = self.probes.get(&(p, v))?;
        let conditional = self.probe_conditions.get(&(p, v));
        let ceiling = account.and_then(|a| self.ceilings.get(&a));
        let mut any = false;
        let mut needs: Vec<&str> = Vec::new();
        for (i, &ok) in answers.iter().enumerate() {
            let possible = ceiling.and_then(|c| c.get(i).copied()).unwrap_or(true);
            let condition = if ok {
                None
            } else {
                conditional
                    .and_then(|cs| cs.iter().find(|(j, _)| *j as usize == i))
                    .map(|(_, c)| c.as_str())
            };
            if possible && !ok {
                let c = condition?;
                if !needs.contains(&c) {
                    needs.push(c);
                }
            }
            any |= ok || condition.is_some();
        }
        any.then(|| (!needs.is_empty()).then(|| needs.join("; and ")))
    }

    /// The principals a rewriting permission could give anything to (for the granted
    /// probes), and the joins, trust rewrites and boundary removals to test; callers in
    /// `skip` (administrators, when they are the target) are left out.
    /// `keep(grantor, x)`: whether a grant to `x` can serve the grantor.
    fn grant_targets(
        &mut self,
        facts: &Facts,
        nodes: &Nodes,
        skip: &HashSet<u32>,
        keep: &mut dyn FnMut(u32, u32) -> bool,
    ) -> Vec<String> {
        let mut out: BTreeSet<u32> = BTreeSet::new();
        // Members per group and holders per policy, indexed once (they were scanned once
        // per permission on a group or policy).
        let mut by_group: FastMap<u32, Vec<u32>> = FastMap::default();
        for &(u, g) in &facts.member_of {
            by_group.entry(g).or_default().push(u);
        }
        let mut by_policy: FastMap<u32, Vec<u32>> = FastMap::default();
        for &(pol, h) in &facts.policy_holders {
            by_policy.entry(pol).or_default().push(h);
        }
        let members = |g: u32| by_group.get(&g).into_iter().flatten().copied();
        let mut joins = BTreeSet::new();
        let mut retrust = BTreeSet::new();
        let mut unbound = BTreeSet::new();
        for &(p, a, t) in self.can.keys().filter(|(p, _, _)| !skip.contains(p)) {
            match a {
                Action::PutRolePolicy
                | Action::AttachRolePolicy
                | Action::PutUserPolicy
                | Action::AttachUserPolicy
                    if keep(p, t) =>
                {
                    out.insert(t);
                }
                Action::PutGroupPolicy | Action::AttachGroupPolicy => {
                    out.extend(members(t).filter(|&m| keep(p, m)))
                }
                Action::CreatePolicyVersion | Action::SetDefaultPolicyVersion => {
                    for &h in by_policy.get(&t).into_iter().flatten() {
                        if matches!(nodes.kind(h), Some(NodeKind::Group)) {
                            out.extend(members(h).filter(|&m| keep(p, m)));
                        } else if keep(p, h) {
                            out.insert(h);
                        }
                    }
                }
                Action::AddUserToGroup if facts.users.contains(&p) => {
                    joins.insert((p, t));
                }
                Action::UpdateAssumeRolePolicy => {
                    retrust.insert((p, t));
                }
                Action::DeleteRolePermissionsBoundary
                | Action::DeleteUserPermissionsBoundary
                | Action::PutRolePermissionsBoundary
                | Action::PutUserPermissionsBoundary => {
                    unbound.insert(p);
                }
                _ => {}
            }
        }
        self.joins = joins.into_iter().collect();
        self.retrust = retrust.into_iter().collect();
        self.unbound = unbound.into_iter().collect();
        out.into_iter().map(|x| nodes.name(x).to_string()).collect()
    }

    /// Turn the decisions into the program's facts.
    fn fill(&mut self, f: &mut Facts, model: &Model, nodes: &mut Nodes, by: &plan::ByAccount<'_>) {
        let mut can: Vec<_> = self
            .can
            .iter()
            .map(|(&(p, a, t), d)| {
                (
                    p,
                    a,
                    t,
                    self.evidence[d.evidence as usize].condition.is_some(),
                )
            })
            .collect();
        can.sort();
        f.can = can;
        f.service_assumes = self
            .service_assumes
            .iter()
            .map(|(&(s, q), c)| (s, q, c.is_some()))
            .collect();
        // Per (principal, variant) that is an administrator: `None` whatever the live keys,
        // `Some` only under that condition.
        let mut found: BTreeMap<(u32, Variant), Option<String>> = BTreeMap::new();
        let keys: Vec<(u32, Variant)> = self.probes.keys().copied().collect();
        for (p, v) in keys {
            if let Some(c) = self.admin(p, v, account_node(nodes, p)) {
                found.insert((p, v), c);
            }
        }
        // The better of two answers: unconditional wins.
        fn better(
            e: &mut BTreeMap<(u32, Variant), Option<String>>,
            k: (u32, Variant),
            c: Option<String>,
        ) {
            match e.get(&k) {
                Some(None) => {}
                Some(Some(_)) if c.is_some() => {}
                _ => {
                    e.insert(k, c);
                }
            }
        }
        // A principal that is already an administrator stays one with more permissions.
        let real: Vec<(u32, Option<String>)> = found
            .iter()
            .filter(|((_, v), _)| *v == Variant::Real)
            .map(|(&(p, _), c)| (p, c.clone()))
            .collect();
        for (p, c) in real {
            better(&mut found, (p, Variant::Granted), c);
        }
        // A user that joined a group and may then give itself anything is an administrator
        // when it would be one granted everything ("IAM user groups": members get the
        // group's policies), under both conditions.
        for (&(u, g), c) in &self.joined_self_grant {
            if let Some(a) = found.get(&(u, Variant::Granted)).cloned() {
                better(
                    &mut found,
                    (u, Variant::Joined(g)),
                    both(c.as_deref(), a.as_deref()),
                );
            }
        }
        let (mut admins, mut granted, mut unbounded, mut joined) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (&(p, v), c) in &found {
            let cond = c.is_some();
            match v {
                Variant::Real => admins.push((p, cond)),
                Variant::Granted => granted.push((p, cond)),
                Variant::Unbounded => unbounded.push((p, cond)),
                Variant::Joined(g) => joined.push((p, g, cond)),
            }
        }
        self.admin_conditions = found
            .into_iter()
            .filter_map(|(k, c)| Some((k, c?)))
            .collect();
        f.admins = admins;
        f.admin_if_granted = granted;
        f.admin_if_unbounded = unbounded;
        f.admin_if_joined = joined;
        f.assume_after_trust_rewrite = self
            .trust_rewrite_ok
            .iter()
            .map(|(&(p, q), c)| (p, q, c.is_some()))
            .collect();
        // Compute: what the data shows, else one hypothetical resource per account and kind
        // that runs with each role its service may assume ("if such a resource exists").
        let kinds = [
            ComputeKind::LambdaFunction,
            ComputeKind::Ec2Instance,
            ComputeKind::LaunchTemplate,
            ComputeKind::CfnStack,
            ComputeKind::CfnStackSet,
            ComputeKind::CodeBuildProject,
            ComputeKind::GlueDevEndpoint,
            ComputeKind::GlueJob,
            ComputeKind::SageMakerNotebook,
            ComputeKind::EcsTaskDefinition,
            ComputeKind::AppRunnerService,
            ComputeKind::CodeInterpreter,
        ];
        let profiles: HashSet<u32> = f.in_instance_profile.iter().copied().collect();
        let accounts: BTreeSet<&str> = model
            .roles
            .values()
            .map(|r| r.account.as_str())
            .chain(model.users.values().map(|u| u.account.as_str()))
            .collect();
        for c in &model.compute {
            let kind = compute_kind(c.kind);
            let id = nodes.id(&c.arn, NodeKind::Compute(kind));
            f.exists.push((id, kind, false));
            if let Some(q) = compute_role(model, c).and_then(|r| nodes.get(r)) {
                f.runs.push((id, q, kind, false));
            }
        }
        for acct in accounts {
            for kind in kinds {
                if by.compute.contains_key(&(acct, kind)) {
                    continue;
                }
                let h = nodes.hypothetical(kind, acct);
                f.exists.push((h, kind, true));
                for arn in by.roles.get(acct).map(Vec::as_slice).unwrap_or(&[]) {
                    let Some(q) = nodes.get(arn) else { continue };
                    let ec2 =
                        matches!(kind, ComputeKind::Ec2Instance | ComputeKind::LaunchTemplate);
                    if self.service_assumes.contains_key(&(kind.service(), q))
                        && (!ec2 || profiles.contains(&q))
                    {
                        f.runs.push((h, q, kind, true));
                    }
                }
            }
        }
    }
}

/// Two conditions that must both hold, as one (`None`: no condition).
fn both(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => Some(format!("{a}; and {b}")),
        (Some(a), _) | (None, Some(a)) => Some(a.to_string()),
        (None, None) => None,
    }
}

/// The context keys a technique sets, as `key=value` (for explanations).
fn technique_context(action: Action, ctx: &Context) -> Vec<String> {
    let key = match action {
        Action::PassRole(_) => "iam:PassedToService",
        Action::AttachUserPolicy | Action::AttachRolePolicy | Action::AttachGroupPolicy => {
            "iam:PolicyARN"
        }
        Action::PutRolePermissionsBoundary | Action::PutUserPermissionsBoundary => {
            "iam:PermissionsBoundary"
        }
        _ => return Vec::new(),
    };
    ctx.get(key)
        .map(|v| vec![format!("{key}={}", v.values().join(","))])
        .unwrap_or_default()
}

/// One edge of the graph: a derived step, or a grant to another principal composed with
/// the path by which the grantor then acts as it.
#[derive(Debug, Clone)]
enum GraphEdge {
    Step(EdgeRow),
    Composed(GrantRow, Vec<EdgeRow>),
}

struct Report<'a> {
    nodes: &'a Nodes,
    state: &'a State,
    facts: &'a Facts,
}

fn row_status(conditional: bool, hypothetical: bool) -> Status {
    if hypothetical {
        Status::Hypothetical
    } else if conditional {
        Status::Conditional
    } else {
        Status::Allowed
    }
}

impl Report<'_> {
    /// Whether `x` would be an administrator granted everything only under a condition.
    fn granted_conditional(&self, x: u32) -> bool {
        self.state
            .admin_conditions
            .contains_key(&(x, Variant::Granted))
    }

    /// The decisions on a changed copy of the model (or the administrator probes) that step
    /// `t` ends with, when they hold only under a condition on keys a live request carries:
    /// each as a permission (a description, its resource, its condition).
    fn end_conditions(
        &self,
        t: Technique,
        from: u32,
        to: u32,
        via: u32,
        through: u32,
    ) -> Vec<Permission> {
        let state = self.state;
        let name = |n: u32| self.nodes.name(n).to_string();
        let admin = |x: u32, v: Variant| state.admin_conditions.get(&(x, v)).cloned();
        let evidence = |x: u32, v: Variant| {
            state
                .probe_evidence
                .get(&(x, v))
                .map(|d| d.allowed_by.clone())
                .unwrap_or_default()
        };
        let n = state.probe_count;
        let probes = |what: String, x: u32, v: Variant| {
            admin(x, v).map(|c| Permission {
                action: format!("every probed action ({n} probes), {what}"),
                resource: "*".to_string(),
                context: Vec::new(),
                allowed_by: evidence(x, v),
                condition: Some(c),
            })
        };
        let trust = |p: u32, q: u32| {
            state
                .trust_rewrite_ok
                .get(&(p, q))
                .cloned()
                .flatten()
                .map(|c| Permission {
                    action: format!("sts:AssumeRole, with a trust policy naming {}", name(p)),
                    resource: name(q),
                    context: Vec::new(),
                    allowed_by: Vec::new(),
                    condition: Some(c),
                })
        };
        let granted = |x: u32| {
            probes(
                format!("with a policy allowing * on * added to {}", name(x)),
                x,
                Variant::Granted,
            )
        };
        let x = if through != NONE { through } else { from };
        let out = match t {
            Technique::Iam001
            | Technique::SetDefaultPolicyVersion
            | Technique::Iam005
            | Technique::Iam007
            | Technique::Iam008
            | Technique::Iam009
            | Technique::Iam010
            | Technique::Iam011
            | Technique::Iam014
            | Technique::Iam015
            | Technique::Iam016
            | Technique::Iam017
            | Technique::Iam018
                if to == ADMIN =>
            {
                vec![granted(x)]
            }
            Technique::Iam019 | Technique::Iam020 | Technique::Iam021 => {
                vec![trust(from, through), granted(through)]
            }
            Technique::Iam012 => vec![trust(from, to)],
            Technique::Iam013 => vec![probes(
                format!("as a member of {} too", name(via)),
                from,
                Variant::Joined(via),
            )],
            Technique::DeleteRoleBoundary
            | Technique::DeleteUserBoundary
            | Technique::PutRoleBoundary
            | Technique::PutUserBoundary => vec![probes(
                format!("without the permissions boundary of {}", name(from)),
                from,
                Variant::Unbounded,
            )],
            _ => Vec::new(),
        };
        // A role passed to a service that assumes it only under a condition.
        let service = t.required().iter().find_map(|&(a, _)| match a {
            Action::PassRole(s) => Some(s),
            _ => None,
        });
        let assumed = service.and_then(|s| {
            let c = state.service_assumes.get(&(s, to))?.clone()?;
            Some(Permission {
                action: format!("sts:AssumeRole by {}", s.principal()),
                resource: name(to),
                context: Vec::new(),
                allowed_by: Vec::new(),
                condition: Some(c),
            })
        });
        out.into_iter().flatten().chain(assumed).collect()
    }

    fn edge_status(&self, e: &GraphEdge) -> Status {
        match e {
            GraphEdge::Step(r) => row_status(r.conditional, r.hypothetical),
            GraphEdge::Composed(g, then) => then
                .iter()
                .map(|r| row_status(r.conditional, r.hypothetical))
                .chain([row_status(
                    g.conditional || self.granted_conditional(g.to),
                    g.hypothetical,
                )])
                .max()
                .unwrap_or(Status::Allowed),
        }
    }

    fn paths(
        &self,
        rows: &[EdgeRow],
        grants: &[GrantRow],
        granted_ok: &HashSet<u32>,
        opts: &Options,
        model: &Model,
    ) -> Vec<Escalation> {
        let mut edges: Vec<GraphEdge> = rows.iter().copied().map(GraphEdge::Step).collect();
        // Grants to another principal: the grantor becomes an administrator when it can also
        // act as that principal (a path of access steps to it).
        let access: Vec<EdgeRow> = rows.iter().copied().filter(|r| r.to != ADMIN).collect();
        let access_graph = graph::Graph::new(
            &access.iter().map(|r| (r.from, r.to)).collect::<Vec<_>>(),
            access
                .iter()
                .map(|r| row_status(r.conditional, r.hypothetical))
                .collect(),
        );
        let mut by_target: HashMap<u32, Vec<&GrantRow>> = HashMap::new();
        for g in grants {
            if g.from != g.to && granted_ok.contains(&g.to) {
                by_target.entry(g.to).or_default().push(g);
            }
        }
        let mut targets: Vec<_> = by_target.into_iter().collect();
        targets.sort_by_key(|(t, _)| *t);
        for (x, gs) in targets {
            let next = access_graph.next_edges(&access_graph.distances_to(x));
            for g in gs {
                if let Some(p) = access_graph.path(g.from, x, &next) {
                    let then: Vec<EdgeRow> =
                        p.iter().filter_map(|&i| access.get(i).copied()).collect();
                    edges.push(GraphEdge::Composed(*g, then));
                }
            }
        }
        let pairs: Vec<(u32, u32)> = edges
            .iter()
            .map(|e| match e {
                GraphEdge::Step(r) => (r.from, r.to),
                GraphEdge::Composed(g, _) => (g.from, ADMIN),
            })
            .collect();
        let status: Vec<Status> = edges.iter().map(|e| self.edge_status(e)).collect();
        let g = graph::Graph::new(&pairs, status);
        let target = match &opts.to {
            Some(arn) => match self.nodes.get(arn) {
                Some(id) => id,
                None => return Vec::new(),
            },
            None => ADMIN,
        };
        let next = g.next_edges(&g.distances_to(target));
        // Administrators whatever the live keys have nowhere to go; a conditional one is
        // listed with its best path (its own conditional access, or a better one).
        let admins: HashSet<u32> = self
            .facts
            .admins
            .iter()
            .filter(|&&(_, c)| !c)
            .map(|&(p, _)| p)
            .collect();
        let mut sources: Vec<u32> = if opts.from.is_empty() {
            self.facts
                .users
                .iter()
                .chain(&self.facts.roles)
                .copied()
                .collect()
        } else {
            opts.from.iter().filter_map(|a| self.nodes.get(a)).collect()
        };
        sources.sort_by(|a, b| self.nodes.name(*a).cmp(self.nodes.name(*b)));
        let mut out = Vec::new();
        for s in sources {
            if s == target || (target == ADMIN && admins.contains(&s)) {
                continue;
            }
            let Some(p) = g.path(s, target, &next) else {
                continue;
            };
            let path = self.path_of(&p, &edges);
            let all_paths = if opts.all {
                let kind = |i: usize| match edges.get(i) {
                    Some(GraphEdge::Step(r)) => r.technique as u32,
                    Some(GraphEdge::Composed(g, _)) => 1000 + g.technique as u32,
                    None => u32::MAX,
                };
                g.all_paths(s, target, opts.max_depth, &kind)
                    .iter()
                    .map(|p| self.path_of(p, &edges))
                    .collect()
            } else {
                Vec::new()
            };
            let name = self.nodes.name(s).to_string();
            let kind = if model.users.contains_key(&name) {
                Kind::User
            } else {
                Kind::Role
            };
            out.push(Escalation {
                principal: name,
                kind,
                target: self.nodes.name(target).to_string(),
                status: path.status,
                path,
                all_paths,
            });
        }
        out
    }

    fn path_of(&self, idx: &[usize], edges: &[GraphEdge]) -> Path {
        let steps: Vec<Step> = idx
            .iter()
            .filter_map(|&i| edges.get(i))
            .map(|e| self.step(e))
            .collect();
        let status = steps
            .iter()
            .map(|s| s.status)
            .max()
            .unwrap_or(Status::Allowed);
        Path { status, steps }
    }

    fn opt_name(&self, id: u32) -> Option<String> {
        (id != NONE).then(|| self.nodes.name(id).to_string())
    }

    fn step(&self, e: &GraphEdge) -> Step {
        match e {
            GraphEdge::Step(r) => self.step_of(
                r.from,
                r.to,
                r.technique,
                r.via,
                r.through,
                row_status(r.conditional, r.hypothetical),
                Vec::new(),
            ),
            GraphEdge::Composed(g, then) => {
                let then: Vec<Step> = then
                    .iter()
                    .map(|r| self.step(&GraphEdge::Step(*r)))
                    .collect();
                let status = then
                    .iter()
                    .map(|s| s.status)
                    .chain([row_status(
                        g.conditional || self.granted_conditional(g.to),
                        g.hypothetical,
                    )])
                    .max()
                    .unwrap_or(Status::Allowed);
                self.step_of(g.from, ADMIN, g.technique, g.via, g.to, status, then)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn step_of(
        &self,
        from: u32,
        to: u32,
        t: Technique,
        via: u32,
        through: u32,
        status: Status,
        then: Vec<Step>,
    ) -> Step {
        let mut permissions = Vec::new();
        if t == Technique::Administrator {
            if let Some(d) = self.state.probe_evidence.get(&(from, Variant::Real)) {
                let n = self.state.probe_count;
                permissions.push(Permission {
                    action: format!("every probed action the account's root user may perform ({n} probes: one per service and per action pattern a Deny or NotAction names)"),
                    resource: d.resource.clone(),
                    context: Vec::new(),
                    allowed_by: d.allowed_by.clone(),
                    condition: self.state.admin_conditions.get(&(from, Variant::Real)).cloned(),
                });
            }
        }
        for &(action, slot) in t.required() {
            let target = match slot {
                Slot::To => to,
                Slot::Via => via,
                Slot::Through => through,
                Slot::New => NEW,
                Slot::Caller => from,
            };
            if let Some(d) = self.state.can.get(&(from, action, target)) {
                let e = &self.state.evidence[d.evidence as usize];
                let resource = d
                    .resource
                    .as_deref()
                    .unwrap_or_else(|| self.nodes.name(target));
                let mut allowed_by = e.allowed_by.clone();
                target_class::rename_trust(&mut allowed_by, &e.of, resource);
                permissions.push(Permission {
                    action: action.name().to_string(),
                    resource: resource.to_string(),
                    context: e.context.clone(),
                    allowed_by,
                    condition: e.condition.clone(),
                });
            }
        }
        permissions.extend(self.end_conditions(t, from, to, via, through));
        let assumption =
            (status == Status::Hypothetical).then(|| self.assumption(t, from, to, via, through));
        let mut conditions: Vec<String> = Vec::new();
        for c in permissions
            .iter()
            .filter_map(|p| p.condition.as_ref())
            .chain(then.iter().filter_map(|s| s.condition.as_ref()))
        {
            if !conditions.contains(c) {
                conditions.push(c.clone());
            }
        }
        let condition = (!conditions.is_empty()).then(|| conditions.join("; and "));
        Step {
            from: self.nodes.name(from).to_string(),
            to: self.nodes.name(to).to_string(),
            technique: t.id().to_string(),
            name: t.name().to_string(),
            category: t.category(),
            via: (via != NONE && via != through).then(|| self.nodes.name(via).to_string()),
            through: self.opt_name(through),
            status,
            assumption,
            condition,
            citation: t.citation().to_string(),
            permissions,
            then,
        }
    }

    fn assumption(&self, t: Technique, _from: u32, to: u32, via: u32, through: u32) -> String {
        if let Some(NodeKind::Hypothetical(kind, acct)) = self.nodes.kind(via) {
            return if t.category() == Category::ExistingPassrole {
                format!(
                    "if such a resource exists: {} in account {acct} running with {}",
                    kind.label(),
                    self.nodes.name(to)
                )
            } else {
                format!(
                    "if such a resource exists: {} in account {acct}",
                    kind.label()
                )
            };
        }
        let user = if through != NONE { through } else { to };
        match t {
            Technique::SetDefaultPolicyVersion => format!(
                "if a stored non-default version of {} grants more (the data shows only the default version)",
                self.nodes.name(via)
            ),
            Technique::Iam004 => format!(
                "if {} has no console password and no MFA device (no credential report row)",
                self.nodes.name(user)
            ),
            Technique::Iam006 => format!(
                "if {} has a console password and no MFA device (no credential report row)",
                self.nodes.name(user)
            ),
            Technique::ResetServiceCredential => format!(
                "if {} has a service-specific credential (no input lists them)",
                self.nodes.name(user)
            ),
            Technique::Iam002 | Technique::Iam015 | Technique::Iam018 => format!(
                "if {} has fewer than two access keys (no credential report row)",
                self.nodes.name(user)
            ),
            _ => "if the resources it relies on exist".to_string(),
        }
    }
}
