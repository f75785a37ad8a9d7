//! Exact decisions of many principal × action × resource *cells* at once.
//!
//! Each cell is first screened with `facts`' matchers: a principal with no `Allow` statement
//! that could apply (identity side or resource policy naming it; the root user of an
//! account always has its identity side) is dropped without a decision. The statements that
//! could apply are then searched for condition entries on keys only a live request carries
//! (atoms, see [`super::atoms`]). Without atoms, one engine decision is the exact answer.
//! With atoms, the solver lists every realisable truth assignment of them with a witness
//! context ([`super::exact`]), and each witness is decided by the engine: the cell is
//! `allowed` when every witness is, `conditional` when some are, and dropped when none is.
//! All decisions of a query go to [`rules::Engine::decide`] in one batch.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use facts::account::context::Filler;
use facts::account::Model;
use facts::policy::{Effect, PrincipalClause};
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use facts::tables::{FactTables, Layer, PolicyId, PrincipalKind, Sym, TablesBuilder};
use rules::{BatchRequest, Decision, Engine, Outcome};

use super::atoms::{is_atom, Atoms};
use super::classes::{ClassId, Profiles};
use super::exact::{condition_sentence, merged, separating_condition, Exact};
use super::hash::{SymMap, SymSet};
use super::model::{
    Access, ConditionAtom, ConditionLiteral, Conditions, Reason, StatementRef, Stats, Witness,
    Witnesses,
};
use crate::simulate::principal::classify;
use crate::simulate::AccountSimulator;

/// The loaded tables plus the principals resource policies name that the data does not
/// hold (other accounts, services, anonymous), ready for an engine.
#[derive(Debug)]
pub struct Prepared {
    tables: FactTables,
    /// Accounts whose IAM data is loaded.
    loaded: HashSet<String>,
}

impl Prepared {
    /// Compile the principals that resource and trust policies name into the tables of `sim`.
    pub fn new(sim: &AccountSimulator) -> Prepared {
        let base = sim.tables();
        let mut b = TablesBuilder::from_tables(base.clone());
        let loaded: HashSet<String> = sim.model().accounts.iter().map(|a| a.to_string()).collect();
        // Each named principal once, in order of first mention (the order gives the new
        // principals their symbols); most are named by many policies.
        let mut named: Vec<&str> = vec!["*"];
        let mut seen: HashSet<&str> = named.iter().copied().collect();
        let pols = base
            .resource_policies
            .iter()
            .chain(base.trust_policies.iter())
            .map(|&(_, p)| p);
        for pid in pols {
            let Some(row) = base.policies.get(pid as usize) else {
                continue;
            };
            for st in &row.document.statements {
                if let Some(PrincipalClause::Principal(facts::policy::Principals::Specific(es))) =
                    &st.principal
                {
                    for e in es {
                        let v = match e {
                            facts::policy::PrincipalEntry::Aws(v) if v != "*" => v,
                            facts::policy::PrincipalEntry::Service(v) => v,
                            _ => continue,
                        };
                        if seen.insert(v) {
                            named.push(v);
                        }
                    }
                }
            }
        }
        for text in named {
            add_principal(&mut b, text);
        }
        Prepared {
            tables: b.finish(),
            loaded,
        }
    }

    /// The tables (loaded data plus named principals).
    pub fn tables(&self) -> &FactTables {
        &self.tables
    }

    /// Whether the IAM data of `account` is loaded.
    pub fn is_loaded(&self, account: &str) -> bool {
        self.loaded.contains(account)
    }
}

/// Add the principal `text` names (an account becomes its root) unless present.
fn add_principal(b: &mut TablesBuilder, text: &str) -> Option<Sym> {
    let c = classify(text)?;
    let entity = if c.kind == PrincipalKind::Root {
        c.arn.clone()
    } else {
        text.to_string()
    };
    if let Some(p) = b.tables().principal_by_arn(&entity) {
        return Some(p.id);
    }
    let acct = c.account.as_deref().map(|a| b.account(a));
    let id = b.principal(&entity, &c.arn, c.kind, acct);
    // A session of a loaded role has the role's policies (as simulate decides it).
    if let (PrincipalKind::Session, Some(name)) = (c.kind, &c.role_name) {
        let role = b.tables().principals.iter().find(|p| {
            p.kind == PrincipalKind::Role
                && p.account == acct
                && b.tables().symbols.name(p.arn).rsplit('/').next() == Some(name.as_str())
        });
        if let Some(role) = role.map(|r| r.id) {
            b.session_of(id, role);
        }
    }
    Some(id)
}

/// One question: may `principal` perform `action` on `resource`?
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    /// The principal entity.
    pub principal: Sym,
    /// The action (catalogue spelling).
    pub action: String,
    /// The resource ARN (`*` for actions without a resource).
    pub resource: String,
}

/// The exact answer for one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellAnswer {
    /// Allowed for every live value, or for some.
    pub access: Access,
    /// For a conditional cell: the deciding condition.
    pub conditions: Option<Conditions>,
    /// For a conditional cell: an allowed and a denied request.
    pub witnesses: Option<Witnesses>,
    /// Why it is allowed (from an allowed decision).
    pub reason: Reason,
    /// Why the answer may be incomplete.
    pub notes: Vec<String>,
}

/// How [`Analyzer::decide`] and [`Analyzer::decide_shared`] decide a batch of cells.
pub struct Decide<'q> {
    /// The keys the user fixes (`--context`).
    pub user: &'q Context,
    /// Treat keys nobody gives as absent (as `simulate` does), instead of unknown.
    pub strict: bool,
    /// Where the counts of the decisions made go.
    pub stats: &'q mut Stats,
    /// Told how many cells have been screened so far.
    pub progress: &'q dyn Fn(usize),
}

impl<'q> Decide<'q> {
    /// Decide with `user`'s keys, `strict` or not, counting into `stats`, without progress.
    pub fn new(user: &'q Context, strict: bool, stats: &'q mut Stats) -> Decide<'q> {
        Decide {
            user,
            strict,
            stats,
            progress: &no_progress,
        }
    }
}

/// Progress nobody is told of.
fn no_progress(_: usize) {}

/// Cells decided once per class ([`Analyzer::decide_shared`]).
#[derive(Debug)]
pub struct SharedAnswers {
    /// Per cell: the index of the cell whose decision it shares (itself for a leader).
    pub lead: Vec<usize>,
    /// Per cell: the index of its leader's answer in `answers`.
    slot: Vec<u32>,
    /// Per leader: its answer (`None`: never allowed).
    answers: Vec<Option<CellAnswer>>,
}

impl SharedAnswers {
    /// The answer cell `i` shares (its leader's), if allowed.
    pub fn answer(&self, i: usize) -> Option<&CellAnswer> {
        self.answers[self.slot[i] as usize].as_ref()
    }

    /// The number of the answer cell `i` shares: equal for the cells of one class.
    pub fn slot(&self, i: usize) -> usize {
        self.slot[i] as usize
    }

    /// How many answers (leaders).
    pub fn leaders(&self) -> usize {
        self.answers.len()
    }
}

/// Per-entity indices of the policies that can take part in a decision.
#[derive(Debug, Default)]
pub(super) struct Index {
    groups: SymMap<Sym, Vec<Sym>>,
    identity: SymMap<Sym, Vec<PolicyId>>,
    boundary: SymMap<Sym, Vec<PolicyId>>,
    session: SymMap<Sym, Vec<PolicyId>>,
    scp_nodes: SymMap<Sym, Vec<Sym>>,
    scp: SymMap<Sym, Vec<PolicyId>>,
    rcp_nodes: SymMap<Sym, Vec<Sym>>,
    rcp: SymMap<Sym, Vec<PolicyId>>,
    resource: SymMap<Sym, Vec<PolicyId>>,
    trust: SymMap<Sym, Vec<PolicyId>>,
    role_of: SymMap<Sym, Sym>,
}

fn index(t: &FactTables) -> Index {
    let mut ix = Index::default();
    let push = |m: &mut SymMap<Sym, Vec<Sym>>, k: Sym, v: Sym| m.entry(k).or_default().push(v);
    for &(u, g) in &t.member_of {
        push(&mut ix.groups, u, g);
    }
    for &(h, p) in &t.identity_policies {
        push(&mut ix.identity, h, p);
    }
    for &(h, p) in &t.boundaries {
        push(&mut ix.boundary, h, p);
    }
    for &(h, p) in &t.session_policies {
        push(&mut ix.session, h, p);
    }
    for l in &t.scp_levels {
        push(&mut ix.scp_nodes, l.account, l.node);
    }
    for &(n, p) in &t.scp_attachments {
        push(&mut ix.scp, n, p);
    }
    for l in &t.rcp_levels {
        push(&mut ix.rcp_nodes, l.account, l.node);
    }
    for &(n, p) in &t.rcp_attachments {
        push(&mut ix.rcp, n, p);
    }
    for &(x, p) in &t.resource_policies {
        push(&mut ix.resource, x, p);
    }
    for &(x, p) in &t.trust_policies {
        push(&mut ix.trust, x, p);
    }
    for &(s, r) in &t.session_of {
        ix.role_of.insert(s, r);
    }
    ix
}

/// Decides cells exactly over prepared tables.
pub struct Analyzer<'p> {
    tables: &'p FactTables,
    engine: Engine<'p>,
    filler: Filler<'p>,
    ix: Index,
    atoms: std::sync::Mutex<(Atoms, Exact)>,
    /// Per principal: the request principal the matcher sees (classified once).
    callers: SymMap<Sym, RequestPrincipal>,
    /// Per account entity: its principals.
    by_account: HashMap<Sym, Vec<Sym>>,
    /// Accounts whose IAM data is loaded.
    loaded: &'p HashSet<String>,
    /// The loaded model (VPC endpoints).
    model: &'p Model,
    /// Per role: [`Analyzer::trust_callers`], computed on first need.
    trust_cache: std::sync::Mutex<SymMap<Sym, std::sync::Arc<Vec<Sym>>>>,
    /// The profile class of each principal ([`super::classes`]).
    profiles: Profiles,
    /// Per principal: the keys AWS fills for it that name it ([`is_principal_key`]),
    /// computed on first need.
    principal_keys: std::sync::Mutex<SymMap<Sym, Arc<Context>>>,
    /// The decision engine's principal profiles (SCP levels, service-linked flag).
    decisions: &'p rules::profile::Profiles,
    /// Statement contents, numbered ([`Analyzer::content_id`]).
    contents: std::sync::Mutex<Contents>,
    /// [`Analyzer::variable_policies`].
    variable_policies: std::sync::OnceLock<Vec<bool>>,
}

/// Statements numbered by content: two statements with the same number are equal in
/// everything the decision and its reason read (index, Sid, effect, action, resource,
/// principal, conditions, and whether their policy substitutes variables).
#[derive(Debug, Default)]
struct Contents {
    by_statement: HashMap<(PolicyId, usize), u32>,
    by_text: HashMap<String, u32>,
}

/// What a decision of one action on one resource reads of a user, role or root user of a
/// loaded account, beyond the principal-specific and account-reading parts of the
/// statements that [`super::classes::outcome`] and [`Analyzer::account_split`] test per
/// member (see [`Analyzer::question_key`]). Principals of different accounts with equal
/// keys are decided alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct QuestionKey {
    kind: PrincipalKind,
    service_linked: bool,
    /// Whether the caller is in the resource's account (when both are known).
    same_account: Option<bool>,
    /// Whether it has a permissions boundary.
    boundary: bool,
    /// The SCPs of each level that must allow (root first); empty when SCPs do not apply.
    scp: Vec<Box<[PolicyId]>>,
    /// Per identity or boundary policy, in the order the engine reports matches (layer,
    /// policy id): layer, holder and policy name relative to the principal and its account,
    /// and the contents of its statements that may apply.
    policies: Vec<(Layer, String, String, Arc<[u32]>)>,
}

/// The class of a principal for one question (action and resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AskClass {
    /// Principals with this [`QuestionKey`] (numbered).
    Key(u32),
    /// A principal decided on its own.
    Single(Sym),
}

