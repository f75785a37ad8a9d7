//! Reading S3 Block Public Access, bucket ACLs and Object Ownership (docs/inputs.md, "S3
//! Block Public Access, ACLs and Object Ownership") and compiling them into fact tables.

mod common;

use common::{assert_each_load_fails_naming_file_and_path, write};

use facts::account::{self, AccountId, AclGrantee, AclPermission, ObjectOwnership, WarningKind};
use facts::tables::FactTables;

const C_A: &str = "caaaa";
const C_B: &str = "cbbbb";

#[test]
fn resources_json_members_take_the_output_or_the_object_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "resources.json",
        &format!(
            r#"[
            {{"arn": "arn:aws:s3:::a", "account": "111111111111",
              "publicAccessBlock": {{"IgnorePublicAcls": true}},
              "acl": {{"Owner": {{"ID": "{C_A}"}}, "Grants": [
                 {{"Grantee": {{"Type": "CanonicalUser", "ID": "{C_B}"}}, "Permission": "READ"}},
                 {{"Grantee": {{"Type": "AmazonCustomerByEmail", "EmailAddress": "x@example.com"}}, "Permission": "READ"}}]}},
              "ownershipControls": {{"OwnershipControls": {{"Rules": [{{"ObjectOwnership": "BucketOwnerPreferred"}}]}}}}}},
            {{"arn": "arn:aws:s3:::b.with.dots", "account": "222222222222",
              "publicAccessBlock": {{"PublicAccessBlockConfiguration": {{"RestrictPublicBuckets": true}}}},
              "acl": {{"Owner": {{"ID": "{C_B}"}}, "Grants": []}},
              "ownershipControls": {{"Rules": [{{"ObjectOwnership": "BucketOwnerEnforced"}}]}}}}
        ]"#
        ),
    );
    write(
        dir.path(),
        "s3-account-public-access-block.111111111111.json",
        r#"{"PublicAccessBlockConfiguration": {"BlockPublicPolicy": true}}"#,
    );
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    let a = &m.s3_buckets["arn:aws:s3:::a"];
    let bpa = a.public_access_block.as_ref().unwrap();
    assert!(bpa.ignore_public_acls && !bpa.restrict_public_buckets);
    assert_eq!(a.ownership, Some(ObjectOwnership::BucketOwnerPreferred));
    let acl = a.acl.as_ref().unwrap();
    // The canonical id of account 222222222222 comes from the owner of bucket b's ACL.
    assert_eq!(
        acl.grants[0].grantee,
        AclGrantee::Account {
            canonical_id: C_B.into(),
            account: AccountId::parse("222222222222"),
        }
    );
    assert_eq!(acl.grants[0].permission, AclPermission::Read);
    assert!(m
        .warnings
        .iter()
        .any(|w| matches!(&w.kind, WarningKind::AclEmailGrantee { address } if address == "x@example.com")));
    let b = &m.s3_buckets["arn:aws:s3:::b.with.dots"];
    assert!(
        b.public_access_block
            .as_ref()
            .unwrap()
            .restrict_public_buckets
    );
    assert_eq!(b.ownership, Some(ObjectOwnership::BucketOwnerEnforced));
    let acct = &m.s3_account_blocks[&AccountId::parse("111111111111").unwrap()];
    assert!(acct.block_public_policy && !acct.ignore_public_acls);
}

