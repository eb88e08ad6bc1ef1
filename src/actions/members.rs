//! Member actions: list-members, get-member, update-member-role, remove-member, export-members,
//! and resolving one person (by username or email) to exactly one member.

use serde::Deserialize;
use serde_json::{Value, json};

use super::ActionSpec;
use super::input::{parse, path_segment};
use super::paging::{Paging, write_listing};
use crate::api::error_body::says_last_owner;
use crate::api::members::{self, ExportedMember, Member, MemberQuery, OrgMember, parse_member_export};
use crate::client::paging::{Chunk, list_all_pages};
use crate::client::{Client, parse_json};
use crate::error::{Error, Result};
use crate::host::Host;
use crate::output::{ObjectWriter, Output};

/// A member's organization role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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
    fn as_str(self) -> &'static str {
        match self {
            MemberType::All => "all",
            MemberType::Invitee => "invitee",
            MemberType::Member => "member",
        }
    }
}

/// Input of `list-members`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ListMembersInput {
    /// Search term: username, full name or email (Docker's search is fuzzy).
    pub search: Option<String>,
    /// Only members with this role.
    pub role: Option<Role>,
    /// Members, invitees, or both.
    #[serde(rename = "type")]
    pub member_type: Option<MemberType>,
    /// Include pending invites.
    pub invites: Option<bool>,
    /// Page to fetch (from 1); with all_pages, the page to start from.
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 10; 100 with all_pages).
    pub page_size: Option<u32>,
    /// Follow every page (bounded by max_items).
    pub all_pages: Option<bool>,
    /// With all_pages: fail rather than collect more than this many members (default 10000).
    pub max_items: Option<usize>,
}

/// `list-members`: one page of members, or every page.
pub fn list_members(host: &dyn Host, input: &str) -> Result<Output> {
    let input: ListMembersInput = parse("list-members", input)?;
    let paging = Paging::new(input.page, input.page_size, input.all_pages, input.max_items, 10)?;
    let query = MemberQuery {
        search: input.search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        role: input.role.map(|r| r.as_str().to_string()),
        member_type: input.member_type.map(|t| t.as_str().to_string()),
        invites: input.invites,
    };
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let spec = paging.spec;
    let build = |page: u32| members::list_members(&org, &query, page, spec.page_size);

    let mut out = ObjectWriter::new();
    out.field("organization", &org)?;
    write_listing(out, "members", &client, paging, &build, |m: OrgMember| Member::from(m))
}

/// Input of `get-member`: exactly one of the two fields.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GetMemberInput {
    /// Docker ID of the member (exact match, case-insensitive). Give this or `email`.
    pub username: Option<String>,
    /// Email of the member (exact match, case-insensitive; never a near match). Give this or `username`.
    pub email: Option<String>,
}

/// `get-member`: one member, by exact username or email.
pub fn get_member(host: &dyn Host, input: &str) -> Result<Value> {
    let input: GetMemberInput = parse("get-member", input)?;
    let person = Person::from_fields("get-member", "username", input.username.as_deref(), input.email.as_deref())?;
    let client = Client::connect(host)?;
    let member = resolve_member(&client, &person)?;
    Ok(json!({
        "organization": client.org(),
        "matched_by": person.field(),
        "member": member,
        "meta": client.meta(),
    }))
}

/// Input of `update-member-role`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRoleInput {
    /// Docker ID of the member.
    pub username: String,
    /// The new role: owner, editor or member.
    pub role: Role,
}

/// `update-member-role`: `PUT` the new role; answers the updated member.
pub fn update_member_role(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "update-member-role";
    let input: UpdateMemberRoleInput = parse(ACTION, input)?;
    let username = path_segment(ACTION, "username", Some(&input.username))?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let request = members::update_member_role(&org, &username, input.role.as_str());
    let response = client.send(&request).map_err(|e| {
        if input.role != Role::Owner && says_last_owner(&e) {
            last_owner_error(e, &org, &username, LastOwnerChange::Demote)
        } else {
            e
        }
    })?;
    // Docker answers the updated member; an empty 2xx body still means the change was made.
    let member = if response.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(Member::from(parse_json::<OrgMember>(&response, &request)?))
    };
    Ok(json!({
        "updated": true,
        "organization": org,
        "username": username,
        "role": input.role.as_str(),
        "member": member,
        "meta": client.meta(),
    }))
}

