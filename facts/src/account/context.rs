//! Filling the request context with the global condition keys that AWS itself adds, from
//! the loaded model. A key the request already has is never overridden; keys only the live
//! request can carry (`aws:SourceIp`, `aws:MultiFactorAuthPresent`, `aws:SecureTransport`,
//! `aws:CurrentTime`, `aws:SourceVpce`, ...) are never invented and stay absent unless given.
//! `docs/context-keys.md` lists every key and where its value comes from.
//!
//! References (IAM User Guide): "AWS global condition context keys" (the availability of
//! each principal and resource key) and "IAM policy elements: Variables and tags", table
//! "Principal key values" (the values of `aws:username`, `aws:userid` and
//! `aws:PrincipalType` per kind of principal).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::model::{AccountId, Model, Role, Tags};
use crate::request::{ContextValue, Request, RequestPrincipal};

/// The value AWS gives `aws:PrincipalType` (the "Principal key values" table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// The account root user (`arn:aws:iam::<account>:root`).
    Account,
    /// An IAM user.
    User,
    /// An STS federated user (`arn:aws:sts::<account>:federated-user/<name>`).
    FederatedUser,
    /// A role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`); iamlogic
    /// also uses it for a bare role ARN given as the caller.
    AssumedRole,
    /// An unauthenticated caller.
    Anonymous,
}

impl PrincipalType {
    /// The text AWS puts in the request context.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Account => "Account",
            PrincipalType::User => "User",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::Anonymous => "Anonymous",
        }
    }
}

/// What the caller's ARN denotes, resolved against the model.
struct Caller<'m> {
    kind: PrincipalType,
    /// `aws:PrincipalArn`: for a role session, the role's ARN (with its path when the model
    /// knows the role), not the session ARN.
    principal_arn: String,
    account: AccountId,
    username: Option<String>,
    userid: Option<String>,
    tags: Option<&'m Tags>,
    /// For a role session: its role's id, when the model knows it (non-empty).
    role_id: Option<String>,
}

/// The roles of a model by account and name, so that a session ARN
/// (`arn:aws:sts::<account>:assumed-role/<name>/<session>`, which does not carry the role's
/// path) finds its role without scanning every role. Build it once per model.
///
/// It also keeps the keys AWS fills for each caller the model describes (its roles, for
/// the role itself and every session of it, and its users), built on first need by
/// [`FillCache`] and shared by every thread and batch over the model: a stream of role
/// sessions builds each role's keys once, not once per thread or per cache. (The layer of
/// a caller's account and kind below them is built once per thread that needs it.)
#[derive(Debug, Default)]
pub struct RoleNames {
    by_name: FxMap<String, FxMap<String, usize>>,
    /// The described callers' keys, by position in `model.roles` then `model.users`
    /// (allocated on the first caller: a query that fills no request pays nothing).
    callers: OnceLock<Box<[OnceLock<CallerKeys>]>>,
    /// Whether a resource, role or user of the model has an S3 object's ARN
    /// ([`RoleNames::describes_s3_objects`]).
    s3_objects: OnceLock<bool>,
}

impl Clone for RoleNames {
    /// The same index; the keys built so far are not copied (they are built again on need).
    fn clone(&self) -> RoleNames {
        RoleNames {
            by_name: self.by_name.clone(),
            callers: OnceLock::new(),
            s3_objects: OnceLock::new(),
        }
    }
}

/// The keys of a caller the model describes, as two shared layers: its own
/// ([`described_own_context`]: `aws:PrincipalArn`, a user's `aws:username` and
/// `aws:userid`, `aws:PrincipalTag/*`) and those of every caller of its kind in its account
/// ([`account_kind_context`]). The two sets of keys are disjoint.
#[derive(Debug, Clone)]
struct CallerKeys {
    own: Arc<crate::request::Context>,
    account: Arc<crate::request::Context>,
    /// A role's id (not empty): a session's `aws:userid` is `<RoleId>:<session>`.
    role_id: Option<Box<str>>,
}

impl RoleNames {
    /// Index the roles of `model`.
    pub fn new(model: &Model) -> RoleNames {
        let mut m: FxMap<String, FxMap<String, usize>> = FxMap::default();
        for (i, r) in model.roles.values().enumerate() {
            // The first role of a name, as a scan would find it.
            m.entry(r.account.0.clone())
                .or_default()
                .entry(r.name.clone())
                .or_insert(i);
        }
        RoleNames {
            by_name: m,
            callers: OnceLock::new(),
            s3_objects: OnceLock::new(),
        }
    }

    /// The position in `model.roles` of the role `name` of `account`.
    fn index(&self, account: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(account)
            .and_then(|names| names.get(name))
            .copied()
    }

    /// Where the keys of the sessions of role `name` of `account` are kept: what
    /// [`RoleNames::caller_slot`] finds for a session ARN of that account and role name.
    pub fn role_slot(&self, account: &str, name: &str) -> Option<CallerSlot> {
        // As `caller_slot`: a session's account must be an account id.
        if !crate::arn::is_account_id(account) {
            return None;
        }
        u32::try_from(self.index(account, name)?)
            .ok()
            .map(CallerSlot)
    }

