//! Principal profiles: everything the decision program needs to know about a caller that
//! does not depend on the request, computed once per principal instead of in every run.
//!
//! A [`Profile`] holds, for one principal:
//! - its kind (whether AWS evaluates an identity side for it, whether it is the root user);
//! - its identity-based policies, unioned from every holder AWS evaluates for it (IAM User
//!   Guide, "Policy evaluation logic", [DENYALLOW]): the principal's own inline and managed
//!   policies; the policies of the groups a user belongs to ("IAM user groups": a group's
//!   policies apply to its members); for a role session, its role's ("Temporary security
//!   credentials in IAM": a session has the permissions of the role's identity-based
//!   policies);
//! - its permissions boundary: its own, or its role's for a session ("Permissions
//!   boundaries for IAM entities");
//! - the session policies passed when its session was created ("Session policies");
//! - the SCP levels that must each allow its requests, root first (AWS Organizations User
//!   Guide, "Service control policies (SCPs)": every level of the path root → OUs →
//!   account must have an Allow; SCPs do not affect the management account nor
//!   service-linked roles, and a caller without an account — anonymous, a service — has
//!   none);
//! - whether it is a service-linked role or one of its sessions (RCPs and AWS's rules on
//!   AWS-owned resources exempt those: see `decide.rs`).
//!
//! [`Profiles`] interns profiles: principals whose profiles are equal share one
//! [`ProfileId`], their *class*. Two principals of one class receive the same decision on
//! every request that reads neither the caller's name (resource-policy `Principal`,
//! `aws:PrincipalArn`, `aws:username`...) nor its account (same-account rules, RCPs of the
//! resource's account), so queries that ask about many principals (who-can, escalation) can
//! decide one representative per class and name-dependent statements separately.
//!
//! Principals added to the tables after the profiles were built (role sessions and callers
//! a request names) get their profile from [`Profiles::profile_of`], computed from the
//! tables on demand: a session without session policies has its role's profile but for its
//! kind.

use std::collections::HashMap;
use std::sync::Arc;

use facts::tables::{FactTables, Layer, PolicyId, PrincipalKind, Sym};

use crate::hash::FxBuildHasher;
use crate::select::FactIndex;

type Map<K, V> = HashMap<K, V, FxBuildHasher>;

/// The class of a principal: the id of its interned [`Profile`] in a [`Profiles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileId(pub u32);

/// The class of an entity that is no principal of the tables: it has no profile, so no
/// caller-side fact holds for it.
pub(crate) const UNKNOWN: ProfileId = ProfileId(u32::MAX);

/// What the decision program needs to know about a caller, independent of the request
/// (see the module documentation for the AWS rule behind each field).
///
/// The lists are shared (`Arc`): the class of a role's sessions is a copy of the role's
/// profile but for its kind ([`LocalProfiles::session_class`]), made for every role a run's
/// sessions name, and a copy shares the lists instead of allocating them again (and freeing
/// them when the run ends).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The principal's kind.
    pub kind: PrincipalKind,
    /// Identity-based policies: its own, its groups', its session's role's (sorted, each
    /// once). Empty for callers without an identity side (anonymous, services...), whose
    /// groups AWS never evaluates.
    pub identity: Arc<[PolicyId]>,
    /// Permissions boundary policies: its own, or its session's role's (sorted).
    pub boundary: Arc<[PolicyId]>,
    /// Session policies of a role session (sorted).
    pub session: Arc<[PolicyId]>,
    /// SCP levels (root, OU and account nodes), root first, with the SCPs attached at each;
    /// empty when SCPs do not apply (management account, service-linked role, no account).
    pub scp_levels: Arc<[(Sym, Box<[PolicyId]>)]>,
    /// A service-linked role, or a session of one.
    pub service_linked: bool,
}

