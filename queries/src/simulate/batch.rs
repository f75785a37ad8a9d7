//! Account mode's requests → the engine's batches: each request spec tied to the entities of
//! the tables (resource, owning account, endpoint policy) with the context keys AWS fills
//! from the data, run after run, and the runs decided on every core.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use facts::account::context::{CallerSlot, FillCache};
use facts::hash::FxBuild;
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use facts::tables::{FactTables, Sym};
use rules::{BatchRequest, Engine};

use super::account::{AccountSimulator, RequestSpec};
use super::principal::principal_into;
use super::{result_from, SimulationResult};

/// Where the context keys of a request's caller are kept when the model describes it, found
/// when the request was prepared ([`facts::account::context::RoleNames::caller_slot`] of
/// its ARN): the slot, and for a session where its session name starts in the ARN.
pub(super) type CallerAt = (CallerSlot, Option<u32>);

/// A known resource's entity, the account id owning the resource with that account's
/// entity, and the keys AWS fills for the resource (a shared layer,
/// [`FillCache::resource_layer`]).
type ResourceInfo = (Option<Sym>, Option<(String, Option<Sym>)>, Arc<Context>);

/// Builds the batches of one thread. Its caches hold a few runs' resources (and the fill's
/// callers), so memory stays bounded however many requests there are (a caller or resource
/// of an older run is looked up again).
pub(super) struct Batcher<'s> {
    sim: &'s AccountSimulator,
    tables: &'s FactTables,
    /// Per caller and resource: the keys AWS fills, computed once.
    fill: FillCache<'s>,
    /// Per resource and given owner: the resource entity, its owning account and its keys
    /// (the resource's text hashed once per request).
    resources: HashMap<(&'s str, Option<&'s str>), ResourceInfo, FxBuild>,
    /// Per bucket ARN and given owner: what `resources` holds for any object of the bucket
    /// that neither the tables nor the model describe (all alike: the bucket's entity, the
    /// bucket's owner, the bucket's account's keys). Objects rarely repeat; their buckets do.
    objects: HashMap<(&'s str, Option<&'s str>), ResourceInfo, FxBuild>,
    /// Whether the model describes some S3 object (then `objects` is not used).
    describes_objects: bool,
    /// Per principal entity of the loaded data met as a caller: where its context keys are
    /// kept when the model describes it ([`RoleNames::caller_slot`] of its ARN, the
    /// request's caller), found once (users and roles call again and again).
    ///
    /// [`RoleNames::caller_slot`]: facts::account::context::RoleNames::caller_slot
    known: HashMap<Sym, Option<CallerAt>, FxBuild>,
}

