//! `/v2/orgs/{org_name}/members…`: listing, role changes, removal and the CSV export.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiRequest, Endpoint, FromResponse, NoContent, Page, Refusal, Scope, path};
use crate::error::{Error, Result};
use crate::host::{HttpResponse, Method};

/// A member's organization role, as an input (Docker takes it in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Organization owner.
    Owner,
    /// Editor (repository and team management).
    Editor,
    /// Member.
    Member,
}

impl Role {
    /// The value Docker takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Editor => "editor",
            Role::Member => "member",
        }
    }
}

/// A role as an input: a core role (`owner`, `editor`, `member`, taken in any case and sent in
/// lower case) or the **name** of one of the organization's custom roles, sent as given.
///
/// docker/docs pull request 25996 (merged 2026-09-01) documents that the member `PUT` and the
/// team `PATCH` take a custom role's name besides the core roles, and that an unknown name is an
/// error: the plugin does not keep a list of custom roles, so Docker's refusal (and its words)
/// reach the user. The name, not the label or UUID, is what the request carries (one of that pull
/// request's open questions; the plugin assumes the name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RoleName(String);

impl RoleName {
    /// A core role.
    pub fn core(role: Role) -> Self {
        RoleName(role.as_str().to_string())
    }

    /// Reads a role given in `field`: trimmed, a core role in lower case, anything else a custom
    /// role's name (not blank, no control characters, at most 100 characters).
    pub fn parse(field: &str, value: &str) -> Result<Self> {
        let value = value.trim();
        if value.is_empty() || value.chars().any(char::is_control) || value.chars().count() > 100 {
            return Err(Error::invalid_input(format!(
                "\"{field}\" must be owner, editor, member or the name of one of the organization's custom roles \
(not blank, no control characters, at most 100 characters)."
            )));
        }
        Ok(match value.to_ascii_lowercase().as_str() {
            core @ ("owner" | "editor" | "member") => RoleName(core.to_string()),
            _ => RoleName(value.to_string()),
        })
    }

    /// The value Docker takes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The core role, when it is one.
    pub fn core_role(&self) -> Option<Role> {
        match self.0.as_str() {
            "owner" => Some(Role::Owner),
            "editor" => Some(Role::Editor),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// Whether this is the owner role.
    pub fn is_owner(&self) -> bool {
        self.core_role() == Some(Role::Owner)
    }
}

impl<'de> Deserialize<'de> for RoleName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RoleName::parse("role", &text).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl schemars::JsonSchema for RoleName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RoleName".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let core = generator.subschema_for::<Role>();
        schemars::json_schema!({
            "description": "A core role (owner, editor, member) or the name of one of the organization's custom roles (Docker refuses a name it does not know).",
            "anyOf": [
                core,
                {
                    "type": "string",
                    "pattern": "\\S",
                    "maxLength": 100,
                    "not": { "pattern": crate::actions::schema::CONTROL },
                    "description": "A custom role's name, as Docker Home shows it: not blank, no control characters."
                }
            ]
        })
    }
}

/// Which rows the member listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MemberType {
    /// Members and invitees.
    All,
    /// Pending invitees only.
    Invitee,
    /// Members only.
    Member,
}

impl MemberType {
    /// The value Docker takes.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberType::All => "all",
            MemberType::Invitee => "invitee",
            MemberType::Member => "member",
        }
    }
}

/// Filters of the member listing, as Docker names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberQuery {
    /// `search`: username, full name or email (fuzzy).
    pub search: Option<String>,
    /// `role`: owner | editor | member, or a custom role's name.
    pub role: Option<RoleName>,
    /// `type`: all | invitee | member.
    pub member_type: Option<MemberType>,
    /// `invites`: include pending invitees.
    pub invites: Option<bool>,
}

