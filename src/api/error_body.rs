//! Docker Hub's error bodies in every shape it answers, and the refusals the actions tell apart.
//!
//! Shapes seen (each one's words must reach the user):
//!
//! - `{"errinfo": {...}, "detail": "...", "message": "..."}`: the OpenAPI `error` schema (docker/docs
//!   `content/reference/api/hub/latest.yaml`, `components/schemas/error`).
//! - `{"detail": "Rate limit exceeded", "error": false}`: the documented 429 of the audit-log
//!   endpoints (same file). `error` is a boolean there, never the text.
//! - `{"txnid": "...", "message": "...", "errinfo": {...}}`: errors that carry a transaction id.
//! - `{"fields": {"ordering": ["..."]}, "text": "..."}`: the `ValueError` schema of 400 answers
//!   (`components/schemas/ValueError`, and the `invalid_ordering` example of
//!   `listNamespaceRepositories`).
//! - `{"name": ["..."]}`: Django REST framework field errors (docker/hub-feedback issue 1744:
//!   `{"orgname": ["An organization with the same name already exists."]}`).
//! - `{"message": "httperror 400: request had 1 validation error", "errinfo": {"fielderrors":
//!   {"name": "..."}}}`: field errors inside `errinfo` (docker/terraform-provider-docker issue 11).
//!
//! The refusal heuristics (name taken, already a member, last owner) live here too, so they are
//! written once and read Docker's words the same way: none of them fires on a validation 400.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::Error;

/// Keys whose string value is Docker's sentence, in order of preference.
const MESSAGE_KEYS: &[&str] = &["detail", "message", "text", "error", "error_description"];
/// Keys that are metadata, never a field error.
const METADATA_KEYS: &[&str] = &["errinfo", "txnid", "code", "status", "schemas", "fields"];
/// Where the error detail keeps the field errors of Docker's answer (see `client::status`).
pub const FIELDS_DETAIL_KEY: &str = "docker_fields";

/// Docker's error body, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DockerError {
    /// Docker's sentence, if the body had one.
    pub message: Option<String>,
    /// Field errors: field name → Docker's messages for it (`fields`, or Django-style keys).
    pub fields: BTreeMap<String, Vec<String>>,
    /// Docker's transaction id, useful when asking Docker support about the failure.
    pub txnid: Option<String>,
}

