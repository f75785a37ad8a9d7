//! Which facts a batch can reach. The decision program only ever joins a request with its
//! own principal (its groups, its role, their policies, the SCP levels of its account) and
//! its own resource (its policy, the RCP levels of its account), so a run is fed those rows
//! and no others: the cost of a batch grows with the batch, not with the organization.
//!
//! [`FactIndex`] groups every table by the entity the rules join it on, once per set of
//! tables; [`Selection::of`] then gathers, per batch, the rows for the principals,
//! resources, accounts and organization nodes the batch names, and the statements of their
//! policies that the action index found for the batch's actions.
//!
//! **Invariant:** the selection is a superset of the rows any rule of `decide.rs` can join
//! with a request of the batch (it ignores the exemptions — management account,
//! service-linked roles — that the rules themselves decide), so every decision is the one
//! the program would make over the whole tables.

use std::collections::{HashMap, HashSet};

use facts::policy::Effect;
use facts::tables::{FactTables, Layer, PolicyId, PrincipalKind, ResourceKind, StmtId, Sym};

use crate::action_index::ActionStatements;
use crate::hash::FxBuildHasher;
use crate::profile::{Profile, ProfileId};
use crate::BatchRequest;

type Map<K, V> = HashMap<K, V, FxBuildHasher>;
type Set<K> = HashSet<K, FxBuildHasher>;

/// Every table grouped by the entity the rules join it on.
#[derive(Debug, Default)]
pub(crate) struct FactIndex {
    /// user → its groups.
    groups: Map<Sym, Vec<Sym>>,
    /// holder (user, group, role, scenario principal) → identity-based policies.
    identity: Map<Sym, Vec<PolicyId>>,
    /// holder → permissions boundary policies.
    boundary: Map<Sym, Vec<PolicyId>>,
    /// session principal → session policies.
    session: Map<Sym, Vec<PolicyId>>,
    /// service-linked roles.
    service_linked: Set<Sym>,
    /// account entity → SCP level nodes.
    scp_levels: Map<Sym, Vec<Sym>>,
    /// account entity → RCP level nodes.
    rcp_levels: Map<Sym, Vec<Sym>>,
    /// node → attached SCPs.
    scp_attachments: Map<Sym, Vec<PolicyId>>,
    /// node → attached RCPs.
    rcp_attachments: Map<Sym, Vec<PolicyId>>,
    /// account entity → the RCPs attached at some RCP level of the account, and those
    /// attached at every level (sorted, each once).
    account_rcps: Map<Sym, (Vec<PolicyId>, Vec<PolicyId>)>,
    /// (layer, node) → depth of the level on its path (0 = root).
    depth: Map<(Layer, Sym), u32>,
    /// resource → resource-based policies.
    resource_policies: Map<Sym, Vec<PolicyId>>,
    /// role → trust policies.
    trust: Map<Sym, Vec<PolicyId>>,
    /// bucket → its public policies that S3 Block Public Access restricts.
    restricted: Map<Sym, Vec<PolicyId>>,
    /// policy → (first statement id, number of statements).
    statements: Vec<(StmtId, u32)>,
    /// The table sizes this index was built from (see [`FactIndex::fits`]).
    shape: Shape,
    /// The number of symbols of the tables it was built from: every entity it holds is
    /// below it. An entity added later (a run's new callers, by [`FactIndex::fits`] with
    /// nothing attached to them) is known to hold nothing without a lookup.
    symbols: Sym,
}

/// The sizes of the tables that carry policies and attachments.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Shape {
    policies: usize,
    statements: usize,
    member_of: usize,
    identity: usize,
    boundary: usize,
    session: usize,
    service_linked: usize,
    levels: (usize, usize),
    attachments: (usize, usize),
    resource_policies: usize,
    trust: usize,
    restricted: usize,
}

impl Shape {
    fn of(t: &FactTables) -> Shape {
        Shape {
            policies: t.policies.len(),
            statements: t.statements.len(),
            member_of: t.member_of.len(),
            identity: t.identity_policies.len(),
            boundary: t.boundaries.len(),
            session: t.session_policies.len(),
            service_linked: t.service_linked_roles.len(),
            levels: (t.scp_levels.len(), t.rcp_levels.len()),
            attachments: (t.scp_attachments.len(), t.rcp_attachments.len()),
            resource_policies: t.resource_policies.len(),
            trust: t.trust_policies.len(),
            restricted: t.s3_restricted_policies.len(),
        }
    }
}

