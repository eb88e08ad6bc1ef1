//! Member actions: list-members (the vertical slice); the rest arrive with the members issue.

use serde::Deserialize;
use serde_json::{Value, json};

use super::input::parse;
use super::paging::{Paging, list_paged};
use crate::api::members::{self, Member, MemberQuery, OrgMember};
use crate::client::Client;
use crate::client::paging::{Chunk, list_all_pages};
use crate::error::Result;
use crate::api::Scope;
use crate::host::Host;
use super::ActionSpec;

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
pub fn list_members(host: &dyn Host, input: &str) -> Result<Value> {
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

    let listed = list_paged::<OrgMember>(&client, paging, &build)?;
    let members: Vec<Member> = listed.items.into_iter().map(Member::from).collect();
    Ok(json!({
        "organization": org,
        "count": listed.count,
        "returned": members.len(),
        "members": members,
        "paging": listed.paging,
        "meta": client.meta(),
    }))
}

/// The member actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("list-members", "List organization members",
        "Lists members of the organization, one page or every page (all_pages, bounded by max_items). Filters: search (username, full name or email; fuzzy), role, type, invites. Output: members with username, full name, email, role (lower case), teams, guest flag, date joined and, when the organization has insights, last seen/login fields; plus count and paging.",
        scopes: [MemberRead], read_only: true, destructive: false, idempotent: true,
        example: r#"{"page_size": 5}"#, run: list_members, input: ListMembersInput),
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
    pub fn from_fields(action: &str, username_field: &str, username: Option<&str>, email: Option<&str>) -> Result<Self> {
        let username = username.map(str::trim).filter(|s| !s.is_empty());
        let email = email.map(str::trim).filter(|s| !s.is_empty());
        match (username, email) {
            (Some(u), None) => Ok(Person::Username(super::input::required_text(action, username_field, Some(u))?)),
            (None, Some(e)) if e.contains('@') => Ok(Person::Email(super::input::required_text(action, "email", Some(e))?)),
            (None, Some(e)) => Err(crate::error::Error::invalid_input(format!(
                "\"email\" must be an email address (got \"{e}\"); to look someone up by Docker ID use \"{username_field}\"."
            ))),
            (Some(_), Some(_)) => Err(crate::error::Error::invalid_input(format!(
                "{action} takes either \"{username_field}\" or \"email\", not both."
            ))),
            (None, None) => Err(crate::error::Error::invalid_input(format!(
                "{action} needs \"{username_field}\" or \"email\"."
            ))),
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
            let near: Vec<&str> = near.iter().map(|m| m.username.as_str()).take(10).collect();
            Err(crate::error::Error::not_found(format!(
                "No member of organization \"{org}\" has the {} (only exact matches count; Docker's search is fuzzy).",
                person.describe()
            ))
            .with_detail(json!({ "searched": term, "near_matches": near })))
        }
        several => {
            let n = several.len();
            let candidates: Vec<Value> = exact
                .iter()
                .map(|m| json!({ "username": m.username, "email": m.email, "full_name": m.full_name }))
                .collect();
            Err(crate::error::Error::conflict(format!(
                "{n} members of organization \"{org}\" match the {}; name one by username instead.",
                person.describe()
            ))
            .with_detail(json!({ "searched": term, "candidates": candidates })))
        }
    }
}
