//! The manifest's input schemas say what the input check says: for every action, inputs generated
//! from its schema (each property's bounds, enum values, example) and from the parser's rules
//! (blank, white space around, control characters, path separators and dot steps with their
//! percent-encodings, over-long text, wrong types, a field too many, exactly-one pairs given twice
//! or not at all) are run through the real component against the simulator; the schema refuses an
//! input exactly when the component answers `invalid-input` (both directions). Every schema
//! default is what the action does when the field is left out.

mod common;

use common::sim::{Sim, sim};
use dockerhub_org_host::runtime::{error_kind, error_message};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Map, Value, json};

fn manifest() -> Value {
    let runtime = Runtime::embedded(RuntimeConfig::default()).unwrap();
    serde_json::from_str(&runtime.describe().unwrap()).unwrap()
}

fn action(manifest: &Value, name: &str) -> Value {
    manifest["actions"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap().clone()
}

/// Resolves a local `$ref` against the action's schema.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    }
}

/// Every number bound and enum value a property's schema names (at any depth of its `anyOf`,
/// `oneOf` and references).
fn schema_values(root: &Value, schema: &Value, out: &mut Vec<Value>) {
    let schema = resolve(root, schema);
    for bound in ["minimum", "maximum"] {
        if let Some(n) = schema.get(bound).and_then(Value::as_i64) {
            out.extend([json!(n - 1), json!(n), json!(n + 1)]);
        }
    }
    if let Some(c) = schema.get("const") {
        out.push(c.clone());
    }
    if let Some(names) = schema.pointer("/items/enum").and_then(Value::as_array) {
        out.push(json!(names.iter().take(2).collect::<Vec<_>>()));
        out.push(json!([names[0], "no-such-field"]));
    }
    for key in ["anyOf", "oneOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            schema_values(root, branch, out);
        }
    }
}

/// What the parser's rules make worth trying in any field.
fn rule_values() -> Vec<Value> {
    let mut values = vec![
        Value::Null,
        json!(true),
        json!(false),
        json!(0),
        json!(1),
        json!(-1),
        json!(7),
        json!(1.5),
        json!("7"),
        json!(" 42 "),
        json!("+42"),
        json!("abc"),
        json!(""),
        json!("   "),
        json!("devs"),
        json!("  developers  "),
        json!("a/b"),
        json!("a\\b"),
        json!("a%2Fb"),
        json!("."),
        json!(".."),
        json!("%2e%2E"),
        json!("a..b"),
        json!("x\u{7}y"),
        json!("x\ty"),
        json!("x".repeat(255)),
        json!("x".repeat(256)),
        json!("ken.lovelace@example.com"),
        json!(" jo@example.com "),
        json!("not-an-email"),
        json!("2024-01-31T09:00:00Z"),
        json!("2024-01-31T10:00:00+01:00"),
        json!("2024-13-01T00:00:00Z"),
        json!("yesterday"),
        json!("e36eca69-4cc8-4f17-9845-ae8c2b832600"),
        json!("e36eca69-4cc8-4f17-9845"),
        json!("repo.tag.push"),
        json!("Repo.Tag"),
        json!("member"),
        json!("owner"),
        json!("BOGUS"),
        json!([]),
        json!(["moby"]),
        json!(["new.hire@example.com", "kenlovelace"]),
        json!([""]),
        json!(["a b"]),
        json!(["ok", "x\u{7}y"]),
        json!([1]),
        json!({}),
        json!({"x": 1}),
    ];
    values.push(Value::Array((0..1001).map(|i| json!(format!("user{i}"))).collect()));
    values.push(Value::Array((0..5001).map(|i| json!(format!("user{i}"))).collect()));
    values
}

/// The inputs tried for one action: the example, the example with each property changed to each
/// candidate (or left out), the empty input, and a field too many.
fn inputs(a: &Value) -> Vec<Value> {
    let schema = &a["input_schema"];
    let example = a["example"].as_object().cloned().unwrap_or_default();
    let properties = schema["properties"].as_object().cloned().unwrap_or_default();
    let mut out = vec![Value::Object(example.clone()), json!({})];
    let mut unknown = example.clone();
    unknown.insert("bogus".into(), json!(1));
    out.push(Value::Object(unknown));
    let rules = rule_values();
    for (name, property) in &properties {
        let mut values = rules.clone();
        schema_values(schema, property, &mut values);
        if let Some(v) = example.get(name) {
            values.push(v.clone());
        }
        let mut left_out = example.clone();
        if left_out.remove(name).is_some() {
            out.push(Value::Object(left_out));
        }
        for value in values {
            let mut input: Map<String, Value> = example.clone();
            input.insert(name.clone(), value);
            out.push(Value::Object(input));
        }
    }
    out
}

/// Rules between two fields that JSON Schema cannot state (it cannot compare two values): the
/// action, and the message that names the rule. The field's description says it in words.
const CROSS_FIELD_RULES: &[(&str, &str)] = &[("list-audit-logs", "the time window is empty")];

