//! Test fixtures of the escalation modules: one account's GAAD loaded as the command loads
//! it, and requests decided through `simulate`, the engine every step relies on.

use crate::simulate::{AccountSimulator, RequestSpec, SimulationResult};

/// The account of the fixtures.
pub(crate) const ACCT: &str = "111122223333";

/// The ARN of IAM entity `kind/name` of [`ACCT`].
pub(crate) fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:{kind}/{name}")
}

/// Load a GAAD document (written to a temporary directory, read by the command's loader).
pub(crate) fn load(gaad: serde_json::Value) -> AccountSimulator {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gaad.json"), gaad.to_string()).expect("write");
    AccountSimulator::load(&[dir.path().to_path_buf()]).expect("load")
}

/// The engine's decision of `principal` doing `action` on `resource`, with no context.
pub(crate) fn decide(
    sim: &AccountSimulator,
    principal: &str,
    action: &str,
    resource: &str,
) -> SimulationResult {
    let spec = RequestSpec {
        principal: principal.to_string(),
        action: action.to_string(),
        resource: resource.to_string(),
        resource_account: None,
        context: std::sync::Arc::default(),
    };
    sim.simulate(&[spec], std::path::Path::new("<test>"))
        .expect("simulate")
        .remove(0)
}
