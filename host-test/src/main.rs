//! `dockerhub-org`: run the plugin's actions from a terminal, live or against a local server.

use std::io::Read as _;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::{error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::{Runtime, RuntimeConfig};

/// Docker Hub organization administration through the dockerhub-org WebAssembly component.
///
/// The token is read from DOCKERHUB_OAT (never from a flag, so it stays out of shell history);
/// the organization from --org or DOCKERHUB_ORG.
#[derive(Parser)]
#[command(name = "dockerhub-org", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one action and print its JSON output.
    ///
    /// Example: DOCKERHUB_OAT=dckr_oat_... dockerhub-org run list-members --org myorg --input '{"page_size": 5}'
    Run {
        /// Action name (see `dockerhub-org actions`).
        action: String,
        /// JSON input, or @file to read it from a file, or @- for standard input.
        #[arg(long, short, default_value = "{}")]
        input: String,
        /// Organization name (slug).
        #[arg(long, env = "DOCKERHUB_ORG")]
        org: Option<String>,
        /// Another Docker Hub base URL (a simulator or test server); default https://hub.docker.com.
        #[arg(long, env = "DOCKERHUB_HUB_URL")]
        hub_url: Option<String>,
        /// Print the output on one line.
        #[arg(long)]
        compact: bool,
    },
    /// List the actions (the component's manifest), or show one action's input schema and example.
    Actions {
        /// An action name to show in full.
        name: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn read_input(raw: &str) -> Result<String> {
    match raw.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).context("reading input from standard input")?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading input file {path}")),
        None => Ok(raw.to_string()),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { action, input, org, hub_url, compact } => {
            let input = read_input(&input)?;
            let mut http = HttpConfig::default();
            if let Some(url) = &hub_url {
                http = http.allow(url).with_context(|| format!("--hub-url {url} is not a URL"))?;
            }
            let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() })?;
            let mut secrets = Secrets::new();
            if let Some(org) = org {
                secrets.set("organization-name", org);
            }
            if let Ok(oat) = std::env::var("DOCKERHUB_OAT") {
                secrets.set("organization-access-token", oat);
            }
            if let Some(url) = hub_url {
                secrets.set("hub-url", url);
            }
            match runtime.call(&action, &input, &secrets)? {
                Ok(output) => {
                    let value: serde_json::Value = serde_json::from_str(&output).context("the action's output is not JSON")?;
                    let text = if compact { value.to_string() } else { serde_json::to_string_pretty(&value)? };
                    println!("{text}");
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    eprintln!("{}: {}", error_kind(&error), error_message(&error));
                    if let Some(detail) = error_detail(&error) {
                        eprintln!("detail: {detail}");
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Actions { name } => {
            let runtime = Runtime::embedded(RuntimeConfig::default())?;
            let manifest: serde_json::Value = serde_json::from_str(&runtime.describe()?)?;
            let actions = manifest["actions"].as_array().cloned().unwrap_or_default();
            match name {
                None => {
                    for action in &actions {
                        println!("{:<30} {}", action["name"].as_str().unwrap_or(""), action["title"].as_str().unwrap_or(""));
                    }
                    for pending in manifest["pending"].as_array().into_iter().flatten() {
                        println!("{:<30} (not implemented yet)", pending.as_str().unwrap_or(""));
                    }
                }
                Some(name) => {
                    let Some(action) = actions.iter().find(|a| a["name"] == name.as_str()) else {
                        bail!("no action named \"{name}\"; `dockerhub-org actions` lists them");
                    };
                    println!("{}", serde_json::to_string_pretty(action)?);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
