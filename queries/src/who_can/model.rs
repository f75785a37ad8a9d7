//! The result model of who-can (and of what-can, paths, escalation and audit, which render
//! the same structs): plain serialisable values, no presentation.

use facts::tables::Layer;
use serde::Serialize;

/// What kind of principal an answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    /// An IAM user of a loaded account.
    User,
    /// An IAM role of a loaded account (any session of it).
    Role,
    /// The root user of a loaded account.
    Root,
    /// An account the data does not hold, named by a resource policy: anyone in it that its
    /// own policies allow.
    ExternalAccount,
    /// A role, user or session of an account the data does not hold, named by a resource
    /// policy (its own account's policies must allow it too).
    ExternalPrincipal,
    /// An AWS service principal named by a resource policy.
    Service,
    /// Anonymous or public access (`*`).
    Public,
}

impl PrincipalKind {
    /// `user`, `role`, `root`, `externalAccount`, `externalPrincipal`, `service`, `public`.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Root => "root",
            PrincipalKind::ExternalAccount => "externalAccount",
            PrincipalKind::ExternalPrincipal => "externalPrincipal",
            PrincipalKind::Service => "service",
            PrincipalKind::Public => "public",
        }
    }
}

/// The answer for one principal and action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Access {
    /// Allowed whatever the values of the keys only a live request carries.
    Allowed,
    /// Allowed for some values of those keys and denied for others.
    Conditional,
}

impl Access {
    /// `allowed` or `conditional`.
    pub fn name(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::Conditional => "conditional",
        }
    }
}

/// One condition entry a decision depends on, structured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionAtom {
    /// The operator as written (`IpAddress`, `BoolIfExists`...).
    pub operator: String,
    /// The key as written.
    pub key: String,
    /// The values as written.
    pub values: Vec<String>,
    /// The entry in words (`aws:SourceIp in 10.0.0.0/8`).
    pub text: String,
}

/// One literal of a condition term: an atom that must hold, or must not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionLiteral {
    /// The atom.
    #[serde(flatten)]
    pub atom: ConditionAtom,
    /// `true`: the atom must hold; `false`: it must not (`unless`).
    pub holds: bool,
}

/// The condition under which a conditional access is allowed: a disjunction of
/// conjunctions of literals (each term is enough), and the same in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conditions {
    /// The condition in words: `aws:SourceIp in 10.0.0.0/8 and aws:MultiFactorAuthPresent =
    /// true`, `unless aws:SecureTransport = false`.
    pub text: String,
    /// Any one term allows; within a term every literal must hold.
    pub any_of: Vec<Vec<ConditionLiteral>>,
}

/// A request that replays through `simulate` with the given decision: its context holds the
/// keys a live request gives (the keys the data fixes are filled by simulate itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Witness {
    /// The caller, as `simulate --principal` takes it.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The live keys (and the `--context` keys of the query), lowercased.
    pub context: std::collections::BTreeMap<String, facts::request::ContextValue>,
    /// `allowed`, `explicitDeny` or `implicitDeny`, as simulate decides it.
    pub decision: rules::Outcome,
}

/// A statement that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// The policy's name (managed policy ARN, `<owner>#inline/<name>`, `<resource>#policy`,
    /// `<role>#trust`, `org:<id>`...).
    pub policy: String,
    /// The layer it was evaluated in.
    pub layer: Layer,
    /// Its index in the policy's `Statement` array.
    pub statement: usize,
    /// Its `Sid`.
    pub sid: Option<String>,
}

/// Why one step is allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The Allow statements of the identity side and the resource policy that grant it.
    pub allowed_by: Vec<StatementRef>,
    /// The guardrails it passes: boundary, session policy, SCP, RCP and VPC endpoint Allow
    /// statements.
    pub guardrails: Vec<StatementRef>,
    /// The group the identity-side grant came through, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// One step of a `via` chain: `from` performs `action` on `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    /// Who acts.
    pub from: String,
    /// `sts:AssumeRole` for a hop into a role; the accessed action for the last step.
    pub action: String,
    /// The role assumed, or the resource accessed.
    pub to: String,
    /// Whether this step is allowed for every live value, or only some.
    pub decision: Access,
    /// For a conditional step: the condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    /// Why it is allowed (from the engine's decision of an allowed request).
    pub reason: Reason,
}

/// One action of a principal's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionAnswer {
    /// The action (catalogue spelling).
    pub action: String,
    /// Its access level (`List`, `Read`, `Write`, `Permissions management`, `Tagging`).
    pub access_level: String,
    /// The resource it was decided on.
    pub resource: String,
    /// Allowed or conditional.
    pub decision: Access,
    /// For a conditional action: the deciding condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    /// For a conditional action: a request allowed and one denied (both replay through
    /// simulate as such).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witnesses: Option<Witnesses>,
    /// The chain: role hops (if any), then the access itself.
    pub via: Vec<Hop>,
    /// Why the answer may miss something (the solver gave up, too many conditions).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The allowed and denied witness of a conditional answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Witnesses {
    /// A request that is allowed.
    pub allowed: Witness,
    /// A request that is denied.
    pub denied: Witness,
}

