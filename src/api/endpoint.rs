//! What a request answers: an [`Endpoint`] is an [`ApiRequest`] that knows the type of its
//! answer, and [`FromResponse`] is how that type is read from Docker's response.

use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde_json::json;

use super::ApiRequest;
use crate::error::{Error, Result};
use crate::host::HttpResponse;

/// A request whose answer reads as `T` (`Client::fetch` returns a `T`). It reads as its
/// [`ApiRequest`] everywhere else: method, path, target, scope.
pub struct Endpoint<T> {
    request: ApiRequest,
    output: PhantomData<fn() -> T>,
}

impl<T> From<ApiRequest> for Endpoint<T> {
    fn from(request: ApiRequest) -> Self {
        Endpoint { request, output: PhantomData }
    }
}

impl<T> Deref for Endpoint<T> {
    type Target = ApiRequest;

    fn deref(&self) -> &ApiRequest {
        &self.request
    }
}

impl<T> Endpoint<T> {
    /// The request alone (a batch sends requests of one type together).
    pub fn into_request(self) -> ApiRequest {
        self.request
    }
}

impl<T: FromResponse> Endpoint<T> {
    /// Reads `response`, Docker's 2xx answer to this request.
    pub fn read(&self, response: &HttpResponse) -> Result<T> {
        T::from_response(response, &self.request)
    }
}

/// A type Docker's answer is read into.
pub trait FromResponse: Sized {
    /// Reads the 2xx `response` to `request` (named in the error when it does not fit).
    fn from_response(response: &HttpResponse, request: &ApiRequest) -> Result<Self>;
}

/// A JSON body, read into `T`.
impl<T: DeserializeOwned> FromResponse for T {
    fn from_response(response: &HttpResponse, request: &ApiRequest) -> Result<Self> {
        // Validated as UTF-8 once, then read as text: serde_json checks every string of a byte slice
        // on its own, which cost a tenth of the guest's time on a members page.
        let text = std::str::from_utf8(&response.body).map_err(|e| e.to_string());
        text.and_then(|t| serde_json::from_str(t).map_err(|e| e.to_string())).map_err(|e| {
            let what = if response.body.iter().all(u8::is_ascii_whitespace) {
                "an empty body".to_string()
            } else {
                format!("a body it could not read as the answer it documents ({e}): {}", excerpt(&response.body))
            };
            unreadable(response, request, &what)
        })
    }
}

/// The answer of a request whose body is not read (a `DELETE`, a resend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoContent;

impl FromResponse for NoContent {
    fn from_response(_: &HttpResponse, _: &ApiRequest) -> Result<Self> {
        Ok(NoContent)
    }
}

/// The answer as it came: status, headers and body (a generic request's).
impl FromResponse for HttpResponse {
    fn from_response(response: &HttpResponse, _: &ApiRequest) -> Result<Self> {
        Ok(response.clone())
    }
}

/// Longest excerpt of an unreadable body quoted in an error.
const EXCERPT_CHARS: usize = 160;

/// What came back, for an error: Docker's (or a proxy's) own words when the body is an error
/// object, otherwise the body's start; control characters dropped, cut at [`EXCERPT_CHARS`].
/// Secrets an answer echoes are scrubbed from every error at the export boundary.
pub fn excerpt(body: &[u8]) -> String {
    let (label, text) = match super::DockerError::text(body) {
        Some(words) => ("it says", words),
        None => ("it begins", String::from_utf8_lossy(body).into_owned()),
    };
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = clean.chars().take(EXCERPT_CHARS).collect();
    let more = if clean.chars().count() > EXCERPT_CHARS { "…" } else { "" };
    format!("{label} \"{cut}{more}\"")
}

/// The error for an answer to `request` that cannot be read: `what` says what came instead.
pub fn unreadable(response: &HttpResponse, request: &ApiRequest, what: &str) -> Error {
    let error = Error::invalid_response(format!(
        "Docker Hub answered {} for {} ({} {}) with {what}. The API may have changed or a proxy replied instead.",
        response.status,
        request.target,
        request.method.as_str(),
        request.path
    ));
    Error { status: Some(response.status), ..error }
        .with_detail(json!({ "status": response.status, "path": request.path, "endpoint": request.target }))
}