fn group<K: std::hash::Hash + Eq + Copy, V: Copy>(
    rows: impl Iterator<Item = (K, V)>,
) -> Map<K, Vec<V>> {
    let mut m: Map<K, Vec<V>> = Map::default();
    for (k, v) in rows {
        m.entry(k).or_default().push(v);
    }
    m
}

impl FactIndex {
    /// Group every table of `t`.
    pub(crate) fn new(t: &FactTables) -> FactIndex {
        let mut statements = vec![(0, 0); t.policies.len()];
        for (i, s) in t.statements.iter().enumerate() {
            if let Some(e) = statements.get_mut(s.policy as usize) {
                if e.1 == 0 {
                    e.0 = i as StmtId;
                }
                e.1 += 1;
            }
        }
        let mut depth = Map::default();
        for (layer, levels) in [(Layer::Scp, &t.scp_levels), (Layer::Rcp, &t.rcp_levels)] {
            for l in levels {
                depth.entry((layer, l.node)).or_insert(l.depth);
            }
        }
        // Root first, as a profile lists them.
        let mut scp_levels = group(t.scp_levels.iter().map(|l| (l.account, l.node)));
        for nodes in scp_levels.values_mut() {
            nodes.sort_by_key(|&n| (depth.get(&(Layer::Scp, n)).copied().unwrap_or(u32::MAX), n));
        }
        let rcp_levels = group(t.rcp_levels.iter().map(|l| (l.account, l.node)));
        let rcp_attachments = group(t.rcp_attachments.iter().copied());
        let account_rcps = account_rcps(&rcp_levels, &rcp_attachments);
        FactIndex {
            groups: group(t.member_of.iter().copied()),
            identity: group(t.identity_policies.iter().copied()),
            boundary: group(t.boundaries.iter().copied()),
            session: group(t.session_policies.iter().copied()),
            service_linked: t.service_linked_roles.iter().copied().collect(),
            scp_levels,
            rcp_levels,
            scp_attachments: group(t.scp_attachments.iter().copied()),
            rcp_attachments,
            account_rcps,
            depth,
            resource_policies: group(t.resource_policies.iter().copied()),
            trust: group(t.trust_policies.iter().copied()),
            restricted: group(t.s3_restricted_policies.iter().copied()),
            statements,
            shape: Shape::of(t),
            symbols: Sym::try_from(t.symbols.len()).unwrap_or(Sym::MAX),
        }
    }

    /// Whether this index describes `t`: built from `t`, or from tables that `t` only
    /// extends with principals, accounts and role sessions (as account mode adds the
    /// callers a batch names that the data does not describe).
    pub(crate) fn fits(&self, t: &FactTables) -> bool {
        self.shape == Shape::of(t)
    }

    /// Whether entity `e` was added after this index was built (see `symbols`): it holds
    /// no group, policy or mark here. (A run adds thousands of role sessions; looking each
    /// up in every map missed in memory each time.)
    fn added_later(&self, e: Sym) -> bool {
        e >= self.symbols
    }

    /// The groups of user `p`.
    pub(crate) fn groups_of(&self, p: Sym) -> &[Sym] {
        if self.added_later(p) {
            return &[];
        }
        self.groups.get(&p).map_or(&[], Vec::as_slice)
    }

    /// The identity-based policies held by `h` itself.
    pub(crate) fn identity_of(&self, h: Sym) -> &[PolicyId] {
        if self.added_later(h) {
            return &[];
        }
        self.identity.get(&h).map_or(&[], Vec::as_slice)
    }

    /// The permissions boundary policies of `h` itself.
    pub(crate) fn boundary_of(&self, h: Sym) -> &[PolicyId] {
        if self.added_later(h) {
            return &[];
        }
        self.boundary.get(&h).map_or(&[], Vec::as_slice)
    }

    /// The session policies of session principal `p`.
    pub(crate) fn session_of(&self, p: Sym) -> &[PolicyId] {
        if self.added_later(p) {
            return &[];
        }
        self.session.get(&p).map_or(&[], Vec::as_slice)
    }

    /// Whether role `r` is service-linked.
    pub(crate) fn is_service_linked(&self, r: Sym) -> bool {
        !self.added_later(r) && self.service_linked.contains(&r)
    }

