//! Reading an action's JSON input: one object, no unknown fields, errors that name the field.

use serde::de::DeserializeOwned;
use serde_json::Value;

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
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid_input(format!("The input for {action} is not valid JSON: {e}.")))?;
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

/// Checks a value that becomes one URL path segment (a username, an invite id): what
/// [`required_text`] checks, and no `.` or `..` between slashes. [`crate::api::path`] encodes such a
/// piece (`%2E%2E`), but URL parsers that follow the WHATWG standard still read `%2E%2E` as a
/// parent-directory step, and so do servers that decode a path before cleaning it: `DELETE
/// …/members/..` could address the organization itself. No Docker ID or invite id looks like that.
pub fn path_segment(action: &str, field: &str, value: Option<&str>) -> Result<String> {
    let text = required_text(action, field, value)?;
    if text.split(['/', '\\']).any(|piece| piece == "." || piece == "..") {
        return Err(Error::invalid_input(format!(
            "\"{field}\" must not be \".\" or \"..\" or contain such a part between slashes (got \"{text}\")."
        )));
    }
    Ok(text)
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
    fn path_segments_refuse_dot_steps_but_keep_other_characters() {
        for bad in ["..", ".", "a/../b", "../x", "x/.", "a\\..\\b"] {
            let e = path_segment("remove-member", "username", Some(bad)).unwrap_err();
            assert!(e.message.contains("\"username\" must not be"), "{bad}: {}", e.message);
        }
        assert_eq!(path_segment("remove-member", "username", Some(" a/b?c%d e ")).unwrap(), "a/b?c%d e");
        assert_eq!(path_segment("cancel-invite", "id", Some("a..b")).unwrap(), "a..b");
        assert!(path_segment("cancel-invite", "id", Some(" ")).unwrap_err().message.contains("missing or blank"));
    }
}
