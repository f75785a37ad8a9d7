//! The exact part: which truth assignments of a set of atoms some request context realises,
//! each with a witness context (Z3), and the condition that separates allowed from denied
//! assignments, in words.
//!
//! Feasibility of a partial assignment is asked of the solver as a policy stack: one layer
//! per atom wanted true (an `Allow` under that condition entry) and `Deny` statements for the
//! atoms wanted false; a request the stack allows is a context with exactly those truths.
//! Every witness is re-checked with `facts`' condition matcher before it is used; the
//! enumeration flips one atom at a time from each witness, so each realisable assignment
//! is found once and unrealisable branches are cut by the solver's "none".

use std::collections::HashMap;
use std::time::Duration;

use facts::policy::{
    ActionClause, ActionPattern, Effect, Policy, PolicyVersion, ResourceClause, ResourcePattern,
    Statement,
};
use facts::request::Context;
use solver::{Catalogue, Layer, Options, Stack};

use super::atoms::{Atom, Atoms};

/// A realisable truth assignment of atoms, with a context realising it.
#[derive(Debug, Clone)]
pub struct Realised {
    /// Truth per atom, in the order of the atom list asked for.
    pub truths: Vec<bool>,
    /// A context (unknown keys only) in which the atoms have exactly these truths.
    pub witness: Context,
}

/// The realisable assignments of a list of atoms.
#[derive(Debug, Clone, Default)]
pub struct Assignments {
    /// Every realisable assignment (when `complete`).
    pub realised: Vec<Realised>,
    /// False when the solver gave up or a witness did not check: the list may miss some.
    pub complete: bool,
}

/// More atoms than this in one decision are not enumerated (2^n assignments at worst).
pub const MAX_ATOMS: usize = 12;

/// A cache of enumerations by atom list, so principals that depend on the same conditions
/// (a bucket policy's) cost one enumeration.
#[derive(Debug, Default)]
pub struct Exact {
    cache: HashMap<Vec<usize>, Assignments>,
    /// How many solver calls were made (for figures and tests).
    pub solver_calls: usize,
}

const ACTION: &str = "iamlogic:WhoCan";

fn statement(effect: Effect, atom: Option<&Atom>) -> Statement {
    Statement {
        index: 0,
        sid: None,
        effect,
        action: ActionClause::Action(vec![ActionPattern(ACTION.to_string())]),
        resource: Some(ResourceClause::Resource(vec![ResourcePattern(
            "*".to_string(),
        )])),
        principal: None,
        conditions: atom.map(|a| vec![a.condition.clone()]).unwrap_or_default(),
    }
}

fn policy(statements: Vec<Statement>, variables: bool) -> Policy {
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.index = i;
            s
        })
        .collect();
    Policy {
        version: if variables {
            PolicyVersion::V2012_10_17
        } else {
            PolicyVersion::V2008_10_17
        },
        version_given: true,
        id: None,
        statements,
    }
}

impl Exact {
    /// Every realisable assignment of `ids` (sorted, distinct). `known` is merged under a
    /// witness when checking atoms whose values hold policy variables.
    pub fn assignments(&mut self, atoms: &Atoms, ids: &[usize], known: &Context) -> Assignments {
        let principal_specific = ids.iter().any(|&i| atoms.get(i).has_variables());
        if !principal_specific {
            if let Some(a) = self.cache.get(ids) {
                return a.clone();
            }
        }
        let list: Vec<&Atom> = ids.iter().map(|&i| atoms.get(i)).collect();
        let mut out = Assignments {
            realised: Vec::new(),
            complete: list.len() <= MAX_ATOMS,
        };
        if out.complete {
            let mut fixed = Vec::new();
            self.explore(&list, &mut fixed, known, &mut out);
        }
        if !principal_specific {
            self.cache.insert(ids.to_vec(), out.clone());
        }
        out
    }

