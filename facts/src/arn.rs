//! ARNs: parsing into partition, service, region, account and resource, and `ArnLike`.

/// A parsed ARN `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub partition: String,
    /// Service namespace, e.g. `s3`.
    pub service: String,
    /// Region, possibly empty.
    pub region: String,
    /// Account id, possibly empty (S3 buckets).
    pub account: String,
    /// The resource part (may itself contain `:` and `/`).
    pub resource: String,
}

impl Arn {
    /// Parse an ARN; `None` unless it has the `arn:` prefix and six parts.
    pub fn parse(text: &str) -> Option<Arn> {
        let _ = text;
        todo!("Arn::parse: being written")
    }
}

/// `ArnLike`: segment-wise glob matching of an ARN value against an ARN pattern.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    let _ = (pattern, value);
    todo!("arn_like: being written")
}
