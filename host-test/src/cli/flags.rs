//! Every action as a subcommand, its flags generated from the action's input schema in the
//! manifest (`dockerhub-org remove-member --email jane@corp.example --dry-run`).
//!
//! Nothing here names an action or a field: the subcommands, their flags, their help (the
//! manifest's descriptions and defaults) and the enum values shell completion offers all come from
//! the manifest, so an action added to the component gets its flags with no change here, and the
//! help cannot drift from the schema. The manifest is the guest crate's own text
//! ([`dockerhub_org_host::manifest::Manifest::embedded`], the very file the component embeds),
//! read without loading the component, so `--help` and `completion` cost nothing.
//!
//! How a JSON Schema property becomes a flag (field `dry_run` is `--dry-run`):
//! - a boolean is a switch (`--dry-run`; `--dry-run=false` says no explicitly);
//! - an integer or number takes a value, checked against `minimum`/`maximum` when given;
//! - a string takes a value; an `enum`, or a `oneOf`/`anyOf` of `const`s, is a closed choice
//!   (completed by the shell, each value with its description);
//! - an array of those repeats (`invitees` is `--invitee a --invitee b`; the plural is an alias);
//! - anything else (an object, a mix of types) takes JSON text, or plain text where a string is one
//!   of the choices (a team id is `42` or `"42"`).
//!
//! `$ref`s into `$defs` are followed; properties of a top-level `oneOf`/`anyOf`/`allOf` (an
//! "exactly one of" rule) are flags too. No flag is required by clap: a required field may come
//! from `--input`, and the component reports what is missing in its own words.

use std::collections::HashSet;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use dockerhub_org_host::manifest::Action;

use super::exit::Failure;

/// The flags the CLI adds to every action subcommand itself; a schema field with one of these
/// names is left to `--input` (none has one today).
pub const RESERVED: &[&str] = &[
    "input", "output", "json", "org", "hub-url", "simulate", "timeout", "yes", "columns", "section", "since", "until",
    "all", "help", "version", "file",
];

/// What a flag's values are.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `true`/`false`; a switch.
    Switch,
    /// A whole number within the bounds, when given.
    Integer { min: Option<i64>, max: Option<i64> },
    /// Any number.
    Number,
    /// Text; a closed choice when `choices` is not empty.
    Text { choices: Vec<(String, Option<String>)> },
    /// JSON text (an object, a list of objects, a mix of types).
    Json,
    /// The flag repeats; each value of the inner kind.
    List(Box<Kind>),
}

/// One schema property as a flag.
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON field name (`dry_run`); also the clap argument id.
    pub name: String,
    /// The long flag (`dry-run`; for a list, the singular `invitee`).
    pub flag: String,
    /// The plural for a list whose flag is singular (`invitees`), accepted too.
    pub alias: Option<String>,
    /// What its values are.
    pub kind: Kind,
    /// The description, on one line.
    pub description: String,
    /// The schema's `default`, when it gives one.
    pub default: Option<Value>,
    /// Whether the schema lists it as required.
    pub required: bool,
}

/// A flag whose value names where text comes from (a path, `@file`, `-`): kept as an `OsString`,
/// since a path need not be UTF-8.
fn text_source(id: &'static str, short: char, value_name: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .long(id)
        .short(short)
        .value_name(value_name)
        .value_parser(clap::value_parser!(std::ffi::OsString))
        .help(help)
}

