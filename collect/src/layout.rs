//! Where each collected file goes: the layout `docs/collect.md` documents, one folder per
//! account, every file in a format `-i DIR` reads (`docs/inputs.md`). Files are written
//! whole or not at all (a hidden temporary file, renamed), so `--resume` can trust any file
//! it finds.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::CollectError;

/// The output directory.
#[derive(Debug, Clone)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout under `root`.
    pub fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    /// `organization.json`, at the top.
    pub fn organization(&self) -> PathBuf {
        self.root.join("organization.json")
    }

    /// The folder of one account: `<account>/`.
    pub fn account_dir(&self, account: &str) -> PathBuf {
        self.root.join(account)
    }

    /// `<account>/gaad.json`: every page of GetAccountAuthorizationDetails, merged.
    pub fn gaad(&self, account: &str) -> PathBuf {
        self.account_dir(account).join("gaad.json")
    }

    /// `<account>/credential-report.csv`.
    pub fn credential_report(&self, account: &str) -> PathBuf {
        self.account_dir(account).join("credential-report.csv")
    }

    /// `<account>/iam-password-policy.<account>.json` (`{"PasswordPolicy": null}` for an
    /// account without one).
    pub fn password_policy(&self, account: &str) -> PathBuf {
        self.account_dir(account)
            .join(format!("iam-password-policy.{account}.json"))
    }

    /// `<account>/iam-account-summary.<account>.json`.
    pub fn account_summary(&self, account: &str) -> PathBuf {
        self.account_dir(account)
            .join(format!("iam-account-summary.{account}.json"))
    }

    /// `<account>/s3-list-buckets.<account>.json` (the account's canonical user id).
    pub fn s3_list_buckets(&self, account: &str) -> PathBuf {
        self.account_dir(account)
            .join(format!("s3-list-buckets.{account}.json"))
    }

    /// `<account>/s3-account-public-access-block.<account>.json`.
    pub fn s3_account_public_access_block(&self, account: &str) -> PathBuf {
        self.account_dir(account)
            .join(format!("s3-account-public-access-block.{account}.json"))
    }

    /// `<account>/resources.s3.json`: the buckets with their policy, Block Public Access,
    /// ACL, Object Ownership and tags.
    pub fn s3_buckets(&self, account: &str) -> PathBuf {
        self.account_dir(account).join("resources.s3.json")
    }

    /// `<account>/resources.<service>.<region>.json`: one service's resources in a region.
    pub fn regional(&self, account: &str, service: &str, region: &str) -> PathBuf {
        self.account_dir(account)
            .join(format!("resources.{service}.{region}.json"))
    }
}

/// Write `value` as pretty JSON to `path`, whole or not at all.
pub(crate) fn write_json(path: &Path, value: &Value) -> Result<(), CollectError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| CollectError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    })?;
    text.push('\n');
    write_bytes(path, text.as_bytes())
}

/// Write `bytes` to `path` through a hidden temporary file in the same folder (the loader
/// skips hidden files), renamed into place.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), CollectError> {
    let io = |e: std::io::Error| CollectError::Io {
        file: path.to_path_buf(),
        message: e.to_string(),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.partial"));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
