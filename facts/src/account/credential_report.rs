//! The IAM credential report (`aws iam get-credential-report`, its `Content` base64-decoded
//! to CSV). Columns are found by header name, so reordered or extra columns are fine; the
//! columns iamlogic needs must be present, and a column named twice is an error.
//!
//! What it is used for today: the rows are checked and kept in `Model::credential_report`
//! (with their accounts added to the model) for the queries that will read them; no decision
//! and no fact table uses them yet.
//!
//! Reference: IAM User Guide, "Getting credential reports for your AWS account" (report
//! format: `user`, `arn`, `password_enabled`, `mfa_active`, `access_key_1_active`, ...).

use std::collections::HashMap;

use super::builder::Builder;
use super::error::IngestError;
use super::model::{AccessKeyStatus, AccountId, CredentialReportRow, Warning, WarningKind};
use super::read::FileCtx;
use crate::arn::Arn;
use crate::error::JsonPath;

/// Whether `text` is a credential report: its first line is a CSV header with a `user` and
/// an `arn` column, in any order (AWS's report starts with them; columns are found by name).
/// A header with only those two columns is still a report, to be rejected for its missing
/// columns, not as JSON.
pub(crate) fn looks_like_report(text: &str) -> bool {
    let first = text.trim_start().lines().next().unwrap_or("").trim_end();
    let columns: Vec<&str> = first.split(',').map(str::trim).collect();
    columns.contains(&"user") && columns.contains(&"arn")
}

const REQUIRED: [&str; 4] = ["user", "arn", "password_enabled", "mfa_active"];

const KNOWN: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// Read a credential report into `b`.
pub(crate) fn ingest(ctx: &FileCtx, text: &str, b: &mut Builder) -> Result<(), IngestError> {
    let csv_err = |line: usize, message: String| IngestError::Csv {
        file: ctx.file.as_ref().clone(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_err(1, e.to_string()))?
        .clone();
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        // A column named twice: which one holds the value? Refuse rather than pick one.
        if col.insert(h, i).is_some() {
            return Err(csv_err(1, format!("column `{h}` is given more than once")));
        }
    }
    for r in REQUIRED {
        if !col.contains_key(r) {
            return Err(csv_err(1, format!("missing column `{r}`")));
        }
    }
    for h in headers.iter() {
        if !KNOWN.contains(&h) {
            b.model.warnings.push(Warning {
                source: ctx.source(&JsonPath::default().key(h)),
                kind: WarningKind::UnsupportedElement {
                    name: h.to_string(),
                },
            });
        }
    }
    for (i, rec) in reader.records().enumerate() {
        // Line numbers: the header is line 1 and reports have no multi-line fields.
        let line = i + 2;
        let rec = rec.map_err(|e| csv_err(line, e.to_string()))?;
        let get = |name: &str| col.get(name).and_then(|&c| rec.get(c)).unwrap_or("");
        let text_opt = |name: &str| {
            let v = get(name);
            match v {
                "" | "N/A" | "no_information" | "not_supported" => None,
                _ => Some(v.to_string()),
            }
        };
        let flag = |name: &str| -> Result<Option<bool>, IngestError> {
            match get(name) {
                "true" | "TRUE" => Ok(Some(true)),
                "false" | "FALSE" => Ok(Some(false)),
                "" | "N/A" | "not_supported" => Ok(None),
                other => Err(csv_err(
                    line,
                    format!("column `{name}`: expected true or false, found `{other}`"),
                )),
            }
        };
        let arn = get("arn");
        let account = Arn::parse(arn)
            .and_then(|a| AccountId::parse(&a.account))
            .ok_or_else(|| {
                csv_err(
                    line,
                    format!("column `arn`: `{arn}` is not an IAM ARN with an account id"),
                )
            })?;
        let key = |n: u8| -> Result<AccessKeyStatus, IngestError> {
            Ok(AccessKeyStatus {
                active: flag(&format!("access_key_{n}_active"))?.unwrap_or(false),
                last_rotated: text_opt(&format!("access_key_{n}_last_rotated")),
                last_used_date: text_opt(&format!("access_key_{n}_last_used_date")),
                last_used_service: text_opt(&format!("access_key_{n}_last_used_service")),
            })
        };
        b.model.accounts.insert(account.clone());
        b.model.credential_report.push(CredentialReportRow {
            user: get("user").to_string(),
            arn: arn.to_string(),
            account,
            user_creation_time: text_opt("user_creation_time"),
            password_enabled: flag("password_enabled")?,
            password_last_used: text_opt("password_last_used"),
            password_last_changed: text_opt("password_last_changed"),
            mfa_active: flag("mfa_active")?.unwrap_or(false),
            access_keys: [key(1)?, key(2)?],
            signing_cert_active: flag("cert_1_active")?.unwrap_or(false)
                || flag("cert_2_active")?.unwrap_or(false),
        });
    }
    Ok(())
}
