//! Statement matching: actions, resources, principals, conditions together, with cases from
//! the AWS IAM User Guide element pages ("Action", "NotAction", "Resource", "NotResource",
//! "Principal", "NotPrincipal", "Condition") and "Variables and tags".

use super::*;
use crate::parse::parse_policy;
use crate::request::ContextValue;

fn policy(json: &str) -> Policy {
    parse_policy(json).unwrap_or_else(|e| panic!("{e}"))
}

fn req(action: &str, resource: &str) -> Request {
    Request {
        principal: RequestPrincipal::Aws {
            arn: "arn:aws:iam::111122223333:user/alice".to_string(),
        },
        action: action.to_string(),
        resource: resource.to_string(),
        context: Context::new(),
    }
}

fn applies(p: &Policy, r: &Request) -> bool {
    p.statements
        .first()
        .is_some_and(|s| statement_applies(p, s, r))
}

#[test]
fn action_names_are_case_insensitive_globs() {
    // Action element: "action names are not case-sensitive"; wildcards allowed.
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","iam:ListUsers"],"Resource":"*"}}"#,
    );
    assert!(applies(&p, &req("s3:GetObject", "arn:aws:s3:::b/k")));
    assert!(applies(&p, &req("S3:getobject", "arn:aws:s3:::b/k")));
    assert!(applies(&p, &req("IAM:listusers", "*")));
    assert!(!applies(&p, &req("s3:PutObject", "arn:aws:s3:::b/k")));
}

#[test]
fn not_action_matches_everything_else() {
    // NotAction doc example: "NotAction": "iam:*" with "Resource": "*".
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#,
    );
    assert!(applies(&p, &req("s3:GetObject", "arn:aws:s3:::b")));
    assert!(!applies(
        &p,
        &req("iam:CreateUser", "arn:aws:iam::111122223333:user/x")
    ));
}

#[test]
fn resource_globs_are_case_sensitive_and_not_resource_inverts() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}}"#,
    );
    assert!(applies(
        &p,
        &req("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/a/b")
    ));
    assert!(!applies(
        &p,
        &req("s3:GetObject", "arn:aws:s3:::AMZN-S3-DEMO-BUCKET/a")
    ));
    assert!(!applies(
        &p,
        &req("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket")
    ));
    // NotResource doc example: everything except one bucket.
    let n = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}"#,
    );
    assert!(applies(&n, &req("s3:GetObject", "arn:aws:s3:::Other/x")));
    assert!(!applies(
        &n,
        &req("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x")
    ));
}

#[test]
fn resource_variables_follow_the_policy_version() {
    // Variables and tags: "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*".
    let doc = |v: &str| {
        format!(
            r#"{{{v}"Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${{aws:username}}/*"}}}}"#
        )
    };
    let mut r = req("s3:GetObject", "arn:aws:s3:::b/home/alice/x");
    r.context
        .insert("aws:username", ContextValue::Single("alice".to_string()));
    let v2012 = policy(&doc(r#""Version":"2012-10-17","#));
    assert!(applies(&v2012, &r));
    let mut bob = r.clone();
    bob.context
        .insert("aws:username", ContextValue::Single("bob".to_string()));
    assert!(!applies(&v2012, &bob));
    // No username in the request: the variable cannot resolve, nothing matches.
    let anon = req("s3:GetObject", "arn:aws:s3:::b/home/alice/x");
    assert!(!applies(&v2012, &anon));
    // 2008-10-17 (and no Version at all): `${...}` is literal text.
    let v2008 = policy(&doc(""));
    assert!(!applies(&v2008, &r));
    let literal = req("s3:GetObject", "arn:aws:s3:::b/home/${aws:username}/x");
    assert!(applies(&v2008, &literal));
}

#[test]
fn all_conditions_must_hold() {
    // Condition element: several operators and several keys are ANDed.
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"111122223333"}}}}"#,
    );
    let mut r = req("s3:GetObject", "*");
    for (k, v) in [
        ("aws:SecureTransport", "true"),
        ("aws:SourceIp", "10.1.1.1"),
        ("aws:username", "alice"),
        ("aws:PrincipalAccount", "111122223333"),
    ] {
        r.context.insert(k, ContextValue::Single(v.to_string()));
    }
    assert!(applies(&p, &r));
    let mut wrong = r.clone();
    wrong.context.insert(
        "aws:PrincipalAccount",
        ContextValue::Single("1".to_string()),
    );
    assert!(!applies(&p, &wrong));
    let mut http = r.clone();
    http.context.insert(
        "aws:SecureTransport",
        ContextValue::Single("false".to_string()),
    );
    assert!(!applies(&p, &http));
}

