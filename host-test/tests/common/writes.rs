//! Assertions on what every write action reports (`changed`, `dry_run`, `plan`, `completed`;
//! see docs/outputs.md), shared by the wiremock test files.

use serde_json::{Value, json};

/// Asserts `out` reports a real (not dry) write that changed something by exactly one request,
/// `method path` with `body`, carried out with Docker's `status`.
pub fn assert_one_step(out: &Value, method: &str, path: &str, body: Option<Value>, status: u16) {
    assert_eq!((&out["changed"], &out["dry_run"]), (&json!(true), &json!(false)), "{out}");
    let plan = out["plan"].as_array().expect("plan");
    assert_eq!(plan.len(), 1, "{out}");
    assert_eq!((&plan[0]["step"], &plan[0]["method"], &plan[0]["path"]), (&json!(1), &json!(method), &json!(path)));
    assert_eq!(plan[0].get("body").cloned(), body, "{out}");
    let completed = out["completed"].as_array().expect("completed");
    assert_eq!(completed.len(), 1, "{out}");
    assert_eq!((&completed[0]["method"], &completed[0]["path"]), (&json!(method), &json!(path)));
    assert_eq!(completed[0]["status"], status, "{out}");
}

/// Asserts `out` reports that nothing was (or would be) changed: no plan, nothing completed.
pub fn assert_unchanged(out: &Value) {
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(out["plan"], json!([]), "{out}");
    assert_eq!(out["completed"], json!([]), "{out}");
}

/// Asserts `out` is a dry run planning exactly `method path` and carrying out nothing.
pub fn assert_dry_run(out: &Value, method: &str, path: &str) {
    assert_eq!((&out["changed"], &out["dry_run"]), (&json!(true), &json!(true)), "{out}");
    let plan = out["plan"].as_array().expect("plan");
    assert_eq!(plan.len(), 1, "{out}");
    assert_eq!((&plan[0]["method"], &plan[0]["path"]), (&json!(method), &json!(path)), "{out}");
    assert_eq!(out["completed"], json!([]), "{out}");
}
