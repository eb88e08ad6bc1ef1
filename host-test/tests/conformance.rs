//! Conformance with Docker's published OpenAPI: the checker itself (it passes good requests and
//! fails bad ones, and each allowed deviation is needed), every response fixture against the
//! schema of the operation it stands for, and the generated coverage report `docs/api-coverage.md`.

mod common;

use common::openapi::{DEVIATIONS, OperationId, Spec, spec};
use dockerhub_org_host::http::SentRequest;
use serde_json::{Value, json};

/// `GET`/`PUT`/… `template`.
fn op(method: &str, template: &str) -> OperationId {
    OperationId { method: method.into(), template: template.into() }
}

/// A request as the host would record it, with a bearer and JSON headers.
fn request(method: &str, path_and_query: &str, body: Option<Value>) -> SentRequest {
    let mut headers = vec![
        ("authorization".to_string(), "Bearer x.y.z".to_string()),
        ("accept".to_string(), "application/json".to_string()),
    ];
    if body.is_some() {
        headers.push(("content-type".to_string(), "application/json".to_string()));
    }
    SentRequest {
        method: method.into(),
        url: format!("http://127.0.0.1:9{path_and_query}"),
        headers,
        body: body.map(|b| serde_json::to_vec(&b).unwrap()),
    }
}

#[test]
fn the_spec_loads_and_documents_thirty_paths() {
    let ops = spec().operations();
    assert!(ops.contains(&op("PUT", "/v2/orgs/{org_name}/members/{username}")), "{ops:?}");
    assert_eq!(DEVIATIONS.len(), 9);
    let _ = Spec::load(false);
}

// ---- The checker passes conformant requests and names what is wrong with the others. ----

/// The problems the checker reports for a request (empty when it conforms).
fn problems(spec: &Spec, request: &SentRequest) -> Vec<String> {
    spec.check_request(request).err().unwrap_or_default()
}

#[test]
fn a_conformant_role_update_is_recognised_as_its_operation() {
    let r = request("PUT", "/v2/orgs/acme/members/jon%20snow", Some(json!({"role": "editor"})));
    assert_eq!(spec().check_request(&r), Ok(op("PUT", "/v2/orgs/{org_name}/members/{username}")));
}

#[test]
fn the_export_template_wins_over_the_member_template() {
    let mut r = request("GET", "/v2/orgs/acme/members/export", None);
    r.headers.retain(|(n, _)| n != "accept");
    r.headers.push(("accept".into(), "text/csv".into()));
    assert_eq!(spec().check_request(&r), Ok(op("GET", "/v2/orgs/{org_name}/members/export")));
}

#[test]
fn an_undeclared_query_parameter_is_a_violation() {
    let p = problems(spec(), &request("GET", "/v2/orgs/acme/members?page=1&sort=name", None));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with(
            "query parameter `sort` is not declared (declared: search, page, page_size, invites, type, role)"
        ),
        "{p:?}"
    );
}

#[test]
fn query_values_must_fit_their_declared_schema() {
    let p = problems(
        spec(),
        &request("GET", "/v2/orgs/acme/members?type=guests&page=two&invites=yes&page_size=5&page_size=6", None),
    );
    let text = p.join("\n");
    assert!(text.contains("query parameter `type`=\"guests\""), "{text}");
    assert!(text.contains("query parameter `page`=\"two\""), "{text}");
    assert!(text.contains("query parameter `invites`=\"yes\""), "{text}");
    assert!(text.contains("query parameter `page_size` is repeated"), "{text}");
    assert_eq!(p.len(), 4, "{text}");
}

#[test]
fn a_body_without_a_required_field_or_with_an_undeclared_one_is_a_violation() {
    // Docker's field is `member`; `username` would be silently ignored.
    let p = problems(spec(), &request("POST", "/v2/orgs/acme/groups/devs/members", Some(json!({"username": "jon"}))));
    let text = p.join("\n");
    assert!(text.contains("request body: \"member\" is a required property"), "{text}");
    assert!(text.contains("request body: Additional properties are not allowed ('username' was unexpected)"), "{text}");
    let p = problems(
        spec(),
        &request("PUT", "/v2/orgs/acme/settings", Some(json!({"restricted_images": {"enabled": true}}))),
    );
    assert!(p.iter().any(|e| e.contains("\"allow_official_images\" is a required property")), "{p:?}");
    let p = problems(spec(), &request("POST", "/v2/invites/bulk", Some(json!({"org": "acme", "invitees": "a@b.c"}))));
    assert!(p.iter().any(|e| e.contains("is not of type \"array\"")), "{p:?}");
}

