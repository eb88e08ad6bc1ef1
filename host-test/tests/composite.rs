//! Composite workflows through the real component: dry runs change nothing (asserted from the
//! request log), real runs do what the plan said, a failure stops safely with what succeeded, a
//! second reconcile changes nothing, and the access review's figures match the seeded org.

mod common;

use common::sim::{Sim, sim};
use common::*;
use dockerhub_org_host::runtime::{error_detail, error_kind};
use dockerhub_org_host::simulator::DEFAULT_ORG;
use dockerhub_org_host::simulator::state::Invite;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn give_invite(s: &Sim, invitee: &str) -> String {
    let id = "0ff0a1d0-0000-4000-8000-000000000001".to_string();
    s.sim.with_state(|st| {
        st.invites.push(Invite {
            id: id.clone(),
            inviter_username: "adalovelace".into(),
            invitee: invitee.into(),
            org: DEFAULT_ORG.into(),
            team: Some("qa".into()),
            role: Some("member".into()),
            created_at: "2026-01-01T00:00:00Z".into(),
        })
    });
    id
}

#[test]
fn offboard_dry_run_returns_the_plan_and_changes_nothing() {
    let s = sim();
    let invite = give_invite(&s, "ken.lovelace@example.com");
    let out = s.ok("offboard-member", &json!({"email": "ken.lovelace@example.com"}));
    assert_eq!(out["dry_run"], true);
    assert_eq!(out["member"]["username"], "kenlovelace");
    assert_eq!(out["teams"], json!(["platform", "designers"]));
    let plan: Vec<String> = out["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["method"].as_str().unwrap(), p["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        plan,
        ["DELETE /v2/orgs/example-org/members/kenlovelace".to_string(), format!("DELETE /v2/invites/{invite}"),]
    );
    assert!(s.writes_since(0).is_empty(), "a dry run sent {:?}", s.writes_since(0));
    assert!(s.sim.with_state(|st| st.member_index("kenlovelace").is_some()));
}

