//! `dockerhub-org`: run the plugin's actions from a terminal, live against Docker Hub or against the
//! embedded simulator.
//!
//! This file holds the command line (clap) and how the process ends; each subcommand is one function
//! in [`cli`]. Every failure ends with a documented exit code ([`cli::exit`]); a closed standard
//! output (`dockerhub-org actions | head -1`) ends the process quietly with 0.

mod cli;

use std::io;
use std::process::ExitCode;

use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use dockerhub_org_host::connect::Target;
use dockerhub_org_host::manifest::Manifest;
use dockerhub_org_host::runtime::GuestTrap;
use dockerhub_org_host::simulator::DEFAULT_ORG;

use crate::cli::exit::{self, Failure};
use crate::cli::output::Format;

/// Docker Hub organization administration through the dockerhub-org WebAssembly component.
///
/// Every action is a subcommand with flags from its input schema (`dockerhub-org ACTION --help`);
/// `run ACTION --input JSON` takes the same input as JSON, for scripts.
///
/// Live runs read the Organization Access Token from DOCKERHUB_OAT, or from the file
/// DOCKERHUB_OAT_FILE names (never from a flag, so it stays out of shell history), and the
/// organization from --org or DOCKERHUB_ORG. --simulate runs against an embedded Docker Hub
/// simulator instead; no account needed.
#[derive(Parser)]
#[command(name = "dockerhub-org", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How output is printed.
#[derive(Args)]
struct Output {
    /// json: one line, exactly as the action wrote it; table: aligned columns (a plan: +/~/- lines);
    /// csv: a header row and one record per item; yaml: YAML (an export-org document as the document
    /// alone, ready to edit). Default: a table for listings (list-*, export-*, sync-*) and plans on a
    /// terminal, otherwise indented JSON.
    #[arg(long, short, value_enum)]
    output: Option<Format>,
    /// Shorthand for --output json.
    #[arg(long, conflicts_with = "output")]
    json: bool,
}

impl Output {
    /// The format the user chose, if any.
    fn format(&self) -> Option<Format> {
        if self.json { Some(Format::Json) } else { self.output }
    }
}

