//! Resources a real request could name: the catalogue's ARN formats of an action's resource
//! types, filled in consistently with the request, and the class member that acts on a
//! resource (Service Authorization Reference, "Actions, resources, and condition keys": the
//! resource types column of each action; an action with no resource type takes `*`).

use facts::catalogue::Catalogue;
use facts::condition::eval::compare;
use facts::condition::BaseOperator;
use facts::request::{Context, ContextValue, RequestPrincipal};

use crate::actions::ActionDomain;
use crate::within_format::within_format;

/// The account a resource example lives in when nothing in the request says otherwise.
const DEFAULT_ACCOUNT: &str = "111122223333";
/// The region a resource example lives in when the request names none.
const DEFAULT_REGION: &str = "us-east-1";

/// Whether `resource` is one `action` acts on: for a catalogue action with resource types, the
/// catalogue says it acts on it (`Action::acts_on`: the most specific type the ARN has is one
/// of the action's) and the ARN has one of their formats field by field (`ArnLike`, IAM User
/// Guide, "IAM JSON policy elements: Condition operators", "Amazon Resource Name (ARN)
/// condition operators": each of the six colon-delimited fields is matched separately, so
/// that `arn:aws:apigateway:ssm::/x:document/` is no SSM document); for a catalogue action without
/// one, `*`. `true` for an action outside the catalogue (nothing to check it against).
///
/// Each placeholder of the format must stand for a value a real resource has there
/// ([`has_format`]): the glob's `*` would let `arn:aws:s3:::reports/:accesspoint/` pass as a
/// bucket, which no bucket name is.
pub(crate) fn acted_on(action: &str, resource: &str) -> bool {
    let Some(a) = Catalogue::get().action(action) else {
        return true;
    };
    let mut types = a.resource_types().map(|r| r.resource_type).peekable();
    if types.peek().is_none() {
        return resource == "*";
    }
    resource != "*"
        && a.acts_on(resource)
        && types.any(|t| {
            t.arn_globs().zip(t.arn_formats()).any(|(g, f)| {
                compare(BaseOperator::ArnLike, g, resource) && has_format(f, resource)
            })
        })
}

/// Whether `resource` has the ARN format `format` (`arn:${Partition}:s3:::${BucketName}`):
/// its literal text as is, and each placeholder (`${BucketName}`, `${AccessPointName}`...)
/// a non-empty value without `:`, and without `/` unless it is the format's last
/// placeholder and follows a `/` (an object key, a path: `${ObjectName}`,
/// `${RoleNameWithPath}`).
pub(crate) fn has_format(format: &str, resource: &str) -> bool {
    // The format as literal pieces and placeholders (`true`: the value may hold `/`).
    let mut parts: Vec<Result<&str, bool>> = Vec::new();
    let mut rest = format;
    while let Some((before, after)) = rest.split_once("${") {
        if !before.is_empty() {
            parts.push(Ok(before));
        }
        let Some((_, tail)) = after.split_once('}') else {
            return false;
        };
        parts.push(Err(false));
        rest = tail;
    }
    if !rest.is_empty() {
        parts.push(Ok(rest));
    }
    if let Some(i) = parts.iter().rposition(Result::is_err) {
        let after_slash = i > 0 && matches!(parts[i - 1], Ok(lit) if lit.ends_with('/'));
        parts[i] = Err(after_slash);
    }
    matches_parts(&parts, resource)
}

fn matches_parts(parts: &[Result<&str, bool>], s: &str) -> bool {
    match parts.split_first() {
        None => s.is_empty(),
        Some((Ok(lit), rest)) => s
            .strip_prefix(lit)
            .is_some_and(|tail| matches_parts(rest, tail)),
        Some((Err(slash_ok), rest)) => {
            // The value: a non-empty prefix of `s` without `:` (nor `/` unless allowed).
            let stop = s
                .find(|c: char| c == ':' || (c == '/' && !slash_ok))
                .unwrap_or(s.len());
            (1..=stop)
                .rev()
                .filter(|&n| s.is_char_boundary(n))
                .any(|n| matches_parts(rest, &s[n..]))
        }
    }
}

fn single<'c>(ctx: &'c Context, key: &str) -> Option<&'c str> {
    match ctx.get(key) {
        Some(ContextValue::Single(v)) => Some(v.as_str()),
        _ => None,
    }
}

/// The account of the resource: `aws:ResourceAccount`, else the caller's account
/// (`aws:PrincipalAccount`, else the principal ARN's), else [`DEFAULT_ACCOUNT`].
fn account_of(ctx: &Context, principal: &RequestPrincipal) -> String {
    single(ctx, "aws:resourceaccount")
        .filter(|v| facts::arn::is_account_id(v))
        .or_else(|| single(ctx, "aws:principalaccount").filter(|v| facts::arn::is_account_id(v)))
        .map(str::to_string)
        .or(principal_account(principal).filter(|a| facts::arn::is_account_id(a)))
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string())
}

