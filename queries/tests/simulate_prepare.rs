//! `AccountSimulator::simulate` checks its requests and resolves their callers on every core
//! before deciding (`prepare_each`): a large call must decide each request as a call of that
//! request alone does, and report the first bad request in request order, whichever share
//! of the requests it falls in.

use std::path::{Path, PathBuf};

use queries::simulate::{read_requests, AccountSimulator, RequestSpec, SimulateError};

fn examples() -> (AccountSimulator, Vec<RequestSpec>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let sim = AccountSimulator::load(std::slice::from_ref(&dir)).expect("examples load");
    let specs = read_requests(&dir.join("requests.jsonl")).expect("examples' requests read");
    (sim, specs)
}

/// The example requests repeated to `n`, each new session of a role named anew, so that
/// the callers the data does not describe are added by the call.
fn many(specs: &[RequestSpec], n: usize) -> Vec<RequestSpec> {
    (0..n)
        .map(|i| {
            let mut s = specs[i % specs.len()].clone();
            if i % 3 == 0 {
                s.principal =
                    format!("arn:aws:sts::222222222222:assumed-role/DeployRole/session-{i}");
            }
            s
        })
        .collect()
}

#[test]
fn a_large_call_decides_each_request_as_a_call_of_it_alone() {
    let (sim, specs) = examples();
    let big = many(&specs, 5_000);
    let origin = PathBuf::from("<test>");
    let all = sim.simulate(&big, &origin).expect("requests decide");
    assert_eq!(all.len(), big.len());
    let allowed = all
        .iter()
        .filter(|r| r.decision == queries::simulate::Outcome::Allowed)
        .count();
    assert!(
        allowed > 0 && allowed < all.len(),
        "{allowed} of {}",
        all.len()
    );
    for i in (0..big.len()).step_by(97).chain([big.len() - 1]) {
        let alone = sim
            .simulate(std::slice::from_ref(&big[i]), &origin)
            .expect("one request decides");
        assert_eq!(alone[0], all[i], "request {}", i + 1);
    }
}

#[test]
fn the_first_bad_request_is_reported_whichever_share_it_is_in() {
    let (sim, specs) = examples();
    let origin = PathBuf::from("<test>");
    let path_of = |e: SimulateError| match e {
        SimulateError::Invalid { path, .. } => path,
        other => panic!("unexpected error {other}"),
    };
    // A malformed action late (in the last share) and a caller that is no principal early
    // (in the first share): the early one is reported.
    let mut big = many(&specs, 5_000);
    big[4_500].action = "not an action".to_string();
    big[1_200].principal = "not-a-principal".to_string();
    let err = sim.simulate(&big, &origin).expect_err("bad requests fail");
    assert_eq!(path_of(err), "request 1201: principal");
    // The late one alone is reported with its own field.
    big[1_200] = specs[0].clone();
    let err = sim
        .simulate(&big, &origin)
        .expect_err("a bad request fails");
    assert_eq!(path_of(err), "request 4501: action");
}
