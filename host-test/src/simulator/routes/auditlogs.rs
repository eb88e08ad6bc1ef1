//! `/v2/auditlogs/{org}…`: the recorded audit events and Docker's action catalogue.

use serde_json::{Value, json};

use super::{Reply, Request, Route, invalid, paging, reply};
use crate::simulator::state::State;

/// The audit-log action catalogue, as Docker's newest API reference lists it.
pub const AUDIT_ACTIONS: &str = include_str!("../../../../fixtures/simulator/audit-actions.json");

/// The audit-log routes (`/v2/auditlogs/{org}...`).
pub(super) fn route(state: &mut State, to: &Route) -> Option<Reply> {
    Some(match (to.method, to.segs) {
        ("GET", ["v2", "auditlogs", o]) if to.org(o) => list(state, to.request),
        ("GET", ["v2", "auditlogs", o, "actions"]) if to.org(o) => actions(),
        _ => return None,
    })
}

fn parse_time(value: &str) -> Option<std::time::SystemTime> {
    humantime::parse_rfc3339_weak(value).ok()
}

/// `GET /v2/auditlogs/{org}`: recorded events, filtered by action, name, actor and time, paged.
pub(super) fn list(state: &State, request: &Request) -> Reply {
    let (page, size) = match paging(request, 25) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let q = |k: &str| request.query.get(k).map(String::as_str);
    let from = match q("from").map(parse_time) {
        Some(None) => return invalid("from", "from must be an RFC 3339 date-time"),
        Some(t) => t,
        None => None,
    };
    let to = match q("to").map(parse_time) {
        Some(None) => return invalid("to", "to must be an RFC 3339 date-time"),
        Some(t) => t,
        None => None,
    };
    let logs: Vec<&Value> = state
        .events
        .iter()
        .filter(|e| q("action").is_none_or(|a| e["action"] == a))
        .filter(|e| q("name").is_none_or(|n| e["name"] == n))
        .filter(|e| q("actor").is_none_or(|a| e["actor"] == a))
        .filter(|e| {
            let at = e["timestamp"].as_str().and_then(parse_time);
            from.is_none_or(|f| at.is_some_and(|t| t >= f)) && to.is_none_or(|u| at.is_some_and(|t| t <= u))
        })
        .skip((page - 1) * size)
        .take(size)
        .collect();
    reply(200, json!({ "logs": logs }))
}

/// The action catalogue of Docker's newest API reference (`fixtures/simulator/audit-actions.json`).
pub(super) fn actions() -> Reply {
    let mut catalogue: Value = serde_json::from_str(AUDIT_ACTIONS).unwrap_or(Value::Null);
    if let Some(map) = catalogue.as_object_mut() {
        map.remove("_source");
    }
    reply(200, catalogue)
}
