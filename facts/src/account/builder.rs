//! Merging every input file into one [`Model`], then resolving cross-file references:
//! group memberships by name, attached policies by ARN (from the input, else from the
//! bundled AWS-managed snapshot, else a warning).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use super::documents::Documents;
use super::error::IngestError;
use super::managed;
use super::model::{
    Group, ManagedPolicy, Model, PolicyAttachment, Resource, Role, Source, User, VpcEndpoint,
    Warning, WarningKind,
};

/// The model under construction.
#[derive(Default)]
pub(crate) struct Builder {
    /// What has been read so far.
    pub model: Model,
    /// Per user ARN, the `GroupList` names still to resolve.
    pub pending_groups: Vec<(String, Vec<(String, Source)>)>,
    /// Roots of `list-roots` output, matched with organizations when every file is read.
    pub pending_roots: Vec<super::roots::PendingRoot>,
    /// The policy documents parsed so far, shared by the files of the load.
    pub documents: Rc<RefCell<Documents>>,
}

/// Insert `value` under `key` unless present; a duplicate becomes a warning. Returns whether
/// the value was inserted.
fn insert_unique<T, S: std::hash::BuildHasher>(
    map: &mut IndexMap<String, T, S>,
    warnings: &mut Vec<Warning>,
    key: &str,
    value: T,
    source: &Source,
) -> bool {
    if map.contains_key(key) {
        warnings.push(Warning {
            source: source.clone(),
            kind: WarningKind::Duplicate {
                id: key.to_string(),
            },
        });
        false
    } else {
        map.insert(key.to_string(), value);
        true
    }
}

impl Builder {
    /// Add a user; returns false (with a warning) when the ARN was already described.
    pub fn add_user(&mut self, u: User) -> bool {
        let (arn, src) = (u.arn.clone(), u.source.clone());
        insert_unique(
            &mut self.model.users,
            &mut self.model.warnings,
            &arn,
            u,
            &src,
        )
    }

    /// Add a group.
    pub fn add_group(&mut self, g: Group) -> bool {
        let (arn, src) = (g.arn.clone(), g.source.clone());
        insert_unique(
            &mut self.model.groups,
            &mut self.model.warnings,
            &arn,
            g,
            &src,
        )
    }

    /// Add a role.
    pub fn add_role(&mut self, r: Role) -> bool {
        let (arn, src) = (r.arn.clone(), r.source.clone());
        insert_unique(
            &mut self.model.roles,
            &mut self.model.warnings,
            &arn,
            r,
            &src,
        )
    }

    /// Add a managed policy. The same AWS-managed policy appears in the GAAD of every
    /// account that uses it: identical copies are merged without a warning.
    pub fn add_policy(&mut self, p: ManagedPolicy) -> bool {
        if let Some(existing) = self.model.policies.get(&p.arn) {
            if existing.document == p.document {
                return false;
            }
        }
        let (arn, src) = (p.arn.clone(), p.source.clone());
        insert_unique(
            &mut self.model.policies,
            &mut self.model.warnings,
            &arn,
            p,
            &src,
        )
    }

    /// Add a resource, merging with an earlier description of the same ARN: missing
    /// account, tags and policy are filled in; a second, different policy is a duplicate.
    pub fn add_resource(&mut self, r: Resource) {
        if let Some(acct) = &r.account {
            self.model.accounts.insert(acct.clone());
        }
        let Some(existing) = self.model.resources.get_mut(&r.arn) else {
            self.model.resources.insert(r.arn.clone(), r);
            return;
        };
        let mut conflict = false;
        match (&existing.account, r.account) {
            (None, a) => existing.account = a,
            (Some(a), Some(b)) if *a != b => conflict = true,
            _ => {}
        }
        for (k, v) in r.tags {
            match existing.tags.get(&k) {
                Some(old) if *old != v => conflict = true,
                Some(_) => {}
                None => {
                    existing.tags.insert(k, v);
                }
            }
        }
        match (&existing.policy, r.policy) {
            (None, p) => existing.policy = p,
            (Some(a), Some(b)) if a.document != b.document => conflict = true,
            _ => {}
        }
        if conflict {
            self.model.warnings.push(Warning {
                source: r.source,
                kind: WarningKind::Duplicate { id: r.arn },
            });
        }
    }

