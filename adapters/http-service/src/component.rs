//! The component boundary (wasm32 only): over the generated [`crate::bindings`], the `incoming-handler` export,
//! reading the request's head and body, writing the [`Reply`] through `wasi:http`, and the access
//! log line through `wasi:cli/stderr`.

use crate::bindings as wit;
use wit::dockerhub::adapters::service_host;
use wit::dockerhub::org::actions::{self, ActionError};
use wit::exports::wasi::http::incoming_handler::Guest;
use wit::wasi::cli::stderr;
use wit::wasi::clocks::{monotonic_clock, wall_clock};
use wit::wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wit::wasi::io::streams::StreamError;

use crate::access::{self, Caller, RequestHead};
use crate::access_log::Entry;
use crate::errors::{ErrorKind, Failure};
use crate::reply::{Authentication, MAX_INPUT_BYTES, Reply};
use crate::routes::{self, Route};
use crate::settings::Settings;
use crate::{action_table, dry_run};

/// The component's export.
struct Service;

wit::export!(Service with_types_in wit);

impl Guest for Service {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let started = monotonic_clock::now();
        let arrived = wall_clock::now();
        service_host::begin_call();
        let mut entry = Entry { time: Some((arrived.seconds, arrived.nanoseconds)), route: "none", ..Entry::default() };
        let reply = answer(request, &mut entry);
        send(response_out, &reply);
        entry.status = reply.status;
        entry.duration_ms = monotonic_clock::now().saturating_sub(started) / 1_000_000;
        entry.docker_requests = service_host::requests_sent();
        write_log_line(&entry.line());
    }
}

/// Passes `request` through the doors ([`access`]) and runs what it asks for; records in `entry`
/// who asked for what and how it went.
fn answer(request: IncomingRequest, entry: &mut Entry) -> Reply {
    let head = request_head(&request);
    entry.method.clone_from(&head.method);
    match routes::route(&head.method, &head.path) {
        Ok(Route::Action(name)) => (entry.route, entry.action) = ("action", Some(name)),
        Ok(Route::Manifest) => entry.route = "manifest",
        Ok(Route::Health) => entry.route = "health",
        Err(_) => {}
    }
    let settings = Settings::read(service_host::config_value);
    let admitted = match access::admit(&head, &settings) {
        Ok(admitted) => admitted,
        Err(denial) => {
            entry.outcome = denial.kind().to_string();
            return Reply::denied(&denial);
        }
    };
    let authentication = match &settings {
        Ok(settings) if settings.allow_unauthenticated => Authentication::Off,
        _ => Authentication::Required,
    };
    entry.key = admitted.caller.key_name().map(str::to_string);
    let (reply, outcome) = match admitted.route {
        Route::Manifest => (Reply::output(actions::describe()), "ok"),
        Route::Health if admitted.caller == Caller::Nobody => (Reply::up(), "ok"),
        Route::Health => match actions::run_health_checks("") {
            Ok(output) => {
                let reply = Reply::health(output, authentication);
                let outcome = if reply.status == 200 { "ok" } else { "unhealthy" };
                (reply, outcome)
            }
            Err(error) => failed(&failure(error)),
        },
        Route::Action(name) => {
            let input = match read_body(request) {
                Ok(input) => input,
                Err(reply) => {
                    entry.outcome = ErrorKind::InvalidInput.name().to_string();
                    return reply;
                }
            };
            entry.dry_run = dry_run::requested(&input);
            if let Err(denial) = access::authorize(&admitted.caller, &name, &input) {
                (Reply::denied(&denial), denial.kind())
            } else {
                match action_table::call(&name, &input) {
                    None => (Reply::unknown_action(&name), "not-found"),
                    Some(Ok(output)) => (Reply::output(output), "ok"),
                    Some(Err(error)) => failed(&failure(error)),
                }
            }
        }
    };
    entry.outcome = outcome.to_string();
    reply
}

/// A failed call's reply and its kind.
fn failed(failure: &Failure) -> (Reply, &'static str) {
    (Reply::failure(failure, now()), failure.kind.name())
}

/// What the doors read of `request`.
fn request_head(request: &IncomingRequest) -> RequestHead {
    let headers = request.headers();
    let values = |name: &str| headers.get(name);
    RequestHead {
        method: method_name(&request.method()),
        path: request.path_with_query().unwrap_or_default(),
        authority: request.authority(),
        host: values("host"),
        origin: values("origin"),
        authorization: values("authorization"),
        content_type: values("content-type"),
    }
}

/// Writes one access-log line to standard error; a log that cannot be written is not an error
/// of the request.
fn write_log_line(line: &str) {
    let stream = stderr::get_stderr();
    for chunk in line.as_bytes().chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            break;
        }
    }
}

fn now() -> u64 {
    wall_clock::now().seconds
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other.clone(),
    }
}

/// The request body as text, at most [`MAX_INPUT_BYTES`].
fn read_body(request: IncomingRequest) -> Result<String, Reply> {
    let unreadable = || Reply::unreadable_input(false);
    let body = request.consume().map_err(|()| unreadable())?;
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| unreadable())?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_INPUT_BYTES {
                        return Err(Reply::unreadable_input(true));
                    }
                }
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(_)) => return Err(unreadable()),
            }
        }
    }
    drop(IncomingBody::finish(body));
    String::from_utf8(bytes).map_err(|_| unreadable())
}

/// The plugin's error as a [`Failure`].
fn failure(error: ActionError) -> Failure {
    let (kind, info) = match error {
        ActionError::InvalidInput(info) => (ErrorKind::InvalidInput, info),
        ActionError::MissingCredential(info) => (ErrorKind::MissingCredential, info),
        ActionError::Unauthorized(info) => (ErrorKind::Unauthorized, info),
        ActionError::Forbidden(info) => (ErrorKind::Forbidden, info),
        ActionError::NotFound(info) => (ErrorKind::NotFound, info),
        ActionError::Conflict(info) => (ErrorKind::Conflict, info),
        ActionError::Transport(info) => (ErrorKind::Transport, info),
        ActionError::InvalidResponse(info) => (ErrorKind::InvalidResponse, info),
        ActionError::LimitExceeded(info) => (ErrorKind::LimitExceeded, info),
        ActionError::RateLimited(info) => {
            let mut failure = Failure::new(ErrorKind::RateLimited, info.message);
            failure.detail = info.detail;
            failure.retry_after_unix = info.retry_after;
            return failure;
        }
        ActionError::Upstream(info) => {
            let mut failure = Failure::new(ErrorKind::Upstream, info.message);
            failure.detail = info.detail;
            failure.upstream = Some((info.status, info.docker_message));
            return failure;
        }
    };
    let mut failure = Failure::new(kind, info.message);
    failure.detail = info.detail;
    failure
}

/// Writes `reply` as the response.
fn send(response_out: ResponseOutparam, reply: &Reply) {
    let headers = Fields::new();
    let length = reply.body.len().to_string();
    let fixed = [("content-type", "application/json"), ("content-length", length.as_str())];
    for (name, value) in fixed.into_iter().chain(reply.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))) {
        // Only fixed, valid header names are sent; a refusal leaves the header out.
        let _ = headers.append(name, value.as_bytes());
    }
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(reply.status);
    let body = response.body();
    ResponseOutparam::set(response_out, Ok(response));
    let Ok(body) = body else { return };
    if let Ok(stream) = body.write() {
        for chunk in reply.body.as_bytes().chunks(4096) {
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}