    fn get<'m>(&self, model: &'m Model, account: &str, name: &str) -> Option<&'m Role> {
        // By account, then by name, to the role's position in the model: looked up without
        // copying either, and without hashing the role's ARN again.
        self.index(account, name)
            .and_then(|i| model.roles.get_index(i))
            .map(|(_, r)| r)
    }

    /// Whether `model` (the one this index was built for) describes any S3 object: a
    /// resource, role or user whose ARN is an object's (`arn:<p>:s3:::<bucket>/<key>`,
    /// [`crate::arn::s3_object_bucket`]). When it does not, every object of a bucket has
    /// the same keys ([`FillCache::resource_layer`]: its bucket's account's), so a stream of
    /// requests may resolve an object by its bucket. Computed once.
    pub fn describes_s3_objects(&self, model: &Model) -> bool {
        *self.s3_objects.get_or_init(|| {
            model
                .resources
                .keys()
                .chain(model.roles.keys())
                .chain(model.users.keys())
                .any(|arn| crate::arn::s3_object_bucket(arn).is_some())
        })
    }

    /// The slot of the keys of caller `i` (roles first, then users) of `model`.
    fn slot(&self, model: &Model, i: usize) -> Option<&OnceLock<CallerKeys>> {
        self.callers
            .get_or_init(|| {
                std::iter::repeat_with(OnceLock::new)
                    .take(model.roles.len() + model.users.len())
                    .collect()
            })
            .get(i)
    }

    /// Where the keys of caller `arn` are kept when the model describes it (a role, a
    /// session of one, or a user), and for a session where its session name starts in
    /// `arn`. `None` for any other caller, left to [`caller`]. Parsing the ARN and finding
    /// the role or user is all it does: a caller resolved once (a principal of the loaded
    /// data, or a session whose role was found) is filled by its slot alone
    /// ([`FillCache::fill_caller_at`]), without parsing or looking it up again.
    pub fn caller_slot(&self, model: &Model, arn: &str) -> Option<(CallerSlot, Option<u32>)> {
        let [_, _, service, _, account, resource] = crate::arn::split_arn(arn)?;
        // As `caller`: an ARN whose account is not an account id has no keys.
        if !crate::arn::is_account_id(account) {
            return None;
        }
        let (kind_part, rest) = resource.split_once('/')?;
        let (i, session) = match (service, kind_part) {
            ("sts", "assumed-role") => {
                let (name, session) = rest.split_once('/')?;
                let i = self.index(account, name)?;
                // The session name is the end of the ARN.
                (i, Some(u32::try_from(arn.len() - session.len()).ok()?))
            }
            ("iam", "role") => {
                // The slot is shared with the role's sessions, whose account is the role's:
                // a role whose ARN names another account is left to `caller`.
                let i = model.roles.get_index_of(arn)?;
                if model.roles.get_index(i)?.1.account.as_str() != account {
                    return None;
                }
                (i, None)
            }
            ("iam", "user") => (model.roles.len() + model.users.get_index_of(arn)?, None),
            _ => return None,
        };
        Some((CallerSlot(u32::try_from(i).ok()?), session))
    }

    /// The keys of the caller in `slot` ([`RoleNames::caller_slot`]), built on first need:
    /// those [`caller`] gives its ARN. `account_keys` gives, when the keys are built, the
    /// keys of the caller's account and kind ([`account_kind_context`]).
    fn keys_at(
        &self,
        model: &Model,
        slot: CallerSlot,
        account_keys: impl FnOnce(&str, PrincipalType) -> Arc<crate::request::Context>,
    ) -> Option<&CallerKeys> {
        let i = slot.0 as usize;
        let keys = self.slot(model, i)?.get_or_init(|| {
            // The account is the one `caller_slot` read from the ARN: a role's own (the
            // session's account found the role in it, and a role's ARN names it), or the
            // account of the user's ARN.
            let (own, account, kind, role_id) = match model.roles.get_index(i) {
                Some((_, role)) => (
                    described_own_context(&role.arn, None, None, &role.tags),
                    role.account.as_str(),
                    PrincipalType::AssumedRole,
                    Some(role.id.as_str()).filter(|id| !id.is_empty()),
                ),
                None => {
                    let (key, user) = model
                        .users
                        .get_index(i - model.roles.len())
                        .expect("a user's position");
                    let id = Some(user.id.as_str()).filter(|id| !id.is_empty());
                    let account = crate::arn::split_arn(key).map_or("", |[.., a, _]| a);
                    (
                        described_own_context(key, Some(&user.name), id, &user.tags),
                        account,
                        PrincipalType::User,
                        None,
                    )
                }
            };
            CallerKeys {
                own: Arc::new(own),
                account: account_keys(account, kind),
                role_id: role_id.map(Box::from),
            }
        });
        Some(keys)
    }
}

/// Where [`RoleNames`] keeps the keys of a caller the model describes: a role (shared by
/// the role and its sessions) or a user, by position in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallerSlot(u32);

/// The own keys of a caller the model describes ([`caller_own_entries`] but for the keys of
/// its account and kind, [`account_kind_context`]): `aws:PrincipalArn` (for a role and its
/// sessions, the role's ARN), a user's `aws:username` and `aws:userid`, and its tags as
/// `aws:PrincipalTag/<key>` (IAM User Guide, "AWS global condition context keys"; "IAM
/// policy elements: Variables and tags", "Principal key values").
fn described_own_context(
    arn: &str,
    username: Option<&str>,
    userid: Option<&str>,
    tags: &Tags,
) -> crate::request::Context {
    use std::borrow::Cow::Borrowed;
    let mut own = Vec::with_capacity(3 + tags.len());
    own.push((Borrowed("aws:principalarn"), single(arn)));
    if let Some(u) = username {
        own.push((Borrowed("aws:username"), single(u)));
    }
    if let Some(id) = userid {
        own.push((Borrowed("aws:userid"), single(id)));
    }
    push_tags(&mut own, tags);
    crate::request::Context::from_first_lowercase(own)
}