/// Input of `remove-member`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveMemberInput {
    /// Docker ID of the member to remove from the organization (and so from all its teams).
    pub username: String,
}

/// `remove-member`: `DELETE` the member; a refusal to remove the last owner is a clear `conflict`.
pub fn remove_member(host: &dyn Host, input: &str) -> Result<Value> {
    const ACTION: &str = "remove-member";
    let input: RemoveMemberInput = parse(ACTION, input)?;
    let username = path_segment(ACTION, "username", Some(&input.username))?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    client.send(&members::remove_member(&org, &username)).map_err(|e| {
        if says_last_owner(&e) { last_owner_error(e, &org, &username, LastOwnerChange::Remove) } else { e }
    })?;
    Ok(json!({
        "removed": true,
        "organization": org,
        "username": username,
        "meta": client.meta(),
    }))
}

/// What was refused because the member is the last owner.
#[derive(Clone, Copy)]
enum LastOwnerChange {
    Remove,
    Demote,
}

/// The `conflict` that says why Docker refused and what to do instead.
fn last_owner_error(error: Error, org: &str, username: &str, change: LastOwnerChange) -> Error {
    let status = error.status.unwrap_or_default();
    let said = error.docker_message.clone().unwrap_or_default();
    let (refused, then) = match change {
        LastOwnerChange::Remove => (format!("remove \"{username}\" from"), format!("remove \"{username}\"")),
        LastOwnerChange::Demote => {
            (format!("change the role of \"{username}\" in"), format!("change the role of \"{username}\""))
        }
    };
    let message = format!(
        "Docker Hub refused to {refused} organization \"{org}\" because \"{username}\" is its last owner \
(Docker Hub answered {status}: \"{said}\"). An organization must keep at least one owner: make another member an owner \
first (update-member-role with role \"owner\"), then {then}."
    );
    let detail = json!({ "username": username, "status": status, "docker_message": said, "reason": "last_owner" });
    Error { status: error.status, docker_message: error.docker_message, ..Error::conflict(message).with_detail(detail) }
}

/// Input of `export-members`: no fields.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExportMembersInput {}

/// `export-members`: Docker's CSV export, read into structured rows.
pub fn export_members(host: &dyn Host, input: &str) -> Result<Value> {
    let _: ExportMembersInput = parse("export-members", input)?;
    let client = Client::connect(host)?;
    let org = client.org().to_string();
    let request = members::export_members(&org);
    let response = client.send(&request)?;
    let export = parse_member_export(&response.body).map_err(|reason| {
        Error::invalid_response(format!(
            "Docker Hub answered {} for the {} with {reason}; a CSV with a header row (Name, Username, Email, Type, \
Permission, Teams, Date Joined) was expected. The API may have changed or a proxy replied instead.",
            response.status, request.target
        ))
        .with_detail(
            json!({ "status": response.status, "path": request.path, "content_type": response.header("content-type") }),
        )
    })?;
    let members: Vec<ExportedMember> = export.members;
    Ok(json!({
        "organization": org,
        "count": members.len(),
        "columns": export.columns,
        "members": members,
        "meta": client.meta(),
    }))
}