/// `GET /v2/orgs/{org}/members` for one page.
pub fn list_members(org: &str, query: &MemberQuery, page: u32, page_size: u32) -> Endpoint<Page<OrgMember>> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "members"]),
        Scope::MemberRead,
        format!("members of organization \"{org}\""),
    )
    .query_opt("search", query.search.as_deref())
    .query_opt("role", query.role.as_ref().map(RoleName::as_str))
    .query_opt("type", query.member_type.map(MemberType::as_str))
    .query_opt("invites", query.invites)
    .query("page", page)
    .query("page_size", page_size)
    .into()
}

/// `PUT /v2/orgs/{org}/members/{username}` with `{"role": role}`: a core role in lower case, as
/// Docker takes it, or a custom role's name (docker/docs PR 25996).
pub fn update_member_role(org: &str, username: &str, role: &RoleName) -> Endpoint<OrgMember> {
    ApiRequest::new(
        Method::Put,
        path(&["v2", "orgs", org, "members", username]),
        Scope::MemberEdit,
        format!("member \"{username}\" of organization \"{org}\""),
    )
    .json(json!({ "role": role.as_str() }))
    .may_refuse(Refusal::LastOwner)
    .into()
}

/// `DELETE /v2/orgs/{org}/members/{username}`. Sent only for someone the member listing just
/// showed: a 404 means they were removed in between, so the end state holds.
pub fn remove_member(org: &str, username: &str) -> Endpoint<NoContent> {
    ApiRequest::new(
        Method::Delete,
        path(&["v2", "orgs", org, "members", username]),
        Scope::MemberEdit,
        format!("member \"{username}\" of organization \"{org}\""),
    )
    .absent_is_done()
    .may_refuse(Refusal::LastOwner)
    .into()
}

/// `GET /v2/orgs/{org}/members/export`, asking for the CSV it answers.
pub fn export_members(org: &str) -> Endpoint<MemberExport> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "members", "export"]),
        Scope::MemberRead,
        format!("member export of organization \"{org}\""),
    )
    .accept(CSV_MEDIA_TYPE)
    .into()
}

/// The media type of the member export.
pub const CSV_MEDIA_TYPE: &str = "text/csv";

/// A member as Docker returns it (`org_member`); every field may be missing or null.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OrgMember {
    /// Docker ID.
    pub username: Option<String>,
    /// Display name.
    pub full_name: Option<String>,
    /// Email (visible to owners).
    pub email: Option<String>,
    /// `Owner`, `Editor`, `Member`, `Invitee` (capitalised), or a custom role's name (docker/docs
    /// PR 25996 leaves open whether Docker answers the custom name or a core value; the plugin
    /// passes on whichever it gets).
    pub role: Option<String>,
    /// Team names.
    pub groups: Option<Vec<String>>,
    /// Outside the verified domains.
    pub is_guest: Option<bool>,
    /// When the member joined.
    pub date_joined: Option<String>,
    /// `User` or `Org`.
    #[serde(rename = "type")]
    pub account_type: Option<String>,
    /// Trimmed UUID.
    pub id: Option<String>,
    /// Deprecated primary email.
    pub primary_email: Option<String>,
    /// Insights: last login.
    pub last_logged_in_at: Option<String>,
    /// Insights: last seen.
    pub last_seen_at: Option<String>,
    /// Insights: last Docker Desktop version.
    pub last_desktop_version: Option<String>,
}

