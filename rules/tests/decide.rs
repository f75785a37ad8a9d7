//! Decision-program tests that need no policy matching: requests whose layers have no
//! policies (or none for the action), so the outcome comes from the Datalog rules alone —
//! the root user's implicit access, SCP/RCP levels that lack an Allow, exemptions, and the
//! cases where only a resource policy could allow. Tests with policies that match run
//! end to end in `tests/simulate.rs` and `tests/example_org.rs`.

use facts::account::OrgPolicyKind;
use facts::request::{Request, RequestPrincipal};
use facts::tables::{FactTables, Layer, PrincipalKind, ResourceKind, Sym, TablesBuilder};
use rules::{BatchRequest, Engine, Outcome};

const ROOT: &str = "arn:aws:iam::111122223333:root";
const USER: &str = "arn:aws:iam::111122223333:user/alice";

fn req(p: Sym, arn: &str, action: &str, owner: Option<&str>) -> BatchRequest {
    BatchRequest {
        principal: p,
        resource: None,
        resource_account: None,
        resource_account_id: owner.map(str::to_string),
        vpc_endpoint_policy: None,
        shared_context: None,
        request: Request {
            principal: if arn == "*" {
                RequestPrincipal::Anonymous
            } else {
                RequestPrincipal::Aws {
                    arn: arn.to_string(),
                }
            },
            action: action.to_string(),
            resource: "*".to_string(),
            context: Default::default(),
        },
    }
}

fn basic() -> (TablesBuilder, Sym, Sym, Sym) {
    let mut b = TablesBuilder::new();
    let acct = b.account("111122223333");
    let root = b.principal(ROOT, ROOT, PrincipalKind::Root, Some(acct));
    let user = b.principal(USER, USER, PrincipalKind::User, Some(acct));
    (b, acct, root, user)
}

fn decide(t: &FactTables, batch: &[BatchRequest]) -> Vec<(Outcome, Vec<Layer>)> {
    Engine::new(t)
        .decide(batch)
        .into_iter()
        .map(|d| (d.outcome, d.missing))
        .collect()
}

#[test]
fn root_user_is_allowed_and_decisions_keep_batch_order_across_runs() {
    // IAM User Guide, "How AWS enforcement code logic evaluates requests": all requests are
    // implicitly denied except the account root user's. 10,000 requests span several runs.
    let (b, _, root, user) = basic();
    let t = b.finish();
    let batch: Vec<_> = (0..10_000)
        .map(|i| {
            if i % 3 == 0 {
                req(root, ROOT, "s3:GetObject", None)
            } else {
                req(user, USER, "s3:GetObject", None)
            }
        })
        .collect();
    let got = decide(&t, &batch);
    assert_eq!(got.len(), 10_000);
    for (i, (o, missing)) in got.iter().enumerate() {
        if i % 3 == 0 {
            assert_eq!(*o, Outcome::Allowed, "request {i}");
            assert!(missing.is_empty());
        } else {
            assert_eq!(*o, Outcome::ImplicitDeny, "request {i}");
            assert_eq!(missing, &[Layer::Identity]);
        }
    }
}

#[test]
fn scp_level_without_allow_blocks_member_account_but_not_management_account() {
    // Organizations, "SCP evaluation": every level needs an Allow; SCPs do not affect the
    // management account.
    let (mut b, acct, root, _) = basic();
    b.org_level(OrgPolicyKind::Scp, acct, 0, "org:r-1", &[]);
    let other = b.account("444455556666");
    let other_root = "arn:aws:iam::444455556666:root";
    let r2 = b.principal(other_root, other_root, PrincipalKind::Root, Some(other));
    b.org_level(OrgPolicyKind::Scp, other, 0, "org:r-1", &[]);
    b.management_account(other);
    let t = b.finish();
    let got = decide(
        &t,
        &[
            req(root, ROOT, "ec2:RunInstances", None),
            req(r2, other_root, "ec2:RunInstances", None),
        ],
    );
    assert_eq!(got[0], (Outcome::ImplicitDeny, vec![Layer::Scp]));
    assert_eq!(got[1], (Outcome::Allowed, vec![]));
}

