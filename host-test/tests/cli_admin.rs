//! The command line an organization admin reaches for (issue 27), run as a process against an
//! embedded simulator whose state each test reads back: every action as a subcommand with flags
//! from its schema, shell completion, confirmation of destructive writes under a real
//! pseudo-terminal, tables that say when they are partial and fit the terminal, sections, date and
//! relative-time audit filters, invites by email, and the token from a file.

mod common;

use common::cli::{Run, command, finish};
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use serde_json::Value;

fn cli(args: &[&str]) -> Run {
    finish(&mut command(args))
}

fn simulator() -> Simulator {
    Simulator::start(SimulatorConfig::default()).expect("the simulator starts")
}

/// `args` against `simulator` as a live organization.
fn live(simulator: &Simulator, args: &[&str]) -> Command {
    let mut args = args.to_vec();
    args.extend(["--org", DEFAULT_ORG, "--hub-url", simulator.url()]);
    let mut command = command(&args);
    command.env("DOCKERHUB_OAT", DEFAULT_OAT);
    command
}

fn cli_on(simulator: &Simulator, args: &[&str]) -> Run {
    let run = finish(&mut live(simulator, args));
    assert!(!run.stdout.contains(DEFAULT_OAT) && !run.stderr.contains(DEFAULT_OAT), "the token leaked: {run:#?}");
    run
}

fn assert_code(run: &Run, code: i32) {
    assert_eq!(run.code, code, "exit code; {run:#?}");
}

fn json(run: &Run) -> Value {
    assert_code(run, 0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {run:#?}"))
}

fn is_member(simulator: &Simulator, username: &str) -> bool {
    simulator.with_state(|state| state.member_index(username).is_some())
}

/// A member the seeded organization can lose (not an owner).
const EDITOR: &str = "linuslovelace";

// ---- flags from the schema ------------------------------------------------------------------------

/// The component's own manifest, as `dockerhub-org actions --json` prints it.
fn manifest_actions() -> Vec<Value> {
    let manifest = json(&cli(&["actions", "--json"]));
    manifest["actions"].as_array().expect("actions").clone()
}

/// The input properties of a schema, with those of a top-level oneOf/anyOf/allOf.
fn properties(schema: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut nodes = vec![schema.clone()];
    for key in ["oneOf", "anyOf", "allOf"] {
        nodes.extend(schema[key].as_array().cloned().unwrap_or_default());
    }
    for node in nodes {
        for (name, property) in node["properties"].as_object().into_iter().flatten() {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), property.clone()));
            }
        }
    }
    out
}

#[test]
fn every_action_is_a_subcommand_whose_help_shows_each_schema_field() {
    let actions = manifest_actions();
    assert!(actions.len() > 20, "the manifest lists every action");
    for action in &actions {
        let name = action["name"].as_str().unwrap();
        let run = cli(&[name, "--help"]);
        assert_code(&run, 0);
        assert!(run.stdout.contains(action["title"].as_str().unwrap()), "{name}: no title in {}", run.stdout);
        let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        for (field, property) in properties(&action["input_schema"]) {
            let flag = format!("--{}", field.replace('_', "-"));
            let singular = flag.strip_suffix('s').unwrap_or(&flag).to_string();
            assert!(help.contains(&flag) || help.contains(&singular), "{name}: no {flag} in {help}");
            let description = property["description"].as_str().unwrap_or_default();
            let first_words: String = description.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
            assert!(help.contains(&first_words), "{name} {flag}: description {first_words:?} missing from {help}");
            if let Some(default) = property.get("default") {
                let shown = default.as_str().map_or_else(|| default.to_string(), str::to_string);
                assert!(help.contains(&format!("[default: {shown}]")), "{name} {flag}: default missing");
            }
        }
        assert_eq!(action["destructive"] == true, help.contains("--yes"), "{name}: --yes only on destructive writes");
    }
}

