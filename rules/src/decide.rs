//! The decision program: AWS's policy evaluation logic as one crepe Datalog program over the
//! fact tables and a batch of requests.
//!
//! Every rule cites the AWS documentation it encodes (IAM User Guide unless named):
//! - [DENYALLOW] "How AWS enforcement code logic evaluates requests to allow or deny access"
//!   (`reference_policies_evaluation-logic_policy-eval-denyallow.html`).
//! - [SINGLE] "Policy evaluation for requests within a single account"
//!   (`reference_policies_evaluation-logic_policy-eval-basics.html`).
//! - [CROSS] "Cross-account policy evaluation logic"
//!   (`reference_policies_evaluation-logic-cross-account.html`).
//! - [BOUNDARY] "Permissions boundaries for IAM entities", section "Evaluating effective
//!   permissions with boundaries" (`access_policies_boundaries.html`).
//! - [SESSION] "Session policies" in "Policies and permissions in AWS Identity and Access
//!   Management" (`access_policies.html#policies_session`).
//! - [SCP] AWS Organizations User Guide, "SCP evaluation" and "Service control policies"
//!   (`orgs_manage_policies_scps_evaluation.html`, `orgs_manage_policies_scps.html`).
//! - [RCP] AWS Organizations User Guide, "Resource control policies" and "RCP evaluation"
//!   (`orgs_manage_policies_rcps.html`, `orgs_manage_policies_rcps_evaluation.html`).
//! - [KMS] AWS KMS Developer Guide, "Key policies in AWS KMS" and "Default key policy"
//!   (`key-policies.html`, `key-policy-default.html`).
//! - [TRUST] "IAM roles" / "Cross-account resource access in IAM": a role's trust policy is
//!   the resource-based policy of the role (`id_roles.html`, `access_policies-cross-account-resource-access.html`).
//! - [VPCE] Amazon VPC "Control access to VPC endpoints using endpoint policies"
//!   (`vpc-endpoints-access.html`).
//! - [PRINCIPAL] "AWS JSON policy elements: Principal" and "NotPrincipal".
//! - [OWNED] resources AWS owns cannot be changed by a customer's principal; which action on
//!   which resource, with its sources, is `facts::aws_rules::aws_owned`.
//! - [NOPERM] AWS STS API Reference, "GetCallerIdentity": no permission is required, even
//!   under an explicit deny (`facts::aws_rules::no_permission`).
//! - [BPA] Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage"
//!   (`RestrictPublicBuckets`; which policies are public: "The meaning of public"). The
//!   restricted policies come from `facts` (`FactTables::s3_restricted_policies`).
//!
//! docs/evaluation-logic.md restates each rule in prose, with its test.

// The oracle relation (`Env`) holds a reference to an oracle with a per-request cache
// (`OnceCell`); it hashes and compares by address, so the cache cannot change its key. No
// rule asks for a whole `Env` tuple, so crepe keeps it as the list given, not in a set
// (`vendor/crepe/CHANGES-iamlogic.md`, change 5).

use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use crepe::crepe;
use facts::aws_rules::{AwsOwned, AwsRule};
use facts::eval::PreparedStatement;
use facts::policy::{Effect, PrincipalClause, PrincipalEntry, Principals, ResourceClause};
use facts::request::{Request, RequestPrincipal};
use facts::tables::{FactTables, Layer, PolicyId, PrincipalKind, ResourceKind, StmtId, Sym};

use crate::profile::ProfileId;
use crate::BatchRequest;

/// How a matching `Allow` statement of a resource-based policy names the caller; decides
/// whether the grant stands alone in the caller's account [DENYALLOW].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum GrantKind {
    /// Names the caller itself: the IAM user ARN, the role session ARN (or `*` for a user).
    /// Not limited by an implicit deny in identity policies, boundary or session policy.
    Unbounded,
    /// Names the role of a session (or `*` for a session): limited by an implicit deny in the
    /// boundary or session policy, but needs no identity-based allow.
    Bounded,
    /// Names the caller's account (account id or root ARN): delegates to the account, so
    /// the identity-based side must allow too.
    Account,
}

/// Calls back into `facts` for what Datalog cannot express: whether a statement applies to
/// a concrete request ([`facts::eval::statement_applies`]) and how a resource-policy
/// statement names the caller.
pub(crate) struct Oracle<'a> {
    pub tables: &'a FactTables,
    /// The tables grouped by entity (for the caller's permissions boundary).
    pub index: &'a crate::select::FactIndex,
    pub batch: &'a [BatchRequest],
    /// Per statement: what matching it reads of a request (see [`Reads`]).
    pub reads: &'a [Reads],
    /// Per statement: its prepared matcher, made on first need (shared by the engines of
    /// one [`crate::Index`]).
    pub prepared: &'a [OnceLock<PreparedStatement>],
    /// Per request: the request with its shared context merged in, built on first need
    /// (boxed: most requests never need it, and an empty cell is then one word).
    pub full: Vec<std::cell::OnceCell<Box<Request>>>,
}

