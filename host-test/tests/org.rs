//! Organization as code through the real component on the simulator: `export-org` then `plan-org`
//! plans nothing; an edited document plans exactly the edits; `apply-org` carries them out and a
//! second plan finds nothing; prune off keeps what the document leaves out; the removal guard,
//! the owner guards and exact email matching refuse before anything is sent; an apply stopped by a
//! failing write says what was done and what was not, and a second apply finishes it. Every output
//! (and the report in an error's detail) is checked against its action's manifest schema.

mod common;

use common::sim::{Sim, sim};
use dockerhub_org_host::runtime::{error_detail, error_kind, error_message};
use dockerhub_org_host::simulator::{FailWrite, Quirks, SimulatorConfig};
use serde_json::{Value, json};

/// The manifest entry of `name`.
fn manifest_action(s: &Sim, name: &str) -> Value {
    let manifest: Value = serde_json::from_str(&s.runtime.describe().unwrap()).unwrap();
    manifest["actions"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap().clone()
}

/// Runs `name` (which must succeed) and checks its output against the manifest's output schema.
fn ok(s: &Sim, name: &str, input: &Value) -> Value {
    let out = s.ok(name, input);
    let schema = &manifest_action(s, name)["output_schema"];
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&out).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{name}: output does not fit its schema: {errors:#?}");
    out
}

/// Runs `name` expecting an error: (kind, message, detail).
fn fails(s: &Sim, name: &str, input: &Value) -> (String, String, Value) {
    match s.call(name, input) {
        Ok(out) => panic!("{name} succeeded: {out}"),
        Err(e) => {
            let detail = error_detail(&e).map(|d| serde_json::from_str(d).unwrap()).unwrap_or(Value::Null);
            (error_kind(&e).to_string(), error_message(&e).to_string(), detail)
        }
    }
}

fn export(s: &Sim) -> Value {
    ok(s, "export-org", &json!({}))["document"].clone()
}

fn team<'a>(document: &'a mut Value, name: &str) -> &'a mut Value {
    document["teams"].as_array_mut().unwrap().iter_mut().find(|t| t["name"] == name).unwrap()
}

/// The changes as `kind op subject [team]` lines, in the output's order.
fn lines(out: &Value) -> Vec<String> {
    out["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let team = c["team"].as_str().map(|t| format!(" @{t}")).unwrap_or_default();
            format!(
                "{} {} {}{team}",
                c["kind"].as_str().unwrap(),
                c["op"].as_str().unwrap(),
                c["subject"].as_str().unwrap()
            )
        })
        .collect()
}

fn members_of(s: &Sim, team: &str) -> Vec<String> {
    s.sim.with_state(|st| {
        let mut names: Vec<String> =
            st.members.iter().filter(|m| m.groups.iter().any(|g| g == team)).map(|m| m.username.clone()).collect();
        names.sort();
        names
    })
}

#[test]
fn an_export_planned_again_plans_nothing_and_is_stable() {
    let s = sim();
    let first = ok(&s, "export-org", &json!({}));
    assert_eq!(first["counts"]["teams"], 8, "{}", first["counts"]);
    assert_eq!(first["counts"]["invites"], 6);
    let document = &first["document"];
    assert_eq!(document["organization"], "example-org");
    assert_eq!(document["max_removals"], 10);
    let names: Vec<&str> = document["teams"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "teams are sorted");
    assert_eq!(
        team(&mut document.clone(), "owners")["members"],
        json!(["adalovelace", "alanlovelace", "gracelovelace"])
    );
    let second = ok(&s, "export-org", &json!({}));
    assert_eq!(first["document"], second["document"], "two exports of one organization are the same");

    let before = s.sent();
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(plan["in_sync"], true, "{}", plan["message"]);
    assert_eq!(plan["changes"], json!([]));
    assert_eq!(plan["plan"], json!([]));
    assert_eq!(plan["summary"]["text"], "0 to add, 0 to change, 0 to remove");
    assert_eq!(s.writes_since(before), Vec::<String>::new());
}

