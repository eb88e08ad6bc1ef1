//! The workflow contract, checked for every action in the manifest through the real component on
//! the simulator: every output validates against its action's `output_schema` (all nested levels,
//! with a real JSON Schema validator); every write's dry run sends no write; every idempotent write
//! run twice succeeds the second time with `changed: false`.

mod common;

use common::sim::{Sim, sim};
use dockerhub_org_host::runtime::{error_kind, error_message};
use serde_json::{Value, json};

fn manifest() -> Value {
    serde_json::from_str(&sim().runtime.describe().unwrap()).unwrap()
}

fn actions() -> Vec<Value> {
    manifest()["actions"].as_array().unwrap().clone()
}

/// Validates `output` against `schema`, naming every violation and where it is.
fn assert_fits(name: &str, schema: &Value, output: &Value) {
    let validator = jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{name}: output_schema: {e}"));
    let errors: Vec<String> = validator.iter_errors(output).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{name}: output does not fit its output_schema: {errors:#?}\noutput: {output}");
}

/// An input with `dry_run` set as asked (the example, or `{}`).
fn with_dry_run(example: &Value, dry_run: bool) -> Value {
    let mut input = example.clone();
    input["dry_run"] = json!(dry_run);
    input
}

fn is_write_action(a: &Value) -> bool {
    a["read_only"] == false
}

#[test]
fn every_action_declares_an_output_schema_that_requires_its_top_level_fields() {
    for a in actions() {
        let name = a["name"].as_str().unwrap();
        let schema = &a["output_schema"];
        assert_eq!(schema["type"], "object", "{name}: output_schema is an object schema");
        assert!(schema["properties"].as_object().is_some_and(|p| !p.is_empty()), "{name}: properties");
        jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{name}: not a valid JSON Schema: {e}"));
    }
}

#[test]
fn every_example_output_validates_against_its_output_schema() {
    for a in actions() {
        let name = a["name"].as_str().unwrap();
        let s = sim();
        let out = s.ok(name, &a["example"]);
        assert_fits(name, &a["output_schema"], &out);
    }
}

#[test]
fn every_write_declares_dry_run_and_changed() {
    for a in actions().iter().filter(|a| is_write_action(a)) {
        let name = a["name"].as_str().unwrap();
        assert!(a["input_schema"]["properties"]["dry_run"].is_object(), "{name}: input has dry_run");
        assert!(a["output_schema"]["properties"]["changed"].is_object(), "{name}: output has changed");
        assert!(a["output_schema"]["properties"]["plan"].is_object(), "{name}: output has plan");
    }
}

#[test]
fn every_write_action_dry_run_sends_no_write_and_returns_the_plan() {
    let mut checked = 0;
    for a in actions().iter().filter(|a| is_write_action(a)) {
        let name = a["name"].as_str().unwrap();
        let s = sim();
        let before = s.sent();
        let out = s.ok(name, &with_dry_run(&a["example"], true));
        assert_eq!(s.writes_since(before), Vec::<String>::new(), "{name}: its dry run sent writes");
        assert_eq!(out["dry_run"], true, "{name}");
        assert_eq!(out["completed"], json!([]), "{name}: nothing completed in a dry run");
        let plan = out["plan"].as_array().unwrap_or_else(|| panic!("{name}: plan"));
        for step in plan {
            assert!(step["method"].is_string() && step["path"].as_str().is_some_and(|p| p.starts_with("/v2/")));
        }
        if out["changed"] == true {
            assert!(!plan.is_empty(), "{name}: a dry run that would change something shows the requests");
        }
        assert_fits(name, &a["output_schema"], &out);
        checked += 1;
    }
    assert!(checked >= 14, "{checked} write actions checked");
}

#[test]
fn every_idempotent_write_run_twice_succeeds_unchanged_the_second_time() {
    let mut checked = 0;
    for a in actions().iter().filter(|a| is_write_action(a) && a["idempotent"] == true) {
        let name = a["name"].as_str().unwrap();
        let s: Sim = sim();
        let input = with_dry_run(&a["example"], false);
        let first = s.ok(name, &input);
        assert_fits(name, &a["output_schema"], &first);
        // A removal whose target the first call removed is not-found the second time (a removal
        // that finds nothing never reports success), and re-run safely with missing_ok: true.
        let before = s.sent();
        let second = match s.call(name, &input) {
            Ok(text) => serde_json::from_str::<Value>(&text).unwrap(),
            Err(e) if error_kind(&e) == "not-found" && a["input_schema"]["properties"].get("missing_ok").is_some() => {
                assert!(
                    s.writes_since(before).iter().all(|w| w.starts_with("DELETE")),
                    "{name}: only a DELETE may be tried"
                );
                let mut input = input.clone();
                input["missing_ok"] = json!(true);
                match s.call(name, &input) {
                    Ok(text) => serde_json::from_str::<Value>(&text).unwrap(),
                    Err(e) => panic!(
                        "{name}: with missing_ok the second call failed ({}: {})",
                        error_kind(&e),
                        error_message(&e)
                    ),
                }
            }
            Err(e) => panic!(
                "{name}: the second identical call failed ({}: {}); first output: {first}",
                error_kind(&e),
                error_message(&e)
            ),
        };
        assert_eq!(second["changed"], false, "{name}: second call says changed: {second}");
        let done: Vec<&Value> =
            second["completed"].as_array().unwrap().iter().filter(|c| c["outcome"] != "already-done").collect();
        assert!(done.is_empty(), "{name}: nothing was carried out the second time: {done:?}");
        // A second call either reads first and sends nothing, or sends an idempotent DELETE that
        // Docker answers 404 (already gone): never a write that changes anything.
        for write in s.writes_since(before) {
            assert!(write.starts_with("DELETE"), "{name}: the second call sent {write}");
        }
        assert_fits(name, &a["output_schema"], &second);
        checked += 1;
    }
    assert!(checked >= 10, "{checked} idempotent writes checked");
}

#[test]
fn non_idempotent_writes_are_declared_so_for_a_reason() {
    // create-team: the name is taken the second time; invite-members and resend-invite send
    // email each time; api-request may be anything.
    let not: Vec<String> = actions()
        .iter()
        .filter(|a| is_write_action(a) && a["idempotent"] == false)
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(not, ["invite-members", "resend-invite", "create-team", "api-request"]);
}

#[test]
fn every_demo_step_output_validates_against_its_actions_output_schema() {
    let schemas: std::collections::BTreeMap<String, Value> =
        actions().into_iter().map(|a| (a["name"].as_str().unwrap().to_string(), a["output_schema"].clone())).collect();
    let report = dockerhub_org_host::demo::run(&mut std::io::sink()).unwrap();
    assert!(report.passed, "the demo passes");
    let mut checked = 0;
    for step in &report.steps {
        if let Some(output) = &step.output {
            assert_fits(&format!("demo: {}", step.title), &schemas[&step.action], output);
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} demo outputs checked");
}
