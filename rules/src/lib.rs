//! `rules`: the Datalog programs (crepe) over the fact tables of `facts`.
//!
//! - [`Engine::decide`] evaluates a *batch* of requests in one run of the decision program
//!   (`decide.rs`): AWS's policy evaluation logic, one cited rule per line.
//! - [`can_assume`] closes `sts:AssumeRole` decisions transitively into role chains.
//! - [`profile`]: each principal's request-independent side (identity policies over its
//!   holders, boundary, session policies, SCP levels), computed once per index and interned
//!   into classes ([`profile::ProfileId`]) that the decision program joins requests with.
//!
//! **Invariant:** matching a statement against a request is always
//! [`facts::eval::statement_applies`], called as a guard from the Datalog rules; no
//! matching semantics live here. The action index (`action_index.rs`) only pre-selects
//! candidates with [`facts::wildcard::glob_match`].

#![warn(missing_docs)]

mod action_index;
mod assume;
mod decide;
pub mod escalation;
pub mod hash;
mod input;
mod layer_set;
pub mod profile;
mod select;

use std::collections::HashMap;

use facts::policy::Effect;
use facts::request::Request;
use facts::tables::{FactTables, Layer, PolicyId, StmtId, Sym};

pub use assume::can_assume;
pub use layer_set::LayerSet;

/// One request of a batch, tied to the entities of the fact tables.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRequest {
    /// The caller: a principal entity of the tables.
    pub principal: Sym,
    /// The resource entity, when the tables know the resource (its policy then applies).
    pub resource: Option<Sym>,
    /// The account entity owning the resource (its RCP levels apply), when known.
    pub resource_account: Option<Sym>,
    /// The 12-digit account id owning the resource; `None` means the caller's account (as
    /// AWS's policy simulator assumes when no resource owner is given).
    pub resource_account_id: Option<String>,
    /// The policy of the VPC endpoint the request goes through, if any.
    pub vpc_endpoint_policy: Option<PolicyId>,
    /// The concrete request (principal, action, resource, context) the matcher sees.
    pub request: Request,
    /// Context keys AWS fills itself, shared by every request of the same caller and
    /// resource. They are merged under `request.context` (whose keys win) only for the
    /// statements that read the context (conditions, policy variables), so most requests
    /// never copy them.
    pub shared_context: Option<std::sync::Arc<facts::request::Context>>,
}

/// The final decision, named as AWS's policy simulator names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// Some policy allows and nothing denies.
    Allowed,
    /// An applicable `Deny` statement.
    ExplicitDeny,
    /// No combination of policies allows.
    ImplicitDeny,
}

impl Outcome {
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::ExplicitDeny => "explicitDeny",
            Outcome::ImplicitDeny => "implicitDeny",
        }
    }
}

/// A statement that applied to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MatchedStatement {
    /// The layer it was evaluated in.
    pub layer: Layer,
    /// Its policy.
    pub policy: PolicyId,
    /// The statement (index into [`FactTables::statements`]).
    pub statement: StmtId,
    /// Its effect.
    pub effect: Effect,
}

