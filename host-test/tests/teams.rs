//! Team (Docker Hub "group") actions through the real component against a wiremock Docker Hub:
//! the exact requests (method, path, query, body, bearer) and the mapped outputs.

mod common;

use common::mocks::*;
use common::writes::*;
use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A mount that must never be hit: the add-to-team endpoint at `route`.
async fn no_add(hub: &Hub, route: &str) {
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200))
        .named("add to team (must not be called)")
        .expect(0)
        .mount(&hub.server)
        .await;
}

// ---- list-teams ----

#[tokio::test]
async fn list_teams_sends_search_and_paging_and_maps_one_page() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups", "search=dev&page=2&page_size=3")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/teams-small.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-teams", r#"{"search": " dev ", "page": 2, "page_size": 3}"#, &hub.secrets());
    assert_eq!(without_meta(out.clone()), fixture("groups/teams-small.expected.json"));
    assert_eq!(out["meta"]["requests"], 2, "one exchange, one listing");
}

#[tokio::test]
async fn list_teams_of_one_member_sends_the_username_filter() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups", "username=jonsnow&page=1&page_size=10")
        .respond_with(ResponseTemplate::new(200).set_body_json(one_page(&[fixture("groups/team.json")])))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-teams", r#"{"username": "jonsnow"}"#, &hub.secrets());
    assert_eq!(out["teams"][0]["name"], "developers");
    assert_eq!(out["teams"][0]["id"], 4821);
    assert_eq!(out["paging"]["next_page"], Value::Null);
    assert_eq!(out["paging"]["previous_page"], Value::Null);
}

/// Mounts the three pages of the 230-team listing, each expected `times` times.
async fn mount_team_pages(hub: &Hub, times: u64) {
    mount_fixture_pages(hub, "/v2/orgs/acme/groups", "groups/teams-page", 3, times).await;
}

