//! `/v2/orgs/{org_name}/members…`: listing, role changes, removal and the CSV export.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiRequest, Scope, path};
use crate::host::Method;

/// Filters of the member listing, as Docker names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberQuery {
    /// `search`: username, full name or email (fuzzy).
    pub search: Option<String>,
    /// `role`: owner | editor | member.
    pub role: Option<String>,
    /// `type`: all | invitee | member.
    pub member_type: Option<String>,
    /// `invites`: include pending invitees.
    pub invites: Option<bool>,
}

/// `GET /v2/orgs/{org}/members` for one page.
pub fn list_members(org: &str, query: &MemberQuery, page: u32, page_size: u32) -> ApiRequest {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "members"]),
        Scope::MemberRead,
        format!("members of organization \"{org}\""),
    )
    .query_opt("search", query.search.as_deref())
    .query_opt("role", query.role.as_deref())
    .query_opt("type", query.member_type.as_deref())
    .query_opt("invites", query.invites)
    .query("page", page)
    .query("page_size", page_size)
}

/// `PUT /v2/orgs/{org}/members/{username}` with `{"role": role}` (lower-case, as Docker takes it).
pub fn update_member_role(org: &str, username: &str, role: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Put,
        path(&["v2", "orgs", org, "members", username]),
        Scope::MemberEdit,
        format!("member \"{username}\" of organization \"{org}\""),
    )
    .json(json!({ "role": role }))
}

/// `DELETE /v2/orgs/{org}/members/{username}`.
pub fn remove_member(org: &str, username: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Delete,
        path(&["v2", "orgs", org, "members", username]),
        Scope::MemberEdit,
        format!("member \"{username}\" of organization \"{org}\""),
    )
}

/// `GET /v2/orgs/{org}/members/export` (CSV).
pub fn export_members(org: &str) -> ApiRequest {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "members", "export"]),
        Scope::MemberRead,
        format!("member export of organization \"{org}\""),
    )
}

/// A member as Docker returns it (`org_member`); every field may be missing or null.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrgMember {
    /// Docker ID.
    pub username: Option<String>,
    /// Display name.
    pub full_name: Option<String>,
    /// Email (visible to owners).
    pub email: Option<String>,
    /// `Owner`, `Editor`, `Member`, `Invitee` (capitalised).
    pub role: Option<String>,
    /// Team names.
    pub groups: Option<Vec<String>>,
    /// Outside the verified domains.
    pub is_guest: Option<bool>,
    /// When the member joined.
    pub date_joined: Option<String>,
    /// `User` or `Org`.
    #[serde(rename = "type")]
    pub account_type: Option<String>,
    /// Trimmed UUID.
    pub id: Option<String>,
    /// Deprecated primary email.
    pub primary_email: Option<String>,
    /// Insights: last login.
    pub last_logged_in_at: Option<String>,
    /// Insights: last seen.
    pub last_seen_at: Option<String>,
    /// Insights: last Docker Desktop version.
    pub last_desktop_version: Option<String>,
}

/// A member as this plugin outputs it: stable names, role in lower case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// Docker ID.
    pub username: String,
    /// Display name.
    pub full_name: Option<String>,
    /// Email, when visible.
    pub email: Option<String>,
    /// `owner`, `editor`, `member` or `invitee`.
    pub role: Option<String>,
    /// Team names.
    pub groups: Vec<String>,
    /// Guest flag.
    pub is_guest: bool,
    /// When the member joined.
    pub date_joined: Option<String>,
    /// `User` or `Org`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Trimmed UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Insights: last login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_logged_in_at: Option<String>,
    /// Insights: last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_at: Option<String>,
    /// Insights: last Docker Desktop version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_desktop_version: Option<String>,
}

/// Docker's capitalised role in the lower case it accepts back (`Owner` → `owner`).
pub fn normalize_role(role: &str) -> String {
    role.trim().to_ascii_lowercase()
}

impl From<OrgMember> for Member {
    fn from(m: OrgMember) -> Self {
        Member {
            username: m.username.unwrap_or_default(),
            full_name: m.full_name.filter(|s| !s.is_empty()),
            email: m.email.filter(|s| !s.is_empty()).or(m.primary_email.filter(|s| !s.is_empty())),
            role: m.role.as_deref().map(normalize_role),
            groups: m.groups.unwrap_or_default(),
            is_guest: m.is_guest.unwrap_or(false),
            date_joined: m.date_joined,
            account_type: m.account_type,
            id: m.id,
            last_logged_in_at: m.last_logged_in_at,
            last_seen_at: m.last_seen_at,
            last_desktop_version: m.last_desktop_version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_members_passes_filters_through() {
        let q = MemberQuery {
            search: Some("jon@x.io".into()),
            role: Some("owner".into()),
            member_type: Some("member".into()),
            invites: Some(true),
        };
        let r = list_members("acme", &q, 2, 50);
        assert_eq!(r.method, Method::Get);
        assert_eq!(
            r.path_and_query(),
            "/v2/orgs/acme/members?search=jon%40x.io&role=owner&type=member&invites=true&page=2&page_size=50"
        );
        assert_eq!(r.scope, Scope::MemberRead);
    }

    #[test]
    fn update_role_puts_lower_case_role() {
        let r = update_member_role("acme", "jon/snow", "editor");
        assert_eq!(r.path, "/v2/orgs/acme/members/jon%2Fsnow");
        assert_eq!(r.body, Some(json!({"role": "editor"})));
        assert_eq!(r.method, Method::Put);
    }

    #[test]
    fn member_mapping_tolerates_nulls_and_lowercases_role() {
        let raw: OrgMember = serde_json::from_value(json!({
            "username": "jon", "role": "Owner", "groups": null, "email": "", "primary_email": "p@x.io",
            "unknown_field": 1
        }))
        .unwrap();
        let m = Member::from(raw);
        assert_eq!(m.role.as_deref(), Some("owner"));
        assert!(m.groups.is_empty());
        assert_eq!(m.email.as_deref(), Some("p@x.io"));
        assert!(!m.is_guest);
    }
}
