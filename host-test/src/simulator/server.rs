//! The simulator's HTTP/1.1 server: hyper on a tokio runtime of its own, one task per connection
//! (kept alive as Docker Hub's are), each request answered on the runtime's blocking pool (where the
//! configured latency is a sleep), at most `workers` at once; more wait their turn.
//!
//! It replaced tiny_http 0.12, whose task pool gives every connection a thread for the connection's
//! life and, when several connections are accepted while one thread waits, queued one of them
//! behind connections kept alive by the client: its request sat unread in the socket until the
//! client's 30 s timeout (seen in about one benchmark run in three, batched listings at 50 ms).

use std::convert::Infallible;
use std::net::TcpListener;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};

/// Largest request body read; a longer one is read as no body (no simulated endpoint takes one
/// near this size).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request as the simulator's routes read it.
#[derive(Debug)]
pub struct Incoming {
    /// The method, as sent.
    pub method: String,
    /// The path and query, as sent.
    pub target: String,
    /// The token of an `Authorization: Bearer` header.
    pub bearer: Option<String>,
    /// The body (empty when there is none, or when it is longer than 1 MiB).
    pub body: Vec<u8>,
}

/// An answer.
#[derive(Debug)]
pub struct Outgoing {
    /// Status code.
    pub status: u16,
    /// Headers besides `content-length` (which the server writes).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// What answers each request (run on a blocking thread).
pub type Handler = Arc<dyn Fn(Incoming) -> Outgoing + Send + Sync>;

/// A running server; stops when dropped.
pub struct Server {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` with `handler`, at most `workers` requests at once.
    pub fn start(listener: TcpListener, workers: usize, handler: Handler) -> Result<Self> {
        listener.set_nonblocking(true).context("making the simulator's listener non-blocking")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .max_blocking_threads(workers.max(1))
            .thread_name("simulator")
            .build()
            .context("starting the simulator's runtime")?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("simulator".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                    tokio::spawn(accept(listener, handler));
                    // Until the simulator is dropped (or gone without sending).
                    let _ = stopped.await;
                });
                // Dropping the runtime ends the connections; answers being computed finish first.
            })
            .context("starting the simulator's thread")?;
        Ok(Server { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept(listener: tokio::net::TcpListener, handler: Handler) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // A failed accept (out of file descriptors, say) is retried after a pause rather than
            // at once, which would spin this thread on the same error.
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        };
        // Responses go out without waiting for the client's delayed ACK (Nagle).
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| answer(request, handler.clone()));
            let mut http = hyper::server::conn::http1::Builder::new();
            // The routes write their own `Date`; no timer is set, so no header timeout either.
            http.keep_alive(true).auto_date_header(false).header_read_timeout(None);
            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(
    request: hyper::Request<hyper::body::Incoming>,
    handler: Handler,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().as_str().to_string();
    let target = request.uri().path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let body = match Limited::new(request.into_body(), MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let incoming = Incoming { method, target, bearer, body };
    let outgoing = tokio::task::spawn_blocking(move || handler(incoming)).await.unwrap_or_else(|_| Outgoing {
        status: 500,
        headers: Vec::new(),
        body: b"the simulator failed to answer".to_vec(),
    });
    let mut response = Response::new(Full::new(Bytes::from(outgoing.body)));
    *response.status_mut() = StatusCode::from_u16(outgoing.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in outgoing.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}
