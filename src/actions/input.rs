//! Reading an action's JSON input: one object, no unknown fields, errors that name the field.

use serde::de::DeserializeOwned;
use serde_json::Value;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};

/// Largest input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Parses `input` (a JSON object; blank means `{}`) into `T`.
pub fn parse<T: DeserializeOwned>(action: &str, input: &str) -> Result<T> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(Error::invalid_input(format!(
            "The input for {action} is {} bytes; at most {MAX_INPUT_BYTES} are accepted.",
            input.len()
        )));
    }
    let text = if input.trim().is_empty() { "{}" } else { input };
    let value = strict_json(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        match e.to_string().split_once(DUPLICATE_KEY) {
            Some((_, rest)) => {
                let key = rest.split(DUPLICATE_KEY_END).next().unwrap_or_default();
                Error::invalid_input(format!(
                    "The input for {action} gives the key \"{key}\" twice (line {line}, column {column}); each key may be \
given once, so that no value silently overrides another. Remove one of them."
                ))
                .with_detail(serde_json::json!({ "field": key, "expected": "each key once" }))
            }
            None => Error::invalid_input(format!("The input for {action} is not valid JSON: {e}.")),
        }
    })?;
    if !value.is_object() {
        return Err(Error::invalid_input(format!(
            "The input for {action} must be a JSON object (for example {{}}), not {}.",
            kind_of(&value)
        )));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().clone();
        let field = path.to_string();
        let inner = e.into_inner().to_string();
        // A missing or unknown field is named by serde's message, not by the path.
        let named = ["missing field `", "unknown field `"]
            .iter()
            .find_map(|prefix| inner.strip_prefix(prefix))
            .and_then(|rest| rest.split('`').next());
        let at = json_pointer(&path);
        let pointer = match named {
            Some(name) if !at.ends_with(&pointer(name)) => format!("{at}{}", pointer(name)),
            _ => at,
        };
        let expected = expected_at(action, &pointer);
        let mut hints = Vec::new();
        let inner = match suggested_field(&inner) {
            Some((wrong, right)) => {
                hints.push(format!("Use \"{right}\" instead of \"{wrong}\"."));
                format!("{inner}. Use \"{right}\" instead of \"{wrong}\"")
            }
            None if inner.starts_with("data did not match any variant") && expected.is_some() => {
                format!("expected {}", expected.clone().unwrap_or_default())
            }
            None => match (inner.rsplit_once(", expected "), &expected) {
                // serde names the Rust type (`expected u32`); say what the field takes instead
                // (its list of an enum's values, `one of ...`, is already what the field takes).
                (Some((got, said)), Some(expected)) if !said.starts_with("one of") => {
                    format!("{got}, expected {expected}")
                }
                _ => inner,
            },
        };
        let message = if field.is_empty() || field == "." {
            format!("Invalid input for {action}: {inner}.")
        } else {
            format!("Invalid input for {action}: field \"{field}\": {inner}.")
        };
        let mut detail = serde_json::json!({ "field": pointer });
        if let Some(expected) = expected {
            detail["expected"] = Value::String(expected);
        }
        if !hints.is_empty() {
            detail["hints"] = serde_json::json!(hints);
        }
        Error::invalid_input(message).with_detail(detail)
    })
}

/// The JSON pointer (RFC 6901) of a serde path: `restricted_images.enabled` is
/// `/restricted_images/enabled`, `invitees[2]` is `/invitees/2`, the input itself is `""`.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => format!("/{variant}"),
            Segment::Unknown => String::new(),
        })
        .collect()
}

/// The JSON pointer of the input field `field` (`page_size` is `/page_size`).
pub fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}

/// What the field at `pointer` of `action`'s input takes, in words ("a whole number from 1 to
/// 100", "true or false", "one of \"owner\", \"editor\", \"member\""), read from the manifest's
/// input schema: the one description of the input, so the message and the schema cannot differ.
pub fn expected_at(action: &str, pointer: &str) -> Option<String> {
    let manifest: Value = serde_json::from_str(&crate::manifest::describe()).ok()?;
    let root = manifest["actions"].as_array()?.iter().find(|a| a["name"] == action)?.get("input_schema")?;
    let mut schema = root;
    for segment in pointer.split('/').skip(1) {
        let here = deref(root, schema);
        let branches = non_null_branches(root, here);
        let object = branches.into_iter().find(|b| b.get("properties").is_some() || b.get("items").is_some())?;
        schema = match object.get("properties").and_then(|p| p.get(segment)) {
            Some(property) => property,
            None => object.get("items")?,
        };
    }
    describe_schema(root, schema)
}

