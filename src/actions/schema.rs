//! The manifest's input schemas: what schemars derives from an input type, refined so that the
//! schema says everything the input check says (native builds only; the component carries the
//! result as text in `src/manifest.json`).
//!
//! The rules are attached by field name: every action uses one vocabulary (a person is `username`
//! or `email`, a team `team` or `team_id`, paging is `page`, `page_size`, `all_pages`,
//! `max_items`), so an action that declares its input with these names gets the rules without
//! saying anything more. What differs per action (a default of `true`, an extra constraint) is an
//! attribute on the field, `schemars(extend("default" = true))`, which the vocabulary never
//! overrides. `host-test/tests/schemas.rs` proves, for every action, that the schema and the parser
//! accept and refuse the same generated inputs.

use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use super::health::DEFAULT_SAMPLE;
use super::input::MAX_SEGMENT_CHARS;
use super::invites::MAX_INVITEES;
use super::paging::{MAX_ITEMS_LIMIT, MAX_PAGE_SIZE};
use super::workflows::offboard_members::MAX_PEOPLE;
use super::workflows::reconcile::MAX_DESIRED;
use crate::client::paging::DEFAULT_MAX_ITEMS;

/// A control character inside the trimmed text (what [`super::input::optional_text`] and
/// [`super::input::required_text`] refuse): one that is not white space anywhere, or a white-space
/// control character between two non-blank characters.
/// Text with a control character (what [`super::input`] refuses in free text).
pub(crate) const CONTROL: &str = r"[\u0000-\u0008\u000e-\u001f\u007f-\u009f]|\S\s*[\t-\r]\s*\S";
/// Text that is empty or only white space.
const BLANK: &str = r"^\s*$";
/// An RFC 3339 date-time (`2024-01-31T09:00:00Z`, `2024-01-31T10:00:00+01:00`), optionally
/// surrounded by white space (trimmed before parsing).
const DATE_TIME: &str = r"^\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])\s*$";
/// An RFC 3339 date-time, or a date alone (the audit log's `from`/`to`: midnight UTC).
const DATE_OR_DATE_TIME: &str = r"^\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?\s*$";
/// An invite id: a UUID, 8-4-4-4-12 hexadecimal digits.
const UUID: &str = r"^\s*[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\s*$";
/// An audit-log action filter: lower-case group and name joined by dots (`repo.tag.push`).
const AUDIT_ACTION: &str = r"^\s*[a-z0-9_-]+(\.[a-z0-9_-]+)+\s*$";
/// One invitee: an email address's shape or a Docker ID (what `invites::check_invitee` accepts,
/// for ASCII text).
const INVITEE: &str = r"^\s*([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+|[A-Za-z0-9._-]{2,64})\s*$";
/// A team id given as text: digits (a `u64`), optionally with a sign `+`.
const TEAM_ID_TEXT: &str = r"^\s*\+?[0-9]{1,19}\s*$";

/// The formats JSON Schema 2020-12 defines; any other (schemars writes `uint32`) is dropped.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// What a text field must be when given.
#[derive(Clone, Copy)]
enum Text {
    /// One segment of a Docker Hub path: [`super::input::path_segment`].
    Segment,
    /// An email address: contains `@`, no control characters.
    Email,
    /// Free text without control characters ([`super::input::optional_text`]).
    Plain,
    /// An RFC 3339 date-time ([`super::input::instant`]).
    DateTime,
    /// An RFC 3339 date-time or a date alone (the audit log's `from` and `to`).
    DateOrDateTime,
    /// An invite id (a UUID).
    Uuid,
    /// An audit-log action filter.
    AuditAction,
    /// An `api-request` path.
    ApiPath,
}

/// A rule of the vocabulary.
enum Rule {
    /// A text field.
    Text(Text),
    /// A whole number in `min..=max`, with its default when one is shared by every action.
    Whole(u64, u64, Option<u64>),
    /// A flag whose default (when every action shares it).
    Flag(bool),
    /// A list of invitees.
    Invitees,
    /// The desired members of a team (at most this many).
    Desired(usize),
    /// People to offboard: Docker IDs or emails, at least one and at most this many.
    People(usize),
}

