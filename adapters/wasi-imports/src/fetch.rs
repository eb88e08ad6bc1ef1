//! Outbound requests over `wasi:http/outgoing-handler` (wasm32 only).
//!
//! A batch keeps up to its width of requests in flight and waits on all of their pollables at once
//! with `wasi:io/poll`: each request is either waiting for its response head or reading its body,
//! and each has a deadline pollable from the monotonic clock for the whole-request timeout. The
//! connect, first-byte and between-bytes timeouts go to the engine as request options; the body
//! cap is checked against `Content-Length` first and then as bytes arrive. With a call deadline
//! ([`crate::deadline`]) no request starts after it and every timeout is cut to the time left.

use std::cell::Cell;
use std::collections::VecDeque;

use crate::allow_list::{AllowList, Refusal, Scheme as AllowedScheme};
use crate::bindings::exports::dockerhub::org::http_fetch::{FetchError, Header, Method, Request, Response};
use crate::bindings::wasi::clocks::monotonic_clock;
use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, IncomingResponse, Method as WasiMethod, OutgoingBody,
    OutgoingRequest, RequestOptions, Scheme,
};
use crate::bindings::wasi::io::poll::{Pollable, poll};
use crate::bindings::wasi::io::streams::{InputStream, StreamError};
use crate::deadline::Deadline;
use crate::limits;

thread_local! {
    /// Requests handed to `wasi:http/outgoing-handler` since the front's last `begin-call`.
    static REQUESTS_SENT: Cell<u32> = const { Cell::new(0) };
}

/// Requests handed to the engine since [`reset_requests_sent`].
pub(crate) fn requests_sent() -> u32 {
    REQUESTS_SENT.with(Cell::get)
}

/// Starts counting the requests of a new call from zero.
pub(crate) fn reset_requests_sent() {
    REQUESTS_SENT.with(|sent| sent.set(0));
}

/// Bytes asked for per read of a response body.
const READ_CHUNK: u64 = 64 * 1024;
/// Most bytes `blocking-write-and-flush` takes at once.
const WRITE_CHUNK: usize = 4096;

/// Where one request stands.
enum Stage {
    /// Sent; waiting for the response head.
    Head(FutureIncomingResponse),
    /// The head arrived; reading the body. Fields drop in order: the stream before its body, the
    /// body before its response (child resources first).
    Body {
        stream: InputStream,
        _body: IncomingBody,
        _response: IncomingResponse,
        status: u16,
        headers: Vec<Header>,
        bytes: Vec<u8>,
    },
}

/// A request in flight.
struct InFlight {
    index: usize,
    stage: Stage,
    deadline: Pollable,
}

/// Sends `requests`, at most `width` at a time, within the call's `deadline` when there is one;
/// outcomes in request order.
pub fn run(
    allow: &AllowList,
    requests: Vec<Request>,
    width: usize,
    deadline: Option<Deadline>,
) -> Vec<Result<Response, FetchError>> {
    let mut outcomes: Vec<Option<Result<Response, FetchError>>> = requests.iter().map(|_| None).collect();
    let mut waiting: VecDeque<(usize, Request)> = requests.into_iter().enumerate().collect();
    let mut active: Vec<InFlight> = Vec::with_capacity(width);
    loop {
        while active.len() < width.max(1) {
            let Some((index, request)) = waiting.pop_front() else { break };
            let now = monotonic_clock::now();
            if deadline.is_some_and(|d| d.remaining(now).is_none()) {
                outcomes[index] = Some(Err(FetchError::DeadlineExceeded("not sent: the deadline had passed".into())));
                continue;
            }
            match start(allow, request, deadline, now) {
                Ok(future) => {
                    active.push(InFlight { index, stage: Stage::Head(future), deadline: timer(deadline, now) })
                }
                Err(error) => outcomes[index] = Some(Err(error)),
            }
        }
        if active.is_empty() {
            break;
        }
        let ready = wait_for_any(&active);
        // Advance the ready ones, back to front so removals keep the other positions valid.
        for position in ready.into_iter().rev() {
            let flight = &mut active[position];
            let outcome = if flight.deadline.ready() && call_deadline_passed(deadline) {
                Some(Err(FetchError::DeadlineExceeded("no answer before the deadline".into())))
            } else if flight.deadline.ready() {
                Some(Err(FetchError::Timeout(format!(
                    "no complete response within {} s",
                    limits::WHOLE_REQUEST_TIMEOUT.as_secs()
                ))))
            } else {
                advance(&mut flight.stage)
            };
            if let Some(outcome) = outcome {
                let done = active.swap_remove(position);
                outcomes[done.index] = Some(outcome);
            }
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(FetchError::Protocol("the request was not run".to_string()))))
        .collect()
}