    /// The SCP level nodes of account `a`, root first.
    pub(crate) fn scp_levels_of(&self, a: Sym) -> &[Sym] {
        self.scp_levels.get(&a).map_or(&[], Vec::as_slice)
    }

    /// The SCPs attached to node `n`.
    pub(crate) fn scp_attachments_of(&self, n: Sym) -> &[PolicyId] {
        self.scp_attachments.get(&n).map_or(&[], Vec::as_slice)
    }

    /// Whether principal `p` (or the role of session `p`) has a permissions boundary.
    pub(crate) fn has_boundary(&self, t: &FactTables, p: Sym) -> bool {
        !self.boundary_of(p).is_empty()
            || t.role_of_session(p)
                .is_some_and(|role| self.boundary.contains_key(&role))
    }

    /// The depth of organization level `node` in `layer` (`u32::MAX` when unknown).
    pub(crate) fn depth(&self, layer: Layer, node: Sym) -> u32 {
        self.depth.get(&(layer, node)).copied().unwrap_or(u32::MAX)
    }

    /// Every policy of the resource side of request `b`: resource or trust policy, RCP
    /// levels of the resource's account, VPC endpoint.
    fn request_policies(&self, b: &BatchRequest, rcp: bool, out: &mut Vec<PolicyId>) {
        fn all<'m>(m: &'m Map<Sym, Vec<PolicyId>>, k: &Sym) -> &'m [PolicyId] {
            m.get(k).map_or(&[], Vec::as_slice)
        }
        if let Some(x) = b.resource {
            out.extend_from_slice(all(&self.resource_policies, &x));
            out.extend_from_slice(all(&self.trust, &x));
        }
        if rcp {
            if let Some(levels) = b.resource_account.and_then(|a| self.rcp_levels.get(&a)) {
                for n in levels {
                    out.extend_from_slice(all(&self.rcp_attachments, n));
                }
            }
        }
        if let Some(pol) = b.vpc_endpoint_policy {
            out.push(pol);
        }
    }

    /// Call `f` with each statement of policy `pol` among `stmts` (the statements of one
    /// action), in increasing id order.
    fn statements_of(&self, pol: PolicyId, stmts: &ActionStatements, f: impl FnMut(StmtId)) {
        if let Some(&(first, n)) = self.statements.get(pol as usize) {
            stmts.each_in(first, n, f);
        }
    }
}

/// Per account: the RCPs attached at some RCP level of its path, and those attached at
/// every level (as `RCPFullAWSAccess` is: AWS attaches it to the root, every OU and every
/// account once RCPs are enabled, and it cannot be detached). When one of the latter
/// applies to a request, every level has an applicable Allow (AWS Organizations User
/// Guide, "RCP evaluation": every level must allow).
fn account_rcps(
    levels: &Map<Sym, Vec<Sym>>,
    attachments: &Map<Sym, Vec<PolicyId>>,
) -> Map<Sym, (Vec<PolicyId>, Vec<PolicyId>)> {
    let at = |n: &Sym| attachments.get(n).map_or(&[][..], Vec::as_slice);
    levels
        .iter()
        .map(|(&a, nodes)| {
            let mut some: Vec<PolicyId> =
                nodes.iter().flat_map(|n| at(n).iter().copied()).collect();
            some.sort_unstable();
            some.dedup();
            let mut every: Vec<PolicyId> =
                crate::profile::at_every_level(nodes.iter().map(at)).collect();
            every.sort_unstable();
            every.dedup();
            (a, (some, every))
        })
        .collect()
}

