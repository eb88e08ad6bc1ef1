//! `/v2/orgs/{org_name}/groups…`: teams (Docker Hub calls them groups) and their members.

use serde::{Deserialize, Serialize};

use super::{ApiRequest, Scope, path};
use crate::host::Method;

/// `GET /v2/orgs/{org}/groups` for one page.
pub fn list_groups(org: &str, search: Option<&str>, username: Option<&str>, page: u32, page_size: u32) -> ApiRequest {
    ApiRequest::new(
        Method::Get,
        path(&["v2", "orgs", org, "groups"]),
        Scope::GroupRead,
        format!("teams of organization \"{org}\""),
    )
    .query_opt("search", search)
    .query_opt("username", username)
    .query("page", page)
    .query("page_size", page_size)
}

/// A team as Docker returns it (`org_group`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OrgGroup {
    /// Numeric id (the one repository grants use).
    pub id: Option<f64>,
    /// UUID.
    pub uuid: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Members on the team.
    pub member_count: Option<f64>,
}

/// A team as this plugin outputs it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Team {
    /// Numeric id.
    pub id: Option<u64>,
    /// UUID.
    pub uuid: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Members on the team.
    pub member_count: Option<u64>,
}

fn whole(n: Option<f64>) -> Option<u64> {
    n.filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0).map(|v| v as u64)
}

impl From<OrgGroup> for Team {
    fn from(g: OrgGroup) -> Self {
        Team {
            id: whole(g.id),
            uuid: g.uuid.filter(|s| !s.is_empty()),
            name: g.name.unwrap_or_default(),
            description: g.description,
            member_count: whole(g.member_count),
        }
    }
}
