//! Finding requests: check the formula, concretise the model (refining away assignments of
//! pattern atoms that no string has), decode it into a `facts::Request`.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use facts::request::{Context, ContextValue, Request};
use z3::ast::{Bool, Int};
use z3::{Model, Params, SatResult, Solver};

use crate::encode::{Elem, Engine, KeyVars};
use crate::real_resource::{acted_on, member_acting_on, own_type_resources, resource_examples};
use crate::strings::{candidate_witness, realize, Pin, Realized, StrPred};
use crate::values::{date_text, decimal_text, ipv4_text, ipv6_text};

/// How many assignments of values to policy variables one model may try.
const VALUE_ATTEMPTS: usize = 16;
/// How many resources of the action's types, with distinct memberships of the resource
/// patterns, one request may try against the goal: of those built inside the policies'
/// patterns, of the ARN formats filled in, of the policies' own resources
/// (see [`own_type_resources`]).
const MAX_RESOURCE_TRIES: [usize; 3] = [16, 64, 16];
/// How many models a search that reports only real requests may exclude before it stops.
const MAX_UNREAL: usize = 8;

/// Resources of the action's types tried against the goal, since the process started (see
/// [`resource_checks`]).
static RESOURCE_CHECKS: AtomicU64 = AtomicU64::new(0);
/// Those that satisfied it (the resource was taken).
static RESOURCE_CHECKS_TAKEN: AtomicU64 = AtomicU64::new(0);

/// The resources the decoder tried, in this process, to replace a model's resource by one of
/// the action's own resource types (the cost of requests that look real): each is one
/// evaluation of the goal by `facts` on the request with that resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceChecks {
    /// Resources tried.
    pub made: u64,
    /// Resources that satisfied the goal: the request took one.
    pub taken: u64,
}

/// The decoder's resource tries so far, in this process.
pub fn resource_checks() -> ResourceChecks {
    ResourceChecks {
        made: RESOURCE_CHECKS.load(Ordering::Relaxed),
        taken: RESOURCE_CHECKS_TAKEN.load(Ordering::Relaxed),
    }
}

/// How many models may be skipped (no values found for their variables, nor a proof that
/// none exist) before the search gives up.
const MAX_SKIPPED: usize = 64;

/// A decoded model.
pub(crate) struct Found {
    pub(crate) request: Request,
    pub(crate) class: usize,
    /// The model's action class, resource atoms and key presence bits: blocking it makes
    /// the next request differ in the action, the resource or the shape of the context.
    pub(crate) shape: Shape,
    /// Whether the resource is one the action acts on (the catalogue's resource types, `*`
    /// for an action without one), or the action is outside the catalogue.
    pub(crate) real: bool,
}

/// The shape of a request: its action class, the truth value of each resource pattern on its
/// resource, and which keys its context has; as a formula and as values.
#[derive(Clone)]
pub(crate) struct Shape {
    /// The conjunction of those literals.
    pub(crate) formula: Bool,
    /// The same as values, to compare shapes without the solver.
    key: ShapeKey,
}

type ShapeKey = (usize, Vec<bool>, Vec<bool>);

/// The goal of a search as `facts` decides it, for a request decoded from a model of it:
/// whether the request still satisfies the goal with another resource. `compare` gives
/// "NEW allows it and OLD does not" (`Stack::allows`).
pub(crate) type Holds<'a> = &'a dyn Fn(&Request) -> bool;

/// One step of a search.
pub(crate) enum Step {
    Found(Found),
    Exhausted,
    Unknown(String),
}

/// Fixed values for some keys (the outsider of `no-public-access`).
pub(crate) type Fixed = Vec<(String, Option<String>)>;

/// Deadline overshoot allowed before the solver's per-check timeout is set again: setting
/// parameters on a live Z3 solver re-validates them against every parameter description of
/// its strategy (about half a millisecond), so it is done only when the timeout set earlier
/// would let a check run more than this past the deadline.
const TIMEOUT_SLACK_MS: u32 = 100;

fn remaining_ms(deadline: Instant, now: Instant) -> u32 {
    let left = deadline.saturating_duration_since(now);
    u32::try_from(left.as_millis()).unwrap_or(u32::MAX)
}

/// The one Z3 solver of an engine, shared by every search over it: the domain is
/// internalised once (the first check of a solver costs far more than the next ones on
/// large policies), and lemmas learnt by one search (true of every request) serve the
/// others. Each search asserts its goal and its blocking clauses under its own selector
/// literal and checks with that literal assumed.
pub(crate) struct Base {
    solver: Solver,
    /// The timeout (ms) the solver's checks have, and when it was set.
    timeout: Cell<(u32, Instant)>,
}

