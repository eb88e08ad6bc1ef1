//! The one write routine: what a write action will send (or, in a dry run, would send), carried
//! out step by step, and the report that says what happened.
//!
//! Every action that writes reads its targets, builds a [`Plan`] of the requests that would bring
//! the end state about (an empty plan: it already holds), and calls [`Plan::run`] with its
//! [`Words`]. `run` sends the steps in order (nothing in a dry run), settles each answer by what
//! its endpoint declares ([`IfAbsent`], [`Refusal`]): done, already done (the target went in
//! between, or Docker says the end state holds), refused (the action's own error), or failed. It
//! stops at the first failure and says what was done, what failed, whether the failed step may
//! still have been carried out (`outcome: "unknown"`, with what to read to find out) and what was
//! never attempted. It builds the whole [`WriteReport`]: `changed` (a step did change something),
//! `found`, the completed steps and the warnings. No action adjusts the report afterwards.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{ApiRequest, Endpoint, FromResponse, IfAbsent, Refusal};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::host::{HttpResponse, Method};

/// One request of a plan, with why it is made.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct PlannedStep {
    /// 1-based position in the plan.
    pub step: usize,
    /// HTTP method (GET, POST, PUT, PATCH, DELETE).
    pub method: &'static str,
    /// Path and query, as sent (percent-encoded), relative to the hub URL.
    pub path: String,
    /// JSON body, when the request has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// What it does, in words.
    pub why: String,
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(skip))]
    request: ApiRequest,
    /// What to read to learn whether the step took effect when its answer never came.
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(skip))]
    verify: Option<String>,
    /// Reads a 2xx answer: whether it changed anything (a bulk invite of people all invited
    /// already changes nothing). Unset: every 2xx is a change.
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(skip))]
    changes: Option<fn(&HttpResponse) -> bool>,
    /// The error to answer when Docker says the step's target does not exist (absent is
    /// not-found, in the action's words).
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schemars(skip))]
    missing: Option<Error>,
}

impl PlannedStep {
    /// What to read to learn whether this step took effect, should its answer never come.
    pub fn verify_with(&mut self, what: impl Into<String>) -> &mut Self {
        self.verify = Some(what.into());
        self
    }

    /// How to tell from a 2xx answer whether the step changed anything.
    pub fn changes_when(&mut self, judge: fn(&HttpResponse) -> bool) -> &mut Self {
        self.changes = Some(judge);
        self
    }

    /// The not-found error to answer when Docker says the step's target does not exist.
    pub fn missing_is(&mut self, error: Error) -> &mut Self {
        self.missing = Some(error);
        self
    }

    /// Makes a 404 to this step mean its end state holds (`missing_ok`, or a target the action
    /// just read).
    pub fn absent_is_done(&mut self) -> &mut Self {
        self.request.if_absent = IfAbsent::Done;
        self
    }

    /// Makes a 404 to this step fail as Docker answered it, for an endpoint that declares a 404
    /// done (it is sent after a read that found the target) but is sent here without that read:
    /// the action then reads to learn what the 404 meant.
    pub fn absent_fails(&mut self) -> &mut Self {
        self.request.if_absent = IfAbsent::Fails;
        self
    }
}

impl WriteReport {
    /// Adds a warning found after the run (Docker's answer to a carried-out step does not show
    /// what was asked): in `warnings` and at the end of the message, as the run's own warnings are.
    pub fn warn(&mut self, warning: String) {
        if self.warnings.is_empty() {
            self.message.push_str(" Warning: ");
        } else {
            self.message.push(' ');
        }
        self.message.push_str(&warning);
        self.warnings.push(warning);
    }
}

/// How a carried-out step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StepOutcome {
    /// Docker carried it out.
    Done,
    /// Docker answered that what the step does already holds (the target was already gone, or
    /// the person already on the team): nothing changed.
    AlreadyDone,
}

impl StepOutcome {
    /// Whether Docker carried the step out.
    pub fn is_done(&self) -> bool {
        *self == StepOutcome::Done
    }
}

/// A step that was carried out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct CompletedStep {
    /// 1-based position in the plan.
    pub step: usize,
    /// HTTP method.
    pub method: &'static str,
    /// Path and query, as sent.
    pub path: String,
    /// What it did, in words.
    pub why: String,
    /// Docker Hub's HTTP status.
    pub status: u16,
    /// `already-done` when Docker answered that the end state already held (the target went in
    /// between, the person was on the team already); absent when the step was carried out.
    #[serde(skip_serializing_if = "StepOutcome::is_done")]
    pub outcome: StepOutcome,
}

/// The write requests an action makes, in order, and what it found of its target.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    steps: Vec<PlannedStep>,
    found: Option<bool>,
}

/// Turns a declared refusal Docker answered into the action's own error.
pub type RefusalError<'a> = &'a dyn Fn(&Refusal, Error) -> Error;

