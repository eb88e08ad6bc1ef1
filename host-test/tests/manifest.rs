//! The manifest (`describe`): every action is documented, every example input validates against
//! the action's generated input schema and runs successfully against the simulator, and the flags
//! say the truth (a read-only action sends no write).

use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

fn manifest() -> Value {
    let runtime = Runtime::embedded(RuntimeConfig::default()).unwrap();
    serde_json::from_str(&runtime.describe().unwrap()).unwrap()
}

#[test]
fn every_action_has_a_title_description_scopes_flags_and_schema() {
    let m = manifest();
    let actions = m["actions"].as_array().unwrap();
    assert!(actions.len() >= 29, "{}", actions.len());
    for a in actions {
        let name = a["name"].as_str().unwrap();
        assert!(a["title"].as_str().is_some_and(|t| !t.is_empty()), "{name}");
        assert!(a["description"].as_str().is_some_and(|d| d.len() > 40), "{name}: describe it properly");
        assert!(a["scopes"].is_array(), "{name}");
        for flag in ["read_only", "destructive", "idempotent"] {
            assert!(a[flag].is_boolean(), "{name}.{flag}");
        }
        assert!(
            !(a["read_only"] == true && a["destructive"] == true),
            "{name} cannot be both read-only and destructive"
        );
        assert_eq!(a["input_schema"]["type"], "object", "{name}");
    }
}

#[test]
fn every_example_validates_against_its_input_schema() {
    for a in manifest()["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let validator =
            jsonschema::validator_for(&a["input_schema"]).unwrap_or_else(|e| panic!("{name}: bad schema: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(&a["example"]).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}: example does not fit its schema: {errors:?}");
    }
}

#[test]
fn schemas_refuse_what_the_action_refuses() {
    let m = manifest();
    let find = |n: &str| m["actions"].as_array().unwrap().iter().find(|a| a["name"] == n).unwrap().clone();
    let list = find("list-members");
    let validator = jsonschema::validator_for(&list["input_schema"]).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({"role": ""})), "a role is a core role or a custom role's name");
    assert!(!validator.is_valid(&serde_json::json!({"role": 3})), "a role is text");
    assert!(validator.is_valid(&serde_json::json!({"role": "release-manager"})), "a custom role's name");
    assert!(!validator.is_valid(&serde_json::json!({"unknown": 1})), "unknown fields are refused");
}

#[test]
fn every_example_runs_against_the_simulator_and_read_only_actions_only_read() {
    for a in manifest()["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        // A fresh organization per action, so one example's changes never affect another's.
        let sim = Simulator::start(SimulatorConfig::default()).unwrap();
        let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(sim.url()).unwrap();
        let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).unwrap();
        let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url()));
        let outcome = runtime.call(name, &a["example"].to_string(), &secrets).unwrap();
        let output = match outcome {
            Ok(text) => text,
            Err(e) => panic!("{name} example failed: {}: {}", error_kind(&e), error_message(&e)),
        };
        let value: Value = serde_json::from_str(&output).unwrap();
        assert!(value.is_object(), "{name}: output is a JSON object");
        // Every nested level is checked against `output_schema` in tests/contract.rs.
        if a["read_only"] == true {
            let writes: Vec<String> = runtime
                .http()
                .sent()
                .iter()
                .filter(|r| r.method != "GET" && !r.url.ends_with("/v2/auth/token"))
                .map(|r| format!("{} {}", r.method, r.url))
                .collect();
            assert!(writes.is_empty(), "{name} is read-only but sent {writes:?}");
        }
    }
}