impl Base {
    /// The solver with the engine's domain asserted.
    pub(crate) fn new(engine: &Engine, deadline: Instant) -> Base {
        let solver = Solver::new();
        // Parameters set before the first assertion are only recorded (no validation), and
        // read at each check.
        let now = Instant::now();
        let ms = remaining_ms(deadline, now).max(1);
        let mut params = Params::new();
        params.set_u32("timeout", ms);
        // The incremental SMT core from the first check: Z3's default strategy would build
        // its tactic (probes, preprocessing) afresh for the first check of every search,
        // which cost more than solving these small formulas.
        params.set_bool("ignore_solver1", true);
        solver.set_params(&params);
        for d in &engine.domain {
            solver.assert(d);
        }
        Base {
            solver,
            timeout: Cell::new((ms, now)),
        }
    }
}

/// A search over one engine with a deadline, on the engine's shared solver ([`Base`]).
pub(crate) struct Search<'e> {
    pub(crate) engine: &'e Engine,
    base: &'e Base,
    /// The literal under which this search's goal and blocking clauses are asserted.
    selector: Bool,
    deadline: Instant,
    fixed: Fixed,
    /// Models excluded without a proof (see [`MAX_SKIPPED`]).
    skipped: Cell<usize>,
    /// The action classes of those models: an exhausted search is complete only if each of
    /// them was found (and blocked) since, as the search lists action classes.
    skipped_classes: RefCell<BTreeSet<usize>>,
    /// The action classes blocked (found).
    blocked: RefCell<BTreeSet<usize>>,
    /// Report only requests whose resource the action acts on: a model that gives no such
    /// request is excluded (for extra examples, where completeness does not matter).
    real_only: Cell<bool>,
    /// Models excluded for that.
    unreal: Cell<usize>,
    /// The goal as `facts` decides it (see [`Holds`]).
    holds: Holds<'e>,
    /// The shapes blocked (see [`Search::block_shape`]).
    blocked_shapes: RefCell<HashSet<ShapeKey>>,
}

fn model_bool(m: &Model, b: &Bool) -> bool {
    m.eval(b, true).and_then(|v| v.as_bool()).unwrap_or(false)
}

/// `b` or its negation, whichever the model makes true.
fn literal(m: &Model, b: &Bool) -> Bool {
    if model_bool(m, b) {
        b.clone()
    } else {
        b.not()
    }
}

/// Each atom or its negation, as `truth` says.
fn literals(atoms: &[Bool], truth: &[bool]) -> Vec<Bool> {
    atoms
        .iter()
        .zip(truth)
        .map(|(a, &v)| if v { a.clone() } else { a.not() })
        .collect()
}

impl<'e> Search<'e> {
    pub(crate) fn new(
        engine: &'e Engine,
        goal: &Bool,
        deadline: Instant,
        fixed: Fixed,
        holds: Holds<'e>,
    ) -> Self {
        let base = engine.base.get_or_init(|| Base::new(engine, deadline));
        let selector = Bool::fresh_const("search");
        base.solver.assert(selector.implies(goal));
        Search {
            engine,
            base,
            selector,
            deadline,
            fixed,
            skipped: Cell::new(0),
            skipped_classes: RefCell::new(BTreeSet::new()),
            blocked: RefCell::new(BTreeSet::new()),
            real_only: Cell::new(false),
            unreal: Cell::new(0),
            holds,
            blocked_shapes: RefCell::new(HashSet::new()),
        }
    }

    /// Milliseconds left before the deadline (0: past it), with the solver's per-check
    /// timeout lowered when it would overrun the deadline by more than [`TIMEOUT_SLACK_MS`].
    fn fit_timeout(&self) -> u32 {
        let now = Instant::now();
        let left = remaining_ms(self.deadline, now);
        let (set, at) = self.base.timeout.get();
        let elapsed =
            u32::try_from(now.saturating_duration_since(at).as_millis()).unwrap_or(u32::MAX);
        if left > 0 && set.saturating_sub(elapsed) > left.saturating_add(TIMEOUT_SLACK_MS) {
            let mut params = Params::new();
            params.set_u32("timeout", left);
            self.base.solver.set_params(&params);
            self.base.timeout.set((left, now));
        }
        left
    }

    /// Assert a clause for this search (under its selector).
    fn assert_here(&self, clause: &Bool) {
        self.base.solver.assert(self.selector.implies(clause));
    }

    /// Assert a lemma true of every request (an impossible combination of atoms), for
    /// every search over the engine.
    fn learn(&self, lemma: &Bool) {
        self.base.solver.assert(lemma);
    }