/// The words of a write's report, chosen by the action.
pub struct Words<'a> {
    /// The plan is empty: the end state already held (or, with `missing_ok`, the target was not
    /// there), so nothing was sent.
    pub nothing: String,
    /// A dry run of a plan with steps.
    pub preview: String,
    /// The plan was carried out.
    pub done: String,
    /// Turns a declared refusal that Docker answered (the last owner, a name in use) into the
    /// action's error. Without it, Docker's refusal is the error.
    pub refused: Option<RefusalError<'a>>,
}

impl Words<'_> {
    /// The three messages, no refusal of the action's own.
    pub fn new(nothing: impl Into<String>, preview: impl Into<String>, done: impl Into<String>) -> Self {
        Words { nothing: nothing.into(), preview: preview.into(), done: done.into(), refused: None }
    }
}

/// A carried-out (or previewed) plan: the report, and Docker's answer to each step.
#[derive(Debug)]
pub struct Ran {
    /// What every write action reports.
    pub report: WriteReport,
    /// Docker's 2xx answer per step, in plan order (`None`: not sent, or settled without one).
    answers: Vec<Option<HttpResponse>>,
}

impl Ran {
    /// Docker's answer to step `index` (0-based) read as `endpoint`'s type. An answer that cannot
    /// be read does not undo the write: it is `None`, with a warning in the report.
    pub fn answer<T: FromResponse>(&mut self, index: usize, endpoint: &Endpoint<T>) -> Option<T> {
        let response = self.answers.get(index)?.as_ref()?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        match endpoint.read(response) {
            Ok(value) => Some(value),
            Err(e) => {
                self.report.warnings.push(format!(
                    "Docker Hub carried out step {} ({}) but its answer could not be read: {}",
                    index + 1,
                    endpoint.target,
                    e.message
                ));
                None
            }
        }
    }

    /// Docker's 2xx answer to step `index` (0-based), as it came.
    pub fn response(&self, index: usize) -> Option<&HttpResponse> {
        self.answers.get(index)?.as_ref()
    }