impl std::fmt::Debug for Analyzer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").finish_non_exhaustive()
    }
}

/// What the screen found for one cell.
struct Screened {
    /// The request as the engine sees it (context: the user's keys).
    request: Request,
    /// AWS-filled keys for this caller and resource.
    filled: Arc<Context>,
    /// The resource entity and its owner.
    resource: Option<Sym>,
    resource_account: Option<Sym>,
    resource_account_id: Option<String>,
    /// Atom ids (sorted) the decision may depend on.
    atoms: Vec<usize>,
    /// The statements of the cell's policies whose action element matches its action: two
    /// actions with the same signature (same principal, resource and service) are decided
    /// alike.
    signature: Vec<(PolicyId, usize)>,
}

/// The cells of one ask (action, resource) by profile class, each class's cells in order
/// ([`Analyzer::leaders`]).
type AskCells<'a> = ((&'a str, &'a str), Vec<(ClassId, Vec<usize>)>);

/// How the groups of a merged class are found ([`Analyzer::leaders`]).
#[derive(Debug, Clone, Copy)]
enum How {
    /// No test tells its members apart: one group.
    All,
    /// The groups of the class at this index (same ARN-only tests, same members).
    Copy(usize),
    /// From what the tests say of each member.
    Compute,
}

/// The split of one merged class of an ask ([`Analyzer::leaders`]).
struct Refinement<'t> {
    /// The ask (index into the asks of `leaders`).
    ask: usize,
    /// The principal-specific parts of the statements that may apply.
    tests: Vec<super::classes::Test<'t>>,
    /// Whether they read nothing of a principal but its ARN.
    arn_only: bool,
    /// Whether they read only keys naming the principal.
    own_keys: bool,
    /// Conditions on keys that name the principal's account.
    account_tests: Vec<(&'t facts::policy::Condition, bool)>,
    /// The members, in cell order.
    members: Vec<Sym>,
    /// Whether they are all of one account.
    one_account: bool,
    /// How their groups are found.
    how: How,
}

/// Members grouped by what the tests say of each (`outcomes`, in member order): indices,
/// the first of each group its leader; a member the tests say `None` of is alone.
fn group_outcomes(outcomes: impl Iterator<Item = Option<Vec<bool>>>) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut seen: HashMap<Vec<bool>, usize> = HashMap::new();
    for (j, v) in outcomes.enumerate() {
        match v {
            None => out.push(vec![j]),
            Some(v) => match seen.get(&v) {
                Some(&g) => out[g].push(j),
                None => {
                    seen.insert(v, out.len());
                    out.push(vec![j]);
                }
            },
        }
    }
    out
}

/// An action class of a cell: principal, resource, service (or action), statement signature.
type ClassKey<'a> = (Sym, &'a str, String, Vec<(PolicyId, usize)>);

/// An action class of an ask: resource, service (or action), and the (document, statement)
/// pairs whose `Action` element matches it among the policies in play.
type AskKey<'a> = (&'a str, String, Vec<(usize, usize)>);

/// Cells given without a [`Cell`] each ([`Analyzer::decide_grid`]): every principal of
/// `principals` asked every (action, resource) of `asks` — cell `a * principals.len() + j`
/// is principal `j` asked ask `a` — then the cells of `extra`, numbered from
/// `asks.len() * principals.len()`.
#[derive(Debug, Clone, Copy)]
pub struct Grid<'c> {
    /// The (action, resource) pairs every principal is asked.
    pub asks: &'c [(String, String)],
    /// The principals asked every ask.
    pub principals: &'c [Sym],
    /// Further cells, after the grid's.
    pub extra: &'c [Cell],
}

impl Grid<'_> {
    /// How many cells.
    pub fn len(&self) -> usize {
        self.asks.len() * self.principals.len() + self.extra.len()
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The principal of cell `i`.
    pub fn principal(&self, i: usize) -> Sym {
        let base = self.asks.len() * self.principals.len();
        if i < base {
            self.principals[i % self.principals.len()]
        } else {
            self.extra[i - base].principal
        }
    }

    /// The action and resource of cell `i`.
    pub fn ask(&self, i: usize) -> (&str, &str) {
        let base = self.asks.len() * self.principals.len();
        if i < base {
            let (a, r) = &self.asks[i / self.principals.len()];
            (a, r)
        } else {
            let c = &self.extra[i - base];
            (&c.action, &c.resource)
        }
    }

    /// Cell `i`.
    pub fn cell(&self, i: usize) -> Cell {
        let (action, resource) = self.ask(i);
        Cell {
            principal: self.principal(i),
            action: action.to_string(),
            resource: resource.to_string(),
        }
    }
}

