//! The vocabulary of a proof: every action pattern, resource pattern, principal and condition
//! key the policies mention, collected before any Z3 variable is made.

use std::collections::{BTreeMap, HashMap};

use facts::condition::{BaseOperator, OperatorFamily};
use facts::policy::{ActionClause, PrincipalClause, PrincipalEntry, Principals, ResourceClause};
use facts::request::RequestPrincipal;
use facts::Policy;

use crate::actions::Clause;
use crate::stack::Stack;
use crate::strings::StrPred;

/// An interned list of string predicates.
#[derive(Debug, Clone, Default)]
pub(crate) struct PredSet {
    pub(crate) preds: Vec<StrPred>,
    index: HashMap<StrPred, usize>,
}

impl PredSet {
    pub(crate) fn add(&mut self, p: StrPred) -> usize {
        if let Some(&i) = self.index.get(&p) {
            return i;
        }
        self.index.insert(p.clone(), self.preds.len());
        self.preds.push(p);
        self.preds.len() - 1
    }

    pub(crate) fn get(&self, p: &StrPred) -> Option<usize> {
        self.index.get(p).copied()
    }
}

/// What the policies do with one condition key.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyUse {
    /// Used with `ForAllValues:`/`ForAnyValue:`: modelled as a set.
    pub(crate) multi: bool,
    /// Used without a qualifier.
    pub(crate) single: bool,
    /// String, ARN and binary values.
    pub(crate) strings: PredSet,
    /// Numeric operators: all values integral?
    pub(crate) numeric: bool,
    /// Date operators.
    pub(crate) date: bool,
    /// `Bool`.
    pub(crate) boolean: bool,
    /// `IpAddress`/`NotIpAddress`.
    pub(crate) ip: bool,
    /// The distinct conditions with a set qualifier (`ForAllValues:`/`ForAnyValue:`) on the
    /// key: a counterexample needs at most one value per such condition (the witness of a
    /// `ForAnyValue` that holds, or the violation of a `ForAllValues` that does not; the
    /// other outcomes are kept by every subset), so a set of that many symbolic values is
    /// exact.
    pub(crate) set_conditions: std::collections::BTreeSet<String>,
    /// The (positive operator, value) pairs of the numeric, date, `Bool` and IP conditions
    /// on the key, to check a decoded value of a key used with several families.
    pub(crate) typed: Vec<(BaseOperator, String)>,
    /// Named as a policy variable (`${key}`) somewhere.
    pub(crate) variable: bool,
}

impl KeyUse {
    /// How many operator families (string-like, numeric, date, `Bool`, IP) use the key.
    pub(crate) fn families(&self) -> usize {
        usize::from(!self.strings.preds.is_empty())
            + usize::from(self.numeric)
            + usize::from(self.date)
            + usize::from(self.boolean)
            + usize::from(self.ip)
    }
}

/// The vocabulary.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocab {
    pub(crate) actions: Vec<String>,
    action_index: HashMap<String, usize>,
    pub(crate) clauses: Vec<Clause>,
    clause_index: HashMap<Clause, usize>,
    pub(crate) resources: PredSet,
    pub(crate) keys: BTreeMap<String, KeyUse>,
    pub(crate) principals: Vec<RequestPrincipal>,
    pub(crate) uses_principal: bool,
}

/// The positive operator whose atoms a string-family condition is built from.
pub(crate) fn string_atom_op(base: BaseOperator) -> Option<BaseOperator> {
    let pos = base.positive();
    match pos.family() {
        OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Binary => Some(pos),
        _ => None,
    }
}

impl Vocab {
    pub(crate) fn add_action(&mut self, p: &str) -> usize {
        let p = p.to_ascii_lowercase();
        if let Some(&i) = self.action_index.get(&p) {
            return i;
        }
        self.action_index.insert(p.clone(), self.actions.len());
        self.actions.push(p);
        self.actions.len() - 1
    }