#[tokio::test]
async fn list_teams_all_pages_walks_the_three_pages_of_230_teams() {
    let hub = hub().await;
    mount_team_pages(&hub, 1).await;
    let out = ok(&hub.runtime(), "list-teams", r#"{"all_pages": true}"#, &hub.secrets());
    assert_eq!(out["count"], 230);
    assert_eq!(out["returned"], 230);
    let teams = out["teams"].as_array().unwrap();
    assert_eq!(teams[0]["name"], "team-001");
    assert_eq!(teams[229]["name"], "team-230");
    assert_eq!(teams[229]["id"], 510230);
    assert_eq!(
        out["paging"],
        json!({
            "page": 1, "page_size": 100, "pages_fetched": 3, "all_pages": true, "next_page": null, "previous_page": null
        })
    );
}

#[tokio::test]
async fn list_teams_all_pages_stops_at_the_max_items_given_and_says_where_to_continue() {
    let hub = hub().await;
    for page in [1, 2] {
        api("GET", "/v2/orgs/acme/groups", &format!("page={page}&page_size=100"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(&format!("groups/teams-page-{page}.json"))))
            .expect(1)
            .mount(&hub.server)
            .await;
    }
    let out = ok(&hub.runtime(), "list-teams", r#"{"all_pages": true, "max_items": 150}"#, &hub.secrets());
    assert_eq!((&out["returned"], &out["count"], &out["truncated"]), (&json!(150), &json!(230), &json!(true)));
    assert_eq!(out["teams"].as_array().unwrap().len(), 150);
    assert_eq!(out["paging"]["next_page"], 2, "team 151 is on page 2: {}", out["paging"]);
}

#[test]
fn list_teams_input_errors_name_the_field_and_send_nothing() {
    assert_refused("list-teams", r#"{"page_size": 101}"#, "\"page_size\" must be between 1 and 100");
    assert_refused("list-teams", r#"{"page_size": 0}"#, "\"page_size\"");
    assert_refused("list-teams", r#"{"page": 0}"#, "\"page\"");
    assert_refused("list-teams", r#"{"serach": "dev"}"#, "unknown field `serach`");
    assert_refused("list-teams", r#"{"search": 5}"#, "field \"search\"");
}

// ---- create-team ----

#[tokio::test]
async fn create_team_posts_the_trimmed_name_and_description() {
    let hub = hub().await;
    api("POST", "/v2/orgs/acme/groups", "")
        .and(body_json(json!({"name": "platform", "description": "Platform engineering"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture("groups/team-created.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "create-team",
        r#"{"team": "  platform ", "description": "Platform engineering"}"#,
        &hub.secrets(),
    );
    assert_eq!(
        without_meta(out),
        json!({
            "organization": "acme",
            "team": {
                "id": 4907, "uuid": "8a1e6d34-0c2f-4b7a-bf59-61e3d9a4c210", "name": "platform",
                "description": "Platform engineering", "member_count": 0
            },
            "changed": true,
            "dry_run": false,
            "message": "Team \"platform\" was created.",
            "plan": [{
                "step": 1, "method": "POST", "path": "/v2/orgs/acme/groups",
                "body": {"name": "platform", "description": "Platform engineering"}, "why": "create team \"platform\""
            }],
            "completed": [{
                "step": 1, "method": "POST", "path": "/v2/orgs/acme/groups", "why": "create team \"platform\"",
                "status": 201
            }]
        })
    );
}

#[tokio::test]
async fn create_team_dry_run_plans_the_post_and_sends_nothing() {
    let hub = Hub::start().await;
    let out = ok(&hub.runtime(), "create-team", r#"{"team": "platform", "dry_run": true}"#, &hub.secrets());
    assert_dry_run(&out, "POST", "/v2/orgs/acme/groups");
    assert_eq!(out["plan"][0]["body"], json!({"name": "platform"}));
    assert_eq!(out["team"], Value::Null);
    assert!(hub.received().await.is_empty(), "a dry run of a create needs no request at all");
}

#[tokio::test]
async fn create_team_without_description_sends_only_the_name() {
    let hub = hub().await;
    api("POST", "/v2/orgs/acme/groups", "")
        .and(body_json(json!({"name": "platform"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture("groups/team-created.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "create-team", r#"{"team": "platform"}"#, &hub.secrets());
    assert_eq!(out["team"]["id"], 4907);
}

#[tokio::test]
async fn create_team_with_a_name_in_use_is_a_clear_conflict() {
    let hub = hub().await;
    api("POST", "/v2/orgs/acme/groups", "")
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "errinfo": {}, "detail": "A group with this name already exists", "message": "bad request"
        })))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "create-team", r#"{"team": "developers"}"#, &hub.secrets());
    assert_eq!(kind, "conflict");
    assert!(message.starts_with("A team named \"developers\" already exists in organization \"acme\""), "{message}");
    assert!(message.contains("A group with this name already exists"), "Docker's words are kept: {message}");
}

#[tokio::test]
async fn create_team_with_another_400_stays_invalid_input() {
    let hub = hub().await;
    api("POST", "/v2/orgs/acme/groups", "")
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"detail": "name must be lowercase"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "create-team", r#"{"team": "Platform"}"#, &hub.secrets());
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("name must be lowercase"), "{message}");
}

#[test]
fn create_team_validates_the_name_without_a_request() {
    assert_refused("create-team", r#"{"team": "a/b"}"#, "\"team\" must not contain \"/\"");
    assert_refused("create-team", r#"{"team": "   "}"#, "\"team\"");
    assert_refused("create-team", r#"{"team": "tab\there"}"#, "\"team\" must not contain control characters");
    // Past the path-segment limit; below it, Docker documents no length (tests/fidelity.rs).
    assert_refused("create-team", &json!({"team": "x".repeat(256)}).to_string(), "at most 255");
    assert_refused("create-team", r#"{}"#, "missing field `team`");
    assert_refused("create-team", r#"{"team": "ok", "members": []}"#, "unknown field `members`");
    assert_refused("create-team", r#"{"name": "ok"}"#, "Use \"team\" instead of \"name\"");
}

// ---- get-team ----

#[tokio::test]
async fn get_team_by_name_returns_the_numeric_id() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "get-team", r#"{"team": "developers"}"#, &hub.secrets());
    assert_eq!(
        without_meta(out),
        json!({
            "organization": "acme",
            "resolved_by": "team",
            "team": {
                "id": 4821, "uuid": "3f7c2a9e-5b1d-4c8e-9a60-2d4b8e1f7c35", "name": "developers",
                "description": "Application developers", "member_count": 2
            }
        })
    );
}

#[tokio::test]
async fn get_team_by_id_walks_the_paged_team_list() {
    let hub = hub().await;
    mount_team_pages(&hub, 1).await;
    let out = ok(&hub.runtime(), "get-team", r#"{"team_id": 510215}"#, &hub.secrets());
    assert_eq!(out["resolved_by"], "team_id");
    assert_eq!(out["team"]["name"], "team-215");
    assert_eq!(out["team"]["id"], 510215);
    assert_eq!(out["team"]["member_count"], 215 % 13);
}

#[tokio::test]
async fn get_team_by_id_accepts_a_digit_string() {
    let hub = hub().await;
    mount_team_pages(&hub, 1).await;
    let out = ok(&hub.runtime(), "get-team", r#"{"team_id": "510007"}"#, &hub.secrets());
    assert_eq!(out["team"]["name"], "team-007");
}

#[tokio::test]
async fn get_team_by_unknown_id_is_not_found_naming_the_id() {
    let hub = hub().await;
    mount_team_pages(&hub, 1).await;
    let (kind, message) = err(&hub.runtime(), "get-team", r#"{"team_id": 999}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("has id 999"), "{message}");
    assert!(message.contains("230 teams checked"), "{message}");
}

#[tokio::test]
async fn get_unknown_team_is_not_found_naming_the_team() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "get-team", r#"{"team": "ghosts"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("team \"ghosts\" in organization \"acme\""), "{message}");
}

#[tokio::test]
async fn team_names_are_percent_encoded_path_segments() {
    let hub = hub().await;
    // A "/" is refused in any team name (it would be a separator once decoded); the rest is encoded.
    let name = "a?b c%d#e";
    let encoded = "/v2/orgs/acme/groups/a%3Fb%20c%25d%23e";
    api("GET", encoded, "")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7, "name": name})))
        .expect(1)
        .mount(&hub.server)
        .await;
    api("GET", &format!("{encoded}/members"), "page=1&page_size=10")
        .respond_with(ResponseTemplate::new(200).set_body_json(one_page(&[])))
        .expect(1)
        .mount(&hub.server)
        .await;
    api("DELETE", &format!("{encoded}/members/jon%20snow"), "")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "get-team", &json!({"team": name}).to_string(), &hub.secrets());
    assert_eq!(out["team"]["name"], name);
    let out = ok(&runtime, "list-team-members", &json!({"team": name}).to_string(), &hub.secrets());
    assert_eq!(out["team"], name);
    let out =
        ok(&runtime, "remove-team-member", &json!({"team": name, "username": "jon snow"}).to_string(), &hub.secrets());
    assert_one_step(&out, "DELETE", &format!("{encoded}/members/jon%20snow"), None, 204);
    let paths: Vec<String> = hub.received().await.iter().skip(1).map(|r| r.url.path().to_string()).collect();
    assert_eq!(paths, [encoded.to_string(), format!("{encoded}/members"), format!("{encoded}/members/jon%20snow")]);
}

#[test]
fn get_team_takes_exactly_one_of_team_and_team_id() {
    assert_refused(
        "get-team",
        r#"{"team": "developers", "team_id": 4821}"#,
        "either \"team\" or \"team_id\", not both",
    );
    assert_refused("get-team", r#"{}"#, "get-team needs \"team\" (the team's name) or \"team_id\"");
    assert_refused("get-team", r#"{"team_id": "devs"}"#, "\"team_id\" must be a team's numeric id");
    assert_refused("get-team", r#"{"team_id": -1}"#, "field \"team_id\"");
    assert_refused("get-team", r#"{"team": "a/b"}"#, "\"team\" must not contain \"/\"");
    assert_refused("get-team", r#"{"name": "developers"}"#, "Use \"team\" instead of \"name\"");
    assert_refused("get-team", r#"{"id": 4821}"#, "Use \"team_id\" instead of \"id\"");
}

// ---- update-team ----

/// Mounts the read of team `developers` that update-team and dry runs send first, expected once.
async fn read_developers(hub: &Hub) {
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .named("read team developers")
        .expect(1)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn update_team_reads_the_team_then_patches_only_the_description() {
    let hub = hub().await;
    read_developers(&hub).await;
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .and(body_json(json!({"description": "Everyone who ships the app"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-updated.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "update-team",
        r#"{"team": "developers", "description": "Everyone who ships the app"}"#,
        &hub.secrets(),
    );
    let body = json!({"description": "Everyone who ships the app"});
    assert_one_step(&out, "PATCH", "/v2/orgs/acme/groups/developers", Some(body), 200);
    assert_eq!(out["team"]["description"], "Everyone who ships the app");
    assert_eq!(out["message"], "Team \"developers\" was updated.");
}

#[tokio::test]
async fn update_team_patches_only_the_name_when_renaming() {
    let hub = hub().await;
    read_developers(&hub).await;
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .and(body_json(json!({"name": "app-developers"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-updated.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    // The description asked for is the one the team has: it is not sent.
    let out = ok(
        &hub.runtime(),
        "update-team",
        r#"{"team": "developers", "new_name": "app-developers", "description": "Application developers"}"#,
        &hub.secrets(),
    );
    let body = json!({"name": "app-developers"});
    assert_one_step(&out, "PATCH", "/v2/orgs/acme/groups/developers", Some(body), 200);
    assert_eq!(out["team"]["name"], "app-developers");
    assert_eq!(out["team"]["id"], 4821);
}

#[tokio::test]
async fn update_team_by_id_puts_when_name_and_description_both_change() {
    let hub = hub().await;
    // Team 510007 is "team-007" in the paged list.
    mount_team_pages(&hub, 1).await;
    api("PUT", "/v2/orgs/acme/groups/team-007", "")
        .and(body_json(json!({"name": "app-developers", "description": "Everyone who ships the app"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-updated.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "update-team",
        r#"{"team_id": 510007, "new_name": "app-developers", "description": "Everyone who ships the app"}"#,
        &hub.secrets(),
    );
    let body = json!({"name": "app-developers", "description": "Everyone who ships the app"});
    assert_one_step(&out, "PUT", "/v2/orgs/acme/groups/team-007", Some(body), 200);
    assert_eq!(out["team"]["description"], "Everyone who ships the app");
}

#[tokio::test]
async fn update_team_already_as_asked_sends_no_write() {
    let hub = hub().await;
    read_developers(&hub).await;
    let out = ok(
        &hub.runtime(),
        "update-team",
        r#"{"team": "developers", "new_name": " developers ", "description": "Application developers"}"#,
        &hub.secrets(),
    );
    assert_unchanged(&out);
    assert_eq!(out["dry_run"], false);
    assert_eq!(out["team"], fixture("groups/team.json"));
    assert!(out["message"].as_str().unwrap().contains("already as asked"), "{out}");
}

#[tokio::test]
async fn clearing_a_description_that_is_already_empty_sends_no_write() {
    let hub = hub().await;
    let mut team = fixture("groups/team.json");
    team["description"] = Value::Null;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(team))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "update-team", r#"{"team": "developers", "description": ""}"#, &hub.secrets());
    assert_unchanged(&out);
}

#[tokio::test]
async fn a_rename_already_carried_out_is_changed_false() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    api("GET", "/v2/orgs/acme/groups/app-developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-updated.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out =
        ok(&hub.runtime(), "update-team", r#"{"team": "developers", "new_name": "app-developers"}"#, &hub.secrets());
    assert_unchanged(&out);
    assert_eq!(out["team"]["name"], "app-developers");
}

#[tokio::test]
async fn update_team_dry_run_reads_and_plans_but_sends_no_patch() {
    let hub = hub().await;
    read_developers(&hub).await;
    let out = ok(
        &hub.runtime(),
        "update-team",
        r#"{"team": "developers", "description": "x", "dry_run": true}"#,
        &hub.secrets(),
    );
    assert_dry_run(&out, "PATCH", "/v2/orgs/acme/groups/developers");
    assert_eq!(out["plan"][0]["body"], json!({"description": "x"}));
    assert!(hub.received().await.iter().all(|r| r.method.as_str() != "PATCH"));
}

#[tokio::test]
async fn renaming_a_team_to_a_name_in_use_is_a_clear_conflict() {
    let hub = hub().await;
    read_developers(&hub).await;
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .and(body_json(json!({"name": "owners"})))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"detail": "group name is taken"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-team", r#"{"team": "developers", "new_name": "owners"}"#, &hub.secrets());
    assert_eq!(kind, "conflict");
    assert!(message.starts_with("A team named \"owners\" already exists in organization \"acme\""), "{message}");
}

#[tokio::test]
async fn renaming_with_a_400_saying_the_name_exists_is_a_conflict() {
    let hub = hub().await;
    read_developers(&hub).await;
    api("PATCH", "/v2/orgs/acme/groups/developers", "")
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"message": "Group name already exists in organization"})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-team", r#"{"team": "developers", "new_name": "owners"}"#, &hub.secrets());
    assert_eq!(kind, "conflict");
    assert!(message.contains("\"owners\" already exists"), "{message}");
}

#[tokio::test]
async fn updating_an_unknown_team_is_not_found_naming_it() {
    let hub = hub().await;
    // Observed: the guest reads the unknown team twice (once to find it, once more for the error).
    api("GET", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1..=2)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "update-team", r#"{"team": "ghosts", "description": "x"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("team \"ghosts\" in organization \"acme\""), "{message}");
}

#[test]
fn update_team_with_nothing_to_change_sends_nothing() {
    assert_refused("update-team", r#"{"team": "developers"}"#, "nothing to change");
    assert_refused(
        "update-team",
        r#"{"team": "developers", "new_name": "a/b"}"#,
        "\"new_name\" must not contain \"/\"",
    );
    assert_refused("update-team", r#"{"team": " ", "description": "x"}"#, "needs \"team\"");
    assert_refused("update-team", r#"{"new_name": "x"}"#, "needs \"team\"");
    assert_refused("update-team", r#"{"name": "developers", "new_name": "x"}"#, "Use \"team\" instead of \"name\"");
}

// ---- delete-team ----

#[tokio::test]
async fn delete_team_by_name_sends_delete_and_reports_it() {
    let hub = hub().await;
    api("DELETE", "/v2/orgs/acme/groups/contractors-2023", "")
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "delete-team", r#"{"team": "contractors-2023"}"#, &hub.secrets());
    assert_eq!(
        without_meta(out),
        json!({
            "organization": "acme", "team": null, "changed": true, "dry_run": false,
            "message": "Team \"contractors-2023\" was deleted.",
            "plan": [{
                "step": 1, "method": "DELETE", "path": "/v2/orgs/acme/groups/contractors-2023",
                "why": "delete team \"contractors-2023\""
            }],
            "completed": [{
                "step": 1, "method": "DELETE", "path": "/v2/orgs/acme/groups/contractors-2023",
                "why": "delete team \"contractors-2023\"", "status": 204
            }]
        })
    );
}

#[tokio::test]
async fn deleting_an_unknown_team_is_not_found_unless_missing_ok() {
    let hub = hub().await;
    let runtime = hub.runtime();
    api("DELETE", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(2)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&runtime, "delete-team", r#"{"team": "ghosts"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.starts_with("Organization \"acme\" has no team \"ghosts\": nothing was deleted."), "{message}");
    assert!(message.contains("missing_ok: true"), "{message}");
    let out = ok(&runtime, "delete-team", r#"{"team": "ghosts", "missing_ok": true}"#, &hub.secrets());
    assert_eq!((&out["changed"], &out["found"]), (&json!(false), &json!(false)), "{out}");
    assert_eq!(out["completed"][0]["outcome"], "already-done", "{out}");
    assert_eq!(out["message"], "Organization \"acme\" has no team \"ghosts\" (missing_ok): nothing to delete.");
}

#[tokio::test]
async fn deleting_the_same_team_twice_with_missing_ok_succeeds_the_second_time_with_changed_false() {
    let hub = hub().await;
    // Docker deletes the team once; afterwards it is gone (404).
    mount_delete_once(&hub, "/v2/orgs/acme/groups/support", "Not found.").await;
    let runtime = hub.runtime();
    let first = ok(&runtime, "delete-team", r#"{"team": "support", "missing_ok": true}"#, &hub.secrets());
    assert_one_step(&first, "DELETE", "/v2/orgs/acme/groups/support", None, 204);
    let second = ok(&runtime, "delete-team", r#"{"team": "support", "missing_ok": true}"#, &hub.secrets());
    assert_eq!((&second["changed"], &second["found"]), (&json!(false), &json!(false)), "{second}");
    assert_eq!(second["completed"][0]["status"], 404, "{second}");
}

#[tokio::test]
async fn delete_team_by_id_finds_the_name_in_the_team_list() {
    let hub = hub().await;
    mount_team_pages(&hub, 1).await;
    api("DELETE", "/v2/orgs/acme/groups/team-215", "")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "delete-team", r#"{"team_id": 510215}"#, &hub.secrets());
    assert_one_step(&out, "DELETE", "/v2/orgs/acme/groups/team-215", None, 204);
}

#[tokio::test]
async fn delete_team_dry_run_reads_the_team_and_sends_no_delete() {
    let hub = hub().await;
    read_developers(&hub).await;
    let out = ok(&hub.runtime(), "delete-team", r#"{"team": "developers", "dry_run": true}"#, &hub.secrets());
    assert_dry_run(&out, "DELETE", "/v2/orgs/acme/groups/developers");
}

#[tokio::test]
async fn delete_team_dry_run_of_an_unknown_team_plans_nothing() {
    let hub = hub().await;
    let runtime = hub.runtime();
    api("GET", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(2)
        .mount(&hub.server)
        .await;
    let (kind, _) = err(&runtime, "delete-team", r#"{"team": "ghosts", "dry_run": true}"#, &hub.secrets());
    assert_eq!(kind, "not-found", "a dry run of a mistyped team says so");
    let out = ok(&runtime, "delete-team", r#"{"team": "ghosts", "dry_run": true, "missing_ok": true}"#, &hub.secrets());
    assert_unchanged(&out);
    assert_eq!((&out["dry_run"], &out["found"]), (&json!(true), &json!(false)));
}

#[test]
fn delete_team_needs_a_team() {
    assert_refused("delete-team", r#"{}"#, "delete-team needs \"team\"");
    assert_refused("delete-team", r#"{"team": ""}"#, "delete-team needs \"team\"");
    assert_refused("delete-team", r#"{"team": "x", "force": true}"#, "unknown field `force`");
    assert_refused("delete-team", r#"{"name": "x"}"#, "Use \"team\" instead of \"name\"");
    assert_refused("delete-team", r#"{"team": ".."}"#, "\"team\" must not be");
}

// ---- list-team-members ----

#[tokio::test]
async fn list_team_members_maps_the_group_member_page() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers/members", "page=1&page_size=10")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team-members-page.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-team-members", r#"{"team": "developers"}"#, &hub.secrets());
    assert_eq!(without_meta(out), fixture("groups/team-members.expected.json"));
}

#[tokio::test]
async fn list_team_members_all_pages_sends_the_search_at_page_size_100() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/developers/members", "search=jon%40example.com&page=1&page_size=100")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(one_page(&[fixture("groups/team-members-page.json")["results"][0].clone()])),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "list-team-members",
        r#"{"team": "developers", "search": "jon@example.com", "all_pages": true}"#,
        &hub.secrets(),
    );
    assert_eq!(out["returned"], 1);
    assert_eq!(out["members"][0]["username"], "jonsnow");
    assert_eq!(out["paging"]["pages_fetched"], 1);
    assert_eq!(out["paging"]["all_pages"], true);
}

#[tokio::test]
async fn listing_members_of_an_unknown_team_is_not_found_naming_it() {
    let hub = hub().await;
    api("GET", "/v2/orgs/acme/groups/ghosts/members", "page=1&page_size=10")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-team-members", r#"{"team": "ghosts"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("team \"ghosts\" in organization \"acme\""), "{message}");
}

#[test]
fn list_team_members_input_errors_send_nothing() {
    assert_refused("list-team-members", r#"{}"#, "list-team-members needs \"team\"");
    assert_refused("list-team-members", r#"{"team": "developers", "page_size": 500}"#, "\"page_size\"");
    assert_refused("list-team-members", r#"{"name": "developers"}"#, "Use \"team\" instead of \"name\"");
}

// ---- add-team-member ----

#[tokio::test]
async fn adding_a_non_member_fails_without_calling_the_add_endpoint() {
    let hub = hub().await;
    member_search(&hub, "ghost", one_page(&[]), 1).await;
    no_add(&hub, "/v2/orgs/acme/groups/developers/members").await;
    let (kind, message) =
        err(&hub.runtime(), "add-team-member", r#"{"team": "developers", "member": "ghost"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.starts_with("\"ghost\" is not a member of organization \"acme\""), "{message}");
    assert!(message.contains("Invite them first with invite-members"), "{message}");
    assert!(message.contains("team \"developers\""), "{message}");
}

#[tokio::test]
async fn adding_an_unknown_email_fails_without_calling_the_add_endpoint() {
    let hub = hub().await;
    // Docker's search is fuzzy: a near match on the email is not the person.
    member_search(&hub, "jon%40example.com", fixture("members/page-small.json"), 1).await;
    no_add(&hub, "/v2/orgs/acme/groups/developers/members").await;
    let (kind, message) =
        err(&hub.runtime(), "add-team-member", r#"{"team": "developers", "email": "jon@example.com"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(
        message.starts_with("Nobody with email \"jon@example.com\" is a member of organization \"acme\""),
        "{message}"
    );
    assert!(message.contains("invite-members"), "{message}");
}

#[tokio::test]
async fn adding_a_pending_invitee_fails_without_calling_the_add_endpoint() {
    let hub = hub().await;
    let invitee = json!({"username": "newbie", "email": "newbie@example.com", "role": "Invitee", "groups": []});
    member_search(&hub, "newbie", one_page(&[invitee]), 1).await;
    no_add(&hub, "/v2/orgs/acme/groups/developers/members").await;
    let (kind, message) =
        err(&hub.runtime(), "add-team-member", r#"{"team": "developers", "member": "newbie"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("\"newbie\" has been invited but has not yet joined"), "{message}");
}

#[tokio::test]
async fn adding_by_email_resolves_the_username_and_posts_the_member_field() {
    let hub = hub().await;
    member_search(&hub, "Arya%40Example.com", fixture("members/page-small.json"), 1).await;
    api("POST", "/v2/orgs/acme/groups/platform/members", "")
        .and(body_json(json!({"member": "arya"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out =
        ok(&hub.runtime(), "add-team-member", r#"{"team": "platform", "email": "Arya@Example.com"}"#, &hub.secrets());
    assert_eq!(
        (&out["organization"], &out["team"], &out["username"]),
        (&json!("acme"), &json!("platform"), &json!("arya"))
    );
    assert_one_step(&out, "POST", "/v2/orgs/acme/groups/platform/members", Some(json!({"member": "arya"})), 200);
    assert_eq!(out["message"], "\"arya\" was added to team \"platform\".");
    assert_eq!(out["meta"]["requests"], 3, "exchange, member search, add");
}

#[tokio::test]
async fn adding_someone_already_on_the_team_is_reported_not_sent() {
    let hub = hub().await;
    // jonsnow's teams in the member listing include "developers".
    member_search(&hub, "jonsnow", fixture("members/page-small.json"), 1).await;
    no_add(&hub, "/v2/orgs/acme/groups/developers/members").await;
    let out = ok(&hub.runtime(), "add-team-member", r#"{"team": "developers", "member": "jonsnow"}"#, &hub.secrets());
    assert_unchanged(&out);
    assert_eq!((&out["username"], &out["dry_run"]), (&json!("jonsnow"), &json!(false)));
    assert_eq!(out["message"], "\"jonsnow\" is already on team \"developers\": nothing to change.");
}

#[tokio::test]
async fn dockers_already_a_member_answer_is_reported_as_already_member() {
    let hub = hub().await;
    member_search(&hub, "samwell", fixture("members/page-small.json"), 1).await;
    api("POST", "/v2/orgs/acme/groups/developers/members", "")
        .and(body_json(json!({"member": "samwell"})))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"detail": "User is already a member of the group"})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "add-team-member", r#"{"team": "developers", "member": "samwell"}"#, &hub.secrets());
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(
        (&out["completed"][0]["status"], &out["completed"][0]["outcome"]),
        (&json!(400), &json!("already-done"))
    );
    assert!(out["message"].as_str().unwrap().contains("already on team"), "{out}");
}

#[tokio::test]
async fn a_409_from_the_add_is_reported_as_already_member() {
    let hub = hub().await;
    member_search(&hub, "samwell", fixture("members/page-small.json"), 1).await;
    api("POST", "/v2/orgs/acme/groups/developers/members", "")
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"detail": "conflict"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "add-team-member", r#"{"team": "developers", "username": "samwell"}"#, &hub.secrets());
    assert_eq!(out["changed"], false, "{out}");
    assert_eq!(
        (&out["completed"][0]["status"], &out["completed"][0]["outcome"]),
        (&json!(409), &json!("already-done"))
    );
}

#[tokio::test]
async fn adding_to_an_unknown_team_is_not_found_naming_the_team() {
    let hub = hub().await;
    member_search(&hub, "arya", fixture("members/page-small.json"), 1).await;
    api("POST", "/v2/orgs/acme/groups/ghosts/members", "")
        .and(body_json(json!({"member": "arya"})))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "add-team-member", r#"{"team": "ghosts", "member": "arya"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("team \"ghosts\" in organization \"acme\""), "{message}");
}

#[test]
fn add_team_member_input_errors_send_nothing() {
    assert_refused(
        "add-team-member",
        r#"{"team": "developers", "user": "arya"}"#,
        "Use \"username\" instead of \"user\"",
    );
    assert_refused("add-team-member", r#"{"team": "developers"}"#, "needs \"username\" or \"email\"");
    assert_refused(
        "add-team-member",
        r#"{"team": "developers", "username": "arya", "member": "jon"}"#,
        "they are the same field",
    );
    assert_refused(
        "add-team-member",
        r#"{"team": "developers", "member": "arya", "email": "arya@example.com"}"#,
        "not both",
    );
    assert_refused(
        "add-team-member",
        r#"{"team": "developers", "email": "arya"}"#,
        "\"email\" must be an email address",
    );
    assert_refused("add-team-member", r#"{"member": "arya"}"#, "add-team-member needs \"team\"");
    assert_refused("add-team-member", r#"{"team": "  ", "member": "arya"}"#, "needs \"team\"");
}

// ---- remove-team-member ----

#[tokio::test]
async fn remove_team_member_deletes_the_membership() {
    let hub = hub().await;
    // By username: the DELETE alone, whose 204 proves the removal (no search before it).
    api("DELETE", "/v2/orgs/acme/groups/developers/members/arya", "")
        .and(NoBody)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "remove-team-member", r#"{"team": "developers", "username": "arya"}"#, &hub.secrets());
    assert_eq!(
        (&out["organization"], &out["team"], &out["username"]),
        (&json!("acme"), &json!("developers"), &json!("arya"))
    );
    assert_one_step(&out, "DELETE", "/v2/orgs/acme/groups/developers/members/arya", None, 204);
    assert_eq!(out["message"], "\"arya\" was taken off team \"developers\".");
}

#[tokio::test]
async fn remove_team_member_by_email_resolves_the_username() {
    let hub = hub().await;
    member_search(&hub, "jon.snow%40example.com", fixture("members/page-small.json"), 1).await;
    api("DELETE", "/v2/orgs/acme/groups/developers/members/jonsnow", "")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(
        &hub.runtime(),
        "remove-team-member",
        r#"{"team": "developers", "email": "jon.snow@example.com"}"#,
        &hub.secrets(),
    );
    assert_eq!(out["username"], "jonsnow");
    assert_one_step(&out, "DELETE", "/v2/orgs/acme/groups/developers/members/jonsnow", None, 204);
}

#[tokio::test]
async fn removing_from_an_unknown_team_is_not_found_naming_the_team() {
    let hub = hub().await;
    // Docker answers the DELETE 404; arya is a member, so the team is read to tell "not on it"
    // from "no such team".
    api("DELETE", "/v2/orgs/acme/groups/ghosts/members/arya", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    member_search(&hub, "arya", fixture("members/page-small.json"), 1).await;
    api("GET", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "remove-team-member", r#"{"team": "ghosts", "username": "arya"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert_eq!(
        message,
        "Docker Hub found no team \"ghosts\" in organization \"acme\" (404). Docker Hub said: \"Not found.\"."
    );
}

#[tokio::test]
async fn removing_someone_not_on_the_team_reports_removed_false() {
    let hub = hub().await;
    // samwell is a member on no team: Docker answers the DELETE 404, and the reads establish what
    // that means (samwell is a member, the team exists), so it is "nothing to change".
    api("DELETE", "/v2/orgs/acme/groups/developers/members/samwell", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "User is not a member of the team."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    member_search(&hub, "samwell", fixture("members/page-small.json"), 1).await;
    api("GET", "/v2/orgs/acme/groups/developers", "")
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("groups/team.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out =
        ok(&hub.runtime(), "remove-team-member", r#"{"team": "developers", "username": "samwell"}"#, &hub.secrets());
    assert_eq!((&out["changed"], &out["completed"]), (&json!(false), &json!([])), "{out}");
    assert_eq!(out["found"], true, "{out}");
    assert!(
        out["message"].as_str().unwrap().starts_with("\"samwell\" is not on team \"developers\" (Docker Hub"),
        "{out}"
    );
}

#[tokio::test]
async fn a_removal_docker_answers_404_is_not_retried_on_a_stale_listing() {
    let hub = hub().await;
    // The member listing still shows arya on the team, but Docker answered the DELETE 404 and the
    // team exists: arya is off it (someone got there first), and no second DELETE is sent.
    api("DELETE", "/v2/orgs/acme/groups/developers/members/arya", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "User is not a member of the team."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    member_search(&hub, "arya", fixture("members/page-small.json"), 1).await;
    read_developers(&hub).await;
    let out = ok(&hub.runtime(), "remove-team-member", r#"{"team": "developers", "username": "arya"}"#, &hub.secrets());
    assert_unchanged(&out);
    assert_eq!(
        out["message"],
        "\"arya\" is not on team \"developers\" (Docker Hub answered the removal 404 and the team exists): nothing \
to change."
    );
}

#[tokio::test]
async fn a_removal_of_someone_outside_the_organization_is_not_found_after_the_404() {
    let hub = hub().await;
    api("DELETE", "/v2/orgs/acme/groups/developers/members/nobody", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Member not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    member_search(&hub, "nobody", fixture("members/page-small.json"), 1).await;
    let (kind, message) =
        err(&hub.runtime(), "remove-team-member", r#"{"team": "developers", "username": "nobody"}"#, &hub.secrets());
    assert_eq!(kind, "not-found", "{message}");
    assert!(message.contains("missing_ok"), "{message}");
}

#[tokio::test]
async fn removing_by_email_someone_not_on_the_team_sends_no_delete() {
    let hub = hub().await;
    // samwell is on no team in the member listing; the team is read to confirm it exists.
    member_search(&hub, "sam%40partner.example.org", fixture("members/page-small.json"), 1).await;
    read_developers(&hub).await;
    let out = ok(
        &hub.runtime(),
        "remove-team-member",
        r#"{"team": "developers", "email": "sam@partner.example.org"}"#,
        &hub.secrets(),
    );
    assert_eq!(out["username"], "samwell");
    assert_unchanged(&out);
}

#[tokio::test]
async fn remove_team_member_dry_run_reads_the_member_and_sends_no_delete() {
    let hub = hub().await;
    member_search(&hub, "jonsnow", fixture("members/page-small.json"), 1).await;
    let out = ok(
        &hub.runtime(),
        "remove-team-member",
        r#"{"team": "developers", "username": "jonsnow", "dry_run": true}"#,
        &hub.secrets(),
    );
    assert_dry_run(&out, "DELETE", "/v2/orgs/acme/groups/developers/members/jonsnow");
}

#[tokio::test]
async fn add_team_member_dry_run_resolves_and_sends_no_add() {
    let hub = hub().await;
    member_search(&hub, "arya", fixture("members/page-small.json"), 1).await;
    no_add(&hub, "/v2/orgs/acme/groups/platform/members").await;
    let out = ok(
        &hub.runtime(),
        "add-team-member",
        r#"{"team": "platform", "username": "arya", "dry_run": true}"#,
        &hub.secrets(),
    );
    assert_dry_run(&out, "POST", "/v2/orgs/acme/groups/platform/members");
    assert_eq!(out["plan"][0]["body"], json!({"member": "arya"}));
}

#[tokio::test]
async fn removing_by_email_from_an_unknown_team_is_not_found_naming_the_team() {
    let hub = hub().await;
    member_search(&hub, "arya%40example.com", fixture("members/page-small.json"), 1).await;
    api("GET", "/v2/orgs/acme/groups/ghosts", "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})))
        .expect(1)
        .mount(&hub.server)
        .await;
    // The manifest promises "an unknown team is a not-found error", as it is by username (above).
    let (kind, message) =
        err(&hub.runtime(), "remove-team-member", r#"{"team": "ghosts", "email": "arya@example.com"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("team \"ghosts\" in organization \"acme\""), "{message}");
}

#[test]
fn remove_team_member_input_errors_send_nothing() {
    assert_refused("remove-team-member", r#"{"team": "developers"}"#, "needs \"username\" or \"email\"");
    assert_refused(
        "remove-team-member",
        r#"{"team": "developers", "member": "arya"}"#,
        "Use \"username\" instead of \"member\"",
    );
    assert_refused("remove-team-member", r#"{"username": "arya"}"#, "remove-team-member needs \"team\"");
    assert_refused("remove-team-member", r#"{"team": "developers", "username": "../x"}"#, "\"username\" must not");
}
