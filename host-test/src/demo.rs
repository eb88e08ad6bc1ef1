//! The demo: the plugin doing its whole job against the embedded simulator, step by step.
//!
//! Every step runs a real action through the component and checks what came back; the demo
//! succeeds only if every step behaved as expected.

use std::io::Write;
use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use crate::http::HttpConfig;
use crate::runtime::{error_kind, error_message};
use crate::secrets::Secrets;
use crate::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use crate::{Runtime, RuntimeConfig};

/// What a step expects.
enum Expect {
    /// Success, with a check on the output that returns a one-line summary or a complaint.
    Ok(fn(&Value) -> std::result::Result<String, String>),
    /// Failure of this WIT error kind.
    Fails(&'static str),
}

struct Step {
    title: &'static str,
    action: &'static str,
    input: Value,
    expect: Expect,
}

/// One step's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepReport {
    /// What the step shows.
    pub title: String,
    /// The action run.
    pub action: String,
    /// Whether it behaved as expected.
    pub passed: bool,
    /// One-line summary, or what went wrong.
    pub summary: String,
    /// HTTP requests the step made.
    pub requests: usize,
    /// Wall time, milliseconds.
    pub millis: u128,
}

/// The whole demo's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    /// Every step.
    pub steps: Vec<StepReport>,
    /// All steps passed.
    pub passed: bool,
    /// Requests the simulator received.
    pub simulator_requests: u64,
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    &v[key]
}

fn steps() -> Vec<Step> {
    vec![
        Step {
            title: "Validate the connection form (token shown only as bullets + last 4)",
            action: "validate-connection-settings",
            input: json!({"submitted": {"organization_name": format!(" {DEFAULT_ORG} "), "organization_access_token": DEFAULT_OAT, "instance_name": "Demo"}}),
            expect: Expect::Ok(|v| {
                let shown = field(&v["display"], "organization_access_token").as_str().unwrap_or("");
                if v["valid"] == true && shown.ends_with("oken") && !v.to_string().contains(DEFAULT_OAT) {
                    Ok(format!("valid; organization \"{}\", token {shown}", v["settings"]["organization_name"].as_str().unwrap_or("")))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Health check 1: Validate DockerHub OAT Connection",
            action: "check-oat-connection",
            input: json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "Health check 2: Search DockerHub Organization Members",
            action: "check-member-listing",
            input: json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "Health check 3: List DockerHub Organization Groups",
            action: "check-group-listing",
            input: json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "List every owner (all pages)",
            action: "list-members",
            input: json!({"role": "owner", "all_pages": true}),
            expect: Expect::Ok(|v| {
                let names: Vec<&str> = v["members"].as_array().into_iter().flatten().filter_map(|m| m["username"].as_str()).collect();
                if names.is_empty() || v["members"].as_array().into_iter().flatten().any(|m| m["role"] != "owner") {
                    return Err(format!("expected owners only: {v}"));
                }
                Ok(format!("{} owners: {}", names.len(), names.join(", ")))
            }),
        },
        Step {
            title: "Walk the whole roster (page_size 100, pages 2.. fetched together)",
            action: "list-members",
            input: json!({"all_pages": true}),
            expect: Expect::Ok(|v| {
                let n = v["members"].as_array().map_or(0, Vec::len);
                if Some(n as u64) == v["count"].as_u64() && n > 100 {
                    Ok(format!("{n} members on {} pages", v["paging"]["pages_fetched"]))
                } else {
                    Err(format!("roster incomplete: {n} of {}", v["count"]))
                }
            }),
        },
        Step {
            title: "A generic request refuses another organization's path",
            action: "api-request",
            input: json!({"method": "GET", "path": "/v2/orgs/someone-else/members"}),
            expect: Expect::Fails("invalid-input"),
        },
        Step {
            title: "A generic request drops the trailing slash Docker would 404 on",
            action: "api-request",
            input: json!({"method": "GET", "path": format!("/v2/orgs/{DEFAULT_ORG}/groups/"), "query": {"page_size": 3}}),
            expect: Expect::Ok(|v| {
                if v["status"] == 200 && v["notes"].as_array().is_some_and(|n| n.len() == 1) {
                    Ok(format!("200, {} teams in total; note: trailing slash removed", v["body"]["count"]))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
    ]
}

fn health(v: &Value) -> std::result::Result<String, String> {
    match (v["ok"].as_bool(), v["message"].as_str()) {
        (Some(true), Some(message)) => Ok(message.to_string()),
        _ => Err(format!("health check failed: {v}")),
    }
}

/// Runs the demo against a fresh simulator, writing a readable account to `out`.
pub fn run(out: &mut dyn Write) -> Result<DemoReport> {
    let simulator = Simulator::start(SimulatorConfig::default())?;
    let http = HttpConfig::default().allow(simulator.url())?;
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() })?;
    let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(simulator.url()));
    writeln!(out, "Docker Hub simulator for organization \"{DEFAULT_ORG}\" at {}\n", simulator.url())?;
    let mut reports = Vec::new();
    for (n, step) in steps().into_iter().enumerate() {
        let before = runtime.http().sent().len();
        let started = Instant::now();
        let outcome = runtime.call(step.action, &step.input.to_string(), &secrets)?;
        let millis = started.elapsed().as_millis();
        let requests = runtime.http().sent().len() - before;
        let judged = match (&step.expect, outcome) {
            (Expect::Ok(check), Ok(text)) => serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()).and_then(|v| check(&v)),
            (Expect::Ok(_), Err(e)) => Err(format!("{}: {}", error_kind(&e), error_message(&e))),
            (Expect::Fails(kind), Err(e)) if error_kind(&e) == *kind => Ok(format!("refused as expected ({kind}): {}", error_message(&e))),
            (Expect::Fails(kind), Err(e)) => Err(format!("expected {kind}, got {}: {}", error_kind(&e), error_message(&e))),
            (Expect::Fails(kind), Ok(text)) => Err(format!("expected {kind}, but it succeeded: {text}")),
        };
        let passed = judged.is_ok();
        let summary = judged.unwrap_or_else(|e| e);
        writeln!(out, "{:>2}. {} [{}]", n + 1, step.title, step.action)?;
        writeln!(out, "    {} {summary}", if passed { "ok " } else { "FAIL" })?;
        writeln!(out, "    {requests} HTTP request{}, {millis} ms", if requests == 1 { "" } else { "s" })?;
        reports.push(StepReport { title: step.title.into(), action: step.action.into(), passed, summary, requests, millis });
    }
    let passed = reports.iter().all(|r| r.passed);
    let total: usize = reports.iter().map(|r| r.requests).sum();
    writeln!(
        out,
        "\n{} of {} steps behaved as expected; {total} HTTP requests in all.",
        reports.iter().filter(|r| r.passed).count(),
        reports.len()
    )?;
    Ok(DemoReport { steps: reports, passed, simulator_requests: simulator.request_count() })
}
