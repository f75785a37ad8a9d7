//! The action index: which statements can match an action, found without looking at every
//! statement. Statements are bucketed by the service prefix of their action patterns, so a
//! request for `s3:GetObject` only tries the `s3:` patterns and the patterns whose service
//! part has a wildcard. Matching itself is [`facts::wildcard::glob_match`] (case-insensitive,
//! as AWS compares action names); the expensive full check (resource, principal, conditions)
//! then runs only on these candidates.

use std::collections::HashMap;

use facts::policy::ActionClause;
use facts::tables::{FactTables, StmtId};
use facts::wildcard::{glob_match, has_wildcard};

/// Statements bucketed by the service prefix of their `Action` patterns.
#[derive(Debug, Default)]
pub(crate) struct ActionIndex {
    /// Lowercased service prefix → (statement, its patterns for that service).
    by_service: HashMap<String, Vec<(StmtId, Vec<String>)>>,
    /// Statements with patterns whose service part has a wildcard (`*`, `s3*:Get*`...).
    wild: Vec<(StmtId, Vec<String>)>,
    /// `NotAction` statements with all their patterns: they match when none matches.
    not_action: Vec<(StmtId, Vec<String>)>,
}

/// Lowercased action → the statements whose action element matches it.
#[derive(Debug, Default)]
pub(crate) struct ActionMemo(pub(crate) HashMap<String, Vec<StmtId>>);

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

impl ActionIndex {
    /// Index every statement of `tables`.
    pub(crate) fn new(tables: &FactTables) -> ActionIndex {
        let mut idx = ActionIndex::default();
        for s in 0..tables.statements.len() {
            let sid = s as StmtId;
            let Some((_, stmt)) = tables.statement(sid) else {
                continue;
            };
            match &stmt.action {
                ActionClause::Action(pats) => {
                    let mut per: HashMap<String, Vec<String>> = HashMap::new();
                    let mut wild = Vec::new();
                    for p in pats {
                        match service_of(&p.0) {
                            Some(svc) => per.entry(svc).or_default().push(p.0.clone()),
                            None => wild.push(p.0.clone()),
                        }
                    }
                    for (svc, v) in per {
                        idx.by_service.entry(svc).or_default().push((sid, v));
                    }
                    if !wild.is_empty() {
                        idx.wild.push((sid, wild));
                    }
                }
                ActionClause::NotAction(pats) => {
                    idx.not_action
                        .push((sid, pats.iter().map(|p| p.0.clone()).collect()));
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
            if let std::collections::hash_map::Entry::Vacant(e) = memo.0.entry(lower) {
                let stmts = self.statements_for(e.key());
                e.insert(stmts);
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
                memo.0.contains_key(&a.to_ascii_lowercase())
            } else {
                memo.0.contains_key(a)
            }
        })
    }

    /// Every statement whose action element matches `action`, in increasing id order.
    pub(crate) fn statements_for(&self, action: &str) -> Vec<StmtId> {
        let any = |pats: &[String]| pats.iter().any(|p| glob_match(p, action, true));
        let mut out = Vec::new();
        if let Some(svc) = service_of(action) {
            if let Some(bucket) = self.by_service.get(&svc) {
                out.extend(bucket.iter().filter(|(_, p)| any(p)).map(|(s, _)| *s));
            }
        }
        out.extend(self.wild.iter().filter(|(_, p)| any(p)).map(|(s, _)| *s));
        out.extend(
            self.not_action
                .iter()
                .filter(|(_, p)| !any(p))
                .map(|(s, _)| *s),
        );
        out.sort_unstable();
        out.dedup();
        out
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
}
