//! Actions as a finite domain (the "stratified abstraction"): every action pattern of the
//! policies is matched, with `facts::wildcard::glob_match`, against the action catalogue;
//! actions that match exactly the same patterns form one class, and the solver only chooses a
//! class. Names outside the catalogue are represented by witnesses built from the patterns
//! themselves (a literal name, or a pattern with its wildcards filled in), so that a policy
//! naming an action the catalogue lacks is still compared exactly on that name.

use std::collections::HashMap;

use facts::wildcard::glob_match;

/// One action clause (`Action` or `NotAction`) as indices into the pattern list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Clause {
    /// `NotAction`: the clause holds for actions no pattern matches.
    pub negated: bool,
    /// The patterns (indices, sorted, deduplicated).
    pub patterns: Vec<usize>,
}

/// One class of actions that every action clause of the policies treats alike.
#[derive(Debug, Clone)]
pub struct ActionClass {
    /// Catalogue actions of the class (indices into the catalogue).
    pub members: Vec<usize>,
    /// Names outside the catalogue that the policies spell out literally, in this class.
    pub witnesses: Vec<String>,
}

/// The action domain of one proof.
#[derive(Debug, Clone)]
pub struct ActionDomain {
    /// The classes; the solver's action variable ranges over their indices.
    pub classes: Vec<ActionClass>,
    /// For each clause, the classes for which it holds.
    pub clause_classes: Vec<Vec<usize>>,
    /// The catalogue the member indices point into.
    names: std::sync::Arc<[String]>,
}

/// Catalogue indices and witness names with one pattern signature.
type Members = (Vec<usize>, Vec<String>);

/// The longest prefix of `pattern` without a wildcard.
fn literal_prefix(pattern: &str) -> &str {
    match pattern.find(['*', '?']) {
        Some(i) => pattern.get(..i).unwrap_or(""),
        None => pattern,
    }
}

