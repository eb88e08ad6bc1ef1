//! Docker Hub as it is now (issue 29), through the real component on the simulator: custom roles
//! for members and teams (docker/docs PR 25996), Registry Access Management (the endpoint
//! docker/terraform-provider-docker uses), the seat review with its grace period, unknown activity
//! and old invites, and the batch offboarding with its guards. docs/docker-hub-quirks.md items 11
//! to 13 give the sources and what the plugin assumes where they are silent.

mod common;

use common::sim::{Sim, sim};
use dockerhub_org_host::simulator::DEFAULT_ORG;
use serde_json::{Value, json};

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array().unwrap().iter().filter_map(|r| r[field].as_str().map(str::to_string)).collect()
}

fn writes(s: &Sim, from: usize) -> Vec<String> {
    s.writes_since(from)
}

// ---- Custom roles ----

#[test]
fn a_custom_role_is_assigned_listed_counted_and_an_unknown_one_refused_in_dockers_words() {
    let s = sim();
    let before = s.sent();
    let out = s.ok("update-member-role", &json!({"username": "kenlovelace", "role": "release-manager"}));
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["role"], "release-manager");
    assert_eq!(out["member"]["role"], "release-manager", "the role Docker answers, as it writes it: {out}");
    assert_eq!(writes(&s, before), [format!("PUT orgs/{DEFAULT_ORG}/members/kenlovelace")]);
    assert_eq!(
        s.sim.with_state(|st| st.members[st.member_index("kenlovelace").unwrap()].role.clone()),
        "release-manager"
    );

    // Listed as its own role, and filterable by it.
    let listed = s.ok("list-members", &json!({"role": "release-manager", "all_pages": true}));
    assert_eq!(names(&listed["members"], "username"), ["kenlovelace"]);
    assert_eq!(listed["members"][0]["role"], "release-manager");
    let members = s.ok("list-members", &json!({"role": "member", "all_pages": true}));
    assert!(!names(&members["members"], "username").contains(&"kenlovelace".to_string()), "not folded into member");

    // Already held (whatever the case): nothing is sent.
    let before = s.sent();
    let again = s.ok("update-member-role", &json!({"username": "kenlovelace", "role": "Release-Manager"}));
    assert_eq!(again["changed"], false, "{again}");
    assert!(writes(&s, before).is_empty());

    // The roster sync counts it under its own name too.
    let roster = s.ok("sync-members", &json!({}));
    assert_eq!(roster["summary"]["by_role"]["release-manager"], 1, "{}", roster["summary"]);

    // The access review counts it under its own name.
    let review = s.ok("access-review", &json!({"as_of": "2026-12-04T00:00:00Z"}));
    assert_eq!(review["roles"]["release-manager"], 1, "{}", review["roles"]);
    assert_eq!(review["roles"]["owner"], 3);
    assert!(review["markdown"].as_str().unwrap().contains("release-manager 1"));

    // A name Docker does not know: Docker's refusal, in its words, and nothing changed.
    let (kind, message) = s.err("update-member-role", &json!({"username": "kenlovelace", "role": "no-such-role"}));
    assert_eq!(kind, "invalid-input", "{message}");
    assert!(message.contains("Role \"no-such-role\" does not exist in this organization."), "{message}");
    assert_eq!(
        s.sim.with_state(|st| st.members[st.member_index("kenlovelace").unwrap()].role.clone()),
        "release-manager"
    );
    let (kind, message) = s.err("update-member-role", &json!({"username": "kenlovelace", "role": "  "}));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("\"role\""), "{message}");
}

