//! Invite actions through the real component against a mock Docker Hub: list-invites,
//! invite-members (bulk, dry run, validation, never repeated), cancel-invite and resend-invite.

mod common;

use common::mocks::*;
use common::writes::*;
use common::*;
use dockerhub_org_host::Runtime;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const BULK: &str = "/v2/invites/bulk";
const INVITE_ID: &str = "e36eca69-4cc8-4f17-9845-ae8c2b832691";

/// Requests sent with `method` to `path` on the hub (token exchanges excluded by the path).
fn sent_to(runtime: &Runtime, hub: &Hub, method: &str, path: &str) -> usize {
    let url = format!("{}{path}", hub.url());
    runtime.http().sent().iter().filter(|r| r.method == method && r.url == url).count()
}

// ---------------------------------------------------------------- list-invites

#[tokio::test]
async fn list_invites_maps_every_pending_invite() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("invites/list.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "list-invites", "{}", &hub.secrets());
    assert_eq!(out["invites"], fixture("invites/list.expected.json"));
    assert_eq!(out["count"], 24);
    assert_eq!(out["invites"][0]["inviter"], "jonsnow");
    assert_eq!(out["invites"][3]["team"], Value::Null, "an invite to no team");
    assert_eq!(out["meta"]["requests"], 2);
}

#[tokio::test]
async fn list_invites_passes_a_role_through_and_reads_null_data_as_none() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"id": INVITE_ID, "inviter_username": "moby", "invitee": "invitee@docker.com", "org": "acme",
             "team": "owners", "role": "Owner", "created_at": "2021-10-28T18:30:19.520861Z", "status": "pending"}
        ]})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "list-invites", "", &hub.secrets());
    assert_eq!(
        out["invites"],
        json!([{"id": INVITE_ID, "invitee": "invitee@docker.com", "inviter": "moby", "org": "acme", "team": "owners",
                "role": "owner", "created_at": "2021-10-28T18:30:19.520861Z"}])
    );
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": null})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&runtime, "list-invites", "{}", &hub.secrets());
    assert_eq!((out["count"].clone(), out["invites"].clone()), (json!(0), json!([])));
}

#[tokio::test]
async fn list_invites_by_a_token_without_invite_read_is_forbidden_naming_it() {
    let hub = hub().await;
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "forbidden"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) = err(&hub.runtime(), "list-invites", "{}", &hub.secrets());
    assert_eq!(kind, "forbidden");
    assert!(message.contains("\"Invite Read\" permission"), "{message}");
}

// ---------------------------------------------------------------- invite-members

#[tokio::test]
async fn invite_members_posts_the_bulk_body_and_reports_each_status() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path(BULK))
        .and(header("authorization", bearer()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "org": "acme", "team": "developers", "role": "member",
            "invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"]
        })))
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("invites/bulk-invited.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let input = r#"{"invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"], "team": "developers", "role": "member"}"#;
    let out = ok(&hub.runtime(), "invite-members", input, &hub.secrets());
    let answer = fixture("invites/bulk-invited.json");
    let created = &answer["invitees"]["invitees"][0]["invite"];
    assert_eq!(
        out["results"][0],
        json!({"invitee": "new.hire@example.com", "status": "invited", "invite": {
            "id": created["id"], "invitee": "new.hire@example.com", "inviter": "jonsnow", "org": "acme",
            "team": "developers", "created_at": created["created_at"]}})
    );
    assert_eq!(out["results"][1]["invite"]["invitee"], "moby");
    assert_eq!(out["results"][2], json!({"invitee": "jon.snow@example.com", "status": "existing_org_member"}));
    assert_eq!(out["results"][3], json!({"invitee": "ghost-user-404", "status": "invalid_email_or_docker_id"}));
    assert_eq!(
        out["summary"],
        json!({"total": 4, "by_status": {"invited": 2, "existing_org_member": 1, "invalid_email_or_docker_id": 1}})
    );
    assert_eq!(
        (out["dry_run"].clone(), out["team"].clone(), out["role"].clone()),
        (json!(false), json!("developers"), json!("member"))
    );
    assert_eq!(out["duplicates_removed"], json!([]));
    let body = json!({
        "org": "acme", "team": "developers", "role": "member",
        "invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"]
    });
    assert_one_step(&out, "POST", BULK, Some(body), 202);
    assert_eq!(out["message"], "2 of 4 invitees were invited.");
}