/// The account of an IAM principal's ARN; none for a service, anonymous or unparsable one.
fn principal_account(principal: &RequestPrincipal) -> Option<String> {
    match principal {
        RequestPrincipal::Aws { arn } => facts::arn::Arn::parse(arn).map(|a| a.account),
        _ => None,
    }
}

/// The region of the resource: `aws:RequestedRegion` when it has one value of a region's
/// shape, else [`DEFAULT_REGION`].
fn region_of(ctx: &Context) -> String {
    single(ctx, "aws:requestedregion")
        .filter(|r| {
            r.split('-').count() >= 3
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .unwrap_or(DEFAULT_REGION)
        .to_string()
}

/// The ARN formats of the action's resource types with the partition, region and account
/// filled in (`aws`, [`region_of`], [`account_of`]) and `other` for every other placeholder,
/// the plainest first (an S3 object before an object through an access point); `None` for
/// an action outside the catalogue.
fn filled_formats(
    action: &str,
    ctx: &Context,
    principal: &RequestPrincipal,
    other: &str,
) -> Option<Vec<String>> {
    let a = Catalogue::get().action(action)?;
    let account = account_of(ctx, principal);
    let region = region_of(ctx);
    let mut out: Vec<String> = a
        .resource_types()
        .flat_map(|r| r.resource_type.arn_formats())
        .map(|f| fill(f, &region, &account, other))
        .collect();
    out.sort_by_key(String::len);
    out.dedup();
    Some(out)
}

/// Resources of the shape the action's resource types have ([`filled_formats`], every other
/// field `example`); `*` for a catalogue action that has no resource type. Empty for an
/// action outside the catalogue.
pub(crate) fn resource_examples(
    action: &str,
    ctx: &Context,
    principal: &RequestPrincipal,
) -> Vec<String> {
    let mut examples = filled_formats(action, ctx, principal, "example").unwrap_or_default();
    if examples.is_empty() && Catalogue::get().action(action).is_some() {
        examples.push("*".to_string());
    }
    examples
}

/// Resources of the action's own types to try for a request whose model named another
/// (Service Authorization Reference: the action's resource types and their ARN formats),
/// in three groups, in this order:
///
/// 1. for each resource pattern in `patterns` (those the model says the resource matches,
///    as automaton tokens under the request's variable values), each ARN format of the
///    action's types built inside it ([`within_format`]: `arn:aws:s3:::reports/*` gives
///    `arn:aws:s3:::reports/example`), with the request's region and account;
/// 2. `examples` (the formats filled in, [`resource_examples`]), then the same formats with
///    each account the request names (`aws:ResourceAccount`, `aws:PrincipalAccount`, the
///    principal's, `111122223333`) and region (`aws:RequestedRegion`, `us-east-1`);
/// 3. `others` (the policies' own resources).
///
/// Not all are resources the action acts on: the caller checks each it tries with
/// [`acted_on`] (`*` alone passes for an action without resource types). Nothing for an
/// action outside the catalogue.
pub(crate) fn own_type_resources(
    action: &str,
    ctx: &Context,
    principal: &RequestPrincipal,
    patterns: &[Vec<crate::automata::Tok>],
    examples: &[String],
    others: impl Iterator<Item = String>,
) -> [Vec<String>; 3] {
    let Some(a) = Catalogue::get().action(action) else {
        return Default::default();
    };
    let formats: Vec<&str> = a
        .resource_types()
        .flat_map(|r| r.resource_type.arn_formats())
        .collect();
    let account = account_of(ctx, principal);
    let region = region_of(ctx);
    let mut built: Vec<String> = Vec::new();
    for p in patterns {
        for f in &formats {
            built.extend(within_format(f, p, &region, &account));
        }
    }
    let mut out: Vec<String> = examples.to_vec();
    let mut accounts: Vec<String> = ["aws:resourceaccount", "aws:principalaccount"]
        .iter()
        .filter_map(|k| single(ctx, k).map(str::to_string))
        .chain(principal_account(principal))
        .collect();
    accounts.push(DEFAULT_ACCOUNT.to_string());
    let regions: Vec<String> = single(ctx, "aws:requestedregion")
        .map(str::to_string)
        .into_iter()
        .chain([region.clone(), DEFAULT_REGION.to_string()])
        .collect();
    for f in &formats {
        for acc in &accounts {
            for reg in &regions {
                out.push(fill(f, reg, acc, "example"));
            }
        }
    }
    [built, out, others.collect()]
}

/// An ARN format with its placeholders filled: partition `aws`, `region`, `account`, `other`
/// for every other placeholder.
fn fill(format: &str, region: &str, account: &str, other: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        let (name, tail) = after.split_once('}').unwrap_or((after, ""));
        out.push_str(match name {
            "Partition" => "aws",
            "Region" => region,
            "Account" => account,
            _ => other,
        });
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// A catalogue action of class `class` that acts on `resource` (an ARN of its service; see
/// [`acted_on`]).
pub(crate) fn member_acting_on(
    actions: &ActionDomain,
    class: usize,
    resource: &str,
) -> Option<String> {
    let service = resource.split(':').nth(2).filter(|s| !s.is_empty())?;
    let prefix = format!("{service}:");
    actions
        .member_names(class)
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .find(|n| Catalogue::get().action(n).is_some() && acted_on(n, resource))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(arn: &str) -> RequestPrincipal {
        RequestPrincipal::Aws {
            arn: arn.to_string(),
        }
    }

    #[test]
    fn examples_take_the_callers_account_and_region_service_authorization_reference() {
        // Service Authorization Reference, "Actions, resources, and condition keys for AWS
        // Key Management Service": kms:Decrypt acts on `key`
        // (arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}).
        let mut ctx = Context::new();
        ctx.insert(
            "aws:requestedregion",
            ContextValue::Single("eu-west-1".to_string()),
        );
        let p = aws("arn:aws:iam::444455556666:user/alice");
        let ex = resource_examples("kms:Decrypt", &ctx, &p);
        assert!(
            ex.contains(&"arn:aws:kms:eu-west-1:444455556666:key/example".to_string()),
            "{ex:?}"
        );
        assert!(ex.iter().all(|r| acted_on("kms:Decrypt", r)), "{ex:?}");
        // aws:ResourceAccount wins over the caller's account.
        ctx.insert(
            "aws:resourceaccount",
            ContextValue::Single("777788889999".to_string()),
        );
        let ex = resource_examples("kms:Decrypt", &ctx, &p);
        assert!(ex.iter().all(|r| r.contains(":777788889999:")), "{ex:?}");
    }

    #[test]
    fn an_action_without_resource_types_takes_star_service_authorization_reference() {
        // Service Authorization Reference, "Actions, resources, and condition keys for AWS
        // Identity and Access Management": iam:ListRoles has no resource type.
        let ex = resource_examples(
            "iam:ListRoles",
            &Context::new(),
            &RequestPrincipal::Anonymous,
        );
        assert_eq!(ex, ["*"]);
        assert!(acted_on("iam:ListRoles", "*"));
        assert!(!acted_on("kms:Decrypt", "*"));
        // Field by field: another service's ARN whose fields, run together, would match.
        assert!(acted_on(
            "ssm:GetDocument",
            "arn:aws:ssm:us-east-1:111122223333:document/example"
        ));
        assert!(!acted_on(
            "ssm:GetDocument",
            "arn:aws:apigateway:ssm::/apis/:document/"
        ));
        assert!(!acted_on(
            "iam:ListRoles",
            "arn:aws:iam::111122223333:role/r"
        ));
    }

    #[test]
    fn a_placeholder_stands_for_a_value_of_its_field_service_authorization_reference() {
        // Service Authorization Reference, "Actions, resources, and condition keys for
        // Amazon S3": ListBucket acts on `bucket` (arn:${Partition}:s3:::${BucketName}); a
        // bucket name has no `/` nor `:` (Amazon S3 User Guide, "Bucket naming rules"), and
        // this string is no access point ARN either.
        assert!(!acted_on(
            "s3:ListBucket",
            "arn:aws:s3:::reports/:accesspoint/"
        ));
        assert!(acted_on("s3:ListBucket", "arn:aws:s3:::reports"));
        assert!(!acted_on("s3:ListBucket", "arn:aws:s3:::"));
        // An object key, the format's last placeholder after a `/`, may hold `/`.
        assert!(acted_on("s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv"));
        assert!(!acted_on("s3:GetObject", "arn:aws:s3:::reports/"));
        assert!(!acted_on(
            "s3:GetObject",
            "arn:aws:s3:::reports/:accesspoint/x"
        ));
        // A role name with its path.
        assert!(acted_on(
            "iam:GetRole",
            "arn:aws:iam::111122223333:role/team/app"
        ));
        assert!(has_format(
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap"
        ));
        assert!(!has_format(
            "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}",
            "arn:aws:s3:::reports/:accesspoint/"
        ));
        assert!(!has_format(
            "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}",
            "arn:aws:dynamodb:us-east-1:111122223333:table/a/b/stream/s"
        ));
    }
}
