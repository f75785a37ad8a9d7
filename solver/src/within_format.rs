//! A resource of an ARN format that a resource pattern matches, built directly: the cheapest
//! path through the product of the format's automaton and the pattern's (issue 10, "requests
//! that look real"; Service Authorization Reference, "Actions, resources, and condition keys":
//! each resource type's ARN format).
//!
//! The format `arn:${Partition}:s3:::${BucketName}/${ObjectName}` is a sequence of literal
//! characters and placeholders; each placeholder takes a non-empty value without `:`, and
//! without `/` unless it is the format's last placeholder and follows a `/` (the rule of
//! [`crate::real_resource::has_format`]). The search prefers, for a placeholder, its usual
//! value in one step (`aws`, the request's region and account, `example`) over characters
//! spelled one by one, so `arn:aws:s3:::reports/*` and that format give
//! `arn:aws:s3:::reports/example`, and `arn:aws:cloudformation:*:*:stack/AppMesh*` with
//! `...:stack/${StackName}/${Id}` gives `...:stack/AppMesh/example`.
//!
//! The search is a uniform-cost search with a fixed state budget (no clock), so its answer
//! depends only on its inputs; answers are cached per thread.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::automata::{self, Tok};

/// States the search may visit before it gives up (the answer is then `None`).
const STATE_BUDGET: usize = 4_000;
/// Entries the per-thread cache keeps before it is emptied.
const CACHE_LIMIT: usize = 50_000;

/// One item of an ARN format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A literal character.
    Lit(char),
    /// A placeholder: its preferred value, and whether its value may hold `/`.
    Slot { fill: String, slash: bool },
}

/// The format's items, each placeholder with its preferred value (`Partition` `aws`,
/// `Region` `region`, `Account` `account`, every other `example`). `None` for a format
/// with an unclosed `${`.
fn items(format: &str, region: &str, account: &str) -> Option<Vec<Item>> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some((before, after)) = rest.split_once("${") {
        out.extend(before.chars().map(Item::Lit));
        let (name, tail) = after.split_once('}')?;
        let fill = match name {
            "Partition" => "aws",
            "Region" => region,
            "Account" => account,
            _ => "example",
        };
        out.push(Item::Slot {
            fill: fill.to_string(),
            slash: false,
        });
        rest = tail;
    }
    out.extend(rest.chars().map(Item::Lit));
    // The last placeholder may hold `/` when a `/` precedes it (an object key, a path).
    if let Some(i) = out.iter().rposition(|t| matches!(t, Item::Slot { .. })) {
        let after_slash = i > 0 && out.get(i - 1) == Some(&Item::Lit('/'));
        if let Some(Item::Slot { slash, .. }) = out.get_mut(i) {
            *slash = after_slash;
        }
    }
    Some(out)
}

/// A state of the search: the item reached in the format, whether a placeholder value has
/// begun there, and the pattern's automaton positions.
type State = (usize, bool, Vec<u16>);

/// Cost of a character spelled one by one, and of a placeholder's preferred value taken
/// whole.
const CHAR_COST: u32 = 2;
const FILL_COST: u32 = 1;

/// The cheapest string of `format` (its placeholders filled as [`items`] says, or spelled by
/// the search) that the pattern `pattern` (automaton tokens of a resource glob) matches;
/// `None` when there is none, or none within the state budget.
pub(crate) fn within_format(
    format: &str,
    pattern: &[Tok],
    region: &str,
    account: &str,
) -> Option<String> {
    type Key = (String, Vec<Tok>, String, String);
    thread_local! {
        static CACHE: RefCell<HashMap<Key, Option<String>>> = RefCell::new(HashMap::new());
    }
    let key: Key = (
        format.to_string(),
        pattern.to_vec(),
        region.to_string(),
        account.to_string(),
    );
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return hit;
    }
    let found = search(format, pattern, region, account);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(key, found.clone());
    });
    found
}

