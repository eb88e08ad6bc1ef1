//! The guest's one error type, converted into the WIT `action-error` variant at the export boundary.
//!
//! An error is a kind (which WIT case it becomes, with the case's own data) plus a message written
//! for the person reading it and optional JSON detail. Keeping message and detail outside the kind
//! avoids repeating them in every case.

use serde_json::Value;

/// Which WIT `action-error` case an [`Error`] becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// `invalid-input`
    InvalidInput,
    /// `missing-credential`
    MissingCredential,
    /// `unauthorized`
    Unauthorized,
    /// `forbidden`
    Forbidden,
    /// `not-found`
    NotFound,
    /// `conflict`
    Conflict,
    /// `rate-limited`, with Docker's `X-Retry-After` (unix seconds).
    RateLimited {
        /// When Docker Hub accepts calls again.
        retry_after: Option<u64>,
    },
    /// `upstream`, with the status (Docker's own words are in [`Error::docker_message`]).
    Upstream {
        /// HTTP status.
        status: u16,
    },
    /// `transport`
    Transport,
    /// `invalid-response`
    InvalidResponse,
    /// `limit-exceeded`: a deadline or budget of the call ([`crate::client::budget`]).
    LimitExceeded,
}

impl ErrorKind {
    /// The case in the contract's table of kinds (its name, exit code, HTTP status, retry).
    pub fn wire(&self) -> dockerhub_org_wire::Kind {
        use dockerhub_org_wire::Kind;
        match self {
            ErrorKind::InvalidInput => Kind::InvalidInput,
            ErrorKind::MissingCredential => Kind::MissingCredential,
            ErrorKind::Unauthorized => Kind::Unauthorized,
            ErrorKind::Forbidden => Kind::Forbidden,
            ErrorKind::NotFound => Kind::NotFound,
            ErrorKind::Conflict => Kind::Conflict,
            ErrorKind::RateLimited { .. } => Kind::RateLimited,
            ErrorKind::Upstream { .. } => Kind::Upstream,
            ErrorKind::Transport => Kind::Transport,
            ErrorKind::InvalidResponse => Kind::InvalidResponse,
            ErrorKind::LimitExceeded => Kind::LimitExceeded,
        }
    }
}

/// An action failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Which case.
    pub kind: ErrorKind,
    /// What happened and what to do.
    pub message: String,
    /// Extra context (a JSON object), such as how far a listing got.
    pub detail: Option<Value>,
    /// The HTTP status of Docker's answer, when the error came from one.
    pub status: Option<u16>,
    /// Docker's own `detail`/`message` text, when its answer carried one. Actions that need to tell
    /// Docker's refusals apart read this, never the message built around it.
    pub docker_message: Option<String>,
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), detail: None, status: None, docker_message: None }
    }

    /// Attaches JSON detail.
    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// `invalid-input`
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// `missing-credential`
    pub fn missing_credential(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::MissingCredential, message)
    }

    /// `not-found`
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// `conflict`
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// `invalid-response`
    pub fn invalid_response(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidResponse, message)
    }

    /// `limit-exceeded` for the limit named `limit` (detail `{"limit": limit, "value": value}`).
    pub fn limit_exceeded(limit: &str, value: u64, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::LimitExceeded, message).with_detail(serde_json::json!({ "limit": limit, "value": value }))
    }

    /// Adds the fields of the JSON object `more` to the detail (kept when the detail is not an
    /// object: then it moves under `"cause"`).
    pub fn add_detail(mut self, more: Value) -> Self {
        let Value::Object(more) = more else { return self };
        let mut detail = match self.detail.take() {
            None => serde_json::Map::new(),
            Some(Value::Object(map)) => map,
            Some(other) => serde_json::Map::from_iter([("cause".to_string(), other)]),
        };
        detail.extend(more);
        self.detail = Some(Value::Object(detail));
        self
    }

    /// The kind's stable kebab-case name: the WIT case's name, used in JSON outputs and by hosts.
    pub fn kind_name(&self) -> &'static str {
        self.kind.wire().name()
    }

    /// Applies `f` to every string this error shows (message, Docker message, detail strings).
    pub fn map_text(mut self, f: &dyn Fn(&str) -> String) -> Self {
        self.message = f(&self.message);
        if let Some(m) = self.docker_message.as_mut() {
            *m = f(m);
        }
        if let Some(detail) = self.detail.as_mut() {
            map_json_strings(detail, f);
        }
        self
    }
}

/// Applies `f` to every string (keys included) inside a JSON value.
pub fn map_json_strings(value: &mut Value, f: &dyn Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| map_json_strings(v, f)),
        Value::Object(map) => {
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (k, mut v) in entries {
                map_json_strings(&mut v, f);
                map.insert(f(&k), v);
            }
        }
        _ => {}
    }
}
