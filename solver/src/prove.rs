//! The proofs: compare two stacks, or look for a request a stack allows within limits.

use std::time::{Duration, Instant};

use facts::request::{Request, RequestPrincipal};
use z3::ast::Bool;

use crate::encode::Engine;
use crate::error::SolverError;
use crate::search::{Fixed, Search, Step};
use crate::stack::Stack;
use crate::vocab::Vocab;

/// Limits and switches of a proof.
#[derive(Debug, Clone)]
pub struct Options {
    /// Give up (verdict `unknown`) after this long; Z3 gets the remaining time per check.
    pub timeout: Duration,
    /// How many counterexample requests to return per direction.
    pub max_examples: usize,
    /// Also consider action names outside the catalogue (witnesses built from the patterns).
    pub unknown_actions: bool,
    /// How many action classes to enumerate per direction when listing the actions gained
    /// or lost (the list is marked incomplete beyond it).
    pub max_action_classes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            max_examples: 3,
            unknown_actions: true,
            max_action_classes: 5_000,
        }
    }
}

/// A request one side allows and the other does not, checked with `facts::eval`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Counterexample {
    /// The request.
    pub request: Request,
    /// Whether the concrete evaluator agreed (false only when the result is approximate:
    /// otherwise a disagreement is an error).
    pub confirmed: bool,
}

/// What one direction of a comparison found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Direction {
    /// Example requests, one per action class, at most `max_examples`.
    pub examples: Vec<Counterexample>,
    /// Every catalogue action (lowercased) for which some request differs, when
    /// `complete`; names outside the catalogue are listed in `unknown_actions`.
    pub actions: Vec<String>,
    /// Action names outside the catalogue for which some request differs.
    pub unknown_actions: Vec<String>,
    /// Whether the search finished: every differing action class was found.
    pub complete: bool,
    /// Why the search stopped early, if it did.
    pub unknown: Option<String>,
}

impl Direction {
    /// Whether any request was found.
    pub fn differs(&self) -> bool {
        !self.examples.is_empty()
    }
}

/// The verdict of `diff`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Both allow exactly the same requests.
    Equivalent,
    /// NEW allows something OLD does not, and nothing the other way.
    MorePermissive,
    /// OLD allows something NEW does not, and nothing the other way.
    LessPermissive,
    /// Each allows something the other does not.
    Incomparable,
    /// The solver gave up.
    Unknown,
}

/// The result of comparing two stacks.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// The verdict.
    pub verdict: Verdict,
    /// Requests NEW allows and OLD does not.
    pub gained: Direction,
    /// Requests OLD allows and NEW does not.
    pub lost: Direction,
    /// Where the encoding approximates, in words (empty: the verdict is exact over the
    /// catalogue's actions and the names the policies spell out).
    pub approximations: Vec<String>,
    /// The size of the action domain: classes, catalogue actions, names outside it.
    pub action_classes: usize,
}

/// Why the encoding is not exact for these policies, in words.
pub(crate) fn approximations(engine: &Engine) -> Vec<String> {
    let mut out = Vec::new();
    for k in engine.mixed_keys() {
        out.push(format!(
            "key `{k}` is used with several operator families: each family has its own \
             variable, and a request is shown only when one value satisfies them all"
        ));
    }
    if engine.vocab.uses_principal {
        out.push(
            "principals range over the ones the policies name, an anonymous caller and one \
             outsider"
                .to_string(),
        );
    }
    out
}

/// The anonymous caller and an outsider account, always among the principals.
pub(crate) fn outsiders() -> [RequestPrincipal; 2] {
    [
        RequestPrincipal::Anonymous,
        RequestPrincipal::Aws {
            arn: "arn:aws:iam::999999999999:user/iamlogic-outsider".to_string(),
        },
    ]
}

/// Build the engine for these stacks and extra patterns.
pub(crate) fn engine_for(
    stacks: &[&Stack],
    actions: &[String],
    resources: &[String],
    catalogue: &crate::Catalogue,
    opts: &Options,
) -> Engine {
    let mut vocab = Vocab::default();
    for s in stacks {
        vocab.add_stack(s);
    }
    if !actions.is_empty() {
        vocab.add_clause(false, actions.iter().map(String::as_str));
    }
    for r in resources {
        vocab.resources.add(crate::strings::StrPred::Resource {
            pattern: r.clone(),
            variables: false,
        });
    }
    if vocab.uses_principal {
        for p in outsiders() {
            vocab.add_principal(p);
        }
    }
    Engine::new(vocab, catalogue, opts.unknown_actions)
}

