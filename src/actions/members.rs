//! Member actions: list-members, get-member, update-member-role, remove-member, export-members,
//! sync-members. Who a person is and how they are found: [`super::address::person`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::address::person::{Person, find_member_or_missing, resolve_member};
use super::input::{optional_text, path_segment};
use super::paging::{MAX_ITEMS_LIMIT, MAX_PAGE_SIZE, Paging, every_page, write_listing};
use super::plan::{Plan, RefusalError, Words, WriteReport};
use super::{ActionSpec, Ctx};
use crate::api::Refusal;
use crate::api::members::{self, ExportedMember, Member, MemberQuery, MemberType, RoleName};
use crate::error::{Error, Result};
use crate::output::{Meta, ObjectWriter, Output};

listing_input! {
    /// Input of `list-members`.
    pub struct ListMembersInput {
        /// Search term: username, full name or email (Docker's search is fuzzy).
        pub search: Option<String>,
        /// Only members with this role: owner, editor, member, or a custom role's name.
        pub role: Option<RoleName>,
        /// Members, invitees, or both.
        #[serde(rename = "type")]
        pub member_type: Option<MemberType>,
        /// Include pending invites.
        pub invites: Option<bool>,
    }
    items: MemberListing::ITEMS, noun: "members", per_page: "Items", default_size: 10,
    all_pages: "Follow every page (bounded by max_items).", each: "item"
}

listing_output! {
    /// The output of `list-members` (written page by page; this type gives its schema).
    pub struct MemberListing {
        /// The organization.
        pub organization: String,
    }
    /// The members, in Docker's order.
    items members: Member,
}

/// `list-members`: one page of members, or every page.
pub fn list_members(ctx: &Ctx, mut input: ListMembersInput) -> Result<Output> {
    let paging = input.paging(ctx.action)?;
    let query = MemberQuery {
        search: optional_text("search", input.search.as_deref())?,
        role: input.role,
        member_type: input.member_type,
        invites: input.invites,
    };
    let client = ctx.client()?;
    let org = client.org();
    let size = paging.spec.page_size;
    let page = |number: u32| members::list_members(org, &query, number, size);

    let mut out = ObjectWriter::new();
    out.field("organization", org)?;
    write_listing(out, MemberListing::ITEMS, &client, paging, &page, Member::from)
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

/// The output of `get-member`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct GetMemberOutput {
    /// The organization.
    pub organization: String,
    /// Which input field found the member: `username` or `email`.
    pub matched_by: &'static str,
    /// The member.
    pub member: Member,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `get-member`: one member, by exact username or email.
pub fn get_member(ctx: &Ctx, input: GetMemberInput) -> Result<GetMemberOutput> {
    let person = Person::from_fields(ctx.action, "username", input.username.as_deref(), input.email.as_deref())?;
    let client = ctx.client()?;
    let member = resolve_member(&client, &person)?;
    Ok(GetMemberOutput {
        organization: client.org().to_string(),
        matched_by: person.field(),
        member,
        meta: Meta::of(&client),
    })
}

/// Input of `update-member-role`: the person (`username` or `email`) and the role.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRoleInput {
    /// Docker ID of the member. Give this or `email`.
    pub username: Option<String>,
    /// Email of the member (exact match). Give this or `username`.
    pub email: Option<String>,
    /// The new role: owner, editor, member, or the name of one of the organization's custom roles
    /// (Docker refuses a name it does not know, in its own words).
    pub role: RoleName,
    /// Read and check only: report the request that would be sent, send no change (default false).
    pub dry_run: Option<bool>,
}

/// The output of `update-member-role`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct UpdateMemberRoleOutput {
    /// The organization.
    pub organization: String,
    /// The member's Docker ID.
    pub username: String,
    /// The role asked for (a core role in lower case, or the custom role's name).
    pub role: RoleName,
    /// The role before the change, as the member listing showed it.
    pub previous_role: Option<String>,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// The member after the change, as Docker answered it; in a dry run, or when the role already
    /// held, the member as read (with the role that held). Absent only when Docker's answer to a
    /// change had no body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<Member>,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `update-member-role`: reads the member's current role, then `PUT`s the new one unless it is