/// The vocabulary: every field name that means the same thing in every action, and its rule.
const VOCABULARY: &[(&str, Rule)] = &[
    ("username", Rule::Text(Text::Segment)),
    ("member", Rule::Text(Text::Segment)),
    ("team", Rule::Text(Text::Segment)),
    ("new_name", Rule::Text(Text::Segment)),
    ("email", Rule::Text(Text::Email)),
    ("id", Rule::Text(Text::Uuid)),
    ("search", Rule::Text(Text::Plain)),
    ("name", Rule::Text(Text::Plain)),
    ("actor", Rule::Text(Text::Plain)),
    ("action", Rule::Text(Text::AuditAction)),
    ("path", Rule::Text(Text::ApiPath)),
    ("from", Rule::Text(Text::DateOrDateTime)),
    ("to", Rule::Text(Text::DateOrDateTime)),
    ("as_of", Rule::Text(Text::DateTime)),
    ("page", Rule::Whole(1, 1_000_000, Some(1))),
    ("page_size", Rule::Whole(1, MAX_PAGE_SIZE as u64, Some(10))),
    ("max_items", Rule::Whole(1, MAX_ITEMS_LIMIT as u64, Some(DEFAULT_MAX_ITEMS as u64))),
    ("sample_size", Rule::Whole(1, 100, Some(DEFAULT_SAMPLE as u64))),
    ("inactive_days", Rule::Whole(1, 3650, Some(90))),
    ("invite_age_days", Rule::Whole(1, 3650, Some(30))),
    ("grace_days", Rule::Whole(0, 3650, Some(30))),
    ("include_invitees", Rule::Flag(false)),
    ("all_pages", Rule::Flag(false)),
    ("dry_run", Rule::Flag(false)),
    ("missing_ok", Rule::Flag(false)),
    ("invitees", Rule::Invitees),
    ("members", Rule::Desired(MAX_DESIRED)),
    ("people", Rule::People(MAX_PEOPLE)),
];

/// Groups of fields of which exactly one must be given (the fields of a group that an input has;
/// a group applies when the input has two or more of them, and a field belongs to the first group
/// that applies: an invite is named by id, username or email, a member by username or email). A
/// group entry lists synonyms: any one of them gives it.
const EXACTLY_ONE: &[&[&[&str]]] = &[
    &[&["id"], &["username", "member"], &["email"]],
    &[&["username", "member"], &["email"]],
    &[&["team"], &["team_id"]],
];

/// The input schema of `T`, refined with the vocabulary.
pub fn input_schema<T: JsonSchema>() -> Schema {
    let mut value = schemars::schema_for!(T).to_value();
    refine(&mut value);
    Schema::try_from(value).unwrap_or_else(|_| schemars::schema_for!(T))
}

/// The output schema of `T` (see [`super::output_schema`]) with only standard formats.
pub fn output_schema<T: JsonSchema>() -> Schema {
    let mut value = super::output_schema::<T>().to_value();
    standard_formats(&mut value);
    Schema::try_from(value).unwrap_or_else(|_| super::output_schema::<T>())
}

fn refine(root: &mut Value) {
    standard_formats(root);
    if let Some(team_id) = root.pointer_mut("/$defs/TeamId") {
        *team_id = json!({
            "description": "A team's numeric id: a number, or a string of digits (what templated workflows pass).",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": u64::MAX },
                { "type": "string", "pattern": TEAM_ID_TEXT },
            ],
        });
    }
    let required: Vec<String> = root
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let Some(Value::Object(properties)) = root.get_mut("properties") else { return };
    let names: Vec<String> = properties.keys().cloned().collect();
    // The groups that apply, each field in the first one only.
    let mut applying: Vec<Vec<Vec<&str>>> = Vec::new();
    for group in EXACTLY_ONE {
        let entries: Vec<Vec<&str>> = group
            .iter()
            .map(|entry| entry.iter().copied().filter(|f| names.iter().any(|n| n == f)).collect::<Vec<_>>())
            .filter(|entry| !entry.is_empty())
            .collect();
        let taken = entries.iter().flatten().any(|f| applying.iter().flatten().flatten().any(|g| g == f));
        if entries.len() >= 2 && !taken {
            applying.push(entries);
        }
    }
    let grouped = |name: &str| applying.iter().flatten().flatten().any(|f| *f == name);
    let mut defs = Map::new();
    for (name, property) in properties.iter_mut() {
        let Some((_, rule)) = VOCABULARY.iter().find(|(field, _)| field == name) else { continue };
        let Value::Object(property) = property else { continue };
        let is_required = required.iter().any(|r| r == name);
        apply(name, rule, property, is_required, grouped(name), &mut defs);
    }
    let mut all_of = Vec::new();
    for entries in &applying {
        let branches: Vec<Value> = entries
            .iter()
            .map(|entry| {
                let given: Vec<Value> = entry.iter().map(|f| given(f, &properties[*f])).collect();
                if given.len() == 1 { given[0].clone() } else { json!({ "anyOf": given }) }
            })
            .collect();
        all_of.push(json!({ "oneOf": branches }));
    }
    if !all_of.is_empty() {
        root["allOf"] = Value::Array(all_of);
    }
    if !defs.is_empty() {
        let target = root.as_object_mut().map(|o| o.entry("$defs").or_insert_with(|| json!({})));
        if let Some(Value::Object(target)) = target {
            target.extend(defs);
        }
    }
}