#[tokio::test]
async fn invite_members_trims_and_sends_each_invitee_once_ignoring_case() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path(BULK))
        .and(body_json(json!({
            "org": "acme", "team": "developers", "role": "member",
            "invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"]
        })))
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("invites/bulk-invited.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let input = json!({
        "invitees": [" new.hire@example.com", "moby ", "New.Hire@Example.COM", "jon.snow@example.com", "MOBY", "ghost-user-404"],
        "team": " developers ", "role": "member"
    });
    let out = ok(&hub.runtime(), "invite-members", &input.to_string(), &hub.secrets());
    assert_eq!(out["requested"], json!(["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"]));
    assert_eq!(out["duplicates_removed"], json!(["New.Hire@Example.COM", "MOBY"]));
    assert_eq!(out["summary"]["total"], 4);
}

#[tokio::test]
async fn invite_members_dry_run_sends_the_flag_and_creates_no_invite() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path(BULK))
        .and(body_json(json!({
            "org": "acme",
            "invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"],
            "dry_run": true
        })))
        .respond_with(ResponseTemplate::new(202).set_body_json(fixture("invites/bulk-dry-run.json")))
        .expect(1)
        .mount(&hub.server)
        .await;
    let input =
        r#"{"invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"], "dry_run": true}"#;
    let out = ok(&hub.runtime(), "invite-members", input, &hub.secrets());
    assert_dry_run(&out, "POST", BULK);
    assert_eq!(
        out["plan"][0]["body"],
        json!({"org": "acme", "invitees": ["new.hire@example.com", "moby", "jon.snow@example.com", "ghost-user-404"]}),
        "the plan shows the real invitation, not Docker's validation-only request"
    );
    assert_eq!(out["message"], "Dry run: Docker Hub would invite 2 of 4 invitees.");
    assert_eq!((out["team"].clone(), out["role"].clone()), (Value::Null, Value::Null));
    assert!(out["results"].as_array().unwrap().iter().all(|r| r.get("invite").is_none()), "{}", out["results"]);
    assert_eq!(
        out["summary"]["by_status"],
        json!({"invited": 2, "existing_org_member": 1, "invalid_email_or_docker_id": 1})
    );
}

#[tokio::test]
async fn invite_members_is_sent_exactly_once_when_docker_answers_500() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path(BULK))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "internal error"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let (kind, message) = err(&runtime, "invite-members", r#"{"invitees": ["new.hire@example.com"]}"#, &hub.secrets());
    assert_eq!(kind, "upstream");
    assert!(message.contains("Docker Hub answered 500") && message.contains("internal error"), "{message}");
    assert_eq!(sent_to(&runtime, &hub, "POST", BULK), 1, "a POST is never repeated after a 5xx");
    assert!(runtime.http().sleeps().is_empty(), "no backoff either");
}

#[tokio::test]
async fn invite_members_conflict_from_docker_passes_through_as_conflict() {
    let hub = hub().await;
    Mock::given(method("POST"))
        .and(path(BULK))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"detail": "team not found in organization"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "invite-members", r#"{"invitees": ["moby"], "team": "ghosts"}"#, &hub.secrets());
    assert_eq!(kind, "conflict");
    assert!(
        message.contains("invitations to organization \"acme\"") && message.contains("team not found"),
        "{message}"
    );
}