#[test]
fn a_body_where_none_is_declared_or_none_where_one_is_required_is_a_violation() {
    let p = problems(spec(), &request("PATCH", "/v2/invites/abc/resend", Some(json!({}))));
    assert_eq!(p, ["a body was sent but the operation declares no request body"]);
    let p = problems(spec(), &request("PUT", "/v2/orgs/acme/members/jon", None));
    assert_eq!(p, ["the operation requires a request body but none was sent"]);
    let mut r = request("PUT", "/v2/orgs/acme/members/jon", Some(json!({"role": "owner"})));
    r.headers.retain(|(n, _)| n != "content-type");
    r.headers.push(("content-type".into(), "text/plain".into()));
    assert!(problems(spec(), &r)[0].starts_with("Content-Type Some(\"text/plain\") is not one the operation declares"));
}

#[test]
fn undocumented_paths_methods_and_trailing_slashes_are_violations() {
    assert_eq!(
        problems(spec(), &request("GET", "/v2/orgs/acme/teams", None)),
        ["no documented path matches `/v2/orgs/acme/teams`"]
    );
    assert_eq!(
        problems(spec(), &request("POST", "/v2/orgs/acme/members", None)),
        ["POST is not documented for /v2/orgs/{org_name}/members (documented: GET)"]
    );
    assert_eq!(
        problems(spec(), &request("GET", "/v2/orgs/acme/groups/", None)),
        ["the path ends in `/` or has an empty segment; Docker answers 404 to it"]
    );
}

#[test]
fn the_bearer_goes_exactly_where_the_spec_asks_for_it() {
    let mut exchange = request("POST", "/v2/auth/token", Some(json!({"identifier": "acme", "secret": "s"})));
    assert_eq!(
        problems(spec(), &exchange),
        ["the operation takes no credentials but an Authorization header was sent"]
    );
    exchange.headers.retain(|(n, _)| n != "authorization");
    assert_eq!(spec().check_request(&exchange), Ok(op("POST", "/v2/auth/token")));
    let mut list = request("GET", "/v2/orgs/acme/invites", None);
    list.headers.retain(|(n, _)| n != "authorization");
    assert_eq!(problems(spec(), &list), ["the operation requires `bearerAuth` but no Authorization header was sent"]);
}

#[test]
fn the_export_must_accept_the_csv_it_answers() {
    let p = problems(spec(), &request("GET", "/v2/orgs/acme/members/export", None));
    assert_eq!(p, ["Accept `application/json` names no media type the operation answers with (text/csv)"]);
}

#[test]
fn assert_conformant_fails_naming_the_request_and_skips_other_hosts() {
    let bad = request("GET", "/v2/orgs/acme/members?sort=name", None);
    let failure = std::panic::catch_unwind(|| common::openapi::assert_conformant("list-members", &[bad])).unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert!(message.starts_with("`list-members` sent requests that do not conform to Docker's OpenAPI:"), "{message}");
    assert!(message.contains("GET http://127.0.0.1:9/v2/orgs/acme/members?sort=name"), "{message}");
    assert!(message.contains("query parameter `sort` is not declared"), "{message}");
    let mut elsewhere = request("GET", "/v2/orgs/acme/members?sort=name", None);
    elsewhere.url = "https://hub.docker.com/v2/orgs/acme/members?sort=name".into();
    common::openapi::assert_conformant("list-members", &[elsewhere]);
}

// ---- Each allowed deviation is needed: the letter of the spec fails where Docker is right. ----

#[test]
fn search_terms_are_text_although_the_spec_types_them_integer() {
    let r = request("GET", "/v2/orgs/acme/members?search=jon%40example.com", None);
    assert_eq!(spec().check_request(&r), Ok(op("GET", "/v2/orgs/{org_name}/members")));
    let letter = problems(&Spec::load(false), &r);
    assert!(letter.iter().any(|e| e.contains("is not of type \"integer\"")), "{letter:?}");
}

