//! The one seam between the guest's logic and the three imported host interfaces.
//!
//! Everything above this trait is plain Rust that runs natively in unit tests; the wasm32 build
//! implements it over the generated bindings (`component.rs`).

/// HTTP methods the Docker Hub API uses (also `api-request`'s `method` input, in upper case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request handed to the host.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header lines, in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes, if any.
    pub body: Option<Vec<u8>>,
}

/// A response from the host: any status code.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header lines as received.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why the host produced no response.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The URL's host is not allowed.
    HostNotAllowed(String),
    /// The URL is malformed.
    InvalidUrl(String),
    /// No connection.
    Connect(String),
    /// Timed out.
    Timeout(String),
    /// The body passed the host's cap (bytes).
    BodyTooLarge(u64),
    /// Broken or malformed response.
    Protocol(String),
    /// The call's deadline passed (the host sends nothing more for this call).
    DeadlineExceeded(String),
}

impl FetchError {
    /// A stable name of the failure (an error's `detail.failure`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            FetchError::HostNotAllowed(_) => "host-not-allowed",
            FetchError::InvalidUrl(_) => "invalid-url",
            FetchError::Connect(_) => "connect",
            FetchError::Timeout(_) => "timeout",
            FetchError::BodyTooLarge(_) => "body-too-large",
            FetchError::Protocol(_) => "protocol",
            FetchError::DeadlineExceeded(_) => "deadline",
        }
    }

    /// Whether the request may have reached Docker Hub: everything but a refusal before sending
    /// (a host not allowed, a bad URL) or a connection that was never made.
    pub fn may_have_arrived(&self) -> bool {
        !matches!(self, FetchError::HostNotAllowed(_) | FetchError::InvalidUrl(_) | FetchError::Connect(_))
    }

    /// Whether sending the same request again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, FetchError::Connect(_) | FetchError::Timeout(_) | FetchError::Protocol(_))
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::HostNotAllowed(h) => write!(f, "the host refused to contact {h} (not on its allow-list)"),
            FetchError::InvalidUrl(m) => write!(f, "invalid URL: {m}"),
            FetchError::Connect(m) => write!(f, "could not connect: {m}"),
            FetchError::Timeout(m) => write!(f, "timed out: {m}"),
            FetchError::BodyTooLarge(cap) => write!(f, "the response body exceeded the host's cap of {cap} bytes"),
            FetchError::Protocol(m) => write!(f, "the connection failed mid-response: {m}"),
            FetchError::DeadlineExceeded(m) => write!(f, "the call's deadline passed: {m}"),
        }
    }
}

/// The imported host interfaces, as the guest uses them.
pub trait Host {
    /// `http-fetch.fetch`
    fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, FetchError>;
    /// `http-fetch.fetch-batch`: outcomes in request order.
    fn fetch_batch(&self, requests: &[HttpRequest], max_concurrency: u32) -> Vec<Result<HttpResponse, FetchError>>;
    /// `http-fetch.sleep`
    fn sleep(&self, millis: u32);
    /// `secret-get.get`
    fn secret(&self, key: &str) -> Option<String>;
    /// `cache.get`
    fn cache_get(&self, key: &str) -> Option<Vec<u8>>;
    /// `cache.set`
    fn cache_set(&self, key: &str, value: &[u8], ttl_seconds: u32);
    /// `cache.delete`
    fn cache_delete(&self, key: &str);
}
