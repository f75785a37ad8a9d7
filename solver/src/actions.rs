//! Actions as a finite domain (the "stratified abstraction"): every action pattern of the
//! policies is matched, with `facts::wildcard::glob_match`, against the action catalogue;
//! actions that match exactly the same patterns form one class, and the solver only chooses a
//! class. Names outside the catalogue are represented by witnesses built from the patterns
//! themselves (a literal name, or a pattern with its wildcards filled in), so that a policy
//! naming an action the catalogue lacks is still compared exactly on that name.

use std::collections::HashMap;

use facts::wildcard::glob_match;

/// One class of actions that every pattern treats alike.
#[derive(Debug, Clone)]
pub struct ActionClass {
    /// Members: indices into the catalogue (empty for a name outside it).
    pub members: Vec<usize>,
    /// A name outside the catalogue that stands for this class, if it is such a class.
    pub witness: Option<String>,
    /// Indices of the patterns that match this class.
    pub signature: Vec<usize>,
}

/// The action domain of one proof.
#[derive(Debug, Clone)]
pub struct ActionDomain {
    /// The classes; the solver's action variable ranges over their indices.
    pub classes: Vec<ActionClass>,
    /// For each pattern, the classes it matches.
    pub matching: Vec<Vec<usize>>,
    /// The catalogue the member indices point into.
    names: std::sync::Arc<[String]>,
}

/// The longest prefix of `pattern` without a wildcard.
fn literal_prefix(pattern: &str) -> &str {
    match pattern.find(['*', '?']) {
        Some(i) => pattern.get(..i).unwrap_or(""),
        None => pattern,
    }
}

