//! `iamlogic diff` over the managed-policy version pairs of the shared corpus (issues 5 and
//! 10, "Done when"), through `queries::diff::diff_files`, the function the command calls
//! (parsing, proof, replay of every request, confirmed verdict):
//!
//! - no pair is `unknown` (nor an error) at the default timeout;
//! - every request shown is confirmed, and replays through the evaluator (`facts::eval`)
//!   with the verdict's direction (NEW allows and OLD does not, or the reverse);
//! - identical and canonically equal pairs are `equivalent`;
//! - the 1,074 `simple_allow_star` pairs agree with `catalogue_oracle.verdict`;
//! - every request looks real (issue 10): its principal agrees with its context
//!   (`aws:username`, `aws:PrincipalAccount`, `aws:PrincipalArn`), and its resource is of a
//!   type its action acts on (`facts`' catalogue, `Action::acts_on`, with the type's ARN
//!   format matched field by field; `*` for an action without resource types, and only for
//!   it), unless the versions differ for that action only on other resources: then no
//!   resource of the action's own types (its ARN formats filled in) separates them, which
//!   the test checks with the evaluator, and the request is listed.
//!
//! `cargo test --test diff_pairs` runs a deterministic subset (every 8th pair plus every
//! oracle pair); `IAMLOGIC_ALL_PAIRS=1 cargo test --release --test diff_pairs` runs all
//! 4,600 (the release test).

use std::path::{Path, PathBuf};

use facts::request::{ContextValue, RequestPrincipal};
use facts::{Policy, Request};
use queries::diff::{diff_files, Comparison, Options, Verdict};

struct Pair {
    name: String,
    old: PathBuf,
    new: PathBuf,
    equal: bool,
    oracle: Option<Oracle>,
}

struct Oracle {
    verdict: String,
    added_count: u64,
    removed_count: u64,
    added_sample: Vec<String>,
    removed_sample: Vec<String>,
}

fn pairs() -> Option<Vec<Pair>> {
    let dir = facts::corpus::corpus_path("managed-policies")?;
    let text = std::fs::read_to_string(dir.join("pairs.jsonl")).expect("read pairs.jsonl");
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("pairs.jsonl line");
        let s = |k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let b = |k: &str| v.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
        let oracle = v.get("catalogue_oracle").map(|o| {
            let list = |k: &str| -> Vec<String> {
                o.get(k)
                    .and_then(|x| x.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_ascii_lowercase))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let count = |k: &str| o.get(k).and_then(|x| x.as_u64()).unwrap_or(0);
            Oracle {
                verdict: o
                    .get("verdict")
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string(),
                added_count: count("added_count"),
                removed_count: count("removed_count"),
                added_sample: list("added_sample"),
                removed_sample: list("removed_sample"),
            }
        });
        out.push(Pair {
            name: format!("{} {}->{}", s("policy"), s("old_version"), s("new_version")),
            old: dir.join(s("old_path")),
            new: dir.join(s("new_path")),
            equal: b("identical") || b("canonically_equal"),
            oracle,
        });
    }
    Some(out)
}

fn load(path: &Path) -> Policy {
    let text = std::fs::read_to_string(path).expect("read policy version");
    facts::parse::parse_policy(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn allows(p: &Policy, r: &Request) -> bool {
    let m = facts::eval::evaluate_policy(p, r);
    !m.allows.is_empty() && m.denies.is_empty()
}

/// Why the resource of `r` is not one its action acts on, if it is not (Service Authorization
/// Reference, "Actions, resources, and condition keys": the resource types column): the
/// catalogue's `Action::acts_on` with the type's ARN format matched field by field; `*` for
/// an action without resource types, and only for it.
fn resource_unreal(r: &Request) -> Option<String> {
    let a = facts::catalogue::Catalogue::get().action(&r.action)?;
    let globs: Vec<&str> = a
        .resource_types()
        .flat_map(|t| t.resource_type.arn_globs())
        .collect();
    // Field by field (`ArnLike`: IAM User Guide, "Amazon Resource Name (ARN) condition
    // operators"): `arn:aws:apigateway:ssm::/x:document/` is no SSM document, though
    // `arn:*:ssm:*:*:document/*` matches it as a plain glob.
    let of_format = globs.iter().any(|g| {
        facts::condition::eval::compare(facts::condition::BaseOperator::ArnLike, g, &r.resource)
    });
    let real = if globs.is_empty() {
        r.resource == "*"
    } else {
        r.resource != "*" && a.acts_on(&r.resource) && of_format
    };
    let types = if globs.is_empty() {
        " (it has no resource type: only `*`)"
    } else {
        ""
    };
    (!real).then(|| format!("{} does not act on {}{types}", r.action, r.resource))
}

fn single<'r>(r: &'r Request, key: &str) -> Option<&'r str> {
    match r.context.get(key) {
        Some(ContextValue::Single(v)) => Some(v.as_str()),
        _ => None,
    }
}

