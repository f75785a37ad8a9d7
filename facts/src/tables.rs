//! Fact tables: the account model (or a scenario) flattened into relations over interned
//! `u32` ids, the shape the Datalog rules (`rules`) read and `iamlogic facts` writes.
//!
//! Every table is a plain vector of rows whose fields are ids ([`Sym`] for interned text,
//! [`PolicyId`] and [`StmtId`] for dense indexes) or small enums, so that the rules can
//! turn them into `Copy` relations. Statements keep a reference to their parsed
//! [`Statement`] (through the shared [`Policy`] and the statement's position) so that the
//! rules can call [`crate::eval::statement_applies`] as a guard: matching semantics are
//! never re-implemented outside `facts`.
//!
//! Entities and their ARNs are separate columns: in account mode an entity *is* its ARN,
//! while in a scenario every request gets its own principal, resource and accounts (their
//! policies differ per request) that may share an ARN with another request's.
//!
//! **Invariant:** a table row only refers to ids that exist: every [`PolicyId`] indexes
//! [`FactTables::policies`], every [`StmtId`] indexes [`FactTables::statements`], every
//! [`Sym`] was returned by [`Symbols::intern`] on [`FactTables::symbols`].

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::account::{Model, OrgNode, OrgPolicyKind, ResourceType};

mod s3_access;
use crate::policy::{Effect, Policy, Statement};

/// An interned string: an entity (principal, group, account, resource, org node) or a value
/// (ARN, account id, tag key...).
pub type Sym = u32;

/// A policy document's index in [`FactTables::policies`].
pub type PolicyId = u32;

/// A statement's index in [`FactTables::statements`].
pub type StmtId = u32;

/// A hash map keyed by interned ids or by the data's own text: a fast hash
/// ([`crate::hash::FxHasher`]), since no key comes from an adversary.
type FastMap<K, V> = HashMap<K, V, crate::hash::FxBuild>;

/// The string interner shared by every table. Each text is stored once, shared by the
/// lookup map and the list of names.
///
/// The texts interned when tables were finished ([`TablesBuilder::finish`]) are frozen in a
/// part shared by every copy of these tables; what a copy interns later (account mode's
/// callers for one run) goes to its own part, whose ids follow the frozen ones. Cloning the
/// interner therefore copies only what was interned since the last freeze.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    /// Interned up to the last freeze, shared (ids `0..frozen.names.len()`).
    frozen: Arc<SymbolTable>,
    /// Interned since (ids from `frozen.names.len()` on).
    own: SymbolTable,
}

/// One part of [`Symbols`].
#[derive(Debug, Clone, Default)]
struct SymbolTable {
    ids: FastMap<Arc<str>, Sym>,
    names: Vec<Arc<str>>,
}

impl Symbols {
    /// The id of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> Sym {
        if let Some(id) = self.get(text) {
            return id;
        }
        let id = Sym::try_from(self.len()).unwrap_or(Sym::MAX);
        let text: Arc<str> = Arc::from(text);
        self.own.names.push(Arc::clone(&text));
        self.own.ids.insert(text, id);
        id
    }

    /// The id of `text`, if it was interned.
    pub fn get(&self, text: &str) -> Option<Sym> {
        if let Some(&id) = self.frozen.ids.get(text) {
            return Some(id);
        }
        if self.own.names.is_empty() {
            return None;
        }
        self.own.ids.get(text).copied()
    }

    /// The text of `id` (empty for an id this interner never returned).
    pub fn name(&self, id: Sym) -> &str {
        self.name_shared(id).map(|n| &**n).unwrap_or("")
    }

    /// The text of `id` as the interner holds it (a clone is a reference count, not a copy
    /// of the text); `None` for an id this interner never returned.
    pub fn name_shared(&self, id: Sym) -> Option<&Arc<str>> {
        let i = id as usize;
        match self.frozen.names.get(i) {
            Some(n) => Some(n),
            None => self.own.names.get(i - self.frozen.names.len()),
        }
    }

    /// How many strings are interned.
    pub fn len(&self) -> usize {
        self.frozen.names.len() + self.own.names.len()
    }

    /// Whether nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Move what was interned since the last freeze into the shared part, when that costs
    /// no copy of the shared part (nothing else shares it, or it is empty) or when the own
    /// part is at least as large (so that each text is copied O(1) times over all freezes).
    /// Ids do not change.
    fn freeze(&mut self) {
        if self.own.names.is_empty() {
            return;
        }
        if self.frozen.names.is_empty() {
            self.frozen = Arc::new(std::mem::take(&mut self.own));
            return;
        }
        if Arc::get_mut(&mut self.frozen).is_none()
            && self.own.names.len() < self.frozen.names.len()
        {
            return;
        }
        let own = std::mem::take(&mut self.own);
        let frozen = Arc::make_mut(&mut self.frozen);
        frozen.ids.extend(own.ids);
        frozen.names.extend(own.names);
    }
}

/// [`FactTables`]'s principal index for a symbol that is no principal.
const NO_ROW: u32 = u32::MAX;

/// A part of [`FactTables`] shared by its copies until one of them changes it (copy on
/// write): cloning the tables to add a run's callers copies none of the rows it does not
/// add to. Reads go through [`std::ops::Deref`] to the inner value (a `Vec` of rows or an
/// index), so `tables.principals.iter()`, `.len()`, `.get(i)` and `&tables.principals` as
/// a slice read as before; a write (`push`) copies the part first when it is shared.
#[derive(Default)]
pub struct Shared<T>(Arc<T>);

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: PartialEq<U>, U> PartialEq<U> for Shared<T> {
    fn eq(&self, other: &U) -> bool {
        *self.0 == *other
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> std::ops::DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared(Arc::new(value))
    }
}

impl<'a, T> IntoIterator for &'a Shared<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Clone> Shared<Vec<T>> {
    /// Make room for `n` more rows; a part still shared is copied once into a vector with
    /// that room (not copied, then grown).
    pub fn reserve(&mut self, n: usize) {
        match Arc::get_mut(&mut self.0) {
            Some(rows) => rows.reserve(n),
            None => {
                let mut rows = Vec::with_capacity(self.0.len() + n);
                rows.extend_from_slice(&self.0);
                self.0 = Arc::new(rows);
            }
        }
    }
}

/// Rows of one table, shared between copies of the tables until changed ([`Shared`]).
pub type Rows<T> = Shared<Vec<T>>;

/// What kind of caller a principal is; decides which evaluation rules apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum PrincipalKind {
    /// The account root user (`arn:aws:iam::<account>:root`).
    Root,
    /// An IAM user.
    User,
    /// An IAM role (as a principal it acts through sessions; see [`PrincipalKind::Session`]).
    Role,
    /// An assumed-role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`).
    Session,
    /// An STS federated user session (`arn:aws:sts::<account>:federated-user/<name>`).
    FederatedUser,
    /// An AWS service principal such as `lambda.amazonaws.com`.
    Service,
    /// An unauthenticated caller.
    Anonymous,
    /// A web-identity or SAML caller not yet in a role session.
    Federated,
    /// An S3 canonical user.
    CanonicalUser,
}