    /// Report only requests whose resource the action acts on (see [`Found::real`]).
    pub(crate) fn real_only(&self) {
        self.real_only.set(true);
    }

    /// Exclude requests of the same shape as one already reported.
    pub(crate) fn block_shape(&self, shape: &Shape) {
        self.assert_here(&shape.formula.not());
        self.blocked_shapes.borrow_mut().insert(shape.key.clone());
    }

    /// Whether an action class was found (and blocked) in this search.
    pub(crate) fn is_blocked(&self, class: usize) -> bool {
        self.blocked.borrow().contains(&class)
    }

    /// Exclude the action class of a request already reported.
    pub(crate) fn block_class(&self, class: usize) {
        self.blocked.borrow_mut().insert(class);
        self.assert_here(&self.engine.act.eq(Int::from_u64(class as u64)).not());
    }

    /// The next request satisfying the goal.
    pub(crate) fn next(&self) -> Step {
        let solver = &self.base.solver;
        let assumed = [self.selector.clone()];
        loop {
            if self.fit_timeout() == 0 {
                return Step::Unknown("timeout".to_string());
            }
            match solver.check_assumptions(&assumed) {
                SatResult::Unsat if !self.unresolved().is_empty() => {
                    return Step::Unknown(format!(
                        "no request was found for {} assignment(s) of the patterns (values \
                         of policy variables, or one value for a key's several operator \
                         families) in {} action class(es), nor a proof that none exist",
                        self.skipped.get(),
                        self.unresolved().len()
                    ))
                }
                SatResult::Unsat => return Step::Exhausted,
                SatResult::Unknown => {
                    return Step::Unknown(
                        solver
                            .get_reason_unknown()
                            .unwrap_or_else(|| "unknown".to_string()),
                    )
                }
                SatResult::Sat => {}
            }
            let Some(model) = solver.get_model() else {
                return Step::Unknown("no model".to_string());
            };
            match self.decode(&model) {
                Decoded::Request(f) if !f.real && self.real_only.get() => {
                    self.block_shape(&f.shape);
                    self.unreal.set(self.unreal.get() + 1);
                    if self.unreal.get() > MAX_UNREAL {
                        return Step::Exhausted;
                    }
                }
                Decoded::Request(f) => return Step::Found(f),
                Decoded::Refined => continue,
                Decoded::GaveUp(r) => return Step::Unknown(r),
                Decoded::Skipped => {
                    self.assert_here(&self.full_shape(&model).not());
                    self.skipped.set(self.skipped.get() + 1);
                    self.skipped_classes
                        .borrow_mut()
                        .insert(self.class_of(&model));
                    if self.skipped.get() > MAX_SKIPPED {
                        return Step::Unknown(format!(
                            "no request was found for {MAX_SKIPPED} assignments of the \
                             patterns (values of policy variables, or one value for a key's \
                             several operator families)"
                        ));
                    }
                }
            }
        }
    }

    /// The action classes of skipped models that no request found since covers.
    fn unresolved(&self) -> Vec<usize> {
        let blocked = self.blocked.borrow();
        self.skipped_classes
            .borrow()
            .iter()
            .filter(|c| !blocked.contains(c))
            .copied()
            .collect()
    }

    /// The action class a model chose.
    fn class_of(&self, model: &Model) -> usize {
        model
            .eval(&self.engine.act, true)
            .and_then(|v| v.as_u64())
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(0)
    }

    /// Every atom and bit of a model: blocking it skips exactly this assignment.
    fn full_shape(&self, model: &Model) -> Bool {
        let e = self.engine;
        let lit = |b: &Bool| literal(model, b);
        let class = model
            .eval(&e.act, true)
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let mut shape = vec![e.act.eq(Int::from_u64(class))];
        shape.extend(e.res_atoms.iter().map(lit));
        for kv in &e.keys {
            shape.push(lit(&kv.present));
            shape.push(lit(&kv.multi));
            for el in &kv.elems {
                shape.push(lit(&el.present));
                shape.extend(el.atoms.iter().map(lit));
            }
        }
        Bool::and(&shape)
    }

