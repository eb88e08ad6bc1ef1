//! `dockerhub-org run` (one action) and `dockerhub-org health` (the three checks): connecting to a
//! live organization or the simulator, reading the input, printing the output or the typed error
//! with its exit code.

use std::ffi::OsStr;
use std::io::{IsTerminal as _, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use dockerhub_org::actions::input::MAX_INPUT_BYTES;
use dockerhub_org::connection::DEFAULT_CALL_TIMEOUT_SECONDS;
use dockerhub_org_host::connect::{BadHubUrl, BadTokenFile, Connection, OAT_HINT, ORG_HINT, Target, connect};
use dockerhub_org_host::http::HttpClient;
use dockerhub_org_host::manifest::Manifest;
use dockerhub_org_host::runtime::{ActionError, error_detail, error_kind, error_message};
use serde_json::{Map, Value};

use super::exit::{self, Failure};
use super::output::{self, Format};
use super::safe_text::terminal_line;
use crate::{Output, View};

/// One action call from the command line: the action, its `--input` (JSON, `@file` or `@-`), the
/// fields its flags gave (merged into the input; they win), and `--yes`.
pub struct Call<'a> {
    /// The action's name.
    pub action: &'a str,
    /// `--input`, when given.
    pub input: Option<&'a OsStr>,
    /// `--file`, when given: the `document` field, from YAML or JSON.
    pub file: Option<&'a OsStr>,
    /// The fields the action's flags gave ([`super::flags::input_from`]).
    pub flags: Map<String, Value>,
    /// `--yes`: no confirmation.
    pub yes: bool,
}

/// Runs `call`'s action and prints its output in the chosen format. A destructive write on a
/// terminal is previewed and confirmed first ([`super::confirm`]), unless `--yes`.
pub fn run(call: &Call, target: &Target, output: &Output, view: &View) -> Result<ExitCode> {
    let connection = open(target)?;
    super::check_action_name(call.action, &super::action_names(&connection.runtime))?;
    let within = Duration::from_secs(target.timeout.unwrap_or(DEFAULT_CALL_TIMEOUT_SECONDS));
    let text = match call.input {
        Some(raw) => read_input(raw, within)?,
        None => "{}".to_string(),
    };
    let mut flags = call.flags.clone();
    if let Some(file) = call.file {
        let shown = file.to_string_lossy();
        let path = shown.strip_prefix('@').unwrap_or(&shown);
        let (what, source) = if path == "-" {
            ("standard input".to_string(), "@-".to_string())
        } else {
            (path.to_string(), format!("@{path}"))
        };
        let text = read_input(OsStr::new(&source), within)?;
        flags.insert(super::document::DOCUMENT_FIELD.to_string(), super::document::read_document(&what, &text)?);
    }
    let input = merge(&text, &flags)?;
    let runtime = &connection.runtime;
    let json = output.format() == Some(Format::Json);
    let manifest = Manifest::embedded();
    let listing = manifest.action(call.action).is_some_and(|a| a.listing);
    let mut out = std::io::stdout().lock();
    if !call.yes
        && super::confirm::on_terminal()
        && let Some(action) = manifest.action(call.action).filter(|a| a.destructive)
    {
        let preview =
            |input: &str| with_progress(runtime.http(), || runtime.call(call.action, input, &connection.secrets));
        match super::confirm::confirm(action, &input, preview)? {
            super::confirm::Decision::Go => {}
            super::confirm::Decision::Declined => return Ok(exit::exit(exit::ACTION_FAILED)),
            super::confirm::Decision::Done(Ok(text)) => {
                print_output(&mut out, listing, &text, output, view)?;
                return Ok(exit::exit(exit::OK));
            }
            super::confirm::Decision::Done(Err(error)) => return report_error(&mut out, &error, &connection, json),
        }
    }
    let outcome = with_progress(runtime.http(), || runtime.call(call.action, &input, &connection.secrets))?;
    match outcome {
        Ok(text) => {
            print_output(&mut out, listing, &text, output, view)?;
            Ok(exit::exit(exit::OK))
        }
        Err(error) => report_error(&mut out, &error, &connection, json),
    }
}

/// Prints an action's output as the user chose (a `listing`, as the manifest declares it, is shown
/// as a table by default on a terminal), with the partial-listing footer on standard error for a
/// listing shown as a table or CSV (JSON carries `paging` itself).
fn print_output(out: &mut dyn Write, listing: bool, text: &str, output: &Output, view: &View) -> Result<()> {
    let on_terminal = std::io::stdout().is_terminal();
    let shown = output::Shown {
        on_terminal,
        listing,
        width: output::terminal_width(on_terminal),
        columns: view.columns.clone(),
        section: view.section.clone(),
        colour: super::document::colour(on_terminal),
    };
    let format = output::write_output(out, text, output.format(), &shown)?;
    out.flush()?;
    if matches!(format, Some(Format::Table | Format::Csv))
        && view.section.is_none()
        && let Some(footer) = output::partial_footer(text)
    {
        super::eprintln(&footer);
    }
    Ok(())
}

