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

/// Values a step keeps for later steps (ids the simulator assigned).
type Memory = std::collections::HashMap<&'static str, Value>;

/// A success check: returns a one-line summary or a complaint, and may remember values.
type Check = fn(&Value, &mut Memory) -> std::result::Result<String, String>;

/// What a step expects.
enum Expect {
    /// Success, checked.
    Ok(Check),
    /// Failure of this WIT error kind.
    Fails(&'static str),
}

struct Step {
    title: &'static str,
    action: &'static str,
    input: fn(&Memory) -> Value,
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
    /// The action's output, when it succeeded (for checks such as the output-schema test; left
    /// out of the JSON report).
    #[serde(skip)]
    pub output: Option<Value>,
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

/// The person the tour follows, and the team it creates.
const PERSON_EMAIL: &str = "ken.lovelace@example.com";
const PERSON: &str = "kenlovelace";
const TEAM: &str = "release-crew";

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v[key].as_array().into_iter().flatten()
}

fn steps() -> Vec<Step> {
    vec![
        Step {
            title: "Validate the connection form (the token is shown only as bullets + last 4)",
            action: "validate-connection-settings",
            input: |_| json!({"submitted": {"organization_name": format!(" {DEFAULT_ORG} "), "organization_access_token": DEFAULT_OAT, "instance_name": "Demo"}}),
            expect: Expect::Ok(|v, _| {
                let shown = v["display"]["organization_access_token"].as_str().unwrap_or("");
                if v["valid"] == true && shown.ends_with("oken") && !v.to_string().contains(DEFAULT_OAT) {
                    Ok(format!(
                        "valid; organization \"{}\", token {shown}",
                        v["settings"]["organization_name"].as_str().unwrap_or("")
                    ))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Health check 1: Validate DockerHub OAT Connection",
            action: "check-oat-connection",
            input: |_| json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "Health check 2: Search DockerHub Organization Members",
            action: "check-member-listing",
            input: |_| json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "Health check 3: List DockerHub Organization Groups",
            action: "check-group-listing",
            input: |_| json!({}),
            expect: Expect::Ok(health),
        },
        Step {
            title: "Walk the whole roster (page_size 100; pages after the first fetched together)",
            action: "list-members",
            input: |_| json!({"all_pages": true}),
            expect: Expect::Ok(|v, _| {
                let n = v["members"].as_array().map_or(0, Vec::len);
                if Some(n as u64) == v["count"].as_u64() && n > 100 {
                    Ok(format!("{n} members on {} pages", v["paging"]["pages_fetched"]))
                } else {
                    Err(format!("roster incomplete: {n} of {}", v["count"]))
                }
            }),
        },
        Step {
            title: "Resolve a person by email (exact match only; the search is fuzzy)",
            action: "get-member",
            input: |_| json!({"email": PERSON_EMAIL}),
            expect: Expect::Ok(|v, memory| {
                let m = &v["member"];
                if m["username"] != PERSON {
                    return Err(format!("resolved the wrong person: {v}"));
                }
                memory.insert("role", m["role"].clone());
                Ok(format!(
                    "{} <{}> is {} (teams: {})",
                    PERSON,
                    PERSON_EMAIL,
                    m["role"].as_str().unwrap_or("?"),
                    list(m, "groups").filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
                ))
            }),
        },
        Step {
            title: "Create a team",
            action: "create-team",
            input: |_| json!({"team": TEAM, "description": "People who cut releases"}),
            expect: Expect::Ok(|v, _| match v["team"]["id"].as_u64() {
                Some(id) if v["team"]["name"] == TEAM => Ok(format!("team \"{TEAM}\" created with id {id}")),
                _ => Err(format!("unexpected: {v}")),
            }),
        },
        Step {
            title: "Add the person to the team by email (confirmed as an org member first)",
            action: "add-team-member",
            input: |_| json!({"team": TEAM, "email": PERSON_EMAIL}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == true {
                    Ok(format!("{PERSON} added to \"{TEAM}\""))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Adding them again succeeds with changed: false (safe to retry)",
            action: "add-team-member",
            input: |_| json!({"team": TEAM, "member": PERSON}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == false && v["plan"] == json!([]) {
                    Ok("already on the team; nothing sent to the add endpoint".into())
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Someone outside the organization is not added (invite them first)",
            action: "add-team-member",
            input: |_| json!({"team": TEAM, "email": "stranger@elsewhere.example"}),
            expect: Expect::Fails("not-found"),
        },
        Step {
            title: "List the team and read its numeric id (for repository grants elsewhere)",
            action: "get-team",
            input: |_| json!({"team": TEAM}),
            expect: Expect::Ok(|v, _| match (v["team"]["id"].as_u64(), v["team"]["member_count"].as_u64()) {
                (Some(id), Some(1)) => Ok(format!("\"{TEAM}\": id {id}, 1 member")),
                _ => Err(format!("unexpected: {v}")),
            }),
        },
        Step {
            title: "List the team's members",
            action: "list-team-members",
            input: |_| json!({"team": TEAM}),
            expect: Expect::Ok(|v, _| {
                let names: Vec<&str> = list(v, "members").filter_map(|m| m["username"].as_str()).collect();
                if names == [PERSON] {
                    Ok(format!("members: {}", names.join(", ")))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Preview a role change: the dry run shows the exact request and sends nothing",
            action: "update-member-role",
            input: |_| json!({"username": PERSON, "role": "member", "dry_run": true}),
            expect: Expect::Ok(|v, _| match v["plan"].as_array().map(Vec::as_slice) {
                Some([step]) if step["method"] == "PUT" && v["dry_run"] == true => Ok(format!(
                    "would send {} {} {}",
                    step["method"].as_str().unwrap_or(""),
                    step["path"].as_str().unwrap_or(""),
                    step["body"]
                )),
                _ => Err(format!("unexpected: {v}")),
            }),
        },
        Step {
            title: "Change the person's role to member",
            action: "update-member-role",
            input: |_| json!({"username": PERSON, "role": "member"}),
            expect: Expect::Ok(|v, _| {
                if v["member"]["role"] == "member" {
                    Ok(format!("{PERSON} is now member"))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Invite two people: a dry run first (nothing is created)",
            action: "invite-members",
            input: |_| json!({"invitees": ["new.hire.demo@example.com", "octodemo"], "team": TEAM, "role": "member", "dry_run": true}),
            expect: Expect::Ok(|v, _| {
                let statuses: Vec<&str> = list(v, "results").filter_map(|r| r["status"].as_str()).collect();
                if statuses == ["invited", "invited"]
                    && list(v, "results").all(|r| r.get("invite").is_none_or(Value::is_null))
                {
                    Ok(format!("dry run: {}", statuses.join(", ")))
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "...then for real",
            action: "invite-members",
            input: |_| json!({"invitees": ["new.hire.demo@example.com", "octodemo"], "team": TEAM, "role": "member"}),
            expect: Expect::Ok(|v, memory| {
                let ids: Vec<Value> =
                    list(v, "results").filter_map(|r| r["invite"]["id"].as_str()).map(Value::from).collect();
                if ids.len() != 2 {
                    return Err(format!("expected two invites: {v}"));
                }
                memory.insert("invites", Value::Array(ids));
                Ok("2 invites created".into())
            }),
        },
        Step {
            title: "Read the audit log: every change above was recorded",
            action: "list-audit-logs",
            input: |_| json!({"page_size": 10}),
            expect: Expect::Ok(|v, _| {
                let actions: Vec<&str> = list(v, "events").filter_map(|e| e["action"].as_str()).collect();
                let wanted =
                    ["org.team.create", "org.team.member.add", "org.member.role.change", "org.member.invite.send"];
                match wanted.iter().find(|w| !actions.contains(w)) {
                    None => {
                        Ok(format!("latest events: {}", actions.iter().take(6).copied().collect::<Vec<_>>().join(", ")))
                    }
                    Some(missing) => Err(format!("{missing} missing from {actions:?}")),
                }
            }),
        },
        Step {
            title: "Clean up: cancel the first invite",
            action: "cancel-invite",
            input: |memory| json!({"id": memory.get("invites").and_then(|i| i.get(0)).cloned().unwrap_or_default()}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == true { Ok("cancelled".into()) } else { Err(format!("unexpected: {v}")) }
            }),
        },
        Step {
            title: "Cancelling it again is not-found: a removal that finds nothing never reports success",
            action: "cancel-invite",
            input: |memory| json!({"id": memory.get("invites").and_then(|i| i.get(0)).cloned().unwrap_or_default()}),
            expect: Expect::Fails("not-found"),
        },
        Step {
            title: "With missing_ok: true it succeeds with changed: false, found: false (a retried step does not fail)",
            action: "cancel-invite",
            input: |memory| json!({"id": memory.get("invites").and_then(|i| i.get(0)).cloned().unwrap_or_default(), "missing_ok": true}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == false && v["found"] == false {
                    Ok("already gone; nothing to do".into())
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
        Step {
            title: "Clean up: cancel the second invite",
            action: "cancel-invite",
            input: |memory| json!({"id": memory.get("invites").and_then(|i| i.get(1)).cloned().unwrap_or_default()}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == true { Ok("cancelled".into()) } else { Err(format!("unexpected: {v}")) }
            }),
        },
        Step {
            title: "Clean up: restore the person's role",
            action: "update-member-role",
            input: |memory| json!({"username": PERSON, "role": memory.get("role").cloned().unwrap_or(json!("editor"))}),
            expect: Expect::Ok(|v, _| Ok(format!("{PERSON} is {} again", v["member"]["role"].as_str().unwrap_or("?")))),
        },
        Step {
            title: "Clean up: take the person off the team",
            action: "remove-team-member",
            input: |_| json!({"team": TEAM, "username": PERSON}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == true { Ok("removed".into()) } else { Err(format!("unexpected: {v}")) }
            }),
        },
        Step {
            title: "Clean up: delete the team",
            action: "delete-team",
            input: |_| json!({"team": TEAM}),
            expect: Expect::Ok(|v, _| {
                if v["changed"] == true { Ok(format!("\"{TEAM}\" deleted")) } else { Err(format!("unexpected: {v}")) }
            }),
        },
        Step {
            title: "Guard rail: a generic request may not reach another organization",
            action: "api-request",
            input: |_| json!({"method": "GET", "path": "/v2/orgs/someone-else/members"}),
            expect: Expect::Fails("invalid-input"),
        },
        Step {
            title: "Guard rail: the trailing slash Docker would 404 on is removed",
            action: "api-request",
            input: |_| json!({"method": "GET", "path": format!("/v2/orgs/{DEFAULT_ORG}/groups/"), "query": {"page_size": 3}}),
            expect: Expect::Ok(|v, _| {
                if v["status"] == 200 && v["body"]["count"] == 8 && v["notes"].as_array().is_some_and(|n| n.len() == 1)
                {
                    Ok("200; back to the 8 seeded teams; trailing slash removed".into())
                } else {
                    Err(format!("unexpected: {v}"))
                }
            }),
        },
    ]
}

fn health(v: &Value, _: &mut Memory) -> std::result::Result<String, String> {
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
    let mut memory = Memory::new();
    for (n, step) in steps().into_iter().enumerate() {
        let before = runtime.http().sent().len();
        let started = Instant::now();
        let outcome = runtime.call(step.action, &(step.input)(&memory).to_string(), &secrets)?;
        let millis = started.elapsed().as_millis();
        let requests = runtime.http().sent().len() - before;
        let output = outcome.as_ref().ok().and_then(|text| serde_json::from_str::<Value>(text).ok());
        let judged = match (&step.expect, outcome) {
            (Expect::Ok(check), Ok(text)) => {
                serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()).and_then(|v| check(&v, &mut memory))
            }
            (Expect::Ok(_), Err(e)) => Err(format!("{}: {}", error_kind(&e), error_message(&e))),
            (Expect::Fails(kind), Err(e)) if error_kind(&e) == *kind => {
                Ok(format!("refused as expected ({kind}): {}", error_message(&e)))
            }
            (Expect::Fails(kind), Err(e)) => {
                Err(format!("expected {kind}, got {}: {}", error_kind(&e), error_message(&e)))
            }
            (Expect::Fails(kind), Ok(text)) => Err(format!("expected {kind}, but it succeeded: {text}")),
        };
        let passed = judged.is_ok();
        let summary = judged.unwrap_or_else(|e| e);
        writeln!(out, "{:>2}. {} [{}]", n + 1, step.title, step.action)?;
        writeln!(out, "    {} {summary}", if passed { "ok " } else { "FAIL" })?;
        writeln!(out, "    {requests} HTTP request{}, {millis} ms", if requests == 1 { "" } else { "s" })?;
        reports.push(StepReport {
            title: step.title.into(),
            action: step.action.into(),
            passed,
            summary,
            requests,
            millis,
            output,
        });
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
