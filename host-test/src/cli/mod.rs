//! The CLI's subcommands, one function each ([`demo`], [`run`], [`actions`]), every action as a
//! subcommand with flags from its schema ([`flags`]), the confirmation of destructive writes
//! ([`confirm`]), and what they share: exit codes ([`exit`]), output formats ([`output`]), desired-state
//! documents and plans ([`document`]), text made safe for terminals and spreadsheets
//! ([`safe_text`]), and the helpers below.

pub mod actions;
pub mod confirm;
pub mod demo;
pub mod document;
pub mod exit;
pub mod flags;
pub mod output;
pub mod run;
pub mod safe_text;

use std::io::Write as _;

use dockerhub_org_host::Runtime;
use dockerhub_org_host::runtime::ACTIONS_INTERFACE;

use self::exit::Failure;

/// Writes `line` to standard error without escape sequences or control characters (its line breaks
/// kept: [`safe_text::terminal_text`]); a closed standard error is ignored (nothing else can be
/// done).
pub fn eprintln(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", safe_text::terminal_text(line));
}

/// The action names the component exports, in its order.
pub fn action_names(runtime: &Runtime) -> Vec<String> {
    let prefix = format!("{ACTIONS_INTERFACE}#");
    runtime
        .export_names()
        .iter()
        .filter_map(|name| name.strip_prefix(&prefix))
        .filter(|name| *name != "describe")
        .map(str::to_string)
        .collect()
}

/// `Ok` when `name` is one of `known`; otherwise a usage failure that suggests the nearest name.
pub fn check_action_name(name: &str, known: &[String]) -> Result<(), Failure> {
    if known.iter().any(|k| k == name) {
        return Ok(());
    }
    let nearest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k);
    let suggestion = nearest.map(|k| format!("; did you mean \"{k}\"?")).unwrap_or_default();
    Err(Failure::usage(format!("no action named \"{name}\"{suggestion} (`dockerhub-org actions` lists them)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["list-members", "list-teams", "get-member", "remove-member"].map(String::from).to_vec()
    }

    #[test]
    fn a_misspelled_action_suggests_the_nearest() {
        let failure = check_action_name("lst-members", &names()).unwrap_err();
        assert_eq!(failure.code, exit::USAGE);
        assert!(failure.message.contains("did you mean \"list-members\"?"), "{}", failure.message);
        let failure = check_action_name("list-team", &names()).unwrap_err();
        assert!(failure.message.contains("did you mean \"list-teams\"?"), "{}", failure.message);
    }

    #[test]
    fn a_name_far_from_every_action_gets_no_suggestion() {
        let failure = check_action_name("frobnicate", &names()).unwrap_err();
        assert!(!failure.message.contains("did you mean"), "{}", failure.message);
        assert!(check_action_name("get-member", &names()).is_ok());
    }
}