/// Resources of the action's own types: `*` for an action without one, else each ARN format
/// filled in (partition `aws`, the request's region or `us-east-1`, the account of its
/// resource, of its principal or `111122223333`, `example` elsewhere).
fn own_resources(r: &Request) -> Vec<String> {
    let Some(a) = facts::catalogue::Catalogue::get().action(&r.action) else {
        return Vec::new();
    };
    let principal_account = match &r.principal {
        RequestPrincipal::Aws { arn } => facts::arn::Arn::parse(arn).map(|p| p.account),
        _ => None,
    };
    let mut accounts: Vec<String> = ["aws:resourceaccount", "aws:principalaccount"]
        .iter()
        .filter_map(|k| single(r, k).map(str::to_string))
        .chain(principal_account)
        .collect();
    accounts.push("111122223333".to_string());
    let regions: Vec<&str> = single(r, "aws:requestedregion")
        .into_iter()
        .chain(["us-east-1"])
        .collect();
    let mut out = Vec::new();
    for format in a
        .resource_types()
        .flat_map(|t| t.resource_type.arn_formats())
    {
        for account in &accounts {
            for region in &regions {
                let mut arn = String::new();
                let mut rest = format;
                while let Some((before, after)) = rest.split_once("${") {
                    arn.push_str(before);
                    let (name, tail) = after.split_once('}').unwrap_or((after, ""));
                    arn.push_str(match name {
                        "Partition" => "aws",
                        "Region" => region,
                        "Account" => account,
                        _ => "example",
                    });
                    rest = tail;
                }
                arn.push_str(rest);
                out.push(arn);
            }
        }
    }
    if out.is_empty() {
        out.push("*".to_string());
    }
    out
}

/// Why the principal of `r` contradicts its context, if it does (IAM User Guide, "AWS global
/// condition context keys": `aws:username` is the user's name, `aws:PrincipalAccount` the
/// principal's account, `aws:PrincipalArn` its ARN).
fn principal_inconsistent(r: &Request) -> Option<String> {
    let RequestPrincipal::Aws { arn } = &r.principal else {
        return None;
    };
    let parsed = facts::arn::Arn::parse(arn)?;
    let user = (parsed.service == "iam")
        .then(|| parsed.resource.strip_prefix("user/"))
        .flatten()
        .map(|u| u.rsplit('/').next().unwrap_or(u));
    if let (Some(name), Some(u)) = (single(r, "aws:username"), user) {
        if name != u {
            return Some(format!("aws:username {name} but principal {arn}"));
        }
    }
    if let Some(acc) = single(r, "aws:principalaccount").filter(|a| *a != parsed.account) {
        return Some(format!("aws:PrincipalAccount {acc} but principal {arn}"));
    }
    if let Some(p) = single(r, "aws:principalarn").filter(|p| *p != arn) {
        return Some(format!("aws:PrincipalArn {p} but principal {arn}"));
    }
    None
}

fn verdict_of(gained: bool, lost: bool) -> &'static str {
    match (gained, lost) {
        (false, false) => "equivalent",
        (true, false) => "new_grants_superset",
        (false, true) => "new_grants_subset",
        (true, true) => "incomparable",
    }
}

/// Both verdicts over catalogue actions only: the oracle expands wildcards over the
/// catalogue, so a name outside it is matched only by the same literal name, while iamlogic
/// applies every pattern to it (`sso:Describe*` still covers a retired
/// `sso:DescribePermissionsPolicies`). Its counts are reduced to catalogue names when its
/// sample is complete.
fn catalogue_views(c: &Comparison, o: &Oracle) -> (&'static str, &'static str) {
    let in_cat = |n: &String| facts::catalogue::Catalogue::get().action(n).is_some();
    let cat_count = |count: u64, sample: &[String]| {
        if count as usize <= sample.len() {
            sample.iter().any(in_cat)
        } else {
            true
        }
    };
    (
        verdict_of(!c.gained.actions.is_empty(), !c.lost.actions.is_empty()),
        verdict_of(
            cat_count(o.added_count, &o.added_sample),
            cat_count(o.removed_count, &o.removed_sample),
        ),
    )
}

