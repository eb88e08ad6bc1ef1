//! The same component outside wasmtime: transpiled by jco and run by Node with the JavaScript host in
//! host-test/js/, against the simulator. Skips (with a message saying why) only when Node is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use serde_json::{Value, json};

fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("js")
}

fn node_available() -> bool {
    Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Installs jco (pinned in package.json, versions from package-lock.json) when it is missing. The
/// tests run in parallel: one installs while the other waits.
fn ensure_jco() {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    let jco = js_dir().join("node_modules/@bytecodealliance/jco/dist/jco.js");
    if jco.exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(js_dir())
        .status()
        .expect("npm is needed to install jco (Node is installed, npm should be too)");
    assert!(status.success(), "npm install failed in host-test/js");
    assert!(jco.exists(), "jco is still missing after npm install");
}

/// Writes the exact component bytes the wasmtime host embeds into a directory of its own named
/// for `test`; returns the directory and the component's path.
fn component_file(test: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("dockerhub-org-node-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let component = dir.join("dockerhub-org.wasm");
    std::fs::write(&component, dockerhub_org_host::COMPONENT).unwrap();
    (dir, component)
}

#[test]
fn the_component_runs_under_node_through_jco_with_the_js_host() {
    if !node_available() {
        eprintln!(
            "SKIPPED: Node.js is not installed, so the jco/Node runtime check cannot run (install nodejs to run it)."
        );
        return;
    }
    ensure_jco();
    let (dir, component) = component_file("run");

    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let output = Command::new("node")
        .arg(js_dir().join("run.mjs"))
        .arg(&component)
        .arg(sim.url())
        .arg(DEFAULT_ORG)
        .args(["list-members", r#"{"page_size": 2}"#])
        .args(["check-oat-connection", "{}"])
        .args(["list-members", r#"{"all_pages": true}"#])
        .args(["get-team", r#"{"team": "no-such-team"}"#])
        .args(["api-request", r#"{"method": "GET", "path": "/v2/orgs/other-org/members"}"#])
        .env("DOCKERHUB_OAT", DEFAULT_OAT)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "node failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let results = report["results"].as_array().unwrap();

    assert_eq!(results[0]["ok"], true, "{}", results[0]);
    assert_eq!(results[0]["output"]["count"], 320);
    assert_eq!(results[0]["output"]["members"].as_array().unwrap().len(), 2);
    assert_eq!(
        results[1]["output"]["message"],
        "Successfully authenticated against DockerHub organization \"example-org\" (320 members visible)."
    );
    assert_eq!(results[1]["output"]["meta"]["requests"], 1, "the JWT cached by the JS host is reused");
    assert_eq!(
        results[2]["output"]["members"].as_array().unwrap().len(),
        320,
        "batched pages through the JS fetch-batch"
    );
    assert_eq!(results[3]["error"]["kind"], "not-found");
    assert_eq!(results[4]["error"]["kind"], "invalid-input");
    assert!(!stdout.contains(DEFAULT_OAT), "the OAT leaked into the Node run's output");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_node_host_enforces_the_call_deadline() {
    if !node_available() {
        eprintln!("SKIPPED: Node.js is not installed, so the jco/Node deadline check cannot run.");
        return;
    }
    ensure_jco();
    let (dir, component) = component_file("deadline");
    // Every answer takes 3 s; the call may take 1 s.
    let sim =
        Simulator::start(SimulatorConfig { latency: std::time::Duration::from_secs(3), ..SimulatorConfig::default() })
            .unwrap();
    let started = std::time::Instant::now();
    let output = Command::new("node")
        .arg(js_dir().join("run.mjs"))
        .arg(&component)
        .arg(sim.url())
        .arg(DEFAULT_ORG)
        .args(["check-oat-connection", "{}"])
        .env("DOCKERHUB_OAT", DEFAULT_OAT)
        .env("DOCKERHUB_TIMEOUT", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "node failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    // The health check reports its failure in its output: the kind, and the cause in `detail`.
    let check = &report["results"][0]["output"];
    assert_eq!((&check["ok"], &check["error_kind"]), (&json!(false), &json!("limit-exceeded")), "{check}");
    assert!(check["detail"].as_str().unwrap().contains("deadline of 1 s"), "{check}");
    // Transpiling takes a few seconds; the call itself ends at its deadline, not after 3 s answers.
    assert_eq!(report["requests"], 1, "nothing is sent after the deadline: {report}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    std::fs::remove_dir_all(&dir).ok();
}
