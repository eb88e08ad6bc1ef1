//! What to do after one attempt: the client's retry policy as one pure function.
//!
//! [`decide`] looks at the request (may it be repeated? does it carry the session token?), the
//! answer (a response's status and headers, or why there was none), how many retries were made and
//! how much of the retry budget is left, and says what comes next: hand the response back,
//! re-authenticate, wait and send again, or give up. It does no I/O and keeps no state, so the whole
//! policy is tested here by a table; [`Client`](super::Client) only carries the decision out.

use super::rate_limit;
use crate::api::ApiRequest;
use crate::host::{FetchError, HttpResponse};

/// Most retries of one request (transient failures and 429s together).
pub const MAX_RETRIES: u32 = 3;
/// First backoff after a transient failure; doubles each time.
pub const BACKOFF_BASE_MS: u64 = 250;

/// What the policy needs to know about the request itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestKind {
    /// Sending it twice is harmless (GET, PUT, DELETE, the token exchange).
    pub idempotent: bool,
    /// It carries the session token, so a 401 may mean only that the token expired.
    pub authenticated: bool,
}

impl RequestKind {
    /// The kind of `request`.
    pub fn of(request: &ApiRequest) -> Self {
        RequestKind { idempotent: request.idempotent, authenticated: request.authenticated }
    }
}

/// Where one request stands when its latest answer arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Retries already made (waits taken); re-authentication does not count.
    pub retries: u32,
    /// Whether this request was already resent with a fresh token.
    pub reauthenticated: bool,
    /// Milliseconds of the action's retry budget not yet spent waiting.
    pub budget_left_ms: u64,
}

/// What the client does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A 2xx: the response is the outcome.
    Done,
    /// A 401 to the session token, the first for this request: drop the token, exchange the OAT
    /// again and resend.
    Reauthenticate,
    /// Wait `wait_ms` (it fits in the budget left), then resend.
    RetryAfter {
        /// The pause before the next attempt, in milliseconds.
        wait_ms: u64,
    },
    /// Give up: the error this answer maps to is the outcome.
    Fail,
}