/// Blocks until at least one request can move on (or hits its deadline); their positions in
/// `active`, ascending. The stage pollables are children of their futures and streams, so they
/// are dropped here before anything is advanced.
fn wait_for_any(active: &[InFlight]) -> Vec<usize> {
    let stage_pollables: Vec<Pollable> = active
        .iter()
        .map(|flight| match &flight.stage {
            Stage::Head(future) => future.subscribe(),
            Stage::Body { stream, .. } => stream.subscribe(),
        })
        .collect();
    let mut all: Vec<&Pollable> = stage_pollables.iter().collect();
    all.extend(active.iter().map(|flight| &flight.deadline));
    let mut positions: Vec<usize> = poll(&all).into_iter().map(|i| i as usize % active.len()).collect();
    positions.sort_unstable();
    positions.dedup();
    positions
}

/// The pollable that ends a request started at `now`: the whole-request timeout, cut to the call's
/// deadline.
fn timer(deadline: Option<Deadline>, now: u64) -> Pollable {
    monotonic_clock::subscribe_duration(limit(deadline, now, limits::WHOLE_REQUEST_TIMEOUT))
}

/// `timeout` in nanoseconds, cut to the time the call has left at `now`.
fn limit(deadline: Option<Deadline>, now: u64, timeout: std::time::Duration) -> u64 {
    deadline.map_or(limits::nanos(timeout), |d| d.cap(now, timeout))
}

/// Whether the call's deadline has passed.
fn call_deadline_passed(deadline: Option<Deadline>) -> bool {
    deadline.is_some_and(|d| d.remaining(monotonic_clock::now()).is_none())
}

/// Moves one request on; its outcome once it has one.
fn advance(stage: &mut Stage) -> Option<Result<Response, FetchError>> {
    match stage {
        Stage::Head(future) => match future.get()? {
            Err(()) => Some(Err(FetchError::Protocol("the response was already taken".to_string()))),
            Ok(Err(code)) => Some(Err(from_error_code(code))),
            Ok(Ok(response)) => match open_body(response) {
                Ok(body) => {
                    *stage = body;
                    // The body may be complete already (small answers usually are).
                    advance(stage)
                }
                Err(error) => Some(Err(error)),
            },
        },
        Stage::Body { stream, status, headers, bytes, .. } => loop {
            match stream.read(READ_CHUNK) {
                Ok(chunk) if chunk.is_empty() => return None,
                Ok(chunk) => {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() as u64 > limits::MAX_BODY_BYTES {
                        return Some(Err(FetchError::BodyTooLarge(limits::MAX_BODY_BYTES)));
                    }
                }
                Err(StreamError::Closed) => {
                    return Some(Ok(Response {
                        status: *status,
                        headers: std::mem::take(headers),
                        body: std::mem::take(bytes),
                    }));
                }
                Err(StreamError::LastOperationFailed(error)) => {
                    return Some(Err(FetchError::Protocol(format!(
                        "the response body broke off: {}",
                        error.to_debug_string()
                    ))));
                }
            }
        },
    }
}

/// Reads the head of `response` and opens its body.
fn open_body(response: IncomingResponse) -> Result<Stage, FetchError> {
    let status = response.status();
    let headers: Vec<Header> = {
        let fields = response.headers();
        fields
            .entries()
            .into_iter()
            .map(|(name, value)| Header { name, value: String::from_utf8_lossy(&value).into_owned() })
            .collect()
    };
    let declared = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| h.value.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limits::MAX_BODY_BYTES) {
        return Err(FetchError::BodyTooLarge(limits::MAX_BODY_BYTES));
    }
    let body = response.consume().map_err(|()| FetchError::Protocol("the response body was already taken".into()))?;
    let stream =
        body.stream().map_err(|()| FetchError::Protocol("the response body stream was already taken".into()))?;
    Ok(Stage::Body { stream, _body: body, _response: response, status, headers, bytes: Vec::new() })
}