/// already set.
pub fn update_member_role(ctx: &Ctx, input: UpdateMemberRoleInput) -> Result<UpdateMemberRoleOutput> {
    let person = Person::from_fields(ctx.action, "username", input.username.as_deref(), input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let current = resolve_member(&client, &person)?;
    let username = path_segment(ctx.action, "username", Some(&current.username))?;
    let role = input.role.as_str();
    let update = members::update_member_role(org, &username, &input.role);
    let mut plan = Plan::new();
    // A custom role is matched ignoring case, as Docker Home shows names (core roles are lower case
    // on both sides).
    if !current.role.as_deref().is_some_and(|held| held.eq_ignore_ascii_case(role)) {
        plan.add(&update, format!("make \"{username}\" {role}"))
            .verify_with(format!("get-member {{\"username\": \"{username}\"}} (its role)"));
    }
    // Making someone an owner never leaves the organization without one.
    let refused = |_: &Refusal, e: Error| last_owner_error(e, org, &username, LastOwnerChange::Demote);
    let words = Words {
        nothing: format!("\"{username}\" is already {role}: nothing to change."),
        preview: format!("Dry run: \"{username}\" would become {role}."),
        done: format!("\"{username}\" is now {role}."),
        refused: (!input.role.is_owner()).then_some(&refused as RefusalError),
    };
    let mut ran = plan.run(&client, ctx.action, dry_run, words)?;
    // Docker answers the updated member; an empty or unreadable 2xx body still means it was made.
    let member = if ran.did(0) { ran.answer(0, &update).map(Member::from) } else { Some(current.clone()) };
    Ok(UpdateMemberRoleOutput {
        organization: org.to_string(),
        username,
        role: input.role,
        previous_role: current.role,
        write: ran.report,
        member,
        meta: Meta::of(&client),
    })
}

/// Input of `remove-member`: the person, by `username` or `email`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RemoveMemberInput {
    /// Docker ID of the member to remove from the organization (and so from all its teams). Give
    /// this or `email`.
    pub username: Option<String>,
    /// Email of the member (exact match). Give this or `username`.
    pub email: Option<String>,
    /// Read and check only: report the request that would be sent, remove nobody (default false).
    pub dry_run: Option<bool>,
    /// Treat a person who is not a member as already removed: `changed: false, found: false`
    /// instead of `not-found` (default false, so a mistyped name fails loudly).
    pub missing_ok: Option<bool>,
}

/// The output of `remove-member`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RemoveMemberOutput {
    /// The organization.
    pub organization: String,
    /// The person as given (username or email).
    pub person: String,
    /// The member that was (or would be) removed; null when nobody matched (only with
    /// `missing_ok`).
    pub member: Option<Member>,
    /// What changed and how.
    #[serde(flatten)]
    pub write: WriteReport,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `remove-member`: finds the member exactly, then `DELETE`s them. Nobody matching is
/// `not-found` (with near matches), unless `missing_ok`; a member removed by someone else between
/// the read and the delete is `changed: false`; a refusal to remove the last owner is a clear
/// `conflict`.
pub fn remove_member(ctx: &Ctx, input: RemoveMemberInput) -> Result<RemoveMemberOutput> {
    let person = Person::from_fields(ctx.action, "username", input.username.as_deref(), input.email.as_deref())?;
    let dry_run = input.dry_run.unwrap_or(false);
    let client = ctx.client()?;
    let org = client.org();
    let member = find_member_or_missing(&client, &person, input.missing_ok)?;
    let username = match &member {
        Some(m) => path_segment(ctx.action, "username", Some(&m.username))?,
        None => String::new(),
    };
    let mut plan = Plan::new();
    plan.found(member.is_some());
    if member.is_some() {
        plan.add(&members::remove_member(org, &username), format!("remove \"{username}\" from the organization"))
            .verify_with(format!("get-member {{\"username\": \"{username}\"}}"));
    }
    let refused = |_: &Refusal, e: Error| last_owner_error(e, org, &username, LastOwnerChange::Remove);
    let words = Words {
        nothing: match &member {
            None => format!(
                "No member of organization \"{org}\" has the {} (missing_ok): nothing to remove.",
                person.describe()
            ),
            Some(_) => {
                format!("\"{username}\" was a member of organization \"{org}\" when this call read the members.")
            }
        },
        preview: format!("Dry run: \"{username}\" would be removed from organization \"{org}\"."),
        done: format!("\"{username}\" was removed from organization \"{org}\"."),
        refused: Some(&refused),
    };
    let ran = plan.run(&client, ctx.action, dry_run, words)?;
    Ok(RemoveMemberOutput {
        organization: org.to_string(),
        person: person.value().to_string(),
        member,
        write: ran.report,
        meta: Meta::of(&client),
    })
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

/// The output of `export-members`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ExportMembersOutput {
    /// The organization.
    pub organization: String,
    /// The CSV's header row, as Docker sent it.
    pub columns: Vec<String>,
    /// Rows read.
    pub count: usize,
    /// The rows, in Docker's order.
    pub members: Vec<ExportedMember>,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// `export-members`: Docker's CSV export, read into structured rows.
pub fn export_members(ctx: &Ctx, _input: ExportMembersInput) -> Result<ExportMembersOutput> {
    let client = ctx.client()?;
    let org = client.org();
    let export = client.fetch(&members::export_members(org))?;
    Ok(ExportMembersOutput {
        organization: org.to_string(),
        count: export.members.len(),
        columns: export.columns,
        members: export.members,
        meta: Meta::of(&client),
    })
}

/// Input of `sync-members`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncMembersInput {
    /// Also return pending invitees (status "invitee"). Default false: a directory sync records who
    /// has access, and an invitee has none until the invite is accepted.
    pub include_invitees: Option<bool>,
    /// Fail rather than collect more than this many rows (default and maximum 100000).
    #[cfg_attr(not(target_arch = "wasm32"), schemars(extend("default" = 100000)))]
    pub max_items: Option<usize>,
}

