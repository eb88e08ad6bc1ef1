//! Organization settings (restricted images).

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
