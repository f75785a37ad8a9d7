//! The action index: which statements can match an action, found without looking at every
//! statement. Each distinct action pattern is kept once, with every statement that lists it
//! (the same documents are attached in many places, so an organization's statements share
//! few patterns): a request for `s3:GetObject` looks its exact patterns up in a map and
//! tries only the distinct wildcard patterns of the `s3:` service and those whose service
//! part has a wildcard. Matching itself is [`facts::wildcard::glob_match`]
//! (case-insensitive, as AWS compares action names); the expensive full check (resource,
//! principal, conditions) then runs only on these candidates.

use std::collections::HashMap;

use facts::policy::ActionClause;
use facts::tables::{FactTables, StmtId};
use facts::wildcard::{eq_ignore_case, glob_match, has_wildcard};

/// Distinct patterns, each with the statements that list it.
type Grouped = Vec<(String, Vec<StmtId>)>;

/// Statements grouped by their distinct `Action` patterns.
#[derive(Debug, Default)]
pub(crate) struct ActionIndex {
    /// ASCII patterns without wildcard, lowercased → the statements listing them.
    exact: HashMap<String, Vec<StmtId>>,
    /// Lowercased service prefix → its distinct ASCII wildcard patterns, lowercased.
    by_service: HashMap<String, Grouped>,
    /// Distinct ASCII patterns whose service part has a wildcard (`*`, `s3*:Get*`...) or
    /// that have no `:`, lowercased.
    wild: Grouped,
    /// Distinct patterns with non-ASCII characters, as written (matched one by one, so the
    /// Unicode case folding of `glob_match` decides).
    other: Grouped,
    /// `NotAction` statements grouped by their pattern lists: they match when none of the
    /// patterns matches.
    not_action: Vec<(Vec<String>, Vec<StmtId>)>,
    /// Number of statements of the tables (the size of the merge's bit set).
    statements: usize,
}

/// Lowercased action → the statements whose action element matches it.
#[derive(Debug, Default)]
pub(crate) struct ActionMemo {
    /// Per action, its statements.
    pub(crate) actions: HashMap<String, ActionStatements, crate::hash::FxBuildHasher>,
    /// Words of bit sets kept so far (see [`ActionMemo::BITS_BUDGET`]).
    bit_words: usize,
}

impl ActionMemo {
    /// How many 64-bit words of bit sets the memo keeps in all (16 MiB): an action's set has
    /// one bit per statement of the tables, so on large tables only the first few hundred
    /// actions keep theirs; the others are searched in their sorted lists.
    const BITS_BUDGET: usize = 2 << 20;

    /// The statements of `action` (lowercased), when the memo has it.
    pub(crate) fn get(&self, action: &str) -> Option<&ActionStatements> {
        self.actions.get(action)
    }
}

/// The statements whose action element matches one action: in increasing id order, and as
/// a bit set over statement ids when the memo's budget allowed it.
#[derive(Debug, Default)]
pub(crate) struct ActionStatements {
    /// The statements, in increasing id order.
    pub(crate) list: Vec<StmtId>,
    /// Bit `s` is set when statement `s` is in `list`.
    bits: Option<Box<[u64]>>,
}

impl ActionStatements {
    /// Call `f` with each statement among ids `first .. first + n` (one policy's
    /// statements), in increasing id order.
    pub(crate) fn each_in(&self, first: StmtId, n: u32, mut f: impl FnMut(StmtId)) {
        match &self.bits {
            Some(bits) => {
                for s in first..first.saturating_add(n) {
                    let set = bits
                        .get(s as usize / 64)
                        .is_some_and(|w| w & (1 << (s % 64)) != 0);
                    if set {
                        f(s);
                    }
                }
            }
            None => {
                // One binary search for the first; a policy has few statements, so the end
                // is found by stepping over them.
                let lo = self.list.partition_point(|&s| s < first);
                let end = first.saturating_add(n);
                for &s in self.list.get(lo..).unwrap_or(&[]).iter().take(n as usize) {
                    if s >= end {
                        break;
                    }
                    f(s);
                }
            }
        }
    }
}

/// The lowercased service prefix of a pattern or action (`s3` of `S3:Get*`), or `None` when
/// the service part has a wildcard or there is no `:`.
fn service_of(pattern: &str) -> Option<String> {
    let (svc, _) = pattern.split_once(':')?;
    if has_wildcard(svc) {
        None
    } else {
        Some(svc.to_ascii_lowercase())
    }
}