    /// Add a VPC endpoint; the same endpoint described again with a different VPC, owner or
    /// policy is a duplicate warning (the first description is kept).
    pub fn add_vpc_endpoint(&mut self, e: VpcEndpoint) {
        if let Some(acct) = &e.account {
            self.model.accounts.insert(acct.clone());
        }
        let Some(existing) = self.model.vpc_endpoints.get_mut(&e.id) else {
            self.model.vpc_endpoints.insert(e.id.clone(), e);
            return;
        };
        let mut conflict = false;
        match (&existing.vpc_id, e.vpc_id) {
            (None, v) => existing.vpc_id = v,
            (Some(a), Some(b)) if *a != b => conflict = true,
            _ => {}
        }
        match (&existing.account, e.account) {
            (None, a) => existing.account = a,
            (Some(a), Some(b)) if *a != b => conflict = true,
            _ => {}
        }
        match (&existing.policy, e.policy) {
            (None, p) => existing.policy = p,
            (Some(a), Some(b)) if a.document != b.document => conflict = true,
            _ => {}
        }
        if conflict {
            self.model.warnings.push(Warning {
                source: e.source,
                kind: WarningKind::Duplicate { id: e.id },
            });
        }
    }

    /// Resolve references across files and return the finished model. Fails when
    /// `list-roots` output contradicts an organization's `enabledPolicyTypes`.
    pub fn finish(mut self) -> Result<Model, IngestError> {
        self.resolve_groups();
        self.resolve_policies();
        self.warn_unknown_resource_accounts();
        super::s3_read::resolve_canonical_ids(&mut self.model);
        super::roots::apply(
            std::mem::take(&mut self.pending_roots),
            &mut self.model.organizations,
            &mut self.model.warnings,
        )?;
        for org in &mut self.model.organizations {
            super::organization::finish(org, &mut self.model.warnings);
        }
        Ok(self.model)
    }

    fn resolve_groups(&mut self) {
        let by_name: IndexMap<(String, String), String> = self
            .model
            .groups
            .values()
            .map(|g| ((g.account.0.clone(), g.name.clone()), g.arn.clone()))
            .collect();
        for (user_arn, names) in std::mem::take(&mut self.pending_groups) {
            let Some(user) = self.model.users.get_mut(&user_arn) else {
                continue;
            };
            for (name, source) in names {
                let key = (user.account.0.clone(), name.clone());
                match by_name.get(&key) {
                    Some(arn) => user.groups.push(arn.clone()),
                    None => {
                        // Kept as a membership so that nothing is dropped; it grants nothing.
                        user.groups
                            .push(format!("arn:aws:iam::{}:group/{name}", user.account));
                        self.model.warnings.push(Warning {
                            source,
                            kind: WarningKind::UnresolvedGroup { name },
                        });
                    }
                }
            }
        }
    }

    /// Every attachment or boundary ARN, with where it is written, in the order the model
    /// lists them.
    fn attachment_refs(m: &Model) -> impl Iterator<Item = &PolicyAttachment> {
        let users = m.users.values().flat_map(|u| {
            u.attached_policies
                .iter()
                .chain(u.permissions_boundary.iter())
        });
        let groups = m.groups.values().flat_map(|g| g.attached_policies.iter());
        let roles = m.roles.values().flat_map(|r| {
            r.attached_policies
                .iter()
                .chain(r.permissions_boundary.iter())
        });
        users.chain(groups).chain(roles)
    }

    /// Attachments whose policy no file gave: from the bundled snapshot (a warning says
    /// so), else unresolved (a warning). Each ARN is reported once, where first attached.
    fn resolve_policies(&mut self) {
        let snapshot_file = Arc::new(std::path::PathBuf::from(managed::SNAPSHOT_NAME));
        let mut missing: Vec<&PolicyAttachment> = Vec::new();
        let mut reported = BTreeSet::new();
        for att in Self::attachment_refs(&self.model) {
            if !self.model.policies.contains_key(&att.arn) && reported.insert(att.arn.as_str()) {
                missing.push(att);
            }
        }
        let missing: Vec<PolicyAttachment> = missing.into_iter().cloned().collect();
        for att in missing {
            match managed::lookup(&att.arn, &snapshot_file) {
                Some(policy) => {
                    self.model.warnings.push(Warning {
                        source: att.source.clone(),
                        kind: WarningKind::FromSnapshot {
                            arn: att.arn.clone(),
                        },
                    });
                    self.model.policies.insert(att.arn.clone(), policy);
                }
                None => self.model.warnings.push(Warning {
                    source: att.source.clone(),
                    kind: WarningKind::UnresolvedPolicy {
                        arn: att.arn.clone(),
                    },
                }),
            }
        }
    }

    fn warn_unknown_resource_accounts(&mut self) {
        for r in self.model.resources.values() {
            if r.account.is_none() {
                self.model.warnings.push(Warning {
                    source: r.source.clone(),
                    kind: WarningKind::UnknownResourceAccount { arn: r.arn.clone() },
                });
            }
        }
    }
}
