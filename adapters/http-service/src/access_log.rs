//! The access log: one JSON line per request, written to the service's standard error
//! (`wasi:cli/stderr`), so an operator can see who changed what.
//!
//! ```text
//! {"time":"2026-12-03T16:20:01.25Z","key":"ci-bot","method":"POST","route":"action","action":"remove-member","dry_run":true,"outcome":"ok","status":200,"duration_ms":41,"docker_requests":3}
//! ```
//!
//! `key` is the key's configured name (`null` without one), never the key; nothing from the
//! request's headers or body is written except the action name (kebab-case, checked by the router)
//! and the method (bounded). `outcome` is `ok`, the plugin's error kind (`not-found`, `conflict`…),
//! `unhealthy` for failed health checks, or why the request was refused (`unauthenticated`,
//! `insufficient-role`…, see [`crate::access::Denial::kind`]). `docker_requests` counts the requests
//! the imports adapter handed to `wasi:http` for this request (token exchange included).

use serde_json::json;

/// Longest method or action name written, in bytes (both come from the request).
const MAX_FIELD_BYTES: usize = 64;

/// One request, as the log records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// Wall-clock time the request arrived: Unix seconds and nanoseconds.
    pub time: Option<(u64, u32)>,
    /// The caller's key name.
    pub key: Option<String>,
    /// The request method.
    pub method: String,
    /// `action`, `manifest`, `health`, or `none` when the request had no route.
    pub route: &'static str,
    /// The action asked for.
    pub action: Option<String>,
    /// The input asked for a dry run.
    pub dry_run: bool,
    /// `ok`, an error kind, or a refusal.
    pub outcome: String,
    /// The answer's status.
    pub status: u16,
    /// From arrival to the last byte of the answer, in milliseconds.
    pub duration_ms: u64,
    /// Requests sent to Docker Hub.
    pub docker_requests: u32,
}

impl Entry {
    /// The line, JSON with a trailing new line.
    pub fn line(&self) -> String {
        let time = self.time.and_then(|(seconds, nanos)| rfc3339(seconds, nanos));
        let value = json!({
            "time": time,
            "key": self.key,
            "method": bounded(&self.method),
            "route": self.route,
            "action": self.action.as_deref().map(bounded),
            "dry_run": self.dry_run,
            "outcome": self.outcome,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "docker_requests": self.docker_requests,
        });
        value.to_string() + "\n"
    }
}

/// `text` cut to at most [`MAX_FIELD_BYTES`], on a character boundary.
fn bounded(text: &str) -> &str {
    let mut end = text.len().min(MAX_FIELD_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Unix time as RFC 3339 in UTC, to the millisecond.
fn rfc3339(seconds: u64, nanos: u32) -> Option<String> {
    let nanos = i128::from(seconds) * 1_000_000_000 + i128::from(nanos / 1_000_000 * 1_000_000);
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    time.format(&time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_json_object_with_every_field() {
        let entry = Entry {
            time: Some((1_796_314_801, 250_999_999)),
            key: Some("ci-bot".into()),
            method: "POST".into(),
            route: "action",
            action: Some("remove-member".into()),
            dry_run: true,
            outcome: "ok".into(),
            status: 200,
            duration_ms: 41,
            docker_requests: 3,
        };
        let line = entry.line();
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["time"], "2026-12-03T16:20:01.25Z");
        assert_eq!(value["key"], "ci-bot");
        assert_eq!(value["action"], "remove-member");
        assert_eq!((value["dry_run"].clone(), value["status"].clone()), (json!(true), json!(200)));
        assert_eq!((value["duration_ms"].clone(), value["docker_requests"].clone()), (json!(41), json!(3)));
    }

    #[test]
    fn hostile_fields_stay_on_one_bounded_line() {
        let entry = Entry {
            method: format!("GET\n{{\"forged\": true}}\u{1b}]0;title\u{7}{}", "é".repeat(100)),
            route: "none",
            outcome: "not-found".into(),
            ..Entry::default()
        };
        let line = entry.line();
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        assert!(!line.contains('\u{1b}'), "{line}");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(value["method"].as_str().unwrap().len() <= MAX_FIELD_BYTES);
        assert_eq!((value["time"].clone(), value["key"].clone()), (json!(null), json!(null)));
    }
}
