//! `api-request`: a generic request confined to this organization's paths.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