fn deref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap_or(schema),
        None => schema,
    }
}

/// The alternatives of `schema` that are not `null` (nor the blank text that counts as not given).
fn non_null_branches<'a>(root: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let schema = deref(root, schema);
    match schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
        Some(branches) if schema.get("type").is_none() => branches
            .iter()
            .map(|b| deref(root, b))
            .filter(|b| {
                b.get("type") != Some(&Value::String("null".into()))
                    && b.get("pattern") != Some(&Value::String(r"^\s*$".into()))
            })
            .collect(),
        _ => vec![schema],
    }
}

fn describe_schema(root: &Value, schema: &Value) -> Option<String> {
    let branches = non_null_branches(root, schema);
    if branches.len() > 1 {
        let consts: Vec<String> = branches.iter().filter_map(|b| b.get("const")).map(|c| c.to_string()).collect();
        if consts.len() == branches.len() {
            return Some(format!("one of {}", consts.join(", ")));
        }
        let words: Vec<String> = branches.iter().filter_map(|b| describe_schema(root, b)).collect();
        return Some(words.join(" or "));
    }
    let schema = *branches.first()?;
    if let Some(c) = schema.get("const") {
        return Some(c.to_string());
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => Vec::new(),
    };
    Some(match types.first().copied()? {
        "integer" => match (schema.get("minimum"), schema.get("maximum")) {
            (Some(min), Some(max)) => format!("a whole number from {min} to {max}"),
            (Some(min), None) => format!("a whole number of at least {min}"),
            _ => "a whole number".to_string(),
        },
        "number" => "a number".to_string(),
        "boolean" => "a boolean (true or false)".to_string(),
        "string" => match schema.get("description").and_then(Value::as_str) {
            Some(description) if schema.get("pattern").is_some() => {
                format!("text: {}", description.trim_end_matches('.'))
            }
            _ => "text".to_string(),
        },
        "array" => match schema.get("items").and_then(|items| describe_schema(root, items)) {
            Some(item) => format!("a list, each item {item}"),
            None => "a list".to_string(),
        },
        "object" => "a JSON object".to_string(),
        _ => return None,
    })
}

/// Marks the duplicate-key error of [`strict_json`] inside serde_json's message.
const DUPLICATE_KEY: &str = "duplicate key \u{1}";
const DUPLICATE_KEY_END: char = '\u{1}';

/// The first key that an object in the JSON `text` gives twice, at any depth; `None` when there
/// is none or the text is not JSON. Hosts that parse a message before the guest does (the MCP
/// server) use it to hold the message to the same rule.
pub fn duplicate_key(text: &str) -> Option<String> {
    let message = strict_json(text).err()?.to_string();
    let (_, rest) = message.split_once(DUPLICATE_KEY)?;
    rest.split(DUPLICATE_KEY_END).next().map(str::to_string)
}

/// Parses JSON text like `serde_json::from_str::<Value>`, except that an object that gives the
/// same key twice is an error (serde_json keeps the last one: `{"dry_run": true, "dry_run":
/// false}` would silently be a real run). Applies at every depth, so a request body given to
/// `api-request` is held to the same rule.
pub fn strict_json(text: &str) -> serde_json::Result<Value> {
    use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

    struct Strict;
    struct Element(Value);

    impl<'de> serde::Deserialize<'de> for Element {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
            deserializer.deserialize_any(Strict).map(Element)
        }
    }

    impl<'de> Visitor<'de> for Strict {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> std::result::Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Element(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format!("{DUPLICATE_KEY}{key}{DUPLICATE_KEY_END}")));
                }
                let Element(value) = map.next_value()?;
                object.insert(key, value);
            }
            Ok(Value::Object(object))
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = deserializer.deserialize_any(Strict)?;
    deserializer.end()?;
    Ok(value)
}