/// Push `tags` as `aws:principaltag/<key lowercased>` entries.
fn push_tags(own: &mut Vec<(crate::request::ContextKey, ContextValue)>, tags: &Tags) {
    for (k, v) in tags {
        let mut key = tag_key("aws:principaltag/", k);
        key.make_ascii_lowercase();
        own.push((std::borrow::Cow::Owned(key), single(v)));
    }
}

/// The key of tag `key` under `prefix` (`aws:ResourceTag/`...), built in one allocation
/// (the keys of every new caller and resource are built so).
fn tag_key(prefix: &str, key: &str) -> String {
    let mut k = String::with_capacity(prefix.len() + key.len());
    k.push_str(prefix);
    k.push_str(key);
    k
}

/// The keys every caller of kind `kind` in `account` has: `aws:PrincipalAccount`,
/// `aws:PrincipalType`, `aws:PrincipalIsAWSService` (`false`), and the account's
/// organization id and path ([`caller_account_entries`]).
fn account_kind_context(
    model: &Model,
    account: &str,
    kind: PrincipalType,
) -> crate::request::Context {
    use std::borrow::Cow::Borrowed;
    let mut keys = vec![
        (Borrowed("aws:principalaccount"), single(account)),
        (Borrowed("aws:principaltype"), single(kind.as_str())),
        (Borrowed("aws:principalisawsservice"), single("false")),
    ];
    let id = AccountId(account.to_string());
    for (k, v) in caller_account_entries(model, &id) {
        let mut k = k;
        k.make_ascii_lowercase();
        keys.push((std::borrow::Cow::Owned(k), v));
    }
    crate::request::Context::from_first_lowercase(keys)
}

/// Classify an IAM/STS caller ARN and look it up in the model (sessions through `roles`
/// when given, else by scanning the roles).
fn caller<'m>(model: &'m Model, roles: Option<&RoleNames>, arn_text: &str) -> Option<Caller<'m>> {
    // Split without copying the parts: a stream of requests classifies each new caller.
    let [_, partition, service, _, account, resource] = crate::arn::split_arn(arn_text)?;
    let account = AccountId::parse(account)?;
    let (kind_part, rest) = resource.split_once('/').unwrap_or((resource, ""));
    match (service, kind_part) {
        ("iam", "root") => Some(Caller {
            kind: PrincipalType::Account,
            principal_arn: arn_text.to_string(),
            userid: Some(account.0.clone()),
            account,
            username: None,
            tags: None,
            role_id: None,
        }),
        ("iam", "user") => {
            let user = model.users.get(arn_text);
            let name = rest.rsplit('/').next().unwrap_or(rest).to_string();
            Some(Caller {
                kind: PrincipalType::User,
                principal_arn: arn_text.to_string(),
                account,
                username: Some(user.map_or(name, |u| u.name.clone())),
                userid: user.map(|u| u.id.clone()).filter(|id| !id.is_empty()),
                tags: user.map(|u| &u.tags),
                role_id: None,
            })
        }
        ("iam", "role") => {
            let role = model.roles.get(arn_text);
            Some(Caller {
                kind: PrincipalType::AssumedRole,
                principal_arn: arn_text.to_string(),
                account,
                username: None,
                userid: None,
                tags: role.map(|r| &r.tags),
                role_id: None,
            })
        }
        ("sts", "assumed-role") => {
            let (role_name, session) = rest.split_once('/')?;
            let role = match roles {
                Some(ix) => ix.get(model, account.as_str(), role_name),
                None => model
                    .roles
                    .values()
                    .find(|r| r.account == account && r.name == role_name),
            };
            let principal_arn = role.map_or_else(
                || format!("arn:{partition}:iam::{account}:role/{role_name}"),
                |r| r.arn.clone(),
            );
            Some(Caller {
                kind: PrincipalType::AssumedRole,
                principal_arn,
                userid: role
                    .filter(|r| !r.id.is_empty())
                    .map(|r| format!("{}:{session}", r.id)),
                account,
                username: None,
                tags: role.map(|r| &r.tags),
                role_id: role.filter(|r| !r.id.is_empty()).map(|r| r.id.clone()),
            })
        }
        ("sts", "federated-user") => Some(Caller {
            kind: PrincipalType::FederatedUser,
            principal_arn: arn_text.to_string(),
            userid: Some(format!("{account}:{rest}")),
            account,
            username: None,
            tags: None,
            role_id: None,
        }),
        _ => None,
    }
}

/// Context entries to add: (key, value) pairs, keys as AWS spells them.
type Entries = Vec<(String, ContextValue)>;

fn single(v: &str) -> ContextValue {
    ContextValue::Single(v.to_string())
}

/// The principal keys of an IAM caller.
fn caller_entries(model: &Model, c: &Caller<'_>) -> Entries {
    let mut out = caller_own_entries(c);
    out.extend(caller_account_entries(model, &c.account));
    out
}