impl ActionDomain {
    /// Build the classes of `catalogue` (lowercased, sorted) under `patterns` (lowercased).
    /// With `unknown_names`, witnesses outside the catalogue are added as their own classes.
    pub fn build(
        patterns: Vec<String>,
        names: std::sync::Arc<[String]>,
        unknown_names: bool,
    ) -> ActionDomain {
        let catalogue: &[String] = &names;
        // INVARIANT: `catalogue` is sorted and lowercased (see `Catalogue::new`), so the
        // actions a pattern can match lie in the range that starts with its literal prefix.
        let mut sig_of: Vec<Vec<usize>> = vec![Vec::new(); catalogue.len()];
        for (pi, p) in patterns.iter().enumerate() {
            let prefix = literal_prefix(p);
            let start = catalogue.partition_point(|a| a.as_str() < prefix);
            // `prefix*` matches every name in the range; other patterns ask the matcher.
            let trailing_star_only = p.len() == prefix.len() + 1 && p.ends_with('*');
            for (off, a) in catalogue.iter().skip(start).enumerate() {
                if !a.starts_with(prefix) {
                    break;
                }
                if trailing_star_only || glob_match(p, a, true) {
                    if let Some(sig) = sig_of.get_mut(start + off) {
                        sig.push(pi);
                    }
                }
            }
        }
        let mut classes: Vec<ActionClass> = Vec::new();
        let mut by_sig: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut unmatched = Vec::new();
        for (ai, sig) in sig_of.into_iter().enumerate() {
            if sig.is_empty() {
                unmatched.push(ai);
                continue;
            }
            match by_sig.get(&sig) {
                Some(&ci) => {
                    if let Some(c) = classes.get_mut(ci) {
                        c.members.push(ai);
                    }
                }
                None => {
                    by_sig.insert(sig.clone(), classes.len());
                    classes.push(ActionClass {
                        members: vec![ai],
                        witness: None,
                        signature: sig,
                    });
                }
            }
        }
        // Catalogue actions that no pattern matches: one class, if any exist.
        if !unmatched.is_empty() {
            by_sig.insert(Vec::new(), classes.len());
            classes.push(ActionClass {
                members: unmatched,
                witness: None,
                signature: Vec::new(),
            });
        }
        if unknown_names {
            let mut witnesses: Vec<String> = Vec::new();
            for p in &patterns {
                witnesses.push(p.replace('*', "").replace('?', "z"));
                witnesses.push(p.replace('*', "zz").replace('?', "z"));
            }
            witnesses.push("iamlogic-unknown:unknownaction".to_string());
            for w in witnesses {
                if catalogue.binary_search(&w).is_ok() {
                    continue;
                }
                let sig: Vec<usize> = patterns
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| glob_match(p, &w, true))
                    .map(|(i, _)| i)
                    .collect();
                if by_sig.contains_key(&sig) {
                    continue;
                }
                by_sig.insert(sig.clone(), classes.len());
                classes.push(ActionClass {
                    members: Vec::new(),
                    witness: Some(w),
                    signature: sig,
                });
            }
        }
        let mut matching = vec![Vec::new(); patterns.len()];
        for (ci, c) in classes.iter().enumerate() {
            for &pi in &c.signature {
                if let Some(m) = matching.get_mut(pi) {
                    m.push(ci);
                }
            }
        }
        ActionDomain {
            classes,
            matching,
            names,
        }
    }

    /// The name that represents class `ci` in a counterexample.
    pub fn representative(&self, ci: usize) -> Option<String> {
        let c = self.classes.get(ci)?;
        match &c.witness {
            Some(w) => Some(w.clone()),
            None => c.members.first().and_then(|&i| self.names.get(i)).cloned(),
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
            Catalogue::new(
                facts::catalogue::Catalogue::get()
                    .actions()
                    .map(|a| a.full_name()),
            )
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

    fn dom(patterns: &[&str], cat: &[&str], unknown: bool) -> ActionDomain {
        let cat = Catalogue::new(cat.iter());
        ActionDomain::build(
            patterns.iter().map(|p| p.to_ascii_lowercase()).collect(),
            cat.shared(),
            unknown,
        )
    }

    #[test]
    fn actions_matching_the_same_patterns_share_a_class() {
        let d = dom(
            &["s3:Get*", "s3:*"],
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
        let get = d
            .classes
            .iter()
            .find(|c| c.signature == vec![0, 1])
            .unwrap();
        let ci = d
            .classes
            .iter()
            .position(|c| c.signature == vec![0, 1])
            .unwrap();
        assert_eq!(d.member_names(ci), vec!["s3:getbucket", "s3:getobject"]);
        assert!(get.witness.is_none());
        assert_eq!(d.matching[1].len(), 2);
    }

    #[test]
    fn names_outside_the_catalogue_get_witness_classes() {
        let d = dom(&["s3:GetNew"], &["s3:GetObject"], true);
        let w = d
            .classes
            .iter()
            .find(|c| c.witness.is_some() && c.signature == vec![0]);
        assert_eq!(w.unwrap().witness.as_deref(), Some("s3:getnew"));
        let d = dom(&["s3:GetNew"], &["s3:GetObject"], false);
        assert!(d.matching[0].is_empty());
    }

    #[test]
    fn the_aws_catalogue_is_partitioned_by_the_patterns() {
        let cat = Catalogue::aws();
        assert!(cat.names().len() > 20_000);
        let t = std::time::Instant::now();
        let d = ActionDomain::build(
            vec!["*".into(), "s3:get*".into(), "s3:getobject".into()],
            cat.shared(),
            true,
        );
        eprintln!("classes built in {:?}", t.elapsed());
        // {*}, {*, s3:Get*}, {*, s3:Get*, s3:GetObject}; every action matches `*`.
        assert_eq!(
            d.classes.len(),
            3,
            "{:?}",
            d.classes.iter().map(|c| &c.signature).collect::<Vec<_>>()
        );
        assert_eq!(d.matching[0].len(), 3);
        let total: usize = d.classes.iter().map(|c| c.members.len()).sum();
        assert_eq!(total, cat.names().len());
        assert!(d.classes.iter().all(|c| c.witness.is_none()));
    }
}