/// The rows of the tables one batch can reach, ready to become input relations.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// The kind of each caller class.
    pub class_kinds: Vec<(ProfileId, PrincipalKind)>,
    /// The layers (boundary, session) each caller class has a policy in.
    pub class_layers: Vec<(ProfileId, Layer)>,
    /// The SCP levels of each caller class.
    pub class_scp_levels: Vec<(ProfileId, Sym)>,
    /// The caller classes that are service-linked roles or their sessions.
    pub class_service_linked: Vec<ProfileId>,
    /// The SCPs attached at every SCP level of each caller class
    /// ([`crate::profile::Profile::scps_at_every_level`]).
    pub class_scp_everywhere: Vec<(ProfileId, PolicyId)>,
    /// (statement, policy, layer, effect): for each (class, action) pair of the batch, the
    /// statements of the class's policies that can match the action (action index), one
    /// range per pair.
    pub pair_statements: Vec<(StmtId, PolicyId, Layer, Effect)>,
    /// Per request: the range of `pair_statements` of its (class, action) pair (empty for
    /// a caller without a profile).
    pub class_candidates: Vec<(u32, u32)>,
    pub scp_attachments: Vec<(Sym, PolicyId)>,
    pub rcp_levels: Vec<(Sym, Sym)>,
    pub rcp_attachments: Vec<(Sym, PolicyId)>,
    /// (account, RCP attached at some RCP level of the account).
    pub account_rcps: Vec<(Sym, PolicyId)>,
    /// (account, RCP attached at every RCP level of the account).
    pub account_rcps_everywhere: Vec<(Sym, PolicyId)>,
    pub resource_kinds: Vec<(Sym, ResourceKind)>,
    pub resource_policies: Vec<(Sym, PolicyId)>,
    pub trust: Vec<(Sym, PolicyId)>,
    pub restricted: Vec<(Sym, PolicyId)>,
    /// (policy, batch-local action, statement, effect) of the request-side policies
    /// (resource, trust, RCP, VPC endpoint).
    pub statements: Vec<(PolicyId, u32, StmtId, Effect)>,
}