/// What the input check made of `input`.
enum Verdict {
    /// Accepted (whatever happened next).
    Accepted,
    /// Refused as invalid input before any request to Docker Hub (the token exchange aside).
    Refused(String),
    /// Refused as invalid input after Docker Hub answered: Docker's verdict (a 400) or one that
    /// depends on the organization's data (more members than a `max_items` cap), not the input's.
    RefusedByTheAnswer,
}

fn verdict(s: &Sim, name: &str, input: &Value) -> Verdict {
    s.runtime.http().take_sent();
    let outcome = s.runtime.call(name, &input.to_string(), &s.secrets).unwrap();
    let asked = s.runtime.http().take_sent().iter().any(|r| !r.url.ends_with("/v2/auth/token"));
    match outcome {
        Err(e) if error_kind(&e) == "invalid-input" && asked => Verdict::RefusedByTheAnswer,
        Err(e) if error_kind(&e) == "invalid-input" => Verdict::Refused(error_message(&e).to_string()),
        _ => Verdict::Accepted,
    }
}

fn short(input: &Value) -> String {
    let text = input.to_string();
    if text.len() > 160 { format!("{}… ({} bytes)", &text[..160], text.len()) } else { text }
}

#[test]
fn schema_and_parser_accept_and_refuse_the_same_inputs_for_every_action() {
    let m = manifest();
    let mut disagreements = Vec::new();
    let (mut checked, mut after_an_answer, mut cross_field) = (0, 0, 0);
    for a in m["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let validator = jsonschema::validator_for(&a["input_schema"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        // One organization per action: its writes never change what another action finds.
        let s = sim();
        for input in inputs(a) {
            checked += 1;
            let schema_ok = validator.is_valid(&input);
            let parser = match verdict(&s, name, &input) {
                Verdict::Accepted => None,
                Verdict::Refused(message) => Some(message),
                Verdict::RefusedByTheAnswer => {
                    after_an_answer += 1;
                    continue;
                }
            };
            match (schema_ok, parser) {
                (true, Some(message))
                    if CROSS_FIELD_RULES.iter().any(|(action, rule)| *action == name && message.contains(rule)) =>
                {
                    cross_field += 1;
                }
                (true, Some(message)) => disagreements
                    .push(format!("{name} {}: the schema accepts it, the action refuses: {message}", short(&input))),
                (false, None) => {
                    let why: Vec<String> = validator.iter_errors(&input).take(2).map(|e| e.to_string()).collect();
                    disagreements.push(format!(
                        "{name} {}: the schema refuses it ({}), the action accepts it",
                        short(&input),
                        why.join("; ")
                    ))
                }
                _ => {}
            }
        }
    }
    eprintln!(
        "{checked} inputs: {after_an_answer} refused by Docker Hub's answer (not the input check), {cross_field} by a \
         rule between two fields"
    );
    assert!(checked > 2000, "{checked} inputs");
    assert!(after_an_answer < checked / 20, "{after_an_answer} of {checked} inputs were judged by an answer");
    assert!(
        disagreements.is_empty(),
        "{} of {checked} inputs disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn the_issue_examples_fail_the_schema() {
    let m = manifest();
    let valid = |name: &str, input: Value| {
        jsonschema::validator_for(&action(&m, name)["input_schema"]).unwrap().is_valid(&input)
    };
    assert!(!valid("get-member", json!({})), "get-member {{}}");
    assert!(!valid("get-member", json!({"username": "a", "email": "a@example.com"})));
    assert!(valid("get-member", json!({"username": "a", "email": ""})), "blank is not given");
    assert!(!valid("list-members", json!({"page_size": 500})));
    assert!(valid("list-members", json!({"page_size": 100})));
    assert!(!valid("get-team", json!({})));
    assert!(!valid("get-team", json!({"team": "a", "team_id": 4})));
    assert!(!valid("invite-members", json!({"invitees": []})));
}

/// Removes the values a simulator takes from its clock: the `id` and `created_at` of what it creates.
fn steady(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("created_at");
            if map.get("id").and_then(Value::as_str).is_some_and(|id| id.starts_with("5e1a")) {
                map.remove("id");
            }
            map.values_mut().for_each(steady);
        }
        Value::Array(items) => items.iter_mut().for_each(steady),
        _ => {}
    }
}