impl PrincipalKind {
    /// The name used in `.facts` files and output.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalKind::Root => "root",
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Session => "session",
            PrincipalKind::FederatedUser => "federated-user",
            PrincipalKind::Service => "service",
            PrincipalKind::Anonymous => "anonymous",
            PrincipalKind::Federated => "federated",
            PrincipalKind::CanonicalUser => "canonical-user",
        }
    }

    /// Whether AWS evaluates identity-based policies for this caller (IAM identities only).
    pub fn has_identity_side(self) -> bool {
        matches!(
            self,
            PrincipalKind::Root
                | PrincipalKind::User
                | PrincipalKind::Role
                | PrincipalKind::Session
                | PrincipalKind::FederatedUser
        )
    }
}

/// The policy layer a statement is evaluated in. One document can serve in several layers
/// (a managed policy attached to one user and used as another's boundary), so the layer
/// belongs to the attachment, not to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Layer {
    /// Identity-based policies: inline and attached, of the user, its groups, or the role.
    Identity,
    /// The permissions boundary of the user or role.
    Boundary,
    /// The session policy of an assumed-role or federated session.
    Session,
    /// Service control policies along the organization path of the principal's account.
    Scp,
    /// Resource control policies along the organization path of the resource's account.
    Rcp,
    /// The resource-based policy (bucket policy, key policy, role trust policy...).
    Resource,
    /// The policy of the VPC endpoint the request goes through.
    VpcEndpoint,
}

impl Layer {
    /// Every layer, in evaluation-report order.
    pub const ALL: [Layer; 7] = [
        Layer::Identity,
        Layer::Boundary,
        Layer::Session,
        Layer::Scp,
        Layer::Rcp,
        Layer::Resource,
        Layer::VpcEndpoint,
    ];

    /// The layer's name in output (`identity`, `boundary`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Identity => "identity",
            Layer::Boundary => "boundary",
            Layer::Session => "session",
            Layer::Scp => "scp",
            Layer::Rcp => "rcp",
            Layer::Resource => "resource",
            Layer::VpcEndpoint => "vpcEndpoint",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of a resource, as far as evaluation rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ResourceKind {
    /// A KMS key: its key policy must allow (directly, or by trusting the account).
    KmsKey,
    /// An IAM role: its trust policy is its resource policy for `sts:AssumeRole*`.
    IamRole,
    /// Any other resource.
    Other,
}

/// A principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalRow {
    /// The entity id.
    pub id: Sym,
    /// The ARN (or service name, `*` for anonymous).
    pub arn: Sym,
    /// The kind.
    pub kind: PrincipalKind,
    /// The account entity ([`AccountRow::id`]) the principal belongs to, if any.
    pub account: Option<Sym>,
}

/// An account as an entity (so that a scenario can give each request its own SCP path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRow {
    /// The entity id.
    pub id: Sym,
    /// The 12-digit account id.
    pub account_id: Sym,
}

/// A resource known to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceRow {
    /// The entity id.
    pub id: Sym,
    /// The ARN.
    pub arn: Sym,
    /// The owning account entity, when known.
    pub account: Option<Sym>,
    /// The kind.
    pub kind: ResourceKind,
}

/// One organization level on an account's path: `depth` 0 is the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelRow {
    /// The account entity.
    pub account: Sym,
    /// 0 for the root, then OUs, the account itself last.
    pub depth: u32,
    /// The node entity (root, OU or account node).
    pub node: Sym,
}

/// A policy document with its display name.
#[derive(Debug, Clone)]
pub struct PolicyRow {
    /// A human name: the managed policy ARN, or `<owner ARN>#inline/<name>`, or a scenario
    /// label such as `identityPolicies[0]`. Shared text: results and copies of the tables
    /// name the policy without copying it.
    pub name: Arc<str>,
    /// The parsed document.
    pub document: Arc<Policy>,
}

/// A statement of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRow {
    /// The policy it belongs to.
    pub policy: PolicyId,
    /// Its position in the policy's `Statement` array.
    pub index: u32,
    /// Its effect.
    pub effect: Effect,
}

/// Every fact table. Build with [`FactTables::from_model`] or [`TablesBuilder`].
#[derive(Debug, Clone, Default)]
pub struct FactTables {
    /// The interner for every [`Sym`].
    pub symbols: Symbols,
    /// `principal(id, arn, kind, account)`.
    pub principals: Rows<PrincipalRow>,
    /// `account(id, account_id)`.
    pub accounts: Rows<AccountRow>,
    /// `member_of(user, group)`.
    pub member_of: Rows<(Sym, Sym)>,
    /// `session_of(session, role)`.
    pub session_of: Rows<(Sym, Sym)>,
    /// `identity_policy(holder, policy)`: holder is a user, group or role (or a scenario
    /// principal).
    pub identity_policies: Rows<(Sym, PolicyId)>,
    /// `boundary(holder, policy)`.
    pub boundaries: Rows<(Sym, PolicyId)>,
    /// `session_policy(principal, policy)`.
    pub session_policies: Rows<(Sym, PolicyId)>,
    /// `service_linked_role(role)`.
    pub service_linked_roles: Rows<Sym>,
    /// `management_account(account)`.
    pub management_accounts: Rows<Sym>,
    /// `scp_level(account, depth, node)`.
    pub scp_levels: Rows<LevelRow>,
    /// `scp_attachment(node, policy)`.
    pub scp_attachments: Rows<(Sym, PolicyId)>,
    /// `rcp_level(account, depth, node)`.
    pub rcp_levels: Rows<LevelRow>,
    /// `rcp_attachment(node, policy)`.
    pub rcp_attachments: Rows<(Sym, PolicyId)>,
    /// `resource(id, arn, account, kind)`.
    pub resources: Rows<ResourceRow>,
    /// `resource_policy(resource, policy)`.
    pub resource_policies: Rows<(Sym, PolicyId)>,
    /// `trust_policy(role, policy)`: the role as a resource, for `sts:AssumeRole*`.
    pub trust_policies: Rows<(Sym, PolicyId)>,
    /// `s3_restricted_policy(bucket, policy)`: the bucket policy is public ("The meaning of
    /// public") and S3 Block Public Access `RestrictPublicBuckets` applies to the bucket, so
    /// it grants only to AWS service principals and principals of the bucket owner's account.
    pub s3_restricted_policies: Rows<(Sym, PolicyId)>,
    /// `tag(entity, key, value)`.
    pub tags: Rows<(Sym, Sym, Sym)>,
    /// `policy(id, name)` with the document.
    pub policies: Rows<PolicyRow>,
    /// `statement(id, policy, index, effect)`.
    pub statements: Rows<StatementRow>,
    /// `vpc_endpoint_policy(endpoint, policy)`: the endpoint policy of a VPC endpoint of the
    /// data, by endpoint id (`vpce-...`, the value of `aws:SourceVpce`).
    pub vpc_endpoint_policies: Rows<(Sym, PolicyId)>,
    vpc_endpoint_index: Shared<FastMap<Sym, PolicyId>>,
    /// The row of each principal entity in [`FactTables::principals`], by [`Sym`]
    /// ([`NO_ROW`] for a symbol that is no principal): a read is one index, and a copy of
    /// the tables that adds principals extends it.
    principal_index: Shared<Vec<u32>>,
    resource_index: Shared<FastMap<Sym, usize>>,
    /// Whether some row of [`FactTables::resources`] is an S3 object
    /// (`arn:aws:s3:::bucket/key`, [`crate::arn::s3_object_bucket`]). Most data describes
    /// buckets only: then [`FactTables::resource_by_arn`] of an object's ARN is `None`
    /// without hashing it.
    s3_objects: bool,
    account_index: Shared<FastMap<Sym, Sym>>,
    account_ids: Shared<FastMap<Sym, Sym>>,
    session_roles: Shared<FastMap<Sym, Sym>>,
    /// Each statement's `Sid` as shared text, by [`StmtId`] (a result names it without a
    /// copy).
    sids: Rows<Option<Arc<str>>>,
}

