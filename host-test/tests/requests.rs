//! The request table (issue 31): every action's typical call (its manifest example, plus the
//! variants below) runs through the real component against a fresh simulator with the token
//! already cached, and the requests it sends are counted and compared with the least it needs.
//! Round trips are what a workflow waits for against the real Docker Hub (50–200 ms each, and a
//! per-minute rate limit shared by every workflow of the organization), so each row states the
//! minimum, the reason, and — where the action sends more — why it cannot do with less.
//!
//! `docs/performance.md` shows the table between its `requests` markers; it is generated here:
//! `UPDATE_REQUESTS=1 cargo test -p dockerhub-org-host --test requests` rewrites it, and this test
//! fails when it is out of date.

mod common;

use common::sim::sim;
use dockerhub_org_host::runtime::{error_kind, error_message};
use serde_json::Value;

/// One row: an action's call, the requests it sends, the least any client could send, and why.
struct Row {
    /// The action.
    action: &'static str,
    /// Its input; `None` is the manifest's example.
    input: Option<&'static str>,
    /// What the call is, for the table ("by email", "every page").
    case: &'static str,
    /// The requests it sends (the token cached).
    sends: usize,
    /// The least a client could send for this call and still report the truth.
    least: usize,
    /// What each of those requests is for (and, above the least, why it cannot do with less).
    why: &'static str,
}

/// The manifest example of `action`.
const fn example(action: &'static str, case: &'static str, sends: usize, least: usize, why: &'static str) -> Row {
    Row { action, input: None, case, sends, least, why }
}

/// `action` with `input`.
const fn call(
    action: &'static str,
    input: &'static str,
    case: &'static str,
    sends: usize,
    least: usize,
    why: &'static str,
) -> Row {
    Row { action, input: Some(input), case, sends, least, why }
}