/// The input text with the flags' fields merged in (they win). Without flags the text goes to the
/// component unchanged (its own errors name what is wrong with it); with flags it must be a JSON
/// object, held to the component's rule that no key is given twice.
fn merge(text: &str, flags: &Map<String, Value>) -> Result<String, Failure> {
    if flags.is_empty() {
        return Ok(text.to_string());
    }
    let text = if text.trim().is_empty() { "{}" } else { text };
    let mut input = match dockerhub_org::actions::input::strict_json(text) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) => return Err(Failure::invalid_input("--input must be a JSON object to be merged with the flags")),
        Err(e) => return Err(Failure::invalid_input(format!("--input is not JSON ({e}); give a JSON object"))),
    };
    for (key, value) in flags {
        input.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(input).to_string())
}

/// Runs the three health checks; exit 0 when all pass, else the code of the first failing check's
/// error kind.
pub fn health(target: &Target, output: &Output) -> Result<ExitCode> {
    let connection = open(target)?;
    let outcome = connection.runtime.call("run-health-checks", "{}", &connection.secrets)?;
    let mut out = std::io::stdout().lock();
    let text = match outcome {
        Ok(text) => text,
        Err(error) => return report_error(&mut out, &error, &connection, output.format() == Some(Format::Json)),
    };
    let value: Value = serde_json::from_str(&text).context("the health checks' output is not JSON")?;
    match output.format() {
        Some(format) => {
            output::write_output(&mut out, &text, Some(format), &output::Shown::default())?;
        }
        None => {
            // A bad token fails every check for the same cause: its explanation is printed once.
            let mut explained: Vec<&str> = Vec::new();
            for check in value["checks"].as_array().into_iter().flatten() {
                let mark = if check["ok"] == true { "ok  " } else { "FAIL" };
                let (name, message) = (check["check"].as_str().unwrap_or(""), check["message"].as_str().unwrap_or(""));
                writeln!(out, "{mark} {}: {}", terminal_line(name), terminal_line(message))?;
                match check["detail"].as_str() {
                    Some(detail) if explained.contains(&detail) => writeln!(out, "     detail: the same as above")?,
                    Some(detail) => {
                        explained.push(detail);
                        writeln!(out, "     detail: {}", terminal_line(&cli_words(detail)))?;
                    }
                    None => {}
                }
            }
        }
    }
    out.flush()?;
    if value["ok"] == true {
        return Ok(exit::exit(exit::OK));
    }
    let failed = value["checks"].as_array().into_iter().flatten().find(|c| c["ok"] != true);
    let kind = failed.and_then(|c| c["error_kind"].as_str());
    Ok(exit::exit(kind.map_or(exit::ACTION_FAILED, exit::code_for_kind)))
}

/// Connects as `target` says; a `--hub-url` that is not a URL is a usage error.
fn open(target: &Target) -> Result<Connection> {
    connect(target).map_err(|e| match e.downcast::<BadHubUrl>() {
        Ok(bad) => Failure::usage(bad.0).into(),
        Err(e) => match e.downcast::<BadTokenFile>() {
            Ok(bad) => Failure { code: exit::code_for_kind("missing-credential"), message: bad.0 }.into(),
            Err(e) => e,
        },
    })
}

/// The input text: the argument itself, a file's contents (`@path`) or standard input (`@-`).
/// A file that cannot be read or text that is not UTF-8 is invalid input, named as such.
///
/// A file or standard input is read with a bound: at most [`MAX_INPUT_BYTES`] (the component's own
/// limit) plus one byte, so `@/dev/zero` stops at once; and within `within` (the call's timeout),
/// on a thread of its own, so a FIFO nobody writes to (or `@-` with nothing on standard input)
/// ends the command instead of blocking it. FIFOs and devices are read, not refused: `@<(jq …)`
/// (process substitution) and `@/dev/stdin` are pipes.
fn read_input(raw: &OsStr, within: Duration) -> Result<String, Failure> {
    let bytes = raw.as_encoded_bytes();
    match bytes.strip_prefix(b"@") {
        Some(b"-") => read_bounded("@- (standard input)".to_string(), || Ok(std::io::stdin()), within),
        Some(_) => {
            let path = PathBuf::from(&raw.to_string_lossy()[1..]);
            read_bounded(format!("@{}", path.display()), move || std::fs::File::open(path), within)
        }
        None => raw
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| Failure::invalid_input("--input: not UTF-8 text; JSON input must be UTF-8 (or give @file)")),
    }
}