/// The keys of a caller that are its own (not its account's), in [`caller_entries`]'s
/// order.
fn caller_own_entries(c: &Caller<'_>) -> Entries {
    let mut out: Entries = vec![
        ("aws:PrincipalArn".into(), single(&c.principal_arn)),
        ("aws:PrincipalAccount".into(), single(c.account.as_str())),
        ("aws:PrincipalType".into(), single(c.kind.as_str())),
        ("aws:PrincipalIsAWSService".into(), single("false")),
    ];
    if let Some(u) = &c.username {
        out.push(("aws:username".into(), single(u)));
    }
    if let Some(id) = &c.userid {
        out.push(("aws:userid".into(), single(id)));
    }
    if let Some(tags) = c.tags {
        for (k, v) in tags {
            out.push((tag_key("aws:PrincipalTag/", k), single(v)));
        }
    }
    out
}

/// [`caller_own_entries`] as a context, built directly: the same keys and values, the
/// first of keys equal but for case winning as there, without the intermediate list or
/// the case folding of the fixed key names (written lowercase here). A stream of role
/// sessions builds this once per new role.
fn caller_own_context(c: Caller<'_>) -> crate::request::Context {
    use std::borrow::Cow::Borrowed;
    let tags = c.tags.map_or(0, Tags::len);
    let mut own = Vec::with_capacity(6 + tags);
    let mut put = |key: &'static str, value: String| {
        own.push((Borrowed(key), ContextValue::Single(value)));
    };
    put("aws:principalarn", c.principal_arn);
    put("aws:principalaccount", c.account.0);
    put("aws:principaltype", c.kind.as_str().to_string());
    put("aws:principalisawsservice", "false".to_string());
    if let Some(u) = c.username {
        put("aws:username", u);
    }
    if let Some(id) = c.userid {
        put("aws:userid", id);
    }
    if let Some(tags) = c.tags {
        push_tags(&mut own, tags);
    }
    crate::request::Context::from_first_lowercase(own)
}

/// The keys of a caller that come from its account's organization: its id and the
/// account's path in it.
fn caller_account_entries(model: &Model, account: &AccountId) -> Entries {
    let mut out = Entries::new();
    if let Some(o) = model.organization_of(account) {
        out.push(("aws:PrincipalOrgID".into(), single(&o.id)));
        if let Some(p) = o.org_path(account) {
            out.push(("aws:PrincipalOrgPaths".into(), ContextValue::Multi(vec![p])));
        }
    }
    out
}

/// The principal keys of any caller.
fn principal_entries(
    model: &Model,
    roles: Option<&RoleNames>,
    principal: &RequestPrincipal,
) -> Entries {
    match principal {
        RequestPrincipal::Anonymous => vec![
            (
                "aws:PrincipalType".into(),
                single(PrincipalType::Anonymous.as_str()),
            ),
            ("aws:userid".into(), single("anonymous")),
        ],
        RequestPrincipal::Service { name } => vec![
            ("aws:PrincipalIsAWSService".into(), single("true")),
            ("aws:PrincipalServiceName".into(), single(name)),
        ],
        RequestPrincipal::Aws { arn } => caller(model, roles, arn)
            .map(|c| caller_entries(model, &c))
            .unwrap_or_default(),
        RequestPrincipal::Federated { .. } | RequestPrincipal::CanonicalUser { .. } => Vec::new(),
    }
}

/// The resource keys of `resource`: its account's ([`account_entries`]), then its own.
fn resource_entries(model: &Model, resource: &str) -> Entries {
    let (account, own) = resource_parts(model, resource);
    let mut out = account_entries(model, account.as_ref());
    out.extend(own);
    out
}

/// The account owning `resource`, and the keys of `resource` that are its own (its tags):
/// no key of one is a key of [`account_entries`].
fn resource_parts(model: &Model, resource: &str) -> (Option<AccountId>, Entries) {
    let known = model.resources.get(resource);
    let account = known
        .and_then(|r| r.account.clone())
        .or_else(|| owner_by_arn(model, resource).map(|a| AccountId(a.to_string())));
    let mut out = Entries::new();
    if let Some(r) = known {
        for (k, v) in &r.tags {
            out.push((tag_key("aws:ResourceTag/", k), single(v)));
        }
        return (account, out);
    }
    // A role or user is also a resource (of sts:AssumeRole*, iam:*): its tags are its
    // resource tags, under `aws:ResourceTag/*` and under the IAM key `iam:ResourceTag/*`
    // (Service Authorization Reference: `sts:AssumeRole` and the IAM actions on roles and
    // users list `iam:ResourceTag/${TagKey}`).
    let iam_tags = model
        .roles
        .get(resource)
        .map(|r| &r.tags)
        .or_else(|| model.users.get(resource).map(|u| &u.tags));
    for (k, v) in iam_tags.into_iter().flatten() {
        out.push((tag_key("aws:ResourceTag/", k), single(v)));
        out.push((tag_key("iam:ResourceTag/", k), single(v)));
    }
    (account, out)
}

/// The keys of a resource that come from its owning account: `aws:ResourceAccount`, and the
/// account's organization id and path.
fn account_entries(model: &Model, account: Option<&AccountId>) -> Entries {
    let mut out = Entries::new();
    if let Some(acct) = account {
        out.push(("aws:ResourceAccount".into(), single(acct.as_str())));
        if let Some(o) = model.organization_of(acct) {
            out.push(("aws:ResourceOrgID".into(), single(&o.id)));
            if let Some(p) = o.org_path(acct) {
                out.push(("aws:ResourceOrgPaths".into(), ContextValue::Multi(vec![p])));
            }
        }
    }
    out
}

