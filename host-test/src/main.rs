//! `dockerhub-org`: run the plugin's actions from a terminal, live against Docker Hub or against the
//! embedded simulator.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use dockerhub_org_host::http::HttpClient;
use dockerhub_org_host::runtime::{error_detail, error_kind, error_message};
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig, demo};

/// Docker Hub organization administration through the dockerhub-org WebAssembly component.
///
/// Live runs read the Organization Access Token from DOCKERHUB_OAT (never from a flag, so it stays
/// out of shell history) and the organization from --org or DOCKERHUB_ORG. --simulate runs against
/// an embedded Docker Hub simulator instead; no account needed.
#[derive(Parser)]
#[command(name = "dockerhub-org", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Target {
    /// Organization name (slug). Default with --simulate: example-org.
    #[arg(long, env = "DOCKERHUB_ORG")]
    org: Option<String>,
    /// Another Docker Hub base URL (a simulator or test server); default https://hub.docker.com.
    #[arg(long, env = "DOCKERHUB_HUB_URL", conflicts_with = "simulate")]
    hub_url: Option<String>,
    /// Run against an embedded Docker Hub simulator (seeded organization, its own token).
    #[arg(long)]
    simulate: bool,
    /// Print machine-readable JSON on one line.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole tour against the embedded simulator: connect, health checks, listings,
    /// changes, and the guard rails. Exits 0 only if every step behaved as expected.
    Demo {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run one action and print its JSON output.
    ///
    /// Examples:
    ///   dockerhub-org run list-members --simulate --input '{"role": "owner"}'
    ///   DOCKERHUB_OAT=dckr_oat_... dockerhub-org run list-members --org myorg --input @query.json
    Run {
        /// Action name (see `dockerhub-org actions`).
        action: String,
        /// JSON input, or @file to read it from a file, or @- for standard input.
        #[arg(long, short, default_value = "{}")]
        input: String,
        #[command(flatten)]
        target: Target,
    },
    /// Run the three health checks.
    Health {
        #[command(flatten)]
        target: Target,
    },
    /// List the actions (the component's manifest), or show one action's input schema and example.
    Actions {
        /// An action name to show in full.
        name: Option<String>,
    },
    /// Run the simulator alone, for trying other clients against it (Ctrl-C stops it).
    ServeSimulator {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8089)]
        port: u16,
        /// Organization name.
        #[arg(long, default_value = DEFAULT_ORG)]
        org: String,
        /// Latency added to every request, milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Requests allowed per minute (429 with X-Retry-After past it).
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// Serve every action as a Model Context Protocol tool over standard input and output.
    Mcp(dockerhub_org_host::mcp::McpArgs),
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

/// A runtime and connection for `target`; keeps the simulator alive while it is used.
fn connect(target: &Target) -> Result<(Runtime, Secrets, Option<Simulator>)> {
    let c = dockerhub_org_host::connect::connect(target.org.as_deref(), target.hub_url.as_deref(), target.simulate)?;
    Ok((c.runtime, c.secrets, c.simulator))
}

/// Shows a request counter on a terminal while a long call runs.
fn with_progress<T>(http: &Arc<HttpClient>, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (done, http) = (done.clone(), http.clone());
        std::thread::spawn(move || {
            let mut shown = false;
            std::thread::sleep(Duration::from_millis(400));
            while !done.load(Ordering::SeqCst) {
                eprint!("\r  working... {} HTTP requests so far", http.sent().len());
                let _ = std::io::stderr().flush();
                shown = true;
                std::thread::sleep(Duration::from_millis(150));
            }
            if shown {
                eprint!("\r{:60}\r", "");
            }
        })
    };
    let result = work();
    done.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    result
}

fn print(value: &serde_json::Value, json: bool) -> Result<()> {
    let text = if json { value.to_string() } else { serde_json::to_string_pretty(value)? };
    println!("{text}");
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo { json } => {
            let mut sink: Box<dyn std::io::Write> =
                if json { Box::new(std::io::sink()) } else { Box::new(std::io::stdout()) };
            let report = demo::run(&mut sink)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            }
            Ok(if report.passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Run { action, input, target } => {
            let input = read_input(&input)?;
            let (runtime, secrets, _simulator) = connect(&target)?;
            match with_progress(runtime.http(), || runtime.call(&action, &input, &secrets))? {
                Ok(output) => {
                    let value: serde_json::Value =
                        serde_json::from_str(&output).context("the action's output is not JSON")?;
                    print(&value, target.json)?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    if target.json {
                        let detail =
                            error_detail(&error).and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
                        let value = serde_json::json!({"error": error_kind(&error), "message": error_message(&error), "detail": detail});
                        print(&value, true)?;
                    } else {
                        eprintln!("{}: {}", error_kind(&error), error_message(&error));
                        if let Some(detail) = error_detail(&error) {
                            eprintln!("detail: {detail}");
                        }
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Health { target } => {
            let (runtime, secrets, _simulator) = connect(&target)?;
            match runtime.call("run-health-checks", "{}", &secrets)? {
                Ok(output) => {
                    let value: serde_json::Value = serde_json::from_str(&output)?;
                    if target.json {
                        print(&value, true)?;
                    } else {
                        for check in value["checks"].as_array().into_iter().flatten() {
                            let mark = if check["ok"] == true { "ok  " } else { "FAIL" };
                            println!(
                                "{mark} {}: {}",
                                check["check"].as_str().unwrap_or(""),
                                check["message"].as_str().unwrap_or("")
                            );
                            if let Some(detail) = check["detail"].as_str() {
                                println!("     detail: {detail}");
                            }
                        }
                    }
                    Ok(if value["ok"] == true { ExitCode::SUCCESS } else { ExitCode::from(1) })
                }
                Err(error) => {
                    eprintln!("{}: {}", error_kind(&error), error_message(&error));
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
                        let flags = if action["read_only"] == true {
                            "read-only"
                        } else if action["destructive"] == true {
                            "destructive"
                        } else {
                            "writes"
                        };
                        println!(
                            "{:<30} {:<12} {}",
                            action["name"].as_str().unwrap_or(""),
                            flags,
                            action["title"].as_str().unwrap_or("")
                        );
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
        Command::Mcp(args) => dockerhub_org_host::mcp::serve_stdio(&args).map(|()| ExitCode::SUCCESS),
        Command::ServeSimulator { port, org, latency_ms, rate_limit } => {
            let sim = Simulator::start(SimulatorConfig {
                org: org.clone(),
                port,
                latency: Duration::from_millis(latency_ms),
                rate_limit_per_minute: rate_limit,
                ..SimulatorConfig::default()
            })?;
            println!("Docker Hub simulator for organization \"{org}\" listening on {}", sim.url());
            println!(
                "Exchange the token with: curl -s -X POST {}/v2/auth/token -H 'Content-Type: application/json' \\",
                sim.url()
            );
            println!("  -d '{{\"identifier\": \"{org}\", \"secret\": \"{DEFAULT_OAT}\"}}'");
            println!("Press Ctrl-C to stop.");
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
    }
}