fn search(format: &str, pattern: &[Tok], region: &str, account: &str) -> Option<String> {
    let items = items(format, region, account)?;
    let end = u16::try_from(pattern.len()).ok()?;
    let start = automata::start(pattern);
    let allowed = |slash: bool, c: char| c != ':' && (slash || c != '/');
    // Uniform-cost search; ties broken by insertion order (deterministic).
    let mut heap: BinaryHeap<Reverse<(u32, usize)>> = BinaryHeap::new();
    let mut nodes: Vec<(State, String)> = Vec::new();
    let mut seen: HashSet<State> = HashSet::new();
    let push = |heap: &mut BinaryHeap<Reverse<(u32, usize)>>,
                nodes: &mut Vec<(State, String)>,
                cost: u32,
                state: State,
                text: String| {
        if state.2.is_empty() {
            return;
        }
        nodes.push((state, text));
        heap.push(Reverse((cost, nodes.len() - 1)));
    };
    push(&mut heap, &mut nodes, 0, (0, false, start), String::new());
    while let Some(Reverse((cost, n))) = heap.pop() {
        let Some((state, text)) = nodes.get(n).cloned() else {
            break;
        };
        if !seen.insert(state.clone()) {
            continue;
        }
        if seen.len() > STATE_BUDGET {
            return None;
        }
        let (at, begun, set) = state;
        if at == items.len() && !begun && set.contains(&end) {
            return Some(text);
        }
        let step = |set: &[u16], s: &str| -> Vec<u16> {
            let mut cur = set.to_vec();
            for c in s.chars() {
                if cur.is_empty() {
                    break;
                }
                cur = automata::step(pattern, &cur, c);
            }
            cur
        };
        match items.get(at) {
            None => {}
            Some(Item::Lit(c)) => {
                let next = step(&set, &c.to_string());
                let mut t = text.clone();
                t.push(*c);
                push(&mut heap, &mut nodes, cost, (at + 1, false, next), t);
            }
            Some(Item::Slot { fill, slash }) => {
                if begun {
                    // The value may end here.
                    push(
                        &mut heap,
                        &mut nodes,
                        cost,
                        (at + 1, false, set.clone()),
                        text.clone(),
                    );
                } else if !fill.is_empty() && fill.chars().all(|c| allowed(*slash, c)) {
                    let next = step(&set, fill);
                    push(
                        &mut heap,
                        &mut nodes,
                        cost + FILL_COST,
                        (at + 1, false, next),
                        format!("{text}{fill}"),
                    );
                }
                // One more character: one the pattern names at a position it is in, or
                // one it names nowhere there (all of those behave alike).
                let here: Vec<char> = set
                    .iter()
                    .filter_map(|&p| match pattern.get(usize::from(p)) {
                        Some(Tok::Lit(c)) => Some(*c),
                        _ => None,
                    })
                    .filter(|&c| allowed(*slash, c))
                    .collect();
                let other = ['x', 'a', '0', '-']
                    .into_iter()
                    .chain('b'..='z')
                    .find(|c| !here.contains(c));
                let mut chars = here;
                chars.sort_unstable();
                chars.dedup();
                chars.extend(other);
                for c in chars {
                    let next = step(&set, &c.to_string());
                    let mut t = text.clone();
                    t.push(c);
                    push(&mut heap, &mut nodes, cost + CHAR_COST, (at, true, next), t);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> Vec<Tok> {
        automata::tokens(p, false)
    }

    #[test]
    fn fills_a_format_inside_a_pattern_service_authorization_reference() {
        // Service Authorization Reference, Amazon S3: object
        // `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
        let f = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert_eq!(
            within_format(
                f,
                &glob("arn:aws:s3:::reports/*"),
                "us-east-1",
                "111122223333"
            )
            .as_deref(),
            Some("arn:aws:s3:::reports/example")
        );
        // A pattern with a prefix of a name: the name is spelled, the rest filled.
        let stack = "arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}";
        let got = within_format(
            stack,
            &glob("arn:aws:cloudformation:*:*:stack/AWSAppMesh-GettingStarted*"),
            "eu-west-1",
            "444455556666",
        );
        assert_eq!(
            got.as_deref(),
            Some("arn:aws:cloudformation:eu-west-1:444455556666:stack/AWSAppMesh-GettingStarted/example")
        );
        // A region the pattern names is spelled.
        let key = "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}";
        assert_eq!(
            within_format(
                key,
                &glob("arn:aws:kms:us-west-2:*:key/*"),
                "us-east-1",
                "111122223333"
            )
            .as_deref(),
            Some("arn:aws:kms:us-west-2:111122223333:key/example")
        );
        // Disjoint: another service, or a bucket name with `/` the format forbids.
        assert_eq!(
            within_format(key, &glob("arn:aws:s3:::*"), "us-east-1", "111122223333"),
            None
        );
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert_eq!(
            within_format(
                bucket,
                &glob("arn:aws:s3:::a/b"),
                "us-east-1",
                "111122223333"
            ),
            None
        );
        // Every string built has the format and matches the pattern.
        for (f, p) in [
            (f, "arn:aws:s3:::*log*"),
            (bucket, "arn:aws:s3:::?"),
            (stack, "*stack/*-prod/*"),
        ] {
            let s = within_format(f, &glob(p), "us-east-1", "111122223333").unwrap();
            assert!(crate::real_resource::has_format(f, &s), "{s}");
            assert!(facts::wildcard::glob_match(p, &s, false), "{s}");
        }
    }
}