#[test]
fn each_manifest_example_as_flags_answers_as_its_json_form_does() {
    for action in manifest_actions() {
        let name = action["name"].as_str().unwrap();
        if action["example"].as_object().is_none_or(|o| o.is_empty()) {
            continue;
        }
        let shown = cli(&["actions", name]);
        let example = shown.stdout.lines().skip_while(|l| *l != "Example:").nth(1);
        let Some(example) = example else { panic!("{name}: no flag example in {}", shown.stdout) };
        let flags = example.trim().strip_prefix(&format!("dockerhub-org {name} --simulate ")).expect("the flag form");
        // The example is shell text (quoted where needed): the shell splits it as a user's would.
        let script = format!("exec \"$0\" {name} --simulate {flags} --json");
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(&script).arg(env!("CARGO_BIN_EXE_dockerhub-org"));
        for key in ["DOCKERHUB_ORG", "DOCKERHUB_OAT", "DOCKERHUB_OAT_FILE", "DOCKERHUB_HUB_URL", "COLUMNS"] {
            shell.env_remove(key);
        }
        let as_flags = finish(&mut shell);
        let input = action["example"].to_string();
        let as_json = cli(&["run", name, "--simulate", "--input", &input, "--json"]);
        assert_eq!(as_flags.code, as_json.code, "{name}: {flags}\n{as_flags:#?}\n{as_json:#?}");
        assert_ne!(as_flags.code, 2, "{name}: the flags parse: {as_flags:#?}");
        let kind = |run: &Run| serde_json::from_str::<Value>(&run.stdout).ok().map(|v| v["error"].clone());
        assert_eq!(kind(&as_flags), kind(&as_json), "{name}");
    }
}

