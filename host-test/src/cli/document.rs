//! Desired-state documents on the command line: YAML output (`-o yaml`; an output that carries a
//! `document` is written as that document, ready to edit), `--file` input (YAML or JSON, an
//! export's whole output accepted too), and plans shown as people read them: `+`, `~` and `-`
//! lines per kind, each with the requests it sends, and a summary line ("3 to add, 1 to change,
//! 2 to remove"), in colour on a terminal unless `NO_COLOR` is set.
//!
//! Nothing here names an action: a plan is any output with a `changes` list and a `summary`, a
//! document any output with a `document` object, and `--file` is offered to every action whose
//! input has a `document` field.

use std::io::{self, Write};

use serde_json::Value;

use super::exit::Failure;
use super::safe_text::terminal_line;

/// The input field `--file` fills.
pub const DOCUMENT_FIELD: &str = "document";

/// Whether colour may be used on a stream that is (`terminal`) a terminal: not with `NO_COLOR`
/// set to anything but the empty string (no-color.org).
pub fn colour(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The output as YAML: its `document` when it carries one (an export, to edit and plan), else
/// the whole output. JSON that is not an object is written as it came.
pub fn write_yaml(out: &mut dyn Write, output: &str) -> anyhow::Result<()> {
    // Read into YAML's own value, whose mappings keep the order the action wrote its fields in
    // (serde_json's map would sort them: `invites` before `teams`, `role` before `username`).
    let value: serde_yaml::Value = match serde_json::from_str(output) {
        Ok(value) => value,
        Err(_) => {
            writeln!(out, "{}", output.trim_end())?;
            return Ok(());
        }
    };
    let shown = match value.get(DOCUMENT_FIELD) {
        Some(document) if document.is_mapping() => document,
        _ => &value,
    };
    out.write_all(serde_yaml::to_string(shown)?.as_bytes())?;
    Ok(())
}

/// Reads a document from the text of `--file` (`what` names it in errors): JSON, or YAML (a
/// superset). An export's whole output (an object with a `document` object) gives its document.
pub fn read_document(what: &str, text: &str) -> Result<Value, Failure> {
    let value: Value = match dockerhub_org::actions::input::strict_json(text) {
        Ok(value) => value,
        Err(json_error) => serde_yaml::from_str(text).map_err(|yaml_error| {
            Failure::invalid_input(format!(
                "--file {what}: neither JSON ({json_error}) nor YAML ({yaml_error}); give the document export-org \
                 writes (dockerhub-org export-org -o yaml > org.yaml)"
            ))
        })?,
    };
    match value {
        Value::Object(mut fields) => match fields.remove(DOCUMENT_FIELD) {
            Some(document @ Value::Object(_)) => Ok(document),
            Some(other) => {
                fields.insert(DOCUMENT_FIELD.to_string(), other);
                Ok(Value::Object(fields))
            }
            None => Ok(Value::Object(fields)),
        },
        _ => Err(Failure::invalid_input(format!(
            "--file {what}: the document is a mapping (teams, members, invites, prune, ...), not a list or a single value"
        ))),
    }
}

/// Whether `value` is a plan: a `changes` list and a `summary` with its `text`.
pub fn is_plan(value: &Value) -> bool {
    value["changes"].is_array() && value["summary"]["text"].is_string()
}

/// The order kinds are shown in, with their headings.
const KINDS: &[(&str, &str)] =
    &[("teams", "Teams"), ("team_memberships", "Team memberships"), ("members", "Members"), ("invites", "Invites")];

/// Writes the plan in `value` ([`is_plan`]): its message, then per kind a `+`/`~`/`-` line per
/// change (with its outcome once an apply ran) and its requests, then the summary line.
pub fn write_plan(out: &mut dyn Write, value: &Value, colour: bool) -> io::Result<()> {
    if let Some(message) = value["message"].as_str() {
        writeln!(out, "{}", terminal_line(message))?;
        writeln!(out)?;
    }
    let changes = value["changes"].as_array().map(Vec::as_slice).unwrap_or_default();
    if changes.is_empty() {
        writeln!(out, "No changes: the organization matches the document.")?;
    }
    for (kind, heading) in KINDS {
        let of_kind: Vec<&Value> = changes.iter().filter(|c| c["kind"] == *kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        writeln!(out, "{heading}:")?;
        for change in of_kind {
            let (mark, code) = match change["op"].as_str() {
                Some("add") => ('+', "32"),
                Some("remove") => ('-', "31"),
                _ => ('~', "33"),
            };
            let subject = terminal_line(change["subject"].as_str().unwrap_or_default());
            let team = change["team"].as_str().map(|t| format!(" on team {}", terminal_line(t))).unwrap_or_default();
            let detail = terminal_line(change["detail"].as_str().unwrap_or_default());
            let outcome = match change["outcome"].as_str() {
                Some("planned") | None => String::new(),
                Some(outcome) => format!(" [{}]", terminal_line(outcome)),
            };
            let line = format!("  {mark} {subject}{team}: {detail}{outcome}");
            if colour {
                writeln!(out, "\x1b[{code}m{line}\x1b[0m")?;
            } else {
                writeln!(out, "{line}")?;
            }
            for request in change["requests"].as_array().into_iter().flatten() {
                writeln!(
                    out,
                    "      {}. {} {}",
                    request["step"],
                    terminal_line(request["method"].as_str().unwrap_or_default()),
                    terminal_line(request["path"].as_str().unwrap_or_default())
                )?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}.", terminal_line(value["summary"]["text"].as_str().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> Value {
        json!({
            "message": "Plan for organization \"acme\": 1 to add, 1 to change, 1 to remove.",
            "summary": {"text": "1 to add, 1 to change, 1 to remove"},
            "changes": [
                {"kind": "teams", "op": "add", "subject": "release", "detail": "create the team", "outcome": "planned",
                 "requests": [{"step": 1, "method": "POST", "path": "/v2/orgs/acme/groups"}]},
                {"kind": "members", "op": "change", "subject": "radia", "detail": "role editor -> member",
                 "outcome": "done", "requests": [{"step": 2, "method": "PUT", "path": "/v2/orgs/acme/members/radia"}]},
                {"kind": "team_memberships", "op": "remove", "subject": "tim\u{1b}[2J", "team": "qa",
                 "detail": "take off team \"qa\"", "outcome": "planned", "requests": []},
            ],
        })
    }

    #[test]
    fn a_plan_is_lines_per_kind_with_requests_and_a_summary() {
        let mut out = Vec::new();
        write_plan(&mut out, &plan(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = "Plan for organization \"acme\": 1 to add, 1 to change, 1 to remove.\n\nTeams:\n  + release: create \
the team\n      1. POST /v2/orgs/acme/groups\nTeam memberships:\n  - tim on team qa: take off team \"qa\"\nMembers:\n  \
~ radia: role editor -> member [done]\n      2. PUT /v2/orgs/acme/members/radia\n\n1 to add, 1 to change, 1 to remove.\n";
        assert_eq!(text, expected);
        let mut out = Vec::new();
        write_plan(&mut out, &plan(), true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[32m  + release: create the team\x1b[0m"), "{text}");
        assert!(text.contains("\x1b[31m  - tim on team qa"), "colour is ours, Docker's escapes are not: {text}");
    }

    #[test]
    fn a_document_is_read_from_yaml_json_or_an_export() {
        let yaml = "teams:\n  - name: qa\n    members: [ken]\nprune:\n  teams: false\n";
        assert_eq!(
            read_document("org.yaml", yaml).unwrap(),
            json!({"teams": [{"name": "qa", "members": ["ken"]}], "prune": {"teams": false}})
        );
        let export = r#"{"organization": "acme", "document": {"teams": []}, "meta": {"requests": 6}}"#;
        assert_eq!(read_document("org.json", export).unwrap(), json!({"teams": []}));
        let e = read_document("org.yaml", "- a\n- b\n").unwrap_err();
        assert!(e.message.contains("mapping"), "{}", e.message);
        let e = read_document("org.yaml", "teams: [\n").unwrap_err();
        assert!(e.message.contains("neither JSON") && e.message.contains("export-org -o yaml"), "{}", e.message);
    }

    #[test]
    fn yaml_output_is_the_document_of_an_export() {
        let mut out = Vec::new();
        write_yaml(&mut out, r#"{"organization": "acme", "document": {"teams": [{"name": "qa"}]}, "meta": {}}"#)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "teams:\n- name: qa\n");
        let mut out = Vec::new();
        write_yaml(&mut out, r#"{"changed": false, "username": "1234"}"#).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "changed: false\nusername: '1234'\n");
    }
}
