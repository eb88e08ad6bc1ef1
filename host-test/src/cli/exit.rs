//! Exit codes: one per action error kind, kept apart from usage and host failures, so a script can
//! tell "not found" from "rate limited" from "bad token" without reading the message.
//!
//! The codes of the kinds are the contract's table ([`KIND_CODES`], from
//! [`dockerhub_org_wire::Kind`]): `--help` and the README print it, and [`code_for_kind`] reads it. A kind this CLI does not know yet (a newer component) still gets a code:
//! [`ACTION_FAILED`].

use std::fmt;
use std::process::ExitCode;

/// Success.
pub const OK: u8 = 0;
/// An action failed with an error kind this CLI does not know; a health check or demo step failed;
/// a destructive write was not confirmed.
pub const ACTION_FAILED: u8 = 1;
/// The command line is wrong: unknown flag or subcommand (clap), unknown action name.
pub const USAGE: u8 = 2;
/// The host failed: the component could not be loaded, a simulator could not start, a bad URL.
pub const HOST: u8 = 3;
/// The component stopped abnormally (ran out of time or memory): no answer from the action.
pub const TRAP: u8 = 4;

/// Each action error kind (the WIT case names) and its exit code: the contract's table
/// ([`dockerhub_org_wire::Kind`]), in the WIT's order.
pub const KIND_CODES: &[(&str, u8)] = &{
    use dockerhub_org_wire::Kind;
    let mut codes = [("", 0); Kind::ALL.len()];
    let mut i = 0;
    while i < codes.len() {
        codes[i] = (Kind::ALL[i].name(), Kind::ALL[i].exit_code());
        i += 1;
    }
    codes
};

/// The exit code for an action error of `kind`; [`ACTION_FAILED`] for a kind not in [`KIND_CODES`].
pub fn code_for_kind(kind: &str) -> u8 {
    KIND_CODES.iter().find(|(k, _)| *k == kind).map_or(ACTION_FAILED, |(_, code)| *code)
}

/// The exit-code table as `--help` shows it.
pub fn help() -> String {
    let mut text = String::from("Exit codes:\n");
    let general = [
        (OK, "success"),
        (ACTION_FAILED, "an action error of another kind; a failed health check or demo step; a write not confirmed"),
        (USAGE, "usage: unknown flag, subcommand or action name"),
        (HOST, "host failure: the component, the simulator or the network setup"),
        (TRAP, "the component stopped (out of time or memory) before answering"),
    ];
    for (code, what) in general {
        text.push_str(&format!("  {code:>3}  {what}\n"));
    }
    for (kind, code) in KIND_CODES {
        text.push_str(&format!("  {code:>3}  {kind}\n"));
    }
    text
}

/// A failure the CLI reports itself (not an action's error), with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong and what to do, printed on standard error.
    pub message: String,
}

impl Failure {
    /// Input the CLI could not read (missing `@file`, not UTF-8): the invalid-input code.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Failure { code: code_for_kind("invalid-input"), message: message.into() }
    }

    /// A command line the CLI cannot act on.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { code: USAGE, message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// `code` as a process exit code.
pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code_apart_from_the_general_ones() {
        let mut codes: Vec<u8> = KIND_CODES.iter().map(|(_, c)| *c).collect();
        codes.extend([OK, ACTION_FAILED, USAGE, HOST, TRAP]);
        let count = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), count, "two meanings share an exit code");
    }

    #[test]
    fn an_unknown_kind_still_gets_a_code() {
        assert_eq!(code_for_kind("deadline-exceeded"), ACTION_FAILED);
        assert_eq!(code_for_kind("not-found"), 14);
    }

    #[test]
    fn help_lists_every_kind_with_its_code() {
        let help = help();
        for (kind, code) in KIND_CODES {
            assert!(help.contains(&format!("{code:>3}  {kind}\n")), "{kind} missing from:\n{help}");
        }
    }
}