impl<'s> Batcher<'s> {
    pub(super) fn new(sim: &'s AccountSimulator, tables: &'s FactTables) -> Batcher<'s> {
        Batcher {
            sim,
            tables,
            fill: FillCache::new(sim.model(), sim.role_names()),
            resources: HashMap::default(),
            objects: HashMap::default(),
            describes_objects: sim.role_names().describes_s3_objects(sim.model()),
            known: HashMap::default(),
        }
    }

    /// The batch of one run, into `batch`: for each `i` of `which`, `specs[i]` by
    /// principal entity `principals[i]`, whose context keys are at `callers[i]` when the
    /// model describes it. The requests of the batch's previous run are rebuilt in place:
    /// their texts and lists keep their room, so a run allocates almost nothing for its
    /// requests (each used to copy its caller, action and resource into new texts).
    pub(super) fn batch_into(
        &mut self,
        specs: &'s [RequestSpec],
        (principals, callers): (&[Sym], &[Option<CallerAt>]),
        which: &[usize],
        batch: &mut Vec<BatchRequest>,
    ) {
        if self.resources.len() > 4 * Engine::RUN_SIZE {
            self.resources.clear();
        }
        if self.objects.len() > 4 * Engine::RUN_SIZE {
            self.objects.clear();
        }
        // Callers (a role's sessions share its keys) and resources recur across runs.
        if self.fill.len() > 16 * Engine::RUN_SIZE {
            self.fill.clear();
        }
        let mut built = 0;
        for ahead in which.chunks(READ_AHEAD) {
            touch(specs, (principals, callers), ahead);
            for &i in ahead {
                if let (Some(spec), Some(&p)) = (specs.get(i), principals.get(i)) {
                    let at = callers.get(i).copied().flatten();
                    if batch.len() <= built {
                        batch.push(blank());
                    }
                    if let Some(slot) = batch.get_mut(built) {
                        self.request_into(spec, p, at, slot);
                        built += 1;
                    }
                }
            }
        }
        batch.truncate(built);
    }

    /// [`Batcher::batch_into`] a new list.
    #[cfg(test)]
    fn batch(
        &mut self,
        specs: &'s [RequestSpec],
        callers: (&[Sym], &[Option<CallerAt>]),
        which: &[usize],
    ) -> Vec<BatchRequest> {
        let mut batch = Vec::new();
        self.batch_into(specs, callers, which, &mut batch);
        batch
    }

    /// One request of principal entity `p`, whose context keys are at `at` when the model
    /// describes it, built in `slot` (whatever request it held before).
    fn request_into(
        &mut self,
        spec: &'s RequestSpec,
        p: Sym,
        at: Option<CallerAt>,
        slot: &mut BatchRequest,
    ) {
        let tables = self.tables;
        let fill = &mut self.fill;
        // An S3 object described by neither the tables nor the model resolves as any other
        // object of its bucket: looked up by the bucket.
        let bucket = facts::arn::s3_object_bucket(&spec.resource)
            .filter(|_| !self.describes_objects)
            .filter(|_| tables.resource_by_arn(&spec.resource).is_none());
        let cache = match bucket {
            Some(_) => &mut self.objects,
            None => &mut self.resources,
        };
        let key = bucket.unwrap_or(&spec.resource);
        let (known, owner, keys) = cache
            .entry((key, spec.resource_account.as_deref()))
            .or_insert_with(|| {
                // `named`: whether the ARN may name an entity of the model (when not, the
                // model is not searched for it).
                let (known, named) = tables.resource_for_named(&spec.resource);
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
                        facts::arn::split_arn(&spec.resource)
                            .map(|[.., account, _]| account)
                            .filter(|a| facts::arn::is_account_id(a))
                            .map(str::to_string)
                    });
                (
                    known.map(|x| x.id),
                    owner.map(|a| {
                        let entity = tables.account_entity(&a);
                        (a, entity)
                    }),
                    fill.resource_layer_named(&spec.resource, named),
                )
            });
        let (known, resource_keys) = (*known, Arc::clone(keys));
        let owner_entity = owner.as_ref().map(|o| o.1);
        // Into the text the slot holds (no allocation when it has room).
        match owner {
            Some((a, _)) => match &mut slot.resource_account_id {
                Some(text) => text.clone_from(a),
                none => *none = Some(a.clone()),
            },
            None => slot.resource_account_id = None,
        }
        let resource_account_id = slot.resource_account_id.as_deref();
        // Callers rarely repeat (role sessions): split in place, not cached.
        let principal = &mut slot.request.principal;
        let caller_account = match principal_into(&spec.principal, principal) {
            Some(parts) => parts.account,
            None => {
                *principal = RequestPrincipal::Anonymous;
                None
            }
        };
        // docs/evaluation-logic.md, "unknown owner": a resource whose owner is unknown is
        // taken to be in the caller's account, for the identity side (no cross-account
        // rule) and for that account's RCPs alike, as in scenario mode
        // (`aws:ResourceAccount` stays absent).
        let resource_account = match owner_entity {
            Some(entity) => entity,
            None => caller_account.and_then(|a| tables.account_entity(a)),
        };
        let context = &mut slot.request.context;
        context.reset_over(Arc::clone(&spec.context));
        let vpc_endpoint_policy = self.sim.endpoint_into(tables, spec, context);
        // The keys AWS fills for this caller, resource and service (the owner first, as
        // `aws:ResourceAccount`), filled into the request's context as defaults: what the
        // request gives wins. The caller's and the resource's keys are shared layers, built
        // once (`FillCache`), not copies; the order is `FillCache::fill`'s.
        if let Some(a) = resource_account_id {
            context.insert_default_static("aws:resourceaccount", ContextValue::Single(a.into()));
        }
        let at = at.or_else(|| self.known_caller(spec, p, &slot.request.principal));
        let context = &mut slot.request.context;
        match at {
            // Found when the request was prepared: the caller's ARN is not parsed nor looked
            // up again.
            Some((at, session)) => {
                let session = session.and_then(|i| spec.principal.get(i as usize..));
                self.fill.fill_caller_at(at, session, context);
            }
            None => self.fill.fill_caller(&slot.request.principal, context),
        }
        context.add_layer(resource_keys);
        facts::account::service_keys::fill_context(&spec.action, context);
        slot.request.action.clone_from(&spec.action);
        slot.request.resource.clone_from(&spec.resource);
        slot.principal = p;
        slot.resource = known;
        slot.resource_account = resource_account;
        slot.vpc_endpoint_policy = vpc_endpoint_policy;
        slot.shared_context = None;
    }
}

/// A request to be built in place ([`Batcher::request_into`]).
fn blank() -> BatchRequest {
    BatchRequest {
        principal: 0,
        resource: None,
        resource_account: None,
        resource_account_id: None,
        vpc_endpoint_policy: None,
        shared_context: None,
        request: Request {
            principal: RequestPrincipal::Anonymous,
            action: String::new(),
            resource: String::new(),
            context: Context::new(),
        },
    }
}

/// How many requests [`Batcher::batch_into`] reads ahead at a time ([`touch`]): few enough that
/// what a window reads is still in cache when its requests are built. Measured on the
/// scale bench against reading a whole run (1,024) ahead, 24 alternated rounds: windows of
/// 32, median ratios 0.982 and 1.001; windows of 128, 0.968 and 0.998 — alike.
const READ_AHEAD: usize = 32;