    /// Concretise one string variable under the variable values of `ctx`: a witness, or a
    /// stop (a learnt clause, values to try for the variables, a failure).
    fn string_of(
        &self,
        model: &Model,
        preds: &[StrPred],
        atoms: &[Bool],
        all_atoms: &[&[Bool]],
        ctx: &Context,
        first: &[String],
    ) -> Result<String, Stop> {
        let want: Vec<(usize, bool)> = preds
            .iter()
            .enumerate()
            .filter_map(|(i, _)| atoms.get(i).map(|a| (i, model_bool(model, a))))
            .collect();
        let pins = self.pins(model, ctx);
        let pinned: Vec<Pin> = pins.iter().map(|(p, _)| p.clone()).collect();
        match realize(preds, &want, ctx, &pinned, first, self.deadline) {
            Realized::Witness(w) => Ok(w),
            Realized::ImpossibleUnlessSingle(core, keys, used) => {
                // ¬(core ∧ every key absent or a set ∧ every pinned key its value)
                // = ¬core ∨ some key single-valued ∨ some pinned key another value.
                let mut single: Vec<Bool> = keys
                    .iter()
                    .filter_map(|k| self.engine.keys.iter().find(|kv| kv.name == *k))
                    .map(|kv| Bool::and(&[kv.present.clone(), kv.multi.not()]))
                    .collect();
                single.extend(
                    pins.iter()
                        .filter(|(p, _)| used.contains(&p.key))
                        .map(|(_, pin)| pin.not()),
                );
                for vars in all_atoms {
                    let mut lits: Vec<Bool> = core
                        .iter()
                        .filter_map(|&(i, v)| {
                            vars.get(i).map(|a| if v { a.not() } else { a.clone() })
                        })
                        .collect();
                    lits.extend(single.iter().cloned());
                    self.learn(&Bool::or(&lits));
                }
                Err(Stop::Refined)
            }
            Realized::Impossible(core) => {
                let core = if core.is_empty() { want } else { core };
                // The same patterns have the same languages wherever they occur: learn the
                // clause for every variable over this predicate list.
                for vars in all_atoms {
                    let lits: Vec<Bool> = core
                        .iter()
                        .filter_map(|&(i, v)| {
                            vars.get(i).map(|a| if v { a.not() } else { a.clone() })
                        })
                        .collect();
                    self.learn(&Bool::or(&lits));
                }
                Err(Stop::Refined)
            }
            Realized::OtherValues(hint) => Err(Stop::OtherValues(value_proposals(
                preds,
                &want,
                ctx,
                hint.iter().chain(first),
            ))),
            Realized::GaveUp(r) => Err(Stop::GaveUp(r)),
        }
    }

    /// What the model says of the single values of the keys of `ctx`: element 0 of the key
    /// (its single value) is said to equal a literal (`StringEquals alice`), which `ctx`
    /// holds, or to match a pattern (`StringEquals home/${aws:username}`, read with each
    /// variable a `*`: the one with the most fixed characters); with the Boolean saying so
    /// (key single, that atom true).
    fn pins(&self, model: &Model, ctx: &Context) -> Vec<(Pin, Bool)> {
        use facts::wildcard::GlobToken;
        let mut out = Vec::new();
        for kv in &self.engine.keys {
            let Some(ContextValue::Single(v)) = ctx.get(&kv.name) else {
                continue;
            };
            if !model_bool(model, &kv.present) || model_bool(model, &kv.multi) {
                continue;
            }
            let Some(el) = kv.elems.first() else { continue };
            let said = || {
                kv.usage
                    .strings
                    .preds
                    .iter()
                    .zip(&el.atoms)
                    .filter(|(_, a)| model_bool(model, a))
            };
            let literal = said().find(|(p, _)| p.literal() == Some(v.as_str()));
            let pin = match literal {
                Some((_, atom)) => Some((v.chars().map(GlobToken::Char).collect(), true, atom)),
                None => said()
                    .filter_map(|(p, a)| p.relaxed_glob().map(|g| (g, a)))
                    .max_by_key(|(g, _)| {
                        g.iter().filter(|t| matches!(t, GlobToken::Char(_))).count()
                    })
                    .map(|(g, a)| (g, false, a)),
            };
            // The patterns without variables, as the model says the value matches them.
            let facts: Vec<(StrPred, bool, Bool)> = kv
                .usage
                .strings
                .preds
                .iter()
                .zip(&el.atoms)
                .filter(|(p, _)| !p.opaque())
                .map(|(p, a)| {
                    let v = model_bool(model, a);
                    (p.clone(), v, if v { a.clone() } else { a.not() })
                })
                .collect();
            if pin.is_none() && facts.is_empty() {
                continue;
            }
            let (glob, exact, atom) = pin.map_or_else(
                || (vec![GlobToken::AnyRun], false, None),
                |(g, e, a)| (g, e, Some(a.clone())),
            );
            let mut said_so = vec![kv.present.clone(), kv.multi.not()];
            said_so.extend(atom);
            said_so.extend(facts.iter().map(|(_, _, l)| l.clone()));
            out.push((
                Pin {
                    key: kv.name.clone(),
                    glob,
                    exact,
                    facts: facts.into_iter().map(|(p, v, _)| (p, v)).collect(),
                },
                Bool::and(&said_so),
            ));
        }
        out
    }