#[test]
fn rcp_level_without_allow_blocks_supported_services_only() {
    // Organizations, "Resource control policies": RCPs apply to the services that support
    // them (S3 does, EC2 does not) and not to resources of the management account.
    let (mut b, acct, root, _) = basic();
    b.org_level(OrgPolicyKind::Rcp, acct, 0, "org:r-1", &[]);
    let mgmt = b.account("999999999999");
    b.org_level(OrgPolicyKind::Rcp, mgmt, 0, "org:r-1", &[]);
    b.management_account(mgmt);
    let t = b.finish();
    let with_owner = |action: &str, owner: Sym| {
        let mut r = req(root, ROOT, action, None);
        r.resource_account = Some(owner);
        r
    };
    let got = decide(
        &t,
        &[
            with_owner("s3:GetObject", acct),
            with_owner("ec2:RunInstances", acct),
        ],
    );
    assert_eq!(got[0], (Outcome::ImplicitDeny, vec![Layer::Rcp]));
    assert_eq!(got[1], (Outcome::Allowed, vec![]));
    // A management-account resource (another account: cross-account, so the missing
    // resource policy is what denies, not the RCP).
    let mut r = req(root, ROOT, "s3:GetObject", Some("999999999999"));
    r.resource_account = Some(mgmt);
    assert_eq!(
        decide(&t, &[r])[0],
        (Outcome::ImplicitDeny, vec![Layer::Resource])
    );
}

#[test]
fn cross_account_and_anonymous_requests_need_a_resource_policy() {
    // "Cross-account policy evaluation logic": the resource policy must allow too; an
    // anonymous caller can only be allowed by a resource policy.
    let (mut b, _, root, _) = basic();
    let anon = b.principal("*", "*", PrincipalKind::Anonymous, None);
    let svc = b.principal(
        "lambda.amazonaws.com",
        "lambda.amazonaws.com",
        PrincipalKind::Service,
        None,
    );
    let t = b.finish();
    let got = decide(
        &t,
        &[
            req(root, ROOT, "s3:GetObject", Some("444455556666")),
            req(anon, "*", "s3:GetObject", None),
            req(svc, "lambda.amazonaws.com", "sqs:SendMessage", None),
        ],
    );
    assert_eq!(got[0], (Outcome::ImplicitDeny, vec![Layer::Resource]));
    assert_eq!(got[1], (Outcome::ImplicitDeny, vec![Layer::Resource]));
    assert_eq!(got[2], (Outcome::ImplicitDeny, vec![Layer::Resource]));
}

#[test]
fn kms_key_and_role_trust_need_their_resource_policy_even_in_the_same_account() {
    // KMS "Key policies": without a key policy allowing, IAM policies grant nothing.
    // IAM roles: a role is assumed only when its trust policy allows.
    let (mut b, acct, root, _) = basic();
    let key = "arn:aws:kms:eu-west-1:111122223333:key/k1";
    let k = b.resource(key, key, Some(acct), ResourceKind::KmsKey);
    let role = "arn:aws:iam::111122223333:role/R";
    let r = b.resource(role, role, Some(acct), ResourceKind::IamRole);
    let t = b.finish();
    let mut kms = req(root, ROOT, "kms:Decrypt", None);
    kms.resource = Some(k);
    let mut assume = req(root, ROOT, "sts:AssumeRole", None);
    assume.resource = Some(r);
    let mut get_role = req(root, ROOT, "iam:GetRole", None);
    get_role.resource = Some(r);
    let got = decide(&t, &[kms, assume, get_role]);
    assert_eq!(got[0], (Outcome::ImplicitDeny, vec![Layer::Resource]));
    assert_eq!(got[1], (Outcome::ImplicitDeny, vec![Layer::Resource]));
    // The trust policy is only the resource policy of sts:AssumeRole*.
    assert_eq!(got[2], (Outcome::Allowed, vec![]));
}

#[test]
fn shared_context_is_merged_under_the_request_context_for_conditions() {
    // IAM User Guide, "Condition": conditions read the request context. The keys AWS fills
    // (shared by requests of one caller) apply unless the request gives the key itself.
    use facts::request::{Context, ContextValue};
    use std::sync::Arc;
    let (mut b, _, _, user) = basic();
    let doc = facts::parse::parse_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "data"}}}]}"#,
    )
    .unwrap();
    let pol = b.policy("tagged", Arc::new(doc));
    b.attach_identity(USER, pol);
    let t = b.finish();
    let mut shared = Context::new();
    shared.insert("aws:PrincipalTag/team", ContextValue::Single("data".into()));
    let shared = Arc::new(shared);
    let mut plain = req(user, USER, "s3:GetObject", None);
    plain.shared_context = Some(shared.clone());
    let mut overridden = plain.clone();
    overridden
        .request
        .context
        .insert("aws:PrincipalTag/team", ContextValue::Single("web".into()));
    let without = req(user, USER, "s3:GetObject", None);
    let got = decide(&t, &[plain, overridden, without]);
    assert_eq!(got[0].0, Outcome::Allowed);
    assert_eq!(got[1].0, Outcome::ImplicitDeny);
    assert_eq!(got[2].0, Outcome::ImplicitDeny);
}

