//! Actions that need no permission.
//!
//! AWS STS API Reference, "GetCallerIdentity": "No permissions are required to perform this
//! operation. If an administrator attaches a policy to your identity that explicitly denies
//! access to the `sts:GetCallerIdentity` action, you can still perform this operation."

/// What AWS does, for people.
pub const REASON: &str =
    "needs no permission: allowed for any authenticated caller, even when a policy denies it";

/// Where it is documented.
pub const SOURCE: &str = "AWS STS API Reference, GetCallerIdentity";

/// The actions, lower case.
const ACTIONS: [&str; 1] = ["sts:getcalleridentity"];

/// Whether `action` needs no permission (case-insensitive).
pub fn needs_no_permission(action: &str) -> bool {
    ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_caller_identity_needs_no_permission_sts_api_reference() {
        assert!(needs_no_permission("sts:GetCallerIdentity"));
        assert!(needs_no_permission("STS:getcalleridentity"));
        assert!(!needs_no_permission("sts:GetSessionToken"));
        assert!(!needs_no_permission("sts:GetCallerIdentity*"));
    }
}