#[test]
fn a_team_gets_a_core_or_custom_role_by_patch_on_update_and_after_create() {
    let s = sim();
    let before = s.sent();
    let out = s.ok("update-team", &json!({"team": "qa", "role": "editor"}));
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["team"]["role"], "Editor", "as Docker answers it: {out}");
    assert_eq!(out["plan"][0]["method"], "PATCH");
    assert_eq!(out["plan"][0]["body"], json!({"role": "editor"}));
    assert_eq!(writes(&s, before), [format!("PATCH orgs/{DEFAULT_ORG}/groups/qa")]);

    let before = s.sent();
    let again = s.ok("update-team", &json!({"team": "qa", "role": "EDITOR"}));
    assert_eq!(again["changed"], false, "{again}");
    assert!(writes(&s, before).is_empty());
    assert_eq!(s.ok("get-team", &json!({"team": "qa"}))["team"]["role"], "Editor");

    // A rename and a role go together in one PATCH (never a PUT, which refuses a role).
    let both = s.ok(
        "update-team",
        &json!({"team": "qa", "new_name": "quality", "description": "Testers", "role": "billing-admin"}),
    );
    assert_eq!(both["plan"][0]["method"], "PATCH", "{both}");
    assert_eq!(both["team"]["role"], "billing-admin");
    assert_eq!(both["team"]["name"], "quality");

    let (kind, message) = s.err("update-team", &json!({"team": "quality", "role": "no-such-role"}));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("does not exist in this organization"), "{message}");

    // create-team: the create, then the PATCH that assigns the role.
    let dry = s.ok("create-team", &json!({"team": "release-crew", "role": "release-manager", "dry_run": true}));
    let plan: Vec<&str> = dry["plan"].as_array().unwrap().iter().map(|p| p["method"].as_str().unwrap()).collect();
    assert_eq!(plan, ["POST", "PATCH"], "{dry}");
    assert!(s.sim.with_state(|st| st.team_index("release-crew").is_none()), "a dry run creates nothing");
    let before = s.sent();
    let created = s.ok("create-team", &json!({"team": "release-crew", "role": "release-manager"}));
    assert_eq!(created["team"]["role"], "release-manager", "{created}");
    assert!(created["team"]["id"].is_u64());
    assert_eq!(
        writes(&s, before),
        [format!("POST orgs/{DEFAULT_ORG}/groups"), format!("PATCH orgs/{DEFAULT_ORG}/groups/release-crew")]
    );

    // A role Docker refuses fails the second step: the error says the team was created.
    let (kind, message) = s.err("create-team", &json!({"team": "night-crew", "role": "no-such-role"}));
    assert_eq!(kind, "invalid-input", "{message}");
    assert!(message.contains("stopped at step 2 of 2") && message.contains("steps 1 to 1 succeeded"), "{message}");
    assert!(message.contains("does not exist in this organization"), "{message}");
    assert!(s.sim.with_state(|st| st.team_index("night-crew").is_some()));
}

// ---- Registry Access Management ----