/// `pattern` added to the group of equal patterns in `groups` (through `seen`, pattern →
/// position), for statement `sid`.
fn add(groups: &mut Grouped, seen: &mut HashMap<String, usize>, pattern: String, sid: StmtId) {
    let at = *seen.entry(pattern).or_insert_with_key(|p| {
        groups.push((p.clone(), Vec::new()));
        groups.len() - 1
    });
    if let Some((_, stmts)) = groups.get_mut(at) {
        if stmts.last() != Some(&sid) {
            stmts.push(sid);
        }
    }
}

/// The statement lists of the patterns of `groups` that match `action`.
fn matching<'g>(groups: &'g Grouped, action: &'g str) -> impl Iterator<Item = &'g [StmtId]> {
    groups
        .iter()
        .filter(move |(p, _)| glob_match(p, action, true))
        .map(|(_, s)| s.as_slice())
}

impl ActionIndex {
    /// Index every statement of `tables`.
    pub(crate) fn new(tables: &FactTables) -> ActionIndex {
        let mut idx = ActionIndex {
            statements: tables.statements.len(),
            ..ActionIndex::default()
        };
        let mut seen_service: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let mut seen_wild = HashMap::new();
        let mut seen_other = HashMap::new();
        let mut seen_not: HashMap<Vec<String>, usize> = HashMap::new();
        for s in 0..tables.statements.len() {
            let sid = s as StmtId;
            let Some((_, stmt)) = tables.statement(sid) else {
                continue;
            };
            match &stmt.action {
                ActionClause::Action(pats) => {
                    for p in pats {
                        let p = &p.0;
                        if !p.is_ascii() {
                            add(&mut idx.other, &mut seen_other, p.clone(), sid);
                        } else if !has_wildcard(p) {
                            let v = idx.exact.entry(p.to_ascii_lowercase()).or_default();
                            if v.last() != Some(&sid) {
                                v.push(sid);
                            }
                        } else {
                            let lower = p.to_ascii_lowercase();
                            match service_of(&lower) {
                                Some(svc) => {
                                    let seen = seen_service.entry(svc.clone()).or_default();
                                    add(idx.by_service.entry(svc).or_default(), seen, lower, sid);
                                }
                                None => add(&mut idx.wild, &mut seen_wild, lower, sid),
                            }
                        }
                    }
                }
                ActionClause::NotAction(pats) => {
                    let list: Vec<String> = pats.iter().map(|p| p.0.clone()).collect();
                    let at = *seen_not.entry(list).or_insert_with_key(|l| {
                        idx.not_action.push((l.clone(), Vec::new()));
                        idx.not_action.len() - 1
                    });
                    if let Some((_, stmts)) = idx.not_action.get_mut(at) {
                        stmts.push(sid);
                    }
                }
            }
        }
        idx
    }