/// A schema that holds when `field` is given: present, not null, and (for text) not blank.
fn given(field: &str, property: &Value) -> Value {
    let text = property
        .get("type")
        .is_some_and(|t| t == "string" || t.as_array().is_some_and(|a| a.contains(&json!("string"))))
        || property.get("anyOf").is_some_and(|a| a.to_string().contains(r#""type":"string""#));
    let value = if text && !property.to_string().contains("TeamId") {
        json!({ "type": "string", "pattern": r"\S" })
    } else {
        json!({ "not": { "type": "null" } })
    };
    json!({ "required": [field], "properties": { field: value } })
}

/// The definition name and schema of a text rule.
fn text_def(text: Text) -> (&'static str, Value) {
    match text {
        Text::Segment => (
            "Segment",
            json!({
                "description": format!("Text that becomes one segment of a Docker Hub path: not blank, at most {MAX_SEGMENT_CHARS} characters, no \"/\" or \"\\\", not \".\" or \"..\", no control characters (nor their percent-encodings)."),
                "type": "string",
                "pattern": r"\S",
                "maxLength": MAX_SEGMENT_CHARS,
                "not": { "anyOf": [
                    { "pattern": CONTROL },
                    { "pattern": r"[/\\]|%2[fF]|%5[cC]" },
                    { "pattern": r"^\s*(\.|%2[eE]){1,2}\s*$" },
                    { "pattern": "%[01][0-9A-Fa-f]|%7[fF]|%[cC]2%[89][0-9A-Fa-f]" },
                ] },
            }),
        ),
        Text::Email => (
            "Email",
            json!({ "description": "An email address (it contains \"@\"), without control characters.", "type": "string", "pattern": "@", "not": { "pattern": CONTROL } }),
        ),
        Text::Plain => (
            "Text",
            json!({ "description": "Text without control characters.", "type": "string", "not": { "pattern": CONTROL } }),
        ),
        Text::DateTime => (
            "DateTime",
            json!({ "description": "An RFC 3339 date-time such as \"2024-01-31T09:00:00Z\".", "type": "string", "pattern": DATE_TIME }),
        ),
        Text::DateOrDateTime => (
            "DateOrDateTime",
            json!({ "description": "An RFC 3339 date-time such as \"2024-01-31T09:00:00Z\", or a date alone such as \"2024-01-31\" (midnight UTC).", "type": "string", "pattern": DATE_OR_DATE_TIME }),
        ),
        Text::Uuid => (
            "InviteId",
            json!({ "description": "An invite id: a UUID such as \"e36eca69-4cc8-4f17-9845-ae8c2b832600\".", "type": "string", "pattern": UUID }),
        ),
        Text::ApiPath => (
            "ApiPath",
            json!({
                "description": "A path under /v2/orgs/{organization}/, /v2/invites/ or /v2/auditlogs/{organization} (the connection's organization): no query, no \".\" or \"..\" segments, no empty segment, no backslash or control character, also not percent-encoded.",
                "type": "string",
                "pattern": r"^\s*/v2/(orgs|invites|auditlogs)/[^/]+(/[^/]+)*/*\s*$",
                "not": { "anyOf": [
                    { "pattern": CONTROL },
                    { "pattern": r"[?#\\]|://" },
                    { "pattern": r"/(\.|%2[eE]){1,2}(/|\s*$)" },
                    { "pattern": "%2[fF]|%5[cC]|%3[fF]|%23|%[01][0-9A-Fa-f]|%7[fF]" },
                ] },
            }),
        ),
        Text::AuditAction => (
            "AuditAction",
            json!({ "description": "An audit-log action: lower-case group and name joined by a dot, such as \"repo.tag.push\".", "type": "string", "pattern": AUDIT_ACTION }),
        ),
    }
}

fn apply(
    name: &str,
    rule: &Rule,
    property: &mut Map<String, Value>,
    required: bool,
    grouped: bool,
    defs: &mut Map<String, Value>,
) {
    let has_default = property.contains_key("default");
    match rule {
        Rule::Text(text) => {
            let (def, schema) = text_def(*text);
            defs.insert(def.to_string(), schema);
            let reference = json!({ "$ref": format!("#/$defs/{def}") });
            property.remove("type");
            property.remove("anyOf");
            // Blank text is "not given" for a person (`given`), for a team named beside `team_id`,
            // and for free text; a team or new name given blank on its own is refused.
            let person = matches!(name, "username" | "member" | "email");
            let blank_absent = !required && (grouped || person || !matches!(text, Text::Segment));
            let shape = if required {
                reference
            } else if blank_absent {
                json!([{ "type": "null" }, { "type": "string", "pattern": BLANK }, reference])
            } else {
                json!([{ "type": "null" }, reference])
            };
            match shape {
                Value::Array(_) => {
                    property.insert("anyOf".into(), shape);
                }
                Value::Object(map) => property.extend(map),
                _ => {}
            }
        }
        Rule::Whole(min, max, default) => {
            property.insert("minimum".into(), json!(min));
            property.insert("maximum".into(), json!(max));
            if let (false, Some(default)) = (has_default, default) {
                property.insert("default".into(), json!(default));
            }
        }
        Rule::Flag(default) => {
            if !has_default {
                property.insert("default".into(), json!(default));
            }
        }
        Rule::Invitees => {
            property.insert("minItems".into(), json!(1));
            property.insert("maxItems".into(), json!(MAX_INVITEES));
            property.insert("items".into(), json!({ "type": "string", "pattern": INVITEE }));
        }
        Rule::Desired(most) | Rule::People(most) => {
            if matches!(rule, Rule::People(_)) {
                property.insert("minItems".into(), json!(1));
            }
            property.insert("maxItems".into(), json!(most));
            property
                .insert("items".into(), json!({ "type": "string", "pattern": r"\S", "not": { "pattern": CONTROL } }));
        }
    }
}

/// For a listing's `fields` input: the names it takes are the fields of the items of `output` (the
/// listing's output schema), at least one; and since an item then holds only those, the items'
/// schema requires none of its fields.
pub fn listing_fields(input: &mut Value, output: &mut Value) {
    let Some(property) = input.pointer_mut("/properties/fields") else { return };
    let items = output["properties"].as_object().and_then(|props| {
        props.values().find_map(|p| p.pointer("/items/$ref").and_then(Value::as_str).map(str::to_string))
    });
    let item = items.and_then(|r| output.pointer_mut(r.trim_start_matches('#')));
    let names: Vec<String> = item
        .and_then(|item| {
            item.as_object_mut()?.remove("required");
            item["properties"].as_object().map(|p| p.keys().cloned().collect())
        })
        .unwrap_or_default();
    if let Value::Object(property) = property {
        property.remove("type");
        property.remove("items");
        property.insert(
            "anyOf".into(),
            json!([{ "type": "null" }, { "type": "array", "minItems": 1, "items": { "enum": names } }]),
        );
    }
}

/// Drops every format JSON Schema does not define, at any depth (schemars writes `uint32`,
/// `uint64`, `uint`, `int64` for Rust integers); an unsigned 32-bit integer keeps its bound as
/// `maximum`.
pub fn standard_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(format) = map.get("format").and_then(Value::as_str).map(str::to_string)
                && !STANDARD_FORMATS.contains(&format.as_str())
            {
                map.remove("format");
                // `usize` is `uint`: 32 bits in the wasm32 guest.
                if (format == "uint32" || format == "uint") && !map.contains_key("maximum") {
                    map.insert("maximum".into(), json!(u32::MAX));
                }
            }
            map.values_mut().for_each(standard_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(standard_formats),
        _ => {}
    }
}