#[test]
fn raw_outputs_are_named_by_their_file_and_merge_with_resources_json() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "resources.json",
        r#"[{"arn": "arn:aws:s3:::my.site", "account": "111111111111",
             "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my.site/*"}]}}]"#,
    );
    write(
        dir.path(),
        "s3-bucket-public-access-block.my.site.json",
        r#"{"PublicAccessBlockConfiguration": {"RestrictPublicBuckets": true, "IgnorePublicAcls": false}}"#,
    );
    write(
        dir.path(),
        "s3-bucket-acl.my.site.json",
        &format!(
            r#"{{"Owner": {{"ID": "{C_A}"}}, "Grants": [
               {{"Grantee": {{"Type": "CanonicalUser", "ID": "{C_A}"}}, "Permission": "FULL_CONTROL"}},
               {{"Grantee": {{"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"}}, "Permission": "WRITE"}},
               {{"Grantee": {{"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}}, "Permission": "FULL_CONTROL"}}]}}"#
        ),
    );
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(m.resources.len(), 1);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let t = FactTables::from_model(&m);
    let x = t.symbols.get("arn:aws:s3:::my.site").unwrap();
    // The public policy is restricted; the ACL is a second resource policy of the bucket.
    let policy = |name: &str| {
        t.policies
            .iter()
            .position(|p| &*p.name == name)
            .map(|i| i as u32)
    };
    let bucket_policy = policy("arn:aws:s3:::my.site#policy").unwrap();
    assert_eq!(t.s3_restricted_policies, [(x, bucket_policy)]);
    let acl = policy("arn:aws:s3:::my.site#acl").unwrap();
    assert!(t.resource_policies.contains(&(x, acl)));
    // The owner's own grant is left out; LogDelivery WRITE on objects; AllUsers
    // FULL_CONTROL as bucket actions plus s3:PutObject on objects.
    let doc = &t.policies[acl as usize].document;
    let sids: Vec<&str> = doc
        .statements
        .iter()
        .map(|s| s.sid.as_deref().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "Grants[1] LogDelivery WRITE",
            "Grants[2] AllUsers FULL_CONTROL",
            "Grants[2] AllUsers FULL_CONTROL"
        ]
    );
    // The tables export the restricted policy.
    let ex = t.export();
    let r = ex
        .iter()
        .find(|e| e.name == "s3_restricted_policy")
        .unwrap();
    assert_eq!(r.columns, ["bucket", "policy"]);
    assert_eq!(r.rows.len(), 1);
}

#[test]
fn a_non_public_policy_is_not_restricted() {
    // "The meaning of public": RestrictPublicBuckets "only applies to buckets that have
    // public policies".
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "resources.json",
        r#"[{"arn": "arn:aws:s3:::p", "account": "111111111111",
             "publicAccessBlock": {"RestrictPublicBuckets": true},
             "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::p/*"}]}}]"#,
    );
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    let t = FactTables::from_model(&m);
    assert!(t.s3_restricted_policies.is_empty());
}

#[test]
fn bad_settings_are_errors_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "s3-bucket-ownership-controls.b.json",
            r#"{"OwnershipControls": {"Rules": [{"ObjectOwnership": "Nobody"}]}}"#,
            "OwnershipControls.Rules[0].ObjectOwnership",
        ),
        (
            "s3-bucket-acl.b.json",
            r#"{"Grants": [{"Grantee": {"Type": "Group", "URI": "http://example.com/g"}, "Permission": "READ"}]}"#,
            "Grants[0].Grantee.URI",
        ),
        (
            "s3-bucket-public-access-block.b.json",
            r#"{"PublicAccessBlockConfiguration": {"RestrictPublicBucket": true}}"#,
            "PublicAccessBlockConfiguration.RestrictPublicBucket",
        ),
        (
            "s3-account-public-access-block.12.json",
            r#"{"PublicAccessBlockConfiguration": {}}"#,
            "s3-account-public-access-block.<account>.json",
        ),
    ];
    assert_each_load_fails_naming_file_and_path(dir.path(), &cases);
    let p = write(
        dir.path(),
        "resources.json",
        r#"[{"arn": "arn:aws:sqs:eu-west-1:111111111111:q", "acl": {"Grants": []}}]"#,
    );
    let e = account::load(&[p]).unwrap_err().to_string();
    assert!(
        e.contains("[0].acl") && e.contains("S3 buckets only"),
        "{e}"
    );
}

#[test]
fn list_buckets_gives_the_buckets_account_and_its_canonical_id() {
    // `aws s3api list-buckets` lists the buckets the calling account owns, with the account's
    // canonical user id as `Owner.ID`: enough to map a grant in another account's ACL.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s3-list-buckets.222222222222.json",
        &format!(
            r#"{{"Buckets": [{{"Name": "logs.example", "CreationDate": "2024-01-01T00:00:00+00:00"}}],
                "Owner": {{"DisplayName": "partner", "ID": "{C_B}"}}}}"#
        ),
    );
    write(
        dir.path(),
        "s3-bucket-acl.shared.json",
        &format!(
            r#"{{"Owner": {{"ID": "{C_A}"}}, "Grants": [
               {{"Grantee": {{"Type": "CanonicalUser", "ID": "{C_B}"}}, "Permission": "READ"}}]}}"#
        ),
    );
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(
        m.resources["arn:aws:s3:::logs.example"].account,
        AccountId::parse("222222222222")
    );
    let acl = m.s3_buckets["arn:aws:s3:::shared"].acl.as_ref().unwrap();
    assert_eq!(
        acl.grants[0].grantee,
        AclGrantee::Account {
            canonical_id: C_B.into(),
            account: AccountId::parse("222222222222"),
        }
    );
    // The bucket `shared` itself has no known account: the usual warning says so.
    assert!(m.warnings.iter().any(|w| matches!(
        &w.kind,
        WarningKind::UnknownResourceAccount { arn } if arn == "arn:aws:s3:::shared"
    )));
    // Named by no account, the output is an error naming the convention.
    let p = write(
        dir.path(),
        "buckets.json",
        r#"{"Buckets": [], "Owner": {"ID": "x"}}"#,
    );
    let e = account::load(&[p]).unwrap_err().to_string();
    assert!(e.contains("s3-list-buckets.<account>.json"), "{e}");
}
