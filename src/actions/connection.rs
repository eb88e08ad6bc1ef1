//! The connection form: its schema and the validation and merge of submitted settings.

use super::ActionSpec;

/// The implemented actions of this module.
pub static ACTIONS: &[ActionSpec] = &[];