impl Selection {
    /// The rows `batch` can reach. `classes[i]` is the caller class of request `i` and
    /// `profile` gives each class's profile; `actions[i]` is the id of request `i`'s action,
    /// `stmts[a]` the statements that can match action `a` (from the action memo) and
    /// `rcp[a]` whether RCPs apply to it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn of<'p>(
        t: &FactTables,
        idx: &FactIndex,
        batch: &[BatchRequest],
        classes: &[ProfileId],
        profile: &dyn Fn(ProfileId) -> Option<&'p Profile>,
        actions: &[u32],
        stmts: &[Option<&ActionStatements>],
        rcp: &[bool],
    ) -> Selection {
        let mut s = Selection::default();
        // Caller classes: their kind, layers, SCP levels, and the statements of their
        // policies that can match the actions they request, each (class, action) once.
        // Each class of the run gets a dense number in order of first appearance (an index
        // into `dense`, by class id), which numbers its (class, action) pairs in a bit set.
        let bound = classes
            .iter()
            .filter(|&&c| c != crate::profile::UNKNOWN)
            .map(|c| c.0 as usize + 1)
            .max()
            .unwrap_or(0);
        let mut dense: Vec<u32> = vec![u32::MAX; bound];
        // Per dense class: its policies with their layers, each (policy, layer) once (an
        // SCP attached at several levels of the path is one policy of the SCP layer: its
        // statements are matched once; which levels it allows at is joined in the
        // program), as `class_pols[pol_at[d]..pol_at[d + 1]]`.
        let mut pol_at: Vec<u32> = vec![0];
        let mut class_pols: Vec<(PolicyId, Layer)> = Vec::new();
        let mut own: Vec<(PolicyId, Layer)> = Vec::new();
        let mut nodes: Set<Sym> = Set::default();
        for &c in classes {
            let Some(slot) = dense.get_mut(c.0 as usize) else {
                continue;
            };
            if *slot != u32::MAX {
                continue;
            }
            let Some(p) = profile(c) else { continue };
            *slot = (pol_at.len() - 1) as u32;
            s.class_kinds.push((c, p.kind));
            for l in [Layer::Boundary, Layer::Session] {
                if p.has_layer(l) {
                    s.class_layers.push((c, l));
                }
            }
            if p.service_linked {
                s.class_service_linked.push(c);
            }
            s.class_scp_everywhere
                .extend(p.scps_at_every_level().map(|pol| (c, pol)));
            for (n, pols) in p.scp_levels.iter() {
                s.class_scp_levels.push((c, *n));
                if nodes.insert(*n) {
                    s.scp_attachments.extend(pols.iter().map(|&pol| (*n, pol)));
                }
            }
            // `p.policies()`, copied list by list (the chained iterator cost about 700
            // instructions a class).
            own.clear();
            for (list, layer) in [
                (&p.identity, Layer::Identity),
                (&p.boundary, Layer::Boundary),
                (&p.session, Layer::Session),
            ] {
                own.extend(list.iter().map(|&pol| (pol, layer)));
            }
            for (_, pols) in p.scp_levels.iter() {
                own.extend(pols.iter().map(|&pol| (pol, Layer::Scp)));
            }
            debug_assert!(own.iter().copied().eq(p.policies()));
            own.sort_unstable();
            own.dedup();
            class_pols.extend_from_slice(&own);
            pol_at.push(class_pols.len() as u32);
        }
        let n_dense = pol_at.len() - 1;
        let mut pairs = PairMap::new(n_dense, stmts.len());
        s.class_candidates.reserve(classes.len());
        for (i, &c) in classes.iter().enumerate() {
            let Some(&d) = dense.get(c.0 as usize) else {
                s.class_candidates.push((0, 0));
                continue;
            };
            let Some(&a) = actions.get(i) else {
                s.class_candidates.push((0, 0));
                continue;
            };
            if d == u32::MAX {
                s.class_candidates.push((0, 0));
                continue;
            }
            if let Some(range) = pairs.get(d, a) {
                s.class_candidates.push(range);
                continue;
            }
            let from = s.pair_statements.len() as u32;
            if let Some(&Some(stmts)) = stmts.get(a as usize) {
                let (lo, hi) = (
                    pol_at.get(d as usize).copied().unwrap_or(0) as usize,
                    pol_at.get(d as usize + 1).copied().unwrap_or(0) as usize,
                );
                for &(pol, layer) in class_pols.get(lo..hi).unwrap_or(&[]) {
                    idx.statements_of(pol, stmts, |st| {
                        if let Some(row) = t.statements.get(st as usize) {
                            s.pair_statements.push((st, pol, layer, row.effect));
                        }
                    });
                }
            }
            let range = (from, s.pair_statements.len() as u32);
            pairs.insert(d, a, range);
            s.class_candidates.push(range);
        }
        // Resources: their kind and policies; resource accounts for RCPs.
        let mut resources: Set<Sym> = Set::default();
        let mut rcp_accounts: Set<Sym> = Set::default();
        for (i, b) in batch.iter().enumerate() {
            if let Some(x) = b.resource {
                if resources.insert(x) {
                    if let Some(row) = t.resource(x) {
                        s.resource_kinds.push((x, row.kind));
                    }
                    for &pol in idx.resource_policies.get(&x).into_iter().flatten() {
                        s.resource_policies.push((x, pol));
                    }
                    for &pol in idx.trust.get(&x).into_iter().flatten() {
                        s.trust.push((x, pol));
                    }
                    for &pol in idx.restricted.get(&x).into_iter().flatten() {
                        s.restricted.push((x, pol));
                    }
                }
            }
            let applies = actions.get(i).and_then(|&a| rcp.get(a as usize));
            if let (Some(true), Some(a)) = (applies, b.resource_account) {
                rcp_accounts.insert(a);
            }
        }
        // Organization RCP levels of the resources' accounts, and their RCPs.
        let mut rcp_nodes: Set<Sym> = Set::default();
        for &a in &rcp_accounts {
            if let Some((some, every)) = idx.account_rcps.get(&a) {
                s.account_rcps.extend(some.iter().map(|&pol| (a, pol)));
                s.account_rcps_everywhere
                    .extend(every.iter().map(|&pol| (a, pol)));
            }
            for &n in idx.rcp_levels.get(&a).into_iter().flatten() {
                s.rcp_levels.push((a, n));
                if rcp_nodes.insert(n) {
                    for &pol in idx.rcp_attachments.get(&n).into_iter().flatten() {
                        s.rcp_attachments.push((n, pol));
                    }
                }
            }
        }
        // Request-side statements: for each request, the statements of its resource, trust,
        // RCP and endpoint policies that can match its action; each (policy, action) once.
        let mut pairs = PolicyActions::new(idx.statements.len(), stmts.len());
        let mut pols = Vec::new();
        for (i, b) in batch.iter().enumerate() {
            let Some(&a) = actions.get(i) else { continue };
            let Some(&Some(stmts)) = stmts.get(a as usize) else {
                continue;
            };
            pols.clear();
            idx.request_policies(b, rcp.get(a as usize).copied().unwrap_or(false), &mut pols);
            for &pol in &pols {
                if !pairs.insert(pol, a) {
                    continue;
                }
                idx.statements_of(pol, stmts, |st| {
                    if let Some(row) = t.statements.get(st as usize) {
                        s.statements.push((pol, a, st, row.effect));
                    }
                });
            }
        }
        s
    }
}