    /// Register an action clause and return its index.
    pub(crate) fn add_clause<'a>(
        &mut self,
        negated: bool,
        patterns: impl IntoIterator<Item = &'a str>,
    ) -> usize {
        let mut idx: Vec<usize> = patterns.into_iter().map(|p| self.add_action(p)).collect();
        idx.sort_unstable();
        idx.dedup();
        let c = Clause {
            negated,
            patterns: idx,
        };
        if let Some(&i) = self.clause_index.get(&c) {
            return i;
        }
        self.clause_index.insert(c.clone(), self.clauses.len());
        self.clauses.push(c);
        self.clauses.len() - 1
    }

    /// The index of a registered clause.
    pub(crate) fn clause<'a>(
        &self,
        negated: bool,
        patterns: impl IntoIterator<Item = &'a str>,
    ) -> Option<usize> {
        let mut idx = Vec::new();
        for p in patterns {
            idx.push(*self.action_index.get(&p.to_ascii_lowercase())?);
        }
        idx.sort_unstable();
        idx.dedup();
        self.clause_index
            .get(&Clause {
                negated,
                patterns: idx,
            })
            .copied()
    }

    pub(crate) fn add_principal(&mut self, p: RequestPrincipal) {
        if !self.principals.contains(&p) {
            self.principals.push(p);
        }
    }

    pub(crate) fn add_stack(&mut self, stack: &Stack) {
        for p in stack.policies() {
            self.add_policy(p);
        }
    }

    fn add_policy(&mut self, policy: &Policy) {
        let vars = policy.version.supports_variables();
        for s in &policy.statements {
            let (negated, ps) = match &s.action {
                ActionClause::Action(ps) => (false, ps),
                ActionClause::NotAction(ps) => (true, ps),
            };
            self.add_clause(negated, ps.iter().map(|p| p.0.as_str()));
            if let Some(ResourceClause::Resource(ps) | ResourceClause::NotResource(ps)) =
                &s.resource
            {
                for p in ps {
                    let pred = StrPred::Resource {
                        pattern: p.0.clone(),
                        variables: vars,
                    };
                    self.add_variables(&pred);
                    self.resources.add(pred);
                }
            }
            if let Some(PrincipalClause::Principal(ps) | PrincipalClause::NotPrincipal(ps)) =
                &s.principal
            {
                self.uses_principal = true;
                if let Principals::Specific(entries) = ps {
                    for e in entries {
                        for c in principal_candidates(e) {
                            self.add_principal(c);
                        }
                    }
                }
            }
            for c in &s.conditions {
                let key = c.key.to_ascii_lowercase();
                let u = self.keys.entry(key.clone()).or_default();
                if c.operator.qualifier.is_some() {
                    u.multi = true;
                    u.set_conditions
                        .insert(format!("{:?} {:?}", c.operator, c.values));
                } else {
                    u.single = true;
                }
                let mut named = Vec::new();
                match c.operator.base.family() {
                    OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Binary => {
                        if let Some(op) = string_atom_op(c.operator.base) {
                            for v in &c.values {
                                let pred = StrPred::Cond {
                                    op,
                                    key: key.clone(),
                                    value: v.clone(),
                                    variables: vars,
                                };
                                named.extend(pred.variable_keys());
                                u.strings.add(pred);
                            }
                        }
                    }
                    f => {
                        match f {
                            OperatorFamily::Numeric => u.numeric = true,
                            OperatorFamily::Date => u.date = true,
                            OperatorFamily::Bool => u.boolean = true,
                            OperatorFamily::Ip => u.ip = true,
                            _ => {}
                        }
                        if f != OperatorFamily::Null {
                            for v in &c.values {
                                u.typed.push((c.operator.base.positive(), v.clone()));
                            }
                        }
                    }
                }
                for (k, _) in named {
                    self.keys.entry(k).or_default().variable = true;
                }
            }
        }
    }

    /// Register the keys a pattern names as variables.
    fn add_variables(&mut self, pred: &StrPred) {
        for (k, _) in pred.variable_keys() {
            self.keys.entry(k).or_default().variable = true;
        }
    }
}

/// Concrete callers named by a principal entry (wildcards filled in): for an account, its
/// root and one user of it, since AWS lets an account principal stand for every identity of
/// the account.
fn principal_candidates(e: &PrincipalEntry) -> Vec<RequestPrincipal> {
    let fill = |s: &str| s.replace(['*', '?'], "x");
    let aws = |arn: String| RequestPrincipal::Aws { arn };
    let account_of = |s: &str| -> Option<String> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Some(s.to_string());
        }
        let acct = s.strip_prefix("arn:aws:iam::")?.strip_suffix(":root")?;
        Some(acct.to_string())
    };
    match e {
        PrincipalEntry::Aws(s) if s == "*" => Vec::new(),
        PrincipalEntry::Aws(s) => match account_of(s) {
            Some(a) => vec![
                aws(format!("arn:aws:iam::{a}:root")),
                aws(format!("arn:aws:iam::{a}:user/iamlogic")),
            ],
            None => vec![aws(fill(s))],
        },
        PrincipalEntry::Service(s) => vec![RequestPrincipal::Service { name: fill(s) }],
        PrincipalEntry::Federated(s) => vec![RequestPrincipal::Federated { provider: fill(s) }],
        PrincipalEntry::CanonicalUser(s) => vec![RequestPrincipal::CanonicalUser { id: fill(s) }],
    }
}