#[test]
fn a_shared_index_serves_tables_extended_with_principals_and_is_rebuilt_otherwise() {
    // IAM User Guide, "Temporary security credentials": a role session has the permissions
    // of its role's identity-based policies. The index built before the session was added
    // still serves (only principals were added); after a policy is attached it no longer
    // fits, and the engine indexes the new tables itself, so the new policy counts.
    use rules::Index;
    use std::sync::Arc;
    const ROLE: &str = "arn:aws:iam::111122223333:role/app";
    const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/s1";
    let (mut b, acct, _, user) = basic();
    let role = b.principal(ROLE, ROLE, PrincipalKind::Role, Some(acct));
    let doc = facts::parse::parse_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let pol = b.policy("app", Arc::new(doc.clone()));
    b.attach_identity(ROLE, pol);
    let base = b.finish();
    let index = Index::new(&base);

    let mut b = TablesBuilder::from_tables(base.clone());
    let session = b.principal(SESSION, SESSION, PrincipalKind::Session, Some(acct));
    b.session_of(session, role);
    let with_session = b.finish();
    assert!(index.fits(&with_session));
    let got = Engine::with_index(&with_session, &index).decide(&[
        req(session, SESSION, "s3:GetObject", None),
        req(user, USER, "s3:GetObject", None),
    ]);
    assert_eq!(got[0].outcome, Outcome::Allowed);
    assert_eq!(got[1].outcome, Outcome::ImplicitDeny);

    let mut b = TablesBuilder::from_tables(base);
    let pol = b.policy("alice", Arc::new(doc));
    b.attach_identity(USER, pol);
    let with_policy = b.finish();
    assert!(!index.fits(&with_policy));
    let got =
        Engine::with_index(&with_policy, &index).decide(&[req(user, USER, "s3:GetObject", None)]);
    assert_eq!(got[0].outcome, Outcome::Allowed);
}

#[test]
fn threads_deciding_at_once_give_each_session_its_roles_decision() {
    // IAM User Guide, "Temporary security credentials": a role session has the permissions
    // of its role. Two threads decide batches of new sessions on one engine at once, as
    // `simulate` does on two cores: each run adds its sessions' profiles, then decides
    // without holding the lock on them. Every session still gets its own role's decision.
    use std::sync::Arc;
    const READER: &str = "arn:aws:iam::111122223333:role/reader";
    const OTHER: &str = "arn:aws:iam::111122223333:role/other";
    let (mut b, acct, _, _) = basic();
    let reader = b.principal(READER, READER, PrincipalKind::Role, Some(acct));
    let other = b.principal(OTHER, OTHER, PrincipalKind::Role, Some(acct));
    let doc = facts::parse::parse_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    )
    .unwrap();
    let pol = b.policy("reader", Arc::new(doc));
    b.attach_identity(READER, pol);
    let base = b.finish();
    let index = rules::Index::new(&base);
    // Each thread's batch spans two runs and more, every request from a new session.
    let mut b = TablesBuilder::from_tables(base);
    let mut batches: [Vec<BatchRequest>; 2] = [Vec::new(), Vec::new()];
    let mut want: [Vec<Outcome>; 2] = [Vec::new(), Vec::new()];
    for i in 0..2 * (2 * Engine::RUN_SIZE + 100) {
        let (role, name, outcome) = if i % 3 == 0 {
            (reader, "reader", Outcome::Allowed)
        } else {
            (other, "other", Outcome::ImplicitDeny)
        };
        let arn = format!("arn:aws:sts::111122223333:assumed-role/{name}/s{i}");
        let session = b.principal(&arn, &arn, PrincipalKind::Session, Some(acct));
        b.session_of(session, role);
        batches[i % 2].push(req(session, &arn, "s3:GetObject", None));
        want[i % 2].push(outcome);
    }
    let tables = b.finish();
    let engine = Engine::with_index(&tables, &index);
    let got: Vec<Vec<Outcome>> = std::thread::scope(|s| {
        let threads: Vec<_> = batches
            .iter()
            .map(|batch| {
                let engine = &engine;
                s.spawn(move || {
                    engine
                        .decide(batch)
                        .into_iter()
                        .map(|d| d.outcome)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a deciding thread"))
            .collect()
    });
    assert_eq!(got[0], want[0]);
    assert_eq!(got[1], want[1]);
}
