//! Hostile input, generated: every action in the manifest gets random JSON, wrong types, huge and
//! unicode strings, control characters and path tricks in every field its schema names, against the
//! simulator. The component must never trap, must answer well-formed JSON or a typed error, must not
//! reveal the OAT or a session token, and every URL it sends must stay on the base URL with each
//! path segment percent-encoded and no `.`/`..` segment in any encoding.
//!
//! Hostile answers, generated: a server answers every request with generated bodies (deep nesting,
//! dense arrays of tiny values, huge strings, random JSON, bytes that are not JSON) under any
//! status; listings, a read and a write must end with their output or a typed error, never a trap.
//!
//! Cases: `DOCKERHUB_ORG_FUZZ_CASES` (default [`CI_CASES`]); `.ci/fuzz-full` runs 100 000.

mod common;

use std::time::Instant;

use common::OAT;
use dockerhub_org_host::runtime::{error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

/// Cases run when `DOCKERHUB_ORG_FUZZ_CASES` is not set (CI): well under a minute on a 2-core box.
const CI_CASES: u32 = 3_000;

/// Strings that have broken URL builders, parsers or servers somewhere.
const TRICKS: &[&str] = &[
    "/",
    "..",
    ".",
    "?",
    "#",
    "%2F",
    "%2e%2e",
    "%2E%2E",
    "%2e",
    " ",
    "\\",
    "../..",
    "a/../b",
    "..\\..",
    "a?b=c",
    "a#frag",
    "a%2Fb",
    "%",
    "%%",
    "%zz",
    "%00",
    "a b",
    "\u{0}",
    "\n",
    "\r\n",
    "\t",
    "\u{7f}",
    "\u{202e}",
    "é",
    "日本",
    "😀",
    "\u{fffd}",
    "\u{200b}",
    "${jndi:x}",
    "{{x}}",
    "' OR 1=1 --",
    "<script>",
    "null",
    "true",
    "0",
    "-1",
    "18446744073709551616",
    "1e309",
    "developers",
    "kenlovelace",
    "ken.lovelace@example.com",
    "owner",
    "member",
    "editor",
    "GET",
    "POST",
    "DELETE",
    "/v2/orgs/example-org/members",
    "/v2/orgs/example-org/../x",
    "/v2/orgs/example-org/%2e%2e/x",
    "/v2/orgs/other-org/members",
    "//evil.example/x",
    "http://evil.example/",
    "https://hub.docker.com/v2/x",
];

/// Every action the component declares, with its manifest entry.
fn action_names(runtime: &Runtime) -> Vec<(String, Value)> {
    let manifest: Value = serde_json::from_str(&runtime.describe().expect("describe")).expect("manifest JSON");
    manifest["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| (a["name"].as_str().expect("name").to_string(), a.clone()))
        .collect()
}

/// The field names an action's input schema has, with those of nested objects.
fn field_names(schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect_fields(schema, &mut names);
    names.sort();
    names.dedup();
    names
}

fn collect_fields(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                names.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_fields(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_fields(v, names)),
        _ => {}
    }
}

/// A hostile string: a trick, tricks glued together, arbitrary unicode, or a huge run.
fn hostile_string() -> impl Strategy<Value = String> {
    let trick = proptest::sample::select(TRICKS).prop_map(str::to_string);
    prop_oneof![
        4 => trick.clone(),
        3 => proptest::collection::vec(trick, 1..5).prop_map(|parts| parts.concat()),
        3 => any::<String>(),
        1 => "[ -~]{0,40}",
        1 => (proptest::sample::select(TRICKS), 1_000usize..200_000).prop_map(|(t, n)| t.repeat(n / t.len().max(1) + 1)),
    ]
}

/// Any JSON value, leaning on hostile strings.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(hostile_string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value for one field: mostly a hostile string (alone or in a list), sometimes any JSON.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => hostile_string().prop_map(Value::String),
        2 => proptest::collection::vec(hostile_string().prop_map(Value::String), 0..4).prop_map(Value::Array),
        2 => any_json(),
    ]
}

/// One generated call: action index, and the input text.
fn case(actions: Vec<(String, Value)>) -> impl Strategy<Value = (usize, String)> {
    let count = actions.len();
    (0..count).prop_flat_map(move |i| {
        let (_, spec) = &actions[i];
        let example = spec.get("example").cloned().filter(Value::is_object).unwrap_or_else(|| json!({}));
        let mut fields = field_names(&spec["input_schema"]);
        if fields.is_empty() {
            fields.push("unexpected".to_string());
        }
        // Most cases change one field of a working example to a hostile string, so they get past
        // input parsing and reach the request builders; the rest change several fields to anything.
        let one_string = (proptest::sample::select(fields.clone()), hostile_string().prop_map(Value::String))
            .prop_map(|change| vec![change]);
        let several = proptest::collection::vec((proptest::sample::select(fields.clone()), field_value()), 1..4);
        let mutated = prop_oneof![3 => one_string, 1 => several].prop_map(move |changes| {
            let mut input = example.as_object().cloned().unwrap_or_default();
            for (field, value) in changes {
                input.insert(field, value);
            }
            Value::Object(input).to_string()
        });
        let fresh = proptest::collection::vec((proptest::sample::select(fields), field_value()), 0..5)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>()).to_string());
        let raw = prop_oneof![
            any_json().prop_map(|v| v.to_string()),
            any::<String>(),
            proptest::sample::select(TRICKS).prop_map(str::to_string),
        ];
        (Just(i), prop_oneof![5 => mutated, 3 => fresh, 1 => raw])
    })
}