/// Read what building the requests at `which` reads first (their caller's entry and
/// slot, the first and last bytes of their texts), one request after another, before
/// building them. The requests of a run are scattered over memory (decided grouped by
/// caller, far from input order), and building one waits for each of these to come from
/// memory in turn. Read here with nothing depending on them, the reads of many requests
/// are in flight at once, and building finds them in cache. Measured on the scale bench
/// (12 alternated rounds): median ratio 0.925, faster in 11 of 12 rounds.
fn touch(
    specs: &[RequestSpec],
    (principals, callers): (&[Sym], &[Option<CallerAt>]),
    which: &[usize],
) {
    let edges = |t: &str| {
        let b = t.as_bytes();
        b.first().copied().unwrap_or(0) ^ b.last().copied().unwrap_or(0)
    };
    let mut sum = 0u32;
    for &i in which {
        if let Some(spec) = specs.get(i) {
            let texts = edges(&spec.principal) ^ edges(&spec.action) ^ edges(&spec.resource);
            sum ^= u32::from(texts);
        }
        sum ^= principals.get(i).copied().unwrap_or(0);
        sum ^= u32::from(callers.get(i).is_some_and(Option::is_some));
    }
    std::hint::black_box(sum);
}

impl Batcher<'_> {
    /// Where the keys of caller `p` of the loaded data are kept, found once per entity. Only
    /// a caller the matcher sees as an ARN (`principal`) may have keys kept for it: that
    /// ARN is the request's text, and `p`'s ([`AccountSimulator::prepared`] found `p` by
    /// it).
    fn known_caller(
        &mut self,
        spec: &RequestSpec,
        p: Sym,
        principal: &RequestPrincipal,
    ) -> Option<CallerAt> {
        let RequestPrincipal::Aws { arn } = principal else {
            return None;
        };
        // The entity's own ARN (an account id given alone is its root's entity, and no
        // root has keys kept for it).
        if arn != &spec.principal || self.sim.tables().principal(p).is_none() {
            return None;
        }
        let (model, roles) = (self.sim.model(), self.sim.role_names());
        *self
            .known
            .entry(p)
            .or_insert_with(|| roles.caller_slot(model, arn))
    }
}

/// Decide `specs` (by principal entities `principals`) in the order `order`, in runs of
/// [`Order::run_size`], on as many threads as the machine has cores (each with its own
/// [`Batcher`]); results in input order. Each request's decision depends on nothing but
/// the request and the tables, so the order changes no result.
pub(super) fn decide_all(
    sim: &AccountSimulator,
    tables: &FactTables,
    engine: &Engine<'_>,
    specs: &[RequestSpec],
    (principals, callers): (&[Sym], &[Option<CallerAt>]),
    order: &Order,
) -> Vec<SimulationResult> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let runs = run_bounds(specs.len(), order.run_size(), threads);
    let threads = threads.min(runs.len()).max(1);
    let places = Places::new(specs.len(), threads);
    let next = AtomicUsize::new(0);
    // Each thread takes the next undecided run until none is left, and files each result
    // by the part of the output its request's input position falls in.
    let work = || {
        let mut batcher = Batcher::new(sim, tables);
        let mut filed = Filed::new();
        // Each run's requests, built where the previous run's were.
        let mut batch = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(run) = runs.get(i) else {
                break;
            };
            let positions: Vec<usize> = order.indices(run.clone()).collect();
            batcher.batch_into(specs, (principals, callers), &positions, &mut batch);
            let mut decided = engine.decide(&batch);
            let results = decided.iter_mut().map(|d| result_from(tables, d));
            places.file_run(&mut filed, &positions, results);
        }
        filed
    };
    // Called through a reference the optimizer cannot see through, so that each thread's
    // work stays one function (`decide_all::{{closure}}`) that profiles can name (the
    // measuring kit's callgrind collects it), whatever the inliner decides.
    let work: &(dyn Fn() -> Filed + Sync) = std::hint::black_box(&work);
    let (filed, mut out) = if threads <= 1 {
        (vec![work()], places.output())
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            // The output's slots are made while the other threads decide.
            let out = places.output();
            let mut filed = Vec::with_capacity(threads);
            for h in handles {
                match h.join() {
                    Ok(f) => filed.push(f),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            (filed, out)
        })
    };
    places.place(filed, &mut out);
    out
}

/// The results one thread decided, filed by part of the output: lists of `(input
/// position, result)` pairs, each list tagged with the one part its positions fall in.
type Filed = Vec<(usize, Vec<(u32, SimulationResult)>)>;

/// How [`decide_all`] puts results back in input order on every core: the output's
/// positions are cut into as many contiguous parts as threads; each deciding thread files
/// a result under its position's part, and each part is then filled by its own thread.
/// Before, one thread moved every result into place after the others had finished (about
/// a twentieth of the scale bench's time, alone on one core).
struct Places {
    /// Requests decided.
    n: usize,
    /// Positions per part (the last part may hold fewer).
    part: usize,
    /// Parts.
    parts: usize,
}

impl Places {
    fn new(n: usize, threads: usize) -> Places {
        let part = n.div_ceil(threads).max(1);
        Places {
            n,
            part,
            parts: n.div_ceil(part).max(1),
        }
    }

