//! `no-public-access`: can an anonymous caller, or a caller from an unknown account, reach
//! the resource under conditions such an outsider can satisfy?
//!
//! The rule is the one of the Amazon S3 User Guide, "The meaning of public": a policy is
//! non-public only when it grants access to FIXED values of the principal, account,
//! organization or source keys (a value with no wildcard; for ARN keys, an ARN whose account
//! field has no wildcard). So the outsider here
//!
//! * has, for the *pinning* keys (`aws:PrincipalAccount`, `aws:PrincipalArn`,
//!   `aws:PrincipalOrgID`, `aws:SourceArn`, `aws:SourceVpce`, ...), a value that is none of
//!   the fixed values the policy names, and otherwise any value it likes (a wildcard value
//!   such as `1*` or `arn:aws:iam::*:role/x` does not keep it out);
//! * chooses freely every other key, including `aws:PrincipalTag/*` and `aws:username`
//!   (callers set their own tags and name their own users);
//! * when anonymous, carries none of the identity keys (`aws:Principal*`, `aws:userid`,
//!   `aws:username`, `kms:CallerAccount`): AWS only sets them for authenticated callers
//!   (IAM User Guide, "AWS global condition context keys").
//!
//! The pinning keys and what counts as a fixed value are defined once, in `facts::public`,
//! which the concrete S3 Block Public Access check (`RestrictPublicBuckets`) also uses.

use std::time::Instant;

use facts::request::{ContextValue, Request, RequestPrincipal};
use z3::ast::{Bool, BV};

use crate::encode::Engine;
use crate::prove::{engine_for, enumerate, outsiders, AllowedRequests, Options};
use crate::stack::Stack;
use crate::strings::StrPred;
use crate::SolverError;

/// Keys whose fixed values keep an outsider out: the one list of `facts::public`.
fn pinning(key: &str) -> bool {
    facts::public::pinning_key(key)
}

/// Keys AWS sets only for an authenticated caller: absent for an anonymous one.
fn identity(key: &str) -> bool {
    key.starts_with("aws:principaltag/")
        || matches!(
            key,
            "aws:principalorgid"
                | "aws:principalorgpaths"
                | "aws:principalaccount"
                | "aws:principalarn"
                | "aws:userid"
                | "aws:username"
                | "kms:calleraccount"
        )
}

/// Whether a condition value names a fixed identity ("The meaning of public"), decided by
/// `facts::public::fixed_value`, the definition the concrete S3 Block Public Access check uses.
fn fixed_value(p: &StrPred) -> bool {
    match p {
        StrPred::Cond {
            op,
            key,
            value,
            variables,
        } => facts::public::fixed_value(*op, key, value, *variables),
        StrPred::Resource { .. } => p.literal().is_some(),
    }
}

/// The value an outsider has for a key that is neither pinning nor free: where it comes from
/// and the fact that it is not an AWS service.
fn outsider_value(key: &str) -> Option<&'static str> {
    Some(match key {
        "aws:sourceip" | "aws:vpcsourceip" => "203.0.113.7",
        "aws:principalisawsservice" => "false",
        _ => return None,
    })
}

/// Constraints describing the outsider, and the fixed values for the decoder.
fn outsider_constraints(engine: &Engine, anonymous: &Bool) -> (Vec<Bool>, crate::search::Fixed) {
    let mut out = Vec::new();
    let mut fixed = Vec::new();
    for kv in &engine.keys {
        // The outsider is not an AWS service: AWS sets these only for service principals.
        if matches!(
            kv.name.as_str(),
            "aws:principalservicename" | "aws:principalservicenameslist"
        ) {
            out.push(kv.present.not());
            continue;
        }
        if identity(&kv.name) {
            out.push(anonymous.implies(kv.present.not()));
        }
        if pinning(&kv.name) {
            for el in &kv.elems {
                for (i, p) in kv.usage.strings.preds.iter().enumerate() {
                    if fixed_value(p) {
                        if let Some(a) = el.atoms.get(i) {
                            out.push(a.not());
                        }
                    }
                }
            }
            continue;
        }
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

/// Make a counterexample a request AWS could see: an authenticated outsider is the principal
/// its `aws:PrincipalArn` names, in the account its `aws:PrincipalAccount` names (the search
/// picks the shortest strings: an account `1` for `1*` becomes `100000000000`). Kept only when
/// the policy still allows the rewritten request; otherwise the request as found.
fn coherent(stack: &Stack, r: &Request) -> Request {
    let RequestPrincipal::Aws { .. } = r.principal else {
        return r.clone();
    };
    let single = |key: &str| {
        r.context.iter().find_map(|(k, v)| match v {
            ContextValue::Single(s) if k.eq_ignore_ascii_case(key) => Some(s.clone()),
            _ => None,
        })
    };
    let given_arn = single("aws:principalarn");
    let given_account = single("aws:principalaccount");
    if given_arn.is_none() && given_account.is_none() {
        return r.clone();
    }
    let account = match &given_account {
        Some(a) if a.len() < 12 && a.bytes().all(|b| b.is_ascii_digit()) => format!("{a:0<12}"),
        Some(a) => a.clone(),
        None => "999999999999".to_string(),
    };
    let arn = match &given_arn {
        Some(arn) => {
            let mut fields: Vec<&str> = arn.splitn(6, ':').collect();
            if let Some(acct) = fields.get_mut(4) {
                if acct.is_empty() {
                    *acct = &account;
                }
            }
            fields.join(":")
        }
        None => format!("arn:aws:iam::{account}:user/iamlogic-outsider"),
    };
    let Some(parsed) = facts::arn::Arn::parse(&arn) else {
        return r.clone();
    };
    let mut c = r.clone();
    if given_arn.is_some() {
        c.context
            .insert("aws:principalarn", ContextValue::Single(arn.clone()));
    }
    if given_account.is_some() {
        c.context.insert(
            "aws:principalaccount",
            ContextValue::Single(parsed.account.clone()),
        );
    }
    c.principal = RequestPrincipal::Aws { arn };
    if stack.allows(&c) {
        c
    } else {
        r.clone()
    }
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
    let service = service.to_ascii_lowercase();
    // CloudFormation type names whose service part is not the IAM prefix.
    let service = match service.as_str() {
        "efs" if t.starts_with("AWS::") => "elasticfilesystem".to_string(),
        "opensearchservice" | "elasticsearch" if t.starts_with("AWS::") => "es".to_string(),
        _ => service,
    };
    if facts::catalogue::Catalogue::get()
        .service(&service)
        .is_none()
    {
        return Err(SolverError::Usage(format!(
            "--resource-type `{resource_type}`: no service `{service}` in the action catalogue"
        )));
    }
    Ok(service)
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
    let anonymous = match engine
        .vocab
        .principals
        .iter()
        .position(|p| *p == RequestPrincipal::Anonymous)
    {
        Some(k) => engine.principal_is(k),
        None => Bool::from_bool(false),
    };
    let (mut goal, fixed) = outsider_constraints(&engine, &anonymous);
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
    let mut found = found;
    for e in &mut found.examples {
        e.request = coherent(stack, &e.request);
    }
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
        assert!(service_of("frob").is_err());
        assert_eq!(
            service_of("AWS::EFS::FileSystem").unwrap(),
            "elasticfilesystem"
        );
        assert_eq!(service_of("AWS::OpenSearchService::Domain").unwrap(), "es");
    }
}
