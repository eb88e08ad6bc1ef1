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
use super::paging::every_page;
use crate::api::groups::{self, Team};
use crate::api::members::{self, Member, MemberQuery};
use crate::client::Client;
use crate::client::paging::DEFAULT_MAX_ITEMS;
use crate::error::Result;

/// Every member of the organization.
fn roster(client: &Client, query: &MemberQuery) -> Result<Vec<Member>> {
    every_page(
        client,
        DEFAULT_MAX_ITEMS,
        &|page, size| members::list_members(client.org(), query, page, size),
        Member::from,
    )
}

/// Every team of the organization, or only `username`'s.
fn all_teams(client: &Client, username: Option<&str>) -> Result<Vec<Team>> {
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