impl FactTables {
    /// The parsed statement `id` with its policy, or `None` for an unknown id.
    pub fn statement(&self, id: StmtId) -> Option<(&Policy, &Statement)> {
        let row = self.statements.get(id as usize)?;
        let policy = self.policies.get(row.policy as usize)?;
        let stmt = policy.document.statements.get(row.index as usize)?;
        Some((&policy.document, stmt))
    }

    /// The `Sid` of statement `id` as shared text (`None` without one, or for an unknown
    /// id): the same text as the parsed statement's `sid`.
    pub fn sid(&self, id: StmtId) -> Option<&Arc<str>> {
        self.sids.get(id as usize).and_then(Option::as_ref)
    }

    /// The principal row of entity `id`.
    pub fn principal(&self, id: Sym) -> Option<&PrincipalRow> {
        let &row = self.principal_index.get(id as usize)?;
        if row == NO_ROW {
            return None;
        }
        self.principals.get(row as usize)
    }

    /// The principal entity whose ARN is `arn` (account mode: entity = ARN).
    pub fn principal_by_arn(&self, arn: &str) -> Option<&PrincipalRow> {
        self.symbols.get(arn).and_then(|s| self.principal(s))
    }

    /// The resource row of entity `id`.
    pub fn resource(&self, id: Sym) -> Option<&ResourceRow> {
        self.resource_index
            .get(&id)
            .and_then(|&i| self.resources.get(i))
    }

    /// The resource entity whose ARN is `arn` (account mode: entity = ARN).
    pub fn resource_by_arn(&self, arn: &str) -> Option<&ResourceRow> {
        self.resource_text(arn).and_then(|s| self.resource(s))
    }

    /// The id of `arn` when it may be a resource's: an S3 object's ARN is not looked up
    /// when no object is a resource of the tables (not worth hashing it: most requests'
    /// resources are objects no data describes, and no model resource is then an object).
    fn resource_text(&self, arn: &str) -> Option<Sym> {
        if !self.s3_objects && crate::arn::s3_object_bucket(arn).is_some() {
            return None;
        }
        self.symbols.get(arn)
    }

    /// The resource whose resource-based policy governs requests on `arn`: the resource
    /// itself, or the resource it belongs to — the bucket of an S3 object
    /// (`arn:aws:s3:::bucket/key` → `arn:aws:s3:::bucket`: "a bucket policy applies to the
    /// bucket and the objects in it", Amazon S3 User Guide, "Bucket policies"), the function
    /// of a Lambda version or alias (`...:function:name:qualifier` → `...:function:name`).
    pub fn resource_for(&self, arn: &str) -> Option<&ResourceRow> {
        self.resource_for_named(arn).0
    }

    /// [`FactTables::resource_for`], and whether `arn` itself is a text of these tables.
    /// Tables built from a model ([`FactTables::from_model`]) hold the ARN of each of its
    /// resources, roles and users (entities and keys are their ARNs), so an ARN that is
    /// not one of their texts names none of them: a caller need not look for it in the
    /// model.
    pub fn resource_for_named(&self, arn: &str) -> (Option<&ResourceRow>, bool) {
        let named = self.resource_text(arn);
        if let Some(r) = named.and_then(|s| self.resource(s)) {
            return (Some(r), true);
        }
        (self.resource_around(arn), named.is_some())
    }

    /// The resource an ARN that is no resource of these tables belongs to (see
    /// [`FactTables::resource_for`]).
    fn resource_around(&self, arn: &str) -> Option<&ResourceRow> {
        if let Some(rest) = arn.strip_prefix("arn:aws:s3:::") {
            // The bucket's ARN is the object's up to the bucket name (not copied).
            let bucket = rest.split('/').next().unwrap_or(rest);
            let end = "arn:aws:s3:::".len() + bucket.len();
            return self.resource_by_arn(arn.get(..end).unwrap_or(arn));
        }
        lambda_function_of(arn).and_then(|base| self.resource_by_arn(base))
    }

    /// The account entity for a 12-digit account id in account mode (`account:<id>`).
    pub fn account_entity(&self, account_id: &str) -> Option<Sym> {
        self.symbols
            .get(account_id)
            .and_then(|s| self.account_index.get(&s).copied())
    }

    /// The 12-digit account id of account entity `id`.
    pub fn account_id_of(&self, id: Sym) -> Option<&str> {
        self.account_ids.get(&id).map(|&a| self.symbols.name(a))
    }

    /// The endpoint policy of the VPC endpoint `id` (`vpce-...`), when the data has one.
    pub fn vpc_endpoint_policy(&self, id: &str) -> Option<PolicyId> {
        self.symbols
            .get(id)
            .and_then(|s| self.vpc_endpoint_index.get(&s).copied())
    }

    /// The role entity of role session `session`.
    pub fn role_of_session(&self, session: Sym) -> Option<Sym> {
        self.session_roles.get(&session).copied()
    }

