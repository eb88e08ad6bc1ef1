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
use dockerhub_org_host::connect::{BadHubUrl, Connection, OAT_HINT, ORG_HINT, Target, connect};
use dockerhub_org_host::http::HttpClient;
use dockerhub_org_host::runtime::{ActionError, error_detail, error_kind, error_message};
use serde_json::Value;

use super::exit::{self, Failure};
use super::output::{self, Format};
use super::safe_text::terminal_line;
use crate::Output;

/// Runs `action` with `input` (JSON, `@file` or `@-`) and prints its output in the chosen format.
pub fn run(action: &str, input: &OsStr, target: &Target, output: &Output) -> Result<ExitCode> {
    let connection = open(target)?;
    super::check_action_name(action, &super::action_names(&connection.runtime))?;
    let input = read_input(input, Duration::from_secs(target.timeout.unwrap_or(DEFAULT_CALL_TIMEOUT_SECONDS)))?;
    let runtime = &connection.runtime;
    let outcome = with_progress(runtime.http(), || runtime.call(action, &input, &connection.secrets))?;
    let mut out = std::io::stdout().lock();
    match outcome {
        Ok(text) => {
            let listing_on_terminal = is_listing(action) && std::io::stdout().is_terminal();
            output::write_output(&mut out, &text, output.format(), listing_on_terminal)?;
            out.flush()?;
            Ok(exit::exit(exit::OK))
        }
        Err(error) => report_error(&mut out, &error, &connection, output.format() == Some(Format::Json)),
    }
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
        Some(format) => output::write_output(&mut out, &text, Some(format), false)?,
        None => {
            for check in value["checks"].as_array().into_iter().flatten() {
                let mark = if check["ok"] == true { "ok  " } else { "FAIL" };
                let (name, message) = (check["check"].as_str().unwrap_or(""), check["message"].as_str().unwrap_or(""));
                writeln!(out, "{mark} {}: {}", terminal_line(name), terminal_line(message))?;
                if let Some(detail) = check["detail"].as_str() {
                    writeln!(out, "     detail: {}", terminal_line(detail))?;
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

/// Whether `action` is a listing, shown as a table by default on a terminal.
fn is_listing(action: &str) -> bool {
    ["list-", "export-", "sync-"].iter().any(|prefix| action.starts_with(prefix))
}

/// Connects as `target` says; a `--hub-url` that is not a URL is a usage error.
fn open(target: &Target) -> Result<Connection> {
    connect(target).map_err(|e| match e.downcast::<BadHubUrl>() {
        Ok(bad) => Failure::usage(bad.0).into(),
        Err(e) => e,
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
    let hints: Vec<&str> = if kind == "missing-credential" {
        if connection.missing.is_empty() { vec![ORG_HINT, OAT_HINT] } else { connection.missing.clone() }
    } else {
        Vec::new()
    };
    if json {
        let detail = error_detail(error)
            .map(|d| serde_json::from_str::<Value>(d).unwrap_or_else(|_| Value::String(d.to_string())));
        let value =
            serde_json::json!({"error": kind, "message": error_message(error), "detail": detail, "hints": hints});
        writeln!(out, "{value}")?;
        out.flush()?;
    } else {
        // The message and detail carry Docker's text: one line each, so neither can forge a line.
        let mut lines = vec![format!("{kind}: {}", terminal_line(error_message(error)))];
        lines.extend(error_detail(error).map(|d| format!("detail: {}", terminal_line(d))));
        lines.extend(hints.iter().map(|h| format!("hint: {h}")));
        super::eprintln(&lines.join("\n"));
    }
    Ok(exit::exit(exit::code_for_kind(kind)))
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