#[test]
fn registry_access_is_read_updated_previewed_and_a_rerun_changes_nothing() {
    let s = sim();
    let read = s.ok("get-registry-access", &json!({}));
    assert_eq!(
        read["registry_access"],
        json!({"enabled": false, "standard_registries": [{"id": "DockerHub", "allowed": true}], "custom_registries": []})
    );
    let wanted = json!({
        "enabled": true,
        "standard_registries": [{"id": "DockerHub", "allowed": false}],
        "custom_registries": [{"address": "registry.example.com", "friendly_name": "Internal", "allowed": true}],
    });
    let mut input = wanted.clone();
    input["dry_run"] = json!(true);
    let before = s.sent();
    let dry = s.ok("update-registry-access", &input);
    assert_eq!((dry["changed"].clone(), dry["dry_run"].clone()), (json!(true), json!(true)), "{dry}");
    assert!(writes(&s, before).is_empty(), "a dry run sends nothing");
    assert_eq!(
        dry["changes"],
        json!([
            {"setting": "enabled", "key": null, "change": "changed", "from": false, "to": true},
            {"setting": "standard_registry", "key": "DockerHub", "change": "changed",
             "from": {"id": "DockerHub", "allowed": true}, "to": {"id": "DockerHub", "allowed": false}},
            {"setting": "custom_registry", "key": "registry.example.com", "change": "added", "from": null,
             "to": {"address": "registry.example.com", "friendly_name": "Internal", "allowed": true}},
        ])
    );
    assert_eq!(dry["plan"][0]["body"], wanted, "the exact PUT body");
    assert_eq!(s.sim.with_state(|st| st.registry_access["enabled"].clone()), false);

    let before = s.sent();
    let done = s.ok("update-registry-access", &wanted);
    assert_eq!(done["changed"], true, "{done}");
    assert_eq!(done["registry_access"], wanted);
    assert_eq!(writes(&s, before), [format!("PUT orgs/{DEFAULT_ORG}/settings/registry-access-management")]);
    assert_eq!(s.ok("get-registry-access", &json!({}))["registry_access"], wanted);
    let events: Vec<String> =
        s.sim.with_state(|st| st.events.iter().take(3).map(|e| e["action"].as_str().unwrap().to_string()).collect());
    assert!(events.contains(&"org.registry_access.enabled".to_string()), "{events:?}");
    assert!(events.contains(&"org.registry_access.registry_added".to_string()), "{events:?}");

    // The same again, in another order and case: nothing to change, nothing sent.
    let before = s.sent();
    let again = s.ok(
        "update-registry-access",
        &json!({"enabled": true,
        "custom_registries": [{"address": "Registry.Example.com", "friendly_name": "Internal", "allowed": true}]}),
    );
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["changes"], json!([]));
    assert!(writes(&s, before).is_empty());

    // Only the list given is replaced.
    let removed = s.ok("update-registry-access", &json!({"custom_registries": []}));
    assert_eq!(removed["changes"][0]["change"], "removed", "{removed}");
    assert_eq!(removed["registry_access"]["enabled"], true, "kept");

    let (kind, message) = s.err("update-registry-access", &json!({}));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("nothing to change"), "{message}");
    let (kind, message) =
        s.err("update-registry-access", &json!({"custom_registries": [{"address": "https://x.io", "allowed": true}]}));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("\"custom_registries[0].address\""), "{message}");
}

// ---- The seat review ----

/// Sets one member's join date and activity.
fn set_activity(s: &Sim, username: &str, joined: &str, seen: Option<&str>, login: Option<&str>) {
    s.sim.with_state(|st| {
        let i = st.member_index(username).unwrap();
        st.members[i].date_joined = joined.to_string();
        st.members[i].last_seen_at = seen.map(str::to_string);
        st.members[i].last_logged_in_at = login.map(str::to_string);
    });
}