/// Counts of a roster by role and by status; the usual keys are always present (zero when none).
#[derive(Debug, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct RosterSummary {
    /// Rows in all.
    pub total: usize,
    /// Rows per role (`owner`, `editor`, `member`, `invitee`, or `unknown` when Docker gave none).
    pub by_role: BTreeMap<String, usize>,
    /// Rows per status (`member`, `invitee`).
    pub by_status: BTreeMap<String, usize>,
    /// Members outside the verified domains.
    pub guests: usize,
}

impl RosterSummary {
    /// Counts `roster`.
    pub fn of(roster: &[Member]) -> Self {
        let mut by_role: BTreeMap<String, usize> =
            ["owner", "editor", "member"].iter().map(|r| (r.to_string(), 0)).collect();
        let mut by_status: BTreeMap<String, usize> = ["member", "invitee"].iter().map(|s| (s.to_string(), 0)).collect();
        let mut guests = 0;
        for m in roster {
            *by_role.entry(m.role.clone().unwrap_or_else(|| "unknown".to_string())).or_default() += 1;
            *by_status.entry(m.status.clone().unwrap_or_default()).or_default() += 1;
            guests += usize::from(m.is_guest == Some(true));
        }
        RosterSummary { total: roster.len(), by_role, by_status, guests }
    }
}

/// The output of `sync-members`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SyncMembersOutput {
    /// The organization.
    pub organization: String,
    /// Whether pending invitees are included.
    pub include_invitees: bool,
    /// How many rows Docker reported.
    pub count: Option<u64>,
    /// Counts by role and status.
    pub summary: RosterSummary,
    /// The roster: every member (with `status`), in Docker's order.
    pub members: Vec<Member>,
    /// Pages read.
    pub pages_fetched: u32,
    /// Requests and rate limit.
    pub meta: Meta,
}

/// A member marked `member`, or `invitee` for a pending invite.
fn with_status(mut m: Member) -> Member {
    m.status = Some(if m.role.as_deref() == Some("invitee") { "invitee" } else { "member" }.to_string());
    m
}

/// `sync-members`: the whole roster in one call, 100 per page, pages 2..N fetched together.
pub fn sync_members(ctx: &Ctx, input: SyncMembersInput) -> Result<SyncMembersOutput> {
    let include_invitees = input.include_invitees.unwrap_or(false);
    let max_items = Some(input.max_items.unwrap_or(MAX_ITEMS_LIMIT));
    // A cap, not a limit: a directory sync must never be handed a partial roster as if whole.
    let max_items = Paging::new(None, Some(MAX_PAGE_SIZE), Some(true), max_items, MAX_PAGE_SIZE)?.spec.max_items;
    let query = if include_invitees {
        MemberQuery { member_type: Some(MemberType::All), invites: Some(true), ..MemberQuery::default() }
    } else {
        MemberQuery { member_type: Some(MemberType::Member), ..MemberQuery::default() }
    };
    let client = ctx.client()?;
    let org = client.org();
    let page = |number: u32, size: u32| members::list_members(org, &query, number, size);
    let listing = every_page(&client, max_items, &page, |m| with_status(Member::from(m)))?;
    let roster = listing.items;
    Ok(SyncMembersOutput {
        organization: org.to_string(),
        include_invitees,
        count: listing.count,
        summary: RosterSummary::of(&roster),
        members: roster,
        pages_fetched: listing.pages,
        meta: Meta::of(&client),
    })
}