    /// Decode a model, trying values for the policy variables until every pattern has the
    /// truth value the model gives it.
    ///
    /// The values are first sought with the action's resource examples as the likeliest
    /// strings (requests that look real); when none is found that way, again without them,
    /// so that the search for a real resource never costs the model its request (the
    /// decoder then returns the model's own witness, marked not real).
    fn decode(&self, model: &Model) -> Decoded {
        match self.decode_values(model, true) {
            Decoded::Skipped => self.decode_values(model, false),
            d => d,
        }
    }

    fn decode_values(&self, model: &Model, with_examples: bool) -> Decoded {
        let mut tried: Vec<BTreeMap<String, String>> = Vec::new();
        let mut queue: VecDeque<BTreeMap<String, String>> = VecDeque::new();
        queue.push_back(BTreeMap::new());
        while let Some(values) = queue.pop_front() {
            if tried.len() >= VALUE_ATTEMPTS || Instant::now() >= self.deadline {
                break;
            }
            tried.push(values.clone());
            match self.decode_with(model, &values, with_examples) {
                Ok(f) => return Decoded::Request(f),
                Err(Stop::Refined) => return Decoded::Refined,
                Err(Stop::GaveUp(r)) => return Decoded::GaveUp(r),
                Err(Stop::OtherValues(props)) => {
                    for (k, v) in props {
                        let mut next = values.clone();
                        next.insert(k, v);
                        if !tried.contains(&next) && !queue.contains(&next) {
                            queue.push_back(next);
                        }
                    }
                }
            }
        }
        Decoded::Skipped
    }

    fn decode_with(
        &self,
        model: &Model,
        values: &BTreeMap<String, String>,
        with_examples: bool,
    ) -> Result<Found, Stop> {
        let e = self.engine;
        let class = model
            .eval(&e.act, true)
            .and_then(|v| v.as_u64())
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(0);
        let action = e
            .actions
            .representative(class)
            .unwrap_or_else(|| "iamlogic-unknown:unknownaction".to_string());
        let principal_k = model
            .eval(&e.principal, true)
            .and_then(|v| v.as_u64())
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(0);
        let mut context = Context::new();
        // Keys named as variables first: the patterns of the others are read with their
        // values.
        let mut order: Vec<&KeyVars> = e.keys.iter().filter(|k| k.usage.variable).collect();
        order.extend(e.keys.iter().filter(|k| !k.usage.variable));
        for kv in order {
            if !model_bool(model, &kv.present) {
                continue;
            }
            if let Some((_, fixed)) = self.fixed.iter().find(|(k, _)| *k == kv.name) {
                if let Some(v) = fixed {
                    context.insert(&kv.name, ContextValue::Single(v.clone()));
                }
                continue;
            }
            let multi = model_bool(model, &kv.multi);
            let mut vals = Vec::new();
            let all: Vec<&[Bool]> = kv.elems.iter().map(|x| x.atoms.as_slice()).collect();
            for el in &kv.elems {
                if !model_bool(model, &el.present) {
                    continue;
                }
                let chosen = match values.get(&kv.name) {
                    Some(v) if !multi => {
                        if !self.fits(model, kv, el, v, &context) {
                            return Err(Stop::OtherValues(Vec::new()));
                        }
                        v.clone()
                    }
                    _ => self.elem_value(model, kv, el, &all, &context)?,
                };
                vals.push(chosen);
            }
            let value = if multi {
                ContextValue::Multi(vals)
            } else {
                match vals.into_iter().next() {
                    Some(v) => ContextValue::Single(v),
                    None => continue,
                }
            };
            context.insert(&kv.name, value);
        }
        let principal = e.principal_candidate(principal_k);
        let first = resource_examples(&action, &context, &principal);
        let presence: Vec<bool> = e
            .keys
            .iter()
            .map(|k| model_bool(model, &k.present))
            .collect();
        let examples: &[String] = if with_examples { &first } else { &[] };
        // The resource, cheapest first: a candidate string with all the memberships the
        // model gives the resource patterns; else a resource of the action's own types on
        // which the request satisfies the goal as `facts` decides it (its shape is then that
        // resource's memberships, not the model's); only then the exact search for a string
        // with the model's memberships (`realize`), whose automata product can take
        // thousands of states when the model sets many patterns true for no reason.
        let want: Vec<(usize, bool)> = e
            .res_atoms
            .iter()
            .enumerate()
            .map(|(i, a)| (i, model_bool(model, a)))
            .collect();
        let preds = &e.vocab.resources.preds;
        let chosen = match candidate_witness(preds, &want, &context, examples) {
            Some(w) => self.real_resource(
                model, class, action, w, &context, &principal, &first, &presence, true,
            ),
            None => match self.goal_resource(
                model, class, &action, &context, &principal, &first, &presence,
            ) {
                Some(c) => c,
                // A search for extra examples keeps only real requests: a model for which
                // neither gives a resource is dropped (its shape blocked) rather than
                // realised, which may cost thousands of automaton states for a string
                // that would be thrown away.
                None if self.real_only.get() => Chosen::model(action, String::new(), false),
                None => {
                    let witness = self.string_of(
                        model,
                        preds,
                        &e.res_atoms,
                        &[&e.res_atoms],
                        &context,
                        examples,
                    )?;
                    self.real_resource(
                        model, class, action, witness, &context, &principal, &first, &presence,
                        false,
                    )
                }
            },
        };
        let truth = chosen
            .truth
            .unwrap_or_else(|| e.res_atoms.iter().map(|a| model_bool(model, a)).collect());
        let mut formula = vec![e.act.eq(Int::from_u64(class as u64))];
        formula.extend(literals(&e.res_atoms, &truth));
        formula.extend(literals(
            &e.keys.iter().map(|k| k.present.clone()).collect::<Vec<_>>(),
            &presence,
        ));
        let shape = Shape {
            formula: Bool::and(&formula),
            key: (class, truth, presence),
        };
        Ok(Found {
            request: Request {
                principal,
                action: chosen.action,
                resource: chosen.resource,
                context,
            },
            class,
            shape,
            real: chosen.real,
        })
    }

