//! The simulator on its own, over plain HTTP: auth, shapes, paging, state changes, refusals, rate
//! limiting; and the demo tour against it.

use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use serde_json::{Value, json};

struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).proxy(None).build().into()
}

fn exchange(sim: &Simulator, secret: &str) -> (u16, Value) {
    let mut r = agent()
        .post(format!("{}/v2/auth/token", sim.url()))
        .header("Content-Type", "application/json")
        .send(json!({"identifier": DEFAULT_ORG, "secret": secret}).to_string())
        .unwrap();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), serde_json::from_str(&text).unwrap_or(Value::Null))
}

impl Client {
    fn new(sim: &Simulator) -> Self {
        let (status, body) = exchange(sim, DEFAULT_OAT);
        assert_eq!(status, 200);
        Client {
            agent: agent(),
            base: sim.url().to_string(),
            token: body["access_token"].as_str().unwrap().to_string(),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .body(body.map(|b| b.to_string()).unwrap_or_default())
            .unwrap();
        let mut response = self.agent.run(request).unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

fn start() -> Simulator {
    Simulator::start(SimulatorConfig::default()).unwrap()
}

#[test]
fn the_exchange_issues_a_jwt_with_a_ten_minute_lifetime_and_refuses_wrong_secrets() {
    let sim = start();
    let (status, body) = exchange(&sim, DEFAULT_OAT);
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().unwrap();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 600);
    assert_eq!(exchange(&sim, "dckr_oat_wrong").0, 401);
}

#[test]
fn personal_access_tokens_are_refused_on_org_endpoints_with_dockers_message() {
    let sim = start();
    let (_, body) = exchange(&sim, "dckr_pat_someone");
    let client =
        Client { agent: agent(), base: sim.url().into(), token: body["access_token"].as_str().unwrap().into() };
    let (status, body) = client.call("GET", "/v2/orgs/example-org/members", None);
    assert_eq!(status, 403);
    assert_eq!(body["detail"], "token issued from personal access token is not allowed");
}

#[test]
fn requests_without_a_valid_bearer_are_401() {
    let sim = start();
    let client = Client { agent: agent(), base: sim.url().into(), token: "nope".into() };
    assert_eq!(client.call("GET", "/v2/orgs/example-org/members", None).0, 401);
}

#[test]
fn members_page_with_count_and_links_and_cap_page_size_at_100() {
    let sim = start();
    let c = Client::new(&sim);
    let (status, page) = c.call("GET", "/v2/orgs/example-org/members?page=2&page_size=100", None);
    assert_eq!(status, 200);
    assert_eq!(page["count"], 320);
    assert_eq!(page["results"].as_array().unwrap().len(), 100);
    assert!(page["next"].as_str().unwrap().contains("page=3"));
    assert!(page["previous"].as_str().unwrap().contains("page=1"));
    let (_, big) = c.call("GET", "/v2/orgs/example-org/members?page_size=500", None);
    assert_eq!(big["results"].as_array().unwrap().len(), 100);
    let (_, last) = c.call("GET", "/v2/orgs/example-org/members?page=4&page_size=100", None);
    assert_eq!(last["next"], Value::Null);
    assert_eq!(c.call("GET", "/v2/orgs/example-org/members?page=5&page_size=100", None).0, 404);
}

#[test]
fn search_and_role_filters_narrow_the_listing() {
    let sim = start();
    let c = Client::new(&sim);
    let (_, owners) = c.call("GET", "/v2/orgs/example-org/members?role=owner", None);
    assert!(owners["results"].as_array().unwrap().iter().all(|m| m["role"] == "Owner"));
    let (_, found) = c.call("GET", "/v2/orgs/example-org/members?search=KEN.LOVELACE", None);
    assert_eq!(found["count"], 1);
}

#[test]
fn a_trailing_slash_is_404_like_docker_hub() {
    let sim = start();
    let c = Client::new(&sim);
    assert_eq!(c.call("GET", "/v2/orgs/example-org/members/", None).0, 404);
    assert_eq!(c.call("GET", "/v2/orgs/example-org/groups/", None).0, 404);
}

#[test]
fn team_changes_are_visible_to_later_calls_and_audited() {
    let sim = start();
    let c = Client::new(&sim);
    let (status, team) =
        c.call("POST", "/v2/orgs/example-org/groups", Some(json!({"name": "release", "description": "Release crew"})));
    assert_eq!(status, 201);
    assert!(team["id"].as_u64().is_some());
    assert_eq!(c.call("POST", "/v2/orgs/example-org/groups", Some(json!({"name": "release"}))).0, 409);
    let (_, list) = c.call("GET", "/v2/orgs/example-org/groups?search=release", None);
    assert_eq!(list["count"], 1);
    assert_eq!(
        c.call("POST", "/v2/orgs/example-org/groups/release/members", Some(json!({"member": "kenlovelace"}))).0,
        200
    );
    assert_eq!(
        c.call("POST", "/v2/orgs/example-org/groups/release/members", Some(json!({"member": "kenlovelace"}))).0,
        409
    );
    assert_eq!(
        c.call("POST", "/v2/orgs/example-org/groups/release/members", Some(json!({"member": "stranger"}))).0,
        404
    );
    let (_, members) = c.call("GET", "/v2/orgs/example-org/groups/release/members", None);
    assert_eq!(members["results"][0]["username"], "kenlovelace");
    let (_, logs) = c.call("GET", "/v2/auditlogs/example-org?action=org.team.member.add&page_size=5", None);
    assert_eq!(logs["logs"][0]["name"], "kenlovelace");
    assert_eq!(c.call("DELETE", "/v2/orgs/example-org/groups/release", None).0, 204);
    assert_eq!(c.call("GET", "/v2/orgs/example-org/groups/release", None).0, 404);
}

#[test]
fn the_last_owner_cannot_be_removed_or_demoted() {
    let sim = start();
    let c = Client::new(&sim);
    let (_, owners) = c.call("GET", "/v2/orgs/example-org/members?role=owner", None);
    let names: Vec<String> =
        owners["results"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap().to_string()).collect();
    for extra in &names[1..] {
        assert_eq!(
            c.call("PUT", &format!("/v2/orgs/example-org/members/{extra}"), Some(json!({"role": "member"}))).0,
            200
        );
    }
    let last = &names[0];
    assert_eq!(c.call("DELETE", &format!("/v2/orgs/example-org/members/{last}"), None).0, 403);
    assert_eq!(c.call("PUT", &format!("/v2/orgs/example-org/members/{last}"), Some(json!({"role": "editor"}))).0, 400);
    let (status, updated) =
        c.call("PUT", &format!("/v2/orgs/example-org/members/{}", names[1]), Some(json!({"role": "editor"})));
    assert_eq!((status, updated["role"].as_str()), (200, Some("Editor")));
}

#[test]
fn bulk_invites_report_per_invitee_statuses_and_dry_runs_change_nothing() {
    let sim = start();
    let c = Client::new(&sim);
    let body =
        json!({"org": "example-org", "invitees": ["fresh@example.com", "kenlovelace", "not an id"], "dry_run": true});
    let (status, dry) = c.call("POST", "/v2/invites/bulk", Some(body.clone()));
    assert_eq!(status, 202);
    let statuses: Vec<&str> =
        dry["invitees"]["invitees"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["invited", "existing_org_member", "invalid_email_or_docker_id"]);
    let (_, before) = c.call("GET", "/v2/orgs/example-org/invites", None);
    let mut real = body;
    real["dry_run"] = json!(false);
    let (_, done) = c.call("POST", "/v2/invites/bulk", Some(real));
    let id = done["invitees"]["invitees"][0]["invite"]["id"].as_str().unwrap().to_string();
    let (_, after) = c.call("GET", "/v2/orgs/example-org/invites", None);
    assert_eq!(after["data"].as_array().unwrap().len(), before["data"].as_array().unwrap().len() + 1);
    assert_eq!(c.call("PATCH", &format!("/v2/invites/{id}/resend"), None).0, 204);
    assert_eq!(c.call("DELETE", &format!("/v2/invites/{id}"), None).0, 204);
    assert_eq!(c.call("DELETE", &format!("/v2/invites/{id}"), None).0, 404);
}

#[test]
fn the_member_export_is_csv_with_dockers_columns() {
    let sim = start();
    let c = Client::new(&sim);
    let (status, body) = c.call("GET", "/v2/orgs/example-org/members/export", None);
    assert_eq!(status, 200);
    let text = body.as_str().unwrap();
    assert!(text.starts_with("Name,Username,Email,Type,Permission,Teams,Date Joined"), "{}", &text[..80]);
    assert!(text.lines().count() > 300);
}

#[test]
fn settings_round_trip_and_require_all_three_flags() {
    let sim = start();
    let c = Client::new(&sim);
    let wanted = json!({"restricted_images": {"enabled": true, "allow_official_images": false, "allow_verified_publishers": true}});
    assert_eq!(c.call("PUT", "/v2/orgs/example-org/settings", Some(wanted.clone())).0, 200);
    assert_eq!(c.call("GET", "/v2/orgs/example-org/settings", None).1, wanted);
    assert_eq!(
        c.call("PUT", "/v2/orgs/example-org/settings", Some(json!({"restricted_images": {"enabled": true}}))).0,
        400
    );
}

#[test]
fn rate_limiting_sends_headers_and_429_with_retry_after() {
    let sim =
        Simulator::start(SimulatorConfig { rate_limit_per_minute: Some(3), ..SimulatorConfig::default() }).unwrap();
    let c = Client::new(&sim); // 1 request
    let r = agent()
        .get(format!("{}/v2/orgs/example-org/groups", sim.url()))
        .header("Authorization", format!("Bearer {}", c.token))
        .call()
        .unwrap();
    assert_eq!(r.headers().get("x-ratelimit-remaining").unwrap(), "1");
    assert_eq!(c.call("GET", "/v2/orgs/example-org/groups", None).0, 200);
    let r = agent()
        .get(format!("{}/v2/orgs/example-org/groups", sim.url()))
        .header("Authorization", format!("Bearer {}", c.token))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("x-retry-after").is_some());
    assert!(r.headers().get("date").is_some());
}

#[test]
fn other_organizations_are_not_found() {
    let sim = start();
    let c = Client::new(&sim);
    assert_eq!(c.call("GET", "/v2/orgs/someone-else/members", None).0, 404);
}

#[test]
fn the_demo_tour_passes_against_the_simulator() {
    let mut out = Vec::new();
    let report = dockerhub_org_host::demo::run(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(report.passed, "{text}");
    assert!(report.steps.len() >= 20, "the tour covers the whole job");
    assert!(text.contains("Successfully authenticated against DockerHub organization \"example-org\""), "{text}");
}
