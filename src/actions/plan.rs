//! Plans of write requests: what a write action will send (or, in a dry run, would send), carried
//! out step by step.
//!
//! Every action that writes builds a [`Plan`] from what it read, then either returns it as is
//! (`dry_run`) or carries it out with [`Plan::execute`], which stops at the first failure and says
//! exactly what was done, what failed, and what was never attempted. An empty plan means the end
//! state already holds: the action reports `changed: false`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::api::{ApiRequest, Endpoint};
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
    request: Option<ApiRequest>,
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
}

/// The write requests an action makes, in order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    steps: Vec<PlannedStep>,
}

/// The outcome of a carried-out plan: each step's record and Docker's answer, in order (read with
/// the step's [`Endpoint`]).
#[derive(Debug, Default)]
pub struct Executed {
    /// What was done.
    pub completed: Vec<CompletedStep>,
    /// Docker's answers, one per completed step.
    pub responses: Vec<HttpResponse>,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Plan::default()
    }

    /// Appends `endpoint`'s request, explained by `why`.
    pub fn add<T>(&mut self, endpoint: &Endpoint<T>, why: impl Into<String>) {
        let request = ApiRequest::clone(endpoint);
        let step = self.steps.len() + 1;
        self.steps.push(PlannedStep {
            step,
            method: request.method.as_str(),
            path: request.path_and_query(),
            body: request.body.clone(),
            why: why.into(),
            request: Some(request),
        });
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[PlannedStep] {
        &self.steps
    }

    /// Whether nothing needs to be sent (the end state already holds).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Carries the plan out in order, unless `dry_run` (then nothing is sent). On the first failure,
    /// returns that error with the steps done, the failed one and those not attempted in its detail;
    /// a failed step that may still have been carried out (a POST or PATCH without an answer, or
    /// answered 5xx) is said to be uncertain, never "nothing was changed".
    pub fn execute(&self, client: &Client, action: &str, dry_run: bool) -> Result<Executed> {
        let mut executed = Executed::default();
        if dry_run {
            return Ok(executed);
        }
        for (i, step) in self.steps.iter().enumerate() {
            let Some(request) = &step.request else { continue };
            match client.send(request) {
                Ok(response) => {
                    executed.completed.push(CompletedStep {
                        step: step.step,
                        method: step.method,
                        path: step.path.clone(),
                        why: step.why.clone(),
                        status: response.status,
                    });
                    executed.responses.push(response);
                }
                Err(error) => return Err(self.stopped(action, i, executed.completed, error)),
            }
        }
        Ok(executed)
    }

    fn stopped(&self, action: &str, index: usize, completed: Vec<CompletedStep>, error: Error) -> Error {
        let step = &self.steps[index];
        let uncertain = may_have_been_carried_out(step, &error);
        let this = if uncertain {
            " This step may still have been carried out by Docker Hub (no clear answer came back): check before running it again."
        } else {
            ""
        };
        // A plan of one request fails as that request did: its error, detail and all, is the
        // whole story (with the uncertainty said when there is one).
        if self.steps.len() == 1 {
            return Error { message: format!("{}{this}", error.message), ..error };
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
        let detail = json!({
            "completed": completed,
            "failed": { "step": step.step, "method": step.method, "path": step.path, "why": step.why,
                        "error": error.kind_name(), "may_have_been_carried_out": uncertain,
                        "detail": error.detail },
            "not_attempted": self.steps[index + 1..].iter()
                .map(|s| json!({ "step": s.step, "method": s.method, "path": s.path }))
                .collect::<Vec<_>>(),
        });
        Error { message, detail: Some(detail), ..error }
    }
}

/// Whether a failed request may have been carried out anyway: a non-idempotent request (POST,
/// PATCH) that got no answer or a 5xx. Retried requests (GET, PUT, DELETE) are idempotent, and any
/// other answer (4xx) is Docker refusing it.
fn may_have_been_carried_out(step: &PlannedStep, error: &Error) -> bool {
    let non_idempotent = matches!(step.method, m if m == Method::Post.as_str() || m == Method::Patch.as_str());
    let unclear = matches!(error.kind, ErrorKind::Transport | ErrorKind::InvalidResponse)
        || matches!(error.kind, ErrorKind::Upstream { status } if status >= 500);
    non_idempotent && unclear
}

/// What every write action reports besides its own fields.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct WriteReport {
    /// Whether anything was changed (in a dry run: would be). `false` means the end state already
    /// held, so nothing was sent: running the action again is safe.
    pub changed: bool,
    /// Whether this was a dry run: the targets were read and checked, no write was sent.
    pub dry_run: bool,
    /// What was found and done (or would be done), in words.
    pub message: String,
    /// The write requests, in order: those sent, or in a dry run those that would be sent.
    pub plan: Vec<PlannedStep>,
    /// Each step carried out, with Docker Hub's status (empty in a dry run).
    pub completed: Vec<CompletedStep>,
}

impl WriteReport {
    /// The report of `plan`, carried out (`executed`) or not (`dry_run`).
    pub fn new(plan: &Plan, dry_run: bool, executed: Executed, message: impl Into<String>) -> Self {
        WriteReport {
            changed: !plan.is_empty(),
            dry_run,
            message: message.into(),
            plan: plan.steps().to_vec(),
            completed: executed.completed,
        }
    }
}
