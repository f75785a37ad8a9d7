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

use crate::action_index::ActionMemo;
use crate::hash::FxBuildHasher;
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
        FactIndex {
            groups: group(t.member_of.iter().copied()),
            identity: group(t.identity_policies.iter().copied()),
            boundary: group(t.boundaries.iter().copied()),
            session: group(t.session_policies.iter().copied()),
            service_linked: t.service_linked_roles.iter().copied().collect(),
            scp_levels: group(t.scp_levels.iter().map(|l| (l.account, l.node))),
            rcp_levels: group(t.rcp_levels.iter().map(|l| (l.account, l.node))),
            scp_attachments: group(t.scp_attachments.iter().copied()),
            rcp_attachments: group(t.rcp_attachments.iter().copied()),
            depth,
            resource_policies: group(t.resource_policies.iter().copied()),
            trust: group(t.trust_policies.iter().copied()),
            restricted: group(t.s3_restricted_policies.iter().copied()),
            statements,
            shape: Shape::of(t),
        }
    }

    /// Whether this index describes `t`: built from `t`, or from tables that `t` only
    /// extends with principals, accounts and role sessions (as account mode adds the
    /// callers a batch names that the data does not describe).
    pub(crate) fn fits(&self, t: &FactTables) -> bool {
        self.shape == Shape::of(t)
    }

    /// Whether principal `p` (or the role of session `p`) has a permissions boundary.
    pub(crate) fn has_boundary(&self, t: &FactTables, p: Sym) -> bool {
        self.boundary.contains_key(&p)
            || t.role_of_session(p)
                .is_some_and(|role| self.boundary.contains_key(&role))
    }

    /// The depth of organization level `node` in `layer` (`u32::MAX` when unknown).
    pub(crate) fn depth(&self, layer: Layer, node: Sym) -> u32 {
        self.depth.get(&(layer, node)).copied().unwrap_or(u32::MAX)
    }

    /// Every policy of the identity side, boundary, session and SCP levels that requests
    /// of principal `p` can be evaluated against.
    fn principal_policies(&self, t: &FactTables, p: Sym, out: &mut Vec<PolicyId>) {
        let role = t.role_of_session(p);
        let groups = self.groups.get(&p).map(Vec::as_slice).unwrap_or(&[]);
        for h in std::iter::once(p).chain(role).chain(groups.iter().copied()) {
            out.extend(self.identity.get(&h).into_iter().flatten());
        }
        for h in std::iter::once(p).chain(role) {
            out.extend(self.boundary.get(&h).into_iter().flatten());
        }
        out.extend(self.session.get(&p).into_iter().flatten());
        let account = t.principal(p).and_then(|r| r.account);
        for n in account
            .and_then(|a| self.scp_levels.get(&a))
            .into_iter()
            .flatten()
        {
            out.extend(self.scp_attachments.get(n).into_iter().flatten());
        }
    }

    /// Every policy of the resource side of request `b`: resource or trust policy, RCP
    /// levels of the resource's account, VPC endpoint.
    fn request_policies(&self, b: &BatchRequest, rcp: bool, out: &mut Vec<PolicyId>) {
        if let Some(x) = b.resource {
            out.extend(self.resource_policies.get(&x).into_iter().flatten());
            out.extend(self.trust.get(&x).into_iter().flatten());
        }
        if rcp {
            let levels = b.resource_account.and_then(|a| self.rcp_levels.get(&a));
            for n in levels.into_iter().flatten() {
                out.extend(self.rcp_attachments.get(n).into_iter().flatten());
            }
        }
        out.extend(b.vpc_endpoint_policy);
    }

    /// The statements of policy `pol` among `stmts` (sorted statement ids).
    fn statements_of<'m>(&self, pol: PolicyId, stmts: &'m [StmtId]) -> &'m [StmtId] {
        let Some(&(first, n)) = self.statements.get(pol as usize) else {
            return &[];
        };
        let lo = stmts.partition_point(|&s| s < first);
        let hi = stmts.partition_point(|&s| s < first + n);
        stmts.get(lo..hi).unwrap_or(&[])
    }
}

/// The rows of the tables one batch can reach, ready to become input relations.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    pub principals: Vec<(Sym, PrincipalKind)>,
    pub principal_accounts: Vec<(Sym, Sym)>,
    pub member_of: Vec<(Sym, Sym)>,
    pub session_of: Vec<(Sym, Sym)>,
    pub identity: Vec<(Sym, PolicyId)>,
    pub boundary: Vec<(Sym, PolicyId)>,
    pub session: Vec<(Sym, PolicyId)>,
    pub service_linked: Vec<Sym>,
    pub scp_levels: Vec<(Sym, Sym)>,
    pub rcp_levels: Vec<(Sym, Sym)>,
    pub scp_attachments: Vec<(Sym, PolicyId)>,
    pub rcp_attachments: Vec<(Sym, PolicyId)>,
    pub resource_kinds: Vec<(Sym, ResourceKind)>,
    pub resource_policies: Vec<(Sym, PolicyId)>,
    pub trust: Vec<(Sym, PolicyId)>,
    pub restricted: Vec<(Sym, PolicyId)>,
    /// (policy, batch-local action, statement, effect).
    pub statements: Vec<(PolicyId, u32, StmtId, Effect)>,
}