/// What matching a statement reads of a request once its action element matched (the
/// decision program only asks about statements whose action element matches the request's
/// action: the action index found them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    /// Nothing: no `Condition`, no `Principal` element or `"Principal": "*"`, and no
    /// `Resource` element or one that lists `*`. Such a statement applies to every request
    /// its action matches ([DENYALLOW]: a statement applies when its action, resource,
    /// principal and conditions all match), so it is not looked at again: `FullAWSAccess`,
    /// `RCPFullAWSAccess`, an identity policy's `"Resource": "*"` grant.
    Nothing,
    /// The request (resource, principal), not its context.
    Request,
    /// The request and its context: through conditions, or through policy variables in
    /// its resource patterns (`facts::eval` reads the context for nothing else).
    Context,
}

/// [`Reads`] of every statement of `tables`.
pub(crate) fn statement_reads(tables: &FactTables) -> Vec<Reads> {
    (0..tables.statements.len())
        .map(|s| match tables.statement(s as StmtId) {
            Some((policy, st)) => {
                let vars = |pats: &[facts::policy::ResourcePattern]| {
                    pats.iter().any(|p| p.0.contains("${"))
                };
                let context = !st.conditions.is_empty()
                    || (policy.version.supports_variables()
                        && match &st.resource {
                            Some(ResourceClause::Resource(p))
                            | Some(ResourceClause::NotResource(p)) => vars(p),
                            None => false,
                        });
                let any_resource = match &st.resource {
                    None => true,
                    Some(ResourceClause::Resource(p)) => p.iter().any(|p| p.0 == "*"),
                    Some(ResourceClause::NotResource(_)) => false,
                };
                let any_principal = matches!(
                    st.principal,
                    None | Some(PrincipalClause::Principal(Principals::Any))
                );
                if context {
                    Reads::Context
                } else if any_resource && any_principal {
                    Reads::Nothing
                } else {
                    Reads::Request
                }
            }
            None => Reads::Context,
        })
        .collect()
}

impl Hash for Oracle<'_> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl PartialEq for Oracle<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Oracle<'_> {}

impl Oracle<'_> {
    /// Whether statement `s` applies to request `r` (action, resource, principal, conditions).
    fn applies(&self, r: u32, s: StmtId) -> bool {
        let reads = self
            .reads
            .get(s as usize)
            .copied()
            .unwrap_or(Reads::Context);
        if reads == Reads::Nothing && (r as usize) < self.batch.len() {
            // Applies to every request its action matches: the statement, its policy and
            // the request are not read (three dependent loads into policy documents spread
            // over the heap, most of what asking cost for such a statement).
            return true;
        }
        let (Some(b), Some((policy, stmt))) =
            (self.batch.get(r as usize), self.tables.statement(s))
        else {
            return false;
        };
        let needs = reads == Reads::Context;
        let request = match (&b.shared_context, self.full.get(r as usize)) {
            (Some(shared), Some(cell)) if needs => cell
                .get_or_init(|| {
                    let mut full = b.request.clone();
                    for (k, v) in shared.iter() {
                        full.context.insert_default(k, v.clone());
                    }
                    Box::new(full)
                })
                .as_ref(),
            _ => &b.request,
        };
        // Every rule that asks reaches `s` through the action memo's entry for the action of
        // `r`: `ReqClassStatement(r, .., s, ..)` lists statements selected from `stmts[a]`,
        // the statements whose action element matches `r`'s action `a`, and the request-side
        // rules join `a` with `PolicyActionStatement(_, a, s, _)`, selected from the same:
        // the action element already matched.
        let fresh;
        let prepared = match self.prepared.get(s as usize) {
            Some(cell) => cell.get_or_init(|| PreparedStatement::new(policy, stmt)),
            None => {
                fresh = PreparedStatement::new(policy, stmt);
                &fresh
            }
        };
        if stmt.effect == Effect::Deny
            && matches!(stmt.principal, Some(PrincipalClause::NotPrincipal(_)))
            && self.has_boundary(b.principal)
        {
            // [PRINCIPAL] NotPrincipal key points / [BOUNDARY] "Important": a `Deny` with
            // `NotPrincipal` always denies an IAM principal that has a permissions boundary,
            // whatever the element lists — only action, resource and conditions decide.
            return prepared.resource_matches(stmt, &request.resource, &request.context)
                && prepared.conditions_hold(stmt, &request.context);
        }
        prepared.applies_given_action(stmt, request)
    }

    /// Whether principal `p` (a user or role, or a session of a role) has a permissions
    /// boundary: its own, or its role's for a session [BOUNDARY].
    fn has_boundary(&self, p: Sym) -> bool {
        self.index.has_boundary(self.tables, p)
    }

    /// How the matching resource-policy statement `s` names the caller of request `r`.
    fn grant_kind(&self, r: u32, s: StmtId) -> GrantKind {
        let (Some(req), Some((_, stmt))) = (self.batch.get(r as usize), self.tables.statement(s))
        else {
            return GrantKind::Account;
        };
        let caller = self.tables.principal(req.principal);
        let kind = caller.map(|p| p.kind).unwrap_or(PrincipalKind::Anonymous);
        let caller_arn = match &req.request.principal {
            RequestPrincipal::Aws { arn } => arn.as_str(),
            _ => "",
        };
        let role_arn = self
            .tables
            .role_of_session(req.principal)
            .and_then(|role| self.tables.principal(role))
            .map(|p| self.tables.symbols.name(p.arn))
            .unwrap_or("");
        let account = caller
            .and_then(|p| p.account)
            .and_then(|a| self.tables.account_id_of(a))
            .unwrap_or("");
        // `*` (or NotPrincipal, which matched because the caller was not excluded) names
        // everyone: for a user that grant is to the user; for a session it reaches the
        // session through its role [DENYALLOW].
        let everyone = match kind {
            PrincipalKind::Session | PrincipalKind::Role | PrincipalKind::FederatedUser => {
                GrantKind::Bounded
            }
            _ => GrantKind::Unbounded,
        };
        let entries = match &stmt.principal {
            Some(PrincipalClause::Principal(Principals::Specific(e))) => e,
            _ => return everyone,
        };
        let mut best: Option<GrantKind> = None;
        let mut consider = |g: GrantKind| {
            best = Some(match (best, g) {
                (Some(GrantKind::Unbounded), _) | (_, GrantKind::Unbounded) => GrantKind::Unbounded,
                (Some(GrantKind::Bounded), _) | (_, GrantKind::Bounded) => GrantKind::Bounded,
                _ => GrantKind::Account,
            })
        };
        for e in entries {
            match e {
                PrincipalEntry::Aws(v) if v == "*" => consider(everyone),
                PrincipalEntry::Aws(v) if !caller_arn.is_empty() && v == caller_arn => {
                    consider(if kind == PrincipalKind::Role {
                        GrantKind::Bounded
                    } else {
                        GrantKind::Unbounded
                    })
                }
                PrincipalEntry::Aws(v) if !role_arn.is_empty() && v == role_arn => {
                    consider(GrantKind::Bounded)
                }
                PrincipalEntry::Aws(v)
                    if !account.is_empty()
                        && (v == account || facts::arn::root_account(v) == Some(account)) =>
                {
                    consider(GrantKind::Account)
                }
                PrincipalEntry::Service(_)
                | PrincipalEntry::Federated(_)
                | PrincipalEntry::CanonicalUser(_)
                    if !kind.has_identity_side() =>
                {
                    consider(GrantKind::Unbounded)
                }
                _ => {}
            }
        }
        // The statement applied, so some entry matched the caller even if it is none of the
        // forms above (for example a principal of another partition): treat it like `*`.
        best.unwrap_or(everyone)
    }
}