/// A person in the organization, as every action outputs one (members, team members, the roster
/// sync, the workflows).
///
/// The core fields (`username` to `date_joined`) are always present and `null` when the endpoint
/// that was read does not say (the team-member listing has no role, teams or guest flag). The
/// other fields are present only when the endpoint returned them: `type`, `id` and the insights
/// times from the member listing, `company` to `gravatar_url` from the team-member listing,
/// `status` from sync-members.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Member {
    /// Docker ID; null for an invitee known only by email.
    #[serde(serialize_with = "empty_as_null")]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(with = "Option<String>"))]
    pub username: String,
    /// Display name.
    pub full_name: Option<String>,
    /// Email, when visible to the token.
    pub email: Option<String>,
    /// Organization role: a core role in lower case (`owner`, `editor`, `member`, or `invitee` for
    /// a pending invite), or a custom role's name exactly as Docker returns it (custom roles are
    /// their own role, never folded into `member`).
    pub role: Option<String>,
    /// Names of the teams the member is on.
    pub groups: Option<Vec<String>>,
    /// Whether the member is outside the organization's verified domains.
    pub is_guest: Option<bool>,
    /// When the member joined (the organization, or for team members Docker Hub), as Docker writes it.
    pub date_joined: Option<String>,
    /// Account type: `User` or `Org`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Docker's trimmed UUID of the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Insights: last login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_logged_in_at: Option<String>,
    /// Insights: last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    /// Insights: last Docker Desktop version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_desktop_version: Option<String>,
    /// Company (team-member listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Location (team-member listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Profile URL (team-member listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// Gravatar URL (team-member listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gravatar_url: Option<String>,
    /// `member`, or `invitee` for a pending invite (sync-members).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// An empty text written as `null` (a value Docker did not give, as the schema says).
fn empty_as_null<S: serde::Serializer>(value: &str, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    if value.is_empty() { serializer.serialize_none() } else { serializer.serialize_str(value) }
}

/// Docker's capitalised core role in the lower case it accepts back (`Owner` → `owner`); any other
/// value (a custom role's name) exactly as Docker wrote it, trimmed.
pub fn normalize_role(role: &str) -> String {
    let role = role.trim();
    match role.to_ascii_lowercase().as_str() {
        core @ ("owner" | "editor" | "member" | "invitee") => core.to_string(),
        _ => role.to_string(),
    }
}

impl From<OrgMember> for Member {
    fn from(m: OrgMember) -> Self {
        Member {
            username: m.username.unwrap_or_default(),
            full_name: m.full_name.filter(|s| !s.is_empty()),
            email: m.email.filter(|s| !s.is_empty()).or(m.primary_email.filter(|s| !s.is_empty())),
            role: m.role.as_deref().map(normalize_role),
            groups: Some(m.groups.unwrap_or_default()),
            is_guest: Some(m.is_guest.unwrap_or(false)),
            date_joined: m.date_joined,
            account_type: m.account_type,
            id: m.id,
            last_logged_in_at: m.last_logged_in_at,
            last_seen_at: m.last_seen_at,
            last_desktop_version: m.last_desktop_version,
            ..Member::default()
        }
    }
}

/// One row of the member export, by Docker's column names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ExportedMember {
    /// `Name`: first and last name.
    pub name: Option<String>,
    /// `Username`: Docker ID (blank for invitees without one).
    pub username: Option<String>,
    /// `Email`.
    pub email: Option<String>,
    /// `Type`: `User` or `Invitee`, as Docker writes it.
    #[serde(rename = "type")]
    pub member_type: Option<String>,
    /// `Permission` (the schema's required list calls it `Role`): lower case, like list-members.
    pub permission: Option<String>,
    /// `Teams`: the comma-separated list, split and trimmed.
    pub teams: Vec<String>,
    /// `Date Joined`, as Docker writes it (`2020-01-01 15:00:51.193355 +0000 UTC`).
    pub date_joined: Option<String>,
}

/// The member export, read.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberExport {
    /// The header row as Docker sent it (extra columns included).
    pub columns: Vec<String>,
    /// The rows, in Docker's order.
    pub members: Vec<ExportedMember>,
}

/// The export's CSV, read with [`parse_member_export`]; a body that is not such a CSV is an
/// invalid response saying what came instead.
impl FromResponse for MemberExport {
    fn from_response(response: &HttpResponse, request: &ApiRequest) -> Result<Self> {
        parse_member_export(&response.body).map_err(|reason| {
            Error::invalid_response(format!(
                "Docker Hub answered {} for the {} with {reason}; a CSV with a header row (Name, Username, Email, Type, \
Permission, Teams, Date Joined) was expected. The API may have changed or a proxy replied instead.",
                response.status, request.target
            ))
            .with_detail(
                json!({ "status": response.status, "path": request.path, "content_type": response.header("content-type") }),
            )
        })
    }
}

