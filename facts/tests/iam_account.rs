//! Reading the IAM password policy and account summary (docs/inputs.md, "IAM password policy
//! and account summary"; IAM API Reference, "GetAccountPasswordPolicy", "GetAccountSummary").

mod common;

use common::{assert_each_load_fails_naming_file_and_path, write};

use facts::account::{self, AccountId, PasswordPolicyState, WarningKind};

fn acct(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

/// The outputs as the AWS CLI prints them (IAM API Reference, "GetAccountPasswordPolicy"
/// and "GetAccountSummary" examples), one account with a policy and one without.
#[test]
fn password_policy_and_summary_are_read_onto_their_accounts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "iam-password-policy.111111111111.json",
        r#"{"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": true,
            "RequireNumbers": true, "RequireUppercaseCharacters": false,
            "RequireLowercaseCharacters": true, "AllowUsersToChangePassword": true,
            "ExpirePasswords": true, "MaxPasswordAge": 90, "PasswordReusePrevention": 24,
            "HardExpiry": false}}"#,
    );
    write(
        dir.path(),
        "iam-password-policy.222222222222.json",
        r#"{"PasswordPolicy": null}"#,
    );
    write(
        dir.path(),
        "iam-account-summary.111111111111.json",
        r#"{"SummaryMap": {"Users": 27, "UsersQuota": 5000, "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 1, "GlobalEndpointTokenVersion": 1}}"#,
    );
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    let PasswordPolicyState::Set(p) = &m.password_policies[&acct("111111111111")] else {
        panic!("account 111111111111 has a password policy");
    };
    assert_eq!(p.minimum_password_length, Some(14));
    assert!(p.require_symbols && !p.require_uppercase_characters && p.expire_passwords);
    assert_eq!(p.max_password_age, Some(90));
    assert_eq!(p.password_reuse_prevention, Some(24));
    assert_eq!(
        m.password_policies[&acct("222222222222")],
        PasswordPolicyState::NoPolicy
    );
    let s = &m.account_summaries[&acct("111111111111")];
    assert_eq!(s.get("Users"), Some(27));
    assert_eq!(s.get("AccountMFAEnabled"), Some(0));
    assert_eq!(s.get("Roles"), None);
    assert!(m.accounts.contains(&acct("222222222222")));
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn unknown_members_are_warned_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "iam-password-policy.111111111111.json",
        r#"{"PasswordPolicy": {"MinimumPasswordLength": 8, "RequireEmoji": true}, "ResponseMetadata": {}}"#,
    );
    let m = account::load(&[p]).unwrap();
    let mut warned: Vec<String> = m
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, WarningKind::UnsupportedElement { .. }))
        .map(|w| w.source.path.to_string())
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        ["$.PasswordPolicy.RequireEmoji", "$.ResponseMetadata"]
    );
}

#[test]
fn a_different_second_output_for_an_account_is_a_duplicate_warning() {
    let dir = tempfile::tempdir().unwrap();
    // Read after the top folder's file (entries in name order): the first one is kept.
    let sub = dir.path().join("z-again");
    std::fs::create_dir(&sub).unwrap();
    let name = "iam-account-summary.111111111111.json";
    write(dir.path(), name, r#"{"SummaryMap": {"Users": 1}}"#);
    write(&sub, name, r#"{"SummaryMap": {"Users": 2}}"#);
    let m = account::load(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(
        m.account_summaries[&acct("111111111111")].get("Users"),
        Some(1)
    );
    assert!(m
        .warnings
        .iter()
        .any(|w| matches!(&w.kind, WarningKind::Duplicate { id } if id.contains("summary"))));
}

#[test]
fn bad_values_and_unnamed_accounts_are_errors_naming_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "iam-password-policy.111111111111.json",
            r#"{"PasswordPolicy": {"MinimumPasswordLength": "fourteen"}}"#,
            "PasswordPolicy.MinimumPasswordLength",
        ),
        (
            "iam-password-policy.111111111111.json",
            r#"{"PasswordPolicy": {"RequireSymbols": "yes"}}"#,
            "PasswordPolicy.RequireSymbols",
        ),
        (
            "iam-password-policy.111111111111.json",
            r#"{"PasswordPolicy": []}"#,
            "PasswordPolicy",
        ),
        (
            "iam-account-summary.111111111111.json",
            r#"{"SummaryMap": {"Users": -1}}"#,
            "SummaryMap.Users",
        ),
        (
            "iam-account-summary.111111111111.json",
            r#"{"SummaryMap": {"Users": 1.5}}"#,
            "SummaryMap.Users",
        ),
        (
            "iam-account-summary.json",
            r#"{"SummaryMap": {"Users": 1}}"#,
            "iam-account-summary.<account>.json",
        ),
        (
            "iam-password-policy.12.json",
            r#"{"PasswordPolicy": null}"#,
            "iam-password-policy.<account>.json",
        ),
    ];
    assert_each_load_fails_naming_file_and_path(dir.path(), &cases);
}
