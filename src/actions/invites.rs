//! Invite actions: list-invites, invite-members, cancel-invite, resend-invite.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