/// The member actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-members", "List organization members",
        "Lists members of the organization, one page or every page (all_pages, bounded by max_items). Filters: search (username, full name or email; fuzzy), role (core or a custom role's name), type, invites. Output: members (Member: username, full name, email, role (a core role in lower case, a custom role by the name Docker returns), teams, guest flag, date joined and, when the organization has insights, last seen/login fields), count and paging.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"page_size": 5}"#,
        run: list_members, input: ListMembersInput, output: MemberListing, listing: true),
    action!("get-member", "Get an organization member",
        "Finds one member by username or by email (exactly one of the two). Docker's member search is fuzzy, so the search result is filtered to an exact, case-insensitive match on the username or the email; a near match is never returned. No match is not-found naming what was searched (with near matches in the detail); several matches are conflict listing the candidates.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"email": "ken.lovelace@example.com"}"#,
        run: get_member, input: GetMemberInput, output: GetMemberOutput),
    action!("update-member-role", "Update a member's role",
        "Changes a member's organization role to owner, editor, member or one of the organization's custom roles (by its name; Docker refuses a name it does not know and its words are the error). The person is given by username or email (exactly one). The current role is read first: when it is already the one asked for, nothing is sent and the output says changed: false. Only organization owners may change roles; demoting the last owner is refused with conflict (make another member an owner first). dry_run returns the request it would send.",
        scopes: [MemberRead, MemberEdit], read_only: false, destructive: false, idempotent: true,
        example: r#"{"username": "kenlovelace", "role": "member"}"#,
        run: update_member_role, input: UpdateMemberRoleInput, output: UpdateMemberRoleOutput),
    action!("remove-member", "Remove a member from the organization",
        "Use to take one member out of the organization and nothing more; when someone leaves (also cancel their pending invites, report their teams) use offboard-member. Removes a member from the organization, and so from all its teams. The person is given by username or email (exactly one) and found exactly first: nobody matching is not-found, with the near matches in the detail, so a mistyped email fails instead of reporting success. With missing_ok: true someone who is not a member is changed: false, found: false, which makes a re-run safe; a member removed by someone else between the read and the removal is changed: false. Docker refuses to remove the last owner: that is a conflict error saying to make another member an owner first. dry_run returns the request it would send.",
        scopes: [MemberRead, MemberEdit], read_only: false, destructive: true, idempotent: true,
        example: r#"{"username": "francesturing"}"#,
        run: remove_member, input: RemoveMemberInput, output: RemoveMemberOutput),
    action!("export-members", "Export organization members",
        "Fetches Docker's CSV export of the organization's members and invitees and returns structured rows: name, username, email, type (User or Invitee), permission (lower case), teams (a list) and date joined (as Docker writes it). Columns are read by header name; extra columns are ignored. A body that is not such a CSV is invalid-response.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: export_members, input: ExportMembersInput, output: ExportMembersOutput, listing: true),
    action!("sync-members", "Sync the member roster",
        "Returns the whole member roster in one call for a scheduled directory sync: 100 per page, pages 2..N fetched together once page 1 reports the count (about two round trips). Each row is a Member with status (member or invitee): username, full name, email, role, teams, guest flag, date joined and, with insights, last seen/login. Pending invitees are left out unless include_invitees is true. Summary counts by role and by status. Works on every plan.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"include_invitees": false}"#,
        run: sync_members, input: SyncMembersInput, output: SyncMembersOutput, listing: true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error_body::says_last_owner;
    use crate::api::members::OrgMember;
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
    fn roster_marks_invitees_and_counts_by_role_and_status() {
        let rows: Vec<OrgMember> = serde_json::from_value(json!([
            {"username": "jon", "role": "Owner", "is_guest": false, "last_seen_at": "2024-01-06T10:00:00Z"},
            {"username": "arya", "role": "Editor", "is_guest": true},
            {"username": "", "email": "new@example.com", "role": "Invitee"}
        ]))
        .unwrap();
        let roster: Vec<Member> = rows.into_iter().map(|m| with_status(Member::from(m))).collect();
        assert_eq!(roster[2].status.as_deref(), Some("invitee"));
        assert_eq!(roster[0].status.as_deref(), Some("member"));
        let summary = serde_json::to_value(RosterSummary::of(&roster)).unwrap();
        assert_eq!(
            summary,
            json!({
                "total": 3,
                "by_role": {"editor": 1, "invitee": 1, "member": 0, "owner": 1},
                "by_status": {"invitee": 1, "member": 2},
                "guests": 1
            })
        );
        let first = serde_json::to_value(&roster[0]).unwrap();
        assert_eq!(first["last_seen_at"], "2024-01-06T10:00:00Z");
        assert!(serde_json::to_value(&roster[1]).unwrap().get("last_seen_at").is_none(), "absent when Docker has none");
    }
}