/// Checks one sent URL: on the base URL, segments percent-encoded, no dot segments, no fragment.
fn check_url(base: &str, url: &str) -> Result<(), String> {
    let rest = url.strip_prefix(base).ok_or_else(|| format!("left the base URL: {url}"))?;
    if !rest.starts_with('/') {
        return Err(format!("no path after the base URL: {url}"));
    }
    if url.contains('#') || url.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(format!("a raw '#', space, control or non-ASCII character was sent: {url:?}"));
    }
    let (path, query) = rest.split_once('?').map_or((rest, None), |(p, q)| (p, Some(q)));
    if query.is_some_and(|q| q.contains('?')) {
        return Err(format!("a raw '?' inside the query: {url}"));
    }
    for segment in path.split('/').skip(1) {
        let bytes = segment.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if *b == b'%'
                && !(bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit())
            {
                return Err(format!("a '%' that does not start an escape in segment {segment:?}: {url}"));
            }
            if b"\\\"<>^`{|}".contains(b) {
                return Err(format!("an unencoded {:?} in segment {segment:?}: {url}", *b as char));
            }
        }
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if decoded == "." || decoded == ".." || segment.is_empty() {
            return Err(format!("a dot or empty segment ({segment:?}) was sent: {url}"));
        }
    }
    Ok(())
}

/// Checks one outcome is well-formed: JSON object output, or a typed error with a message and
/// JSON-object detail.
fn check_outcome(action: &str, outcome: &dockerhub_org_host::Outcome) -> Result<(), String> {
    match outcome {
        Ok(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(_)) => Ok(()),
            _ => Err(format!("{action} answered something other than a JSON object: {text:.300}")),
        },
        Err(e) => {
            if error_message(e).trim().is_empty() {
                return Err(format!("{action} failed with an empty {} message", error_kind(e)));
            }
            match error_detail(e).map(serde_json::from_str::<Value>) {
                None | Some(Ok(Value::Object(_))) => Ok(()),
                Some(other) => Err(format!("{action}: {} detail is not a JSON object: {other:?}", error_kind(e))),
            }
        }
    }
}

