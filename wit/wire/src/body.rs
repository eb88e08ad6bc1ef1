//! The JSON body of an action's failure, as the hosts show it (the MCP server's structured error,
//! the service's answer): `{"error": kind, "message", "detail", …}`, written here once.

use serde_json::{Value, json};

use crate::Kind;

/// How a body spells a field this failure does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// As `null` (the service's documented answer: every field of the kind is there).
    Null,
    /// Left out (the MCP server's structured content).
    Omitted,
}

/// One failure, as the plugin reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorBody<'a> {
    /// The kind.
    pub kind: Kind,
    /// What happened and what to do.
    pub message: &'a str,
    /// Extra context as JSON text (kept as a string when it is not JSON).
    pub detail: Option<&'a str>,
    /// For `rate-limited`: the Unix time Docker Hub accepts calls again.
    pub retry_after: Option<u64>,
    /// For `upstream`: Docker Hub's status and its own message.
    pub upstream: Option<(u16, Option<&'a str>)>,
    /// Copy the guest's fixes (`detail.hints`, when a list) to the top level as `hints`, as the
    /// manifest's error body describes.
    pub hints: bool,
}

impl<'a> ErrorBody<'a> {
    /// A body with only a kind and a message.
    pub fn new(kind: Kind, message: &'a str) -> Self {
        ErrorBody { kind, message, detail: None, retry_after: None, upstream: None, hints: false }
    }

    /// The body: `error`, `message`, `detail` (parsed), `hints` when asked for, and for a rate
    /// limit `retry_after`, for an upstream answer `status` and `docker_message`; a field this
    /// failure does not have is written as `absent` says.
    pub fn to_json(&self, absent: Absent) -> Value {
        let mut body = json!({ "error": self.kind.name(), "message": self.message });
        let mut put = |key: &str, value: Option<Value>| match (value, absent) {
            (Some(value), _) => body[key] = value,
            (None, Absent::Null) => body[key] = Value::Null,
            (None, Absent::Omitted) => {}
        };
        let detail = self.detail.map(|d| serde_json::from_str(d).unwrap_or_else(|_| Value::from(d)));
        let hints = detail.as_ref().and_then(|d| d.get("hints")).filter(|h| h.is_array()).cloned();
        put("detail", detail);
        if self.hints && hints.is_some() {
            put("hints", hints);
        }
        if self.kind == Kind::RateLimited {
            put("retry_after", self.retry_after.map(Value::from));
        }
        if let Some((status, docker_message)) = self.upstream {
            put("status", Some(Value::from(status)));
            put("docker_message", docker_message.map(Value::from));
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_are_null_or_left_out_and_hints_come_up_when_asked() {
        let mut body = ErrorBody::new(Kind::RateLimited, "Slow down.");
        assert_eq!(
            body.to_json(Absent::Null),
            json!({"error": "rate-limited", "message": "Slow down.", "detail": null, "retry_after": null})
        );
        assert_eq!(body.to_json(Absent::Omitted), json!({"error": "rate-limited", "message": "Slow down."}));
        body.detail = Some(r#"{"hints": ["wait"], "resume_page": 3}"#);
        body.retry_after = Some(1_060);
        assert_eq!(body.to_json(Absent::Omitted)["retry_after"], 1_060);
        assert_eq!(body.to_json(Absent::Omitted).get("hints"), None);
        body.hints = true;
        assert_eq!(body.to_json(Absent::Omitted)["hints"], json!(["wait"]));
        let mut upstream = ErrorBody::new(Kind::Upstream, "Docker Hub answered 500.");
        upstream.upstream = Some((500, None));
        upstream.detail = Some("not json");
        let written = upstream.to_json(Absent::Null);
        assert_eq!((written["status"].clone(), written["docker_message"].clone()), (json!(500), Value::Null));
        assert_eq!(written["detail"], "not json");
        assert_eq!(upstream.to_json(Absent::Omitted).get("docker_message"), None);
        assert_eq!(upstream.to_json(Absent::Omitted).get("retry_after"), None);
    }
}