/// The input fields of `action` (a manifest entry) as flags, in the schema's order.
pub fn fields(action: &Action) -> Vec<Field> {
    let schema = &Value::Object(action.input_schema.clone());
    let mut required: HashSet<String> = HashSet::new();
    let mut properties: Vec<(String, Value)> = Vec::new();
    collect(schema, schema, &mut properties, &mut required, 0);
    let names: HashSet<String> = properties.iter().map(|(n, _)| n.clone()).collect();
    let mut fields = Vec::new();
    for (name, property) in properties {
        let flag = name.replace('_', "-");
        if RESERVED.contains(&flag.as_str()) {
            continue;
        }
        let kind = kind_of(schema, &property, 0);
        let (flag, alias) = match &kind {
            Kind::List(_) => match singular(&name) {
                Some(one) if !names.contains(&one) && !RESERVED.contains(&one.replace('_', "-").as_str()) => {
                    (one.replace('_', "-"), Some(flag))
                }
                _ => (flag, None),
            },
            _ => (flag, None),
        };
        // The property's own words first; a `$ref`'s target's when it has none.
        let target = resolve(schema, &property, 0);
        let description = property["description"].as_str().or(target["description"].as_str());
        fields.push(Field {
            required: required.contains(&name),
            description: one_line(description.unwrap_or_default()),
            default: property.get("default").or(target.get("default")).cloned(),
            name,
            flag,
            alias,
            kind,
        });
    }
    fields
}

/// Gathers the properties of `node` and of its `oneOf`/`anyOf`/`allOf` branches (first seen wins).
fn collect(root: &Value, node: &Value, out: &mut Vec<(String, Value)>, required: &mut HashSet<String>, depth: u8) {
    if depth > 4 {
        return;
    }
    let node = resolve(root, node, 0);
    if let Some(properties) = node["properties"].as_object() {
        for (name, property) in properties {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), property.clone()));
            }
        }
    }
    // Only the object's own `required` makes a flag required; a branch's is one of several choices.
    if depth == 0 {
        required.extend(node["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in node[key].as_array().into_iter().flatten() {
            collect(root, branch, out, required, depth + 1);
        }
    }
}

/// `node`, or what its `$ref` (`#/$defs/Name`) points to.
fn resolve<'a>(root: &'a Value, node: &'a Value, depth: u8) -> &'a Value {
    match node["$ref"].as_str().and_then(|r| r.strip_prefix("#/")) {
        Some(pointer) if depth < 8 => {
            let target = root.pointer(&format!("/{pointer}")).unwrap_or(&Value::Null);
            resolve(root, target, depth + 1)
        }
        _ => node,
    }
}

/// What values a property takes.
fn kind_of(root: &Value, node: &Value, depth: u8) -> Kind {
    let node = resolve(root, node, 0);
    if depth > 6 {
        return Kind::Json;
    }
    if let Some(values) = node["enum"].as_array() {
        let choices: Option<Vec<(String, Option<String>)>> =
            values.iter().filter(|v| !v.is_null()).map(|v| v.as_str().map(|s| (s.to_string(), None))).collect();
        return choices.map_or(Kind::Json, |choices| Kind::Text { choices });
    }
    if let Some(value) = node["const"].as_str() {
        return Kind::Text { choices: vec![(value.to_string(), node["description"].as_str().map(one_line))] };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = node[key].as_array() {
            let kinds: Vec<Kind> = branches
                .iter()
                .filter(|b| !is_null_type(resolve(root, b, 0)))
                .map(|b| kind_of(root, b, depth + 1))
                .collect();
            return merge_kinds(kinds);
        }
    }
    let types: Vec<&str> = match &node["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match types.as_slice() {
        ["boolean"] => Kind::Switch,
        ["integer"] => Kind::Integer { min: node["minimum"].as_i64(), max: node["maximum"].as_i64() },
        ["number"] => Kind::Number,
        ["string"] => Kind::Text { choices: Vec::new() },
        ["array"] => match kind_of(root, &node["items"], depth + 1) {
            Kind::List(_) | Kind::Json => Kind::Json,
            item => Kind::List(Box::new(item)),
        },
        many if many.contains(&"string") => Kind::Text { choices: Vec::new() },
        _ => Kind::Json,
    }
}

fn is_null_type(node: &Value) -> bool {
    node["type"] == "null"
}