#[test]
fn generated_hostile_inputs_never_trap_leak_or_leave_the_base_url() {
    let cases: u32 = std::env::var("DOCKERHUB_ORG_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CI_CASES);
    let simulator =
        Simulator::start(SimulatorConfig { oat: OAT.to_string(), ..SimulatorConfig::default() }).expect("simulator");
    let base = simulator.url().to_string();
    let http =
        dockerhub_org_host::http::HttpConfig { real_sleep: false, ..Default::default() }.allow(&base).expect("url");
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime");
    let secrets = Secrets::connection(DEFAULT_ORG, OAT, Some(&base));
    let actions = action_names(&runtime);
    assert!(actions.len() >= 32, "every exported action is fuzzed: {}", actions.len());
    let names: Vec<String> = actions.iter().map(|(n, _)| n.clone()).collect();

    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let started = Instant::now();
    let run = std::cell::Cell::new(0u64);
    let result = runner.run(&case(actions), |(index, input)| {
        run.set(run.get() + 1);
        let action = &names[index];
        let _ = runtime.http().take_sent();
        let outcome = runtime
            .call(action, &input, &secrets)
            .map_err(|e| TestCaseError::fail(format!("{action} trapped on {input:.300}: {e:#}")))?;
        check_outcome(action, &outcome).map_err(TestCaseError::fail)?;
        let text = format!("{outcome:?}");
        prop_assert!(!text.contains(OAT), "{} leaked the OAT", action);
        let sent = runtime.http().take_sent();
        for request in &sent {
            check_url(&base, &request.url)
                .map_err(|e| TestCaseError::fail(format!("{action} on {input:.300}: {e}")))?;
            let is_exchange = request.url == format!("{base}/v2/auth/token");
            let body = request.body.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
            prop_assert!(is_exchange || !body.contains(OAT), "{} sent the OAT outside the token exchange", action);
            prop_assert!(!request.url.contains(OAT), "{} put the OAT in a URL", action);
            for (name, value) in &request.headers {
                prop_assert!(!value.contains(OAT), "{} sent the OAT in header {}", action, name);
                if let Some(jwt) = value.strip_prefix("Bearer ") {
                    prop_assert!(!text.contains(jwt), "{} leaked the session token", action);
                }
            }
        }
        for key in runtime.cache().keys() {
            prop_assert!(!key.contains(OAT), "a cache key holds the OAT: {}", key);
        }
        Ok(())
    });
    let elapsed = started.elapsed();
    eprintln!(
        "fuzz: {} cases in {:.1} s ({:.0} cases/s), {} simulator requests",
        run.get(),
        elapsed.as_secs_f64(),
        run.get() as f64 / elapsed.as_secs_f64().max(0.001),
        simulator.request_count()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn the_url_check_catches_what_it_must() {
    let base = "http://127.0.0.1:1";
    assert!(check_url(base, "http://127.0.0.1:1/v2/orgs/acme/members/a%2Fb?page=1").is_ok());
    for bad in [
        "http://127.0.0.1:2/v2/x",
        "http://127.0.0.1:1/v2/orgs/acme/members/..",
        "http://127.0.0.1:1/v2/orgs/acme/members/%2e%2E",
        "http://127.0.0.1:1/v2/orgs/acme/members/a b",
        "http://127.0.0.1:1/v2/orgs/acme/members/a#b",
        "http://127.0.0.1:1/v2/orgs/acme/members/a%zz",
        "http://127.0.0.1:1/v2/orgs/acme/members/a?b?c",
        "http://127.0.0.1:1/v2/orgs/acme/members/a\\b",
        "http://127.0.0.1:1/v2/orgs//members",
    ] {
        assert!(check_url(base, bad).is_err(), "{bad}");
    }
}

/// A hostile answer body: structure that is cheap to send and costly to read.
fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Nesting far past any parser's recursion limit, in a field or at the top.
        (1usize..5_000, any::<bool>()).prop_map(|(depth, object)| {
            let (open, close) = if object { (r#"{"a":"#, "}") } else { ("[", "]") };
            format!(r#"{{"count":1,"results":[{}1{}]}}"#, open.repeat(depth), close.repeat(depth)).into_bytes()
        }),
        // Dense arrays of tiny values, as results or inside one member.
        (1usize..400_000, prop::sample::select(vec!["0", "{}", "[]", "null", "\"\""]), any::<bool>()).prop_map(
            |(n, item, inside)| {
                let items = vec![item; n].join(",");
                if inside {
                    format!(r#"{{"count":1,"next":null,"results":[{{"username":"a","groups":[{items}]}}]}}"#)
                } else {
                    format!(r#"{{"count":{n},"next":null,"results":[{items}]}}"#)
                }
                .into_bytes()
            }
        ),
        // One huge string where a short one belongs.
        (1usize..4_000_000).prop_map(|n| {
            format!(r#"{{"count":1,"results":[{{"username":"{}","email":"a@b.c"}}],"name":"x"}}"#, "u".repeat(n))
                .into_bytes()
        }),
        // Random JSON, and random bytes.
        any_json().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..2_000),
    ]
}

/// Answers every request with the current case's status and body (set before each call).
struct CurrentAnswer(std::sync::Arc<std::sync::Mutex<(u16, Vec<u8>)>>);

impl wiremock::Respond for CurrentAnswer {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        if request.url.path() == "/v2/auth/token" {
            let token = common::jwt("fuzz");
            return wiremock::ResponseTemplate::new(200).set_body_json(json!({ "access_token": token }));
        }
        let (status, body) = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        wiremock::ResponseTemplate::new(status).set_body_raw(body, "application/json")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_hostile_answers_end_in_an_output_or_a_typed_error_never_a_trap() {
    let cases: u32 =
        std::env::var("DOCKERHUB_ORG_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).map_or(48, |n: u32| n / 50 + 1);
    let server = wiremock::MockServer::start().await;
    let answer = std::sync::Arc::new(std::sync::Mutex::new((200u16, Vec::new())));
    wiremock::Mock::given(wiremock::matchers::any()).respond_with(CurrentAnswer(answer.clone())).mount(&server).await;
    let base = server.uri();
    tokio::task::spawn_blocking(move || {
        let http =
            dockerhub_org_host::http::HttpConfig { real_sleep: false, ..Default::default() }.allow(&base).expect("url");
        let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime");
        let secrets = Secrets::connection(common::ORG, OAT, Some(&base)).with("retry-budget-seconds", "0");
        let calls = [
            ("list-members", r#"{"all_pages": true}"#),
            ("list-teams", "{}"),
            ("get-team", r#"{"team": "developers"}"#),
            ("create-team", r#"{"team": "platform"}"#),
            ("list-audit-logs", r#"{"all_pages": true}"#),
            ("access-review", "{}"),
        ];
        let status = prop::sample::select(vec![200u16, 201, 400, 404, 409, 500]);
        let strategy = (0..calls.len(), status, hostile_body());
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        runner
            .run(&strategy, |(index, status, body)| {
                let (action, input) = calls[index];
                *answer.lock().unwrap_or_else(|p| p.into_inner()) = (status, body.clone());
                let outcome = runtime.call(action, input, &secrets).map_err(|e| {
                    TestCaseError::fail(format!(
                        "{action} trapped on a {status} answer of {} bytes ({:.200}): {e:#}",
                        body.len(),
                        String::from_utf8_lossy(&body)
                    ))
                })?;
                check_outcome(action, &outcome).map_err(TestCaseError::fail)?;
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    })
    .await
    .expect("the fuzz thread");
}
