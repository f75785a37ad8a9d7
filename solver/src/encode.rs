//! The Z3 variables of one symbolic request, and the formula "this stack allows it".
//!
//! Contract: for every concrete request the decoder can produce, the formula is true exactly
//! when `Stack::allows` (the concrete evaluator) says so, except where a policy variable makes
//! an atom opaque; the engine then marks results as approximate.

use facts::condition::{BaseOperator, OperatorFamily, SetQualifier};
use facts::policy::{
    ActionClause, ActionPattern, Condition, Effect, PrincipalClause, ResourceClause, Statement,
};
use facts::request::{Context, Request, RequestPrincipal};
use facts::Policy;
use z3::ast::{Bool, Int, Real, BV};

use crate::actions::{ActionDomain, Catalogue};
use crate::stack::Stack;
use crate::strings::StrPred;
use crate::values::{cidr, decimal, epoch_nanos, mask128, mask32, Cidr};
use crate::vocab::{string_atom_op, KeyUse, Vocab};

/// One value of a key (a single-valued key has one; a set has one per distinct qualified
/// condition on the key, see [`KeyUse::set_conditions`]).
pub(crate) struct Elem {
    pub(crate) present: Bool,
    pub(crate) atoms: Vec<Bool>,
    pub(crate) num: Real,
    /// The value is a number (constant true unless the key also has string atoms: then a
    /// string value may be no number, and every numeric condition is false for it).
    pub(crate) is_num: Bool,
    /// Nanoseconds since the epoch (`facts::condition::eval::date::Instant`).
    pub(crate) date: Int,
    pub(crate) boolean: Bool,
    pub(crate) is_v4: Bool,
    pub(crate) ip4: BV,
    pub(crate) ip6: BV,
}

/// The variables of one condition key: absent, one value, or a set of values (the request's
/// `ContextValue::Multi`, possibly empty).
pub(crate) struct KeyVars {
    pub(crate) name: String,
    pub(crate) usage: KeyUse,
    pub(crate) present: Bool,
    /// The value is a set (only for keys that may be one, see [`may_be_set`]; constant false
    /// otherwise).
    pub(crate) multi: Bool,
    pub(crate) elems: Vec<Elem>,
}

/// Whether a request may carry `key` as a set of values. IAM User Guide, "Single-valued vs.
/// multivalued context keys": a single-valued key has at most one value in the request
/// context, and the Service Authorization Reference marks multivalued keys with the
/// `ArrayOf` prefix; so a key the catalogue documents is a set only when its type is
/// `ArrayOf...`, whatever set qualifiers (`ForAnyValue:`, `ForAllValues:`) the policies put
/// on it (`ForAnyValue:StringEquals` on the `String` key `ec2:CreateAction` still reads one
/// value). A key outside the catalogue may be a set when a policy uses it with a qualifier.
fn may_be_set(key: &str, usage: &KeyUse) -> bool {
    match facts::catalogue::Catalogue::get().condition_key(key) {
        Some(k) => k.key_type().is_multivalued(),
        None => usage.multi,
    }
}

/// The symbolic request.
pub(crate) struct Engine {
    pub(crate) vocab: Vocab,
    pub(crate) actions: ActionDomain,
    pub(crate) act: Int,
    pub(crate) res_atoms: Vec<Bool>,
    pub(crate) principal: Int,
    pub(crate) keys: Vec<KeyVars>,
    /// Constraints on the variables themselves (domains, set structure).
    pub(crate) domain: Vec<Bool>,
    /// The solver every search over this engine shares, made at the first search.
    pub(crate) base: std::cell::OnceCell<crate::search::Base>,
}

fn fresh_atoms(prefix: &str, n: usize) -> Vec<Bool> {
    (0..n)
        .map(|i| Bool::new_const(format!("{prefix}{i}")))
        .collect()
}

