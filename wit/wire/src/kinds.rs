//! The error kinds: the WIT `action-error` cases and what each means to every host.

/// One WIT `action-error` case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `invalid-input`: the input JSON is malformed or out of range.
    InvalidInput,
    /// `missing-credential`: a connection value is missing.
    MissingCredential,
    /// `unauthorized`: Docker Hub did not accept the credentials.
    Unauthorized,
    /// `forbidden`: the token lacks a scope, or is a personal access token.
    Forbidden,
    /// `not-found`: the member, team, invite or organization does not exist.
    NotFound,
    /// `conflict`: the change conflicts with the current state.
    Conflict,
    /// `rate-limited`: rate limited beyond the retry budget.
    RateLimited,
    /// `upstream`: another non-success answer from Docker Hub.
    Upstream,
    /// `transport`: no answer from Docker Hub.
    Transport,
    /// `invalid-response`: an answer the plugin cannot read.
    InvalidResponse,
    /// `limit-exceeded`: the call reached its deadline or another of its limits.
    LimitExceeded,
}

/// What one kind means to each host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The WIT case name (kebab-case): JSON outputs, the error bodies, the manifest.
    pub name: &'static str,
    /// The CLI's exit code.
    pub exit_code: u8,
    /// The HTTP status the service answers with.
    pub http_status: u16,
    /// Whether the same call is worth repeating (the manifest's `retry`).
    pub retry: bool,
}

const fn row(name: &'static str, exit_code: u8, http_status: u16, retry: bool) -> Row {
    Row { name, exit_code, http_status, retry }
}

impl Kind {
    /// Every kind, in the WIT's order.
    pub const ALL: [Kind; 11] = [
        Kind::InvalidInput,
        Kind::MissingCredential,
        Kind::Unauthorized,
        Kind::Forbidden,
        Kind::NotFound,
        Kind::Conflict,
        Kind::RateLimited,
        Kind::Upstream,
        Kind::Transport,
        Kind::InvalidResponse,
        Kind::LimitExceeded,
    ];

    /// The table: one row per kind.
    ///
    /// `missing-credential` answers 400, not 401: the service holds the connection values (they are
    /// its configuration, not the caller's credentials), so there is no challenge a caller could
    /// answer. `limit-exceeded` answers 504: the work did not complete within the call's bounds
    /// (its deadline, most often).
    pub const fn row(self) -> Row {
        match self {
            Kind::InvalidInput => row("invalid-input", 10, 400, false),
            Kind::MissingCredential => row("missing-credential", 11, 400, false),
            Kind::Unauthorized => row("unauthorized", 12, 401, false),
            Kind::Forbidden => row("forbidden", 13, 403, false),
            Kind::NotFound => row("not-found", 14, 404, false),
            Kind::Conflict => row("conflict", 15, 409, false),
            Kind::RateLimited => row("rate-limited", 16, 429, true),
            Kind::Upstream => row("upstream", 17, 502, true),
            Kind::Transport => row("transport", 18, 502, true),
            Kind::InvalidResponse => row("invalid-response", 19, 502, false),
            Kind::LimitExceeded => row("limit-exceeded", 20, 504, true),
        }
    }

    /// The WIT case name (`not-found`).
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// The CLI's exit code.
    pub const fn exit_code(self) -> u8 {
        self.row().exit_code
    }

    /// The HTTP status the service answers with.
    pub const fn http_status(self) -> u16 {
        self.row().http_status
    }

    /// Whether the same call is worth repeating.
    pub const fn retry(self) -> bool {
        self.row().retry
    }

    /// The kind named `name` (a WIT case name), if there is one.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_status() {
        let table = [
            (Kind::InvalidInput, 400),
            (Kind::MissingCredential, 400),
            (Kind::Unauthorized, 401),
            (Kind::Forbidden, 403),
            (Kind::NotFound, 404),
            (Kind::Conflict, 409),
            (Kind::RateLimited, 429),
            (Kind::Upstream, 502),
            (Kind::Transport, 502),
            (Kind::InvalidResponse, 502),
            (Kind::LimitExceeded, 504),
        ];
        for (kind, status) in table {
            assert_eq!(kind.http_status(), status, "{}", kind.name());
        }
    }

    #[test]
    fn names_and_exit_codes_are_each_kinds_own() {
        for (i, a) in Kind::ALL.iter().enumerate() {
            assert_eq!(Kind::from_name(a.name()), Some(*a));
            for b in &Kind::ALL[i + 1..] {
                assert_ne!(a.name(), b.name());
                assert_ne!(a.exit_code(), b.exit_code());
            }
        }
        assert_eq!(Kind::from_name("deadline-exceeded"), None);
    }
}
