//! Finding requests: check the formula, concretise the model (refining away assignments of
//! pattern atoms that no string has), decode it into a `facts::Request`.

use std::time::Instant;

use facts::request::{Context, ContextValue, Request};
use z3::ast::{Bool, Int};
use z3::{Model, Params, SatResult, Solver};

use crate::encode::{Elem, Engine, KeyVars};
use crate::strings::{realize, Realized, StrPred};
use crate::values::{ipv4_text, ipv6_text, iso_date, rational_text};

/// A decoded model.
pub(crate) struct Found {
    pub(crate) request: Request,
    pub(crate) class: usize,
    /// The model's action class, resource atoms and key presence bits: blocking it makes
    /// the next request differ in the action, the resource or the shape of the context.
    pub(crate) shape: Bool,
}

/// One step of a search.
pub(crate) enum Step {
    Found(Found),
    Exhausted,
    Unknown(String),
}

/// Fixed values for some keys (the outsider of `no-public-access`).
pub(crate) type Fixed = Vec<(String, Option<String>)>;

/// A solver over one engine with a deadline.
pub(crate) struct Search<'e> {
    pub(crate) engine: &'e Engine,
    pub(crate) solver: Solver,
    deadline: Instant,
    fixed: Fixed,
}

fn model_bool(m: &Model, b: &Bool) -> bool {
    m.eval(b, true).and_then(|v| v.as_bool()).unwrap_or(false)
}

impl<'e> Search<'e> {
    pub(crate) fn new(engine: &'e Engine, goal: &Bool, deadline: Instant, fixed: Fixed) -> Self {
        let solver = Solver::new();
        for d in &engine.domain {
            solver.assert(d);
        }
        solver.assert(goal);
        Search {
            engine,
            solver,
            deadline,
            fixed,
        }
    }

    fn remaining_ms(&self) -> u32 {
        let left = self.deadline.saturating_duration_since(Instant::now());
        u32::try_from(left.as_millis()).unwrap_or(u32::MAX)
    }

    /// Exclude requests of the same shape as one already reported.
    pub(crate) fn block_shape(&self, shape: &Bool) {
        self.solver.assert(shape.not());
    }

    /// Exclude the action class of a request already reported.
    pub(crate) fn block_class(&self, class: usize) {
        self.solver
            .assert(self.engine.act.eq(Int::from_u64(class as u64)).not());
    }

    /// The next request satisfying the goal.
    pub(crate) fn next(&self) -> Step {
        loop {
            let ms = self.remaining_ms();
            if ms == 0 {
                return Step::Unknown("timeout".to_string());
            }
            let mut params = Params::new();
            params.set_u32("timeout", ms);
            self.solver.set_params(&params);
            match self.solver.check() {
                SatResult::Unsat => return Step::Exhausted,
                SatResult::Unknown => {
                    return Step::Unknown(
                        self.solver
                            .get_reason_unknown()
                            .unwrap_or_else(|| "unknown".to_string()),
                    )
                }
                SatResult::Sat => {}
            }
            let Some(model) = self.solver.get_model() else {
                return Step::Unknown("no model".to_string());
            };
            match self.decode(&model) {
                Decoded::Request(f) => return Step::Found(f),
                Decoded::Refined => continue,
                Decoded::GaveUp(r) => return Step::Unknown(r),
            }
        }
    }