/// Checks `request` against the allow-list and hands it to the engine at `now`, its timeouts cut to
/// the call's `deadline`.
fn start(
    allow: &AllowList,
    request: Request,
    deadline: Option<Deadline>,
    now: u64,
) -> Result<FutureIncomingResponse, FetchError> {
    let target = allow.check(&request.url).map_err(|refusal| match refusal {
        Refusal::InvalidUrl(why) => FetchError::InvalidUrl(why),
        Refusal::HostNotAllowed(why) => FetchError::HostNotAllowed(why),
    })?;
    let fields = Fields::new();
    for header in &request.headers {
        fields
            .append(&header.name, header.value.as_bytes())
            .map_err(|e| FetchError::Protocol(format!("the header {:?} cannot be sent: {e:?}", header.name)))?;
    }
    let outgoing = OutgoingRequest::new(fields);
    let method = match request.method {
        Method::Get => WasiMethod::Get,
        Method::Post => WasiMethod::Post,
        Method::Put => WasiMethod::Put,
        Method::Patch => WasiMethod::Patch,
        Method::Delete => WasiMethod::Delete,
    };
    let scheme = match target.scheme {
        AllowedScheme::Http => Scheme::Http,
        AllowedScheme::Https => Scheme::Https,
    };
    let refused = |what: &str| FetchError::InvalidUrl(format!("the engine refused the request's {what}"));
    outgoing.set_method(&method).map_err(|()| refused("method"))?;
    outgoing.set_scheme(Some(&scheme)).map_err(|()| refused("scheme"))?;
    outgoing.set_authority(Some(&target.authority)).map_err(|()| refused("authority"))?;
    outgoing.set_path_with_query(Some(&target.path_with_query)).map_err(|()| refused("path"))?;
    let body = outgoing.body().map_err(|()| FetchError::Protocol("the request body was already taken".into()))?;

    let options = RequestOptions::new();
    // An engine that does not support a timeout refuses to set it; the whole-request deadline
    // still applies.
    let _ = options.set_connect_timeout(Some(limit(deadline, now, limits::CONNECT_TIMEOUT)));
    let _ = options.set_first_byte_timeout(Some(limit(deadline, now, limits::FIRST_BYTE_TIMEOUT)));
    let _ = options.set_between_bytes_timeout(Some(limit(deadline, now, limits::BETWEEN_BYTES_TIMEOUT)));

    let future = outgoing_handler::handle(outgoing, Some(options)).map_err(from_error_code)?;
    REQUESTS_SENT.with(|sent| sent.set(sent.get().saturating_add(1)));
    write_body(body, request.body.as_deref().unwrap_or_default())?;
    Ok(future)
}

/// Writes the request body (the plugin's are small JSON documents) and finishes it.
fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), FetchError> {
    {
        let stream =
            body.write().map_err(|()| FetchError::Protocol("the request body stream was already taken".into()))?;
        for chunk in bytes.chunks(WRITE_CHUNK) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(|e| FetchError::Protocol(format!("sending the request body failed: {}", stream_error(e))))?;
        }
    }
    OutgoingBody::finish(body, None).map_err(from_error_code)
}

fn stream_error(error: StreamError) -> String {
    match error {
        StreamError::Closed => "the connection closed".to_string(),
        StreamError::LastOperationFailed(e) => e.to_debug_string(),
    }
}

/// The plugin's fetch error for an engine's error code.
fn from_error_code(code: ErrorCode) -> FetchError {
    let text = format!("{code:?}");
    match code {
        ErrorCode::DnsTimeout
        | ErrorCode::DnsError(_)
        | ErrorCode::DestinationNotFound
        | ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpUnroutable
        | ErrorCode::ConnectionRefused
        | ErrorCode::ConnectionLimitReached
        | ErrorCode::TlsProtocolError
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsAlertReceived(_) => FetchError::Connect(text),
        ErrorCode::DestinationIpProhibited | ErrorCode::HttpRequestDenied => FetchError::HostNotAllowed(text),
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => FetchError::Timeout(text),
        ErrorCode::HttpRequestUriInvalid | ErrorCode::HttpRequestMethodInvalid => FetchError::InvalidUrl(text),
        ErrorCode::HttpResponseBodySize(_) => FetchError::BodyTooLarge(limits::MAX_BODY_BYTES),
        _ => FetchError::Protocol(text),
    }
}