/// The oracle as a relation field: compared by address, so the single row never changes.
#[derive(Clone, Copy)]
pub(crate) struct OracleRef<'a>(pub &'a Oracle<'a>);

impl Hash for OracleRef<'_> {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}
impl PartialEq for OracleRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}
impl Eq for OracleRef<'_> {}

crepe! {
    // ------------------------------------------------------------------ inputs (one per table)
    //
    // Request relations carry (request, principal, action, same-account) so that no rule has
    // to look a request up by id: crepe keeps one vector per index key, and an index keyed by
    // request id would cost one allocation per request.

    @input
    /// The oracle that calls `facts` (single row).
    pub(crate) struct Env<'a>(pub OracleRef<'a>);
    @input
    /// Request `r` by a caller of class `c` (its principal profile, `profile.rs`) for
    /// batch-local action `a`; `same`: the caller is in the account that owns the resource.
    pub(crate) struct Req(pub u32, pub ProfileId, pub u32, pub bool);
    @input
    /// Request `r` is on known resource `x`.
    pub(crate) struct ReqResource(pub u32, pub ProfileId, pub u32, pub bool, pub Sym);
    @input
    /// Request `r` is `sts:AssumeRole`, `sts:AssumeRoleWithSAML` or
    /// `sts:AssumeRoleWithWebIdentity` on known role `x`.
    pub(crate) struct ReqAssumeRole(pub u32, pub ProfileId, pub u32, pub bool, pub Sym);
    @input
    /// Request `r` is an action of a service that supports RCPs, on a resource of account
    /// entity `acct`.
    pub(crate) struct ReqRcp(pub u32, pub ProfileId, pub u32, pub bool, pub Sym);
    @input
    /// Request `r` goes through a VPC endpoint whose policy is `pol`.
    pub(crate) struct ReqVpcEndpoint(pub u32, pub ProfileId, pub u32, pub bool, pub PolicyId);
    @input
    /// The caller of request `r` is not in the account that owns the resource.
    pub(crate) struct CrossAccount(pub u32);
    @input
    /// Callers of class `c` are principals of kind `k`.
    pub(crate) struct ClassKind(pub ProfileId, pub PrincipalKind);
    @input
    /// Callers of class `c` have a policy in layer `l` (boundary or session policy).
    pub(crate) struct ClassHasLayer(pub ProfileId, pub Layer);
    @input
    /// Node `n` is an SCP level that must allow every request of a caller of class `c`.
    /// [SCP] SCPs affect IAM users and roles (and the root user) of member accounts: "every
    /// level of the path root → OUs → account" must have an Allow. They do not affect the
    /// management account nor service-linked roles; anonymous and service callers have no
    /// account, so no SCP applies to them (computed once per profile, `profile.rs`).
    pub(crate) struct ClassScpLevel(pub ProfileId, pub Sym);
    @input
    /// SCP `pol` is attached at every SCP level of callers of class `c` (as `FullAWSAccess`
    /// is, by default, on the root, every OU and every account; from the class's profile,
    /// `Profile::scps_at_every_level`).
    pub(crate) struct ClassScpEverywhere(pub ProfileId, pub PolicyId);
    @input
    /// Callers of class `c` are a service-linked role or one of its sessions.
    pub(crate) struct ClassServiceLinked(pub ProfileId);
    @input
    /// Statement `s` of policy `pol`, with effect `e`, is evaluated in layer `l` for request
    /// `r` by a caller of class `c` (`same` as in `Req`), and can match the request's action
    /// (action index). Which policies count for a caller — [DENYALLOW] its own
    /// identity-based policies, its groups' ("IAM user groups"), its session's role's
    /// ("Temporary security credentials"); [BOUNDARY] its or its role's boundary; [SESSION]
    /// its session policies; [SCP] the SCPs of its levels — is its class's profile
    /// (`profile.rs`); the selection lists, per request, the statements of its class's
    /// policies that the action index found for its action (`select.rs`).
    pub(crate) struct ReqClassStatement(
        pub u32,
        pub ProfileId,
        pub bool,
        pub StmtId,
        pub PolicyId,
        pub Layer,
        pub Effect,
    );
    @input
    /// Account entity `a` is the organization's management account.
    pub(crate) struct ManagementAccount(pub Sym);
    @input
    /// SCP `pol` is attached to node `n`.
    pub(crate) struct ScpAttachment(pub Sym, pub PolicyId);
    @input
    /// Node `n` is an RCP level on account `a`'s path.
    pub(crate) struct RcpLevel(pub Sym, pub Sym);
    @input
    /// RCP `pol` is attached to node `n`.
    pub(crate) struct RcpAttachment(pub Sym, pub PolicyId);
    @input
    /// RCP `pol` is attached at some RCP level of account `acct`: it is evaluated for the
    /// requests on the account's resources (once, however many levels it is attached at).
    pub(crate) struct AccountRcp(pub Sym, pub PolicyId);
    @input
    /// RCP `pol` is attached at every RCP level of account `acct` (as `RCPFullAWSAccess` is,
    /// on the root, every OU and every account, once RCPs are enabled; `select.rs`).
    pub(crate) struct AccountRcpEverywhere(pub Sym, pub PolicyId);
    @input
    /// Resource `x` is of kind `k`.
    pub(crate) struct ResourceKindOf(pub Sym, pub ResourceKind);
    @input
    /// Resource `x` has resource-based policy `pol`.
    pub(crate) struct ResourcePolicy(pub Sym, pub PolicyId);
    @input
    /// Role `x` has trust policy `pol`.
    pub(crate) struct TrustPolicy(pub Sym, pub PolicyId);
    @input
    /// Policy `pol` of bucket `x` is public and S3 Block Public Access `RestrictPublicBuckets`
    /// applies to `x`.
    pub(crate) struct RestrictedPublicPolicy(pub Sym, pub PolicyId);
    @input
    /// Statement `s` of policy `pol`, with effect `e`, can match action `a` (action index).
    pub(crate) struct PolicyActionStatement(pub PolicyId, pub u32, pub StmtId, pub Effect);
    @input
    /// Request `r` by a customer principal of class `c` would change a resource AWS owns,
    /// of kind `k`.
    pub(crate) struct AwsOwnedReq(pub u32, pub ProfileId, pub AwsOwned);
    @input
    /// Request `r`, by an authenticated caller, is for an action that needs no permission.
    pub(crate) struct NoPermissionReq(pub u32);

    // ------------------------------------------------------------------- which policies count

    // The caller-side policies of every class (identity, boundary, session, SCP levels) are
    // its profile (`profile.rs`, computed once at load, where each is cited); here only the
    // policies that depend on the request.

    // The RCPs of account `acct` apply to request `r` (the levels of its path must allow).
    struct ReqRcpAccount(u32, ProfileId, u32, bool, Sym);
    // [RCP] RCPs apply to resources of member accounts for the services that support them,
    // at every level of the resource account's path; they do not affect resources of the
    // management account, nor requests made by service-linked roles ("Resources and
    // entities not restricted by RCPs").
    ReqRcpAccount(r, c, a, same, acct) <- ReqRcp(r, c, a, same, acct), !ManagementAccount(acct),
        !ClassServiceLinked(c);

    // The request-side policies (each with its layer) are read in the matching rules below:
    // the RCPs of the resource's account, the resource's policy, a role's trust policy, the
    // endpoint policy.

    // ------------------------------------------------------------------- statement matching

    @output
    /// Statement `s` of policy `pol` applies to request `r` (by a caller of class `c`) in
    /// layer `l` with effect `e`.
    pub(crate) struct Matched(
        pub u32,
        pub ProfileId,
        pub bool,
        pub StmtId,
        pub PolicyId,
        pub Layer,
        pub Effect,
    );
    // The concrete matcher of `facts` decides action, resource, principal and conditions,
    // for each statement (of `pol`, in layer `l`, effect `e`) that can match the action of
    // `r` (action index): the caller side's from its class, the request side's from each
    // request-side policy. Each candidate is given or derived once (the selection lists
    // each (policy, layer) of a class once; an account's RCPs, a resource's policies and a
    // role's trust policies once each; the rules give different layers or policies), so
    // the matcher is asked once per candidate.
    Matched(r, c, same, s, pol, l, e) <- ReqClassStatement(r, c, same, s, pol, l, e),
        Env(o), (o.0.applies(r, s));
    // [RCP] the RCPs attached at the levels of the resource account's path.
    Matched(r, c, same, s, pol, Layer::Rcp, e) <- ReqRcpAccount(r, c, a, same, acct),
        AccountRcp(acct, pol), PolicyActionStatement(pol, a, s, e), Env(o),
        (o.0.applies(r, s));
    // [DENYALLOW] the resource-based policy of the resource.
    Matched(r, c, same, s, pol, Layer::Resource, e) <- ReqResource(r, c, a, same, x),
        ResourcePolicy(x, pol), PolicyActionStatement(pol, a, s, e), Env(o),
        (o.0.applies(r, s));
    // [TRUST] for sts:AssumeRole* the role's trust policy is the resource-based policy.
    Matched(r, c, same, s, pol, Layer::Resource, e) <- ReqAssumeRole(r, c, a, same, x),
        TrustPolicy(x, pol), PolicyActionStatement(pol, a, s, e), Env(o),
        (o.0.applies(r, s));
    // [VPCE] the endpoint policy of the VPC endpoint the request goes through.
    Matched(r, c, same, s, pol, Layer::VpcEndpoint, e) <- ReqVpcEndpoint(r, c, a, same, pol),
        PolicyActionStatement(pol, a, s, e), Env(o), (o.0.applies(r, s));

    // -------------------------------------------------------------------------- the decision

    @output
    /// An applicable Deny statement exists for `r`.
    pub(crate) struct ExplicitDeny(pub u32);
    // [DENYALLOW] "An explicit deny in any of these policies overrides the allow": every
    // layer's applicable Deny statement counts (identity, boundary, session, SCP, RCP,
    // resource, VPC endpoint). (The effect is tested, not looked up: a lookup by effect
    // alone would index every matched statement once more, for this rule only.)
    ExplicitDeny(r) <- Matched(r, _, _, _, _, _, e), (e == Effect::Deny), !NoPermissionReq(r);

    @output
    /// A rule of AWS outside every policy decides `r` (see `facts::aws_rules`).
    pub(crate) struct AwsRuleApplies(pub u32, pub AwsRule);
    // [OWNED] a customer's principal cannot change what AWS owns, whatever its policies
    // allow; the owning service changes it through its service-linked role, which is exempt.
    struct AwsOwnedDenies(u32);
    AwsOwnedDenies(r) <- AwsOwnedReq(r, c, _), !ClassServiceLinked(c);
    AwsRuleApplies(r, rule) <- AwsOwnedReq(r, c, k), !ClassServiceLinked(c),
        let rule = AwsRule::AwsOwned(k);
    // [NOPERM] no permission is required: allowed whatever the policies say.
    AwsRuleApplies(r, AwsRule::NoPermissionRequired) <- NoPermissionReq(r);

    // An SCP attached at every SCP level of the caller of `r` has an applicable Allow for
    // `r`: every level has one, and no level need be asked apart.
    struct ScpEveryLevelAllows(u32);
    ScpEveryLevelAllows(r) <- Matched(r, c, _, _, pol, Layer::Scp, Effect::Allow),
        ClassScpEverywhere(c, pol);
    // SCP level `n` has an applicable Allow for `r` (asked only when no SCP attached at
    // every level allows `r`).
    struct ScpLevelAllows(u32, Sym);
    // [SCP] the policies attached at one level are unioned: one Allow among them suffices.
    ScpLevelAllows(r, n) <- Matched(r, c, _, _, pol, Layer::Scp, Effect::Allow),
        !ScpEveryLevelAllows(r), ClassScpLevel(c, n), ScpAttachment(n, pol);
    // SCP level `n` of the caller of `r` has no applicable Allow for `r`.
    struct ScpLevelLacks(u32, Sym);
    ScpLevelLacks(r, n) <- Req(r, c, _, _), !ScpEveryLevelAllows(r), ClassScpLevel(c, n),
        !ScpLevelAllows(r, n);
    // Some SCP level lacks an Allow for `r`.
    struct ScpBlocks(u32);
    // [SCP] a level without an Allow denies (implicitly), whatever the other levels say.
    ScpBlocks(r) <- ScpLevelLacks(r, _);

    // An RCP attached at every RCP level of the resource's account has an applicable Allow
    // for `r`: every level has one.
    struct RcpEveryLevelAllows(u32);
    RcpEveryLevelAllows(r) <- Matched(r, _, _, _, pol, Layer::Rcp, Effect::Allow),
        ReqRcpAccount(r, _, _, _, acct), AccountRcpEverywhere(acct, pol);
    // RCP level `n` has an applicable Allow for `r` (asked only when no RCP attached at
    // every level allows `r`).
    struct RcpLevelAllows(u32, Sym);
    // [RCP] as for SCPs: one Allow per level, every level on the path.
    RcpLevelAllows(r, n) <- Matched(r, _, _, _, pol, Layer::Rcp, Effect::Allow),
        !RcpEveryLevelAllows(r), ReqRcpAccount(r, _, _, _, acct), RcpLevel(acct, n),
        RcpAttachment(n, pol);
    // RCP level `n` of the resource of `r` has no applicable Allow for `r`.
    struct RcpLevelLacks(u32, Sym);
    RcpLevelLacks(r, n) <- ReqRcpAccount(r, _, _, _, acct), !RcpEveryLevelAllows(r),
        RcpLevel(acct, n), !RcpLevelAllows(r, n);
    struct RcpBlocks(u32);
    RcpBlocks(r) <- RcpLevelLacks(r, _);

    // An applicable Allow in the boundary, the session policy, the endpoint policy of `r`.
    struct BoundaryAllows(u32);
    BoundaryAllows(r) <- Matched(r, _, _, _, _, Layer::Boundary, Effect::Allow);
    struct SessionAllows(u32);
    SessionAllows(r) <- Matched(r, _, _, _, _, Layer::Session, Effect::Allow);
    struct EndpointAllows(u32);
    EndpointAllows(r) <- Matched(r, _, _, _, _, Layer::VpcEndpoint, Effect::Allow);

    // Layer `l` is present for `r` but has no applicable Allow (boundary, session, endpoint).
    struct LayerBlocks(u32, Layer);
    // [BOUNDARY] "an entity's permissions boundary allows only the actions allowed by both its
    // identity-based policies and its boundary" — a boundary without an Allow denies.
    LayerBlocks(r, Layer::Boundary) <- Req(r, c, _, _), ClassHasLayer(c, Layer::Boundary),
        !BoundaryAllows(r);
    // [SESSION] the session's permissions are the intersection with the session policy.
    LayerBlocks(r, Layer::Session) <- Req(r, c, _, _), ClassHasLayer(c, Layer::Session),
        !SessionAllows(r);
    // [VPCE] a request through an endpoint must also be allowed by the endpoint policy.
    LayerBlocks(r, Layer::VpcEndpoint) <- ReqVpcEndpoint(r, _, _, _, _), !EndpointAllows(r);

    // The boundary or the session policy of `r` lacks an Allow.
    struct BoundaryOrSessionBlocks(u32);
    BoundaryOrSessionBlocks(r) <- LayerBlocks(r, Layer::Boundary);
    BoundaryOrSessionBlocks(r) <- LayerBlocks(r, Layer::Session);

    // A guardrail stops `r`: an explicit deny, an SCP or RCP level without an Allow, or the
    // VPC endpoint policy without an Allow.
    struct Blocked(u32);
    Blocked(r) <- ExplicitDeny(r);
    Blocked(r) <- ScpBlocks(r);
    Blocked(r) <- RcpBlocks(r);
    Blocked(r) <- LayerBlocks(r, Layer::VpcEndpoint);
    Blocked(r) <- AwsOwnedDenies(r);

    // An identity-based policy of the caller allows `r`.
    struct IdentityAllows(u32);
    IdentityAllows(r) <- Matched(r, _, _, _, _, Layer::Identity, Effect::Allow);
    // [DENYALLOW] "all requests are implicitly denied with the exception of the AWS account
    // root user, which has full access" (SCPs still apply to it in member accounts).
    IdentityAllows(r) <- Req(r, c, _, _), ClassKind(c, PrincipalKind::Root);

    // The caller's identity side (identity ∩ boundary ∩ session policy) allows `r`.
    struct IdentitySide(u32);
    IdentitySide(r) <- IdentityAllows(r), !BoundaryOrSessionBlocks(r);

    // The caller is not an IAM identity (anonymous, service, federated provider): AWS has
    // no identity-based policy to evaluate and only the resource policy can allow.
    struct NoIdentitySide(u32);
    NoIdentitySide(r) <- Req(r, c, _, _), ClassKind(c, k), (!k.has_identity_side());

    // A resource-policy Allow applies to `r`, naming the caller in manner `g`; `same`: the
    // caller is in the resource's account.
    struct Grant(u32, GrantKind, bool);
    Grant(r, g, same) <- Matched(r, _, same, s, _, Layer::Resource, Effect::Allow),
        !Restricted(r, s), Env(o), let g = o.0.grant_kind(r, s);

    @output
    /// Resource-policy Allow statement `s` applied to `r` but grants nothing: S3 Block Public
    /// Access restricts its public bucket policy.
    pub(crate) struct Restricted(pub u32, pub StmtId);
    // [BPA] "RestrictPublicBuckets ... restricts access to an access point or bucket with a
    // public policy to only AWS service principals and authorized users within the bucket
    // owner's account": every grant of a public policy is void for a caller outside the
    // owner's account (`same` is false) that is not a service principal.
    // (`same` is tested, not looked up, so that the rule reads the matched statements through
    // the index by layer and effect that the other rules read.)
    Restricted(r, s) <- Matched(r, c, same, s, pol, Layer::Resource, Effect::Allow), (!same),
        ReqRestrictedPolicy(r, pol), ClassKind(c, k), (k != PrincipalKind::Service);
    // Public policy `pol` of the resource of request `r`, from outside the resource's
    // account, is one that `RestrictPublicBuckets` restricts. (Joined from the few requests
    // on such a bucket, so that the rule above looks requests up among those alone.)
    struct ReqRestrictedPolicy(u32, PolicyId);
    ReqRestrictedPolicy(r, pol) <- ReqResource(r, _, _, same, x), (!same),
        RestrictedPublicPolicy(x, pol);
    struct ResourceAllows(u32);
    ResourceAllows(r) <- Grant(r, _, _);

    // The resource policy must allow `r` (an identity-based allow alone is not enough).
    struct ResourceRequired(u32);
    // [CROSS] across accounts both the identity side and the resource policy must allow;
    // anonymous and service callers have no account of their own.
    ResourceRequired(r) <- CrossAccount(r);
    // [KMS] "Unless the key policy explicitly allows it, you cannot use IAM policies to
    // allow access to a KMS key": the key policy must allow, directly or by trusting the
    // account (then identity policies count).
    ResourceRequired(r) <- ReqResource(r, _, _, _, x), ResourceKindOf(x, ResourceKind::KmsKey);
    // [TRUST] a role can only be assumed when its trust policy allows the caller.
    ResourceRequired(r) <- ReqAssumeRole(r, _, _, _, x),
        ResourceKindOf(x, ResourceKind::IamRole);

    @output
    /// Request `r` is allowed.
    pub(crate) struct Allowed(pub u32);
    // [SINGLE] "If either the identity-based policy or the resource-based policy within the
    // same account allows the request and the other doesn't, the request is still allowed"
    // — the identity side, within its boundary and session policy.
    Allowed(r) <- IdentitySide(r), !ResourceRequired(r), !Blocked(r);
    // [DENYALLOW] same account: a resource-based policy that grants to the IAM user ARN or to
    // the role session ARN is not limited by an implicit deny in identity-based policies,
    // the boundary or the session policy.
    Allowed(r) <- Grant(r, GrantKind::Unbounded, true), !Blocked(r);
    // [DENYALLOW] same account: a grant to the role ARN is limited by an implicit deny in the
    // role's permissions boundary or the session policy (no identity allow is needed).
    Allowed(r) <- Grant(r, GrantKind::Bounded, true), !BoundaryOrSessionBlocks(r), !Blocked(r);
    // [CROSS]/[KMS]/[TRUST]/[PRINCIPAL] both sides: the resource policy allows (naming the
    // caller or its account) and the caller's identity side allows.
    Allowed(r) <- IdentitySide(r), ResourceAllows(r), !Blocked(r);
    // [PRINCIPAL] anonymous ("Principal": "*") and service principals: the resource-based
    // policy alone decides.
    Allowed(r) <- ResourceAllows(r), NoIdentitySide(r), !Blocked(r);
    // [NOPERM] an action that needs no permission.
    Allowed(r) <- NoPermissionReq(r);

    @output
    /// For an implicit deny of `r`: layer `l` lacked an Allow.
    pub(crate) struct Missing(pub u32, pub Layer);
    Missing(r, Layer::Scp) <- ScpBlocks(r);
    Missing(r, Layer::Rcp) <- RcpBlocks(r);
    Missing(r, l) <- LayerBlocks(r, l);
    Missing(r, Layer::Identity) <- Req(r, c, _, _), ClassKind(c, k), (k.has_identity_side()),
        !IdentityAllows(r);
    Missing(r, Layer::Resource) <- ResourceRequired(r), !ResourceAllows(r);

    @output
    /// For an implicit deny of `r`: the SCP or RCP level (root, OU or account node `n`) in
    /// layer `l` that lacked an Allow.
    pub(crate) struct MissingLevel(pub u32, pub Layer, pub Sym);
    MissingLevel(r, Layer::Scp, n) <- ScpLevelLacks(r, n);
    MissingLevel(r, Layer::Rcp, n) <- RcpLevelLacks(r, n);
}