/// The kind of a `oneOf`/`anyOf`: its one non-null branch; closed choices joined; text when any
/// branch is text (a team id: a number or a string of digits); otherwise JSON.
fn merge_kinds(kinds: Vec<Kind>) -> Kind {
    if kinds.len() == 1 {
        return kinds.into_iter().next().unwrap_or(Kind::Json);
    }
    let mut choices = Vec::new();
    for kind in &kinds {
        match kind {
            Kind::Text { choices: c } if !c.is_empty() => choices.extend(c.iter().cloned()),
            _ => {
                choices.clear();
                break;
            }
        }
    }
    if !choices.is_empty() {
        return Kind::Text { choices };
    }
    if kinds.iter().any(|k| matches!(k, Kind::Text { .. })) {
        return Kind::Text { choices: Vec::new() };
    }
    Kind::Json
}

/// `invitees` → `invitee`; `None` when the name is not a plain plural.
fn singular(name: &str) -> Option<String> {
    if let Some(stem) = name.strip_suffix("ies") {
        return Some(format!("{stem}y"));
    }
    let stem = name.strip_suffix('s')?;
    (!stem.ends_with('s') && stem.len() > 1).then(|| stem.to_string())
}

/// A doc comment's wrapped lines as one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The clap argument for `field`.
pub fn arg(field: &Field) -> Arg {
    let mut help = field.description.clone();
    if field.required {
        help.push_str(" (required)");
    }
    if let Some(default) = &field.default {
        help.push_str(&format!(" [default: {}]", default_text(default)));
    }
    let mut arg = Arg::new(field.name.clone()).long(field.flag.clone()).help(help).required(false);
    if let Some(alias) = &field.alias {
        arg = arg.alias(alias.clone());
    }
    let scalar = match &field.kind {
        Kind::List(item) => {
            arg = arg.action(ArgAction::Append);
            item.as_ref()
        }
        other => {
            arg = arg.action(ArgAction::Set);
            other
        }
    };
    match scalar {
        Kind::Switch => arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .value_name("BOOL")
            .value_parser(clap::value_parser!(bool)),
        Kind::Integer { min, max } => {
            let (min, max) = (*min, *max);
            arg.value_name("N")
                .allow_negative_numbers(true)
                .value_parser(move |text: &str| whole_number(text, min, max))
        }
        Kind::Number => arg.value_name("NUMBER").allow_negative_numbers(true).value_parser(clap::value_parser!(f64)),
        Kind::Text { choices } if !choices.is_empty() => {
            let values: Vec<PossibleValue> = choices
                .iter()
                .map(|(value, help)| {
                    let value = PossibleValue::new(value.clone());
                    match help {
                        Some(help) => value.help(help.clone()),
                        None => value,
                    }
                })
                .collect();
            arg.value_name("VALUE").value_parser(PossibleValuesParser::new(values))
        }
        Kind::Text { .. } => arg.value_name("TEXT"),
        Kind::Json | Kind::List(_) => arg.value_name("JSON").value_parser(|text: &str| {
            dockerhub_org::actions::input::strict_json(text)
                .map_err(|e| format!("not JSON ({e}); give JSON text such as '{{\"key\": \"value\"}}'"))
        }),
    }
}

/// A default as the help shows it (`true`, `90`, `member`).
fn default_text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// A whole number within `min..=max`, in words when it is not.
fn whole_number(text: &str, min: Option<i64>, max: Option<i64>) -> Result<i64, String> {
    let range = match (min, max) {
        (Some(min), Some(max)) => format!("a whole number from {min} to {max}"),
        (Some(min), None) => format!("a whole number of at least {min}"),
        (None, Some(max)) => format!("a whole number of at most {max}"),
        (None, None) => "a whole number".to_string(),
    };
    let number: i64 = text.trim().parse().map_err(|_| format!("expected {range}"))?;
    if min.is_some_and(|m| number < m) || max.is_some_and(|m| number > m) {
        return Err(format!("expected {range}"));
    }
    Ok(number)
}