#[test]
fn booleans_are_switches_enums_are_checked_and_numbers_say_their_range() {
    // A closed choice is checked before any call (a role is open: a custom role's name is Docker's
    // to refuse, so `type` is the enum here).
    let run = cli(&["list-members", "--simulate", "--type", "everyone"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("invitee") && run.stderr.contains("member"), "{run:#?}");
    let run = cli(&["list-members", "--simulate", "--page-size", "many"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("expected a whole number"), "{run:#?}");
    let owners = json(&cli(&["list-members", "--simulate", "--role", "owner", "--all", "--json"]));
    let members = owners["members"].as_array().unwrap();
    assert!(!members.is_empty() && members.iter().all(|m| m["role"] == "owner"), "{owners}");
    assert_eq!(owners["paging"]["all_pages"], true, "--all is all_pages");
}

#[test]
fn flags_and_input_merge_and_the_flags_win() {
    let simulator = simulator();
    let input = format!(r#"{{"username": "{EDITOR}", "dry_run": false}}"#);
    let plan = json(&cli_on(&simulator, &["remove-member", "--input", &input, "--dry-run", "--json"]));
    assert_eq!(plan["dry_run"], true, "{plan}");
    assert!(is_member(&simulator, EDITOR), "a dry run removes nobody");
    let run = cli_on(&simulator, &["remove-member", "--input", "[1]", "--dry-run"]);
    assert_code(&run, 10);
    assert!(run.stderr.contains("--input must be a JSON object"), "{run:#?}");
}

#[test]
fn repeated_flags_make_a_list() {
    let simulator = simulator();
    let args = ["invite-members", "--invitee", "a@x.example", "--invitee", "b@y.example", "--team", "qa", "--dry-run"];
    let output = json(&cli_on(&simulator, &[&args[..], &["--json"]].concat()));
    assert_eq!(output["requested"], serde_json::json!(["a@x.example", "b@y.example"]), "{output}");
    assert_eq!(output["team"], "qa");
}

// ---- shell completion -----------------------------------------------------------------------------

#[test]
fn completion_scripts_complete_actions_flags_and_enum_values() {
    let bash = cli(&["completion", "bash"]);
    assert_code(&bash, 0);
    for needle in ["remove-member", "list-members", "--dry-run", "owner editor member", "completion"] {
        assert!(bash.stdout.contains(needle), "{needle} missing from the bash script");
    }
    let path = std::env::temp_dir().join(format!("dockerhub-org-completion-{}.bash", std::process::id()));
    std::fs::write(&path, &bash.stdout).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
    std::fs::remove_file(&path).unwrap();
    assert!(checked.status.success(), "bash -n: {}", String::from_utf8_lossy(&checked.stderr));
    for shell in ["zsh", "fish"] {
        let run = cli(&["completion", shell]);
        assert_code(&run, 0);
        assert!(run.stdout.contains("remove-member") && run.stdout.contains("dry-run"), "{shell}: {}", run.stdout);
    }
    assert_code(&cli(&["completion", "tcsh"]), 2);
}

// ---- confirmation under a real pseudo-terminal ----------------------------------------------------

/// Runs `args` against `simulator` on a pseudo-terminal; `answer` is typed when `[y/N]` is asked.
/// Returns everything the terminal showed.
fn on_pty(simulator: &Simulator, args: &[&str], answer: Option<&str>) -> String {
    let mut session = rexpect::session::spawn_command(live(simulator, args), Some(30_000)).expect("a pty");
    let shown = match answer {
        Some(answer) => {
            let before = session.exp_string("[y/N]").expect("the question");
            session.send_line(answer).expect("the answer");
            before + &session.exp_eof().expect("the end")
        }
        None => session.exp_eof().expect("the end"),
    };
    assert!(!shown.contains(DEFAULT_OAT), "the token leaked: {shown}");
    shown
}

#[test]
fn a_destructive_write_on_a_terminal_shows_its_plan_and_no_changes_nothing() {
    let simulator = simulator();
    let shown = on_pty(&simulator, &["remove-member", "--username", EDITOR], Some("n"));
    assert!(shown.contains("Dry run") && shown.contains("DELETE"), "the plan first: {shown}");
    assert!(shown.contains("Nothing was changed."), "{shown}");
    assert!(is_member(&simulator, EDITOR), "answering no removed the member");
    assert!(simulator.with_state(|s| s.members.len()) == 320);

    // `dry_run: null` is the default (false here), not a way past the question.
    let shown = on_pty(
        &simulator,
        &["remove-member", "--input", &format!(r#"{{"username": "{EDITOR}", "dry_run": null}}"#)],
        Some("n"),
    );
    assert!(shown.contains("Dry run") && shown.contains("Nothing was changed."), "{shown}");
    assert!(is_member(&simulator, EDITOR), "dry_run: null skipped the confirmation");

    let shown = on_pty(&simulator, &["remove-member", "--username", EDITOR], Some("y"));
    assert!(!is_member(&simulator, EDITOR), "answering yes removes: {shown}");
}

#[test]
fn yes_and_no_terminal_never_ask() {
    let simulator = simulator();
    let shown = on_pty(&simulator, &["remove-member", "--username", EDITOR, "--yes"], None);
    assert!(!shown.contains("[y/N]"), "{shown}");
    assert!(!is_member(&simulator, "linuslovelace"));
    // Without a terminal (standard input is /dev/null here): runs at once, as scripts expect.
    let run = cli_on(&simulator, &["remove-member", "--username", "kenlovelace"]);
    assert_code(&run, 0);
    assert!(!run.stderr.contains("[y/N]"), "{run:#?}");
    assert!(!is_member(&simulator, "kenlovelace"));
    // A dry run on a terminal asks nothing: it changes nothing.
    let shown = on_pty(&simulator, &["remove-member", "--username", "barbaralovelace", "--dry-run"], None);
    assert!(!shown.contains("[y/N]") && shown.contains("Dry run"), "{shown}");
    assert!(is_member(&simulator, "barbaralovelace"));
}

#[test]
fn an_action_that_previews_by_default_asks_only_when_told_to_write() {
    let simulator = simulator();
    let email = "margaret.lovelace@example.com";
    let shown = on_pty(&simulator, &["offboard-member", "--email", email], None);
    assert!(!shown.contains("[y/N]"), "offboard-member previews by default: {shown}");
    let shown = on_pty(&simulator, &["offboard-member", "--email", email, "--dry-run=false"], Some("no"));
    assert!(shown.contains("DELETE") && shown.contains("Nothing was changed."), "{shown}");
    assert!(is_member(&simulator, "margaretlovelace"));
}

// ---- tables that tell the whole story -------------------------------------------------------------

#[test]
fn a_partial_listing_says_so_on_standard_error_and_all_walks_every_page() {
    let simulator = simulator();
    let run = cli_on(&simulator, &["list-members", "-o", "table"]);
    assert_code(&run, 0);
    assert_eq!(run.stdout.lines().count(), 11, "a header and one page: {run:#?}");
    assert_eq!(run.stderr.trim(), "10 of 320 shown; --all for every page, or --page 2");
    let run = cli_on(&simulator, &["list-members", "--all", "-o", "csv"]);
    assert_code(&run, 0);
    assert_eq!(run.stdout.lines().count(), 321, "every member");
    assert_eq!(run.stderr, "", "a complete listing has no footer");
    let run = cli_on(&simulator, &["list-members"]);
    assert_code(&run, 0);
    assert_eq!(run.stderr, "", "JSON for programs carries its paging itself");
}

#[test]
fn a_table_fits_80_columns_without_ids_or_always_empty_columns() {
    let simulator = simulator();
    let run = finish(live(&simulator, &["list-members", "-o", "table"]).env("COLUMNS", "80"));
    assert_code(&run, 0);
    for line in run.stdout.lines() {
        assert!(line.chars().count() <= 80, "{} characters: {line}", line.chars().count());
    }
    let header: Vec<&str> = run.stdout.lines().next().unwrap().split_whitespace().collect();
    assert!(header.contains(&"USERNAME") && !header.contains(&"ID"), "{header:?}");
    assert!(run.stdout.contains('…'), "long cells are cut: {}", run.stdout);
    // Team members carry no role, groups or guest flag: those columns are dropped.
    let run = cli_on(&simulator, &["list-team-members", "--team", "developers", "-o", "table"]);
    assert_code(&run, 0);
    let header = run.stdout.lines().next().unwrap().to_string();
    for empty in ["ROLE", "GROUPS"] {
        assert!(!header.split_whitespace().any(|h| h == empty), "{empty} is always empty: {header}");
    }
}

#[test]
fn columns_picks_the_columns_ids_included() {
    let simulator = simulator();
    let run = cli_on(&simulator, &["list-members", "--columns", "username,id", "-o", "table"]);
    assert_code(&run, 0);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next().unwrap().split_whitespace().collect::<Vec<_>>(), ["USERNAME", "ID"]);
    assert!(lines.next().unwrap().starts_with("adalovelace"), "{}", run.stdout);
    let run = cli_on(&simulator, &["export-members", "--columns", "email,name", "-o", "csv"]);
    assert_code(&run, 0);
    assert_eq!(run.stdout.lines().next(), Some("email,name"));
    let run = cli_on(&simulator, &["list-members", "--columns", "usrname"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("no column \"usrname\"") && run.stderr.contains("username"), "{run:#?}");
}

#[test]
fn one_object_prints_as_key_value_lines_nested_fields_flattened() {
    let simulator = simulator();
    let run = cli_on(&simulator, &["get-member", "--username", "adalovelace", "-o", "table"]);
    assert_code(&run, 0);
    let line = run.stdout.lines().find(|l| l.starts_with("member.email")).unwrap_or_else(|| panic!("{run:#?}"));
    assert!(line.ends_with("ada.lovelace@example.com"), "{line}");
    assert!(run.stdout.lines().any(|l| l.starts_with("matched_by") && l.ends_with("username")), "{}", run.stdout);
}

#[test]
fn a_write_prints_its_message_and_plan() {
    let simulator = simulator();
    let run = cli_on(&simulator, &["remove-member", "--username", EDITOR, "--dry-run", "-o", "table"]);
    assert_code(&run, 0);
    let first = run.stdout.lines().next().unwrap();
    assert!(first.starts_with("Dry run"), "{run:#?}");
    assert!(run.stdout.contains("Plan:") && run.stdout.contains("DELETE"), "{}", run.stdout);
    let run = cli_on(&simulator, &["remove-member", "--username", EDITOR, "--dry-run", "-o", "csv"]);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let record = reader.records().next().unwrap().unwrap();
    let message = headers.iter().position(|h| h == "message").expect("a message column");
    assert!(record[message].starts_with("Dry run"), "{}", run.stdout);
}

#[test]
fn audit_events_show_their_data_flattened() {
    let simulator = simulator();
    let run = cli_on(&simulator, &["list-audit-logs", "--all", "-o", "csv"]);
    assert_code(&run, 0);
    let header = run.stdout.lines().next().unwrap();
    assert!(header.split(',').any(|h| h.starts_with("data.")), "{header}");
}

#[test]
fn a_section_of_the_access_review_exports_as_csv() {
    let simulator = simulator();
    let review = json(&cli_on(&simulator, &["access-review", "--json"]));
    let run = cli_on(&simulator, &["access-review", "--section", "inactive", "-o", "csv"]);
    assert_code(&run, 0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let column =
        reader.headers().unwrap().iter().position(|h| h == "username").unwrap_or_else(|| panic!("{}", run.stdout));
    let usernames: Vec<String> = reader.records().map(|r| r.unwrap()[column].to_string()).collect();
    // Every member the review lists under "inactive" is a row (whatever shape the review gives it).
    let listed = review.to_string();
    assert!(!usernames.is_empty(), "{}", run.stdout);
    assert!(usernames.iter().all(|u| listed.contains(&format!("\"{u}\""))), "{usernames:?}");
    let run = cli_on(&simulator, &["access-review", "--section", "nope"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("--section nope") && run.stderr.contains("inactive"), "{run:#?}");
}

#[test]
fn a_report_with_a_markdown_form_prints_it_on_a_terminal() {
    let simulator = simulator();
    let shown = on_pty(&simulator, &["access-review"], None);
    assert!(shown.contains("# ") && !shown.trim_start().starts_with('{'), "{shown}");
}

// ---- everyday questions -----------------------------------------------------------------------------

#[test]
fn audit_filters_take_a_date_and_a_relative_time() {
    let simulator = simulator();
    let output =
        json(&cli_on(&simulator, &["list-audit-logs", "--from", "2026-11-26", "--to", "2026-11-27", "--json"]));
    assert_eq!(output["filters"]["from"], "2026-11-26T00:00:00Z", "{output}");
    assert_eq!(output["filters"]["to"], "2026-11-27T00:00:00Z");
    let output =
        json(&cli_on(&simulator, &["run", "list-audit-logs", "--input", r#"{"from": "2026-11-26"}"#, "--json"]));
    assert_eq!(output["filters"]["from"], "2026-11-26T00:00:00Z", "the component takes the date itself");
    let output = json(&cli_on(&simulator, &["list-audit-logs", "--since", "7d", "--json"]));
    let from = humantime::parse_rfc3339(output["filters"]["from"].as_str().unwrap()).unwrap();
    let ago = std::time::SystemTime::now().duration_since(from).unwrap().as_secs();
    assert!((7 * 86_400..7 * 86_400 + 120).contains(&ago), "{output}");
    let run = cli_on(&simulator, &["list-audit-logs", "--since", "a while"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("7d, 12h or 2w"), "{run:#?}");
}

#[test]
fn cancel_invite_by_email_cancels_exactly_that_invite() {
    let simulator = simulator();
    let pending =
        |s: &Simulator| s.with_state(|state| state.invites.iter().map(|i| i.invitee.clone()).collect::<Vec<_>>());
    let before = pending(&simulator);
    assert!(before.contains(&"new.hire@example.com".to_string()));
    // A near match is not a match: nothing is cancelled.
    let run = cli_on(&simulator, &["cancel-invite", "--email", "new.hire@example.co", "--yes"]);
    assert_code(&run, 14);
    assert!(run.stderr.starts_with("not-found: ") && run.stderr.contains("new.hire@example.co"), "{run:#?}");
    assert_eq!(pending(&simulator), before);
    let output = json(&cli_on(&simulator, &["cancel-invite", "--email", "New.Hire@Example.com", "--yes", "--json"]));
    assert_eq!(output["changed"], true, "{output}");
    assert_eq!(output["id"], "e36eca69-4cc8-4f17-9845-ae8c2b832600");
    let after = pending(&simulator);
    assert_eq!(after.len(), before.len() - 1);
    assert!(!after.contains(&"new.hire@example.com".to_string()));
    let output = json(&cli_on(&simulator, &["resend-invite", "--username", "octocat", "--json"]));
    assert_eq!(output["changed"], true, "{output}");
    let run = cli_on(&simulator, &["resend-invite", "--username", "octocat", "--email", "a@b.example"]);
    assert_code(&run, 10);
    assert!(run.stderr.contains("exactly one of"), "{run:#?}");
}

// ---- where the token and the simulator come from ---------------------------------------------------------

#[test]
fn the_token_comes_from_a_file_without_its_line_break() {
    let simulator = simulator();
    let dir = std::env::temp_dir().join(format!("dockerhub-org-cli-oat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("oat");
    std::fs::write(&file, format!("{DEFAULT_OAT}\n")).unwrap();
    let mut with_file = live(&simulator, &["list-teams", "--json"]);
    with_file.env_remove("DOCKERHUB_OAT").env("DOCKERHUB_OAT_FILE", &file);
    let run = finish(&mut with_file);
    assert_code(&run, 0);
    let mut missing = live(&simulator, &["list-teams"]);
    missing.env_remove("DOCKERHUB_OAT").env("DOCKERHUB_OAT_FILE", dir.join("absent"));
    let run = finish(&mut missing);
    assert_code(&run, 11);
    assert!(run.stderr.contains("DOCKERHUB_OAT_FILE") && run.stderr.contains("absent"), "{run:#?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_token_fails_the_health_checks_with_one_explanation() {
    let simulator = simulator();
    let run = finish(live(&simulator, &["health"]).env("DOCKERHUB_OAT", "dckr_oat_wrong-token"));
    assert_ne!(run.code, 0, "{run:#?}");
    let details: Vec<&str> = run.stdout.lines().filter(|l| l.trim_start().starts_with("detail: ")).collect();
    assert_eq!(details.len(), 3, "{}", run.stdout);
    assert!(details[0].contains("401") || details[0].len() > 60, "the explanation first: {}", run.stdout);
    assert_eq!(details[1..], ["     detail: the same as above"; 2], "{}", run.stdout);
    assert!(!run.stdout.contains("connection settings"), "the CLI's words: {}", run.stdout);
    assert!(run.stdout.contains("--org"), "{}", run.stdout);
}

#[test]
fn serve_simulator_prints_the_command_line_to_use_it() {
    let mut child = command(&["serve-simulator", "--port", "0"]).stdout(Stdio::piped()).spawn().expect("it starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut text = String::new();
    for line in lines.by_ref().take(6) {
        text.push_str(&line.unwrap());
        text.push('\n');
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let line = text.lines().find(|l| l.contains("dockerhub-org list-members")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("--org {DEFAULT_ORG} --hub-url http://127.0.0.1:")), "{line}");
}

#[test]
fn the_fix_the_component_knows_is_printed_as_a_hint_and_in_the_json_error() {
    let run = cli(&["get-member", "--simulate"]);
    assert_code(&run, 10);
    assert!(run.stderr.lines().any(|l| l.starts_with("hint: ") && l.contains("exactly one")), "{run:#?}");
    let run = cli(&["get-member", "--simulate", "--json"]);
    let error: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:#?}"));
    assert_eq!(error["error"], "invalid-input");
    assert_eq!(error["hints"], error["detail"]["hints"], "{error}");
    assert!(!error["hints"].as_array().unwrap().is_empty(), "{error}");
}

// ---- organization as code: export -> edit -> plan -> apply ----------------------------------------

/// A file of this test process's own under the temporary directory.
fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("dockerhub-org-{}-{name}", std::process::id()))
}

/// The exported organization, edited: a new team with two people, and qa described anew.
fn edited_export(simulator: &Simulator, name: &str) -> std::path::PathBuf {
    let export = cli_on(simulator, &["export-org", "-o", "yaml"]);
    assert_code(&export, 0);
    assert!(export.stdout.starts_with("organization: example-org\nprune:\n  members: false\n"), "{}", export.stdout);
    assert!(!export.stdout.contains("meta:"), "the document alone: {}", &export.stdout[..200]);
    let edited = export
        .stdout
        .replacen("teams:\n", "teams:\n- name: release\n  members:\n  - kenlovelace\n  - ada.lovelace@example.com\n", 1)
        .replace("- name: qa\n  description: Quality assurance\n", "- name: qa\n  description: Quality engineering\n");
    assert_ne!(edited, export.stdout);
    let path = temp_file(name);
    std::fs::write(&path, edited).unwrap();
    path
}

#[test]
fn export_edit_plan_apply_through_the_cli() {
    let simulator = simulator();
    let path = edited_export(&simulator, "org.yaml");
    let file = path.to_str().unwrap();
    let plan = cli_on(&simulator, &["plan-org", "--file", file, "-o", "table"]);
    assert_code(&plan, 0);
    for line in [
        "Teams:",
        "  + release: create the team",
        "      1. POST /v2/orgs/example-org/groups",
        "  ~ qa: description \"Quality assurance\" -> \"Quality engineering\"",
        "Team memberships:",
        "  + adalovelace on team release: put on team \"release\"",
        "  + kenlovelace on team release: put on team \"release\"",
    ] {
        assert!(plan.stdout.lines().any(|l| l == line), "{line:?} missing: {}", plan.stdout);
    }
    assert_eq!(plan.stdout.lines().last(), Some("3 to add, 1 to change, 0 to remove."), "{}", plan.stdout);
    assert!(!plan.stdout.contains('\u{1b}'), "no colour off a terminal: {}", plan.stdout);

    // apply-org previews by default; with --dry-run=false and no terminal it applies at once.
    let preview = json(&cli_on(&simulator, &["apply-org", "--file", file, "--json"]));
    assert_eq!((preview["dry_run"].clone(), preview["changed"].clone()), (Value::Bool(true), Value::Bool(true)));
    assert!(simulator.with_state(|s| s.team_index("release").is_none()), "a preview creates nothing");
    let applied = cli_on(&simulator, &["apply-org", "--file", file, "--dry-run=false", "-o", "table"]);
    assert_code(&applied, 0);
    assert!(applied.stdout.contains("  + release: create the team [done]"), "{}", applied.stdout);
    assert!(applied.stdout.starts_with("Organization \"example-org\" now matches the document"), "{}", applied.stdout);
    assert_eq!(simulator.with_state(|s| s.member_count("release")), 2);

    let again = cli_on(&simulator, &["plan-org", "--file", file, "-o", "table"]);
    assert!(again.stdout.contains("No changes"), "{}", again.stdout);
    assert_eq!(again.stdout.lines().last(), Some("0 to add, 0 to change, 0 to remove."));
    // An export's whole JSON output is read for its document.
    let export = cli_on(&simulator, &["export-org", "--json"]);
    let json_path = temp_file("org.json");
    std::fs::write(&json_path, &export.stdout).unwrap();
    let plan = json(&cli_on(&simulator, &["plan-org", "--file", json_path.to_str().unwrap(), "--json"]));
    assert_eq!(plan["changes"], serde_json::json!([]), "{plan}");
    for p in [&path, &json_path] {
        std::fs::remove_file(p).unwrap();
    }

    let missing = cli_on(&simulator, &["plan-org", "--file", "/nonexistent/org.yaml"]);
    assert_code(&missing, 10);
    assert!(missing.stderr.contains("/nonexistent/org.yaml"), "{missing:#?}");
    let bad = temp_file("bad.yaml");
    std::fs::write(&bad, "teams: [\n").unwrap();
    let run = cli_on(&simulator, &["plan-org", "--file", bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).unwrap();
    assert_code(&run, 10);
    assert!(run.stderr.contains("neither JSON") && run.stderr.contains("export-org -o yaml"), "{run:#?}");
}

#[test]
fn apply_org_on_a_terminal_shows_the_plan_in_colour_and_asks() {
    let simulator = simulator();
    let path = edited_export(&simulator, "pty.yaml");
    let file = path.to_str().unwrap();
    let shown = on_pty(&simulator, &["apply-org", "--file", file], None);
    assert!(!shown.contains("[y/N]"), "apply-org previews by default: {shown}");
    let shown = on_pty(&simulator, &["apply-org", "--file", file, "--dry-run=false"], Some("n"));
    assert!(shown.contains("\u{1b}[32m  + release: create the team"), "the plan in colour first: {shown}");
    assert!(shown.contains("3 to add, 1 to change, 0 to remove.") && shown.contains("Nothing was changed."), "{shown}");
    assert!(simulator.with_state(|s| s.team_index("release").is_none()), "answering no created nothing");
    // NO_COLOR: the same plan, no colour.
    let mut command = live(&simulator, &["apply-org", "--file", file, "--dry-run=false"]);
    command.env("NO_COLOR", "1");
    let mut session = rexpect::session::spawn_command(command, Some(30_000)).expect("a pty");
    let before = session.exp_string("[y/N]").expect("the question");
    assert!(before.contains("+ release: create the team") && !before.contains("\u{1b}[32m"), "{before}");
    session.send_line("y").expect("the answer");
    session.exp_eof().expect("the end");
    assert_eq!(simulator.with_state(|s| s.member_count("release")), 2, "answering yes applies");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_stopped_apply_shows_what_was_done_and_what_was_not() {
    use dockerhub_org_host::simulator::{FailWrite, Quirks};
    // The second write fails with a 500 and is not carried out.
    let quirks = Quirks { fail_write: Some(FailWrite { nth: 2, status: 500 }), ..Quirks::default() };
    let simulator = Simulator::start(SimulatorConfig { quirks, ..SimulatorConfig::default() }).expect("simulator");
    let path = temp_file("stopped.yaml");
    std::fs::write(&path, "teams:\n- name: release\n  members: [kenlovelace, timlovelace]\n").unwrap();
    let run = cli_on(&simulator, &["apply-org", "--file", path.to_str().unwrap(), "--dry-run=false", "--yes"]);
    std::fs::remove_file(&path).unwrap();
    assert_code(&run, 17); // upstream: the failed request's kind, never success
    for line in [
        "  + release: create the team [done]",
        "  + kenlovelace on team release: put on team \"release\" [failed]",
        "  + timlovelace on team release: put on team \"release\" [not-attempted]",
    ] {
        assert!(run.stderr.lines().any(|l| l == line), "{line:?} missing: {}", run.stderr);
    }
    assert!(run.stderr.contains("Run apply-org again with the same document to continue"), "{}", run.stderr);
}