/// Whether the model describes `resource` itself (a resource, or a role or user as the
/// resource of `sts:AssumeRole*` and `iam:*`): its keys then include its tags; otherwise
/// they are those of its owning account alone ([`resource_entries`]).
fn describes(model: &Model, resource: &str) -> bool {
    model.resources.contains_key(resource)
        || model.roles.contains_key(resource)
        || model.users.contains_key(resource)
}

fn apply(req: &mut Request, entries: &[(String, ContextValue)]) {
    for (k, v) in entries {
        req.context.insert_default(k, v.clone());
    }
}

/// Add to `req.context` every global key AWS would fill for this caller and resource, from
/// `model`, unless the request already gives it (see the module documentation). For many
/// requests against one model, [`Filler`] does the same work once per principal and resource.
pub fn fill(model: &Model, req: &mut Request) {
    fill_with(model, None, req)
}

/// [`fill`], resolving role sessions through `roles` (built once for `model`) instead of
/// scanning every role: what a batch of many requests should call.
pub fn fill_with(model: &Model, roles: Option<&RoleNames>, req: &mut Request) {
    let p = principal_entries(model, roles, &req.principal);
    let r = resource_entries(model, &req.resource);
    apply(req, &p);
    apply(req, &r);
    super::service_keys::fill(req);
}

/// The maps of [`FillCache`]: looked up several times per request by ARN, with keys that
/// come from the data, not from an adversary ([`crate::hash::FxHasher`]).
type FxMap<K, V> = HashMap<K, V, crate::hash::FxBuild>;

/// [`fill_with`] for a stream of requests whose callers rarely repeat (role sessions): the
/// keys of each caller and resource are computed on first need and kept, a role session
/// sharing its role's keys (only `aws:userid`, `<RoleId>:<session>`, is its own). Fills
/// exactly what [`fill_with`] fills; unlike [`Filler`], nothing is computed up front. The
/// keys of a caller and of a resource are each built once as a shared context and put below
/// the request's keys as layers ([`crate::request::Context::add_layer`]), not copied.
pub struct FillCache<'m> {
    model: &'m Model,
    roles: &'m RoleNames,
    /// By caller ARN, or for a session by its ARN without the session name: the caller's
    /// keys without a session's `aws:userid`, and the role id of a session's role.
    callers: FxMap<String, (Arc<crate::request::Context>, Option<String>)>,
    /// By resource ARN, for the resources the model describes.
    resources: FxMap<String, Arc<crate::request::Context>>,
    /// By owning account: its resources' account keys (all of the keys of a resource the
    /// model does not describe; the layer below a described resource's own keys).
    accounts: FxMap<String, Arc<crate::request::Context>>,
    /// The keys of a resource whose owner is unknown (none: an empty layer).
    no_account: Option<Arc<crate::request::Context>>,
    /// By caller account, then kind: the keys every caller of that kind in the account
    /// shares ([`account_kind_context`]), for the described callers this thread builds
    /// (another thread may build an equal layer of its own).
    #[allow(clippy::type_complexity)]
    account_kinds: FxMap<String, Vec<(PrincipalType, Arc<crate::request::Context>)>>,
    /// By caller account: the organization keys of its callers.
    principal_accounts: FxMap<AccountId, Arc<crate::request::Context>>,
}

