//! The keys AWS fills, as `AccountSimulator::simulate` fills them through shared context
//! layers (`facts::account::context::FillCache`: a described caller's own keys and those of
//! its account and kind, shared by every thread through `RoleNames`; a resource's keys or
//! those of its owning account), read exactly as
//! the reference filler `facts::account::context::fill_with` copies them into each request
//! (IAM User Guide, "AWS global condition context keys": the principal and resource keys
//! AWS adds to every request), on every request of a generated organization.

use std::path::PathBuf;
use std::sync::Arc;

use facts::account::context::{fill_with, FillCache, RoleNames};
use facts::request::{Context, ContextValue, Request, RequestPrincipal};
use queries::simulate::read_requests;

/// The matcher's principal for the callers the generator writes: ARNs, service principals
/// and `*`.
fn principal_of(text: &str) -> RequestPrincipal {
    if text == "*" {
        RequestPrincipal::Anonymous
    } else if text.starts_with("arn:") {
        RequestPrincipal::Aws {
            arn: text.to_string(),
        }
    } else {
        RequestPrincipal::Service {
            name: text.to_string(),
        }
    }
}

#[test]
fn layered_fill_reads_as_the_copying_fill_on_a_generated_organization() {
    let dir = tempfile::tempdir().unwrap();
    let spec = synth::Spec {
        accounts: 4,
        roles_per_account: 12,
        users_per_account: 6,
        requests: 3000,
        ..synth::Spec::default()
    };
    synth::generate(&spec, dir.path(), &mut || {}).unwrap();
    let model = facts::account::load(&[PathBuf::from(dir.path())]).unwrap();
    let roles = RoleNames::new(&model);
    let specs = read_requests(&dir.path().join("requests.jsonl")).unwrap();
    let mut cache = FillCache::new(&model, &roles);
    // A second cache over the same index, as a second thread has: the described callers'
    // keys are built once in the index and shared by both.
    let mut other = FillCache::new(&model, &roles);
    let mut layered_keys = 0;
    let mut given_service_keys = 0;
    for s in &specs {
        let principal = principal_of(&s.principal);
        let mut copied = Request {
            principal: principal.clone(),
            action: s.action.clone(),
            resource: s.resource.clone(),
            context: Context::clone(&s.context),
        };
        fill_with(&model, Some(&roles), &mut copied);
        let mut filled = Context::new();
        cache.fill(&principal, &s.action, &s.resource, &mut filled);
        let mut again = Context::new();
        other.fill(&principal, &s.action, &s.resource, &mut again);
        assert_eq!(again, filled, "{s:?}");
        let mut layered = Context::clone(&s.context);
        layered.merge_defaults(filled);
        // Every reading method agrees: lookup, iteration, length, equality, JSON.
        assert_eq!(layered, copied.context, "{s:?}");
        assert_eq!(layered.len(), copied.context.len());
        for (k, v) in copied.context.iter() {
            assert_eq!(layered.get(k), Some(v), "{k} of {s:?}");
            assert_eq!(layered.get(&k.to_ascii_uppercase()), Some(v));
        }
        assert_eq!(
            serde_json::to_string(&layered).unwrap(),
            serde_json::to_string(&copied.context).unwrap()
        );
        layered_keys += copied.context.len() - s.context.len();
        // As the batcher fills: into a context over the request's keys (shared as a layer,
        // not copied), the given keys winning; also when the request gives the global keys
        // the service keys copy (`kms:CallerAccount`, `s3:ResourceAccount` then take the
        // given value, as the copying fill gives them).
        for given in [false, true] {
            let mut request = copied.clone();
            request.context = Context::clone(&s.context);
            if given {
                for key in ["aws:PrincipalAccount", "AWS:ResourceAccount"] {
                    request
                        .context
                        .insert(key, ContextValue::Single("999999999999".to_string()));
                }
            }
            let mut direct = Context::over(Arc::new(request.context.clone()), 4);
            fill_with(&model, Some(&roles), &mut request);
            cache.fill(&principal, &s.action, &s.resource, &mut direct);
            assert_eq!(direct, request.context, "{s:?}");
            assert_eq!(direct.len(), request.context.len());
            for (k, v) in request.context.iter() {
                assert_eq!(direct.get(k), Some(v), "{k} of {s:?}");
            }
            assert_eq!(
                direct.iter().collect::<Vec<_>>(),
                request.context.iter().collect::<Vec<_>>()
            );
            if given && s.action.starts_with("kms:") {
                given_service_keys += 1;
                assert_eq!(
                    direct.get("kms:CallerAccount"),
                    Some(&ContextValue::Single("999999999999".to_string()))
                );
            }
        }
    }
    assert!(given_service_keys > 0);
    // The organization's callers and resources do get keys (org ids, paths, tags...).
    assert!(layered_keys > 10 * specs.len(), "{layered_keys}");
    assert!(specs.iter().any(|s| s.principal.contains("assumed-role")));
}
