//! IAM account settings: the password policy (`iam-password-policy.<account>.json`) and the
//! account summary (`iam-account-summary.<account>.json`), rebuilt as the AWS CLI prints
//! `aws iam get-account-password-policy` and `aws iam get-account-summary` (IAM API
//! Reference, "PasswordPolicy", "GetAccountSummary"). An account without a password policy
//! (AWS answers `NoSuchEntity`) is written as `{"PasswordPolicy": null}`, the form the
//! loader reads as "no password policy" (docs/inputs.md).

use serde_json::{json, Map, Value};

use crate::calls::{outcome, required, CallFailure};

/// `{"PasswordPolicy": {...}}`, or `{"PasswordPolicy": null}` for an account without one.
pub(crate) async fn password_policy(client: &aws_sdk_iam::Client) -> Result<Value, CallFailure> {
    let out = outcome(
        client.get_account_password_policy().send().await,
        &["NoSuchEntity"],
    )?;
    let Some(p) = out.as_ref().and_then(|o| o.password_policy()) else {
        return Ok(json!({ "PasswordPolicy": null }));
    };
    let mut m = Map::new();
    let mut num = |k: &str, v: Option<i32>| {
        if let Some(v) = v {
            m.insert(k.to_string(), json!(v));
        }
    };
    num("MinimumPasswordLength", p.minimum_password_length());
    num("MaxPasswordAge", p.max_password_age());
    num("PasswordReusePrevention", p.password_reuse_prevention());
    for (k, v) in [
        ("RequireSymbols", p.require_symbols()),
        ("RequireNumbers", p.require_numbers()),
        (
            "RequireUppercaseCharacters",
            p.require_uppercase_characters(),
        ),
        (
            "RequireLowercaseCharacters",
            p.require_lowercase_characters(),
        ),
        (
            "AllowUsersToChangePassword",
            p.allow_users_to_change_password(),
        ),
        ("ExpirePasswords", p.expire_passwords()),
    ] {
        m.insert(k.to_string(), Value::Bool(v));
    }
    if let Some(h) = p.hard_expiry() {
        m.insert("HardExpiry".to_string(), Value::Bool(h));
    }
    Ok(json!({ "PasswordPolicy": m }))
}

/// `{"SummaryMap": {...}}`, its entries in name order.
pub(crate) async fn account_summary(client: &aws_sdk_iam::Client) -> Result<Value, CallFailure> {
    let out = required(client.get_account_summary().send().await)?;
    let entries: std::collections::BTreeMap<&str, i32> = out
        .summary_map()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    Ok(json!({ "SummaryMap": entries }))
}
