//! `/v2/auditlogs/{account}…`: audit-log events and the action names that filter them.
//!
//! Builders only describe the requests; the models read Docker's `GetAuditLogsResponse` and
//! `GetAuditActionsResponse` tolerantly (every field may be missing or null) and map them into the
//! stable shapes the actions output.
//!
//! How actions are named (docker/docs `content/reference/api/hub/latest.yaml`, newest copy):
//! `GET /v2/auditlogs/{account}/actions` lists actions in groups keyed `org`, `repo`, `billing`,
//! `enterprise`, `oidc`, `offload`, each action named within its group (`tag.push` under `repo`,
//! `member.role.change` under `org`), while an event's `action` and the `action` filter carry the
//! group too: the documented example event is `repo.tag.push`, and the filter is described as
//! "action name one of [\"repo.tag.push\", ...]". So the filter for an action is its group, a dot,
//! and its name ([`action_filter`]), and list-audit-actions outputs it as `filter`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ApiRequest, Chunk, Endpoint, Paged, Scope, path};
use crate::error::{Error, Result};
use crate::host::Method;

/// The `action` filter (and an event's `action`) for the action `name` of group `group`:
/// `action_filter("repo", "tag.push") == "repo.tag.push"`.
pub fn action_filter(group: &str, name: &str) -> String {
    format!("{group}.{name}")
}

/// Checks an `action` filter before it is sent: Docker's action names are lower-case words joined by
/// `.`, `_` or `-`, always with the group in front, so anything else could only match nothing.
pub fn check_action_filter(action: Option<String>) -> Result<Option<String>> {
    let Some(action) = action else { return Ok(None) };
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    let dotted = action.split('.').count() >= 2 && action.split('.').all(|part| !part.is_empty());
    if action.chars().all(allowed) && dotted {
        return Ok(Some(action));
    }
    Err(Error::invalid_input(format!(
        "\"action\" must be an audit-log action as events name it: its group and its name joined by a dot, in lower case, \
such as \"repo.tag.push\" or \"org.member.role.change\" (list-audit-actions gives each action's \"filter\"). Got \"{action}\"."
    )))
}

/// Filters of the audit-log listing, as Docker names them. `from` and `to` are already validated
/// RFC 3339 date-times.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// `action`: one action as events name it (group, dot, name), such as `repo.tag.push`.
    pub action: Option<String>,
    /// `name`: repository, organization or team-member name the event is about.
    pub name: Option<String>,
    /// `actor`: the user who triggered the event.
    pub actor: Option<String>,
    /// `from`: start of the time window (RFC 3339).
    pub from: Option<String>,
    /// `to`: end of the time window (RFC 3339).
    pub to: Option<String>,
}

/// What an audit-log request addresses, for messages.
pub fn audit_target(org: &str) -> String {
    format!("the audit logs of organization \"{org}\"")
}

/// `GET /v2/auditlogs/{org}` for one page.
pub fn list_audit_logs(org: &str, query: &AuditQuery, page: u32, page_size: u32) -> Endpoint<AuditLogsResponse> {
    ApiRequest::new(Method::Get, path(&["v2", "auditlogs", org]), Scope::AuditLogRead, audit_target(org))
        .query_opt("action", query.action.as_deref())
        .query_opt("name", query.name.as_deref())
        .query_opt("actor", query.actor.as_deref())
        .query_opt("from", query.from.as_deref())
        .query_opt("to", query.to.as_deref())
        .query("page", page)
        .query("page_size", page_size)
        .into()
}

/// `GET /v2/auditlogs/{org}/actions`.
pub fn list_audit_actions(org: &str) -> Endpoint<AuditActionsResponse> {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "auditlogs", org, "actions"]),
        Scope::AuditLogRead,
        format!("the audit-log actions of organization \"{org}\""),
    )
    .into()
}

/// Docker's `GetAuditLogsResponse`: `{"logs": [...]}`, with no count and no next link.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditLogsResponse {
    /// This page's events; null means none. Required: an answer without it is not a page.
    #[serde(deserialize_with = "super::present")]
    pub logs: Option<Vec<AuditLog>>,
}

/// An audit-log page has no count and no next link, so a walk stops on a short or empty page.
impl Paged for AuditLogsResponse {
    type Item = AuditLog;

    fn into_chunk(self) -> Chunk<AuditLog> {
        Chunk { items: self.logs.unwrap_or_default(), count: None, has_next: None }
    }
}

/// Docker's `AuditLog`; every field may be missing or null.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct AuditLog {
    /// Namespace the event belongs to.
    pub account: Option<String>,
    /// Action name, such as `repo.tag.push`.
    pub action: Option<String>,
    /// What the event is about (repository, organization, team member).
    pub name: Option<String>,
    /// Who triggered it.
    pub actor: Option<String>,
    /// Action-specific details (`digest`, `tag`, …).
    pub data: Option<Value>,
    /// When it happened (RFC 3339).
    pub timestamp: Option<String>,
    /// Docker's sentence describing the event (ends with a newline).
    pub action_description: Option<String>,
}