#[test]
fn only_standard_formats_and_every_default_is_what_leaving_the_field_out_does() {
    let m = manifest();
    let text = m.to_string();
    for bad in ["\"uint\"", "\"uint32\"", "\"uint64\"", "\"int64\"", "\"int32\""] {
        assert!(!text.contains(&format!("\"format\":{bad}")), "non-standard format {bad} in the manifest");
    }
    let mut defaults = 0;
    for a in m["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let example = a["example"].as_object().cloned().unwrap_or_default();
        for (field, property) in a["input_schema"]["properties"].as_object().into_iter().flatten() {
            let Some(default) = property.get("default") else { continue };
            defaults += 1;
            let mut without = example.clone();
            without.remove(field);
            // A fixed moment, so that the two answers measure ages from the same clock.
            if a["input_schema"]["properties"].get("as_of").is_some() {
                without.insert("as_of".into(), json!("2026-12-01T00:00:00Z"));
            }
            let mut with = without.clone();
            with.insert(field.clone(), default.clone());
            // Each on an organization of its own, so a write by the first does not change the second.
            let outcome = |input: &Map<String, Value>| {
                let s = sim();
                // The simulator's address differs between the two: it is not part of the answer.
                let text = match s.runtime.call(name, &Value::Object(input.clone()).to_string(), &s.secrets).unwrap() {
                    Ok(text) => text,
                    Err(e) => json!({ "error": error_kind(&e), "message": error_message(&e) }).to_string(),
                };
                let mut value =
                    common::without_meta(serde_json::from_str(&text.replace(s.sim.url(), "SIMULATOR")).unwrap());
                // What the simulator makes from its clock (a new invite's id and time).
                steady(&mut value);
                value
            };
            assert_eq!(outcome(&without), outcome(&with), "{name}: \"{field}\" left out is not \"{field}\": {default}");
        }
    }
    assert!(defaults >= 30, "{defaults} defaults");
}

/// An input error points to the field (a JSON pointer), says what it takes in words, never a Rust
/// type, and gives the fix when one is known.
#[test]
fn input_errors_point_to_the_field_say_what_it_takes_and_how_to_fix_it() {
    let s = sim();
    let refuse = |name: &str, input: Value| -> (String, Value) {
        match s.runtime.call(name, &input.to_string(), &s.secrets).unwrap() {
            Err(e) => {
                assert_eq!(error_kind(&e), "invalid-input", "{name} {input}");
                let detail = dockerhub_org_host::runtime::error_detail(&e).map(|d| serde_json::from_str(d).unwrap());
                (error_message(&e).to_string(), detail.unwrap_or(Value::Null))
            }
            Ok(out) => panic!("{name} {input} was accepted: {out}"),
        }
    };
    let (message, detail) = refuse("list-members", json!({"page_size": "lots"}));
    assert!(message.contains("a whole number from 1 to 100") && !message.contains("u32"), "{message}");
    assert_eq!((&detail["field"], &detail["expected"]), (&json!("/page_size"), &json!("a whole number from 1 to 100")));
    let (_, detail) = refuse("list-members", json!({"page_size": 500}));
    assert_eq!(detail["field"], "/page_size", "{detail}");
    let (_, detail) = refuse("get-member", json!({}));
    assert_eq!(detail["field"], "/username", "{detail}");
    assert!(detail["expected"].as_str().unwrap().contains("exactly one"), "{detail}");
    assert!(detail["hints"][0].as_str().unwrap().contains("\"email\""), "{detail}");
    let (_, detail) = refuse("get-team", json!({"team": "devs", "team_id": 4}));
    assert!(detail["hints"][0].as_str().unwrap().contains("list-teams"), "{detail}");
    let (_, detail) = refuse("invite-members", json!({"invitees": ["ok", "a b"]}));
    assert!(detail.is_object(), "{detail}");
    let (_, detail) = refuse("update-org-settings", json!({"restricted_images": {"enabled": "yes"}}));
    assert_eq!(detail["field"], "/restricted_images/enabled", "{detail}");
    assert_eq!(detail["expected"], "a boolean (true or false)", "{detail}");
}

/// Every listing with a `fields` input (the guest's, so every host has it) returns only the named
/// fields of each item.
#[test]
fn every_listing_returns_only_the_fields_asked_for() {
    let m = manifest();
    let mut listings = 0;
    for a in m["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let Some(names) = a["input_schema"].pointer("/properties/fields/anyOf/1/items/enum").and_then(Value::as_array)
        else {
            continue;
        };
        listings += 1;
        let field = names[0].as_str().unwrap();
        let mut input = a["example"].as_object().cloned().unwrap_or_default();
        input.insert("fields".into(), json!([field]));
        let s = sim();
        let out: Value = match s.runtime.call(name, &Value::Object(input).to_string(), &s.secrets).unwrap() {
            Ok(text) => serde_json::from_str(&text).unwrap(),
            Err(e) => panic!("{name}: {}: {}", error_kind(&e), error_message(&e)),
        };
        let items = out.as_object().unwrap().values().find_map(Value::as_array).unwrap();
        assert!(!items.is_empty(), "{name}: nothing listed to check");
        for item in items {
            let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
            assert!(keys.len() <= 1 && keys.iter().all(|k| *k == field), "{name}: {item}");
        }
    }
    assert_eq!(listings, 4, "list-members, list-teams, list-team-members, list-audit-logs");
}