#[test]
fn invalid_invite_inputs_are_refused_before_any_request() {
    let thousand_and_one: Vec<String> = (0..1001).map(|i| format!("user{i:04}@example.com")).collect();
    let too_many = json!({ "invitees": thousand_and_one }).to_string();
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("invite-members", "{}".into(), vec!["missing field `invitees`"]),
        ("invite-members", r#"{"invitees": []}"#.into(), vec!["at least one invitee"]),
        ("invite-members", r#"{"invitees": ["moby", "  "]}"#.into(), vec!["\"invitees[1]\"", "blank"]),
        (
            "invite-members",
            r#"{"invitees": ["a@example.com, b@example.com"]}"#.into(),
            vec!["\"invitees[0]\"", "own array item"],
        ),
        ("invite-members", r#"{"invitees": ["jon@example"]}"#.into(), vec!["\"invitees[0]\"", "email address needs"]),
        ("invite-members", r#"{"invitees": ["../admin"]}"#.into(), vec!["\"invitees[0]\"", "no \"/\""]),
        ("invite-members", r#"{"invitees": ["moby\u0000"]}"#.into(), vec!["\"invitees[0]\"", "control characters"]),
        (
            "invite-members",
            r#"{"invitees": ["moby"], "role": "admin"}"#.into(),
            vec!["field \"role\"", "`owner`, `editor`, `member`"],
        ),
        ("invite-members", r#"{"invitees": ["moby"], "team": " "}"#.into(), vec!["\"team\" is blank"]),
        (
            "invite-members",
            r#"{"invitees": ["moby"], "team": "dev\u0007"}"#.into(),
            vec!["\"team\" must not contain control characters"],
        ),
        (
            "invite-members",
            r#"{"invitees": ["moby"], "dry_run": "yes"}"#.into(),
            vec!["field \"dry_run\"", "expected a boolean"],
        ),
        (
            "invite-members",
            r#"{"invitees": ["moby"], "org": "other"}"#.into(),
            vec!["unknown field `org`", "`invitees`"],
        ),
        ("invite-members", r#"{"invitees": "moby"}"#.into(), vec!["field \"invitees\"", "expected a list"]),
        ("invite-members", too_many, vec!["1001 different invitees", "at most 1000"]),
        ("cancel-invite", r#"{"id": " "}"#.into(), vec!["cancel-invite needs \"id\""]),
        ("cancel-invite", "{}".into(), vec!["cancel-invite needs \"id\", \"email\" or \"username\""]),
        ("resend-invite", r#"{"id": ""}"#.into(), vec!["resend-invite needs \"id\""]),
        ("resend-invite", r#"{"invite_id": "x"}"#.into(), vec!["unknown field `invite_id`", "`id`"]),
        // `%2E%2E` is still a parent step to WHATWG URL parsers and to servers that decode first.
        ("cancel-invite", r#"{"id": ".."}"#.into(), vec!["\"id\" must not be \".\" or \"..\""]),
        ("resend-invite", r#"{"id": "../../orgs/acme"}"#.into(), vec!["\"id\" must not contain \"/\""]),
        ("list-invites", r#"{"page": 1}"#.into(), vec!["unknown field `page`"]),
    ];
    for (action, input, needles) in &cases {
        assert_refused_all(action, input, needles);
    }
}

// ---------------------------------------------------------------- cancel-invite, resend-invite

/// An invite id from `fixtures/invites/list.json` (the first pending invite).
const LISTED_ID: &str = "4398ea88-9c78-5167-a1cf-8ae4120ad59b";

/// Mounts the pending-invite listing (a dry run reads it), expected `times` times.
async fn mount_invite_list(hub: &Hub, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/invites"))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("invites/list.json")))
        .expect(times)
        .mount(&hub.server)
        .await;
}

#[tokio::test]
async fn cancel_invite_deletes_it_by_id() {
    let hub = hub().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v2/invites/{INVITE_ID}")))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "cancel-invite", &json!({"id": format!(" {INVITE_ID} ")}).to_string(), &hub.secrets());
    let why = format!("cancel the pending invite {INVITE_ID}");
    let path = format!("/v2/invites/{INVITE_ID}");
    assert_eq!(
        without_meta(out),
        json!({
            "organization": "acme", "id": INVITE_ID, "changed": true, "dry_run": false,
            "message": format!("The invite {INVITE_ID} was cancelled."),
            "plan": [{"step": 1, "method": "DELETE", "path": path, "why": why}],
            "completed": [{"step": 1, "method": "DELETE", "path": path, "why": why, "status": 204}]
        })
    );
}

#[tokio::test]
async fn cancel_invite_of_an_unknown_id_is_not_found() {
    let hub = hub().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/invites/00000000-0000-0000-0000-000000000000"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "invite not found"})))
        .expect(1)
        .mount(&hub.server)
        .await;
    let (kind, message) =
        err(&hub.runtime(), "cancel-invite", r#"{"id": "00000000-0000-0000-0000-000000000000"}"#, &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains("missing_ok: true"), "{message}");
}

#[tokio::test]
async fn a_second_identical_cancel_invite_with_missing_ok_answered_404_is_changed_false() {
    let hub = hub().await;
    mount_delete_once(&hub, &format!("/v2/invites/{INVITE_ID}"), "invite not found").await;
    let runtime = hub.runtime();
    let input = json!({"id": INVITE_ID, "missing_ok": true}).to_string();
    let first = ok(&runtime, "cancel-invite", &input, &hub.secrets());
    assert_one_step(&first, "DELETE", &format!("/v2/invites/{INVITE_ID}"), None, 204);
    let second = ok(&runtime, "cancel-invite", &input, &hub.secrets());
    assert_eq!((&second["changed"], &second["found"]), (&json!(false), &json!(false)), "{second}");
    assert_eq!(second["completed"][0]["outcome"], "already-done", "{second}");
}

#[tokio::test]
async fn cancel_invite_dry_run_reads_the_invite_and_sends_no_delete() {
    let hub = hub().await;
    mount_invite_list(&hub, 1).await;
    let out =
        ok(&hub.runtime(), "cancel-invite", &json!({"id": LISTED_ID, "dry_run": true}).to_string(), &hub.secrets());
    assert_dry_run(&out, "DELETE", &format!("/v2/invites/{LISTED_ID}"));
    assert_eq!(out["invite"]["id"], LISTED_ID);
    assert_eq!(out["invite"], fixture("invites/list.expected.json")[0]);
}

#[tokio::test]
async fn cancel_invite_dry_run_of_an_unknown_id_is_not_found() {
    let hub = hub().await;
    mount_invite_list(&hub, 1).await;
    let id = "00000000-0000-0000-0000-000000000000";
    let (kind, message) =
        err(&hub.runtime(), "cancel-invite", &json!({"id": id, "dry_run": true}).to_string(), &hub.secrets());
    assert_eq!(kind, "not-found", "{message}");
    assert!(message.contains(&format!("No pending invite of organization \"acme\" has id {id}")), "{message}");
}

#[tokio::test]
async fn invite_ids_that_are_not_uuids_are_refused_before_anything_is_sent() {
    let ids = [
        "a..?b%c d",
        "x y#z",
        "not-an-invite",
        "e36eca69-4cc8-4f17-9845-ae8c2b83269",
        "e36eca69_4cc8_4f17_9845_ae8c2b832691",
    ];
    for id in ids {
        for action in ["cancel-invite", "resend-invite"] {
            // assert_refused runs the action against a hub that must receive nothing.
            assert_refused(
                action,
                &json!({"id": id}).to_string(),
                "must be an invite id as list-invites shows it, a UUID",
            );
        }
    }
}

#[tokio::test]
async fn resend_invite_patches_it_by_id() {
    let hub = hub().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/v2/invites/{INVITE_ID}/resend")))
        .and(header("authorization", bearer()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&hub.server)
        .await;
    let out = ok(&hub.runtime(), "resend-invite", &json!({"id": INVITE_ID}).to_string(), &hub.secrets());
    assert_eq!(out["id"], INVITE_ID);
    assert_one_step(&out, "PATCH", &format!("/v2/invites/{INVITE_ID}/resend"), None, 204);
    assert_eq!(out["message"], format!("The invite {INVITE_ID} was sent again."));
}

#[tokio::test]
async fn resend_invite_dry_run_reads_the_invite_and_sends_no_patch() {
    let hub = hub().await;
    mount_invite_list(&hub, 2).await;
    let runtime = hub.runtime();
    let out = ok(&runtime, "resend-invite", &json!({"id": LISTED_ID, "dry_run": true}).to_string(), &hub.secrets());
    assert_dry_run(&out, "PATCH", &format!("/v2/invites/{LISTED_ID}/resend"));
    let id = "00000000-0000-0000-0000-000000000000";
    let (kind, message) =
        err(&runtime, "resend-invite", &json!({"id": id, "dry_run": true}).to_string(), &hub.secrets());
    assert_eq!(kind, "not-found");
    assert!(message.contains(&format!("No pending invite of organization \"acme\" has id {id}")), "{message}");
}

#[tokio::test]
async fn resend_invite_is_sent_exactly_once_when_docker_answers_503() {
    let hub = hub().await;
    let resend = format!("/v2/invites/{INVITE_ID}/resend");
    Mock::given(method("PATCH"))
        .and(path(resend.as_str()))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&hub.server)
        .await;
    let runtime = hub.runtime();
    let (kind, message) = err(&runtime, "resend-invite", &json!({"id": INVITE_ID}).to_string(), &hub.secrets());
    assert_eq!(kind, "upstream");
    assert!(message.contains("503"), "{message}");
    assert_eq!(sent_to(&runtime, &hub, "PATCH", &resend), 1, "a resend is never repeated: it would send two emails");
}