/// Literal patterns: atoms of the same text are equal, and at most one text holds.
fn literal_constraints(preds: &[StrPred], atoms: &[Bool], out: &mut Vec<Bool>) {
    let mut first_of: std::collections::HashMap<&str, &Bool> = std::collections::HashMap::new();
    let mut distinct: Vec<(&Bool, i32)> = Vec::new();
    for (p, a) in preds.iter().zip(atoms) {
        let Some(text) = p.literal() else { continue };
        match first_of.get(text) {
            Some(&b) => out.push(a.eq(b)),
            None => {
                first_of.insert(text, a);
                distinct.push((a, 1));
            }
        }
    }
    if distinct.len() > 1 {
        out.push(Bool::pb_le(&distinct, 1));
    }
}

impl Engine {
    pub(crate) fn new(vocab: Vocab, catalogue: &Catalogue, unknown_actions: bool) -> Engine {
        let actions = ActionDomain::build(
            &vocab.actions,
            &vocab.clauses,
            catalogue.shared(),
            unknown_actions,
        );
        let act = Int::new_const("action");
        let principal = Int::new_const("principal");
        let mut domain = vec![
            act.ge(Int::from_i64(0)),
            act.lt(Int::from_u64(actions.classes.len() as u64)),
            principal.ge(Int::from_i64(0)),
            principal.lt(Int::from_u64(vocab.principals.len().max(1) as u64)),
        ];
        let res_atoms = fresh_atoms("r", vocab.resources.preds.len());
        literal_constraints(&vocab.resources.preds, &res_atoms, &mut domain);
        let mut keys = Vec::new();
        for (ki, (name, usage)) in vocab.keys.iter().enumerate() {
            let present = Bool::new_const(format!("k{ki}"));
            let may_multi = may_be_set(name, usage);
            let n = if may_multi {
                usage.set_conditions.len().max(1)
            } else {
                1
            };
            let multi = if may_multi {
                Bool::new_const(format!("k{ki}multi"))
            } else {
                Bool::from_bool(false)
            };
            let mut elems: Vec<Elem> = Vec::new();
            for e in 0..n {
                let p = format!("k{ki}e{e}");
                let el = Elem {
                    present: if may_multi {
                        Bool::new_const(format!("{p}present"))
                    } else {
                        present.clone()
                    },
                    atoms: fresh_atoms(&format!("{p}a"), usage.strings.preds.len()),
                    num: Real::new_const(format!("{p}num")),
                    is_num: if usage.numeric && !usage.strings.preds.is_empty() {
                        Bool::new_const(format!("{p}isnum"))
                    } else {
                        Bool::from_bool(true)
                    },
                    date: Int::new_const(format!("{p}date")),
                    boolean: Bool::new_const(format!("{p}bool")),
                    is_v4: Bool::new_const(format!("{p}v4")),
                    ip4: BV::new_const(format!("{p}ip4"), 32),
                    ip6: BV::new_const(format!("{p}ip6"), 128),
                };
                if may_multi {
                    // Elements exist only in a present key; a single value is element 0.
                    domain.push(el.present.implies(&present));
                    let single = Bool::and(&[present.clone(), multi.not()]);
                    if e == 0 {
                        domain.push(single.implies(&el.present));
                    } else {
                        domain.push(multi.not().implies(el.present.not()));
                    }
                }
                literal_constraints(&usage.strings.preds, &el.atoms, &mut domain);
                // One value for both families: a literal string the value equals fixes its
                // number (read with the evaluator's parser), or says it is none.
                if usage.numeric {
                    for (pred, atom) in usage.strings.preds.iter().zip(&el.atoms) {
                        let Some(text) = pred.literal() else { continue };
                        let exact = matches!(
                            pred,
                            StrPred::Cond {
                                op: BaseOperator::StringEquals,
                                ..
                            }
                        );
                        if !exact {
                            continue;
                        }
                        let link = match decimal(text) {
                            Some(n) => Bool::and(&[el.is_num.clone(), el.num.eq(&n)]),
                            None => el.is_num.not(),
                        };
                        domain.push(atom.implies(link));
                    }
                }
                elems.push(el);
            }
            keys.push(KeyVars {
                name: name.clone(),
                usage: usage.clone(),
                present,
                multi,
                elems,
            });
        }
        // A pattern whose variable has no default matches nothing unless the variable's key
        // has one value (IAM User Guide, "Variables and tags": a missing key makes the
        // element match nothing; a multivalued key cannot be a variable).
        let mut lemmas = Vec::new();
        let resolvable = |keys: &[KeyVars], pred: &StrPred| -> Vec<Bool> {
            pred.variable_keys()
                .into_iter()
                .filter(|(_, default)| !default)
                .filter_map(|(k, _)| keys.iter().find(|kv| kv.name == k))
                .map(|kv| Bool::and(&[kv.present.clone(), kv.multi.not()]))
                .collect()
        };
        for (i, pred) in vocab.resources.preds.iter().enumerate() {
            let need = resolvable(&keys, pred);
            if let (false, Some(a)) = (need.is_empty(), res_atoms.get(i)) {
                lemmas.push(a.implies(Bool::and(&need)));
            }
        }
        for kv in &keys {
            for (i, pred) in kv.usage.strings.preds.iter().enumerate() {
                let need = resolvable(&keys, pred);
                if need.is_empty() {
                    continue;
                }
                for el in &kv.elems {
                    if let Some(a) = el.atoms.get(i) {
                        lemmas.push(a.implies(Bool::and(&need)));
                    }
                }
            }
        }
        domain.extend(lemmas);
        Engine {
            vocab,
            actions,
            act,
            res_atoms,
            principal,
            keys,
            domain,
            base: std::cell::OnceCell::new(),
        }
    }