/// The member actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-members", "List organization members",
        "Lists members of the organization, one page or every page (all_pages, bounded by max_items). Filters: search (username, full name or email; fuzzy), role, type, invites. Output: members with username, full name, email, role (lower case), teams, guest flag, date joined and, when the organization has insights, last seen/login fields; plus count and paging.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"page_size": 5}"#, output: "{organization, count, returned, members: [Member {username, full_name, email, role (owner|editor|member|invitee), groups[], is_guest, date_joined, type, id, last_seen_at?, last_logged_in_at?, last_desktop_version?}], paging {page, page_size, pages_fetched, all_pages, next_page, previous_page}, meta}",
        run: list_members, input: ListMembersInput),
    action!("get-member", "Get an organization member",
        "Finds one member by username or by email (exactly one of the two). Docker's member search is fuzzy, so the search result is filtered to an exact, case-insensitive match on the username or the email; a near match is never returned. No match is not-found naming what was searched (with near matches in the detail); several matches are conflict listing the candidates. Output: the member, mapped like list-members.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"email": "ken.lovelace@example.com"}"#, output: "{organization, matched_by (username|email), member: Member {username, full_name, email, role (owner|editor|member|invitee), groups[], is_guest, date_joined, type, id, last_seen_at?, last_logged_in_at?, last_desktop_version?}, meta}",
        run: get_member, input: GetMemberInput),
    action!("update-member-role", "Update a member's role",
        "Changes a member's organization role to owner, editor or member (validated before any request). Only organization owners may change roles. Output: the updated member as Docker returns it, role in lower case. Demoting the last owner is refused with conflict: make another member an owner first.",
        scopes: [MemberEdit], read_only: false, destructive: false, idempotent: true,
        example: r#"{"username": "kenlovelace", "role": "member"}"#, output: "{organization, username, role, updated, member: Member (as in list-members), meta}",
        run: update_member_role, input: UpdateMemberRoleInput),
    action!("remove-member", "Remove a member from the organization",
        "Removes a member from the organization, and so from all its teams. Docker refuses to remove the last owner: that is a conflict error saying to make another member an owner first. Output: {removed: true, username}.",
        scopes: [MemberEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"username": "francesturing"}"#, output: "{organization, username, removed: true, meta}",
        run: remove_member, input: RemoveMemberInput),
    action!("export-members", "Export organization members",
        "Fetches Docker's CSV export of the organization's members and invitees and returns structured rows: name, username, email, type (User or Invitee), permission (lower case), teams (a list) and date joined (as Docker writes it). Columns are read by header name; extra columns are ignored. A body that is not such a CSV is invalid-response.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}", output: "{organization, columns: [string], count, members: [{name, username, email, type, permission, teams: [string], date_joined}], meta}",
        run: export_members, input: ExportMembersInput),
];

/// Who to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// A Docker ID.
    Username(String),
    /// An email address.
    Email(String),
}

impl Person {
    /// From the usual pair of optional input fields; exactly one must be given.
    pub fn from_fields(
        action: &str,
        username_field: &str,
        username: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self> {
        let username = username.map(str::trim).filter(|s| !s.is_empty());
        let email = email.map(str::trim).filter(|s| !s.is_empty());
        match (username, email) {
            (Some(u), None) => Ok(Person::Username(super::input::required_text(action, username_field, Some(u))?)),
            (None, Some(e)) if e.contains('@') => {
                Ok(Person::Email(super::input::required_text(action, "email", Some(e))?))
            }
            (None, Some(e)) => Err(crate::error::Error::invalid_input(format!(
                "\"email\" must be an email address (got \"{e}\"); to look someone up by Docker ID use \"{username_field}\"."
            ))),
            (Some(_), Some(_)) => Err(crate::error::Error::invalid_input(format!(
                "{action} takes either \"{username_field}\" or \"email\", not both."
            ))),
            (None, None) => {
                Err(crate::error::Error::invalid_input(format!("{action} needs \"{username_field}\" or \"email\".")))
            }
        }
    }

    /// The input field this person was given by: `username` or `email`.
    pub fn field(&self) -> &'static str {
        match self {
            Person::Username(_) => "username",
            Person::Email(_) => "email",
        }
    }

    fn describe(&self) -> String {
        match self {
            Person::Username(u) => format!("username \"{u}\""),
            Person::Email(e) => format!("email \"{e}\""),
        }
    }
}

/// Most search results examined when resolving one person.
const RESOLVE_MAX_ITEMS: usize = 1_000;

