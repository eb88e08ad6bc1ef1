//! The connection form: its schema, and the validation and merge of submitted settings.
//!
//! Messages are the product document's (seed 000, "Connect"). The raw token never appears in an
//! output: the merge says whether the host should keep the saved token or store the submitted one,
//! and shows the token only as bullets plus its last four characters.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ActionSpec, Ctx};
use crate::connection::{KEY_OAT, KEY_ORG, MSG_OAT_REQUIRED, MSG_ORG_REQUIRED};
use crate::error::{Error, Result};

/// Empty instance name.
pub const MSG_INSTANCE_REQUIRED: &str =
    "Instance Name is required to distinguish multiple DockerHub Organization connections.";
/// An update that would leave a field empty.
pub const MSG_ALL_REQUIRED: &str = "Organization Name, Organization Access Token, and Instance Name are required.";
/// The character the display form of a token is made of.
pub const BULLET: char = '\u{2022}';
/// Prefix of Organization Access Tokens.
pub const OAT_PREFIX: &str = "dckr_oat_";
/// Warning for a token without the OAT prefix.
pub const WARN_NOT_OAT: &str = "The token does not start with \"dckr_oat_\", the prefix of Organization Access Tokens. \
A Personal Access Token (dckr_pat_...) will not work: Docker Hub rejects it on every organization, member and team operation. \
An organization owner creates an OAT in the Docker Admin Console under Access tokens. (Saved anyway, in case Docker changes its prefixes.)";

/// One form submission or saved record; every field optional.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectionForm {
    /// The Docker Hub organization slug.
    pub organization_name: Option<String>,
    /// The Organization Access Token (or its obfuscated display form, when editing).
    pub organization_access_token: Option<String>,
    /// A friendly label such as "Production".
    pub instance_name: Option<String>,
}

/// Input of `validate-connection-settings`.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
// On first connect (no `saved`), every submitted field must be filled in, and the token must not be
// a display form (it starts with a bullet).
#[cfg_attr(not(target_arch = "wasm32"), schemars(extend(
    "if" = { "anyOf": [{ "not": { "required": ["saved"] } }, { "properties": { "saved": { "type": "null" } } }] },
    "then" = { "properties": { "submitted": {
        "required": ["organization_name", "organization_access_token", "instance_name"],
        "properties": {
            "organization_name": { "type": "string", "pattern": "\\S" },
            "organization_access_token": { "type": "string", "pattern": "\\S", "not": { "pattern": "^\\s*\u{2022}" } },
            "instance_name": { "type": "string", "pattern": "\\S" }
        }
    } } }
)))]
#[serde(deny_unknown_fields)]
pub struct ValidateInput {
    /// The values the user submitted.
    pub submitted: ConnectionForm,
    /// The saved values, when editing an existing connection (absent on first connect).
    pub saved: Option<ConnectionForm>,
}

/// Input of `connection-schema` (none).
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemaInput {}

/// One field of the connection form.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct FormField {
    /// The field's key in the form (and in validate-connection-settings' input).
    pub key: &'static str,
    /// The `secret-get` key the host stores the value under, for values the plugin reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<&'static str>,
    /// The label to show.
    pub label: &'static str,
    /// `text` or `password`.
    #[serde(rename = "type")]
    pub field_type: &'static str,
    /// Whether the field must be filled.
    pub required: bool,
    /// Placeholder text.
    pub placeholder: &'static str,
    /// Help text.
    pub help: String,
    /// The message to show when it is left empty.
    pub required_message: &'static str,
}

/// The output of `connection-schema`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ConnectionSchemaOutput {
    /// The form's fields, in order.
    pub fields: Vec<FormField>,
    /// The message for an edit that would leave a field empty.
    pub update_required_message: &'static str,
}