    /// Whether step `index` (0-based) was carried out and changed something.
    pub fn did(&self, index: usize) -> bool {
        self.report.completed.iter().any(|c| c.step == index + 1 && c.outcome == StepOutcome::Done)
    }
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Plan::default()
    }

    /// Appends `endpoint`'s request, explained by `why`; returns the step to declare more.
    pub fn add<T>(&mut self, endpoint: &Endpoint<T>, why: impl Into<String>) -> &mut PlannedStep {
        let request = ApiRequest::clone(endpoint);
        let index = self.steps.len();
        self.steps.push(PlannedStep {
            step: index + 1,
            method: request.method.as_str(),
            path: request.path_and_query(),
            body: request.body.clone(),
            why: why.into(),
            request,
            verify: None,
            changes: None,
            missing: None,
        });
        &mut self.steps[index]
    }

    /// Records whether the action found the target it writes to (a removal's person, team or
    /// invite). Reported as `found`; a plan that addresses no existing target leaves it out.
    pub fn found(&mut self, found: bool) {
        self.found = Some(found);
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[PlannedStep] {
        &self.steps
    }

    /// Whether nothing needs to be sent (the end state already holds).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Carries the plan out in order, unless `dry_run` (then nothing is sent), and reports it in
    /// `words`. On the first failure, returns that error with the steps done, the failed one and
    /// those not attempted in its detail; a failed step that may still have been carried out says
    /// so (`outcome: "unknown"`), never "nothing was changed".
    pub fn run(&self, client: &Client, action: &str, dry_run: bool, words: Words) -> Result<Ran> {
        let mut answers: Vec<Option<HttpResponse>> = vec![None; self.steps.len()];
        let mut completed = Vec::new();
        let mut warnings = Vec::new();
        if !dry_run {
            for (i, step) in self.steps.iter().enumerate() {
                let request = &step.request;
                let sent_before = client.request_count();
                let settled = match client.send(request) {
                    Ok(response) => {
                        let changed = step.changes.is_none_or(|judge| judge(&response));
                        let status = response.status;
                        answers[i] = Some(response);
                        Ok((status, if changed { StepOutcome::Done } else { StepOutcome::AlreadyDone }))
                    }
                    Err(e) => self.settle(step, e, client.request_count() > sent_before, &words),
                };
                match settled {
                    Ok((status, outcome)) => completed.push(CompletedStep {
                        step: step.step,
                        method: step.method,
                        path: step.path.clone(),
                        why: step.why.clone(),
                        status,
                        outcome,
                    }),
                    Err(Settled::Written { status, warning }) => {
                        warnings.push(warning);
                        completed.push(CompletedStep {
                            step: step.step,
                            method: step.method,
                            path: step.path.clone(),
                            why: step.why.clone(),
                            status,
                            outcome: StepOutcome::Done,
                        });
                    }
                    Err(Settled::Failed { error, unknown }) => {
                        return Err(self.stopped(action, i, completed, error, unknown));
                    }
                }
            }
        }
        // A read sent through a plan (api-request's GET) changes nothing.
        let changed = if dry_run {
            self.steps.iter().any(|s| s.method != Method::Get.as_str())
        } else {
            completed.iter().any(|c| c.outcome == StepOutcome::Done && c.method != Method::Get.as_str())
        };
        let gone = completed.iter().filter(|c| c.outcome == StepOutcome::AlreadyDone && c.status == 404).count();
        let found = match self.found {
            // Found by the read, then gone at the write: someone else got there first.
            Some(true) => Some(true),
            Some(false) => Some(false),
            None if gone > 0 && gone == completed.len() => Some(false),
            None => None,
        };
        let mut message = match (self.is_empty(), dry_run) {
            (true, _) => words.nothing,
            (false, true) => words.preview,
            (false, false) if !changed && self.found == Some(true) && gone > 0 => format!(
                "{} Docker Hub answered that it was already gone: someone else removed it between the read that \
found it and this write, so nothing was changed.",
                words.nothing
            ),
            (false, false) if !changed => words.nothing,
            (false, false) => words.done,
        };
        if !dry_run && changed && gone > 0 {
            message.push_str(&format!(
                " {gone} step(s) found their target already gone (changed by someone else in between)."
            ));
        }
        if !warnings.is_empty() {
            message.push_str(" Warning: ");
            message.push_str(&warnings.join(" "));
        }
        let report = WriteReport { changed, dry_run, found, message, plan: self.steps.clone(), completed, warnings };
        Ok(Ran { report, answers })
    }

    /// What a failed send of `step` means, by what its endpoint declared: `Ok` when the end state
    /// holds after all, [`Settled::Written`] when Docker carried it out but its answer was
    /// unreadable, [`Settled::Failed`] otherwise.
    fn settle(
        &self,
        step: &PlannedStep,
        error: Error,
        sent: bool,
        words: &Words,
    ) -> std::result::Result<(u16, StepOutcome), Settled> {
        let request = &step.request;
        if error.status == Some(404) && error.kind == ErrorKind::NotFound {
            if request.if_absent == IfAbsent::Done {
                return Ok((404, StepOutcome::AlreadyDone));
            }
            if let Some(missing) = &step.missing {
                let detail = json!({ "status": 404, "docker_message": error.docker_message });
                return Err(Settled::Failed { error: missing.clone().add_detail(detail), unknown: false });
            }
        }
        if let Some(refusal) = request.refusals.iter().find(|r| r.recognises(&error)) {
            if refusal.means_done() {
                return Ok((error.status.unwrap_or_default(), StepOutcome::AlreadyDone));
            }
            let error = match words.refused {
                Some(refused) => refused(refusal, error),
                None => error,
            };
            return Err(Settled::Failed { error, unknown: false });
        }
        // A 2xx whose body could not be read: the write was carried out.
        if error.kind == ErrorKind::InvalidResponse && error.status.is_some_and(|s| (200..300).contains(&s)) {
            let warning = format!(
                "Docker Hub carried out step {} ({} {}) but its answer could not be read: {}",
                step.step, step.method, step.path, error.message
            );
            return Err(Settled::Written { status: error.status.unwrap_or(200), warning });
        }
        let unknown = sent && outcome_unknown(request, &error);
        Err(Settled::Failed { error, unknown })
    }

    fn stopped(&self, action: &str, index: usize, completed: Vec<CompletedStep>, error: Error, unknown: bool) -> Error {
        let step = &self.steps[index];
        let check = step.verify.clone().unwrap_or_else(|| format!("read {} again", step.request.target));
        let this = if unknown {
            format!(
                " The request was sent but no clear answer came back, so the change may have been carried out: \
{check} to find out before running it again."
            )
        } else {
            String::new()
        };
        // A plan of one request fails as that request did: its error, detail and all, is the
        // whole story (with the unknown outcome said when there is one).
        if self.steps.len() == 1 {
            let message = match (unknown, error.kind == ErrorKind::LimitExceeded) {
                // "Raise the deadline ... continue in another call" would repeat a write that may
                // have happened: say what to check instead.
                (true, true) => {
                    let target = &step.request.target;
                    match error.detail.as_ref().and_then(|d| d.get("value")).and_then(Value::as_u64) {
                        Some(seconds) => format!(
                            "The call reached its deadline of {seconds} s before Docker Hub answered {target}.{this}"
                        ),
                        None => format!("The call ended before Docker Hub answered {target}.{this}"),
                    }
                }
                _ => format!("{}{this}", error.message),
            };
            let error = Error { message, ..error };
            return if unknown { error.add_detail(json!({ "outcome": "unknown", "check": check })) } else { error };
        }
        let before = if completed.is_empty() {
            "no earlier step was carried out".to_string()
        } else {
            format!("steps 1 to {} succeeded", completed.len())
        };
        let message = format!(
            "{action} stopped at step {} of {} ({} {}: {}); {before}; nothing after it was attempted.{this} {}",
            step.step,
            self.steps.len(),
            step.method,
            step.path,
            step.why,
            error.message
        );
        let mut detail = json!({
            "completed": completed,
            "failed": { "step": step.step, "method": step.method, "path": step.path, "why": step.why,
                        "error": error.kind_name(), "may_have_been_carried_out": unknown,
                        "detail": error.detail },
            "not_attempted": self.steps[index + 1..].iter()
                .map(|s| json!({ "step": s.step, "method": s.method, "path": s.path }))
                .collect::<Vec<_>>(),
        });
        if unknown {
            detail["outcome"] = json!("unknown");
            detail["check"] = json!(check);
        }
        Error { message, detail: Some(detail), ..error }
    }
}

