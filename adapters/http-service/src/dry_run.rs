//! Whether an action's input asks for a dry run, read the way the plugin will read it: a `read` key
//! may run a write only as a preview, so the front must never see `true` where the plugin sees
//! `false`.
//!
//! Only the top-level `dry_run` is read, without building the rest of the input (values are
//! skipped). Anything doubtful is not a dry run: input that is not one JSON object, a `dry_run` that
//! is not `true` (`"true"`, `null`, `1`), or a `dry_run` given twice (a JSON reader could keep either
//! one). The plugin refuses all of those as invalid input, or runs the write, which then needs an
//! admin key.

use serde::Deserializer as _;
use serde::de::{IgnoredAny, MapAccess, Visitor};

/// Whether `input` is a JSON object whose top-level `dry_run` is `true`, given once.
pub fn requested(input: &str) -> bool {
    let mut reader = serde_json::Deserializer::from_str(input);
    reader.deserialize_map(TopLevel).unwrap_or(false) && reader.end().is_ok()
}

/// Reads the top-level object for its `dry_run`.
struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = bool;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut seen = 0_u32;
        let mut dry_run = false;
        // Keys are unescaped before they are compared (`"dry\u005frun"` is `dry_run`), as the
        // plugin's reader does.
        while let Some(key) = map.next_key::<String>()? {
            if key == "dry_run" {
                seen += 1;
                dry_run = matches!(map.next_value::<serde_json::Value>()?, serde_json::Value::Bool(true));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(seen == 1 && dry_run)
    }
}

#[cfg(test)]
mod tests {
    use super::requested;

    #[test]
    fn only_a_single_top_level_true_is_a_dry_run() {
        assert!(requested(r#"{"username": "x", "dry_run": true}"#));
        assert!(requested(r#" {"dry\u005frun": true, "nested": {"dry_run": false}} "#));
        for not_dry in [
            "",
            "{}",
            r#"{"dry_run": false}"#,
            r#"{"dry_run": null}"#,
            r#"{"dry_run": "true"}"#,
            r#"{"dry_run": 1}"#,
            r#"{"nested": {"dry_run": true}}"#,
            r#"{"dry_run": true, "dry_run": false}"#,
            r#"{"dry_run": false, "dry_run": true}"#,
            r#"{"dry_run": true, "dry_run": true}"#,
            r#"{"dry_run": true} {"dry_run": true}"#,
            r#"{"dry_run": true"#,
            r#"[{"dry_run": true}]"#,
            "true",
        ] {
            assert!(!requested(not_dry), "{not_dry}");
        }
    }

    #[test]
    fn a_deeply_nested_dry_run_is_refused_without_a_crash() {
        let deep = format!(r#"{{"dry_run": {}true{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert!(!requested(&deep));
    }
}
