//! Member actions: list-members (the vertical slice); the rest arrive with the members issue.

use serde::Deserialize;
use serde_json::{Value, json};

use super::input::parse;
use super::paging::{Paging, PagingOut};
use crate::api::members::{self, Member, MemberQuery, OrgMember};
use crate::client::Client;
use crate::client::paging::{Chunk, list_all_pages};
use crate::error::Result;
use crate::host::Host;

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

    let (members, count, paging_out) = if paging.all_pages {
        let listing = list_all_pages(&client, spec, &build, &Chunk::<OrgMember>::from_page)?;
        let out = PagingOut {
            page: spec.start_page,
            page_size: spec.page_size,
            pages_fetched: listing.pages,
            all_pages: true,
            next_page: None,
            previous_page: None,
        };
        (listing.items, listing.count, out)
    } else {
        let request = build(spec.start_page);
        let page: crate::api::Page<OrgMember> = client.send_json(&request)?;
        let out = PagingOut {
            page: spec.start_page,
            page_size: spec.page_size,
            pages_fetched: 1,
            all_pages: false,
            next_page: page.next.as_ref().map(|_| spec.start_page + 1),
            previous_page: (spec.start_page > 1).then(|| spec.start_page - 1),
        };
        let count = page.count.filter(|c| c.is_finite() && *c >= 0.0).map(|c| c as u64);
        (page.results, count, out)
    };
    let members: Vec<Member> = members.into_iter().map(Member::from).collect();
    Ok(json!({
        "organization": org,
        "count": count,
        "returned": members.len(),
        "members": members,
        "paging": paging_out,
        "meta": client.meta(),
    }))
}