    /// Concretise one string variable: a witness, or a learnt clause and `None`.
    fn string_of(
        &self,
        model: &Model,
        preds: &[StrPred],
        atoms: &[Bool],
        all_atoms: &[&[Bool]],
    ) -> Result<Option<String>, String> {
        let want: Vec<(usize, bool)> = preds
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.opaque())
            .filter_map(|(i, _)| atoms.get(i).map(|a| (i, model_bool(model, a))))
            .collect();
        match realize(preds, &want, self.deadline) {
            Realized::Witness(w) => Ok(Some(w)),
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
                    self.solver.assert(Bool::or(&lits));
                }
                Ok(None)
            }
            Realized::GaveUp(r) => Err(r),
        }
    }

    fn decode(&self, model: &Model) -> Decoded {
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
        let resource = match self.string_of(
            model,
            &e.vocab.resources.preds,
            &e.res_atoms,
            &[&e.res_atoms],
        ) {
            Ok(Some(w)) => w,
            Ok(None) => return Decoded::Refined,
            Err(r) => return Decoded::GaveUp(r),
        };
        let principal_k = model
            .eval(&e.principal, true)
            .and_then(|v| v.as_u64())
            .and_then(|v| usize::try_from(v).ok())
            .unwrap_or(0);
        let mut context = Context::new();
        for kv in &e.keys {
            if !model_bool(model, &kv.present) {
                continue;
            }
            if let Some((_, fixed)) = self.fixed.iter().find(|(k, _)| *k == kv.name) {
                if let Some(v) = fixed {
                    context.insert(&kv.name, ContextValue::Single(v.clone()));
                }
                continue;
            }
            let mut values = Vec::new();
            let all: Vec<&[Bool]> = kv.elems.iter().map(|x| x.atoms.as_slice()).collect();
            for el in &kv.elems {
                if !model_bool(model, &el.present) {
                    continue;
                }
                match self.elem_value(model, kv, el, &all) {
                    Ok(Some(v)) => values.push(v),
                    Ok(None) => return Decoded::Refined,
                    Err(r) => return Decoded::GaveUp(r),
                }
            }
            let value = if kv.usage.multi {
                ContextValue::Multi(values)
            } else {
                match values.into_iter().next() {
                    Some(v) => ContextValue::Single(v),
                    None => continue,
                }
            };
            context.insert(&kv.name, value);
        }
        let lit = |b: &Bool| {
            if model_bool(model, b) {
                b.clone()
            } else {
                b.not()
            }
        };
        let mut shape = vec![e.act.eq(Int::from_u64(class as u64))];
        shape.extend(e.res_atoms.iter().map(lit));
        shape.extend(e.keys.iter().map(|k| lit(&k.present)));
        Decoded::Request(Found {
            request: Request {
                principal: e.principal_candidate(principal_k),
                action,
                resource,
                context,
            },
            class,
            shape: Bool::and(&shape),
        })
    }

    fn elem_value(
        &self,
        model: &Model,
        kv: &KeyVars,
        el: &Elem,
        all: &[&[Bool]],
    ) -> Result<Option<String>, String> {
        let u = &kv.usage;
        if !u.strings.preds.is_empty() {
            return self.string_of(model, &u.strings.preds, &el.atoms, all);
        }
        if u.numeric {
            let v = model.eval(&el.num, true).and_then(|r| r.as_rational());
            return Ok(Some(
                v.map_or("0".to_string(), |(n, d)| rational_text(n, d)),
            ));
        }
        if u.date {
            let v = model
                .eval(&el.date, true)
                .and_then(|d| d.as_i64())
                .unwrap_or(0);
            return Ok(Some(iso_date(v)));
        }
        if u.boolean {
            return Ok(Some(model_bool(model, &el.boolean).to_string()));
        }
        if u.ip {
            if model_bool(model, &el.is_v4) {
                let v = model
                    .eval(&el.ip4, true)
                    .and_then(|b| b.as_u64())
                    .unwrap_or(0);
                return Ok(Some(ipv4_text(u32::try_from(v).unwrap_or(0))));
            }
            let hi = model
                .eval(&el.ip6.extract(127, 64), true)
                .and_then(|b| b.as_u64())
                .unwrap_or(0);
            let lo = model
                .eval(&el.ip6.extract(63, 0), true)
                .and_then(|b| b.as_u64())
                .unwrap_or(0);
            return Ok(Some(ipv6_text((u128::from(hi) << 64) | u128::from(lo))));
        }
        // Only `Null` looks at this key: any value will do.
        Ok(Some("iamlogic".to_string()))
    }
}

enum Decoded {
    Request(Found),
    Refined,
    GaveUp(String),
}