    /// Every table with its name, column names and rows rendered as text, for
    /// `iamlogic facts` (Soufflé `.facts` files).
    pub fn export(&self) -> Vec<ExportedTable> {
        let s = |id: Sym| self.symbols.name(id).to_string();
        let opt = |id: Option<Sym>| {
            id.map(|i| self.symbols.name(i).to_string())
                .unwrap_or_default()
        };
        let pol = |id: PolicyId| {
            self.policies
                .get(id as usize)
                .map(|p| p.name.to_string())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        let mut table =
            |name: &'static str, columns: &'static [&'static str], rows: Vec<Vec<String>>| {
                out.push(ExportedTable {
                    name,
                    columns,
                    rows,
                })
            };
        table(
            "principal",
            &["principal", "arn", "kind", "account"],
            self.principals
                .iter()
                .map(|p| vec![s(p.id), s(p.arn), p.kind.name().to_string(), opt(p.account)])
                .collect(),
        );
        table(
            "account",
            &["account", "account_id"],
            self.accounts
                .iter()
                .map(|a| vec![s(a.id), s(a.account_id)])
                .collect(),
        );
        let pairs = |v: &[(Sym, Sym)]| v.iter().map(|&(a, b)| vec![s(a), s(b)]).collect();
        table("member_of", &["user", "group"], pairs(&self.member_of));
        table("session_of", &["session", "role"], pairs(&self.session_of));
        let holders = |v: &[(Sym, PolicyId)]| {
            v.iter()
                .map(|&(a, p)| vec![s(a), p.to_string()])
                .collect::<Vec<_>>()
        };
        table(
            "identity_policy",
            &["holder", "policy"],
            holders(&self.identity_policies),
        );
        table("boundary", &["holder", "policy"], holders(&self.boundaries));
        table(
            "session_policy",
            &["principal", "policy"],
            holders(&self.session_policies),
        );
        table(
            "service_linked_role",
            &["role"],
            self.service_linked_roles
                .iter()
                .map(|&r| vec![s(r)])
                .collect(),
        );
        table(
            "management_account",
            &["account"],
            self.management_accounts
                .iter()
                .map(|&a| vec![s(a)])
                .collect(),
        );
        let levels = |v: &[LevelRow]| {
            v.iter()
                .map(|l| vec![s(l.account), l.depth.to_string(), s(l.node)])
                .collect::<Vec<_>>()
        };
        table(
            "scp_level",
            &["account", "depth", "node"],
            levels(&self.scp_levels),
        );
        table(
            "scp_attachment",
            &["node", "policy"],
            holders(&self.scp_attachments),
        );
        table(
            "rcp_level",
            &["account", "depth", "node"],
            levels(&self.rcp_levels),
        );
        table(
            "rcp_attachment",
            &["node", "policy"],
            holders(&self.rcp_attachments),
        );
        table(
            "resource",
            &["resource", "arn", "account", "kind"],
            self.resources
                .iter()
                .map(|r| {
                    let kind = match r.kind {
                        ResourceKind::KmsKey => "kms-key",
                        ResourceKind::IamRole => "iam-role",
                        ResourceKind::Other => "other",
                    };
                    vec![s(r.id), s(r.arn), opt(r.account), kind.to_string()]
                })
                .collect(),
        );
        table(
            "resource_policy",
            &["resource", "policy"],
            holders(&self.resource_policies),
        );
        table(
            "trust_policy",
            &["role", "policy"],
            holders(&self.trust_policies),
        );
        table(
            "vpc_endpoint_policy",
            &["endpoint", "policy"],
            holders(&self.vpc_endpoint_policies),
        );
        table(
            "s3_restricted_policy",
            &["bucket", "policy"],
            holders(&self.s3_restricted_policies),
        );
        table(
            "tag",
            &["entity", "key", "value"],
            self.tags
                .iter()
                .map(|&(e, k, v)| vec![s(e), s(k), s(v)])
                .collect(),
        );
        table(
            "policy",
            &["policy", "name"],
            self.policies
                .iter()
                .enumerate()
                .map(|(i, p)| vec![i.to_string(), p.name.to_string()])
                .collect(),
        );
        let mut statements = Vec::new();
        let mut actions = Vec::new();
        let mut resources = Vec::new();
        let mut principals = Vec::new();
        let mut conditions = Vec::new();
        for (i, row) in self.statements.iter().enumerate() {
            let effect = match row.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            };
            let sid = self
                .statement(i as StmtId)
                .and_then(|(_, st)| st.sid.clone())
                .unwrap_or_default();
            statements.push(vec![
                i.to_string(),
                row.policy.to_string(),
                pol(row.policy),
                row.index.to_string(),
                effect.to_string(),
                sid,
            ]);
            if let Some((_, st)) = self.statement(i as StmtId) {
                let (neg, pats) = match &st.action {
                    crate::policy::ActionClause::Action(p) => ("0", p),
                    crate::policy::ActionClause::NotAction(p) => ("1", p),
                };
                for p in pats {
                    actions.push(vec![i.to_string(), p.0.clone(), neg.to_string()]);
                }
                if let Some(rc) = &st.resource {
                    let (neg, pats) = match rc {
                        crate::policy::ResourceClause::Resource(p) => ("0", p),
                        crate::policy::ResourceClause::NotResource(p) => ("1", p),
                    };
                    for p in pats {
                        resources.push(vec![i.to_string(), p.0.clone(), neg.to_string()]);
                    }
                }
                if let Some(pc) = &st.principal {
                    let (neg, ps) = match pc {
                        crate::policy::PrincipalClause::Principal(p) => ("0", p),
                        crate::policy::PrincipalClause::NotPrincipal(p) => ("1", p),
                    };
                    let mut push = |ty: &str, v: &str| {
                        principals.push(vec![
                            i.to_string(),
                            ty.to_string(),
                            v.to_string(),
                            neg.to_string(),
                        ])
                    };
                    match ps {
                        crate::policy::Principals::Any => push("*", "*"),
                        crate::policy::Principals::Specific(entries) => {
                            for e in entries {
                                match e {
                                    crate::policy::PrincipalEntry::Aws(v) => push("AWS", v),
                                    crate::policy::PrincipalEntry::Service(v) => push("Service", v),
                                    crate::policy::PrincipalEntry::Federated(v) => {
                                        push("Federated", v)
                                    }
                                    crate::policy::PrincipalEntry::CanonicalUser(v) => {
                                        push("CanonicalUser", v)
                                    }
                                }
                            }
                        }
                    }
                }
                for (c, cond) in st.conditions.iter().enumerate() {
                    for v in &cond.values {
                        conditions.push(vec![
                            i.to_string(),
                            c.to_string(),
                            cond.operator.to_string(),
                            cond.key.clone(),
                            v.clone(),
                        ]);
                    }
                }
            }
        }
        table(
            "statement",
            &[
                "statement",
                "policy",
                "policy_name",
                "index",
                "effect",
                "sid",
            ],
            statements,
        );
        table(
            "statement_action",
            &["statement", "pattern", "negated"],
            actions,
        );
        table(
            "statement_resource",
            &["statement", "pattern", "negated"],
            resources,
        );
        table(
            "statement_principal",
            &["statement", "type", "value", "negated"],
            principals,
        );
        table(
            "statement_condition",
            &["statement", "condition", "operator", "key", "value"],
            conditions,
        );
        out
    }