    /// The action and resource of a request, for the model's witness `witness`: the witness
    /// when the action acts on it; else the first of the action's own resources
    /// ([`own_type_resources`]: its ARN formats built inside the patterns the model says the
    /// resource matches, filled in, the policies' resources of its types) on which the
    /// request, everything else kept, still satisfies the goal as `facts` decides it
    /// ([`Holds`]) and has a shape not yet blocked, one resource per set of memberships of
    /// the resource patterns, at most [`MAX_RESOURCE_TRIES`] sets per group
    /// ([`Search::goal_resource`], skipped when `try_own` is false: the caller tried them);
    /// else another action of the class that acts on the witness; else the witness, marked
    /// not real.
    ///
    /// Such a request satisfies everything the search asserts: the goal (decided by
    /// `facts`, which the encoding agrees with), the learnt lemmas (true of every request),
    /// the blocked action classes (its class is the model's) and the blocked shapes
    /// (compared as values).
    #[allow(clippy::too_many_arguments)]
    fn real_resource(
        &self,
        model: &Model,
        class: usize,
        action: String,
        witness: String,
        ctx: &Context,
        principal: &facts::request::RequestPrincipal,
        examples: &[String],
        presence: &[bool],
        try_own: bool,
    ) -> Chosen {
        if acted_on(&action, &witness) {
            return Chosen::model(action, witness, true);
        }
        if try_own {
            if let Some(c) =
                self.goal_resource(model, class, &action, ctx, principal, examples, presence)
            {
                return c;
            }
        }
        match member_acting_on(&self.engine.actions, class, &witness) {
            Some(member) => Chosen::model(member, witness, true),
            None => Chosen::model(action, witness, false),
        }
    }

    /// The first of the action's own resources ([`own_type_resources`]) on which the
    /// request, everything else kept, satisfies the goal as `facts` decides it and has a
    /// shape not yet blocked (see [`Search::real_resource`]).
    #[allow(clippy::too_many_arguments)]
    fn goal_resource(
        &self,
        model: &Model,
        class: usize,
        action: &str,
        ctx: &Context,
        principal: &facts::request::RequestPrincipal,
        examples: &[String],
        presence: &[bool],
    ) -> Option<Chosen> {
        let e = self.engine;
        let preds = &e.vocab.resources.preds;
        let patterns: Vec<Vec<crate::automata::Tok>> = preds
            .iter()
            .zip(&e.res_atoms)
            .filter(|(_, a)| model_bool(model, a))
            .filter_map(|(p, _)| p.tokens(ctx))
            .collect();
        let policy_resources = preds
            .iter()
            .flat_map(|p| p.candidates(ctx).into_iter().take(1));
        let candidates = own_type_resources(
            action,
            ctx,
            principal,
            &patterns,
            examples,
            policy_resources,
        );
        let mut request = Request {
            principal: principal.clone(),
            action: action.to_string(),
            resource: String::new(),
            context: ctx.clone(),
        };
        // The goal depends on the resource only through the patterns it matches (the rest of
        // the request is fixed): each set of memberships is evaluated once.
        let mut evaluated: HashSet<Vec<bool>> = HashSet::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (group, cap) in candidates.into_iter().zip(MAX_RESOURCE_TRIES) {
            let mut tried = 0;
            for resource in group {
                if tried >= cap {
                    break;
                }
                if !seen.insert(resource.clone()) {
                    continue;
                }
                let truth: Vec<bool> = preds.iter().map(|p| p.holds(&resource, ctx)).collect();
                if evaluated.contains(&truth) || !acted_on(&request.action, &resource) {
                    continue;
                }
                evaluated.insert(truth.clone());
                tried += 1;
                let key = (class, truth, presence.to_vec());
                if self.blocked_shapes.borrow().contains(&key) {
                    continue;
                }
                RESOURCE_CHECKS.fetch_add(1, Ordering::Relaxed);
                request.resource = resource;
                if (self.holds)(&request) {
                    RESOURCE_CHECKS_TAKEN.fetch_add(1, Ordering::Relaxed);
                    return Some(Chosen {
                        action: request.action,
                        resource: request.resource,
                        truth: Some(key.1),
                        real: true,
                    });
                }
            }
        }
        None
    }

