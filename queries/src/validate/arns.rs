//! The parts of an ARN: partition, service, region, account and resource.
//!
//! IAM User Guide, "IAM identifiers" (ARN format `arn:partition:service:region:account-id:
//! resource`; the partition is `aws`, `aws-cn`, `aws-us-gov`...; the account id is 12
//! digits, omitted for some services such as Amazon S3), and the AWS General Reference,
//! "Regions and endpoints" (region codes such as `us-east-1`, `us-gov-west-1`,
//! `cn-north-1`). A part holding a wildcard or a policy variable is left alone: it is a
//! pattern, not a name.

use facts::arn::is_account_id;
use facts::variables::has_variables;
use facts::wildcard::has_wildcard;

/// The partitions AWS documents.
const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Why `text` (an `arn:` string with six parts) is not a usable ARN, if it is not.
/// Strings with fewer parts (`arn:aws:waf:*`) are the parser's business.
pub(crate) fn arn_problem(text: &str) -> Option<String> {
    // A variable may hold a colon (`${aws:username}`): it stands for one unknown value, so
    // it is read as a wildcard when splitting.
    let masked;
    let text = if has_variables(text) {
        masked = mask_variables(text);
        masked.as_str()
    } else {
        text
    };
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let literal = |part: &str| !has_wildcard(part) && !has_variables(part);
    if partition.is_empty() {
        return Some("the partition (second part) is empty; write `aws`".to_string());
    }
    if literal(partition) && !PARTITIONS.contains(&partition) {
        return Some(format!(
            "`{partition}` is not an AWS partition ({})",
            PARTITIONS.join(", ")
        ));
    }
    if service.is_empty() {
        return Some("the service (third part) is empty".to_string());
    }
    if !region.is_empty() && literal(region) && !is_region(region) {
        return Some(format!(
            "`{region}` is not a region code (such as `us-east-1`)"
        ));
    }
    // `aws` stands for AWS itself in the ARNs of AWS-managed policies (`arn:aws:iam::aws:...`).
    if !account.is_empty() && literal(account) && account != "aws" && !is_account_id(account) {
        return Some(format!(
            "the account `{account}` is not a 12-digit account id"
        ));
    }
    if resource.is_empty() {
        return Some("the resource (sixth part) is empty".to_string());
    }
    None
}

/// `text` with each closed `${...}` replaced by `*`.
fn mask_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else { break };
        out.push_str(rest.get(..start).unwrap_or(""));
        out.push('*');
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `us-east-1`, `us-gov-west-1`, `us-isob-east-1`, `ap-southeast-5`: two letters, one or
/// more lowercase words, a number; each joined by `-`.
fn is_region(text: &str) -> bool {
    let words: Vec<&str> = text.split('-').collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let middle = words.get(1..words.len().saturating_sub(1)).unwrap_or(&[]);
    words.len() >= 3
        && first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && middle
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}