impl Profile {
    /// Every policy the profile puts in force for the caller's requests, with its layer:
    /// identity, boundary, session, then SCP levels root first.
    pub fn policies(&self) -> impl Iterator<Item = (PolicyId, Layer)> + '_ {
        fn of(list: &[PolicyId], l: Layer) -> impl Iterator<Item = (PolicyId, Layer)> + '_ {
            list.iter().map(move |&p| (p, l))
        }
        of(&self.identity, Layer::Identity)
            .chain(of(&self.boundary, Layer::Boundary))
            .chain(of(&self.session, Layer::Session))
            .chain(
                self.scp_levels
                    .iter()
                    .flat_map(|(_, pols)| pols.iter().map(|&p| (p, Layer::Scp))),
            )
    }

    /// The SCPs attached at every SCP level of the profile (as `FullAWSAccess` is, by
    /// default, on the root, every OU and every account), each once: when one of them
    /// applies to a request, every level has an applicable Allow [SCP: "every level of the
    /// path must allow"], and no level need be asked apart. Empty without SCP levels.
    pub fn scps_at_every_level(&self) -> impl Iterator<Item = PolicyId> + '_ {
        at_every_level(self.scp_levels.iter().map(|(_, pols)| &pols[..]))
    }

    /// Whether the profile has at least one policy in `layer` (a boundary or session
    /// policy then limits the identity side).
    pub fn has_layer(&self, layer: Layer) -> bool {
        match layer {
            Layer::Identity => !self.identity.is_empty(),
            Layer::Boundary => !self.boundary.is_empty(),
            Layer::Session => !self.session.is_empty(),
            Layer::Scp => self.scp_levels.iter().any(|(_, p)| !p.is_empty()),
            _ => false,
        }
    }

    /// Compute the profile of principal `p` from `tables` (`index` groups them by entity);
    /// `None` when `p` is no principal of the tables.
    pub(crate) fn of(t: &FactTables, index: &FactIndex, p: Sym) -> Option<Profile> {
        let row = t.principal(p)?;
        let kind = row.kind;
        let role = t.role_of_session(p);
        let sorted = |mut v: Vec<PolicyId>| -> Vec<PolicyId> {
            v.sort_unstable();
            v.dedup();
            v
        };
        // Holders of identity-based policies: the principal (an IAM identity), its groups,
        // its session's role.
        let mut identity = Vec::new();
        if kind.has_identity_side() {
            identity.extend_from_slice(index.identity_of(p));
        }
        for &g in index.groups_of(p) {
            identity.extend_from_slice(index.identity_of(g));
        }
        if let Some(role) = role {
            identity.extend_from_slice(index.identity_of(role));
        }
        let mut boundary = index.boundary_of(p).to_vec();
        if let Some(role) = role {
            boundary.extend_from_slice(index.boundary_of(role));
        }
        let session = index.session_of(p).to_vec();
        let service_linked =
            index.is_service_linked(p) || role.is_some_and(|r| index.is_service_linked(r));
        let scp_levels = match row.account {
            Some(a) if !service_linked && !t.management_accounts.contains(&a) => index
                .scp_levels_of(a)
                .iter()
                .map(|&n| {
                    let pols = sorted(index.scp_attachments_of(n).to_vec());
                    (n, pols.into_boxed_slice())
                })
                .collect(),
            _ => Arc::default(),
        };
        Some(Profile {
            kind,
            identity: sorted(identity).into(),
            boundary: sorted(boundary).into(),
            session: sorted(session).into(),
            scp_levels,
            service_linked,
        })
    }
}

/// The policies of the first of `levels` that every other level lists too: those attached
/// at every level of an organization path (SCP or RCP levels, root first), in the first
/// level's order. None without levels.
pub(crate) fn at_every_level<'a>(
    levels: impl Iterator<Item = &'a [PolicyId]> + Clone + 'a,
) -> impl Iterator<Item = PolicyId> + 'a {
    let mut rest = levels;
    let first = rest.next().unwrap_or_default();
    first
        .iter()
        .copied()
        .filter(move |p| rest.clone().all(|pols| pols.contains(p)))
}

/// Interned principal profiles: one [`ProfileId`] per distinct [`Profile`], and the class
/// of every principal of the tables they were built from.
#[derive(Debug, Default)]
pub struct Profiles {
    profiles: Vec<Arc<Profile>>,
    ids: ByHash,
    by_principal: Classes,
    /// The number of symbols of the tables they were built from: a principal entity from
    /// here on was added after (see [`LocalProfiles`]).
    symbols: Sym,
}

/// The class of each principal entity, in a slot per entity from `first` on: asked for
/// every request's caller, and looked up by position rather than hashed (a run's new role
/// sessions, numbered after every entity of the loaded data, each missed a hash table
/// in memory).
#[derive(Debug, Default)]
struct Classes {
    /// The entity of `slots[0]`.
    first: Sym,
    slots: Vec<u32>,
    /// How many slots hold a class.
    len: usize,
}

impl Classes {
    /// No class.
    const NONE: u32 = u32::MAX;

    /// Slots for the entities from `first` on.
    fn from(first: Sym) -> Classes {
        Classes {
            first,
            slots: Vec::new(),
            len: 0,
        }
    }