/// An audit-log event as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditEvent {
    /// Namespace the event belongs to.
    pub account: Option<String>,
    /// Action name, such as `repo.tag.push`.
    pub action: Option<String>,
    /// What the event is about.
    pub name: Option<String>,
    /// Who triggered it.
    pub actor: Option<String>,
    /// Action-specific details; always an object (empty when Docker sent none).
    pub data: Map<String, Value>,
    /// When it happened, as Docker wrote it.
    pub timestamp: Option<String>,
    /// Docker's `action_description`, trimmed; null when blank.
    pub description: Option<String>,
}

/// A text field trimmed, or `None` when missing or blank.
fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl From<AuditLog> for AuditEvent {
    fn from(log: AuditLog) -> Self {
        let data = match log.data {
            Some(Value::Object(map)) => map,
            None | Some(Value::Null) => Map::new(),
            // Not the documented object: kept, under one key, rather than dropped.
            Some(other) => Map::from_iter([("value".to_string(), other)]),
        };
        AuditEvent {
            account: log.account,
            action: log.action,
            name: log.name,
            actor: log.actor,
            data,
            timestamp: log.timestamp,
            description: trimmed(log.action_description),
        }
    }
}

/// Docker's `GetAuditActionsResponse`: action groups keyed by group name (`org`, `repo`, …).
/// A `BTreeMap` keeps the groups in a stable (alphabetical) order.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditActionsResponse {
    /// Groups by key; null means none. Required: an answer without it is not the catalogue.
    #[serde(deserialize_with = "super::present")]
    pub actions: Option<BTreeMap<String, AuditActionGroupRaw>>,
}

/// Docker's `AuditLogActions`: one group's label and actions.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditActionGroupRaw {
    /// Group label, such as `Organization`.
    pub label: Option<String>,
    /// The group's actions.
    pub actions: Option<Vec<AuditActionRaw>>,
}

/// Docker's `AuditLogAction`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditActionRaw {
    /// Action name, such as `team.create`.
    pub name: Option<String>,
    /// What events it contains.
    pub description: Option<String>,
    /// Human label, such as `Team Created`.
    pub label: Option<String>,
}

/// One group of audit-log actions as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditActionGroup {
    /// Docker's key for the group (`org`, `repo`).
    pub group: String,
    /// Group label.
    pub label: Option<String>,
    /// The group's actions, in Docker's order.
    pub actions: Vec<AuditAction>,
}

/// One audit-log action as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct AuditAction {
    /// Action name as Docker lists it within its group, such as `tag.push`.
    pub name: String,
    /// The value for list-audit-logs' `action` filter, as events name the action: the group, a
    /// dot, the name (`repo.tag.push`).
    pub filter: String,
    /// Human label.
    pub label: Option<String>,
    /// What events it contains.
    pub description: Option<String>,
}

impl AuditActionsResponse {
    /// The groups in key order, each with its actions in Docker's order; actions without a name are
    /// skipped (they could not be used as a filter).
    pub fn into_groups(self) -> Vec<AuditActionGroup> {
        self.actions
            .unwrap_or_default()
            .into_iter()
            .map(|(group, raw)| AuditActionGroup {
                label: trimmed(raw.label),
                actions: raw
                    .actions
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|a| {
                        let name = trimmed(a.name)?;
                        Some(AuditAction {
                            filter: action_filter(&group, &name),
                            name,
                            label: trimmed(a.label),
                            description: trimmed(a.description),
                        })
                    })
                    .collect(),
                group,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_audit_logs_passes_every_filter_and_encodes_the_org() {
        let q = AuditQuery {
            action: Some("repo.tag.push".into()),
            name: Some("acme/web app".into()),
            actor: Some("jon".into()),
            from: Some("2024-01-01T00:00:00Z".into()),
            to: Some("2024-01-31T23:59:59Z".into()),
        };
        let r = list_audit_logs("ac/me", &q, 3, 25);
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.scope, Scope::AuditLogRead);
        assert_eq!(
            r.path_and_query(),
            "/v2/auditlogs/ac%2Fme?action=repo.tag.push&name=acme%2Fweb+app&actor=jon\
&from=2024-01-01T00%3A00%3A00Z&to=2024-01-31T23%3A59%3A59Z&page=3&page_size=25"
        );
    }

    #[test]
    fn list_audit_logs_without_filters_sends_only_paging() {
        let r = list_audit_logs("acme", &AuditQuery::default(), 1, 25);
        assert_eq!(r.path_and_query(), "/v2/auditlogs/acme?page=1&page_size=25");
    }

    #[test]
    fn list_audit_actions_addresses_the_actions_path() {
        let r = list_audit_actions("acme");
        assert_eq!(
            (r.method, r.path.as_str(), r.scope),
            (Method::Get, "/v2/auditlogs/acme/actions", Scope::AuditLogRead)
        );
        assert!(r.query.is_empty());
    }

    #[test]
    fn an_empty_logs_body_is_an_empty_page() {
        let request = list_audit_logs("acme", &AuditQuery::default(), 1, 25);
        for body in [&br#"{"logs": []}"#[..], br#"{"logs": null}"#] {
            let response = crate::host::HttpResponse { status: 200, headers: vec![], body: body.to_vec() };
            let chunk = request.read(&response).unwrap().into_chunk();
            assert!(chunk.items.is_empty());
            assert_eq!((chunk.count, chunk.has_next), (None, None));
        }
        // Without `logs` an answer is not a page (a proxy's `{"error": ...}` under 200).
        for body in [&b"{}"[..], br#"{"error": "upstream proxy failure"}"#] {
            let response = crate::host::HttpResponse { status: 200, headers: vec![], body: body.to_vec() };
            let e = request.read(&response).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::InvalidResponse, "{}", e.message);
        }
    }