/// `connection-schema`: the form's fields.
pub fn connection_schema(_ctx: &Ctx, _input: SchemaInput) -> Result<ConnectionSchemaOutput> {
    Ok(ConnectionSchemaOutput {
        fields: vec![
            FormField {
                key: "organization_name",
                secret_key: Some(KEY_ORG),
                label: "Organization Name",
                field_type: "text",
                required: true,
                placeholder: "your-dockerhub-org",
                help: "Your Docker Hub organization slug: the segment that follows hub.docker.com/u/ in your organization's Docker Hub page address. Extra spaces are trimmed. It is also used to exchange the token, so it must match the organization the token was issued for.".to_string(),
                required_message: MSG_ORG_REQUIRED,
            },
            FormField {
                key: "organization_access_token",
                secret_key: Some(KEY_OAT),
                label: "Organization Access Token",
                field_type: "password",
                required: true,
                placeholder: "dckr_oat_...",
                help: format!(
                    "An Organization Access Token (starts with dckr_oat_), created by an organization owner in Docker Home under Identity & auth, Access tokens. {} A Personal Access Token will not work. Stored encrypted; shown later as bullets plus its last 4 characters. Leave it unchanged when editing to keep the saved token; paste a new one to rotate it.",
                    crate::api::OAT_SCOPES_HELP
                ),
                required_message: MSG_OAT_REQUIRED,
            },
            FormField {
                key: "instance_name",
                secret_key: None,
                label: "Instance Name",
                field_type: "text",
                required: true,
                placeholder: "Production",
                help: "A friendly label such as \"Production\" or \"Engineering\" so you can tell multiple connections apart.".to_string(),
                required_message: MSG_INSTANCE_REQUIRED,
            },
        ],
        update_required_message: MSG_ALL_REQUIRED,
    })
}

/// The display form of a token: eight bullets and its last four characters.
pub fn obfuscate(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    let bullets: String = std::iter::repeat_n(BULLET, 8).collect();
    if chars.len() <= 8 {
        return bullets;
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{bullets}{tail}")
}

/// Whether `value` is a display form sent back unchanged (it starts with a bullet).
fn is_obfuscated(value: &str) -> bool {
    value.starts_with(BULLET)
}

fn clean(value: Option<&String>) -> String {
    value.map(|v| v.trim().to_string()).unwrap_or_default()
}

/// `validate-connection-settings`: trims, applies the first-connect and edit rules, and returns the
/// merged settings to store (the token as an instruction, never as text).
pub fn validate_connection_settings(_ctx: &Ctx, input: ValidateInput) -> Result<ValidatedConnection> {
    let submitted = &input.submitted;
    let org = clean(submitted.organization_name.as_ref());
    let token = clean(submitted.organization_access_token.as_ref());
    let instance = clean(submitted.instance_name.as_ref());

    let Some(saved) = &input.saved else {
        let mut errors = Vec::new();
        if org.is_empty() {
            errors.push(("organization_name", MSG_ORG_REQUIRED));
        }
        if token.is_empty() || is_obfuscated(&token) {
            errors.push(("organization_access_token", MSG_OAT_REQUIRED));
        }
        if instance.is_empty() {
            errors.push(("instance_name", MSG_INSTANCE_REQUIRED));
        }
        if let Some((_, first)) = errors.first() {
            let detail: Vec<Value> = errors.iter().map(|(f, m)| json!({ "field": f, "message": m })).collect();
            return Err(Error::invalid_input(*first).with_detail(json!({ "errors": detail })));
        }
        return Ok(merged("create", &org, &token, TokenSource::Submitted, &instance, vec![]));
    };

    let saved_org = clean(saved.organization_name.as_ref());
    let saved_token = clean(saved.organization_access_token.as_ref());
    let saved_instance = clean(saved.instance_name.as_ref());
    let mut changed = Vec::new();
    let org = pick(org, saved_org, "organization_name", &mut changed);
    let instance = pick(instance, saved_instance, "instance_name", &mut changed);
    let (token, source) = if token.is_empty() || is_obfuscated(&token) || token == saved_token {
        (saved_token, TokenSource::Saved)
    } else {
        changed.push("organization_access_token");
        (token, TokenSource::Submitted)
    };
    if org.is_empty() || token.is_empty() || instance.is_empty() {
        let missing: Vec<&str> =
            [("organization_name", &org), ("organization_access_token", &token), ("instance_name", &instance)]
                .iter()
                .filter(|(_, v)| v.is_empty())
                .map(|(f, _)| *f)
                .collect();
        return Err(Error::invalid_input(MSG_ALL_REQUIRED).with_detail(json!({ "missing": missing })));
    }
    Ok(merged("update", &org, &token, source, &instance, changed))
}

/// Where the token to store comes from.
#[derive(Clone, Copy)]
enum TokenSource {
    Saved,
    Submitted,
}

fn pick(submitted: String, saved: String, field: &'static str, changed: &mut Vec<&'static str>) -> String {
    if submitted.is_empty() {
        saved
    } else {
        if submitted != saved {
            changed.push(field);
        }
        submitted
    }
}

/// How the host should store the token.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct TokenInstruction {
    /// `keep_saved` (the saved token stays) or `store_submitted` (store the submitted one).
    pub action: &'static str,
    /// The token's display form: bullets plus its last 4 characters.
    pub display: String,
}