    fn get(&self, p: Sym) -> Option<ProfileId> {
        let at = p.checked_sub(self.first)? as usize;
        match self.slots.get(at) {
            Some(&c) if c != Self::NONE => Some(ProfileId(c)),
            _ => None,
        }
    }

    /// Set the class of `p`, which must not be below `first`.
    fn insert(&mut self, p: Sym, id: ProfileId) {
        let Some(at) = p.checked_sub(self.first).map(|a| a as usize) else {
            return;
        };
        if self.slots.len() <= at {
            self.slots.resize(at + 1, Self::NONE);
        }
        if let Some(slot) = self.slots.get_mut(at) {
            if *slot == Self::NONE {
                self.len += 1;
            }
            *slot = id.0;
        }
    }
}

/// Interned profiles found by their hash ([`profile_hash`]): each profile is hashed once
/// when it is looked up, and the map grows (rehashes) over the hashes alone.
type ByHash = Map<u64, Vec<ProfileId>>;

/// The hash of a profile that finds it in a [`ByHash`].
fn profile_hash(p: &Profile) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher::default().hash_one(p)
}

/// The class among `ids[hash]` whose profile (`get`) equals `p`.
fn find<'a>(
    ids: &ByHash,
    hash: u64,
    p: &Profile,
    get: impl Fn(ProfileId) -> Option<&'a Profile>,
) -> Option<ProfileId> {
    ids.get(&hash)?
        .iter()
        .copied()
        .find(|&id| get(id) == Some(p))
}

impl Profiles {
    /// The profiles of every principal of `t`.
    pub(crate) fn new(t: &FactTables, index: &FactIndex) -> Profiles {
        let mut out = Profiles {
            symbols: Sym::try_from(t.symbols.len()).unwrap_or(Sym::MAX),
            ..Profiles::default()
        };
        for row in &t.principals {
            if let Some(profile) = Profile::of(t, index, row.id) {
                let id = out.intern(profile);
                out.by_principal.insert(row.id, id);
            }
        }
        out
    }

    fn intern(&mut self, p: Profile) -> ProfileId {
        let hash = profile_hash(&p);
        if let Some(id) = find(&self.ids, hash, &p, |id| self.get(id)) {
            return id;
        }
        let id = ProfileId(self.profiles.len() as u32);
        self.profiles.push(Arc::new(p));
        self.ids.entry(hash).or_default().push(id);
        id
    }

    /// The class of principal `p`, when `p` was in the tables the profiles were built from.
    pub fn class_of(&self, p: Sym) -> Option<ProfileId> {
        self.by_principal.get(p)
    }

    /// The profile of class `id`.
    pub fn get(&self, id: ProfileId) -> Option<&Profile> {
        self.profiles.get(id.0 as usize).map(Arc::as_ref)
    }

    /// How many distinct profiles (classes) there are.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The number of principals with a class.
    pub fn principals(&self) -> usize {
        self.by_principal.len
    }
}

/// The profiles of one engine: the shared [`Profiles`] of its index, and the principals
/// the engine's tables add (sessions, callers named only by requests), profiled on first
/// need and interned on top of the shared classes.
#[derive(Debug, Default)]
pub(crate) struct LocalProfiles {
    /// Classes added here, numbered after the shared ones.
    added: Vec<Arc<Profile>>,
    ids: ByHash,
    /// The classes of principals of the tables the shared profiles were built from that
    /// they give none (an entity they hold nothing for).
    by_principal: Map<Sym, ProfileId>,
    /// The classes of the principals added after them (the run's new callers), in a slot
    /// each (see [`Classes`]).
    added_principals: Option<Classes>,
    /// A role's class → the class of its sessions that hold nothing of their own (see
    /// [`LocalProfiles::session_class`]).
    sessions: Map<ProfileId, ProfileId>,
}

impl LocalProfiles {
    /// The class of `p` when it is known already (shared, or profiled here before).
    pub(crate) fn known(&self, shared: &Profiles, p: Sym) -> Option<ProfileId> {
        shared.class_of(p).or_else(|| self.local(shared, p))
    }

    /// The class given to `p` here before.
    fn local(&self, shared: &Profiles, p: Sym) -> Option<ProfileId> {
        if p >= shared.symbols {
            return self.added_principals.as_ref()?.get(p);
        }
        self.by_principal.get(&p).copied()
    }