    /// Whether `value` gives element `el` of `kv` every truth value the model gives its
    /// atoms and typed conditions (decided by `facts`).
    fn fits(&self, model: &Model, kv: &KeyVars, el: &Elem, value: &str, ctx: &Context) -> bool {
        let strings_fit = kv
            .usage
            .strings
            .preds
            .iter()
            .zip(&el.atoms)
            .all(|(p, a)| p.holds(value, ctx) == model_bool(model, a));
        strings_fit
            && kv.usage.typed.iter().all(|(op, v)| {
                let modelled = self.engine.elem_matches(kv, el, *op, v, false);
                facts::condition::eval::compare(*op, v, value) == model_bool(model, &modelled)
            })
    }

    fn elem_value(
        &self,
        model: &Model,
        kv: &KeyVars,
        el: &Elem,
        all: &[&[Bool]],
        ctx: &Context,
    ) -> Result<String, Stop> {
        let u = &kv.usage;
        let examples = key_examples(&kv.name);
        let mut cands: Vec<String> = Vec::new();
        if !u.strings.preds.is_empty() {
            let w = self.string_of(model, &u.strings.preds, &el.atoms, all, ctx, &examples)?;
            if u.families() == 1 {
                return Ok(w);
            }
            cands.push(w);
        }
        if u.numeric {
            let v = model
                .eval(&el.num, true)
                .map_or_else(|| "0".to_string(), |r| decimal_text(&r));
            cands.extend([format!("{v}.0"), format!("0{v}")]);
            cands.insert(cands.len().saturating_sub(2), v);
        }
        if u.date {
            let v = model
                .eval(&el.date, true)
                .and_then(|d| d.as_i128())
                .unwrap_or(0);
            cands.push(date_text(v));
        }
        if u.boolean {
            cands.push(model_bool(model, &el.boolean).to_string());
        }
        if u.ip {
            if model_bool(model, &el.is_v4) {
                let v = model
                    .eval(&el.ip4, true)
                    .and_then(|b| b.as_u64())
                    .unwrap_or(0);
                cands.push(ipv4_text(u32::try_from(v).unwrap_or(0)));
            } else {
                let half = |hi, lo| {
                    model
                        .eval(&el.ip6.extract(hi, lo), true)
                        .and_then(|b| b.as_u64())
                        .unwrap_or(0)
                };
                let v = (u128::from(half(127, 64)) << 64) | u128::from(half(63, 0));
                cands.push(ipv6_text(v));
            }
        }
        if cands.is_empty() {
            // Only `Null` looks at the key, or it is a policy variable: a value of its kind.
            cands.extend(examples);
        }
        if u.families() <= 1 {
            return cands
                .into_iter()
                .next()
                .ok_or(Stop::OtherValues(Vec::new()));
        }
        // Several families: one value must satisfy them all as the model says.
        cands
            .into_iter()
            .find(|v| self.fits(model, kv, el, v, ctx))
            .ok_or(Stop::OtherValues(Vec::new()))
    }
}

impl Drop for Search<'_> {
    /// Retire the selector: its clauses no longer constrain later searches' models.
    fn drop(&mut self) {
        self.base.solver.assert(self.selector.not());
    }
}

/// Why decoding one assignment of variable values stopped.
enum Stop {
    /// An impossible combination of atoms was learnt.
    Refined,
    /// These values (key, value) for policy variables may give a witness.
    OtherValues(Vec<(String, String)>),
    /// Failure.
    GaveUp(String),
}