/// A header name reduced for matching: case, surrounding spaces and `_` versus space do not matter.
fn column_key(name: &str) -> String {
    name.trim().to_lowercase().replace('_', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads the export CSV by header name with a real CSV reader: a UTF-8 byte-order mark and extra
/// columns are fine; a missing `Username` column, a row whose length differs from the header's, or
/// text that is not UTF-8 is an error (the reason is returned, for the caller's message).
pub fn parse_member_export(body: &[u8]) -> std::result::Result<MemberExport, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("an empty body (not even a header row)".to_string());
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(body);
    let headers = reader.headers().map_err(|e| format!("a header row it could not read ({e})"))?.clone();
    let find = |names: &[&str]| headers.iter().position(|h| names.contains(&column_key(h).as_str()));
    let Some(username) = find(&["username"]) else {
        let seen: Vec<&str> = headers.iter().collect();
        return Err(format!("no \"Username\" column (the header row was {seen:?})"));
    };
    let name = find(&["name", "full name"]);
    let email = find(&["email"]);
    let member_type = find(&["type"]);
    let permission = find(&["permission", "role"]);
    let teams = find(&["teams", "groups"]);
    let date_joined = find(&["date joined"]);

    let mut members = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // Row 1 is the header; rows are counted as a spreadsheet would show them.
        let record = record.map_err(|e| format!("row {} could not be read ({e})", index + 2))?;
        let cell = |column: Option<usize>| {
            column.and_then(|i| record.get(i)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
        };
        members.push(ExportedMember {
            name: cell(name),
            username: cell(Some(username)),
            email: cell(email),
            member_type: cell(member_type),
            permission: cell(permission).as_deref().map(normalize_role),
            teams: cell(teams)
                .map(|list| list.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            date_joined: cell(date_joined),
        });
    }
    Ok(MemberExport { columns: headers.iter().map(str::to_string).collect(), members })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_members_passes_filters_through() {
        let q = MemberQuery {
            search: Some("jon@x.io".into()),
            role: Some(RoleName::core(Role::Owner)),
            member_type: Some(MemberType::Member),
            invites: Some(true),
        };
        let r = list_members("acme", &q, 2, 50);
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query(),
            "/v2/orgs/acme/members?search=jon%40x.io&role=owner&type=member&invites=true&page=2&page_size=50"
        );
        assert_eq!(r.scope, Scope::MemberRead);
    }

    #[test]
    fn update_role_puts_lower_case_role() {
        let r = update_member_role("acme", "jon/snow", &RoleName::core(Role::Editor));
        assert_eq!(r.path, "/v2/orgs/acme/members/jon%2Fsnow");
        assert_eq!(r.body, Some(json!({"role": "editor"})));
        assert_eq!(r.method, Method::Put);
    }

    #[test]
    fn a_role_is_core_in_any_case_or_a_custom_name_sent_as_given() {
        assert_eq!(RoleName::parse("role", " Editor ").unwrap().as_str(), "editor");
        assert!(RoleName::parse("role", "OWNER").unwrap().is_owner());
        let custom = RoleName::parse("role", "Release-Manager").unwrap();
        assert_eq!((custom.as_str(), custom.core_role()), ("Release-Manager", None));
        let r = update_member_role("acme", "jon", &custom);
        assert_eq!(r.body, Some(json!({"role": "Release-Manager"})));
        let blank = RoleName::parse("role", "  ").unwrap_err();
        assert!(blank.message.contains("\"role\" must be owner, editor, member or the name"), "{}", blank.message);
        assert!(RoleName::parse("role", "a\u{7}b").is_err());
        let parsed: RoleName = serde_json::from_value(json!("billing-admin")).unwrap();
        assert_eq!(parsed.as_str(), "billing-admin");
    }

    #[test]
    fn a_custom_role_in_an_answer_is_kept_as_docker_wrote_it() {
        assert_eq!(normalize_role("Owner"), "owner");
        assert_eq!(normalize_role("Invitee"), "invitee");
        assert_eq!(normalize_role(" Release Manager "), "Release Manager");
    }

    #[test]
    fn remove_member_deletes_the_encoded_username() {
        let r = remove_member("acme", "a/b?c%d e");
        assert_eq!((r.method, r.path.as_str()), (Method::Delete, "/v2/orgs/acme/members/a%2Fb%3Fc%25d%20e"));
        assert_eq!(r.scope, Scope::MemberEdit);
        assert_eq!(r.body, None);
    }

    #[test]
    fn export_asks_for_csv() {
        let r = export_members("acme");
        assert_eq!(r.path, "/v2/orgs/acme/members/export");
        assert_eq!(r.accept, "text/csv");
    }

    #[test]
    fn export_rows_are_read_by_header_name_with_a_bom_and_extra_columns() {
        let csv = "\u{feff}Email,Extra,Username,Name,Type,Permission,Teams,Date Joined\n\
jon@x.io,?,jonsnow,Jon Snow,User,Owner,\"owners, developers\",2020-01-01 15:00:51.193355 +0000 UTC\n\
new@x.io,,,,Invitee,Member,,\n";
        let export = parse_member_export(csv.as_bytes()).unwrap();
        assert_eq!(export.columns[0], "Email", "the BOM is not part of the first column name");
        assert_eq!(export.members.len(), 2);
        let jon = &export.members[0];
        assert_eq!(jon.username.as_deref(), Some("jonsnow"));
        assert_eq!(jon.name.as_deref(), Some("Jon Snow"));
        assert_eq!(jon.permission.as_deref(), Some("owner"));
        assert_eq!(jon.teams, vec!["owners", "developers"]);
        assert_eq!(jon.date_joined.as_deref(), Some("2020-01-01 15:00:51.193355 +0000 UTC"));
        let invitee = &export.members[1];
        assert_eq!((invitee.username.as_deref(), invitee.member_type.as_deref()), (None, Some("Invitee")));
        assert!(invitee.teams.is_empty());
    }

    #[test]
    fn export_accepts_the_schemas_role_column_and_snake_case_headers() {
        let export = parse_member_export(b"username,role,date_joined\nmoby,Editor,2021\n").unwrap();
        assert_eq!(export.members[0].permission.as_deref(), Some("editor"));
        assert_eq!(export.members[0].date_joined.as_deref(), Some("2021"));
        assert_eq!(export.members[0].email, None);
    }

    #[test]
    fn malformed_exports_are_refused_with_a_reason() {
        assert!(parse_member_export(b"").unwrap_err().contains("empty body"));
        assert!(parse_member_export(b"{\"detail\": \"x\"}").unwrap_err().contains("no \"Username\" column"));
        let ragged = parse_member_export(b"Name,Username\nJon,jon\nArya,arya,extra\n").unwrap_err();
        assert!(ragged.contains("row 3"), "{ragged}");
        assert!(parse_member_export(b"Name,Username\n\xff\xfe,jon\n").unwrap_err().contains("row 2"));
    }

    #[test]
    fn member_mapping_tolerates_nulls_and_lowercases_role() {
        let raw: OrgMember = serde_json::from_value(json!({
            "username": "jon", "role": "Owner", "groups": null, "email": "", "primary_email": "p@x.io",
            "unknown_field": 1
        }))
        .unwrap();
        let m = Member::from(raw);
        assert_eq!(m.role.as_deref(), Some("owner"));
        assert_eq!(m.groups, Some(vec![]));
        assert_eq!(m.email.as_deref(), Some("p@x.io"));
        assert_eq!(m.is_guest, Some(false));
    }
}