#[test]
fn the_members_listing_answers_one_page_object_not_an_array() {
    let list = op("GET", "/v2/orgs/{org_name}/members");
    let page = common::fixture("members/page-small.json");
    assert_eq!(spec().validate_response(&list, 200, "application/json", &page), Vec::<String>::new());
    let letter = Spec::load(false).validate_response(&list, 200, "application/json", &page);
    assert!(letter.iter().any(|e| e.contains("is not of type \"array\"")), "{letter:?}");
}

#[test]
fn members_come_back_as_editors_although_the_role_enum_lacks_editor() {
    let list = op("GET", "/v2/orgs/{org_name}/members");
    let page = json!({"count": 1, "next": null, "previous": null, "results": [{"username": "arya", "role": "Editor"}]});
    assert_eq!(spec().validate_response(&list, 200, "application/json", &page), Vec::<String>::new());
    let letter = Spec::load(false).validate_response(&list, 200, "application/json", &json!([page]));
    assert!(letter.iter().any(|e| e.contains("\"Editor\" is not one of")), "{letter:?}");
}

#[test]
fn custom_role_names_are_taken_and_answered_although_the_enums_list_core_roles_only() {
    let put = request("PUT", "/v2/orgs/acme/members/arya", Some(json!({"role": "release-manager"})));
    assert_eq!(problems(spec(), &put), Vec::<String>::new());
    assert!(!problems(&Spec::load(false), &put).is_empty(), "the letter of the spec refuses a custom role");
    let filter = request("GET", "/v2/orgs/acme/members?role=release-manager", None);
    assert_eq!(problems(spec(), &filter), Vec::<String>::new());
    assert!(!problems(&Spec::load(false), &filter).is_empty());
    let team = request("PATCH", "/v2/orgs/acme/groups/qa", Some(json!({"role": "editor"})));
    assert_eq!(problems(spec(), &team), Vec::<String>::new());
    assert!(!problems(&Spec::load(false), &team).is_empty(), "the letter of the spec has no team role");
    let list = op("GET", "/v2/orgs/{org_name}/members");
    let page = json!({"count": 1, "next": null, "previous": null, "results": [{"username": "arya", "role": "release-manager"}]});
    assert_eq!(spec().validate_response(&list, 200, "application/json", &page), Vec::<String>::new());
    let group = op("PATCH", "/v2/orgs/{org_name}/groups/{group_name}");
    let answered = json!({"id": 1, "name": "qa", "role": "release-manager"});
    assert_eq!(spec().validate_response(&group, 200, "application/json", &answered), Vec::<String>::new());
}

#[test]
fn registry_access_management_is_served_although_the_document_lacks_it() {
    let get = request("GET", "/v2/orgs/acme/settings/registry-access-management", None);
    assert_eq!(problems(spec(), &get), Vec::<String>::new());
    let letter = problems(&Spec::load(false), &get);
    assert!(letter.iter().any(|p| p.contains("no documented path matches")), "{letter:?}");
    let body = json!({"enabled": true, "standard_registries": [{"id": "DockerHub", "allowed": true}],
                      "custom_registries": [{"address": "r.example.com", "friendly_name": "R", "allowed": true}]});
    let put = request("PUT", "/v2/orgs/acme/settings/registry-access-management", Some(body));
    assert_eq!(problems(spec(), &put), Vec::<String>::new());
    let bad =
        request("PUT", "/v2/orgs/acme/settings/registry-access-management", Some(json!({"standard_registries": []})));
    assert!(!problems(spec(), &bad).is_empty(), "enabled is required");
}

#[test]
fn page_links_are_null_at_the_ends_although_typed_string() {
    let list = op("GET", "/v2/orgs/{org_name}/groups");
    let first = common::fixture("groups/teams-page-1.json");
    assert_eq!(spec().validate_response(&list, 200, "application/json", &first), Vec::<String>::new());
    let letter = Spec::load(false).validate_response(&list, 200, "application/json", &first);
    assert!(
        letter.iter().any(|e| e.contains("null is not of type \"string\"") && e.contains("/previous")),
        "{letter:?}"
    );
}