/// The decision for one request, with the statements that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// allowed / explicitDeny / implicitDeny.
    pub outcome: Outcome,
    /// For `explicitDeny`, the applicable Deny statements; otherwise the applicable Allow
    /// statements (for `implicitDeny`, those that were not enough).
    pub matched: Vec<MatchedStatement>,
    /// For `implicitDeny`, the layers that lacked an Allow; empty otherwise.
    pub missing: Vec<Layer>,
    /// For `implicitDeny` with `scp` or `rcp` in [`Decision::missing`]: each level (the
    /// root, OU or account node entity) whose policies lacked an Allow, root first.
    pub missing_levels: Vec<(Layer, Sym)>,
    /// The rule of AWS outside every policy that decided the request, if any: an
    /// AWS-owned resource (`implicitDeny`) or an action that needs no permission
    /// (`allowed`). See `facts::aws_rules`.
    pub rule: Option<facts::aws_rules::AwsRule>,
    /// Resource-policy `Allow` statements that applied but grant nothing to this caller:
    /// S3 Block Public Access `RestrictPublicBuckets` voids a public bucket policy for callers
    /// outside the bucket owner's account (they are not in [`Decision::matched`]).
    pub restricted: Vec<MatchedStatement>,
    /// Every layer the request needed an Allow from and did not get one, whatever the
    /// outcome ([`Decision::missing`] keeps them only for `implicitDeny`): with
    /// [`Decision::matched`] and [`Decision::overridden`] this gives each policy type's own
    /// decision (IAM API Reference, "EvaluationResult": `EvalDecisionDetails`).
    pub lacking: LayerSet,
    /// For `explicitDeny`: the applicable Allow statements the deny overrides (not in
    /// [`Decision::matched`]); empty otherwise.
    pub overridden: Vec<MatchedStatement>,
}

/// What the engine precomputes over one set of fact tables: statements indexed by action,
/// every table grouped by the entity the rules join it on, and which statements read the
/// request context. Build it once ([`Index::new`]) and share it between engines
/// ([`Engine::with_index`]): a batch then costs what its requests reach, whatever the size
/// of the organization.
#[derive(Debug)]
pub struct Index {
    actions: action_index::ActionIndex,
    facts: select::FactIndex,
    /// Per statement: what matching it reads of a request.
    reads: Vec<decide::Reads>,
    /// Per statement: its prepared matcher, made on the first request that reaches it (so
    /// building the index costs no more; both deciding threads share it).
    prepared: Box<[std::sync::OnceLock<facts::eval::PreparedStatement>]>,
    /// Every principal's profile and class.
    profiles: profile::Profiles,
}

impl Index {
    /// Index `tables`. On tables of more than [`Index::PARALLEL_FROM`] statements (an
    /// organization) the action index is built on a second thread, beside the other parts.
    pub fn new(tables: &FactTables) -> Index {
        let rest = || {
            let facts = select::FactIndex::new(tables);
            let profiles = profile::Profiles::new(tables, &facts);
            (facts, profiles, decide::statement_reads(tables))
        };
        let (actions, (facts, profiles, reads)) = if tables.statements.len() < Self::PARALLEL_FROM {
            (action_index::ActionIndex::new(tables), rest())
        } else {
            std::thread::scope(|s| {
                let actions = s.spawn(|| action_index::ActionIndex::new(tables));
                let rest = rest();
                let actions = actions
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (actions, rest)
            })
        };
        Index {
            actions,
            facts,
            reads,
            prepared: (0..tables.statements.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            profiles,
        }
    }

    /// How many statements make [`Index::new`] worth a second thread (a thread costs tens of
    /// microseconds; an account's tables index in less).
    const PARALLEL_FROM: usize = 20_000;

    /// The principal profiles (classes) of the tables' principals.
    pub fn profiles(&self) -> &profile::Profiles {
        &self.profiles
    }

    /// Whether this index can serve `tables`: they are the tables it was built from, or
    /// those tables with principals, accounts and role sessions added (no policy,
    /// attachment, resource or organization level added).
    pub fn fits(&self, tables: &FactTables) -> bool {
        self.facts.fits(tables)
    }
}

/// The index of an engine: its own, or one shared with other engines.
#[derive(Debug)]
enum IndexRef<'t> {
    Owned(Box<Index>),
    Shared(&'t Index),
}

impl std::ops::Deref for IndexRef<'_> {
    type Target = Index;
    fn deref(&self) -> &Index {
        match self {
            IndexRef::Owned(i) => i,
            IndexRef::Shared(i) => i,
        }
    }
}

/// What an [`Engine`] computed across its calls, no longer tied to its tables: only to be
/// dropped ([`Engine::into_computed`]).
pub struct Computed {
    _memo: action_index::ActionMemo,
    _added: profile::LocalProfiles,
}