    /// The action clause holds.
    fn clause_atom<'a>(&self, negated: bool, patterns: impl IntoIterator<Item = &'a str>) -> Bool {
        let Some(ci) = self.vocab.clause(negated, patterns) else {
            return Bool::from_bool(false);
        };
        let classes = self
            .actions
            .clause_classes
            .get(ci)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if classes.len() == self.actions.classes.len() {
            return Bool::from_bool(true);
        }
        let eqs: Vec<Bool> = classes
            .iter()
            .map(|&c| self.act.eq(Int::from_u64(c as u64)))
            .collect();
        Bool::or(&eqs)
    }

    /// `action` matches one of `patterns` (registered in the vocabulary as a clause).
    pub(crate) fn action_in(&self, patterns: &[String]) -> Bool {
        self.clause_atom(false, patterns.iter().map(String::as_str))
    }

    fn resource_atom(&self, pattern: &str, variables: bool) -> Bool {
        let pred = StrPred::Resource {
            pattern: pattern.to_string(),
            variables,
        };
        self.vocab
            .resources
            .get(&pred)
            .and_then(|i| self.res_atoms.get(i))
            .cloned()
            .unwrap_or_else(|| Bool::from_bool(false))
    }

    /// `resource` matches one of `patterns` (registered in the vocabulary, variables off).
    pub(crate) fn resource_in(&self, patterns: &[String]) -> Bool {
        let v: Vec<Bool> = patterns
            .iter()
            .map(|p| self.resource_atom(p, false))
            .collect();
        Bool::or(&v)
    }

    /// The principal is candidate `k`.
    pub(crate) fn principal_is(&self, k: usize) -> Bool {
        self.principal.eq(Int::from_u64(k as u64))
    }

    /// The formula "`stack` allows the symbolic request".
    pub(crate) fn allows(&self, stack: &Stack) -> Bool {
        let mut parts = Vec::new();
        let mut denies = Vec::new();
        for layer in &stack.layers {
            let mut allows = Vec::new();
            for p in &layer.policies {
                for s in &p.statements {
                    let a = self.applies(p, s);
                    match s.effect {
                        Effect::Allow => allows.push(a),
                        Effect::Deny => denies.push(a),
                    }
                }
            }
            parts.push(Bool::or(&allows));
        }
        if stack.layers.is_empty() {
            return Bool::from_bool(false);
        }
        parts.push(Bool::or(&denies).not());
        Bool::and(&parts)
    }

    fn applies(&self, policy: &Policy, s: &Statement) -> Bool {
        let vars = policy.version.supports_variables();
        let mut parts = Vec::new();
        parts.push(match &s.action {
            ActionClause::Action(ps) => self.clause_atom(false, ps.iter().map(|p| p.0.as_str())),
            ActionClause::NotAction(ps) => self.clause_atom(true, ps.iter().map(|p| p.0.as_str())),
        });
        match &s.resource {
            Some(ResourceClause::Resource(ps)) => parts.push(self.any_resource(ps, vars)),
            Some(ResourceClause::NotResource(ps)) => parts.push(self.any_resource(ps, vars).not()),
            None => {}
        }
        if let Some(pc) = &s.principal {
            parts.push(self.principal_matches(policy, pc));
        }
        for c in &s.conditions {
            parts.push(self.condition(c, vars));
        }
        Bool::and(&parts)
    }

    fn any_resource(&self, ps: &[facts::policy::ResourcePattern], vars: bool) -> Bool {
        let v: Vec<Bool> = ps.iter().map(|p| self.resource_atom(&p.0, vars)).collect();
        Bool::or(&v)
    }

    /// Which candidate callers the principal element admits, decided by `facts::eval`.
    fn principal_matches(&self, policy: &Policy, pc: &PrincipalClause) -> Bool {
        let probe = Statement {
            index: 0,
            sid: None,
            effect: Effect::Allow,
            action: ActionClause::Action(vec![ActionPattern("*".to_string())]),
            resource: None,
            principal: Some(pc.clone()),
            conditions: Vec::new(),
        };
        let probe_policy = Policy {
            version: policy.version,
            version_given: policy.version_given,
            id: None,
            statements: vec![probe.clone()],
        };
        let mut eqs = Vec::new();
        for (k, cand) in self.vocab.principals.iter().enumerate() {
            let req = Request {
                principal: cand.clone(),
                action: "iamlogic:probe".to_string(),
                resource: "iamlogic-probe".to_string(),
                context: Context::new(),
            };
            if facts::eval::statement_applies(&probe_policy, &probe, &req) {
                eqs.push(self.principal_is(k));
            }
        }
        Bool::or(&eqs)
    }

    fn key(&self, name: &str) -> Option<&KeyVars> {
        let lower = name.to_ascii_lowercase();
        self.keys.iter().find(|k| k.name == lower)
    }

    /// Whether one element matches one value under the positive form of `base`.
    pub(crate) fn elem_matches(
        &self,
        kv: &KeyVars,
        e: &Elem,
        base: BaseOperator,
        value: &str,
        vars: bool,
    ) -> Bool {
        let pos = base.positive();
        match pos.family() {
            OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Binary => {
                let Some(op) = string_atom_op(pos) else {
                    return Bool::from_bool(false);
                };
                let pred = StrPred::Cond {
                    op,
                    key: kv.name.clone(),
                    value: value.to_string(),
                    variables: vars,
                };
                kv.usage
                    .strings
                    .get(&pred)
                    .and_then(|i| e.atoms.get(i))
                    .cloned()
                    .unwrap_or_else(|| Bool::from_bool(false))
            }
            OperatorFamily::Numeric => {
                let Some(c) = decimal(value) else {
                    return Bool::from_bool(false);
                };
                let holds = match pos {
                    BaseOperator::NumericEquals => e.num.eq(&c),
                    BaseOperator::NumericLessThan => e.num.lt(&c),
                    BaseOperator::NumericLessThanEquals => e.num.le(&c),
                    BaseOperator::NumericGreaterThan => e.num.gt(&c),
                    BaseOperator::NumericGreaterThanEquals => e.num.ge(&c),
                    _ => Bool::from_bool(false),
                };
                Bool::and(&[e.is_num.clone(), holds])
            }
            OperatorFamily::Date => {
                let Some(c) = epoch_nanos(value).map(Int::from_i128) else {
                    return Bool::from_bool(false);
                };
                match pos {
                    BaseOperator::DateEquals => e.date.eq(&c),
                    BaseOperator::DateLessThan => e.date.lt(&c),
                    BaseOperator::DateLessThanEquals => e.date.le(&c),
                    BaseOperator::DateGreaterThan => e.date.gt(&c),
                    BaseOperator::DateGreaterThanEquals => e.date.ge(&c),
                    _ => Bool::from_bool(false),
                }
            }
            OperatorFamily::Bool => match value.to_ascii_lowercase().as_str() {
                "true" => e.boolean.clone(),
                "false" => e.boolean.not(),
                _ => Bool::from_bool(false),
            },
            OperatorFamily::Ip => match cidr(value) {
                Some(Cidr::V4(net, len)) => Bool::and(&[
                    e.is_v4.clone(),
                    e.ip4
                        .bvand(BV::from_u64(u64::from(mask32(len)), 32))
                        .eq(BV::from_u64(u64::from(net), 32)),
                ]),
                Some(Cidr::V6(net, len)) => {
                    let m = mask128(len);
                    let hi = |x: u128| BV::from_u64((x >> 64) as u64, 64);
                    let lo = |x: u128| BV::from_u64(x as u64, 64);
                    let mask = hi(m).concat(lo(m));
                    let netbv = hi(net).concat(lo(net));
                    Bool::and(&[e.is_v4.not(), e.ip6.bvand(mask).eq(netbv)])
                }
                None => Bool::from_bool(false),
            },
            OperatorFamily::Null => Bool::from_bool(false),
        }
    }

    /// One condition entry, with AWS's rules for absent keys, negation, `IfExists` and set
    /// qualifiers (IAM User Guide, "Condition operators" and "Multivalued context keys"),
    /// exactly as `facts::condition::eval::condition_holds` applies them: a set without a
    /// qualifier matches no positive operator and every negated one; `Null: true` holds for
    /// an absent key or an empty set.
    fn condition(&self, c: &Condition, vars: bool) -> Bool {
        let Some(kv) = self.key(&c.key) else {
            return Bool::from_bool(false);
        };
        let op = c.operator;
        let no_element = || {
            let v: Vec<Bool> = kv.elems.iter().map(|e| e.present.not()).collect();
            Bool::and(&v)
        };
        if op.base == BaseOperator::Null {
            let absent = Bool::or(&[
                kv.present.not(),
                Bool::and(&[kv.multi.clone(), no_element()]),
            ]);
            let v: Vec<Bool> = c
                .values
                .iter()
                .map(|v| match v.to_ascii_lowercase().as_str() {
                    "true" => absent.clone(),
                    "false" => absent.not(),
                    _ => Bool::from_bool(false),
                })
                .collect();
            return Bool::or(&v);
        }
        let negated = op.base.is_negated();
        // Some policy value matches the element under the positive operator.
        let any = |e: &Elem| {
            let v: Vec<Bool> = c
                .values
                .iter()
                .map(|v| self.elem_matches(kv, e, op.base, v, vars))
                .collect();
            Bool::or(&v)
        };
        // The element satisfies the (possibly negated) operator.
        let sat = |e: &Elem| if negated { any(e).not() } else { any(e) };
        let body = match op.qualifier {
            None => match kv.elems.first() {
                Some(e) if negated => Bool::or(&[kv.present.not(), kv.multi.clone(), any(e).not()]),
                Some(e) => Bool::and(&[kv.present.clone(), kv.multi.not(), any(e)]),
                None => Bool::from_bool(negated),
            },
            Some(SetQualifier::ForAnyValue) => {
                let v: Vec<Bool> = kv
                    .elems
                    .iter()
                    .map(|e| Bool::and(&[e.present.clone(), sat(e)]))
                    .collect();
                Bool::or(&v)
            }
            Some(SetQualifier::ForAllValues) => {
                let v: Vec<Bool> = kv.elems.iter().map(|e| e.present.implies(sat(e))).collect();
                Bool::and(&v)
            }
        };
        if op.if_exists {
            Bool::or(&[kv.present.not(), body])
        } else {
            body
        }
    }

    /// The keys used with several operator families (one value must satisfy them together;
    /// the decoder checks it).
    pub(crate) fn mixed_keys(&self) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| k.usage.families() > 1)
            .map(|k| k.name.clone())
            .collect()
    }

    /// The candidate caller `k`.
    pub(crate) fn principal_candidate(&self, k: usize) -> RequestPrincipal {
        self.vocab
            .principals
            .get(k)
            .cloned()
            .unwrap_or(RequestPrincipal::Aws {
                arn: "arn:aws:iam::111122223333:user/iamlogic".to_string(),
            })
    }
}