    /// Remember the class of `p`.
    fn remember(&mut self, shared: &Profiles, p: Sym, id: ProfileId) {
        if p >= shared.symbols {
            self.added_principals
                .get_or_insert_with(|| Classes::from(shared.symbols))
                .insert(p, id);
        } else {
            self.by_principal.insert(p, id);
        }
    }

    /// The class of `p`: from `shared` when it knows `p`, else profiled from the tables.
    pub(crate) fn class_of(
        &mut self,
        shared: &Profiles,
        t: &FactTables,
        index: &FactIndex,
        p: Sym,
    ) -> ProfileId {
        if let Some(id) = shared.class_of(p) {
            return id;
        }
        if let Some(id) = self.local(shared, p) {
            return id;
        }
        if let Some(id) = self.session_class(shared, t, index, p) {
            self.remember(shared, p, id);
            return id;
        }
        let Some(profile) = Profile::of(t, index, p) else {
            return UNKNOWN;
        };
        let id = self.intern(shared, profile);
        self.remember(shared, p, id);
        id
    }

    /// The class of `profile`: a shared one, one added before, or a new one added here.
    fn intern(&mut self, shared: &Profiles, profile: Profile) -> ProfileId {
        let hash = profile_hash(&profile);
        let first = shared.profiles.len();
        let mine = |id: ProfileId| {
            (id.0 as usize)
                .checked_sub(first)
                .and_then(|j| self.added.get(j))
                .map(Arc::as_ref)
        };
        if let Some(id) = find(&shared.ids, hash, &profile, |id| shared.get(id))
            .or_else(|| find(&self.ids, hash, &profile, mine))
        {
            return id;
        }
        let id = ProfileId((first + self.added.len()) as u32);
        self.added.push(Arc::new(profile));
        self.ids.entry(hash).or_default().push(id);
        id
    }

    /// The class of role session `p` when the session holds nothing of its own (no
    /// identity-based, boundary or session policy, no group, not service-linked itself) and
    /// is in its role's account: [`Profile::of`] then gives the role's profile with the
    /// session's kind (a session has its role's identity-based policies and boundary, and
    /// the SCP levels of the same account: see the module documentation), so the class is
    /// derived from the role's class once per role class instead of profiled per session.
    /// `None` when that does not hold (the caller then profiles `p` from the tables).
    fn session_class(
        &mut self,
        shared: &Profiles,
        t: &FactTables,
        index: &FactIndex,
        p: Sym,
    ) -> Option<ProfileId> {
        let row = t.principal(p)?;
        if row.kind != PrincipalKind::Session {
            return None;
        }
        let role = t.role_of_session(p)?;
        let role_row = t.principal(role)?;
        // What `Profile::of` adds for the session beyond its role's profile, and what the
        // role's profile holds that the session's would not (its groups, session policies,
        // a role of its own, its own identity policies only when it has an identity side).
        let holds_nothing = row.account == role_row.account
            && index.identity_of(p).is_empty()
            && index.groups_of(p).is_empty()
            && index.boundary_of(p).is_empty()
            && index.session_of(p).is_empty()
            && !index.is_service_linked(p)
            && role_row.kind.has_identity_side()
            && index.groups_of(role).is_empty()
            && index.session_of(role).is_empty()
            && t.role_of_session(role).is_none();
        if !holds_nothing {
            return None;
        }
        let role_class = self.known(shared, role)?;
        if let Some(&id) = self.sessions.get(&role_class) {
            return Some(id);
        }
        let mut profile = match shared.get(role_class) {
            Some(profile) => profile.clone(),
            None => Profile::clone(self.added(shared, role_class)?.as_ref()),
        };
        profile.kind = PrincipalKind::Session;
        let id = self.intern(shared, profile);
        self.sessions.insert(role_class, id);
        Some(id)
    }