/// The subcommand for `action` (a manifest entry): its fields as flags, and what the CLI adds to
/// every action (connection, output, `--input`, and `--yes` for a destructive one).
pub fn action_command(action: &Action) -> Command {
    let name = action.name.clone();
    let title = action.title.clone().unwrap_or_default();
    let kind = action.kind();
    let description = &action.description;
    let mut long_about = format!("{title}.\n\n{description}\n\n{kind}; OAT scopes: {}", action.scopes.join(", "));
    let example = &action.example;
    if example.as_object().is_some_and(|o| !o.is_empty()) {
        if let Some(flags) = example_flags(action) {
            long_about.push_str(&format!("\n\nExample:\n  dockerhub-org {name} {flags}"));
        }
        let example = example.to_string().replace('\'', r"'\''");
        long_about
            .push_str(&format!("\n\nThe same as JSON (for scripts):\n  dockerhub-org run {name} --input '{example}'"));
    }
    let mut command = Command::new(name).about(title).long_about(long_about);
    let fields = fields(action);
    let names: HashSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    for field in &fields {
        let mut arg = arg(field);
        if field.name == "all_pages" {
            arg = arg.visible_alias("all");
        }
        command = command.arg(arg.help_heading("Input (from the action's schema)"));
    }
    for (relative, field) in [("since", "from"), ("until", "to")] {
        if names.contains(field) {
            command = command.arg(
                Arg::new(relative)
                    .long(relative)
                    .value_name("WHEN")
                    .conflicts_with(field)
                    .help_heading("Input (from the action's schema)")
                    .help(format!(
                        "\"{field}\" as a time relative to now (7d, 12h, 2w) or a date (2026-11-26) or RFC 3339"
                    )),
            );
        }
    }
    command = command.arg(text_source(
        "input",
        'i',
        "JSON",
        "JSON input (or @file, or @- for standard input); the input fields' flags are merged into it and win",
    ));
    if names.contains(super::document::DOCUMENT_FIELD) {
        command = command.arg(text_source(
            "file",
            'f',
            "PATH",
            "The document, from a YAML or JSON file (what `export-org -o yaml` writes, edited; an export's whole \
             JSON output is read for its document); @- or - for standard input",
        ));
    }
    if action.destructive {
        command = command.arg(
            Arg::new("yes")
                .long("yes")
                .short('y')
                .action(ArgAction::SetTrue)
                .help("Do not ask for confirmation on a terminal (without a terminal nothing asks)"),
        );
    }
    command
}

/// The manifest's example input of `action` as flags (`--username kenlovelace --role member`);
/// `None` when a field of it has no flag.
pub fn example_flags(action: &Action) -> Option<String> {
    let fields = fields(action);
    let mut words = Vec::new();
    for (name, value) in action.example.as_object()? {
        let field = fields.iter().find(|f| &f.name == name)?;
        let flag = format!("--{}", field.flag);
        match (&field.kind, value) {
            (Kind::Switch, Value::Bool(true)) => words.push(flag),
            (Kind::Switch, Value::Bool(false)) => words.push(format!("{flag}=false")),
            (Kind::List(_), Value::Array(items)) => {
                for item in items {
                    let text = item.as_str().map_or_else(|| item.to_string(), String::from);
                    words.push(format!("{flag} {}", shell_word(&text)));
                }
            }
            (_, Value::String(text)) if !matches!(field.kind, Kind::Json) => {
                words.push(format!("{flag} {}", shell_word(text)))
            }
            (_, value) => words.push(format!("{flag} {}", shell_word(&value.to_string()))),
        }
    }
    Some(words.join(" "))
}

/// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
fn shell_word(text: &str) -> String {
    let safe = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@/:=+,".contains(c));
    if safe { text.to_string() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// The input the flags of `action` give, as JSON fields (only the flags given).
pub fn input_from(action: &Action, matches: &ArgMatches) -> Result<Map<String, Value>, Failure> {
    let mut input = Map::new();
    for field in fields(action) {
        let value = match &field.kind {
            Kind::List(item) => matches.get_raw(&field.name).map(|_| Value::Array(values(matches, &field.name, item))),
            kind => values(matches, &field.name, kind).into_iter().next(),
        };
        if let Some(value) = value {
            input.insert(field.name.clone(), value);
        }
    }
    for (relative, field) in [("since", "from"), ("until", "to")] {
        if let Some(when) = matches.try_get_one::<String>(relative).ok().flatten() {
            input.insert(field.to_string(), Value::String(relative_time(relative, when)?));
        }
    }
    Ok(input)
}

/// The values given for the argument `id`, as JSON of `kind`.
fn values(matches: &ArgMatches, id: &str, kind: &Kind) -> Vec<Value> {
    match kind {
        Kind::Switch => matches.get_many::<bool>(id).into_iter().flatten().map(|b| Value::Bool(*b)).collect(),
        Kind::Integer { .. } => matches.get_many::<i64>(id).into_iter().flatten().map(|n| Value::from(*n)).collect(),
        Kind::Number => matches.get_many::<f64>(id).into_iter().flatten().map(|n| Value::from(*n)).collect(),
        Kind::Text { .. } => {
            matches.get_many::<String>(id).into_iter().flatten().map(|s| Value::String(s.clone())).collect()
        }
        Kind::Json | Kind::List(_) => matches.get_many::<Value>(id).into_iter().flatten().cloned().collect(),
    }
}

/// `--since`/`--until`: a relative time (`7d`, `12h`, `2w`: that long before now), a date
/// (`2026-11-26`, passed on: the component reads it as midnight UTC), or RFC 3339 (passed on).
pub fn relative_time(flag: &str, when: &str) -> Result<String, Failure> {
    let when = when.trim();
    if when.starts_with(|c: char| c.is_ascii_digit()) && when.contains('-') {
        return Ok(when.to_string());
    }
    let ago = humantime::parse_duration(when).map_err(|e| {
        Failure::usage(format!(
            "--{flag} {when:?}: {e}; give a time before now such as 7d, 12h or 2w, a date such as 2026-11-26, or an \
             RFC 3339 time"
        ))
    })?;
    let at = std::time::SystemTime::now()
        .checked_sub(ago)
        .ok_or_else(|| Failure::usage(format!("--{flag} {when:?}: that is before the start of time")))?;
    Ok(humantime::format_rfc3339_seconds(at).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(schema: Value) -> Action {
        let action = json!({"name": "try-it", "title": "Try", "description": "", "input_schema": schema,
                            "read_only": true, "destructive": false, "idempotent": true});
        serde_json::from_value(action).unwrap()
    }

    #[test]
    fn each_schema_shape_becomes_its_kind_of_flag() {
        let schema = json!({
            "$defs": {"Role": {"oneOf": [{"const": "owner", "description": "Owner."}, {"const": "member"}]}},
            "properties": {
                "dry_run": {"type": ["boolean", "null"], "description": "Check\n   only."},
                "page_size": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
                "role": {"anyOf": [{"$ref": "#/$defs/Role"}, {"type": "null"}]},
                "invitees": {"type": "array", "items": {"type": "string"}},
                "team_id": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "body": {"type": "object"}
            },
            "required": ["invitees"]
        });
        let fields = fields(&action(schema));
        let by = |name: &str| fields.iter().find(|f| f.name == name).unwrap().clone();
        assert_eq!(by("dry_run").kind, Kind::Switch);
        assert_eq!(by("dry_run").description, "Check only.");
        assert_eq!(by("page_size").kind, Kind::Integer { min: Some(1), max: Some(100) });
        assert_eq!(
            by("role").kind,
            Kind::Text { choices: vec![("owner".into(), Some("Owner.".into())), ("member".into(), None)] }
        );
        let invitees = by("invitees");
        assert_eq!((invitees.flag.as_str(), invitees.alias.as_deref()), ("invitee", Some("invitees")));
        assert!(invitees.required);
        assert_eq!(by("team_id").kind, Kind::Text { choices: vec![] });
        assert_eq!(by("body").kind, Kind::Json);
    }

    #[test]
    fn properties_of_a_top_level_one_of_are_flags_too() {
        let schema = json!({"oneOf": [
            {"properties": {"id": {"type": "string"}}, "required": ["id"]},
            {"properties": {"email": {"type": "string", "default": "x"}}, "required": ["email"]}
        ]});
        let fields = fields(&action(schema.clone()));
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "email"]);
        assert!(fields.iter().all(|f| !f.required), "a branch's required field is one choice, not required");
        assert_eq!(fields[1].default, Some(json!("x")));
        let help = action_command(&action(schema.clone())).render_long_help().to_string();
        assert!(help.contains("--email <TEXT>") && help.contains("[default: x]"), "{help}");
    }

    #[test]
    fn flags_parse_into_typed_json_fields() {
        let schema = json!({"properties": {
            "dry_run": {"type": ["boolean", "null"]},
            "missing_ok": {"type": ["boolean", "null"]},
            "page": {"type": "integer", "minimum": 1, "maximum": 100},
            "invitees": {"type": "array", "items": {"type": "string"}},
            "from": {"type": "string"}
        }});
        let action = action(schema);
        let command = action_command(&action);
        let matches = command
            .try_get_matches_from([
                "try-it",
                "--dry-run",
                "--missing-ok=false",
                "--page",
                "3",
                "--invitee",
                "a@x.example",
                "--invitees",
                "b",
            ])
            .unwrap();
        let input = input_from(&action, &matches).unwrap();
        assert_eq!(
            Value::Object(input),
            json!({"dry_run": true, "missing_ok": false, "page": 3, "invitees": ["a@x.example", "b"]})
        );
        let error = action_command(&action).try_get_matches_from(["try-it", "--page", "0"]).unwrap_err();
        assert!(error.to_string().contains("a whole number from 1 to 100"), "{error}");
        let error = action_command(&action).try_get_matches_from(["try-it", "--page", "-3"]).unwrap_err();
        assert!(error.to_string().contains("a whole number from 1 to 100"), "a negative number is a value: {error}");
    }

    #[test]
    fn the_manifest_example_is_shown_as_flags() {
        let mut action = action(json!({"properties": {
            "invitees": {"type": "array", "items": {"type": "string"}},
            "dry_run": {"type": "boolean"},
            "team": {"type": "string"},
            "body": {"type": "object"}
        }}));
        action.example =
            json!({"invitees": ["a@x.example", "moby"], "dry_run": true, "team": "qa team", "body": {"a": 1}});
        assert_eq!(
            example_flags(&action).as_deref(),
            Some(r#"--body '{"a":1}' --dry-run --invitee a@x.example --invitee moby --team 'qa team'"#)
        );
        action.example = json!({"unknown": 1});
        assert_eq!(example_flags(&action), None);
    }

    #[test]
    fn since_is_a_time_before_now_and_dates_pass_through() {
        let at = relative_time("since", "7d").unwrap();
        let parsed = humantime::parse_rfc3339(&at).unwrap();
        let ago = std::time::SystemTime::now().duration_since(parsed).unwrap().as_secs();
        assert!((7 * 86_400..7 * 86_400 + 60).contains(&ago), "{at}");
        assert_eq!(relative_time("since", "2026-11-26").unwrap(), "2026-11-26");
        assert!(relative_time("since", "last tuesday").unwrap_err().message.contains("7d, 12h or 2w"));
    }
}