    /// Compile a loaded account model into fact tables.
    ///
    /// Attachments the model could not resolve were already reported as
    /// [`crate::account::Warning`]s by the loader; they contribute no row here.
    pub fn from_model(model: &Model) -> FactTables {
        let mut b = TablesBuilder::new();
        let mut managed: FastMap<&str, PolicyId> = FastMap::default();
        managed.reserve(model.policies.len());
        for (arn, p) in &model.policies {
            managed.insert(arn.as_str(), b.policy(arn, Arc::clone(&p.document)));
        }
        for acct in &model.accounts {
            let e = b.account(acct.as_str());
            let root = format!("arn:aws:iam::{}:root", acct.as_str());
            b.principal(&root, &root, PrincipalKind::Root, Some(e));
        }
        // Each holder's ARN is interned once (a group's when it first gets a policy); its
        // policies and attachments use the id.
        let identity = |b: &mut TablesBuilder,
                        mut holder: Option<Sym>,
                        arn: &str,
                        inline: &[crate::account::InlinePolicy],
                        attached: &[crate::account::PolicyAttachment]| {
            for ip in inline {
                let id = b.policy(&joined(arn, "#inline/", &ip.name), Arc::clone(&ip.document));
                let h = *holder.get_or_insert_with(|| b.sym(arn));
                b.tables.identity_policies.push((h, id));
            }
            for att in attached {
                if let Some(&id) = managed.get(att.arn.as_str()) {
                    let h = *holder.get_or_insert_with(|| b.sym(arn));
                    b.tables.identity_policies.push((h, id));
                }
            }
        };
        for g in model.groups.values() {
            identity(
                &mut b,
                None,
                &g.arn,
                &g.inline_policies,
                &g.attached_policies,
            );
        }
        for u in model.users.values() {
            let acct = b.account(u.account.as_str());
            let p = b.principal(&u.arn, &u.arn, PrincipalKind::User, Some(acct));
            for g in &u.groups {
                let g = b.sym(g);
                b.tables.member_of.push((p, g));
            }
            identity(
                &mut b,
                Some(p),
                &u.arn,
                &u.inline_policies,
                &u.attached_policies,
            );
            if let Some(id) = u
                .permissions_boundary
                .as_ref()
                .and_then(|a| managed.get(a.arn.as_str()))
            {
                b.tables.boundaries.push((p, *id));
            }
            for (k, v) in &u.tags {
                b.tag_sym(p, k, v);
            }
        }
        for r in model.roles.values() {
            let acct = b.account(r.account.as_str());
            let p = b.principal(&r.arn, &r.arn, PrincipalKind::Role, Some(acct));
            if r.service_linked {
                b.tables.service_linked_roles.push(p);
            }
            identity(
                &mut b,
                Some(p),
                &r.arn,
                &r.inline_policies,
                &r.attached_policies,
            );
            if let Some(id) = r
                .permissions_boundary
                .as_ref()
                .and_then(|a| managed.get(a.arn.as_str()))
            {
                b.tables.boundaries.push((p, *id));
            }
            b.resource(&r.arn, &r.arn, Some(acct), ResourceKind::IamRole);
            if let Some(tp) = &r.trust_policy {
                let id = b.policy(&joined(&r.arn, "#trust", ""), Arc::clone(&tp.document));
                b.tables.trust_policies.push((p, id));
            }
            for (k, v) in &r.tags {
                b.tag_sym(p, k, v);
            }
        }
        for res in model.resources.values() {
            let acct = res.account.as_ref().map(|a| b.account(a.as_str()));
            let kind = match res.resource_type {
                ResourceType::KmsKey => ResourceKind::KmsKey,
                ResourceType::IamRole => ResourceKind::IamRole,
                _ => ResourceKind::Other,
            };
            let x = b.resource(&res.arn, &res.arn, acct, kind);
            if let Some(pol) = &res.policy {
                let id = b.policy(&format!("{}#policy", res.arn), Arc::clone(&pol.document));
                if kind == ResourceKind::IamRole {
                    b.tables.trust_policies.push((x, id));
                } else {
                    b.tables.resource_policies.push((x, id));
                }
            }
            for (k, v) in &res.tags {
                b.tag(&res.arn, k, v);
            }
        }
        s3_access::add(&mut b, model);
        // One organization per organization.json; each account's levels come from the
        // organization that lists it. Only the policy types enabled on the organization's
        // root are evaluated (AWS Organizations User Guide, "Enabling a policy type" /
        // "Disabling a policy type"): a type that is not enabled gets no levels, so it
        // restricts nothing.
        for org in &model.organizations {
            let mgmt = b.account(org.management_account.as_str());
            b.tables.management_accounts.push(mgmt);
            let node_name = |n: &OrgNode| match n {
                OrgNode::Root(id) => format!("org:{id}"),
                OrgNode::Unit(id) => format!("org:{id}"),
                OrgNode::Account(a) => format!("org:{}", a.as_str()),
            };
            for pol in org.policies.values() {
                if !org.enabled.contains(pol.kind) {
                    continue;
                }
                // Named as the user knows it: `TwoRegionsOnly (p-regions01)`; the id alone
                // when the organization gives no name.
                let name = if pol.name == pol.id {
                    pol.id.clone()
                } else {
                    format!("{} ({})", pol.name, pol.id)
                };
                let id = b.policy(&name, Arc::clone(&pol.document));
                for t in &pol.targets {
                    let node = b.sym(&node_name(t));
                    match pol.kind {
                        OrgPolicyKind::Scp => b.tables.scp_attachments.push((node, id)),
                        OrgPolicyKind::Rcp => b.tables.rcp_attachments.push((node, id)),
                    }
                }
            }
            for acct in org.accounts.keys() {
                let Some(path) = org.path_to(acct) else {
                    continue;
                };
                let e = b.account(acct.as_str());
                for (depth, n) in path.iter().enumerate() {
                    let node = b.sym(&node_name(n));
                    let row = LevelRow {
                        account: e,
                        depth: depth as u32,
                        node,
                    };
                    if org.enabled.scp {
                        b.tables.scp_levels.push(row);
                    }
                    if org.enabled.rcp {
                        b.tables.rcp_levels.push(row);
                    }
                }
            }
        }
        for ep in model.vpc_endpoints.values() {
            if let Some(pol) = &ep.policy {
                let id = b.policy(&format!("{}#policy", ep.id), Arc::clone(&pol.document));
                b.vpc_endpoint_policy(&ep.id, id);
            }
        }
        b.finish()
    }
}