    /// The profile of class `id` when it was added here (not one of `shared`'s), shared so
    /// that it outlives a lock on these profiles.
    pub(crate) fn added(&self, shared: &Profiles, id: ProfileId) -> Option<Arc<Profile>> {
        let j = (id.0 as usize).checked_sub(shared.profiles.len())?;
        self.added.get(j).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::account::OrgPolicyKind;
    use facts::tables::TablesBuilder;

    fn doc() -> Arc<facts::policy::Policy> {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        Arc::new(facts::parse::parse_policy(text).expect("a valid policy"))
    }

    /// IAM User Guide, "IAM user groups" (a group's policies apply to its members),
    /// "Temporary security credentials in IAM" (a session has its role's permissions) and
    /// "Permissions boundaries for IAM entities"; AWS Organizations User Guide, "Service
    /// control policies (SCPs)" (every level root → account; not the management account,
    /// not service-linked roles).
    #[test]
    fn profiles_union_holders_and_share_classes() {
        let mut b = TablesBuilder::new();
        let member = b.account("111111111111");
        let mgmt = b.account("222222222222");
        b.management_account(mgmt);
        let (root_scp, acct_scp) = (b.policy("root-scp", doc()), b.policy("acct-scp", doc()));
        b.org_level(OrgPolicyKind::Scp, member, 0, "org:r-1", &[root_scp]);
        b.org_level(
            OrgPolicyKind::Scp,
            member,
            1,
            "org:111111111111",
            &[acct_scp],
        );
        b.org_level(OrgPolicyKind::Scp, mgmt, 0, "org:r-1", &[root_scp]);
        let user_arn = "arn:aws:iam::111111111111:user/alice";
        let user = b.principal(user_arn, user_arn, PrincipalKind::User, Some(member));
        let group = b.sym("arn:aws:iam::111111111111:group/devs");
        b.member_of(user, group);
        let (own, grp) = (b.policy("own", doc()), b.policy("grp", doc()));
        b.attach_identity(user_arn, own);
        b.attach_identity("arn:aws:iam::111111111111:group/devs", grp);
        let role_arn = "arn:aws:iam::111111111111:role/app";
        let role = b.principal(role_arn, role_arn, PrincipalKind::Role, Some(member));
        let (rp, bound) = (b.policy("role-policy", doc()), b.policy("boundary", doc()));
        b.attach_identity(role_arn, rp);
        b.attach_boundary(role_arn, bound);
        // Two roles with the same policies share a class.
        let twin_arn = "arn:aws:iam::111111111111:role/app-twin";
        let twin = b.principal(twin_arn, twin_arn, PrincipalKind::Role, Some(member));
        b.attach_identity(twin_arn, rp);
        b.attach_boundary(twin_arn, bound);
        let mgmt_arn = "arn:aws:iam::222222222222:role/admin";
        let admin = b.principal(mgmt_arn, mgmt_arn, PrincipalKind::Role, Some(mgmt));
        let t = b.finish();
        let index = FactIndex::new(&t);
        let profiles = Profiles::new(&t, &index);

        let class = |p| profiles.class_of(p).expect("a known principal");
        let alice = profiles.get(class(user)).expect("a profile");
        assert_eq!(&*alice.identity, &[own, grp]);
        let levels: Vec<_> = alice.scp_levels.iter().map(|(_, p)| p.to_vec()).collect();
        assert_eq!(levels, vec![vec![root_scp], vec![acct_scp]]);
        assert!(alice.boundary.is_empty() && !alice.has_layer(Layer::Boundary));
        let app = profiles.get(class(role)).expect("a profile");
        assert_eq!((&*app.identity, &*app.boundary), (&[rp][..], &[bound][..]));
        assert_eq!(class(role), class(twin));
        assert_ne!(class(role), class(user));
        // The management account: no SCP level applies.
        let admin = profiles.get(class(admin)).expect("a profile");
        assert!(admin.scp_levels.is_empty());

        // A session added after the profiles were built: its role's policies and boundary.
        let mut b = TablesBuilder::from_tables(t);
        let s_arn = "arn:aws:sts::111111111111:assumed-role/app/s1";
        let session = b.principal(s_arn, s_arn, PrincipalKind::Session, Some(member));
        b.session_of(session, role);
        let t = b.finish();
        let mut added = LocalProfiles::default();
        let c = added.class_of(&profiles, &t, &index, session);
        // A session's kind differs from every loaded principal's: its class is added here.
        let s = added.added(&profiles, c).expect("a profile added here");
        assert_eq!((&*s.identity, &*s.boundary), (&[rp][..], &[bound][..]));
        assert_eq!(s.kind, PrincipalKind::Session);
        assert_eq!(s.scp_levels.len(), 2);
        assert_eq!(added.known(&profiles, session), Some(c));
        assert_eq!(Some(s.as_ref()), Profile::of(&t, &index, session).as_ref());
        // No principal: no class.
        let nobody = t
            .symbols
            .get("arn:aws:iam::111111111111:group/devs")
            .expect("a symbol");
        assert_eq!(added.class_of(&profiles, &t, &index, nobody), UNKNOWN);
    }

    /// AWS Organizations User Guide, "SCP evaluation": every level must allow, so an SCP
    /// attached at every level of a caller's path allows at each level; one attached at
    /// some levels only does not, nor does any SCP of a caller without SCP levels.
    #[test]
    fn scps_at_every_level_are_those_every_level_lists() {
        let profile = |levels: &[&[PolicyId]]| Profile {
            kind: PrincipalKind::User,
            identity: Arc::default(),
            boundary: Arc::default(),
            session: Arc::default(),
            scp_levels: levels
                .iter()
                .enumerate()
                .map(|(n, pols)| (n as Sym, pols.to_vec().into_boxed_slice()))
                .collect(),
            service_linked: false,
        };
        let everywhere = |levels: &[&[PolicyId]]| -> Vec<PolicyId> {
            profile(levels).scps_at_every_level().collect()
        };
        // 1 is attached at the three levels; 2 at two; 3 at one.
        assert_eq!(everywhere(&[&[1, 2], &[1, 2, 3], &[1]]), [1]);
        assert_eq!(
            everywhere(&[&[1, 2], &[2, 3], &[1, 3]]),
            Vec::<PolicyId>::new()
        );
        assert_eq!(everywhere(&[&[4, 7]]), [4, 7]);
        assert_eq!(everywhere(&[&[1], &[]]), Vec::<PolicyId>::new());
        assert_eq!(everywhere(&[]), Vec::<PolicyId>::new());
    }

    /// A role's sessions that hold nothing of their own share one class, derived from the
    /// role's ("Temporary security credentials in IAM": a session has its role's
    /// permissions), equal to the one profiling each session gives; a session with a session
    /// policy ("Session policies") or of a role in another account is profiled apart.
    #[test]
    fn sessions_holding_nothing_share_their_role_variant() {
        let mut b = TablesBuilder::new();
        let member = b.account("111111111111");
        let other = b.account("333333333333");
        let scp = b.policy("scp", doc());
        b.org_level(OrgPolicyKind::Scp, member, 0, "org:r-1", &[scp]);
        let role_arn = "arn:aws:iam::111111111111:role/app";
        let role = b.principal(role_arn, role_arn, PrincipalKind::Role, Some(member));
        let (rp, bound) = (b.policy("role-policy", doc()), b.policy("boundary", doc()));
        b.attach_identity(role_arn, rp);
        b.attach_boundary(role_arn, bound);
        let t = b.finish();
        let index = FactIndex::new(&t);
        let profiles = Profiles::new(&t, &index);

        let mut b = TablesBuilder::from_tables(t);
        let session = |b: &mut TablesBuilder, name: &str, account| {
            let arn = format!("arn:aws:sts::111111111111:assumed-role/app/{name}");
            let s = b.principal(&arn, &arn, PrincipalKind::Session, Some(account));
            b.session_of(s, role);
            s
        };
        let s1 = session(&mut b, "s1", member);
        let s2 = session(&mut b, "s2", member);
        let with_policy = session(&mut b, "s3", member);
        let elsewhere = session(&mut b, "s4", other);
        let sp = b.policy("session-policy", doc());
        b.attach_session_policy(with_policy, sp);
        let t = b.finish();
        // The tables gained a session policy: the engine would index them anew; the role's
        // shared class is unchanged.
        let index = FactIndex::new(&t);
        let mut added = LocalProfiles::default();
        let class = |added: &mut LocalProfiles, p| added.class_of(&profiles, &t, &index, p);
        let (c1, c2) = (class(&mut added, s1), class(&mut added, s2));
        assert_eq!(c1, c2);
        assert_eq!(added.sessions.len(), 1, "derived from the role's class");
        let profile = |added: &LocalProfiles, c| {
            profiles
                .get(c)
                .cloned()
                .or_else(|| added.added(&profiles, c).map(|p| Profile::clone(&p)))
        };
        assert_eq!(profile(&added, c1), Profile::of(&t, &index, s1));
        let c3 = class(&mut added, with_policy);
        assert_ne!(c3, c1);
        assert_eq!(profile(&added, c3), Profile::of(&t, &index, with_policy));
        assert_eq!(&*profile(&added, c3).expect("a profile").session, &[sp]);
        let c4 = class(&mut added, elsewhere);
        assert_eq!(profile(&added, c4), Profile::of(&t, &index, elsewhere));
        assert!(profile(&added, c4)
            .expect("a profile")
            .scp_levels
            .is_empty());
        assert_eq!(added.sessions.len(), 1, "only sessions holding nothing");
    }
}
