//! Statements AWS would refuse to store, and how iamlogic evaluates them when the data has
//! them anyway (a hand-written fixture, a document edited outside AWS).
//!
//! IAM User Guide, "AWS JSON policy elements: Principal": "You must use the `Principal`
//! element in resource-based policies" (and in role trust policies). AWS rejects such a
//! policy (`MalformedPolicyDocument`), so a resource-policy statement without `Principal`
//! or `NotPrincipal` never grants anything to anyone: iamlogic warns when it loads one
//! (naming the file and JSON path) and makes it match no caller, instead of reading the
//! missing element as "everyone".

use crate::policy::{Policy, PrincipalClause, Principals};

/// The positions (in `Statement`) of the statements of resource-based policy `p` that
/// have neither `Principal` nor `NotPrincipal`.
pub fn statements_without_principal(p: &Policy) -> Vec<usize> {
    p.statements
        .iter()
        .filter(|s| s.principal.is_none())
        .map(|s| s.index)
        .collect()
}

/// `p` as a resource-based policy is evaluated: every statement without a principal element
/// names no caller (an empty `Principal`), so it applies to no request.
pub fn as_resource_policy(mut p: Policy) -> Policy {
    for s in &mut p.statements {
        if s.principal.is_none() {
            s.principal = Some(PrincipalClause::Principal(Principals::Specific(Vec::new())));
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Context, Request, RequestPrincipal};

    #[test]
    fn resource_statement_without_principal_matches_no_one_principal_element() {
        let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "*"}]});
        let p = crate::parse::parse_policy_value(&doc).unwrap();
        assert_eq!(statements_without_principal(&p), vec![0]);
        let p = as_resource_policy(p);
        let req = |action: &str| Request {
            principal: RequestPrincipal::Anonymous,
            action: action.into(),
            resource: "arn:aws:s3:::b/k".into(),
            context: Context::new(),
        };
        let [first, second] = [&p.statements[0], &p.statements[1]];
        assert!(!crate::eval::statement_applies(
            &p,
            first,
            &req("s3:GetObject")
        ));
        assert!(crate::eval::statement_applies(
            &p,
            second,
            &req("s3:ListBucket")
        ));
        assert!(statements_without_principal(&p).is_empty());
    }
}