#[test]
fn an_edited_document_plans_exactly_the_edits_and_an_apply_leaves_nothing_to_plan() {
    let s = sim();
    let mut document = export(&s);
    document["teams"].as_array_mut().unwrap().push(json!({
        "name": "release", "description": "Release managers", "role": "release-manager",
        "members": ["kenlovelace", "ADA.LOVELACE@example.com"],
    }));
    team(&mut document, "qa")["description"] = json!("Quality engineering");
    team(&mut document, "data")["members"].as_array_mut().unwrap().push(json!("timlovelace"));
    let radia = document["members"].as_array_mut().unwrap().iter_mut().find(|m| m["username"] == "radialovelace");
    radia.unwrap()["role"] = json!("member");
    document["invites"]
        .as_array_mut()
        .unwrap()
        .push(json!({"invitee": "new.lead@example.com", "role": "editor", "team": "release"}));

    let before = s.sent();
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(
        lines(&plan),
        [
            "teams add release",
            "teams change qa",
            "team_memberships add adalovelace @release",
            "team_memberships add kenlovelace @release",
            "team_memberships add timlovelace @data",
            "members change radialovelace",
            "invites add new.lead@example.com",
        ]
    );
    assert_eq!(plan["summary"]["text"], "5 to add, 2 to change, 0 to remove");
    assert_eq!(plan["summary"]["team_memberships"], json!({"add": 3, "change": 0, "remove": 0}));
    assert_eq!(plan["removals"], 0);
    assert_eq!(s.writes_since(before), Vec::<String>::new(), "a plan sends no write");
    // Each change names its requests; the plan is in the safe order.
    let release = &plan["changes"][0];
    assert_eq!(release["requests"][0], json!({"step": 1, "method": "POST", "path": "/v2/orgs/example-org/groups"}));
    assert_eq!(release["requests"][1]["method"], "PATCH", "the team's role is a PATCH after the create");
    let order: Vec<String> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["method"].as_str().unwrap(), p["path"].as_str().unwrap()))
        .collect();
    assert_eq!(order[0], "POST /v2/orgs/example-org/groups", "{order:#?}");
    assert!(order[1..5].iter().all(|o| o.starts_with("POST ")), "invites and additions next: {order:#?}");
    assert!(order[5..].iter().all(|o| o.starts_with("PUT ") || o.starts_with("PATCH ")), "{order:#?}");
    assert_eq!(order.len(), 8);

    // A dry run of apply-org is the same plan.
    let dry = ok(&s, "apply-org", &json!({ "document": document }));
    assert_eq!((dry["dry_run"].clone(), dry["changed"].clone()), (json!(true), json!(true)));
    assert_eq!(lines(&dry), lines(&plan));
    assert_eq!(s.writes_since(before), Vec::<String>::new(), "apply-org previews by default");

    let applied = ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(applied["changed"], true, "{}", applied["message"]);
    assert_eq!(applied["completed"].as_array().unwrap().len(), 8);
    assert!(applied["changes"].as_array().unwrap().iter().all(|c| c["outcome"] == "done"), "{}", applied["changes"]);
    assert!(applied["warnings"].is_null(), "the role shows in Docker's answer: {}", applied["warnings"]);
    assert_eq!(members_of(&s, "release"), ["adalovelace", "kenlovelace"]);
    assert!(members_of(&s, "data").contains(&"timlovelace".to_string()));
    s.sim.with_state(|st| {
        let qa = st.teams.iter().find(|t| t.name == "qa").unwrap();
        assert_eq!(qa.description, "Quality engineering");
        let release = st.teams.iter().find(|t| t.name == "release").unwrap();
        assert_eq!(release.role.as_deref(), Some("release-manager"));
        assert_eq!(st.members.iter().find(|m| m.username == "radialovelace").unwrap().role, "Member");
        let invite = st.invites.iter().find(|i| i.invitee == "new.lead@example.com").unwrap();
        assert_eq!((invite.team.as_deref(), invite.role.as_deref()), (Some("release"), Some("editor")));
    });

    let again = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(again["changes"], json!([]), "{}", again["changes"]);
    let before = s.sent();
    let second = ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!((second["changed"].clone(), second["in_sync"].clone()), (json!(false), json!(true)));
    assert_eq!(s.writes_since(before), Vec::<String>::new());
    // And the export of the organization now plans nothing either.
    let fresh = export(&s);
    assert_eq!(ok(&s, "plan-org", &json!({ "document": fresh }))["changes"], json!([]));
}