/// A set of (policy, action) pairs of one run: each policy met gets a dense number (an index
/// into `local`, by policy id) and a row of one bit per action of the run; a hash set when
/// the run has too many actions for that (one run of a very large batch).
enum PolicyActions {
    Bits {
        local: Vec<u32>,
        /// The policies numbered in `local`, in order (reset when the set is dropped).
        met: Vec<PolicyId>,
        bits: Vec<u64>,
        words: usize,
        /// Pairs of policies beyond `local` (none for tables the index fits).
        beyond: Set<(PolicyId, u32)>,
    },
    Hashed(Set<(PolicyId, u32)>),
}

impl PolicyActions {
    /// Most actions a run may have for the bit rows (1,024: 16 words per policy met).
    const MAX_WORDS: usize = 16;

    fn new(policies: usize, actions: usize) -> PolicyActions {
        let words = actions.div_ceil(64).max(1);
        if words <= Self::MAX_WORDS {
            // The thread's array from an earlier run (every slot unnumbered), when it
            // has the size wanted.
            let mut local = SPARE_LOCAL.with(|l| std::mem::take(&mut *l.borrow_mut()));
            if local.len() != policies {
                local.clear();
                local.resize(policies, u32::MAX);
            }
            PolicyActions::Bits {
                local,
                met: Vec::new(),
                bits: Vec::new(),
                words,
                beyond: Set::default(),
            }
        } else {
            PolicyActions::Hashed(Set::default())
        }
    }

    /// Add `(pol, action)`; whether it was new.
    fn insert(&mut self, pol: PolicyId, action: u32) -> bool {
        match self {
            PolicyActions::Bits {
                local,
                met,
                bits,
                words,
                beyond,
            } => {
                let Some(slot) = local.get_mut(pol as usize) else {
                    return beyond.insert((pol, action));
                };
                if *slot == u32::MAX {
                    *slot = (bits.len() / *words) as u32;
                    met.push(pol);
                    bits.resize(bits.len() + *words, 0);
                }
                let at = *slot as usize * *words + action as usize / 64;
                match bits.get_mut(at) {
                    Some(w) => {
                        let new = *w & (1 << (action % 64)) == 0;
                        *w |= 1 << (action % 64);
                        new
                    }
                    None => beyond.insert((pol, action)),
                }
            }
            PolicyActions::Hashed(set) => set.insert((pol, action)),
        }
    }
}

impl Drop for PolicyActions {
    /// The array of a bit set goes back to its thread, its numbered slots reset.
    fn drop(&mut self) {
        if let PolicyActions::Bits { local, met, .. } = self {
            for &pol in met.iter() {
                if let Some(slot) = local.get_mut(pol as usize) {
                    *slot = u32::MAX;
                }
            }
            let local = std::mem::take(local);
            SPARE_LOCAL.with(|l| *l.borrow_mut() = local);
        }
    }
}

