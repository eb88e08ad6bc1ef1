//! The component's manifest (`describe`), typed: the facts about each action that the CLI and the
//! MCP server read. Its JSON Schemas and example stay JSON: they are data for a schema reader.

use anyhow::{Context as _, Result, anyhow};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The manifest: its actions, in the catalogue's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// Every action.
    pub actions: Vec<Action>,
}

/// One action of the manifest (an `Option` field may be missing; so may those marked default).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Action {
    /// Its name (`list-members`).
    pub name: String,
    /// A short title.
    pub title: Option<String>,
    /// What it does, for a person or an agent.
    #[serde(default)]
    pub description: String,
    /// The MCP toolset it is listed under.
    pub toolset: Option<String>,
    /// The OAT scopes it needs (none: it contacts nothing).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// It changes nothing.
    pub read_only: bool,
    /// It removes or overwrites something.
    pub destructive: bool,
    /// Running it twice is the same as once.
    pub idempotent: bool,
    /// Its output is a listing (rows a table or CSV shows), as the catalogue declares.
    #[serde(default)]
    pub listing: bool,
    /// An example input (`null` when none).
    #[serde(default)]
    pub example: Value,
    /// The input's JSON Schema.
    pub input_schema: Map<String, Value>,
    /// The output's JSON Schema (`null` when the manifest has none).
    #[serde(default)]
    pub output_schema: Value,
}

impl Manifest {
    /// The manifest in `text` (what `describe` returns).
    pub fn parse(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text).context("the manifest is not JSON")?;
        Self::from_value(&value)
    }

    /// The manifest in `value`; an action that does not fit is refused by its name.
    pub fn from_value(value: &Value) -> Result<Self> {
        let actions = value["actions"].as_array().context("the manifest has no \"actions\" array")?;
        let actions = actions
            .iter()
            .map(|action| {
                let name = action["name"].as_str().context("a manifest action has no \"name\"")?;
                Action::deserialize(action).map_err(|e| anyhow!("manifest action \"{name}\": {e}"))
            })
            .collect::<Result<_>>()?;
        Ok(Manifest { actions })
    }

    /// The manifest the guest crate embeds (the very text the component's `describe` returns),
    /// read without instantiating the component; empty if it cannot be read.
    pub fn embedded() -> Self {
        Self::parse(&dockerhub_org::manifest::describe()).unwrap_or_default()
    }

    /// The action named `name`.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }
}

impl Action {
    /// What the action may do: `read-only`, `destructive`, or `writes`.
    pub fn kind(&self) -> &'static str {
        if self.read_only {
            "read-only"
        } else if self.destructive {
            "destructive"
        } else {
            "writes"
        }
    }

    /// The title, or the name when the manifest gives none.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_embedded_manifest_reads_and_declares_its_listings() {
        let manifest = Manifest::embedded();
        assert!(manifest.actions.len() > 30);
        let members = manifest.action("list-members").unwrap();
        assert!(members.listing && members.read_only);
        assert_eq!(members.kind(), "read-only");
        assert!(!manifest.action("get-member").unwrap().listing);
        assert_eq!(manifest.action("remove-member").unwrap().kind(), "destructive");
    }

    #[test]
    fn an_action_that_does_not_fit_is_refused_by_name() {
        let broken = json!({"actions": [{"name": "x", "read_only": true, "destructive": false, "idempotent": true}]});
        let error = Manifest::from_value(&broken).unwrap_err().to_string();
        assert!(error.contains("\"x\"") && error.contains("input_schema"), "{error}");
        assert!(Manifest::from_value(&json!({})).is_err());
    }
}
