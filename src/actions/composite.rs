//! Composite workflows: offboarding, team reconciliation, access review.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