/// `f` of each of `items`, in order, spread over the machine's cores: contiguous chunks of
/// about equal `weight`, each on its own thread with its own `state` (a cache), joined back
/// in item order. Inline on one core, or when the items weigh little.
fn spread<T: Sync, R: Send, S>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    /// Below this total weight, threads cost more than they save.
    const MIN_WEIGHT: usize = 2048;
    let total: usize = items.iter().map(&weight).sum();
    let cores = cores();
    if cores < 2 || items.len() < 2 || total < MIN_WEIGHT {
        let mut s = state();
        return items.iter().map(|x| f(&mut s, x)).collect();
    }
    // Chunk boundaries where the running weight crosses each share.
    let mut bounds = vec![0];
    let mut run = 0;
    for (i, x) in items.iter().enumerate() {
        run += weight(x);
        if run * cores >= total * bounds.len() && bounds.len() < cores && i + 1 < items.len() {
            bounds.push(i + 1);
        }
    }
    bounds.push(items.len());
    let (state, f) = (&state, &f);
    std::thread::scope(|s| {
        let parts: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let part = &items[w[0]..w[1]];
                s.spawn(move || {
                    let mut st = state();
                    part.iter().map(|x| f(&mut st, x)).collect::<Vec<R>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The machine's cores (`available_parallelism`, which reads the system's limits: asked
/// once).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resources looked up in the tables ([`Analyzer::targets`]).
#[derive(Debug, Clone)]
pub struct Targets(Vec<ResourceInfo>);

/// What the tables know of a resource.
#[derive(Debug, Clone)]
struct ResourceInfo {
    entity: Option<Sym>,
    kind: Option<facts::tables::ResourceKind>,
    account_id: Option<String>,
    account: Option<Sym>,
}

/// Whether a resource element may match `resource` whatever the context: a pattern with a
/// policy variable counts as matching (the full screen substitutes it).
fn resource_may_match(rc: &facts::policy::ResourceClause, resource: &str, vars: bool) -> bool {
    use facts::policy::ResourceClause;
    let m = |ps: &[facts::policy::ResourcePattern], negated: bool| {
        ps.iter().any(|p| {
            if vars && p.0.contains("${") {
                !negated
            } else {
                facts::arn::resource_matches(&p.0, resource)
            }
        })
    };
    match rc {
        ResourceClause::Resource(ps) => m(ps, false),
        ResourceClause::NotResource(ps) => !m(ps, true),
    }
}

impl<'p> Analyzer<'p> {
    /// An analyzer over `prepared` (made from `sim`), with `sim`'s model for the keys AWS
    /// fills. Its engine shares the decision index `sim` built at load
    /// ([`rules::Engine::with_index`]): `prepared` only adds principals to `sim`'s tables, so
    /// the index fits and nothing is indexed again.
    pub fn new(prepared: &'p Prepared, sim: &'p AccountSimulator) -> Analyzer<'p> {
        let tables = &prepared.tables;
        let model = sim.model();
        let ix = index(tables);
        let loaded = &prepared.loaded;
        // The request principal of each principal (classified once) on another core while
        // this thread computes the profile classes; one core does both in turn.
        let callers_of = || {
            let mut callers =
                SymMap::with_capacity_and_hasher(tables.principals.len(), Default::default());
            let mut by_account: HashMap<Sym, Vec<Sym>> = HashMap::new();
            for row in &tables.principals {
                if let Some(a) = row.account {
                    by_account.entry(a).or_default().push(row.id);
                }
                let rp = match row.kind {
                    PrincipalKind::Anonymous => RequestPrincipal::Anonymous,
                    _ => classify(tables.symbols.name(row.arn))
                        .map(|c| c.principal)
                        .unwrap_or(RequestPrincipal::Anonymous),
                };
                callers.insert(row.id, rp);
            }
            (callers, by_account)
        };
        let profiles_of = || {
            super::classes::profiles(tables, sim.index().profiles(), &ix.groups, &|a| {
                tables
                    .account_id_of(a)
                    .is_some_and(|id| loaded.contains(id))
            })
        };
        let ((callers, by_account), profiles) = if cores() > 1 {
            std::thread::scope(|s| {
                let other = s.spawn(callers_of);
                let profiles = profiles_of();
                let callers = other
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e));
                (callers, profiles)
            })
        } else {
            (callers_of(), profiles_of())
        };
        Analyzer {
            tables,
            profiles,
            engine: Engine::with_index(tables, sim.index()),
            filler: Filler::new(model),
            ix,
            atoms: std::sync::Mutex::default(),
            callers,
            by_account,
            loaded: &prepared.loaded,
            model,
            trust_cache: std::sync::Mutex::default(),
            principal_keys: std::sync::Mutex::default(),
            decisions: sim.index().profiles(),
            contents: std::sync::Mutex::default(),
            variable_policies: std::sync::OnceLock::new(),
        }
    }

    /// The principals the trust policy of `role` may name: those its `Allow` statements list
    /// by ARN, every principal of an account they list, every principal for `*` or a
    /// `NotPrincipal`, and the services they list. A superset of the callers that may assume
    /// the role (the trust policy must allow: IAM User Guide, "IAM roles"), for
    /// [`Analyzer::decide`] to decide.
    pub fn trust_callers(&self, role: Sym) -> Vec<Sym> {
        use facts::policy::{PrincipalEntry, Principals};
        let t = self.tables;
        let mut out: Vec<Sym> = Vec::new();
        let everyone = || t.principals.iter().map(|p| p.id).collect::<Vec<_>>();
        for &pid in self.ix.trust.get(&role).into_iter().flatten() {
            let Some(prow) = t.policies.get(pid as usize) else {
                continue;
            };
            for st in prow
                .document
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                match &st.principal {
                    None | Some(PrincipalClause::NotPrincipal(_)) => return everyone(),
                    Some(PrincipalClause::Principal(Principals::Any)) => return everyone(),
                    Some(PrincipalClause::Principal(Principals::Specific(es))) => {
                        for e in es {
                            match e {
                                PrincipalEntry::Aws(v) if v == "*" => return everyone(),
                                PrincipalEntry::Aws(v) => {
                                    match crate::trust_index::named_account(v)
                                        .and_then(|a| t.account_entity(a))
                                    {
                                        Some(acct) => out.extend(
                                            self.by_account.get(&acct).into_iter().flatten(),
                                        ),
                                        None => out.extend(t.principal_by_arn(v).map(|p| p.id)),
                                    }
                                }
                                PrincipalEntry::Service(v)
                                | PrincipalEntry::Federated(v)
                                | PrincipalEntry::CanonicalUser(v) => {
                                    out.extend(t.principal_by_arn(v).map(|p| p.id))
                                }
                            }
                        }
                    }
                }
            }
        }
        // A role's ARN names its sessions too ("AWS JSON policy elements: Principal").
        let sessions: Vec<Sym> = self
            .ix
            .role_of
            .iter()
            .filter(|(_, r)| out.contains(r))
            .map(|(&s, _)| s)
            .collect();
        out.extend(sessions);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether some `Allow` statement of the trust policy of `role` has an `Action` element
    /// that matches `action` (whoever it names, under whatever conditions).
    pub fn trust_allows(&self, role: Sym, action: &str) -> bool {
        self.ix.trust.get(&role).into_iter().flatten().any(|&pid| {
            self.tables.policies.get(pid as usize).is_some_and(|prow| {
                prow.document.statements.iter().any(|st| {
                    st.effect == Effect::Allow && facts::eval::action_matches(&st.action, action)
                })
            })
        })
    }

    /// The roles whose trust policy may name `caller` ([`Analyzer::trust_callers`] reversed).
    pub fn assumable_by(&self, caller: Sym) -> Vec<Sym> {
        let mut out: Vec<Sym> = self
            .ix
            .trust
            .keys()
            .copied()
            .filter(|&r| r != caller && self.trust_callers_cached(r).binary_search(&caller).is_ok())
            .collect();
        out.sort_unstable();
        out
    }

    fn trust_callers_cached(&self, role: Sym) -> std::sync::Arc<Vec<Sym>> {
        let mut cache = self.trust_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(role)
            .or_insert_with(|| std::sync::Arc::new(self.trust_callers(role)))
            .clone()
    }

    /// Whether a decision of `caller` performing `action` on `resource` may read the state
    /// of the caller's session that an earlier hop of a role chain sets: a statement of a
    /// policy in play whose action element matches `action` has a condition on, or a policy
    /// variable of, `aws:PrincipalTag/*` (session tags: IAM User Guide, "Pass session tags in
    /// AWS STS", "Chaining roles with session tags") or the source identity
    /// (`aws:SourceIdentity`, `sts:SourceIdentity`). A decision that does not is the same
    /// whatever the session carries.
    pub fn reads_session_state(&self, caller: Sym, action: &str, resource: &str) -> bool {
        let info = self.resource_info(resource);
        let session = |text: &str| {
            let k = text.to_ascii_lowercase();
            k.contains("aws:principaltag/")
                || k.contains("aws:sourceidentity")
                || k.contains("sts:sourceidentity")
        };
        self.policies(caller, info.entity, info.account)
            .into_iter()
            .filter_map(|(pid, _)| self.tables.policies.get(pid as usize))
            .flat_map(|prow| prow.document.statements.iter())
            .filter(|st| facts::eval::action_matches(&st.action, action))
            .any(|st| {
                st.conditions
                    .iter()
                    .any(|c| session(&c.key) || c.values.iter().any(|v| session(v)))
                    || st.resource.as_ref().is_some_and(|rc| match rc {
                        facts::policy::ResourceClause::Resource(ps)
                        | facts::policy::ResourceClause::NotResource(ps) => {
                            ps.iter().any(|p| session(&p.0))
                        }
                    })
            })
    }

    /// The resources of a query, looked up once for [`Analyzer::may_act`].
    pub fn targets(&self, resources: &[String]) -> Targets {
        Targets(resources.iter().map(|r| self.resource_info(r)).collect())
    }

    /// The endpoint policy of the request whose context names a loaded VPC endpoint in
    /// `aws:SourceVpce`, filling `aws:SourceVpc` from it, as simulate does.
    fn through_endpoint(&self, context: &mut Context) -> Option<PolicyId> {
        if self.tables.vpc_endpoint_policies.is_empty() && self.model.vpc_endpoints.is_empty() {
            return None;
        }
        let id = match context.get("aws:sourcevpce") {
            Some(ContextValue::Single(v)) => v.clone(),
            Some(ContextValue::Multi(v)) if v.len() == 1 => v[0].clone(),
            _ => return None,
        };
        if let Some(vpc) = self
            .model
            .vpc_endpoints
            .get(&id)
            .and_then(|e| e.vpc_id.as_ref())
        {
            context.insert_default("aws:SourceVpc", ContextValue::Single(vpc.clone()));
        }
        self.tables.vpc_endpoint_policy(&id)
    }

    /// The identity-side `Allow` statements of `p`: its own policies', its role's (for a
    /// session) and its groups', in that order (read from the index, nothing kept per
    /// principal).
    fn allow_statements(&self, p: Sym) -> impl Iterator<Item = &'p facts::policy::Statement> + '_ {
        let t = self.tables;
        let ix = &self.ix;
        std::iter::once(p)
            .chain(ix.role_of.get(&p).copied())
            .chain(ix.groups.get(&p).into_iter().flatten().copied())
            .flat_map(move |h| ix.identity.get(&h).into_iter().flatten())
            .filter_map(move |&pid| t.policies.get(pid as usize))
            .flat_map(|prow| prow.document.statements.iter())
            .filter(|st| st.effect == Effect::Allow)
    }

    /// A quick filter before any cell is made: whether principal `p` could be allowed some
    /// action of `services` on some of `resources` — a resource or trust policy of one of
    /// them has an `Allow` naming it, or (where the resource policy is not required) it is an
    /// account root or has an identity-side `Allow` whose action element may match an action
    /// of those services. Exact as a filter ([`Analyzer::decide`] would drop the cells).
    pub fn may_act(&self, p: Sym, services: &[String], resources: &Targets) -> bool {
        let t = self.tables;
        let Some(row) = t.principal(p) else {
            return false;
        };
        let caller = &*self.caller(p);
        let infos = &resources.0;
        for r in infos {
            let Some(x) = r.entity else { continue };
            let named = self
                .ix
                .resource
                .get(&x)
                .into_iter()
                .flatten()
                .chain(self.ix.trust.get(&x).into_iter().flatten())
                .any(|&pid| {
                    t.policies.get(pid as usize).is_some_and(|prow| {
                        prow.document.statements.iter().any(|st| {
                            st.effect == Effect::Allow
                                && st.principal.as_ref().is_none_or(|pc| {
                                    facts::eval::principal_clause_matches(pc, caller)
                                })
                        })
                    })
                });
            if named {
                return true;
            }
        }
        let sts = services.iter().any(|s| s.eq_ignore_ascii_case("sts"));
        let identity_counts = infos.iter().any(|r| {
            let cross = match (row.account.and_then(|a| t.account_id_of(a)), &r.account_id) {
                (Some(c), Some(o)) => c != o,
                _ => false,
            };
            !(cross
                || r.kind == Some(facts::tables::ResourceKind::KmsKey)
                || (r.kind == Some(facts::tables::ResourceKind::IamRole) && sts))
        });
        if !identity_counts {
            return false;
        }
        if row.kind == PrincipalKind::Root {
            return true;
        }
        self.allow_statements(p).any(|st| match &st.action {
            facts::policy::ActionClause::NotAction(_) => true,
            facts::policy::ActionClause::Action(ps) => ps.iter().any(|pat| {
                let svc = pat.0.split(':').next().unwrap_or("");
                services
                    .iter()
                    .any(|s| facts::wildcard::glob_match(svc, s, true))
            }),
        })
    }

    /// The object patterns under `bucket` that policies with a policy variable name for
    /// principal `p` (`arn:aws:s3:::b/home/${aws:username}/*` gives
    /// `arn:aws:s3:::b/home/alice/*` for alice): the resource patterns of its identity-side
    /// `Allow` statements and of the bucket's resource policies, each substituted with the
    /// keys AWS fills for `p` and `user` (IAM User Guide, "IAM policy elements: Variables and
    /// tags"; a variable without a value and without a default leaves the statement
    /// unmatched, so it gives no pattern), then placed under the bucket
    /// ([`super::actions::object_pattern_under`]). A principal of an account the data does
    /// not hold has no known identity keys: none.
    pub fn object_patterns_for(&self, p: Sym, bucket: &str, user: &Context) -> Vec<String> {
        self.object_patterns_each(&[p], bucket, user)
            .pop()
            .unwrap_or_default()
    }

    /// [`Analyzer::object_patterns_for`] of each of `principals`, in order; what depends only
    /// on the bucket (its resource policies' patterns with a variable) is read once.
    pub fn object_patterns_each(
        &self,
        principals: &[Sym],
        bucket: &str,
        user: &Context,
    ) -> Vec<Vec<String>> {
        let t = self.tables;
        let take = |patterns: &mut Vec<&'p str>, st: &'p facts::policy::Statement| {
            if st.effect != Effect::Allow {
                return;
            }
            if let Some(facts::policy::ResourceClause::Resource(ps)) = &st.resource {
                patterns.extend(
                    ps.iter()
                        .map(|x| x.0.as_str())
                        .filter(|x| facts::variables::has_variables(x)),
                );
            }
        };
        // A pattern whose text before its first wildcard or variable already leaves the
        // bucket names none of its objects whatever the variables hold: the keys of a
        // principal are not needed for it ([`super::actions::object_pattern_under`] would
        // give none).
        let under = format!("{bucket}/");
        let names_objects = |x: &&str| {
            let literal = x.split(['$', '*', '?']).next().unwrap_or("");
            under.starts_with(literal) || literal.starts_with(&under)
        };
        let mut of_bucket: Vec<&'p str> = Vec::new();
        if let Some(x) = t.resource_for(bucket) {
            for &pid in self.ix.resource.get(&x.id).into_iter().flatten() {
                if let Some(prow) = t.policies.get(pid as usize) {
                    if prow.document.version.supports_variables() {
                        for st in &prow.document.statements {
                            take(&mut of_bucket, st);
                        }
                    }
                }
            }
        }
        of_bucket.retain(names_objects);
        // Only the policies with such a pattern ([`Analyzer::variable_policies`]).
        let with_variables = self.variable_policies();
        let ix = &self.ix;
        // Without such a pattern in the bucket's policies, only the principals that hold
        // (themselves, through their role or a group) a policy with a pattern that may name
        // the bucket's objects can have one: found from those few policies' holders rather
        // than by reading every principal's policies.
        let holding: Option<SymSet<Sym>> = of_bucket.is_empty().then(|| {
            let names: Vec<bool> = t
                .policies
                .iter()
                .enumerate()
                .map(|(pid, prow)| {
                    if !with_variables.get(pid).copied().unwrap_or(false) {
                        return false;
                    }
                    let mut patterns = Vec::new();
                    for st in &prow.document.statements {
                        take(&mut patterns, st);
                    }
                    patterns.iter().any(names_objects)
                })
                .collect();
            let holders: SymSet<Sym> = t
                .identity_policies
                .iter()
                .filter(|&&(_, pid)| names.get(pid as usize).copied().unwrap_or(false))
                .map(|&(h, _)| h)
                .collect();
            let mut out = holders.clone();
            out.extend(
                t.member_of
                    .iter()
                    .filter(|(_, g)| holders.contains(g))
                    .map(|&(u, _)| u),
            );
            out.extend(
                t.session_of
                    .iter()
                    .filter(|(_, r)| holders.contains(r))
                    .map(|&(s, _)| s),
            );
            out
        });
        principals
            .iter()
            .map(|&p| {
                if holding.as_ref().is_some_and(|h| !h.contains(&p)) {
                    return Vec::new();
                }
                let Some(row) = t.principal(p) else {
                    return Vec::new();
                };
                let loaded = row
                    .account
                    .and_then(|a| t.account_id_of(a))
                    .is_some_and(|a| self.loaded.contains(a));
                if !loaded || row.kind == PrincipalKind::Anonymous {
                    return Vec::new();
                }
                let mut patterns: Vec<&str> = Vec::new();
                let own = std::iter::once(p)
                    .chain(ix.role_of.get(&p).copied())
                    .chain(ix.groups.get(&p).into_iter().flatten().copied())
                    .flat_map(|h| ix.identity.get(&h).into_iter().flatten())
                    .filter(|&&pid| with_variables.get(pid as usize).copied().unwrap_or(false))
                    .filter_map(|&pid| t.policies.get(pid as usize));
                for prow in own {
                    for st in &prow.document.statements {
                        take(&mut patterns, st);
                    }
                }
                patterns.retain(names_objects);
                patterns.extend(of_bucket.iter().copied());
                if patterns.is_empty() {
                    return Vec::new();
                }
                self.substituted_objects(p, patterns, bucket, user)
            })
            .collect()
    }

    /// `patterns` (resource patterns with policy variables) substituted with the keys AWS
    /// fills for `p` and `user`, then placed under `bucket`; sorted, without repeats.
    fn substituted_objects(
        &self,
        p: Sym,
        patterns: Vec<&str>,
        bucket: &str,
        user: &Context,
    ) -> Vec<String> {
        let principal = self.request_principal(p);
        // Variables that name the principal only: its own keys, computed once.
        let own_only = patterns.iter().all(|x| {
            facts::variables::variable_keys(x)
                .iter()
                .all(|k| is_principal_key(k))
        });
        let ctx = if own_only {
            merged(user, &self.principal_keys(p, &principal))
        } else {
            let mut req = Request {
                principal,
                action: "s3:GetObject".to_string(),
                resource: bucket.to_string(),
                context: Context::new(),
            };
            self.filler.fill(&mut req);
            merged(user, &req.context)
        };
        let mut out: Vec<String> = patterns
            .into_iter()
            .filter_map(|x| facts::variables::substitute(x, &ctx))
            .filter_map(|x| super::actions::object_pattern_under(bucket, &x))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Per policy id: whether an `Allow` statement of it has a resource pattern with a
    /// policy variable (computed on first need).
    fn variable_policies(&self) -> &[bool] {
        self.variable_policies.get_or_init(|| {
            self.tables
                .policies
                .iter()
                .map(|prow| {
                    prow.document.statements.iter().any(|st| {
                        st.effect == Effect::Allow
                            && matches!(&st.resource, Some(facts::policy::ResourceClause::Resource(ps))
                                if ps.iter().any(|x| facts::variables::has_variables(&x.0)))
                    })
                })
                .collect()
        })
    }

    /// The request principal of `p` as the matcher sees it (classified once, at
    /// [`Analyzer::new`], for the principals of the tables).
    fn caller(&self, p: Sym) -> std::borrow::Cow<'_, RequestPrincipal> {
        match self.callers.get(&p) {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(self.request_principal(p)),
        }
    }

    /// The tables decided over.
    pub fn tables(&self) -> &'p FactTables {
        self.tables
    }

    /// The principal's ARN text (the entity's ARN; `*` for anonymous).
    pub fn arn(&self, p: Sym) -> &'p str {
        self.tables
            .principal(p)
            .map(|r| self.tables.symbols.name(r.arn))
            .unwrap_or_else(|| self.tables.symbols.name(p))
    }

    /// The principal `p` as the matcher sees it in a request.
    pub fn request_principal(&self, p: Sym) -> RequestPrincipal {
        if let Some(c) = self.callers.get(&p) {
            return c.clone();
        }
        let t = self.tables;
        match t.principal(p) {
            None => RequestPrincipal::Anonymous,
            Some(row) if row.kind == PrincipalKind::Anonymous => RequestPrincipal::Anonymous,
            Some(row) => classify(t.symbols.name(row.arn))
                .map(|c| c.principal)
                .unwrap_or(RequestPrincipal::Anonymous),
        }
    }

    /// Every policy (with its layer) that can take part in a decision of `p` on `resource`.
    fn policies(
        &self,
        p: Sym,
        resource: Option<Sym>,
        resource_account: Option<Sym>,
    ) -> Vec<(PolicyId, Layer)> {
        let ix = &self.ix;
        let mut out = Vec::new();
        let mut holders = vec![p];
        if let Some(&r) = ix.role_of.get(&p) {
            holders.push(r);
        }
        if let Some(gs) = ix.groups.get(&p) {
            holders.extend(gs.iter().copied());
        }
        for h in &holders {
            for &pol in ix.identity.get(h).into_iter().flatten() {
                out.push((pol, Layer::Identity));
            }
            for &pol in ix.boundary.get(h).into_iter().flatten() {
                out.push((pol, Layer::Boundary));
            }
        }
        for &pol in ix.session.get(&p).into_iter().flatten() {
            out.push((pol, Layer::Session));
        }
        let account = self.tables.principal(p).and_then(|r| r.account);
        for n in account
            .and_then(|a| ix.scp_nodes.get(&a))
            .into_iter()
            .flatten()
        {
            for &pol in ix.scp.get(n).into_iter().flatten() {
                out.push((pol, Layer::Scp));
            }
        }
        for n in resource_account
            .and_then(|a| ix.rcp_nodes.get(&a))
            .into_iter()
            .flatten()
        {
            for &pol in ix.rcp.get(n).into_iter().flatten() {
                out.push((pol, Layer::Rcp));
            }
        }
        if let Some(x) = resource {
            for &pol in ix.resource.get(&x).into_iter().flatten() {
                out.push((pol, Layer::Resource));
            }
            for &pol in ix.trust.get(&x).into_iter().flatten() {
                out.push((pol, Layer::Resource));
            }
        }
        out
    }

    /// The resource entity, owner id and owner entity of `resource`.
    fn resource_info(&self, resource: &str) -> ResourceInfo {
        let t = self.tables;
        let known = t.resource_for(resource);
        let account_id = known
            .and_then(|x| x.account)
            .and_then(|a| t.account_id_of(a))
            .map(str::to_string)
            .or_else(|| {
                facts::arn::Arn::parse(resource)
                    .map(|a| a.account)
                    .filter(|a| facts::arn::is_account_id(a))
            });
        let account = account_id.as_deref().and_then(|a| t.account_entity(a));
        ResourceInfo {
            entity: known.map(|x| x.id),
            kind: known.map(|x| x.kind),
            account_id,
            account,
        }
    }

    /// Whether the resource policy must allow `cell` (so an identity-side Allow is not
    /// enough): across accounts ("Cross-account policy evaluation logic"), for a KMS key
    /// ("Key policies in AWS KMS"), for AssumeRole on a role (its trust policy), as the
    /// engine decides.
    fn needs_resource(&self, caller_account: Option<Sym>, cell: &Cell, r: &ResourceInfo) -> bool {
        let t = self.tables;
        let cross = match (
            caller_account.and_then(|a| t.account_id_of(a)),
            &r.account_id,
        ) {
            (Some(c), Some(o)) => c != o,
            _ => false,
        };
        let assume =
            cell.action.len() >= 14 && cell.action[..14].eq_ignore_ascii_case("sts:AssumeRole");
        cross
            || r.kind == Some(facts::tables::ResourceKind::KmsKey)
            || (r.kind == Some(facts::tables::ResourceKind::IamRole) && assume)
    }

    /// The cheap first screen, without building a request context: whether some `Allow`
    /// statement of the identity side (unless the resource policy is required) or of the
    /// resource policy could apply, ignoring conditions (a resource pattern with a policy
    /// variable counts as matching). Exact as a filter: the engine allows nothing else.
    fn may_allow(&self, cell: &Cell, principal: &RequestPrincipal, r: &ResourceInfo) -> bool {
        let t = self.tables;
        let Some(row) = t.principal(cell.principal) else {
            return false;
        };
        let needs_resource = self.needs_resource(row.account, cell, r);
        if row.kind == PrincipalKind::Root && !needs_resource {
            return true;
        }
        if no_permission(&cell.action, &cell.resource) {
            // AWS allows it without any policy (the engine decides who).
            return true;
        }
        let ix = &self.ix;
        let applies = |pid: PolicyId, check_principal: bool| {
            let Some(prow) = t.policies.get(pid as usize) else {
                return false;
            };
            let vars = prow.document.version.supports_variables();
            prow.document.statements.iter().any(|st| {
                st.effect == Effect::Allow
                    && facts::eval::action_matches(&st.action, &cell.action)
                    && st
                        .resource
                        .as_ref()
                        .is_none_or(|rc| resource_may_match(rc, &cell.resource, vars))
                    && (!check_principal
                        || st
                            .principal
                            .as_ref()
                            .is_none_or(|pc| facts::eval::principal_clause_matches(pc, principal)))
            })
        };
        if let Some(x) = r.entity {
            let res = ix.resource.get(&x).into_iter().flatten();
            let trust = ix.trust.get(&x).into_iter().flatten();
            if res.chain(trust).any(|&pid| applies(pid, true)) {
                return true;
            }
        }
        if needs_resource {
            return false;
        }
        // A pattern with a variable counts as matching here; the full screen substitutes it.
        self.allow_statements(cell.principal).any(|st| {
            facts::eval::action_matches(&st.action, &cell.action)
                && st
                    .resource
                    .as_ref()
                    .is_none_or(|rc| resource_may_match(rc, &cell.resource, true))
        })
    }

    /// Screen one cell: `None` when no Allow statement could apply.
    fn screen(
        &self,
        cell: &Cell,
        r: &ResourceInfo,
        user: &Context,
        strict: bool,
        atoms: &mut Atoms,
    ) -> Option<Screened> {
        let t = self.tables;
        let row = t.principal(cell.principal)?;
        let principal = self.request_principal(cell.principal);
        if !self.may_allow(cell, &principal, r) {
            return None;
        }
        let known = r.entity.and_then(|x| t.resource(x));
        let resource_account_id = r.account_id.clone();
        let resource_account = r.account;
        let mut base = Request {
            principal,
            action: cell.action.clone(),
            resource: cell.resource.clone(),
            context: Context::new(),
        };
        if let Some(a) = &resource_account_id {
            base.context
                .insert("aws:ResourceAccount", ContextValue::Single(a.clone()));
        }
        self.filler.fill(&mut base);
        let mut filled = std::mem::take(&mut base.context);
        // A principal of an account the data does not hold stands for anyone in it: its
        // identity keys are not filled but left to the request (unknown).
        let account_id = row.account.and_then(|a| t.account_id_of(a));
        if !strict && account_id.is_some_and(|a| !self.loaded.contains(a)) {
            let mut kept = Context::new();
            for (k, v) in filled.iter() {
                if !super::atoms::external_free(k) {
                    kept.insert(k, v.clone());
                }
            }
            kept.insert(
                super::atoms::EXTERNAL_MARK,
                ContextValue::Single("true".to_string()),
            );
            filled = kept;
        }
        // In a session whose tags the caller chose, the data's tags of the caller are
        // overridden by the caller's choice: unknown (`atoms::FREE_TAGS_MARK`).
        if !strict && user.get(super::atoms::FREE_TAGS_MARK).is_some() {
            let mut kept = Context::new();
            for (k, v) in filled.iter() {
                if !k.to_ascii_lowercase().starts_with("aws:principaltag/") {
                    kept.insert(k, v.clone());
                }
            }
            filled = kept;
        }
        let full = merged(user, &filled);
        let needs_resource = self.needs_resource(row.account, cell, r);
        let mut could_allow = (row.kind == PrincipalKind::Root && !needs_resource)
            || no_permission(&cell.action, &cell.resource);
        let mut ids = Vec::new();
        let mut signature: Vec<(PolicyId, usize)> = Vec::new();
        let probe = Request {
            principal: base.principal.clone(),
            action: cell.action.clone(),
            resource: cell.resource.clone(),
            context: full.clone(),
        };
        let mut policies = self.policies(cell.principal, known.map(|x| x.id), resource_account);
        // VPC endpoints (Amazon VPC, "Control access to VPC endpoints using endpoint
        // policies"): a request whose aws:SourceVpce names a loaded endpoint is also decided
        // by its policy. Unless the request's endpoint is fixed, whether it goes through each
        // endpoint is an atom of its own, and the endpoint policies' statements count.
        let fixed_vpce = user.get("aws:sourcevpce").is_some() || strict;
        for &(e, pol) in &t.vpc_endpoint_policies {
            let id = t.symbols.name(e);
            let through = match user.get("aws:sourcevpce") {
                Some(v) => v.values().contains(&id),
                None => !strict,
            };
            if through {
                policies.push((pol, Layer::VpcEndpoint));
            }
            if !fixed_vpce {
                ids.push(atoms.intern(
                    &facts::policy::Condition {
                        operator: facts::condition::ConditionOperator {
                            qualifier: None,
                            base: facts::condition::BaseOperator::StringEquals,
                            if_exists: false,
                        },
                        key: "aws:SourceVpce".to_string(),
                        values: vec![id.to_string()],
                    },
                    false,
                ));
            }
        }
        for (pid, layer) in policies {
            let Some(prow) = t.policies.get(pid as usize) else {
                continue;
            };
            let policy = &prow.document;
            let vars = policy.version.supports_variables();
            for (si, st) in policy.statements.iter().enumerate() {
                if !facts::eval::action_matches(&st.action, &probe.action) {
                    continue;
                }
                signature.push((pid, si));
                if !st.resource.as_ref().is_none_or(|r| {
                    facts::eval::resource_clause_matches(r, &probe.resource, &probe.context, vars)
                }) {
                    continue;
                }
                // A Deny with NotPrincipal may apply whatever it lists (boundary rule in
                // the engine): keep its atoms.
                let principal_ok = match &st.principal {
                    None => true,
                    Some(PrincipalClause::NotPrincipal(_)) if st.effect == Effect::Deny => true,
                    Some(p) => facts::eval::principal_clause_matches(p, &probe.principal),
                };
                if !principal_ok {
                    continue;
                }
                let mut mine = Vec::new();
                let mut known_hold = true;
                for c in &st.conditions {
                    if !strict && is_atom(c, vars, user, &filled) {
                        mine.push(atoms.intern(c, vars));
                    } else if !facts::condition::eval::condition_holds(c, &probe.context, vars) {
                        known_hold = false;
                        break;
                    }
                }
                if !known_hold {
                    continue;
                }
                let grants = match layer {
                    Layer::Resource => true,
                    Layer::Identity => !needs_resource,
                    _ => false,
                };
                if st.effect == Effect::Allow && grants {
                    could_allow = true;
                }
                ids.extend(mine);
            }
        }
        if !could_allow {
            return None;
        }
        ids.sort_unstable();
        ids.dedup();
        base.context = user.clone();
        Some(Screened {
            request: base,
            filled: Arc::new(filled),
            resource: known.map(|x| x.id),
            resource_account,
            resource_account_id,
            atoms: ids,
            signature,
        })
    }

    /// Per cell: whether some statement that could apply to it has a condition on a key
    /// only a live request carries (an atom: neither in `user` nor filled from the data),
    /// so that one decision with such keys absent may not be its whole answer. The same
    /// screen as [`Analyzer::decide`]; a cell no `Allow` could apply to is `false`.
    pub fn reads_live_keys(&self, cells: &[Cell], user: &Context) -> Vec<bool> {
        let mut guard = self.atoms.lock().unwrap_or_else(|e| e.into_inner());
        let (atoms, _) = &mut *guard;
        let mut infos: HashMap<&str, ResourceInfo> = HashMap::new();
        cells
            .iter()
            .map(|cell| {
                let info = infos
                    .entry(cell.resource.as_str())
                    .or_insert_with(|| self.resource_info(&cell.resource));
                self.screen(cell, info, user, false, atoms)
                    .is_some_and(|s| !s.atoms.is_empty())
            })
            .collect()
    }

    /// Decide `cells` exactly, as `how` says (the query's `--context`, `--strict`, where
    /// the counts go); answers in cell order (`None`: never allowed).
    ///
    /// Cells of one action and resource whose principals are alike ([`super::classes`]) are
    /// decided once, by their first cell; the others take its answer, their principal's
    /// name put in its witnesses and their own policies and group in its reason.
    pub fn decide(&self, cells: &[Cell], how: &mut Decide<'_>) -> Vec<Option<CellAnswer>> {
        let shared = self.decide_shared(cells, how);
        shared
            .lead
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let a = shared.answer(i)?;
                Some(if l == i {
                    a.clone()
                } else {
                    self.follow(cells[l].principal, cells[i].principal, a)
                })
            })
            .collect()
    }

    /// [`Analyzer::decide`] without giving each cell its own copy: the answers of the
    /// cells that lead their class, and per cell the index of its leader. A follower reads
    /// its leader's answer with its own name ([`super::model::SharedAction::for_principal`]
    /// does this for a rendered answer).
    pub fn decide_shared(&self, cells: &[Cell], how: &mut Decide<'_>) -> SharedAnswers {
        self.decide_grid(
            &Grid {
                asks: &[],
                principals: &[],
                extra: cells,
            },
            how,
        )
    }

    /// [`Analyzer::decide_shared`] of the cells of `grid` ([`Grid`]: every principal of a
    /// list asked every (action, resource) of a list, then single cells), without making a
    /// [`Cell`] of each: only the cells that lead a class are made and decided. The answers
    /// are those of `decide_shared` over [`Grid::cell`] of every index, in index order.
    pub fn decide_grid(&self, grid: &Grid<'_>, how: &mut Decide<'_>) -> SharedAnswers {
        let total = grid.len();
        let lead = self.leaders(grid, how.user, how.strict);
        let at: Vec<usize> = (0..total).filter(|&i| lead[i] == i).collect();
        let leading: Vec<Cell> = at.iter().map(|&i| grid.cell(i)).collect();
        let n = leading.len();
        let progress = how.progress;
        let scaled = |d: usize| progress(d * total / n.max(1));
        let decided = self.decide_each(
            &leading,
            &mut Decide {
                user: how.user,
                strict: how.strict,
                stats: how.stats,
                progress: &scaled,
            },
        );
        how.stats.cells += total - n;
        how.stats.shared += total - n;
        let mut slot = vec![u32::MAX; total];
        for (k, &i) in at.iter().enumerate() {
            slot[i] = k as u32;
        }
        for i in 0..total {
            slot[i] = slot[lead[i]];
        }
        SharedAnswers {
            lead,
            slot,
            answers: decided,
        }
    }

    /// Per cell of `grid`: the index of the cell whose decision it shares (itself for a cell
    /// decided on its own). Cells share when action and resource are the same and their
    /// principals are in one class ([`super::classes`]) that the statements that may apply
    /// do not tell apart.
    ///
    /// The profile classes of the grid's principals are found once for all its asks. The
    /// work of each class (its [`QuestionKey`], then the split of the merged classes by
    /// what their statements read of each member) is spread over the machine's cores in
    /// contiguous chunks joined back in order; the grouping is the same whatever the
    /// threads (each thread keeps its own caches, which only save work).
    fn leaders(&self, grid: &Grid<'_>, user: &Context, strict: bool) -> Vec<usize> {
        let total = grid.len();
        let mut lead: Vec<usize> = (0..total).collect();
        let mut by_ask: HashMap<(&str, &str), HashMap<ClassId, Vec<usize>>> = HashMap::new();
        if !grid.asks.is_empty() {
            // The principals' profile classes, in order of first member: the same for every
            // ask of the grid.
            let mut order: Vec<(ClassId, Vec<usize>)> = Vec::new();
            let mut at: SymMap<ClassId, usize> = SymMap::default();
            for (j, &p) in grid.principals.iter().enumerate() {
                let c = self.profiles.class(p);
                let k = *at.entry(c).or_insert_with(|| {
                    order.push((c, Vec::new()));
                    order.len() - 1
                });
                order[k].1.push(j);
            }
            let n = grid.principals.len();
            for (a, (action, resource)) in grid.asks.iter().enumerate() {
                let classes = by_ask
                    .entry((action.as_str(), resource.as_str()))
                    .or_default();
                for (c, members) in &order {
                    classes
                        .entry(*c)
                        .or_default()
                        .extend(members.iter().map(|&j| a * n + j));
                }
            }
        }
        let base = grid.asks.len() * grid.principals.len();
        for (k, c) in grid.extra.iter().enumerate() {
            by_ask
                .entry((c.action.as_str(), c.resource.as_str()))
                .or_default()
                .entry(self.profiles.class(c.principal))
                .or_default()
                .push(base + k);
        }
        // Asks in order of their first cell, each with its classes in order of first cell.
        let mut asks: Vec<AskCells<'_>> = by_ask
            .into_iter()
            .map(|(ask, classes)| {
                let mut classes: Vec<(ClassId, Vec<usize>)> = classes.into_iter().collect();
                classes.sort_unstable_by_key(|(_, idx)| idx[0]);
                (ask, classes)
            })
            .collect();
        asks.sort_unstable_by_key(|(_, classes)| classes.first().map(|c| c.1[0]));
        let infos: Vec<ResourceInfo> = asks
            .iter()
            .map(|((_, resource), _)| self.resource_info(resource))
            .collect();
        // The question key of each profile class of each ask (`None`: decided on its own).
        let items: Vec<(usize, ClassId, Sym)> = asks
            .iter()
            .enumerate()
            .flat_map(|(a, (_, classes))| {
                classes
                    .iter()
                    .map(move |(c, idx)| (a, *c, grid.principal(idx[0])))
            })
            .collect();
        type Contents = HashMap<(usize, PolicyId), Arc<[u32]>>;
        let mut question_keys: Vec<Option<QuestionKey>> = spread(
            &items,
            |_| 1,
            Contents::new,
            |contents, &(a, class, rep)| match class {
                ClassId::Single(_) => None,
                ClassId::Profile(_) => {
                    let ((action, resource), _) = asks[a];
                    self.question_key(rep, action, resource, &infos[a], contents, a)
                }
            },
        );
        // Profile classes whose question keys are equal form one class across accounts
        // ([`Analyzer::question_key`]).
        let mut keys: HashMap<QuestionKey, u32> = HashMap::new();
        let mut merged_items: Vec<(usize, AskClass, Vec<usize>)> = Vec::new();
        let mut k = 0;
        for (a, (_, classes)) in asks.iter_mut().enumerate() {
            let mut merged: HashMap<AskClass, Vec<usize>> = HashMap::new();
            let mut first: Vec<AskClass> = Vec::new();
            for (class, idx) in classes.drain(..) {
                let ask_class = match (class, question_keys[k].take()) {
                    (ClassId::Single(p), _) => AskClass::Single(p),
                    (ClassId::Profile(_), Some(key)) => {
                        let next = keys.len() as u32;
                        AskClass::Key(*keys.entry(key).or_insert(next))
                    }
                    (ClassId::Profile(_), None) => AskClass::Single(grid.principal(idx[0])),
                };
                k += 1;
                let v = merged.entry(ask_class).or_insert_with(|| {
                    first.push(ask_class);
                    Vec::new()
                });
                v.extend(idx);
            }
            for class in first {
                let Some(mut idx) = merged.remove(&class) else {
                    continue;
                };
                if idx.len() < 2 {
                    continue;
                }
                idx.sort_unstable();
                merged_items.push((a, class, idx));
            }
        }
        // Each merged class split by what the statements that may apply read of its
        // members: the tests of each class, in order; classes whose tests read only the
        // ARN take the groups of an earlier class with the same tests and members.
        let fixed_arn = user.get("aws:principalarn").is_some();
        let mut plans: Vec<Refinement<'_>> = Vec::with_capacity(merged_items.len());
        let mut by_arn: HashMap<(AskClass, Vec<usize>), (Vec<Sym>, usize)> = HashMap::new();
        let mut work: Vec<(usize, usize)> = Vec::new();
        for (k, (a, class, idx)) in merged_items.iter().enumerate() {
            let ((action, resource), _) = asks[*a];
            let members: Vec<Sym> = idx.iter().map(|&i| grid.principal(i)).collect();
            let (tests, arn_only, account_tests) =
                self.refine_tests(action, &infos[*a], resource, members[0]);
            // Members of one account say the same of account-reading conditions.
            let first_account = self.tables.principal(members[0]).and_then(|r| r.account);
            let one_account = members
                .iter()
                .all(|&m| self.tables.principal(m).and_then(|r| r.account) == first_account);
            let how = if tests.is_empty() {
                How::All
            } else if arn_only {
                // Tests that read only the principal's ARN say the same of a member whatever
                // the action and resource.
                let key = (
                    *class,
                    tests
                        .iter()
                        .map(|t| t.statement as *const facts::policy::Statement as usize)
                        .collect(),
                );
                match by_arn.get(&key) {
                    Some((m, j)) if *m == members => How::Copy(*j),
                    _ => {
                        by_arn.insert(key, (members.clone(), k));
                        How::Compute
                    }
                }
            } else {
                How::Compute
            };
            if matches!(how, How::Compute) {
                work.extend((0..members.len()).map(|j| (k, j)));
            }
            let own_keys = tests.iter().all(|t| reads_principal_keys_only(t));
            plans.push(Refinement {
                ask: *a,
                tests,
                arn_only,
                own_keys,
                account_tests,
                members,
                one_account,
                how,
            });
        }
        // What the tests say of every member to compute, spread over the cores.
        let outcomes: Vec<Option<Vec<bool>>> = spread(
            &work,
            |_| 1,
            || user.clone(),
            |arn_ctx, &(k, j)| {
                let plan = &plans[k];
                let ((action, resource), _) = asks[plan.ask];
                self.member_outcome(
                    plan,
                    plan.members[j],
                    action,
                    resource,
                    &infos[plan.ask],
                    user,
                    strict,
                    fixed_arn,
                    arn_ctx,
                )
            },
        );
        let mut outcomes = outcomes.into_iter();
        let mut account_keys: HashMap<Sym, Context> = HashMap::new();
        let mut groups: Vec<Vec<Vec<usize>>> = Vec::with_capacity(plans.len());
        for plan in &plans {
            let g = match plan.how {
                How::All => vec![(0..plan.members.len()).collect()],
                How::Copy(j) => groups[j].clone(),
                How::Compute => group_outcomes(outcomes.by_ref().take(plan.members.len())),
            };
            groups.push(g);
        }
        // Split further by what account-reading conditions say of each member's account.
        let groups: Vec<Vec<Vec<usize>>> = plans
            .iter()
            .zip(groups)
            .map(|(plan, g)| {
                if plan.account_tests.is_empty() || plan.one_account {
                    g
                } else {
                    self.account_split(
                        g,
                        &plan.members,
                        &plan.account_tests,
                        user,
                        strict,
                        &mut account_keys,
                    )
                }
            })
            .collect();
        for ((_, _, idx), groups) in merged_items.iter().zip(groups) {
            for group in groups {
                let first = idx[group[0]];
                for &j in &group {
                    lead[idx[j]] = first;
                }
            }
        }
        lead
    }

    /// The [`QuestionKey`] of `rep`, a user, role or root user of a loaded account, for
    /// `action` on `resource` (`info`: its owner); `contents` caches, per policy, the contents of
    /// its statements that may apply. `None` when `rep` has no engine profile.
    ///
    /// The decision reads a caller through its kind, the statements that apply to the
    /// request and the layer each sits in (IAM User Guide, "Policy evaluation logic"), the
    /// SCP levels of its account (AWS Organizations User Guide, "Service control policies":
    /// none for the management account and service-linked roles), whether it is in the
    /// resource's account ("Cross-account policy evaluation logic"; S3 Block Public Access
    /// also reads it), whether it has a permissions boundary (a boundary with no statement
    /// that applies denies), and the principal-specific and account-reading parts of those
    /// statements, tested per member. A statement whose `Action` does not match the action,
    /// or whose `Resource` cannot match the resource whatever its policy variables hold
    /// (each `${...}` read as `*`), never applies: the key holds only the others, by
    /// content. Customer managed policies name their own account's resources
    /// (`arn:aws:s3:::team-<account>-*`), so two accounts' copies of a policy differ as
    /// documents but not in what applies to one bucket. The reason names each member's own
    /// policies and groups: the key holds their names relative to the principal (`{self}`)
    /// and its account, so that a member's names are the leader's with its own account and
    /// ARN ([`super::model::rebase_reason`]).
    fn question_key(
        &self,
        rep: Sym,
        action: &str,
        resource: &str,
        info: &ResourceInfo,
        contents: &mut HashMap<(usize, PolicyId), Arc<[u32]>>,
        ask: usize,
    ) -> Option<QuestionKey> {
        let t = self.tables;
        let row = t.principal(rep)?;
        let profile = self.decisions.get(self.decisions.class_of(rep)?)?;
        let account_id = row.account.and_then(|a| t.account_id_of(a));
        let same_account = match (account_id, &info.account_id) {
            (Some(c), Some(o)) => Some(c == o),
            _ => None,
        };
        let arn = self.arn(rep);
        let prefix = super::model::account_prefix(arn);
        let relative = |name: &str| -> String {
            let own = name
                .strip_prefix(arn)
                .filter(|rest| rest.is_empty() || rest.starts_with('#'));
            if let Some(rest) = own {
                return format!("{{self}}{rest}");
            }
            match prefix.and_then(|p| name.strip_prefix(p)) {
                Some(rest) => format!("{{account}}:{rest}"),
                None => name.to_string(),
            }
        };
        let ix = &self.ix;
        let mut held: Vec<(Layer, PolicyId, Sym)> = Vec::new();
        let holders =
            std::iter::once(rep).chain(ix.groups.get(&rep).into_iter().flatten().copied());
        for h in holders {
            for &pid in ix.identity.get(&h).into_iter().flatten() {
                held.push((Layer::Identity, pid, h));
            }
            for &pid in ix.boundary.get(&h).into_iter().flatten() {
                held.push((Layer::Boundary, pid, h));
            }
        }
        held.sort_unstable();
        let mut policies = Vec::new();
        for (layer, pid, h) in held {
            let applies = match contents.get(&(ask, pid)) {
                Some(c) => Arc::clone(c),
                None => {
                    let c = self.applying_contents(pid, action, resource);
                    contents.insert((ask, pid), Arc::clone(&c));
                    c
                }
            };
            if applies.is_empty() {
                continue;
            }
            let name = t.policies.get(pid as usize).map(|p| &*p.name).unwrap_or("");
            policies.push((layer, relative(t.symbols.name(h)), relative(name), applies));
        }
        Some(QuestionKey {
            kind: row.kind,
            service_linked: profile.service_linked,
            same_account,
            boundary: ix.boundary.get(&rep).is_some_and(|b| !b.is_empty()),
            scp: profile.scp_levels.iter().map(|(_, p)| p.clone()).collect(),
            policies,
        })
    }

    /// The content numbers of the statements of policy `pid` that may apply to `action` on
    /// `resource` ([`Analyzer::question_key`]).
    fn applying_contents(&self, pid: PolicyId, action: &str, resource: &str) -> Arc<[u32]> {
        let Some(prow) = self.tables.policies.get(pid as usize) else {
            return Arc::from(Vec::new());
        };
        let vars = prow.document.version.supports_variables();
        let mut out = Vec::new();
        for (si, st) in prow.document.statements.iter().enumerate() {
            if facts::eval::action_matches(&st.action, action)
                && st
                    .resource
                    .as_ref()
                    .is_none_or(|rc| may_match_any_value(rc, resource, vars))
            {
                out.push(self.content_id(pid, si, st, vars));
            }
        }
        Arc::from(out)
    }

    /// The number of statement `si` (`st`) of policy `pid` by its content.
    fn content_id(
        &self,
        pid: PolicyId,
        si: usize,
        st: &facts::policy::Statement,
        vars: bool,
    ) -> u32 {
        let mut c = self.contents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = c.by_statement.get(&(pid, si)) {
            return id;
        }
        let text = format!("{vars}{st:?}");
        let next = c.by_text.len() as u32;
        let id = *c.by_text.entry(text).or_insert(next);
        c.by_statement.insert((pid, si), id);
        id
    }

    /// Split `groups` (indices into `members`) further by what the account-reading
    /// conditions `tests` (on `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
    /// `aws:PrincipalOrgPaths`: the same for every principal of an account, IAM User Guide,
    /// "AWS global condition context keys") say of each member's account; `account_keys`
    /// caches those keys per account. A member for which such a condition reads a live key
    /// is decided on its own.
    fn account_split(
        &self,
        groups: Vec<Vec<usize>>,
        members: &[Sym],
        tests: &[(&facts::policy::Condition, bool)],
        user: &Context,
        strict: bool,
        account_keys: &mut HashMap<Sym, Context>,
    ) -> Vec<Vec<usize>> {
        let t = self.tables;
        let mut bits: HashMap<Option<Sym>, Option<Vec<bool>>> = HashMap::new();
        let mut out: Vec<Vec<usize>> = Vec::new();
        for group in groups {
            let mut sub: HashMap<Vec<bool>, usize> = HashMap::new();
            for j in group {
                let m = members[j];
                let account = t.principal(m).and_then(|r| r.account);
                let b = bits.entry(account).or_insert_with(|| {
                    let a = account?;
                    let ctx = account_keys.entry(a).or_insert_with(|| {
                        let own = self.principal_keys(m, &self.request_principal(m));
                        let mut c = Context::new();
                        for (k, v) in own.iter() {
                            if is_account_key(k) {
                                c.insert(k, v.clone());
                            }
                        }
                        merged(user, &c)
                    });
                    tests
                        .iter()
                        .map(|&(c, vars)| {
                            (strict || !is_atom(c, vars, user, ctx))
                                .then(|| facts::condition::eval::condition_holds(c, ctx, vars))
                        })
                        .collect()
                });
                match b {
                    Some(b) => match sub.get(b.as_slice()) {
                        Some(&g) => out[g].push(j),
                        None => {
                            sub.insert(b.clone(), out.len());
                            out.push(vec![j]);
                        }
                    },
                    None => out.push(vec![j]),
                }
            }
        }
        out
    }

    /// The principal-specific parts ([`super::classes::test_of`]) of the statements that
    /// may apply to `action` on the resource of `info` for principals of `rep`'s class, and
    /// whether they read nothing of a principal but its ARN (the principal element, and
    /// conditions on `aws:PrincipalArn` without policy variables: an SCP's exception for an
    /// admin role). For a user, role or root user of a loaded account, `aws:PrincipalArn` is
    /// the entity's ARN (facts::account::context), unless the user fixes it.
    fn refine_tests(
        &self,
        action: &str,
        info: &ResourceInfo,
        resource: &str,
        rep: Sym,
    ) -> (
        Vec<super::classes::Test<'p>>,
        bool,
        Vec<(&'p facts::policy::Condition, bool)>,
    ) {
        let t = self.tables;
        let mut policies = self.policies(rep, info.entity, info.account);
        policies.extend(
            t.vpc_endpoint_policies
                .iter()
                .map(|&(_, p)| (p, Layer::VpcEndpoint)),
        );
        let mut tests = Vec::new();
        let mut account = Vec::new();
        for (pid, _) in policies {
            let Some(prow) = t.policies.get(pid as usize) else {
                continue;
            };
            let vars = prow.document.version.supports_variables();
            for st in &prow.document.statements {
                if facts::eval::action_matches(&st.action, action)
                    && st
                        .resource
                        .as_ref()
                        .is_none_or(|rc| may_match_any_value(rc, resource, vars))
                {
                    tests.extend(super::classes::test_of(st, vars));
                    account.extend(
                        st.conditions
                            .iter()
                            .filter(|c| {
                                is_account_key(&c.key)
                                    && !super::classes::specific_condition(c, vars)
                            })
                            .map(|c| (c, vars)),
                    );
                }
            }
        }
        let arn_only = tests.iter().all(|t| {
            !t.resource
                && t.conditions.iter().all(|c| {
                    c.key.eq_ignore_ascii_case("aws:PrincipalArn")
                        && !(t.variables && c.values.iter().any(|v| v.contains("${")))
                })
        });
        (tests, arn_only, account)
    }

    /// What the tests of `plan` (the principal-specific parts of the statements that may
    /// apply to `action` on `resource`, [`Analyzer::refine_tests`]) say of member `m`
    /// ([`super::classes::outcome`]; `None`: decided on its own). With ARN-only tests, the
    /// context `arn_ctx` is reused, only its `aws:PrincipalArn` set per member (unless the
    /// user fixes it: `fixed_arn`).
    #[allow(clippy::too_many_arguments)]
    fn member_outcome(
        &self,
        plan: &Refinement<'_>,
        m: Sym,
        action: &str,
        resource: &str,
        info: &ResourceInfo,
        user: &Context,
        strict: bool,
        fixed_arn: bool,
        arn_ctx: &mut Context,
    ) -> Option<Vec<bool>> {
        use super::classes::ContextOf;
        let caller = &*self.caller(m);
        let arn = self.arn(m);
        let live = |c: &facts::policy::Condition, vars: bool, ctx: &Context| {
            !strict && is_atom(c, vars, user, ctx)
        };
        let mut build;
        let own;
        let merged_own;
        let context = if plan.arn_only {
            if !fixed_arn {
                arn_ctx.insert("aws:PrincipalArn", ContextValue::Single(arn.to_string()));
            }
            ContextOf::Given(arn_ctx)
        } else if plan.own_keys {
            // Tests that read only keys naming the principal take them from its own keys.
            own = self.principal_keys(m, caller);
            ContextOf::Given(if user.is_empty() {
                &own
            } else {
                merged_own = merged(user, &own);
                &merged_own
            })
        } else {
            build = || self.filled_context(caller, action, info, resource, user);
            ContextOf::Build(&mut build)
        };
        super::classes::outcome(&plan.tests, caller, arn, resource, context, &live)
    }

    /// The keys AWS fills for principal `p` that are its own ([`is_principal_key`]:
    /// `aws:PrincipalArn`, `aws:PrincipalTag/*`, `aws:username`...), as the one filler
    /// (`facts::account::context`) fills them; the same for every action and resource, so
    /// computed once per principal.
    fn principal_keys(&self, p: Sym, caller: &RequestPrincipal) -> Arc<Context> {
        let mut cache = self
            .principal_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cache.get(&p) {
            return Arc::clone(c);
        }
        let mut req = Request {
            principal: caller.clone(),
            action: String::new(),
            resource: String::new(),
            context: Context::new(),
        };
        self.filler.fill(&mut req);
        let mut own = Context::new();
        for (k, v) in req.context.iter() {
            if is_principal_key(k) {
                own.insert(k, v.clone());
            }
        }
        let own = Arc::new(own);
        cache.insert(p, Arc::clone(&own));
        own
    }

    /// The context of a request by `caller`: the user's keys over those AWS fills (as
    /// [`Analyzer::screen`] builds it for a principal of a loaded account).
    fn filled_context(
        &self,
        caller: &RequestPrincipal,
        action: &str,
        info: &ResourceInfo,
        resource: &str,
        user: &Context,
    ) -> Context {
        let mut req = Request {
            principal: caller.clone(),
            action: action.to_string(),
            resource: resource.to_string(),
            context: Context::new(),
        };
        if let Some(a) = &info.account_id {
            req.context
                .insert("aws:ResourceAccount", ContextValue::Single(a.clone()));
        }
        self.filler.fill(&mut req);
        merged(user, &req.context)
    }

    /// Per ask (action, resource): the index of the ask whose answers it shares (itself for
    /// one decided on its own). Two asks share when their resource and action class
    /// ([`action_class`]) are the same and the `Action` elements of every statement of every
    /// policy in play for `principals` on those resources match both or neither: then, for
    /// every principal, the same statements may apply to both, and the engine, which reads
    /// the action only through them and its service, decides both alike.
    pub fn action_classes(&self, asks: &[(String, String)], principals: &[Sym]) -> Vec<usize> {
        // Asks share only with an ask on the same resource: with one ask per resource
        // (one action asked), each is its own class.
        let mut resources: Vec<&str> = asks.iter().map(|(_, r)| r.as_str()).collect();
        resources.sort_unstable();
        resources.dedup();
        if resources.len() == asks.len() {
            return (0..asks.len()).collect();
        }
        let t = self.tables;
        let mut reps: HashMap<ClassId, Sym> = HashMap::new();
        for &p in principals {
            reps.entry(self.profiles.class(p)).or_insert(p);
        }
        let mut docs: HashMap<usize, &facts::policy::Policy> = HashMap::new();
        let mut take = |pid: PolicyId| {
            if let Some(prow) = t.policies.get(pid as usize) {
                docs.insert(Arc::as_ptr(&prow.document) as usize, &prow.document);
            }
        };
        for r in &resources {
            let info = self.resource_info(r);
            for &rep in reps.values() {
                for (pid, _) in self.policies(rep, info.entity, info.account) {
                    take(pid);
                }
            }
        }
        for &(_, pid) in &t.vpc_endpoint_policies {
            take(pid);
        }
        let mut docs: Vec<(usize, &facts::policy::Policy)> = docs.into_iter().collect();
        docs.sort_unstable_by_key(|d| d.0);
        let mut seen: HashMap<AskKey<'_>, usize> = HashMap::new();
        asks.iter()
            .enumerate()
            .map(|(i, (action, resource))| {
                let signature: Vec<(usize, usize)> = docs
                    .iter()
                    .enumerate()
                    .flat_map(|(d, (_, doc))| {
                        doc.statements
                            .iter()
                            .enumerate()
                            .filter(|(_, st)| facts::eval::action_matches(&st.action, action))
                            .map(move |(k, _)| (d, k))
                    })
                    .collect();
                let key = (resource.as_str(), action_class(action, resource), signature);
                *seen.entry(key).or_insert(i)
            })
            .collect()
    }

    /// The answer of `leader` given to `member` of its class: the member's name in the
    /// witnesses, its own policies and group in the reason
    /// ([`super::model::rebase_reason`]).
    pub(crate) fn follow(&self, leader: Sym, member: Sym, a: &CellAnswer) -> CellAnswer {
        let mut a = a.clone();
        if let Some(w) = a.witnesses.as_mut() {
            let text = principal_text(&self.request_principal(member));
            w.allowed.principal = text.clone();
            w.denied.principal = text;
        }
        super::model::rebase_reason(&mut a.reason, self.arn(leader), self.arn(member));
        a
    }

    fn decide_each(&self, cells: &[Cell], how: &mut Decide<'_>) -> Vec<Option<CellAnswer>> {
        let (user, strict, progress) = (how.user, how.strict, how.progress);
        let stats = &mut *how.stats;
        let mut guard = self.atoms.lock().unwrap_or_else(|e| e.into_inner());
        let (atoms, exact) = &mut *guard;
        let calls_before = exact.solver_calls;
        stats.cells += cells.len();
        // Per cell: its screen, and the realised assignments (truths, witness) decided.
        struct Plan {
            screened: Screened,
            runs: Vec<(Vec<bool>, Context)>,
            complete: bool,
        }
        enum Slot {
            Dropped,
            Plan(Box<Plan>),
            /// Decided like the cell at this index (same action class).
            Same(usize),
        }
        let mut infos: HashMap<&str, ResourceInfo> = HashMap::new();
        let mut classes: HashMap<ClassKey<'_>, usize> = HashMap::new();
        let mut plans: Vec<Slot> = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            if i % 1024 == 0 {
                progress(i);
            }
            let info = infos
                .entry(cell.resource.as_str())
                .or_insert_with(|| self.resource_info(&cell.resource));
            let Some(s) = self.screen(cell, info, user, strict, atoms) else {
                stats.dropped += 1;
                plans.push(Slot::Dropped);
                continue;
            };
            let key = (
                cell.principal,
                cell.resource.as_str(),
                action_class(&cell.action, &cell.resource),
                s.signature.clone(),
            );
            if let Some(&first) = classes.get(&key) {
                stats.grouped += 1;
                plans.push(Slot::Same(first));
                continue;
            }
            classes.insert(key, i);
            let (runs, complete) = if s.atoms.is_empty() {
                stats.concrete += 1;
                (vec![(Vec::new(), Context::new())], true)
            } else {
                stats.symbolic += 1;
                let known = merged(user, &s.filled);
                let a = exact.assignments(atoms, &s.atoms, &known);
                let runs = a
                    .realised
                    .into_iter()
                    .map(|r| (r.truths, r.witness))
                    .collect();
                (runs, a.complete)
            };
            plans.push(Slot::Plan(Box::new(Plan {
                screened: s,
                runs,
                complete,
            })));
        }
        progress(cells.len());
        let mut batch = Vec::new();
        for (cell, plan) in cells.iter().zip(&plans) {
            let Slot::Plan(plan) = plan else { continue };
            let s = &plan.screened;
            for (_, w) in &plan.runs {
                let mut request = s.request.clone();
                for (k, v) in w.iter() {
                    request.context.insert_default(k, v.clone());
                }
                let vpc_endpoint_policy = self.through_endpoint(&mut request.context);
                batch.push(BatchRequest {
                    principal: cell.principal,
                    resource: s.resource,
                    resource_account: s.resource_account,
                    resource_account_id: s.resource_account_id.clone(),
                    vpc_endpoint_policy,
                    request,
                    shared_context: Some(Arc::clone(&s.filled)),
                });
            }
        }
        stats.engine_requests += batch.len();
        let decisions = self.engine.decide(&batch);
        let mut out: Vec<Option<CellAnswer>> = Vec::with_capacity(cells.len());
        let mut k = 0;
        for (i, plan) in plans.into_iter().enumerate() {
            let plan = match plan {
                Slot::Dropped => {
                    out.push(None);
                    continue;
                }
                Slot::Same(first) => {
                    // The representative's answer, its witnesses renamed to this action.
                    let mut a = out[first].clone();
                    if let Some(w) = a.as_mut().and_then(|a| a.witnesses.as_mut()) {
                        w.allowed.action = cells[i].action.clone();
                        w.denied.action = cells[i].action.clone();
                    }
                    out.push(a);
                    continue;
                }
                Slot::Plan(p) => p,
            };
            let n = plan.runs.len();
            let ds = &decisions[k..k + n];
            let reqs = &batch[k..k + n];
            k += n;
            out.push(self.answer(&plan.screened, &plan.runs, plan.complete, ds, reqs, atoms));
        }
        stats.solver_calls += exact.solver_calls - calls_before;
        out
    }

    fn answer(
        &self,
        s: &Screened,
        runs: &[(Vec<bool>, Context)],
        complete: bool,
        ds: &[Decision],
        reqs: &[BatchRequest],
        atoms: &Atoms,
    ) -> Option<CellAnswer> {
        let allowed: Vec<usize> = (0..ds.len())
            .filter(|&i| ds[i].outcome == Outcome::Allowed)
            .collect();
        let first = *allowed.first()?;
        let mut notes = Vec::new();
        if !complete {
            notes.push(format!(
                "not every combination of the {} conditions on live keys could be decided \
                 (more than {} conditions, or the solver gave up): the answer may miss requests",
                s.atoms.len(),
                super::exact::MAX_ATOMS
            ));
        }
        let reason = self.reason(reqs[first].principal, &ds[first]);
        if allowed.len() == ds.len() {
            return Some(CellAnswer {
                access: Access::Allowed,
                conditions: None,
                witnesses: None,
                reason,
                notes,
            });
        }
        let denied_i = (0..ds.len()).find(|&i| ds[i].outcome != Outcome::Allowed)?;
        let truths_allowed: Vec<Vec<bool>> = allowed.iter().map(|&i| runs[i].0.clone()).collect();
        let truths_denied: Vec<Vec<bool>> = (0..ds.len())
            .filter(|&i| ds[i].outcome != Outcome::Allowed)
            .map(|i| runs[i].0.clone())
            .collect();
        let terms = separating_condition(&truths_allowed, &truths_denied);
        let atom_of = |j: usize| atoms.get(s.atoms[j]);
        let text = condition_sentence(&terms, &|j| atom_of(j).sentence());
        let any_of = terms
            .iter()
            .map(|t| {
                t.iter()
                    .map(|l| {
                        let a = atom_of(l.atom);
                        ConditionLiteral {
                            atom: ConditionAtom {
                                operator: a.condition.operator.to_string(),
                                key: a.condition.key.clone(),
                                values: a.condition.values.clone(),
                                text: a.sentence(),
                            },
                            holds: l.holds,
                        }
                    })
                    .collect()
            })
            .collect();
        let witness = |i: usize| Witness {
            principal: principal_text(&reqs[i].request.principal),
            action: reqs[i].request.action.clone(),
            resource: reqs[i].request.resource.clone(),
            context: reqs[i]
                .request
                .context
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            decision: ds[i].outcome,
        };
        Some(CellAnswer {
            access: Access::Conditional,
            conditions: Some(Conditions { text, any_of }),
            witnesses: Some(Witnesses {
                allowed: witness(first),
                denied: witness(denied_i),
            }),
            reason,
            notes,
        })
    }

    /// The reason of an allowed decision: grants and guardrails, and the group a grant
    /// came through.
    fn reason(&self, p: Sym, d: &Decision) -> Reason {
        let t = self.tables;
        let mut allowed_by = Vec::new();
        let mut guardrails = Vec::new();
        let mut group = None;
        for m in &d.matched {
            let policy = t
                .policies
                .get(m.policy as usize)
                .map(|p| p.name.to_string())
                .unwrap_or_default();
            let (index, sid) = t
                .statement(m.statement)
                .map(|(_, st)| (st.index, st.sid.clone()))
                .unwrap_or((0, None));
            let r = StatementRef {
                policy: policy.clone(),
                layer: m.layer,
                statement: index,
                sid,
            };
            match m.layer {
                Layer::Identity | Layer::Resource => {
                    if m.layer == Layer::Identity && group.is_none() {
                        let groups = self.ix.groups.get(&p).map(Vec::as_slice).unwrap_or(&[]);
                        group = t
                            .identity_policies
                            .iter()
                            .find(|&&(h, pol)| pol == m.policy && groups.contains(&h))
                            .map(|&(h, _)| t.symbols.name(h).to_string());
                    }
                    allowed_by.push(r)
                }
                _ => guardrails.push(r),
            }
        }
        Reason {
            allowed_by,
            guardrails,
            group,
        }
    }
}