/// Names people guess for a field, and the field this plugin uses for the same thing: one
/// vocabulary across every action (a person is `username` or `email`, a team `team` or `team_id`).
const FIELD_SYNONYMS: &[(&str, &str)] = &[
    ("name", "team"),
    ("team_name", "team"),
    ("group", "team"),
    ("group_name", "team"),
    ("id", "team_id"),
    ("group_id", "team_id"),
    ("user", "username"),
    ("login", "username"),
    ("docker_id", "username"),
    ("member", "username"),
    ("mail", "email"),
    ("email_address", "email"),
    ("dryrun", "dry_run"),
    ("dry-run", "dry_run"),
];

/// For serde's "unknown field `x`, expected one of `a`, `b`" message: the expected field that
/// means what `x` was meant to, when there is one.
fn suggested_field(message: &str) -> Option<(&str, &'static str)> {
    let wrong = message.strip_prefix("unknown field `")?.split('`').next()?;
    let expected = message.split_once("expected")?.1;
    FIELD_SYNONYMS
        .iter()
        .find(|(guess, right)| guess.eq_ignore_ascii_case(wrong) && expected.contains(&format!("`{right}`")))
        .map(|(_, right)| (wrong, *right))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The one rule for optional text: trimmed, and blank (or absent) means not given.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// An optional text field: [`given`], with control characters refused by name.
pub fn optional_text(field: &str, value: Option<&str>) -> Result<Option<String>> {
    optional_text_checked(field, value).map_err(|e| about(e, field, "text without control characters"))
}

fn optional_text_checked(field: &str, value: Option<&str>) -> Result<Option<String>> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    if text.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!("\"{field}\" must not contain control characters.")));
    }
    Ok(Some(text.to_string()))
}

/// Checks that a required text field is present and not blank; returns it trimmed.
pub fn required_text(action: &str, field: &str, value: Option<&str>) -> Result<String> {
    required_text_checked(action, field, value).map_err(|e| about(e, field, "text (not blank, no control characters)"))
}

fn required_text_checked(action: &str, field: &str, value: Option<&str>) -> Result<String> {
    let trimmed = value.map(str::trim).unwrap_or("");
    if trimmed.is_empty() {
        return Err(Error::invalid_input(format!("{action} needs \"{field}\": it is missing or blank.")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!("\"{field}\" must not contain control characters.")));
    }
    Ok(trimmed.to_string())
}

/// What a path segment input takes, in words (the error's `detail.expected`).
const SEGMENT_EXPECTED: &str = "text that becomes one segment of a Docker Hub path: not blank, at most 255 characters, no \"/\" or \"\\\", not \".\" or \"..\", no control characters";

/// Adds `detail.field` (the field's JSON pointer) and `detail.expected` to an input error that has
/// no `field` yet.
pub fn about(error: Error, field: &str, expected: &str) -> Error {
    if error.detail.as_ref().is_some_and(|d| d.get("field").is_some()) {
        return error;
    }
    error.add_detail(serde_json::json!({ "field": pointer(field), "expected": expected }))
}

/// Longest value accepted for one URL path segment. Docker IDs have at most 30 characters and
/// invite ids are UUIDs; a team name's length is Docker's to limit (its refusal reaches the user).
/// 255 leaves room for names older than today's rules and keeps a hostile value from becoming an
/// oversized URL.
pub const MAX_SEGMENT_CHARS: usize = 255;

/// The one rule for every input that becomes a URL path segment (a username, a team name, an
/// invite id): what [`required_text`] checks, at most [`MAX_SEGMENT_CHARS`] characters, no `/` or
/// `\`, and nothing that is — or percent-decodes to — `.` or `..` or a separator.
///
/// [`crate::api::path`] encodes each segment (`/` as `%2F`), but URL parsers that follow the WHATWG
/// standard read `%2E%2E` as a parent-directory step, and front ends that decode a path before
/// normalising it would turn `x/../../members/victim` into another resource: `DELETE
/// …/groups/x%2F..%2F..%2Fmembers%2Fvictim` must never leave the plugin. No Docker ID, team name
/// or invite id needs any of these characters.
pub fn path_segment(action: &str, field: &str, value: Option<&str>) -> Result<String> {
    path_segment_checked(action, field, value).map_err(|e| about(e, field, SEGMENT_EXPECTED))
}