/// Everything one principal can do of the asked actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrincipalAnswer {
    /// The principal: an ARN, an account root ARN, a service name or `*`.
    pub principal: String,
    /// Its kind.
    pub kind: PrincipalKind,
    /// `allowed` when every listed action is allowed, else `conditional`.
    pub decision: Access,
    /// The actions, each with its own decision, conditions and chain.
    pub actions: Vec<ActionAnswer>,
    /// The condition of the first conditional action (summary for one-line renderers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
    /// The chain of the first action (summary for one-line renderers).
    pub via: Vec<Hop>,
}

/// One principal of a who-can answer: its name and kind, and the class of principals whose
/// answer it shares ([`WhoCanResult::classes`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrincipalEntry {
    /// The principal: an ARN, an account root ARN, a service name or `*`.
    pub principal: String,
    /// Its kind.
    pub kind: PrincipalKind,
    /// Its class: an index into [`WhoCanResult::classes`].
    pub class: usize,
}

/// One action answer held once for every principal that shares it: as decided for
/// `decided_for`, whose name appears in its `via`, witnesses and own inline policies'
/// names; another principal of its class reads it with its own name there
/// ([`SharedAction::for_principal`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedAction {
    /// The principal the answer was decided for.
    pub decided_for: String,
    /// The answer.
    pub answer: ActionAnswer,
}

/// The part of an IAM ARN up to and including its account (`arn:aws:iam::111122223333:`),
/// if `arn` is one with an account.
pub(crate) fn account_prefix(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let (account, _) = rest.strip_prefix("iam::")?.split_once(':')?;
    facts::arn::is_account_id(account)
        .then(|| &arn[.."arn:".len() + partition.len() + ":iam::".len() + account.len() + 1])
}

/// The reason of an answer decided for principal `from`, as principal `to` of its class
/// reads it: `from`'s own inline policies (`<from>#inline/...`) become `to`'s, and when
/// `to` is in another account, the caller-side policies (identity, boundary, session
/// policies) and the group named by `from`'s account become the ones of the same name in
/// `to`'s account (classes across accounts hold exactly the principals whose policies and
/// groups correspond so: `engine::Analyzer::question_key`).
pub fn rebase_reason(reason: &mut Reason, from: &str, to: &str) {
    let accounts = match (account_prefix(from), account_prefix(to)) {
        (Some(a), Some(b)) if a != b => Some((a, b)),
        _ => None,
    };
    let fix = |name: &mut String, caller_side: bool| {
        if let Some(rest) = name.strip_prefix(from).filter(|x| x.starts_with('#')) {
            *name = format!("{to}{rest}");
            return;
        }
        if let (true, Some((a, b))) = (caller_side, accounts) {
            if let Some(rest) = name.strip_prefix(a) {
                *name = format!("{b}{rest}");
            }
        }
    };
    for r in reason
        .allowed_by
        .iter_mut()
        .chain(reason.guardrails.iter_mut())
    {
        let caller_side = matches!(r.layer, Layer::Identity | Layer::Boundary | Layer::Session);
        fix(&mut r.policy, caller_side);
    }
    if let Some(g) = reason.group.as_mut() {
        fix(g, true);
    }
}

impl SharedAction {
    /// The answer as principal `member` reads it: `decided_for`'s name replaced by
    /// `member`'s in the chain's first step and the witnesses, and its reason as `member`
    /// reads it ([`rebase_reason`]: its own inline policies, and its own account's
    /// policies and group when the answer was decided in another account).
    pub fn for_principal(&self, member: &str) -> ActionAnswer {
        let mut a = self.answer.clone();
        let from = self.decided_for.as_str();
        if from == member {
            return a;
        }
        if let Some(w) = a.witnesses.as_mut() {
            for x in [&mut w.allowed, &mut w.denied] {
                if x.principal == from {
                    x.principal = member.to_string();
                }
            }
        }
        if let Some(h) = a.via.first_mut() {
            if h.from == from {
                h.from = member.to_string();
                rebase_reason(&mut h.reason, from, member);
            }
        }
        a
    }
}

/// The answer of who-can, each distinct answer held once: principals refer to a class,
/// a class lists its action answers by index into `answers`. [`WhoCanResult::principal`]
/// and [`WhoCanResult::principal_answers`] give one principal's whole answer, as renderers
/// print it (JSON: one object per principal).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanResult {
    /// The resources asked about.
    pub resources: Vec<String>,
    /// The actions asked about, with their access level.
    pub actions: Vec<(String, String)>,
    /// One entry per principal with some access, ordered by kind then name.
    pub principals: Vec<PrincipalEntry>,
    /// Per class: its action answers, in order (indices into `answers`).
    pub classes: Vec<Vec<u32>>,
    /// Every distinct action answer, once.
    pub answers: Vec<SharedAction>,
    /// How many principals were considered, dropped before the engine, decided concretely,
    /// and decided with the solver.
    pub stats: Stats,
}