/// Finds the organization member `person` names. Docker's member search is fuzzy, so only an
/// exact (case-insensitive) match on the username or the email counts; a near match is never
/// returned. No match is `not-found` naming what was searched; several are `conflict` listing them.
pub fn resolve_member(client: &Client, person: &Person) -> Result<Member> {
    let org = client.org().to_string();
    let term = match person {
        Person::Username(u) | Person::Email(u) => u.clone(),
    };
    let query = MemberQuery { search: Some(term.clone()), ..MemberQuery::default() };
    let spec = crate::client::paging::PageSpec { start_page: 1, page_size: 100, max_items: RESOLVE_MAX_ITEMS };
    let build = |page: u32| members::list_members(&org, &query, page, spec.page_size);
    let listing = list_all_pages(client, spec, &build, &Chunk::<OrgMember>::from_page)?;
    let found: Vec<Member> = listing.items.into_iter().map(Member::from).collect();
    let (exact, near): (Vec<Member>, Vec<Member>) = found.into_iter().partition(|m| match person {
        Person::Username(u) => m.username.eq_ignore_ascii_case(u),
        Person::Email(e) => m.email.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(e)),
    });
    match exact.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let hidden = matches!(person, Person::Email(_))
                && crate::api::visibility::emails_hidden(near.iter().map(|m| m.email.as_deref()));
            let hint = if hidden { crate::api::visibility::HIDDEN_EMAILS_HINT } else { "" };
            let near: Vec<&str> = near.iter().map(|m| m.username.as_str()).take(10).collect();
            Err(crate::error::Error::not_found(format!(
                "No member of organization \"{org}\" has the {} (only exact matches count; Docker's search is fuzzy).{hint}",
                person.describe()
            ))
            .with_detail(json!({ "searched": term, "near_matches": near })))
        }
        several => {
            let n = several.len();
            let names: Vec<String> = several.iter().map(|m| format!("\"{}\"", m.username)).collect();
            let candidates: Vec<Value> = exact
                .iter()
                .map(|m| json!({ "username": m.username, "email": m.email, "full_name": m.full_name }))
                .collect();
            Err(crate::error::Error::conflict(format!(
                "{n} members of organization \"{org}\" match the {}: {}. Name one by username instead.",
                person.describe(),
                names.join(", ")
            ))
            .with_detail(json!({ "searched": term, "candidates": candidates })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn refusal(status: u16, docker: &str) -> Error {
        Error { status: Some(status), docker_message: Some(docker.to_string()), ..Error::invalid_input("x") }
    }

    #[test]
    fn last_owner_refusals_are_recognised_by_status_and_dockers_words() {
        assert!(says_last_owner(&refusal(400, "Cannot remove the last owner of the organization")));
        assert!(says_last_owner(&refusal(403, "The organization must have at least one owner")));
        assert!(says_last_owner(&refusal(409, "user is the sole Owner")));
        assert!(!says_last_owner(&refusal(403, "Only owners can use this endpoint")), "a permission refusal");
        assert!(!says_last_owner(&refusal(404, "last owner")), "not a status Docker refuses with");
        assert!(!says_last_owner(&refusal(400, "invalid role")));
        let no_words = Error { status: Some(409), ..Error::conflict("member \"lastowner\"") };
        assert!(!says_last_owner(&no_words), "our own message text (with the username) is not read");
    }

    #[test]
    fn the_last_owner_error_says_why_and_what_to_do() {
        let e = last_owner_error(refusal(400, "cannot remove last owner"), "acme", "jonsnow", LastOwnerChange::Remove);
        assert_eq!(e.kind, ErrorKind::Conflict);
        assert_eq!(e.status, Some(400));
        assert!(e.message.contains("refused to remove \"jonsnow\" from organization \"acme\""), "{}", e.message);
        assert!(
            e.message.contains("last owner") && e.message.contains("make another member an owner first"),
            "{}",
            e.message
        );
        assert_eq!(e.detail.as_ref().map(|d| d["reason"].clone()), Some(json!("last_owner")));
    }

    #[test]
    fn a_person_is_given_by_exactly_one_field() {
        assert_eq!(
            Person::from_fields("get-member", "username", Some(" jon "), None).unwrap(),
            Person::Username("jon".into())
        );
        assert_eq!(Person::from_fields("get-member", "username", Some(""), Some("J@x.io")).unwrap().field(), "email");
        assert!(
            Person::from_fields("get-member", "username", Some("jon"), Some("j@x.io"))
                .unwrap_err()
                .message
                .contains("not both")
        );
        assert!(
            Person::from_fields("get-member", "username", None, Some("jon"))
                .unwrap_err()
                .message
                .contains("must be an email")
        );
        assert!(
            Person::from_fields("get-member", "username", None, Some(" "))
                .unwrap_err()
                .message
                .contains("needs \"username\" or \"email\"")
        );
    }
}