/// The simulator's seeded organization has 320 members, so a whole roster is 4 pages of 100
/// (Docker's largest page).
const ROWS: &[Row] = &[
    example("list-members", "one page", 1, 1, "the page asked for"),
    call(
        "list-members",
        r#"{"all_pages": true}"#,
        "every page",
        4,
        4,
        "320 members at Docker's largest page (100): 4 pages, fetched concurrently after the first",
    ),
    example("get-member", "by email", 1, 1, "Docker has no lookup by email: one search, filtered to the exact match"),
    call(
        "get-member",
        r#"{"username": "kenlovelace"}"#,
        "by username",
        1,
        1,
        "one search, filtered to the exact match",
    ),
    example(
        "update-member-role",
        "by username",
        2,
        2,
        "the member's role now (the PUT answers alike whether it changed, so only the read tells changed from already held), then the PUT",
    ),
    example(
        "remove-member",
        "by username",
        2,
        2,
        "the member (the report names who was removed, with email and role: Docker's DELETE answers 204 with no body), then the DELETE",
    ),
    example("export-members", "CSV", 1, 1, "Docker's CSV export"),
    example(
        "sync-members",
        "members only",
        4,
        4,
        "every page of the roster (320 at 100 a page): the CSV export has no teams or activity",
    ),
    example("list-invites", "all", 1, 1, "Docker's invite listing is one unpaged answer"),
    example(
        "invite-members",
        "dry run",
        1,
        1,
        "Docker's validation-only bulk invite (dry_run in the body) says who would be invited",
    ),
    call(
        "invite-members",
        r#"{"invitees": ["new.hire@example.com"], "role": "member"}"#,
        "for real",
        1,
        1,
        "the bulk invite; its answer says per person what happened",
    ),
    example("cancel-invite", "by id", 1, 1, "the DELETE"),
    example("resend-invite", "by id", 1, 1, "the PATCH"),
    example("list-teams", "one page", 1, 1, "the page asked for"),
    example("create-team", "new name", 1, 1, "the POST; a name taken is Docker's refusal"),
    example("get-team", "by name", 1, 1, "the team"),
    example("update-team", "already holds", 1, 1, "the team's description now: it matches, so no PATCH"),
    call(
        "update-team",
        r#"{"team": "developers", "description": "Builds the product"}"#,
        "a change",
        2,
        2,
        "the team now (to report changed or already held), then the PATCH",
    ),
    example("delete-team", "by name", 1, 1, "the DELETE; a 404 answers for a team that is not there"),
    example("list-team-members", "one page", 1, 1, "the page asked for"),
    example(
        "add-team-member",
        "by email",
        2,
        2,
        "the search resolves the email (Docker's add takes a username) and shows whether they are on the team already, then the POST",
    ),
    call(
        "add-team-member",
        r#"{"team": "developers", "username": "kenlovelace"}"#,
        "by username",
        2,
        2,
        "the member's teams, then the POST: Docker may answer 200 to adding someone already on the team (docs/docker-hub-quirks.md), so the POST alone cannot tell added from already there",
    ),
    example(
        "remove-team-member",
        "by username",
        1,
        1,
        "the DELETE alone: its 204 is the proof (a 404 is explained by reads afterwards)",
    ),
    call(
        "remove-team-member",
        r#"{"team": "developers", "email": "ken.lovelace@example.com"}"#,
        "by email",
        2,
        2,
        "the search resolves the email to a username, then the DELETE",
    ),
    example("list-audit-logs", "one page", 1, 1, "the page asked for"),
    example("list-audit-actions", "catalogue", 1, 1, "Docker's catalogue of audit actions"),
    example("get-org-settings", "all", 1, 1, "the settings"),
    example(
        "update-org-settings",
        "image access",
        2,
        2,
        "the settings now (the PUT replaces the whole object, and only the read tells changed from already held), then the PUT",
    ),
    example("connection-schema", "form", 0, 0, "the form is the plugin's own"),
    example("validate-connection-settings", "form", 0, 0, "the submitted values are checked without Docker"),
    example("api-request", "GET", 1, 1, "the request asked for"),
    example(
        "check-oat-connection",
        "check",
        1,
        1,
        "one member of the first page proves the token works for the organization",
    ),
    example("check-member-listing", "check", 1, 1, "a page of members"),
    example("check-group-listing", "check", 1, 1, "a page of teams"),
    example("run-health-checks", "all three", 3, 3, "the three checks of the product documents, one request each"),
    example(
        "offboard-member",
        "preview",
        3,
        3,
        "the person (exact email match), the teams Docker lists for them, the invites pending for the email",
    ),
    call(
        "offboard-member",
        r#"{"email": "ken.lovelace@example.com", "dry_run": false}"#,
        "for real",
        4,
        4,
        "the three reads of the preview, then the removal from the organization (which takes the person off every team; no invite is pending for the email)",
    ),
    example(
        "reconcile-team",
        "two people",
        3,
        3,
        "the team's members, then one exact search per person not on it, sent together (from 9 people on, the whole roster is read once instead: fewer requests than a search each)",
    ),
    example("get-registry-access", "setting", 1, 1, "the setting"),
    example("update-registry-access", "dry run", 1, 1, "the setting now: the exact diff is computed from it"),
    call(
        "update-registry-access",
        r#"{"enabled": true, "custom_registries": [{"address": "registry.example.com", "allowed": true, "friendly_name": "Internal"}]}"#,
        "for real",
        2,
        2,
        "the setting now (the PUT replaces the whole setting, and only the read tells changed from already held), then the PUT",
    ),
    example(
        "offboard-members",
        "preview, two people",
        3,
        3,
        "one exact search per person, sent together (their role and teams come with it), and the pending invites; the owners are read only when an owner would be removed (the every-owner guard)",
    ),
    example("review-seats", "whole organization", 5, 5, "every page of the roster (4), the pending invites"),
    example(
        "access-review",
        "whole organization",
        6,
        6,
        "every page of the roster (4), the pending invites, the teams",
    ),
    example(
        "export-org",
        "whole organization",
        6,
        6,
        "every page of the roster (4: each member's role and teams come with it, so no team's member list is read), the teams, the pending invites",
    ),
    example(
        "plan-org",
        "a new team with two people",
        6,
        6,
        "the same three reads as export-org: the plan is computed from the whole live organization (the owner guard, exact matching of every person, what prune would remove)",
    ),
    example("apply-org", "preview (the default)", 6, 6, "the reads of plan-org; nothing is sent"),
    call(
        "apply-org",
        r#"{"document": {"teams": [{"name": "release", "members": ["kenlovelace", "ada.lovelace@example.com"]}]}, "dry_run": false}"#,
        "for real",
        9,
        9,
        "the reads of plan-org (6), then one request per change: create the team, put each of the two people on it",
    ),
];