/// A request principal as `simulate --principal` takes it.
pub fn principal_text(p: &RequestPrincipal) -> String {
    match p {
        RequestPrincipal::Anonymous => "*".to_string(),
        RequestPrincipal::Aws { arn } => arn.clone(),
        RequestPrincipal::Service { name } => name.clone(),
        RequestPrincipal::Federated { provider } => provider.clone(),
        RequestPrincipal::CanonicalUser { id } => id.clone(),
    }
}

/// Services where AWS decides some actions by rules outside the policies (AWS-owned
/// resources, role assumption, KMS key policies, the organization): their actions are never
/// grouped, each is decided on its own.
const ACTION_SPECIFIC_SERVICES: &[&str] = &["iam", "sts", "kms", "organizations"];

/// The class key of an action: its service, or the action itself for the services above.
/// Two actions of one class whose policies' statements match them alike are decided alike by
/// the engine, whose rules read the action only through statements' `Action` elements and
/// the service (RCP support) — rules/src/decide.rs. A rule that reads the action itself
/// (as `facts::aws_rules` does: AWS-owned resources, actions that need no permission) keeps
/// the action apart ([`facts::aws_rules::rule_for`], and the services listed above).
fn action_class(action: &str, resource: &str) -> String {
    let service = action.split(':').next().unwrap_or("").to_ascii_lowercase();
    if ACTION_SPECIFIC_SERVICES.contains(&service.as_str())
        || facts::aws_rules::rule_for(action, resource).is_some()
    {
        action.to_ascii_lowercase()
    } else {
        service
    }
}

