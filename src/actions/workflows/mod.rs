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

/// The workflows, in manifest order.
pub static ACTIONS: &[ActionSpec] =
    &[offboard::SPEC, offboard_members::SPEC, reconcile::SPEC, access_review::SPEC, review_seats::SPEC];
