//! Activity: audit logs, audit actions, and the whole-roster member sync.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