#[test]
fn every_managed_policy_pair_is_decided_with_confirmed_requests() {
    let Some(pairs) = pairs() else { return };
    let all = std::env::var("IAMLOGIC_ALL_PAIRS").as_deref() == Ok("1");
    let opts = Options::default();
    let mut failures = Vec::new();
    let (mut checked, mut equal_checked, mut oracle_checked, mut requests) = (0, 0, 0, 0);
    let mut unreal = Vec::new();
    let mut verdicts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut explained = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        if !all && i % 8 != 0 && p.oracle.is_none() {
            continue;
        }
        checked += 1;
        let c = match diff_files(&p.old, &p.new, &opts) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{}: error {e}", p.name));
                continue;
            }
        };
        *verdicts.entry(format!("{:?}", c.verdict)).or_insert(0) += 1;
        if c.verdict == Verdict::Unknown {
            failures.push(format!(
                "{}: unknown ({:?} / {:?})",
                p.name, c.gained.unknown, c.lost.unknown
            ));
            continue;
        }
        let (old, new) = (load(&p.old), load(&p.new));
        for (dir, d, more, less) in [
            ("gained", &c.gained, &new, &old),
            ("lost", &c.lost, &old, &new),
        ] {
            for e in &d.examples {
                requests += 1;
                let replayed = allows(more, &e.request) && !allows(less, &e.request);
                if !e.confirmed || !replayed {
                    failures.push(format!(
                        "{}: {dir} request not confirmed: {:?}",
                        p.name, e.request
                    ));
                }
                if let Some(why) = principal_inconsistent(&e.request) {
                    failures.push(format!("{}: {dir} request inconsistent: {why}", p.name));
                }
                // A resource of another type is shown only when the decoder found none of
                // the action's own: then none of the plain ones separates the versions.
                if let Some(why) = resource_unreal(&e.request) {
                    let separating = own_resources(&e.request).into_iter().find(|res| {
                        let mut q = e.request.clone();
                        q.resource.clone_from(res);
                        allows(more, &q) && !allows(less, &q)
                    });
                    match separating {
                        Some(res) => failures.push(format!(
                            "{}: {dir} request not real: {why}, while {res} separates the \
                             versions too",
                            p.name
                        )),
                        None => unreal.push(format!("{}: {dir}: {why}", p.name)),
                    }
                }
            }
        }
        if p.equal {
            equal_checked += 1;
            if c.verdict != Verdict::Equivalent {
                failures.push(format!("{}: equal documents but {:?}", p.name, c.verdict));
            }
        }
        if let Some(o) = &p.oracle {
            oracle_checked += 1;
            let got = verdict_of(
                !c.gained.actions.is_empty() || !c.gained.unknown_actions.is_empty(),
                !c.lost.actions.is_empty() || !c.lost.unknown_actions.is_empty(),
            );
            if got != o.verdict {
                let (ours, theirs) = catalogue_views(&c, o);
                if ours == theirs {
                    explained.push(format!(
                        "{}: oracle {}, iamlogic {got}; outside the catalogue: gained {:?} lost {:?}",
                        p.name, o.verdict, c.gained.unknown_actions, c.lost.unknown_actions
                    ));
                } else {
                    failures.push(format!(
                        "{}: oracle says {} ({theirs} over the catalogue), iamlogic {got} ({ours})",
                        p.name, o.verdict
                    ));
                }
            }
        }
    }
    let verdicts = verdicts
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "checked {checked} pairs ({verdicts}), {requests} requests replayed, {equal_checked} \
         equal pairs, {oracle_checked} oracle pairs; {} requests on a resource of another type \
         than their action's (no resource of its own types separates the versions):\n{}\n{} \
         oracle differences explained by names outside the catalogue:\n{}",
        unreal.len(),
        unreal.join("\n"),
        explained.len(),
        explained.join("\n")
    );
    assert!(
        oracle_checked >= 1_000,
        "too few oracle pairs: {oracle_checked}"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