impl<'m> FillCache<'m> {
    /// An empty cache over `model` and its role index.
    pub fn new(model: &'m Model, roles: &'m RoleNames) -> FillCache<'m> {
        FillCache {
            model,
            roles,
            callers: FxMap::default(),
            resources: FxMap::default(),
            accounts: FxMap::default(),
            no_account: None,
            account_kinds: FxMap::default(),
            principal_accounts: FxMap::default(),
        }
    }

    /// Whether the model describes any S3 object ([`RoleNames::describes_s3_objects`]).
    pub fn describes_s3_objects(&self) -> bool {
        self.roles.describes_s3_objects(self.model)
    }

    /// How many callers and resources the cache holds.
    pub fn len(&self) -> usize {
        self.callers.len() + self.resources.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget every caller and resource (to bound memory on long streams).
    pub fn clear(&mut self) {
        self.callers.clear();
        self.resources.clear();
        self.accounts.clear();
        self.no_account = None;
        self.account_kinds.clear();
        self.principal_accounts.clear();
    }

    /// The keys of the resources of `account` ([`account_entries`]), built once per account
    /// (looked up by the borrowed id).
    fn account_layer(&mut self, account: Option<&str>) -> Arc<crate::request::Context> {
        let model = self.model;
        let Some(a) = account else {
            return Arc::clone(
                self.no_account
                    .get_or_insert_with(|| layer(account_entries(model, None))),
            );
        };
        if let Some(e) = self.accounts.get(a) {
            return Arc::clone(e);
        }
        let e = layer(account_entries(model, Some(&AccountId(a.to_string()))));
        self.accounts.insert(a.to_string(), Arc::clone(&e));
        e
    }

    /// The keys of caller `c` ([`caller_entries`]): its own, over a layer of its account's
    /// organization keys shared by every caller of the account (the two sets of keys are
    /// disjoint, so their order does not matter).
    fn caller_layer(&mut self, c: Caller<'_>) -> Arc<crate::request::Context> {
        let model = self.model;
        let account = self
            .principal_accounts
            .entry(c.account.clone())
            .or_insert_with_key(|a| layer(caller_account_entries(model, a)));
        let mut own = caller_own_context(c);
        own.add_layer(Arc::clone(account));
        Arc::new(own)
    }

    /// Add to `context` what [`fill_with`] adds to a request of `principal`, `action` and
    /// `resource` with that context, unless the context already gives it:
    /// [`FillCache::fill_caller`], then [`FillCache::resource_layer`] as a layer, then the
    /// service keys ([`super::service_keys::fill_context`]).
    pub fn fill(
        &mut self,
        principal: &RequestPrincipal,
        action: &str,
        resource: &str,
        context: &mut crate::request::Context,
    ) {
        self.fill_caller(principal, context);
        context.add_layer(self.resource_layer(resource));
        super::service_keys::fill_context(action, context);
    }

    /// [`FillCache::fill_caller`] for a caller the model describes, found before
    /// ([`RoleNames::caller_slot`] of its ARN): `slot` and, for a session, its session name.
    /// Adds its keys, shared by every thread, as layers, and a session's own `aws:userid`
    /// (`<RoleId>:<session>`) when its role has an id.
    pub fn fill_caller_at(
        &mut self,
        slot: CallerSlot,
        session: Option<&str>,
        context: &mut crate::request::Context,
    ) {
        let model = self.model;
        let kinds = &mut self.account_kinds;
        let account_keys = |account: &str, kind| {
            // Looked up by the borrowed id: the id is copied once per account.
            if let Some((_, keys)) = kinds
                .get(account)
                .and_then(|k: &Vec<(PrincipalType, _)>| k.iter().find(|(x, _)| *x == kind))
            {
                return Arc::clone(keys);
            }
            let keys = Arc::new(account_kind_context(model, account, kind));
            kinds
                .entry(account.to_string())
                .or_default()
                .push((kind, Arc::clone(&keys)));
            keys
        };
        let Some(keys) = self.roles.keys_at(model, slot, account_keys) else {
            return;
        };
        context.add_layer(Arc::clone(&keys.own));
        context.add_layer(Arc::clone(&keys.account));
        if let (Some(id), Some(name)) = (&keys.role_id, session) {
            let mut userid = String::with_capacity(id.len() + 1 + name.len());
            userid.push_str(id);
            userid.push(':');
            userid.push_str(name);
            context.insert_default_static("aws:userid", ContextValue::Single(userid));
        }
    }

    /// The caller's part of [`FillCache::fill`]: add to `context` the keys AWS fills for
    /// `principal` (as shared layers, and a session's own `aws:userid`), unless the context
    /// already gives them. Call before the resource's layer is added.
    pub fn fill_caller(
        &mut self,
        principal: &RequestPrincipal,
        context: &mut crate::request::Context,
    ) {
        let (model, roles) = (self.model, self.roles);
        match principal {
            RequestPrincipal::Aws { arn } => {
                if let Some((slot, session)) = roles.caller_slot(model, arn) {
                    // A role, a session of one, or a user of the model.
                    let session = session.and_then(|at| arn.get(at as usize..));
                    self.fill_caller_at(slot, session, context);
                    return;
                }
                // A session ARN `arn:<p>:sts::<account>:assumed-role/<role>/<session>`: the
                // key is everything before the session name.
                let session = session_parts(arn);
                let key = session.map_or(arn.as_str(), |(k, _)| k);
                if !self.callers.contains_key(key) {
                    let value = match caller(model, Some(roles), arn) {
                        Some(mut c)
                            if session.is_some() && c.kind == PrincipalType::AssumedRole =>
                        {
                            // The role's keys; `aws:userid` is added per session.
                            c.userid = None;
                            let role_id = c.role_id.take();
                            (self.caller_layer(c), role_id)
                        }
                        Some(c) => (self.caller_layer(c), None),
                        None => (layer(Entries::new()), None),
                    };
                    self.callers.insert(key.to_string(), value);
                }
                if let Some((entries, role_id)) = self.callers.get(key) {
                    context.add_layer(Arc::clone(entries));
                    if let (Some(id), Some((_, name))) = (role_id, session) {
                        let mut userid = String::with_capacity(id.len() + 1 + name.len());
                        userid.push_str(id);
                        userid.push(':');
                        userid.push_str(name);
                        context.insert_default_static("aws:userid", ContextValue::Single(userid));
                    }
                }
            }
            // [`principal_entries`]' keys, lowercase and borrowed.
            RequestPrincipal::Anonymous => {
                let anonymous = PrincipalType::Anonymous.as_str();
                context.insert_default_static("aws:principaltype", single(anonymous));
                context.insert_default_static("aws:userid", single("anonymous"));
            }
            RequestPrincipal::Service { name } => {
                context.insert_default_static("aws:principalisawsservice", single("true"));
                context.insert_default_static("aws:principalservicename", single(name));
            }
            RequestPrincipal::Federated { .. } | RequestPrincipal::CanonicalUser { .. } => {}
        }
    }

    /// The keys AWS fills for `resource` (its tags over its owning account's keys, or its
    /// account's alone when the model does not describe it), as one shared layer: built
    /// once per described resource and per account.
    pub fn resource_layer(&mut self, resource: &str) -> Arc<crate::request::Context> {
        self.resource_layer_named(resource, true)
    }

    /// [`FillCache::resource_layer`], told whether `resource` may name a resource, role or
    /// user of the model: `false` when the ARN is not a text of tables built from the model
    /// ([`crate::tables::FactTables::resource_for_named`]), and then the resource is not
    /// looked for among them (its keys are those of its account: the bucket's account for
    /// an S3 object, else the ARN's).
    pub fn resource_layer_named(
        &mut self,
        resource: &str,
        named: bool,
    ) -> Arc<crate::request::Context> {
        if !named {
            debug_assert!(
                !self.model.resources.contains_key(resource)
                    && !self.model.roles.contains_key(resource)
                    && !self.model.users.contains_key(resource)
            );
            return self.account_layer(owner_by_arn(self.model, resource));
        }
        if let Some(e) = self.resources.get(resource) {
            return Arc::clone(e);
        }
        let model = self.model;
        // [`resource_parts`] and [`describes`] with each map looked up once and the account
        // borrowed: the model's resource, else a role or user as a resource.
        let known = model.resources.get(resource);
        let iam_tags = match known {
            Some(_) => None,
            None => model
                .roles
                .get(resource)
                .map(|r| &r.tags)
                .or_else(|| model.users.get(resource).map(|u| &u.tags)),
        };
        let account = known
            .and_then(|r| r.account.as_ref())
            .map(AccountId::as_str)
            .or_else(|| owner_by_arn(model, resource));
        let mut own = crate::request::Context::new();
        if let Some(r) = known {
            for (k, v) in &r.tags {
                own.insert_default_owned(tag_key("aws:ResourceTag/", k), single(v));
            }
        }
        // A role or user is also a resource (of sts:AssumeRole*, iam:*): its tags are its
        // resource tags, under `aws:ResourceTag/*` and under the IAM key `iam:ResourceTag/*`
        // (Service Authorization Reference: `sts:AssumeRole` and the IAM actions on roles
        // and users list `iam:ResourceTag/${TagKey}`).
        for (k, v) in iam_tags.into_iter().flatten() {
            own.insert_default_owned(tag_key("aws:ResourceTag/", k), single(v));
            own.insert_default_owned(tag_key("iam:ResourceTag/", k), single(v));
        }
        let account = self.account_layer(account);
        if own.is_empty() {
            // A resource the data does not describe (an S3 object, most often), or one
            // without tags: its keys are its account's, shared by every such resource of
            // the account.
            return account;
        }
        // Its own keys (tags) over its account's, shared with the account's other
        // resources: the two sets of keys are disjoint ([`account_entries`]).
        own.add_layer(account);
        let e = Arc::new(own);
        self.resources.insert(resource.to_string(), Arc::clone(&e));
        e
    }
}