/// Enumerate requests satisfying `goal`, one per action class, replaying each with `check`.
///
/// `check` is the goal as `facts` decides it, for requests that differ from one decoded from
/// a model of `goal` at most in the resource (the decoder also uses it to try resources of
/// the action's own types, see `Search::real_resource`).
pub(crate) fn enumerate(
    engine: &Engine,
    goal: &Bool,
    deadline: Instant,
    opts: &Options,
    fixed: Fixed,
    check: &dyn Fn(&Request) -> bool,
    what: &str,
) -> Result<Direction, SolverError> {
    let search = Search::new(engine, goal, deadline, fixed.clone(), check);
    let mut dir = Direction::default();
    let mut classes = 0usize;
    let mut tries = vec![0u8; engine.actions.classes.len()];
    let mut shapes = Vec::new();
    loop {
        if classes >= opts.max_action_classes {
            dir.unknown = Some(format!(
                "stopped after {classes} action classes (--max-action-classes)"
            ));
            break;
        }
        match search.next() {
            Step::Exhausted => {
                dir.complete = true;
                break;
            }
            Step::Unknown(r) => {
                dir.unknown = Some(r);
                break;
            }
            Step::Found(mut f) => {
                classes += 1;
                if let Some(c) = coherent(&f.request).filter(|c| check(c)) {
                    f.request = c;
                }
                let confirmed = check(&f.request);
                if !confirmed {
                    return Err(SolverError::ReplayMismatch {
                        request: serde_json::to_string(&f.request).unwrap_or_default(),
                        detail: format!("Z3 says {what}; facts::eval does not"),
                    });
                }
                if let Some(c) = engine.actions.classes.get(f.class) {
                    dir.unknown_actions.extend(c.witnesses.iter().cloned());
                    dir.actions.extend(engine.actions.member_names(f.class));
                }
                search.block_class(f.class);
                // Many classes differ: the same request, with another class's action, often
                // separates the policies too (decided by `facts`, as every request is);
                // such a class is found without a Z3 check of its own.
                if classes >= SHARE_AFTER {
                    classes +=
                        share_request(engine, &search, &f.request, check, &mut tries, &mut dir);
                }
                if dir.examples.len() < opts.max_examples {
                    shapes.push(f.shape.clone());
                    dir.examples.push(crate::Counterexample {
                        request: f.request,
                        confirmed,
                    });
                }
            }
        }
    }
    // More examples than action classes: ask for requests of other shapes (another
    // resource pattern or other context keys present) within the classes found.
    if dir.complete && dir.differs() && dir.examples.len() < opts.max_examples {
        let more = Search::new(engine, goal, deadline, fixed, check);
        more.real_only();
        for e in &shapes {
            more.block_shape(e);
        }
        while dir.examples.len() < opts.max_examples {
            let Step::Found(mut f) = more.next() else {
                break;
            };
            more.block_shape(&f.shape);
            if let Some(c) = coherent(&f.request).filter(|c| check(c)) {
                f.request = c;
            }
            let confirmed = check(&f.request);
            if !confirmed {
                return Err(SolverError::ReplayMismatch {
                    request: serde_json::to_string(&f.request).unwrap_or_default(),
                    detail: format!("Z3 says {what}; facts::eval does not"),
                });
            }
            dir.examples.push(crate::Counterexample {
                request: f.request,
                confirmed,
            });
        }
    }
    dir.actions.sort();
    dir.unknown_actions.sort();
    Ok(dir)
}

/// After how many classes found in one direction the requests found are also tried with
/// the other classes' actions ([`share_request`]): below it, a pair has few differing classes
/// and the tries would cost more than the Z3 checks they save.
const SHARE_AFTER: usize = 8;
/// How many requests each class is tried with.
const SHARE_TRIES: u8 = 2;

/// The classes not yet found for which `request`, with the class's representative action,
/// satisfies the goal as `facts` decides it (`check`): each is a differing class (its members
/// are treated alike by every action clause), listed and blocked like one Z3 found. Each
/// class is tried with at most [`SHARE_TRIES`] requests. Returns how many were found.
fn share_request(
    engine: &Engine,
    search: &Search<'_>,
    request: &Request,
    check: &dyn Fn(&Request) -> bool,
    tries: &mut [u8],
    dir: &mut Direction,
) -> usize {
    let mut found = 0;
    let mut r = request.clone();
    for (c, t) in tries.iter_mut().enumerate() {
        if *t >= SHARE_TRIES || search.is_blocked(c) {
            continue;
        }
        *t += 1;
        let Some(action) = engine.actions.representative(c) else {
            continue;
        };
        r.action = action;
        if check(&r) {
            if let Some(cl) = engine.actions.classes.get(c) {
                dir.unknown_actions.extend(cl.witnesses.iter().cloned());
            }
            dir.actions.extend(engine.actions.member_names(c));
            search.block_class(c);
            found += 1;
        }
    }
    found
}