/// The decision engine over one set of fact tables. [`Engine::decide`] runs one Datalog
/// evaluation per run of [`Engine::RUN_SIZE`] requests, fed only the rows of the tables
/// those requests reach (their principals, groups, roles, resources, accounts and the
/// statements of their policies that can match their actions).
#[derive(Debug)]
pub struct Engine<'t> {
    tables: &'t FactTables,
    index: IndexRef<'t>,
    /// The statements of every action seen so far, kept across calls so that a caller
    /// streaming a large batch in pieces matches each distinct action once. Threads
    /// deciding batches at once share it: each extends it briefly, then only reads it.
    memo: std::sync::RwLock<action_index::ActionMemo>,
    /// The profiles of the principals the tables add to those of the index (sessions,
    /// callers only requests name), computed on first need and shared like `memo`.
    added: std::sync::RwLock<profile::LocalProfiles>,
}

impl<'t> Engine<'t> {
    /// Index `tables` for decisions.
    pub fn new(tables: &'t FactTables) -> Engine<'t> {
        Engine {
            tables,
            index: IndexRef::Owned(Box::new(Index::new(tables))),
            memo: std::sync::RwLock::default(),
            added: std::sync::RwLock::default(),
        }
    }

    /// An engine over `tables` with an index built before (for the same tables, or for
    /// tables they extend with principals: see [`Index::fits`]); indexes `tables` anew
    /// when the index does not fit.
    pub fn with_index(tables: &'t FactTables, index: &'t Index) -> Engine<'t> {
        if !index.fits(tables) {
            return Engine::new(tables);
        }
        Engine {
            tables,
            index: IndexRef::Shared(index),
            memo: std::sync::RwLock::default(),
            added: std::sync::RwLock::default(),
        }
    }