#[test]
fn the_seat_review_flags_the_inactive_spares_the_newly_joined_lists_unknown_activity_and_old_invites() {
    let s = sim();
    set_activity(&s, "kenlovelace", "2020-08-08T09:07:00Z", Some("2026-01-01T12:00:00Z"), None);
    // Joined last week; the activity Docker reports predates the join (roadmap 832).
    set_activity(&s, "timlovelace", "2026-11-27T09:00:00Z", Some("2025-01-01T12:00:00Z"), None);
    set_activity(&s, "franceslovelace", "2021-01-01T09:00:00Z", None, None);
    // Last seen long ago but logged in lately: active.
    set_activity(
        &s,
        "barbaralovelace",
        "2019-07-07T09:06:00Z",
        Some("2025-01-01T00:00:00Z"),
        Some("2026-12-01T00:00:00Z"),
    );
    let before = s.sent();
    let review = s.ok("review-seats", &json!({"as_of": "2026-12-04T00:00:00Z"}));
    assert!(writes(&s, before).is_empty());
    assert_eq!((review["inactive_days"].clone(), review["grace_days"].clone()), (json!(90), json!(30)));

    let inactive = names(&review["inactive"], "username");
    assert!(inactive.contains(&"kenlovelace".to_string()), "{inactive:?}");
    assert!(!inactive.contains(&"timlovelace".to_string()), "joined last week: not flagged");
    assert!(!inactive.contains(&"barbaralovelace".to_string()), "logged in three days ago");
    let ken = review["inactive"].as_array().unwrap().iter().find(|r| r["username"] == "kenlovelace").unwrap();
    assert_eq!(ken["days_inactive"], 336, "{ken}");
    assert_eq!(ken["last_active_at"], "2026-01-01T12:00:00Z");
    assert_eq!(names(&review["in_grace_period"], "username"), ["timlovelace"]);
    assert_eq!(review["in_grace_period"][0]["in_grace_period"], true);

    let unknown = names(&review["unknown_activity"], "username");
    assert!(unknown.contains(&"franceslovelace".to_string()), "no activity data: listed, not left out");
    let with_activity = review["members_with_activity"].as_u64().unwrap() as usize;
    let members = review["members"].as_u64().unwrap() as usize;
    assert_eq!(unknown.len(), members - with_activity, "every member without activity data is listed");

    // Old invites: every seed invite was sent in October.
    let old = review["old_invites"].as_array().unwrap();
    let hire = old.iter().find(|i| i["invitee"] == "new.hire@example.com").unwrap();
    assert_eq!(hire["days_pending"], 54, "{hire}");
    assert_eq!(hire["finding"], "old-invite");
    let fresh = s.ok("review-seats", &json!({"as_of": "2026-12-04T00:00:00Z", "invite_age_days": 3650}));
    assert_eq!(fresh["old_invites"], json!([]));

    // One listing of objects for CSV: every finding, with its kind.
    let findings = review["findings"].as_array().unwrap();
    assert_eq!(findings.len(), inactive.len() + unknown.len() + old.len());
    assert!(findings.iter().all(Value::is_object));
    let kinds: std::collections::BTreeSet<&str> = findings.iter().map(|f| f["finding"].as_str().unwrap()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["inactive", "old-invite", "unknown-activity"]);

    // The offboard plan: the inactive ones, as a dry run offboard-members carries out in one call.
    assert_eq!(review["offboard"]["action"], "offboard-members");
    let input = review["offboard"]["input"].clone();
    let suggested: Vec<String> =
        input["people"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    assert_eq!(suggested, inactive);
    assert_eq!(input["dry_run"], true);
    let before = s.sent();
    let plan = s.ok("offboard-members", &input);
    assert!(writes(&s, before).is_empty(), "the suggestion is a dry run");
    assert_eq!(plan["removals"].as_u64().unwrap() as usize, inactive.len(), "{plan}");
    assert!(plan["people"].as_array().unwrap().iter().all(|p| p["outcome"] == "planned"));

    // access-review flags by the same rule (one rule, one place), and lists the members of
    // unknown activity after the inactive ones, as such (nobody left out without saying so).
    let access = s.ok("access-review", &json!({"as_of": "2026-12-04T00:00:00Z"}));
    let listed = access["inactive"]["members"].as_array().unwrap();
    let flagged: Vec<Value> = listed.iter().filter(|m| m["activity"] == "inactive").cloned().collect();
    assert_eq!(names(&Value::Array(flagged), "username"), inactive);
    let of_unknown: Vec<Value> = listed.iter().filter(|m| m["activity"] == "unknown").cloned().collect();
    assert_eq!(of_unknown.len() as u64, access["inactive"]["unknown"].as_u64().unwrap());
    assert!(of_unknown.iter().all(|m| m["last_seen_at"].is_null() && m["days"].is_null()), "{access}");
    let mut seen = names(&Value::Array(of_unknown.clone()), "username");
    let mut expected = unknown.clone();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected, "the same members of unknown activity as review-seats");
    assert_eq!(listed.len(), inactive.len() + of_unknown.len());

    // No grace: the newly joined member is flagged too.
    let strict = s.ok("review-seats", &json!({"as_of": "2026-12-04T00:00:00Z", "grace_days": 0}));
    assert!(names(&strict["inactive"], "username").contains(&"timlovelace".to_string()));
}