/// The settings to store.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct StoredSettings {
    /// The organization slug, trimmed.
    pub organization_name: String,
    /// What to do with the token (never the token itself).
    pub organization_access_token: TokenInstruction,
    /// The instance label, trimmed.
    pub instance_name: String,
}

/// The settings as they may be shown.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DisplayedSettings {
    /// The organization slug.
    pub organization_name: String,
    /// Bullets plus the token's last 4 characters.
    pub organization_access_token: String,
    /// The instance label.
    pub instance_name: String,
}

/// The output of `validate-connection-settings`.
#[derive(Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ValidatedConnection {
    /// Always true (invalid settings are an invalid-input error).
    pub valid: bool,
    /// `create` (first connect) or `update` (editing saved settings).
    pub mode: &'static str,
    /// What to store.
    pub settings: StoredSettings,
    /// What to show.
    pub display: DisplayedSettings,
    /// The fields that differ from the saved ones (named apart from every write's boolean
    /// `changed`).
    pub changed_fields: Vec<&'static str>,
    /// Warnings that do not block saving.
    pub warnings: Vec<&'static str>,
}

fn merged(
    mode: &'static str,
    org: &str,
    token: &str,
    source: TokenSource,
    instance: &str,
    changed: Vec<&'static str>,
) -> ValidatedConnection {
    let mut warnings = Vec::new();
    if !token.starts_with(OAT_PREFIX) {
        warnings.push(WARN_NOT_OAT);
    }
    let action = match source {
        TokenSource::Saved => "keep_saved",
        TokenSource::Submitted => "store_submitted",
    };
    ValidatedConnection {
        valid: true,
        mode,
        settings: StoredSettings {
            organization_name: org.to_string(),
            organization_access_token: TokenInstruction { action, display: obfuscate(token) },
            instance_name: instance.to_string(),
        },
        display: DisplayedSettings {
            organization_name: org.to_string(),
            organization_access_token: obfuscate(token),
            instance_name: instance.to_string(),
        },
        changed_fields: changed,
        warnings,
    }
}

/// The connection-form actions.
pub static ACTIONS: &[ActionSpec] = &[
    action!("connection-schema", "Connection form schema",
        "The connection form's fields (Organization Name, Organization Access Token as a password field, Instance Name), whether each is required, placeholders, help text and the exact validation messages.",
        scopes: [], read_only: true, destructive: false, idempotent: true,
        example: "{}",
        run: connection_schema, input: SchemaInput, output: ConnectionSchemaOutput),
    action!("validate-connection-settings", "Validate connection settings",
        "Validates a submitted connection form and merges it with the saved values when editing: values are trimmed; on first connect every field is required; when editing, a blank field or the obfuscated token sent back unchanged keeps the saved value, and an update that would leave any field empty is refused. Returns the settings to store; the token appears only as an instruction (keep_saved or store_submitted) and as bullets plus its last 4 characters. A token without the dckr_oat_ prefix gets a warning, not a failure. Contacts nothing.",
        scopes: [], read_only: true, destructive: false, idempotent: true,
        example: r#"{"submitted": {"organization_name": "acme", "organization_access_token": "dckr_oat_example0000", "instance_name": "Production"}}"#,
        run: validate_connection_settings, input: ValidateInput, output: ValidatedConnection),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscation_shows_bullets_and_the_last_four() {
        assert_eq!(
            obfuscate("dckr_oat_abcdefgh1234"),
            "\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}1234"
        );
        assert_eq!(obfuscate("short"), "\u{2022}".repeat(8));
    }
}