    /// Find a context realising the partial assignment `fixed` (a prefix of `list`); record
    /// its full assignment, then explore, for each later atom, the assignments that agree
    /// with that witness before it and differ at it.
    fn explore(
        &mut self,
        list: &[&Atom],
        fixed: &mut Vec<bool>,
        known: &Context,
        out: &mut Assignments,
    ) {
        let Some(witness) = self.realise(list, fixed, known, out) else {
            return;
        };
        let truths: Vec<bool> = list
            .iter()
            .map(|a| a.holds(&merged(&witness, known)))
            .collect();
        let start = fixed.len();
        if !out.realised.iter().any(|r| r.truths == truths) {
            out.realised.push(Realised {
                truths: truths.clone(),
                witness,
            });
        }
        for j in start..list.len() {
            let saved = fixed.len();
            fixed.extend_from_slice(&truths[start..j]);
            fixed.push(!truths[j]);
            self.explore(list, fixed, known, out);
            fixed.truncate(saved);
        }
    }

    /// A context in which the first `fixed.len()` atoms of `list` have the truths `fixed`,
    /// checked with `facts`; `None` when the solver proves there is none (or gives up, which
    /// marks `out` incomplete).
    fn realise(
        &mut self,
        list: &[&Atom],
        fixed: &[bool],
        known: &Context,
        out: &mut Assignments,
    ) -> Option<Context> {
        let variables = list.iter().any(|a| a.variables);
        let mut layers = Vec::new();
        let mut guard = vec![statement(Effect::Allow, None)];
        for (a, &t) in list.iter().zip(fixed) {
            if t {
                layers.push(Layer {
                    name: a.sentence(),
                    policies: vec![policy(vec![statement(Effect::Allow, Some(a))], variables)],
                });
            } else {
                guard.push(statement(Effect::Deny, Some(a)));
            }
        }
        layers.push(Layer {
            name: "unless".to_string(),
            policies: vec![policy(guard, variables)],
        });
        let stack = Stack { layers };
        let opts = Options {
            timeout: Duration::from_secs(5),
            max_examples: 1,
            unknown_actions: false,
            max_action_classes: 1,
        };
        self.solver_calls += 1;
        static CATALOGUE: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        let catalogue = CATALOGUE.get_or_init(|| Catalogue::new([ACTION.to_ascii_lowercase()]));
        let found = match solver::find_allowed(&stack, &[ACTION.to_string()], &[], catalogue, &opts)
        {
            Ok(f) => f.found,
            Err(_) => {
                out.complete = false;
                return None;
            }
        };
        let Some(example) = found.examples.into_iter().next() else {
            if found.unknown.is_some() {
                out.complete = false;
            }
            return None;
        };
        let witness = example.request.context;
        let all = merged(&witness, known);
        let agrees = list.iter().zip(fixed).all(|(a, &t)| a.holds(&all) == t);
        if !agrees {
            out.complete = false;
            return None;
        }
        Some(witness)
    }
}

/// `witness` with the `known` keys it lacks.
pub fn merged(witness: &Context, known: &Context) -> Context {
    let mut c = witness.clone();
    for (k, v) in known.iter() {
        c.insert_default(k, v.clone());
    }
    c
}

/// A literal of a condition: an atom, true or false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Literal {
    /// Index into the atom list.
    pub atom: usize,
    /// Whether the atom must hold (false: must not).
    pub holds: bool,
}

/// A minimal sum of products over the atoms that is true on every `allowed` assignment and
/// false on every `denied` one (assignments realised by no context are free). Each term is a
/// conjunction of literals.
pub fn separating_condition(allowed: &[Vec<bool>], denied: &[Vec<bool>]) -> Vec<Vec<Literal>> {
    let covers = |term: &[Literal], a: &[bool]| term.iter().all(|l| a[l.atom] == l.holds);
    let mut terms: Vec<Vec<Literal>> = Vec::new();
    for a in allowed {
        if terms.iter().any(|t| covers(t, a)) {
            continue;
        }
        // Start from the full minterm and drop literals while no denied assignment is covered.
        let mut term: Vec<Literal> = a
            .iter()
            .enumerate()
            .map(|(atom, &holds)| Literal { atom, holds })
            .collect();
        let mut i = 0;
        while i < term.len() {
            let mut shorter = term.clone();
            shorter.remove(i);
            if denied.iter().any(|d| covers(&shorter, d)) {
                i += 1;
            } else {
                term = shorter;
            }
        }
        terms.push(term);
    }
    // Drop terms whose allowed assignments the others cover.
    let mut i = 0;
    while i < terms.len() && terms.len() > 1 {
        let others: Vec<&Vec<Literal>> = terms
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, t)| t)
            .collect();
        let needed = allowed
            .iter()
            .any(|a| covers(&terms[i], a) && !others.iter().any(|t| covers(t, a)));
        if needed {
            i += 1;
        } else {
            terms.remove(i);
        }
    }
    terms
}

