//! A third runtime: `target/dockerhub-org.wasm` hosted in Python on the `wasmtime` package from PyPI
//! (pinned in tests/python/requirements.txt, installed into a venv under the target dir like the
//! MCP client), by a host written only from docs/host.md (tests/python/host.py), against the
//! simulator: a listing with `all_pages` (page 1 by `fetch`, the rest by `fetch-batch`), a token
//! cached across calls, refusals, and a rate-limited answer. Skips with a message only when python3
//! is absent.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use serde_json::Value;

fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python")
}

/// `target/dockerhub-org.wasm`, the component the build script writes (the bytes the Rust host
/// embeds).
fn component() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dockerhub-org.wasm");
    assert!(path.exists(), "{} is missing: cargo build -p dockerhub-org-host writes it", path.display());
    path
}

/// Runs host.py with `calls` against `sim`; its report's calls.
fn run(sim: &Simulator, budget: &str, calls: &[(&str, &str)]) -> Vec<Value> {
    let mut command =
        Command::new(common::python::venv_python("python-host-venv", &python_dir().join("requirements.txt")));
    command
        .arg(python_dir().join("host.py"))
        .arg(component())
        .arg(sim.url())
        .arg(DEFAULT_ORG)
        .arg(DEFAULT_OAT)
        .arg(budget);
    for (action, input) in calls {
        command.arg(action).arg(input);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "host.py failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    assert!(!stdout.contains(DEFAULT_OAT), "the token reached the Python host's output");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    report["calls"].as_array().unwrap().clone()
}

fn requests(call: &Value) -> Vec<String> {
    call["log"].as_array().unwrap().iter().filter_map(|e| e["request"].as_str().map(str::to_string)).collect()
}

fn skip_without_python() -> bool {
    if common::python::available() {
        return false;
    }
    eprintln!("SKIPPED: python3 is not installed, so the Python (wasmtime from PyPI) runtime check cannot run.");
    true
}

#[test]
fn a_python_host_written_from_the_host_page_runs_the_component() {
    if skip_without_python() {
        return;
    }
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let calls = run(
        &sim,
        "30",
        &[
            ("check-oat-connection", "{}"),
            ("list-members", r#"{"all_pages": true}"#),
            ("check-oat-connection", "{}"),
            ("get-team", r#"{"team": "no-such-team"}"#),
            ("get-team", r#"{"name": "no-such-team"}"#),
            ("api-request", r#"{"method": "GET", "path": "/v2/orgs/other-org/members"}"#),
        ],
    );
    let [check, listing, cached, missing, renamed, other_org] = calls.as_slice() else { panic!("{calls:?}") };

    assert!(check["ok"]["message"].as_str().unwrap().contains("\"example-org\" (320 members visible)"), "{check}");
    assert!(requests(check).iter().any(|r| r.ends_with("/v2/auth/token")), "the first call exchanges the token");

    // all_pages: 320 members, page 1 by fetch, pages 2-4 in one fetch-batch.
    assert_eq!(listing["ok"]["members"].as_array().map(Vec::len), Some(320), "{}", listing["ok"]["paging"]);
    let batches: Vec<&Value> = listing["log"].as_array().unwrap().iter().filter(|e| e.get("batch").is_some()).collect();
    assert_eq!(batches.len(), 1, "{:?}", listing["log"]);
    assert_eq!(batches[0]["batch"], 3);

    // The token is cached across calls: no exchange after the first.
    for call in [listing, cached] {
        assert!(!requests(call).iter().any(|r| r.ends_with("/v2/auth/token")), "exchanged again: {:?}", call["log"]);
    }
    assert_eq!(cached["ok"]["meta"]["requests"], 1, "{cached}");

    // Refusals.
    assert_eq!(missing["error"], "not-found", "{missing}");
    assert_eq!(renamed["error"], "invalid-input", "{renamed}");
    assert!(renamed["message"].as_str().unwrap().contains("Use \"team\" instead of \"name\""), "{renamed}");
    assert_eq!(renamed["detail"]["field"], "/name", "{renamed}");
    assert_eq!(other_org["error"], "invalid-input", "{other_org}");
    assert!(requests(other_org).is_empty(), "a refused path sends nothing: {:?}", other_org["log"]);
}

#[test]
fn a_python_host_passes_the_rate_limited_answer_through() {
    if skip_without_python() {
        return;
    }
    let sim =
        Simulator::start(SimulatorConfig { rate_limit_per_minute: Some(5), ..SimulatorConfig::default() }).unwrap();
    // A budget that covers one of the simulator's waits (it asks for up to 60 s): the guest pauses
    // through `sleep` (this host shortens it, as the page allows), meets the limit again, and once the
    // waits it asked for pass the budget, fails with when Docker Hub accepts calls again.
    let calls = run(&sim, "100", &[("list-members", r#"{"all_pages": true, "page_size": 10}"#)]);
    let limited = &calls[0];
    assert_eq!(limited["error"], "rate-limited", "{limited}");
    assert!(limited["retry_after"].as_u64().is_some(), "retry-after is set: {limited}");
    assert!(limited["log"].as_array().unwrap().iter().any(|e| e.get("sleep").is_some()), "it waited: {limited}");
    assert!(limited["detail"]["resume_page"].as_u64().is_some(), "{limited}");
}
