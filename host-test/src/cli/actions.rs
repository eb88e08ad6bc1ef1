//! `dockerhub-org actions [NAME]`: the component's manifest, as a table of every action or one
//! action in full (description, flags, scopes, input and output schemas, an example command).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use dockerhub_org_host::manifest::{Action, Manifest};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

use super::exit;
use super::output::{self, Format, Table};

/// Prints the manifest (`name` absent) or one action (`name` given) in `format`.
pub fn actions(name: Option<&str>, format: Option<Format>) -> Result<ExitCode> {
    let runtime = Runtime::embedded(RuntimeConfig::default())?;
    let manifest_text = runtime.describe()?;
    let manifest = Manifest::parse(&manifest_text)?;
    let mut out = std::io::stdout().lock();
    match name {
        None if format == Some(Format::Json) => writeln!(out, "{}", manifest_text.trim_end())?,
        None => {
            let table = Table {
                columns: ["name", "kind", "title"].map(String::from).to_vec(),
                rows: manifest
                    .actions
                    .iter()
                    .map(|a| vec![a.name.clone(), a.kind().to_string(), a.title.clone().unwrap_or_default()])
                    .collect(),
            };
            match format {
                Some(Format::Csv) => output::write_csv(&mut out, &table)?,
                _ => output::write_table(&mut out, &table)?,
            }
        }
        Some(name) => {
            let names: Vec<String> = manifest.actions.iter().map(|a| a.name.clone()).collect();
            super::check_action_name(name, &names)?;
            // Found: check_action_name refused any other name.
            match (manifest.action(name), format) {
                (Some(_), Some(Format::Json)) => {
                    // The manifest's own JSON of the action, as the component wrote it.
                    let raw: Value = serde_json::from_str(&manifest_text).context("the manifest is not JSON")?;
                    let action = raw["actions"].as_array().into_iter().flatten().find(|a| a["name"] == name);
                    writeln!(out, "{}", action.unwrap_or(&Value::Null))?
                }
                (Some(action), _) => write_action(&mut out, action)?,
                (None, _) => {}
            }
        }
    }
    out.flush()?;
    Ok(exit::exit(exit::OK))
}

/// An action in full, for reading.
fn write_action(out: &mut dyn Write, action: &Action) -> std::io::Result<()> {
    let name = &action.name;
    writeln!(out, "{name}: {}", action.title.as_deref().unwrap_or_default())?;
    let idempotent = if action.idempotent { ", idempotent" } else { "" };
    writeln!(out, "{}{idempotent}; OAT scopes: {}", action.kind(), action.scopes.join(", "))?;
    writeln!(out, "\n{}\n", action.description)?;
    writeln!(out, "Input schema:\n{}", pretty(&Value::Object(action.input_schema.clone())))?;
    // Every action of the manifest has an output schema (tests/contract.rs validates against it).
    writeln!(out, "\nOutput schema:\n{}", pretty(&action.output_schema))?;
    if !action.example.is_null() {
        let example = action.example.to_string().replace('\'', r"'\''");
        if let Some(flags) = super::flags::example_flags(action) {
            writeln!(out, "\nExample:\n  dockerhub-org {name} --simulate {flags}")?;
        }
        writeln!(out, "\nThe same as JSON (for scripts):\n  dockerhub-org run {name} --simulate --input '{example}'")?;
    }
    Ok(())
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