impl WhoCanResult {
    /// The whole answer of the `i`-th principal.
    pub fn principal(&self, i: usize) -> PrincipalAnswer {
        let e = &self.principals[i];
        let actions: Vec<ActionAnswer> = self.classes[e.class]
            .iter()
            .map(|&k| self.answers[k as usize].for_principal(&e.principal))
            .collect();
        PrincipalAnswer::new(e.principal.clone(), e.kind, actions)
    }

    /// Every principal's whole answer, in order.
    pub fn principal_answers(&self) -> impl Iterator<Item = PrincipalAnswer> + '_ {
        (0..self.principals.len()).map(|i| self.principal(i))
    }
}

impl PrincipalAnswer {
    /// The answer of `principal` from its actions: `allowed` when every action is, the
    /// first conditional action's condition and the first action's chain as its summary.
    pub fn new(principal: String, kind: PrincipalKind, actions: Vec<ActionAnswer>) -> Self {
        let decision = if actions.iter().all(|a| a.decision == Access::Allowed) {
            Access::Allowed
        } else {
            Access::Conditional
        };
        PrincipalAnswer {
            principal,
            kind,
            decision,
            conditions: actions.iter().find_map(|a| a.conditions.clone()),
            via: actions.first().map(|a| a.via.clone()).unwrap_or_default(),
            actions,
        }
    }
}

/// Work counts of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Candidate principal × action × resource cells.
    pub cells: usize,
    /// Cells dropped because no Allow statement could apply.
    pub dropped: usize,
    /// Cells decided by the concrete engine alone (no condition on a live key).
    pub concrete: usize,
    /// Cells whose conditions on live keys were enumerated with the solver.
    pub symbolic: usize,
    /// Cells decided like another action of theirs whose statements match alike.
    pub grouped: usize,
    /// Cells that took the answer of a principal of their class ([`super::classes`]), and
    /// of an action whose statements match alike across every policy in play.
    pub shared: usize,
    /// Solver calls made.
    pub solver_calls: usize,
    /// Requests decided by the engine.
    pub engine_requests: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(policy: &str, layer: Layer) -> StatementRef {
        StatementRef {
            policy: policy.to_string(),
            layer,
            statement: 0,
            sid: None,
        }
    }

    #[test]
    fn account_prefix_is_the_iam_arn_up_to_its_account() {
        assert_eq!(
            account_prefix("arn:aws:iam::111122223333:role/x"),
            Some("arn:aws:iam::111122223333:")
        );
        assert_eq!(
            account_prefix("arn:aws-cn:iam::111122223333:root"),
            Some("arn:aws-cn:iam::111122223333:")
        );
        assert_eq!(
            account_prefix("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            None
        );
        assert_eq!(account_prefix("arn:aws:s3:::bucket"), None);
    }

    // A member of another account reads its own inline policy, its own account's managed
    // policy and group; the resource policy, SCPs and AWS managed policies stay as they are.
    #[test]
    fn a_reason_rebased_to_another_account_names_that_accounts_policies() {
        let from = "arn:aws:iam::111111111111:user/alice";
        let to = "arn:aws:iam::222222222222:user/bob";
        let mut reason = Reason {
            allowed_by: vec![
                r(
                    "arn:aws:iam::111111111111:user/alice#inline/Self",
                    Layer::Identity,
                ),
                r(
                    "arn:aws:iam::111111111111:policy/ReadOnlyData",
                    Layer::Identity,
                ),
                r(
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                    Layer::Identity,
                ),
                r("arn:aws:iam::111111111111:role/R#trust", Layer::Resource),
            ],
            guardrails: vec![
                r("arn:aws:iam::111111111111:policy/Boundary", Layer::Boundary),
                r("FullAWSAccess (p-FullAWSAccess)", Layer::Scp),
            ],
            group: Some("arn:aws:iam::111111111111:group/Admins".to_string()),
        };
        rebase_reason(&mut reason, from, to);
        let names: Vec<&str> = reason
            .allowed_by
            .iter()
            .chain(&reason.guardrails)
            .map(|r| r.policy.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "arn:aws:iam::222222222222:user/bob#inline/Self",
                "arn:aws:iam::222222222222:policy/ReadOnlyData",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                "arn:aws:iam::111111111111:role/R#trust",
                "arn:aws:iam::222222222222:policy/Boundary",
                "FullAWSAccess (p-FullAWSAccess)",
            ]
        );
        assert_eq!(
            reason.group.as_deref(),
            Some("arn:aws:iam::222222222222:group/Admins")
        );
    }
}
