//! `dockerhub-org mcp` driven by a client nobody here wrote: the official MCP Python SDK (`mcp`
//! from PyPI, pinned in tests/mcp/requirements.txt) runs tests/mcp/client.py, which spawns the real
//! binary as a stdio server, initializes, lists the tools, calls a read tool, writes without
//! `dry_run` and with `dry_run: null` (the server makes them previews, and the simulator's state is
//! read back to show nothing changed), a write with `dry_run: false` (carried out), two failing
//! calls and a 20 MB message (answered with a JSON-RPC error), checking schemas with `jsonschema`;
//! and twenty concurrent calls against a simulator of the test's own, counting token exchanges.
//! This test installs the client into a venv under the target dir the way the Node test installs
//! jco, and skips with a message only when python3 is absent.
//!
//! Every JSON-RPC message of the simulator round trip is kept in
//! `target/tmp/mcp-transcript.jsonl` (for reading, and for the docs).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

fn mcp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp")
}

/// Runs client.py's `scenario` against `dockerhub-org mcp <server_args>`; its report and the transcript.
fn run_client(scenario: &str, server_args: &[&str]) -> (Value, String) {
    run_client_with_oat(scenario, server_args, None)
}

/// [`run_client`], the server given `oat` as its DOCKERHUB_OAT.
fn run_client_with_oat(scenario: &str, server_args: &[&str], oat: Option<&str>) -> (Value, String) {
    let python = common::python::venv_python("mcp-client-venv", &mcp_dir().join("requirements.txt"));
    let transcript = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("mcp-transcript-{scenario}.jsonl"));
    let mut command = Command::new(python);
    command.env_remove("MCP_TEST_SERVER_OAT");
    if let Some(oat) = oat {
        command.env("MCP_TEST_SERVER_OAT", oat);
    }
    let output = command
        .arg(mcp_dir().join("client.py"))
        .arg(scenario)
        .arg(&transcript)
        .arg(env!("CARGO_BIN_EXE_dockerhub-org"))
        .arg("mcp")
        .args(server_args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the MCP client failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    let report = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (report, std::fs::read_to_string(&transcript).unwrap())
}

fn manifest_actions() -> Vec<Value> {
    let runtime = Runtime::embedded(RuntimeConfig::default()).unwrap();
    let manifest: Value = serde_json::from_str(&runtime.describe().unwrap()).unwrap();
    manifest["actions"].as_array().unwrap().clone()
}

/// A call's report: a success whose text copy is its structured content and which fits its output
/// schema when the tool declares one.
fn assert_structured_success(call: &Value, what: &str) {
    assert_eq!(call["is_error"], false, "{what}: {call}");
    assert!(call["structured"].is_object(), "{what}: no structured content: {call}");
    assert_eq!(call["first_text_is_the_structured_json"], true, "{what}: {call}");
    assert_eq!(call["output_schema_problem"], Value::Null, "{what} does not fit its output schema: {call}");
}

fn skip_without_python() -> bool {
    if common::python::available() {
        return false;
    }
    eprintln!("SKIPPED: python3 is not installed, so the MCP client (the official Python SDK) cannot run.");
    true
}

