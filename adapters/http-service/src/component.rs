//! The component boundary (wasm32 only): the generated bindings, the `incoming-handler` export,
//! reading the request body and writing the [`Reply`] through `wasi:http`.

pub(crate) mod wit {
    wit_bindgen::generate!({
        world: "dockerhub:adapters/http-service",
        path: ["../../wit", "../wit"],
        // The plugin's interfaces live in another package (`dockerhub:org`, ../../wit).
        generate_all,
    });
}

use wit::dockerhub::org::actions::{self, ActionError};
use wit::exports::wasi::http::incoming_handler::Guest;
use wit::wasi::clocks::wall_clock;
use wit::wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wit::wasi::io::streams::StreamError;

use crate::action_table;
use crate::errors::{ErrorKind, Failure};
use crate::reply::{MAX_INPUT_BYTES, Reply};
use crate::routes::{self, Route};

/// The component's export.
struct Service;

wit::export!(Service with_types_in wit);

impl Guest for Service {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let reply = answer(request);
        send(response_out, &reply);
    }
}

/// Routes `request` and runs what it asks for.
fn answer(request: IncomingRequest) -> Reply {
    let method = method_name(&request.method());
    let path = request.path_with_query().unwrap_or_default();
    match routes::route(&method, &path) {
        Err(refusal) => Reply::refusal(&refusal),
        Ok(Route::Manifest) => Reply::output(actions::describe()),
        Ok(Route::Health) => match actions::run_health_checks("") {
            Ok(output) => Reply::health(output),
            Err(error) => Reply::failure(&failure(error), now()),
        },
        Ok(Route::Action(name)) => {
            let input = match read_body(request) {
                Ok(input) => input,
                Err(reply) => return reply,
            };
            match action_table::call(&name, &input) {
                None => Reply::unknown_action(&name),
                Some(Ok(output)) => Reply::output(output),
                Some(Err(error)) => Reply::failure(&failure(error), now()),
            }
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