    /// File the results of one run: `results` of the requests at input positions
    /// `positions`, in that order. Each part's list is sized once (a growing list copied
    /// itself and faulted fresh pages in, a few per cent of the scale bench).
    fn file_run(
        &self,
        filed: &mut Filed,
        positions: &[usize],
        results: impl Iterator<Item = SimulationResult>,
    ) {
        let mut lists: Vec<Vec<(u32, SimulationResult)>> = {
            let mut counts = vec![0usize; self.parts];
            for &at in positions {
                if let Some(c) = counts.get_mut(at / self.part) {
                    *c += 1;
                }
            }
            counts.into_iter().map(Vec::with_capacity).collect()
        };
        for (&at, result) in positions.iter().zip(results) {
            if let Some(list) = lists.get_mut(at / self.part) {
                list.push((at as u32, result));
            }
        }
        filed.extend(lists.into_iter().enumerate().filter(|(_, l)| !l.is_empty()));
    }

    /// The output, one slot per request, each to be overwritten by [`Places::place`].
    fn output(&self) -> Vec<SimulationResult> {
        let mut out = Vec::with_capacity(self.n);
        out.resize_with(self.n, SimulationResult::slot);
        out
    }

    /// Move every thread's filed results into their slots of `out`, each part on its own
    /// thread (this one fills the first).
    fn place(&self, filed: Vec<Filed>, out: &mut [SimulationResult]) {
        // `by_part[p]`: every thread's results for part `p`.
        let mut by_part: Vec<Vec<Vec<(u32, SimulationResult)>>> =
            (0..self.parts).map(|_| Vec::new()).collect();
        for (p, list) in filed.into_iter().flatten() {
            if let Some(lists) = by_part.get_mut(p) {
                lists.push(list);
            }
        }
        let fill = |base: usize, slots: &mut [SimulationResult], lists: Vec<Vec<_>>| {
            let mut placed = 0;
            for (at, result) in lists.into_iter().flatten() {
                if let Some(slot) = (at as usize)
                    .checked_sub(base)
                    .and_then(|k| slots.get_mut(k))
                {
                    *slot = result;
                    placed += 1;
                }
            }
            debug_assert_eq!(placed, slots.len(), "every request decided once");
        };
        let mut parts = out.chunks_mut(self.part).zip(by_part).enumerate();
        let first = parts.next();
        std::thread::scope(|s| {
            for (p, (slots, lists)) in parts {
                s.spawn(move || fill(p * self.part, slots, lists));
            }
            if let Some((_, (slots, lists))) = first {
                fill(0, slots, lists);
            }
        });
    }
}

/// The order in which [`decide_all`] decides requests.
///
/// Grouped by caller when the requests name many callers: a caller's profile, policies and
/// statements are then read from memory once per group and found in cache by the group's
/// other requests, instead of once per request (an organization's data is far larger than
/// the cache, and a requests file rarely comes sorted by caller). With few callers their
/// data stays in cache whatever the order, and reading the requests out of input order
/// only costs (each request's texts are then far from the previous one's): input order.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Order {
    /// Input order.
    Input,
    /// The `k`-th request decided is request `order[k]` (each index once).
    Grouped(Vec<u32>),
}

/// How many distinct callers (groups) make [`Order::Grouped`] worth it. Measured on the
/// release build, binaries alternated: the 100 × 500 organization's requests name 35,918
/// callers, and grouping them took the scale bench's median from 412 ms to 344 ms; the
/// shared 44-user example's 100,000 requests name 115, and grouping them made the command
/// 0.03–0.05 s slower.
const GROUPED_FROM: usize = 1_024;

impl Order {
    /// The order for requests whose callers belong to `groups[i]` (the entity whose
    /// policies decide the caller): grouped, in input order within a group, when there
    /// are at least [`GROUPED_FROM`] groups.
    pub(super) fn of(groups: &[Sym]) -> Order {
        let mut seen: std::collections::HashSet<Sym, FxBuild> = Default::default();
        for &g in groups {
            if seen.len() >= GROUPED_FROM {
                break;
            }
            seen.insert(g);
        }
        if seen.len() < GROUPED_FROM {
            return Order::Input;
        }
        // The group above, the index below: one integer to sort, compared in one
        // instruction. Each key is unique (its index), so an unstable sort keeps input
        // order in a group.
        let mut keyed: Vec<u64> = groups
            .iter()
            .enumerate()
            .map(|(i, &g)| (u64::from(g) << 32) | i as u64)
            .collect();
        keyed.sort_unstable();
        Order::Grouped(keyed.into_iter().map(|k| k as u32).collect())
    }

    /// The most requests decided in one run.
    pub(super) fn run_size(&self) -> usize {
        match self {
            Order::Input => Engine::RUN_SIZE,
            Order::Grouped(_) => GROUPED_RUN_SIZE,
        }
    }

    /// The input indices of the requests decided at positions `at`.
    pub(super) fn indices(
        &self,
        at: std::ops::Range<usize>,
    ) -> Box<dyn ExactSizeIterator<Item = usize> + '_> {
        match self {
            Order::Input => Box::new(at),
            Order::Grouped(order) => Box::new(
                order
                    .get(at)
                    .unwrap_or_default()
                    .iter()
                    .map(|&i| i as usize),
            ),
        }
    }
}