/// A session ARN `arn:<p>:sts:<region>:<account>:assumed-role/<role>/<session>` split
/// after `<role>/`: (the ARN up to there, the session name), as [`caller`] splits it.
fn session_parts(arn: &str) -> Option<(&str, &str)> {
    let [_, _, "sts", _, _, resource] = crate::arn::split_arn(arn)? else {
        return None;
    };
    let rest = resource.strip_prefix("assumed-role/")?;
    let (role, _) = rest.split_once('/')?;
    let cut = arn.len() - rest.len() + role.len() + 1;
    Some((arn.get(..cut)?, arn.get(cut..)?))
}

/// `entries` as a shared context layer, the first of equal keys winning (as when they are
/// inserted one by one unless present).
fn layer(entries: Entries) -> Arc<crate::request::Context> {
    let mut c = crate::request::Context::new();
    for (k, v) in entries {
        c.insert_default_owned(k, v);
    }
    Arc::new(c)
}

/// [`fill`] for batches: the keys of each principal and resource of the model are computed
/// once, on first need (a query that reads a few principals of a large model pays for those
/// only), so filling a request again is a few map lookups. Fills exactly what [`fill`]
/// fills.
pub struct Filler<'m> {
    model: &'m Model,
    /// By caller ARN: users, roles (as bare role ARNs) and account roots, as computed.
    principals: std::sync::Mutex<HashMap<String, Option<Arc<Entries>>>>,
    /// By account, then role name: the role, to resolve session ARNs without allocating
    /// (built on the first session).
    roles_by_name: std::sync::OnceLock<HashMap<&'m str, HashMap<&'m str, &'m Role>>>,
    /// By resource ARN: resources, roles and users of the model, as computed.
    resources: std::sync::Mutex<HashMap<String, Arc<Entries>>>,
}