/// Requests one call sends with the token cached: the simulator's organization is fresh, the
/// token is exchanged by a first call that is not counted.
fn measure(action: &str, input: &str) -> Result<usize, String> {
    let sim = sim();
    // Warm the token cache with a call that sends one request after the exchange.
    sim.ok("check-oat-connection", &Value::Object(Default::default()));
    let before = sim.sent();
    let outcome = sim.runtime.call(action, input, &sim.secrets).map_err(|e| format!("{action} trapped: {e:#}"))?;
    if let Err(e) = &outcome {
        return Err(format!("{action} {input} failed: {}: {}", error_kind(e), error_message(e)));
    }
    let sent = &sim.runtime.http().sent()[before..];
    if let Some(exchange) = sent.iter().find(|r| r.url.ends_with("/v2/auth/token")) {
        return Err(format!("{action} exchanged the token again although it was cached: {}", exchange.url));
    }
    Ok(sent.len())
}

fn examples() -> Vec<(String, String)> {
    let manifest: Value = serde_json::from_str(include_str!("../../src/manifest.json")).expect("manifest");
    manifest["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| (a["name"].as_str().expect("name").to_string(), a["example"].to_string()))
        .collect()
}

const BEGIN: &str = "<!-- requests: generated by host-test/tests/requests.rs; do not edit by hand -->";
const END: &str = "<!-- requests: end -->";

fn render(rows: &[(&Row, String)]) -> String {
    let mut out = String::from(
        "| Action | Call | Sends | Least | What each request is for |\n| --- | --- | ---: | ---: | --- |\n",
    );
    for (row, input) in rows {
        out.push_str(&format!(
            "| `{}` | {} (`{}`) | {} | {} | {} |\n",
            row.action,
            row.case,
            input.replace('|', "\\|"),
            row.sends,
            row.least,
            row.why
        ));
    }
    let at_least = rows.iter().filter(|(r, _)| r.sends == r.least).count();
    out.push_str(&format!("\n{at_least} of {} calls send the least they need.\n", rows.len()));
    out
}

#[test]
fn every_action_sends_the_least_it_needs_and_the_table_says_so() {
    let examples = examples();
    // Every action of the manifest has a row (a new action gets one, or this fails).
    let missing: Vec<&str> =
        examples.iter().map(|(a, _)| a.as_str()).filter(|a| !ROWS.iter().any(|r| r.action == *a)).collect();
    assert!(missing.is_empty(), "actions without a row in the request table: {missing:?}");
    let mut measured = Vec::new();
    let mut wrong = Vec::new();
    for row in ROWS {
        let example = examples.iter().find(|(a, _)| a == row.action).map(|(_, e)| e.clone());
        let input =
            row.input.map(str::to_string).or(example).unwrap_or_else(|| panic!("{} is not an action", row.action));
        assert!(row.least <= row.sends, "{} {}: the least cannot exceed what it sends", row.action, row.case);
        match measure(row.action, &input) {
            Ok(n) if n == row.sends => {}
            Ok(n) => {
                wrong.push(format!("{} ({}) sent {n} requests; the table says {}", row.action, row.case, row.sends))
            }
            Err(e) => wrong.push(e),
        }
        measured.push((row, input));
    }
    assert!(wrong.is_empty(), "request counts differ from the table:\n{}", wrong.join("\n"));
    let table = render(&measured);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
    let doc = std::fs::read_to_string(&path).expect("docs/performance.md");
    let (head, rest) = doc.split_once(BEGIN).expect("docs/performance.md has the requests begin marker");
    let (_, tail) = rest.split_once(END).expect("docs/performance.md has the requests end marker");
    let rendered = format!("{head}{BEGIN}\n{table}{END}{tail}");
    if std::env::var_os("UPDATE_REQUESTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, rendered).expect("write docs/performance.md");
    } else {
        assert!(
            rendered == doc,
            "docs/performance.md's request table is out of date: run UPDATE_REQUESTS=1 cargo test -p dockerhub-org-host --test requests"
        );
    }
}