/// What a stopped run of a plan says about its steps: the numbers of those carried out, the one
/// that failed, and whether that one may still have been carried out. Read back from the error's
/// detail (the one place [`Plan::run`] writes them), so a workflow reporting per person or per
/// change agrees with it.
pub struct Stopped {
    /// The steps carried out before the failure.
    pub done: BTreeSet<u64>,
    /// The step that failed.
    pub failed: Option<u64>,
    /// The failed step was sent and no clear answer came back: it may have been carried out.
    pub unknown: bool,
}

impl Plan {
    /// Reads `error`, which this plan's [`Plan::run`] returned, for its steps. `run` fails only at
    /// a step; a plan of one step fails as its request did (no `completed` or `failed` in the
    /// detail), so that one step is the failed one.
    pub fn stopped_by(&self, error: &Error) -> Stopped {
        let detail = error.detail.as_ref();
        let done = detail
            .and_then(|d| d.get("completed"))
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(|s| s["step"].as_u64()).collect())
            .unwrap_or_default();
        let only = match self.steps.as_slice() {
            [only] => Some(only.step as u64),
            _ => None,
        };
        let failed = detail.and_then(|d| d["failed"]["step"].as_u64()).or(only);
        let unknown = detail.is_some_and(|d| d["outcome"] == "unknown");
        Stopped { done, failed, unknown }
    }
}

/// How a failed send ended, when it is not "the end state holds".
enum Settled {
    /// Docker carried the step out (2xx) but its body could not be read.
    Written { status: u16, warning: String },
    /// The step failed; `unknown` when it may still have been carried out.
    Failed { error: Error, unknown: bool },
}

/// Whether a write that was sent and then failed may have been carried out anyway: no answer
/// came (a timeout, a connection lost after sending, the call's deadline), or a non-idempotent
/// request (POST, PATCH) got a 5xx. Retried requests (PUT, DELETE) that end in a 5xx were
/// answered "failed" every time; a 4xx is Docker refusing the request.
fn outcome_unknown(request: &ApiRequest, error: &Error) -> bool {
    let no_answer = match error.kind {
        ErrorKind::Transport => {
            error.detail.as_ref().and_then(|d| d.get("failure")).and_then(Value::as_str) != Some("connect")
        }
        ErrorKind::LimitExceeded => {
            error.detail.as_ref().and_then(|d| d.get("limit")).and_then(Value::as_str) == Some("deadline")
        }
        ErrorKind::InvalidResponse => true,
        _ => false,
    };
    let failed_midway = matches!(error.kind, ErrorKind::Upstream { status } if status >= 500) && !request.idempotent;
    request.method != Method::Get && (no_answer || failed_midway)
}

/// What every write action reports besides its own fields.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct WriteReport {
    /// Whether anything was changed (in a dry run: would be). `false` means the end state already
    /// held (or, with `missing_ok`, the target was not there), so nothing changed: running the
    /// action again is safe.
    pub changed: bool,
    /// Whether this was a dry run: the targets were read and checked, no write was sent.
    pub dry_run: bool,
    /// For a write to an existing target (a removal, a cancellation): whether the target was
    /// found. `false` only with `missing_ok: true`; otherwise a missing target is `not-found`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<bool>,
    /// What was found and done (or would be done), in words.
    pub message: String,
    /// The write requests, in order: those sent, or in a dry run those that would be sent.
    pub plan: Vec<PlannedStep>,
    /// Each step carried out, with Docker Hub's status (empty in a dry run).
    pub completed: Vec<CompletedStep>,
    /// Things the caller should know that did not stop the write (an answer that could not be
    /// read after Docker carried the step out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