/// The most requests [`decide_all`] gives the engine at once when they come grouped by
/// caller ([`Order::Grouped`]; in input order, [`Engine::RUN_SIZE`]). A run of 1,024
/// grouped requests names few callers, and a Datalog run's own sets and indexes are then
/// small enough to stay in cache. Measured on the scale bench (100 × 500, 100,000 requests,
/// grouped, non-LTO build, alternated rounds): median 371 ms with runs of 1,024, 385 ms
/// with 512, 415 ms with 4,096.
const GROUPED_RUN_SIZE: usize = 1_024;

/// The smallest run [`run_bounds`] makes (but for a batch smaller than it).
const SMALLEST_RUN: usize = 512;

/// How [`decide_all`] cuts `n` requests into runs of at most `size` for `threads` threads:
/// runs of `size`, but the last ones shrink — each at most a `2 × threads`-th of what
/// is left, down to [`SMALLEST_RUN`] — so that the threads finish together. With runs of
/// one size, the thread that took the last run worked alone for up to a run's time (about
/// 30 ms for 4,096 requests) while the other cores waited.
fn run_bounds(n: usize, size: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::with_capacity(n.div_ceil(size) + 2 * threads + 8);
    let mut at = 0;
    while at < n {
        let left = n - at;
        let run = if threads <= 1 {
            size
        } else {
            left.div_ceil(2 * threads).max(SMALLEST_RUN).min(size)
        };
        let end = at + run.min(left).max(1);
        out.push(at..end);
        at = end;
    }
    out
}

#[cfg(test)]
mod runs {
    use super::*;

    /// Results filed by several threads, in any order, land at their input positions,
    /// whatever the number of parts (more threads than requests included).
    #[test]
    fn filed_results_are_placed_at_their_input_positions() {
        // A result that says its position: as many `missing` layers as the position.
        let marked = |at: usize| SimulationResult {
            missing: vec![facts::tables::Layer::Identity; at],
            ..SimulationResult::slot()
        };
        for (n, threads) in [(0, 2), (1, 1), (1, 4), (7, 3), (100, 2), (1_001, 4)] {
            let places = Places::new(n, threads);
            let mut filed: Vec<Filed> = (0..threads).map(|_| Filed::new()).collect();
            // Runs of up to 3 positions out of order, each filed by one thread.
            let positions: Vec<usize> = (0..n).rev().collect();
            for (k, run) in positions.chunks(3).enumerate() {
                let t = (k * 7) % threads;
                places.file_run(&mut filed[t], run, run.iter().map(|&at| marked(at)));
            }
            let mut out = places.output();
            places.place(filed, &mut out);
            assert_eq!(out.len(), n);
            for (at, r) in out.iter().enumerate() {
                assert_eq!(r.missing.len(), at, "{n} requests on {threads} threads");
            }
        }
    }