#[test]
fn offboard_real_run_removes_the_member_and_cancels_their_invite() {
    let s = sim();
    let invite = give_invite(&s, "kenlovelace");
    let out = s.ok("offboard-member", &json!({"username": "KenLovelace", "dry_run": false}));
    assert_eq!((out["removes_member"].clone(), out["changed"].clone()), (json!(true), json!(true)));
    assert_eq!(out["invites_cancelled"], 1);
    assert_eq!(out["completed"].as_array().unwrap().len(), 2);
    assert_eq!(
        s.writes_since(0),
        ["DELETE orgs/example-org/members/kenlovelace".to_string(), format!("DELETE invites/{invite}")]
    );
    assert!(
        s.sim.with_state(|st| st.member_index("kenlovelace").is_none() && st.invites.iter().all(|i| i.id != invite))
    );
    // Run again, nobody is left to offboard: not-found (a workflow with a mistyped name must fail),
    // and with missing_ok a retried step succeeds without sending anything.
    let before = s.sent();
    let (kind, _) = err(&s.runtime, "offboard-member", r#"{"username": "kenlovelace", "dry_run": false}"#, &s.secrets);
    assert_eq!(kind, "not-found");
    let again = s.ok("offboard-member", &json!({"username": "kenlovelace", "dry_run": false, "missing_ok": true}));
    assert_eq!(
        (again["changed"].clone(), again["plan"].clone(), again["found"].clone()),
        (json!(false), json!([]), json!(false))
    );
    assert!(s.writes_since(before).is_empty());
}

#[test]
fn offboard_refuses_the_only_owner_before_changing_anything() {
    let s = sim();
    s.sim.with_state(|st| {
        for m in st.members.iter_mut().filter(|m| m.role == "Owner").skip(1) {
            m.role = "Member".into();
        }
    });
    let owner =
        s.sim.with_state(|st| st.members.iter().find(|m| m.role == "Owner").map(|m| m.username.clone()).unwrap());
    let input = json!({"username": owner, "dry_run": false}).to_string();
    let (kind, message) = err(&s.runtime, "offboard-member", &input, &s.secrets);
    assert_eq!(kind, "conflict");
    assert!(message.contains("only owner") && message.contains("update-member-role"), "{message}");
    assert!(s.writes_since(0).is_empty());
}

#[tokio::test]
async fn offboard_stops_at_the_first_failure_and_reports_what_succeeded() {
    let hub = hub().await;
    let member = json!({"username": "jonsnow", "email": "jon@example.com", "role": "Member", "groups": ["dev"]});
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .and(query_param("search", "jonsnow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"count": 1, "next": null, "previous": null, "results": [member]})),
        )
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("GET")).and(path("/v2/orgs/acme/groups")).and(query_param("username", "jonsnow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1, "next": null, "previous": null, "results": [{"id": 1, "name": "dev", "member_count": 3}]})))
        .expect(1).mount(&hub.server).await;
    Mock::given(method("GET")).and(path("/v2/orgs/acme/invites"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "inv-1", "invitee": "jon@example.com", "org": "acme"}, {"id": "inv-2", "invitee": "other@example.com"}]})))
        .expect(1).mount(&hub.server).await;
    Mock::given(method("DELETE"))
        .and(path("/v2/orgs/acme/members/jonsnow"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v2/invites/inv-1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "missing scope"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let outcome =
        call(&hub.runtime(), "offboard-member", r#"{"username": "jonsnow", "dry_run": false}"#, &hub.secrets());
    let error = outcome.unwrap_err();
    assert_eq!(error_kind(&error), "forbidden");
    let message = dockerhub_org_host::runtime::error_message(&error);
    assert!(message.contains("stopped at step 2 of 2") && message.contains("steps 1 to 1 succeeded"), "{message}");
    let detail: Value = serde_json::from_str(error_detail(&error).unwrap()).unwrap();
    assert_eq!(detail["completed"][0]["path"], "/v2/orgs/acme/members/jonsnow");
    assert_eq!(detail["failed"]["path"], "/v2/invites/inv-1");
    assert_eq!(detail["not_attempted"], json!([]));
}

#[test]
fn reconcile_dry_run_plans_adds_and_removes_and_reports_unknown_people() {
    let s = sim();
    let current: Vec<String> = s.sim.with_state(|st| {
        st.members.iter().filter(|m| m.groups.iter().any(|g| g == "support")).map(|m| m.username.clone()).collect()
    });
    assert!(current.len() > 2);
    let keep = current[0].clone();
    let out = s.ok("reconcile-team", &json!({"team": "support", "members": [keep, "ken.lovelace@example.com", "KENLOVELACE", "nobody@nowhere.example"]}));
    assert_eq!(out["dry_run"], true);
    assert_eq!(out["to_add"], json!(["kenlovelace"]));
    assert_eq!(out["to_remove"].as_array().unwrap().len(), current.len() - 1);
    assert_eq!(out["unknown"], json!(["nobody@nowhere.example"]));
    assert!(s.writes_since(0).is_empty());
}

#[test]
fn reconcile_applies_the_diff_returns_the_final_state_and_a_second_run_changes_nothing() {
    let s = sim();
    let wanted = json!(["kenlovelace", "ada.lovelace@example.com"]);
    let out = s.ok("reconcile-team", &json!({"team": "qa", "members": wanted, "dry_run": false, "max_removals": 100}));
    assert_eq!(out["changed"], true);
    let mut final_members: Vec<&str> = out["members"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    final_members.sort();
    assert_eq!(final_members, ["adalovelace", "kenlovelace"]);
    let writes = s.writes_since(0);
    assert_eq!(writes.iter().filter(|w| w.starts_with("POST")).count(), out["to_add"].as_array().unwrap().len());
    assert_eq!(writes.iter().filter(|w| w.starts_with("DELETE")).count(), out["to_remove"].as_array().unwrap().len());

    let before = s.sent();
    let again =
        s.ok("reconcile-team", &json!({"team": "qa", "members": wanted, "dry_run": false, "max_removals": 100}));
    assert_eq!((again["in_sync"].as_bool(), again["changed"].as_bool()), (Some(true), Some(false)));
    assert!(again["message"].as_str().unwrap().contains("already matches"));
    assert!(s.writes_since(before).is_empty(), "an idempotent second run sends no writes");
}

#[test]
fn reconcile_refuses_more_removals_than_max_removals_and_carries_the_plan() {
    let s = sim();
    let wanted = json!(["kenlovelace"]);
    let input = json!({"team": "qa", "members": wanted, "dry_run": false}).to_string();
    let outcome = call(&s.runtime, "reconcile-team", &input, &s.secrets);
    let error = outcome.expect_err("a real run emptying a 58-member team with the default limit is refused");
    assert_eq!(error_kind(&error), "invalid-input");
    let detail: Value = serde_json::from_str(error_detail(&error).unwrap()).unwrap();
    assert_eq!(detail["max_removals"], 10);
    let removals = detail["to_remove"].as_array().unwrap().len();
    assert!(removals > 10, "{removals}");
    let deletes = detail["plan"].as_array().unwrap().iter().filter(|step| step["method"] == "DELETE").count();
    assert_eq!(deletes, removals, "the refusal carries the whole plan");
    assert!(s.writes_since(0).is_empty(), "nothing was changed");
    // A dry run still previews, with a warning.
    let preview = s.ok("reconcile-team", &json!({"team": "qa", "members": wanted}));
    assert_eq!(preview["dry_run"], true);
    assert!(preview["message"].as_str().unwrap().contains("more than max_removals (10)"), "{preview}");
}

#[test]
fn offboarding_someone_only_invited_cancels_their_invites() {
    let s = sim();
    let invite = give_invite(&s, "new.person@example.com");
    let preview = s.ok("offboard-member", &json!({"email": "new.person@example.com"}));
    assert_eq!((preview["member"].clone(), preview["removes_member"].clone()), (Value::Null, json!(false)));
    assert_eq!(preview["plan"].as_array().unwrap().len(), 1, "{preview}");
    assert!(s.writes_since(0).is_empty());
    let out = s.ok("offboard-member", &json!({"email": "new.person@example.com", "dry_run": false}));
    assert_eq!((out["changed"].clone(), out["invites_cancelled"].clone()), (json!(true), json!(1)));
    assert_eq!(s.writes_since(0), [format!("DELETE invites/{invite}")]);
    let again =
        s.ok("offboard-member", &json!({"email": "new.person@example.com", "dry_run": false, "missing_ok": true}));
    assert_eq!(again["changed"], false, "nothing left to offboard: {again}");
}

#[test]
fn reconcile_an_unknown_team_is_not_found() {
    let s = sim();
    let (kind, message) = err(&s.runtime, "reconcile-team", r#"{"team": "ghosts", "members": []}"#, &s.secrets);
    assert_eq!(kind, "not-found");
    assert!(message.contains("ghosts"), "{message}");
}

/// What the review should find, computed independently from the seed fixture.
fn expected_from_seed(as_of: i64, inactive_days: i64, invite_days: i64) -> Value {
    let seed = fixture("simulator/org.json");
    let members = seed["members"].as_array().unwrap();
    let days = |t: &str| {
        let then = humantime::parse_rfc3339_weak(t.trim_end_matches('Z').split('.').next().unwrap()).unwrap();
        let secs = then.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        (as_of - secs).div_euclid(86_400)
    };
    json!({
        "owners": members.iter().filter(|m| m["role"] == "Owner").count(),
        "guests": members.iter().filter(|m| m["is_guest"] == true).count(),
        "teamless": members.iter().filter(|m| m["groups"].as_array().unwrap().is_empty()).count(),
        "inactive": members.iter().filter(|m| m["last_seen_at"].as_str().is_some_and(|t| days(t) >= inactive_days)).count(),
        "stale": seed["invites"].as_array().unwrap().iter().filter(|i| days(i["created_at"].as_str().unwrap()) >= invite_days).count(),
        "members": members.len(),
    })
}

#[test]
fn access_review_figures_match_the_seeded_organization() {
    let s = sim();
    let as_of = "2026-11-23T00:00:00Z";
    let out = s.ok("access-review", &json!({"inactive_days": 120, "invite_age_days": 40, "as_of": as_of}));
    let expected = expected_from_seed(1_795_392_000, 120, 40);
    assert_eq!(out["as_of_source"], "input");
    assert_eq!(out["members"], expected["members"]);
    assert_eq!(out["owners"]["count"], expected["owners"]);
    assert_eq!(out["owners"]["single_owner"], false);
    assert_eq!(out["guests"]["count"], expected["guests"]);
    assert_eq!(out["members_without_team"]["count"], expected["teamless"]);
    assert_eq!(out["inactive"]["count"], expected["inactive"]);
    assert_eq!(out["stale_invites"]["count"], expected["stale"]);
    assert_eq!(out["empty_teams"]["count"], 0);
    let md = out["markdown"].as_str().unwrap();
    assert!(md.starts_with("## Access review: example-org"), "{md}");
    assert!(md.contains(&format!("| Guests | {} |", expected["guests"])), "{md}");
    assert!(s.writes_since(0).is_empty(), "the review only reads");
}

#[test]
fn access_review_flags_a_single_owner_and_empty_teams() {
    let s = sim();
    s.sim.with_state(|st| {
        for m in st.members.iter_mut().filter(|m| m.role == "Owner").skip(1) {
            m.role = "Member".into();
        }
    });
    s.ok("create-team", &json!({"team": "empty-one"}));
    let out = s.ok("access-review", &json!({}));
    assert_eq!(out["owners"]["single_owner"], true);
    assert_eq!(out["empty_teams"]["teams"], json!(["empty-one"]));
    assert_eq!(out["as_of_source"], "docker_date_header", "without as_of, Docker's clock is used");
    assert!(out["markdown"].as_str().unwrap().contains("only one owner"));
}

#[test]
fn reconcile_looks_up_a_short_list_by_search_and_a_long_one_from_the_roster_alike() {
    let s = sim();
    let page = s.ok("list-members", &json!({"page_size": 12, "type": "member"}));
    let names: Vec<String> =
        page["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap().to_string()).collect();
    assert_eq!(names.len(), 12);
    let reconcile = |members: &[String]| {
        let before = s.sent();
        let out = s.ok("reconcile-team", &json!({"team": "qa", "members": members, "max_removals": 100}));
        let urls: Vec<String> = s.runtime.http().sent()[before..].iter().map(|r| r.url.clone()).collect();
        (out, urls)
    };
    let on_qa: Vec<String> = s.sim.with_state(|st| {
        st.members.iter().filter(|m| m.groups.iter().any(|g| g == "qa")).map(|m| m.username.clone()).collect()
    });
    // Three people: the team, then one exact search for each one not on it, and no roster page.
    let (short, urls) = reconcile(&names[..3]);
    let off_qa = names[..3].iter().filter(|n| !on_qa.contains(n)).count();
    assert!(off_qa > 0, "the seed puts someone of the first three off team qa");
    assert_eq!(urls.iter().filter(|u| u.contains("search=")).count(), off_qa, "{urls:#?}");
    assert_eq!(urls.len(), 1 + off_qa, "{urls:#?}");
    // Twelve: more than one batch of searches, so the roster is read once (4 pages of 100).
    let (long, urls) = reconcile(&names);
    assert!(!urls.iter().any(|u| u.contains("search=")), "{urls:#?}");
    let roster_page = format!("/orgs/{DEFAULT_ORG}/members?page=");
    assert_eq!(urls.iter().filter(|u| u.contains(&roster_page)).count(), 4, "{urls:#?}");
    // Either way the same people are planned for the same team.
    let planned = |out: &Value, key: &str| out[key].as_array().unwrap().len();
    assert_eq!(planned(&short, "unknown") + planned(&long, "unknown"), 0, "{short}\n{long}");
    assert!(planned(&long, "to_add") >= planned(&short, "to_add"));
    for name in &names[..3] {
        let in_short = short["to_add"].as_array().unwrap().iter().any(|n| n == name);
        let in_long = long["to_add"].as_array().unwrap().iter().any(|n| n == name);
        assert_eq!(in_short, in_long, "{name}: {short}\n{long}");
    }
}