impl Selection {
    /// The rows `batch` can reach. `actions[i]` is the batch-local id of request `i`'s
    /// action and `action_names[a]` its lowercased name (a key of `memo`); `rcp[i]`
    /// whether RCPs apply to request `i`'s action.
    pub(crate) fn of(
        t: &FactTables,
        idx: &FactIndex,
        memo: &ActionMemo,
        batch: &[BatchRequest],
        actions: &[u32],
        action_names: &[String],
        rcp: &[bool],
    ) -> Selection {
        let mut s = Selection::default();
        let mut seen: Set<Sym> = Set::default();
        let mut holders: Set<Sym> = Set::default();
        let mut accounts: Set<Sym> = Set::default();
        let mut rcp_accounts: Set<Sym> = Set::default();
        // Principals: their kind, account, groups, role, and the policies they hold.
        for b in batch {
            let p = b.principal;
            if !seen.insert(p) {
                continue;
            }
            let Some(row) = t.principal(p) else { continue };
            s.principals.push((p, row.kind));
            if let Some(a) = row.account {
                s.principal_accounts.push((p, a));
                accounts.insert(a);
            }
            let role = t.role_of_session(p);
            if let Some(role) = role {
                s.session_of.push((p, role));
            }
            let groups = idx.groups.get(&p).map(Vec::as_slice).unwrap_or(&[]);
            s.member_of.extend(groups.iter().map(|&g| (p, g)));
            for h in std::iter::once(p).chain(role) {
                if idx.service_linked.contains(&h) {
                    s.service_linked.push(h);
                }
                for &pol in idx.boundary.get(&h).into_iter().flatten() {
                    s.boundary.push((h, pol));
                }
            }
            for &pol in idx.session.get(&p).into_iter().flatten() {
                s.session.push((p, pol));
            }
            for h in std::iter::once(p).chain(role).chain(groups.iter().copied()) {
                if holders.insert(h) {
                    for &pol in idx.identity.get(&h).into_iter().flatten() {
                        s.identity.push((h, pol));
                    }
                }
            }
        }
        // Resources: their kind and policies; resource accounts for RCPs.
        let mut resources: Set<Sym> = Set::default();
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
            if let (Some(true), Some(a)) = (rcp.get(i), b.resource_account) {
                rcp_accounts.insert(a);
            }
        }
        // Organization levels of the principals' and resources' accounts.
        let mut nodes: Set<Sym> = Set::default();
        for &a in &accounts {
            for &n in idx.scp_levels.get(&a).into_iter().flatten() {
                s.scp_levels.push((a, n));
                if nodes.insert(n) {
                    for &pol in idx.scp_attachments.get(&n).into_iter().flatten() {
                        s.scp_attachments.push((n, pol));
                    }
                }
            }
        }
        let mut rcp_nodes: Set<Sym> = Set::default();
        for &a in &rcp_accounts {
            for &n in idx.rcp_levels.get(&a).into_iter().flatten() {
                s.rcp_levels.push((a, n));
                if rcp_nodes.insert(n) {
                    for &pol in idx.rcp_attachments.get(&n).into_iter().flatten() {
                        s.rcp_attachments.push((n, pol));
                    }
                }
            }
        }
        // Statements: for each request, the statements of its policies that can match its
        // action; each (policy, action) once.
        let mut pairs: Set<(PolicyId, u32)> = Set::default();
        let mut by_principal: Map<Sym, Vec<PolicyId>> = Map::default();
        let mut pols = Vec::new();
        for (i, b) in batch.iter().enumerate() {
            let (Some(&a), Some(name)) = (
                actions.get(i),
                actions.get(i).and_then(|&a| action_names.get(a as usize)),
            ) else {
                continue;
            };
            let Some(stmts) = memo.0.get(name) else {
                continue;
            };
            pols.clear();
            pols.extend_from_slice(by_principal.entry(b.principal).or_insert_with(|| {
                let mut v = Vec::new();
                idx.principal_policies(t, b.principal, &mut v);
                v.sort_unstable();
                v.dedup();
                v
            }));
            idx.request_policies(b, rcp.get(i).copied().unwrap_or(false), &mut pols);
            for &pol in &pols {
                if !pairs.insert((pol, a)) {
                    continue;
                }
                for &st in idx.statements_of(pol, stmts) {
                    if let Some(row) = t.statements.get(st as usize) {
                        s.statements.push((pol, a, st, row.effect));
                    }
                }
            }
        }
        s
    }
}