    #[test]
    fn audit_event_trims_the_description_and_keeps_data() {
        let raw: AuditLog = serde_json::from_value(json!({
            "account": "docker", "action": "repo.tag.push", "name": "docker/example", "actor": "docker",
            "data": {"digest": "sha256:c1ae", "tag": "latest"}, "timestamp": "2021-02-19T01:34:35Z",
            "action_description": "pushed the tag latest to the repository docker/example\n", "extra": 1
        }))
        .unwrap();
        let e = AuditEvent::from(raw);
        assert_eq!(e.description.as_deref(), Some("pushed the tag latest to the repository docker/example"));
        assert_eq!(e.data.get("tag"), Some(&json!("latest")));
        assert_eq!(e.timestamp.as_deref(), Some("2021-02-19T01:34:35Z"));
    }

    #[test]
    fn audit_event_tolerates_missing_and_odd_data() {
        let none = AuditEvent::from(
            serde_json::from_value::<AuditLog>(json!({"data": null, "action_description": "  "})).unwrap(),
        );
        assert!(none.data.is_empty());
        assert_eq!(none.description, None);
        let odd = AuditEvent::from(serde_json::from_value::<AuditLog>(json!({"data": "text"})).unwrap());
        assert_eq!(odd.data.get("value"), Some(&json!("text")));
    }

    #[test]
    fn audit_actions_become_groups_in_key_order() {
        let raw: AuditActionsResponse = serde_json::from_value(json!({"actions": {
            "repo": {"label": "Repository", "actions": [{"name": "tag.push", "description": "contains image tag push events", "label": "Tag Pushed"}]},
            "org": {"label": "Organization", "actions": [
                {"name": "team.create", "description": "contains team create events", "label": "Team Created"},
                {"description": "nameless"}
            ]}
        }}))
        .unwrap();
        let groups = raw.into_groups();
        assert_eq!(groups.iter().map(|g| g.group.as_str()).collect::<Vec<_>>(), ["org", "repo"]);
        assert_eq!(groups[0].actions.len(), 1, "a nameless action is skipped");
        assert_eq!(groups[0].actions[0].label.as_deref(), Some("Team Created"));
        assert_eq!(groups[1].label.as_deref(), Some("Repository"));
    }

    #[test]
    fn audit_actions_tolerate_null() {
        let raw: AuditActionsResponse = serde_json::from_value(json!({"actions": null})).unwrap();
        assert!(raw.into_groups().is_empty());
    }

    #[test]
    fn every_action_gets_the_filter_events_carry() {
        let raw: AuditActionsResponse = serde_json::from_value(json!({"actions": {
            "repo": {"label": "Repository", "actions": [{"name": "tag.push", "label": "Tag Pushed"}]},
            "org": {"label": "Organization", "actions": [{"name": "member.role.change"}]}
        }}))
        .unwrap();
        let groups = raw.into_groups();
        assert_eq!(groups[0].actions[0].filter, "org.member.role.change");
        assert_eq!(groups[1].actions[0].filter, "repo.tag.push");
    }

    #[test]
    fn action_filters_must_be_dotted_lower_case_names() {
        for good in
            ["repo.tag.push", "org.member.role.change", "org.domain.auto-provisioning.toggle", "billing.plan.seat_add"]
        {
            assert_eq!(check_action_filter(Some(good.into())).unwrap().as_deref(), Some(good));
        }
        assert_eq!(check_action_filter(None).unwrap(), None);
        for bad in ["Repo.Tag.Push", "push", "repo..push", "repo.tag push", ".repo", "repo/tag"] {
            let e = check_action_filter(Some(bad.into())).unwrap_err();
            assert!(e.message.contains("\"action\" must be an audit-log action") && e.message.contains(bad), "{bad}");
        }
    }
}