fn caller_aws(arn: &str) -> RequestPrincipal {
    RequestPrincipal::Aws {
        arn: arn.to_string(),
    }
}

fn principal_applies(principal_json: &str, caller: RequestPrincipal) -> bool {
    let p = policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{principal_json},"Action":"sts:AssumeRole"}}}}"#
    ));
    let mut r = req("sts:AssumeRole", "arn:aws:iam::111122223333:role/R");
    r.principal = caller;
    applies(&p, &r)
}

#[test]
fn principal_star_and_aws_star_match_everyone_including_anonymous() {
    // Principal element, "All principals": "Principal": "*" and {"AWS": "*"}.
    for p in [r#""*""#, r#"{"AWS":"*"}"#] {
        assert!(principal_applies(p, RequestPrincipal::Anonymous), "{p}");
        assert!(principal_applies(
            p,
            caller_aws("arn:aws:iam::444455556666:user/x")
        ));
        assert!(principal_applies(
            p,
            RequestPrincipal::Service {
                name: "lambda.amazonaws.com".to_string()
            }
        ));
    }
}

#[test]
fn account_principals_match_every_identity_of_the_account() {
    // Principal element, "AWS account principals": account id or root ARN.
    for p in [
        r#"{"AWS":"111122223333"}"#,
        r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    ] {
        assert!(principal_applies(
            p,
            caller_aws("arn:aws:iam::111122223333:user/alice")
        ));
        assert!(principal_applies(
            p,
            caller_aws("arn:aws:iam::111122223333:root")
        ));
        assert!(principal_applies(
            p,
            caller_aws("arn:aws:sts::111122223333:assumed-role/R/s")
        ));
        assert!(!principal_applies(
            p,
            caller_aws("arn:aws:iam::444455556666:user/alice")
        ));
        assert!(!principal_applies(p, RequestPrincipal::Anonymous));
    }
}

#[test]
fn role_principals_match_the_role_and_its_sessions() {
    // Principal element, "IAM role principals" and "Role session principals".
    let role = r#"{"AWS":"arn:aws:iam::111122223333:role/path/Admin"}"#;
    assert!(principal_applies(
        role,
        caller_aws("arn:aws:iam::111122223333:role/path/Admin")
    ));
    assert!(principal_applies(
        role,
        caller_aws("arn:aws:sts::111122223333:assumed-role/Admin/session-1")
    ));
    assert!(!principal_applies(
        role,
        caller_aws("arn:aws:sts::111122223333:assumed-role/Other/session-1")
    ));
    assert!(!principal_applies(
        role,
        caller_aws("arn:aws:sts::444455556666:assumed-role/Admin/session-1")
    ));
    let session = r#"{"AWS":"arn:aws:sts::111122223333:assumed-role/Admin/s1"}"#;
    assert!(principal_applies(
        session,
        caller_aws("arn:aws:sts::111122223333:assumed-role/Admin/s1")
    ));
    assert!(!principal_applies(
        session,
        caller_aws("arn:aws:sts::111122223333:assumed-role/Admin/s2")
    ));
    let user = r#"{"AWS":["arn:aws:iam::111122223333:user/alice"]}"#;
    assert!(principal_applies(
        user,
        caller_aws("arn:aws:iam::111122223333:user/alice")
    ));
    assert!(!principal_applies(
        user,
        caller_aws("arn:aws:iam::111122223333:user/bob")
    ));
}