// ---- offboard-members ----

#[test]
fn a_batch_offboard_previews_refuses_past_its_guards_and_then_runs_once() {
    let s = sim();
    let people = json!(["kenlovelace", "contractor@partner.example.org"]);

    // An entry that matches nobody fails the whole call before anything is sent.
    let before = s.sent();
    let (kind, message) =
        s.err("offboard-members", &json!({"people": ["kenlovelace", "nobody.here"], "dry_run": false}));
    assert_eq!(kind, "not-found");
    assert!(message.contains("nobody.here"), "{message}");
    assert!(writes(&s, before).is_empty());

    // Dry run (the default): one plan, a result per person.
    let dry = s.ok("offboard-members", &json!({"people": people}));
    assert_eq!(dry["dry_run"], true, "{dry}");
    let results = dry["people"].as_array().unwrap();
    assert_eq!(results[0]["username"], "kenlovelace");
    assert_eq!(results[0]["removes_member"], true);
    assert_eq!(results[1]["username"], Value::Null);
    assert_eq!(results[1]["invites_cancelled"], 1);
    assert_eq!(dry["removals"], 1);
    assert!(writes(&s, before).is_empty());

    // The removal limit, as reconcile-team's: a real run past it is refused, a dry run warns.
    let many: Vec<String> = s.sim.with_state(|st| {
        st.members.iter().filter(|m| m.role != "Owner").take(11).map(|m| m.username.clone()).collect()
    });
    let (kind, message) = s.err("offboard-members", &json!({"people": many, "dry_run": false}));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("more than max_removals (10)"), "{message}");
    assert!(writes(&s, before).is_empty());
    let warned = s.ok("offboard-members", &json!({"people": many}));
    assert!(warned["message"].as_str().unwrap().contains("Warning"), "{warned}");

    // The last-owner guard of offboard-member, for the whole batch.
    let owners: Vec<String> =
        s.sim.with_state(|st| st.members.iter().filter(|m| m.role == "Owner").map(|m| m.username.clone()).collect());
    let (kind, message) = s.err("offboard-members", &json!({"people": owners, "max_removals": 50}));
    assert_eq!(kind, "conflict");
    assert!(message.contains("every owner"), "{message}");
    assert!(writes(&s, before).is_empty());

    // The run: every step of the plan, once.
    let done = s.ok("offboard-members", &json!({"people": people, "dry_run": false}));
    assert_eq!(done["changed"], true, "{done}");
    assert_eq!(
        writes(&s, before),
        [
            format!("DELETE orgs/{DEFAULT_ORG}/members/kenlovelace"),
            "DELETE invites/e36eca69-4cc8-4f17-9845-ae8c2b832601".to_string(),
        ]
    );
    assert!(done["people"].as_array().unwrap().iter().all(|p| p["outcome"] == "offboarded"), "{done}");
    assert!(s.sim.with_state(|st| st.member_index("kenlovelace").is_none()
        && st.invites.iter().all(|i| i.invitee != "contractor@partner.example.org")));

    // Again: they are gone, so with missing_ok nothing is left to do.
    let before = s.sent();
    let again = s.ok("offboard-members", &json!({"people": people, "dry_run": false, "missing_ok": true}));
    assert_eq!(again["changed"], false, "{again}");
    assert!(again["people"].as_array().unwrap().iter().all(|p| p["outcome"] == "not-found"));
    assert!(writes(&s, before).is_empty());
}