/// Values of a kind the key has in real requests (IAM User Guide, "AWS global condition
/// context keys"), tried first for its value.
pub(crate) fn key_examples(key: &str) -> Vec<String> {
    let two = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
    match key {
        "aws:username" | "aws:sourceidentity" => two("alice", "bob"),
        "aws:userid" => two("AIDAJQABLZS4A3QDU576Q", "AROAJQABLZS4A3QDU576Q:alice"),
        "aws:principalorgid" | "aws:resourceorgid" | "aws:sourceorgid" => {
            two("o-a1b2c3d4e5", "o-f6g7h8i9j0")
        }
        "aws:requestedregion" => two("us-east-1", "eu-west-1"),
        "aws:principaltype" => two("User", "AssumedRole"),
        k if k.ends_with("account") => two("111122223333", "444455556666"),
        k if k.ends_with("arn") => two(
            "arn:aws:iam::111122223333:role/example",
            "arn:aws:iam::444455556666:role/example",
        ),
        _ => two("example", "example-2"),
    }
}

/// Values to try for policy variables when the current ones give no string: for a pattern
/// wanted true with one variable, the part of a likely string (a string of the relaxed
/// languages, an example, a candidate of another pattern wanted true) that the variable must
/// cover for the pattern to match it; and the examples of each variable's key.
fn value_proposals<'s>(
    preds: &[StrPred],
    want: &[(usize, bool)],
    ctx: &Context,
    likely: impl Iterator<Item = &'s String>,
) -> Vec<(String, String)> {
    let mut strings: Vec<String> = likely.take(4).cloned().collect();
    for &(i, v) in want {
        // A pattern with variables gives its candidates under the current values: another
        // pattern's variable may be what makes the two meet (`${s3:prefix}` against
        // `b/${aws:username}`).
        if let (true, Some(p)) = (v, preds.get(i)) {
            strings.extend(p.candidates(ctx).into_iter().take(1));
        }
    }
    strings.truncate(12);
    let mut out: Vec<(String, String)> = Vec::new();
    let push = |out: &mut Vec<(String, String)>, prop: (String, String), front: bool| {
        if !out.contains(&prop) {
            if front {
                out.insert(0, prop);
            } else {
                out.push(prop);
            }
        }
    };
    for &(i, v) in want {
        let Some(p) = preds.get(i) else { continue };
        for (k, _) in p.variable_keys() {
            for e in key_examples(&k) {
                push(&mut out, (k.clone(), e), false);
            }
        }
        if !v {
            continue;
        }
        // `piece0 ${k} piece1`: every split of a likely string into a prefix piece0 accepts
        // and a suffix piece1 accepts proposes the middle.
        let Some((pieces, keys)) = p.split_with(true) else {
            continue;
        };
        let ([k], [before, after]) = (keys.as_slice(), pieces.as_slice()) else {
            continue;
        };
        for w in &strings {
            let bounds: Vec<usize> = w
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(w.len()))
                .collect();
            if bounds.len() > 200 {
                continue;
            }
            let heads: Vec<usize> = bounds
                .iter()
                .copied()
                .filter(|&b| {
                    w.get(..b)
                        .is_some_and(|h| crate::automata::accepts(before, h))
                })
                .collect();
            let tails: Vec<usize> = bounds
                .iter()
                .copied()
                .filter(|&b| {
                    w.get(b..)
                        .is_some_and(|t| crate::automata::accepts(after, t))
                })
                .collect();
            let mut found = 0;
            for &h in &heads {
                for &t in tails.iter().filter(|&&t| t >= h) {
                    let Some(m) = w.get(h..t) else { continue };
                    let mut c = ctx.clone();
                    c.insert(k, ContextValue::Single(m.to_string()));
                    if p.holds(w, &c) {
                        push(&mut out, (k.clone(), m.to_string()), true);
                        found += 1;
                    }
                    if found >= 2 {
                        break;
                    }
                }
                if found >= 2 {
                    break;
                }
            }
        }
    }
    out
}

/// The action and resource chosen for a request.
struct Chosen {
    action: String,
    resource: String,
    /// The truth values of the resource atoms on `resource`, when they are not the model's.
    truth: Option<Vec<bool>>,
    real: bool,
}

impl Chosen {
    fn model(action: String, resource: String, real: bool) -> Chosen {
        Chosen {
            action,
            resource,
            truth: None,
            real,
        }
    }
}

enum Decoded {
    Request(Found),
    Refined,
    GaveUp(String),
    /// No values of the policy variables were found for this model, nor a proof that none
    /// exist: the model is excluded and the search is no longer complete.
    Skipped,
}
