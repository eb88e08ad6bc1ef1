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
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        let inner = match suggested_field(&inner) {
            Some((wrong, right)) => format!("{inner}. Use \"{right}\" instead of \"{wrong}\""),
            None => inner,
        };
        if field.is_empty() || field == "." {
            Error::invalid_input(format!("Invalid input for {action}: {inner}."))
        } else {
            Error::invalid_input(format!("Invalid input for {action}: field \"{field}\": {inner}."))
        }
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
    let trimmed = value.map(str::trim).unwrap_or("");
    if trimmed.is_empty() {
        return Err(Error::invalid_input(format!("{action} needs \"{field}\": it is missing or blank.")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!("\"{field}\" must not contain control characters.")));
    }
    Ok(trimmed.to_string())
}

/// Longest value accepted for one URL path segment. Docker IDs have at most 30 characters, team
/// names at most 100 (see `teams::MAX_TEAM_NAME_CHARS`), invite ids are UUIDs; 255 leaves room
/// for names older than today's rules and keeps a hostile value from becoming an oversized URL.
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
        Err(Error::invalid_input(format!("\"{field}\" must be between {min} and {max} (got {value}).")))
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