/// A non-blank string, trimmed.
fn text_of(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Field messages: a string, or an array of strings (non-strings are skipped).
fn messages_of(value: &Value) -> Option<Vec<String>> {
    let messages: Vec<String> = match value {
        Value::String(_) => text_of(value).into_iter().collect(),
        Value::Array(items) if items.iter().all(Value::is_string) => items.iter().filter_map(text_of).collect(),
        _ => return None,
    };
    (!messages.is_empty()).then_some(messages)
}

fn add_fields(into: &mut BTreeMap<String, Vec<String>>, map: &Map<String, Value>) {
    for (key, value) in map {
        if let Some(messages) = messages_of(value) {
            into.entry(key.clone()).or_default().extend(messages);
        }
    }
}

impl DockerError {
    /// Reads a body; `None` when it is not JSON or says nothing (an HTML error page, `{}`).
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
        let parsed = match &value {
            Value::String(_) => DockerError { message: text_of(&value), ..Default::default() },
            Value::Object(map) => Self::from_object(map),
            // A bare list of messages (Django's non-field form).
            Value::Array(_) => DockerError { message: messages_of(&value).map(|m| m.join(" ")), ..Default::default() },
            _ => return None,
        };
        (parsed.message.is_some() || !parsed.fields.is_empty()).then_some(parsed)
    }

    fn from_object(map: &Map<String, Value>) -> Self {
        let mut fields = BTreeMap::new();
        let mut message = None;
        for key in MESSAGE_KEYS {
            match map.get(*key) {
                Some(v @ Value::String(_)) if message.is_none() => message = text_of(v),
                // `{"detail": {"name": [...]}}`: field errors under the message key.
                Some(Value::Object(inner)) => add_fields(&mut fields, inner),
                _ => {}
            }
        }
        if let Some(Value::Object(inner)) = map.get("fields") {
            add_fields(&mut fields, inner);
        }
        if let Some(Value::Object(inner)) = map.get("errinfo").and_then(|e| e.get("fielderrors")) {
            add_fields(&mut fields, inner);
        }
        for (key, value) in map {
            if MESSAGE_KEYS.contains(&key.as_str()) || METADATA_KEYS.contains(&key.as_str()) {
                continue;
            }
            // Django-style: only arrays of strings count, so unknown metadata is never read as text.
            if value.is_array()
                && let Some(messages) = messages_of(value)
            {
                fields.entry(key.clone()).or_default().extend(messages);
            }
        }
        if message.is_none() {
            message = fields.remove("non_field_errors").map(|m| m.join(" "));
        }
        let txnid = map
            .get("txnid")
            .and_then(text_of)
            .or_else(|| map.get("errinfo").and_then(|e| e.get("api_call_txnid")).and_then(text_of));
        DockerError { message, fields, txnid }
    }

    /// The best single message in the body, field errors included, if any.
    pub fn text(body: &[u8]) -> Option<String> {
        Self::parse(body).map(|e| e.to_text())
    }

    /// Field errors as one line: `name: Ensure this field has no more than 100 characters.; …`.
    pub fn fields_text(&self) -> Option<String> {
        let parts: Vec<String> =
            self.fields.iter().map(|(field, messages)| format!("{field}: {}", messages.join(" "))).collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Docker's words: the sentence, then the field errors in parentheses (or the field errors
    /// alone), then the transaction id.
    pub fn to_text(&self) -> String {
        let mut text = match (&self.message, self.fields_text()) {
            (Some(m), Some(f)) if !m.contains(&f) => format!("{m} ({f})"),
            (Some(m), _) => m.clone(),
            (None, Some(f)) => f,
            (None, None) => String::new(),
        };
        if let Some(txnid) = &self.txnid {
            text.push_str(&format!(" [Docker transaction id {txnid}]"));
        }
        text
    }

    /// The field errors as JSON, for an error's detail.
    pub fn fields_json(&self) -> Option<Value> {
        (!self.fields.is_empty()).then(|| serde_json::to_value(&self.fields).unwrap_or(Value::Null))
    }
}

/// Words that mark Docker's refusal as input validation (a malformed value), not a state conflict.
const VALIDATION_WORDS: &[&str] = &[
    "invalid",
    "not valid",
    "character",
    "too long",
    "too short",
    "length",
    "required",
    "blank",
    "may not",
    "must not",
    "must contain",
    "must start",
    "format",
    "not allowed",
    "ensure this",
];

/// Docker's words on `error` in lower case, with `name` taken out (so a team called "taken" or a
/// user called "already" does not match), field errors included.
fn words(error: &Error, name: &str) -> String {
    let text = error.docker_message.as_deref().unwrap_or("");
    let text = if name.is_empty() { text.to_string() } else { text.replace(name, "") };
    text.to_lowercase()
}

/// Whether Docker's refusal reads as input validation: the answer had field errors that do not say
/// the value is in use, or its words say the value is malformed.
pub fn is_validation_refusal(error: &Error, name: &str) -> bool {
    let text = words(error, name);
    VALIDATION_WORDS.iter().any(|w| text.contains(w))
}

/// Whether `error` says the team name `name` is already in use.
///
/// Docker documents no duplicate-name answer (create lists only 400; rename nothing). Assumption: a
/// 409, or a 400 whose words say the name already exists, is taken, is a duplicate or must be unique
/// and do not speak of a malformed value. A 400 for an invalid name is validation, never "taken",
/// even if it happens to say "exists".
pub fn says_name_taken(error: &Error, name: &str) -> bool {
    match error.status {
        Some(409) => true,
        Some(400) => {
            let text = words(error, name);
            let denies = ["not exist", "n't exist", "no longer exist"].iter().any(|p| text.contains(p));
            let taken = ["already", "taken", "duplicate", "unique", "in use"].iter().any(|w| text.contains(w))
                || (text.contains("exist") && !denies);
            taken && !is_validation_refusal(error, name)
        }
        _ => false,
    }
}

/// Whether Docker's refusal of adding `username` to a team means they are on it already.
///
/// Not documented; assumed: a 409, or a 400 whose words say "already" and nothing about a malformed
/// value (the username is removed from the words first).
pub fn says_already_member(error: &Error, username: &str) -> bool {
    match error.status {
        Some(409) => true,
        Some(400) => words(error, username).contains("already") && !is_validation_refusal(error, username),
        _ => false,
    }
}

/// Whether `error` is Docker refusing to leave the organization without an owner.
///
/// Docker documents only that a member is removed "unless they're the last owner"
/// (`DELETE /v2/orgs/{org_name}/members/{username}`); the status and wording of the refusal are not
/// documented. Assumed: a 400, 403 or 409 whose words speak of an owner together with "last", "sole",
/// "remaining", "at least one" or "only one". A 403 that says only owners may call the endpoint, or
/// a validation 400 ("role must be one of owner, editor, member"), does not match.
pub fn says_last_owner(error: &Error) -> bool {
    if !matches!(error.status, Some(400 | 403 | 409)) {
        return false;
    }
    let text = words(error, "");
    text.contains("owner")
        && ["last", "sole", "remaining", "at least one", "only one"].iter().any(|w| text.contains(w))
        && !(error.status == Some(400) && text.contains("invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> Option<String> {
        DockerError::text(body.as_bytes())
    }

    fn refusal(status: u16, body: &str) -> Error {
        Error { status: Some(status), docker_message: text(body), ..Error::invalid_input("x") }
    }

    #[test]
    fn detail_then_message_then_text() {
        assert_eq!(text(r#"{"detail":"nope","message":"m"}"#).as_deref(), Some("nope"));
        assert_eq!(text(r#"{"errinfo":{},"message":"m"}"#).as_deref(), Some("m"));
        assert_eq!(text("<html>"), None);
        assert_eq!(text("{}"), None);
        assert_eq!(text(r#""plain words""#).as_deref(), Some("plain words"));
    }

    #[test]
    fn the_429_body_with_a_boolean_error_keeps_its_detail() {
        assert_eq!(text(r#"{"detail":"Rate limit exceeded","error":false}"#).as_deref(), Some("Rate limit exceeded"));
        assert_eq!(text(r#"{"error":false}"#), None);
    }

    #[test]
    fn txnid_bodies_keep_the_message_and_the_transaction_id() {
        let body = r#"{"txnid":"a1b2","message":"You don't have permission to perform this action.","errinfo":{}}"#;
        assert_eq!(
            text(body).as_deref(),
            Some("You don't have permission to perform this action. [Docker transaction id a1b2]")
        );
        let nested = r#"{"message":"m","errinfo":{"api_call_txnid":"t9","api_call_name":"x"}}"#;
        assert_eq!(DockerError::parse(nested.as_bytes()).unwrap().txnid.as_deref(), Some("t9"));
    }

    #[test]
    fn value_error_bodies_give_the_text_and_every_field() {
        let body = r#"{"fields":{"ordering":["Invalid ordering value. Must be one of: name, -name"]},"text":"Invalid ordering value"}"#;
        assert_eq!(
            text(body).as_deref(),
            Some("Invalid ordering value (ordering: Invalid ordering value. Must be one of: name, -name)")
        );
    }

    #[test]
    fn field_errors_inside_errinfo_are_read() {
        let body = r#"{"message":"httperror 400: request had 1 validation error","errinfo":{"fielderrors":{"name":"name may only include alphanumeric characters"}}}"#;
        assert_eq!(
            text(body).as_deref(),
            Some("httperror 400: request had 1 validation error (name: name may only include alphanumeric characters)")
        );
    }

    #[test]
    fn django_field_arrays_are_read() {
        let body =
            r#"{"orgname":["An organization with the same name already exists."],"profile_url":["Invalid value."]}"#;
        let parsed = DockerError::parse(body.as_bytes()).unwrap();
        assert_eq!(parsed.message, None);
        assert_eq!(parsed.fields.len(), 2);
        assert_eq!(
            parsed.to_text(),
            "orgname: An organization with the same name already exists.; profile_url: Invalid value."
        );
        assert_eq!(text(r#"{"non_field_errors":["Nope."]}"#).as_deref(), Some("Nope."));
        assert_eq!(text(r#"{"detail":{"name":["Too long."]}}"#).as_deref(), Some("name: Too long."));
        // Metadata that is not an array of strings is not mistaken for a message.
        assert_eq!(text(r#"{"errinfo":{"a":"b"},"count":3}"#), None);
    }

    #[test]
    fn a_validation_400_is_not_name_taken() {
        let invalid = refusal(
            400,
            r#"{"fields":{"name":["Invalid team name: it must not contain spaces or characters that exist elsewhere."]}}"#,
        );
        assert!(!says_name_taken(&invalid, "my team"));
        assert!(is_validation_refusal(&invalid, "my team"));
        let blank = refusal(400, r#"{"name":["This field may not be blank."]}"#);
        assert!(!says_name_taken(&blank, ""));
        let long = refusal(400, r#"{"name":["Ensure this field has no more than 100 characters."]}"#);
        assert!(!says_name_taken(&long, "x"));
    }

    #[test]
    fn a_taken_name_is_recognised_in_any_shape() {
        assert!(says_name_taken(&refusal(409, "{}"), "devs"));
        assert!(says_name_taken(&refusal(400, r#"{"detail":"A team with this name already exists."}"#), "devs"));
        assert!(says_name_taken(&refusal(400, r#"{"name":["group with this name already exists."]}"#), "devs"));
        assert!(says_name_taken(&refusal(400, r#"{"fields":{"name":["must be unique"]},"text":"bad"}"#), "devs"));
        // The name itself is not read as Docker's words.
        assert!(!says_name_taken(&refusal(400, r#"{"detail":"Team taken not found"}"#), "taken"));
        assert!(!says_name_taken(&refusal(400, r#"{"detail":"Team does not exist"}"#), "devs"));
        assert!(!says_name_taken(&refusal(403, r#"{"detail":"already"}"#), "devs"));
    }

    #[test]
    fn already_member_reads_already_but_not_validation() {
        assert!(says_already_member(&refusal(409, "{}"), "jon"));
        assert!(says_already_member(&refusal(400, r#"{"message":"User is already a member of the team."}"#), "jon"));
        assert!(!says_already_member(
            &refusal(400, r#"{"message":"Invalid member: already-x is not a valid username"}"#),
            "jon"
        ));
        assert!(!says_already_member(&refusal(400, r#"{"message":"jon already"}"#), "jon already"));
        assert!(!says_already_member(&refusal(404, r#"{"message":"already"}"#), "jon"));
    }

    #[test]
    fn last_owner_needs_owner_and_last_words() {
        assert!(says_last_owner(&refusal(403, r#"{"detail":"Cannot remove the last owner of the organization."}"#)));
        assert!(says_last_owner(&refusal(
            400,
            r#"{"fields":{"role":["the organization must keep at least one owner"]}}"#
        )));
        assert!(!says_last_owner(&refusal(403, r#"{"detail":"Only owners can remove members."}"#)));
        assert!(!says_last_owner(&refusal(400, r#"{"detail":"role must be one of owner, editor, member"}"#)));
        assert!(!says_last_owner(&refusal(400, r#"{"detail":"invalid role: last owner"}"#)));
        assert!(!says_last_owner(&refusal(500, r#"{"detail":"last owner"}"#)));
    }
}
