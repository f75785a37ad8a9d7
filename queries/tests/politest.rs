//! Data-driven decision test: the 71 cases of `../shared/corpus/eval-politest/cases.flat.json`,
//! whose expectations were checked against AWS's own policy simulator. The
//! `test/scenarios/fail-*` scenarios are excluded: their expectations are deliberately
//! wrong (none are in the flat file today; the filter keeps it that way).
//!
//! The corpus' boundary field holds SCPs merged into one policy, as that tool sends them to
//! AWS's simulator as a permissions boundary; it is given to iamlogic as a boundary too.

use std::path::Path;

use queries::scenario::{run_scenarios, scenario_from_value, Scenario};
use serde_json::{json, Map, Value};

/// One corpus case as an iamlogic scenario object (docs/simulate.md).
fn scenario_of(case: &Map<String, Value>) -> Value {
    let mut s = Map::new();
    s.insert("action".into(), case["action"].clone());
    s.insert("resource".into(), case["resource"].clone());
    if let Some(p) = case.get("identity_policy").filter(|v| !v.is_null()) {
        s.insert("identityPolicies".into(), json!([p]));
    }
    if let Some(p) = case
        .get("permissions_boundary_merged_scps")
        .filter(|v| !v.is_null())
    {
        s.insert("permissionBoundary".into(), p.clone());
    }
    if let Some(p) = case.get("resource_policy").filter(|v| !v.is_null()) {
        s.insert("resourcePolicy".into(), p.clone());
    }
    if let Some(Value::String(c)) = case.get("caller_arn") {
        s.insert("principal".into(), json!(c));
    }
    if let Some(Value::String(owner)) = case.get("resource_owner") {
        // `arn:aws:iam::222222222222:root` → the owning account id.
        let acct = owner.split(':').nth(4).unwrap_or_default();
        s.insert("resourceAccount".into(), json!(acct));
    }
    if let Some(Value::Array(entries)) = case.get("context") {
        let mut ctx = Map::new();
        for e in entries {
            let name = e["ContextKeyName"].as_str().unwrap().to_string();
            let ty = e["ContextKeyType"].as_str().unwrap_or("string");
            let values = e["ContextKeyValues"].as_array().unwrap();
            // AWS's simulator: `...List` types are multivalued keys.
            let v = if ty.ends_with("List") {
                Value::Array(values.clone())
            } else {
                values[0].clone()
            };
            ctx.insert(name, v);
        }
        s.insert("context".into(), Value::Object(ctx));
    }
    Value::Object(s)
}

#[test]
fn politest_cases_match_aws_simulator() {
    let Some(path) = facts::corpus::corpus_path("eval-politest/cases.flat.json") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cases: Vec<Map<String, Value>> = serde_json::from_str(&text).unwrap();
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| {
            !c["scenario_file"]
                .as_str()
                .unwrap_or_default()
                .contains("/fail-")
        })
        .collect();
    assert_eq!(cases.len(), 71, "the corpus should hold 71 non-fail cases");
    let scenarios: Vec<Scenario> = cases
        .iter()
        .map(|c| scenario_from_value(&scenario_of(c), Path::new("cases.flat.json"), "$").unwrap())
        .collect();
    // All cases in one batch: one Datalog run.
    let results = run_scenarios(&scenarios);
    assert_eq!(results.len(), cases.len());
    let mut failures = Vec::new();
    for (c, r) in cases.iter().zip(&results) {
        let want = c["expected"].as_str().unwrap();
        if r.decision.name() != want {
            failures.push(format!(
                "{}: expected {want}, got {} (matched {:?}, missing {:?})",
                c["id"],
                r.decision.name(),
                r.matched,
                r.missing
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn politest_cases_decide_the_same_one_by_one_as_in_a_batch() {
    // Batching must not change decisions: request ids keep requests apart.
    let Some(path) = facts::corpus::corpus_path("eval-politest/cases.flat.json") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cases: Vec<Map<String, Value>> = serde_json::from_str(&text).unwrap();
    let scenarios: Vec<Scenario> = cases
        .iter()
        .map(|c| scenario_from_value(&scenario_of(c), Path::new("cases.flat.json"), "$").unwrap())
        .collect();
    let batch = run_scenarios(&scenarios);
    for (s, b) in scenarios.iter().zip(&batch) {
        let single = run_scenarios(std::slice::from_ref(s));
        assert_eq!(&single[0], b);
    }
}