#[test]
fn the_export_requires_the_permission_column_it_declares_not_role() {
    let export = op("GET", "/v2/orgs/{org_name}/members/export");
    assert_eq!(spec().response_schema(&export, 200, "text/csv")["items"]["required"][4], "Permission");
    assert_eq!(Spec::load(false).response_schema(&export, 200, "text/csv")["items"]["required"][4], "Role");
}

#[test]
fn property_required_flags_are_lifted_into_the_parents_required_list() {
    let create = op("POST", "/v2/orgs/{name}/access-tokens");
    let errors = spec().validate_request_body(&create, &json!({"description": "ci"}));
    assert!(errors.iter().any(|e| e.contains("\"label\" is a required property")), "{errors:?}");
}

// ---- Every fixture is classified; every Docker response fixture fits its operation's schema. ----

/// What a file in `fixtures/` is.
enum Fixture {
    /// A Docker Hub response body of these operations, with this status.
    Response(&'static [(&'static str, &'static str)], u16),
    /// A Docker Hub request body of this operation.
    RequestBody(&'static str, &'static str),
    /// The CSV the members export answers (checked row by row against the export's item schema).
    ExportCsv,
    /// Not a Docker message: what an action is expected to output.
    ExpectedOutput,
    /// Not a Docker message: the simulator's seed organization.
    SimulatorSeed,
    /// Not a Docker message: the script that generated the fixtures beside it.
    Generator,
    /// Docker's OpenAPI document itself (the oracle this file checks against).
    Spec,
}

const MEMBERS: &[(&str, &str)] = &[("GET", "/v2/orgs/{org_name}/members")];
const GROUPS: &[(&str, &str)] = &[("GET", "/v2/orgs/{org_name}/groups")];
const AUDIT_LOGS: &[(&str, &str)] = &[("GET", "/v2/auditlogs/{account}")];

/// Every file under `fixtures/`, by path relative to it. A new file must be added here.
fn fixture_table() -> Vec<(&'static str, Fixture)> {
    use Fixture::*;
    vec![
        ("auditlogs/actions.json", Response(&[("GET", "/v2/auditlogs/{account}/actions")], 200)),
        ("auditlogs/empty.json", Response(AUDIT_LOGS, 200)),
        ("auditlogs/page-1.json", Response(AUDIT_LOGS, 200)),
        ("auditlogs/page-2.json", Response(AUDIT_LOGS, 200)),
        ("auditlogs/page-3.json", Response(AUDIT_LOGS, 200)),
        ("auditlogs/actions.expected.json", ExpectedOutput),
        ("auditlogs/events-60.expected.json", ExpectedOutput),
        ("auditlogs/generate.py", Generator),
        ("groups/team.json", Response(&[("GET", "/v2/orgs/{org_name}/groups/{group_name}")], 200)),
        ("groups/team-created.json", Response(&[("POST", "/v2/orgs/{org_name}/groups")], 201)),
        (
            "groups/team-updated.json",
            Response(
                &[
                    ("PATCH", "/v2/orgs/{org_name}/groups/{group_name}"),
                    ("PUT", "/v2/orgs/{org_name}/groups/{group_name}"),
                ],
                200,
            ),
        ),
        // docker/docs PR 25996: the team PATCH answers the role just set (custom-role-names).
        ("groups/team-role-assigned.json", Response(&[("PATCH", "/v2/orgs/{org_name}/groups/{group_name}")], 200)),
        ("groups/team-members-page.json", Response(&[("GET", "/v2/orgs/{org_name}/groups/{group_name}/members")], 200)),
        ("groups/teams-page-1.json", Response(GROUPS, 200)),
        ("groups/teams-page-2.json", Response(GROUPS, 200)),
        ("groups/teams-page-3.json", Response(GROUPS, 200)),
        ("groups/teams-small.json", Response(GROUPS, 200)),
        ("groups/team-members.expected.json", ExpectedOutput),
        ("groups/teams-small.expected.json", ExpectedOutput),
        ("groups/generate.py", Generator),
        ("invites/bulk-dry-run.json", Response(&[("POST", "/v2/invites/bulk")], 202)),
        ("invites/bulk-invited.json", Response(&[("POST", "/v2/invites/bulk")], 202)),
        ("invites/list.json", Response(&[("GET", "/v2/orgs/{org_name}/invites")], 200)),
        ("invites/list.expected.json", ExpectedOutput),
        ("invites/generate.py", Generator),
        ("members/org-250-page-1.json", Response(MEMBERS, 200)),
        ("members/org-250-page-2.json", Response(MEMBERS, 200)),
        ("members/org-250-page-3.json", Response(MEMBERS, 200)),
        ("members/page-small.json", Response(MEMBERS, 200)),
        ("members/export.csv", ExportCsv),
        ("members/export.expected.json", ExpectedOutput),
        ("members/list-small.expected.json", ExpectedOutput),
        ("members/org-250.expected.json", ExpectedOutput),
        ("members/generate.py", Generator),
        ("settings/settings.json", Response(&[("GET", "/v2/orgs/{name}/settings")], 200)),
        ("settings/settings-updated.json", Response(&[("PUT", "/v2/orgs/{name}/settings")], 200)),
        ("settings/update-request.json", RequestBody("PUT", "/v2/orgs/{name}/settings")),
        // Registry Access Management: the shape of docker/terraform-provider-docker's client (the
        // operations come from the registry-access-management deviation).
        (
            "settings/registry-access.json",
            Response(
                &[
                    ("GET", "/v2/orgs/{org_name}/settings/registry-access-management"),
                    ("PUT", "/v2/orgs/{org_name}/settings/registry-access-management"),
                ],
                200,
            ),
        ),
        (
            "settings/registry-access-request.json",
            RequestBody("PUT", "/v2/orgs/{org_name}/settings/registry-access-management"),
        ),
        ("simulator/org.json", SimulatorSeed),
        ("simulator/audit-actions.json", SimulatorSeed),
        ("openapi/dockerhub-api.yaml", Spec),
        ("simulator/generate.py", Generator),
    ]
}

/// Every file under `dir`, relative to `root`, sorted.
fn files_under(root: &std::path::Path, dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(root, &path));
        } else {
            out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
    out
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

#[test]
fn every_fixture_is_classified_and_none_is_listed_that_does_not_exist() {
    let root = fixtures_dir();
    let listed: Vec<&str> = fixture_table().iter().map(|(name, _)| *name).collect();
    let present = files_under(&root, &root);
    let unlisted: Vec<&String> = present.iter().filter(|f| !listed.contains(&f.as_str())).collect();
    assert!(unlisted.is_empty(), "classify these fixtures in conformance.rs's fixture_table: {unlisted:?}");
    let missing: Vec<&&str> = listed.iter().filter(|f| !present.iter().any(|p| p == *f)).collect();
    assert!(missing.is_empty(), "listed but not in fixtures/: {missing:?}");
}

#[test]
fn every_docker_response_fixture_fits_its_operations_response_schema() {
    let mut checked = 0;
    for (name, kind) in fixture_table() {
        match kind {
            Fixture::Response(operations, status) => {
                for (method, template) in operations {
                    let errors = spec().validate_response(
                        &op(method, template),
                        status,
                        "application/json",
                        &common::fixture(name),
                    );
                    assert!(errors.is_empty(), "{name} does not fit the {status} of {method} {template}: {errors:#?}");
                    checked += 1;
                }
            }
            Fixture::RequestBody(method, template) => {
                let errors = spec().validate_request_body(&op(method, template), &common::fixture(name));
                assert!(errors.is_empty(), "{name} is not a valid request body of {method} {template}: {errors:#?}");
                checked += 1;
            }
            _ => {}
        }
    }
    assert_eq!(
        checked, 28,
        "26 response checks (team-updated.json stands for PATCH and PUT, registry-access.json for GET and PUT) and 2 \
request bodies"
    );
}

#[test]
fn a_response_fixture_that_breaks_the_schema_is_caught() {
    let mut team = common::fixture("groups/team.json");
    team["member_count"] = json!("two");
    let errors =
        spec().validate_response(&op("GET", "/v2/orgs/{org_name}/groups/{group_name}"), 200, "application/json", &team);
    assert_eq!(errors, ["\"two\" is not of type \"number\" (at `/member_count`)"]);
}

/// Errors of the export CSV: its header must hold every required column and only declared ones,
/// and each row (as an object of its columns) must fit the export's item schema.
fn export_csv_errors(csv_text: &str) -> Vec<String> {
    let export = op("GET", "/v2/orgs/{org_name}/members/export");
    let schema = spec().response_schema(&export, 200, "text/csv");
    let items = &schema["items"];
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let mut errors = Vec::new();
    for required in items["required"].as_array().unwrap() {
        if !header.iter().any(|h| h == required.as_str().unwrap()) {
            errors.push(format!("required column {required} is missing"));
        }
    }
    for column in &header {
        if items["properties"].get(column).is_none() {
            errors.push(format!("column {column:?} is not declared"));
        }
    }
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(items).unwrap();
    for (i, record) in reader.records().enumerate() {
        let row: serde_json::Map<String, Value> =
            header.iter().cloned().zip(record.unwrap().iter().map(|v| json!(v))).collect();
        errors.extend(validator.iter_errors(&Value::Object(row)).map(|e| format!("row {}: {e}", i + 1)));
    }
    errors
}

#[test]
fn the_export_csv_fixture_has_the_documented_columns_and_values() {
    let text = std::fs::read_to_string(fixtures_dir().join("members/export.csv")).unwrap();
    assert_eq!(export_csv_errors(&text), Vec::<String>::new());
    let undeclared =
        "Name,Username,Email,Type,Permission,Date Joined,Seat\nJon,jonsnow,j@example.com,Robot,Owner,2020,1\n";
    assert_eq!(
        export_csv_errors(undeclared),
        ["column \"Seat\" is not declared", "row 1: \"Robot\" is not one of \"Invitee\" or \"User\""]
    );
    let incomplete = "Name,Username,Type,Permission,Date Joined\nJon,jonsnow,User,Editor,2020\n";
    assert_eq!(
        export_csv_errors(incomplete),
        ["required column \"Email\" is missing", "row 1: \"Email\" is a required property"]
    );
}

// ---- Coverage: which action sends which documented operation (docs/api-coverage.md). ----

/// Inputs beyond the manifest examples, to reach the operations an example does not: the PUT
/// team update (both fields change), the PATCH one (only the description differs from the
/// simulator's), and every listing with `all_pages`.
const EXTRA_RUNS: &[(&str, &str)] = &[
    (
        "update-team",
        r#"{"team": "developers", "new_name": "app-developers", "description": "Everyone who ships the app"}"#,
    ),
    ("update-team", r#"{"team": "developers", "description": "Everyone who ships the app"}"#),
    ("list-members", r#"{"all_pages": true}"#),
    ("list-teams", r#"{"all_pages": true}"#),
    ("list-team-members", r#"{"team": "developers", "all_pages": true}"#),
    ("list-audit-logs", r#"{"all_pages": true}"#),
    // The example is a dry run; this one sends the PUT.
    ("update-registry-access", r#"{"enabled": true}"#),
];

/// Why an operation of the document is not this plugin's business, or `None` when it is.
fn out_of_scope(template: &str) -> Option<&'static str> {
    if template.starts_with("/v2/scim/") {
        Some("SCIM provisioning (driven by the identity provider)")
    } else if template.starts_with("/v2/access-tokens") {
        Some("personal access tokens")
    } else if template.contains("/access-tokens") {
        Some("organization access tokens")
    } else if template.starts_with("/v2/namespaces/") {
        Some("repository tags")
    } else if template.starts_with("/v2/users/") {
        Some("interactive user login (the plugin signs in with an OAT through `POST /v2/auth/token`)")
    } else {
        None
    }
}

/// Runs every manifest example and the extra inputs, each on a fresh simulator; returns, per
/// operation, the actions that sent it. Every request is checked against the spec on the way.
fn operations_hit_by_actions() -> std::collections::BTreeMap<OperationId, std::collections::BTreeSet<String>> {
    use dockerhub_org_host::http::HttpConfig;
    use dockerhub_org_host::runtime::{error_kind, error_message};
    use dockerhub_org_host::secrets::Secrets;
    use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
    use dockerhub_org_host::{Runtime, RuntimeConfig};

    let manifest: Value =
        serde_json::from_str(&Runtime::embedded(RuntimeConfig::default()).unwrap().describe().unwrap()).unwrap();
    let mut runs: Vec<(String, String)> = manifest["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap().to_string(), a["example"].to_string()))
        .collect();
    runs.extend(EXTRA_RUNS.iter().map(|(a, i)| (a.to_string(), i.to_string())));
    let mut hits: std::collections::BTreeMap<OperationId, std::collections::BTreeSet<String>> = Default::default();
    for (action, input) in runs {
        let sim = Simulator::start(SimulatorConfig::default()).unwrap();
        let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(sim.url()).unwrap();
        let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).unwrap();
        let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url()));
        if let Err(e) = common::call(&runtime, &action, &input, &secrets) {
            panic!("{action} {input} failed on the simulator: {}: {}", error_kind(&e), error_message(&e));
        }
        for request in runtime.http().sent() {
            let id = spec().check_request(&request).expect("common::call checked it");
            hits.entry(id).or_default().insert(action.clone());
        }
    }
    hits
}

/// The coverage report as markdown.
fn render_coverage(hits: &std::collections::BTreeMap<OperationId, std::collections::BTreeSet<String>>) -> String {
    let mut covered = String::new();
    let mut skipped = String::new();
    let (mut in_scope, mut with_actions) = (0, 0);
    for id in spec().operations() {
        let summary = spec().summary(&id);
        match out_of_scope(&id.template) {
            Some(why) => skipped.push_str(&format!("| `{id}` | {summary} | out of scope: {why} |\n")),
            None => {
                in_scope += 1;
                let actions = hits.get(&id).map(|a| a.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
                if actions.is_some() {
                    with_actions += 1;
                }
                covered.push_str(&format!(
                    "| `{id}` | {summary} | {} |\n",
                    actions.unwrap_or_else(|| "**not covered**".into())
                ));
            }
        }
    }
    let deviations: String = DEVIATIONS
        .iter()
        .map(|d| format!("- **{}**: {}\n", d.id, d.reason.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect();
    format!(
        "# Docker Hub API coverage\n\n\
         Generated by `host-test/tests/conformance.rs` from Docker's published OpenAPI document \
         (`shared/reference/dockerhub-api.yaml`): every action's manifest example, plus a few extra \
         inputs (the PUT team update, `all_pages` listings), runs against the embedded simulator, \
         and each request it sends is matched to its documented operation and checked against the \
         spec. Do not edit by hand: `UPDATE_COVERAGE=1 cargo test -p dockerhub-org-host --test \
         conformance` rewrites it, and the test fails when it is out of date.\n\n\
         The same check runs on every request of every integration test (`host-test/tests/common/openapi.rs`).\n\n\
         ## Organization administration: {with_actions} of {in_scope} operations covered\n\n\
         | Operation | Docker's summary | Actions that send it |\n| --- | --- | --- |\n{covered}\n\
         ## Not this plugin's business\n\n\
         | Operation | Docker's summary | Why |\n| --- | --- | --- |\n{skipped}\n\
         ## Allowed deviations from the spec\n\n\
         The checker follows the document except where it is known to be wrong; each deviation is \
         applied at one place in the checker and a test shows it is needed.\n\n{deviations}"
    )
}

#[test]
fn every_organization_admin_operation_is_covered_and_the_report_is_up_to_date() {
    let hits = operations_hit_by_actions();
    let uncovered: Vec<String> = spec()
        .operations()
        .into_iter()
        .filter(|id| out_of_scope(&id.template).is_none() && !hits.contains_key(id))
        .map(|id| id.to_string())
        .collect();
    assert!(uncovered.is_empty(), "no action sends these organization-admin operations: {uncovered:?}");
    let strays: Vec<String> =
        hits.keys().filter(|id| out_of_scope(&id.template).is_some()).map(|id| id.to_string()).collect();
    assert!(strays.is_empty(), "actions send out-of-scope operations: {strays:?}");
    let rendered = render_coverage(&hits);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api-coverage.md");
    if std::env::var_os("UPDATE_COVERAGE").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered).unwrap();
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == rendered,
            "docs/api-coverage.md is out of date: run UPDATE_COVERAGE=1 cargo test -p dockerhub-org-host --test conformance"
        );
    }
}
