//! `dockerhub-org actions [NAME]`: the component's manifest, as a table of every action or one
//! action in full (description, flags, scopes, input and output schemas, an example command).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

use super::exit;
use super::output::{self, Format, Table};

/// Prints the manifest (`name` absent) or one action (`name` given) in `format`.
pub fn actions(name: Option<&str>, format: Option<Format>) -> Result<ExitCode> {
    let runtime = Runtime::embedded(RuntimeConfig::default())?;
    let manifest_text = runtime.describe()?;
    let manifest: Value = serde_json::from_str(&manifest_text).context("the component's manifest is not JSON")?;
    let actions = manifest["actions"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    match name {
        None if format == Some(Format::Json) => writeln!(out, "{}", manifest_text.trim_end())?,
        None => {
            let table = Table {
                columns: ["name", "kind", "title"].map(String::from).to_vec(),
                rows: actions.iter().map(|a| vec![text(&a["name"]), kind(a).to_string(), text(&a["title"])]).collect(),
            };
            match format {
                Some(Format::Csv) => output::write_csv(&mut out, &table)?,
                _ => output::write_table(&mut out, &table)?,
            }
        }
        Some(name) => {
            let names: Vec<String> = actions.iter().map(|a| text(&a["name"])).collect();
            super::check_action_name(name, &names)?;
            // Found: check_action_name refused any other name.
            match (actions.iter().find(|a| a["name"] == name), format) {
                (Some(action), Some(Format::Json)) => writeln!(out, "{action}")?,
                (Some(action), _) => write_action(&mut out, action)?,
                (None, _) => {}
            }
        }
    }
    out.flush()?;
    Ok(exit::exit(exit::OK))
}

/// An action in full, for reading.
fn write_action(out: &mut dyn Write, action: &Value) -> std::io::Result<()> {
    let name = text(&action["name"]);
    writeln!(out, "{name}: {}", text(&action["title"]))?;
    let scopes: Vec<String> = action["scopes"].as_array().into_iter().flatten().map(text).collect();
    let idempotent = if action["idempotent"] == true { ", idempotent" } else { "" };
    writeln!(out, "{}{idempotent}; OAT scopes: {}", kind(action), scopes.join(", "))?;
    writeln!(out, "\n{}\n", text(&action["description"]))?;
    writeln!(out, "Input schema:\n{}", pretty(&action["input_schema"]))?;
    // Every action of the manifest has an output schema (tests/contract.rs validates against it).
    writeln!(out, "\nOutput schema:\n{}", pretty(&action["output_schema"]))?;
    if !action["example"].is_null() {
        let example = action["example"].to_string().replace('\'', r"'\''");
        if let Some(flags) = super::flags::example_flags(action) {
            writeln!(out, "\nExample:\n  dockerhub-org {name} --simulate {flags}")?;
        }
        writeln!(out, "\nThe same as JSON (for scripts):\n  dockerhub-org run {name} --simulate --input '{example}'")?;
    }
    Ok(())
}

/// What an action may do: read-only, destructive, or writes.
pub fn kind(action: &Value) -> &'static str {
    if action["read_only"] == true {
        "read-only"
    } else if action["destructive"] == true {
        "destructive"
    } else {
        "writes"
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