/// What part of an action's output is shown, and how (tables and CSV).
#[derive(Args, Default)]
struct View {
    /// Only these columns, in this order (comma-separated, as the table's header names them in
    /// lower case; nested fields as data.member). Id-like columns, hidden in tables, show when named.
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    columns: Option<Vec<String>>,
    /// Show one array field of the output as the table or CSV (for example `access-review --section
    /// inactive`); an object field shows its first list.
    #[arg(long, value_name = "NAME")]
    section: Option<String>,
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
    /// Run one action with JSON input (for scripts) and print its output. Every action is also a
    /// subcommand of its own, with flags from its input schema (`dockerhub-org ACTION --help`).
    ///
    /// Examples:
    ///   dockerhub-org run list-members --simulate --input '{"role": "owner"}'
    ///   dockerhub-org run export-members --simulate --output csv > members.csv
    ///   DOCKERHUB_OAT=dckr_oat_... dockerhub-org run list-members --org myorg --input @query.json
    Run {
        /// Action name (see `dockerhub-org actions`).
        action: String,
        /// JSON input, or @file to read it from a file, or @- for standard input.
        #[arg(long, short, default_value = "{}")]
        input: std::ffi::OsString,
        /// Do not ask for confirmation of a destructive write on a terminal (without a terminal
        /// nothing asks).
        #[arg(long, short)]
        yes: bool,
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        output: Output,
        #[command(flatten)]
        view: View,
    },
    /// Run the three health checks.
    Health {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        output: Output,
    },
    /// List the actions (the component's manifest), or show one action's schemas and example.
    Actions {
        /// An action name to show in full.
        name: Option<String>,
        #[command(flatten)]
        output: Output,
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
    /// Print a shell completion script (subcommands, flags and their values).
    ///
    /// bash: `source <(dockerhub-org completion bash)`; zsh: `dockerhub-org completion zsh >
    /// "${fpath[1]}/_dockerhub-org"`; fish: `dockerhub-org completion fish >
    /// ~/.config/fish/completions/dockerhub-org.fish`.
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Serve every action as a Model Context Protocol tool over standard input and output (for
    /// agents). Every write previews (dry_run: true) unless the agent passes dry_run: false.
    Mcp {
        #[command(flatten)]
        target: Target,
        /// Which tools to list: members, invites, teams, audit, workflows, admin (the default is all
        /// six), org (export-org, plan-org, apply-org; only when named), or all (adds org, the
        /// connection-form tools and the single health checks).
        #[arg(long, default_value = dockerhub_org_host::mcp::DEFAULT_TOOLSETS)]
        toolsets: dockerhub_org_host::mcp::Toolsets,
    },
}

/// The whole command line: the subcommands above, and every action of the manifest as a
/// subcommand with its flags ([`cli::flags`]).
fn full_command() -> clap::Command {
    let mut command = Cli::command().after_help(exit::help());
    let builtin: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for action in Manifest::embedded().actions {
        if builtin.contains(&action.name) {
            continue;
        }
        let sub = cli::flags::action_command(&action);
        // Augmenting sets the Args structs' own about text: the action's is put back.
        let (about, long_about) =
            (sub.get_about().cloned().unwrap_or_default(), sub.get_long_about().cloned().unwrap_or_default());
        let sub = View::augment_args(Output::augment_args(Target::augment_args(sub)));
        command = command.subcommand(sub.about(about).long_about(long_about).after_help(exit::help()));
    }
    command
}

fn main() -> ExitCode {
    let matches = full_command().get_matches();
    let outcome = match matches.subcommand() {
        Some((name, sub)) if Cli::command().find_subcommand(name).is_none() => run_action(name, sub),
        _ => match Cli::from_arg_matches(&matches) {
            Ok(cli) => dispatch(cli),
            Err(error) => error.exit(),
        },
    };
    match outcome {
        Ok(code) => code,
        Err(error) => finish(&error),
    }
}

/// Runs action `name` from its subcommand's flags.
fn run_action(name: &str, matches: &clap::ArgMatches) -> anyhow::Result<ExitCode> {
    let action = Manifest::embedded().action(name).cloned().unwrap_or_default();
    let target = Target::from_arg_matches(matches)?;
    let output = Output::from_arg_matches(matches)?;
    let view = View::from_arg_matches(matches)?;
    let flags = cli::flags::input_from(&action, matches)?;
    let input = matches.get_one::<std::ffi::OsString>("input").cloned();
    let yes = matches.try_get_one::<bool>("yes").ok().flatten().copied().unwrap_or(false);
    let file = matches.try_get_one::<std::ffi::OsString>("file").ok().flatten().cloned();
    let call = cli::run::Call { action: name, input: input.as_deref(), file: file.as_deref(), flags, yes };
    cli::run::run(&call, &target, &output, &view)
}

/// Runs the chosen subcommand; returns its exit code (action errors are already printed).
fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo { json } => cli::demo::demo(json),
        Command::Run { action, input, yes, target, output, view } => {
            let call =
                cli::run::Call { action: &action, input: Some(&input), file: None, flags: Default::default(), yes };
            cli::run::run(&call, &target, &output, &view)
        }
        Command::Health { target, output } => cli::run::health(&target, &output),
        Command::Actions { name, output } => cli::actions::actions(name.as_deref(), output.format()),
        Command::ServeSimulator { port, org, latency_ms, rate_limit } => {
            cli::demo::serve_simulator(port, &org, latency_ms, rate_limit)
        }
        Command::Completion { shell } => {
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut full_command(), "dockerhub-org", &mut out);
            io::Write::flush(&mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Mcp { target, toolsets } => {
            dockerhub_org_host::mcp::serve_stdio(&target, &toolsets).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// Reports a failure the subcommand could not handle, and picks its exit code: quiet success for a
/// closed output, the failure's own code, the trap code, or the host code.
fn finish(error: &anyhow::Error) -> ExitCode {
    let closed_output =
        error.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe));
    if closed_output {
        return exit::exit(exit::OK);
    }
    if let Some(failure) = error.downcast_ref::<Failure>() {
        cli::eprintln(&format!("error: {failure}"));
        return exit::exit(failure.code);
    }
    if let Some(trap) = error.downcast_ref::<GuestTrap>() {
        cli::eprintln(&format!("error: {trap}"));
        return exit::exit(exit::TRAP);
    }
    cli::eprintln(&format!("error: {error:#}"));
    exit::exit(exit::HOST)
}