    /// The tables this engine decides over.
    pub fn tables(&self) -> &'t FactTables {
        self.tables
    }

    /// What this engine computed across its calls (the action memo, the profiles of the
    /// callers its tables add), owned, so that a caller can free it on another thread:
    /// after 100,000 requests naming tens of thousands of new callers (sessions), freeing
    /// their profiles takes milliseconds.
    pub fn into_computed(self) -> Computed {
        Computed {
            _memo: self.memo.into_inner().unwrap_or_else(|e| e.into_inner()),
            _added: self.added.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Decide every request of `batch`; decisions come back in batch order. The batch is
    /// evaluated in runs of [`Engine::RUN_SIZE`] requests (one Datalog evaluation each).
    pub fn decide(&self, batch: &[BatchRequest]) -> Vec<Decision> {
        let actions = input::Actions::of(batch);
        let memo = self.memo_for(&actions);
        let mut out = Vec::with_capacity(batch.len());
        for (chunk, ids) in batch
            .chunks(Self::RUN_SIZE)
            .zip(actions.ids.chunks(Self::RUN_SIZE))
        {
            self.run(chunk, (&actions, ids), &memo, &mut out);
        }
        out
    }

    /// How many requests one Datalog evaluation decides. crepe keeps a vector per index
    /// key, so very large runs spend their time in the allocator; measured on 100,000
    /// requests (docs/evaluation-logic.md), runs of a few thousand are about three times
    /// faster than one run of the whole batch.
    pub const RUN_SIZE: usize = 4096;

    /// Decide `batch` in exactly one Datalog run.
    pub fn decide_run(&self, batch: &[BatchRequest]) -> Vec<Decision> {
        let actions = input::Actions::of(batch);
        let memo = self.memo_for(&actions);
        let mut out = Vec::with_capacity(batch.len());
        self.run(batch, (&actions, &actions.ids), &memo, &mut out);
        out
    }

    /// The action memo, extended with the distinct actions of a batch (under a short write
    /// lock when one is missing), then shared for reading.
    fn memo_for(
        &self,
        actions: &input::Actions,
    ) -> std::sync::RwLockReadGuard<'_, action_index::ActionMemo> {
        let names = || actions.names.iter().map(String::as_str);
        let complete = {
            let memo = self.memo.read().unwrap_or_else(|e| e.into_inner());
            self.index.actions.covers(&memo, names())
        };
        if !complete {
            let mut memo = self.memo.write().unwrap_or_else(|e| e.into_inner());
            self.index.actions.extend_memo(&mut memo, names());
        }
        self.memo.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The class of each request's caller, profiling (under a short write lock) those the
    /// index and this engine do not know yet; and the profiles of the classes this engine
    /// added, shared so that they outlive the lock.
    #[allow(clippy::type_complexity)]
    fn classes_of(
        &self,
        batch: &[BatchRequest],
    ) -> (
        Vec<profile::ProfileId>,
        HashMap<profile::ProfileId, std::sync::Arc<profile::Profile>, hash::FxBuildHasher>,
    ) {
        let shared = &self.index.profiles;
        let mut classes: Vec<profile::ProfileId> = Vec::with_capacity(batch.len());
        let complete = {
            let added = self.added.read().unwrap_or_else(|e| e.into_inner());
            for b in batch {
                match added.known(shared, b.principal) {
                    Some(c) => classes.push(c),
                    None => break,
                }
            }
            classes.len() == batch.len()
        };
        let lock = if complete {
            self.added.read().unwrap_or_else(|e| e.into_inner())
        } else {
            {
                let mut added = self.added.write().unwrap_or_else(|e| e.into_inner());
                let from = classes.len();
                for b in batch.iter().skip(from) {
                    let c = added.class_of(shared, self.tables, &self.index.facts, b.principal);
                    classes.push(c);
                }
            }
            self.added.read().unwrap_or_else(|e| e.into_inner())
        };
        let mut local: HashMap<
            profile::ProfileId,
            std::sync::Arc<profile::Profile>,
            hash::FxBuildHasher,
        > = HashMap::default();
        let first_added = shared.len() as u32;
        for &c in &classes {
            if c.0 >= first_added && c != profile::UNKNOWN {
                if let std::collections::hash_map::Entry::Vacant(e) = local.entry(c) {
                    if let Some(p) = lock.added(shared, c) {
                        e.insert(p);
                    }
                }
            }
        }
        (classes, local)
    }

    /// Decide `batch` in one Datalog run, appending its decisions to `all` (in batch order;
    /// written in place, not moved from a vector of the run's own).
    fn run(
        &self,
        batch: &[BatchRequest],
        actions: (&input::Actions, &[u32]),
        memo: &action_index::ActionMemo,
        all: &mut Vec<Decision>,
    ) {
        let shared = &self.index.profiles;
        // The classes of the batch's callers, and the profiles of those this engine added,
        // taken out of the lock before the run: a thread holding the read lock for its
        // whole run kept the other thread from adding its batch's new sessions (a write)
        // until that run ended, so the two threads' runs took turns.
        let (classes, local) = self.classes_of(batch);
        let profile = |c: profile::ProfileId| {
            shared
                .get(c)
                .or_else(|| local.get(&c).map(std::sync::Arc::as_ref))
        };
        let callers = input::Callers {
            classes: &classes,
            profile: &profile,
        };
        let decide::Outputs {
            matched,
            denies,
            allowed,
            missing,
            missing_levels,
            aws_rules,
            restricted,
        } = decide::run(
            self.tables,
            &self.index.facts,
            memo,
            (&self.index.reads, &self.index.prepared),
            batch,
            actions,
            &callers,
        );
        let n = batch.len();
        let base = all.len();
        all.extend((0..n).map(|_| Decision {
            outcome: Outcome::ImplicitDeny,
            matched: Vec::new(),
            missing: Vec::new(),
            missing_levels: Vec::new(),
            rule: None,
            restricted: Vec::new(),
            lacking: LayerSet::new(),
            overridden: Vec::new(),
        }));
        let out = all.get_mut(base..).unwrap_or_default();
        let void: std::collections::HashSet<(u32, StmtId), hash::FxBuildHasher> = restricted
            .into_iter()
            .map(|decide::Restricted(r, s)| (r, s))
            .collect();
        for decide::Allowed(r) in allowed {
            if let Some(d) = out.get_mut(r as usize) {
                d.outcome = Outcome::Allowed;
            }
        }
        for decide::ExplicitDeny(r) in denies {
            if let Some(d) = out.get_mut(r as usize) {
                d.outcome = Outcome::ExplicitDeny;
            }
        }
        // A rule of AWS is the reason only when it decided: an AWS-owned resource under an
        // implicit deny (an explicit deny still decides first), a free action when allowed.
        for decide::AwsRuleApplies(r, rule) in aws_rules {
            if let Some(d) = out.get_mut(r as usize) {
                let decided = match rule {
                    facts::aws_rules::AwsRule::AwsOwned(_) => d.outcome == Outcome::ImplicitDeny,
                    facts::aws_rules::AwsRule::NoPermissionRequired => {
                        d.outcome == Outcome::Allowed
                    }
                };
                if decided {
                    d.rule = Some(rule);
                }
            }
        }
        // The matched statements grouped by request (a counting sort by request number, no
        // map and no vector per request), then each request's sorted and split by effect.
        let mut starts = vec![0u32; n + 1];
        for m in &matched {
            if let Some(c) = starts.get_mut(m.0 as usize + 1) {
                *c += 1;
            }
        }
        let mut sum = 0;
        for c in starts.iter_mut() {
            sum += *c;
            *c = sum;
        }
        let mut next = starts.clone();
        let blank = MatchedStatement {
            layer: Layer::Identity,
            policy: 0,
            statement: 0,
            effect: Effect::Allow,
        };
        let mut grouped = vec![blank; matched.len()];
        for decide::Matched(r, _, _, s, pol, layer, effect) in matched {
            let m = MatchedStatement {
                layer,
                policy: pol,
                statement: s,
                effect,
            };
            let Some(d) = out.get_mut(r as usize) else {
                continue;
            };
            if !void.is_empty() && void.contains(&(r, s)) {
                d.restricted.push(m);
            } else if let Some(at) = next.get_mut(r as usize) {
                if let Some(slot) = grouped.get_mut(*at as usize) {
                    *slot = m;
                }
                *at += 1;
            }
        }
        for (r, d) in out.iter_mut().enumerate() {
            let (Some(&lo), Some(&hi)) = (starts.get(r), next.get(r)) else {
                continue;
            };
            let Some(v) = grouped.get_mut(lo as usize..hi as usize) else {
                continue;
            };
            if v.is_empty() {
                continue;
            }
            v.sort_unstable();
            let want = if d.outcome == Outcome::ExplicitDeny {
                Effect::Deny
            } else {
                Effect::Allow
            };
            d.matched = v.iter().filter(|m| m.effect == want).copied().collect();
            if d.outcome == Outcome::ExplicitDeny {
                d.overridden = v.iter().filter(|m| m.effect != want).copied().collect();
            }
        }
        for decide::Missing(r, layer) in missing {
            if let Some(d) = out.get_mut(r as usize) {
                if d.outcome == Outcome::ImplicitDeny {
                    d.missing.push(layer);
                }
                d.lacking.insert(layer);
            }
        }
        for decide::MissingLevel(r, layer, node) in missing_levels {
            if let Some(d) = out.get_mut(r as usize) {
                if d.outcome == Outcome::ImplicitDeny {
                    d.missing_levels.push((layer, node));
                }
            }
        }
        for d in out.iter_mut() {
            d.missing.sort();
            d.restricted.sort();
            // Root first: order each layer's levels by their depth on the path.
            let facts = &self.index.facts;
            d.missing_levels.sort_by_key(|&(l, n)| {
                (
                    l,
                    facts.depth(
                        if l == Layer::Rcp {
                            Layer::Rcp
                        } else {
                            Layer::Scp
                        },
                        n,
                    ),
                    n,
                )
            });
        }
    }
}
