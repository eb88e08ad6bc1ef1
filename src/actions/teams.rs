//! Team (Docker Hub "group") actions.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