/// Whether AWS allows `action` without any permission (`facts::aws_rules`).
fn no_permission(action: &str, resource: &str) -> bool {
    matches!(
        facts::aws_rules::rule_for(action, resource),
        Some(facts::aws_rules::AwsRule::NoPermissionRequired)
    )
}

/// Whether `key` (any case) is one AWS fills from the principal alone, the same whatever
/// the action and resource (IAM User Guide, "AWS global condition context keys",
/// principal keys): `aws:Principal*`, `aws:username`, `aws:userid`.
fn is_principal_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:principal") || k == "aws:username" || k == "aws:userid"
}

/// Whether `key` (any case) is one AWS fills from the principal's account alone
/// (`aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`: IAM User Guide,
/// "AWS global condition context keys"): the same for every principal of an account.
fn is_account_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "aws:principalaccount" | "aws:principalorgid" | "aws:principalorgpaths"
    )
}

/// `pattern` with every policy variable (`${...}`) read as `*`: it matches every resource
/// that some substitution of the variables makes the pattern match (a substituted value is
/// some string, and `*` matches any).
fn variables_as_wildcards(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push('*');
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a resource element may match `resource` for some values of its policy
/// variables (`vars`: the policy substitutes them): a `Resource` pattern with variables is
/// matched with each `${...}` as `*`; a `NotResource` pattern with variables may fail to
/// match, so it never rules the statement out. `false` only when no request on `resource`
/// can match the element.
pub(crate) fn may_match_any_value(
    rc: &facts::policy::ResourceClause,
    resource: &str,
    vars: bool,
) -> bool {
    use facts::policy::ResourceClause;
    let has_vars = |p: &str| vars && p.contains("${");
    match rc {
        ResourceClause::Resource(ps) => ps.iter().any(|p| {
            if has_vars(&p.0) {
                facts::arn::resource_matches(&variables_as_wildcards(&p.0), resource)
            } else {
                facts::arn::resource_matches(&p.0, resource)
            }
        }),
        ResourceClause::NotResource(ps) => !ps
            .iter()
            .any(|p| !has_vars(&p.0) && facts::arn::resource_matches(&p.0, resource)),
    }
}

/// Whether a principal-specific test reads no key but principal keys: its conditions'
/// keys, and the policy variables of their values and of its resource patterns.
fn reads_principal_keys_only(t: &super::classes::Test<'_>) -> bool {
    let vars_ok = |text: &str| {
        !t.variables
            || facts::variables::variable_keys(text)
                .iter()
                .all(|k| is_principal_key(k))
    };
    let conditions = t
        .conditions
        .iter()
        .all(|c| is_principal_key(&c.key) && c.values.iter().all(|v| vars_ok(v)));
    let resource = !t.resource
        || t.statement.resource.as_ref().is_none_or(|rc| match rc {
            facts::policy::ResourceClause::Resource(ps)
            | facts::policy::ResourceClause::NotResource(ps) => ps.iter().all(|p| vars_ok(&p.0)),
        });
    conditions && resource
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::policy::{ResourceClause, ResourcePattern};

    fn clause(patterns: &[&str], not: bool) -> ResourceClause {
        let ps = patterns
            .iter()
            .map(|p| ResourcePattern(p.to_string()))
            .collect();
        if not {
            ResourceClause::NotResource(ps)
        } else {
            ResourceClause::Resource(ps)
        }
    }

    // IAM User Guide, "IAM policy elements: Variables and tags": a variable is replaced by
    // the request's value, any string; read as `*`, the pattern matches every resource some
    // value makes it match, and rules out only resources no value reaches.
    #[test]
    fn a_resource_with_variables_is_ruled_out_only_when_no_value_reaches_it() {
        let bucket = "arn:aws:s3:::synth-222222222222-data/team/x";
        let own = "arn:aws:s3:::synth-111111111111-*/${aws:PrincipalTag/team}/*";
        let any = "arn:aws:s3:::synth-*/${aws:PrincipalTag/team}/*";
        assert!(!may_match_any_value(&clause(&[own], false), bucket, true));
        assert!(may_match_any_value(&clause(&[any], false), bucket, true));
        assert_eq!(
            variables_as_wildcards("a/${aws:username}/b/${x, 'y'}"),
            "a/*/b/*"
        );
        // Without variable substitution (policy version 2008), `${` is literal text.
        assert!(!may_match_any_value(&clause(&[any], false), bucket, false));
        // NotResource: a pattern with a variable may fail to match, so it rules nothing out;
        // a literal one that matches does.
        assert!(may_match_any_value(&clause(&[any], true), bucket, true));
        assert!(!may_match_any_value(
            &clause(&["arn:aws:s3:::synth-*"], true),
            bucket,
            true
        ));
    }

    #[test]
    fn account_keys_are_the_three_that_name_the_account() {
        for k in [
            "aws:PrincipalAccount",
            "aws:principalorgid",
            "aws:PrincipalOrgPaths",
        ] {
            assert!(is_account_key(k), "{k}");
        }
        for k in [
            "aws:PrincipalArn",
            "aws:ResourceAccount",
            "aws:SourceAccount",
        ] {
            assert!(!is_account_key(k), "{k}");
        }
    }

    #[test]
    fn spread_gives_each_items_result_in_item_order_whatever_the_weights() {
        // Enough weight to be spread over the cores (when there are several), uneven so
        // that the chunks differ in length; each thread counts the items it saw in its
        // own state.
        let items: Vec<usize> = (0..10_000).collect();
        let got = spread(
            &items,
            |&x| 1 + x % 7,
            || 0usize,
            |seen, &x| {
                *seen += 1;
                (x * 3 + 1, *seen)
            },
        );
        let values: Vec<usize> = got.iter().map(|r| r.0).collect();
        assert_eq!(values, items.iter().map(|x| x * 3 + 1).collect::<Vec<_>>());
        // States restart at each chunk: the counts rise by one within a chunk.
        let restarts = got.windows(2).filter(|w| w[1].1 != w[0].1 + 1).count();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(restarts < cores, "{restarts} chunks after the first");
        assert!(got.iter().all(|r| r.1 >= 1));
        // Little weight: one chunk, in order.
        let few = spread(
            &items[..10],
            |_| 1,
            || 0usize,
            |seen, &x| {
                *seen += 1;
                (x, *seen)
            },
        );
        assert_eq!(few, (0..10).map(|x| (x, x + 1)).collect::<Vec<_>>());
    }

    #[test]
    fn a_grid_decides_every_principal_and_ask_as_the_same_cells_given_one_by_one() {
        // A synthetic organization (the `synth` crate) with enough principals for the
        // class work to be spread over the cores: 3 accounts of 1,000 roles and 50 users.
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = synth::Spec {
            accounts: 3,
            roles_per_account: 1000,
            ..synth::Spec::default()
        };
        synth::generate(&spec, dir.path(), &mut || {}).expect("organization written");
        let layout = synth::layout::Layout::new(&spec);
        let bucket = format!("arn:aws:s3:::{}", layout.accounts[1].buckets[0].0);
        let sim = AccountSimulator::load(&[dir.path().to_path_buf()]).expect("loads");
        let prepared = Prepared::new(&sim);
        let analyzer = Analyzer::new(&prepared, &sim);
        let principals: Vec<Sym> = prepared.tables().principals.iter().map(|p| p.id).collect();
        assert!(principals.len() > 3000, "{} principals", principals.len());
        let asks = vec![
            ("s3:GetObject".to_string(), format!("{bucket}/*")),
            ("s3:ListBucket".to_string(), bucket.clone()),
            ("s3:PutObject".to_string(), format!("{bucket}/*")),
        ];
        let extra = vec![Cell {
            principal: principals[7],
            action: "s3:GetObject".to_string(),
            resource: format!("{bucket}/home/x/*"),
        }];
        let grid = Grid {
            asks: &asks,
            principals: &principals,
            extra: &extra,
        };
        let user = Context::new();
        let mut stats = Stats::default();
        let by_grid = analyzer.decide_grid(&grid, &mut Decide::new(&user, false, &mut stats));
        let cells: Vec<Cell> = (0..grid.len()).map(|i| grid.cell(i)).collect();
        let mut stats_cells = Stats::default();
        let by_cells =
            analyzer.decide_shared(&cells, &mut Decide::new(&user, false, &mut stats_cells));
        assert_eq!(by_grid.lead, by_cells.lead);
        let allowed = (0..cells.len())
            .filter(|&i| by_cells.answer(i).is_some())
            .count();
        assert!(allowed > 0 && allowed < cells.len(), "{allowed} allowed");
        for (i, cell) in cells.iter().enumerate() {
            assert_eq!(by_grid.answer(i), by_cells.answer(i), "cell {i}: {cell:?}");
        }
        assert_eq!(stats.cells, stats_cells.cells);
        assert_eq!(stats.engine_requests, stats_cells.engine_requests);
    }
}
