//! An embedded, stateful Docker Hub: the real API's paths, auth and shapes, seeded from
//! `fixtures/simulator/org.json`, listening on 127.0.0.1 on a free port.
//!
//! Token exchange issues short-lived JWT-shaped tokens and refuses personal access tokens on
//! organization endpoints with Docker's message; members, invites, teams, audit events and settings
//! change as Docker's would, and every change is recorded as an audit event. Optional latency and
//! rate limiting (with `X-RateLimit-*` and `X-Retry-After`) make it usable for demos and benchmarks.
//! [`Quirks`] reproduce, on request, each place where Docker's documentation and the live service
//! differ (docs/docker-hub-quirks.md).

pub mod quirks;
pub mod routes;
mod server;
pub mod state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use percent_encoding::percent_decode_str;

use server::{Incoming, Outgoing, Server};

pub use quirks::{AlreadyMemberAnswer, ErrorShape, FailWrite, Quirks, RetryAfterStyle};
use routes::{Body, Credentials, Reply, Request};
use state::{State, now};

/// The OAT the simulator accepts unless told otherwise.
pub const DEFAULT_OAT: &str = "dckr_oat_simulator-demo-token";
/// The simulated organization's name unless told otherwise.
pub const DEFAULT_ORG: &str = "example-org";

/// How the simulator behaves.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Organization name.
    pub org: String,
    /// The Organization Access Token it accepts.
    pub oat: String,
    /// Port (0: any free port).
    pub port: u16,
    /// Added to every request.
    pub latency: Duration,
    /// Added, besides `latency`, to every request for this page number (`page=N` in the query):
    /// one slow page in a long listing.
    pub slow_page: Option<(u32, Duration)>,
    /// Requests allowed per 60-second window (None: unlimited, headers still sent).
    pub rate_limit_per_minute: Option<u32>,
    /// Lifetime of issued tokens, seconds.
    pub token_ttl: u64,
    /// Requests handled at once.
    pub workers: usize,
    /// Roster size: `None` keeps the seed's members; `Some(n)` trims the roster or pads it with
    /// generated members to exactly `n` (benchmarks and paging tests at scale).
    pub members: Option<usize>,
    /// Docker Hub quirks to reproduce (none by default).
    pub quirks: Quirks,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            org: DEFAULT_ORG.to_string(),
            oat: DEFAULT_OAT.to_string(),
            port: 0,
            latency: Duration::ZERO,
            slow_page: None,
            rate_limit_per_minute: None,
            token_ttl: 600,
            workers: 16,
            members: None,
            quirks: Quirks::default(),
        }
    }
}

struct Window {
    started: Instant,
    started_unix: u64,
    used: u32,
}

/// A running simulator; stops when dropped.
pub struct Simulator {
    url: String,
    state: Arc<Mutex<State>>,
    requests: Arc<AtomicU64>,
    _server: Server,
}

impl Simulator {
    /// Starts a simulator.
    pub fn start(config: SimulatorConfig) -> Result<Self> {
        let listener = listen(config.port)?;
        let port = listener.local_addr().context("the simulator has no address")?.port();
        let url = format!("http://127.0.0.1:{port}");
        let mut seeded = State::seeded(&config.org)?;
        if let Some(count) = config.members {
            seeded.set_member_count(count);
        }
        let state = Arc::new(Mutex::new(seeded));
        let requests = Arc::new(AtomicU64::new(0));
        let window = Arc::new(Mutex::new(Window { started: Instant::now(), started_unix: now(), used: 0 }));
        let workers = config.workers;
        let handler = {
            let (state, requests, url) = (state.clone(), requests.clone(), url.clone());
            move |incoming| {
                requests.fetch_add(1, Ordering::SeqCst);
                serve(incoming, &state, &window, &config, &url)
            }
        };
        let server = Server::start(listener, workers, Arc::new(handler))?;
        Ok(Simulator { url, state, requests, _server: server })
    }

    /// `http://127.0.0.1:port`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests received so far.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Reads or changes the state directly (tests, seeding).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state)
    }
}

