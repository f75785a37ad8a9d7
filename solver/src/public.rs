//! `no-public-access`: can an anonymous caller, or a caller from an unknown account, reach
//! the resource under conditions such an outsider can satisfy?
//!
//! The outsider controls every context key except the ones AWS sets from the caller's
//! identity or network (IAM User Guide, "AWS global condition context keys": the principal
//! and source keys). Those are fixed to values that belong to no one the policy names, so a
//! condition such as `aws:PrincipalOrgID` or `aws:SourceVpce` keeps them out.

use std::time::Instant;

use z3::ast::{Bool, BV};

use crate::encode::Engine;
use crate::prove::{engine_for, enumerate, outsiders, AllowedRequests, Options};
use crate::stack::Stack;
use crate::SolverError;

/// The value an outsider has for a key AWS sets from the caller, if the key is one.
fn outsider_value(key: &str) -> Option<&'static str> {
    const ACCOUNT: &str = "999999999999";
    const ARN: &str = "arn:aws:iam::999999999999:user/iamlogic-outsider";
    if key.starts_with("aws:principaltag/") {
        return Some("iamlogic-outsider");
    }
    Some(match key {
        "aws:principalorgid" | "aws:sourceorgid" => "o-iamlogicoutsider",
        "aws:principalorgpaths" | "aws:sourceorgpaths" => "o-iamlogicoutsider/r-out/ou-out/",
        "aws:principalaccount" | "aws:sourceaccount" | "aws:sourceowner" | "kms:calleraccount" => {
            ACCOUNT
        }
        "aws:principalarn" | "aws:sourcearn" => ARN,
        "aws:sourcevpc" => "vpc-iamlogicoutsider",
        "aws:sourcevpce" => "vpce-iamlogicoutsider",
        "aws:userid" => "AIDAIAMLOGICOUTSIDER",
        "aws:username" => "iamlogic-outsider",
        "aws:sourceip" | "aws:vpcsourceip" => "203.0.113.7",
        "aws:principalisawsservice" => "false",
        "aws:principalservicename" => "iamlogic-outsider.example.com",
        _ => return None,
    })
}

/// Constraints fixing the outsider's keys, and the fixed values for the decoder.
fn outsider_constraints(engine: &Engine) -> (Vec<Bool>, crate::search::Fixed) {
    let mut out = Vec::new();
    let mut fixed = Vec::new();
    for kv in &engine.keys {
        let Some(v) = outsider_value(&kv.name) else {
            continue;
        };
        for el in &kv.elems {
            for (i, p) in kv.usage.strings.preds.iter().enumerate() {
                if p.opaque() {
                    continue;
                }
                if let Some(a) = el.atoms.get(i) {
                    out.push(a.eq(Bool::from_bool(p.holds(v))));
                }
            }
            if kv.usage.ip {
                if let Some(crate::values::Cidr::V4(bits, _)) = crate::values::cidr(v) {
                    out.push(el.is_v4.clone());
                    out.push(el.ip4.eq(BV::from_u64(u64::from(bits), 32)));
                }
            }
            if kv.usage.boolean {
                out.push(el.boolean.eq(Bool::from_bool(v == "true")));
            }
        }
        fixed.push((kv.name.clone(), Some(v.to_string())));
    }
    (out, fixed)
}

/// The service prefix of a resource type: `AWS::S3::Bucket`, `s3:bucket` or `s3` → `s3`.
pub(crate) fn service_of(resource_type: &str) -> Result<String, SolverError> {
    let t = resource_type.trim();
    let service = if let Some(rest) = t.strip_prefix("AWS::") {
        rest.split("::").next().unwrap_or("")
    } else {
        t.split(':').next().unwrap_or("")
    };
    if service.is_empty()
        || !service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(SolverError::Usage(format!(
            "resource type `{resource_type}`: expected a form such as `AWS::S3::Bucket` or `s3`"
        )));
    }
    Ok(service.to_ascii_lowercase())
}

/// Requests from an outsider that `stack` (a resource policy) allows on the resource type's
/// service.
pub fn find_public(
    stack: &Stack,
    resource_type: &str,
    catalogue: &crate::Catalogue,
    opts: &Options,
) -> Result<AllowedRequests, SolverError> {
    let deadline = Instant::now() + opts.timeout;
    let actions = vec![format!("{}:*", service_of(resource_type)?)];
    let engine = engine_for(&[stack], &actions, &[], catalogue, opts);
    if !engine.vocab.uses_principal {
        return Err(SolverError::Usage(
            "no statement has a Principal element: no-public-access needs a resource policy"
                .to_string(),
        ));
    }
    let outsider_ids: Vec<usize> = outsiders()
        .iter()
        .filter_map(|o| engine.vocab.principals.iter().position(|p| p == o))
        .collect();
    let who: Vec<Bool> = outsider_ids
        .iter()
        .map(|&k| engine.principal_is(k))
        .collect();
    let (mut goal, fixed) = outsider_constraints(&engine);
    goal.push(engine.allows(stack));
    goal.push(engine.action_in(&actions));
    goal.push(Bool::or(&who));
    let goal = Bool::and(&goal);
    let found = enumerate(
        &engine,
        &goal,
        deadline,
        opts,
        fixed,
        &|r| stack.allows(r),
        "the resource policy allows an outsider",
    )?;
    Ok(AllowedRequests {
        found,
        approximations: crate::prove::approximations(&engine),
    })
}

#[cfg(test)]
mod tests {
    use super::service_of;

    #[test]
    fn resource_types_name_their_service() {
        assert_eq!(service_of("AWS::S3::Bucket").unwrap(), "s3");
        assert_eq!(service_of("sqs").unwrap(), "sqs");
        assert_eq!(service_of("kms:key").unwrap(), "kms");
        assert!(service_of("").is_err());
    }
}