/// The output relations of one run.
pub(crate) struct Outputs {
    pub matched: Vec<Matched>,
    pub denies: Vec<ExplicitDeny>,
    pub allowed: Vec<Allowed>,
    pub missing: Vec<Missing>,
    pub missing_levels: Vec<MissingLevel>,
    pub aws_rules: Vec<AwsRuleApplies>,
    pub restricted: Vec<Restricted>,
}

/// Run the decision program over `batch` and the rows of `tables` it reaches. `statements`
/// holds, per statement, what matching it reads of a request ([`Reads`]) and its prepared
/// matcher (made on first need).
pub(crate) fn run(
    tables: &FactTables,
    index: &crate::select::FactIndex,
    memo: &crate::action_index::ActionMemo,
    statements: (&[Reads], &[OnceLock<PreparedStatement>]),
    batch: &[BatchRequest],
    actions: (&crate::input::Actions, &[u32]),
    callers: &crate::input::Callers<'_>,
) -> Outputs {
    let (reads, prepared) = statements;
    let oracle = Oracle {
        tables,
        index,
        batch,
        reads,
        prepared,
        full: (0..batch.len())
            .map(|_| std::cell::OnceCell::new())
            .collect(),
    };
    let mut rt = Crepe::new();
    let (actions, ids) = actions;
    crate::input::load(
        &mut rt, tables, index, memo, batch, actions, ids, callers, &oracle,
    );
    // crepe returns the outputs in the order the program declares them.
    let (matched, denies, aws_rules, restricted, allowed, missing, missing_levels) =
        rt.run_with_hasher::<crate::hash::FxBuildHasher>();
    Outputs {
        matched: matched.into_iter().collect(),
        denies: denies.into_iter().collect(),
        allowed: allowed.into_iter().collect(),
        missing: missing.into_iter().collect(),
        missing_levels: missing_levels.into_iter().collect(),
        aws_rules: aws_rules.into_iter().collect(),
        restricted: restricted.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use facts::request::Context;
    use facts::tables::TablesBuilder;
    use std::sync::Arc;

    /// A statement that reads nothing of a request (no condition, any principal, a resource
    /// element listing `*` or none) applies, by the full matcher, to every request its
    /// action matches — whoever calls, whatever the resource — so the oracle may answer
    /// without reading it; and every other form is read.
    #[test]
    fn statements_that_read_nothing_apply_to_every_request() {
        let docs = [
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
                Reads::Nothing,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":["arn:aws:s3:::x","*"]}]}"#,
                Reads::Nothing,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
                Reads::Nothing,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
                Reads::Nothing,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]}"#,
                Reads::Request,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}"#,
                Reads::Request,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}]}"#,
                Reads::Request,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::x/*"}]}"#,
                Reads::Request,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotResource":"*"}]}"#,
                Reads::Request,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
                Reads::Context,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*"}]}"#,
                Reads::Context,
            ),
        ];
        let mut b = TablesBuilder::new();
        for (i, (text, _)) in docs.iter().enumerate() {
            let doc = facts::parse::parse_policy(text).expect("a valid policy");
            b.policy(&format!("p{i}"), Arc::new(doc));
        }
        let tables = b.finish();
        let reads = statement_reads(&tables);
        assert_eq!(
            reads,
            docs.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
            "one statement per policy, classified"
        );
        let callers = [
            RequestPrincipal::Aws {
                arn: "arn:aws:iam::111122223333:user/alice".into(),
            },
            RequestPrincipal::Aws {
                arn: "arn:aws:sts::111122223333:assumed-role/r/s".into(),
            },
            RequestPrincipal::Anonymous,
            RequestPrincipal::Service {
                name: "lambda.amazonaws.com".into(),
            },
        ];
        let resources = [
            "*",
            "",
            "arn:aws:s3:::x",
            "arn:aws:s3:::y/k/${x}",
            "not an arn",
        ];
        let mut asked = 0;
        for (s, r) in reads.iter().enumerate() {
            let (policy, stmt) = tables.statement(s as StmtId).expect("a statement");
            let prepared = PreparedStatement::new(policy, stmt);
            for caller in &callers {
                for resource in resources {
                    let action = match &stmt.action {
                        facts::policy::ActionClause::Action(a) => a[0].0.replace('*', "GetObject"),
                        facts::policy::ActionClause::NotAction(_) => "s3:GetObject".into(),
                    };
                    let req = Request {
                        principal: caller.clone(),
                        action,
                        resource: resource.to_string(),
                        context: Context::new(),
                    };
                    let applies = prepared.applies_given_action(stmt, &req);
                    if *r == Reads::Nothing {
                        assert!(applies, "statement {s} on {req:?}");
                        asked += 1;
                    }
                }
            }
        }
        assert_eq!(asked, 4 * callers.len() * resources.len());
    }
}