#[test]
fn the_seat_review_exports_every_finding_as_csv_from_the_cli() {
    let run = |output: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dockerhub-org"));
        command.args(["run", "review-seats", "--simulate", "--input", r#"{"as_of": "2026-12-04T00:00:00Z"}"#]);
        command.args(output.split(' '));
        for key in ["DOCKERHUB_ORG", "DOCKERHUB_OAT", "DOCKERHUB_HUB_URL"] {
            command.env_remove(key);
        }
        let out = command.stdin(std::process::Stdio::null()).output().expect("the CLI runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let review: Value = serde_json::from_str(&run("--json")).unwrap();
    let findings = review["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let csv_text = run("--output csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["finding", "username", "email"], "{csv_text}");
    assert!(header.contains(&"days_inactive".to_string()) && header.contains(&"invite_id".to_string()));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), findings.len(), "one row per finding");
    for (row, finding) in rows.iter().zip(findings) {
        assert_eq!(&row[0], finding["finding"].as_str().unwrap());
        assert_eq!(&row[1], finding["username"].as_str().unwrap_or_default());
    }
}

#[tokio::test]
async fn an_empty_answer_to_the_registry_access_put_is_followed_by_a_read_as_terraform_does() {
    use wiremock::matchers::{body_json, method, path};
    use wiremock::{Mock, ResponseTemplate};
    const RAM: &str = "/v2/orgs/acme/settings/registry-access-management";
    let hub = common::hub().await;
    let before = common::fixture("settings/registry-access.json");
    let mut after = before.clone();
    after["enabled"] = json!(true);
    // The first read answers the old setting, the second the one Docker now holds.
    Mock::given(method("GET"))
        .and(path(RAM))
        .respond_with(ResponseTemplate::new(200).set_body_json(&before))
        .up_to_n_times(1)
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("PUT"))
        .and(path(RAM))
        .and(body_json(&after))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("GET"))
        .and(path(RAM))
        .respond_with(ResponseTemplate::new(200).set_body_json(&after))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = common::ok(&runtime, "update-registry-access", r#"{"enabled": true}"#, &hub.secrets());
    assert_eq!(out["changed"], true, "{out}");
    assert_eq!(out["registry_access"], after, "read back after the empty answer: {out}");
    assert_eq!(out["before"], before);
    assert!(out.get("warnings").is_none(), "an empty 2xx is not an unreadable answer: {out}");
}

#[test]
fn registry_access_works_with_an_oat_where_image_access_management_does_not() {
    use dockerhub_org_host::simulator::{Quirks, SimulatorConfig};
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { iam_refuses_oat: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    let (kind, _) = s.err("get-org-settings", &json!({}));
    assert_eq!(kind, "forbidden");
    assert_eq!(s.ok("get-registry-access", &json!({}))["registry_access"]["enabled"], false);
    assert_eq!(s.ok("update-registry-access", &json!({"enabled": true}))["changed"], true);
}

#[test]
fn a_batch_offboard_that_stops_says_per_person_what_was_done() {
    use dockerhub_org_host::runtime::error_detail;
    use dockerhub_org_host::simulator::{Quirks, SimulatorConfig};
    // Docker refuses the invite's cancellation (step 2) after the removal (step 1) went through.
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks {
            oat_refused_paths: vec!["/v2/invites/e36eca69-4cc8-4f17-9845-ae8c2b832601".into()],
            ..Quirks::default()
        },
        ..SimulatorConfig::default()
    });
    let people = json!(["kenlovelace", "contractor@partner.example.org", "adalovelace"]);
    let e = s.call("offboard-members", &json!({"people": people, "dry_run": false})).unwrap_err();
    let detail: Value = serde_json::from_str(error_detail(&e).unwrap()).unwrap();
    let outcomes: Vec<(&str, &str)> = detail["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["person"].as_str().unwrap(), p["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("kenlovelace", "offboarded"),
            ("contractor@partner.example.org", "not-offboarded"),
            ("adalovelace", "not-offboarded"),
        ],
        "{detail}"
    );
    assert_eq!(detail["completed"][0]["step"], 1, "{detail}");
    assert!(
        s.sim.with_state(|st| st.member_index("kenlovelace").is_none() && st.member_index("adalovelace").is_some())
    );
}