/// The function of a Lambda version or alias ARN
/// (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER` → its first seven
/// colon-separated parts), borrowed from `arn`; `None` for any other ARN. Stops at the
/// third colon when the service is not `lambda`.
fn lambda_function_of(arn: &str) -> Option<&str> {
    let mut colons = arn
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == b':')
        .map(|(i, _)| i);
    let (_, c2, c3) = (colons.next()?, colons.next()?, colons.next()?);
    if arn.get(c2 + 1..c3)? != "lambda" {
        return None;
    }
    let (_, c5, c6) = (colons.next()?, colons.next()?, colons.next()?);
    if arn.get(c5 + 1..c6)? != "function" {
        return None;
    }
    arn.get(..colons.next()?)
}

/// `a` then `b` then `c` as one string (a policy row's name), without the formatting
/// machinery.
fn joined(a: &str, b: &str, c: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + c.len());
    s.push_str(a);
    s.push_str(b);
    s.push_str(c);
    s
}

/// One table rendered for export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedTable {
    /// The relation name (file `<name>.facts`).
    pub name: &'static str,
    /// The column names.
    pub columns: &'static [&'static str],
    /// The rows, one string per column.
    pub rows: Vec<Vec<String>>,
}

/// Builds [`FactTables`] row by row (used by [`FactTables::from_model`] and by scenarios).
#[derive(Debug, Default)]
pub struct TablesBuilder {
    tables: FactTables,
}

impl TablesBuilder {
    /// An empty builder.
    pub fn new() -> TablesBuilder {
        TablesBuilder::default()
    }

    /// Start from existing tables (to add principals a batch needs, such as role sessions).
    pub fn from_tables(tables: FactTables) -> TablesBuilder {
        TablesBuilder { tables }
    }

    /// Make room for `n` more principals (each with a new symbol or two, and a role for a
    /// session), so that adding a run's callers grows no table step by step.
    pub fn reserve_principals(&mut self, n: usize) {
        let t = &mut self.tables;
        t.symbols.own.ids.reserve(n);
        t.symbols.own.names.reserve(n);
        t.principals.reserve(n);
        let more = (t.symbols.len() + n).saturating_sub(t.principal_index.len());
        t.principal_index.reserve(more);
        t.session_of.reserve(n);
        t.session_roles.reserve(n);
    }

    /// Intern `text`.
    pub fn sym(&mut self, text: &str) -> Sym {
        self.tables.symbols.intern(text)
    }

    /// Add a policy document; returns its id.
    pub fn policy(&mut self, name: &str, document: Arc<Policy>) -> PolicyId {
        let id = PolicyId::try_from(self.tables.policies.len()).unwrap_or(PolicyId::MAX);
        let (statements, sids) = (&mut *self.tables.statements, &mut *self.tables.sids);
        for (i, st) in document.statements.iter().enumerate() {
            statements.push(StatementRow {
                policy: id,
                index: i as u32,
                effect: st.effect,
            });
            sids.push(st.sid.as_deref().map(Arc::from));
        }
        self.tables.policies.push(PolicyRow {
            name: Arc::from(name),
            document,
        });
        id
    }

    /// The account-mode entity of a 12-digit account id (`account:<id>`), added when new.
    pub fn account(&mut self, account_id: &str) -> Sym {
        let idsym = self.sym(account_id);
        if let Some(&e) = self.tables.account_index.get(&idsym) {
            return e;
        }
        let e = self.sym(&format!("account:{account_id}"));
        self.tables.accounts.push(AccountRow {
            id: e,
            account_id: idsym,
        });
        self.tables.account_index.insert(idsym, e);
        self.tables.account_ids.insert(e, idsym);
        e
    }

    /// A separate account entity named `entity` for account id `account_id` (scenarios give
    /// every request its own organization path).
    pub fn account_entity(&mut self, entity: &str, account_id: &str) -> Sym {
        let e = self.sym(entity);
        let idsym = self.sym(account_id);
        if !self.tables.account_ids.contains_key(&e) {
            self.tables.accounts.push(AccountRow {
                id: e,
                account_id: idsym,
            });
            self.tables.account_ids.insert(e, idsym);
        }
        e
    }

    /// Add a principal entity (idempotent per entity).
    pub fn principal(
        &mut self,
        entity: &str,
        arn: &str,
        kind: PrincipalKind,
        account: Option<Sym>,
    ) -> Sym {
        let id = self.sym(entity);
        if self.tables.principal(id).is_some() {
            return id;
        }
        let arn = if arn == entity { id } else { self.sym(arn) };
        let row = u32::try_from(self.tables.principals.len()).unwrap_or(NO_ROW);
        let index = &mut *self.tables.principal_index;
        let at = id as usize;
        if index.len() <= at {
            index.resize(at + 1, NO_ROW);
        }
        if let Some(slot) = index.get_mut(at) {
            *slot = row;
        }
        self.tables.principals.push(PrincipalRow {
            id,
            arn,
            kind,
            account,
        });
        id
    }

    /// Add a resource entity (idempotent per entity).
    pub fn resource(
        &mut self,
        entity: &str,
        arn: &str,
        account: Option<Sym>,
        kind: ResourceKind,
    ) -> Sym {
        let id = self.sym(entity);
        if self.tables.resource_index.contains_key(&id) {
            return id;
        }
        // Looked up by its entity's text (`resource_by_arn`).
        self.tables.s3_objects |= crate::arn::s3_object_bucket(entity).is_some();
        let arn = if arn == entity { id } else { self.sym(arn) };
        self.tables
            .resource_index
            .insert(id, self.tables.resources.len());
        self.tables.resources.push(ResourceRow {
            id,
            arn,
            account,
            kind,
        });
        id
    }

    /// Attach an identity-based policy to a user, group, role or scenario principal.
    pub fn attach_identity(&mut self, holder: &str, policy: PolicyId) {
        let h = self.sym(holder);
        self.tables.identity_policies.push((h, policy));
    }

    /// Set a permissions boundary.
    pub fn attach_boundary(&mut self, holder: &str, policy: PolicyId) {
        let h = self.sym(holder);
        self.tables.boundaries.push((h, policy));
    }

    /// Attach a session policy to a session principal.
    pub fn attach_session_policy(&mut self, principal: Sym, policy: PolicyId) {
        self.tables.session_policies.push((principal, policy));
    }

    /// Attach a resource-based policy to a resource entity.
    pub fn attach_resource_policy(&mut self, resource: Sym, policy: PolicyId) {
        self.tables.resource_policies.push((resource, policy));
    }

    /// Record that `policy`, a public policy of bucket `resource`, is restricted by S3 Block
    /// Public Access `RestrictPublicBuckets`.
    pub fn restrict_public_policy(&mut self, resource: Sym, policy: PolicyId) {
        self.tables.s3_restricted_policies.push((resource, policy));
    }

    /// Attach a trust policy to a role entity.
    pub fn attach_trust_policy(&mut self, role: Sym, policy: PolicyId) {
        self.tables.trust_policies.push((role, policy));
    }

    /// Record that user entity `user` is a member of group entity `group`.
    pub fn member_of(&mut self, user: Sym, group: Sym) {
        self.tables.member_of.push((user, group));
    }