#[test]
fn the_official_python_client_lists_every_action_and_calls_them_on_the_simulator() {
    if skip_without_python() {
        return;
    }
    let (report, transcript) = run_client("simulator", &["--simulate", "--toolsets", "all"]);

    assert_eq!(report["server_info"]["name"], "dockerhub-org");
    assert_eq!(report["tools_capability"], true);
    assert_eq!(report["unparsed_lines"], 0, "the server wrote something other than JSON-RPC to stdout");

    // Every manifest action is a tool, with its title, flags and a valid input schema.
    let actions = manifest_actions();
    let tools = report["tools"].as_array().unwrap();
    assert_eq!(tools.len(), actions.len(), "one tool per action");
    for action in &actions {
        let name = action["name"].as_str().unwrap();
        let tool = tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no tool for {name}"));
        assert_eq!(tool["title"], action["title"], "{name}");
        // The manifest's first sentence, or its start cut with "…".
        let listed = tool["description"].as_str().unwrap().split("\n\n").next().unwrap().trim_end_matches('…');
        assert!(action["description"].as_str().unwrap().starts_with(listed), "{name}: {listed}");
        assert_eq!(tool["input_schema_type"], "object", "{name}");
        assert_eq!(tool["input_schema_problem"], Value::Null, "{name}'s input schema is not a valid JSON Schema");
        assert_eq!(tool["has_output_schema"], action.get("output_schema").is_some(), "{name}");
        assert_eq!(tool["output_schema_problem"], Value::Null, "{name}'s output schema is not a valid JSON Schema");
        let annotations = &tool["annotations"];
        assert_eq!(annotations["readOnlyHint"], action["read_only"], "{name}");
        assert_eq!(annotations["destructiveHint"], action["destructive"], "{name}");
        assert_eq!(annotations["idempotentHint"], action["idempotent"], "{name}");
        let talks_to_docker = !action["scopes"].as_array().unwrap().is_empty();
        assert_eq!(annotations["openWorldHint"], talks_to_docker, "{name}");
    }
    let connection_schema = tools.iter().find(|t| t["name"] == "connection-schema").unwrap();
    assert_eq!(connection_schema["annotations"]["openWorldHint"], false, "a purely local action");

    // A read tool.
    let listing = &report["list_members"];
    assert_structured_success(listing, "list-members");
    assert_eq!(listing["structured"]["count"], 320);
    assert_eq!(listing["structured"]["members"].as_array().unwrap().len(), 3);

    // A destructive tool without dry_run: a preview, said so, and nothing changed.
    let offboard_tool = tools.iter().find(|t| t["name"] == "offboard-member").unwrap();
    assert!(offboard_tool["description"].as_str().unwrap().contains(dockerhub_org_host::mcp::DRY_RUN_NOTE));
    let preview = &report["offboard_preview"];
    assert_structured_success(preview, "offboard-member (preview)");
    assert_eq!(preview["structured"]["dry_run"], true);
    assert!(!preview["structured"]["plan"].as_array().unwrap().is_empty(), "the preview shows its plan");
    assert!(preview["texts"][1].as_str().unwrap().contains("dry_run was not given"), "{preview}");
    let after = &report["member_after_preview"];
    assert_structured_success(after, "get-member after the preview");
    assert_eq!(after["structured"]["member"]["username"], "kenlovelace", "the preview removed nobody: {after}");

    // Every write, not only destructive ones, is described as previewed.
    for action in actions.iter().filter(|a| a["read_only"] == false) {
        let name = action["name"].as_str().unwrap();
        let tool = tools.iter().find(|t| t["name"] == name).unwrap();
        assert!(
            tool["description"].as_str().unwrap().contains(dockerhub_org_host::mcp::DRY_RUN_NOTE),
            "{name}: {tool}"
        );
    }
    // dry_run: null and dry_run absent are previews that say how to apply them...
    for (key, tool) in
        [("remove_null", "remove-member"), ("role_absent", "update-member-role"), ("invite_absent", "invite-members")]
    {
        let call = &report[key];
        assert_structured_success(call, key);
        assert_eq!(call["structured"]["dry_run"], true, "{key}: {call}");
        let note = call["texts"][1].as_str().unwrap_or_else(|| panic!("{key} has no preview note: {call}"));
        assert!(note.contains("nothing was changed"), "{key}: {note}");
        assert!(note.contains(&format!(r#"call {tool} again with the same arguments and "dry_run": false"#)), "{note}");
    }
    // ... and the simulator's state did not change: the member is there with the role they had,
    // and nobody was invited.
    let member = &report["member_after_previews"];
    assert_structured_success(member, "get-member after the previews");
    assert_eq!(member["structured"]["member"]["username"], "kenlovelace", "{member}");
    assert_eq!(member["structured"]["member"]["role"], "editor", "a preview changed the role: {member}");
    let invites = &report["invites_after_previews"];
    assert_structured_success(invites, "list-invites after the previews");
    assert!(invites["structured"]["invites"].is_array(), "{invites}");
    assert!(!invites["structured"].to_string().contains("new.person@example.com"), "a preview invited: {invites}");
    // dry_run: false is carried out.
    let applied = &report["role_applied"];
    assert_structured_success(applied, "update-member-role with dry_run: false");
    assert_eq!(applied["structured"]["dry_run"], false, "{applied}");
    assert_eq!(applied["texts"].as_array().unwrap().len(), 1, "no preview note on a change: {applied}");
    assert_eq!(
        report["member_after_apply"]["structured"]["member"]["role"], "member",
        "{}",
        report["member_after_apply"]
    );

    // Action errors are tool results with isError and the kind.
    let not_found = &report["not_found"];
    assert_eq!(not_found["is_error"], true, "{not_found}");
    assert_eq!(not_found["structured"]["error"], "not-found");
    assert!(not_found["structured"]["message"].as_str().unwrap().contains("no-such-team"), "{not_found}");
    assert!(not_found["texts"][0].as_str().unwrap().starts_with("not-found: "), "{not_found}");
    let invalid = &report["invalid_input"];
    assert_eq!(invalid["is_error"], true, "{invalid}");
    assert_eq!(invalid["structured"]["error"], "invalid-input");
    assert!(invalid["structured"]["message"].as_str().unwrap().contains("page_size"), "{invalid}");

    // An unknown tool is a protocol error (invalid params), not a tool result.
    assert_eq!(report["unknown_tool"]["raised"], true, "{}", report["unknown_tool"]);
    assert_eq!(report["unknown_tool"]["code"], -32602);

    // A message too large to read is answered with a JSON-RPC error, and the session goes on.
    let oversized = &report["oversized"];
    assert_eq!(oversized["raised"], true, "{oversized}");
    assert_eq!(oversized["code"], -32600, "invalid request: {oversized}");
    assert!(oversized["message"].as_str().unwrap().contains("at most 16777216 bytes"), "{oversized}");
    assert_structured_success(&report["after_oversized"], "a call after the oversized message");

    assert!(transcript.contains("\"tools/call\""), "the transcript has the calls");
    assert!(!transcript.contains(DEFAULT_OAT), "the simulator's token leaked into the MCP conversation");
}

#[test]
fn without_a_token_the_tool_error_says_where_the_server_reads_it() {
    if skip_without_python() {
        return;
    }
    // The client starts the server with only the SDK's safe environment (no DOCKERHUB_OAT); the hub
    // URL is never contacted because the token is checked first.
    let (report, _) =
        run_client("missing-token", &["--org", "acme", "--hub-url", "http://127.0.0.1:9", "--toolsets", "all"]);
    assert_eq!(report["tool_count"].as_u64().unwrap() as usize, manifest_actions().len());
    let check = &report["check"];
    assert_eq!(check["is_error"], true, "{check}");
    assert_eq!(check["structured"]["error"], "missing-credential");
    let message = check["structured"]["message"].as_str().unwrap();
    assert!(message.contains("DOCKERHUB_OAT") && message.contains("--org"), "{message}");
}

#[test]
fn twenty_concurrent_first_calls_share_one_token_exchange() {
    if skip_without_python() {
        return;
    }
    // A simulator of this test's own, so its issued tokens can be counted: one per exchange.
    let simulator = Simulator::start(SimulatorConfig::default()).unwrap();
    let (report, transcript) =
        run_client_with_oat("concurrent", &["--org", DEFAULT_ORG, "--hub-url", simulator.url()], Some(DEFAULT_OAT));
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 20);
    for (i, call) in calls.iter().enumerate() {
        assert_structured_success(call, &format!("concurrent call {i}"));
        assert_eq!(call["structured"]["members"].as_array().unwrap().len(), 1, "{call}");
    }
    let exchanges = simulator.with_state(|state| state.tokens.len());
    assert_eq!(exchanges, 1, "twenty concurrent calls, one token exchange");
    assert!(!transcript.contains(DEFAULT_OAT), "the token leaked into the MCP conversation");
}

/// The default tool list fits an agent's budget (at most 40 KB; it was 178 KB with every tool, full
/// output schemas and descriptions), leaves out the tools no agent needs, and says in the first
/// sentence when to use remove-member and when offboard-member. A listing an agent calls with
/// `all_pages` and no `page_size` gets a small first page and how to get more; `fields` keeps only
/// the named fields of each item (token estimate: bytes / 4).
#[test]
fn the_default_tool_list_is_lean_and_listings_answer_small() {
    if skip_without_python() {
        return;
    }
    let (report, _) = run_client("lean", &["--simulate"]);
    let bytes = report["tools_list_bytes"].as_u64().unwrap();
    let names: Vec<&str> = report["tool_names"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    eprintln!("default tools/list: {bytes} bytes (~{} tokens), {} tools", bytes / 4, names.len());
    assert!(bytes <= 40_000, "the default tools/list is {bytes} bytes");
    for hidden in [
        "connection-schema",
        "validate-connection-settings",
        "check-oat-connection",
        "check-member-listing",
        "check-group-listing",
    ] {
        assert!(!names.contains(&hidden), "{hidden} is listed by default");
    }
    for shown in
        ["list-members", "offboard-member", "remove-member", "run-health-checks", "list-audit-logs", "api-request"]
    {
        assert!(names.contains(&shown), "{shown} is not listed by default");
    }
    let first_sentence = |tool: &str| {
        let text = report["descriptions"][tool].as_str().unwrap().to_string();
        text.split(". ").next().unwrap().to_string()
    };
    assert!(first_sentence("remove-member").contains("offboard-member"), "{}", first_sentence("remove-member"));
    assert!(first_sentence("offboard-member").contains("remove-member"), "{}", first_sentence("offboard-member"));

    let agent = &report["agent_all_pages"];
    assert_structured_success(agent, "list-members all_pages without page_size");
    assert_eq!(agent["structured"]["returned"], 20, "{}", agent["structured"]["paging"]);
    let more = agent["texts"][1].as_str().unwrap_or_else(|| panic!("no note on how to get more: {agent}"));
    assert!(more.contains("\"page\":") && more.contains("max_items"), "{more}");

    let (full, fields) = (&report["full_page"], &report["fields_page"]);
    assert_structured_success(full, "a page of 100");
    assert_structured_success(fields, "a page of 100 with fields");
    for member in fields["structured"]["members"].as_array().unwrap() {
        let keys: Vec<&String> = member.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["role", "username"], "{member}");
    }
    let (full_bytes, fields_bytes) = (full["bytes"].as_u64().unwrap(), fields["bytes"].as_u64().unwrap());
    eprintln!(
        "list-members page_size 100: {full_bytes} bytes; with fields [username, role]: {fields_bytes} bytes; \
         ~{} tokens saved per call (bytes / 4)",
        (full_bytes - fields_bytes) / 4
    );
    assert!(fields_bytes * 3 < full_bytes, "fields saves little: {fields_bytes} of {full_bytes}");

    let unknown = &report["unknown_field"];
    assert_eq!(unknown["structured"]["error"], "invalid-input", "{unknown}");
    let message = unknown["structured"]["message"].as_str().unwrap();
    assert!(message.contains("nickname") && message.contains("\"username\""), "{message}");
    assert_eq!(unknown["structured"]["detail"]["field"], "/fields/0", "{unknown}");

    // One toolset: only its tools.
    let (teams, _) = run_client("lean", &["--simulate", "--toolsets", "teams"]);
    let names: Vec<&str> = teams["tool_names"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(names.contains(&"list-teams") && names.contains(&"add-team-member"), "{names:?}");
    assert!(!names.contains(&"list-members") && !names.contains(&"offboard-member"), "{names:?}");
}