/// A listener on 127.0.0.1:`port` whose connections send without Nagle's delay (set again on each
/// accepted connection, `server.rs`): with Nagle on, a response written in pieces waited for the
/// client's delayed ACK, and every request took about 40 ms however small.
fn listen(port: u16) -> Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).context("creating the simulator's socket")?;
    socket.set_tcp_nodelay(true).context("setting TCP_NODELAY")?;
    // As std's `TcpListener::bind` does on Unix: a restarted simulator can take its port back at once.
    #[cfg(unix)]
    socket.set_reuse_address(true).context("setting SO_REUSEADDR")?;
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    socket.bind(&address.into()).with_context(|| format!("binding {address}"))?;
    socket.listen(128).context("listening")?;
    Ok(socket.into())
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

fn serve(
    request: Incoming,
    state: &Mutex<State>,
    window: &Mutex<Window>,
    config: &SimulatorConfig,
    url: &str,
) -> Outgoing {
    if !config.latency.is_zero() {
        std::thread::sleep(config.latency);
    }
    if let Some((page, extra)) = config.slow_page {
        let asked = request.target.split_once('?').is_some_and(|(_, query)| {
            query.split('&').any(|pair| pair.strip_prefix("page=").is_some_and(|n| n.parse() == Ok(page)))
        });
        if asked {
            std::thread::sleep(extra);
        }
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(limit) = config.rate_limit_per_minute {
        let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
        if w.started.elapsed() >= Duration::from_secs(60) {
            *w = Window { started: Instant::now(), started_unix: now(), used: 0 };
        }
        w.used += 1;
        let reset = w.started_unix + 60;
        headers.push(header("X-RateLimit-Limit", &limit.to_string()));
        headers.push(header("X-RateLimit-Remaining", &limit.saturating_sub(w.used).to_string()));
        headers.push(header("X-RateLimit-Reset", &reset.to_string()));
        if w.used > limit {
            let wait = reset.saturating_sub(now()).max(1);
            match config.quirks.retry_after {
                RetryAfterStyle::XRetryAfterUnix => headers.push(header("X-Retry-After", &reset.to_string())),
                RetryAfterStyle::RetryAfterSeconds => headers.push(header("Retry-After", &wait.to_string())),
                RetryAfterStyle::RetryAfterUnix => headers.push(header("Retry-After", &reset.to_string())),
                RetryAfterStyle::ResetOnly => {}
                RetryAfterStyle::Overflowing => headers.push(header("Retry-After", &u64::MAX.to_string())),
            }
            let reply = Reply {
                status: 429,
                body: Body::Json(serde_json::json!({"detail": "Rate limit exceeded", "error": false})),
            };
            return respond(reply, headers);
        }
    }
    let parsed = parse(request, url);
    let reply = {
        let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
        let credentials = Credentials { oat: &config.oat, token_ttl: config.token_ttl, quirks: &config.quirks };
        routes::handle(&mut state, &credentials, &parsed)
    };
    respond(reply, headers)
}

fn parse(request: Incoming, base_url: &str) -> Request {
    let raw = request.target;
    let (path, query) = raw.split_once('?').unwrap_or((raw.as_str(), ""));
    let trailing_slash = path.len() > 1 && path.ends_with('/');
    let segments = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let body = std::str::from_utf8(&request.body).ok().and_then(|text| serde_json::from_str(text).ok());
    Request {
        method: request.method.to_uppercase(),
        segments,
        trailing_slash,
        query,
        body,
        bearer: request.bearer,
        base_url: base_url.to_string(),
    }
}

fn respond(reply: Reply, mut headers: Vec<(String, String)>) -> Outgoing {
    headers.push(header("Date", &httpdate_now()));
    let (bytes, content_type) = match reply.body {
        Body::Json(value) => (value.to_string().into_bytes(), Some("application/json")),
        Body::Csv(text) => (text.into_bytes(), Some("text/csv")),
        Body::Empty => (Vec::new(), None),
    };
    if let Some(ct) = content_type {
        headers.push(header("Content-Type", ct));
    }
    Outgoing { status: reply.status, headers, body: bytes }
}

fn httpdate_now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}