impl ActionDomain {
    /// Build the classes of the catalogue `names` (lowercased, sorted) under `patterns`
    /// (lowercased) and the `clauses` made of them. Actions are first grouped by the set of
    /// patterns that match them, then by the set of clauses that hold for them: two actions
    /// that every statement treats alike are one class, so a policy listing 2,000 actions in
    /// one statement has a handful of classes, not 2,000. With `unknown_names`, literal
    /// patterns naming no catalogue action become witnesses.
    pub fn build(
        patterns: &[String],
        clauses: &[Clause],
        names: std::sync::Arc<[String]>,
        unknown_names: bool,
    ) -> ActionDomain {
        let catalogue: &[String] = &names;
        // Patterns of stars only match every name: they are in every signature, and no
        // action needs to be visited for them.
        let universal: Vec<usize> = patterns
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty() && p.bytes().all(|b| b == b'*'))
            .map(|(i, _)| i)
            .collect();
        // INVARIANT: `catalogue` is sorted and lowercased (see `Catalogue::new`), so the
        // actions a pattern can match lie in the range that starts with its literal prefix.
        // The other patterns' matches are recorded sparsely, as (action, pattern) pairs: a
        // policy names a few services, and the thousands of actions no pattern singles out
        // share one signature without being hashed one by one.
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for (pi, p) in patterns.iter().enumerate() {
            if universal.binary_search(&pi).is_ok() {
                continue;
            }
            let prefix = literal_prefix(p);
            let start = catalogue.partition_point(|a| a.as_str() < prefix);
            // `prefix*` matches every name in the range; other patterns ask the matcher.
            let trailing_star_only = p.len() == prefix.len() + 1 && p.ends_with('*');
            for (off, a) in catalogue.iter().skip(start).enumerate() {
                if !a.starts_with(prefix) {
                    break;
                }
                if trailing_star_only || glob_match(p, a, true) {
                    hits.push((start + off, pi));
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        // Pattern signatures of every catalogue action and of every witness.
        let mut by_sig: HashMap<Vec<usize>, Members> = HashMap::new();
        let mut plain: Vec<usize> = Vec::new();
        let mut next_hit = hits.iter().peekable();
        for ai in 0..catalogue.len() {
            if next_hit.peek().is_none_or(|&&(a, _)| a != ai) {
                plain.push(ai);
                continue;
            }
            let mut sig = universal.clone();
            while let Some(&(_, pi)) = next_hit.next_if(|&&(a, _)| a == ai) {
                sig.push(pi);
            }
            sig.sort_unstable();
            by_sig.entry(sig).or_default().0.push(ai);
        }
        if !plain.is_empty() {
            by_sig.entry(universal).or_default().0.extend(plain);
        }
        if unknown_names {
            for p in patterns {
                if p.contains(['*', '?']) || catalogue.binary_search(p).is_ok() {
                    continue;
                }
                let sig: Vec<usize> = patterns
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| glob_match(q, p, true))
                    .map(|(i, _)| i)
                    .collect();
                by_sig.entry(sig).or_default().1.push(p.clone());
            }
        }
        // Clause signatures: which clauses hold for a pattern signature.
        let mut groups: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut classes: Vec<ActionClass> = Vec::new();
        let mut sigs: Vec<(Vec<usize>, Members)> = by_sig.into_iter().collect();
        sigs.sort();
        for (sig, (members, witnesses)) in sigs {
            let bits: Vec<bool> = clauses
                .iter()
                .map(|c| c.negated != c.patterns.iter().any(|p| sig.binary_search(p).is_ok()))
                .collect();
            let ci = *groups.entry(bits).or_insert_with(|| {
                classes.push(ActionClass {
                    members: Vec::new(),
                    witnesses: Vec::new(),
                });
                classes.len() - 1
            });
            if let Some(c) = classes.get_mut(ci) {
                c.members.extend(members);
                c.witnesses.extend(witnesses);
            }
        }
        classes.retain(|c| !c.members.is_empty() || !c.witnesses.is_empty());
        for c in &mut classes {
            c.members.sort_unstable();
        }
        let clause_classes = clauses
            .iter()
            .map(|cl| {
                classes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        let holds = |name: &str| {
                            cl.negated
                                != cl
                                    .patterns
                                    .iter()
                                    .filter_map(|&p| patterns.get(p))
                                    .any(|p| glob_match(p, name, true))
                        };
                        match (c.members.first(), c.witnesses.first()) {
                            (Some(&m), _) => catalogue.get(m).is_some_and(|n| holds(n)),
                            (None, Some(w)) => holds(w),
                            (None, None) => false,
                        }
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        ActionDomain {
            classes,
            clause_classes,
            names,
        }
    }

    /// The name that represents class `ci` in a counterexample.
    pub fn representative(&self, ci: usize) -> Option<String> {
        let c = self.classes.get(ci)?;
        match c.members.first() {
            Some(&i) => self.names.get(i).cloned(),
            None => c.witnesses.first().cloned(),
        }
    }

    /// The catalogue actions of class `ci`.
    pub fn member_names(&self, ci: usize) -> Vec<String> {
        self.classes.get(ci).map_or_else(Vec::new, |c| {
            c.members
                .iter()
                .filter_map(|&i| self.names.get(i).cloned())
                .collect()
        })
    }
}

/// The action catalogue: every known action name, lowercased and sorted.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    names: std::sync::Arc<[String]>,
}

impl Catalogue {
    /// A catalogue of these action names (`service:Action`, any case).
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(names: I) -> Catalogue {
        let mut names: Vec<String> = names
            .into_iter()
            .map(|s| s.as_ref().to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        Catalogue {
            names: names.into(),
        }
    }

    /// The embedded AWS catalogue (`facts::catalogue`), built once.
    pub fn aws() -> &'static Catalogue {
        static AWS: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        AWS.get_or_init(|| {
            // Built in place, once per `iamlogic diff` process: one allocation per name, no
            // formatting, no sort. Services are ordered by `prefix:` (lowercase) and each
            // service's actions are sorted case-insensitively (`facts::catalogue`), so the
            // concatenation is already sorted; a prefix holds no `:`, so no service's block
            // can interleave with another's.
            let cat = facts::catalogue::Catalogue::get();
            let mut services: Vec<(String, &facts::catalogue::Service)> = cat
                .services()
                .iter()
                .map(|s| (format!("{}:", s.prefix().to_ascii_lowercase()), s))
                .collect();
            services.sort_by(|a, b| a.0.cmp(&b.0));
            let mut names: Vec<String> = Vec::with_capacity(cat.actions().size_hint().0);
            for (prefix, service) in &services {
                for a in service.actions() {
                    let name = a.name();
                    let mut full = String::with_capacity(prefix.len() + name.len());
                    full.push_str(prefix);
                    full.push_str(name);
                    full.make_ascii_lowercase();
                    names.push(full);
                }
            }
            if !names.is_sorted() {
                names.sort_unstable();
            }
            names.dedup();
            Catalogue {
                names: names.into(),
            }
        })
    }

    /// The names, lowercased and sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// A cheap shared handle on the names.
    pub(crate) fn shared(&self) -> std::sync::Arc<[String]> {
        self.names.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One clause per pattern list, in order.
    fn dom(clauses: &[&[&str]], cat: &[&str], unknown: bool) -> ActionDomain {
        let cat = Catalogue::new(cat.iter());
        let mut patterns: Vec<String> = Vec::new();
        let mut cls = Vec::new();
        for c in clauses {
            let mut idx = Vec::new();
            for p in *c {
                let p = p.to_ascii_lowercase();
                let i = patterns.iter().position(|q| *q == p).unwrap_or_else(|| {
                    patterns.push(p.clone());
                    patterns.len() - 1
                });
                idx.push(i);
            }
            idx.sort_unstable();
            cls.push(Clause {
                negated: false,
                patterns: idx,
            });
        }
        ActionDomain::build(&patterns, &cls, cat.shared(), unknown)
    }

    #[test]
    fn actions_every_statement_treats_alike_share_a_class() {
        let d = dom(
            &[&["s3:Get*"], &["s3:*"]],
            &[
                "s3:GetObject",
                "s3:GetBucket",
                "s3:PutObject",
                "ec2:RunInstances",
            ],
            false,
        );
        // {Get*, *}: 2 actions; {*}: PutObject; {}: ec2.
        assert_eq!(d.classes.len(), 3);
        let ci = d.clause_classes[0][0];
        assert_eq!(d.member_names(ci), vec!["s3:getbucket", "s3:getobject"]);
        assert_eq!(d.clause_classes[1].len(), 2);
    }

    #[test]
    fn a_long_list_in_one_statement_is_one_class() {
        let d = dom(
            &[&["s3:GetObject", "s3:PutObject", "s3:GetBucket"]],
            &[
                "s3:GetObject",
                "s3:GetBucket",
                "s3:PutObject",
                "ec2:RunInstances",
            ],
            false,
        );
        assert_eq!(d.classes.len(), 2);
        assert_eq!(d.member_names(d.clause_classes[0][0]).len(), 3);
    }

    #[test]
    fn literal_names_outside_the_catalogue_are_witnesses() {
        let d = dom(&[&["s3:GetNew"]], &["s3:GetObject"], true);
        let ci = d.clause_classes[0][0];
        assert_eq!(d.classes[ci].witnesses, vec!["s3:getnew"]);
        assert_eq!(d.representative(ci).as_deref(), Some("s3:getnew"));
        let d = dom(&[&["s3:GetNew"]], &["s3:GetObject"], false);
        assert!(d.clause_classes[0].is_empty());
        // A wildcard naming nothing in the catalogue stands for no action.
        let d = dom(&[&["s3:Nothing*"]], &["s3:GetObject"], true);
        assert!(d.clause_classes[0].is_empty());
    }

    #[test]
    fn the_aws_names_built_in_place_are_the_catalogue_lowercased_and_sorted() {
        let slow = Catalogue::new(
            facts::catalogue::Catalogue::get()
                .actions()
                .map(|a| a.full_name()),
        );
        assert_eq!(Catalogue::aws().names(), slow.names());
        assert!(slow.names().iter().any(|n| n == "s3:getobject"));
    }

    #[test]
    fn the_aws_catalogue_is_partitioned_by_the_statements() {
        let cat = Catalogue::aws();
        assert!(cat.names().len() > 20_000);
        let t = std::time::Instant::now();
        let patterns = vec![
            "*".to_string(),
            "s3:get*".to_string(),
            "s3:getobject".to_string(),
        ];
        let clauses = vec![
            Clause {
                negated: false,
                patterns: vec![0],
            },
            Clause {
                negated: false,
                patterns: vec![1, 2],
            },
        ];
        let d = ActionDomain::build(&patterns, &clauses, cat.shared(), true);
        eprintln!("classes built in {:?}", t.elapsed());
        // {*} and {*, s3:Get*}: s3:GetObject is not told apart from s3:GetBucket.
        assert_eq!(d.classes.len(), 2);
        assert_eq!(d.clause_classes[0].len(), 2);
        let total: usize = d.classes.iter().map(|c| c.members.len()).sum();
        assert_eq!(total, cat.names().len());
    }
}