/// The request with a principal consistent with its context, when they differ: an IAM user
/// named by `aws:username`, in the account of `aws:PrincipalAccount` (IAM User Guide, "AWS
/// global condition context keys": `aws:username` is the user's name,
/// `aws:PrincipalAccount` the account of the principal). The caller keeps it only when it
/// still separates the policies.
fn coherent(r: &Request) -> Option<Request> {
    let RequestPrincipal::Aws { arn } = &r.principal else {
        return None;
    };
    let parsed = facts::arn::Arn::parse(arn)?;
    let user = parsed.resource.strip_prefix("user/")?;
    if parsed.service != "iam" {
        return None;
    }
    let single = |key: &str| match r.context.get(key) {
        Some(facts::request::ContextValue::Single(v)) => Some(v.clone()),
        _ => None,
    };
    let name = single("aws:username")
        .filter(|n| {
            !n.is_empty()
                && n.len() <= 64
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
        })
        .unwrap_or_else(|| user.to_string());
    let account = single("aws:principalaccount")
        .filter(|a| facts::arn::is_account_id(a))
        .unwrap_or_else(|| parsed.account.clone());
    let new = format!("arn:aws:iam::{account}:user/{name}");
    if new == *arn {
        return None;
    }
    let mut c = r.clone();
    c.principal = RequestPrincipal::Aws { arn: new };
    Some(c)
}

/// Compare OLD and NEW: which requests each allows that the other does not.
pub fn compare(
    old: &Stack,
    new: &Stack,
    catalogue: &crate::Catalogue,
    opts: &Options,
) -> Result<Comparison, SolverError> {
    let deadline = Instant::now() + opts.timeout;
    let engine = engine_for(&[old, new], &[], &[], catalogue, opts);
    let a_old = engine.allows(old);
    let a_new = engine.allows(new);
    let gained_goal = Bool::and(&[a_new.clone(), a_old.not()]);
    let lost_goal = Bool::and(&[a_old, a_new.not()]);
    let gained = enumerate(
        &engine,
        &gained_goal,
        deadline,
        opts,
        Vec::new(),
        &|r| new.allows(r) && !old.allows(r),
        "NEW allows it and OLD does not",
    )?;
    let lost = enumerate(
        &engine,
        &lost_goal,
        deadline,
        opts,
        Vec::new(),
        &|r| old.allows(r) && !new.allows(r),
        "OLD allows it and NEW does not",
    )?;
    let decided = |d: &Direction| d.differs() || d.complete;
    let verdict = if !decided(&gained) || !decided(&lost) {
        Verdict::Unknown
    } else {
        match (gained.differs(), lost.differs()) {
            (false, false) => Verdict::Equivalent,
            (true, false) => Verdict::MorePermissive,
            (false, true) => Verdict::LessPermissive,
            (true, true) => Verdict::Incomparable,
        }
    };
    Ok(Comparison {
        verdict,
        gained,
        lost,
        approximations: approximations(&engine),
        action_classes: engine.actions.classes.len(),
    })
}

/// The result of a search for allowed requests within limits.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AllowedRequests {
    /// Requests found (empty: none exists, when `complete`).
    pub found: Direction,
    /// Where the encoding approximates.
    pub approximations: Vec<String>,
}

/// Requests `stack` allows whose action matches one of `actions` and (when given) whose
/// resource matches one of `resources`.
pub fn find_allowed(
    stack: &Stack,
    actions: &[String],
    resources: &[String],
    catalogue: &crate::Catalogue,
    opts: &Options,
) -> Result<AllowedRequests, SolverError> {
    let deadline = Instant::now() + opts.timeout;
    let engine = engine_for(&[stack], actions, resources, catalogue, opts);
    let mut goal = vec![engine.allows(stack), engine.action_in(actions)];
    if !resources.is_empty() {
        goal.push(engine.resource_in(resources));
    }
    // The goal as facts decides it: allowed, on one of `resources` when given (the action
    // and the rest of the request stay those of the model).
    let on_resources = |r: &Request| {
        resources.is_empty()
            || resources.iter().any(|p| {
                crate::strings::StrPred::Resource {
                    pattern: p.clone(),
                    variables: false,
                }
                .holds(&r.resource, &r.context)
            })
    };
    let found = enumerate(
        &engine,
        &Bool::and(&goal),
        deadline,
        opts,
        Vec::new(),
        &|r| stack.allows(r) && on_resources(r),
        "the policy allows it",
    )?;
    Ok(AllowedRequests {
        found,
        approximations: approximations(&engine),
    })
}
