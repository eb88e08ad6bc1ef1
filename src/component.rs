//! The component boundary (wasm32 only): generated bindings, the [`Host`] over the imports, and
//! one export per action, each converting the crate's error into the WIT `action-error` once.

mod wit {
    wit_bindgen::generate!({
        world: "plugin",
        path: "wit",
    });
}

use wit::dockerhub::org::{cache, http_fetch, secret_get};
use wit::exports::dockerhub::org::actions::{ActionError, ErrorInfo, Guest, RateLimitInfo, UpstreamInfo};

use crate::error::{Error, ErrorKind};
use crate::host::{FetchError, Host, HttpRequest, HttpResponse, Method};

/// The imports, as a [`Host`].
struct WitHost;

fn to_wit_request(request: &HttpRequest) -> http_fetch::Request {
    http_fetch::Request {
        method: dockerhub_org_wire::method!(request.method, Method => http_fetch::Method),
        url: request.url.clone(),
        headers: request
            .headers
            .iter()
            .map(|(name, value)| http_fetch::Header { name: name.clone(), value: value.clone() })
            .collect(),
        body: request.body.clone(),
    }
}

fn from_wit_outcome(outcome: Result<http_fetch::Response, http_fetch::FetchError>) -> Result<HttpResponse, FetchError> {
    match outcome {
        Ok(r) => Ok(HttpResponse {
            status: r.status,
            headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: r.body,
        }),
        Err(e) => Err(dockerhub_org_wire::fetch_error!(e, http_fetch::FetchError => FetchError)),
    }
}

impl Host for WitHost {
    fn fetch(&self, request: &HttpRequest) -> Result<HttpResponse, FetchError> {
        from_wit_outcome(http_fetch::fetch(&to_wit_request(request)))
    }

    fn fetch_batch(&self, requests: &[HttpRequest], max_concurrency: u32) -> Vec<Result<HttpResponse, FetchError>> {
        let wire: Vec<http_fetch::Request> = requests.iter().map(to_wit_request).collect();
        http_fetch::fetch_batch(&wire, max_concurrency).into_iter().map(from_wit_outcome).collect()
    }

    fn sleep(&self, millis: u32) {
        http_fetch::sleep(millis)
    }

    fn secret(&self, key: &str) -> Option<String> {
        secret_get::get(key)
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        cache::get(key)
    }

    fn cache_set(&self, key: &str, value: &[u8], ttl_seconds: u32) {
        cache::set(key, value, ttl_seconds)
    }

    fn cache_delete(&self, key: &str) {
        cache::delete(key)
    }
}

/// The crate's error as the WIT variant. Never inlined: with ~30 exports, a copy in each export's
/// glue cost tens of kilobytes of component size.
#[inline(never)]
fn to_wit_error(error: Error) -> ActionError {
    let detail = error.detail.as_ref().map(|d| d.to_string());
    let info = ErrorInfo { message: error.message.clone(), detail: detail.clone() };
    match error.kind {
        ErrorKind::InvalidInput => ActionError::InvalidInput(info),
        ErrorKind::MissingCredential => ActionError::MissingCredential(info),
        ErrorKind::Unauthorized => ActionError::Unauthorized(info),
        ErrorKind::Forbidden => ActionError::Forbidden(info),
        ErrorKind::NotFound => ActionError::NotFound(info),
        ErrorKind::Conflict => ActionError::Conflict(info),
        ErrorKind::RateLimited { retry_after } => {
            ActionError::RateLimited(RateLimitInfo { message: error.message, retry_after, detail })
        }
        ErrorKind::Upstream { status } => ActionError::Upstream(UpstreamInfo {
            status,
            message: error.message,
            docker_message: error.docker_message,
            detail,
        }),
        ErrorKind::Transport => ActionError::Transport(info),
        ErrorKind::InvalidResponse => ActionError::InvalidResponse(info),
        ErrorKind::LimitExceeded => ActionError::LimitExceeded(info),
    }
}

/// Runs one action and converts its error; shared by every export (never inlined into them).
#[inline(never)]
fn boundary(action: &str, input: &str) -> Result<String, ActionError> {
    crate::run_action(action, &WitHost, input).map_err(to_wit_error)
}

struct Component;

/// The `Guest` implementation: one export per action, each calling [`boundary`] with the export's
/// own name. The list is the WIT's, generated (and the compiler rejects a missing or extra export); names are
/// kebab-case in the catalogue and snake_case here, and [`crate::actions::find`] matches either.
macro_rules! exports {
    ($($function:ident),* $(,)?) => {
        impl Guest for Component {
            fn describe() -> String {
                crate::manifest::describe()
            }
            $(
                fn $function(input: String) -> Result<String, ActionError> {
                    boundary(stringify!($function), &input)
                }
            )*
        }
    };
}

// One export per function of the WIT's `actions` interface, written by `build.rs` from
// `wit/actions.wit` (`exports! { list_members, get_member, ... }`).
include!(concat!(env!("OUT_DIR"), "/exports.rs"));

wit::export!(Component with_types_in wit);
