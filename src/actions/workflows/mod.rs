//! Workflows: several requests toward one goal, each built as a [`Plan`](super::plan::Plan) from
//! what was read, returned as is on a dry run (the default for the two that change things), and
//! otherwise carried out step by step, stopping at the first failure with what succeeded so far.
//!
//! One file per workflow: [`offboard`], [`offboard_members`], [`reconcile`], [`access_review`],
//! [`review_seats`].

pub mod access_review;
pub mod offboard;
pub mod offboard_members;
pub mod reconcile;
pub mod review_seats;

use super::ActionSpec;
use super::paging::MAX_PAGE_SIZE;
use super::paging::every_page;
use crate::api::groups::{self, Team};
use crate::api::members::OrgMember;
use crate::api::members::{self, Member, MemberQuery};
use crate::api::{ApiRequest, FromResponse, Page, Paged};
use crate::client::Client;
use crate::client::paging::{DEFAULT_CONCURRENCY, DEFAULT_MAX_ITEMS};
use crate::error::{Error, Result};

/// Every member of the organization.
pub(crate) fn roster(client: &Client, query: &MemberQuery) -> Result<Vec<Member>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| members::list_members(client.org(), query, page, size),
        Member::from,
    )
}

/// A list of people given in `field` (usernames or emails): each entry trimmed, none blank or with
/// control characters, each person once (compared ignoring case, first spelling kept), at most
/// `most` entries.
fn distinct_people(field: &str, list: &[String], most: usize) -> Result<Vec<String>> {
    if list.len() > most {
        return Err(Error::invalid_input(format!(
            "\"{field}\" has {} entries; at most {most} are accepted in one call.",
            list.len()
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut people = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let entry = entry.trim();
        if entry.is_empty() || entry.chars().any(char::is_control) {
            return Err(Error::invalid_input(format!("\"{field}[{i}]\" is blank or has control characters.")));
        }
        if seen.insert(entry.to_lowercase()) {
            people.push(entry.to_string());
        }
    }
    Ok(people)
}

/// Whether `member` is the one `entry` names: an exact, case-insensitive match on the email for an
/// entry with an `@`, on the username otherwise (Docker's search is fuzzy; a near match never counts).
fn names(entry: &str, member: &Member) -> bool {
    if entry.contains('@') {
        member.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(entry))
    } else {
        member.username.eq_ignore_ascii_case(entry)
    }
}

/// The member each of `entries` names ([`names`]), `None` for nobody. Up to one batch of them
/// ([`DEFAULT_CONCURRENCY`]) are looked up with one search each, sent together (one round trip, a
/// request per person); more, or a search whose answer runs past one page, and the whole roster
/// is read once instead (fewer requests than a search per person from there on).
fn resolve_entries(client: &Client, entries: &[String]) -> Result<Vec<Option<Member>>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    if entries.len() <= DEFAULT_CONCURRENCY as usize {
        let org = client.org();
        let requests: Vec<ApiRequest> = entries
            .iter()
            .map(|entry| {
                let query = MemberQuery { search: Some(entry.clone()), ..MemberQuery::default() };
                members::list_members(org, &query, 1, MAX_PAGE_SIZE).into_request()
            })
            .collect();
        let mut found = Vec::with_capacity(entries.len());
        for ((entry, request), answer) in
            entries.iter().zip(&requests).zip(client.send_batch(&requests, DEFAULT_CONCURRENCY))
        {
            let chunk = Page::<OrgMember>::from_response(&answer?, request)?.into_chunk();
            // Only a whole answer proves nobody matches: by its count, else by saying no next page
            // (or a page short of full); otherwise the roster is read instead.
            let whole = match chunk.count {
                Some(count) => count <= chunk.items.len() as u64,
                None => chunk.has_next == Some(false) || chunk.items.len() < MAX_PAGE_SIZE as usize,
            };
            if !whole {
                found.clear();
                break;
            }
            found.push(chunk.items.into_iter().map(Member::from).find(|m| names(entry, m)));
        }
        if found.len() == entries.len() {
            return Ok(found);
        }
    }
    let everyone = roster(client, &MemberQuery::default())?;
    Ok(entries.iter().map(|entry| everyone.iter().find(|m| names(entry, m)).cloned()).collect())
}

/// Every team of the organization, or only `username`'s.
pub(crate) fn all_teams(client: &Client, username: Option<&str>) -> Result<Vec<Team>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| groups::list_groups(client.org(), None, username, page, size),
        Team::from,
    )
}

/// Every member of team `team`.
fn team_members(client: &Client, team: &str) -> Result<Vec<Member>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| groups::list_group_members(client.org(), team, None, page, size),
        Member::from,
    )
}

/// The workflows, in manifest order.
pub static ACTIONS: &[ActionSpec] =
    &[offboard::SPEC, offboard_members::SPEC, reconcile::SPEC, access_review::SPEC, review_seats::SPEC];