    /// Record that `session` is a session of `role`.
    pub fn session_of(&mut self, session: Sym, role: Sym) {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            self.tables.session_roles.entry(session)
        {
            slot.insert(role);
            self.tables.session_of.push((session, role));
        }
    }

    /// Mark a role as service-linked (exempt from SCPs and RCPs).
    pub fn service_linked(&mut self, role: Sym) {
        self.tables.service_linked_roles.push(role);
    }

    /// Mark an account entity as the organization's management account.
    pub fn management_account(&mut self, account: Sym) {
        self.tables.management_accounts.push(account);
    }

    /// Add one organization level (for SCPs or RCPs) with its policies.
    pub fn org_level(
        &mut self,
        kind: OrgPolicyKind,
        account: Sym,
        depth: u32,
        node: &str,
        policies: &[PolicyId],
    ) {
        let node = self.sym(node);
        let row = LevelRow {
            account,
            depth,
            node,
        };
        let (levels, attachments) = match kind {
            OrgPolicyKind::Scp => (
                &mut self.tables.scp_levels,
                &mut self.tables.scp_attachments,
            ),
            OrgPolicyKind::Rcp => (
                &mut self.tables.rcp_levels,
                &mut self.tables.rcp_attachments,
            ),
        };
        levels.push(row);
        for &p in policies {
            attachments.push((node, p));
        }
    }

    /// Give VPC endpoint `id` (`vpce-...`) its endpoint policy (the first one given stays).
    pub fn vpc_endpoint_policy(&mut self, id: &str, policy: PolicyId) {
        let e = self.sym(id);
        if let std::collections::hash_map::Entry::Vacant(slot) =
            self.tables.vpc_endpoint_index.entry(e)
        {
            slot.insert(policy);
            self.tables.vpc_endpoint_policies.push((e, policy));
        }
    }

    /// Add a tag to an entity.
    pub fn tag(&mut self, entity: &str, key: &str, value: &str) {
        let e = self.sym(entity);
        self.tag_sym(e, key, value);
    }

    /// Add a tag to an entity already interned.
    fn tag_sym(&mut self, entity: Sym, key: &str, value: &str) {
        let k = self.sym(key);
        let v = self.sym(value);
        self.tables.tags.push((entity, k, v));
    }

    /// The tables built so far (read-only).
    pub fn tables(&self) -> &FactTables {
        &self.tables
    }

