//! Service-specific condition keys that the service fills itself on every request, from the
//! caller or the resource, so that account data knows their value. Each is derived from the
//! global key with the same meaning (already filled by [`super::context`]); a key the
//! request gives is never overridden. `docs/context-keys.md` lists the catalogue's other
//! service keys that stay absent, and why.
//!
//! | key | actions | value | source |
//! |---|---|---|---|
//! | `kms:CallerAccount` | every `kms:` action | the caller's account (`aws:PrincipalAccount`) | AWS KMS Developer Guide, "AWS KMS condition keys", kms:CallerAccount |
//! | `s3:ResourceAccount` | every `s3:` action | the resource owner's account (`aws:ResourceAccount`) | Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3" |
//! | `s3express:ResourceAccount` | every `s3express:` action | the same | Service Authorization Reference, "... for Amazon S3 Express" |

use crate::request::{Context, Request};

/// One derived key: for actions of `service`, `key` takes the value of `from`.
struct Derived {
    service: &'static str,
    key: &'static str,
    from: &'static str,
    /// `key` lowercased, as a context stores it.
    key_lower: &'static str,
    /// `from` lowercased.
    from_lower: &'static str,
}

/// Every service key filled by its service on each of its requests.
const DERIVED: [Derived; 3] = [
    Derived {
        service: "kms",
        key: "kms:CallerAccount",
        from: "aws:PrincipalAccount",
        key_lower: "kms:calleraccount",
        from_lower: "aws:principalaccount",
    },
    Derived {
        service: "s3",
        key: "s3:ResourceAccount",
        from: "aws:ResourceAccount",
        key_lower: "s3:resourceaccount",
        from_lower: "aws:resourceaccount",
    },
    Derived {
        service: "s3express",
        key: "s3express:ResourceAccount",
        from: "aws:ResourceAccount",
        key_lower: "s3express:resourceaccount",
        from_lower: "aws:resourceaccount",
    },
];

/// The service keys [`fill`] can add for `action`, as `(key, global key it copies)`.
pub fn keys_for(action: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    let service = action.split(':').next().unwrap_or("");
    DERIVED
        .iter()
        .filter(move |d| d.service.eq_ignore_ascii_case(service))
        .map(|d| (d.key, d.from))
}

/// Add the service keys of `req.action` whose global key `req.context` holds, unless the
/// request already gives them. Call after the global keys are filled.
pub fn fill(req: &mut Request) {
    fill_context(&req.action, &mut req.context);
}

/// [`fill`] for a request of `action` with context `context` (the key names are fixed and
/// lowercase: borrowed, looked up without case folding).
pub fn fill_context(action: &str, context: &mut Context) {
    // The text before the first `:` (by bytes: every request asks).
    let service = action
        .as_bytes()
        .iter()
        .position(|&b| b == b':')
        .map_or(action, |i| &action[..i]);
    for d in DERIVED
        .iter()
        .filter(|d| d.service.eq_ignore_ascii_case(service))
    {
        if let Some(v) = context.get(d.from_lower) {
            let v = v.clone();
            context.insert_default_static(d.key_lower, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, ContextValue, RequestPrincipal};

    fn request(action: &str) -> Request {
        let mut context = Context::new();
        context.insert(
            "aws:PrincipalAccount",
            ContextValue::Single("111122223333".into()),
        );
        context.insert(
            "aws:ResourceAccount",
            ContextValue::Single("444455556666".into()),
        );
        Request {
            principal: RequestPrincipal::Aws {
                arn: "arn:aws:iam::111122223333:user/alice".into(),
            },
            action: action.into(),
            resource: "*".into(),
            context,
        }
    }

    fn single(r: &Request, k: &str) -> Option<String> {
        r.context.get(k).map(|v| v.values().join(","))
    }

    /// The lowercase names are those of the keys AWS spells (a typo would fill nothing).
    #[test]
    fn lowercase_names_are_the_spelled_names_lowercased() {
        for d in &DERIVED {
            assert_eq!(d.key_lower, d.key.to_ascii_lowercase());
            assert_eq!(d.from_lower, d.from.to_ascii_lowercase());
        }
    }

    #[test]
    fn kms_caller_account_is_the_callers_account_kms_condition_keys() {
        let mut r = request("kms:Decrypt");
        fill(&mut r);
        assert_eq!(
            single(&r, "kms:CallerAccount").as_deref(),
            Some("111122223333")
        );
        assert_eq!(single(&r, "s3:ResourceAccount"), None);
        // Not on another service's request.
        let mut r = request("sqs:SendMessage");
        fill(&mut r);
        assert_eq!(single(&r, "kms:CallerAccount"), None);
        // A value the request gives wins.
        let mut r = request("KMS:Encrypt");
        r.context.insert(
            "kms:CallerAccount",
            ContextValue::Single("999999999999".into()),
        );
        fill(&mut r);
        assert_eq!(
            single(&r, "kms:CallerAccount").as_deref(),
            Some("999999999999")
        );
    }

    #[test]
    fn s3_resource_account_is_the_owner_service_authorization_reference_s3() {
        let mut r = request("s3:GetObject");
        fill(&mut r);
        assert_eq!(
            single(&r, "s3:ResourceAccount").as_deref(),
            Some("444455556666")
        );
        assert_eq!(single(&r, "kms:CallerAccount"), None);
    }
}