thread_local! {
    /// One thread's spare [`PolicyActions::Bits`] array (`local`), every slot unnumbered,
    /// kept from one run to the next: a run's selection numbers a few hundred policies of
    /// the tables' tens of thousands, and making (and zeroing) a new array the size of the
    /// tables' policies for each run cost about 1 % of deciding a large batch.
    static SPARE_LOCAL: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A map from the (dense class, action) pairs of one run to the range of their statements:
/// an array of `classes × actions` slots when that is small (a run of 4,096 requests with
/// 64 actions: 2 MiB), else a hash map (one run of a very large batch,
/// `Engine::decide_run`).
enum PairMap {
    Dense {
        slots: Vec<(u32, u32)>,
        actions: usize,
    },
    Hashed(Map<(u32, u32), (u32, u32)>),
}

impl PairMap {
    /// Largest array used, in slots.
    const MAX_SLOTS: usize = 1 << 18;
    /// An empty slot (no range ends before it starts).
    const EMPTY: (u32, u32) = (u32::MAX, 0);

    fn new(classes: usize, actions: usize) -> PairMap {
        match classes.checked_mul(actions) {
            Some(n) if n <= Self::MAX_SLOTS => PairMap::Dense {
                slots: vec![Self::EMPTY; n],
                actions,
            },
            _ => PairMap::Hashed(Map::default()),
        }
    }

    /// The range of `(class, action)`, when it was inserted.
    fn get(&self, class: u32, action: u32) -> Option<(u32, u32)> {
        match self {
            PairMap::Dense { slots, actions } => slots
                .get(class as usize * *actions + action as usize)
                .copied()
                .filter(|&r| r != Self::EMPTY),
            PairMap::Hashed(map) => map.get(&(class, action)).copied(),
        }
    }

    /// Record the range of `(class, action)`.
    fn insert(&mut self, class: u32, action: u32, range: (u32, u32)) {
        match self {
            PairMap::Dense { slots, actions } => {
                if let Some(slot) = slots.get_mut(class as usize * *actions + action as usize) {
                    *slot = range;
                }
            }
            PairMap::Hashed(map) => {
                map.insert((class, action), range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS Organizations User Guide, "RCP evaluation": every level of the resource
    /// account's path must allow. An account's RCPs are those attached at any of its levels,
    /// each once; those attached at every level are the ones that allow at each.
    #[test]
    fn an_accounts_rcps_and_those_at_every_level() {
        let levels: Map<Sym, Vec<Sym>> = [(1, vec![10, 11, 12]), (2, vec![10, 13]), (3, vec![])]
            .into_iter()
            .collect();
        // 7 at every node (as RCPFullAWSAccess); 8 at the root and one OU; 9 on one account.
        let attachments: Map<Sym, Vec<PolicyId>> = [
            (10, vec![7, 8]),
            (11, vec![8, 7]),
            (12, vec![7, 9]),
            (13, vec![7]),
        ]
        .into_iter()
        .collect();
        let got = account_rcps(&levels, &attachments);
        assert_eq!(got.get(&1), Some(&(vec![7, 8, 9], vec![7])));
        assert_eq!(got.get(&2), Some(&(vec![7, 8], vec![7])));
        assert_eq!(got.get(&3), Some(&(vec![], vec![])));
        assert_eq!(got.get(&4), None);
    }

    /// A small deterministic generator (the tests need no crate for it).
    fn next(state: &mut u64) -> u32 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 33) as u32
    }

    /// A bit set made after another on the same thread (which hands its array on) starts
    /// empty: the policies the first numbered are new to it, even after other policies
    /// took the first rows of its bits.
    #[test]
    fn a_bit_set_after_another_starts_empty() {
        let mut first = PolicyActions::new(30, 5);
        for p in 0..10 {
            assert!(first.insert(p, p % 5));
        }
        drop(first);
        let mut next = PolicyActions::new(30, 5);
        assert!(matches!(next, PolicyActions::Bits { .. }));
        // Policies 20..30 take rows 0..10, every action's bit set.
        for p in 20..30 {
            for a in 0..5 {
                assert!(next.insert(p, a));
            }
        }
        for p in 0..10 {
            for a in 0..5 {
                assert!(next.insert(p, a), "({p}, {a}) is new");
                assert!(!next.insert(p, a), "({p}, {a}) is held");
            }
        }
    }

    /// Both forms of [`PolicyActions`] and [`PairMap`] answer as a hash set or map would,
    /// whatever the number of actions (bits or hashing) and for policies beyond the table.
    #[test]
    fn pair_sets_answer_as_hash_sets() {
        for actions in [1usize, 3, 64, 65, 200, 5_000] {
            let mut state = actions as u64;
            let mut pa = PolicyActions::new(50, actions);
            let mut want: Set<(PolicyId, u32)> = Set::default();
            let classes = 40;
            let mut pm = PairMap::new(classes, actions);
            let mut want_map: Map<(u32, u32), (u32, u32)> = Map::default();
            for i in 0..2_000u32 {
                // Policies 0..60: ten of them beyond the 50 the set was made for.
                let pol = next(&mut state) % 60;
                let a = next(&mut state) % actions as u32;
                assert_eq!(
                    pa.insert(pol, a),
                    want.insert((pol, a)),
                    "{actions} actions"
                );
                let c = next(&mut state) % classes as u32;
                assert_eq!(pm.get(c, a), want_map.get(&(c, a)).copied());
                if pm.get(c, a).is_none() {
                    pm.insert(c, a, (i, i + 1));
                    want_map.insert((c, a), (i, i + 1));
                }
            }
            assert!(want.len() > 10 && want_map.len() > 10);
        }
        assert!(matches!(
            PolicyActions::new(10, 5_000),
            PolicyActions::Hashed(_)
        ));
        assert!(matches!(
            PolicyActions::new(10, 64),
            PolicyActions::Bits { .. }
        ));
        assert!(matches!(PairMap::new(4_096, 4_096), PairMap::Hashed(_)));
        assert!(matches!(PairMap::new(4_096, 31), PairMap::Dense { .. }));
    }
}