/// Reads what `open` opens (`what` names it in errors): at most [`MAX_INPUT_BYTES`], within
/// `within`, as UTF-8. The reading thread is left behind when time runs out (the command then
/// ends).
fn read_bounded<R: Read + 'static>(
    what: String,
    open: impl FnOnce() -> std::io::Result<R> + Send + 'static,
    within: Duration,
) -> Result<String, Failure> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let read = open().and_then(|reader| {
            let mut bytes = Vec::new();
            reader.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes).map(|_| bytes)
        });
        let _ = sender.send(read);
    });
    let bytes = match receiver.recv_timeout(within) {
        Ok(read) => read.map_err(|e| {
            Failure::invalid_input(format!("--input {what}: cannot read it: {e} (give JSON text, @file or @-)"))
        })?,
        Err(_) => {
            return Err(Failure::invalid_input(format!(
                "--input {what}: nothing to read within the {} s timeout (a FIFO or device nobody writes to?); \
                 give a regular file, or raise --timeout",
                within.as_secs()
            )));
        }
    };
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(Failure::invalid_input(format!(
            "--input {what}: more than {MAX_INPUT_BYTES} bytes; an action's input is at most {MAX_INPUT_BYTES} bytes \
             (1 MiB)"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::invalid_input(format!(
            "--input {what}: not UTF-8 text (invalid byte at offset {}); JSON input must be UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Prints an action's error — kind, message, detail, and for a missing credential where to give it —
/// and returns the kind's exit code. With `json`, the error goes to standard output as one JSON
/// object (`error`, `message`, `detail`, `hints`).
fn report_error(out: &mut dyn Write, error: &ActionError, connection: &Connection, json: bool) -> Result<ExitCode> {
    let kind = error_kind(error);
    let detail =
        error_detail(error).map(|d| serde_json::from_str::<Value>(d).unwrap_or_else(|_| Value::String(d.to_string())));
    // The fixes the component knows (the error contract's `detail.hints`), in the CLI's words.
    let known: Vec<String> = detail
        .as_ref()
        .and_then(|d| d.get("hints"))
        .and_then(Value::as_array)
        .map(|h| h.iter().filter_map(Value::as_str).map(cli_words).collect())
        .unwrap_or_default();
    let hints: Vec<&str> = if kind == "missing-credential" {
        if connection.missing.is_empty() { vec![ORG_HINT, OAT_HINT] } else { connection.missing.clone() }
    } else {
        known.iter().map(String::as_str).collect()
    };
    if json {
        let value = serde_json::json!({"error": kind, "message": cli_words(error_message(error)), "detail": detail, "hints": hints});
        writeln!(out, "{value}")?;
        out.flush()?;
    } else {
        // The message and detail carry Docker's text: one line each, so neither can forge a line.
        // A stopped apply (or a refused plan) carries its changes: shown as a plan, with outcomes.
        if let Some(detail) = detail.as_ref().filter(|d| super::document::is_plan(d)) {
            let mut text = Vec::new();
            super::document::write_plan(&mut text, detail, super::document::colour(std::io::stderr().is_terminal()))?;
            let _ = std::io::stderr().lock().write_all(&text);
        }
        let mut lines = vec![format!("{kind}: {}", terminal_line(&cli_words(error_message(error))))];
        lines.extend(error_detail(error).map(|d| format!("detail: {}", terminal_line(d))));
        lines.extend(hints.iter().map(|h| format!("hint: {h}")));
        super::eprintln(&lines.join("\n"));
    }
    Ok(exit::exit(exit::code_for_kind(kind)))
}

/// The component's words for a workflow platform's connection form, and the CLI's for the same
/// thing: where the CLI takes the organization and the token. (The health checks' messages keep the
/// platform's wording, as the product's seed documents them.)
const CLI_WORDS: &[(&str, &str)] = &[
    (
        "Check both in the connection settings.",
        "Check both: the organization (--org or DOCKERHUB_ORG) and the token (DOCKERHUB_OAT or DOCKERHUB_OAT_FILE).",
    ),
    (
        "paste it as the Organization Access Token in the connection settings.",
        "give it in DOCKERHUB_OAT (or a file named by DOCKERHUB_OAT_FILE).",
    ),
    (
        " For repository operations with a Personal Access Token, use the sibling DockerHub integration.",
        " Repository operations with a Personal Access Token are outside this CLI (the docker CLI takes one).",
    ),
];

/// `message` with the connection form's words replaced by the CLI's flags and variables.
fn cli_words(message: &str) -> String {
    CLI_WORDS.iter().fold(message.to_string(), |text, (form, cli)| text.replace(form, cli))
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
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r  working... {} HTTP requests so far", http.sent().len());
                let _ = err.flush();
                shown = true;
                drop(err);
                std::thread::sleep(Duration::from_millis(150));
            }
            if shown {
                let _ = write!(std::io::stderr().lock(), "\r{:60}\r", "");
            }
        })
    };
    let result = work();
    done.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_components_connection_form_words_become_the_clis() {
        let pat = cli_words(dockerhub_org::client::status::MSG_PAT_REFUSED);
        assert!(!pat.contains("connection settings") && !pat.contains("sibling"), "{pat}");
        assert!(pat.contains("DOCKERHUB_OAT_FILE") && pat.contains("docker CLI"), "{pat}");
        // Each phrase is still the component's: a reworded message would leave it untranslated.
        let source = include_str!("../../../src/client/status.rs").replace("\\\n", "");
        for (form, _) in CLI_WORDS {
            assert!(source.contains(form.trim()), "{form:?} is no longer in src/client/status.rs");
        }
    }
}