    /// Add the statements of every distinct action of `actions` (lowercased) not yet in
    /// `memo`: each action is matched against the index once per engine.
    pub(crate) fn extend_memo<'a>(
        &self,
        memo: &mut ActionMemo,
        actions: impl Iterator<Item = &'a str>,
    ) {
        for a in actions {
            let lower = a.to_ascii_lowercase();
            if let std::collections::hash_map::Entry::Vacant(e) = memo.actions.entry(lower) {
                let (list, bits) = self.statements_and_bits(e.key());
                let keep = memo.bit_words + bits.len() <= ActionMemo::BITS_BUDGET;
                if keep {
                    memo.bit_words += bits.len();
                }
                e.insert(ActionStatements {
                    list,
                    bits: keep.then(|| bits.into_boxed_slice()),
                });
            }
        }
    }

    /// Whether `memo` already has every action of `actions`.
    pub(crate) fn covers<'a>(
        &self,
        memo: &ActionMemo,
        mut actions: impl Iterator<Item = &'a str>,
    ) -> bool {
        actions.all(|a| {
            if a.bytes().any(|b| b.is_ascii_uppercase()) {
                memo.actions.contains_key(&a.to_ascii_lowercase())
            } else {
                memo.actions.contains_key(a)
            }
        })
    }

    /// Every statement whose action element matches `action`, in increasing id order.
    #[cfg(test)]
    pub(crate) fn statements_for(&self, action: &str) -> Vec<StmtId> {
        self.statements_and_bits(action).0
    }

    /// Every statement whose action element matches `action`, in increasing id order, and
    /// the same as a bit set over statement ids.
    pub(crate) fn statements_and_bits(&self, action: &str) -> (Vec<StmtId>, Vec<u64>) {
        // Statements are merged in a bit set: a popular action is listed by many
        // statements, often by several of their patterns.
        let mut bits = vec![0u64; self.statements.div_ceil(64)];
        let mut set = |stmts: &[StmtId]| {
            for &s in stmts {
                if let Some(w) = bits.get_mut(s as usize / 64) {
                    *w |= 1 << (s % 64);
                }
            }
        };
        if action.is_ascii() {
            if let Some(stmts) = self.exact.get(&action.to_ascii_lowercase()) {
                set(stmts);
            }
        } else {
            // `eq_ignore_case` folds Unicode characters (the Kelvin sign is a `k`): try
            // every exact pattern.
            for (p, stmts) in &self.exact {
                if eq_ignore_case(p, action) {
                    set(stmts);
                }
            }
        }
        if !action.is_ascii() {
            // Unicode folding may make its service part any service's: try them all.
            for groups in self.by_service.values() {
                matching(groups, action).for_each(&mut set);
            }
        } else if let Some(svc) = service_of(action) {
            if let Some(groups) = self.by_service.get(&svc) {
                matching(groups, action).for_each(&mut set);
            }
        }
        matching(&self.wild, action).for_each(&mut set);
        matching(&self.other, action).for_each(&mut set);
        for (pats, stmts) in &self.not_action {
            if !pats.iter().any(|p| glob_match(p, action, true)) {
                set(stmts);
            }
        }
        let mut out = Vec::new();
        for (i, &w) in bits.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros();
                out.push((i * 64) as StmtId + b as StmtId);
                w &= w - 1;
            }
        }
        (out, bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::policy::{ActionPattern, Effect, Policy, PolicyVersion, Statement};
    use facts::tables::TablesBuilder;
    use std::sync::Arc;

    fn stmt(i: usize, clause: ActionClause) -> Statement {
        Statement {
            index: i,
            sid: None,
            effect: Effect::Allow,
            action: clause,
            resource: None,
            principal: None,
            conditions: vec![],
        }
    }

    fn pats(p: &[&str]) -> Vec<ActionPattern> {
        p.iter().map(|s| ActionPattern(s.to_string())).collect()
    }

    /// `each_in` finds a policy's statements among an action's the same way with the bit
    /// set and with the sorted list alone (the memo keeps no bit set beyond its budget).
    #[test]
    fn statements_of_a_policy_with_and_without_bits() {
        let total = 300u32;
        // Every third statement and a run, 0..300.
        let list: Vec<StmtId> = (0..total)
            .filter(|s| s % 3 == 0 || (100..140).contains(s))
            .collect();
        let mut bits = vec![0u64; (total as usize).div_ceil(64)];
        for &s in &list {
            bits[s as usize / 64] |= 1 << (s % 64);
        }
        let with = ActionStatements {
            list: list.clone(),
            bits: Some(bits.into_boxed_slice()),
        };
        let without = ActionStatements { list, bits: None };
        let mut checked = 0;
        for first in 0..total + 5 {
            for n in 0..8 {
                let want: Vec<StmtId> = without
                    .list
                    .iter()
                    .copied()
                    .filter(|&s| s >= first && s < first + n)
                    .collect();
                let (mut a, mut b) = (Vec::new(), Vec::new());
                with.each_in(first, n, |s| a.push(s));
                without.each_in(first, n, |s| b.push(s));
                assert_eq!(a, want, "bits, first {first}, n {n}");
                assert_eq!(b, want, "list, first {first}, n {n}");
                checked += usize::from(!want.is_empty());
            }
        }
        assert!(checked > 100, "the cases reach some statements");
    }

    /// The memo keeps bit sets within its budget, and lists for every action.
    #[test]
    fn memo_keeps_bits_within_budget() {
        let mut b = TablesBuilder::new();
        b.policy(
            "p",
            Arc::new(Policy {
                version: PolicyVersion::V2012_10_17,
                version_given: true,
                id: None,
                statements: vec![stmt(0, ActionClause::Action(pats(&["s3:*"])))],
            }),
        );
        let t = b.finish();
        let idx = ActionIndex::new(&t);
        let mut memo = ActionMemo {
            bit_words: ActionMemo::BITS_BUDGET,
            ..ActionMemo::default()
        };
        idx.extend_memo(&mut memo, ["s3:getobject"].into_iter());
        let full = memo.get("s3:getobject").expect("memoised");
        assert_eq!(full.list, vec![0]);
        assert!(full.bits.is_none(), "no room left for bits");
        let mut memo = ActionMemo::default();
        idx.extend_memo(&mut memo, ["s3:getobject", "ec2:runinstances"].into_iter());
        let got = memo.get("s3:getobject").expect("memoised");
        assert!(got.bits.is_some());
        let mut found = Vec::new();
        got.each_in(0, 1, |s| found.push(s));
        assert_eq!(found, vec![0]);
        let none = memo.get("ec2:runinstances").expect("memoised");
        assert!(none.list.is_empty());
        none.each_in(0, 1, |_| panic!("ec2:RunInstances matches no statement"));
    }

    #[test]
    fn finds_exact_wildcard_and_not_action_statements() {
        let mut b = TablesBuilder::new();
        b.policy(
            "p",
            Arc::new(Policy {
                version: PolicyVersion::V2012_10_17,
                version_given: true,
                id: None,
                statements: vec![
                    stmt(0, ActionClause::Action(pats(&["s3:Get*", "ec2:*"]))),
                    stmt(1, ActionClause::Action(pats(&["*"]))),
                    stmt(2, ActionClause::NotAction(pats(&["s3:*"]))),
                    stmt(3, ActionClause::Action(pats(&["iam:PassRole"]))),
                    stmt(4, ActionClause::Action(pats(&["S3*:getobject"]))),
                ],
            }),
        );
        let t = b.finish();
        let idx = ActionIndex::new(&t);
        // IAM User Guide, "Action": action names are case-insensitive.
        assert_eq!(idx.statements_for("S3:GetObject"), vec![0, 1, 4]);
        assert_eq!(idx.statements_for("ec2:RunInstances"), vec![0, 1, 2]);
        assert_eq!(idx.statements_for("iam:passrole"), vec![1, 2, 3]);
        assert_eq!(idx.statements_for("s3:PutObject"), vec![1]);
    }

    /// The index finds exactly the statements the evaluator's own action matching accepts
    /// (IAM User Guide, "IAM JSON policy elements: Action" and "NotAction": action names
    /// are case-insensitive), when many policies share patterns, for exact, wildcard,
    /// service-wildcard, `NotAction` and non-ASCII patterns and actions.
    #[test]
    fn agrees_with_the_evaluator_on_shared_and_unicode_patterns() {
        let mut b = TablesBuilder::new();
        let lists: [&[&str]; 6] = [
            &["s3:GetObject", "S3:get*", "kms:Decrypt"],
            &["s3:getobject", "sqs:*"],
            &["*:Get?bject", "\u{212A}ms:Encrypt"],
            &["s3:Put*", "iam:PassRole", "kms:*"],
            &["iam:*"],
            &["sts:AssumeRole"],
        ];
        for copy in 0..3 {
            for (i, l) in lists.iter().enumerate() {
                let clause = if i == 4 {
                    ActionClause::NotAction(pats(l))
                } else {
                    ActionClause::Action(pats(l))
                };
                b.policy(
                    &format!("p{copy}-{i}"),
                    Arc::new(Policy {
                        version: PolicyVersion::V2012_10_17,
                        version_given: true,
                        id: None,
                        statements: vec![stmt(0, clause.clone()), stmt(1, clause)],
                    }),
                );
            }
        }
        let t = b.finish();
        let idx = ActionIndex::new(&t);
        let actions = [
            "s3:getobject",
            "S3:GetObject",
            "s3:putobject",
            "kms:decrypt",
            "\u{212A}ms:decrypt",
            "kms:encrypt",
            "\u{212A}MS:ENCRYPT",
            "ec2:getobject",
            "iam:passrole",
            "sts:assumerole",
            "sqs:sendmessage",
        ];
        for a in actions {
            let want: Vec<StmtId> = (0..t.statements.len() as StmtId)
                .filter(|&s| {
                    t.statement(s)
                        .is_some_and(|(_, st)| facts::eval::action_matches(&st.action, a))
                })
                .collect();
            assert!(!want.is_empty(), "{a} should match some statement");
            assert_eq!(idx.statements_for(a), want, "{a}");
        }
    }
}
