//! Reading an account's IAM settings: the raw outputs of `aws iam
//! get-account-password-policy` (`{"PasswordPolicy": {...}}`) and `aws iam
//! get-account-summary` (`{"SummaryMap": {...}}`). Neither output names its account, so the
//! account comes from the file name (`iam-password-policy.<account>.json`,
//! `iam-account-summary.<account>.json`, see `docs/inputs.md`).
//!
//! An account without a password policy has no output (AWS answers `NoSuchEntity`);
//! `{"PasswordPolicy": null}` records that, as `iamlogic collect` writes it.
//!
//! What they are used for: they are kept on the model ([`Model::password_policies`],
//! [`Model::account_summaries`]) to inform audits; no decision depends on them.
//!
//! References: IAM API Reference, "GetAccountPasswordPolicy" and "PasswordPolicy" (the
//! members below), "GetAccountSummary" (`SummaryMap`, a map of entity name to count).

use std::collections::BTreeMap;

use serde_json::Value;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{
    AccountId, AccountSummary, Model, PasswordPolicy, PasswordPolicyState, Warning, WarningKind,
};
use super::read::{type_name, FileCtx, Object};
use crate::error::JsonPath;

/// Which IAM command produced an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IamAccountOutput {
    /// `{"PasswordPolicy": {...}}` (`aws iam get-account-password-policy`).
    PasswordPolicy,
    /// `{"SummaryMap": {...}}` (`aws iam get-account-summary`).
    Summary,
}

impl IamAccountOutput {
    /// Recognise an output by its member.
    pub fn detect(o: &Object) -> Option<IamAccountOutput> {
        if o.contains_key("PasswordPolicy") {
            Some(IamAccountOutput::PasswordPolicy)
        } else if o.contains_key("SummaryMap") {
            Some(IamAccountOutput::Summary)
        } else {
            None
        }
    }

    /// The output's one member.
    fn member(self) -> &'static str {
        match self {
            IamAccountOutput::PasswordPolicy => "PasswordPolicy",
            IamAccountOutput::Summary => "SummaryMap",
        }
    }

    /// The file-name prefix that names the account.
    fn prefix(self) -> &'static str {
        match self {
            IamAccountOutput::PasswordPolicy => "iam-password-policy",
            IamAccountOutput::Summary => "iam-account-summary",
        }
    }
}

/// The members of AWS's `PasswordPolicy` structure.
const POLICY_KEYS: [&str; 10] = [
    "MinimumPasswordLength",
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
    "ExpirePasswords",
    "MaxPasswordAge",
    "PasswordReusePrevention",
    "HardExpiry",
];

/// Read one output file into `b`.
pub(crate) fn ingest_file(
    ctx: &FileCtx,
    o: &Object,
    kind: IamAccountOutput,
    b: &mut Builder,
) -> Result<(), IngestError> {
    let top = JsonPath::default();
    let account = account_from_name(ctx, kind)?;
    ctx.warn_unknown(o, &top, &[kind.member()]);
    let at = top.key(kind.member());
    let v = o.get(kind.member()).unwrap_or(&Value::Null);
    b.model.accounts.insert(account.clone());
    match kind {
        IamAccountOutput::PasswordPolicy => {
            let state = match v {
                Value::Null => PasswordPolicyState::NoPolicy,
                v => PasswordPolicyState::Set(password_policy(ctx, v, &at)?),
            };
            let id = format!("IAM password policy of account {account}");
            set_once(
                &mut b.model,
                |m| &mut m.password_policies,
                account,
                state,
                ctx,
                &id,
            );
        }
        IamAccountOutput::Summary => {
            let summary = summary(ctx, v, &at)?;
            let id = format!("IAM account summary of account {account}");
            set_once(
                &mut b.model,
                |m| &mut m.account_summaries,
                account,
                summary,
                ctx,
                &id,
            );
        }
    }
    Ok(())
}

/// The account named by the file name `<prefix>.<account>.json`.
fn account_from_name(ctx: &FileCtx, kind: IamAccountOutput) -> Result<AccountId, IngestError> {
    let name = ctx
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".JSON"))
        .unwrap_or(name);
    stem.split_once('.')
        .filter(|(prefix, _)| *prefix == kind.prefix())
        .and_then(|(_, rest)| AccountId::parse(rest))
        .ok_or_else(|| IngestError::UnnamedResource {
            file: ctx.file.as_ref().clone(),
            reason: format!(
                "the file name `{name}` does not name the account: `{}.<account>.json` (see docs/inputs.md, \"IAM password policy and account summary\")",
                kind.prefix()
            ),
        })
}

/// Keep the first value for `account`; a different second one is a `duplicate` warning.
fn set_once<T: PartialEq>(
    model: &mut Model,
    map: impl Fn(&mut Model) -> &mut indexmap::IndexMap<AccountId, T>,
    account: AccountId,
    value: T,
    ctx: &FileCtx,
    id: &str,
) {
    let slot = map(model);
    let differs = match slot.get(&account) {
        None => {
            slot.insert(account, value);
            false
        }
        Some(old) => *old != value,
    };
    if differs {
        model.warnings.push(Warning {
            source: ctx.source(&JsonPath::default()),
            kind: WarningKind::Duplicate { id: id.to_string() },
        });
    }
}

fn password_policy(
    ctx: &FileCtx,
    v: &Value,
    path: &JsonPath,
) -> Result<PasswordPolicy, IngestError> {
    let o = ctx.members(v, path, &POLICY_KEYS)?;
    let flag = |k: &str| -> Result<bool, IngestError> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(ctx.invalid(
                &path.key(k),
                format!("expected true or false, found {}", type_name(other)),
            )),
        }
    };
    let number = |k: &str| -> Result<Option<u32>, IngestError> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => count(ctx, v, &path.key(k)).map(Some),
        }
    };
    Ok(PasswordPolicy {
        minimum_password_length: number("MinimumPasswordLength")?,
        require_symbols: flag("RequireSymbols")?,
        require_numbers: flag("RequireNumbers")?,
        require_uppercase_characters: flag("RequireUppercaseCharacters")?,
        require_lowercase_characters: flag("RequireLowercaseCharacters")?,
        allow_users_to_change_password: flag("AllowUsersToChangePassword")?,
        expire_passwords: flag("ExpirePasswords")?,
        max_password_age: number("MaxPasswordAge")?,
        password_reuse_prevention: number("PasswordReusePrevention")?,
        hard_expiry: flag("HardExpiry")?,
    })
}

/// A `SummaryMap`: every entry is kept (AWS adds entries over time, so none is unknown),
/// each a non-negative integer count or quota.
fn summary(ctx: &FileCtx, v: &Value, path: &JsonPath) -> Result<AccountSummary, IngestError> {
    let o = ctx.object(v, path)?;
    let mut entries = BTreeMap::new();
    for (k, v) in o {
        entries.insert(k.clone(), count(ctx, v, &path.key(k))?);
    }
    Ok(AccountSummary { entries })
}

/// A non-negative integer that fits in 32 bits (every IAM count and quota does).
fn count(ctx: &FileCtx, v: &Value, path: &JsonPath) -> Result<u32, IngestError> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            ctx.invalid(
                path,
                format!("expected a non-negative integer, found {}", describe(v)),
            )
        })
}

fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => format!("`{n}`"),
        other => type_name(other).to_string(),
    }
}