    /// The runs cover every request once, in order; none exceeds a run's size; on several
    /// threads the last runs shrink to [`SMALLEST_RUN`], on one thread they do not.
    #[test]
    fn runs_cover_the_batch_and_shrink_at_its_end() {
        for size in [Engine::RUN_SIZE, GROUPED_RUN_SIZE] {
            for n in [0, 1, 511, 512, 1_025, 4_095, 4_096, 4_097, 20_000, 100_000] {
                for threads in [1, 2, 4] {
                    let runs = run_bounds(n, size, threads);
                    let mut at = 0;
                    for r in &runs {
                        assert_eq!(r.start, at);
                        assert!(r.end > r.start);
                        assert!(r.len() <= size);
                        at = r.end;
                    }
                    assert_eq!(at, n);
                    if threads == 1 {
                        assert!(runs.iter().rev().skip(1).all(|r| r.len() == size));
                    } else if n >= 2 * threads * size {
                        assert!(runs.first().is_some_and(|r| r.len() == size));
                        let last = runs.last().map_or(0, |r| r.len());
                        assert!(last <= SMALLEST_RUN, "{n} {threads}: {last}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::principal::principal_of;
    use super::*;
    use std::path::PathBuf;

    /// A synthetic organization of `spec` written to a temporary directory (kept alive by
    /// the first value), loaded, and its requests.
    fn synthetic(spec: &synth::Spec) -> (tempfile::TempDir, AccountSimulator, Vec<RequestSpec>) {
        let dir = tempfile::tempdir().unwrap();
        synth::generate(spec, dir.path(), &mut || {}).unwrap();
        let sim = AccountSimulator::load(&[PathBuf::from(dir.path())]).unwrap();
        let specs = super::super::read_requests(&dir.path().join("requests.jsonl")).unwrap();
        (dir, sim, specs)
    }

    /// Requests decided grouped by caller (out of input order) come back in input order,
    /// each with the result it gets when decided alone: for a sample of a synthetic
    /// organization's requests, whose callers recur scattered through the file.
    #[test]
    fn requests_decided_grouped_by_caller_come_back_in_input_order() {
        let (dir, sim, specs) = synthetic(&synth::Spec {
            accounts: 8,
            roles_per_account: 300,
            users_per_account: 10,
            requests: 6_000,
            ..synth::Spec::default()
        });
        let origin = dir.path().join("requests.jsonl");
        let together = sim.simulate(&specs, &origin).unwrap();
        assert_eq!(together.len(), specs.len());
        // The order mattered: the requests name enough callers to be grouped (a session
        // counts as its role), callers recur scattered through the file (more stretches of
        // one caller's requests than callers), and the requests make several runs.
        let group = |p: &str| {
            let account = p.split(':').nth(4).unwrap_or("");
            match (p.split_once(":assumed-role/"), p.split_once(":role/")) {
                (Some((_, rest)), _) => {
                    format!("{account}/{}", rest.split('/').next().unwrap_or(""))
                }
                (None, Some((_, path))) => {
                    format!("{account}/{}", path.rsplit('/').next().unwrap_or(""))
                }
                _ => p.to_string(),
            }
        };
        let groups: std::collections::HashSet<String> =
            specs.iter().map(|s| group(&s.principal)).collect();
        assert!(groups.len() >= GROUPED_FROM, "{} callers", groups.len());
        let stretches = 1 + specs
            .windows(2)
            .filter(|w| group(&w[0].principal) != group(&w[1].principal))
            .count();
        assert!(
            stretches > groups.len() + 100,
            "{stretches} {}",
            groups.len()
        );
        assert!(run_bounds(specs.len(), GROUPED_RUN_SIZE, 2).len() >= 3);
        let mut outcomes = std::collections::HashSet::new();
        for (i, spec) in specs.iter().enumerate().step_by(13) {
            let alone = sim.simulate(std::slice::from_ref(spec), &origin).unwrap();
            assert_eq!(alone.first(), together.get(i), "request {}", i + 1);
            outcomes.insert(format!("{:?}", alone[0].decision));
        }
        assert!(
            outcomes.len() >= 2,
            "the sample has several outcomes: {outcomes:?}"
        );
    }

    /// A request built where another was ([`Batcher::batch_into`] reuses the previous run's
    /// requests) is the request built anew: same entities, texts and context keys, whatever
    /// the slot held before (another caller's, with other keys, a longer or shorter run).
    #[test]
    fn requests_rebuilt_in_place_are_the_requests_built_anew() {
        let (_dir, sim, specs) = synthetic(&synth::Spec {
            accounts: 3,
            roles_per_account: 40,
            users_per_account: 5,
            requests: 900,
            ..synth::Spec::default()
        });
        let tables = sim.tables();
        // The data's callers by their entity; callers the data lacks by any entity (the
        // entity is only carried along).
        let principals: Vec<Sym> = specs
            .iter()
            .map(|s| tables.principal_by_arn(&s.principal).map_or(0, |p| p.id))
            .collect();
        assert!(principals.iter().filter(|&&p| p != 0).count() > 50);
        let all: Vec<usize> = (0..specs.len()).collect();
        let fresh = Batcher::new(&sim, tables).batch(&specs, (&principals, &[]), &all);
        let mut reused = Batcher::new(&sim, tables);
        let mut batch = Vec::new();
        // Slots first filled with other requests: the run backwards, then a shorter run.
        let backwards: Vec<usize> = all.iter().rev().copied().collect();
        reused.batch_into(&specs, (&principals, &[]), &backwards, &mut batch);
        reused.batch_into(&specs, (&principals, &[]), &all[..100], &mut batch);
        assert_eq!(batch.len(), 100);
        reused.batch_into(&specs, (&principals, &[]), &all, &mut batch);
        assert_eq!(batch.len(), fresh.len());
        let mut differ = 0;
        for (i, (b, f)) in batch.iter().zip(&fresh).enumerate() {
            assert_eq!(b, f, "request {}", i + 1);
            assert_eq!(
                b.request.context.iter().collect::<Vec<_>>(),
                f.request.context.iter().collect::<Vec<_>>(),
                "request {}",
                i + 1
            );
            differ += usize::from(specs[i].principal != specs[specs.len() - 1 - i].principal);
        }
        assert!(
            differ > specs.len() / 2,
            "slots held other callers: {differ}"
        );
    }

    /// Few callers: input order. Many: grouped, in input order within a group.
    #[test]
    fn requests_are_grouped_by_caller_when_they_name_many() {
        assert_eq!(Order::of(&[7, 3, 7, 1, 3, 7]), Order::Input);
        assert_eq!(Order::of(&[]), Order::Input);
        let few: Vec<Sym> = (0..GROUPED_FROM as Sym - 1).cycle().take(10_000).collect();
        assert_eq!(Order::of(&few), Order::Input);
        let n = GROUPED_FROM as Sym + 500;
        let many: Vec<Sym> = (0..n).rev().chain(0..n).collect();
        let Order::Grouped(order) = Order::of(&many) else {
            panic!("grouped");
        };
        // Group g (at input indices n-1-g and n+g) comes g-th, its requests in input order.
        let expected: Vec<u32> = (0..n).flat_map(|g| [n - 1 - g, n + g]).collect();
        assert_eq!(order, expected);
        let o = Order::Grouped(order);
        assert_eq!(
            o.indices(2..5).collect::<Vec<_>>(),
            vec![(n - 2) as usize, (n + 1) as usize, (n - 3) as usize]
        );
        assert_eq!(
            Order::Input.indices(2..5).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
    }

    /// The batcher's requests with S3 objects resolved by their bucket read exactly as with
    /// each object resolved alone (entity, owner, owner entity, every context key), also
    /// when the bucket itself, tagged, was asked before its objects, and with a given owner.
    #[test]
    fn objects_resolved_by_bucket_build_the_requests_objects_resolved_alone_build() {
        let (_dir, sim, mut specs) = synthetic(&synth::Spec {
            accounts: 3,
            roles_per_account: 6,
            users_per_account: 3,
            requests: 600,
            ..synth::Spec::default()
        });
        let tables = sim.tables();
        let buckets: Vec<String> = sim
            .model()
            .resources
            .keys()
            .filter(|a| a.starts_with("arn:aws:s3:::") && !a.contains('/'))
            .cloned()
            .collect();
        assert!(!buckets.is_empty());
        let caller = specs[0].principal.clone();
        for (i, bucket) in buckets.iter().enumerate() {
            for (resource, owner) in [
                (bucket.clone(), None),
                (format!("{bucket}/a/{i}.csv"), None),
                (format!("{bucket}/b/{i}.csv"), None),
                (
                    format!("{bucket}/c/{i}.csv"),
                    Some("999999999999".to_string()),
                ),
            ] {
                specs.push(RequestSpec {
                    principal: caller.clone(),
                    action: "s3:GetObject".to_string(),
                    resource,
                    resource_account: owner,
                    context: Arc::default(),
                });
            }
        }
        let p = tables.principals[0].id;
        let principals = vec![p; specs.len()];
        let mut by_bucket = Batcher::new(&sim, tables);
        assert!(!by_bucket.describes_objects);
        let mut alone = Batcher::new(&sim, tables);
        alone.describes_objects = true;
        let all: Vec<usize> = (0..specs.len()).collect();
        let fast = by_bucket.batch(&specs, (&principals, &[]), &all);
        let slow = alone.batch(&specs, (&principals, &[]), &all);
        assert!(!by_bucket.objects.is_empty());
        assert!(alone.objects.is_empty());
        let mut objects = 0;
        for ((f, s), spec) in fast.iter().zip(&slow).zip(&specs) {
            assert_eq!(f, s, "{spec:?}");
            assert_eq!(
                f.request.context.iter().collect::<Vec<_>>(),
                s.request.context.iter().collect::<Vec<_>>()
            );
            if facts::arn::s3_object_bucket(&spec.resource).is_some() {
                objects += 1;
                // An object is its bucket's resource, but has none of its tags.
                assert!(f.resource.is_some(), "{spec:?}");
                assert!(f
                    .request
                    .context
                    .iter()
                    .all(|(k, _)| !k.starts_with("aws:resourcetag/")));
            }
        }
        assert!(objects > 3 * buckets.len() / 2, "{objects}");
        // The bucket's own requests do carry its tags (the synthetic buckets are tagged).
        assert!(fast
            .iter()
            .zip(&specs)
            .any(|(f, s)| buckets.contains(&s.resource)
                && f.request.context.get("aws:ResourceTag/team").is_some()));
    }

    /// A resource's keys are the ones its ARN gets from the uncached reference
    /// ([`facts::account::context::fill_with`]), whether the tables name it (a resource,
    /// role or user of the data, looked for in the model) or not (an object, an instance,
    /// an ARN of an unknown account, `*`: its account's keys only, the model not searched).
    #[test]
    fn resources_the_tables_do_not_name_get_the_keys_their_arn_gets() {
        let (_dir, sim, mut specs) = synthetic(&synth::Spec {
            accounts: 3,
            roles_per_account: 8,
            users_per_account: 4,
            requests: 10,
            ..synth::Spec::default()
        });
        let model = sim.model();
        let tables = sim.tables();
        let user = model.users.keys().next().cloned().expect("a user");
        let mut resources: Vec<String> = model.resources.keys().cloned().collect();
        resources.extend(model.roles.keys().cloned());
        resources.extend(model.users.keys().cloned());
        for (i, r) in model.resources.values().enumerate() {
            let a = r.account.as_ref().map_or("111122223333", |a| a.as_str());
            if r.arn.starts_with("arn:aws:s3:::") {
                resources.push(format!("{}/dir/{i}.csv", r.arn));
            }
            resources.push(format!("arn:aws:ec2:us-east-1:{a}:instance/i-{i:08}"));
            resources.push(format!("arn:aws:lambda:us-east-1:{a}:function:f{i}:7"));
        }
        resources.extend(
            [
                "*",
                "arn:aws:sqs:us-east-1:999999999999:elsewhere",
                "arn:aws:s3:::no-such-bucket/key",
                "arn:aws:logs:us-east-1:notanaccount:log-group:x",
            ]
            .map(String::from),
        );
        specs.clear();
        for resource in resources {
            specs.push(RequestSpec {
                principal: user.clone(),
                action: "s3:GetObject".to_string(),
                resource,
                resource_account: None,
                context: Arc::default(),
            });
        }
        let (mut named, mut unnamed) = (0, 0);
        for s in &specs {
            match tables.resource_for_named(&s.resource).1 {
                true => named += 1,
                false => unnamed += 1,
            }
        }
        assert!(named > 30 && unnamed > 30, "{named} named, {unnamed} not");
        let p = tables.principal_by_arn(&user).map(|r| r.id).expect("user");
        let principals = vec![p; specs.len()];
        let all: Vec<usize> = (0..specs.len()).collect();
        let batch = Batcher::new(&sim, tables).batch(&specs, (&principals, &[]), &all);
        assert_eq!(batch.len(), specs.len());
        for (b, spec) in batch.iter().zip(&specs) {
            let mut by_arn = Request {
                principal: b.request.principal.clone(),
                action: spec.action.clone(),
                resource: spec.resource.clone(),
                context: Context::new(),
            };
            facts::account::context::fill_with(model, Some(sim.role_names()), &mut by_arn);
            let mut built: Vec<_> = b.request.context.iter().collect();
            let mut reference: Vec<_> = by_arn.context.iter().collect();
            built.sort_by_key(|e| e.0);
            reference.sort_by_key(|e| e.0);
            assert_eq!(built, reference, "{}", spec.resource);
        }
    }

    /// A caller found when its request was prepared (a session of a role of the data, with
    /// its role) or by its entity (a user or role of the data) gets exactly the keys its ARN
    /// gets from the uncached reference ([`facts::account::context::fill_with`]): every
    /// key, `aws:userid` of a session included, for the synthetic organization's callers
    /// and for ARNs built to be awkward (session names with `/`, `@`, `=`; a role name of
    /// another account; paths; unknown roles and users).
    #[test]
    fn callers_found_once_get_the_keys_their_arn_gets() {
        let (_dir, sim, mut specs) = synthetic(&synth::Spec {
            accounts: 3,
            roles_per_account: 8,
            users_per_account: 4,
            requests: 800,
            ..synth::Spec::default()
        });
        let model = sim.model();
        let mut odd: Vec<String> = Vec::new();
        let accounts: Vec<&str> = model.roles.values().map(|r| r.account.as_str()).collect();
        for (i, role) in model.roles.values().enumerate() {
            let a = role.account.as_str();
            let other = accounts.iter().find(|x| **x != a).copied().unwrap_or(a);
            let name = &role.name;
            odd.push(format!("arn:aws:sts::{a}:assumed-role/{name}/s-{i}"));
            odd.push(format!("arn:aws:sts::{a}:assumed-role/{name}/a/b/{i}"));
            odd.push(format!(
                "arn:aws:sts::{a}:assumed-role/{name}/me@example.com"
            ));
            odd.push(format!("arn:aws:sts::{a}:assumed-role/{name}/k=v,{i}"));
            odd.push(format!("arn:aws:sts::{other}:assumed-role/{name}/s"));
            odd.push(format!("arn:aws:sts::{a}:assumed-role/{name}x/s"));
            odd.push(role.arn.clone());
            odd.push(format!("arn:aws:iam::{other}:role/{name}"));
        }
        for (arn, user) in &model.users {
            odd.push(arn.clone());
            odd.push(format!("{arn}x"));
            odd.push(format!(
                "arn:aws:iam::{}:root",
                user.arn.split(':').nth(4).unwrap()
            ));
        }
        odd.extend(["*", "lambda.amazonaws.com", "111122223333"].map(String::from));
        for principal in odd {
            specs.push(RequestSpec {
                principal,
                action: "s3:GetObject".to_string(),
                resource: "arn:aws:s3:::synth-bucket/key".to_string(),
                resource_account: None,
                context: Arc::default(),
            });
        }
        let mut b = facts::tables::TablesBuilder::from_tables(sim.tables().clone());
        let mut batcher = Batcher::new(&sim, sim.tables());
        let mut fast = FillCache::new(model, sim.role_names());
        let (mut sessions, mut known) = (0, 0);
        for spec in &specs {
            let Ok((pre, at)) = sim.prepared(spec) else {
                continue;
            };
            let principal = match principal_of(&spec.principal) {
                Some((_, p)) => p,
                None => RequestPrincipal::Anonymous,
            };
            // The entity the run gives the caller (a new session is added to the tables).
            let p = match pre {
                super::super::account::Prepared::Known(p) => p,
                super::super::account::Prepared::New(..) => b.principal(
                    &spec.principal,
                    &spec.principal,
                    facts::tables::PrincipalKind::Session,
                    None,
                ),
            };
            let at = match at {
                Some(at) => {
                    sessions += 1;
                    Some(at)
                }
                None => batcher
                    .known_caller(spec, p, &principal)
                    .inspect(|_| known += 1),
            };
            let Some((slot, session)) = at else { continue };
            let session = session.and_then(|i| spec.principal.get(i as usize..));
            let mut by_slot = Context::new();
            fast.fill_caller_at(slot, session, &mut by_slot);
            by_slot.add_layer(fast.resource_layer(&spec.resource));
            facts::account::service_keys::fill_context(&spec.action, &mut by_slot);
            // The reference: every key filled from the ARN, uncached (`fill_with`).
            let mut by_arn = Request {
                principal,
                action: spec.action.clone(),
                resource: spec.resource.clone(),
                context: Context::new(),
            };
            facts::account::context::fill_with(model, Some(sim.role_names()), &mut by_arn);
            assert_eq!(
                by_slot.iter().collect::<Vec<_>>(),
                by_arn.context.iter().collect::<Vec<_>>(),
                "{}",
                spec.principal
            );
        }
        // Both ways of finding a caller were taken, many times.
        assert!(sessions > 100, "{sessions}");
        assert!(known > 100, "{known}");
    }
}