impl<'m> Filler<'m> {
    /// A filler over `model`; nothing is computed until a request needs it.
    pub fn new(model: &'m Model) -> Filler<'m> {
        Filler {
            model,
            principals: std::sync::Mutex::default(),
            roles_by_name: std::sync::OnceLock::new(),
            resources: std::sync::Mutex::default(),
        }
    }

    /// The keys of `arn` when it is a user, a role or an account root of the model whose
    /// ARN classifies (`None` otherwise), computed once.
    fn principal(&self, arn: &str) -> Option<Arc<Entries>> {
        let mut cache = self.principals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = cache.get(arn) {
            return e.clone();
        }
        let model = self.model;
        let known = model.users.contains_key(arn)
            || model.roles.contains_key(arn)
            || crate::arn::root_account(arn)
                .is_some_and(|a| model.accounts.iter().any(|x| x.as_str() == a));
        let e = if known {
            caller(model, None, arn).map(|c| Arc::new(caller_entries(model, &c)))
        } else {
            None
        };
        cache.insert(arn.to_string(), e.clone());
        e
    }

    /// Add the keys [`fill`] adds, unless the request already gives them.
    pub fn fill(&self, req: &mut Request) {
        match &req.principal {
            RequestPrincipal::Aws { arn } => {
                if let Some(e) = self.principal(arn) {
                    apply(req, &e);
                } else if let Some((role, session)) = self.session_role(arn) {
                    // A session has its role's keys, plus aws:userid = <RoleId>:<session>.
                    if !role.id.is_empty() {
                        let userid = format!("{}:{session}", role.id);
                        req.context.insert_default("aws:userid", single(&userid));
                    }
                    if let Some(e) = self.principal(&role.arn) {
                        apply(req, &e);
                    }
                } else {
                    let e = principal_entries(self.model, None, &req.principal);
                    apply(req, &e);
                }
            }
            other => {
                let e = principal_entries(self.model, None, other);
                apply(req, &e);
            }
        }
        if describes(self.model, &req.resource) {
            let e = {
                let mut cache = self.resources.lock().unwrap_or_else(|e| e.into_inner());
                match cache.get(&req.resource) {
                    Some(e) => Arc::clone(e),
                    None => {
                        let e = Arc::new(resource_entries(self.model, &req.resource));
                        cache.insert(req.resource.clone(), Arc::clone(&e));
                        e
                    }
                }
            };
            apply(req, &e);
        } else {
            let e = resource_entries(self.model, &req.resource);
            apply(req, &e);
        }
        super::service_keys::fill(req);
    }

    fn roles_by_name(&self) -> &HashMap<&'m str, HashMap<&'m str, &'m Role>> {
        self.roles_by_name.get_or_init(|| {
            let mut m: HashMap<&str, HashMap<&str, &Role>> = HashMap::new();
            for r in self.model.roles.values() {
                m.entry(r.account.as_str())
                    .or_default()
                    .insert(r.name.as_str(), r);
            }
            m
        })
    }

    /// The loaded role of a session ARN `arn:aws:sts::<account>:assumed-role/<name>/<session>`.
    fn session_role<'a>(&self, arn: &'a str) -> Option<(&'m Role, &'a str)> {
        let rest = arn.strip_prefix("arn:")?;
        let (_partition, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("sts::")?;
        let (account, rest) = rest.split_once(':')?;
        let rest = rest.strip_prefix("assumed-role/")?;
        let (name, session) = rest.split_once('/')?;
        let role = self.roles_by_name().get(account)?.get(name)?;
        Some((role, session))
    }
}

/// The owner of a resource the model does not give one: its bucket's account for an S3
/// object of a bucket the model describes, else the ARN's account field when it is an
/// account id.
fn owner_by_arn<'a>(model: &'a Model, resource: &'a str) -> Option<&'a str> {
    s3_bucket_account_of(model, resource).or_else(|| {
        crate::arn::split_arn(resource)
            .map(|[.., account, _]| account)
            .filter(|a| crate::arn::is_account_id(a))
    })
}

/// An S3 object ARN (`arn:aws:s3:::bucket/key`) has no account part: its owner is the
/// bucket's account, when the model knows the bucket.
fn s3_bucket_account_of<'m>(model: &'m Model, resource: &str) -> Option<&'m str> {
    let bucket_arn = crate::arn::s3_object_bucket(resource)?;
    model
        .resources
        .get(bucket_arn)
        .and_then(|r| r.account.as_ref())
        .map(AccountId::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The caller layer built directly holds exactly the keys of `caller_own_entries`
    /// inserted one by one (the first of tag keys equal but for case winning), for each
    /// kind of caller and with or without username, user id and tags.
    #[test]
    fn caller_own_context_reads_as_caller_own_entries() {
        let mut tags = Tags::new();
        tags.insert("Team".to_string(), "blue".to_string());
        tags.insert("team".to_string(), "red".to_string());
        tags.insert("Cost-Center".to_string(), "42".to_string());
        let no_tags = Tags::new();
        let callers = [
            (
                PrincipalType::User,
                Some("alice"),
                Some("AIDA1"),
                Some(&tags),
            ),
            (PrincipalType::AssumedRole, None, None, Some(&tags)),
            (
                PrincipalType::AssumedRole,
                None,
                Some("AROA1:s"),
                None::<&Tags>,
            ),
            (PrincipalType::Account, None, Some("111122223333"), None),
            (PrincipalType::FederatedUser, None, None, Some(&no_tags)),
        ];
        for (kind, username, userid, tags) in callers {
            let c = || Caller {
                kind,
                principal_arn: "arn:aws:iam::111122223333:role/Path/R".to_string(),
                account: AccountId("111122223333".to_string()),
                username: username.map(str::to_string),
                userid: userid.map(str::to_string),
                tags,
                role_id: None,
            };
            let mut expected = crate::request::Context::new();
            for (k, v) in caller_own_entries(&c()) {
                expected.insert_default_owned(k, v);
            }
            let built = caller_own_context(c());
            assert_eq!(built, expected);
            assert_eq!(
                built.iter().collect::<Vec<_>>(),
                expected.iter().collect::<Vec<_>>()
            );
        }
        let c = Caller {
            kind: PrincipalType::User,
            principal_arn: "arn:aws:iam::111122223333:user/alice".to_string(),
            account: AccountId("111122223333".to_string()),
            username: None,
            userid: None,
            tags: Some(&tags),
            role_id: None,
        };
        let built = caller_own_context(c);
        assert_eq!(
            built.get("aws:PrincipalTag/TEAM"),
            Some(&ContextValue::Single("blue".to_string()))
        );
        assert_eq!(
            built.get("aws:principaltype"),
            Some(&ContextValue::Single("User".to_string()))
        );
        assert_eq!(built.len(), 6);
    }
}
