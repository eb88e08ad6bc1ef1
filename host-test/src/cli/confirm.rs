//! Confirmation of a destructive write on a terminal: the action runs first as a dry run (its
//! targets resolved, nothing sent), the plan is shown, and `[y/N]` is asked; only `y` or `yes`
//! carries it out. `--yes` skips the question, and without a terminal (standard input and standard
//! error both one) nothing asks: scripts and workflows run as before.
//!
//! An action asked for a dry run (`--dry-run`, or an action whose `dry_run` defaults to true, such
//! as `offboard-member`) previews anyway, so nothing is asked. A preview that changes nothing (the
//! end state already holds) is printed as the answer: there is nothing to confirm.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::Result;
use dockerhub_org_host::Outcome;
use dockerhub_org_host::manifest::Action;
use serde_json::Value;

use super::flags;
use super::safe_text::terminal_line;

/// Whether a question can be asked: standard input and standard error are terminals.
pub fn on_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// What to do after asking.
pub enum Decision {
    /// Carry the write out.
    Go,
    /// The user said no: nothing was sent.
    Declined,
    /// The preview is the answer (nothing would change, or it failed): print it.
    Done(Outcome),
}

/// Previews `input` for `action` (a manifest entry) with `preview` and asks on the terminal.
pub fn confirm(action: &Action, input: &str, preview: impl FnOnce(&str) -> Result<Outcome>) -> Result<Decision> {
    let name = action.name.as_str();
    let Ok(Value::Object(mut fields)) = dockerhub_org::actions::input::strict_json(input) else {
        // Not an object: the component refuses it with its own words.
        return Ok(Decision::Go);
    };
    let dry_run_field = flags::fields(action).into_iter().find(|f| f.name == "dry_run");
    let Some(dry_run_field) = dry_run_field else {
        let question = format!("{name} is destructive and has no dry run to preview it. Run it?");
        return Ok(if ask(&question)? { Decision::Go } else { declined() });
    };
    let previews_anyway = match fields.get("dry_run") {
        Some(Value::Bool(dry_run)) => *dry_run,
        // `null` is the default, as the component reads it: it is no way around the question.
        None | Some(Value::Null) => defaults_to_true(&dry_run_field),
        // Any other value the component refuses as invalid input, before anything is sent.
        Some(_) => return Ok(Decision::Go),
    };
    if previews_anyway {
        return Ok(Decision::Go);
    }
    fields.insert("dry_run".to_string(), Value::Bool(true));
    let text = match preview(&Value::Object(fields).to_string())? {
        Ok(text) => text,
        Err(error) => return Ok(Decision::Done(Err(error))),
    };
    let plan: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if plan["changed"] == false {
        super::eprintln("Nothing to change: the dry run found the end state already holds; nothing was sent.");
        return Ok(Decision::Done(Ok(text)));
    }
    if super::document::is_plan(&plan) {
        // A document's plan: its +/~/- lines, as plan-org shows them.
        let mut text = Vec::new();
        super::document::write_plan(&mut text, &plan, super::document::colour(true))?;
        let _ = std::io::stderr().lock().write_all(&text);
        let question = format!("Carry out {name} as planned above?");
        return Ok(if ask(&question)? { Decision::Go } else { declined() });
    }
    let mut lines = Vec::new();
    if let Some(message) = plan["message"].as_str() {
        lines.push(terminal_line(message));
    }
    for step in plan["plan"].as_array().into_iter().flatten() {
        let (method, path, why) = (step["method"].as_str(), step["path"].as_str(), step["why"].as_str());
        lines.push(format!(
            "  {}. {} {}: {}",
            step["step"],
            terminal_line(method.unwrap_or_default()),
            terminal_line(path.unwrap_or_default()),
            terminal_line(why.unwrap_or_default())
        ));
    }
    super::eprintln(&lines.join("\n"));
    let question = format!("Carry out {name} as planned above?");
    Ok(if ask(&question)? { Decision::Go } else { declined() })
}

/// Whether `dry_run` defaults to true: the schema's `default`, or its description's "(default
/// true)" where the schema gives no `default`.
fn defaults_to_true(field: &flags::Field) -> bool {
    match &field.default {
        Some(default) => *default == Value::Bool(true),
        None => field.description.contains("(default true)"),
    }
}

fn declined() -> Decision {
    super::eprintln("Nothing was changed.");
    Decision::Declined
}

/// Asks `question [y/N]` on standard error and reads the answer from standard input: `y` or `yes`
/// (any case) is yes; anything else, an empty line or the end of input is no.
fn ask(question: &str) -> Result<bool> {
    {
        let mut err = std::io::stderr().lock();
        write!(err, "{} [y/N] ", super::safe_text::terminal_line(question))?;
        err.flush()?;
    }
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}