/// The condition in words: each term as `A and B, unless C or D`; several terms joined by
/// `or`, parenthesised.
pub fn condition_sentence(terms: &[Vec<Literal>], sentence: &dyn Fn(usize) -> String) -> String {
    let term_text = |t: &Vec<Literal>| {
        let pos: Vec<String> = t
            .iter()
            .filter(|l| l.holds)
            .map(|l| sentence(l.atom))
            .collect();
        let neg: Vec<String> = t
            .iter()
            .filter(|l| !l.holds)
            .map(|l| sentence(l.atom))
            .collect();
        match (pos.is_empty(), neg.is_empty()) {
            (true, true) => "always".to_string(),
            (false, true) => pos.join(" and "),
            (true, false) => format!("unless {}", neg.join(" or ")),
            (false, false) => format!("{}, unless {}", pos.join(" and "), neg.join(" or ")),
        }
    };
    match terms {
        [] => "never".to_string(),
        [t] => term_text(t),
        ts => ts
            .iter()
            .map(|t| format!("({})", term_text(t)))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::condition::ConditionOperator;
    use facts::policy::Condition;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: ConditionOperator::parse(op).unwrap(),
            key: key.to_string(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn independent_atoms_have_every_assignment_and_witnesses_check() {
        let mut atoms = Atoms::default();
        let a = atoms.intern(&cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]), false);
        let b = atoms.intern(&cond("Bool", "aws:SecureTransport", &["false"]), false);
        let mut ex = Exact::default();
        let got = ex.assignments(&atoms, &[a, b], &Context::new());
        assert!(got.complete);
        let mut truths: Vec<Vec<bool>> = got.realised.iter().map(|r| r.truths.clone()).collect();
        truths.sort();
        assert_eq!(
            truths,
            vec![
                vec![false, false],
                vec![false, true],
                vec![true, false],
                vec![true, true]
            ]
        );
        for r in &got.realised {
            assert_eq!(atoms.get(a).holds(&r.witness), r.truths[0]);
            assert_eq!(atoms.get(b).holds(&r.witness), r.truths[1]);
        }
        // Cached: a second ask makes no solver call.
        let calls = ex.solver_calls;
        ex.assignments(&atoms, &[a, b], &Context::new());
        assert_eq!(ex.solver_calls, calls);
    }

    #[test]
    fn contradictory_atoms_are_not_realised() {
        let mut atoms = Atoms::default();
        let a = atoms.intern(&cond("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]), false);
        let b = atoms.intern(
            &cond("IpAddress", "aws:SourceIp", &["192.168.0.0/16"]),
            false,
        );
        let mut ex = Exact::default();
        let got = ex.assignments(&atoms, &[a, b], &Context::new());
        assert!(got.complete);
        assert!(!got.realised.iter().any(|r| r.truths == vec![true, true]));
        assert_eq!(got.realised.len(), 3);
    }

    #[test]
    fn separating_condition_reads_unless() {
        // allowed iff not atom0 (a Deny under atom0 over an unconditional Allow).
        let terms = separating_condition(&[vec![false]], &[vec![true]]);
        let s = condition_sentence(&terms, &|_| "aws:SecureTransport = false".to_string());
        assert_eq!(s, "unless aws:SecureTransport = false");
        // allowed iff a and b.
        let terms = separating_condition(
            &[vec![true, true]],
            &[vec![true, false], vec![false, true], vec![false, false]],
        );
        let s = condition_sentence(&terms, &|i| ["A", "B"][i].to_string());
        assert_eq!(s, "A and B");
    }
}