/// Decides what follows `answer` to a request of `kind` at `progress`.
///
/// - A 2xx is done.
/// - A 401 to an authenticated request re-authenticates once; a second 401 fails (`unauthorized`).
/// - A 429 proves the request was not carried out, so any method waits for the time Docker names
///   (`X-Retry-After` against `Date`) and is sent again.
/// - 500, 502, 503, 504 and transient transport failures (connect, timeout, broken response) are
///   retried with exponential backoff, but only for idempotent requests: a POST or PATCH may have
///   been carried out before the failure and is never sent twice.
/// - Every retry is bounded by [`MAX_RETRIES`], and its wait must fit in the budget left; a wait
///   that does not fit fails at once, without sleeping.
/// - Anything else fails.
pub fn decide(kind: RequestKind, answer: Result<&HttpResponse, &FetchError>, progress: Progress) -> Decision {
    let may_retry = progress.retries < MAX_RETRIES;
    let backoff = BACKOFF_BASE_MS << progress.retries.min(8);
    let retry_after = |wait_ms: u64| {
        if wait_ms <= progress.budget_left_ms { Decision::RetryAfter { wait_ms } } else { Decision::Fail }
    };
    let response = match answer {
        Ok(response) => response,
        Err(failure) if kind.idempotent && failure.is_transient() && may_retry => return retry_after(backoff),
        Err(_) => return Decision::Fail,
    };
    match response.status {
        200..=299 => Decision::Done,
        401 if kind.authenticated && !progress.reauthenticated => Decision::Reauthenticate,
        429 if may_retry => retry_after(rate_limit::wait_millis(response)),
        500 | 502 | 503 | 504 if kind.idempotent && may_retry => retry_after(backoff),
        _ => Decision::Fail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: RequestKind = RequestKind { idempotent: true, authenticated: true };
    const POST: RequestKind = RequestKind { idempotent: false, authenticated: true };
    const EXCHANGE: RequestKind = RequestKind { idempotent: true, authenticated: false };

    const FRESH: Progress = Progress { retries: 0, reauthenticated: false, budget_left_ms: 30_000 };

    fn status(code: u16) -> HttpResponse {
        HttpResponse { status: code, ..Default::default() }
    }

    /// A 429 that names a retry time `wait` seconds after its own `Date`.
    fn too_many(wait: u64) -> HttpResponse {
        HttpResponse {
            status: 429,
            headers: vec![
                ("Date".into(), "Tue, 14 Nov 2023 22:13:20 GMT".into()), // 1700000000
                ("X-Retry-After".into(), (1_700_000_000 + wait).to_string()),
            ],
            body: vec![],
        }
    }

    fn at(retries: u32) -> Progress {
        Progress { retries, ..FRESH }
    }

    fn budget(budget_left_ms: u64) -> Progress {
        Progress { budget_left_ms, ..FRESH }
    }

    /// Behaviour, request, answer, progress, and the decision it must get.
    type Row<'f> = (&'static str, RequestKind, Result<HttpResponse, &'f FetchError>, Progress, Decision);

    #[test]
    fn decisions_follow_method_status_retries_and_budget() {
        use Decision::*;
        let timeout = FetchError::Timeout("slow".into());
        let connect = FetchError::Connect("refused".into());
        let protocol = FetchError::Protocol("reset".into());
        let too_large = FetchError::BodyTooLarge(1024);
        let not_allowed = FetchError::HostNotAllowed("evil.example".into());
        #[rustfmt::skip]
        let rows: Vec<Row> = vec![
            ("a 200 is done", GET, Ok(status(200)), FRESH, Done),
            ("a 201 to a POST is done", POST, Ok(status(201)), FRESH, Done),
            ("a 204 is done", GET, Ok(status(204)), FRESH, Done),
            ("a 401 re-authenticates", GET, Ok(status(401)), FRESH, Reauthenticate),
            ("a 401 to a POST re-authenticates too (nothing was done)", POST, Ok(status(401)), FRESH, Reauthenticate),
            ("a second 401 fails", GET, Ok(status(401)), Progress { reauthenticated: true, ..FRESH }, Fail),
            ("a 401 to the token exchange fails at once", EXCHANGE, Ok(status(401)), FRESH, Fail),
            ("a 403 fails", GET, Ok(status(403)), FRESH, Fail),
            ("a 404 fails", GET, Ok(status(404)), FRESH, Fail),
            ("a 409 fails", POST, Ok(status(409)), FRESH, Fail),
            ("a 400 fails", GET, Ok(status(400)), FRESH, Fail),
            ("a 500 to a GET backs off 250 ms", GET, Ok(status(500)), FRESH, RetryAfter { wait_ms: 250 }),
            ("a 502 to a GET backs off", GET, Ok(status(502)), FRESH, RetryAfter { wait_ms: 250 }),
            ("a 503 to a GET backs off", GET, Ok(status(503)), FRESH, RetryAfter { wait_ms: 250 }),
            ("a 504 to a GET backs off", GET, Ok(status(504)), FRESH, RetryAfter { wait_ms: 250 }),
            ("a 501 is not retried", GET, Ok(status(501)), FRESH, Fail),
            ("a 500 to the exchange backs off (it is idempotent)", EXCHANGE, Ok(status(500)), FRESH, RetryAfter { wait_ms: 250 }),
            ("the backoff doubles: second retry", GET, Ok(status(503)), at(1), RetryAfter { wait_ms: 500 }),
            ("the backoff doubles: third retry", GET, Ok(status(503)), at(2), RetryAfter { wait_ms: 1000 }),
            ("no fourth retry after a 5xx", GET, Ok(status(503)), at(3), Fail),
            ("a 500 to a POST is never resent", POST, Ok(status(500)), FRESH, Fail),
            ("a 503 to a POST is never resent", POST, Ok(status(503)), FRESH, Fail),
            ("a timeout of a GET backs off", GET, Err(&timeout), FRESH, RetryAfter { wait_ms: 250 }),
            ("a refused connection of a GET backs off", GET, Err(&connect), at(1), RetryAfter { wait_ms: 500 }),
            ("a broken response to a GET backs off", GET, Err(&protocol), at(2), RetryAfter { wait_ms: 1000 }),
            ("no fourth retry after a timeout", GET, Err(&timeout), at(3), Fail),
            ("a timeout of a POST is never resent", POST, Err(&timeout), FRESH, Fail),
            ("a broken response to a POST is never resent", POST, Err(&protocol), FRESH, Fail),
            ("a body over the cap is not retried", GET, Err(&too_large), FRESH, Fail),
            ("a host off the allow-list is not retried", GET, Err(&not_allowed), FRESH, Fail),
            ("a 429 waits what Docker names", GET, Ok(too_many(3)), FRESH, RetryAfter { wait_ms: 3000 }),
            ("a 429 to a POST waits too (it was not carried out)", POST, Ok(too_many(2)), FRESH, RetryAfter { wait_ms: 2000 }),
            ("a 429 wait is not doubled by earlier retries", GET, Ok(too_many(2)), at(2), RetryAfter { wait_ms: 2000 }),
            ("no fourth retry after a 429", GET, Ok(too_many(1)), at(3), Fail),
            ("a 429 wait that fits the budget exactly is taken", GET, Ok(too_many(3)), budget(3000), RetryAfter { wait_ms: 3000 }),
            ("a 429 wait beyond the budget fails without waiting", GET, Ok(too_many(3)), budget(2999), Fail),
            ("a 429 without a usable time waits one second", GET, Ok(status(429)), FRESH, RetryAfter { wait_ms: 1000 }),
            ("a backoff beyond the budget fails", GET, Ok(status(500)), budget(249), Fail),
            ("a spent budget fails a timeout", GET, Err(&timeout), budget(0), Fail),
        ];
        for (behaviour, kind, answer, progress, expected) in rows {
            let answer = answer.as_ref().map_err(|e| *e);
            assert_eq!(decide(kind, answer, progress), expected, "{behaviour}");
        }
    }

    #[test]
    fn kind_follows_the_request() {
        let exchange = crate::api::auth::exchange_token("acme", "dckr_oat_x");
        assert_eq!(RequestKind::of(&exchange), EXCHANGE);
        let members = ApiRequest::new(
            crate::host::Method::Patch,
            crate::api::path(&["v2", "orgs", "acme"]),
            crate::api::Scope::ImageAccessManagement,
            "x",
        );
        assert_eq!(RequestKind::of(&members), POST);
    }
}