fn path_segment_checked(action: &str, field: &str, value: Option<&str>) -> Result<String> {
    let text = required_text(action, field, value)?;
    let chars = text.chars().count();
    if chars > MAX_SEGMENT_CHARS {
        return Err(Error::invalid_input(format!(
            "\"{field}\" is {chars} characters long; at most {MAX_SEGMENT_CHARS} are accepted for a name that goes into a Docker Hub path."
        )));
    }
    let decoded = percent_encoding::percent_decode_str(&text).decode_utf8_lossy();
    if [text.as_str(), &decoded].iter().any(|t| t.contains(['/', '\\'])) {
        return Err(Error::invalid_input(format!(
            "\"{field}\" must not contain \"/\" or \"\\\" (got \"{}\"): it is one segment of a Docker Hub path.",
            text.escape_debug()
        )));
    }
    if [text.as_str(), &decoded].iter().any(|t| *t == "." || *t == "..") || decoded.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!(
            "\"{field}\" must not be \".\" or \"..\" (or encode one, or a control character): got \"{}\".",
            text.escape_debug()
        )));
    }
    Ok(text)
}

/// Parses an optional RFC 3339 date-time input field; blank means absent. The one parser of
/// time inputs (audit-log windows, the access review's `as_of`).
pub fn instant(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>> {
    instant_checked(field, value).map_err(|e| about(e, field, "an RFC 3339 date-time such as \"2024-01-31T09:00:00Z\""))
}

fn instant_checked(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    OffsetDateTime::parse(text, &Rfc3339).map(Some).map_err(|e| {
        Error::invalid_input(format!(
            "\"{field}\" must be an RFC 3339 date-time such as \"2024-01-31T09:00:00Z\" or \"2024-01-31T10:00:00+01:00\" (got \"{text}\": {e})."
        ))
    })
}

/// Checks that `value` lies in `min..=max`.
pub fn in_range(field: &str, value: u32, min: u32, max: u32) -> Result<u32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_input(format!("\"{field}\" must be between {min} and {max} (got {value}).")).with_detail(
            serde_json::json!({ "field": pointer(field), "expected": format!("a whole number from {min} to {max}") }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        page: Option<u32>,
        role: Option<String>,
    }

    #[test]
    fn blank_input_is_an_empty_object() {
        assert!(parse::<Sample>("x", "  ").is_ok());
    }

    #[test]
    fn unknown_fields_are_named_with_the_allowed_ones() {
        let e = parse::<Sample>("list-members", r#"{"pgae": 1}"#).unwrap_err();
        assert!(e.message.contains("unknown field `pgae`"), "{}", e.message);
        assert!(e.message.contains("`page`"), "{}", e.message);
    }

    #[test]
    fn a_guessed_field_name_is_pointed_to_the_right_one() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct TeamInput {
            team: Option<String>,
            team_id: Option<u64>,
        }
        let e = parse::<TeamInput>("delete-team", r#"{"name": "devs"}"#).unwrap_err();
        assert!(e.message.contains("Use \"team\" instead of \"name\""), "{}", e.message);
        let e = parse::<TeamInput>("delete-team", r#"{"id": 4}"#).unwrap_err();
        assert!(e.message.contains("Use \"team_id\" instead of \"id\""), "{}", e.message);
        let e = parse::<TeamInput>("delete-team", r#"{"colour": 4}"#).unwrap_err();
        assert!(!e.message.contains("instead of"), "no guess for an unrelated field: {}", e.message);
        let e = parse::<Sample>("x", r#"{"user": "jon"}"#).unwrap_err();
        assert!(!e.message.contains("instead of"), "only fields the input has are suggested: {}", e.message);
    }

    #[test]
    fn a_key_given_twice_is_refused_by_name_at_any_depth() {
        let e = parse::<Sample>("remove-member", r#"{"page": 1, "role": "x", "page": 2}"#).unwrap_err();
        assert!(e.message.contains("gives the key \"page\" twice"), "{}", e.message);
        assert_eq!(e.detail.as_ref().map(|d| d["field"].clone()), Some(serde_json::json!("page")));
        let nested = strict_json(r#"{"body": {"role": "owner", "role": "member"}}"#).unwrap_err().to_string();
        assert!(nested.contains("role"), "{nested}");
        let fine = strict_json(r#"{"a": [{"x": 1}, {"x": 2}], "b": {"x": 1.5, "y": null, "z": -3}}"#).unwrap();
        assert_eq!(fine, serde_json::json!({"a": [{"x": 1}, {"x": 2}], "b": {"x": 1.5, "y": null, "z": -3}}));
        assert!(strict_json("{} x").is_err(), "trailing text is still refused");
        assert_eq!(
            duplicate_key(r#"{"params": {"arguments": {"dry_run": true, "dry_run": false}}}"#).as_deref(),
            Some("dry_run")
        );
        assert_eq!(duplicate_key(r#"{"a": 1}"#), None);
        assert_eq!(duplicate_key("not json"), None);
    }

    #[test]
    fn type_errors_say_what_the_field_takes_and_point_to_it() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Paged {
            page_size: Option<u32>,
            all_pages: Option<bool>,
        }
        let e = parse::<Paged>("list-members", r#"{"page_size": "lots"}"#).unwrap_err();
        assert!(e.message.contains("expected a whole number from 1 to 100"), "{}", e.message);
        assert!(!e.message.contains("u32"), "no Rust type names: {}", e.message);
        let detail = e.detail.unwrap();
        assert_eq!(
            (detail["field"].as_str(), detail["expected"].as_str()),
            (Some("/page_size"), Some("a whole number from 1 to 100"))
        );
        let e = parse::<Paged>("list-members", r#"{"all_pages": 1}"#).unwrap_err();
        assert!(e.message.contains("expected a boolean (true or false)"), "{}", e.message);
        let e = parse::<Paged>("list-members", r#"{"pgae": 1}"#).unwrap_err();
        assert_eq!(e.detail.unwrap()["field"], "/pgae", "an unknown field is pointed to");
        let e = in_range("page_size", 500, 1, 100).unwrap_err();
        assert_eq!(e.detail.unwrap()["field"], "/page_size");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let e = parse::<Sample>("list-members", r#"{"page": "two"}"#).unwrap_err();
        assert!(e.message.contains("field \"page\""), "{}", e.message);
    }

    #[test]
    fn non_objects_are_refused_plainly() {
        let e = parse::<Sample>("x", "[1]").unwrap_err();
        assert!(e.message.contains("must be a JSON object"), "{}", e.message);
        assert!(parse::<Sample>("x", "{").unwrap_err().message.contains("not valid JSON"));
    }

    #[test]
    fn range_and_blank_checks_name_the_field() {
        assert!(
            in_range("page_size", 101, 1, 100).unwrap_err().message.contains("\"page_size\" must be between 1 and 100")
        );
        assert!(required_text("get-team", "name", Some("  ")).is_err());
        assert_eq!(required_text("get-team", "name", Some(" devs ")).unwrap(), "devs");
    }

    #[test]
    fn path_segments_refuse_separators_dot_steps_and_their_encodings() {
        for bad in [
            "..",
            ".",
            "%2e%2E",
            "%2E",
            "a/../b",
            "../x",
            "x/.",
            "a\\..\\b",
            "x/../../members/victim",
            "a%2Fb",
            "a%5Cb",
            "%00",
        ] {
            let e = path_segment("remove-member", "username", Some(bad)).unwrap_err();
            assert!(e.message.contains("\"username\" must not"), "{bad}: {}", e.message);
        }
        let long = "x".repeat(MAX_SEGMENT_CHARS + 1);
        assert!(path_segment("delete-team", "team", Some(&long)).unwrap_err().message.contains("at most 255"));
        assert_eq!(path_segment("remove-member", "username", Some(" a?c%d e ")).unwrap(), "a?c%d e");
        assert_eq!(path_segment("cancel-invite", "id", Some("a..b")).unwrap(), "a..b");
        assert!(path_segment("cancel-invite", "id", Some(" ")).unwrap_err().message.contains("missing or blank"));
    }
}