#[test]
fn prune_off_keeps_what_the_document_leaves_out_and_prune_on_removes_it() {
    let s = sim();
    let mut document = export(&s);
    team(&mut document, "support")["members"] = json!(["adalovelace"]);
    // Members, invites and other teams left out: not managed.
    document["members"] = Value::Null;
    document["invites"] = Value::Null;
    let support = team(&mut document, "support").clone();
    document["teams"] = json!([support]);
    document["max_removals"] = json!(20);
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(plan["changes"], json!([]), "prune off keeps the extra members and teams: {}", plan["changes"]);

    document["prune"]["team_memberships"] = json!(true);
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    let expected: Vec<String> = members_of(&s, "support")
        .into_iter()
        .filter(|m| m != "adalovelace")
        .map(|m| format!("team_memberships remove {m} @support"))
        .collect();
    assert_eq!(lines(&plan), expected);
    assert!(plan["plan"].as_array().unwrap().iter().all(|p| p["method"] == "DELETE"));
    let applied = ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(applied["changed"], true);
    assert_eq!(members_of(&s, "support"), ["adalovelace"]);
    assert_eq!(s.sim.with_state(|st| st.teams.len()), 8, "prune.teams is off: no team deleted");
}

#[test]
fn the_removal_guard_refuses_with_the_plan_and_a_preview_warns() {
    let s = sim();
    let mut document = export(&s);
    // Eleven members left out, with prune.members: eleven removals, one more than the default limit.
    let kept: Vec<Value> = document["members"].as_array().unwrap()[11..].to_vec();
    let dropped: Vec<String> = document["members"].as_array().unwrap()[..11]
        .iter()
        .map(|m| m["username"].as_str().unwrap().to_string())
        .collect();
    document["members"] = Value::Array(kept);
    document["prune"]["members"] = json!(true);
    document["teams"] = Value::Null;
    let before = s.sent();
    let preview = ok(&s, "apply-org", &json!({ "document": document }));
    assert_eq!(preview["removals"], 11);
    assert!(preview["message"].as_str().unwrap().contains("more than max_removals (10)"), "{}", preview["message"]);
    let (kind, message, detail) = fails(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("11 removals") && message.contains("Nothing was changed"), "{message}");
    assert_eq!(detail["plan"].as_array().unwrap().len(), 11, "the refusal carries the plan");
    let removed: Vec<&str> =
        detail["changes"].as_array().unwrap().iter().map(|c| c["subject"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = dropped.iter().map(String::as_str).collect();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(removed, expected);
    assert_eq!(s.writes_since(before), Vec::<String>::new(), "nothing was sent");

    document["max_removals"] = json!(11);
    let applied = ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(applied["completed"].as_array().unwrap().len(), 11);
    s.sim.with_state(|st| assert!(st.members.iter().all(|m| !dropped.contains(&m.username))));
}

#[test]
fn an_apply_stopped_by_a_failing_step_says_what_was_done_and_a_second_apply_finishes_it() {
    // The second write the simulator receives fails with a 500 and is not carried out.
    let quirks = Quirks { fail_write: Some(FailWrite { nth: 2, status: 500 }), ..Quirks::default() };
    let s = Sim::start(SimulatorConfig { quirks, ..SimulatorConfig::default() });
    let document = json!({
        "teams": [{"name": "release", "members": ["kenlovelace", "timlovelace"]}],
        "members": [{"username": "radialovelace", "role": "member"}],
    });
    let (kind, message, detail) = fails(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(kind, "upstream", "{message}");
    assert!(message.contains("stopped at step 2 of 4"), "{message}");
    assert!(message.contains("Of 4 changes, 1 were done and 3 were not"), "{message}");
    assert!(message.contains("Run apply-org again with the same document to continue"), "{message}");
    let outcomes: Vec<String> = detail["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["subject"].as_str().unwrap(), c["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        ["release done", "kenlovelace failed", "timlovelace not-attempted", "radialovelace not-attempted"]
    );
    assert_eq!(detail["failed"]["step"], 2);
    assert_eq!(detail["failed"]["may_have_been_carried_out"], true, "a POST answered 500 may have happened");
    assert_eq!(detail["not_attempted"].as_array().unwrap().len(), 2);
    // The report in the detail is the action's own shape: its changes fit the output schema's.
    let schema = manifest_action(&s, "apply-org")["output_schema"].clone();
    let mut change_schema = schema["properties"]["changes"].clone();
    change_schema["$defs"] = schema["$defs"].clone();
    let validator = jsonschema::validator_for(&change_schema).unwrap();
    assert!(validator.is_valid(&detail["changes"]), "{}", detail["changes"]);
    assert_eq!(members_of(&s, "release"), Vec::<String>::new(), "the team was created, nobody added yet");

    // Planned from the live organization again: only what is left.
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(
        lines(&plan),
        [
            "team_memberships add kenlovelace @release",
            "team_memberships add timlovelace @release",
            "members change radialovelace"
        ]
    );
    let second = ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(second["changed"], true);
    assert_eq!(members_of(&s, "release"), ["kenlovelace", "timlovelace"]);
    assert_eq!(ok(&s, "plan-org", &json!({ "document": document }))["changes"], json!([]));
}

#[test]
fn an_apply_of_one_request_that_fails_names_that_change_failed_not_unattempted() {
    // A plan of one step fails as its request did (no completed/failed list in the detail): the
    // one change was still attempted, and the report must say so.
    // (A 400 is a refusal: never retried, and the role change is a PATCH that a 500 would retry.)
    let quirks = Quirks { fail_write: Some(FailWrite { nth: 1, status: 400 }), ..Quirks::default() };
    let s = Sim::start(SimulatorConfig { quirks, ..SimulatorConfig::default() });
    let document = json!({ "members": [{"username": "radialovelace", "role": "member"}] });
    assert_eq!(lines(&ok(&s, "plan-org", &json!({ "document": document }))), ["members change radialovelace"]);
    let (_, message, detail) = fails(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert!(message.contains("Of 1 changes, 0 were done and 1 were not"), "{message}");
    let outcomes: Vec<&str> =
        detail["changes"].as_array().unwrap().iter().map(|c| c["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["failed"], "{detail}");
}

#[test]
fn emails_resolve_exactly_and_unknown_ones_become_invites_only_when_asked() {
    let s = sim();
    let near = json!({"teams": [{"name": "qa", "members": ["ada.lovelace@example.co", "kenlovelac"]}]});
    let (kind, message, detail) = fails(&s, "plan-org", &json!({ "document": near }));
    assert_eq!(kind, "not-found");
    assert!(message.contains("ada.lovelace@example.co (document.teams[0].members[0])"), "{message}");
    assert!(message.contains("kenlovelac (document.teams[0].members[1])"), "{message}");
    assert_eq!(detail["unknown"].as_array().unwrap().len(), 2);

    // The exact email, in any case, is the member.
    let exact = json!({"teams": [{"name": "qa", "members": ["ADA.Lovelace@Example.com"]}]});
    assert_eq!(lines(&ok(&s, "plan-org", &json!({ "document": exact }))), ["team_memberships add adalovelace @qa"]);

    // An unknown email is an invite to the team only with invite_unknown.
    let mut unknown = json!({"teams": [{"name": "qa", "members": ["newcomer@example.com"]}]});
    let (kind, _, _) = fails(&s, "plan-org", &json!({ "document": unknown }));
    assert_eq!(kind, "not-found");
    unknown["invite_unknown"] = json!(true);
    let plan = ok(&s, "plan-org", &json!({ "document": unknown }));
    assert_eq!(lines(&plan), ["invites add newcomer@example.com"]);
    assert_eq!(
        plan["plan"][0]["body"],
        json!({"org": "example-org", "team": "qa", "invitees": ["newcomer@example.com"]})
    );
    ok(&s, "apply-org", &json!({ "document": unknown, "dry_run": false }));
    assert_eq!(ok(&s, "plan-org", &json!({ "document": unknown }))["changes"], json!([]), "the invite is pending now");

    // Docker answers a bulk invitation 202 whatever became of the invitee: its answer is read.
    let refused = json!({"invites": [{"invitee": "ab"}]});
    let out = ok(&s, "apply-org", &json!({ "document": refused, "dry_run": false }));
    assert!(
        out["message"].as_str().unwrap().contains("did not invite \"ab\": it answered invalid_email_or_docker_id"),
        "{}",
        out["message"]
    );
    assert_eq!(out["changes"][0]["outcome"], "failed", "{}", out["changes"]);
}

#[test]
fn an_email_docker_hub_does_not_show_is_unknown_with_the_reason() {
    let s = Sim::start(SimulatorConfig {
        quirks: Quirks { hide_emails: true, ..Quirks::default() },
        ..SimulatorConfig::default()
    });
    let document = json!({"teams": [{"name": "qa", "members": ["ada.lovelace@example.com"]}]});
    let (kind, message, _) = fails(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(kind, "not-found");
    assert!(message.contains("showed none of the members' emails") && message.contains("by Docker ID"), "{message}");
    // The export needs no email: it names everyone by Docker ID, and plans nothing.
    let exported = export(&s);
    assert_eq!(ok(&s, "plan-org", &json!({ "document": exported }))["changes"], json!([]));
}

#[test]
fn the_last_owner_and_the_owners_team_are_safe() {
    let s = sim();
    let owners = ["adalovelace", "alanlovelace", "gracelovelace"];
    let demoted: Vec<Value> = owners.iter().map(|o| json!({"username": o, "role": "editor"})).collect();
    let before = s.sent();
    let (kind, message, _) = fails(&s, "apply-org", &json!({ "document": {"members": demoted}, "dry_run": false }));
    assert_eq!(kind, "conflict");
    assert!(message.contains("without an owner"), "{message}");

    // prune.members with only non-owners listed would remove every owner.
    let document = json!({"members": [{"username": "kenlovelace"}], "prune": {"members": true}, "max_removals": 1000});
    let (kind, _, _) = fails(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(kind, "conflict");

    // The owners team is never emptied by hand: its members follow the owner role.
    let (kind, message, _) =
        fails(&s, "plan-org", &json!({ "document": {"teams": [{"name": "owners", "members": []}]} }));
    assert_eq!(kind, "invalid-input");
    assert!(message.contains("role: owner"), "{message}");
    assert_eq!(s.writes_since(before), Vec::<String>::new());

    // Making someone owner plans the role change, and the owners team listing them agrees.
    let mut document = export(&s);
    team(&mut document, "owners")["members"].as_array_mut().unwrap().push(json!("kenlovelace"));
    let ken = document["members"].as_array_mut().unwrap().iter_mut().find(|m| m["username"] == "kenlovelace");
    ken.unwrap()["role"] = json!("owner");
    let radia = document["members"].as_array_mut().unwrap().iter_mut().find(|m| m["username"] == "adalovelace");
    radia.unwrap()["role"] = json!("editor");
    let owners_team = team(&mut document, "owners");
    owners_team["members"].as_array_mut().unwrap().retain(|m| m != "adalovelace");
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(lines(&plan), ["members change adalovelace", "members change kenlovelace"]);
    let order: Vec<&str> = plan["plan"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        ["/v2/orgs/example-org/members/kenlovelace", "/v2/orgs/example-org/members/adalovelace"],
        "the new owner first, then the demotion"
    );
    ok(&s, "apply-org", &json!({ "document": document, "dry_run": false }));
    assert_eq!(ok(&s, "plan-org", &json!({ "document": document }))["changes"], json!([]));

    // prune.teams never deletes the owners team.
    let document = json!({"teams": [], "prune": {"teams": true}, "max_removals": 100});
    let plan = ok(&s, "plan-org", &json!({ "document": document }));
    assert_eq!(plan["summary"]["teams"]["remove"], 7, "every team but owners");
    assert!(!lines(&plan).contains(&"teams remove owners".to_string()));
    assert!(plan["message"].as_str().unwrap().contains("owners team is never deleted"), "{}", plan["message"]);
}

#[test]
fn a_document_for_another_organization_or_with_a_bad_entry_is_refused_before_any_read() {
    let s = sim();
    let before = s.sent();
    for (document, needle) in [
        (json!({"organization": "other-org"}), "\"other-org\""),
        (json!({"prune": {"invites": true}}), "no \"invites\" list"),
        (json!({"teams": [{"name": "a/b"}]}), "document.teams[0].name"),
        (json!({"members": [{"username": "ken", "email": "ken@example.com"}]}), "exactly one"),
        (json!({"invites": [{"invitee": "two words"}]}), "document.invites[0].invitee"),
    ] {
        let (kind, message, _) = fails(&s, "plan-org", &json!({ "document": document }));
        assert_eq!(kind, "invalid-input", "{document}: {message}");
        assert!(message.contains(needle), "{document}: {message}");
    }
    let requests: Vec<String> = s.runtime.http().sent()[before..]
        .iter()
        .filter(|r| !r.url.ends_with("/v2/auth/token"))
        .map(|r| r.url.clone())
        .collect();
    assert_eq!(requests, Vec::<String>::new(), "refused before reading the organization");
}