#[test]
fn service_federated_and_canonical_user_principals() {
    let svc = r#"{"Service":["ec2.amazonaws.com","lambda.amazonaws.com"]}"#;
    let lambda = RequestPrincipal::Service {
        name: "lambda.amazonaws.com".to_string(),
    };
    assert!(principal_applies(svc, lambda.clone()));
    assert!(!principal_applies(
        svc,
        RequestPrincipal::Service {
            name: "s3.amazonaws.com".to_string()
        }
    ));
    assert!(!principal_applies(
        svc,
        caller_aws("arn:aws:iam::111122223333:root")
    ));
    let fed = r#"{"Federated":"cognito-identity.amazonaws.com"}"#;
    assert!(principal_applies(
        fed,
        RequestPrincipal::Federated {
            provider: "cognito-identity.amazonaws.com".to_string()
        }
    ));
    assert!(!principal_applies(fed, lambda));
    let cu = r#"{"CanonicalUser":"79a59df900b949e55d96a1e698fbaced"}"#;
    assert!(principal_applies(
        cu,
        RequestPrincipal::CanonicalUser {
            id: "79a59df900b949e55d96a1e698fbaced".to_string()
        }
    ));
}

#[test]
fn not_principal_exempts_only_callers_whose_every_level_is_listed() {
    // IAM User Guide, "AWS JSON policy elements: NotPrincipal": AWS checks the account, then
    // the user (or the role, then the session); each level must be listed to be exempt.
    let deny = |entries: &str| {
        policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Deny","NotPrincipal":{{"AWS":{entries}}},"Action":"s3:*","Resource":"*"}}}}"#
        ))
    };
    let mut r = req("s3:GetObject", "arn:aws:s3:::b");
    let alice = "arn:aws:iam::111122223333:user/alice";
    // The user alone, without its account: alice is still denied.
    let p = deny(r#""arn:aws:iam::111122223333:user/alice""#);
    r.principal = caller_aws(alice);
    assert!(applies(&p, &r));
    // Account and user: alice is exempt, bob and anonymous callers are not.
    let p = deny(r#"["arn:aws:iam::111122223333:user/alice","111122223333"]"#);
    assert!(!applies(&p, &r));
    r.principal = caller_aws("arn:aws:iam::111122223333:user/bob");
    assert!(applies(&p, &r));
    r.principal = RequestPrincipal::Anonymous;
    assert!(applies(&p, &r));
    // The account alone exempts its root, not its users.
    let p = deny(r#""arn:aws:iam::111122223333:root""#);
    r.principal = caller_aws("arn:aws:iam::111122223333:root");
    assert!(!applies(&p, &r));
    r.principal = caller_aws(alice);
    assert!(applies(&p, &r));
    // A role session needs account, role and session listed.
    let session = "arn:aws:sts::111122223333:assumed-role/Admin/s1";
    r.principal = caller_aws(session);
    let p = deny(r#"["111122223333","arn:aws:iam::111122223333:role/ops/Admin"]"#);
    assert!(applies(&p, &r));
    let p = deny(
        r#"["111122223333","arn:aws:iam::111122223333:role/ops/Admin","arn:aws:sts::111122223333:assumed-role/Admin/s1"]"#,
    );
    assert!(!applies(&p, &r));
}

#[test]
fn evaluate_policy_sorts_applying_statements_by_effect() {
    let p = policy(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:Delete*","Resource":"*"},
        {"Effect":"Allow","Action":"ec2:*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}
    ]}"#,
    );
    let m = evaluate_policy(&p, &req("s3:DeleteObject", "arn:aws:s3:::b/k"));
    assert_eq!(m.allows, vec![0]);
    assert_eq!(m.denies, vec![1]);
    let m = evaluate_policy(&p, &req("ec2:RunInstances", "*"));
    assert_eq!(
        m,
        PolicyMatch {
            allows: vec![2],
            denies: vec![]
        }
    );
}