    /// Finish building. The text interned so far is frozen into the part of the interner
    /// that copies of the tables share ([`Symbols`]), unless these tables extend others and
    /// add little to them (a copy keeps only its additions).
    pub fn finish(mut self) -> FactTables {
        self.tables.symbols.freeze();
        self.tables
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{ActionClause, ActionPattern, PolicyVersion};

    fn doc(effects: &[Effect]) -> Arc<Policy> {
        Arc::new(Policy {
            version: PolicyVersion::V2012_10_17,
            version_given: true,
            id: None,
            statements: effects
                .iter()
                .enumerate()
                .map(|(i, &effect)| Statement {
                    index: i,
                    sid: Some(format!("S{i}")),
                    effect,
                    action: ActionClause::Action(vec![ActionPattern("s3:*".into())]),
                    resource: None,
                    principal: None,
                    conditions: vec![],
                })
                .collect(),
        })
    }

    /// The ARN of the resource whose policy governs requests on `arn` in `t`
    /// ([`FactTables::resource_for`]).
    fn governing_arn(t: &FactTables, arn: &str) -> Option<String> {
        t.resource_for(arn)
            .map(|r| t.symbols.name(r.arn).to_string())
    }

    #[test]
    fn objects_and_function_versions_resolve_to_their_resource() {
        let mut b = TablesBuilder::new();
        let bucket = "arn:aws:s3:::data";
        let f = "arn:aws:lambda:eu-west-1:111122223333:function:fn";
        b.resource(bucket, bucket, None, ResourceKind::Other);
        b.resource(f, f, None, ResourceKind::Other);
        let t = b.finish();
        let arn_of = |x: &str| governing_arn(&t, x);
        assert_eq!(arn_of("arn:aws:s3:::data/a/b.csv").as_deref(), Some(bucket));
        assert_eq!(arn_of(bucket).as_deref(), Some(bucket));
        assert_eq!(arn_of("arn:aws:s3:::database/x"), None);
        assert_eq!(arn_of(&format!("{f}:prod")).as_deref(), Some(f));
        assert_eq!(arn_of("arn:aws:sqs:eu-west-1:111122223333:q"), None);
    }

    /// An object described as a resource of its own is found by its ARN before its bucket,
    /// also in a copy that adds it to tables describing buckets only; in tables without one,
    /// an object resolves to its bucket (the object's ARN is then not looked up).
    #[test]
    fn an_object_resource_is_found_before_its_bucket() {
        let mut b = TablesBuilder::new();
        let bucket = "arn:aws:s3:::data";
        let object = "arn:aws:s3:::data/report.csv";
        b.resource(bucket, bucket, None, ResourceKind::Other);
        let t = b.finish();
        assert!(t.resource_by_arn(object).is_none());
        assert_eq!(governing_arn(&t, object).as_deref(), Some(bucket));
        let mut b = TablesBuilder::from_tables(t.clone());
        b.resource(object, object, None, ResourceKind::Other);
        let with = b.finish();
        assert!(with.resource_by_arn(object).is_some());
        assert_eq!(governing_arn(&with, object).as_deref(), Some(object));
        assert_eq!(
            governing_arn(&with, "arn:aws:s3:::data/other.csv").as_deref(),
            Some(bucket)
        );
        // The original is unchanged.
        assert_eq!(governing_arn(&t, object).as_deref(), Some(bucket));
    }

    /// A copy of finished tables that adds principals (as a run of account mode does)
    /// shares the frozen symbols and unchanged rows, reads its additions and the original's
    /// rows alike, and leaves the original as it was.
    #[test]
    fn a_copy_adds_principals_without_changing_the_original() {
        let mut b = TablesBuilder::new();
        let acct = b.account("111122223333");
        let u = "arn:aws:iam::111122223333:user/alice";
        let user = b.principal(u, u, PrincipalKind::User, Some(acct));
        let p = b.policy("pol", doc(&[Effect::Allow, Effect::Deny]));
        b.attach_identity(u, p);
        let base = b.finish();
        let symbols = base.symbols.len();

        let mut b = TablesBuilder::from_tables(base.clone());
        b.reserve_principals(2);
        let s = "arn:aws:sts::111122223333:assumed-role/r/s";
        let session = b.principal(s, s, PrincipalKind::Session, Some(acct));
        // Idempotent, also for a principal of the original.
        assert_eq!(
            b.principal(s, s, PrincipalKind::Session, Some(acct)),
            session
        );
        assert_eq!(b.principal(u, u, PrincipalKind::User, Some(acct)), user);
        b.session_of(session, user);
        let root = b.principal(
            "arn:aws:iam::444455556666:root#entity",
            "arn:aws:iam::444455556666:root",
            PrincipalKind::Root,
            None,
        );
        let copy = b.finish();

        assert_eq!(copy.principals.len(), 3);
        assert_eq!(copy.principal_by_arn(s).map(|r| r.id), Some(session));
        assert_eq!(copy.principal_by_arn(u).map(|r| r.id), Some(user));
        let root_row = copy.principal(root).copied();
        assert_eq!(
            root_row.map(|r| copy.symbols.name(r.arn)),
            Some("arn:aws:iam::444455556666:root")
        );
        assert_eq!(copy.role_of_session(session), Some(user));
        assert_eq!(copy.symbols.name(session), s);
        assert_eq!(copy.symbols.get(u), Some(user));
        // A symbol that is no principal, and one past every symbol.
        assert!(copy.principal(acct).is_none());
        assert!(copy.principal(Sym::MAX).is_none());
        assert_eq!(copy.account_id_of(acct), Some("111122223333"));
        assert_eq!(copy.sid(1).map(|s| &**s), Some("S1"));
        assert!(copy.sid(2).is_none());

        // The original: none of the copy's additions.
        assert_eq!(base.symbols.len(), symbols);
        assert_eq!(base.principals.len(), 1);
        assert!(base.principal_by_arn(s).is_none());
        assert!(base.symbols.get(s).is_none());
        assert!(base.principal(session).is_none());
        assert!(base.role_of_session(session).is_none());
        assert_eq!(base.symbols.name(session), "");
        // Rows neither changed are still one allocation.
        assert!(std::ptr::eq(&*base.policies, &*copy.policies));
        assert!(std::ptr::eq(
            &*base.identity_policies,
            &*copy.identity_policies
        ));
        assert!(!std::ptr::eq(&*base.principals, &*copy.principals));
    }

    /// Symbols interned across freezes keep their ids and texts, whichever part holds
    /// them; a clone's additions are its own.
    #[test]
    fn symbols_keep_their_ids_across_freezes_and_copies() {
        let mut s = Symbols::default();
        let ids: Vec<Sym> = (0..100).map(|i| s.intern(&format!("t{i}"))).collect();
        s.freeze();
        let mut copy = s.clone();
        let more: Vec<Sym> = (100..150).map(|i| copy.intern(&format!("t{i}"))).collect();
        // The copy's small part stays its own while the frozen part is shared...
        copy.freeze();
        assert_eq!(copy.own.names.len(), 50);
        assert_eq!(s.len(), 100);
        assert_eq!(s.get("t120"), None);
        assert_eq!(s.name(120), "");
        // ...and is folded in once nothing else shares it.
        drop(s);
        let mut alone = copy;
        alone.freeze();
        assert!(alone.own.names.is_empty());
        for (i, &id) in ids.iter().chain(&more).enumerate() {
            assert_eq!(id as usize, i);
            assert_eq!(alone.name(id), format!("t{i}"));
            assert_eq!(alone.get(&format!("t{i}")), Some(id));
            assert_eq!(alone.intern(&format!("t{i}")), id);
        }
        assert_eq!(alone.len(), 150);
    }

    /// The function of a version or alias is the first seven parts of its ARN, as the
    /// split into at most eight parts gives them; no other ARN has one.
    #[test]
    fn lambda_functions_of_versions_as_the_split_gives_them() {
        let reference = |arn: &str| -> Option<String> {
            let parts: Vec<&str> = arn.splitn(8, ':').collect();
            (parts.len() == 8 && parts[2] == "lambda" && parts[5] == "function")
                .then(|| parts[..7].join(":"))
        };
        let pieces = ["arn", "aws", "lambda", "function", "fn", "1", "", "é", "s3"];
        let mut n = 0;
        let mut found = 0;
        let mut texts = vec![String::new()];
        for depth in 0..9 {
            let mut next = Vec::new();
            for t in &texts {
                for p in pieces {
                    let text = if depth == 0 {
                        p.to_string()
                    } else {
                        format!("{t}:{p}")
                    };
                    if depth >= 5 && !text.starts_with("arn:aws:lambda") {
                        continue;
                    }
                    assert_eq!(
                        lambda_function_of(&text).map(str::to_string),
                        reference(&text),
                        "{text}"
                    );
                    n += 1;
                    found += usize::from(reference(&text).is_some());
                    next.push(text);
                }
            }
            texts = next;
        }
        assert!(found > 10 && found < n, "{found} of {n}");
    }

    #[test]
    fn interner_returns_stable_ids() {
        let mut s = Symbols::default();
        let a = s.intern("a");
        let b = s.intern("b");
        assert_ne!(a, b);
        assert_eq!(s.intern("a"), a);
        assert_eq!(s.name(b), "b");
        assert_eq!(s.get("c"), None);
    }

    #[test]
    fn statements_point_back_to_their_parsed_statement() {
        let mut b = TablesBuilder::new();
        let p0 = b.policy("first", doc(&[Effect::Allow]));
        let p1 = b.policy("second", doc(&[Effect::Deny, Effect::Allow]));
        let t = b.finish();
        assert_eq!(t.statements.len(), 3);
        assert_eq!(t.statements[1].policy, p1);
        assert_eq!(t.statements[0].policy, p0);
        let (_, st) = t.statement(2).unwrap();
        assert_eq!(st.sid.as_deref(), Some("S1"));
        assert_eq!(st.effect, Effect::Allow);
        assert!(t.statement(3).is_none());
    }

    #[test]
    fn export_names_columns_and_renders_rows() {
        let mut b = TablesBuilder::new();
        let acct = b.account("111122223333");
        let u = "arn:aws:iam::111122223333:user/alice";
        b.principal(u, u, PrincipalKind::User, Some(acct));
        let p = b.policy("pol", doc(&[Effect::Allow]));
        b.attach_identity(u, p);
        let t = b.finish();
        let ex = t.export();
        let principal = ex.iter().find(|t| t.name == "principal").unwrap();
        assert_eq!(principal.columns, &["principal", "arn", "kind", "account"]);
        assert_eq!(
            principal.rows,
            vec![vec![
                u.to_string(),
                u.to_string(),
                "user".to_string(),
                "account:111122223333".to_string()
            ]]
        );
        let ip = ex.iter().find(|t| t.name == "identity_policy").unwrap();
        assert_eq!(ip.rows, vec![vec![u.to_string(), "0".to_string()]]);
        let sa = ex.iter().find(|t| t.name == "statement_action").unwrap();
        assert_eq!(
            sa.rows,
            vec![vec!["0".to_string(), "s3:*".to_string(), "0".to_string()]]
        );
        assert_eq!(t.account_entity("111122223333"), Some(acct));
    }
}
